/* canhgac sigma — validate Sigma rules and hunt with them over EVTX, JSON
 * and syslog files. Thin: the engine is src/sigma. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cg_file.h"
#include "cg_esc.h"
#include "cli.h"
#include "sigma_corr.h"
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
		     "                          [--threads N] [--stats] [--json] FILE|DIR...\n"
		     "Run Sigma detection rules natively over Windows event logs (EVTX), JSON events\n"
		     "(evtx_dump, Winlogbeat, NXLog) and syslog/auditd lines.\n\n"
		     "check  load every rule under RULE_PATH and print, per rule, 'ok' or the exact reason\n"
		     "       it cannot run; exit status 0 only when every rule loads.\n"
		     "hunt   match all loaded rules against every event of the files (directories are\n"
		     "       walked); one line per hit. Hits are stored when a database is in use\n"
		     "       (--db or CANHGAC_DB).\n\n"
		     "Options:\n"
		     "  -r, --rules PATH     rule file or directory (hunt; repeatable)\n"
		     "  -m, --mapping FILE   extra logsource mapping (YAML, see canhgac-sigma(1); repeatable)\n"
		     "  -l, --level LEVEL    only hits of rules at LEVEL or above (informational, low,\n"
		     "                       medium, high, critical)\n"
		     "  -t, --threads N      worker threads (default: number of processors)\n"
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

/* ---- hunt ---- */

struct hit {
	size_t rule;
	json_t *obj;              /* output, NULL when the rule does not emit */
	struct cg_event *snap; /* for correlations */
	int64_t t;
};

struct file_slot {
	int done;
	enum cg_err rc;
	char err[512];
	struct cg_event_read_stats st;
	struct hit *hits;
	size_t n_hits, alloc;
	int truncated;
};

#define EID_SLOTS 65537

struct worker_stats {
	uint64_t *rule_hits;
	uint64_t *eid_events, *eid_hits;
};

struct hunt {
	const struct cli_ctx *ctx;
	const struct sigma_engine *e;
	char **files;
	size_t n_files;
	struct file_slot *slots;
	size_t next_file;
	int min_level;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t n_workers;
	struct worker_stats *ws;
};

struct work {
	struct hunt *h;
	struct sigma_scanner *sc;
	struct worker_stats *ws;
	struct file_slot *slot;
	const char *path;
	int hit_in_event;
};

static json_t *hit_json(const struct sigma_rule *r, const struct cg_event *ev, const char *path)
{
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
	for (size_t i = 0; i < sigma_rule_field_count(r); i++) {
		const char *v;
		size_t vn;
		if (cg_event_get(ev, sigma_rule_field(r, i), 0, &v, &vn))
			json_object_set_new(fields, sigma_rule_field(r, i), json_stringn_nocheck(v, vn));
	}
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:{s:s, s:s, s:s}, s:s}",
	                      "type", "hit", "rule_id", sigma_rule_id(r), "title", sigma_rule_title(r),
	                      "level", sigma_rule_level(r), "tags", tags, "attack", attack,
	                      "logsource", "product", sigma_rule_product(r), "category", sigma_rule_category(r),
	                      "service", sigma_rule_service(r), "file", path);
	if (!o)
		return NULL;
	if (cg_event_record_id(ev))
		json_object_set_new(o, "record_id", json_integer((json_int_t)cg_event_record_id(ev)));
	json_object_set_new(o, "computer", json_string(cg_event_computer(ev)));
	json_object_set_new(o, "timestamp", json_string(cg_event_time(ev)));
	json_object_set_new(o, "channel", json_string(cg_event_channel(ev)));
	json_object_set_new(o, "provider", json_string(cg_event_provider(ev)));
	if (cg_event_event_id(ev) >= 0)
		json_object_set_new(o, "event_id", json_integer(cg_event_event_id(ev)));
	json_object_set_new(o, "fields", fields);
	return o;
}

