/* store_alert: aggregation, de-duplication, host attribution, states, ids. */
#include "../assets/assets_fixture.h"

#include <string.h>

#include "alert.h"
#include "store_alert.h"

static void setup_inventory(struct cg_db *db)
{
	fx_exec(db, "INSERT INTO system(id, name, level, created_at) VALUES(1, 'Quản lý văn bản', 2, 0)");
	fx_exec(db, "INSERT INTO host(id, name, system_id, created_at) VALUES(5, 'db01.so-mau.example', 1, 0)");
	fx_exec(db, "INSERT INTO host(id, name, created_at) VALUES(6, 'ws-01', 0)");
}

struct seen {
	size_t n;
	struct alert last;
	char host[64], system[64];
	uint64_t counts[8];
};

static enum cg_err keep(void *ctx, const struct alert *a)
{
	struct seen *s = ctx;
	if (s->n < 8)
		s->counts[s->n] = a->count;
	s->n++;
	s->last = *a;
	snprintf(s->host, sizeof s->host, "%s", a->host);
	snprintf(s->system, sizeof s->system, "%s", a->system);
	s->last.host = s->host;
	s->last.system = s->system;
	return CG_OK;
}

static const struct alert sigma_rule = {
	.kind = ALERT_KIND_SIGMA,
	.rule_id = "3f6c1a52-8d0e-4c7b-9a41-2b5e7d9c0f13",
	.title = "Password Hashes Read Through Sudo",
	.level = "high",
	.severity = ALERT_SEV_HIGH,
	.host = "DB01", /* short and upper case: still the inventory's db01 */
};

static void aggregates_and_attributes(void **state)
{
	(void)state;
	struct fixture *f = fixture_open();
	struct alert_store *as;
	struct alert_event e1 = {.file = "/var/log/secure", .line = 4, .event_time = 2000, .excerpt = "one", .excerpt_len = 3};
	struct alert_event e2 = {.file = "/var/log/secure", .line = 9, .event_time = 1000, .excerpt = "two", .excerpt_len = 3};
	struct seen s = {0};
	int added = -1;

	setup_inventory(f->db);
	assert_int_equal(alert_store_open(f->db, FX_NOW, &as), CG_OK);
	assert_int_equal(alert_store_add(as, &sigma_rule, &e1, &added), CG_OK);
	assert_int_equal(added, 1);
	/* The same event again is not counted. */
	assert_int_equal(alert_store_add(as, &sigma_rule, &e1, &added), CG_OK);
	assert_int_equal(added, 0);
	/* An earlier event widens first_seen. */
	assert_int_equal(alert_store_add(as, &sigma_rule, &e2, &added), CG_OK);
	assert_int_equal(added, 1);
	assert_int_equal(alert_store_flush(as), CG_OK);

	assert_int_equal(alert_store_foreach(as, NULL, keep, &s), CG_OK);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.last.count, 2);
	assert_int_equal(s.last.first_seen, 1000);
	assert_int_equal(s.last.last_seen, 2000);
	assert_int_equal(s.last.host_id, 5);
	assert_string_equal(s.host, "db01.so-mau.example");
	assert_string_equal(s.system, "Quản lý văn bản");
	assert_int_equal(s.last.security_level, 2);
	assert_int_equal(s.last.created_at, FX_NOW);
	assert_int_equal(s.last.state, ALERT_STATE_NEW);
	assert_int_equal(fx_scalar(f->db, "SELECT count(*) FROM alert_event"), 2);

	/* A host not in the inventory keeps its label, and is another alert. */
	struct alert other = sigma_rule;
	other.host = "nas01";
	assert_int_equal(alert_store_add(as, &other, &e1, &added), CG_OK);
	assert_int_equal(alert_store_flush(as), CG_OK);
	memset(&s, 0, sizeof s);
	assert_int_equal(alert_store_foreach(as, NULL, keep, &s), CG_OK);
	assert_int_equal(s.n, 2);
	assert_int_equal(fx_scalar(f->db, "SELECT count(*) FROM alert WHERE host_id IS NULL AND host_label = 'nas01'"), 1);
	alert_store_close(as);
	fixture_close(f);
}

/* alert_store_record names the alert an event went to, with its count,
 * before the store commits; alert_store_get reads it whole at that point. */
