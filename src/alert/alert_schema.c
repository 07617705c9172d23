/* Tables of the alert module (see struct cg_schema in db.h). */
#include "db.h"

static const char *const steps[] = {
	/* akey: what fired ("<rule id>", "<type>:<value>"); host_key: on which
	 * host ("host:<id>", "label:<name>"); together the aggregation key of
	 * the open alert. */
	"CREATE TABLE alert("
	" id INTEGER PRIMARY KEY,"
	" uid TEXT NOT NULL UNIQUE,"
	" kind TEXT NOT NULL CHECK(kind IN ('indicator', 'sigma', 'threshold', 'yara')),"
	" akey TEXT NOT NULL,"
	" host_key TEXT NOT NULL,"
	" rule_id TEXT, title TEXT, level TEXT,"
	" indicator TEXT, indicator_type TEXT, sources TEXT, family TEXT,"
	" severity INTEGER NOT NULL CHECK(severity BETWEEN 0 AND 4),"
	" host_id INTEGER REFERENCES host(id) ON DELETE SET NULL,"
	" host_label TEXT NOT NULL,"
	" system TEXT,"
	" security_level INTEGER,"
	" count INTEGER NOT NULL,"
	" first_seen INTEGER,"
	" last_seen INTEGER,"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'new'"
	"  CHECK(state IN ('new', 'verified', 'false_positive', 'escalated', 'closed')),"
	" state_by TEXT,"
	" state_at INTEGER);"
	"CREATE INDEX alert_key ON alert(kind, akey, host_key);"
	"CREATE INDEX alert_host ON alert(host_id);"
	"CREATE TABLE alert_event("
	" alert_id INTEGER NOT NULL REFERENCES alert(id) ON DELETE CASCADE,"
	" file TEXT NOT NULL,"
	" line INTEGER NOT NULL,"
	" record_id INTEGER NOT NULL,"
	" ehash INTEGER NOT NULL,"
	" event_time INTEGER,"
	" excerpt TEXT,"
	" PRIMARY KEY(alert_id, file, line, record_id, ehash)) WITHOUT ROWID;"
	"CREATE INDEX alert_event_where ON alert_event(file, line, record_id, ehash);",
	/* Who moved an alert when (from_state/to_state), and comments (both NULL). */
	"CREATE TABLE alert_note("
	" id INTEGER PRIMARY KEY,"
	" alert_id INTEGER NOT NULL REFERENCES alert(id) ON DELETE CASCADE,"
	" at INTEGER NOT NULL,"
	" by TEXT,"
	" from_state TEXT, to_state TEXT,"
	" text TEXT);"
	"CREATE INDEX alert_note_alert ON alert_note(alert_id, id);",
};

const struct cg_schema cg_schema_alert = {"alert", steps, sizeof steps / sizeof steps[0]};
