/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: sw_sip_parse() against its general walk alone (tests/unit/sip/
 * sip_parse_ref.c) on any bytes, under the callers' masks, WANT_ALL, 0 and one mask taken from
 * the input's first byte: the same return code and the same fields, or abort().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "parse_diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned masks[] = {
	        SW_SIP_WANT_BRANCH | SW_SIP_WANT_AUTH | SW_SIP_WANT_NUMBERS | SW_SIP_WANT_CONTACT,
	        SW_SIP_WANT_TAGS | SW_SIP_WANT_CONTACT | SW_SIP_WANT_NUMBERS,
	        SW_SIP_WANT_TAGS | SW_SIP_WANT_CONTACT | SW_SIP_WANT_NUMBERS |
	                SW_SIP_WANT_AUTHORIZATION,
	        SW_SIP_WANT_VIA | SW_SIP_WANT_TAGS | SW_SIP_WANT_CONTACT | SW_SIP_WANT_NUMBERS,
	        SW_SIP_WANT_ALL,
	        0,
	        size > 0 ? data[0] & 127u : 0,
	};

	for (unsigned k = 0; k < sizeof(masks) / sizeof(masks[0]); k++) {
		const char *what = "";

		if (sw_sip_parse_diff((const char *)data, size, masks[k], &what) != 0) {
			fprintf(stderr, "parse diff under want 0x%x: %s\n", masks[k], what);
			abort();
		}
	}
	return 0;
}
