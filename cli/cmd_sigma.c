/* canhgac sigma — validate Sigma rules and hunt with them over EVTX, JSON
 * and syslog files. Thin: the engine is src/sigma. */
#include <inttypes.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cg_esc.h"
#include "cg_file.h"
#include "cli.h"
#include "sigma_hunt.h"
#include "sigma_engine.h"
#include "sigma_load.h"
#include "event_reader.h"
#include "store_sigma.h"

#define MAX_RULE_PATHS 256
#define MAX_HITS_PER_FILE 1000000

static void usage(FILE *f)
{
	fprintf(f, _("Usage: canhgac sigma check [--mapping FILE] [--json] RULE_PATH...\n"
		     "       canhgac sigma hunt --rules PATH [--rules PATH...] [--mapping FILE] [--level LEVEL]\n"
		     "                          [--threads N] [--chunk-size KIB] [--stats] [--json] FILE|DIR|-...\n"
		     "Run Sigma detection rules natively over Windows event logs (EVTX), JSON events\n"
		     "(evtx_dump, Winlogbeat, NXLog) and syslog/auditd lines.\n\n"
		     "check  load every rule under RULE_PATH and print, per rule, 'ok' or the exact reason\n"
		     "       it cannot run; exit status 0 only when every rule loads.\n"
		     "hunt   match all loaded rules against every event of the files (directories are\n"
		     "       walked, '-' is standard input); one line per hit, in input order.\n"
		     "       Correlations are judged on event time over all inputs together. Hits are\n"
		     "       stored when a database is in use (--db or CANHGAC_DB).\n\n"
		     "Options:\n"
		     "  -r, --rules PATH     rule file or directory (hunt; repeatable)\n"
		     "  -m, --mapping FILE   extra logsource mapping (YAML, see canhgac-sigma(1); repeatable)\n"
		     "  -l, --level LEVEL    only hits of rules at LEVEL or above (informational, low,\n"
		     "                       medium, high, critical)\n"
		     "  -t, --threads N      worker threads (default: number of processors)\n"
		     "      --chunk-size KIB JSON and text inputs are read in parts of KIB KiB\n"
		     "                       (default 4096), each part on any thread\n"
		     "      --stats          print per-rule and per-event-ID statistics after the hits\n"
		     "      --json           JSON Lines: one object per rule (check) or per hit (hunt)\n"
		     "      --db PATH        store hits in this database\n"
		     "      --quiet          no progress or warnings about rules that cannot run\n"
		     "  -h, --help           show this help\n\n"
		     "Exit status: 0 on success, 1 when a rule or input cannot be used, 2 on usage errors.\n"));
}

/* ---- check ---- */

struct check_ctx {
	const struct cli_ctx *ctx;
	size_t ok, bad;
};

static void check_cb(void *ud, const char *path, size_t doc, const struct sigma_rule *rule, enum cg_err rc,
                     const char *reason)
{
	struct check_ctx *c = ud;
	(void)rc;
	if (rule)
		c->ok++;
	else
		c->bad++;
	if (c->ctx->json) {
		json_t *o = json_pack("{s:s, s:I, s:s}", "path", path, "document", (json_int_t)doc + 1, "status",
		                      rule ? "ok" : "error");
		if (rule) {
			json_object_set_new(o, "id", json_string(sigma_rule_id(rule)));
			json_object_set_new(o, "title", json_string(sigma_rule_title(rule)));
			json_object_set_new(o, "level", json_string(sigma_rule_level(rule)));
			json_object_set_new(o, "kind", json_string(sigma_rule_is_correlation(rule) ? "correlation" : "detection"));
		} else {
			json_object_set_new(o, "reason", json_string(reason ? reason : ""));
		}
		cli_json_line(o);
	} else if (rule) {
		printf("ok     %s%s%s  %s\n", path, doc ? "#" : "", doc ? "" : "", sigma_rule_title(rule));
	} else {
		printf("ERROR  %s", path);
		if (doc)
			printf("#%zu", doc + 1);
		printf(": %s\n", reason ? reason : "");
	}
}

