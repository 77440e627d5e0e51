/* SPDX-License-Identifier: BSD-3-Clause */
/* The lib/sip unit-test executable: its suites and shared helpers. */
#include <stdio.h>
#include <stdlib.h>

#include "test_sip.h"

const char *
sw_sip_test_data(void)
{
	const char *d = getenv("SW_SIP_DATA");
	return d != NULL ? d : "tests/data/sip";
}

char *
sw_sip_test_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	b = malloc(n > 0 ? (size_t)n : 1);
	if (b != NULL && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

const struct sw_test_suite *const sw_test_suites[] = {
        &suite_parse, &suite_parse_fast, &suite_token, &suite_digest,
        &suite_build, &suite_osip,       NULL,
};
