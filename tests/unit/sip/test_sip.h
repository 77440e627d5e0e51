/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the lib/sip unit tests. */
#ifndef TEST_SIP_H
#define TEST_SIP_H

#include <stddef.h>

#include "sw_test.h"

/** tests/data/sip, from the environment variable SW_SIP_DATA (set by meson). */
const char *sw_sip_test_data(void);
/** The whole file, malloc'd (exact size), or NULL. */
char *sw_sip_test_read(const char *path, size_t *len);

extern const struct sw_test_suite suite_parse;
extern const struct sw_test_suite suite_parse_fast;
extern const struct sw_test_suite suite_token;
extern const struct sw_test_suite suite_digest;
extern const struct sw_test_suite suite_build;
extern const struct sw_test_suite suite_osip;

#endif /* TEST_SIP_H */
