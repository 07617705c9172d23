/* Fuzz scan_archive_walk: any bytes as an archive, nested one level; every
 * entry handed over must fit the caps, and the budget must hold. */
#include <stdint.h>
#include <string.h>

#include "scan_archive.h"

static const struct scan_archive_limits lim = {
	.bytes_max = 1u << 20, .ratio_max = 100, .ratio_from = 64u << 10, .entries_max = 64, .entry_max = 16u << 10};

struct ctx {
	struct scan_archive_budget *b;
	int depth;
};

static void on_problem(void *c, const char *name, const char *msg)
{
	(void)c;
	if (!name || !msg)
		__builtin_trap();
}

static enum cg_err on_entry(void *c, const char *name, const uint8_t *data, size_t len, uint64_t size, int cut)
{
	struct ctx *x = c;
	(void)size;
	(void)cut;
	if (!name || len > lim.entry_max || (len && !data))
		__builtin_trap();
	if (x->depth == 0 && scan_archive_sniff(data, len)) {
		struct ctx in = {x->b, 1};
		struct scan_archive_sink s = {on_entry, on_problem, &in};
		enum cg_err rc = scan_archive_walk(data, len, "inner", &lim, x->b, &s);
		(void)rc;
	}
	return CG_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scan_archive_budget b = {.in = size ? size : 1};
	struct ctx x = {&b, 0};
	struct scan_archive_sink s = {on_entry, on_problem, &x};
	enum cg_err rc = scan_archive_walk(data, size, "data", &lim, &b, &s);

	(void)rc;
	if (b.entries > lim.entries_max + 1)
		__builtin_trap();
	return 0;
}
