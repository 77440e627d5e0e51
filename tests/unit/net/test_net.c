/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include "sw_net.h"
#include "sw_test.h"

static const uint8_t mac_a[6] = {0x02, 0, 0, 0, 0, 1};
static const uint8_t mac_b[6] = {0x02, 0, 0, 0, 0, 2};
#define IP_A 0xC6120001u /* 198.18.0.1 */
#define IP_B 0xC6130001u /* 198.19.0.1 */

static size_t
make_udp(uint8_t *f, const char *payload, bool csum)
{
	struct sw_net_udp_out o = {mac_a, mac_b, IP_A, IP_B, 5060, 5070, 7, csum, false};
	size_t n = strlen(payload);

	memcpy(f + SW_NET_HDR_LEN, payload, n);
	return sw_net_udp_write(f, &o, (uint16_t)n);
}

static void
test_the_rfc1071_example_sums_as_published(void)
{
	/* RFC 1071 section 3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (before the
	 * complement); the checksum field value is its complement 220d */
	static const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	uint16_t c = sw_net_csum_fold(sw_net_csum_add(b, sizeof(b), 0));
	uint8_t wire[2];

	memcpy(wire, &c, 2);
	CU_ASSERT_EQUAL(wire[0], 0x22);
	CU_ASSERT_EQUAL(wire[1], 0x0d);
	/* an odd length pads with a zero byte: 0001 + f203 + f4f5 + f600 = 2dcf9, folded
	 * dcfb, complemented 2304 */
	c = sw_net_csum_fold(sw_net_csum_add(b, 7, 0));
	memcpy(wire, &c, 2);
	CU_ASSERT_EQUAL(wire[0], 0x23);
	CU_ASSERT_EQUAL(wire[1], 0x04);
}

static void
test_a_written_datagram_classifies_back_to_its_fields(void)
{
	uint8_t f[256];
	struct sw_net_pkt p;
	size_t n = make_udp(f, "SIP/2.0 200 OK\r\n\r\n", true);

	CU_ASSERT_EQUAL(n, SW_NET_HDR_LEN + 18);
	CU_ASSERT_EQUAL(sw_net_classify(f, n, &p), SW_NET_K_UDP);
	CU_ASSERT_EQUAL(p.src_ip, IP_A);
	CU_ASSERT_EQUAL(p.dst_ip, IP_B);
	CU_ASSERT_EQUAL(p.src_port, 5060);
	CU_ASSERT_EQUAL(p.dst_port, 5070);
	CU_ASSERT_EQUAL(p.payload_len, 18);
	CU_ASSERT_EQUAL(memcmp(p.payload, "SIP/2.0 200 OK", 14), 0);
	CU_ASSERT_EQUAL(memcmp(p.src_mac, mac_a, 6), 0);
	/* header fields on the wire, checked byte by byte */
	CU_ASSERT_EQUAL(f[12], 0x08);
	CU_ASSERT_EQUAL(f[13], 0x00);
	CU_ASSERT_EQUAL(f[14], 0x45);
	CU_ASSERT_EQUAL(f[14 + 9], 17);
	CU_ASSERT_EQUAL(f[14 + 2] << 8 | f[14 + 3], 20 + 8 + 18);
	CU_ASSERT_EQUAL(f[34] << 8 | f[35], 5060);
	/* Ethernet padding after the IPv4 packet is ignored */
	memset(f + n, 0xee, 10);
	CU_ASSERT_EQUAL(sw_net_classify(f, n + 10, &p), SW_NET_K_UDP);
	CU_ASSERT_EQUAL(p.payload_len, 18);
}

