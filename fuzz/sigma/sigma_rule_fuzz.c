/* Fuzz target: Sigma rule text → parse, add to an engine, compile, match
 * one event. Must never crash, leak or hang. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cg_err.h"

/* The result is deliberately unused: any error is a fine outcome here. */
static void ignore(enum cg_err rc)
{
	(void)rc;
}

#include "sigma_engine.h"

static struct sigma_engine *engine;

static void add(void *ud, struct sigma_rule *rule, enum cg_err rc, const char *reason, size_t doc)
{
	char why[256];
	(void)ud;
	(void)rc;
	(void)reason;
	(void)doc;
	if (rule)
		ignore(sigma_engine_add(engine, rule, why, sizeof why));
}

static int on_hit(void *ud, size_t ri, const struct sigma_rule *r, const struct cg_event *ev)
{
	(void)ud;
	(void)ri;
	(void)r;
	(void)ev;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sigma_map *map;
	if (!map && sigma_map_new(&map))
		return 0;
	if (sigma_engine_new(map, &engine))
		return 0;
	ignore(sigma_rules_parse((const char *)data, size, "fuzz.yml", add, NULL));
	struct sigma_scanner *sc = NULL;
	struct cg_event *ev = NULL;
	if (!sigma_engine_compile(engine, NULL, NULL) && !sigma_scanner_new(engine, &sc) && !cg_event_new(&ev)) {
		cg_event_set_product(ev, CG_EVENT_PRODUCT_WINDOWS);
		cg_event_set_channel(ev, "Security", 8);
		cg_event_set_event_id(ev, 4624);
		ignore(cg_event_add(ev, "EventID", 7, "4624", 4));
		ignore(cg_event_add(ev, "CommandLine", 11, "powershell -enc aQBlAHgA C:\\Temp\\a.exe", 39));
		ignore(cg_event_add(ev, "IpAddress", 9, "2001:db8::1", 11));
		ignore(sigma_scanner_match(sc, ev, on_hit, NULL));
	}
	cg_event_free(ev);
	sigma_scanner_free(sc);
	sigma_engine_free(engine);
	engine = NULL;
	return 0;
}
