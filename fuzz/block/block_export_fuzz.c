/* The whole pipeline on hostile targets: a list is parsed, its entries
 * become decisions (lines whose note starts with "allow" are allow
 * decisions, "exp" ones expire), the view is built and every format is
 * exported in full and incrementally, in an in-memory database. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "block_list.h"
#include "store_block.h"

#define T0 1796083200

struct ctx {
	struct cg_db *db;
	size_t n;
};

static enum cg_err on_entry(void *vctx, const struct block_list_entry *e)
{
	struct ctx *c = vctx;
	struct block_row r = {0};
	enum block_put what;
	int64_t id;

	r.action = e->note_len >= 5 && memcmp(e->note, "allow", 5) == 0 ? BLOCK_ALLOW : BLOCK_BLOCK;
	r.type = e->target.type;
	r.value = e->target.value;
	memcpy(r.addr, e->target.addr, sizeof r.addr);
	r.prefix = e->target.prefix;
	r.origin = "fuzz";
	r.expires_at = e->note_len >= 3 && memcmp(e->note, "exp", 3) == 0 ? T0 + 10 : 0;
	c->n++;
	return store_block_put(c->db, &r, T0 + (int64_t)(c->n % 20), &what, &id);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx c = {0};

	if (size > 1 << 16 || cg_db_open(":memory:", &c.db))
		return 0;
	if (block_list_parse("fuzz.txt", (const char *)data, size, 2000, on_entry, NULL, &c) != CG_OK && c.n == 0)
		goto out;
	for (int f = 0; f < BLOCK_FMT_COUNT; f++) {
		for (int inc = 0; inc < 2; inc++) {
			struct block_export_req r = {.fmt = (enum block_format)f, .at = T0 + 30, .has_since = inc,
						     .since = T0 + 5};
			struct block_export_result res;
			if (block_export_render(c.db, &r, &res) == CG_OK)
				block_export_result_free(&res);
		}
	}
out:
	cg_db_close(c.db);
	return 0;
}
