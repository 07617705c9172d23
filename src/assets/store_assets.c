#include "store_assets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_i18n.h"
#include "db.h"
#include "csv.h"
#include "ioc.h"

static enum cg_err check_system_name(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0)
		return cg_err_set(CG_EINVAL, _("empty system name"));
	if (n > HOST_TEXT_MAX)
		return cg_err_set(CG_ELIMIT, _("system name longer than %d bytes"), HOST_TEXT_MAX);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return cg_err_set(CG_EINVAL, _("system name contains a control character"));
	return CG_OK;
}

static enum cg_err check_level(int level)
{
	if (level < SYSTEM_LEVEL_MIN || level > SYSTEM_LEVEL_MAX)
		return cg_err_set(CG_EINVAL, _("security level %d is not between %d and %d"), level, SYSTEM_LEVEL_MIN,
				  SYSTEM_LEVEL_MAX);
	return CG_OK;
}

static enum cg_err check_text(const char *what, const char *s)
{
	if (!s)
		return CG_OK;
	if (strlen(s) > 4096)
		return cg_err_set(CG_ELIMIT, _("%s longer than %d bytes"), what, 4096);
	return CG_OK;
}

enum cg_err store_system_add(struct cg_db *db, const char *name, int level, const char *owner,
			     const char *description)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = check_system_name(name)) || (rc = check_level(level)) || (rc = check_text(_("owner"), owner)) ||
	    (rc = check_text(_("description"), description)))
		return rc;
	if ((rc = cg_db_stmt(db,
			     "INSERT INTO system(name, level, owner, description, created_at) VALUES(?1, ?2, ?3, ?4, ?5)",
			     &st)))
		return rc;
	cg_db_bind_text(st, 1, name);
	sqlite3_bind_int(st, 2, level);
	cg_db_bind_text(st, 3, owner && *owner ? owner : NULL);
	cg_db_bind_text(st, 4, description && *description ? description : NULL);
	sqlite3_bind_int64(st, 5, cg_now());
	if ((rc = cg_db_step_done(db, st, _("adding a system"))) == CG_EEXIST)
		return cg_err_set(rc, _("system '%s' already exists"), name);
	return rc;
}

enum cg_err store_system_set(struct cg_db *db, const char *name, int level, const char *owner,
			     const char *description)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if (level && (rc = check_level(level)))
		return rc;
	if ((rc = check_text(_("owner"), owner)) || (rc = check_text(_("description"), description)))
		return rc;
	if ((rc = cg_db_stmt(db,
			     "UPDATE system SET level = coalesce(?2, level),"
			     " owner = CASE WHEN ?3 IS NULL THEN owner ELSE nullif(?3, '') END,"
			     " description = CASE WHEN ?4 IS NULL THEN description ELSE nullif(?4, '') END"
			     " WHERE name = ?1",
			     &st)))
		return rc;
	cg_db_bind_text(st, 1, name);
	if (level)
		sqlite3_bind_int(st, 2, level);
	cg_db_bind_text(st, 3, owner);
	cg_db_bind_text(st, 4, description);
	if ((rc = cg_db_step_done(db, st, _("changing a system"))))
		return rc;
	if (sqlite3_changes(cg_db_handle(db)) == 0)
		return cg_err_set(CG_ENOTFOUND, _("system '%s' does not exist"), name);
	return CG_OK;
}

enum cg_err store_system_remove(struct cg_db *db, const char *name)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db, "DELETE FROM system WHERE name = ?1", &st)))
		return rc;
	cg_db_bind_text(st, 1, name);
	if ((rc = cg_db_step_done(db, st, _("removing a system"))))
		return rc;
	if (sqlite3_changes(cg_db_handle(db)) == 0)
		return cg_err_set(CG_ENOTFOUND, _("system '%s' does not exist"), name);
	return CG_OK;
}

/* Step `st` (a system query) and hand each row to fn; returns the number of rows in *n. */
static enum cg_err systems_from(struct cg_db *db, sqlite3_stmt *st, asset_system_fn fn, void *ctx, size_t *n)
{
	enum cg_err rc = CG_OK;
	int step;

