/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parsing of DNS answers (sw_dns_answer_records) on packets built in the test with ldns, and
 * hostile ones by hand: CNAME chains and loops, wrong types, NXDOMAIN, SERVFAIL, truncation,
 * compression loops, absurd TTLs.
 */
#include <errno.h>
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>

#include "sw_dns_query.h"
#include "sw_test.h"

static struct sw_dns_client *cl;
static struct sw_dns_rr rr[8];

/* An answer with rcode and the given records (zone-file lines), as wire bytes. */
static uint8_t *
answer(ldns_pkt_rcode rcode, const char *const *lines, size_t *len)
{
	ldns_pkt *p = ldns_pkt_new();
	uint8_t *wire = NULL;

	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_rcode(p, (uint8_t)rcode);
	for (unsigned int i = 0; lines[i] != NULL; i++) {
		ldns_rr *r = NULL;

		CU_ASSERT_EQUAL_FATAL(ldns_rr_new_frm_str(&r, lines[i], 0, NULL, NULL),
		                      LDNS_STATUS_OK);
		ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, r);
	}
	CU_ASSERT_EQUAL_FATAL(ldns_pkt2wire(&wire, p, len), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	return wire;
}

static int
parse(ldns_pkt_rcode rcode, const char *const *lines, const char *qname, uint16_t qtype)
{
	size_t len;
	uint8_t *w = answer(rcode, lines, &len);
	int n = sw_dns_answer_records(cl, w, len, qname, qtype, rr, 8);

	free(w);
	return n;
}

static int
init(void)
{
	cl = sw_dns_client_new(NULL, 0, 0);
	return cl == NULL;
}

static int
fini(void)
{
	sw_dns_client_free(cl);
	return 0;
}

static void
srv_and_naptr_fields_are_read(void)
{
	const char *const s[] = {"_sip._udp.pbx.example. 60 IN SRV 10 2 5062 server2.pbx.example.",
	                         NULL};
	const char *const n[] = {
	        "pbx.example. 90 IN NAPTR 90 50 \"s\" \"SIP+D2T\" \"\" _sip._tcp.pbx.example.",
	        NULL};

	CU_ASSERT_EQUAL_FATAL(parse(LDNS_RCODE_NOERROR, s, "_sip._udp.pbx.example", 33), 1);
	CU_ASSERT_EQUAL(rr[0].priority, 10);
	CU_ASSERT_EQUAL(rr[0].weight, 2);
	CU_ASSERT_EQUAL(rr[0].port, 5062);
	CU_ASSERT_EQUAL(rr[0].ttl, 60);
	CU_ASSERT_STRING_EQUAL(rr[0].target, "server2.pbx.example");
	CU_ASSERT_EQUAL_FATAL(parse(LDNS_RCODE_NOERROR, n, "pbx.example", 35), 1);
	CU_ASSERT_EQUAL(rr[0].order, 90);
	CU_ASSERT_EQUAL(rr[0].preference, 50);
	CU_ASSERT_STRING_EQUAL(rr[0].flags, "s");
	CU_ASSERT_STRING_EQUAL(rr[0].service, "SIP+D2T");
	CU_ASSERT_STRING_EQUAL(rr[0].target, "_sip._tcp.pbx.example");
}

static void
a_cname_chain_in_the_answer_is_followed(void)
{
	const char *const l[] = {"alias.pbx.example. 60 IN CNAME mid.pbx.example.",
	                         "mid.pbx.example. 60 IN CNAME server.pbx.example.",
	                         "server.pbx.example. 30 IN A 198.18.0.1",
	                         "server.pbx.example. 30 IN A 198.18.0.2",
	                         "other.pbx.example. 30 IN A 198.18.0.9",
	                         NULL};

	CU_ASSERT_EQUAL_FATAL(parse(LDNS_RCODE_NOERROR, l, "alias.pbx.example", 1), 2);
	CU_ASSERT_EQUAL(rr[0].ip, 0xc6120001);
	CU_ASSERT_EQUAL(rr[1].ip, 0xc6120002);
}

