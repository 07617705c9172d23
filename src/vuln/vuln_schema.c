/* Tables of the vulnerability module (see struct cg_schema in db.h). */
#include "db.h"

static const char *const steps[] = {
	"CREATE TABLE vuln_placeholder(id INTEGER PRIMARY KEY);",
};

const struct cg_schema cg_schema_vuln = {"vuln", steps, sizeof steps / sizeof steps[0]};