	*n = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct asset_system s = {
			.id = sqlite3_column_int64(st, 0),
			.name = cg_db_col_text(st, 1),
			.level = sqlite3_column_int(st, 2),
			.owner = cg_db_col_text(st, 3),
			.description = cg_db_col_text(st, 4),
			.n_hosts = sqlite3_column_int64(st, 5),
		};
		(*n)++;
		if ((rc = fn(ctx, &s)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = cg_db_fail(db, _("reading systems"));
	sqlite3_reset(st);
	return rc;
}

enum cg_err store_system_get(struct cg_db *db, const char *name, asset_system_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	size_t n;

	if ((rc = cg_db_stmt(db,
			     "SELECT s.id, s.name, s.level, s.owner, s.description,"
			     " (SELECT count(*) FROM host h WHERE h.system_id = s.id)"
			     " FROM system s WHERE s.name = ?1",
			     &st)))
		return rc;
	cg_db_bind_text(st, 1, name);
	if ((rc = systems_from(db, st, fn, ctx, &n)))
		return rc;
	if (n == 0)
		return cg_err_set(CG_ENOTFOUND, _("system '%s' does not exist"), name);
	return CG_OK;
}

enum cg_err store_system_foreach(struct cg_db *db, asset_system_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	size_t n;

	if ((rc = cg_db_stmt(db,
			     "SELECT s.id, s.name, s.level, s.owner, s.description,"
			     " (SELECT count(*) FROM host h WHERE h.system_id = s.id)"
			     " FROM system s ORDER BY s.level DESC, s.name",
			     &st)))
		return rc;
	return systems_from(db, st, fn, ctx, &n);
}

/* Id of the row that `sql` (a literal selecting one id by name ?1) finds
 * for `name`, or 0. */
static enum cg_err id_by_name(struct cg_db *db, const char *sql, const char *name, const char *what, int64_t *id)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int step;

	*id = 0;
	if ((rc = cg_db_stmt(db, sql, &st)))
		return rc;
	cg_db_bind_text(st, 1, name);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	else if (step != SQLITE_DONE)
		rc = cg_db_fail(db, what);
	sqlite3_reset(st);
	return rc;
}

/* Id of the system named `name`, or 0. */
static enum cg_err system_id(struct cg_db *db, const char *name, int64_t *id)
{
	return id_by_name(db, "SELECT id FROM system WHERE name = ?1", name, _("looking up a system"), id);
}

static enum cg_err host_id(struct cg_db *db, const char *name, int64_t *id)
{
	return id_by_name(db, "SELECT id FROM host WHERE name = ?1", name, _("looking up a host"), id);
}

static enum cg_err put_addrs(struct cg_db *db, int64_t id, const struct host_record *h)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db, "DELETE FROM host_addr WHERE host_id = ?1", &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = cg_db_step_done(db, st, _("replacing host addresses"))))
		return rc;
	for (size_t i = 0; i < h->n_addrs; i++) {
		if ((rc = cg_db_stmt(db, "INSERT OR IGNORE INTO host_addr(host_id, addr) VALUES(?1, ?2)", &st)))
			return rc;
		sqlite3_bind_int64(st, 1, id);
		cg_db_bind_text(st, 2, h->addrs[i].text);
		if ((rc = cg_db_step_done(db, st, _("adding a host address"))))
			return rc;
	}
	return CG_OK;
}

static const char *nullable(const char *s)
{
	return s && *s ? s : NULL;
}

