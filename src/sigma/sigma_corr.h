/* sigma_corr — Sigma correlation rules (event_count, value_count, temporal,
 * temporal_ordered) over the hits of the rules they refer to. Stateful and
 * single-threaded: feed it hits in event order. Windows are kept per
 * correlation and group-by values, with caps on groups and on the events a
 * window remembers. */
#ifndef SIGMA_CORR_H
#define SIGMA_CORR_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"
#include "sigma_engine.h"

#define SIGMA_CORR_MAX_GROUPS 100000
#define SIGMA_CORR_MAX_WINDOW 100000

struct sigma_corr;

/* A correlation fired: `group` is "field=value, ..." (borrowed), `count`
 * the figure compared with its condition, first/last the window times. */
typedef void (*sigma_corr_cb)(void *ud, size_t corr_index, const struct sigma_rule *rule, const char *group,
                              uint64_t count, int64_t first, int64_t last);

enum cg_err sigma_corr_new(const struct sigma_engine *e, struct sigma_corr **out) CG_MUST_CHECK;
void sigma_corr_free(struct sigma_corr *c); /* NULL is a no-op */

/* Rule `rule_index` matched `ev` at time `t` (seconds). Correlations that
 * fire call `cb`, and feed the correlations that use them in turn. */
enum cg_err sigma_corr_feed(struct sigma_corr *c, size_t rule_index, const struct cg_event *ev, int64_t t,
                            sigma_corr_cb cb, void *ud) CG_MUST_CHECK;

/* Groups dropped because of SIGMA_CORR_MAX_GROUPS. */
uint64_t sigma_corr_dropped(const struct sigma_corr *c);

#endif
