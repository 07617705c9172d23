/* sigma_hunt — the Sigma hunt workflow: files, directories or standard input
 * ("-") run through a compiled engine, hits handed to a sink in input order,
 * correlations judged on event time (sigma_corr).
 *
 * Pipeline: one reader thread cuts inputs into jobs queued in a bounded ring
 * (back-pressure: the reader waits while 2×threads+2 jobs are in flight);
 * worker threads match jobs; the calling thread takes jobs back in sequence
 * and calls the sink, so hits come out in input order whatever the thread
 * count or chunk size.
 *   - JSON (JSON Lines or pretty-printed) and text lines (syslog, auditd) are
 *     STREAMED in chunks of `chunk_size` cut at line boundaries — for JSON only
 *     where a top-level value ends — so memory does not depend on file size
 *     and one large file uses every worker. One top-level JSON value may be up
 *     to SIGMA_HUNT_VALUE_MAX bytes (a pretty-printed event or array).
 *   - EVTX files are one job each (libevtx reads the file).
 * Memory: at most ring × (chunk + its hits) plus the correlation state. */
#ifndef SIGMA_HUNT_H
#define SIGMA_HUNT_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"
#include "cg_event.h"
#include "sigma_corr.h"
#include "sigma_engine.h"

#define SIGMA_HUNT_CHUNK_DEFAULT ((size_t)4 << 20)
#define SIGMA_HUNT_VALUE_MAX ((size_t)256 << 20)
#define SIGMA_HUNT_THREADS_MAX 256u
#define SIGMA_HUNT_JOB_HITS_MAX 1000000u /* hits kept per job; more are counted */
#define SIGMA_HUNT_EID_SLOTS 65537       /* event IDs 0..65535, slot 0: none */

struct sigma_hunt_opts {
	unsigned threads;   /* 0: processors online */
	size_t chunk_size;  /* 0: SIGMA_HUNT_CHUNK_DEFAULT */
	int min_level;      /* hits of rules below this level are not reported */
	int64_t now;        /* seconds: the received time of file input (the year of RFC 3164 stamps) */
	struct sigma_corr_opts corr; /* lateness < 0 (file hunts): judge at the end */
};

enum sigma_hit_kind { SIGMA_HIT_RULE, SIGMA_HIT_CORRELATION };

/* One hit, borrowed for the sink call. */
struct sigma_hunt_hit {
	enum sigma_hit_kind kind;
	size_t rule_index;
	const struct sigma_rule *rule;
	const char *rule_id, *title, *level;
	int64_t time;             /* event time, seconds since the epoch; -1: none */
	const char *time_text;    /* as written in the event ("" if none) */
	const char *host;         /* the event's computer/host ("" if none) */
	const char *file;         /* input path ("-": standard input); "" for correlations */
	uint64_t record_id;       /* EVTX record id (0 if none) */
	uint64_t line;            /* line where the event starts in a text/JSON file (0: n/a) */
	long event_id;            /* -1 if none */
	const char *channel;
	const struct cg_event *event; /* NULL for correlations */
	/* correlations */
	const char *group;
	uint64_t count;
	int64_t first;            /* time of the window's first hit (`time` is the last) */
};

struct sigma_hunt_stats {
	uint64_t files, events, bytes, bad, hits, corr_hits, input_errors, hits_dropped;
	struct sigma_corr_stats corr;
	/* Filled when sigma_hunt_opts asks for nothing more: always allocated by
	 * sigma_hunt_run, freed by sigma_hunt_stats_fini. */
	uint64_t *rule_hits;   /* per rule index */
	uint64_t *rule_regex_limits; /* per rule index: evaluations stopped at a PCRE2 limit */
	/* What the engine could not judge in full: events cut at the field cap,
	 * rule evaluations whose regular expression hit a limit (no match). */
	uint64_t truncated, regex_limits;
	uint64_t *eid_events, *eid_hits; /* SIGMA_HUNT_EID_SLOTS each */
	size_t n_rules;
};
void sigma_hunt_stats_fini(struct sigma_hunt_stats *st);

struct sigma_hunt_sink {
	void *ctx;
	/* A hit to report (level and generate already applied). Non-zero
	 * CG_* stops the hunt with that error (e.g. the output failed). */
	enum cg_err (*hit)(void *ctx, const struct sigma_hunt_hit *h);
	/* A file is done: its reading error (rc, msg) if any, records skipped
	 * (`bad`, first one in `first_bad`). */
	void (*file_done)(void *ctx, const char *path, enum cg_err rc, const char *msg, uint64_t bad,
	                  const char *first_bad);
	/* Progress: files done of total. */
	void (*progress)(void *ctx, const char *path, size_t done, size_t total);
};

/* Hunt `paths` (files, directories walked sorted, "-" standard input).
 * Fails for a failure of the hunt itself (memory, a sink error); unreadable
 * inputs go to sink->file_done and are counted in stats.input_errors. */
enum cg_err sigma_hunt_run(const struct sigma_engine *e, char *const *paths, size_t n,
                           const struct sigma_hunt_opts *o, const struct sigma_hunt_sink *sink,
                           struct sigma_hunt_stats *stats) CG_MUST_CHECK;

#endif
