/* SQL of the vulnerability module. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_file.h"
#include "cg_buf.h"
#include "cg_i18n.h"
#include "db.h"
#include "store_vuln.h"
#include "winprod.h"

static const char *nz(const char *s) { return s ? s : ""; }

/* ------------------------------------------------------------ hosts */

static enum cg_err host_id(struct cg_db *db, const char *host, int create, int64_t *id, int *created)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db, "SELECT id FROM host WHERE name = ?1", &st)))
		return rc;
	cg_db_bind_text(st, 1, host);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		return CG_OK;
	}
	sqlite3_reset(st);
	if (!create)
		return cg_err_set(CG_ENOTFOUND, _("host '%s' does not exist (add it with 'canhgac host add')"), host);
	if (!*host || strlen(host) > 253)
		return cg_err_set(CG_EINVAL, _("host name '%.64s' is empty or too long"), host);
	if ((rc = cg_db_stmt(db, "INSERT INTO host(name, created_at) VALUES(?1, ?2)", &st)))
		return rc;
	cg_db_bind_text(st, 1, host);
	sqlite3_bind_int64(st, 2, cg_now());
	if ((rc = cg_db_step_done(db, st, _("adding a host"))))
		return rc;
	*id = sqlite3_last_insert_rowid(cg_db_handle(db));
	*created = 1;
	return CG_OK;
}

/* ------------------------------------------------------------ inventories */

struct inv_put_ctx {
	struct cg_db *db;
	int64_t host_id;
	unsigned kinds, cleared;
	int lazy; /* clear a kind when its first item arrives */
	size_t n;
	const char *file;
};

static enum cg_err clear_kind(struct cg_db *db, int64_t host_id, enum inv_kind k)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db, "DELETE FROM inv_item WHERE host_id = ?1 AND kind = ?2", &st)))
		return rc;
	sqlite3_bind_int64(st, 1, host_id);
	cg_db_bind_text(st, 2, inv_kind_name(k));
	return cg_db_step_done(db, st, _("replacing inventory items"));
}

static enum cg_err put_item(void *vctx, const struct inv_item *it)
{
	struct inv_put_ctx *c = vctx;
	sqlite3_stmt *st;
	enum cg_err rc;

	if (!(c->kinds & (1u << it->kind)))
		return cg_err_set(CG_EINTERNAL, "%s: parser produced an unexpected kind", c->file);
	if (c->lazy && !(c->cleared & (1u << it->kind))) {
		if ((rc = clear_kind(c->db, c->host_id, it->kind)))
			return rc;
		c->cleared |= 1u << it->kind;
	}
	if ((rc = cg_db_stmt(c->db,
			     "INSERT INTO inv_item(host_id, kind, name, arch, version, source, source_version, cpe_update)"
			     " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(host_id, kind, name, arch) DO UPDATE"
			     " SET version = excluded.version, source = excluded.source,"
			     " source_version = excluded.source_version, cpe_update = excluded.cpe_update",
			     &st)))
		return rc;
	sqlite3_bind_int64(st, 1, c->host_id);
	cg_db_bind_text(st, 2, inv_kind_name(it->kind));
	cg_db_bind_text(st, 3, it->name);
	cg_db_bind_text(st, 4, nz(it->arch));
	cg_db_bind_text(st, 5, nz(it->version));
	cg_db_bind_text(st, 6, nz(it->source));
	cg_db_bind_text(st, 7, nz(it->source_version));
	cg_db_bind_text(st, 8, nz(it->update));
	c->n++;
	return cg_db_step_done(c->db, st, _("storing an inventory item"));
}

enum cg_err store_inv_import(struct cg_db *db, const char *host, const char *file, const char *buf, size_t len,
			     enum inv_format f, const char *distro, int create_host, struct inv_import_stats *stats)
{
	struct inv_put_ctx c = {.db = db, .file = file};
	sqlite3_stmt *st;
	enum cg_err rc;
	int created = 0;

	memset(stats, 0, sizeof *stats);
	/* `cat /etc/os-release /var/lib/dpkg/status`: the release, then the packages */
	size_t skip = inv_os_release(buf, len, stats->distro_guessed, sizeof stats->distro_guessed);
	buf += skip;
	len -= skip;
	if (!distro && stats->distro_guessed[0])
		distro = stats->distro_guessed;
	else
		stats->distro_guessed[0] = '\0';
	if (f == INV_AUTO && (f = inv_detect(buf, len)) == INV_AUTO)
		return cg_err_set(CG_EPARSE, _("%s: cannot tell the inventory format; give --format"), file);
	c.kinds = inv_format_kinds(f);
	if ((rc = cg_db_begin(db)))
		return rc;
	if ((rc = host_id(db, host, create_host, &c.host_id, &created)))
		goto fail;
	/* A PowerShell program list and a hotfix list are separate files of the
	 * same format: each replaces only the kind it holds. */
	c.lazy = f == INV_WINCSV || f == INV_WINJSON;
	for (int k = 0; !c.lazy && k < INV_KIND_COUNT; k++) {
		if ((c.kinds & (1u << k)) && (rc = clear_kind(db, c.host_id, (enum inv_kind)k)))
			goto fail;
	}
	if ((rc = inv_parse(f, file, buf, len, put_item, &c, &stats->format)))
		goto fail;
	if ((rc = cg_db_stmt(db, "INSERT INTO inv_host(host_id, distro, updated_at) VALUES(?1, ?2, ?3)"
				 " ON CONFLICT(host_id) DO UPDATE SET distro = COALESCE(excluded.distro, distro),"
				 " updated_at = excluded.updated_at", &st)))
		goto fail;
	sqlite3_bind_int64(st, 1, c.host_id);
	cg_db_bind_text(st, 2, distro);
	sqlite3_bind_int64(st, 3, cg_now());
	if ((rc = cg_db_step_done(db, st, _("recording an inventory"))))
		goto fail;
	if ((rc = cg_db_stmt(db, "INSERT INTO inv_import(host_id, imported_at, file, format, n_items)"
				 " VALUES(?1, ?2, ?3, ?4, ?5)", &st)))
		goto fail;
	sqlite3_bind_int64(st, 1, c.host_id);
	sqlite3_bind_int64(st, 2, cg_now());
	cg_db_bind_text(st, 3, cg_file_basename(file));
	cg_db_bind_text(st, 4, inv_format_name(stats->format));
	sqlite3_bind_int64(st, 5, (sqlite3_int64)c.n);
	if ((rc = cg_db_step_done(db, st, _("recording an inventory"))))
		goto fail;
	if ((rc = cg_db_commit(db)))
		return rc;
	stats->items = c.n;
	stats->created_host = created;
	return CG_OK;
fail:
	cg_db_rollback(db);
	return rc;
}

