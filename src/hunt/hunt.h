/* hunt — scan log files for the indicators of an ioc_set, in parallel, with
 * exact (whole-token) matching.
 *
 * Plain files are mapped and cut into chunks at line ends; gzip files and
 * pipes are decompressed/read as a stream by one thread and cut the same
 * way. Worker threads scan chunks; the calling thread hands hits to the sink
 * in file order, line order and token order, whatever the number of threads,
 * so the output is deterministic. At most a fixed number of chunks are in
 * flight, so memory does not grow with the input. */
#ifndef CG_HUNT_H
#define CG_HUNT_H

#include <stddef.h>
#include <stdint.h>

#include "cg_buf.h"
#include "cg_err.h"
#include "ioc_set.h"

#define HUNT_CHUNK_DEFAULT ((size_t)8 << 20)
/* A streamed (gzip, pipe) line longer than this is cut and scanned in pieces
 * (counted in hunt_stats.long_lines); mapped files never cut a line. */
#define HUNT_STREAM_LINE_MAX ((size_t)64 << 20)
#define HUNT_THREADS_MAX 256u
/* Bytes of annotations a worker keeps for one chunk; the hits past it are
 * annotated by the emitter instead, so memory stays bounded. */
#define HUNT_NOTE_CAP_DEFAULT ((size_t)4 << 20)
#define HUNT_SCRATCH_MAX ((size_t)1 << 20)

struct hunt_opts {
	unsigned threads;  /* worker threads; 0 = the number of online CPUs */
	size_t chunk_size; /* bytes per chunk; 0 = HUNT_CHUNK_DEFAULT */
	size_t note_cap;   /* 0 = HUNT_NOTE_CAP_DEFAULT (settable for tests) */
};

struct hunt_hit {
	const char *file;
	uint64_t line;          /* 1-based */
	const char *line_text;  /* the line without its end (\n, \r\n); borrowed */
	size_t line_len;
	const char *found;      /* the indicator as written, inside line_text */
	size_t found_len;
	const struct ioc_entry *entry; /* the list entry it matched */
	/* What sink->annotate wrote for this hit (NULL, 0 without annotate). */
	const char *note;
	size_t note_len;
};

struct hunt_stats {
	uint64_t files;      /* files read (also partly read ones) */
	uint64_t bytes;      /* bytes scanned (after decompression) */
	uint64_t lines;
	uint64_t hits;
	uint64_t errors;     /* paths that could not be read, fully or at all */
	uint64_t long_lines; /* streamed lines cut at HUNT_STREAM_LINE_MAX */
};

/* All callbacks but `annotate` run on the calling thread, one at a time.
 * Borrowed arguments are valid during the call only. */
struct hunt_sink {
	/* Non-CG_OK stops the hunt, which then returns that code. */
	enum cg_err (*hit)(void *ctx, const struct hunt_hit *h);
	/* `path` could not be read (at all, or past line `lines`); `msg` names
	 * the path. The hunt goes on. May be NULL. */
	void (*file_error)(void *ctx, const char *path, enum cg_err code, const char *msg, uint64_t lines);
	/* Bytes of input done so far out of `total` (on-disk sizes). May be NULL. */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *ctx;
	/* Optional: the per-hit work that needs no line number (attribution,
	 * time stamps, formatting), done ahead of `hit` on the worker threads,
	 * CONCURRENTLY, so it may only read shared state. Called for the hits of
	 * a chunk in order; h->line is 0 and h->note NULL. Append the hit's note
	 * to `note`; `hit` then gets those bytes as h->note. `scratch` is
	 * `annotate_scratch` bytes (at most HUNT_SCRATCH_MAX) owned by the calling
	 * thread, zeroed at the start and kept between calls; `same_line` is
	 * non-zero when the previous call with this scratch was for a hit on the
	 * same line, so facts about the line kept there still hold. CG_ELIMIT
	 * (the note buffer is full) is not an error: the remaining hits of the
	 * chunk are annotated on the calling thread just before `hit`. Any other
	 * non-CG_OK stops the hunt, which returns it. */
	enum cg_err (*annotate)(void *ctx, const struct hunt_hit *h, int same_line, void *scratch,
				struct cg_buf *note);
	size_t annotate_scratch;
};

/* Hunt the files and directories `paths` for the indicators of `set`. Per-file
 * problems go to sink->file_error and are counted; the return is non-CG_OK
 * only for failures of the hunt itself (memory, threads, a sink's code).
 * `stats` may be NULL. */
enum cg_err hunt_paths(const struct ioc_set *set, const char *const *paths, size_t n, const struct hunt_opts *opts,
		       const struct hunt_sink *sink, struct hunt_stats *stats) CG_MUST_CHECK;

/* Hunt one in-memory buffer of lines on the calling thread, as if it were the
 * file `name`. */
enum cg_err hunt_buffer(const struct ioc_set *set, const char *name, const char *buf, size_t len,
			const struct hunt_sink *sink, struct hunt_stats *stats) CG_MUST_CHECK;

#endif
