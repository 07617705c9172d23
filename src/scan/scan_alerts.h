/* scan_alerts — the hits of a sweep as alerts (store_alert.h): a YARA rule
 * or the EICAR test file as an ALERT_KIND_YARA alert named after the rule, a
 * listed hash as an indicator alert, as the hunt raises them. Attributed to
 * the inventory host named `host` (looked up as store_alert does) or only
 * labelled with it. Repeats of a rule or indicator on a host fold into one
 * alert; the same file found again is not counted twice. */
#ifndef CG_SCAN_ALERTS_H
#define CG_SCAN_ALERTS_H

#include <stdint.h>

#include "cg_db.h"
#include "cg_err.h"
#include "scan.h"

struct scan_alerts;

/* `host` is copied; "" or NULL: no host. */
enum cg_err scan_alerts_open(struct cg_db *db, int64_t now, const char *host, struct scan_alerts **out) CG_MUST_CHECK;
/* Record one hit (call from the sink's hit callback). *added (may be NULL)
 * as in alert_store_add. */
enum cg_err scan_alerts_add(struct scan_alerts *sa, const struct scan_hit *h, int *added) CG_MUST_CHECK;
/* Commit what was recorded; the object stays usable. */
enum cg_err scan_alerts_flush(struct scan_alerts *sa) CG_MUST_CHECK;
/* Free; what was not flushed is rolled back. NULL is a no-op. */
void scan_alerts_free(struct scan_alerts *sa);

#endif