static void
test_damaged_frames_are_dropped_with_their_reason(void)
{
	uint8_t f[256], g[256];
	struct sw_net_pkt p;
	size_t n = make_udp(f, "REGISTER sip:x SIP/2.0\r\n\r\n", true);

	memcpy(g, f, n);
	g[SW_NET_HDR_LEN + 3] ^= 1;
	CU_ASSERT_EQUAL(sw_net_classify(g, n, &p), SW_NET_K_DROP);
	CU_ASSERT_EQUAL(p.drop, SW_NET_DROP_UDP_CHECKSUM);
	memcpy(g, f, n);
	g[14 + 8] = 3; /* TTL changed, checksum not */
	CU_ASSERT_EQUAL(sw_net_classify(g, n, &p), SW_NET_K_DROP);
	CU_ASSERT_EQUAL(p.drop, SW_NET_DROP_IP_CHECKSUM);
	CU_ASSERT_EQUAL(sw_net_classify(f, n - 1, &p), SW_NET_K_DROP);
	CU_ASSERT_EQUAL(p.drop, SW_NET_DROP_SHORT);
	CU_ASSERT_EQUAL(sw_net_classify(f, 10, &p), SW_NET_K_DROP);
	CU_ASSERT_EQUAL(p.drop, SW_NET_DROP_SHORT);
	memcpy(g, f, n);
	g[12] = 0x86;
	g[13] = 0xdd;
	CU_ASSERT_EQUAL(sw_net_classify(g, n, &p), SW_NET_K_DROP);
	CU_ASSERT_EQUAL(p.drop, SW_NET_DROP_ETHERTYPE);
	/* a fragment: MF set, header checksum recomputed so only the fragment rule applies */
	memcpy(g, f, n);
	g[14 + 6] = 0x20;
	g[14 + 10] = g[14 + 11] = 0;
	uint16_t c = sw_net_csum_fold(sw_net_csum_add(g + 14, 20, 0));

	memcpy(g + 14 + 10, &c, 2);
	CU_ASSERT_EQUAL(sw_net_classify(g, n, &p), SW_NET_K_DROP);
	CU_ASSERT_EQUAL(p.drop, SW_NET_DROP_FRAGMENT);
	/* UDP length larger than the IP packet */
	memcpy(g, f, n);
	g[38] = 0x7f;
	CU_ASSERT_EQUAL(sw_net_classify(g, n, &p), SW_NET_K_DROP);
	CU_ASSERT_EQUAL(p.drop, SW_NET_DROP_UDP_LENGTH);
	/* without a checksum (0) the payload is not checked */
	n = make_udp(f, "x", false);
	CU_ASSERT_EQUAL(f[40] | f[41], 0);
	CU_ASSERT_EQUAL(sw_net_classify(f, n, &p), SW_NET_K_UDP);
	for (int i = 0; i < SW_NET_DROP_MAX; i++)
		CU_ASSERT_STRING_NOT_EQUAL(sw_net_drop_name(i), "?");
}

static void
test_arp_requests_and_replies_round_trip(void)
{
	uint8_t f[64];
	struct sw_net_pkt p;

	CU_ASSERT_EQUAL(sw_net_arp_write(f, 1, mac_a, IP_A, NULL, IP_B), SW_NET_MIN_LEN);
	CU_ASSERT_EQUAL(f[0], 0xff);
	CU_ASSERT_EQUAL(sw_net_classify(f, SW_NET_MIN_LEN, &p), SW_NET_K_ARP_REQUEST);
	CU_ASSERT_EQUAL(p.src_ip, IP_A);
	CU_ASSERT_EQUAL(p.dst_ip, IP_B);
	CU_ASSERT_EQUAL(memcmp(p.src_mac, mac_a, 6), 0);
	sw_net_arp_write(f, 2, mac_b, IP_B, mac_a, IP_A);
	CU_ASSERT_EQUAL(memcmp(f, mac_a, 6), 0);
	CU_ASSERT_EQUAL(sw_net_classify(f, SW_NET_MIN_LEN, &p), SW_NET_K_ARP_REPLY);
	CU_ASSERT_EQUAL(p.src_ip, IP_B);
	CU_ASSERT_EQUAL(memcmp(p.src_mac, mac_b, 6), 0);
	f[14 + 7] = 9;
	CU_ASSERT_EQUAL(sw_net_classify(f, SW_NET_MIN_LEN, &p), SW_NET_K_DROP);
	CU_ASSERT_EQUAL(p.drop, SW_NET_DROP_ARP);
}