enum cg_err store_inv_foreach(struct cg_db *db, const char *host, inv_item_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int64_t id;
	int created = 0, r;
	enum cg_err rc;

	if ((rc = host_id(db, host, 0, &id, &created)))
		return rc;
	if ((rc = cg_db_stmt(db, "SELECT kind, name, arch, version, source, source_version, cpe_update"
				 " FROM inv_item WHERE host_id = ?1 ORDER BY kind, name, arch", &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct inv_item it;
		if (inv_kind_parse(cg_db_col_text(st, 0), &it.kind))
			continue;
		it.name = cg_db_col_text(st, 1);
		it.arch = cg_db_col_text(st, 2);
		it.version = cg_db_col_text(st, 3);
		it.source = cg_db_col_text(st, 4);
		it.source_version = cg_db_col_text(st, 5);
		it.update = cg_db_col_text(st, 6);
		if ((rc = fn(ctx, &it))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return cg_db_rows_end(db, st, r, _("reading an inventory"));
}

/* ------------------------------------------------------------ advisories */

struct adv_ctx {
	struct cg_db *db;
	struct adv_import_stats *st;
};

/* ",microsoft," — the CPE vendors of a record and the domain of its CNA
 * (secure@microsoft.com), for watchlist rules. */
static void vendors_of(const struct adv_record *r, char *out, size_t n)
{
	size_t len = 0;
	char v[80];

	out[0] = '\0';
	for (size_t i = 0; i <= r->n_ranges; i++) {
		const char *p;
		size_t k;
		if (i < r->n_ranges) {
			if (strcmp(r->ranges[i].family, "cpe") != 0)
				continue;
			p = r->ranges[i].product;
			k = strcspn(p, ":");
		} else {
			if (!r->cna || !(p = strchr(r->cna, '@')))
				break;
			p++;
			k = strcspn(p, ".");
			if (!p[k])
				break; /* no domain label before a suffix */
		}
		if (k == 0 || k + 3 > sizeof v)
			continue;
		v[0] = ',';
		for (size_t j = 0; j < k; j++)
			v[j + 1] = (char)(p[j] >= 'A' && p[j] <= 'Z' ? p[j] - 'A' + 'a' : p[j]);
		v[k + 1] = ',';
		v[k + 2] = '\0';
		if (strstr(out, v) || len + k + 2 >= n)
			continue;
		memcpy(out + (len ? len - 1 : 0), v, k + 3);
		len = strlen(out);
	}
}

static enum cg_err put_vuln(struct cg_db *db, const struct adv_record *r, const char *id)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	char vendors[1024];

	/* NVD is the reference for scores and summaries; other sources fill gaps. */
	if (strcmp(r->source, "nvd") == 0)
		rc = cg_db_stmt(db,
				"INSERT INTO vuln(id, summary, published, modified, cvss, cvss_vector, severity,"
				" kev_added, kev_due, kev_action, vendors) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
				" ON CONFLICT(id) DO UPDATE SET summary = COALESCE(excluded.summary, summary),"
				" vendors = excluded.vendors,"
				" published = excluded.published, modified = excluded.modified,"
				" cvss = COALESCE(excluded.cvss, cvss), cvss_vector = COALESCE(excluded.cvss_vector, cvss_vector),"
				" severity = COALESCE(excluded.severity, severity),"
				" kev_added = COALESCE(kev_added, excluded.kev_added),"
				" kev_due = COALESCE(kev_due, excluded.kev_due), kev_action = COALESCE(kev_action, excluded.kev_action)",
				&st);
	else
		rc = cg_db_stmt(db,
				"INSERT INTO vuln(id, summary, published, modified, cvss, cvss_vector, severity,"
				" kev_added, kev_due, kev_action, vendors) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
				" ON CONFLICT(id) DO UPDATE SET summary = COALESCE(summary, excluded.summary),"
				" published = COALESCE(published, excluded.published),"
				" modified = COALESCE(modified, excluded.modified),"
				" cvss_vector = COALESCE(cvss_vector, excluded.cvss_vector)",
				&st);
	if (rc)
		return rc;
	cg_db_bind_text(st, 1, id);
	cg_db_bind_text(st, 2, r->summary);
	cg_db_bind_text(st, 3, r->published);
	cg_db_bind_text(st, 4, r->modified);
	if (r->cvss >= 0)
		sqlite3_bind_double(st, 5, r->cvss);
	cg_db_bind_text(st, 6, r->cvss_vector);
	cg_db_bind_text(st, 7, r->severity);
	cg_db_bind_text(st, 8, r->kev_added);
	cg_db_bind_text(st, 9, r->kev_due);
	cg_db_bind_text(st, 10, r->kev_action);
	vendors_of(r, vendors, sizeof vendors);
	cg_db_bind_text(st, 11, vendors[0] ? vendors : NULL);
	return cg_db_step_done(db, st, _("storing a vulnerability"));
}

static enum cg_err put_range(struct cg_db *db, const struct adv_record *r, const char *id, const struct adv_range *g)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db, "INSERT INTO vuln_range(source, ref, vuln_id, family, release, product, scheme,"
				 " cpe_update, exact, v_start, start_incl, v_end, end_incl, fixed, kb)"
				 " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)", &st)))
		return rc;
	cg_db_bind_text(st, 1, r->source);
	cg_db_bind_text(st, 2, r->ref);
	cg_db_bind_text(st, 3, id);
	cg_db_bind_text(st, 4, g->family);
	cg_db_bind_text(st, 5, nz(g->release));
	cg_db_bind_text(st, 6, g->product);
	cg_db_bind_text(st, 7, g->scheme);
	cg_db_bind_text(st, 8, nz(g->cpe_update));
	cg_db_bind_text(st, 9, g->exact);
	cg_db_bind_text(st, 10, g->start);
	sqlite3_bind_int(st, 11, g->start_incl);
	cg_db_bind_text(st, 12, g->end);
	sqlite3_bind_int(st, 13, g->end_incl);
	cg_db_bind_text(st, 14, g->fixed);
	cg_db_bind_text(st, 15, g->kb);
	return cg_db_step_done(db, st, _("storing an affected range"));
}

