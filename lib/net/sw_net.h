/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Ethernet, IPv4, UDP, ICMP and ARP as the generator needs them: headers written in front of
 * a SIP payload, received frames classified in one pass, a small neighbour table. Pure C on
 * byte buffers (the DPDK port code hands mbuf data to it), so CUnit tests drive it.
 *
 * Addresses and ports are host order at this API; the wire is network order.
 */
#ifndef SW_NET_H
#define SW_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sw_common.h"

#define SW_NET_ETH_LEN  14u
#define SW_NET_IP_LEN   20u
#define SW_NET_UDP_LEN  8u
#define SW_NET_HDR_LEN  (SW_NET_ETH_LEN + SW_NET_IP_LEN + SW_NET_UDP_LEN) /**< 42 */
#define SW_NET_ARP_LEN  42u   /**< an ARP frame without padding */
#define SW_NET_MIN_LEN  60u   /**< shortest Ethernet frame without FCS */
#define SW_NET_MTU_DATA 1472u /**< UDP payload that fits a 1500-byte IPv4 MTU */

/** Why a frame was dropped (names in sw_net_drop_name()). */
enum sw_net_drop {
#define SW_NET_DROP(sym, name, help) SW_NET_DROP_##sym,
#include "net_drop.def"
#undef SW_NET_DROP
	SW_NET_DROP_MAX
};

/** What a received frame is. */
enum sw_net_kind {
	SW_NET_K_DROP = 0,    /**< see pkt->drop */
	SW_NET_K_UDP,         /**< a UDP datagram: payload located */
	SW_NET_K_ARP_REQUEST, /**< someone asks who has pkt->dst_ip */
	SW_NET_K_ARP_REPLY,   /**< pkt->src_ip is at pkt->src_mac */
	SW_NET_K_UNREACH,     /**< ICMP unreachable about a UDP datagram we sent: pkt->orig_* */
};

/** A classified frame. */
struct sw_net_pkt {
	uint8_t kind; /**< enum sw_net_kind */
	uint8_t drop; /**< enum sw_net_drop when kind is SW_NET_K_DROP */
	uint8_t icmp_code;
	uint8_t src_mac[6];
	uint32_t src_ip, dst_ip;
	uint16_t src_port, dst_port;
	const uint8_t *payload; /**< UDP payload */
	uint16_t payload_len;
	/* ICMP unreachable: the UDP datagram it is about (we sent it: src is ours) */
	uint32_t orig_src_ip, orig_dst_ip;
	uint16_t orig_src_port, orig_dst_port;
};

/**
 * The Internet checksum (RFC 1071) of n bytes added to a partial sum, not folded.
 *
 * @param p    the bytes
 * @param n    their count
 * @param sum  a partial sum (0 to start)
 * @return the new partial sum; fold with sw_net_csum_fold()
 */
uint64_t sw_net_csum_add(const void *p, size_t n, uint64_t sum);

/** @return the folded one's-complement of a partial sum: the checksum field value. */
uint16_t sw_net_csum_fold(uint64_t sum);

/** The headers of one outgoing UDP datagram. */
struct sw_net_udp_out {
	const uint8_t *src_mac, *dst_mac;
	uint32_t src_ip, dst_ip;
	uint16_t src_port, dst_port;
	uint16_t ip_id;
	bool udp_csum; /**< compute the UDP checksum (else 0: "none", allowed by RFC 768 on IPv4) */
	/** the port computes both checksums (DPDK's TX offload convention): the IPv4 checksum
	 * is left 0 and the UDP checksum field holds the pseudo-header sum, not complemented;
	 * udp_csum is then ignored */
	bool offload;
};

/**
 * Write Ethernet + IPv4 + UDP headers in front of a payload already at frame + SW_NET_HDR_LEN.
 *
 * @param frame       the frame; its payload must be in place when o->udp_csum is set
 * @param o           addresses
 * @param payload_len UDP payload bytes, at most SW_NET_MTU_DATA (larger is not fragmented here)
 * @return the frame length (SW_NET_HDR_LEN + payload_len)
 */