struct reject_ctx {
	const struct cli_ctx *ctx;
	size_t n;
	int print;
};

static void reject_cb(void *ud, const struct sigma_rule *rule, const char *why)
{
	struct reject_ctx *r = ud;
	r->n++;
	if (!r->print)
		return;
	if (r->ctx->json) {
		cli_json_line(json_pack("{s:s, s:s, s:s}", "path", sigma_rule_origin(rule), "status", "error", "reason", why));
	} else {
		printf("ERROR  %s: %s\n", sigma_rule_origin(rule), why);
	}
}

static int load_map(struct sigma_map **map, char **mappings, size_t n_map)
{
	enum cg_err rc = sigma_map_new(map);
	for (size_t i = 0; !rc && i < n_map; i++) {
		char *text = NULL;
		size_t len = 0;
		rc = cg_file_read(mappings[i], (size_t)16 << 20, &text, &len);
		if (!rc)
			rc = sigma_map_load(*map, text, len, mappings[i]);
		free(text);
	}
	return rc ? cli_fail(rc) : 0;
}

static int sigma_check(struct cli_ctx *ctx, char **paths, size_t n, char **mappings, size_t n_map)
{
	struct sigma_map *map = NULL;
	struct sigma_engine *e = NULL;
	int ret = CLI_FAIL;
	if (load_map(&map, mappings, n_map))
		goto out;
	enum cg_err rc = sigma_engine_new(map, &e);
	if (rc) {
		cli_fail(rc);
		goto out;
	}
	struct check_ctx c = {ctx, 0, 0};
	struct sigma_load_stats st = {0};
	if ((rc = sigma_load_rules(e, paths, n, check_cb, &c, &st))) {
		cli_fail(rc);
		goto out;
	}
	struct reject_ctx rj = {ctx, 0, 1};
	if ((rc = sigma_engine_compile(e, reject_cb, &rj))) {
		cli_fail(rc);
		goto out;
	}
	size_t total = c.ok + c.bad;
	if (!ctx->json)
		printf(_("%zu rules in %zu files: %zu load, %zu cannot run (%.1f%% load)\n"), total, st.files,
		       c.ok - rj.n, c.bad + rj.n, total ? 100.0 * (double)(c.ok - rj.n) / (double)total : 0.0);
	ret = c.bad || rj.n || total == 0 ? CLI_FAIL : CLI_OK;
out:
	sigma_engine_free(e);
	sigma_map_free(map);
	return ret;
}

/* ---- hunt (the workflow is src/sigma/sigma_hunt; here: options and output) ---- */

#define STORE_BATCH 512

struct output {
	const struct cli_ctx *ctx;
	struct cg_db *db;
	int64_t run;
	json_t *batch[STORE_BATCH];
	size_t n_batch;
	int input_errors;
	struct cli_progress prog;
};

static json_t *hit_json(const struct sigma_hunt_hit *h)
{
	const struct sigma_rule *r = h->rule;
	json_t *tags = json_array(), *attack = json_array();
	for (size_t i = 0; i < sigma_rule_tag_count(r); i++) {
		const char *t = sigma_rule_tag(r, i);
		json_array_append_new(tags, json_string(t));
		if (strncmp(t, "attack.t", 8) == 0) {
			char tech[32];
			snprintf(tech, sizeof tech, "%s", t + 7);
			tech[0] = 'T';
			json_array_append_new(attack, json_string(tech));
		}
	}
	json_t *fields = json_object();
	for (size_t i = 0; h->event && i < sigma_rule_field_count(r); i++) {
		const char *v;
		size_t vn;
		if (cg_event_get(h->event, sigma_rule_field(r, i), 0, &v, &vn))
			json_object_set_new(fields, sigma_rule_field(r, i), json_stringn_nocheck(v, vn));
	}
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:{s:s, s:s, s:s}, s:s}",
	                      "type", "hit", "rule_id", h->rule_id, "title", h->title,
	                      "level", h->level, "tags", tags, "attack", attack,
	                      "logsource", "product", sigma_rule_product(r), "category", sigma_rule_category(r),
	                      "service", sigma_rule_service(r), "file", h->file);
	if (!o)
		return NULL;
	if (h->record_id)
		json_object_set_new(o, "record_id", json_integer((json_int_t)h->record_id));
	if (h->line)
		json_object_set_new(o, "line", json_integer((json_int_t)h->line));
	json_object_set_new(o, "computer", json_string(h->host));
	json_object_set_new(o, "timestamp", json_string(h->time_text));
	if (h->time >= 0)
		json_object_set_new(o, "time", json_integer((json_int_t)h->time));
	json_object_set_new(o, "channel", json_string(h->channel));
	json_object_set_new(o, "provider", json_string(cg_event_provider(h->event)));
	if (h->event_id >= 0)
		json_object_set_new(o, "event_id", json_integer(h->event_id));
	json_object_set_new(o, "fields", fields);
	return o;
}

