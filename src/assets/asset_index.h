/* asset_index — an in-memory view of the inventory for attributing log lines
 * to hosts: which host a line is about.
 *
 * A line is attributed, in this order, to: an inventory host whose address
 * appears in the line as a token; an inventory host whose name is the line's
 * syslog/RFC 5424 hostname field; otherwise (host_id 0) the syslog hostname
 * itself, or the first address in the line that is not `listed` (the
 * indicator side), as a label. Built once, read-only, thread-safe to query. */
#ifndef CG_ASSET_INDEX_H
#define CG_ASSET_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"
#include "cg_db.h"
#include "ioc_set.h"

struct asset_index;

/* Longest syslog host name taken as a label. */
#define HOST_LABEL_NAME_MAX 253

/* Load hosts and their addresses; `db` NULL gives an empty index (attribution
 * then falls back to labels). */
enum cg_err asset_index_load(struct cg_db *db, struct asset_index **out) CG_MUST_CHECK;
void asset_index_free(struct asset_index *idx);
size_t asset_index_count(const struct asset_index *idx);

/* Attribute one line. `listed` may be NULL. Writes a label (host name, syslog
 * hostname or address; "" when nothing fits) into label[label_n] and returns
 * the inventory host id, or 0 when the line's host is not in the inventory. */
int64_t asset_index_attribute(const struct asset_index *idx, const struct ioc_set *listed, const char *line,
			      size_t len, char *label, size_t label_n);

#endif