static void
test_an_icmp_unreachable_names_the_datagram_it_is_about(void)
{
	uint8_t orig[128], f[256];
	struct sw_net_pkt p;
	size_t on = make_udp(orig, "REGISTER", true);
	struct sw_net_udp_out o = {mac_b, mac_a, IP_B, IP_A, 0, 0, 1, false, false};
	/* ICMP: type 3 code 3, checksum, unused, then the original IP header + 8 bytes */
	size_t icmp_len = 8 + 20 + 8;

	(void)on;
	sw_net_udp_write(f, &o, 0);
	uint8_t *ip = f + 14, *icmp = ip + 20;

	memset(icmp, 0, icmp_len);
	icmp[0] = 3;
	icmp[1] = 3;
	memcpy(icmp + 8, orig + 14, 28);
	uint16_t c = sw_net_csum_fold(sw_net_csum_add(icmp, icmp_len, 0));

	memcpy(icmp + 2, &c, 2);
	ip[9] = 1;
	ip[2] = 0;
	ip[3] = (uint8_t)(20 + icmp_len);
	ip[10] = ip[11] = 0;
	c = sw_net_csum_fold(sw_net_csum_add(ip, 20, 0));
	memcpy(ip + 10, &c, 2);
	CU_ASSERT_EQUAL(sw_net_classify(f, 14 + 20 + icmp_len, &p), SW_NET_K_UNREACH);
	CU_ASSERT_EQUAL(p.icmp_code, 3);
	CU_ASSERT_EQUAL(p.orig_src_ip, IP_A);
	CU_ASSERT_EQUAL(p.orig_dst_ip, IP_B);
	CU_ASSERT_EQUAL(p.orig_src_port, 5060);
	CU_ASSERT_EQUAL(p.orig_dst_port, 5070);
	icmp[0] = 11; /* time exceeded: not for us */
	CU_ASSERT_EQUAL(sw_net_classify(f, 14 + 20 + icmp_len, &p), SW_NET_K_DROP);
	CU_ASSERT_EQUAL(p.drop, SW_NET_DROP_ICMP);
}

static void
test_the_neighbour_table_learns_only_what_it_asked_for(void)
{
	struct sw_net_neigh_table t = {0};
	struct sw_net_neigh *e = sw_net_neigh_get(&t, IP_B);

	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_FALSE(e->known);
	CU_ASSERT_FALSE(sw_net_neigh_learn(&t, IP_A, mac_a));
	CU_ASSERT_TRUE(sw_net_neigh_learn(&t, IP_B, mac_b));
	CU_ASSERT_TRUE(e->known);
	CU_ASSERT_EQUAL(memcmp(e->mac, mac_b, 6), 0);
	CU_ASSERT_PTR_EQUAL(sw_net_neigh_get(&t, IP_B), e);
	for (uint32_t i = 1; i < SW_NET_NEIGH_MAX; i++)
		CU_ASSERT_PTR_NOT_NULL(sw_net_neigh_get(&t, IP_A + i));
	CU_ASSERT_PTR_NULL(sw_net_neigh_get(&t, IP_A + 1000));
}

static void
test_addresses_parse_and_print(void)
{
	uint32_t ip;
	uint8_t mac[6];
	char buf[16];

	CU_ASSERT_EQUAL(sw_net_parse_ip("198.18.0.1", &ip), 0);
	CU_ASSERT_EQUAL(ip, IP_A);
	CU_ASSERT_STRING_EQUAL(sw_net_ip_str(ip, buf), "198.18.0.1");
	CU_ASSERT_EQUAL(sw_net_parse_ip("198.18.0.256", &ip), -EINVAL);
	CU_ASSERT_EQUAL(sw_net_parse_ip("198.18.0", &ip), -EINVAL);
	CU_ASSERT_EQUAL(sw_net_parse_ip("198.18.0.1x", &ip), -EINVAL);
	CU_ASSERT_EQUAL(sw_net_parse_mac("02:00:00:00:00:02", mac), 0);
	CU_ASSERT_EQUAL(memcmp(mac, mac_b, 6), 0);
	CU_ASSERT_EQUAL(sw_net_parse_mac("02:00:00:00:00", mac), -EINVAL);
}

static void
test_an_offloaded_frame_completed_as_a_port_would_equals_the_software_one(void)
{
	static const char payload[] = "REGISTER sip:pbx.test SIP/2.0\r\nVia: x\r\n\r\n!";
	struct sw_net_udp_out o = {mac_a, mac_b, IP_A, IP_B, 5060, 5070, 7, true, true};
	uint8_t soft[256], off[256];
	struct sw_net_pkt p;
	size_t n = sizeof(payload) - 1; /* odd: the port pads the last byte */
	uint16_t c;

	CU_ASSERT_EQUAL_FATAL(make_udp(soft, payload, true), SW_NET_HDR_LEN + n);
	memcpy(off + SW_NET_HDR_LEN, payload, n);
	CU_ASSERT_EQUAL_FATAL(sw_net_udp_write(off, &o, (uint16_t)n), SW_NET_HDR_LEN + n);
	/* left for the port: the IPv4 checksum 0, the UDP field seeded with the pseudo-header */
	CU_ASSERT_EQUAL(off[24] | off[25], 0);
	CU_ASSERT_NOT_EQUAL(memcmp(off + 40, soft + 40, 2), 0);
	/* what the port does (RFC 1071 over the IPv4 header; over UDP header + payload with the
	 * seed in place, complemented) */
	c = sw_net_csum_fold(sw_net_csum_add(off + 14, 20, 0));
	memcpy(off + 24, &c, 2);
	c = sw_net_csum_fold(sw_net_csum_add(off + 34, 8 + n, 0));
	memcpy(off + 40, &c, 2);
	CU_ASSERT_EQUAL(memcmp(off, soft, SW_NET_HDR_LEN + n), 0);
	CU_ASSERT_EQUAL(sw_net_classify(off, SW_NET_HDR_LEN + n, &p), SW_NET_K_UDP);
}