static int on_hit(void *ud, size_t ri, const struct sigma_rule *r, const struct cg_event *ev)
{
	struct work *w = ud;
	struct hunt *h = w->h;
	const size_t *parents;
	int emits = sigma_engine_rule_emits(h->e, ri) && (int)sigma_rule_level_num(r) >= h->min_level;
	int corr = sigma_engine_rule_parents(h->e, ri, &parents) > 0;
	if (!emits && !corr)
		return 0;
	struct file_slot *s = w->slot;
	if (s->n_hits >= MAX_HITS_PER_FILE) {
		s->truncated = 1;
		return 0;
	}
	if (s->n_hits == s->alloc) {
		size_t na = s->alloc ? s->alloc * 2 : 16;
		struct hit *p = realloc(s->hits, na * sizeof *p);
		if (!p) {
			s->truncated = 1;
			return 0;
		}
		s->hits = p;
		s->alloc = na;
	}
	struct hit *x = &s->hits[s->n_hits];
	memset(x, 0, sizeof *x);
	x->rule = ri;
	x->t = cg_event_epoch(ev);
	if (emits) {
		x->obj = hit_json(r, ev, w->path);
		w->ws->rule_hits[ri]++;
		long eid = cg_event_event_id(ev);
		w->ws->eid_hits[eid >= 0 && eid < 65536 ? eid + 1 : 0]++;
	}
	if (corr && cg_event_clone(ev, &x->snap))
		x->snap = NULL;
	s->n_hits++;
	return 0;
}

static int on_event(void *ud, struct cg_event *ev)
{
	struct work *w = ud;
	long eid = cg_event_event_id(ev);
	w->ws->eid_events[eid >= 0 && eid < 65536 ? eid + 1 : 0]++;
	enum cg_err rc = sigma_scanner_match(w->sc, ev, on_hit, w);
	if (rc && !w->slot->err[0])
		snprintf(w->slot->err, sizeof w->slot->err, "%s", cg_err_msg(rc));
	return 0;
}

static void scan_file(struct work *w)
{
	struct file_slot *s = w->slot;
	struct cg_event *ev = NULL;
	enum cg_err rc = cg_event_new(&ev);
	if (rc)
		goto out;
	cg_event_set_received(ev, cg_now() * CG_TIME_US_PER_S);
	unsigned char head[16] = {0};
	size_t hn = 0;
	FILE *f = fopen(w->path, "rb");
	if (!f) {
		rc = cg_err_set(CG_EIO, _("%s: cannot open"), w->path);
		goto out;
	}
	hn = fread(head, 1, sizeof head, f);
	fclose(f);
	if (cg_event_format_sniff(head, hn) == CG_EVENT_FMT_EVTX) {
		rc = cg_event_evtx_read(w->path, ev, on_event, w, &s->st);
	} else {
		char *text = NULL;
		size_t len = 0;
		rc = cg_file_read(w->path, CG_FILE_DEFAULT_CAP, &text, &len);
		if (!rc) {
			if (cg_event_format_sniff(text, len) == CG_EVENT_FMT_JSON)
				rc = cg_event_json_read(text, len, w->path, ev, on_event, w, &s->st);
			else
				rc = cg_event_lines_read(text, len, w->path, ev, on_event, w, &s->st);
		}
		free(text);
	}
out:
	if (rc)
		snprintf(s->err, sizeof s->err, "%s", cg_err_msg(rc));
	s->rc = rc;
	cg_event_free(ev);
}

static void *worker(void *arg)
{
	struct work *w = arg;
	struct hunt *h = w->h;
	for (;;) {
		pthread_mutex_lock(&h->mu);
		size_t i = h->next_file++;
		pthread_mutex_unlock(&h->mu);
		if (i >= h->n_files)
			break;
		w->slot = &h->slots[i];
		w->path = h->files[i];
		scan_file(w);
		pthread_mutex_lock(&h->mu);
		h->slots[i].done = 1;
		pthread_cond_broadcast(&h->cv);
		pthread_mutex_unlock(&h->mu);
	}
	return NULL;
}

