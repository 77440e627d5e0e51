/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main() for every unit-test executable. Usage: test_x [SUITE-NAME-SUBSTRING]
 * Exit status: 0 all passed, 1 an assertion failed or a suite failed to initialise,
 * 2 the CUnit registry could not be built.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "sw_test.h"

int
main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	unsigned int failures, suites_failed, run;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (size_t i = 0; sw_test_suites[i] != NULL; i++) {
		const struct sw_test_suite *s = sw_test_suites[i];
		CU_pSuite cs;

		if (filter != NULL && strstr(s->name, filter) == NULL)
			continue;
		cs = CU_add_suite(s->name, s->init, s->cleanup);
		if (cs == NULL)
			goto registry_error;
		for (const struct sw_test_case *c = s->cases; c->name != NULL; c++)
			if (CU_add_test(cs, c->name, c->fn) == NULL)
				goto registry_error;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	suites_failed = CU_get_number_of_suites_failed();
	run = CU_get_number_of_tests_run();
	printf("\n%u passed, %u failed\n", run - CU_get_number_of_tests_failed(),
	       CU_get_number_of_tests_failed());
	CU_cleanup_registry();
	if (run == 0 && filter == NULL) {
		fprintf(stderr, "no test ran\n");
		return 1;
	}
	return (failures != 0 || suites_failed != 0) ? 1 : 0;

registry_error:
	fprintf(stderr, "CUnit registry: %s\n", CU_get_error_msg());
	CU_cleanup_registry();
	return 2;
}
