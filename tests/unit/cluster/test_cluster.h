/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the lib/cluster tests: a capture sink and a test phone built on lib/sip. */
#ifndef TEST_CLUSTER_H
#define TEST_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "sw_cluster.h"
#include "sw_sip.h"
#include "sw_test.h"

#define TC_CAP      32
#define TC_DATA_MAX 4096

/** Datagrams the cluster emitted, copied. */
struct tc_capture {
	unsigned n;
	struct sw_cluster_dgram d[TC_CAP];
	char data[TC_CAP][TC_DATA_MAX];
};

/** A line that registers with digest authentication, as lib/phone would. */
struct tc_phone {
	char user[32];
	char local[32]; /* ip:port */
	uint32_t ip;
	uint16_t port;
	uint32_t cseq;
	uint32_t seq; /* branch/call-id numbering */
	int has_digest;
	struct sw_sip_digest d;
	char password[64];
};

#define TC_SERVER_IP(i) (UINT32_C(0xC6120100) + (i)) /* 198.18.1.0 + i */
#define TC_PORT         5060
#define TC_REALM        "sipswarm.test"
#define TC_DOMAIN       "sipswarm.test"
#define TC_NS(s)        ((uint64_t)(s)*UINT64_C(1000000000))

/** The emit callback: arg is a struct tc_capture. */
void tc_emit(void *arg, const struct sw_cluster_dgram *d);
/** A default configuration: n servers 198.18.1.0+i:5060, groups as given (NULL: all 0). */
void tc_cfg(struct sw_cluster_cfg *cfg, unsigned n, const uint8_t *groups);
/** A phone "user" at 198.18.0.0 + idx, port 5062, password "pw" + user. */
void tc_phone_init(struct tc_phone *p, const char *user, unsigned idx);
/** Build the phone's REGISTER (with credentials once challenged); returns its length. */
int tc_phone_register_msg(struct tc_phone *p, uint32_t expires, char *out, size_t cap);
/** Send a REGISTER to server; the capture is cleared first. @return datagrams emitted. */
unsigned tc_phone_register(struct sw_cluster *c, struct tc_capture *cap, struct tc_phone *p,
                           uint64_t now, unsigned server, uint32_t expires);
/** Take the 401 in cap->data[i] into the phone's digest state. @return 0 or -1. */
int tc_phone_challenged(struct tc_phone *p, const struct tc_capture *cap, unsigned i);
/** REGISTER, 401, REGISTER with credentials: @return the final status (0 when none). */
int tc_phone_full_register(struct sw_cluster *c, struct tc_capture *cap, struct tc_phone *p,
                           uint64_t now, unsigned server, uint32_t expires);
/** Status code of a captured datagram (0 when it is a request or does not parse). */
int tc_status(const struct tc_capture *cap, unsigned i);
/** Parse a captured datagram with everything wanted. @return SW_SIP_OK or the reason. */
int tc_parse(const struct tc_capture *cap, unsigned i, struct sw_sip_msg *m);
/** Feed a text datagram from (src_ip, src_port) to server; the capture is cleared first. */
unsigned tc_feed(struct sw_cluster *c, struct tc_capture *cap, uint64_t now, uint32_t src_ip,
                 uint16_t src_port, unsigned server, const char *msg, size_t len);
/** 1 when the captured datagram i contains the text. */
int tc_has(const struct tc_capture *cap, unsigned i, const char *text);

/** 1 when every datagram, request and response of the servers ends in exactly one outcome. */
int tc_accounted(const struct sw_cluster *c, unsigned n_servers);

/** An OPTIONS to TC_DOMAIN (defined in test_faults.c), answered 200 statelessly. */
extern const char tc_options[];
extern const size_t tc_options_len;

extern const struct sw_test_suite suite_registrar;
extern const struct sw_test_suite suite_faults;
extern const struct sw_test_suite suite_proxy;
extern const struct sw_test_suite suite_credentials;
extern const struct sw_test_suite suite_fast;

#endif /* TEST_CLUSTER_H */
