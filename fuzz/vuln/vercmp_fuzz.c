/* Fuzz target: the version comparators. The input is split at the first NUL
 * (or in the middle) into two versions; the first byte picks the scheme. The
 * order must be antisymmetric and reflexive whenever both parse. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	const char *a, *b;
	enum vercmp_scheme sc;
	int x, y;

	if (size < 1)
		return 0;
	sc = (enum vercmp_scheme)(data[0] % VERCMP_SCHEME_COUNT);
	s = fuzz_copy(data + 1, size - 1);
	if (!s)
		return 0;
	a = s;
	/* a NUL in the input separates the versions; otherwise compare with the tail */
	b = strlen(s) < size - 1 ? s + strlen(s) + 1 : s + (size - 1) / 2;
	if (vercmp_compare(sc, a, b, &x) == CG_OK) {
		if (vercmp_compare(sc, b, a, &y) != CG_OK || x != -y)
			abort();
		if (vercmp_compare(sc, a, a, &y) != CG_OK || y != 0)
			abort();
	}
	if (vercmp_check(sc, a))
		fuzz_sink++;
	free(s);
	return 0;
}
