/* canhgac scan — the malware sweep: YARA rules, listed hashes, EICAR. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cg_esc.h"
#include "cli.h"
#include "hunt_intel.h"
#include "ioc_set.h"
#include "quarantine.h"
#include "store_quarantine.h"
#include "scan.h"
#include "scan_alerts.h"
#include "scan_rules.h"

/* Exit statuses beyond the common ones. */
#define SCAN_EXIT_PROBLEMS 3 /* no hit, but something could not be scanned whole */
#define SCAN_EXIT_HITS 4     /* at least one hit */
#define RULES_MAX 256
#define INTEL_FILES_MAX 256

enum {
	OPT_RULES_CACHE = CLI_OPT_FIRST_FREE,
	OPT_NO_RULES_CACHE,
	OPT_HASHES,
	OPT_MAX_SIZE,
	OPT_TIMEOUT,
	OPT_ONE_FS,
	OPT_CROSS_FS,
	OPT_ARCHIVE_DEPTH,
	OPT_MAX_UNPACKED,
	OPT_MAX_RATIO,
	OPT_MAX_ENTRIES,
	OPT_HOST,
	OPT_NO_STORE,
	OPT_QUARANTINE,
};

static void usage(FILE *f)
{
	fputs(_("Usage: canhgac scan [--rules PATH]... [--hashes] [--intel FILE]... [--host NAME]\n"
		"                    [--threads N] [--max-size SIZE] [--timeout S] [--cross-fs]\n"
		"                    [--archive-depth N] [--quarantine DIR] [--json] PATH...\n"
		"Sweep files for malware: YARA rules, file hashes listed in the intel store, and the\n"
		"EICAR test file, also inside archives (zip, tar, gzip, bzip2, xz; nested).\n\n"
		"PATH is a file or a directory, walked on all CPUs. Symbolic links below a PATH are\n"
		"not followed, other file systems are not entered, FIFOs, devices and sockets are\n"
		"skipped (never opened); files that cannot be read are reported and the sweep goes on.\n\n"
		"Options:\n"
		"  -r, --rules PATH     YARA rule file, or a directory of *.yar / *.yara files (repeatable)\n"
		"      --rules-cache DIR  keep compiled rule sets here (default: ~/.cache/canhgac/yara)\n"
		"      --no-rules-cache   always compile the rules\n"
		"      --hashes         check SHA-256, SHA-1 and MD5 of every file against the hash\n"
		"                       indicators of the database (only the types it has are computed)\n"
		"  -i, --intel FILE     take the hash indicators from this feed file instead (repeatable;\n"
		"                       implies --hashes)\n"
		"  -t, --threads N      scanning threads (default: the number of CPUs)\n"
		"      --max-size SIZE  read at most SIZE bytes of a file or archive entry (K, M, G suffixes;\n"
		"                       default 64M); YARA scans the head of a larger one, which is reported\n"
		"      --timeout S      YARA time for one file, archive content included (default 30; 0: none)\n"
		"      --one-file-system  stay on the file system of each PATH (the default)\n"
		"      --cross-fs       enter other file systems below a PATH\n"
		"      --archive-depth N  open archives nested down to N levels (default 3; 0: do not open)\n"
		"      --max-unpacked SIZE  unpack at most SIZE bytes from one file (default 1G)\n"
		"      --max-ratio N    stop unpacking a file past N times its size (default 200)\n"
		"      --max-entries N  at most N archive entries from one file (default 100000)\n"
		"      --host NAME      the host swept: alerts are tied to this inventory host\n"
		"      --no-store       do not record alerts in the database\n"
		"      --quarantine DIR move every file with a hit into the quarantine store DIR, defanged\n"
		"                       (a hit inside an archive moves the archive); see canhgac quarantine\n"
		"      --db PATH        database file (used with --hashes, --host or when given)\n"
		"      --json           one JSON object per hit and per problem, then a summary\n"
		"      --quiet          no progress display\n"
		"  -h, --help           show this help\n\n"
		"Exit status: 0 nothing found, 1 failure (also: a file could not be quarantined), 2 usage\n"
		"error, 3 nothing found but some files could not be scanned whole, 4 hits found.\n"),
	      f);
}

