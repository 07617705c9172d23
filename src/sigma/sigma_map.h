/* sigma_map — which events a Sigma `logsource` means: channels, providers,
 * event IDs and syslog programs, plus per-source field renames (Security
 * 4688 calls Sysmon's Image "NewProcessName"). Defaults are compiled in;
 * users add or replace entries with mapping files of the same format:
 *
 *   logsources:
 *     - product: windows
 *       category: process_creation
 *       sources:
 *         - channel: [Microsoft-Windows-Sysmon/Operational]
 *           provider: [Microsoft-Windows-Sysmon]
 *           event_id: [1]
 *         - channel: [Security]
 *           event_id: [4688]
 *           fields: {Image: NewProcessName, ParentImage: ParentProcessName}
 *
 * An entry with the same product/category/service as an earlier one
 * replaces it. */
#ifndef SIGMA_MAP_H
#define SIGMA_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"
#include "cg_event.h"

struct sigma_map;

struct sigma_field_alias {
	char *from, *to;
	uint32_t from_hash;
};

/* One kind of event a log source stands for; every listed criterion must
 * hold (lists are alternatives). */
struct sigma_source {
	enum cg_event_product product;
	char **channels; size_t n_channels;
	char **providers; size_t n_providers;
	long *event_ids; size_t n_event_ids;
	char **programs; size_t n_programs;
	struct sigma_field_alias *fields; size_t n_fields;
};

struct sigma_logsource {
	char *product, *category, *service; /* NULL: not part of the key */
	struct sigma_source *src;
	size_t n_src;
};

/* A map with the built-in defaults. */
enum cg_err sigma_map_new(struct sigma_map **out) CG_MUST_CHECK;
void sigma_map_free(struct sigma_map *m); /* NULL is a no-op */
/* Add the entries of a mapping file (`origin` names it in messages). */
enum cg_err sigma_map_load(struct sigma_map *m, const char *text, size_t len, const char *origin) CG_MUST_CHECK;

/* The entry for a rule's logsource, or NULL (with a reason in `why`). */
const struct sigma_logsource *sigma_map_find(const struct sigma_map *m, const char *product,
                                             const char *category, const char *service,
                                             char *why, size_t why_len);

/* Does `ev` come from source `s`? */
int sigma_source_match(const struct sigma_source *s, const struct cg_event *ev);

/* The built-in mapping as YAML text (for documentation and tests). */
const char *sigma_map_default_yaml(void);

#endif
