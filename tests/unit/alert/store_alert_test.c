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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(aggregates_and_attributes),
		cmocka_unit_test(states_and_reopening),
		cmocka_unit_test(joins_the_callers_transaction),
		cmocka_unit_test(counts),
		cmocka_unit_test(words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
