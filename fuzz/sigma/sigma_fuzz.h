/* What the Sigma rule and condition fuzz targets share: rule text is parsed
 * into a fresh engine, compiled, and matched against one event that the
 * target fills. Any error is a fine outcome; a crash, leak or hang is not. */
#ifndef CG_FUZZ_SIGMA_FUZZ_H
#define CG_FUZZ_SIGMA_FUZZ_H

#include <stddef.h>

#include "cg_err.h"
#include "cg_event.h"
#include "sigma_engine.h"

/* The result is deliberately unused: any error is a fine outcome here. */
static void ignore(enum cg_err rc)
{
	(void)rc;
}

static struct sigma_engine *sigma_fuzz_engine;

static void sigma_fuzz_add(void *ud, struct sigma_rule *rule, enum cg_err rc, const char *reason, size_t doc)
{
	char why[256];
	(void)ud;
	(void)rc;
	(void)reason;
	(void)doc;
	if (rule)
		ignore(sigma_engine_add(sigma_fuzz_engine, rule, why, sizeof why));
}

static int sigma_fuzz_hit(void *ud, size_t ri, const struct sigma_rule *r, const struct cg_event *ev)
{
	(void)ud;
	(void)ri;
	(void)r;
	(void)ev;
	return 0;
}

/* Parse yaml[0..n) as rules, compile them, and match one event made by `fill`. */
static void sigma_fuzz_rules(const char *yaml, size_t n, void (*fill)(struct cg_event *ev))
{
	static struct sigma_map *map;
	if ((!map && sigma_map_new(&map)) || sigma_engine_new(map, &sigma_fuzz_engine))
		return;
	ignore(sigma_rules_parse(yaml, n, "fuzz.yml", sigma_fuzz_add, NULL));
	struct sigma_scanner *sc = NULL;
	struct cg_event *ev = NULL;
	if (!sigma_engine_compile(sigma_fuzz_engine, NULL, NULL) && !sigma_scanner_new(sigma_fuzz_engine, &sc) &&
	    !cg_event_new(&ev)) {
		fill(ev);
		ignore(sigma_scanner_match(sc, ev, sigma_fuzz_hit, NULL));
	}
	cg_event_free(ev);
	sigma_scanner_free(sc);
	sigma_engine_free(sigma_fuzz_engine);
	sigma_fuzz_engine = NULL;
}

#endif
