/* store_alert — alerts in the database (see alert.h for the record).
 *
 * The store owns its prepared statements (made when it opens, finalised
 * when it closes); no SQLite types here, so another backend can sit behind
 * the same functions. Writes join the caller's transaction when one is open
 * (the hunt's hit batches), else the store opens its own and commits it
 * every ALERT_STORE_BATCH events and at alert_store_flush/close. */
#ifndef CG_STORE_ALERT_H
#define CG_STORE_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "cg_db.h"
#include "cg_err.h"

#define ALERT_STORE_BATCH 1000
/* Events of one alert that keep their excerpt; later ones keep only where
 * they are (file, line, record, time). */
#define ALERT_EXCERPTS_PER_ALERT 20
/* An event time more than this (seconds) after the store's now counts as
 * now for the alert's first/last seen and window. */
#define ALERT_FUTURE_SLACK 300

struct alert_store;

/* `now` (seconds since the epoch) stamps what this store writes. */
enum cg_err alert_store_open(struct cg_db *db, int64_t now, struct alert_store **out) CG_MUST_CHECK;
/* Commits what the store's own transaction holds, then frees; NULL is a
 * no-op. A failed commit is lost here: call alert_store_flush first. */
void alert_store_close(struct alert_store *s);
/* Commit the store's own open transaction, if any. */
enum cg_err alert_store_flush(struct alert_store *s) CG_MUST_CHECK;
/* Roll back the store's own open transaction, if any. */
void alert_store_abort(struct alert_store *s);

/* Record that `a` fired on event `ev`. Of `a` the store reads kind, rule_id,
 * title, level (Sigma), indicator, indicator_type, sources, family
 * (indicator), severity, host_id and host: host_id 0 with a host name is
 * looked up in the inventory (exact name, or the same name with or without
 * its domain, ignoring case). The event is folded into the open alert of
 * the same rule or indicator on the same host (count, first/last seen,
 * highest severity) or opens a new one. The same event (file, line, record,
 * text) recorded before for that rule or indicator and host is not counted
 * again: *added (may be NULL) is then 0, else 1. */
enum cg_err alert_store_add(struct alert_store *s, const struct alert *a, const struct alert_event *ev,
			    int *added) CG_MUST_CHECK;

/* What alert_store_record did with one event. */
struct alert_added {
	int counted;               /* the event was new to the alert (alert_store_add's *added) */
	int opened;                /* it opened a new alert (then count is 1) */
	char id[ALERT_ID_LEN + 1]; /* the alert it was counted in; "" when not counted */
	uint64_t count;            /* that alert's count with this event; 0 when not counted */
};
/* alert_store_add, saying which alert the event went to (read it whole with
 * alert_store_get: it sees what this store has not committed yet). */
enum cg_err alert_store_record(struct alert_store *s, const struct alert *a, const struct alert_event *ev,
			       struct alert_added *out) CG_MUST_CHECK;

struct alert_filter {
	enum alert_kind kind;             /* 0: any */
	int64_t host_id;                  /* 0: any */
	int open_only;                    /* only new, verified, escalated */
	enum alert_severity min_severity; /* at least this */
	size_t limit;                     /* 0: no limit */
};

/* Alerts, most severe first, then latest seen, then id. Borrowed until `fn`
 * returns; a non-CG_OK from `fn` stops and is returned. */
typedef enum cg_err (*alert_fn)(void *ctx, const struct alert *a);
enum cg_err alert_store_foreach(struct alert_store *s, const struct alert_filter *f, alert_fn fn,
				void *ctx) CG_MUST_CHECK;

/* How many alerts there are, by state and severity, and how many open ones
 * (new, verified, escalated) by severity and by the security level of their
 * system (index 0: no system or no level). */
struct alert_counts {
	uint64_t total, open;
	uint64_t by_state[ALERT_STATE_CLOSED + 1];        /* indexed by enum alert_state */
	uint64_t by_severity[ALERT_SEV_CRITICAL + 1];     /* all alerts */
	uint64_t open_by_severity[ALERT_SEV_CRITICAL + 1];
	uint64_t open_by_level[6];                        /* security levels 1..5; 0: none */
};
enum cg_err alert_store_counts(struct alert_store *s, struct alert_counts *out) CG_MUST_CHECK;

/* The alert `id`; CG_ENOTFOUND when there is none. */
enum cg_err alert_store_get(struct alert_store *s, const char *id, alert_fn fn, void *ctx) CG_MUST_CHECK;

/* The first `limit` (0: all) events behind alert `id`, in event order. */
typedef enum cg_err (*alert_event_fn)(void *ctx, const struct alert_event *ev);
enum cg_err alert_store_events(struct alert_store *s, const char *id, size_t limit, alert_event_fn fn,
			       void *ctx) CG_MUST_CHECK;

/* The aggregation window in seconds (0, the default: none): a repeat
 * folds into the open alert only when its time (the event's, else the
 * store's now) is at most `seconds` after the alert's last_seen; a later
 * one opens a new alert (the old one stays as it is). */
void alert_store_set_window(struct alert_store *s, int64_t seconds);
/* At most `events` (0, the default: no cap) events are listed per alert:
 * later ones still count (count, first/last seen, severity) but are not
 * kept one by one, so a flood cannot grow the database without bound.
 * Events past the cap are not remembered either, so the same event
 * recorded again past the cap counts again: for live streams, where every
 * event is new, not for hunts that may be run twice over the same files. */
void alert_store_set_event_cap(struct alert_store *s, uint64_t events);
/* A new "now" for what the store writes from here on (a long-running writer). */
void alert_store_set_now(struct alert_store *s, int64_t now);

/* Move alert `id` to `state`, recording `who` and the store's `now`, and
 * the move (with `note`, may be NULL) in the alert's notes. Only the moves
 * of alert_state_move_ok: another is CG_EINVAL with a message naming both
 * states and the moves allowed; CG_ENOTFOUND when there is no such alert. */
enum cg_err alert_store_move(struct alert_store *s, const char *id, enum alert_state state, const char *who,
			     const char *note) CG_MUST_CHECK;
/* alert_store_move without a note. */
enum cg_err alert_store_set_state(struct alert_store *s, const char *id, enum alert_state state,
				  const char *who) CG_MUST_CHECK;

/* Longest note or comment kept, in bytes. */
#define ALERT_NOTE_MAX 4096
/* Add a comment by `who` (may be NULL) at the store's `now`; CG_ENOTFOUND
 * when there is no such alert, CG_EINVAL for an empty or over-long text. */
enum cg_err alert_store_comment(struct alert_store *s, const char *id, const char *who, const char *text) CG_MUST_CHECK;

/* One note of an alert: a state move (from/to set, text may be "") or a
 * comment (from and to ""). Borrowed during the call. */
struct alert_note {
	int64_t at;
	const char *by; /* "" when unknown */
	const char *from, *to;
	const char *text;
};
typedef enum cg_err (*alert_note_fn)(void *ctx, const struct alert_note *n);
/* The notes of alert `id`, oldest first. */
enum cg_err alert_store_notes(struct alert_store *s, const char *id, alert_note_fn fn, void *ctx) CG_MUST_CHECK;

#endif
