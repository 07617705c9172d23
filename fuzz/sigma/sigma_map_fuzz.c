/* Fuzz target: user mapping files (sigma_map_load) on top of the built-in
 * defaults, then a lookup of what the file may have replaced. Must never
 * crash, leak or hang. */
#include <stdint.h>

#include "sigma_map.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sigma_map *m;
	char why[256];

	if (sigma_map_new(&m))
		return 0;
	if (sigma_map_load(m, (const char *)data, size, "fuzz.yml") == CG_OK) {
		const struct sigma_logsource *ls = sigma_map_find(m, "windows", "process_creation", NULL, why, sizeof why);
		volatile size_t n = ls ? ls->n_src : 0;
		(void)n;
	}
	sigma_map_free(m);
	return 0;
}