struct scan_args {
	const char *rules[RULES_MAX];
	size_t n_rules;
	const char *intel[INTEL_FILES_MAX];
	size_t n_intel;
	const char *cache_dir;
	int no_cache, hashes, no_store;
	const char *host;
	const char *quarantine;
	struct scan_opts o;
};

/* A hit waiting for its file to be finished, for the quarantine record. */
struct pending_hit {
	char *file, *kind, *name;
};
#define PENDING_MAX 1000000

struct scan_cli {
	struct cli_ctx *cli;
	struct cli_progress progress;
	struct scan_alerts *alerts;
	char *esc; /* escape buffer; sink calls are serialised */
	enum cg_err write_rc;
	struct quarantine *q;
	struct cg_db *db; /* the quarantine is recorded here too when open */
	struct pending_hit *pend;
	size_t n_pend, cap_pend;
	uint64_t quarantined, quarantine_failed;
};

/* "64M" → bytes. */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -1;
	if (*end == 'K' || *end == 'k')
		mul = 1ull << 10;
	else if (*end == 'M' || *end == 'm')
		mul = 1ull << 20;
	else if (*end == 'G' || *end == 'g')
		mul = 1ull << 30;
	else if (*end)
		return -1;
	if (*end && end[1])
		return -1;
	if (v > UINT64_MAX / mul)
		return -1;
	*out = v * mul;
	return 0;
}

static int bad_value(const char *opt, const char *arg)
{
	cli_error(_("%s: '%s' is not a valid value"), opt, arg);
	return cli_usage_hint("scan");
}

static int parse_args(struct cli_ctx *ctx, int argc, char **argv, struct scan_args *a)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{"rules", required_argument, NULL, 'r'},
		{"rules-cache", required_argument, NULL, OPT_RULES_CACHE},
		{"no-rules-cache", no_argument, NULL, OPT_NO_RULES_CACHE},
		{"hashes", no_argument, NULL, OPT_HASHES},
		{"intel", required_argument, NULL, 'i'},
		{"threads", required_argument, NULL, 't'},
		{"max-size", required_argument, NULL, OPT_MAX_SIZE},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"one-file-system", no_argument, NULL, OPT_ONE_FS},
		{"cross-fs", no_argument, NULL, OPT_CROSS_FS},
		{"archive-depth", required_argument, NULL, OPT_ARCHIVE_DEPTH},
		{"max-unpacked", required_argument, NULL, OPT_MAX_UNPACKED},
		{"max-ratio", required_argument, NULL, OPT_MAX_RATIO},
		{"max-entries", required_argument, NULL, OPT_MAX_ENTRIES},
		{"host", required_argument, NULL, OPT_HOST},
		{"no-store", no_argument, NULL, OPT_NO_STORE},
		{"quarantine", required_argument, NULL, OPT_QUARANTINE},
		{NULL, 0, NULL, 0},
	};
	long v;
	uint64_t sz;
	int c;

	while ((c = getopt_long(argc, argv, "hr:i:t:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return -1;
		case 'r':
			if (a->n_rules == RULES_MAX) {
				cli_error(_("at most %d --rules paths"), RULES_MAX);
				return CLI_USAGE;
			}
			a->rules[a->n_rules++] = optarg;
			break;
		case 'i':
			if (a->n_intel == INTEL_FILES_MAX) {
				cli_error(_("at most %d --intel files"), INTEL_FILES_MAX);
				return CLI_USAGE;
			}
			a->intel[a->n_intel++] = optarg;
			a->hashes = 1;
			break;
		case 't':
			if (cli_parse_long(optarg, 1, SCAN_THREADS_MAX, &v) != 0)
				return bad_value("--threads", optarg);
			a->o.threads = (unsigned)v;
			break;
		case OPT_RULES_CACHE: a->cache_dir = optarg; break;
		case OPT_NO_RULES_CACHE: a->no_cache = 1; break;
		case OPT_HASHES: a->hashes = 1; break;
		case OPT_MAX_SIZE:
			if (parse_size(optarg, &sz) != 0 || sz == 0 || sz > (1ull << 32))
				return bad_value("--max-size", optarg);
			a->o.max_size = sz;
			a->o.archive.entry_max = (size_t)sz;
			break;
		case OPT_TIMEOUT:
			if (cli_parse_long(optarg, 0, 86400, &v) != 0)
				return bad_value("--timeout", optarg);
			a->o.timeout_s = (unsigned)v;
			break;
		case OPT_ONE_FS: a->o.cross_fs = 0; break;
		case OPT_CROSS_FS: a->o.cross_fs = 1; break;
		case OPT_ARCHIVE_DEPTH:
			if (cli_parse_long(optarg, 0, 16, &v) != 0)
				return bad_value("--archive-depth", optarg);
			a->o.archive_depth = (unsigned)v;
			break;
		case OPT_MAX_UNPACKED:
			if (parse_size(optarg, &sz) != 0 || sz == 0)
				return bad_value("--max-unpacked", optarg);
			a->o.archive.bytes_max = sz;
			break;
		case OPT_MAX_RATIO:
			if (cli_parse_long(optarg, 1, 1000000, &v) != 0)
				return bad_value("--max-ratio", optarg);
			a->o.archive.ratio_max = (unsigned)v;
			break;
		case OPT_MAX_ENTRIES:
			if (cli_parse_long(optarg, 1, 100000000, &v) != 0)
				return bad_value("--max-entries", optarg);
			a->o.archive.entries_max = (size_t)v;
			break;
		case OPT_HOST: a->host = optarg; break;
		case OPT_NO_STORE: a->no_store = 1; break;
		case OPT_QUARANTINE: a->quarantine = optarg; break;
		default:
			if (cli_common_opt(ctx, c, optarg))
				break;
			return cli_usage_hint("scan");
		}
	}
	if (optind >= argc) {
		cli_error(_("no file or directory to scan"));
		return cli_usage_hint("scan");
	}
	return 0;
}

