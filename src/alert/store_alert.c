/* Alerts in SQLite (see store_alert.h). */
#include "store_alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_hash.h"
#include "cg_i18n.h"
#include "db.h"

enum {
	ST_HOST_BY_ID,
	ST_HOST_BY_NAME,
	ST_SEEN,
	ST_FIND_OPEN,
	ST_INSERT,
	ST_UPDATE,
	ST_INSERT_EVENT,
	ST_LIST,
	ST_GET,
	ST_EVENTS,
	ST_SET_STATE,
	ST_COUNTS,
	ST_GET_STATE,
	ST_NOTE_ADD,
	ST_NOTES,
	ST_COUNT
};

#define ALERT_COLS                                                                                                    \
	"a.uid, a.kind, coalesce(a.rule_id, ''), coalesce(a.title, ''), coalesce(a.level, ''),"                     \
	" coalesce(a.indicator, ''), coalesce(a.indicator_type, ''), coalesce(a.sources, ''),"                      \
	" coalesce(a.family, ''), a.severity, coalesce(a.host_id, 0), a.host_label, coalesce(a.system, ''),"         \
	" coalesce(a.security_level, 0), a.count, coalesce(a.first_seen, 0), coalesce(a.last_seen, 0),"             \
	" a.created_at, a.updated_at, a.state, coalesce(a.state_by, ''), coalesce(a.state_at, 0)"

#define OPEN_STATES "('new', 'verified', 'escalated')"

static const char *const sql[ST_COUNT] = {
	[ST_HOST_BY_ID] = "SELECT h.id, h.name, coalesce(s.name, ''), coalesce(s.level, 0) FROM host h"
			  " LEFT JOIN system s ON s.id = h.system_id WHERE h.id = ?1",
	/* Exact name first, then the name with or without its domain. */
	[ST_HOST_BY_NAME] = "SELECT h.id, h.name, coalesce(s.name, ''), coalesce(s.level, 0) FROM host h"
			    " LEFT JOIN system s ON s.id = h.system_id"
			    " WHERE h.name = ?1 COLLATE NOCASE OR h.name LIKE ?1 || '.%' OR ?1 LIKE h.name || '.%'"
			    " ORDER BY h.name = ?1 COLLATE NOCASE DESC, h.id LIMIT 1",
	[ST_SEEN] = "SELECT 1 FROM alert_event e JOIN alert a ON a.id = e.alert_id"
		    " WHERE e.file = ?4 AND e.line = ?5 AND e.record_id = ?6 AND e.ehash = ?7"
		    " AND a.kind = ?1 AND a.akey = ?2 AND a.host_key = ?3 LIMIT 1",
	[ST_FIND_OPEN] = "SELECT id, count, coalesce(last_seen, created_at), uid FROM alert WHERE kind = ?1 AND akey = ?2 AND host_key = ?3"
			 " AND state IN " OPEN_STATES " ORDER BY id DESC LIMIT 1",
	[ST_INSERT] = "INSERT INTO alert(uid, kind, akey, host_key, rule_id, title, level, indicator, indicator_type,"
		      " sources, family, severity, host_id, host_label, system, security_level, count, first_seen,"
		      " last_seen, created_at, updated_at, state)"
		      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, 1, ?17, ?17,"
		      " ?18, ?18, 'new')",
	[ST_UPDATE] = "UPDATE alert SET count = count + 1,"
		      " first_seen = CASE WHEN ?2 IS NULL THEN first_seen WHEN first_seen IS NULL OR ?2 < first_seen"
		      "  THEN ?2 ELSE first_seen END,"
		      " last_seen = CASE WHEN ?2 IS NULL THEN last_seen WHEN last_seen IS NULL OR ?2 > last_seen"
		      "  THEN ?2 ELSE last_seen END,"
		      " severity = max(severity, ?3), sources = coalesce(?4, sources), updated_at = ?5 WHERE id = ?1",
	[ST_INSERT_EVENT] = "INSERT OR IGNORE INTO alert_event(alert_id, file, line, record_id, ehash, event_time,"
			    " excerpt) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[ST_LIST] = "SELECT " ALERT_COLS " FROM alert a"
		    " WHERE (?1 = '' OR a.kind = ?1) AND (?2 = 0 OR a.host_id = ?2)"
		    " AND (?3 = 0 OR a.state IN " OPEN_STATES ") AND a.severity >= ?4"
		    " ORDER BY a.severity DESC, a.last_seen DESC, a.uid LIMIT ?5",
	[ST_GET] = "SELECT " ALERT_COLS " FROM alert a WHERE a.uid = ?1",
	[ST_EVENTS] = "SELECT e.file, e.line, e.record_id, coalesce(e.event_time, 0), coalesce(e.excerpt, '')"
		      " FROM alert_event e JOIN alert a ON a.id = e.alert_id WHERE a.uid = ?1"
		      " ORDER BY coalesce(e.event_time, 0), e.file, e.line, e.record_id LIMIT ?2",
	[ST_SET_STATE] = "UPDATE alert SET state = ?2, state_by = ?3, state_at = ?4, updated_at = ?4 WHERE uid = ?1",
	[ST_COUNTS] = "SELECT state, severity, coalesce(security_level, 0), count(*) FROM alert GROUP BY 1, 2, 3",
	[ST_GET_STATE] = "SELECT id, state FROM alert WHERE uid = ?1",
	[ST_NOTE_ADD] = "INSERT INTO alert_note(alert_id, at, by, from_state, to_state, text) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_NOTES] = "SELECT n.at, coalesce(n.by, ''), coalesce(n.from_state, ''), coalesce(n.to_state, ''),"
		     " coalesce(n.text, '') FROM alert_note n JOIN alert a ON a.id = n.alert_id WHERE a.uid = ?1"
		     " ORDER BY n.id",
};