static enum cg_err put_record(void *vctx, const struct adv_record *r)
{
	struct adv_ctx *c = vctx;
	sqlite3_stmt *st;
	enum cg_err rc;
	int same = 0;

	c->st->records++;
	if ((rc = cg_db_stmt(c->db, "SELECT modified FROM vuln_advisory WHERE source = ?1 AND ref = ?2", &st)))
		return rc;
	cg_db_bind_text(st, 1, r->source);
	cg_db_bind_text(st, 2, r->ref);
	if (sqlite3_step(st) == SQLITE_ROW)
		same = r->modified && strcmp(cg_db_col_text(st, 0), r->modified) == 0;
	sqlite3_reset(st);
	if (same) {
		c->st->unchanged++;
		return CG_OK;
	}
	if ((rc = cg_db_stmt(c->db, "DELETE FROM vuln_range WHERE source = ?1 AND ref = ?2", &st)))
		return rc;
	cg_db_bind_text(st, 1, r->source);
	cg_db_bind_text(st, 2, r->ref);
	if ((rc = cg_db_step_done(c->db, st, _("replacing affected ranges"))))
		return rc;
	for (size_t i = 0; i < r->n_ids; i++) {
		if ((rc = put_vuln(c->db, r, r->ids[i])))
			return rc;
		for (size_t k = 0; k < r->n_ranges; k++) {
			if ((rc = put_range(c->db, r, r->ids[i], &r->ranges[k])))
				return rc;
			c->st->ranges++;
		}
	}
	if ((rc = cg_db_stmt(c->db, "INSERT INTO vuln_advisory(source, ref, modified, imported_at)"
				    " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(source, ref) DO UPDATE"
				    " SET modified = excluded.modified, imported_at = excluded.imported_at", &st)))
		return rc;
	cg_db_bind_text(st, 1, r->source);
	cg_db_bind_text(st, 2, r->ref);
	cg_db_bind_text(st, 3, r->modified);
	sqlite3_bind_int64(st, 4, cg_now());
	c->st->changed++;
	return cg_db_step_done(c->db, st, _("recording an advisory"));
}

static enum cg_err put_kev(void *vctx, const struct kev_entry *e)
{
	struct adv_ctx *c = vctx;
	sqlite3_stmt *st;
	enum cg_err rc;

	c->st->records++;
	if ((rc = cg_db_stmt(c->db, "INSERT INTO vuln(id, summary, kev_added, kev_due, kev_action, kev_ransomware)"
				    " VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO UPDATE SET"
				    " summary = COALESCE(summary, excluded.summary), kev_added = excluded.kev_added,"
				    " kev_due = excluded.kev_due, kev_action = excluded.kev_action,"
				    " kev_ransomware = excluded.kev_ransomware", &st)))
		return rc;
	cg_db_bind_text(st, 1, e->cve);
	cg_db_bind_text(st, 2, e->name);
	cg_db_bind_text(st, 3, e->added);
	cg_db_bind_text(st, 4, e->due);
	cg_db_bind_text(st, 5, e->action);
	cg_db_bind_text(st, 6, e->ransomware);
	c->st->changed++;
	return cg_db_step_done(c->db, st, _("storing a KEV entry"));
}

static enum cg_err put_epss(void *vctx, const struct epss_entry *e)
{
	struct adv_ctx *c = vctx;
	sqlite3_stmt *st;
	enum cg_err rc;

	c->st->records++;
	if ((rc = cg_db_stmt(c->db, "INSERT INTO epss(cve, score, percentile) VALUES(?1, ?2, ?3)"
				    " ON CONFLICT(cve) DO UPDATE SET score = excluded.score, percentile = excluded.percentile",
			     &st)))
		return rc;
	cg_db_bind_text(st, 1, e->cve);
	sqlite3_bind_double(st, 2, e->score);
	if (e->percentile >= 0)
		sqlite3_bind_double(st, 3, e->percentile);
	c->st->changed++;
	return cg_db_step_done(c->db, st, _("storing an EPSS score"));
}

enum cg_err store_adv_import(struct cg_db *db, enum adv_format f, const char *file, const char *buf, size_t len,
			     struct adv_import_stats *stats)
{
	struct adv_ctx c = {.db = db, .st = stats};
	enum cg_err rc;

	memset(stats, 0, sizeof *stats);
	stats->total = -1;
	if (f == ADV_AUTO && (f = adv_detect(buf, len)) == ADV_AUTO)
		return cg_err_set(CG_EPARSE, _("%s: cannot tell the advisory format; give --format"), file);
	stats->format = f;
	if ((rc = cg_db_begin(db)))
		return rc;
	switch (f) {
	case ADV_NVD: rc = nvd_parse(file, buf, len, put_record, &c, &stats->total); break;
	case ADV_OSV: rc = osv_parse(file, buf, len, put_record, &c); break;
	case ADV_KEV: rc = kev_parse(file, buf, len, put_kev, &c); break;
	case ADV_EPSS: rc = epss_parse(file, buf, len, put_epss, &c); break;
	default: rc = cg_err_set(CG_EINVAL, _("%s: unknown advisory format"), file); break;
	}
	if (rc) {
		cg_db_rollback(db);
		return rc;
	}
	return cg_db_commit(db);
}

