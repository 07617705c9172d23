/* Shared helpers for unit tests. */
#ifndef CG_TEST_UTIL_H
#define CG_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

/* ../shared/data as given by the test environment, or NULL when absent. */
static inline const char *test_shared_data(void)
{
	const char *d = getenv("CANHGAC_SHARED_DATA");
	if (!d || access(d, R_OK) != 0)
		return NULL;
	return d;
}

/* Skip the current test with a message when ../shared/data is missing. */
#define REQUIRE_SHARED_DATA(var)                                                           \
	const char *var = test_shared_data();                                              \
	do {                                                                               \
		if (!var) {                                                                \
			fprintf(stderr, "# SKIP: ../shared/data not found (set CANHGAC_SHARED_DATA)\n"); \
			skip();                                                            \
		}                                                                          \
	} while (0)

/* A fresh temporary directory for this test (mkdtemp); caller frees the string. */
static inline char *test_tmpdir(void)
{
	char *t = strdup("/tmp/canhgac-test-XXXXXX");
	if (!t || !mkdtemp(t))
		fail_msg("mkdtemp failed");
	return t;
}

#endif