static json_t *corr_json(const struct sigma_hunt_hit *h)
{
	char a[32], b[32];
	cg_time_iso(h->first, a, sizeof a);
	cg_time_iso(h->time, b, sizeof b);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:I, s:I, s:s}", "type", "correlation",
	                      "rule_id", h->rule_id, "title", h->title, "level", h->level, "group", h->group,
	                      "count", (json_int_t)h->count, "first", a, "timestamp", b, "first_time",
	                      (json_int_t)h->first, "time", (json_int_t)h->time, "computer", h->host);
	return o;
}

static void print_hit(json_t *o)
{
	const char *ts = json_string_value(json_object_get(o, "timestamp"));
	/* Event fields come from the logs: escaped, one hit one line. */
	printf("%-28s %-13s %s", ts && *ts ? cg_esc(ts) : "-", json_string_value(json_object_get(o, "level")),
	       cg_esc(json_string_value(json_object_get(o, "title"))));
	const char *comp = json_string_value(json_object_get(o, "computer"));
	const char *ch = json_string_value(json_object_get(o, "channel"));
	json_t *eid = json_object_get(o, "event_id"), *rid = json_object_get(o, "record_id");
	if (comp && *comp)
		printf("  %s", cg_esc(comp));
	if (ch && *ch)
		printf("  %s", cg_esc(ch));
	if (eid)
		printf("/%" JSON_INTEGER_FORMAT, json_integer_value(eid));
	if (rid)
		printf(" #%" JSON_INTEGER_FORMAT, json_integer_value(rid));
	json_t *file = json_object_get(o, "file");
	if (file)
		printf("  %s", cg_esc(json_string_value(file)));
	json_t *line = json_object_get(o, "line");
	if (line)
		printf(":%" JSON_INTEGER_FORMAT, json_integer_value(line));
	putchar('\n');
}

/* Store the batched hits in one transaction. */
static enum cg_err flush_batch(struct output *out)
{
	struct store_sigma_hit h[STORE_BATCH];
	char *tags[STORE_BATCH], *fields[STORE_BATCH];
	enum cg_err rc = CG_OK;
	size_t n = out->n_batch;
	for (size_t i = 0; i < n; i++) {
		json_t *o = out->batch[i];
		json_t *rid = json_object_get(o, "record_id"), *eid = json_object_get(o, "event_id");
		tags[i] = json_dumps(json_object_get(o, "tags"), JSON_COMPACT);
		fields[i] = json_dumps(json_object_get(o, "fields"), JSON_COMPACT);
		h[i] = (struct store_sigma_hit){
			.rule_id = json_string_value(json_object_get(o, "rule_id")),
			.title = json_string_value(json_object_get(o, "title")),
			.level = json_string_value(json_object_get(o, "level")),
			.tags_json = tags[i],
			.source = json_string_value(json_object_get(o, "file")),
			.computer = json_string_value(json_object_get(o, "computer")),
			.time = json_string_value(json_object_get(o, "timestamp")),
			.channel = json_string_value(json_object_get(o, "channel")),
			.fields_json = fields[i],
			.record_id = rid ? (uint64_t)json_integer_value(rid) : 0,
			.event_id = eid ? (long)json_integer_value(eid) : -1,
		};
	}
	if (n && out->db)
		rc = store_sigma_add_hits(out->db, out->run, h, n);
	for (size_t i = 0; i < n; i++) {
		free(tags[i]);
		free(fields[i]);
		json_decref(out->batch[i]);
	}
	out->n_batch = 0;
	return rc;
}