/* The host an alert is about, remembered for the next alert of the same
 * name (a hunt's hits come in runs per host). */
struct host_memo {
	char name[256];
	int looked_up;
	int64_t id;
	char label[256], system[256];
	int level;
};

struct alert_store {
	struct cg_db *db;
	int64_t now;
	int64_t window; /* seconds; 0: none */
	uint64_t event_cap; /* events listed per alert; 0: all */
	sqlite3_stmt *st[ST_COUNT];
	int own_txn;
	size_t in_txn;
	struct host_memo memo;
};

enum cg_err alert_store_open(struct cg_db *db, int64_t now, struct alert_store **out)
{
	struct alert_store *s;

	*out = NULL;
	if (!(s = calloc(1, sizeof *s)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	s->db = db;
	s->now = now;
	for (int i = 0; i < ST_COUNT; i++) {
		if (sqlite3_prepare_v3(cg_db_handle(db), sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) !=
		    SQLITE_OK) {
			enum cg_err rc = cg_db_fail(db, _("alert: preparing a statement"));
			alert_store_close(s);
			return rc;
		}
	}
	*out = s;
	return CG_OK;
}

enum cg_err alert_store_flush(struct alert_store *s)
{
	if (!s || !s->own_txn)
		return CG_OK;
	s->own_txn = 0;
	s->in_txn = 0;
	return cg_db_commit(s->db);
}

void alert_store_abort(struct alert_store *s)
{
	if (!s || !s->own_txn)
		return;
	s->own_txn = 0;
	s->in_txn = 0;
	cg_db_rollback(s->db);
}

void alert_store_close(struct alert_store *s)
{
	if (!s)
		return;
	if (alert_store_flush(s))
		cg_err_clear();
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	free(s);
}

static sqlite3_stmt *stmt(struct alert_store *s, int which)
{
	sqlite3_reset(s->st[which]);
	sqlite3_clear_bindings(s->st[which]);
	return s->st[which];
}

/* Stable across versions, which the de-duplication of events relies on. */
static int64_t text_hash(const char *p, size_t n)
{
	return (int64_t)(cg_hash_stable(p, n) >> 1);
}

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

/* Fill s->memo for (host_id, host). */
static enum cg_err resolve_host(struct alert_store *s, int64_t host_id, const char *host)
{
	struct host_memo *m = &s->memo;
	sqlite3_stmt *st;
	int step;

	if (!host)
		host = "";
	if (host_id <= 0 && m->looked_up && strcmp(m->name, host) == 0)
		return CG_OK;
	if (host_id > 0 && m->looked_up && m->id == host_id)
		return CG_OK;
	memset(m, 0, sizeof *m);
	copy(m->name, sizeof m->name, host);
	copy(m->label, sizeof m->label, host);
	if (host_id > 0) {
		st = stmt(s, ST_HOST_BY_ID);
		sqlite3_bind_int64(st, 1, host_id);
	} else if (*host) {
		st = stmt(s, ST_HOST_BY_NAME);
		cg_db_bind_text(st, 1, host);
	} else {
		m->looked_up = 1;
		return CG_OK;
	}
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		m->id = sqlite3_column_int64(st, 0);
		copy(m->label, sizeof m->label, cg_db_col_text(st, 1));
		copy(m->system, sizeof m->system, cg_db_col_text(st, 2));
		m->level = sqlite3_column_int(st, 3);
	} else if (step != SQLITE_DONE) {
		enum cg_err rc = cg_db_fail(s->db, _("alert: looking up a host"));
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	if (host_id > 0 && !m->id)
		m->id = 0; /* the host is gone: a label only */
	m->looked_up = 1;
	return CG_OK;
}

/* The aggregation key of `a`: "<rule id>" or "<type>:<value>". */
static void agg_key(const struct alert *a, char *buf, size_t n)
{
	if (a->kind == ALERT_KIND_INDICATOR)
		snprintf(buf, n, "%s:%s", a->indicator_type ? a->indicator_type : "", a->indicator ? a->indicator : "");
	else if (a->kind == ALERT_KIND_THRESHOLD && a->indicator && *a->indicator)
		snprintf(buf, n, "%s|%s", a->rule_id ? a->rule_id : "", a->indicator); /* per group */
	else
		snprintf(buf, n, "%s", a->rule_id ? a->rule_id : "");
}

static void host_key(const struct host_memo *m, char *buf, size_t n)
{
	if (m->id > 0) {
		snprintf(buf, n, "host:%lld", (long long)m->id);
		return;
	}
	size_t i = 0, o = snprintf(buf, n, "label:") > 0 ? 6 : 0;
	for (; m->label[i] && o + 1 < n; i++)
		buf[o++] = (char)((m->label[i] >= 'A' && m->label[i] <= 'Z') ? m->label[i] + 32 : m->label[i]);
	buf[o] = '\0';
}

static const char *nz(const char *s)
{
	return s && *s ? s : NULL;
}

static enum cg_err begin_if_needed(struct alert_store *s)
{
	enum cg_err rc;

	if (s->own_txn || !sqlite3_get_autocommit(cg_db_handle(s->db)))
		return CG_OK; /* ours, or the caller's */
	if ((rc = cg_db_begin(s->db)))
		return rc;
	s->own_txn = 1;
	s->in_txn = 0;
	return CG_OK;
}

static enum cg_err step_done(struct alert_store *s, sqlite3_stmt *st, const char *what)
{
	return cg_db_step_done(s->db, st, what);
}

enum cg_err alert_store_add(struct alert_store *s, const struct alert *a, const struct alert_event *ev,
			    int *added)
{
	struct alert_added r;
	enum cg_err rc = alert_store_record(s, a, ev, &r);

	if (added)
		*added = r.counted;
	return rc;
}

enum cg_err alert_store_record(struct alert_store *s, const struct alert *a, const struct alert_event *ev,
			       struct alert_added *out)
{
	char akey[1024], hkey[300];
	const char *kind = alert_kind_name(a->kind);
	const char *file = ev && ev->file ? ev->file : "";
	size_t xlen = ev && ev->excerpt ? ev->excerpt_len : 0;
	int64_t ehash = text_hash(xlen ? ev->excerpt : "", xlen), alert_id = 0, time = ev ? ev->event_time : 0;
	uint64_t count = 0;
	sqlite3_stmt *st;
	enum cg_err rc;
	int step;

	memset(out, 0, sizeof *out);
	if (!*kind)
		return cg_err_set(CG_EINVAL, _("alert: no kind"));
	/* An event dated in the future (a wrong clock, a forged header) would
	 * move the alert's last_seen there and hold its window open for ever:
	 * the alert's times take it as now; the event keeps its own time. */
	int64_t atime = time > s->now + ALERT_FUTURE_SLACK ? s->now : time;
	if ((rc = begin_if_needed(s)) || (rc = resolve_host(s, a->host_id, a->host)))
		goto fail;
	agg_key(a, akey, sizeof akey);
	host_key(&s->memo, hkey, sizeof hkey);

	st = stmt(s, ST_SEEN);
	cg_db_bind_text(st, 1, kind);
	cg_db_bind_text(st, 2, akey);
	cg_db_bind_text(st, 3, hkey);
	cg_db_bind_text(st, 4, file);
	sqlite3_bind_int64(st, 5, ev ? (sqlite3_int64)ev->line : 0);
	sqlite3_bind_int64(st, 6, ev ? (sqlite3_int64)ev->record_id : 0);
	sqlite3_bind_int64(st, 7, ehash);
	step = sqlite3_step(st);
	sqlite3_reset(st);
	if (step == SQLITE_ROW)
		return CG_OK; /* recorded before */
	if (step != SQLITE_DONE) {
		rc = cg_db_fail(s->db, _("alert: reading events"));
		goto fail;
	}

	st = stmt(s, ST_FIND_OPEN);
	cg_db_bind_text(st, 1, kind);
	cg_db_bind_text(st, 2, akey);
	cg_db_bind_text(st, 3, hkey);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		alert_id = sqlite3_column_int64(st, 0);
		count = (uint64_t)sqlite3_column_int64(st, 1);
		copy(out->id, sizeof out->id, cg_db_col_text(st, 3));
		/* Past the window after its last event: a new alert. */
		if (s->window > 0 && (atime ? atime : s->now) - sqlite3_column_int64(st, 2) > s->window) {
			alert_id = 0;
			count = 0;
			out->id[0] = 0;
		}
	}
	sqlite3_reset(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		rc = cg_db_fail(s->db, _("alert: reading alerts"));
		goto fail;
	}

	if (alert_id) {
		st = stmt(s, ST_UPDATE);
		sqlite3_bind_int64(st, 1, alert_id);
		if (atime)
			sqlite3_bind_int64(st, 2, atime);
		sqlite3_bind_int(st, 3, (int)a->severity);
		cg_db_bind_text(st, 4, nz(a->sources));
		sqlite3_bind_int64(st, 5, s->now);
		if ((rc = step_done(s, st, _("alert: updating an alert"))))
			goto fail;
	} else {
		char uid[ALERT_ID_LEN + 1];
		if ((rc = alert_id_new(s->now * 1000, uid)))
			goto fail;
		st = stmt(s, ST_INSERT);
		cg_db_bind_text(st, 1, uid);
		cg_db_bind_text(st, 2, kind);
		cg_db_bind_text(st, 3, akey);
		cg_db_bind_text(st, 4, hkey);
		cg_db_bind_text(st, 5, nz(a->rule_id));
		cg_db_bind_text(st, 6, nz(a->title));
		cg_db_bind_text(st, 7, nz(a->level));
		cg_db_bind_text(st, 8, nz(a->indicator));
		cg_db_bind_text(st, 9, nz(a->indicator_type));
		cg_db_bind_text(st, 10, nz(a->sources));
		cg_db_bind_text(st, 11, nz(a->family));
		sqlite3_bind_int(st, 12, (int)a->severity);
		if (s->memo.id > 0)
			sqlite3_bind_int64(st, 13, s->memo.id);
		cg_db_bind_text(st, 14, s->memo.label);
		cg_db_bind_text(st, 15, nz(s->memo.system));
		if (s->memo.level > 0)
			sqlite3_bind_int(st, 16, s->memo.level);
		if (atime)
			sqlite3_bind_int64(st, 17, atime);
		sqlite3_bind_int64(st, 18, s->now);
		if ((rc = step_done(s, st, _("alert: recording an alert"))))
			goto fail;
		alert_id = sqlite3_last_insert_rowid(cg_db_handle(s->db));
		copy(out->id, sizeof out->id, uid);
		out->opened = 1;
	}

	if (s->event_cap && count >= s->event_cap)
		goto counted; /* counted, not listed */
	st = stmt(s, ST_INSERT_EVENT);
	sqlite3_bind_int64(st, 1, alert_id);
	cg_db_bind_text(st, 2, file);
	sqlite3_bind_int64(st, 3, ev ? (sqlite3_int64)ev->line : 0);
	sqlite3_bind_int64(st, 4, ev ? (sqlite3_int64)ev->record_id : 0);
	sqlite3_bind_int64(st, 5, ehash);
	if (time)
		sqlite3_bind_int64(st, 6, time);
	if (xlen && count < ALERT_EXCERPTS_PER_ALERT)
		sqlite3_bind_text(st, 7, ev->excerpt, (int)(xlen > ALERT_EXCERPT_MAX ? ALERT_EXCERPT_MAX : xlen),
				  SQLITE_TRANSIENT);
	if ((rc = step_done(s, st, _("alert: recording an event"))))
		goto fail;
counted:
	out->counted = 1;
	out->count = count + 1;
	if (s->own_txn && ++s->in_txn >= ALERT_STORE_BATCH)
		return alert_store_flush(s);
	return CG_OK;
fail:
	memset(out, 0, sizeof *out);
	alert_store_abort(s);
	return rc;
}

static enum cg_err row_to_alert(sqlite3_stmt *st, alert_fn fn, void *ctx)
{
	struct alert a = {0};
	enum alert_kind kind = 0;
	enum alert_state state = ALERT_STATE_NEW;