enum cg_err store_adv_import_bundled(struct cg_db *db, struct adv_import_stats *st, size_t *n_watch)
{
	enum cg_err rc = store_adv_import(db, ADV_OSV, "vendor-advisories.json", vendor_advisories_json,
					  vendor_advisories_len, st);
	if (rc)
		return rc;
	return store_watch_import(db, "watchlist.json", watchlist_bundled_json, watchlist_bundled_len, "bundled",
				  n_watch);
}

enum cg_err store_vuln_matcher(struct cg_db *db, struct vuln_matcher **out)
{
	sqlite3_stmt *st;
	struct vuln_matcher *m;
	enum cg_err rc;
	int r;

	*out = NULL;
	if ((rc = vuln_matcher_new(&m)))
		return rc;
	if ((rc = cg_db_stmt(db, "SELECT vuln_id, source, ref, family, release, product, scheme, cpe_update, exact,"
				 " v_start, start_incl, v_end, end_incl, fixed, kb FROM vuln_range", &st)))
		goto fail;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
#define COL_OR_NULL(i) (sqlite3_column_type(st, i) == SQLITE_NULL ? NULL : cg_db_col_text(st, i))
		struct adv_range g = {
			.family = cg_db_col_text(st, 3),
			.release = cg_db_col_text(st, 4),
			.product = cg_db_col_text(st, 5),
			.scheme = cg_db_col_text(st, 6),
			.cpe_update = cg_db_col_text(st, 7),
			.exact = COL_OR_NULL(8),
			.start = COL_OR_NULL(9),
			.start_incl = sqlite3_column_int(st, 10),
			.end = COL_OR_NULL(11),
			.end_incl = sqlite3_column_int(st, 12),
			.fixed = COL_OR_NULL(13),
			.kb = COL_OR_NULL(14),
		};
#undef COL_OR_NULL
		if ((rc = vuln_matcher_add(m, cg_db_col_text(st, 0), cg_db_col_text(st, 1), cg_db_col_text(st, 2), &g))) {
			sqlite3_reset(st);
			goto fail;
		}
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		rc = cg_db_fail(db, _("reading affected ranges"));
		goto fail;
	}
	vuln_matcher_seal(m);
	*out = m;
	return CG_OK;
fail:
	vuln_matcher_free(m);
	return rc;
}

enum cg_err store_vuln_meta_get(struct cg_db *db, const char *key, char *buf, size_t n)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db, "SELECT value FROM vuln_meta WHERE key = ?1", &st)))
		return rc;
	cg_db_bind_text(st, 1, key);
	snprintf(buf, n, "%s", sqlite3_step(st) == SQLITE_ROW ? cg_db_col_text(st, 0) : "");
	sqlite3_reset(st);
	return CG_OK;
}

enum cg_err store_vuln_meta_set(struct cg_db *db, const char *key, const char *value)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db, "INSERT INTO vuln_meta(key, value) VALUES(?1, ?2)"
				 " ON CONFLICT(key) DO UPDATE SET value = excluded.value", &st)))
		return rc;
	cg_db_bind_text(st, 1, key);
	cg_db_bind_text(st, 2, value);
	return cg_db_step_done(db, st, _("storing a setting"));
}

/* ------------------------------------------------------------ watchlist */

struct watch_ctx {
	struct cg_db *db;
	const char *origin;
	size_t n;
};

enum cg_err store_watch_put(struct cg_db *db, const struct watch_entry *e, const char *origin)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	/* A bundled update never overwrites what a user recorded. */
	if ((rc = cg_db_stmt(db, "INSERT INTO watch(cve, title, letter_ref, letter_date, note, origin)"
				 " VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(cve) DO UPDATE SET"
				 " title = excluded.title, letter_ref = excluded.letter_ref,"
				 " letter_date = excluded.letter_date, note = excluded.note, origin = excluded.origin"
				 " WHERE excluded.origin = 'user' OR watch.origin = 'bundled'", &st)))
		return rc;
	cg_db_bind_text(st, 1, e->cve);
	cg_db_bind_text(st, 2, e->title);
	cg_db_bind_text(st, 3, e->reference);
	cg_db_bind_text(st, 4, e->date);
	cg_db_bind_text(st, 5, e->note);
	cg_db_bind_text(st, 6, origin);
	return cg_db_step_done(db, st, _("storing a watchlist entry"));
}

static enum cg_err watch_cb(void *vctx, const struct watch_entry *e)
{
	struct watch_ctx *c = vctx;
	c->n++;
	return store_watch_put(c->db, e, c->origin);
}

static enum cg_err watch_rule_cb(void *vctx, const struct watch_rule *r)
{
	struct watch_ctx *c = vctx;
	c->n++;
	return store_watch_rule_put(c->db, r, c->origin);
}

enum cg_err store_watch_rule_put(struct cg_db *db, const struct watch_rule *r, const char *origin)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db, "INSERT INTO watch_rule(vendor, published_from, published_to, cvss_min, title,"
				 " letter_ref, letter_date, note, origin) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
				 " ON CONFLICT(vendor, published_from, published_to, cvss_min, letter_ref) DO UPDATE SET"
				 " title = excluded.title, letter_date = excluded.letter_date, note = excluded.note,"
				 " origin = excluded.origin WHERE excluded.origin = 'user' OR watch_rule.origin = 'bundled'",
			     &st)))
		return rc;
	cg_db_bind_text(st, 1, r->vendor);
	cg_db_bind_text(st, 2, r->published_from);
	cg_db_bind_text(st, 3, r->published_to);
	sqlite3_bind_double(st, 4, r->cvss_min);
	cg_db_bind_text(st, 5, r->title);
	cg_db_bind_text(st, 6, r->reference);
	cg_db_bind_text(st, 7, r->date);
	cg_db_bind_text(st, 8, r->note);
	cg_db_bind_text(st, 9, origin);
	return cg_db_step_done(db, st, _("storing a watchlist rule"));
}