/* RFC 1071 by the book: 16-bit big-endian words, end-around carry, odd byte padded */
static uint16_t
reference_csum(const uint8_t *b, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void
test_checksums_of_every_length_and_alignment_match_rfc1071_by_the_book(void)
{
	static uint8_t buf[1600];
	uint64_t x = 0x2545F4914F6CDD1Dull;
	unsigned int bad = 0;

	for (size_t i = 0; i < sizeof(buf); i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (uint8_t)x;
	}
	memset(buf + 700, 0xff, 300); /* long runs of all ones: the carries */
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n + off <= sizeof(buf); n += 1 + n / 16) {
			uint16_t c = sw_net_csum_fold(sw_net_csum_add(buf + off, n, 0));
			uint8_t wire[2];

			memcpy(wire, &c, 2);
			bad += (uint16_t)(wire[0] << 8 | wire[1]) != reference_csum(buf + off, n);
		}
	CU_ASSERT_EQUAL(bad, 0);
}

/* the header and UDP sums sw_net_udp_write() computes without summing the header bytes
 * (arithmetic on the fields) equal RFC 1071 by the book over the bytes it wrote, for every
 * payload length up to the MTU and addresses/ports that carry */
static void
test_written_checksums_match_rfc1071_over_the_bytes_for_every_length(void)
{
	static uint8_t f[SW_NET_HDR_LEN + 1600], ph[12 + 8 + 1600];
	static const uint32_t ips[][2] = {{IP_A, IP_B}, {0xC613FFFFu, 0xC612FFFEu}, {0, 0}};
	uint64_t x = 0x9E3779B97F4A7C15ull;
	unsigned int bad = 0;

	for (size_t i = SW_NET_HDR_LEN; i < sizeof(f); i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		f[i] = (uint8_t)x;
	}
	for (unsigned int a = 0; a < SW_ARRAY_SIZE(ips); a++)
		for (uint16_t n = 0; n <= 1472; n = (uint16_t)(n + 1 + (n > 200) * 7)) {
			struct sw_net_udp_out o = {mac_a,        mac_b, ips[a][0],
			                           ips[a][1],    5060,  (uint16_t)(65535 - n),
			                           (uint16_t)~n, true,  false};
			size_t len = sw_net_udp_write(f, &o, n);
			uint16_t ulen = (uint16_t)(8 + n);

			bad += len != SW_NET_HDR_LEN + n;
			bad += reference_csum(f + 14, 20) != 0;
			memcpy(ph, f + 26, 8); /* source and destination addresses */
			ph[8] = 0;
			ph[9] = 17;
			ph[10] = (uint8_t)(ulen >> 8);
			ph[11] = (uint8_t)ulen;
			memcpy(ph + 12, f + 34, ulen);
			bad += reference_csum(ph, 12u + ulen) != 0;
			bad += f[40] == 0 && f[41] == 0;
		}
	CU_ASSERT_EQUAL(bad, 0);
}