static void record_says_which_alert(void **state)
{
	(void)state;
	struct fixture *f = fixture_open();
	struct alert_store *as;
	struct alert_event e1 = {.file = "a.log", .line = 1, .event_time = 1500, .excerpt = "x", .excerpt_len = 1};
	struct alert_event e2 = {.file = "a.log", .line = 2, .event_time = 1700, .excerpt = "y", .excerpt_len = 1};
	struct alert_added r1, r2, r3, r4;
	struct seen s = {0};

	setup_inventory(f->db);
	assert_int_equal(alert_store_open(f->db, FX_NOW, &as), CG_OK);
	assert_int_equal(alert_store_record(as, &sigma_rule, &e1, &r1), CG_OK);
	assert_int_equal(r1.counted, 1);
	assert_int_equal(r1.opened, 1);
	assert_int_equal(r1.count, 1);
	assert_int_equal(strlen(r1.id), ALERT_ID_LEN);
	/* Not committed yet, but readable through the same store. */
	assert_int_equal(alert_store_get(as, r1.id, keep, &s), CG_OK);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.last.id, r1.id);
	assert_int_equal(s.last.count, 1);
	/* The same event: not counted, no alert named. */
	assert_int_equal(alert_store_record(as, &sigma_rule, &e1, &r2), CG_OK);
	assert_int_equal(r2.counted, 0);
	assert_int_equal(r2.opened, 0);
	assert_int_equal(r2.count, 0);
	assert_string_equal(r2.id, "");
	/* A repeat folds into the same alert. */
	assert_int_equal(alert_store_record(as, &sigma_rule, &e2, &r3), CG_OK);
	assert_int_equal(r3.counted, 1);
	assert_int_equal(r3.opened, 0);
	assert_int_equal(r3.count, 2);
	assert_string_equal(r3.id, r1.id);
	memset(&s, 0, sizeof s);
	assert_int_equal(alert_store_get(as, r3.id, keep, &s), CG_OK);
	assert_int_equal(s.last.count, 2);
	assert_int_equal(s.last.first_seen, 1500);
	assert_int_equal(s.last.last_seen, 1700);
	/* Another host: another alert, another id. */
	struct alert other = sigma_rule;
	other.host = "nas01";
	assert_int_equal(alert_store_record(as, &other, &e1, &r4), CG_OK);
	assert_int_equal(r4.opened, 1);
	assert_int_equal(r4.count, 1);
	assert_string_not_equal(r4.id, r1.id);
	alert_store_close(as);
	assert_int_equal(fx_scalar(f->db, "SELECT count(*) FROM alert"), 2);
	fixture_close(f);
}

static void states_and_reopening(void **state)
{
	(void)state;
	struct fixture *f = fixture_open();
	struct alert_store *as;
	struct alert_event e1 = {.file = "a.log", .line = 1, .excerpt = "x", .excerpt_len = 1};
	struct alert_event e2 = {.file = "a.log", .line = 2, .excerpt = "y", .excerpt_len = 1};
	struct alert_filter open = {.open_only = 1};
	struct seen s = {0};
	char id[ALERT_ID_LEN + 1];

	setup_inventory(f->db);
	assert_int_equal(alert_store_open(f->db, FX_NOW, &as), CG_OK);
	assert_int_equal(alert_store_add(as, &sigma_rule, &e1, NULL), CG_OK);
	assert_int_equal(alert_store_flush(as), CG_OK);
	assert_int_equal(alert_store_foreach(as, NULL, keep, &s), CG_OK);
	memcpy(id, s.last.id, sizeof id);
	/* A UUIDv7 in its text form. */
	assert_int_equal(strlen(id), 36);
	assert_int_equal(id[14], '7');
	assert_non_null(strchr("89ab", id[19]));
	assert_int_equal(id[8], '-');

	assert_int_equal(alert_store_set_state(as, id, ALERT_STATE_VERIFIED, "analyst-1"), CG_OK);
	assert_int_equal(alert_store_set_state(as, id, ALERT_STATE_CLOSED, "analyst-1"), CG_OK);
	assert_int_equal(alert_store_set_state(as, "no-such-id", ALERT_STATE_CLOSED, NULL), CG_ENOTFOUND);
	memset(&s, 0, sizeof s);
	assert_int_equal(alert_store_get(as, id, keep, &s), CG_OK);
	assert_int_equal(s.last.state, ALERT_STATE_CLOSED);
	assert_int_equal(s.last.state_at, FX_NOW);
	assert_int_equal(alert_store_get(as, "no-such-id", keep, &s), CG_ENOTFOUND);

	/* The old event is not news; a new one opens a new alert. */
	assert_int_equal(alert_store_add(as, &sigma_rule, &e1, NULL), CG_OK);
	assert_int_equal(alert_store_add(as, &sigma_rule, &e2, NULL), CG_OK);
	assert_int_equal(alert_store_flush(as), CG_OK);
	memset(&s, 0, sizeof s);
	assert_int_equal(alert_store_foreach(as, &open, keep, &s), CG_OK);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.last.count, 1);
	assert_string_not_equal(s.last.id, id);
	memset(&s, 0, sizeof s);
	assert_int_equal(alert_store_foreach(as, NULL, keep, &s), CG_OK);
	assert_int_equal(s.n, 2);
	alert_store_close(as);
	fixture_close(f);
}