enum cg_err store_host_put(struct cg_db *db, const struct host_record *h, enum store_host_mode mode,
			   int create_systems, int *created_system)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int64_t sys = 0, id = 0;

	if (created_system)
		*created_system = 0;
	if (h->name[0] == '\0')
		return cg_err_set(CG_EINVAL, _("empty host name"));
	if (h->system[0]) {
		if ((rc = system_id(db, h->system, &sys)))
			return rc;
		if (!sys && !create_systems)
			return cg_err_set(CG_ENOTFOUND, _("system '%s' does not exist"), h->system);
		if (!sys) {
			if ((rc = store_system_add(db, h->system, SYSTEM_LEVEL_MIN, NULL, NULL)) ||
			    (rc = system_id(db, h->system, &sys)))
				return rc;
			if (created_system)
				*created_system = 1;
		}
	}
	if ((rc = host_id(db, h->name, &id)))
		return rc;
	if (id && mode == STORE_HOST_NEW)
		return cg_err_set(CG_EEXIST, _("host '%s' already exists"), h->name);
	if (id) {
		if ((rc = cg_db_stmt(db, "UPDATE host SET system_id = ?2, os = ?3, role = ?4, location = ?5 WHERE id = ?1",
				     &st)))
			return rc;
		sqlite3_bind_int64(st, 1, id);
	} else {
		if ((rc = cg_db_stmt(db,
				     "INSERT INTO host(name, system_id, os, role, location, created_at)"
				     " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
				     &st)))
			return rc;
		cg_db_bind_text(st, 1, h->name);
		sqlite3_bind_int64(st, 6, cg_now());
	}
	if (sys)
		sqlite3_bind_int64(st, 2, sys);
	cg_db_bind_text(st, 3, nullable(h->os));
	cg_db_bind_text(st, 4, nullable(h->role));
	cg_db_bind_text(st, 5, nullable(h->location));
	if ((rc = cg_db_step_done(db, st, _("writing a host"))))
		return rc;
	if (!id)
		id = sqlite3_last_insert_rowid(cg_db_handle(db));
	return put_addrs(db, id, h);
}

enum cg_err store_host_remove(struct cg_db *db, const char *name)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db, "DELETE FROM host WHERE name = lower(?1)", &st)))
		return rc;
	cg_db_bind_text(st, 1, name);
	if ((rc = cg_db_step_done(db, st, _("removing a host"))))
		return rc;
	if (sqlite3_changes(cg_db_handle(db)) == 0)
		return cg_err_set(CG_ENOTFOUND, _("host '%s' does not exist"), name);
	return CG_OK;
}

/* Step a host query (columns: id, name, system, level, os, role, location)
 * and hand each host with its addresses to fn. */
static enum cg_err hosts_from(struct cg_db *db, sqlite3_stmt *st, asset_host_fn fn, void *ctx, size_t *n)
{
	const char *addrs[HOST_ADDRS_MAX];
	char texts[HOST_ADDRS_MAX][HOST_ADDR_TEXT];
	enum cg_err rc = CG_OK;
	sqlite3_stmt *ast;
	int step;

	*n = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct asset_host h = {
			.id = sqlite3_column_int64(st, 0),
			.name = cg_db_col_text(st, 1),
			.system = cg_db_col_text(st, 2),
			.level = sqlite3_column_int(st, 3),
			.os = cg_db_col_text(st, 4),
			.role = cg_db_col_text(st, 5),
			.location = cg_db_col_text(st, 6),
			.addrs = addrs,
		};
		if ((rc = cg_db_stmt(db, "SELECT addr FROM host_addr WHERE host_id = ?1 ORDER BY addr", &ast)))
			break;
		sqlite3_bind_int64(ast, 1, h.id);
		while ((step = sqlite3_step(ast)) == SQLITE_ROW && h.n_addrs < HOST_ADDRS_MAX) {
			snprintf(texts[h.n_addrs], sizeof texts[0], "%s", cg_db_col_text(ast, 0));
			addrs[h.n_addrs] = texts[h.n_addrs];
			h.n_addrs++;
		}
		sqlite3_reset(ast);
		(*n)++;
		if ((rc = fn(ctx, &h)))
			break;
	}
	if (!rc && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = cg_db_fail(db, _("reading hosts"));
	sqlite3_reset(st);
	return rc;
}

enum cg_err store_host_get(struct cg_db *db, const char *name, asset_host_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	size_t n;

	if ((rc = cg_db_stmt(db,
			     "SELECT h.id, h.name, s.name, s.level, h.os, h.role, h.location"
			     " FROM host h LEFT JOIN system s ON s.id = h.system_id WHERE h.name = lower(?1)",
			     &st)))
		return rc;
	cg_db_bind_text(st, 1, name);
	if ((rc = hosts_from(db, st, fn, ctx, &n)))
		return rc;
	if (n == 0)
		return cg_err_set(CG_ENOTFOUND, _("host '%s' does not exist"), name);
	return CG_OK;
}

