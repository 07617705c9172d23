/* The modules that keep their own tables; cg_db_open migrates each. */
#include "db.h"

extern const struct cg_schema cg_schema_vuln;
extern const struct cg_schema cg_schema_block;
extern const struct cg_schema cg_schema_sigma;
extern const struct cg_schema cg_schema_intel;
extern const struct cg_schema cg_schema_compliance;
extern const struct cg_schema cg_schema_incident;
extern const struct cg_schema cg_schema_alert;
extern const struct cg_schema cg_schema_quarantine;
extern const struct cg_schema cg_schema_duty;
extern const struct cg_schema cg_schema_agent;

const struct cg_schema *const cg_module_schemas[] = {
	&cg_schema_vuln,
	&cg_schema_block,
	&cg_schema_sigma,
	&cg_schema_intel,
	&cg_schema_compliance,
	&cg_schema_incident,
	&cg_schema_alert,
	&cg_schema_quarantine,
	&cg_schema_duty,
	&cg_schema_agent,
};
const size_t cg_module_schemas_n = sizeof cg_module_schemas / sizeof cg_module_schemas[0];