/* ~/.cache/canhgac/yara, or under $XDG_CACHE_HOME; NULL without a home. */
static char *default_cache_dir(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char *p;
	size_t l;

	if (xdg && *xdg == '/') {
		l = strlen(xdg) + 16;
		if ((p = malloc(l)))
			snprintf(p, l, "%s/canhgac/yara", xdg);
		return p;
	}
	if (!home || *home != '/')
		return NULL;
	l = strlen(home) + 24;
	if ((p = malloc(l)))
		snprintf(p, l, "%s/.cache/canhgac/yara", home);
	return p;
}

static const char *esc(struct scan_cli *c, const char *s)
{
	cg_esc_put(c->esc, s, strlen(s) > SCAN_PATH_MAX ? SCAN_PATH_MAX : strlen(s));
	return c->esc;
}

static json_t *hashes_json(const struct scan_hit *h)
{
	json_t *o = json_object();
	for (int t = 0; t < SCAN_HASH_COUNT; t++)
		if (h->hashes && h->hashes[t][0])
			json_object_set_new(o, scan_hash_name((enum scan_hash_type)t), json_string(h->hashes[t]));
	return o;
}

/* Keep what the quarantine record says of hit `h` until its file is done. */
static enum cg_err remember_hit(struct scan_cli *c, const struct scan_hit *h)
{
	struct pending_hit *p;
	const char *what = h->kind == SCAN_HIT_HASH ? h->indicator->value : h->rule;
	size_t l = strlen(what) + strlen(h->path) + 8;

