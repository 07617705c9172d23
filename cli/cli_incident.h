/* cli_incident — what the incident, evidence and phish commands share. */
#ifndef CG_CLI_INCIDENT_H
#define CG_CLI_INCIDENT_H

#include <stddef.h>

struct cli_ctx;

/* Write `n` bytes to `path` (NULL or "-": standard output); prints the
 * error and returns CLI_FAIL on failure. */
int cli_incident_write(const char *path, const char *data, size_t n);

/* The evidence store directory: `explicit_dir`, else $CANHGAC_EVIDENCE_DIR,
 * else "evidence" beside the database. Prints the error and returns
 * non-zero on failure. */
int cli_evidence_dir(const struct cli_ctx *ctx, const char *explicit_dir, char *buf, size_t n);

/* Who acts: `by`, else $USER, else "unknown". */
const char *cli_actor(const char *by);

#endif