enum cg_err store_watch_rule_foreach(struct cg_db *db, watch_rule_row_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int r;

	if ((rc = cg_db_stmt(db, "SELECT id, vendor, published_from, published_to, cvss_min, title, letter_ref,"
				 " letter_date, note, origin FROM watch_rule ORDER BY letter_date DESC, id", &st)))
		return rc;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct watch_rule w = {
			.id = sqlite3_column_int64(st, 0),
			.vendor = cg_db_col_text(st, 1),
			.published_from = cg_db_col_text(st, 2),
			.published_to = cg_db_col_text(st, 3),
			.cvss_min = sqlite3_column_double(st, 4),
			.title = cg_db_col_text(st, 5),
			.reference = cg_db_col_text(st, 6),
			.date = cg_db_col_text(st, 7),
			.note = cg_db_col_text(st, 8),
		};
		if ((rc = fn(ctx, &w, cg_db_col_text(st, 9)))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return cg_db_rows_end(db, st, r, _("reading the watchlist rules"));
}

enum cg_err store_watch_rule_remove(struct cg_db *db, int64_t id)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db, "DELETE FROM watch_rule WHERE id = ?1", &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = cg_db_step_done(db, st, _("removing a watchlist rule"))))
		return rc;
	if (sqlite3_changes(cg_db_handle(db)) == 0)
		return cg_err_set(CG_ENOTFOUND, _("watchlist rule %lld does not exist"), (long long)id);
	return CG_OK;
}

enum cg_err store_watch_import(struct cg_db *db, const char *file, const char *buf, size_t len, const char *origin,
			       size_t *n)
{
	struct watch_ctx c = {.db = db, .origin = origin};
	enum cg_err rc;

	if ((rc = cg_db_begin(db)))
		return rc;
	if ((rc = watchlist_parse_rules(file, buf, len, watch_cb, watch_rule_cb, &c))) {
		cg_db_rollback(db);
		return rc;
	}
	if (n)
		*n = c.n;
	return cg_db_commit(db);
}

enum cg_err store_watch_remove(struct cg_db *db, const char *cve)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db, "DELETE FROM watch WHERE cve = ?1", &st)))
		return rc;
	cg_db_bind_text(st, 1, cve);
	if ((rc = cg_db_step_done(db, st, _("removing a watchlist entry"))))
		return rc;
	if (sqlite3_changes(cg_db_handle(db)) == 0)
		return cg_err_set(CG_ENOTFOUND, _("%s is not on the watchlist"), cve);
	return CG_OK;
}

enum cg_err store_watch_foreach(struct cg_db *db, watch_row_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int r;

	if ((rc = cg_db_stmt(db, "SELECT cve, title, letter_ref, letter_date, note, origin FROM watch"
				 " ORDER BY letter_date DESC, cve", &st)))
		return rc;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct watch_entry e = {cg_db_col_text(st, 0), cg_db_col_text(st, 1), cg_db_col_text(st, 2),
					cg_db_col_text(st, 3), cg_db_col_text(st, 4)};
		if ((rc = fn(ctx, &e, cg_db_col_text(st, 5)))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return cg_db_rows_end(db, st, r, _("reading the watchlist"));
}

/* ------------------------------------------------------------ scans */

struct scan_ctx {
	struct cg_db *db;
	int64_t host_id, scan_id, now;
	struct scan_stats *st;
};

static enum cg_err put_finding(void *vctx, const struct inv_item *it, const struct vuln_hit *h)
{
	struct scan_ctx *c = vctx;
	sqlite3_stmt *st;
	enum cg_err rc;
	int64_t id = 0;
	char state[16] = "";

	if ((rc = cg_db_stmt(c->db, "SELECT id, state FROM vuln_finding"
				    " WHERE host_id = ?1 AND kind = ?2 AND package = ?3 AND vuln_id = ?4", &st)))
		return rc;
	sqlite3_bind_int64(st, 1, c->host_id);
	cg_db_bind_text(st, 2, inv_kind_name(it->kind));
	cg_db_bind_text(st, 3, it->name);
	cg_db_bind_text(st, 4, h->vuln_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		snprintf(state, sizeof state, "%s", cg_db_col_text(st, 1));
	}
	sqlite3_reset(st);
	if (!id) {
		if ((rc = cg_db_stmt(c->db, "INSERT INTO vuln_finding(host_id, kind, package, vuln_id, installed,"
					    " fixed_version, source, ref, state, first_seen, last_seen, state_at, last_scan, note)"
					    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open', ?9, ?9, ?9, ?10, ?11)", &st)))
			return rc;
		c->st->found_new++;
	} else {
		if ((rc = cg_db_stmt(c->db, "UPDATE vuln_finding SET installed = ?5, fixed_version = ?6, source = ?7,"
					    " ref = ?8, last_seen = ?9, last_scan = ?10, note = ?11,"
					    " state = CASE state WHEN 'fixed' THEN 'open' ELSE state END,"
					    " state_at = CASE state WHEN 'fixed' THEN ?9 ELSE state_at END,"
					    " reason = CASE state WHEN 'fixed' THEN NULL ELSE reason END"
					    " WHERE host_id = ?1 AND kind = ?2 AND package = ?3 AND vuln_id = ?4", &st)))
			return rc;
		if (strcmp(state, "fixed") == 0)
			c->st->reopened++;
	}
	sqlite3_bind_int64(st, 1, c->host_id);
	cg_db_bind_text(st, 2, inv_kind_name(it->kind));
	cg_db_bind_text(st, 3, it->name);
	cg_db_bind_text(st, 4, h->vuln_id);
	cg_db_bind_text(st, 5, it->version);
	cg_db_bind_text(st, 6, h->fixed && *h->fixed ? h->fixed : NULL);
	cg_db_bind_text(st, 7, h->source);
	cg_db_bind_text(st, 8, h->ref);
	sqlite3_bind_int64(st, 9, c->now);
	sqlite3_bind_int64(st, 10, c->scan_id);
	cg_db_bind_text(st, 11, h->note);
	c->st->open++;
	return cg_db_step_done(c->db, st, _("storing a finding"));
}

struct host_ref {
	int64_t id;
	char *distro;
};

static void host_refs_free(struct host_ref *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].distro);
	free(v);
}

static enum cg_err scope_hosts(struct cg_db *db, const char *system, const char *host, struct host_ref **out,
			       size_t *n)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	size_t alloc = 0;
	int r;

	*out = NULL;
	*n = 0;
	if (system) {
		if ((rc = cg_db_stmt(db, "SELECT 1 FROM system WHERE name = ?1", &st)))
			return rc;
		cg_db_bind_text(st, 1, system);
		r = sqlite3_step(st);
		sqlite3_reset(st);
		if (r != SQLITE_ROW)
			return cg_err_set(CG_ENOTFOUND, _("system '%s' does not exist"), system);
	}
	if (host) {
		int64_t id;
		int created = 0;
		if ((rc = host_id(db, host, 0, &id, &created)))
			return rc;
	}
	if ((rc = cg_db_stmt(db, "SELECT h.id, ih.distro FROM host h LEFT JOIN system s ON s.id = h.system_id"
				 " JOIN inv_host ih ON ih.host_id = h.id"
				 " WHERE (?1 IS NULL OR s.name = ?1) AND (?2 IS NULL OR h.name = ?2) ORDER BY h.id", &st)))
		return rc;
	cg_db_bind_text(st, 1, system);
	cg_db_bind_text(st, 2, host);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == alloc) {
			size_t na = alloc ? alloc * 2 : 64;
			struct host_ref *p = realloc(*out, na * sizeof *p);
			if (!p) {
				rc = cg_err_set(CG_ENOMEM, _("out of memory"));
				break;
			}
			*out = p;
			alloc = na;
		}
		(*out)[*n].id = sqlite3_column_int64(st, 0);
		(*out)[*n].distro = sqlite3_column_type(st, 1) == SQLITE_NULL ? NULL : strdup(cg_db_col_text(st, 1));
		(*n)++;
	}
	sqlite3_reset(st);
	if (!rc && r != SQLITE_DONE)
		rc = cg_db_fail(db, _("listing hosts to scan"));
	return rc;
}