size_t sw_net_udp_write(uint8_t *frame, const struct sw_net_udp_out *o, uint16_t payload_len);

/**
 * Write an ARP frame (request when op is 1, reply when 2), padded to SW_NET_MIN_LEN.
 *
 * @param frame      at least SW_NET_MIN_LEN bytes
 * @param op         1 request, 2 reply
 * @param src_mac    the sender's MAC
 * @param src_ip     the sender's IP
 * @param dst_mac    the target's MAC (requests: broadcast in Ethernet, zero in ARP)
 * @param dst_ip     the target's IP
 * @return SW_NET_MIN_LEN
 */
size_t sw_net_arp_write(uint8_t *frame, unsigned int op, const uint8_t *src_mac, uint32_t src_ip,
                        const uint8_t *dst_mac, uint32_t dst_ip);

/**
 * Classify a received frame in one pass; checks lengths, the IPv4 header checksum and the UDP
 * checksum when one is present.
 *
 * @param frame the frame
 * @param len   its length
 * @param pkt   filled
 * @return pkt->kind
 */
enum sw_net_kind sw_net_classify(const uint8_t *frame, size_t len, struct sw_net_pkt *pkt);

/** What the port found of a received frame's checksums (its RX offload), as flags. */
enum sw_net_rx_csum {
	SW_NET_RX_IP_GOOD = 1 << 0, /**< the port checked the IPv4 header checksum: right */
	SW_NET_RX_IP_BAD = 1 << 1,  /**< the port checked the IPv4 header checksum: wrong */
	SW_NET_RX_L4_GOOD = 1 << 2, /**< the port checked the UDP checksum: right */
	SW_NET_RX_L4_BAD = 1 << 3,  /**< the port checked the UDP checksum: wrong */
};

/**
 * sw_net_classify() for a frame whose checksums the port may have checked: a sum the port
 * says is right is not summed again, one it says is wrong drops the frame, one it did not
 * check (neither flag) is summed here. A UDP checksum of zero means none, whatever the flags.
 *
 * @param frame the frame
 * @param len   its length
 * @param hw    enum sw_net_rx_csum flags from the port (0: it checked nothing)
 * @param pkt   filled
 * @return pkt->kind
 */
enum sw_net_kind sw_net_classify_hw(const uint8_t *frame, size_t len, unsigned int hw,
                                    struct sw_net_pkt *pkt);

/** @return the short name of a drop reason, "?" out of range. */
const char *sw_net_drop_name(enum sw_net_drop d);
/** @return the sentence that explains a drop reason, "?" out of range. */
const char *sw_net_drop_help(enum sw_net_drop d);

/** Neighbours (the gateway or each on-link server): IP -> MAC, learnt by ARP. */
#define SW_NET_NEIGH_MAX 32

struct sw_net_neigh {
	uint32_t ip;
	uint8_t mac[6];
	uint8_t known;
	uint64_t asked; /**< ns: last ARP request sent for it */
};

struct sw_net_neigh_table {
	unsigned int n;
	struct sw_net_neigh e[SW_NET_NEIGH_MAX];
};

/**
 * Find or add the entry of ip (added unknown).
 *
 * @return the entry, or NULL when the table is full
 */
struct sw_net_neigh *sw_net_neigh_get(struct sw_net_neigh_table *t, uint32_t ip);

/**
 * Learn ip -> mac (from an ARP reply or request).
 *
 * @return true when ip was in the table (only asked-for neighbours are learnt)
 */
bool sw_net_neigh_learn(struct sw_net_neigh_table *t, uint32_t ip, const uint8_t *mac);

/**
 * Parse "a.b.c.d" (host order result).
 *
 * @return 0, or -EINVAL
 */
int sw_net_parse_ip(const char *s, uint32_t *ip);

/**
 * Parse "aa:bb:cc:dd:ee:ff".
 *
 * @return 0, or -EINVAL
 */
int sw_net_parse_mac(const char *s, uint8_t mac[6]);

/** Format an IP into buf (at least 16 bytes). @return buf */
char *sw_net_ip_str(uint32_t ip, char *buf);

#endif /* SW_NET_H */