	copy(a.id, sizeof a.id, cg_db_col_text(st, 0));
	if (alert_kind_from_name(cg_db_col_text(st, 1), &kind) == 0)
		a.kind = kind;
	a.rule_id = cg_db_col_text(st, 2);
	a.title = cg_db_col_text(st, 3);
	a.level = cg_db_col_text(st, 4);
	a.indicator = cg_db_col_text(st, 5);
	a.indicator_type = cg_db_col_text(st, 6);
	a.sources = cg_db_col_text(st, 7);
	a.family = cg_db_col_text(st, 8);
	a.severity = (enum alert_severity)sqlite3_column_int(st, 9);
	a.host_id = sqlite3_column_int64(st, 10);
	a.host = cg_db_col_text(st, 11);
	a.system = cg_db_col_text(st, 12);
	a.security_level = sqlite3_column_int(st, 13);
	a.count = (uint64_t)sqlite3_column_int64(st, 14);
	a.first_seen = sqlite3_column_int64(st, 15);
	a.last_seen = sqlite3_column_int64(st, 16);
	a.created_at = sqlite3_column_int64(st, 17);
	a.updated_at = sqlite3_column_int64(st, 18);
	if (alert_state_from_name(cg_db_col_text(st, 19), &state) == 0)
		a.state = state;
	a.state_by = cg_db_col_text(st, 20);
	a.state_at = sqlite3_column_int64(st, 21);
	return fn(ctx, &a);
}

static enum cg_err rows(struct alert_store *s, sqlite3_stmt *st, alert_fn fn, void *ctx, size_t *n)
{
	enum cg_err rc = CG_OK;
	int step;

	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		(*n)++;
		if ((rc = row_to_alert(st, fn, ctx)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = cg_db_fail(s->db, _("alert: reading alerts"));
	sqlite3_reset(st);
	return rc;
}

enum cg_err alert_store_foreach(struct alert_store *s, const struct alert_filter *f, alert_fn fn, void *ctx)
{
	static const struct alert_filter all;
	sqlite3_stmt *st = stmt(s, ST_LIST);
	size_t n = 0;

	if (!f)
		f = &all;
	cg_db_bind_text(st, 1, f->kind ? alert_kind_name(f->kind) : "");
	sqlite3_bind_int64(st, 2, f->host_id);
	sqlite3_bind_int(st, 3, f->open_only != 0);
	sqlite3_bind_int(st, 4, (int)f->min_severity);
	sqlite3_bind_int64(st, 5, f->limit ? (sqlite3_int64)f->limit : -1);
	return rows(s, st, fn, ctx, &n);
}

enum cg_err alert_store_counts(struct alert_store *s, struct alert_counts *out)
{
	sqlite3_stmt *st = stmt(s, ST_COUNTS);
	enum cg_err rc = CG_OK;
	int step;

	memset(out, 0, sizeof *out);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		enum alert_state state;
		int sev = sqlite3_column_int(st, 1), level = sqlite3_column_int(st, 2);
		uint64_t n = (uint64_t)sqlite3_column_int64(st, 3);
		if (alert_state_from_name(cg_db_col_text(st, 0), &state) || sev < ALERT_SEV_INFORMATIONAL ||
		    sev > ALERT_SEV_CRITICAL) {
			rc = cg_err_set(CG_EDB, _("alert: a stored alert has state '%s', severity %d"),
					cg_db_col_text(st, 0), sev);
			break;
		}
		if (level < 1 || level > 5)
			level = 0;
		out->total += n;
		out->by_state[state] += n;
		out->by_severity[sev] += n;
		if (alert_state_is_open(state)) {
			out->open += n;
			out->open_by_severity[sev] += n;
			out->open_by_level[level] += n;
		}
	}
	if (!rc && step != SQLITE_DONE)
		rc = cg_db_fail(s->db, _("alert: counting alerts"));
	sqlite3_reset(st);
	return rc;
}

enum cg_err alert_store_get(struct alert_store *s, const char *id, alert_fn fn, void *ctx)
{
	sqlite3_stmt *st = stmt(s, ST_GET);
	size_t n = 0;
	enum cg_err rc;

