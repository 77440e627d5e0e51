/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The shared CUnit runner. A unit-test executable defines sw_test_suites[] (NULL-terminated)
 * and links sw_unit_runner, which provides main(): it runs every suite and exits non-zero when
 * any assertion failed or a suite could not be set up.
 */
#ifndef SW_TEST_H
#define SW_TEST_H

#include <CUnit/CUnit.h>

/** One test: its name reads as a sentence ("a cancelled timer never fires"). */
struct sw_test_case {
	const char *name;
	void (*fn)(void);
};

/** One suite: a module's tests, terminated by a case with a NULL name. */
struct sw_test_suite {
	const char *name;
	int (*init)(void);    /**< may be NULL; non-zero fails the suite */
	int (*cleanup)(void); /**< may be NULL */
	const struct sw_test_case *cases;
};

/** Defined by each test executable, terminated by NULL. */
extern const struct sw_test_suite *const sw_test_suites[];

#endif /* SW_TEST_H */
