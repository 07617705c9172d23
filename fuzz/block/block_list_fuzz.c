/* Target lists (order files, --file, own prefixes): any bytes must give
 * entries or line errors, never a crash; every entry is a valid target. */
#include <stdint.h>
#include <string.h>

#include "block_list.h"
#include "decision.h"

static enum cg_err on_entry(void *ctx, const struct block_list_entry *e)
{
	(void)ctx;
	/* The canonical form parses back to itself. */
	struct ioc again;
	if (block_target_parse(e->target.value, e->target.len, &again) != CG_OK ||
	    strcmp(again.value, e->target.value) != 0)
		__builtin_trap();
	if (e->note_len > BLOCK_LIST_NOTE_MAX)
		__builtin_trap();
	return CG_OK;
}

static enum cg_err on_bad(void *ctx, size_t line, enum cg_err code, const char *msg)
{
	(void)ctx;
	(void)line;
	(void)code;
	(void)msg;
	return CG_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum cg_err rc = block_list_parse("fuzz.txt", (const char *)data, size, 100000, on_entry, on_bad, NULL);
	(void)rc;
	return 0;
}
