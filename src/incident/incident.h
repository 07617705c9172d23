/* incident — the incident workflow above store_incident: the vocabularies
 * (severity, category, status, link kinds), the report deadlines of
 * Circular 20/2017/TT-BTTTT (initial report within 5 days of discovery, final
 * report within 5 days after the response ends), the counts other modules
 * read (compliance), the report documents (initial report, form Mẫu 03, and
 * final report) and pushing confirmed indicators to the blocking list. */
#ifndef CG_INCIDENT_H
#define CG_INCIDENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "block.h"
#include "cg_err.h"
#include "db.h"
#include "store_incident.h"

#define INCIDENT_REPORT_DAYS 5

/* Vocabularies; each list is NULL-terminated. */
extern const char *const incident_severities[]; /* low medium high critical */
extern const char *const incident_categories[]; /* malware intrusion phishing ddos defacement data-leak scam other */
extern const char *const incident_statuses[];   /* open responding resolved closed */
extern const char *const incident_link_kinds[]; /* hit alert indicator vuln host */
int incident_word_valid(const char *const *list, const char *s);

enum incident_due {
	INCIDENT_DUE_NOT_YET = 0, /* the clock has not started (final: response not ended) */
	INCIDENT_DUE_PENDING,     /* due, not yet late */
	INCIDENT_DUE_OVERDUE,     /* past the deadline, not sent */
	INCIDENT_DUE_DONE,        /* sent in time */
	INCIDENT_DUE_LATE,        /* sent after the deadline */
};
const char *incident_due_name(enum incident_due d); /* "not-started", "due", "overdue", "done", "late" */

struct incident_deadlines {
	int64_t initial_due, final_due; /* final_due 0 while the response goes on */
	enum incident_due initial, final;
};
/* Pure. */
void incident_deadlines_at(const struct incident_row *r, int64_t now, struct incident_deadlines *d);

/* What the compliance report reads. */
struct incident_counts {
	size_t total, open, closed;
	size_t initial_due, initial_overdue, final_due, final_overdue;
};
enum cg_err incident_store_counts(struct cg_db *db, int64_t now, struct incident_counts *c) CG_MUST_CHECK;

/* Each incident with its deadlines at `now`, newest first. */
typedef enum cg_err (*incident_due_fn)(void *ctx, const struct incident_row *r, const struct incident_deadlines *d);
enum cg_err incident_list(struct cg_db *db, int64_t now, incident_due_fn fn, void *ctx) CG_MUST_CHECK;

/* Link with validation: kind must be a link kind; an indicator is parsed
 * and stored in its canonical form (ioc.h); hit, alert and vuln refs are
 * positive ids; a host must exist in the inventory. */
enum cg_err incident_link_add(struct cg_db *db, int64_t id, const char *kind, const char *ref, int confirmed,
			      const char *note, int64_t now) CG_MUST_CHECK;

/* Report fields (form entries) a user may set; NULL-terminated keys. */
struct incident_form_field {
	const char *key, *vi, *en;
};
extern const struct incident_form_field incident_form_initial[]; /* Mẫu 03, in form order */
extern const struct incident_form_field incident_form_final_extra[];
/* 1 if `key` is a settable field. */
int incident_field_known(const char *key);

enum incident_form { INCIDENT_FORM_INITIAL = 0, INCIDENT_FORM_FINAL };
/* The report document: {"form", "basis", "title": {vi, en}, "incident": {...},
 * "deadline": {...}, "fields": [{"key", "vi", "en", "value" (string or array
 * of strings)}], "missing": [keys]}. Values the store knows (system, level,
 * detection time, status, hosts' OS and addresses, evidence) fill fields the
 * user did not set. New reference in *out. */
enum cg_err incident_report_build(struct cg_db *db, int64_t id, enum incident_form form, int64_t now,
				  json_t **out) CG_MUST_CHECK;

/* Push the incident's confirmed indicators (or only `value`, which must be
 * linked; it is confirmed on the way) to the blocking list with origin
 * "incident:N", through the block module (policy-checked unless `force`).
 * Hashes are not blockable and are counted in *n_skipped. */
enum cg_err incident_block(struct cg_db *db, int64_t id, const char *value, int force, int64_t now,
			   struct block_decide_report *rep, size_t *n_skipped) CG_MUST_CHECK;

#endif