/* Inside the caller's transaction the store writes there, and a rollback
 * takes its rows too (the hunt's hit batches rely on it). */
static void joins_the_callers_transaction(void **state)
{
	(void)state;
	struct fixture *f = fixture_open();
	struct alert_store *as;
	struct alert a = {.kind = ALERT_KIND_INDICATOR, .indicator = "198.51.100.23", .indicator_type = "ipv4",
			  .sources = "feodo-c2", .severity = ALERT_SEV_HIGH, .host_id = 6, .host = "ws-01"};
	struct alert_event e = {.file = "kern.log", .line = 3, .excerpt = "x", .excerpt_len = 1};

	setup_inventory(f->db);
	assert_int_equal(alert_store_open(f->db, FX_NOW, &as), CG_OK);
	assert_int_equal(cg_db_begin(f->db), CG_OK);
	assert_int_equal(alert_store_add(as, &a, &e, NULL), CG_OK);
	assert_int_equal(alert_store_flush(as), CG_OK); /* not its transaction: nothing to do */
	cg_db_rollback(f->db);
	assert_int_equal(fx_scalar(f->db, "SELECT count(*) FROM alert"), 0);
	/* On its own it commits what it wrote. */
	assert_int_equal(alert_store_add(as, &a, &e, NULL), CG_OK);
	alert_store_close(as);
	assert_int_equal(fx_scalar(f->db, "SELECT count(*) FROM alert WHERE host_id = 6 AND sources = 'feodo-c2'"), 1);
	fixture_close(f);
}

/* Counts by state and severity, open ones by severity and security level. */
static void counts(void **state)
{
	(void)state;
	struct fixture *f = fixture_open();
	struct alert_store *as;
	struct alert_counts c;
	struct alert ind = {.kind = ALERT_KIND_INDICATOR, .indicator = "198.51.100.23", .indicator_type = "ipv4",
			    .sources = "feodo-c2", .severity = ALERT_SEV_MEDIUM, .host = "ws-01"};
	struct alert low = sigma_rule;
	struct alert_event e = {.file = "a.log", .line = 1, .excerpt = "x", .excerpt_len = 1};
	struct seen s = {0};

	setup_inventory(f->db);
	assert_int_equal(alert_store_open(f->db, FX_NOW, &as), CG_OK);
	assert_int_equal(alert_store_counts(as, &c), CG_OK);
	assert_int_equal(c.total, 0);
	low.host = "nas01";
	low.severity = ALERT_SEV_LOW;
	assert_int_equal(alert_store_add(as, &sigma_rule, &e, NULL), CG_OK); /* db01, level 2, high */
	assert_int_equal(alert_store_add(as, &ind, &e, NULL), CG_OK);        /* ws-01, no system, medium */
	assert_int_equal(alert_store_add(as, &low, &e, NULL), CG_OK);        /* nas01, not in inventory, low */
	assert_int_equal(alert_store_flush(as), CG_OK);
	assert_int_equal(alert_store_foreach(as, &(struct alert_filter){.kind = ALERT_KIND_INDICATOR}, keep, &s), CG_OK);
	assert_int_equal(s.n, 1);
	assert_int_equal(alert_store_set_state(as, s.last.id, ALERT_STATE_FALSE_POSITIVE, "analyst-1"), CG_OK);

	assert_int_equal(alert_store_counts(as, &c), CG_OK);
	assert_int_equal(c.total, 3);
	assert_int_equal(c.open, 2);
	assert_int_equal(c.by_state[ALERT_STATE_NEW], 2);
	assert_int_equal(c.by_state[ALERT_STATE_FALSE_POSITIVE], 1);
	assert_int_equal(c.by_state[ALERT_STATE_CLOSED], 0);
	assert_int_equal(c.by_severity[ALERT_SEV_HIGH], 1);
	assert_int_equal(c.by_severity[ALERT_SEV_MEDIUM], 1);
	assert_int_equal(c.by_severity[ALERT_SEV_LOW], 1);
	assert_int_equal(c.open_by_severity[ALERT_SEV_MEDIUM], 0);
	assert_int_equal(c.open_by_severity[ALERT_SEV_HIGH], 1);
	assert_int_equal(c.open_by_level[2], 1);
	assert_int_equal(c.open_by_level[0], 1);
	assert_int_equal(c.open_by_level[1] + c.open_by_level[3] + c.open_by_level[4] + c.open_by_level[5], 0);
	alert_store_close(as);
	fixture_close(f);
}

