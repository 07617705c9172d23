/* store_compliance — host facts, requirement statuses with their history,
 * awareness records, sweeps and agency settings in storage. No SQLite types
 * here. Strings handed to callbacks are borrowed for the call only. */
#ifndef CG_STORE_COMPLIANCE_H
#define CG_STORE_COMPLIANCE_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"
#include "db.h"
#include "host_facts.h"

struct comp_fact_row {
	const char *host, *key, *value, *tool, *file, *by;
	int64_t at;
};
typedef enum cg_err (*comp_fact_fn)(void *ctx, const struct comp_fact_row *f);

/* Replace the current facts `tool` gave about `host` (which must be an
 * inventory host: CG_ENOTFOUND otherwise) by `hf`, in one transaction; the
 * old ones stay as history. *changed counts facts whose value differs. */
enum cg_err store_comp_facts_put(struct cg_db *db, const char *host, const char *file, const struct host_facts *hf,
				 const char *by, int64_t now, size_t *changed) CG_MUST_CHECK;
/* One fact set by hand (tool "manual"). */
enum cg_err store_comp_fact_set(struct cg_db *db, const char *host, const char *key, const char *value,
				const char *by, int64_t now) CG_MUST_CHECK;
/* Current facts, by host then key; only `host`'s when not NULL. */
enum cg_err store_comp_facts_foreach(struct cg_db *db, const char *host, comp_fact_fn fn, void *ctx) CG_MUST_CHECK;

/* Requirement statuses recorded by people ("met", "not_met", "unknown",
 * "not_applicable"). */
struct comp_status_row {
	int64_t id;
	const char *system, *req, *state, *evidence, *by;
	int64_t at;
};
typedef enum cg_err (*comp_status_fn)(void *ctx, const struct comp_status_row *s);
enum cg_err store_comp_status_add(struct cg_db *db, const char *system, const char *req, const char *state,
				  const char *evidence, const char *by, int64_t now) CG_MUST_CHECK;
/* `latest`: the last record per (system, requirement); else every record in
 * time order. `system` NULL: all systems. */
enum cg_err store_comp_status_foreach(struct cg_db *db, const char *system, int latest, comp_status_fn fn,
				      void *ctx) CG_MUST_CHECK;

/* Awareness records: briefings (n_people attended) and phishing exercises
 * (n_people received, n_clicked clicked, n_reported reported it). */
struct comp_awareness_row {
	int64_t id;
	const char *kind, *title, *attendees, *by;
	int64_t held_on, n_people, n_clicked, n_reported, at;
};
typedef enum cg_err (*comp_awareness_fn)(void *ctx, const struct comp_awareness_row *a);
enum cg_err store_comp_awareness_add(struct cg_db *db, const struct comp_awareness_row *a, int64_t *id) CG_MUST_CHECK;
/* Newest first. */
enum cg_err store_comp_awareness_foreach(struct cg_db *db, comp_awareness_fn fn, void *ctx) CG_MUST_CHECK;

/* Sweeps of hosts (a host on the botnet list was checked and cleaned). */
typedef enum cg_err (*comp_sweep_fn)(void *ctx, const char *host, int64_t at, const char *by, const char *note);
enum cg_err store_comp_sweep_add(struct cg_db *db, const char *host, const char *by, const char *note,
				 int64_t now) CG_MUST_CHECK;
/* The last sweep per host. */
enum cg_err store_comp_sweep_foreach(struct cg_db *db, comp_sweep_fn fn, void *ctx) CG_MUST_CHECK;

/* Agency settings (agency name, incident-response contact). get: "" when unset. */
enum cg_err store_comp_setting_get(struct cg_db *db, const char *key, char *buf, size_t n) CG_MUST_CHECK;
enum cg_err store_comp_setting_set(struct cg_db *db, const char *key, const char *value) CG_MUST_CHECK;

#endif