struct item_list {
	struct inv_item *v;
	char **strs;
	size_t n, alloc;
};

static void item_list_free(struct item_list *l)
{
	for (size_t i = 0; i < l->n * 6; i++)
		free(l->strs[i]);
	free(l->strs);
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* Items of one host, copied so the scan can write while holding them. */
static enum cg_err host_items(struct cg_db *db, int64_t id, struct item_list *l)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int r;

	if ((rc = cg_db_stmt(db, "SELECT kind, name, arch, version, source, source_version, cpe_update"
				 " FROM inv_item WHERE host_id = ?1", &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		enum inv_kind k;
		if (inv_kind_parse(cg_db_col_text(st, 0), &k))
			continue;
		if (l->n == l->alloc) {
			size_t na = l->alloc ? l->alloc * 2 : 256;
			struct inv_item *p = realloc(l->v, na * sizeof *p);
			char **s = p ? realloc(l->strs, na * 6 * sizeof *s) : NULL;
			if (p)
				l->v = p;
			if (!p || !s) {
				sqlite3_reset(st);
				return cg_err_set(CG_ENOMEM, _("out of memory"));
			}
			l->strs = s;
			l->alloc = na;
		}
		char **s = &l->strs[l->n * 6];
		for (int i = 0; i < 6; i++)
			s[i] = strdup(cg_db_col_text(st, i + 1));
		l->v[l->n] = (struct inv_item){.kind = k, .name = s[0], .arch = s[1], .version = s[2], .source = s[3],
					       .source_version = s[4], .update = s[5]};
		l->n++;
		for (int i = 0; i < 6; i++)
			if (!s[i]) {
				sqlite3_reset(st);
				return cg_err_set(CG_ENOMEM, _("out of memory"));
			}
	}
	return cg_db_rows_end(db, st, r, _("reading an inventory"));
}

struct host_kbs {
	char **v;
	size_t n, alloc;
};

static void host_kbs_free(struct host_kbs *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->v[i]);
	free(k->v);
	memset(k, 0, sizeof *k);
}

/* The hotfixes of a host: its Get-HotFix/systeminfo items, and the KB
 * numbers in the names of installed updates ("Security Update for Exchange
 * Server 2016 CU23 (KB5029388)"), which Get-HotFix does not list. */
static enum cg_err collect_kbs(const struct item_list *items, struct host_kbs *out)
{
	char kb[32];

	for (size_t i = 0; i < items->n; i++) {
		const struct inv_item *it = &items->v[i];
		if (it->kind == INV_KIND_WIN_KB)
			snprintf(kb, sizeof kb, "%s", it->name);
		else if (it->kind != INV_KIND_WIN_PROGRAM || !winprod_kb_in(it->name, kb, sizeof kb))
			continue;
		if (out->n == out->alloc) {
			size_t na = out->alloc ? out->alloc * 2 : 16;
			char **p = realloc(out->v, na * sizeof *p);
			if (!p)
				return cg_err_set(CG_ENOMEM, _("out of memory"));
			out->v = p;
			out->alloc = na;
		}
		if (!(out->v[out->n] = strdup(kb)))
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		out->n++;
	}
	return CG_OK;
}

static const char SQL_NO_DISTRO[] =
	"SELECT h.name FROM host h LEFT JOIN system s ON s.id = h.system_id JOIN inv_host ih ON ih.host_id = h.id"
	" WHERE ih.distro IS NULL AND (?1 IS NULL OR s.name = ?1) AND (?2 IS NULL OR h.name = ?2)"
	" AND EXISTS (SELECT 1 FROM inv_item ii WHERE ii.host_id = h.id AND ii.kind IN ('deb', 'rpm'))"
	" ORDER BY h.name";
static const char SQL_RELEASES[] =
	"SELECT family, group_concat(release, ', ') FROM (SELECT DISTINCT family, release FROM vuln_range"
	" WHERE family IN ('deb', 'rpm') AND release <> '' ORDER BY family, release) GROUP BY family ORDER BY family";

enum cg_err store_vuln_no_distro(struct cg_db *db, const char *system, const char *host, no_distro_fn fn, void *ctx)
{
	struct cg_buf rel;
	sqlite3_stmt *st;
	enum cg_err rc;
	int r;

	cg_buf_init(&rel, 1 << 16);
	if ((rc = cg_db_stmt(db, SQL_RELEASES, &st)))
		goto out;
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = cg_buf_printf(&rel, "%s%s %s", rel.len ? "; " : "", cg_db_col_text(st, 0),
					cg_db_col_text(st, 1)))) {
			sqlite3_reset(st);
			goto out;
		}
	if ((rc = cg_db_rows_end(db, st, r, _("listing advisory releases"))))
		goto out;
	if ((rc = cg_db_stmt(db, SQL_NO_DISTRO, &st)))
		goto out;
	cg_db_bind_text(st, 1, system);
	cg_db_bind_text(st, 2, host);
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = fn(ctx, cg_db_col_text(st, 0), rel.len ? rel.data : ""))) {
			sqlite3_reset(st);
			goto out;
		}
	rc = cg_db_rows_end(db, st, r, _("listing hosts without a distribution"));
