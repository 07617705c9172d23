/* hunt_job — the indicator hunt as a workflow, for the CLI and the daemon:
 * hunt the files, attribute each hit's line to an inventory host, read its
 * time, render it (text or JSON Lines), record the hunt, its hits and the
 * alerts they raise (one per listed entry and host, see store_alert.h).
 *
 * The rendered output is handed to sink->write in blocks (and after every
 * hit when `flush_each_hit` is set, for a person watching), in file, line
 * and token order whatever the number of threads. */
#ifndef CG_HUNT_JOB_H
#define CG_HUNT_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "asset_index.h"
#include "cg_db.h"
#include "cg_err.h"
#include "hunt.h"
#include "ioc_set.h"

/* Longest host label rendered for a hit. */
#define HUNT_JOB_LABEL_MAX 256

struct hunt_job_opts {
	const struct ioc_set *set;     /* borrowed */
	const struct asset_index *idx; /* borrowed; may be empty */
	struct cg_db *db;   /* record the hunt, hits and alerts here; NULL: nothing is stored */
	const char *paths;  /* the paths as given, recorded with the hunt */
	int json;           /* JSON Lines instead of text */
	int flush_each_hit; /* hand every hit to sink->write at once */
	int64_t now;        /* "now": stamps what is stored, and the year of RFC 3164 times */
	struct hunt_opts hunt;
};

/* What a caller may count for a summary; borrowed during the call. */
struct hunt_job_hit {
	const struct hunt_hit *hit;
	const char *label; /* host label; "" when the line named no host */
	int64_t host_id;   /* 0: not an inventory host */
	int64_t seen_at;   /* 0: the line had no time stamp */
};

struct hunt_job_sink {
	/* Rendered hits; non-CG_OK stops the hunt (a full disk). */
	enum cg_err (*write)(void *ctx, const char *buf, size_t n);
	/* After each hit is rendered and stored. May be NULL. */
	enum cg_err (*hit)(void *ctx, const struct hunt_job_hit *h);
	/* As in struct hunt_sink; the hits before it have been written. May be NULL. */
	void (*file_error)(void *ctx, const char *path, enum cg_err code, const char *msg, uint64_t lines);
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *ctx;
};

/* Run the hunt over `paths`. On failure nothing of this hunt's last
 * uncommitted batch stays stored. `stats` may be NULL. */
enum cg_err hunt_job_run(const struct hunt_job_opts *o, const char *const *paths, size_t n,
			 const struct hunt_job_sink *sink, struct hunt_stats *stats) CG_MUST_CHECK;

/* Format `t` as cg_time_iso does, without libc's time zone lock (for the
 * worker threads). */
void hunt_job_iso_utc(int64_t t, char *buf, size_t n);

#endif
