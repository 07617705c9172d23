/* detect_replay — run the events of a log file through src/detect as the
 * daemon would (one worker, the raw line as received), for the integration
 * test that compares it with `canhgac hunt` and `canhgac sigma hunt`, and to
 * measure the matching cost per event.
 *
 *   detect_replay [--intel FILE]... [--rules PATH]... [--thresholds FILE]
 *                 [--bench SECONDS] LOGFILE
 *
 * Lines of LOGFILE are syslog text, or JSON objects when the file starts
 * with '{' (one per line). Without --bench: one JSON line per alert,
 * {"line":N,"kind":"indicator","match":VALUE} or {"line":N,"kind":"sigma",
 * "rule_id":ID} or {"line":N,"kind":"threshold","rule_id":ID,"group":G}.
 * With --bench: the events are parsed once, then matched over and over for
 * about SECONDS seconds on this thread; prints events/s. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cg_file.h"
#include "detect.h"
#include "event_reader.h"

#define MAX_ARGS 64

/* Allocations counted while matching (--bench), to show the per-event path
 * allocates nothing; not under a sanitizer, which owns malloc. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_COUNT 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define NO_COUNT 1
#endif
static _Atomic unsigned long long n_allocs;
static int counting;
#ifndef NO_COUNT
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t k, size_t n);
void *__libc_realloc(void *p, size_t n);
void *malloc(size_t n)
{
	if (counting)
		n_allocs++;
	return __libc_malloc(n);
}
void *calloc(size_t k, size_t n)
{
	if (counting)
		n_allocs++;
	return __libc_calloc(k, n);
}
void *realloc(void *p, size_t n)
{
	if (counting)
		n_allocs++;
	return __libc_realloc(p, n);
}
#endif

static uint64_t cur_line;
static uint64_t n_alerts;

static enum cg_err print_alert(void *ctx, const struct alert *a, const struct alert_event *ev)
{
	int quiet = *(int *)ctx;
	json_t *o;
	(void)ev;
	n_alerts++;
	if (quiet)
		return CG_OK;
	if (a->kind == ALERT_KIND_INDICATOR)
		o = json_pack("{s:I, s:s, s:s, s:s}", "line", (json_int_t)cur_line, "kind", "indicator", "match", a->indicator,
			      "sources", a->sources);
	else if (a->kind == ALERT_KIND_SIGMA)
		o = json_pack("{s:I, s:s, s:s}", "line", (json_int_t)cur_line, "kind", "sigma", "rule_id", a->rule_id);
	else
		o = json_pack("{s:I, s:s, s:s, s:s}", "line", (json_int_t)cur_line, "kind", "threshold", "rule_id",
			      a->rule_id, "group", a->indicator);
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (s)
		puts(s);
	free(s);
	json_decref(o);
	return CG_OK;
}

/* One parsed event and the raw line it came from. */
struct item {
	struct cg_event *ev;
	const char *raw;
	size_t n;
	uint64_t line;
};

struct items {
	struct item *v;
	size_t n, cap;
	const char *raw;
	size_t raw_n;
	uint64_t line;
};

static int keep_event(void *ud, struct cg_event *ev)
{
	struct items *it = ud;
	if (it->n == it->cap) {
		it->cap = it->cap ? it->cap * 2 : 1024;
		it->v = realloc(it->v, it->cap * sizeof *it->v);
		if (!it->v)
			return 1;
	}
	if (cg_event_clone(ev, &it->v[it->n].ev))
		return 1;
	it->v[it->n].raw = it->raw;
	it->v[it->n].n = it->raw_n;
	it->v[it->n].line = it->line;
	it->n++;
	return 0;
}

