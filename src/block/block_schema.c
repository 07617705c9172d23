/* Tables of the blocking module (see struct cg_schema in db.h). */
#include "db.h"

static const char *const steps[] = {
	/* 1: decisions with lifetimes, orders, own prefixes, enforcement runs.
	 * Decisions are never deleted: removal and expiry are times, so the
	 * lists as of any past moment can be rebuilt (exports --since). */
	"CREATE TABLE block_order("
	"  id INTEGER PRIMARY KEY,"
	"  ref TEXT NOT NULL UNIQUE,"
	"  issued_at INTEGER NOT NULL,"
	"  deadline_at INTEGER NOT NULL,"
	"  file TEXT NOT NULL,"
	"  note TEXT,"
	"  received_at INTEGER NOT NULL,"
	"  n_targets INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE block_decision("
	"  id INTEGER PRIMARY KEY,"
	"  action INTEGER NOT NULL CHECK(action IN (0, 1)),"
	"  type TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  fam INTEGER NOT NULL DEFAULT 0,"
	"  lo BLOB,"
	"  hi BLOB,"
	"  prefix INTEGER,"
	"  reason TEXT,"
	"  origin TEXT NOT NULL,"
	"  order_id INTEGER REFERENCES block_order(id) ON DELETE CASCADE,"
	"  forced INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"
	"  expires_at INTEGER,"
	"  removed_at INTEGER);"
	"CREATE UNIQUE INDEX block_decision_live ON block_decision(value, action, origin) WHERE removed_at IS NULL;"
	"CREATE INDEX block_decision_origin ON block_decision(origin);"
	"CREATE INDEX block_decision_order ON block_decision(order_id) WHERE order_id IS NOT NULL;"
	"CREATE INDEX block_decision_net ON block_decision(fam, lo) WHERE fam <> 0;"
	"CREATE INDEX block_decision_expiry ON block_decision(expires_at) WHERE expires_at IS NOT NULL;"
	"CREATE TABLE block_own("
	"  value TEXT PRIMARY KEY,"
	"  type TEXT NOT NULL,"
	"  note TEXT,"
	"  created_at INTEGER NOT NULL);"
	/* One row per export that was put into service (export --record, or a
	 * pull served by `block serve`): where, when, and which list state. */
	"CREATE TABLE block_enforcement("
	"  id INTEGER PRIMARY KEY,"
	"  point TEXT NOT NULL,"
	"  format TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  serial INTEGER NOT NULL,"
	"  n_items INTEGER NOT NULL,"
	"  digest TEXT);"
	"CREATE INDEX block_enforcement_at ON block_enforcement(at);",
	/* 2: enforcement points that pull from `block serve`, each with a token
	 * (only its SHA-256 is kept); one enforcement row per point and list
	 * version is looked up by this index. */
	"CREATE TABLE block_point("
	"  name TEXT PRIMARY KEY,"
	"  token_sha256 TEXT NOT NULL UNIQUE,"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX block_enforcement_point ON block_enforcement(point, format, digest);",
};

const struct cg_schema cg_schema_block = {"block", steps, sizeof steps / sizeof steps[0]};