static void words(void **state)
{
	(void)state;
	enum alert_state st;
	enum alert_kind k;

	assert_int_equal(alert_severity_from_level("critical"), ALERT_SEV_CRITICAL);
	assert_int_equal(alert_severity_from_level("HIGH"), ALERT_SEV_HIGH);
	assert_int_equal(alert_severity_from_level("bogus"), ALERT_SEV_INFORMATIONAL);
	for (int i = ALERT_STATE_NEW; i <= ALERT_STATE_CLOSED; i++) {
		assert_int_equal(alert_state_from_name(alert_state_name((enum alert_state)i), &st), 0);
		assert_int_equal(st, i);
	}
	assert_int_equal(alert_state_from_name("open", &st), -1);
	assert_int_equal(alert_kind_from_name("sigma", &k), 0);
	assert_int_equal(k, ALERT_KIND_SIGMA);
	assert_true(alert_state_is_open(ALERT_STATE_ESCALATED));
	assert_false(alert_state_is_open(ALERT_STATE_FALSE_POSITIVE));
}

static void fx_text(struct cg_db *db, const char *sql, char *out, size_t n)
{
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(cg_db_handle(db), sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/* The moves the issue draws (new -> verified | false_positive -> escalated
 * -> closed), written out as a table here, against the store. */
static void state_machine(void **state)
{
	(void)state;
	static const char allowed[5][5] = {
		/*               new ver fp esc clo */
		/* new */       {0,  1,  1, 1,  0},
		/* verified */  {0,  0,  0, 1,  1},
		/* false_pos */ {0,  0,  0, 0,  1},
		/* escalated */ {0,  0,  0, 0,  1},
		/* closed */    {0,  0,  0, 0,  0},
	};
	/* The shortest way from new to each state. */
	static const enum alert_state path[5][3] = {
		{0}, {ALERT_STATE_VERIFIED}, {ALERT_STATE_FALSE_POSITIVE}, {ALERT_STATE_ESCALATED},
		{ALERT_STATE_VERIFIED, ALERT_STATE_CLOSED},
	};
	static const int path_len[5] = {0, 1, 1, 1, 2};
	struct fixture *f = fixture_open();
	struct alert_store *as;
	int line = 0;

	assert_int_equal(alert_store_open(f->db, FX_NOW, &as), CG_OK);
	for (int from = 0; from < 5; from++)
		for (int to = 0; to < 5; to++) {
			struct alert_event e = {.file = "sm.log", .line = (uint64_t)++line};
			struct seen s = {0};
			struct alert a = sigma_rule;
			char rid[32];
			snprintf(rid, sizeof rid, "rule-%d-%d", from, to);
			a.rule_id = rid;
			assert_int_equal(alert_store_add(as, &a, &e, NULL), CG_OK);
			assert_int_equal(alert_store_flush(as), CG_OK);
			struct alert_filter fl = {0};
			assert_int_equal(alert_store_foreach(as, &fl, keep, &s), CG_OK);
			/* The alert just added: find it by its rule. */
			char id[ALERT_ID_LEN + 1] = "";
			char sql[200];
			snprintf(sql, sizeof sql, "SELECT uid FROM alert WHERE rule_id = '%s'", rid);
			fx_text(f->db, sql, id, sizeof id);
			for (int k = 0; k < path_len[from]; k++)
				assert_int_equal(alert_store_set_state(as, id, path[from][k], "t"), CG_OK);
			enum cg_err rc = alert_store_move(as, id, (enum alert_state)to, "analyst-2", "because");
			assert_int_equal(alert_state_move_ok((enum alert_state)from, (enum alert_state)to), allowed[from][to]);
			if (allowed[from][to]) {
				assert_int_equal(rc, CG_OK);
			} else {
				assert_int_equal(rc, CG_EINVAL);
				/* The message names the alert and both states. */
				assert_non_null(strstr(cg_err_msg(rc), id));
				assert_non_null(strstr(cg_err_msg(rc), alert_state_name((enum alert_state)from)));
				assert_non_null(strstr(cg_err_msg(rc), alert_state_name((enum alert_state)to)));
			}
			memset(&s, 0, sizeof s);
			assert_int_equal(alert_store_get(as, id, keep, &s), CG_OK);
			assert_int_equal(s.last.state, allowed[from][to] ? to : from);
		}
	alert_store_close(as);
	fixture_close(f);
}

struct notes {
	size_t n;
	char line[8][160];
};

static enum cg_err keep_note(void *ctx, const struct alert_note *n)
{
	struct notes *ns = ctx;
	if (ns->n < 8)
		snprintf(ns->line[ns->n], sizeof ns->line[0], "%lld|%s|%s|%s|%s", (long long)n->at, n->by, n->from, n->to,
			 n->text);
	ns->n++;
	return CG_OK;
}

static void notes_and_comments(void **state)
{
	(void)state;
	struct fixture *f = fixture_open();
	struct alert_store *as;
	struct alert_event e = {.file = "n.log", .line = 1};
	struct seen s = {0};
	struct notes ns = {0};
	char big[ALERT_NOTE_MAX + 2];

	assert_int_equal(alert_store_open(f->db, FX_NOW, &as), CG_OK);
	assert_int_equal(alert_store_add(as, &sigma_rule, &e, NULL), CG_OK);
	assert_int_equal(alert_store_flush(as), CG_OK);
	assert_int_equal(alert_store_foreach(as, NULL, keep, &s), CG_OK);
	assert_int_equal(alert_store_comment(as, s.last.id, "analyst-1", "xem log máy chủ"), CG_OK);
	alert_store_set_now(as, FX_NOW + 60);
	assert_int_equal(alert_store_move(as, s.last.id, ALERT_STATE_VERIFIED, "analyst-2", "đã xác minh"), CG_OK);
	assert_int_equal(alert_store_comment(as, s.last.id, NULL, "second"), CG_OK);
	assert_int_equal(alert_store_comment(as, s.last.id, "x", ""), CG_EINVAL);
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(alert_store_comment(as, s.last.id, "x", big), CG_EINVAL);
	assert_int_equal(alert_store_comment(as, "no-such-id", "x", "y"), CG_ENOTFOUND);
	assert_int_equal(alert_store_notes(as, s.last.id, keep_note, &ns), CG_OK);
	assert_int_equal(ns.n, 3);
	char want[160];
	snprintf(want, sizeof want, "%lld|analyst-1|||xem log máy chủ", (long long)FX_NOW);
	assert_string_equal(ns.line[0], want);
	snprintf(want, sizeof want, "%lld|analyst-2|new|verified|đã xác minh", (long long)FX_NOW + 60);
	assert_string_equal(ns.line[1], want);
	snprintf(want, sizeof want, "%lld||||second", (long long)FX_NOW + 60);
	assert_string_equal(ns.line[2], want);
	alert_store_close(as);
	fixture_close(f);
}

/* Repeats within the window of last_seen fold in; a later one opens a new
 * alert, and the window then runs from that one. */
static void aggregation_window(void **state)
{
	(void)state;
	struct fixture *f = fixture_open();
	struct alert_store *as;
	static const int64_t times[] = {1000, 1200, 1500, 1799, 2200, 2201, 2600};
	/* Model: a new alert when the gap to the current alert's last_seen > 300. */
	int64_t last = -1;
	size_t alerts = 0;

	assert_int_equal(alert_store_open(f->db, FX_NOW, &as), CG_OK);
	alert_store_set_window(as, 300);
	for (size_t i = 0; i < sizeof times / sizeof *times; i++) {
		struct alert_event e = {.file = "w.log", .line = i + 1, .event_time = times[i]};
		assert_int_equal(alert_store_add(as, &sigma_rule, &e, NULL), CG_OK);
		if (last < 0 || times[i] - last > 300)
			alerts++;
		last = times[i];
	}
	assert_int_equal(alert_store_flush(as), CG_OK);
	assert_int_equal(fx_scalar(f->db, "SELECT count(*) FROM alert"), (long long)alerts);
	assert_int_equal(alerts, 3);
	assert_int_equal(fx_scalar(f->db, "SELECT count FROM alert ORDER BY id LIMIT 1"), 4);
	/* Without a window: one alert. */
	alert_store_set_window(as, 0);
	struct alert_event e = {.file = "w.log", .line = 99, .event_time = 90000};
	assert_int_equal(alert_store_add(as, &sigma_rule, &e, NULL), CG_OK);
	assert_int_equal(alert_store_flush(as), CG_OK);
	assert_int_equal(fx_scalar(f->db, "SELECT count(*) FROM alert"), (long long)alerts);
	alert_store_close(as);
	fixture_close(f);
}

/* An event dated far in the future does not hold the window open: the
 * alert takes it as now, so a later repeat past the window opens a new
 * alert; the event keeps its own time. Past the event cap repeats are
 * counted, not listed. */
static void future_time_and_event_cap(void **state)
{
	(void)state;
	struct fixture *f = fixture_open();
	struct alert_store *as;

	assert_int_equal(alert_store_open(f->db, FX_NOW, &as), CG_OK);
	alert_store_set_window(as, 300);
	alert_store_set_event_cap(as, 2);
	struct alert_event future = {.file = "f.log", .line = 1, .event_time = 4102444800}; /* 2100 */
	assert_int_equal(alert_store_add(as, &sigma_rule, &future, NULL), CG_OK);
	for (int i = 0; i < 3; i++) {
		struct alert_event e = {.file = "f.log", .line = 2 + (uint64_t)i, .event_time = FX_NOW + 10 + i};
		assert_int_equal(alert_store_add(as, &sigma_rule, &e, NULL), CG_OK);
	}
	alert_store_set_now(as, FX_NOW + 1000);
	struct alert_event later = {.file = "f.log", .line = 9, .event_time = FX_NOW + 1000};
	assert_int_equal(alert_store_add(as, &sigma_rule, &later, NULL), CG_OK);
	assert_int_equal(alert_store_flush(as), CG_OK);
	assert_int_equal(fx_scalar(f->db, "SELECT count(*) FROM alert"), 2);
	assert_int_equal(fx_scalar(f->db, "SELECT count FROM alert ORDER BY id LIMIT 1"), 4);
	assert_int_equal(fx_scalar(f->db, "SELECT max(last_seen) FROM alert"), FX_NOW + 1000);
	assert_int_equal(fx_scalar(f->db, "SELECT count(*) FROM alert_event e JOIN alert a ON a.id = e.alert_id"
				       " WHERE a.id = (SELECT min(id) FROM alert)"), 2);
	assert_int_equal(fx_scalar(f->db, "SELECT count(*) FROM alert_event WHERE event_time = 4102444800"), 1);
	alert_store_close(as);
	fixture_close(f);
}

/* Threshold alerts aggregate per rule and group, not per rule only. */
static void threshold_groups(void **state)
{
	(void)state;
	struct fixture *f = fixture_open();
	struct alert_store *as;
	struct alert a = {.kind = ALERT_KIND_THRESHOLD, .rule_id = "ssh-password-guessing", .title = "SSH",
			  .level = "high", .severity = ALERT_SEV_HIGH, .host = "web01", .indicator_type = "group"};
	static const char *const groups[] = {"src_ip=192.0.2.1", "src_ip=192.0.2.2", "src_ip=192.0.2.1"};

	assert_int_equal(alert_store_open(f->db, FX_NOW, &as), CG_OK);
	for (size_t i = 0; i < 3; i++) {
		struct alert_event e = {.file = "t", .line = i + 1};
		a.indicator = groups[i];
		assert_int_equal(alert_store_add(as, &a, &e, NULL), CG_OK);
	}
	assert_int_equal(alert_store_flush(as), CG_OK);
	assert_int_equal(fx_scalar(f->db, "SELECT count(*) FROM alert"), 2);
	assert_int_equal(fx_scalar(f->db, "SELECT count FROM alert WHERE indicator = 'src_ip=192.0.2.1'"), 2);
	alert_store_close(as);
	fixture_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(aggregates_and_attributes),
		cmocka_unit_test(record_says_which_alert),
		cmocka_unit_test(states_and_reopening),
		cmocka_unit_test(joins_the_callers_transaction),
		cmocka_unit_test(counts),
		cmocka_unit_test(words),
		cmocka_unit_test(state_machine),
		cmocka_unit_test(notes_and_comments),
		cmocka_unit_test(aggregation_window),
		cmocka_unit_test(future_time_and_event_cap),
		cmocka_unit_test(threshold_groups),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