out:
	cg_buf_free(&rel);
	return rc;
}

enum cg_err store_vuln_scan(struct cg_db *db, const struct vuln_matcher *m, const char *system, const char *host,
			    struct scan_stats *stats)
{
	struct host_ref *hosts = NULL;
	size_t nh = 0;
	sqlite3_stmt *st;
	struct scan_ctx c = {.db = db, .st = stats, .now = cg_now()};
	char scope[600];
	enum cg_err rc;

	memset(stats, 0, sizeof *stats);
	if ((rc = cg_db_begin(db)))
		return rc;
	if ((rc = scope_hosts(db, system, host, &hosts, &nh)))
		goto fail;
	snprintf(scope, sizeof scope, "%s%s%s%s", system ? "system=" : "", system ? system : "",
		 host ? (system ? " host=" : "host=") : "", host ? host : "");
	if ((rc = cg_db_stmt(db, "INSERT INTO vuln_scan(started_at, scope) VALUES(?1, ?2)", &st)))
		goto fail;
	sqlite3_bind_int64(st, 1, c.now);
	cg_db_bind_text(st, 2, scope[0] ? scope : "all");
	if ((rc = cg_db_step_done(db, st, _("recording a scan"))))
		goto fail;
	c.scan_id = stats->scan_id = sqlite3_last_insert_rowid(cg_db_handle(db));
	for (size_t i = 0; i < nh; i++) {
		struct item_list items = {0};
		struct host_kbs kbs = {0};
		c.host_id = hosts[i].id;
		rc = host_items(db, c.host_id, &items);
		if (!rc)
			rc = collect_kbs(&items, &kbs);
		struct vuln_host vh = {.distro = hosts[i].distro, .kbs = (const char *const *)kbs.v, .n_kbs = kbs.n,
				       .items = items.v, .n_items = items.n};
		for (size_t k = 0; !rc && k < items.n; k++)
			rc = vuln_matcher_match_host(m, &items.v[k], &vh, put_finding, &c);
		stats->items += items.n;
		item_list_free(&items);
		host_kbs_free(&kbs);
		if (rc)
			goto fail;
		if ((rc = cg_db_stmt(db, "UPDATE vuln_finding SET state = 'fixed', state_at = ?3"
					 " WHERE host_id = ?1 AND state <> 'fixed' AND (last_scan IS NULL OR last_scan <> ?2)",
				     &st)))
			goto fail;
		sqlite3_bind_int64(st, 1, c.host_id);
		sqlite3_bind_int64(st, 2, c.scan_id);
		sqlite3_bind_int64(st, 3, c.now);
		if ((rc = cg_db_step_done(db, st, _("marking fixed findings"))))
			goto fail;
		stats->fixed += (size_t)sqlite3_changes(cg_db_handle(db));
		stats->hosts++;
	}
	if ((rc = cg_db_stmt(db, "UPDATE vuln_scan SET n_hosts = ?2, n_items = ?3, n_open = ?4, n_new = ?5,"
				 " n_fixed = ?6 WHERE id = ?1", &st)))
		goto fail;
	sqlite3_bind_int64(st, 1, c.scan_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)stats->hosts);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)stats->items);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)stats->open);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)stats->found_new);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)stats->fixed);
	if ((rc = cg_db_step_done(db, st, _("recording a scan"))))
		goto fail;
	host_refs_free(hosts, nh);
	return cg_db_commit(db);
fail:
	host_refs_free(hosts, nh);
	cg_db_rollback(db);
	return rc;
}

/* ------------------------------------------------------------ findings */

