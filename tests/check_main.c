/*
 * check_main.c - one runner for every suite. Each tests/check_<x>.c defines
 * `Suite *<x>_suite(void)`; the build lists them in suites.h.
 */
#include <check.h>
#include <stdlib.h>

#define SUITE(x) Suite *x##_suite(void);
#include "suites.h"
#undef SUITE

int main(void)
{
	SRunner *sr = srunner_create(NULL);
	int failed;

#define SUITE(x) srunner_add_suite(sr, x##_suite());
#include "suites.h"
#undef SUITE
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
