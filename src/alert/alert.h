/* alert — the one alert record every detector produces (indicator hits of
 * the hunt, Sigma rules; threshold rules and YARA later), and the words for
 * its kind, severity and state.
 *
 * An alert is what fired (a rule, or an indicator with the list(s) it is on)
 * on which host, how often (count, first/last seen) and its handling state.
 * Repeats of the same rule or indicator on the same host are one alert.
 * The events behind it are kept as references (struct alert_event).
 * Times are seconds since the epoch (UTC), 0 when unknown. Pure. */
#ifndef CG_ALERT_H
#define CG_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"

enum alert_kind { ALERT_KIND_INDICATOR = 1, ALERT_KIND_SIGMA, ALERT_KIND_THRESHOLD, ALERT_KIND_YARA };

/* Ordered: a larger value is more severe. Sigma levels map one to one. */
enum alert_severity {
	ALERT_SEV_INFORMATIONAL = 0,
	ALERT_SEV_LOW,
	ALERT_SEV_MEDIUM,
	ALERT_SEV_HIGH,
	ALERT_SEV_CRITICAL,
};

/* new → verified | false_positive → escalated → closed (the daemon's
 * commands move it; repeats aggregate into an alert that is not closed or
 * dismissed). The moves allowed (alert_state_move_ok):
 *   new            → verified, false_positive, escalated (nobody answered)
 *   verified       → escalated, closed
 *   false_positive → closed
 *   escalated      → closed
 *   closed         → (none) */
enum alert_state {
	ALERT_STATE_NEW = 0,
	ALERT_STATE_VERIFIED,
	ALERT_STATE_FALSE_POSITIVE,
	ALERT_STATE_ESCALATED,
	ALERT_STATE_CLOSED,
};

/* Length of an alert id: a UUIDv7 (RFC 9562) in its 36-character text form,
 * time-ordered, independent of any database. */
#define ALERT_ID_LEN 36
/* Bytes of an event kept as its excerpt. */
#define ALERT_EXCERPT_MAX 512

/* One alert as written and read. Strings are borrowed ("" when none). */
struct alert {
	char id[ALERT_ID_LEN + 1];
	enum alert_kind kind;
	/* Sigma (and threshold): the rule. */
	const char *rule_id, *title, *level;
	/* Indicator: the list entry that matched, its type and the names of
	 * the source lists it is on ("botnet-list, feodo-c2"), and families. */
	const char *indicator, *indicator_type, *sources, *family;
	enum alert_severity severity;
	/* Host attribution: an inventory host (host_id > 0, with its system and
	 * the system's security level, 0 when none) or only a label. */
	int64_t host_id;
	const char *host, *system;
	int security_level;
	uint64_t count;
	int64_t first_seen, last_seen, created_at, updated_at;
	enum alert_state state;
	const char *state_by; /* who moved it to `state` */
	int64_t state_at;
};

/* One event behind an alert. */
struct alert_event {
	const char *file;   /* log file the event came from */
	uint64_t line;      /* 1-based line; 0 for records of a binary file */
	uint64_t record_id; /* EVTX record number; 0 when none */
	int64_t event_time; /* 0: unknown */
	const char *excerpt; /* capped at ALERT_EXCERPT_MAX bytes when stored */
	size_t excerpt_len;
};

const char *alert_kind_name(enum alert_kind k);            /* "indicator", "sigma", ... */
int alert_kind_from_name(const char *s, enum alert_kind *out); /* 0 ok, -1 unknown */
const char *alert_severity_name(enum alert_severity s);    /* "informational" ... "critical" */
/* A Sigma level ("high") as a severity; unknown text is informational. */
enum alert_severity alert_severity_from_level(const char *level);
const char *alert_state_name(enum alert_state s);          /* "new", "false_positive", ... */
int alert_state_from_name(const char *s, enum alert_state *out); /* 0 ok, -1 unknown */
/* 1 while repeats still aggregate into the alert (new, verified, escalated). */
int alert_state_is_open(enum alert_state s);
/* 1 when an alert may move from `from` to `to` (see enum alert_state). */
int alert_state_move_ok(enum alert_state from, enum alert_state to);
/* The states `from` may move to, for messages: "verified, false_positive,
 * escalated"; "" for none. */
const char *alert_state_moves(enum alert_state from);

/* A fresh alert id for time `now_ms` (milliseconds since the epoch), from
 * the system's random source. */
enum cg_err alert_id_new(int64_t now_ms, char out[ALERT_ID_LEN + 1]) CG_MUST_CHECK;

#endif