static enum cg_err output_failed(void)
{
	return cg_err_set(CG_EIO, _("writing to standard output: %s"), strerror(errno));
}

static enum cg_err on_hunt_hit(void *ctx, const struct sigma_hunt_hit *h)
{
	struct output *out = ctx;
	json_t *o = h->kind == SIGMA_HIT_RULE ? hit_json(h) : corr_json(h);
	if (!o)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if (out->ctx->json) {
		cli_json_line(json_incref(o));
	} else if (h->kind == SIGMA_HIT_RULE) {
		print_hit(o);
	} else {
		char b[32];
		cg_time_iso(h->time, b, sizeof b);
		printf("%-28s %-13s %s", b, h->level, cg_esc(h->title));
		printf("  [%s] count=%llu\n", cg_esc(h->group), (unsigned long long)h->count);
	}
	if (ferror(stdout)) {
		json_decref(o);
		return output_failed();
	}
	if (!out->db) {
		json_decref(o);
		return CG_OK;
	}
	if (h->kind == SIGMA_HIT_CORRELATION) {
		json_object_set_new(o, "fields", json_pack("{s:s, s:I}", "group", h->group, "count", (json_int_t)h->count));
		json_object_set_new(o, "tags", json_array());
		json_object_set_new(o, "file", json_string(""));
	}
	out->batch[out->n_batch++] = o;
	return out->n_batch == STORE_BATCH ? flush_batch(out) : CG_OK;
}

static void on_file_done(void *ctx, const char *path, enum cg_err rc, const char *msg, uint64_t bad,
                         const char *first_bad)
{
	struct output *out = ctx;
	(void)path;
	if (rc) {
		cli_error("%s", msg);
		out->input_errors = 1;
	}
	if (bad && !out->ctx->quiet)
		fprintf(stderr, _("canhgac: sigma: %llu records skipped, first: %s\n"), (unsigned long long)bad, first_bad);
}

static void on_progress(void *ctx, const char *path, size_t done, size_t total)
{
	struct output *out = ctx;
	cli_progress_update(&out->prog, path, done, total);
}

static const char *eid_name(size_t slot, char *buf, size_t n)
{
	if (slot == 0)
		return "none";
	snprintf(buf, n, "%zu", slot - 1);
	return buf;
}