	cg_db_bind_text(st, 1, id);
	if ((rc = rows(s, st, fn, ctx, &n)))
		return rc;
	if (!n)
		return cg_err_set(CG_ENOTFOUND, _("alert: no alert '%s'"), id);
	return CG_OK;
}

enum cg_err alert_store_events(struct alert_store *s, const char *id, size_t limit, alert_event_fn fn, void *ctx)
{
	sqlite3_stmt *st = stmt(s, ST_EVENTS);
	enum cg_err rc = CG_OK;
	int step;

	cg_db_bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, limit ? (sqlite3_int64)limit : -1);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *x = cg_db_col_text(st, 4);
		struct alert_event ev = {
			.file = cg_db_col_text(st, 0),
			.line = (uint64_t)sqlite3_column_int64(st, 1),
			.record_id = (uint64_t)sqlite3_column_int64(st, 2),
			.event_time = sqlite3_column_int64(st, 3),
			.excerpt = x,
			.excerpt_len = strlen(x),
		};
		if ((rc = fn(ctx, &ev)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = cg_db_fail(s->db, _("alert: reading events"));
	sqlite3_reset(st);
	return rc;
}

void alert_store_set_window(struct alert_store *s, int64_t seconds)
{
	s->window = seconds > 0 ? seconds : 0;
}

void alert_store_set_event_cap(struct alert_store *s, uint64_t events)
{
	s->event_cap = events;
}

void alert_store_set_now(struct alert_store *s, int64_t now)
{
	s->now = now;
}

/* The row id and state of alert `id`. */
static enum cg_err get_state(struct alert_store *s, const char *id, int64_t *row, enum alert_state *state)
{
	sqlite3_stmt *st = stmt(s, ST_GET_STATE);
	int step;
	enum cg_err rc = CG_OK;

	cg_db_bind_text(st, 1, id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*row = sqlite3_column_int64(st, 0);
		if (alert_state_from_name(cg_db_col_text(st, 1), state))
			rc = cg_err_set(CG_EDB, _("alert: a stored alert has state '%s'"), cg_db_col_text(st, 1));
	} else if (step == SQLITE_DONE) {
		rc = cg_err_set(CG_ENOTFOUND, _("alert: no alert '%s'"), id);
	} else {
		rc = cg_db_fail(s->db, _("alert: reading alerts"));
	}
	sqlite3_reset(st);
	return rc;
}

static enum cg_err add_note(struct alert_store *s, int64_t row, const char *who, const char *from, const char *to,
			    const char *text)
{
	sqlite3_stmt *st = stmt(s, ST_NOTE_ADD);

	sqlite3_bind_int64(st, 1, row);
	sqlite3_bind_int64(st, 2, s->now);
	cg_db_bind_text(st, 3, nz(who));
	cg_db_bind_text(st, 4, nz(from));
	cg_db_bind_text(st, 5, nz(to));
	cg_db_bind_text(st, 6, nz(text));
	return step_done(s, st, _("alert: recording a note"));
}

/* Run the statements of one change in a transaction of their own, unless
 * one is open already (the caller's, or the store's batch). */
static enum cg_err txn_begin(struct alert_store *s, int *mine)
{
	*mine = sqlite3_get_autocommit(cg_db_handle(s->db)) != 0;
	return *mine ? cg_db_begin(s->db) : CG_OK;
}

static enum cg_err txn_end(struct alert_store *s, int mine, enum cg_err rc)
{
	if (!mine)
		return rc;
	if (rc) {
		cg_db_rollback(s->db);
		return rc;
	}
	return cg_db_commit(s->db);
}

static enum cg_err check_note(const char *text)
{
	if (text && strlen(text) > ALERT_NOTE_MAX)
		return cg_err_set(CG_EINVAL, _("alert: a note is longer than %d bytes"), ALERT_NOTE_MAX);
	return CG_OK;
}

enum cg_err alert_store_move(struct alert_store *s, const char *id, enum alert_state state, const char *who,
			     const char *note)
{
	enum alert_state cur = ALERT_STATE_NEW;
	int64_t row = 0;
	int mine;
	enum cg_err rc;

	if ((rc = check_note(note)) || (rc = txn_begin(s, &mine)))
		return rc;
	if ((rc = get_state(s, id, &row, &cur)))
		return txn_end(s, mine, rc);
	if (!alert_state_move_ok(cur, state)) {
		const char *moves = alert_state_moves(cur);
		if (*moves)
			rc = cg_err_set(CG_EINVAL, _("alert %s is %s: it cannot become %s (from %s: %s)"), id,
					alert_state_name(cur), alert_state_name(state), alert_state_name(cur), moves);
		else
			rc = cg_err_set(CG_EINVAL, _("alert %s is %s: it cannot become %s (a closed alert stays closed)"),
					id, alert_state_name(cur), alert_state_name(state));
		return txn_end(s, mine, rc);
	}
	sqlite3_stmt *st = stmt(s, ST_SET_STATE);
	cg_db_bind_text(st, 1, id);
	cg_db_bind_text(st, 2, alert_state_name(state));
	cg_db_bind_text(st, 3, nz(who));
	sqlite3_bind_int64(st, 4, s->now);
	if (!(rc = step_done(s, st, _("alert: changing the state of an alert"))))
		rc = add_note(s, row, who, alert_state_name(cur), alert_state_name(state), note);
	return txn_end(s, mine, rc);
}

enum cg_err alert_store_set_state(struct alert_store *s, const char *id, enum alert_state state, const char *who)
{
	return alert_store_move(s, id, state, who, NULL);
}

enum cg_err alert_store_comment(struct alert_store *s, const char *id, const char *who, const char *text)
{
	enum alert_state cur;
	int64_t row = 0;
	int mine;
	enum cg_err rc;

	if (!text || !*text)
		return cg_err_set(CG_EINVAL, _("alert: an empty comment"));
	if ((rc = check_note(text)) || (rc = txn_begin(s, &mine)))
		return rc;
	if (!(rc = get_state(s, id, &row, &cur)))
		rc = add_note(s, row, who, NULL, NULL, text);
	return txn_end(s, mine, rc);
}

enum cg_err alert_store_notes(struct alert_store *s, const char *id, alert_note_fn fn, void *ctx)
{
	sqlite3_stmt *st = stmt(s, ST_NOTES);
	enum cg_err rc = CG_OK;
	int step;

	cg_db_bind_text(st, 1, id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct alert_note n = {
			.at = sqlite3_column_int64(st, 0),
			.by = cg_db_col_text(st, 1),
			.from = cg_db_col_text(st, 2),
			.to = cg_db_col_text(st, 3),
			.text = cg_db_col_text(st, 4),
		};
		if ((rc = fn(ctx, &n)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = cg_db_fail(s->db, _("alert: reading notes"));
	sqlite3_reset(st);
	return rc;
}