	if (c->n_pend == c->cap_pend) {
		size_t cap = c->cap_pend ? c->cap_pend * 2 : 64;
		if (c->cap_pend >= PENDING_MAX)
			return CG_OK; /* the file is still quarantined; this reason is not recorded */
		if (!(p = realloc(c->pend, cap * sizeof *p)))
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		c->pend = p;
		c->cap_pend = cap;
	}
	p = &c->pend[c->n_pend];
	if (!(p->file = strdup(h->file)) || !(p->kind = strdup(scan_hit_kind_name(h->kind))) || !(p->name = malloc(l))) {
		free(p->file);
		free(p->kind);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	if (strcmp(h->path, h->file))
		snprintf(p->name, l, "%s (%s)", what, h->path);
	else
		snprintf(p->name, l, "%s", what);
	c->n_pend++;
	return CG_OK;
}

static enum cg_err on_file_hits(void *ctx, const char *path, uint64_t n)
{
	struct scan_cli *c = ctx;
	struct quarantine_hit hits[QUARANTINE_HITS_MAX];
	struct quarantine_add_opts o = {.now = cli_now()};
	char id[QUARANTINE_ID_LEN + 1];
	size_t k = 0;
	enum cg_err rc;

	(void)n;
	for (size_t i = 0; i < c->n_pend && k < QUARANTINE_HITS_MAX; i++)
		if (!strcmp(c->pend[i].file, path))
			hits[k++] = (struct quarantine_hit){c->pend[i].kind, c->pend[i].name};
	cg_err_clear();
	rc = quarantine_add(c->q, path, hits, k, &o, id);
	for (size_t i = 0; i < c->n_pend;) {
		if (strcmp(c->pend[i].file, path)) {
			i++;
			continue;
		}
		free(c->pend[i].file);
		free(c->pend[i].kind);
		free(c->pend[i].name);
		c->pend[i] = c->pend[--c->n_pend];
	}
	cli_progress_done(&c->progress);
	if (rc == CG_ENOMEM)
		return rc;
	if (rc) {
		c->quarantine_failed++;
		if (c->cli->json)
			cli_json_line(json_pack("{s:s, s:s, s:s}", "type", "quarantine_failed", "file", path, "message",
						cg_err_msg(rc)));
		else {
			fflush(stdout);
			cli_error("%s", cg_err_msg(rc));
		}
		return CG_OK;
	}
	if (c->db) {
		struct quarantine_item *it;
		cg_err_clear();
		if ((rc = quarantine_get(c->q, id, &it)))
			return rc;
		rc = store_quarantine_add(c->db, quarantine_dir(c->q), it);
		quarantine_item_free(it);
		if (rc)
			return rc;
	}
	c->quarantined++;
	if (c->cli->json)
		cli_json_line(json_pack("{s:s, s:s, s:s}", "type", "quarantined", "file", path, "id", id));
	else
		printf(_("%s: quarantined as %s\n"), esc(c, path), id);
	return CG_OK;
}

static enum cg_err on_hit(void *ctx, const struct scan_hit *h)
{
	struct scan_cli *c = ctx;
	enum cg_err rc;

	if (c->q && (rc = remember_hit(c, h)))
		return rc;
	if (c->alerts && (rc = scan_alerts_add(c->alerts, h, NULL)))
		return rc;
	cli_progress_done(&c->progress);
	if (c->cli->json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I}", "type", "hit", "kind", scan_hit_kind_name(h->kind),
				      "path", h->path, "file", h->file, "size", (json_int_t)h->size);
		if (h->kind == SCAN_HIT_HASH) {
			json_object_set_new(o, "indicator", json_string(h->indicator->value));
			json_object_set_new(o, "hash_type", json_string(scan_hash_name(h->hash_type)));
			json_object_set_new(o, "source", json_string(h->indicator->source));
			json_object_set_new(o, "family", json_string(h->indicator->family));
		} else {
			json_object_set_new(o, "rule", json_string(h->rule));
			if (h->kind == SCAN_HIT_YARA) {
				json_object_set_new(o, "tags", json_string(h->tags));
				json_object_set_new(o, "description", json_string(h->description));
			}
		}
		json_object_set_new(o, "hashes", hashes_json(h));
		cli_json_line(o);
	} else if (h->kind == SCAN_HIT_HASH) {
		printf(_("%s: hash %s %s (%s)\n"), esc(c, h->path), scan_hash_name(h->hash_type), h->indicator->value,
		       h->indicator->source);
	} else if (h->kind == SCAN_HIT_EICAR) {
		printf(_("%s: EICAR test file\n"), esc(c, h->path));
	} else {
		printf(_("%s: YARA rule %s\n"), esc(c, h->path), h->rule);
	}
	if (c->cli->out_tty)
		fflush(stdout);
	return CG_OK;
}