enum cg_err store_host_foreach(struct cg_db *db, const char *system, asset_host_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	size_t n;

	if (system) {
		int64_t sys;
		if ((rc = system_id(db, system, &sys)))
			return rc;
		if (!sys)
			return cg_err_set(CG_ENOTFOUND, _("system '%s' does not exist"), system);
		if ((rc = cg_db_stmt(db,
				     "SELECT h.id, h.name, s.name, s.level, h.os, h.role, h.location"
				     " FROM host h JOIN system s ON s.id = h.system_id WHERE s.id = ?1 ORDER BY h.name",
				     &st)))
			return rc;
		sqlite3_bind_int64(st, 1, sys);
	} else if ((rc = cg_db_stmt(db,
				    "SELECT h.id, h.name, s.name, s.level, h.os, h.role, h.location"
				    " FROM host h LEFT JOIN system s ON s.id = h.system_id ORDER BY h.name",
				    &st))) {
		return rc;
	}
	return hosts_from(db, st, fn, ctx, &n);
}

/* One bad row: format "file:line: detail" and hand it over. */
static void report_bad(host_import_bad_fn bad, void *ctx, const char *file, size_t line, enum cg_err rc)
{
	char msg[1200];

	snprintf(msg, sizeof msg, "%s:%zu: %s", file, line, cg_err_msg(rc));
	if (bad)
		bad(ctx, msg);
}

/* Rows of the same host later in the file update it; rows before the header
 * was found are not possible (the first record is the header). */
static enum cg_err import_rows(struct cg_db *db, const char *file, struct csv_reader *r,
			       const struct host_import_opts *opts, host_import_bad_fn bad, void *ctx,
			       struct host_import_stats *stats)
{
	const char *fields[CSV_FIELDS_MAX];
	size_t lens[CSV_FIELDS_MAX];
	struct host_csv_map map;
	struct host_record *rec;
	enum cg_err rc;
	int got, have_header = 0;

	rec = malloc(sizeof *rec);
	if (!rec)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	for (;;) {
		rc = csv_next(r, &got);
		if (rc == CG_EPARSE || rc == CG_ELIMIT) {
			/* The reader's message is "line N: reason"; make it "file:N: reason". */
			const char *m = cg_err_msg(rc);
			char msg[1200];
			if (strncmp(m, "line ", 5) == 0)
				m += 5;
			snprintf(msg, sizeof msg, "%s:%s", file, m);
			if (bad)
				bad(ctx, msg);
			stats->bad++;
			if (!have_header) {
				rc = cg_err_set(CG_EPARSE, "%s", msg);
				goto out;
			}
			continue;
		}
		if (rc)
			goto out;
		if (!got)
			break;
		for (size_t i = 0; i < r->n_fields; i++) {
			fields[i] = csv_field(r, i);
			lens[i] = csv_field_len(r, i);
		}
		if (!have_header) {
			if ((rc = host_csv_map_header(&map, fields, lens, r->n_fields))) {
				rc = cg_err_prefix(rc, "%s:%zu", file, r->line);
				goto out;
			}
			have_header = 1;
			continue;
		}
		stats->rows++;
		rc = host_csv_row(&map, fields, lens, r->n_fields, rec);
		if (!rc) {
			int64_t existing;
			int created = 0;
			if ((rc = host_id(db, rec->name, &existing)))
				goto out;
			rc = store_host_put(db, rec, STORE_HOST_UPSERT, opts->create_systems, &created);
			if (rc == CG_ENOTFOUND)
				rc = cg_err_prefix(rc, _("field '%s'"), "system");
			else if (rc == CG_EDB || rc == CG_ENOMEM)
				goto out;
			if (!rc) {
				stats->systems_created += (size_t)created;
				if (existing)
					stats->updated++;
				else
					stats->added++;
			}
		}
		if (rc) {
			report_bad(bad, ctx, file, r->line, rc);
			stats->bad++;
		}
	}
	if (!have_header)
		rc = cg_err_set(CG_EPARSE, _("%s: empty file (no header row)"), file);
	else
		rc = CG_OK;
out:
	free(rec);
	return rc;
}

enum cg_err store_host_import_csv(struct cg_db *db, const char *file, const char *buf, size_t len,
				  const struct host_import_opts *opts, host_import_bad_fn bad, void *ctx,
				  struct host_import_stats *stats)
{
	struct csv_reader r;
	enum cg_err rc;