int main(int argc, char **argv)
{
	const char *intel[MAX_ARGS], *rules[MAX_ARGS], *thresholds = NULL, *log = NULL;
	size_t n_intel = 0, n_rules = 0;
	double bench = 0;
	int quiet = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--intel") && i + 1 < argc && n_intel < MAX_ARGS)
			intel[n_intel++] = argv[++i];
		else if (!strcmp(argv[i], "--rules") && i + 1 < argc && n_rules < MAX_ARGS)
			rules[n_rules++] = argv[++i];
		else if (!strcmp(argv[i], "--thresholds") && i + 1 < argc)
			thresholds = argv[++i];
		else if (!strcmp(argv[i], "--bench") && i + 1 < argc)
			bench = atof(argv[++i]);
		else if (argv[i][0] != '-' && !log)
			log = argv[i];
		else {
			fprintf(stderr, "usage: detect_replay [--intel FILE]... [--rules PATH]... [--thresholds FILE] "
					"[--bench SECONDS] LOGFILE\n");
			return 2;
		}
	}
	if (!log)
		return 2;

	struct detect_opts o = {.intel_files = intel, .n_intel_files = n_intel, .sigma_paths = rules, .n_sigma = n_rules,
				.thresholds_path = thresholds};
	struct detect_snapshot *snap;
	struct detect *d;
	struct detect_worker *w;
	char err[1024];
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (detect_snapshot_load(&o, 1, &snap, err, sizeof err)) {
		fprintf(stderr, "detect_replay: %s\n", err);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	struct detect_counts dc;
	detect_snapshot_counts(snap, &dc);
	fprintf(stderr, "detect_replay: %zu indicators, %zu Sigma rules (%zu cannot run), %zu threshold rules, loaded in %.2f s\n",
		dc.indicators, dc.sigma_rules, dc.sigma_rejected, dc.threshold_rules,
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (detect_new(snap, &d) || detect_worker_new(d, &w)) {
		fprintf(stderr, "detect_replay: cannot start\n");
		return 1;
	}

	char *text = NULL;
	size_t len = 0;
	if (cg_file_read(log, (size_t)1 << 30, &text, &len)) {
		fprintf(stderr, "detect_replay: cannot read %s\n", log);
		return 1;
	}
	int json = len && text[0] == '{';
	struct items it = {0};
	struct cg_event *ev;
	if (cg_event_new(&ev))
		return 1;
	int64_t now_us = (int64_t)time(NULL) * 1000000;
	for (size_t off = 0; off < len;) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
		const char *line = text + off;
		it.line++;
		off += n + 1;
		if (n && line[n - 1] == '\r')
			n--;
		if (!n)
			continue;
		it.raw = line;
		it.raw_n = n;
		cg_event_reset(ev);
		cg_event_set_received(ev, now_us);
		if (json) {
			struct cg_event_read_stats st = {0};
			if (cg_event_json_read(line, n, log, ev, keep_event, &it, &st))
				return 1;
		} else if (cg_event_from_line(line, n, ev) == CG_OK) {
			keep_event(&it, ev);
		}
	}
	cg_event_free(ev);

	if (bench <= 0) {
		for (size_t i = 0; i < it.n; i++) {
			cur_line = it.v[i].line;
			if (detect_worker_match_raw(w, it.v[i].ev, it.v[i].raw, it.v[i].n, log, print_alert, &quiet))
				return 1;
		}
	} else {
		uint64_t events = 0;
		double secs = 0;
		struct timespec c0, c1;
		quiet = 1;
		/* One warm-up pass: scratch buffers grow to their size. */
		for (size_t i = 0; i < it.n; i++)
			if (detect_worker_match_raw(w, it.v[i].ev, it.v[i].raw, it.v[i].n, log, print_alert, &quiet))
				return 1;
		n_alerts = 0;
		counting = 1;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		while (secs < bench && it.n) {
			for (size_t i = 0; i < it.n; i++)
				if (detect_worker_match_raw(w, it.v[i].ev, it.v[i].raw, it.v[i].n, log, print_alert, &quiet))
					return 1;
			events += it.n;
			clock_gettime(CLOCK_MONOTONIC, &t1);
			secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		}
		counting = 0;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
		double cpu = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
		printf("%llu events in %.2f s (%.2f s of CPU): %.0f events/s per CPU second, %.0f events/s wall clock; "
		       "%llu alerts; %llu allocations while matching",
		       (unsigned long long)events, secs, cpu, cpu > 0 ? (double)events / cpu : 0.0,
		       secs > 0 ? (double)events / secs : 0.0, (unsigned long long)n_alerts, (unsigned long long)n_allocs);
#ifdef NO_COUNT
		printf(" (not counted under a sanitizer)");
#endif
		printf("\n");
	}
	for (size_t i = 0; i < it.n; i++)
		cg_event_free(it.v[i].ev);
	free(it.v);
	free(text);
	detect_worker_free(w);
	detect_free(d);
	return 0;
}
