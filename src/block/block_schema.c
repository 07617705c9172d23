/* Tables of the blocking module (see struct cg_schema in db.h). */
#include "db.h"

static const char *const steps[] = {
	"CREATE TABLE block_placeholder(id INTEGER PRIMARY KEY);",
};

const struct cg_schema cg_schema_block = {"block", steps, sizeof steps / sizeof steps[0]};
