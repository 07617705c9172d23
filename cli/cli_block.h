/* cli_block — what the block and order commands share: times given on the
 * command line and the report of a batch with bad targets. */
#ifndef CG_CLI_BLOCK_H
#define CG_CLI_BLOCK_H

#include <stdint.h>

#include "block.h"

/* Parse the time `s` of option `what` (block_time_parse with BLOCK_TIME_*
 * `flags`); prints the
 * error and returns CLI_USAGE when it is not a time, else CLI_OK. */
int cli_block_parse_when(const char *what, const char *s, int64_t now, unsigned flags, int64_t *out);

/* Print the bad targets of `b` on stderr, the first 50 and then how many more. */
void cli_block_batch_errors(const struct block_batch *b);

#endif