/* the fold by 16 bits at a time, as RFC 1071 describes it */
static uint16_t
reference_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
test_the_fold_equals_rfc1071_s_for_any_partial_sum(void)
{
	static const uint64_t edge[] = {0,
	                                1,
	                                0xffff,
	                                0x10000,
	                                0xfffeffff,
	                                0xffffffff,
	                                0x100000000ull,
	                                0x1ffffffffull,
	                                0xffffffff00000000ull,
	                                0xffffffffffffffffull,
	                                0x8000000080000000ull};
	uint64_t x = 0x9E3779B97F4A7C15ull;
	unsigned int bad = 0;

	for (unsigned int i = 0; i < SW_ARRAY_SIZE(edge); i++)
		bad += sw_net_csum_fold(edge[i]) != reference_fold(edge[i]);
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		uint64_t v = x >> (i % 48); /* sums of every size */

		bad += sw_net_csum_fold(v) != reference_fold(v);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static void
test_a_port_checked_checksum_is_taken_as_the_port_says(void)
{
	uint8_t f[256], g[256];
	struct sw_net_pkt p;
	size_t n = make_udp(f, "SIP/2.0 200 OK\r\n\r\n", true);

	/* right sums: GOOD, nothing or BAD from the port */
	CU_ASSERT_EQUAL(sw_net_classify_hw(f, n, SW_NET_RX_IP_GOOD | SW_NET_RX_L4_GOOD, &p),
	                SW_NET_K_UDP);
	CU_ASSERT_EQUAL(p.payload_len, 18);
	CU_ASSERT_EQUAL(sw_net_classify_hw(f, n, 0, &p), SW_NET_K_UDP);
	CU_ASSERT_EQUAL(sw_net_classify_hw(f, n, SW_NET_RX_IP_BAD, &p), SW_NET_K_DROP);
	CU_ASSERT_EQUAL(p.drop, SW_NET_DROP_IP_CHECKSUM);
	CU_ASSERT_EQUAL(sw_net_classify_hw(f, n, SW_NET_RX_IP_GOOD | SW_NET_RX_L4_BAD, &p),
	                SW_NET_K_DROP);
	CU_ASSERT_EQUAL(p.drop, SW_NET_DROP_UDP_CHECKSUM);
	/* a wrong UDP sum: the port's GOOD is trusted (it summed what it received), no flag
	 * means the sum is done here */
	memcpy(g, f, n);
	g[SW_NET_HDR_LEN + 3] ^= 1;
	CU_ASSERT_EQUAL(sw_net_classify_hw(g, n, SW_NET_RX_IP_GOOD | SW_NET_RX_L4_GOOD, &p),
	                SW_NET_K_UDP);
	CU_ASSERT_EQUAL(sw_net_classify_hw(g, n, SW_NET_RX_IP_GOOD, &p), SW_NET_K_DROP);
	CU_ASSERT_EQUAL(p.drop, SW_NET_DROP_UDP_CHECKSUM);
	/* a wrong IPv4 header sum, the port checked only UDP */
	memcpy(g, f, n);
	g[14 + 8] = 3;
	CU_ASSERT_EQUAL(sw_net_classify_hw(g, n, SW_NET_RX_L4_GOOD, &p), SW_NET_K_DROP);
	CU_ASSERT_EQUAL(p.drop, SW_NET_DROP_IP_CHECKSUM);
	/* no UDP checksum (zero) is none, even where a port calls it bad */
	n = make_udp(f, "x", false);
	CU_ASSERT_EQUAL(sw_net_classify_hw(f, n, SW_NET_RX_IP_GOOD | SW_NET_RX_L4_BAD, &p),
	                SW_NET_K_UDP);
}

static const struct sw_test_case net_cases[] = {
        {"the RFC 1071 example sums as published", test_the_rfc1071_example_sums_as_published},
        {"checksums of every length and alignment match RFC 1071 by the book",
         test_checksums_of_every_length_and_alignment_match_rfc1071_by_the_book},
        {"a written datagram classifies back to its fields",
         test_a_written_datagram_classifies_back_to_its_fields},
        {"damaged frames are dropped with their reason",
         test_damaged_frames_are_dropped_with_their_reason},
        {"ARP requests and replies round-trip", test_arp_requests_and_replies_round_trip},
        {"an ICMP unreachable names the datagram it is about",
         test_an_icmp_unreachable_names_the_datagram_it_is_about},
        {"the neighbour table learns only what it asked for",
         test_the_neighbour_table_learns_only_what_it_asked_for},
        {"addresses parse and print", test_addresses_parse_and_print},
        {"an offloaded frame completed as a port would equals the software one",
         test_an_offloaded_frame_completed_as_a_port_would_equals_the_software_one},
        {"written checksums match RFC 1071 over the bytes for every length",
         test_written_checksums_match_rfc1071_over_the_bytes_for_every_length},
        {"the fold equals RFC 1071's for any partial sum",
         test_the_fold_equals_rfc1071_s_for_any_partial_sum},
        {"a port-checked checksum is taken as the port says",
         test_a_port_checked_checksum_is_taken_as_the_port_says},
        {NULL, NULL},
};

static const struct sw_test_suite suite_net = {"net", NULL, NULL, net_cases};

const struct sw_test_suite *const sw_test_suites[] = {&suite_net, NULL};
