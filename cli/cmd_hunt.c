/* canhgac hunt — search log files for indicators, exactly. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asset_index.h"
#include "cg_buf.h"
#include "cg_esc.h"
#include "cg_file.h"
#include "cg_hash.h"
#include "cli.h"
#include "feed.h"
#include "hunt.h"
#include "hunt_intel.h"
#include "hunt_job.h"
#include "ioc_set.h"
#include "store_intel.h"

/* Exit status when the hunt ran but some input could not be read. */
#define HUNT_EXIT_PARTIAL 3
#define BAD_PRINT_MAX 20   /* bad feed lines printed per file */
#define INTEL_FILES_MAX 256
#define SOURCES_MAX 256
#define SUMMARY_ROWS_MAX 50 /* rows per summary table on a terminal or not */

enum {
	OPT_INTEL = CLI_OPT_FIRST_FREE,
	OPT_SOURCE,
	OPT_FORMAT,
	OPT_THREADS,
	OPT_NO_STORE,
	OPT_CHUNK,
	OPT_MAP,
	OPT_HUNT_SPECIAL
};

static void usage(FILE *f)
{
	fputs(_("Usage: canhgac hunt [--intel FILE]... [--source NAME]... [--format F] [--threads N]\n"
		"                    [--hunt-special] [--no-store] [--json] PATH...\n"
		"Search log files for threat-intel indicators, exactly: whole-token IPv4/IPv6\n"
		"addresses (any IPv6 spelling), addresses inside listed CIDRs (the most specific\n"
		"wins; a hit names every list that covers the address),\n"
		"domains and their sub-domains, hashes as whole hex words, listed URLs.\n\n"
		"PATH is a file (plain or gzip) or a directory, read recursively in sorted order;\n"
		"'-' is standard input.\n\n"
		"Options:\n"
		"  -i, --intel FILE   hunt for the indicators of this feed file (repeatable) instead of\n"
		"                     the database's; the database is then neither needed nor touched\n"
		"                     unless --db is given\n"
		"  -s, --source NAME  only the database's source NAME (repeatable; default: all)\n"
		"  -f, --format F     format of the --intel files: plain, feodo, spamhaus, firehol, hosts,\n"
		"                     rpz, csv, stix, misp (default: detected from the content)\n"
		"  -m, --map SPEC     CSV column mapping for --intel files (see canhgac intel --help)\n"
		"  -t, --threads N    worker threads (default: the number of CPUs)\n"
		"      --hunt-special also hunt listed indicators in special-purpose address blocks\n"
		"                     (private, loopback, link-local, CGNAT, multicast, reserved, ...):\n"
		"                     by default only sources imported with --hunt-special are\n"
		"                     hunted there, as edge blocklists list them all\n"
		"      --no-store     do not record the hunt and its hits in the database\n"
		"      --db PATH      database file\n"
		"      --json         one JSON object per hit and line (JSON Lines), nothing else on stdout\n"
		"      --quiet        no progress display\n"
		"  -h, --help         show this help\n\n"
		"Exit status: 0 the hunt ran (with or without hits), 1 failure (unusable intel,\n"
		"database error), 2 usage error, 3 the hunt ran but some input could not be read.\n"),
	      f);
}

/* ---- counting for the summary ---- */

struct tally_row {
	char *key;
	const char *note;
	uint64_t n;
};

struct tally {
	struct tally_row *rows;
	size_t n, cap;
	size_t *ht; /* row index + 1 */
	size_t mask;
};

/* Keys are host labels taken from logs: a seeded hash. */
static uint64_t str_hash(const char *s)
{
	return cg_hash_seeded(0, s, strlen(s));
}

static enum cg_err tally_add(struct tally *t, const char *key, const char *note)
{
	size_t h;

