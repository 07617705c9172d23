/* Fuzz target: the Windows CSV, JSON, windows-os and systeminfo parsers, and
 * the Windows build/program tables fed the same bytes (first line against
 * the rest for the build comparison). */
#include "fuzz_common.h"
#include "winprod.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_copy(data, size), kb[32];
	struct winprod_os os;
	struct winprod_program prog;
	int c;

	if (!s)
		return 0;
	if (inv_parse_wincsv("f", s, size, fuzz_item, NULL))
		fuzz_sink++;
	if (inv_parse_winjson("f", s, size, fuzz_item, NULL))
		fuzz_sink++;
	if (inv_parse_winos("f", s, size, fuzz_item, NULL))
		fuzz_sink++;
	if (inv_parse_systeminfo("f", s, size, fuzz_item, NULL))
		fuzz_sink++;
	fuzz_sink += winprod_kb_in(s, kb, sizeof kb);
	if (!winprod_program_lookup(s, &prog))
		touch(prog.product), touch(prog.version), touch(prog.update);
	char *nl = strchr(s, '\n');
	if (nl) {
		*nl = '\0';
		if (!winprod_os_lookup(s, nl + 1, &os))
			touch(os.product), touch(os.sibling), touch(os.legacy);
		if (!winprod_build_cmp(s, nl + 1, &c))
			fuzz_sink += (size_t)(c + 1);
	}
	free(s);
	return 0;
}
