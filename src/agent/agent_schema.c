/* Tables of the agent module (see struct cg_schema in db.h). Everything an
 * agent sends is keyed by the agent's id, which comes only from its verified
 * certificate (agent.cert_serial). */
#include "db.h"

static const char *const steps[] = {
	"CREATE TABLE agent_token("
	" id INTEGER PRIMARY KEY,"
	" secret_sha256 TEXT NOT NULL,"
	" name TEXT,"
	" created_at INTEGER NOT NULL,"
	" expires_at INTEGER NOT NULL,"
	" used_at INTEGER,"
	" agent_id INTEGER);"
	"CREATE TABLE agent("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL,"
	" hostname TEXT NOT NULL DEFAULT '',"
	" cert_serial TEXT UNIQUE,"
	" enrolled_at INTEGER NOT NULL,"
	" last_seen INTEGER,"
	" version TEXT NOT NULL DEFAULT '',"
	" addresses TEXT NOT NULL DEFAULT '[]',"
	" os TEXT NOT NULL DEFAULT '',"
	" kernel TEXT NOT NULL DEFAULT '',"
	" ports TEXT NOT NULL DEFAULT '[]',"
	" users TEXT NOT NULL DEFAULT '[]',"
	" packages INTEGER NOT NULL DEFAULT 0,"
	" inventory_at INTEGER,"
	" revoked_at INTEGER);"
	"CREATE TABLE agent_report("
	" agent_id INTEGER NOT NULL REFERENCES agent(id) ON DELETE CASCADE,"
	" seq INTEGER NOT NULL,"
	" kind TEXT NOT NULL,"
	" received_at INTEGER NOT NULL,"
	" PRIMARY KEY(agent_id, seq)) WITHOUT ROWID;"
	"CREATE TABLE agent_task("
	" id INTEGER PRIMARY KEY,"
	" agent_id INTEGER NOT NULL REFERENCES agent(id) ON DELETE CASCADE,"
	" kind TEXT NOT NULL CHECK(kind IN ('scan', 'collect')),"
	" path TEXT NOT NULL,"
	" incident_id INTEGER,"
	" state TEXT NOT NULL DEFAULT 'pending' CHECK(state IN ('pending', 'sent', 'done', 'failed')),"
	" created_at INTEGER NOT NULL,"
	" sent_at INTEGER,"
	" done_at INTEGER,"
	" error TEXT,"
	" result TEXT,"
	" evidence_id INTEGER);"
	"CREATE INDEX agent_task_agent ON agent_task(agent_id, state);"
	"CREATE TABLE agent_log("
	" id INTEGER PRIMARY KEY,"
	" agent_id INTEGER NOT NULL REFERENCES agent(id) ON DELETE CASCADE,"
	" file TEXT NOT NULL,"
	" offset INTEGER NOT NULL,"
	" line TEXT NOT NULL,"
	" received_at INTEGER NOT NULL);"
	"CREATE INDEX agent_log_agent ON agent_log(agent_id, id);",
	/* A scan task carries the rule set of when it was queued: a JSON array
	 * of {name, source}. */
	"ALTER TABLE agent_task ADD COLUMN rules TEXT;",
};

const struct cg_schema cg_schema_agent = {"agent", steps, sizeof steps / sizeof steps[0]};