struct output {
	struct hunt *h;
	struct cg_db *db;
	int64_t run;
	uint64_t hits, corr_hits;
	struct store_sigma_hit *batch;
	char **batch_strs;
	size_t n_batch;
};

static void print_hit(const struct cli_ctx *ctx, json_t *o)
{
	if (ctx->json) {
		cli_json_line(json_incref(o));
		return;
	}
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
	putchar('\n');
}

static enum cg_err store_hit(struct output *out, json_t *o)
{
	if (!out->db)
		return CG_OK;
	char *tags = json_dumps(json_object_get(o, "tags"), JSON_COMPACT);
	char *fields = json_dumps(json_object_get(o, "fields"), JSON_COMPACT);
	json_t *rid = json_object_get(o, "record_id"), *eid = json_object_get(o, "event_id");
	struct store_sigma_hit h = {
		.rule_id = json_string_value(json_object_get(o, "rule_id")),
		.title = json_string_value(json_object_get(o, "title")),
		.level = json_string_value(json_object_get(o, "level")),
		.tags_json = tags,
		.source = json_string_value(json_object_get(o, "file")),
		.computer = json_string_value(json_object_get(o, "computer")),
		.time = json_string_value(json_object_get(o, "timestamp")),
		.channel = json_string_value(json_object_get(o, "channel")),
		.fields_json = fields,
		.record_id = rid ? (uint64_t)json_integer_value(rid) : 0,
		.event_id = eid ? (long)json_integer_value(eid) : -1,
	};
	enum cg_err rc = store_sigma_add_hits(out->db, out->run, &h, 1);
	free(tags);
	free(fields);
	return rc;
}

static void on_corr(void *ud, size_t ci, const struct sigma_rule *r, const char *group, uint64_t count,
                    int64_t first, int64_t last)
{
	struct output *out = ud;
	(void)ci;
	if ((int)sigma_rule_level_num(r) < out->h->min_level)
		return;
	char a[32], b[32];
	cg_time_iso(first, a, sizeof a);
	cg_time_iso(last, b, sizeof b);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "type", "correlation", "rule_id",
	                      sigma_rule_id(r), "title", sigma_rule_title(r), "level", sigma_rule_level(r), "group", group,
	                      "count", (json_int_t)count, "first", a, "timestamp", b);
	if (!o)
		return;
	out->corr_hits++;
	if (out->h->ctx->json)
		cli_json_line(json_incref(o));
	else
		printf("%-28s %-13s %s  [%s] count=%llu\n", b, sigma_rule_level(r), sigma_rule_title(r), group, (unsigned long long)count);
	json_object_set_new(o, "fields", json_pack("{s:s}", "group", group));
	json_object_set_new(o, "tags", json_array());
	json_object_set_new(o, "file", json_string(""));
	if (store_hit(out, o))
		cli_fail(CG_EDB);
	json_decref(o);
}

static const char *eid_name(size_t slot, char *buf, size_t n)
{
	if (slot == 0)
		return "none";
	snprintf(buf, n, "%zu", slot - 1);
	return buf;
}

/* What the engine could not judge: events cut at the field cap and
 * regular expressions that hit a PCRE2 limit (per rule in rl, may be NULL). */
static void engine_losses(struct hunt *h, struct work *works, uint64_t *truncated, uint64_t *limits, uint64_t *rl)
{
	*truncated = *limits = 0;
	for (size_t t = 0; t < h->n_workers; t++) {
		struct sigma_scan_stats st;
		if (!works[t].sc)
			continue;
		sigma_scanner_stats(works[t].sc, &st);
		*truncated += st.truncated;
		*limits += st.regex_limits;
		for (size_t i = 0; rl && i < sigma_engine_rule_count(h->e); i++)
			rl[i] += sigma_scanner_regex_limits(works[t].sc, i);
	}
}

