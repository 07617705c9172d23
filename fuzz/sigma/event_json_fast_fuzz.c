/* Fuzz target: the JSON fast path (event_json_fast.c) against jansson. On
 * every input the fast path accepts, jansson must accept the same object and
 * give the same event: the same fields in the same order, the same routing
 * facts. Aborts on any difference. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_event_int.h"
#include "event_reader.h"

static void differ(const char *what)
{
	fprintf(stderr, "event_json_fast: %s differs from jansson\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cg_event *a = NULL, *b = NULL;
	size_t used = 0;
	if (cg_event_new(&a) || cg_event_new(&b))
		goto out;
	enum cg_err rc = cg_event_json_fast((const char *)data, size, a, &used);
	if (rc)
		goto out; /* jansson decides; nothing to compare */
	json_error_t jerr;
	json_t *j = json_loadb((const char *)data, size, JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL, &jerr);
	if (!j)
		differ("acceptance");
	if ((size_t)jerr.position != used)
		differ("length of the object");
	if (cg_event_from_json(j, b))
		differ("shape");
	json_decref(j);
	if (cg_event_count(a) != cg_event_count(b) || cg_event_truncated(a) != cg_event_truncated(b))
		differ("field count");
	for (size_t i = 0; i < cg_event_count(a); i++) {
		const char *an, *av, *bn, *bv;
		size_t anl, avl, bnl, bvl;
		cg_event_field(a, i, &an, &anl, &av, &avl);
		cg_event_field(b, i, &bn, &bnl, &bv, &bvl);
		if (anl != bnl || avl != bvl || memcmp(an, bn, anl) || memcmp(av, bv, avl))
			differ("a field");
	}
	if (strcmp(cg_event_channel(a), cg_event_channel(b)) || strcmp(cg_event_provider(a), cg_event_provider(b)) ||
	    cg_event_event_id(a) != cg_event_event_id(b) || cg_event_record_id(a) != cg_event_record_id(b) ||
	    strcmp(cg_event_time(a), cg_event_time(b)) || strcmp(cg_event_computer(a), cg_event_computer(b)) ||
	    cg_event_product(a) != cg_event_product(b))
		differ("routing facts");
out:
	cg_event_free(a);
	cg_event_free(b);
	return 0;
}