static void on_problem(void *ctx, const struct scan_problem *p)
{
	struct scan_cli *c = ctx;

	cli_progress_done(&c->progress);
	if (c->cli->json) {
		cli_json_line(json_pack("{s:s, s:s, s:s, s:s}", "type", "problem", "kind",
					scan_problem_kind_name(p->kind), "path", p->path, "message", p->msg));
		return;
	}
	fflush(stdout);
	switch (p->kind) {
	case SCAN_PROBLEM_SKIPPED: cli_error(_("%s: skipped: %s"), esc(c, p->path), p->msg); break;
	case SCAN_PROBLEM_CUT: cli_error(_("%s: cut short: %s"), esc(c, p->path), p->msg); break;
	case SCAN_PROBLEM_TIMEOUT: cli_error(_("%s: timed out: %s"), esc(c, p->path), p->msg); break;
	case SCAN_PROBLEM_ARCHIVE: cli_error(_("%s: archive: %s"), esc(c, p->path), p->msg); break;
	default: cli_error(_("%s: cannot be read: %s"), esc(c, p->path), p->msg); break;
	}
}

static void on_progress(void *ctx, uint64_t bytes, uint64_t total, uint64_t files, uint64_t total_files)
{
	struct scan_cli *c = ctx;
	(void)files;
	(void)total_files;
	cli_progress_update(&c->progress, _("scanning (bytes)"), bytes, total);
}

static void print_summary(const struct scan_stats *st, size_t n_rules, double secs)
{
	printf(_("\n%llu hits in %llu files; %llu files (%.1f MB) and %llu archive entries scanned with %zu rules "
		 "in %.1f s\n"),
	       (unsigned long long)st->hits, (unsigned long long)st->files_hit, (unsigned long long)st->files,
	       (double)st->bytes / 1e6, (unsigned long long)st->entries, n_rules, secs);
	printf(_("not read: %llu unreadable, %llu skipped, %llu symbolic links not followed; "
		 "%llu cut short, %llu timed out, %llu archives stopped or damaged\n"),
	       (unsigned long long)st->problems[SCAN_PROBLEM_UNREADABLE],
	       (unsigned long long)st->problems[SCAN_PROBLEM_SKIPPED], (unsigned long long)st->links,
	       (unsigned long long)st->problems[SCAN_PROBLEM_CUT], (unsigned long long)st->problems[SCAN_PROBLEM_TIMEOUT],
	       (unsigned long long)st->problems[SCAN_PROBLEM_ARCHIVE]);
}

static json_t *summary_json(const struct scan_stats *st, size_t n_rules, double secs, int from_cache)
{
	json_t *p = json_object();
	for (int k = 0; k < SCAN_PROBLEM_COUNT; k++)
		json_object_set_new(p, scan_problem_kind_name((enum scan_problem_kind)k),
				    json_integer((json_int_t)st->problems[k]));
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:f, s:b}", "type", "summary", "hits",
			 (json_int_t)st->hits, "files_hit", (json_int_t)st->files_hit, "files", (json_int_t)st->files,
			 "bytes", (json_int_t)st->bytes, "archive_entries", (json_int_t)st->entries, "rules",
			 (json_int_t)n_rules, "problems", p, "links_not_followed", (json_int_t)st->links, "seconds",
			 secs, "rules_from_cache", from_cache);
}

static int load_hashes(const struct scan_args *a, struct cg_db *db, struct ioc_set **out)
{
	struct hunt_intel_opts o = {.files = a->intel, .n_files = a->n_intel, .format = FEED_AUTO};
	enum cg_err rc;

	cg_err_clear();
	if ((rc = hunt_intel_load(db, &o, NULL, out)))
		return cli_fail(rc);
	if (!scan_hash_types_of(*out)) {
		cli_error(a->n_intel ? _("the --intel files hold no SHA-256, SHA-1 or MD5 indicator")
				     : _("the intel store holds no SHA-256, SHA-1 or MD5 indicator: import a hash feed first"));
		return CLI_FAIL;
	}
	return 0;
}