static void print_stats(struct hunt *h, struct work *works, uint64_t events, uint64_t bytes, double secs, uint64_t hits)
{
	uint64_t *rh = calloc(sigma_engine_rule_count(h->e), sizeof *rh);
	uint64_t *rl = calloc(sigma_engine_rule_count(h->e) + 1, sizeof *rl);
	uint64_t *ee = calloc(EID_SLOTS, sizeof *ee), *eh = calloc(EID_SLOTS, sizeof *eh);
	uint64_t truncated, limits;
	if (!rh || !rl || !ee || !eh)
		goto out;
	engine_losses(h, works, &truncated, &limits, rl);
	for (size_t t = 0; t < h->n_workers; t++) {
		for (size_t i = 0; i < sigma_engine_rule_count(h->e); i++)
			rh[i] += h->ws[t].rule_hits[i];
		for (size_t i = 0; i < EID_SLOTS; i++) {
			ee[i] += h->ws[t].eid_events[i];
			eh[i] += h->ws[t].eid_hits[i];
		}
	}
	char buf[32];
	if (h->ctx->json) {
		json_t *rules = json_array(), *eids = json_object();
		for (size_t i = 0; i < sigma_engine_rule_count(h->e); i++)
			if (rh[i] || rl[i]) {
				const struct sigma_rule *r = sigma_engine_rule(h->e, i);
				json_array_append_new(rules, json_pack("{s:s, s:s, s:s, s:I, s:I}", "rule_id", sigma_rule_id(r), "title",
				                                       sigma_rule_title(r), "level", sigma_rule_level(r), "hits", (json_int_t)rh[i],
				                                       "regex_limit_hits", (json_int_t)rl[i]));
			}
		for (size_t i = 0; i < EID_SLOTS; i++)
			if (ee[i])
				json_object_set_new(eids, eid_name(i, buf, sizeof buf),
				                    json_pack("{s:I, s:I}", "events", (json_int_t)ee[i], "hits", (json_int_t)eh[i]));
		cli_json_line(json_pack("{s:s, s:I, s:I, s:I, s:I, s:f, s:I, s:I, s:o, s:o}", "type", "stats", "files",
		                        (json_int_t)h->n_files, "events", (json_int_t)events, "bytes", (json_int_t)bytes, "hits",
		                        (json_int_t)hits, "seconds", secs, "truncated_events", (json_int_t)truncated,
		                        "regex_limit_hits", (json_int_t)limits, "rules", rules, "event_ids", eids));
	} else {
		printf(_("\nHits per rule:\n"));
		for (size_t i = 0; i < sigma_engine_rule_count(h->e); i++)
			if (rh[i])
				printf("  %8llu  %-13s %s\n", (unsigned long long)rh[i], sigma_rule_level(sigma_engine_rule(h->e, i)),
				       sigma_rule_title(sigma_engine_rule(h->e, i)));
		for (size_t i = 0; i < sigma_engine_rule_count(h->e); i++)
			if (rl[i])
				printf(_("  %8llu  regular expression limit hits: %s\n"), (unsigned long long)rl[i],
				       sigma_rule_title(sigma_engine_rule(h->e, i)));
		printf(_("\nEvents cut at %d fields: %llu\n"), CG_EVENT_MAX_FIELDS, (unsigned long long)truncated);
		printf(_("\nEvents and hits per event ID:\n"));
		for (size_t i = 0; i < EID_SLOTS; i++)
			if (ee[i])
				printf(_("  %8s  %10llu events  %8llu hits\n"), eid_name(i, buf, sizeof buf), (unsigned long long)ee[i], (unsigned long long)eh[i]);
	}
out:
	free(rh);
	free(rl);
	free(ee);
	free(eh);
}

