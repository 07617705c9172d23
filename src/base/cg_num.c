#include "cg_num.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t cg_num_shortest(double v, char *buf, size_t n)
{
	char best[40], cand[40];
	int best_len = 0;

	if (!isfinite(v))
		return (size_t)snprintf(buf, n, "null");
	/* %.17g always round-trips. Of the precisions that do, the shortest
	 * text wins: "10" (precision 2) over "1e+01" (precision 1). */
	for (int p = 1; p <= 17; p++) {
		int len = snprintf(cand, sizeof cand, "%.*g", p, v);
		if (len <= 0 || strtod(cand, NULL) != v)
			continue;
		if (!best_len || len < best_len) {
			memcpy(best, cand, (size_t)len + 1);
			best_len = len;
		}
		if (!strchr(cand, 'e'))
			break; /* plain digits: a larger precision adds none */
	}
	return (size_t)snprintf(buf, n, "%s", best);
}
