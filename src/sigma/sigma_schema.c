/* Tables of the Sigma module (see struct cg_schema in db.h). */
#include "db.h"

static const char *const steps[] = {
	"CREATE TABLE sigma_run("
	" id INTEGER PRIMARY KEY,"
	" started TEXT NOT NULL,"
	" rules INTEGER NOT NULL,"
	" files INTEGER NOT NULL DEFAULT 0,"
	" events INTEGER NOT NULL DEFAULT 0,"
	" hits INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE sigma_hit("
	" id INTEGER PRIMARY KEY,"
	" run_id INTEGER NOT NULL REFERENCES sigma_run(id) ON DELETE CASCADE,"
	" rule_id TEXT NOT NULL,"
	" title TEXT NOT NULL,"
	" level TEXT NOT NULL,"
	" tags TEXT NOT NULL,"
	" source TEXT NOT NULL,"
	" record_id INTEGER,"
	" computer TEXT,"
	" event_time TEXT,"
	" channel TEXT,"
	" event_id INTEGER,"
	" fields TEXT NOT NULL);"
	"CREATE INDEX sigma_hit_run ON sigma_hit(run_id);"
	"CREATE INDEX sigma_hit_rule ON sigma_hit(rule_id);",
};

const struct cg_schema cg_schema_sigma = {"sigma", steps, sizeof steps / sizeof steps[0]};
