/* store_incident — incidents, their timeline, tasks, links, report fields,
 * evidence items and the custody log, in storage. No SQLite types cross this
 * interface; rows handed to callbacks are borrowed for the call only. Times
 * are Unix seconds, 0 meaning "not yet". */
#ifndef CG_STORE_INCIDENT_H
#define CG_STORE_INCIDENT_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"
#include "db.h"

/* Longest title, field value, timeline text the store accepts. */
#define INCIDENT_TEXT_MAX 65536

struct incident_new {
	const char *title;
	const char *system;      /* NULL: none; else must exist */
	const char *severity;    /* incident_severity_valid() */
	const char *category;    /* incident_category_valid() */
	const char *description; /* may be NULL */
	int64_t discovered_at;   /* 0: now */
	const char *actor;       /* who opened it (timeline) */
};

struct incident_row {
	int64_t id;
	const char *title;
	const char *system; /* "" when none */
	int level;          /* security level of the system; 0 when none */
	const char *system_owner; /* owning unit of the system; "" when none */
	const char *severity, *category, *status, *description;
	int64_t discovered_at, opened_at, response_ended_at;
	int64_t initial_reported_at, final_reported_at, closed_at;
};
typedef enum cg_err (*incident_row_fn)(void *ctx, const struct incident_row *r);

enum cg_err store_incident_open(struct cg_db *db, const struct incident_new *n, int64_t now,
				int64_t *id) CG_MUST_CHECK;
/* CG_ENOTFOUND "incident N does not exist" when absent. */
enum cg_err store_incident_get(struct cg_db *db, int64_t id, incident_row_fn fn, void *ctx) CG_MUST_CHECK;
/* Every incident, newest first. */
enum cg_err store_incident_foreach(struct cg_db *db, incident_row_fn fn, void *ctx) CG_MUST_CHECK;

/* Change the status (incident_status_valid()) and note it in the timeline.
 * "resolved" records the end of the response (starts the final-report
 * deadline); "closed" also does when it was not recorded before. */
enum cg_err store_incident_set_status(struct cg_db *db, int64_t id, const char *status, const char *actor,
				      int64_t now) CG_MUST_CHECK;
/* Record that the initial (final = 0) or final report was sent at `at`. */
enum cg_err store_incident_mark_reported(struct cg_db *db, int64_t id, int final, int64_t at) CG_MUST_CHECK;

/* Timeline. */
enum cg_err store_incident_event_add(struct cg_db *db, int64_t id, int64_t at, const char *kind, const char *text,
				     const char *actor) CG_MUST_CHECK;
typedef enum cg_err (*incident_event_fn)(void *ctx, int64_t at, const char *kind, const char *text,
					 const char *actor);
enum cg_err store_incident_events(struct cg_db *db, int64_t id, incident_event_fn fn, void *ctx) CG_MUST_CHECK;

/* Tasks. */
enum cg_err store_incident_task_add(struct cg_db *db, int64_t id, const char *title, const char *owner,
				    int64_t due_at, int64_t now, int64_t *task_id) CG_MUST_CHECK;
enum cg_err store_incident_task_done(struct cg_db *db, int64_t id, int64_t task_id, int64_t now) CG_MUST_CHECK;
struct incident_task {
	int64_t id;
	const char *title, *owner;
	int64_t due_at, done_at;
};
typedef enum cg_err (*incident_task_fn)(void *ctx, const struct incident_task *t);
enum cg_err store_incident_tasks(struct cg_db *db, int64_t id, incident_task_fn fn, void *ctx) CG_MUST_CHECK;

/* Links to hits, alerts, indicators, vulnerabilities and hosts. Linking the
 * same (kind, ref) again counts a sighting: count grows, last_seen moves,
 * `confirmed` is kept once set. */
struct incident_link {
	const char *kind;    /* incident_link_kind_valid() */
	const char *ref;     /* hit/alert/finding id, host name, indicator value */
	const char *subtype; /* indicators: ioc_type_name(); else NULL */
	int confirmed;
	const char *note;
	int64_t first_seen, last_seen; /* 0: unknown */
	int64_t count;
};
enum cg_err store_incident_link(struct cg_db *db, int64_t id, const struct incident_link *l,
				int64_t now) CG_MUST_CHECK;
/* Mark an indicator link confirmed; CG_ENOTFOUND if not linked. */
enum cg_err store_incident_confirm(struct cg_db *db, int64_t id, const char *ref) CG_MUST_CHECK;
typedef enum cg_err (*incident_link_fn)(void *ctx, const struct incident_link *l);
/* Links of kind `kind` (NULL: all), by kind then ref. */
enum cg_err store_incident_links(struct cg_db *db, int64_t id, const char *kind, incident_link_fn fn,
				 void *ctx) CG_MUST_CHECK;

/* Report fields (Circular 20/2017 form entries), key = value. An empty
 * value removes the field. */
enum cg_err store_incident_field_set(struct cg_db *db, int64_t id, const char *key, const char *value) CG_MUST_CHECK;
typedef enum cg_err (*incident_field_fn)(void *ctx, const char *key, const char *value);
enum cg_err store_incident_fields(struct cg_db *db, int64_t id, incident_field_fn fn, void *ctx) CG_MUST_CHECK;

/* Addresses of the hosts linked to the incident and of the system's hosts. */
typedef enum cg_err (*incident_addr_fn)(void *ctx, const char *host, const char *addr, const char *os);
enum cg_err store_incident_host_addrs(struct cg_db *db, int64_t id, incident_addr_fn fn, void *ctx) CG_MUST_CHECK;

/* ---- evidence ---- */
struct evidence_row {
	int64_t id, incident_id;
	const char *name, *sha256, *md5;
	int64_t size;
	const char *source_host, *source_path, *collector;
	int64_t collected_at;
	const char *note; /* "" when none */
};
enum cg_err store_evidence_add(struct cg_db *db, const struct evidence_row *e, int64_t *id) CG_MUST_CHECK;
typedef enum cg_err (*evidence_row_fn)(void *ctx, const struct evidence_row *e);
enum cg_err store_evidence_foreach(struct cg_db *db, int64_t incident_id, evidence_row_fn fn, void *ctx) CG_MUST_CHECK;

/* ---- custody log ---- */
struct custody_entry {
	int64_t seq; /* 1, 2, ... per incident */
	int64_t at;
	const char *action; /* collected, copied, exported, verified */
	const char *actor;
	const char *sha256; /* the item acted on, or "-" */
	const char *detail;
	char prev[65], hash[65];
};
/* Append an entry to the incident's chain (prev = hash of the last entry,
 * zeros for the first). Not a transaction of its own. */
enum cg_err store_custody_append(struct cg_db *db, int64_t incident_id, int64_t at, const char *action,
				 const char *actor, const char *sha256, const char *detail) CG_MUST_CHECK;
typedef enum cg_err (*custody_fn)(void *ctx, const struct custody_entry *e);
enum cg_err store_custody_foreach(struct cg_db *db, int64_t incident_id, custody_fn fn, void *ctx) CG_MUST_CHECK;

#endif
