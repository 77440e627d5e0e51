/* SPDX-License-Identifier: BSD-3-Clause */
/* The differential of sw_sip_parse() against sw_sip_parse_ref() (sip_parse_ref.c: the general walk). */
#ifndef SW_SIP_PARSE_DIFF_H
#define SW_SIP_PARSE_DIFF_H

#include <stddef.h>

#include "sw_sip.h"

enum sw_sip_reason sw_sip_parse_ref(struct sw_sip_msg *m, const char *buf, size_t len,
                                    unsigned want);

/**
 * Parse buf with both parsers under want and compare the return codes and every field of
 * struct sw_sip_msg.
 *
 * @return
 *   0 when identical, 1 when a field differs (failed parses included), 2 when the return
 *   codes differ; *what names the first difference.
 */
int sw_sip_parse_diff(const char *buf, size_t len, unsigned want, const char **what);

#endif