	if ((t->n + 1) * 2 > t->mask + 1) {
		size_t slots = t->mask ? (t->mask + 1) * 2 : 64;
		size_t *ht = calloc(slots, sizeof *ht);
		if (!ht)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		for (size_t i = 0; i < t->n; i++) {
			size_t k = str_hash(t->rows[i].key) & (slots - 1);
			while (ht[k])
				k = (k + 1) & (slots - 1);
			ht[k] = i + 1;
		}
		free(t->ht);
		t->ht = ht;
		t->mask = slots - 1;
	}
	h = str_hash(key) & t->mask;
	while (t->ht[h]) {
		struct tally_row *r = &t->rows[t->ht[h] - 1];
		if (strcmp(r->key, key) == 0) {
			r->n++;
			return CG_OK;
		}
		h = (h + 1) & t->mask;
	}
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 32;
		void *p = realloc(t->rows, nc * sizeof *t->rows);
		if (!p)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		t->rows = p;
		t->cap = nc;
	}
	if (!(t->rows[t->n].key = strdup(key)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	t->rows[t->n].note = note;
	t->rows[t->n].n = 1;
	t->ht[h] = ++t->n;
	return CG_OK;
}

static void tally_free(struct tally *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->rows[i].key);
	free(t->rows);
	free(t->ht);
}

