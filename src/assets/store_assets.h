/* store_assets — information systems (with their security level 1–5 under
 * Decree 85/2016/ND-CP), inventory hosts and their addresses, in storage.
 *
 * Records handed to callbacks are borrowed and valid only during the call. */
#ifndef CG_STORE_ASSETS_H
#define CG_STORE_ASSETS_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"
#include "cg_db.h"
#include "host_record.h"

#define SYSTEM_LEVEL_MIN 1
#define SYSTEM_LEVEL_MAX 5

struct asset_system {
	int64_t id;
	const char *name;
	int level;
	const char *owner;       /* "" when none */
	const char *description; /* "" when none */
	int64_t n_hosts;
};

struct asset_host {
	int64_t id;
	const char *name;
	const char *system; /* "" when none */
	int level;          /* level of its system; 0 when none */
	const char *os, *role, *location;
	size_t n_addrs;
	const char *const *addrs; /* canonical text */
};

typedef enum cg_err (*asset_system_fn)(void *ctx, const struct asset_system *s);
typedef enum cg_err (*asset_host_fn)(void *ctx, const struct asset_host *h);

/* Add a system; CG_EEXIST when the name is taken, CG_EINVAL for a level
 * outside 1–5 or an empty name. `owner`/`description` may be NULL. */
enum cg_err store_system_add(struct cg_db *db, const char *name, int level, const char *owner,
			     const char *description) CG_MUST_CHECK;
/* Change a system: `level` 0, `owner` NULL, `description` NULL keep the old value. */
enum cg_err store_system_set(struct cg_db *db, const char *name, int level, const char *owner,
			     const char *description) CG_MUST_CHECK;
/* Remove a system; its hosts stay, without a system. */
enum cg_err store_system_remove(struct cg_db *db, const char *name) CG_MUST_CHECK;
/* Call `fn` for the named system; CG_ENOTFOUND naming it when absent. */
enum cg_err store_system_get(struct cg_db *db, const char *name, asset_system_fn fn, void *ctx) CG_MUST_CHECK;
/* All systems, by level (highest first) then name. */
enum cg_err store_system_foreach(struct cg_db *db, asset_system_fn fn, void *ctx) CG_MUST_CHECK;

enum store_host_mode {
	STORE_HOST_NEW,    /* CG_EEXIST when the host exists */
	STORE_HOST_UPSERT, /* replace its attributes and addresses */
};

/* Write one host (not in a transaction of its own: callers that write many
 * wrap them in cg_db_begin/commit). A system named in `h` must exist unless
 * `create_systems`, which adds it at level 1 (*created_system set to 1).
 * Unknown system: CG_ENOTFOUND "system 'X' does not exist". */
enum cg_err store_host_put(struct cg_db *db, const struct host_record *h, enum store_host_mode mode,
			   int create_systems, int *created_system) CG_MUST_CHECK;
enum cg_err store_host_remove(struct cg_db *db, const char *name) CG_MUST_CHECK;
enum cg_err store_host_get(struct cg_db *db, const char *name, asset_host_fn fn, void *ctx) CG_MUST_CHECK;
/* Hosts by name; only those of `system` when not NULL (CG_ENOTFOUND if that
 * system does not exist). */
enum cg_err store_host_foreach(struct cg_db *db, const char *system, asset_host_fn fn, void *ctx) CG_MUST_CHECK;

/* An inventory host address that is on a current intel list. */
struct asset_listing {
	int64_t host_id;
	const char *addr;       /* the host's address */
	const char *source;     /* intel source name */
	const char *list;       /* file(s) of the source's current import */
	const char *entry;      /* the list entry: the address itself or a CIDR holding it */
	const char *entry_type; /* ioc_type_name() of the entry */
	const char *family;     /* "" when none */
	const char *first_seen, *last_seen; /* as the list gives them; "" when none */
};
typedef enum cg_err (*asset_listing_fn)(void *ctx, const struct asset_listing *l);

/* Every (host address, current list entry) pair where the address is the
 * entry or lies inside it. A private, loopback or link-local address inside a
 * CIDR at least as wide as its private block (e.g. 10.10.3.21 in a bogon
 * entry 10.0.0.0/8) does not count: bogon lists would flag every internal
 * host. */
enum cg_err store_host_listed_foreach(struct cg_db *db, asset_listing_fn fn, void *ctx) CG_MUST_CHECK;

/* Host CSV import. */
struct host_import_opts {
	int skip_bad;       /* import the good rows even when some are bad */
	int create_systems; /* unknown systems are created (level 1) instead of being bad rows */
};

struct host_import_stats {
	size_t rows, added, updated, bad, systems_created;
};

/* `reason` is "file:line: field 'ip': ..." ready to print. */
typedef void (*host_import_bad_fn)(void *ctx, const char *reason);

/* Import `buf` (the content of `file`, used in messages) in one transaction.
 * Every bad row goes to `bad`; without `skip_bad` any bad row makes the whole
 * import change nothing and return CG_EPARSE ("N bad rows; nothing imported"). */
enum cg_err store_host_import_csv(struct cg_db *db, const char *file, const char *buf, size_t len,
				  const struct host_import_opts *opts, host_import_bad_fn bad, void *ctx,
				  struct host_import_stats *stats) CG_MUST_CHECK;

#endif
