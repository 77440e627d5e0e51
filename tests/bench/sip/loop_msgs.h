/* SPDX-License-Identifier: BSD-3-Clause */
/* The registration loop's four messages (bench_sip, bench_parse_loop). */
#ifndef SW_BENCH_LOOP_MSGS_H
#define SW_BENCH_LOOP_MSGS_H

#include "sw_sip.h"

/* what a worker asks of a response to REGISTER: the top Via branch (demultiplexing), status,
 * CSeq, Contact expires / Expires, the challenge of a 401; not the From/To tags, not the rest
 * of the Via (lib/engine sw_engine_rx_hw) */
#define WORKER_MASK                                                                                \
	(SW_SIP_WANT_BRANCH | SW_SIP_WANT_CONTACT | SW_SIP_WANT_NUMBERS | SW_SIP_WANT_AUTH)

/* the full registration loop's messages as bench_loop captures them (lib/engine's REGISTERs,
 * lib/cluster's answers), parsed with the masks that each side uses: the generator's
 * sw_engine_rx_hw() asks WORKER_MASK of the 401 and the 200 OK, the cluster asks CLUSTER_MASK
 * (WANT_FIRST in lib/cluster/cluster.c) of both REGISTERs */
#define CLUSTER_MASK (SW_SIP_WANT_TAGS | SW_SIP_WANT_CONTACT | SW_SIP_WANT_NUMBERS)

static const char loop_401[] =
        "SIP/2.0 401 Unauthorized\r\n"
        "Via: SIP/2.0/UDP 198.18.0.1:5060;rport;branch=z9hG4bKAAAAAAAAAAEWgpov\r\n"
        "From: <sip:u0000001@pbx.test>;tag=AAAAAAAAAADWyTlA\r\n"
        "To: <sip:u0000001@pbx.test>;tag=a3696fcd9fd0\r\n"
        "Call-ID: AAAAAAAAAAA32IRg\r\n"
        "CSeq: 1 REGISTER\r\n"
        "WWW-Authenticate: Digest realm=\"pbx.test\", nonce=\"00000000e9152fb8315a526b\", "
        "qop=\"auth\", algorithm=MD5\r\n"
        "Server: sipswarm-cluster primary\r\n"
        "Content-Length: 0\r\n"
        "\r\n";

static const char loop_200[] =
        "SIP/2.0 200 OK\r\n"
        "Via: SIP/2.0/UDP 198.18.0.1:5060;rport;branch=z9hG4bKAAAAAAAAAAPLOZym\r\n"
        "From: <sip:u0000001@pbx.test>;tag=AAAAAAAAAADWyTlA\r\n"
        "To: <sip:u0000001@pbx.test>;tag=8e19dd16306e\r\n"
        "Call-ID: AAAAAAAAAAA32IRg\r\n"
        "CSeq: 2 REGISTER\r\n"
        "Contact: <sip:u0000001@198.18.0.1:5060>;expires=3600\r\n"
        "Expires: 3600\r\n"
        "Server: sipswarm-cluster primary\r\n"
        "Content-Length: 0\r\n"
        "\r\n";

static const char loop_reg[] =
        "REGISTER sip:pbx.test SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 198.18.0.1:5060;rport;branch=z9hG4bKAAAAAAAAAAEWgpov\r\n"
        "Max-Forwards: 70\r\n"
        "From: <sip:u0000001@pbx.test>;tag=AAAAAAAAAADWyTlA\r\n"
        "To: <sip:u0000001@pbx.test>\r\n"
        "Call-ID: AAAAAAAAAAA32IRg\r\n"
        "CSeq: 1 REGISTER\r\n"
        "Contact: <sip:u0000001@198.18.0.1:5060>\r\n"
        "Expires: 3600\r\n"
        "User-Agent: sipswarm\r\n"
        "Content-Length: 0\r\n"
        "\r\n";

static const char loop_reg_auth[] =
        "REGISTER sip:pbx.test SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 198.18.0.1:5060;rport;branch=z9hG4bKAAAAAAAAAAPLOZym\r\n"
        "Max-Forwards: 70\r\n"
        "From: <sip:u0000001@pbx.test>;tag=AAAAAAAAAADWyTlA\r\n"
        "To: <sip:u0000001@pbx.test>\r\n"
        "Call-ID: AAAAAAAAAAA32IRg\r\n"
        "CSeq: 2 REGISTER\r\n"
        "Contact: <sip:u0000001@198.18.0.1:5060>\r\n"
        "Authorization: Digest username=\"u0000001\", realm=\"pbx.test\", "
        "nonce=\"00000000e9152fb8315a526b\", uri=\"sip:pbx.test\", "
        "response=\"bbdf30d516995e70879f34f3074b294e\", algorithm=MD5, qop=auth, nc=00000001, "
        "cnonce=\"1f4532e1\"\r\n"
        "Expires: 3600\r\n"
        "User-Agent: sipswarm\r\n"
        "Content-Length: 0\r\n"
        "\r\n";

#endif
