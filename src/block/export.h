/* export — the lists of a block_view written for an enforcement point:
 * nftables set file (loaded atomically by `nft -f`), `ipset restore` input,
 * DNS RPZ zone, Unbound local-zone lines, hosts file, plain list, JSON.
 * Output depends only on the items and options, so equal lists give
 * byte-identical files. An incremental export (`del` non-NULL) writes only
 * the changes: nft add/delete element commands, ipset add/del lines, an
 * nsupdate script for RPZ, +/- lines, a JSON object with "add"/"remove". */
#ifndef CG_EXPORT_H
#define CG_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "block_view.h"
#include "cg_err.h"

enum block_format {
	BLOCK_FMT_NFT,
	BLOCK_FMT_IPSET,
	BLOCK_FMT_RPZ,
	BLOCK_FMT_UNBOUND,
	BLOCK_FMT_HOSTS,
	BLOCK_FMT_PLAIN,
	BLOCK_FMT_JSON,
	BLOCK_FMT_COUNT
};

/* "nft", "ipset", "rpz", "unbound", "hosts", "plain", "json"; -1 if unknown. */
const char *block_format_name(enum block_format f);
int block_format_from_name(const char *s);
/* MIME type served for the format. */
const char *block_format_mime(enum block_format f);
/* Whether the format carries targets of this kind (0 addresses, 1 domains,
 * 2 URLs): what counts as enforcing a decision there. */
int block_format_carries(enum block_format f, int kind);

struct block_export_opts {
	const char *name;          /* nft table, ipset set prefix; default "canhgac" */
	const char *zone;          /* RPZ zone name; default "rpz.canhgac" */
	const char *walled_garden; /* domain or address answered instead of NXDOMAIN */
	unsigned ttl;              /* RPZ TTL; default 300 */
	int64_t serial;            /* RPZ serial and header */
	int64_t as_of;             /* time of the last change, for the header */
	int64_t since;             /* for the header of incremental exports */
};

/* Validate the options for `fmt` (names, walled garden); CG_EINVAL says why. */
enum cg_err block_export_check_opts(enum block_format fmt, const struct block_export_opts *o, int incremental) CG_MUST_CHECK;

/* Write the lists (`del` NULL) or the changes to `f`. CG_EIO on write
 * errors; CG_EUNSUPPORTED for incremental hosts/unbound exports. */
enum cg_err block_export_write(FILE *f, enum block_format fmt, const struct block_items *add,
			       const struct block_items *del, const struct block_export_opts *o) CG_MUST_CHECK;

/* Stable 64-bit FNV-1a of bytes (cg_hash_stable_from with
 * CG_FNV64_BLOCK_BASIS), as 16 hex digits (ETag, enforcement digest). */
void block_digest(const void *p, size_t n, char out[17]);

#endif
