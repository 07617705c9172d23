/* Tables of the intel module added after the core schema (see struct
 * cg_schema in db.h). Never edit a released step: append. */
#include "db.h"

static const char *const steps[] = {
	/* 1: per source, whether its indicators in special-purpose address
	 * blocks are hunted (special_range.h) */
	"ALTER TABLE intel_source ADD COLUMN hunt_special INTEGER NOT NULL DEFAULT 0;",
};

const struct cg_schema cg_schema_intel = {"intel", steps, sizeof steps / sizeof steps[0]};