	memset(stats, 0, sizeof *stats);
	if ((rc = cg_db_begin(db)))
		return rc;
	csv_reader_init(&r, buf, len, 0);
	rc = import_rows(db, file, &r, opts, bad, ctx, stats);
	csv_reader_free(&r);
	if (!rc && stats->bad && !opts->skip_bad)
		rc = cg_err_set(CG_EPARSE, _("%s: %zu bad rows; nothing imported (use --skip-bad to import the good rows)"),
				file, stats->bad);
	if (rc) {
		cg_db_rollback(db);
		if (!opts->skip_bad || rc != CG_EPARSE) {
			stats->added = stats->updated = stats->systems_created = 0;
		}
		return rc;
	}
	return cg_db_commit(db);
}

/* ---- host addresses on current intel lists ---- */

struct addr_key {
	uint8_t key[17]; /* 4 or 6, then the address */
	int64_t host_id;
	char text[HOST_ADDR_TEXT];
};

static int cmp_key(const void *a, const void *b)
{
	return memcmp(((const struct addr_key *)a)->key, ((const struct addr_key *)b)->key, 17);
}

static int key_from_text(const char *s, uint8_t key[17])
{
	size_t n = strlen(s);

	memset(key, 0, 17);
	if (ioc_parse_ipv4(s, n, key + 1)) {
		key[0] = 4;
		return 1;
	}
	if (ioc_parse_ipv6(s, n, key + 1)) {
		key[0] = 6;
		return 1;
	}
	return 0;
}

/* Prefix length of the private/special block holding `key`, or -1. */
static int private_block(const uint8_t key[17])
{
	const uint8_t *a = key + 1;

	if (key[0] == 4) {
		if (a[0] == 10 || a[0] == 127 || a[0] == 0)
			return 8;
		if (a[0] == 172 && (a[1] & 0xf0) == 16)
			return 12;
		if ((a[0] == 192 && a[1] == 168) || (a[0] == 169 && a[1] == 254))
			return 16;
		if (a[0] == 100 && (a[1] & 0xc0) == 64)
			return 10;
		return -1;
	}
	if ((a[0] & 0xfe) == 0xfc)
		return 7;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return 10;
	static const uint8_t loop[16] = {[15] = 1};
	if (memcmp(a, loop, 16) == 0)
		return 128;
	return -1;
}

static enum cg_err load_host_addrs(struct cg_db *db, struct addr_key **out, size_t *n_out)
{
	struct addr_key *v = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st;
	enum cg_err rc;
	int step;

	if ((rc = cg_db_stmt(db, "SELECT host_id, addr FROM host_addr", &st)))
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct addr_key *p = realloc(v, nc * sizeof *v);
			if (!p) {
				sqlite3_reset(st);
				free(v);
				return cg_err_set(CG_ENOMEM, _("out of memory"));
			}
			v = p;
			cap = nc;
		}
		struct addr_key *k = &v[n];
		k->host_id = sqlite3_column_int64(st, 0);
		snprintf(k->text, sizeof k->text, "%s", cg_db_col_text(st, 1));
		if (key_from_text(k->text, k->key))
			n++;
	}
	if (step != SQLITE_DONE)
		rc = cg_db_fail(db, _("reading host addresses"));
	sqlite3_reset(st);
	if (rc) {
		free(v);
		return rc;
	}
	if (n)
		qsort(v, n, sizeof *v, cmp_key);
	*out = v;
	*n_out = n;
	return CG_OK;
}