enum cg_err store_finding_foreach(struct cg_db *db, const struct finding_filter *flt, finding_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int r;

	if ((rc = cg_db_stmt(db,
			     "SELECT f.id, h.name, s.name, s.level, f.kind, f.package, f.installed, f.fixed_version,"
			     " f.vuln_id, v.summary, v.severity, v.cvss, e.score, v.kev_added, v.kev_due,"
			     " COALESCE(w.letter_ref, wr.letter_ref), COALESCE(w.letter_date, wr.letter_date),"
			     " COALESCE(w.title, wr.title), f.state, f.reason, f.source, f.ref,"
			     " f.first_seen, f.state_at, CASE WHEN w.cve IS NULL THEN wr.id END, f.note"
			     " FROM vuln_finding f JOIN host h ON h.id = f.host_id"
			     " LEFT JOIN system s ON s.id = h.system_id LEFT JOIN vuln v ON v.id = f.vuln_id"
			     " LEFT JOIN watch w ON w.cve = f.vuln_id LEFT JOIN epss e ON e.cve = f.vuln_id"
			     " LEFT JOIN watch_rule wr ON wr.id = (SELECT x.id FROM watch_rule x"
			     "   WHERE instr(v.vendors, ',' || x.vendor || ',') > 0 AND v.cvss >= x.cvss_min"
			     "   AND substr(v.published, 1, 10) BETWEEN x.published_from AND x.published_to"
			     "   ORDER BY x.letter_date DESC, x.id LIMIT 1)"
			     " WHERE (?1 IS NULL OR s.name = ?1) AND (?2 IS NULL OR h.name = ?2)"
			     " AND (?3 IS NULL OR f.state = ?3) AND (?4 IS NULL OR f.vuln_id = ?4)"
			     " ORDER BY (w.cve IS NULL AND wr.id IS NULL), (v.kev_added IS NULL), COALESCE(v.cvss, -1) DESC,"
			     " COALESCE(e.score, -1) DESC, COALESCE(s.level, 0) DESC, h.name, f.vuln_id, f.package"
			     " LIMIT ?5", &st)))
		return rc;
	cg_db_bind_text(st, 1, flt->system);
	cg_db_bind_text(st, 2, flt->host);
	cg_db_bind_text(st, 3, flt->state);
	cg_db_bind_text(st, 4, flt->vuln_id);
	sqlite3_bind_int64(st, 5, flt->limit > 0 ? flt->limit : -1);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct finding f = {
			.id = sqlite3_column_int64(st, 0),
			.host = cg_db_col_text(st, 1),
			.system = cg_db_col_text(st, 2),
			.level = sqlite3_column_int(st, 3),
			.kind = cg_db_col_text(st, 4),
			.package = cg_db_col_text(st, 5),
			.installed = cg_db_col_text(st, 6),
			.fixed = cg_db_col_text(st, 7),
			.vuln_id = cg_db_col_text(st, 8),
			.summary = cg_db_col_text(st, 9),
			.severity = cg_db_col_text(st, 10),
			.cvss = sqlite3_column_type(st, 11) == SQLITE_NULL ? -1 : sqlite3_column_double(st, 11),
			.epss = sqlite3_column_type(st, 12) == SQLITE_NULL ? -1 : sqlite3_column_double(st, 12),
			.kev_added = cg_db_col_text(st, 13),
			.kev_due = cg_db_col_text(st, 14),
			.watch_ref = cg_db_col_text(st, 15),
			.watch_date = cg_db_col_text(st, 16),
			.watch_title = cg_db_col_text(st, 17),
			.state = cg_db_col_text(st, 18),
			.reason = cg_db_col_text(st, 19),
			.source = cg_db_col_text(st, 20),
			.ref = cg_db_col_text(st, 21),
			.first_seen = sqlite3_column_int64(st, 22),
			.state_at = sqlite3_column_int64(st, 23),
			.watch_rule = sqlite3_column_int64(st, 24),
			.note = cg_db_col_text(st, 25),
		};
		if ((rc = fn(ctx, &f))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return cg_db_rows_end(db, st, r, _("reading findings"));
}

static enum cg_err finding_state(struct cg_db *db, int64_t id, char *state, size_t n)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int r;

	if ((rc = cg_db_stmt(db, "SELECT state FROM vuln_finding WHERE id = ?1", &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		snprintf(state, n, "%s", cg_db_col_text(st, 0));
	sqlite3_reset(st);
	if (r != SQLITE_ROW)
		return cg_err_set(CG_ENOTFOUND, _("finding %lld does not exist"), (long long)id);
	return CG_OK;
}

enum cg_err store_finding_accept(struct cg_db *db, int64_t id, const char *reason)
{
	sqlite3_stmt *st;
	char state[16];
	enum cg_err rc;

	if (!reason || !*reason)
		return cg_err_set(CG_EINVAL, _("accepting a finding needs a reason"));
	if (strlen(reason) > 4096)
		return cg_err_set(CG_ELIMIT, _("reason longer than 4096 bytes"));
	if ((rc = finding_state(db, id, state, sizeof state)))
		return rc;
	if (strcmp(state, "fixed") == 0)
		return cg_err_set(CG_EINVAL, _("finding %lld is fixed; nothing to accept"), (long long)id);
	if ((rc = cg_db_stmt(db, "UPDATE vuln_finding SET state = 'accepted', reason = ?2, state_at = ?3 WHERE id = ?1",
			     &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	cg_db_bind_text(st, 2, reason);
	sqlite3_bind_int64(st, 3, cg_now());
	return cg_db_step_done(db, st, _("accepting a finding"));
}

enum cg_err store_finding_reopen(struct cg_db *db, int64_t id)
{
	sqlite3_stmt *st;
	char state[16];
	enum cg_err rc;

	if ((rc = finding_state(db, id, state, sizeof state)))
		return rc;
	if (strcmp(state, "accepted") != 0)
		return cg_err_set(CG_EINVAL, _("finding %lld is %s, not accepted"), (long long)id, state);
	if ((rc = cg_db_stmt(db, "UPDATE vuln_finding SET state = 'open', reason = NULL, state_at = ?2 WHERE id = ?1",
			     &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, cg_now());
	return cg_db_step_done(db, st, _("reopening a finding"));
}