static void
a_cname_loop_is_refused(void)
{
	const char *const l[] = {"a.pbx.example. 60 IN CNAME b.pbx.example.",
	                         "b.pbx.example. 60 IN CNAME a.pbx.example.", NULL};

	CU_ASSERT_EQUAL(parse(LDNS_RCODE_NOERROR, l, "a.pbx.example", 1), -ELOOP);
}

static void
records_of_another_type_or_owner_are_ignored(void)
{
	const char *const l[] = {"pbx.example. 60 IN TXT \"hello\"",
	                         "elsewhere.example. 60 IN A 198.18.0.1", NULL};

	CU_ASSERT_EQUAL(parse(LDNS_RCODE_NOERROR, l, "pbx.example", 1), 0);
}

static void
nxdomain_and_servfail_are_errors(void)
{
	const char *const none[] = {NULL};

	CU_ASSERT_EQUAL(parse(LDNS_RCODE_NXDOMAIN, none, "pbx.example", 1), -ENXIO);
	CU_ASSERT_EQUAL(parse(LDNS_RCODE_SERVFAIL, none, "pbx.example", 1), -EIO);
	CU_ASSERT_EQUAL(parse(LDNS_RCODE_NOERROR, none, "pbx.example", 1), 0);
}

static void
an_absurd_ttl_is_treated_as_zero(void)
{
	const char *const l[] = {"pbx.example. 4294967295 IN A 198.18.0.1", NULL};

	CU_ASSERT_EQUAL_FATAL(parse(LDNS_RCODE_NOERROR, l, "pbx.example", 1), 1);
	CU_ASSERT_EQUAL(rr[0].ttl, 0);
}

static void
a_truncated_answer_does_not_parse(void)
{
	const char *const l[] = {"pbx.example. 60 IN A 198.18.0.1", NULL};
	size_t len;
	uint8_t *w = answer(LDNS_RCODE_NOERROR, l, &len);

	for (size_t cut = 0; cut < len; cut++)
		CU_ASSERT_EQUAL(sw_dns_answer_records(cl, w, cut, "pbx.example", 1, rr, 8),
		                -EBADMSG);
	CU_ASSERT_EQUAL(sw_dns_answer_records(cl, w, len, "pbx.example", 1, rr, 8), 1);
	free(w);
}

static void
a_compression_loop_does_not_parse(void)
{
	/* header: 1 answer; the answer's owner is a pointer to itself (offset 12) */
	static const uint8_t w[] = {0x12, 0x34, 0x81, 0x80, 0, 0, 0, 1,  0, 0, 0,   0,  0xc0, 12,
	                            0,    1,    0,    1,    0, 0, 0, 60, 0, 4, 198, 18, 0,    1};

	CU_ASSERT_EQUAL(sw_dns_answer_records(cl, w, sizeof(w), "pbx.example", 1, rr, 8), -EBADMSG);
	CU_ASSERT_EQUAL(sw_dns_answer_records(cl, w, sizeof(w), "pbx.example", 28, rr, 8), -EINVAL);
}

static const struct sw_test_case cases[] = {
        {"SRV and NAPTR fields are read", srv_and_naptr_fields_are_read},
        {"a CNAME chain in the answer is followed", a_cname_chain_in_the_answer_is_followed},
        {"a CNAME loop is refused", a_cname_loop_is_refused},
        {"records of another type or owner are ignored",
         records_of_another_type_or_owner_are_ignored},
        {"NXDOMAIN and SERVFAIL are errors, an empty answer is no record",
         nxdomain_and_servfail_are_errors},
        {"an absurd TTL is treated as zero", an_absurd_ttl_is_treated_as_zero},
        {"a truncated answer does not parse", a_truncated_answer_does_not_parse},
        {"a compression loop does not parse", a_compression_loop_does_not_parse},
        {NULL, NULL},
};

const struct sw_test_suite suite_answer = {"dns answers", init, fini, cases};
