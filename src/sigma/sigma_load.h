/* sigma_load — rule files and input files from paths given by a user:
 * directories are walked (sorted, symlinks not followed), rule files are
 * read under SIGMA_RULE_MAX_BYTES, parsed and added to an engine. */
#ifndef SIGMA_LOAD_H
#define SIGMA_LOAD_H

#include <stddef.h>

#include "cg_err.h"
#include "sigma_engine.h"

#define SIGMA_MAX_FILES 1000000

/* Per YAML document: `rule` is borrowed (owned by the engine) when it
 * loaded, NULL with rc and reason when it cannot run. */
typedef void (*sigma_load_cb)(void *ud, const char *path, size_t doc, const struct sigma_rule *rule,
                              enum cg_err rc, const char *reason);

struct sigma_load_stats {
	size_t files, loaded, failed;
};

/* Load every .yml/.yaml under `paths` (a file given by name is loaded
 * whatever its name). Fails only when a path does not exist or cannot be
 * listed. */
enum cg_err sigma_load_rules(struct sigma_engine *e, char *const *paths, size_t n, sigma_load_cb cb, void *ud,
                             struct sigma_load_stats *st) CG_MUST_CHECK;

/* Regular files under `paths`, sorted per directory; the caller frees the
 * array and its strings with sigma_files_free. */
enum cg_err sigma_collect_files(char *const *paths, size_t n, char ***out, size_t *n_out) CG_MUST_CHECK;
void sigma_files_free(char **files, size_t n);

#endif
