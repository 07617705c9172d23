/* Tables of the duty engine (see struct cg_schema in db.h). */
#include "db.h"

static const char *const steps[] = {
	/* One page per alert the engine took up; alert_uid is the alert's id
	 * (alert.uid), kept as text so a page outlives a purged alert. */
	"CREATE TABLE duty_page("
	" alert_uid TEXT PRIMARY KEY,"
	" level INTEGER NOT NULL,"
	" level_at INTEGER NOT NULL,"
	" acked_by TEXT,"
	" acked_at INTEGER,"
	" created_at INTEGER NOT NULL);"
	"CREATE TABLE duty_delivery("
	" id INTEGER PRIMARY KEY,"
	" alert_uid TEXT NOT NULL,"
	" level INTEGER NOT NULL,"
	" person TEXT NOT NULL,"
	" channel TEXT NOT NULL,"
	" target TEXT NOT NULL,"
	"   /* dropped: the alert was acknowledged before it went out */"
	" state TEXT NOT NULL CHECK(state IN ('pending', 'sent', 'failed', 'gave_up', 'dropped')),"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" next_at INTEGER,"
	" sent_at INTEGER,"
	" last_error TEXT,"
	" created_at INTEGER NOT NULL,"
	" UNIQUE(alert_uid, level, person, channel, target));"
	"CREATE INDEX duty_delivery_due ON duty_delivery(state, next_at);"
	"CREATE TABLE duty_attempt("
	" id INTEGER PRIMARY KEY,"
	" delivery_id INTEGER NOT NULL REFERENCES duty_delivery(id) ON DELETE CASCADE,"
	" at INTEGER NOT NULL,"
	" ok INTEGER NOT NULL,"
	" error TEXT);"
	"CREATE INDEX duty_attempt_delivery ON duty_attempt(delivery_id);"
	/* The engine looks for alerts to page every second. */
	"CREATE INDEX duty_alert_pageable ON alert(state, created_at);",
};

const struct cg_schema cg_schema_duty = {"duty", steps, sizeof steps / sizeof steps[0]};
