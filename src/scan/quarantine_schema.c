/* Tables of the quarantine (see struct cg_schema in db.h): one row per item
 * moved into a store, kept after it is restored or purged (state says). */
#include "db.h"

static const char *const steps[] = {
	"CREATE TABLE quarantine_item("
	" id TEXT PRIMARY KEY,"
	" store TEXT NOT NULL,"
	" path TEXT NOT NULL,"
	" uid INTEGER NOT NULL, gid INTEGER NOT NULL, mode INTEGER NOT NULL,"
	" size INTEGER NOT NULL,"
	" mtime INTEGER NOT NULL,"
	" sha256 TEXT NOT NULL, sha1 TEXT NOT NULL, md5 TEXT NOT NULL,"
	" hits TEXT NOT NULL," /* JSON array of {kind, name} */
	" who TEXT NOT NULL,"
	" quarantined_at INTEGER NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'quarantined' CHECK(state IN ('quarantined', 'restored', 'purged')),"
	" state_at INTEGER);"
	"CREATE INDEX quarantine_item_sha256 ON quarantine_item(sha256);",
};

const struct cg_schema cg_schema_quarantine = {"quarantine", steps, sizeof steps / sizeof steps[0]};