static void print_stats(const struct cli_ctx *ctx, const struct sigma_engine *e, const struct sigma_hunt_stats *st,
                        double secs)
{
	char buf[32];
	const uint64_t *rh = st->rule_hits, *ee = st->eid_events, *eh = st->eid_hits;
	if (ctx->json) {
		json_t *rules = json_array(), *eids = json_object();
		for (size_t i = 0; i < sigma_engine_rule_count(e); i++)
			if (rh[i] || st->rule_regex_limits[i]) {
				const struct sigma_rule *r = sigma_engine_rule(e, i);
				json_array_append_new(rules, json_pack("{s:s, s:s, s:s, s:I, s:I}", "rule_id", sigma_rule_id(r), "title",
				                                       sigma_rule_title(r), "level", sigma_rule_level(r), "hits", (json_int_t)rh[i],
				                                       "regex_limit_hits", (json_int_t)st->rule_regex_limits[i]));
			}
		for (size_t i = 0; i < SIGMA_HUNT_EID_SLOTS; i++)
			if (ee[i])
				json_object_set_new(eids, eid_name(i, buf, sizeof buf),
				                    json_pack("{s:I, s:I}", "events", (json_int_t)ee[i], "hits", (json_int_t)eh[i]));
		cli_json_line(json_pack("{s:s, s:I, s:I, s:I, s:I, s:f, s:I, s:I, s:o, s:o, s:{s:I, s:I, s:I, s:I, s:I}}", "type",
		                        "stats", "files", (json_int_t)st->files, "events", (json_int_t)st->events, "bytes",
		                        (json_int_t)st->bytes, "hits", (json_int_t)(st->hits + st->corr_hits), "seconds", secs,
		                        "truncated_events", (json_int_t)st->truncated, "regex_limit_hits",
		                        (json_int_t)st->regex_limits, "rules", rules, "event_ids", eids, "correlation", "no_time",
		                        (json_int_t)st->corr.no_time, "late", (json_int_t)st->corr.late, "groups_dropped",
		                        (json_int_t)st->corr.groups_dropped, "forced", (json_int_t)st->corr.forced,
		                        "peak_groups", (json_int_t)st->corr.peak_groups));
	} else {
		printf(_("\nHits per rule:\n"));
		for (size_t i = 0; i < sigma_engine_rule_count(e); i++)
			if (rh[i])
				printf("  %8llu  %-13s %s\n", (unsigned long long)rh[i], sigma_rule_level(sigma_engine_rule(e, i)),
				       sigma_rule_title(sigma_engine_rule(e, i)));
		for (size_t i = 0; i < sigma_engine_rule_count(e); i++)
			if (st->rule_regex_limits[i])
				printf(_("  %8llu  regular expression limit hits: %s\n"), (unsigned long long)st->rule_regex_limits[i],
				       sigma_rule_title(sigma_engine_rule(e, i)));
		printf(_("\nEvents cut at %d fields: %llu\n"), CG_EVENT_MAX_FIELDS, (unsigned long long)st->truncated);
		printf(_("\nEvents and hits per event ID:\n"));
		for (size_t i = 0; i < SIGMA_HUNT_EID_SLOTS; i++)
			if (ee[i])
				printf(_("  %8s  %10llu events  %8llu hits\n"), eid_name(i, buf, sizeof buf), (unsigned long long)ee[i], (unsigned long long)eh[i]);
	}
}

struct hunt_opts {
	char **rules;
	size_t n_rules;
	char **mappings;
	size_t n_map;
	int min_level;
	long threads;
	long chunk_kib;
	int stats;
};

struct load_warn {
	const struct cli_ctx *ctx;
	size_t bad;
};

static void hunt_load_cb(void *ud, const char *path, size_t doc, const struct sigma_rule *rule, enum cg_err rc,
                         const char *reason)
{
	struct load_warn *lw = ud;
	(void)rc;
	if (rule)
		return;
	lw->bad++;
	if (lw->ctx->quiet)
		return;
	/* A multi-document rule file names the document: "file.yml#2". */
	if (doc)
		fprintf(stderr, _("canhgac: sigma: %s#%zu: rule cannot run: %s\n"), path, doc + 1, reason ? reason : "");
	else
		fprintf(stderr, _("canhgac: sigma: %s: rule cannot run: %s\n"), path, reason ? reason : "");
}

/* Correlation figures a user must see: nothing is dropped silently. */
static void corr_warnings(const struct cli_ctx *ctx, const struct sigma_corr_stats *c, uint64_t dropped_hits)
{
	if (ctx->quiet)
		return;
	if (c->no_time)
		fprintf(stderr, _("canhgac: sigma: %llu hits of correlated rules have no event time and were not correlated\n"),
		        (unsigned long long)c->no_time);
	if (c->late)
		fprintf(stderr, _("canhgac: sigma: %llu hits arrived after their correlation window was judged and were not correlated\n"),
		        (unsigned long long)c->late);
	if (c->groups_dropped)
		fprintf(stderr, _("canhgac: sigma: %llu hits not correlated: more than %zu correlation groups were open at once\n"),
		        (unsigned long long)c->groups_dropped, (size_t)SIGMA_CORR_MAX_GROUPS);
	if (c->forced)
		fprintf(stderr, _("canhgac: sigma: %llu correlated hits were judged before the end of input (more than %zu waiting); "
		                  "later hits older than them were not correlated\n"),
		        (unsigned long long)c->forced, (size_t)SIGMA_CORR_MAX_BUFFERED);
	if (dropped_hits)
		fprintf(stderr, _("canhgac: sigma: %llu hits not reported: more than %u in one part of the input\n"),
		        (unsigned long long)dropped_hits, SIGMA_HUNT_JOB_HITS_MAX);
}