struct hunt_opts {
	char **rules;
	size_t n_rules;
	char **mappings;
	size_t n_map;
	int min_level;
	long threads;
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

static int sigma_hunt(struct cli_ctx *ctx, const struct hunt_opts *o, char **inputs, size_t n_inputs)
{
	struct sigma_map *map = NULL;
	struct sigma_engine *e = NULL;
	struct sigma_corr *corr = NULL;
	struct hunt h;
	struct output out;
	struct work *works = NULL;
	pthread_t *tids = NULL;
	size_t started = 0;
	int ret = CLI_FAIL;
	enum cg_err rc;
	memset(&h, 0, sizeof h);
	memset(&out, 0, sizeof out);
	pthread_mutex_init(&h.mu, NULL);
	pthread_cond_init(&h.cv, NULL);
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
	if ((rc = sigma_corr_new(e, &corr))) {
		cli_fail(rc);
		goto out;
	}
	h.ctx = ctx;
	h.e = e;
	h.min_level = o->min_level;
	if ((rc = sigma_collect_files(inputs, n_inputs, &h.files, &h.n_files))) {
		cli_fail(rc);
		goto out;
	}
	h.slots = calloc(h.n_files ? h.n_files : 1, sizeof *h.slots);
	long nt = o->threads > 0 ? o->threads : sysconf(_SC_NPROCESSORS_ONLN);
	if (nt < 1)
		nt = 1;
	if ((size_t)nt > h.n_files && h.n_files)
		nt = (long)h.n_files;
	h.n_workers = (size_t)nt;
	h.ws = calloc(h.n_workers, sizeof *h.ws);
	works = calloc(h.n_workers, sizeof *works);
	tids = calloc(h.n_workers, sizeof *tids);
	if (!h.slots || !h.ws || !works || !tids) {
		cli_fail(cg_err_set(CG_ENOMEM, _("out of memory")));
		goto out;
	}
	for (size_t i = 0; i < h.n_workers; i++) {
		h.ws[i].rule_hits = calloc(sigma_engine_rule_count(e) + 1, sizeof(uint64_t));
		h.ws[i].eid_events = calloc(EID_SLOTS, sizeof(uint64_t));
		h.ws[i].eid_hits = calloc(EID_SLOTS, sizeof(uint64_t));
		if (!h.ws[i].rule_hits || !h.ws[i].eid_events || !h.ws[i].eid_hits) {
			cli_fail(cg_err_set(CG_ENOMEM, _("out of memory")));
			goto out;
		}
		works[i].h = &h;
		works[i].ws = &h.ws[i];
		if ((rc = sigma_scanner_new(e, &works[i].sc))) {
			cli_fail(rc);
			goto out;
		}
	}
	out.h = &h;
	if (ctx->db_path || getenv("CANHGAC_DB")) {
		if (cli_open_db(ctx, &out.db))
			goto out;
		if ((rc = store_sigma_run_begin(out.db, sigma_engine_rule_count(e), &out.run))) {
			cli_fail(rc);
			goto out;
		}
	}
	for (; started < h.n_workers; started++)
		if (pthread_create(&tids[started], NULL, worker, &works[started]) != 0) {
			cli_error(_("cannot start worker threads"));
			break;
		}
	if (started == 0)
		goto out;
	uint64_t events = 0, bytes = 0;
	int input_errors = 0;
	struct cli_progress prog;
	cli_progress_init(&prog, ctx);
	for (size_t i = 0; i < h.n_files; i++) {
		pthread_mutex_lock(&h.mu);
		while (!h.slots[i].done)
			pthread_cond_wait(&h.cv, &h.mu);
		pthread_mutex_unlock(&h.mu);
		struct file_slot *s = &h.slots[i];
		cli_progress_update(&prog, h.files[i], i + 1, h.n_files);
		if (s->err[0]) {
			cli_error("%s", s->err);
			input_errors = 1;
		}
		if (s->st.bad && !ctx->quiet)
			fprintf(stderr, _("canhgac: sigma: %llu records skipped, first: %s\n"), (unsigned long long)s->st.bad, s->st.first_bad);
		if (s->truncated)
			cli_error(_("%s: more than %d hits, the rest are not reported"), h.files[i], MAX_HITS_PER_FILE);
		events += s->st.events;
		bytes += s->st.bytes;
		for (size_t k = 0; k < s->n_hits; k++) {
			struct hit *x = &s->hits[k];
			if (x->obj) {
				print_hit(ctx, x->obj);
				out.hits++;
				if (store_hit(&out, x->obj)) {
					cli_fail(CG_EDB);
					input_errors = 1;
				}
				json_decref(x->obj);
			}
			if (x->snap) {
				if (sigma_corr_feed(corr, x->rule, x->snap, x->t, on_corr, &out))
					input_errors = 1;
				cg_event_free(x->snap);
			}
		}
		free(s->hits);
		s->hits = NULL;
		s->n_hits = 0;
	}
	cli_progress_done(&prog);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (o->stats)
		print_stats(&h, works, events, bytes, secs, out.hits + out.corr_hits);
	/* Silent misses are not allowed: said even with --quiet. */
	uint64_t truncated, limits;
	engine_losses(&h, works, &truncated, &limits, NULL);
	if (truncated)
		fprintf(stderr, _("canhgac: sigma: %llu events had more than %d fields; they were matched on the first %d\n"),
		        (unsigned long long)truncated, CG_EVENT_MAX_FIELDS, CG_EVENT_MAX_FIELDS);
	if (limits)
		fprintf(stderr, _("canhgac: sigma: %llu rule evaluations stopped at a regular expression limit and count as no "
		                  "match (see --stats)\n"), (unsigned long long)limits);
	if (!ctx->json && !ctx->quiet)
		fprintf(stderr, _("canhgac: sigma: %llu hits (%llu correlations) in %llu events from %zu files, %zu rules, %.2f s\n"),
		        (unsigned long long)(out.hits + out.corr_hits), (unsigned long long)out.corr_hits, (unsigned long long)events, h.n_files, sigma_engine_rule_count(e), secs);
	if (out.db && (rc = store_sigma_run_finish(out.db, out.run, h.n_files, events, out.hits + out.corr_hits)))
		cli_fail(rc);
	ret = input_errors ? CLI_FAIL : CLI_OK;
out:
	for (size_t i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	for (size_t i = 0; works && i < h.n_workers; i++)
		sigma_scanner_free(works[i].sc);
	for (size_t i = 0; h.ws && i < h.n_workers; i++) {
		free(h.ws[i].rule_hits);
		free(h.ws[i].eid_events);
		free(h.ws[i].eid_hits);
	}
	for (size_t i = 0; h.slots && i < h.n_files; i++) {
		for (size_t k = 0; k < h.slots[i].n_hits; k++) {
			json_decref(h.slots[i].hits[k].obj);
			cg_event_free(h.slots[i].hits[k].snap);
		}
		free(h.slots[i].hits);
	}
	free(h.slots);
	free(h.ws);
	free(works);
	free(tids);
	sigma_files_free(h.files, h.n_files);
	cg_db_close(out.db);
	sigma_corr_free(corr);
	sigma_engine_free(e);
	sigma_map_free(map);
	pthread_mutex_destroy(&h.mu);
	pthread_cond_destroy(&h.cv);
	return ret;
}

enum { OPT_STATS = CLI_OPT_FIRST_FREE };

int cmd_sigma(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_LONGOPTS,
		{"rules", required_argument, NULL, 'r'},
		{"mapping", required_argument, NULL, 'm'},
		{"level", required_argument, NULL, 'l'},
		{"threads", required_argument, NULL, 't'},
		{"stats", no_argument, NULL, OPT_STATS},
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
