/* Threshold rules (YAML): rules or a located error out; a loaded rule is
 * matched against a small event so the matchers run too. */
#include <stdint.h>
#include <string.h>

#include "detect_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct detect_rules *r = NULL;
	if (detect_rules_parse("fuzz.yaml", (const char *)data, size, &r) == CG_OK) {
		struct detect_rules_scratch *sc = NULL;
		struct cg_event *ev = NULL;
		char key[DETECT_KEY_MAX], text[600];
		if (detect_rules_scratch_new(&sc) == CG_OK && cg_event_new(&ev) == CG_OK &&
		    cg_event_add(ev, "src_ip", 6, "192.0.2.7", 9) == CG_OK &&
		    cg_event_add(ev, "user", 4, "root", 4) == CG_OK && cg_event_add(ev, "dst_port", 8, "22", 2) == CG_OK) {
			for (size_t i = 0; i < detect_rules_count(r); i++) {
				struct detect_rule_info ri;
				detect_rules_info(r, i, &ri);
				/* What a loaded rule promises. */
				if (!ri.id || !*ri.id || !ri.title || ri.threshold == 0 || ri.window_us <= 0 ||
				    ri.n_group_by > DETECT_GROUP_BY_MAX || (ri.cond == DETECT_COND_DISTINCT && !ri.distinct))
					__builtin_trap();
				(void)detect_rules_match(r, i, ev, NULL, sc);
				int kl = detect_rules_group_key(r, i, ev, key);
				if (kl > DETECT_KEY_MAX)
					__builtin_trap();
				if (kl >= 0)
					detect_rules_group_text(r, i, key, (size_t)kl, text, sizeof text);
			}
		}
		cg_event_free(ev);
		detect_rules_scratch_free(sc);
	}
	detect_rules_free(r);
	return 0;
}
