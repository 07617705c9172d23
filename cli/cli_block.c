#include "cli_block.h"

#include "cli.h"

#define ERRORS_PRINTED 50

int cli_block_parse_when(const char *what, const char *s, int64_t now, unsigned flags, int64_t *out)
{
	enum cg_err rc = block_time_parse(s, now, flags, out);
	if (rc) {
		cli_error("%s: %s", what, cg_err_msg(rc));
		return CLI_USAGE;
	}
	return CLI_OK;
}

void cli_block_batch_errors(const struct block_batch *b)
{
	size_t n = block_batch_n_errors(b);
	for (size_t i = 0; i < n && i < ERRORS_PRINTED && i < BLOCK_BATCH_ERRORS_KEPT; i++)
		cli_error("%s", block_batch_error(b, i));
	if (n > ERRORS_PRINTED)
		cli_error(_("... and %zu more errors"), n - ERRORS_PRINTED);
}