static int sigma_hunt(struct cli_ctx *ctx, const struct hunt_opts *o, char **inputs, size_t n_inputs)
{
	struct sigma_map *map = NULL;
	struct sigma_engine *e = NULL;
	struct output out;
	struct sigma_hunt_stats st;
	int ret = CLI_FAIL;
	enum cg_err rc;
	memset(&out, 0, sizeof out);
	memset(&st, 0, sizeof st);
	out.ctx = ctx;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);

	if (load_map(&map, o->mappings, o->n_map))
		goto out;
	if ((rc = sigma_engine_new(map, &e))) {
		cli_fail(rc);
		goto out;
	}
	struct load_warn lw = {ctx, 0};
	struct sigma_load_stats lst = {0};
	if ((rc = sigma_load_rules(e, o->rules, o->n_rules, hunt_load_cb, &lw, &lst))) {
		cli_fail(rc);
		goto out;
	}
	struct reject_ctx rj = {ctx, 0, 0};
	if ((rc = sigma_engine_compile(e, reject_cb, &rj))) {
		cli_fail(rc);
		goto out;
	}
	if (lst.loaded == 0) {
		cli_error(_("no rule could be loaded from the --rules paths"));
		goto out;
	}
	if (!ctx->quiet && (lw.bad || rj.n))
		fprintf(stderr, _("canhgac: sigma: %zu rules loaded, %zu cannot run (see 'canhgac sigma check')\n"),
		        lst.loaded - rj.n, lw.bad + rj.n);
	if (ctx->db_path || getenv("CANHGAC_DB")) {
		if (cli_open_db(ctx, &out.db))
			goto out;
		if ((rc = store_sigma_run_begin(out.db, sigma_engine_rule_count(e), &out.run))) {
			cli_fail(rc);
			goto out;
		}
	}
	struct sigma_hunt_opts ho = {
		.threads = (unsigned)o->threads,
		.chunk_size = (size_t)o->chunk_kib << 10,
		.min_level = o->min_level,
		.now = cg_now(),
		.corr = {.lateness = -1},
	};
	struct sigma_hunt_sink sink = {&out, on_hunt_hit, on_file_done, on_progress};
	cli_progress_init(&out.prog, ctx);
	rc = sigma_hunt_run(e, inputs, n_inputs, &ho, &sink, &st);
	cli_progress_done(&out.prog);
	if (!rc)
		rc = flush_batch(&out);
	if (!rc && fflush(stdout) != 0)
		rc = output_failed();
	if (rc) {
		cli_fail(rc);
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (o->stats)
		print_stats(ctx, e, &st, secs);
	corr_warnings(ctx, &st.corr, st.hits_dropped);
	/* Silent misses are not allowed: said even with --quiet. */
	if (st.truncated)
		fprintf(stderr, _("canhgac: sigma: %llu events had more than %d fields; they were matched on the first %d\n"),
		        (unsigned long long)st.truncated, CG_EVENT_MAX_FIELDS, CG_EVENT_MAX_FIELDS);
	if (st.regex_limits)
		fprintf(stderr, _("canhgac: sigma: %llu rule evaluations stopped at a regular expression limit and count as no "
		                  "match (see --stats)\n"), (unsigned long long)st.regex_limits);
	if (!ctx->json && !ctx->quiet)
		fprintf(stderr, _("canhgac: sigma: %llu hits (%llu correlations) in %llu events from %zu files, %zu rules, %.2f s\n"),
		        (unsigned long long)(st.hits + st.corr_hits), (unsigned long long)st.corr_hits,
		        (unsigned long long)st.events, (size_t)st.files, sigma_engine_rule_count(e), secs);
	if (out.db && (rc = store_sigma_run_finish(out.db, out.run, st.files, st.events, st.hits + st.corr_hits))) {
		cli_fail(rc);
		goto out;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_fail(output_failed());
		goto out;
	}
	ret = out.input_errors || st.input_errors ? CLI_FAIL : CLI_OK;
out:
	for (size_t i = 0; i < out.n_batch; i++)
		json_decref(out.batch[i]);
	sigma_hunt_stats_fini(&st);
	cg_db_close(out.db);
	sigma_engine_free(e);
	sigma_map_free(map);
	return ret;
}