static enum cg_err listed_exact(struct cg_db *db, asset_listing_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int step;

	if ((rc = cg_db_stmt(db,
			     "SELECT ha.host_id, ha.addr, s.name, im.files, i.value, i.type, coalesce(it.family, ''),"
			     " coalesce(it.first_seen, ''), coalesce(it.last_seen, '')"
			     " FROM host_addr ha"
			     " JOIN indicator i ON i.type IN ('ipv4', 'ipv6') AND i.value = ha.addr"
			     " JOIN intel_item it ON it.indicator_id = i.id"
			     " JOIN intel_source s ON s.current_import_id = it.import_id"
			     " JOIN intel_import im ON im.id = it.import_id"
			     " ORDER BY ha.host_id, ha.addr, s.name",
			     &st)))
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct asset_listing l = {
			.host_id = sqlite3_column_int64(st, 0),
			.addr = cg_db_col_text(st, 1),
			.source = cg_db_col_text(st, 2),
			.list = cg_db_col_text(st, 3),
			.entry = cg_db_col_text(st, 4),
			.entry_type = cg_db_col_text(st, 5),
			.family = cg_db_col_text(st, 6),
			.first_seen = cg_db_col_text(st, 7),
			.last_seen = cg_db_col_text(st, 8),
		};
		if ((rc = fn(ctx, &l)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = cg_db_fail(db, _("looking up host addresses in intel lists"));
	sqlite3_reset(st);
	return rc;
}

/* First element of v[0..n) not less than key. */
static size_t lower_bound(const struct addr_key *v, size_t n, const uint8_t key[17])
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (memcmp(v[mid].key, key, 17) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Hand over the host addresses inside one CIDR entry of a current list. */
static enum cg_err cidr_members(const struct addr_key *v, size_t n, sqlite3_stmt *st, asset_listing_fn fn,
				void *ctx)
{
	const char *value = cg_db_col_text(st, 0);
	struct ioc ioc;
	uint8_t lo[17] = {0}, hi[17] = {0};
	unsigned bytes;
	enum cg_err rc;

	if (ioc_parse(value, strlen(value), IOC_NONE, &ioc) != CG_OK ||
	    (ioc.type != IOC_CIDR4 && ioc.type != IOC_CIDR6))
		return CG_OK; /* not ours to judge; the intel module validated it */
	bytes = ioc.type == IOC_CIDR4 ? 4 : 16;
	lo[0] = hi[0] = ioc.type == IOC_CIDR4 ? 4 : 6;
	for (unsigned b = 0; b < bytes; b++) {
		unsigned bits = ioc.prefix > b * 8 ? ioc.prefix - b * 8 : 0;
		uint8_t mask = (uint8_t)(bits >= 8 ? 0xffu : 0xffu << (8 - bits));
		lo[1 + b] = (uint8_t)(ioc.addr[b] & mask);
		hi[1 + b] = (uint8_t)(lo[1 + b] | (uint8_t)~mask);
	}
	for (size_t i = lower_bound(v, n, lo); i < n && memcmp(v[i].key, hi, 17) <= 0; i++) {
		int pb = private_block(v[i].key);
		if (pb >= 0 && (int)ioc.prefix <= pb)
			continue;
		struct asset_listing l = {
			.host_id = v[i].host_id,
			.addr = v[i].text,
			.source = cg_db_col_text(st, 2),
			.list = cg_db_col_text(st, 3),
			.entry = value,
			.entry_type = cg_db_col_text(st, 1),
			.family = cg_db_col_text(st, 4),
			.first_seen = cg_db_col_text(st, 5),
			.last_seen = cg_db_col_text(st, 6),
		};
		if ((rc = fn(ctx, &l)))
			return rc;
	}
	return CG_OK;
}

static enum cg_err listed_cidr(struct cg_db *db, const struct addr_key *v, size_t n, asset_listing_fn fn,
			       void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int step;

	if ((rc = cg_db_stmt(db,
			     "SELECT i.value, i.type, s.name, im.files, coalesce(it.family, ''),"
			     " coalesce(it.first_seen, ''), coalesce(it.last_seen, '')"
			     " FROM intel_source s"
			     " JOIN intel_import im ON im.id = s.current_import_id"
			     " JOIN intel_item it ON it.import_id = s.current_import_id"
			     " JOIN indicator i ON i.id = it.indicator_id"
			     " WHERE i.type IN ('cidr4', 'cidr6') ORDER BY s.name, i.value",
			     &st)))
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = cidr_members(v, n, st, fn, ctx)))
			break;
	if (!rc && step != SQLITE_DONE)
		rc = cg_db_fail(db, _("reading listed networks"));
	sqlite3_reset(st);
	return rc;
}

enum cg_err store_host_listed_foreach(struct cg_db *db, asset_listing_fn fn, void *ctx)
{
	struct addr_key *v = NULL;
	size_t n = 0;
	enum cg_err rc;

	if ((rc = listed_exact(db, fn, ctx)))
		return rc;
	if ((rc = load_host_addrs(db, &v, &n)))
		return rc;
	if (n)
		rc = listed_cidr(db, v, n, fn, ctx);
	free(v);
	return rc;
}