static int cmp_row(const void *a, const void *b)
{
	const struct tally_row *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* ---- the hunt ---- */

struct hunt_cli {
	struct cli_ctx *cli;
	struct cli_progress progress;
	struct tally by_match, by_host;
	const char *unknown; /* translated once, not per hit */
};

static enum cg_err on_write(void *ctx, const char *buf, size_t n)
{
	struct hunt_cli *h = ctx;

	if (fwrite(buf, 1, n, stdout) != n)
		return cg_err_set(CG_EIO, _("standard output: %s"), strerror(errno));
	/* Someone is watching: show each hit as it is found. */
	if (h->cli->out_tty)
		fflush(stdout);
	return CG_OK;
}

static enum cg_err on_hit(void *ctx, const struct hunt_job_hit *jh)
{
	struct hunt_cli *h = ctx;
	enum cg_err rc;

	cli_progress_done(&h->progress);
	/* The summary is for people; JSON readers count for themselves. */
	if (h->cli->json)
		return CG_OK;
	if ((rc = tally_add(&h->by_match, jh->hit->entry->value, jh->hit->entry->family)))
		return rc;
	return tally_add(&h->by_host, *jh->label ? jh->label : h->unknown, NULL);
}

static void on_file_error(void *ctx, const char *path, enum cg_err code, const char *msg, uint64_t lines)
{
	struct hunt_cli *h = ctx;
	(void)path;
	(void)code;
	fflush(stdout);
	cli_progress_done(&h->progress);
	if (lines)
		cli_error(_("%s (%llu lines read and hunted)"), msg, (unsigned long long)lines);
	else
		cli_error("%s", msg);
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct hunt_cli *h = ctx;
	cli_progress_update(&h->progress, _("hunting"), done, total);
}

static void print_summary(const struct hunt_cli *h, const struct hunt_stats *st)
{
	printf(_("\n%llu hits in %llu lines of %llu files (%.1f MB)"), (unsigned long long)st->hits,
	       (unsigned long long)st->lines, (unsigned long long)st->files, (double)st->bytes / 1e6);
	if (st->errors)
		printf(_("; %llu could not be read"), (unsigned long long)st->errors);
	putchar('\n');
	if (st->long_lines)
		printf(_("%llu lines longer than %zu MiB were hunted in pieces\n"), (unsigned long long)st->long_lines,
		       HUNT_STREAM_LINE_MAX >> 20);
	if (!st->hits)
		return;
	qsort(h->by_match.rows, h->by_match.n, sizeof *h->by_match.rows, cmp_row);
	qsort(h->by_host.rows, h->by_host.n, sizeof *h->by_host.rows, cmp_row);
	printf(_("\nBy indicator:\n"));
	for (size_t i = 0; i < h->by_match.n && i < SUMMARY_ROWS_MAX; i++)
		printf("  %8llu  %s%s%s%s\n", (unsigned long long)h->by_match.rows[i].n, cg_esc(h->by_match.rows[i].key),
		       *h->by_match.rows[i].note ? " (" : "", cg_esc(h->by_match.rows[i].note),
		       *h->by_match.rows[i].note ? ")" : "");
	if (h->by_match.n > SUMMARY_ROWS_MAX)
		printf(_("  ... and %zu more\n"), h->by_match.n - SUMMARY_ROWS_MAX);
	printf(_("\nBy host:\n"));
	for (size_t i = 0; i < h->by_host.n && i < SUMMARY_ROWS_MAX; i++)
		printf("  %8llu  %s\n", (unsigned long long)h->by_host.rows[i].n, cg_esc(h->by_host.rows[i].key));
	if (h->by_host.n > SUMMARY_ROWS_MAX)
		printf(_("  ... and %zu more\n"), h->by_host.n - SUMMARY_ROWS_MAX);
}

/* ---- loading the indicators ---- */

struct bad_count {
	const char *path;
	size_t n;
};

static void on_intel_bad(void *ctx, const char *path, size_t line, const char *reason)
{
	struct bad_count *c = ctx;

	if (c->path != path) {
		if (c->n > BAD_PRINT_MAX)
			cli_error(_("%s: %zu bad lines skipped in all"), c->path, c->n);
		c->path = path;
		c->n = 0;
	}
	if (++c->n <= BAD_PRINT_MAX)
		cli_error(_("%s:%zu: %s (skipped)"), path, line, reason);
}

struct hunt_args {
	const char *intel[INTEL_FILES_MAX];
	size_t n_intel;
	const char *sources[SOURCES_MAX];
	size_t n_sources;
	enum feed_format format;
	const char *map;
	unsigned threads;
	size_t chunk;
	int no_store;
	int hunt_special;
};

static int build_set(const struct hunt_args *a, struct cg_db *db, struct ioc_set **out)
{
	struct hunt_intel_opts o = {.files = a->intel, .n_files = a->n_intel, .format = a->format,
				    .csv_map = a->map, .sources = a->sources, .n_sources = a->n_sources,
				    .hunt_special = a->hunt_special};
	struct bad_count bad = {0};
	struct hunt_intel_events ev = {.bad = on_intel_bad, .ctx = &bad};
	enum cg_err rc;

	cg_err_clear();
	rc = hunt_intel_load(db, &o, &ev, out);
	if (bad.n > BAD_PRINT_MAX)
		cli_error(_("%s: %zu bad lines skipped in all"), bad.path, bad.n);
	if (rc)
		return cli_fail(rc);
	if (ioc_set_count(*out) == 0) {
		ioc_set_free(*out);
		*out = NULL;
		if (a->n_intel)
			cli_error(_("the --intel files hold no usable indicator"));
		else
			cli_error(_("no indicators to hunt for: import a feed first ('canhgac intel import FILE')"));
		return CLI_FAIL;
	}
	return 0;
}

static int parse_args(struct cli_ctx *ctx, int argc, char **argv, struct hunt_args *a)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{"intel", required_argument, NULL, 'i'},
		{"source", required_argument, NULL, 's'},
		{"format", required_argument, NULL, 'f'},
		{"map", required_argument, NULL, 'm'},
		{"threads", required_argument, NULL, 't'},
		{"no-store", no_argument, NULL, OPT_NO_STORE},
		{"hunt-special", no_argument, NULL, OPT_HUNT_SPECIAL},
		/* Hidden, for tests: chunk size in bytes (also $CANHGAC_HUNT_CHUNK). */
		{"chunk-size", required_argument, NULL, OPT_CHUNK},
		{NULL, 0, NULL, 0},
	};
	const char *env = getenv("CANHGAC_HUNT_CHUNK");
	long v;
	int c;

	if (env && *env) {
		if (cli_parse_long(env, 1, 1L << 30, &v) != 0) {
			cli_error(_("CANHGAC_HUNT_CHUNK: '%s' is not a size in bytes (1 to 1073741824)"), env);
			return CLI_USAGE;
		}
		a->chunk = (size_t)v;
	}
	while ((c = getopt_long(argc, argv, "hi:s:f:m:t:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return -1;
		case 'i':
			if (a->n_intel == INTEL_FILES_MAX) {
				cli_error(_("at most %d --intel files"), INTEL_FILES_MAX);
				return CLI_USAGE;
			}
			a->intel[a->n_intel++] = optarg;
			break;
		case 's':
			if (a->n_sources == SOURCES_MAX) {
				cli_error(_("at most %d --source names"), SOURCES_MAX);
				return CLI_USAGE;
			}
			a->sources[a->n_sources++] = optarg;
			break;
		case 'f':
			a->format = feed_format_from_name(optarg);
			if (a->format == FEED_AUTO && strcmp(optarg, "auto") != 0) {
				cli_error(_("unknown feed format '%s'"), optarg);
				return cli_usage_hint("hunt");
			}
			break;
		case 'm': a->map = optarg; break;
		case 't':
			if (cli_parse_long(optarg, 1, HUNT_THREADS_MAX, &v) != 0) {
				cli_error(_("--threads: '%s' is not a number from 1 to %u"), optarg, HUNT_THREADS_MAX);
				return cli_usage_hint("hunt");
			}
			a->threads = (unsigned)v;
			break;
		case OPT_NO_STORE: a->no_store = 1; break;
		case OPT_HUNT_SPECIAL: a->hunt_special = 1; break;
		case OPT_CHUNK:
			if (cli_parse_long(optarg, 1, 1L << 30, &v) != 0) {
				cli_error(_("--chunk-size: '%s' is not a size in bytes"), optarg);
				return cli_usage_hint("hunt");
			}
			a->chunk = (size_t)v;
			break;
		default:
			if (cli_common_opt(ctx, c, optarg))
				break;
			return cli_usage_hint("hunt");
		}
	}
	if (optind >= argc) {
		cli_error(_("no log file or directory to hunt in"));
		return cli_usage_hint("hunt");
	}
	if (a->n_intel && a->n_sources) {
		cli_error(_("--source selects database sources; it cannot be used with --intel"));
		return cli_usage_hint("hunt");
	}
	if (!a->n_intel && (a->format != FEED_AUTO || a->map)) {
		cli_error(_("--format and --map apply to --intel files"));
		return cli_usage_hint("hunt");
	}
	return 0;
}