enum { OPT_STATS = CLI_OPT_FIRST_FREE, OPT_CHUNK };

int cmd_sigma(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_LONGOPTS,
		{"rules", required_argument, NULL, 'r'},
		{"mapping", required_argument, NULL, 'm'},
		{"level", required_argument, NULL, 'l'},
		{"threads", required_argument, NULL, 't'},
		{"stats", no_argument, NULL, OPT_STATS},
		{"chunk-size", required_argument, NULL, OPT_CHUNK},
		{NULL, 0, NULL, 0},
	};
	char *rules[MAX_RULE_PATHS], *mappings[MAX_RULE_PATHS];
	struct hunt_opts o = {.rules = rules, .mappings = mappings, .min_level = 0, .threads = 0};
	int c;
	while ((c = getopt_long(argc, argv, "hr:m:l:t:", opts, NULL)) != -1) {
		if (cli_common_opt(ctx, c, optarg))
			continue;
		switch (c) {
		case 'h':
			usage(stdout);
			return CLI_OK;
		case 'r':
			if (o.n_rules == MAX_RULE_PATHS) {
				cli_error(_("too many --rules"));
				return cli_usage_hint("sigma");
			}
			rules[o.n_rules++] = optarg;
			break;
		case 'm':
			if (o.n_map == MAX_RULE_PATHS) {
				cli_error(_("too many --mapping"));
				return cli_usage_hint("sigma");
			}
			mappings[o.n_map++] = optarg;
			break;
		case 'l':
			if ((o.min_level = sigma_level_parse(optarg)) < 0) {
				cli_error(_("--level: '%s' is not informational, low, medium, high or critical"), optarg);
				return cli_usage_hint("sigma");
			}
			break;
		case 't':
			if (cli_parse_long(optarg, 1, 256, &o.threads)) {
				cli_error(_("--threads: '%s' is not a number from 1 to 256"), optarg);
				return cli_usage_hint("sigma");
			}
			break;
		case OPT_STATS:
			o.stats = 1;
			break;
		case OPT_CHUNK:
			if (cli_parse_long(optarg, 1, 1 << 20, &o.chunk_kib)) {
				cli_error(_("--chunk-size: '%s' is not a number of KiB from 1 to 1048576"), optarg);
				return cli_usage_hint("sigma");
			}
			break;
		default:
			return cli_usage_hint("sigma");
		}
	}
	if (optind >= argc) {
		cli_error(_("missing sub-command (check or hunt)"));
		return cli_usage_hint("sigma");
	}
	const char *sub = argv[optind++];
	char **rest = argv + optind;
	size_t n_rest = (size_t)(argc - optind);
	if (strcmp(sub, "check") == 0) {
		if (n_rest == 0) {
			cli_error(_("sigma check: give at least one rule file or directory"));
			return cli_usage_hint("sigma");
		}
		return sigma_check(ctx, rest, n_rest, mappings, o.n_map);
	}
	if (strcmp(sub, "hunt") == 0) {
		if (o.n_rules == 0) {
			cli_error(_("sigma hunt: --rules is required"));
			return cli_usage_hint("sigma");
		}
		if (n_rest == 0) {
			cli_error(_("sigma hunt: give at least one file or directory to hunt in"));
			return cli_usage_hint("sigma");
		}
		return sigma_hunt(ctx, &o, rest, n_rest);
	}
	cli_error(_("unknown sub-command '%s' (check or hunt)"), sub);
	return cli_usage_hint("sigma");
}