static double mono_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int cmd_scan(struct cli_ctx *ctx, int argc, char **argv)
{
	struct scan_args a = {0};
	struct scan_cli c = {.cli = ctx};
	struct scan_sink sink = {.hit = on_hit, .problem = on_problem, .progress = on_progress, .ctx = &c};
	struct scan_stats st = {0};
	struct scan_rules *rules = NULL;
	struct ioc_set *hashes = NULL;
	struct cg_db *db = NULL;
	char *cache = NULL;
	int from_cache = 0, r, status = CLI_FAIL;
	double t0;
	enum cg_err rc;

	scan_opts_default(&a.o);
	r = parse_args(ctx, argc, argv, &a);
	if (r)
		return r < 0 ? CLI_OK : r;
	if (!(c.esc = malloc(CG_ESC_ROOM(SCAN_PATH_MAX)))) {
		cli_error(_("out of memory"));
		return CLI_FAIL;
	}
	if ((a.hashes && !a.n_intel) || a.host || ctx->db_path) {
		if ((a.hashes && !a.n_intel ? cli_open_db_existing(ctx, &db) : cli_open_db(ctx, &db)) != 0)
			goto out;
	}
	if (a.n_rules) {
		struct scan_rules_opts ro = {.paths = a.rules, .n_paths = a.n_rules};
		if (!a.no_cache)
			ro.cache_dir = a.cache_dir ? a.cache_dir : (cache = default_cache_dir());
		cg_err_clear();
		if ((rc = scan_rules_load(&ro, &rules, &from_cache))) {
			cli_fail(rc);
			goto out;
		}
	}
	if (a.hashes && load_hashes(&a, db, &hashes) != 0)
		goto out;
	if (!rules && !hashes && !ctx->json)
		cli_error(_("no --rules and no --hashes: only the EICAR test file is looked for"));
	if (db && !a.no_store && (rc = scan_alerts_open(db, cli_now(), a.host, &c.alerts))) {
		cli_fail(rc);
		goto out;
	}
	if (a.quarantine) {
		cg_err_clear();
		if ((rc = quarantine_open(a.quarantine, &c.q))) {
			cli_fail(rc);
			goto out;
		}
		sink.file_hits = on_file_hits;
		c.db = db;
	}
	a.o.rules = rules;
	a.o.hashes = hashes;
	cli_progress_init(&c.progress, ctx);
	t0 = mono_s();
	rc = scan_paths(&a.o, (const char *const *)argv + optind, (size_t)(argc - optind), &sink, &st);
	cli_progress_done(&c.progress);
	if (!rc && c.alerts)
		rc = scan_alerts_flush(c.alerts);
	if (rc) {
		fflush(stdout);
		cli_fail(rc);
		goto out;
	}
	if (ctx->json)
		cli_json_line(summary_json(&st, scan_rules_count(rules), mono_s() - t0, from_cache));
	else
		print_summary(&st, scan_rules_count(rules), mono_s() - t0);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_fail(cg_err_set(CG_EIO, _("standard output: %s"), strerror(errno)));
		goto out;
	}
	if (c.quarantine_failed)
		status = CLI_FAIL;
	else if (st.hits)
		status = SCAN_EXIT_HITS;
	else if (st.problems[SCAN_PROBLEM_UNREADABLE] || st.problems[SCAN_PROBLEM_CUT] ||
		 st.problems[SCAN_PROBLEM_TIMEOUT] || st.problems[SCAN_PROBLEM_ARCHIVE])
		status = SCAN_EXIT_PROBLEMS;
	else
		status = CLI_OK;
out:
	for (size_t i = 0; i < c.n_pend; i++) {
		free(c.pend[i].file);
		free(c.pend[i].kind);
		free(c.pend[i].name);
	}
	free(c.pend);
	quarantine_free(c.q);
	scan_alerts_free(c.alerts);
	scan_rules_free(rules);
	ioc_set_free(hashes);
	cg_db_close(db);
	free(cache);
	free(c.esc);
	return status;
}