static char *join_paths(char **paths, int n)
{
	struct cg_buf b;
	cg_buf_init(&b, 1u << 20);
	for (int i = 0; i < n; i++)
		if ((i && cg_buf_putc(&b, ' ')) || cg_buf_puts(&b, paths[i]))
			break;
	return cg_buf_steal(&b);
}

int cmd_hunt(struct cli_ctx *ctx, int argc, char **argv)
{
	struct hunt_args a = {.format = FEED_AUTO};
	struct hunt_cli h = {.cli = ctx};
	struct hunt_job_sink sink = {
		.write = on_write, .hit = on_hit, .file_error = on_file_error, .progress = on_progress, .ctx = &h};
	struct hunt_job_opts jo = {0};
	struct hunt_stats st = {0};
	struct cg_db *db = NULL;
	struct ioc_set *set = NULL;
	struct asset_index *idx = NULL;
	char *joined = NULL;
	enum cg_err rc;
	int r, status = CLI_FAIL;

	r = parse_args(ctx, argc, argv, &a);
	if (r)
		return r < 0 ? CLI_OK : r;
	/* Ad hoc --intel hunts leave the database alone unless one is named. */
	if ((!a.n_intel || ctx->db_path) && (a.n_intel ? cli_open_db(ctx, &db) : cli_open_db_existing(ctx, &db)) != 0)
		return CLI_FAIL;
	if (build_set(&a, db, &set) != 0)
		goto out;
	h.unknown = _("(unknown)");
	cli_progress_init(&h.progress, ctx);
	cg_err_clear();
	if ((rc = asset_index_load(db, &idx))) {
		cli_fail(rc);
		goto out;
	}
	if (db && !a.no_store) {
		joined = join_paths(argv + optind, argc - optind);
		jo.db = db;
		jo.paths = joined ? joined : "";
	}
	jo.set = set;
	jo.idx = idx;
	jo.json = ctx->json;
	jo.flush_each_hit = ctx->out_tty;
	jo.now = cli_now();
	jo.hunt.threads = a.threads;
	jo.hunt.chunk_size = a.chunk;
	rc = hunt_job_run(&jo, (const char *const *)argv + optind, (size_t)(argc - optind), &sink, &st);
	cli_progress_done(&h.progress);
	if (rc) {
		fflush(stdout);
		cli_fail(rc);
		goto out;
	}
	if (!ctx->json)
		print_summary(&h, &st);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_fail(cg_err_set(CG_EIO, _("standard output: %s"), strerror(errno)));
		goto out;
	}
	status = st.errors ? HUNT_EXIT_PARTIAL : CLI_OK;
out:
	asset_index_free(idx);
	ioc_set_free(set);
	tally_free(&h.by_match);
	tally_free(&h.by_host);
	cg_db_close(db);
	free(joined);
	return status;
}
