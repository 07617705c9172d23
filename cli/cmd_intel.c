/* canhgac intel — import, list, compare and remove threat-intel sources. */
#include <string.h>
#include <strings.h>

#include "cg_buf.h"
#include "cg_file.h"
#include "cg_esc.h"
#include "cli.h"
#include "feed.h"
#include "store_intel.h"

#define BAD_PRINT_MAX 50    /* bad lines printed on stderr */
#define JSON_LIST_MAX 1000  /* bad/skipped entries listed in --json */

static void usage(FILE *f)
{
	fputs(_("Usage: canhgac intel import [--source NAME] [--format F] [--map SPEC] [--family F]\n"
		"                            [--skip-bad] [--append] FILE...\n"
		"       canhgac intel list [SOURCE] [--type T] [--limit N]\n"
		"       canhgac intel stats\n"
		"       canhgac intel diff SOURCE\n"
		"       canhgac intel remove SOURCE...\n"
		"Import threat-intel feeds (botnet lists, blocklists, STIX, MISP) as named sources.\n\n"
		"Import options:\n"
		"  -s, --source NAME  source to import into (default: first file's name without extensions);\n"
		"                     its current list is replaced by this import\n"
		"  -f, --format F     plain, feodo, spamhaus, firehol, hosts, rpz, csv, stix, misp\n"
		"                     (default: detected from the content)\n"
		"  -m, --map SPEC     CSV columns: \"ip=Column,family=Column\" (fields: ip, domain, url, hash,\n"
		"                     md5, sha1, sha256, indicator, family, first_seen, last_seen, asn, port)\n"
		"      --family F     family for records that name none\n"
		"      --skip-bad     import the good entries and report the bad ones (default: a file\n"
		"                     with a bad entry imports nothing)\n"
		"      --append       add to the source's current list instead of replacing it\n"
		"List options:\n"
		"  -t, --type T       only ipv4, ipv6, cidr4, cidr6, domain, url, md5, sha1, sha256, sha512\n"
		"  -n, --limit N      at most N indicators\n"
		"Common options:\n"
		"      --db PATH      database file\n"
		"      --json         machine-readable output (one JSON object)\n"
		"      --quiet        no progress display\n"
		"  -h, --help         show this help\n\n"
		"FILE may be gzip-compressed; '-' reads standard input (give --source).\n"
		"Exit status: 0 success, 1 failure (bad input, unknown source), 2 usage error.\n"),
	      f);
}

/* ---- import ---- */

struct bad_line {
	size_t line;
	char *reason;
};

struct file_report {
	const char *path;
	struct feed_counts counts;
	size_t n_bad_kept, n_skip_kept;
	struct bad_line *bad, *skip;
};

struct import_ctx {
	struct cli_ctx *cli;
	struct store_intel_import *imp;
	struct file_report *file;
	struct cli_progress progress;
	size_t records;
	size_t total_bad;
	int skip_bad;
};

static enum cg_err on_record(void *vctx, const struct feed_record *r)
{
	struct import_ctx *c = vctx;

	if (++c->records % 4096 == 0)
		cli_progress_update(&c->progress, _("importing"), c->records, 0);
	if (!c->skip_bad && c->total_bad)
		return CG_OK; /* the import will be rolled back: keep reading only to report */
	return store_intel_import_add(c->imp, &r->ioc, r->family, r->first_seen, r->last_seen, r->extra);
}

static enum cg_err keep_line(struct bad_line **list, size_t *n, size_t line, const char *reason)
{
	struct bad_line *nl;

	if (*n >= JSON_LIST_MAX)
		return CG_OK;
	if (!(nl = realloc(*list, (*n + 1) * sizeof **list)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	*list = nl;
	if (!(nl[*n].reason = strdup(reason)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	nl[*n].line = line;
	(*n)++;
	return CG_OK;
}

static enum cg_err on_bad(void *vctx, size_t line, const char *reason)
{
	struct import_ctx *c = vctx;

	c->total_bad++;
	if (c->total_bad <= BAD_PRINT_MAX) {
		cli_progress_done(&c->progress);
		fprintf(stderr, "%s:%zu: %s\n", cg_esc(c->file->path), line, cg_esc(reason));
	}
	return keep_line(&c->file->bad, &c->file->n_bad_kept, line, reason);
}

static enum cg_err on_skip(void *vctx, size_t line, const char *reason)
{
	struct import_ctx *c = vctx;
	return keep_line(&c->file->skip, &c->file->n_skip_kept, line, reason);
}

/* Source name from a path: base name without the extensions feeds use. */
static void default_source(const char *path, char *out, size_t n)
{
	static const char *const exts[] = {".gz", ".csv", ".txt", ".json", ".netset", ".ipset", ".conf", ".rpz",
					   ".zone", ".hosts", ".sha256", ".sha1", ".md5", ".lst", ".list", ".tsv"};
	size_t l;
	int again = 1;

	snprintf(out, n, "%s", cg_file_basename(path));
	while (again) {
		again = 0;
		l = strlen(out);
		for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
			size_t el = strlen(exts[i]);
			if (l > el && strcasecmp(out + l - el, exts[i]) == 0) {
				out[l - el] = '\0';
				again = 1;
				break;
			}
		}
	}
}

static json_t *counts_json(const struct file_report *f)
{
	json_t *o = json_pack("{ss ss si si si si si si}", "file", f->path, "format",
			      feed_format_name(f->counts.format), "entries", (json_int_t)f->counts.entries, "imported",
			      (json_int_t)f->counts.imported, "records", (json_int_t)f->counts.records, "bad",
			      (json_int_t)f->counts.bad, "comments", (json_int_t)f->counts.comments, "skipped",
			      (json_int_t)f->counts.skipped);
	json_t *bad = json_array(), *skip = json_array();

	for (size_t i = 0; i < f->n_bad_kept; i++)
		json_array_append_new(bad, json_pack("{si ss}", "line", (json_int_t)f->bad[i].line, "reason",
						     f->bad[i].reason));
	for (size_t i = 0; i < f->n_skip_kept; i++)
		json_array_append_new(skip, json_pack("{si ss}", "line", (json_int_t)f->skip[i].line, "reason",
						      f->skip[i].reason));
	json_object_set_new(o, "bad_entries", bad);
	json_object_set_new(o, "skipped_entries", skip);
	return o;
}

static void print_summary(const char *source, struct file_report *files, size_t n_files,
			  const struct store_intel_summary *sum)
{
	printf(_("Imported into source '%s' (import %lld) from %zu file(s):\n"), source, (long long)sum->import_id,
	       n_files);
	for (size_t i = 0; i < n_files; i++) {
		const struct feed_counts *c = &files[i].counts;
		printf(_("  %s (%s): %zu entries = %zu imported + %zu bad + %zu skipped + %zu comments/blank; "
			 "%zu indicators\n"),
		       files[i].path, feed_format_name(c->format), c->entries, c->imported, c->bad, c->skipped,
		       c->comments, c->records);
		for (size_t k = 0; k < files[i].n_skip_kept && k < 5; k++)
			printf(_("    skipped line %zu: %s\n"), files[i].skip[k].line, cg_esc(files[i].skip[k].reason));
		if (c->skipped > 5)
			printf(_("    ... and %zu more skipped\n"), c->skipped - 5);
	}
	printf(_("Unique indicators: %zu ("), sum->n_unique);
	for (int t = 1, first = 1; t < IOC_TYPE_COUNT; t++)
		if (sum->by_type[t]) {
			printf("%s%s %zu", first ? "" : ", ", ioc_type_name((enum ioc_type)t), sum->by_type[t]);
			first = 0;
		}
	printf(_("); %zu duplicate record(s)\n"), sum->n_duplicates);
	if (sum->prev_import_id)
		printf(_("Against the previous import: %zu added, %zu removed\n"), sum->n_added, sum->n_removed);
	else
		printf(_("New source: %zu added\n"), sum->n_added);
}

static json_t *by_type_json(const size_t *by_type)
{
	json_t *o = json_object();
	for (int t = 1; t < IOC_TYPE_COUNT; t++)
		if (by_type[t])
			json_object_set_new(o, ioc_type_name((enum ioc_type)t), json_integer((json_int_t)by_type[t]));
	return o;
}

/* The import summary as one JSON object; `sum` NULL when nothing was committed. */
static json_t *import_json(const char *source, const char *formats, struct file_report *files, size_t n_files,
			   const struct store_intel_summary *sum, size_t n_bad, int skip_bad)
{
	json_t *o = json_pack("{ss ss sb sb sI}", "source", source, "formats", formats, "committed", sum != NULL,
			      "skip_bad", skip_bad, "bad", (json_int_t)n_bad);
	json_t *arr = json_array();

	for (size_t i = 0; i < n_files; i++)
		json_array_append_new(arr, counts_json(&files[i]));
	json_object_set_new(o, "files", arr);
	if (!sum)
		return o;
	json_object_set_new(o, "import_id", json_integer((json_int_t)sum->import_id));
	json_object_set_new(o, "previous_import_id", json_integer((json_int_t)sum->prev_import_id));
	json_object_set_new(o, "records", json_integer((json_int_t)sum->n_records));
	json_object_set_new(o, "duplicates", json_integer((json_int_t)sum->n_duplicates));
	json_object_set_new(o, "unique", json_integer((json_int_t)sum->n_unique));
	json_object_set_new(o, "by_type", by_type_json(sum->by_type));
	json_object_set_new(o, "added", json_integer((json_int_t)sum->n_added));
	json_object_set_new(o, "removed", json_integer((json_int_t)sum->n_removed));
	return o;
}

static int do_import(struct cli_ctx *ctx, const char *source, enum feed_format format, const struct feed_opts *fo,
		     int skip_bad, int append, char **paths, size_t n_paths)
{
	struct import_ctx c = {.cli = ctx, .skip_bad = skip_bad};
	struct feed_sink sink = {.record = on_record, .bad = on_bad, .skip = on_skip, .ctx = &c};
	struct file_report *files = calloc(n_paths, sizeof *files);
	struct store_intel_summary sum;
	struct cg_db *db = NULL;
	struct cg_buf names;
	char fmt_names[256] = "";
	enum cg_err rc = CG_OK;
	int ret = CLI_FAIL;
	size_t i;

	cg_buf_init(&names, 1 << 16);
	if (!files)
		return cli_fail(cg_err_set(CG_ENOMEM, _("out of memory")));
	cli_progress_init(&c.progress, ctx);
	for (i = 0; i < n_paths; i++) {
		files[i].path = paths[i];
		if ((rc = cg_buf_printf(&names, "%s%s", i ? "," : "", cg_file_basename(paths[i]))))
			break;
	}
	if (rc || cli_open_db(ctx, &db))
		goto out;
	if ((rc = store_intel_import_begin(db, source, names.data, format == FEED_AUTO ? "auto" : feed_format_name(format),
					   append, &c.imp)))
		goto out;
	for (i = 0; i < n_paths; i++) {
		char *buf = NULL;
		size_t len = 0;
		enum feed_format f;

		c.file = &files[i];
		if ((rc = cg_file_read(paths[i], CG_FILE_DEFAULT_CAP, &buf, &len)))
			goto out;
		f = format != FEED_AUTO ? format : feed_detect(buf, len, cg_file_basename(paths[i]));
		rc = feed_parse_counted(f, buf, len, fo, &sink, &files[i].counts);
		free(buf);
		if (rc) {
			/* A storage failure names the database; the feed is not at fault. */
			if (rc != CG_EDB)
				rc = cg_err_prefix(rc, "%s", paths[i]);
			goto out;
		}
		size_t fl = strlen(fmt_names);
		if (fl + 16 < sizeof fmt_names)
			snprintf(fmt_names + fl, sizeof fmt_names - fl, "%s%s", fl ? "," : "", feed_format_name(f));
	}
	cli_progress_done(&c.progress);
	if (c.total_bad > BAD_PRINT_MAX)
		fprintf(stderr, _("... and %zu more bad entries\n"), c.total_bad - BAD_PRINT_MAX);
	if (c.total_bad && !skip_bad) {
		store_intel_import_abort(c.imp);
		c.imp = NULL;
		cli_error(ngettext("%zu bad entry: nothing imported into '%s' (use --skip-bad to import the good ones)",
				   "%zu bad entries: nothing imported into '%s' (use --skip-bad to import the good ones)",
				   c.total_bad),
			  c.total_bad, source);
		if (ctx->json)
			cli_json_pretty(import_json(source, fmt_names, files, n_paths, NULL, c.total_bad, skip_bad));
		goto out_quiet;
	}
	if (c.records == 0) {
		/* An empty download would otherwise empty the source's list. */
		store_intel_import_abort(c.imp);
		c.imp = NULL;
		cli_error(_("no indicators found: source '%s' left unchanged"), source);
		if (ctx->json)
			cli_json_pretty(import_json(source, fmt_names, files, n_paths, NULL, c.total_bad, skip_bad));
		goto out_quiet;
	}
	if ((rc = store_intel_import_set_format(c.imp, fmt_names)))
		goto out;
	rc = store_intel_import_commit(c.imp, c.total_bad, &sum);
	c.imp = NULL;
	if (rc)
		goto out;
	if (ctx->json)
		cli_json_pretty(import_json(source, fmt_names, files, n_paths, &sum, c.total_bad, skip_bad));
	else
		print_summary(source, files, n_paths, &sum);
	ret = CLI_OK;
	goto out_quiet;
out:
	cli_progress_done(&c.progress);
	if (rc)
		cli_fail(rc);
out_quiet:
	store_intel_import_abort(c.imp);
	cg_db_close(db);
	for (i = 0; i < n_paths; i++) {
		for (size_t k = 0; k < files[i].n_bad_kept; k++)
			free(files[i].bad[k].reason);
		for (size_t k = 0; k < files[i].n_skip_kept; k++)
			free(files[i].skip[k].reason);
		free(files[i].bad);
		free(files[i].skip);
	}
	free(files);
	cg_buf_free(&names);
	return ret;
}

enum { OPT_FAMILY = CLI_OPT_FIRST_FREE, OPT_SKIP_BAD, OPT_APPEND };

static int cmd_import(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{"source", required_argument, NULL, 's'},
		{"format", required_argument, NULL, 'f'},
		{"map", required_argument, NULL, 'm'},
		{"family", required_argument, NULL, OPT_FAMILY},
		{"skip-bad", no_argument, NULL, OPT_SKIP_BAD},
		{"append", no_argument, NULL, OPT_APPEND},
		{NULL, 0, NULL, 0},
	};
	const char *source = NULL;
	enum feed_format format = FEED_AUTO;
	struct feed_opts fo = {0};
	int skip_bad = 0, append = 0, c;
	char defsrc[256];

	while ((c = getopt_long(argc, argv, "hs:f:m:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return CLI_OK;
		case 's': source = optarg; break;
		case 'f':
			format = feed_format_from_name(optarg);
			if (format == FEED_AUTO && strcmp(optarg, "auto") != 0) {
				cli_error(_("unknown format '%s'"), optarg);
				return cli_usage_hint("intel");
			}
			break;
		case 'm': fo.csv_map = optarg; break;
		case OPT_FAMILY: fo.default_family = optarg; break;
		case OPT_SKIP_BAD: skip_bad = 1; break;
		case OPT_APPEND: append = 1; break;
		default:
			if (!cli_common_opt(ctx, c, optarg))
				return cli_usage_hint("intel");
		}
	}
	if (optind >= argc) {
		cli_error(_("intel import: no file given"));
		return cli_usage_hint("intel");
	}
	if (!source) {
		if (strcmp(argv[optind], "-") == 0) {
			cli_error(_("intel import: reading standard input needs --source NAME"));
			return cli_usage_hint("intel");
		}
		default_source(argv[optind], defsrc, sizeof defsrc);
		source = defsrc;
	}
	if (!*source) {
		cli_error(_("intel import: empty source name"));
		return CLI_USAGE;
	}
	return do_import(ctx, source, format, &fo, skip_bad, append, argv + optind, (size_t)(argc - optind));
}

/* ---- list ---- */

static enum cg_err list_source_cb(void *vctx, const struct store_intel_source_info *s)
{
	json_t *arr = vctx;
	char when[32] = "-";

	if (s->imported_at)
		cg_time_iso(s->imported_at, when, sizeof when);
	if (arr) {
		json_array_append_new(arr, json_pack("{ss sI so ss ss ss sI}", "name", s->name, "indicators",
						     (json_int_t)s->n_indicators, "by_type", by_type_json(s->by_type),
						     "imported_at", when, "files", s->files, "format", s->format,
						     "imports", (json_int_t)s->n_imports));
		return CG_OK;
	}
	printf("%-24s %10zu  %-20s  %s  ", cg_esc(s->name), s->n_indicators, when, cg_esc(s->files));
	for (int t = 1, first = 1; t < IOC_TYPE_COUNT; t++)
		if (s->by_type[t]) {
			printf("%s%s %zu", first ? "(" : ", ", ioc_type_name((enum ioc_type)t), s->by_type[t]);
			first = 0;
		}
	printf(s->n_indicators ? ")\n" : "\n");
	return CG_OK;
}

static enum cg_err list_item_cb(void *vctx, const struct store_intel_item *it)
{
	json_t *arr = vctx;

	if (arr) {
		json_t *o = json_pack("{ss ss}", "value", it->value, "type", it->type);
		json_object_set_new(o, "family", it->family ? json_string(it->family) : json_null());
		json_object_set_new(o, "first_seen", it->first_seen ? json_string(it->first_seen) : json_null());
		json_object_set_new(o, "last_seen", it->last_seen ? json_string(it->last_seen) : json_null());
		if (it->extra) {
			json_t *x = json_loads(it->extra, 0, NULL);
			if (x)
				json_object_set_new(o, "extra", x);
		}
		json_array_append_new(arr, o);
		return CG_OK;
	}
	printf("%-40s %-7s %-20s %-20s %s\n", cg_esc(it->value), it->type, it->family ? cg_esc(it->family) : "-",
	       it->first_seen ? it->first_seen : "-", it->last_seen ? it->last_seen : "-");
	return CG_OK;
}

static int cmd_list(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{"type", required_argument, NULL, 't'},
		{"limit", required_argument, NULL, 'n'},
		{NULL, 0, NULL, 0},
	};
	enum ioc_type type = IOC_NONE;
	long limit = 0;
	struct cg_db *db;
	json_t *arr = NULL;
	enum cg_err rc;
	int c;

	while ((c = getopt_long(argc, argv, "ht:n:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return CLI_OK;
		case 't':
			if ((type = ioc_type_from_name(optarg)) == IOC_NONE) {
				cli_error(_("unknown indicator type '%s'"), optarg);
				return cli_usage_hint("intel");
			}
			break;
		case 'n':
			if (cli_parse_long(optarg, 1, 1L << 40, &limit)) {
				cli_error(_("--limit: '%s' is not a positive number"), optarg);
				return cli_usage_hint("intel");
			}
			break;
		default:
			if (!cli_common_opt(ctx, c, optarg))
				return cli_usage_hint("intel");
		}
	}
	if (argc - optind > 1) {
		cli_error(_("intel list: at most one SOURCE"));
		return cli_usage_hint("intel");
	}
	if (cli_open_db_existing(ctx, &db))
		return CLI_FAIL;
	if (ctx->json)
		arr = json_array();
	if (optind == argc) {
		if (!ctx->json)
		{
			cli_put_col(_("SOURCE"), 24);
			cli_put_col(_("INDICATORS"), 11);
			cli_put_col(_("IMPORTED"), 21);
			printf("%s\n", _("FILES"));
		}
		rc = store_intel_sources(db, list_source_cb, arr);
		if (!rc && arr)
			cli_json_pretty(json_pack("{so}", "sources", arr));
	} else {
		if (!ctx->json)
		{
			cli_put_col(_("VALUE"), 40);
			cli_put_col(_("TYPE"), 7);
			cli_put_col(_("FAMILY"), 20);
			cli_put_col(_("FIRST SEEN"), 20);
			printf("%s\n", _("LAST SEEN"));
		}
		rc = store_intel_items(db, argv[optind], type, (size_t)limit, list_item_cb, arr);
		if (!rc && arr)
			cli_json_pretty(json_pack("{ss so}", "source", argv[optind], "indicators", arr));
	}
	if (rc)
		json_decref(arr);
	cg_db_close(db);
	return rc ? cli_fail(rc) : CLI_OK;
}

/* ---- stats ---- */

#define OVERLAP_SHOW 20

static enum cg_err overlap_cb(void *vctx, const char *type, const char *value, const char *sources)
{
	json_t *arr = vctx;

	if (arr)
		json_array_append_new(arr, json_pack("{ss ss ss}", "type", type, "value", value, "sources", sources));
	else
		printf("  %-40s %-7s %s\n", value, type, sources);
	return CG_OK;
}

static enum cg_err count_source_cb(void *vctx, const struct store_intel_source_info *s)
{
	json_t *arr = vctx;

	if (arr)
		json_array_append_new(arr, json_pack("{ss sI so}", "name", s->name, "indicators",
						     (json_int_t)s->n_indicators, "by_type", by_type_json(s->by_type)));
	else
		printf("  %-24s %10zu\n", s->name, s->n_indicators);
	return CG_OK;
}

static int cmd_stats(struct cli_ctx *ctx, int argc, char **argv)
{
	struct store_intel_stats st;
	struct cg_db *db;
	json_t *over = NULL, *srcs = NULL;
	enum cg_err rc;
	int status;

	if ((status = cli_common_only(ctx, argc, argv, "intel", usage)) >= 0)
		return status;
	if (optind != argc) {
		cli_error(_("intel stats takes no arguments"));
		return cli_usage_hint("intel");
	}
	if (cli_open_db_existing(ctx, &db))
		return CLI_FAIL;
	if (ctx->json) {
		over = json_array();
		srcs = json_array();
	} else {
		printf(_("Sources:\n"));
	}
	rc = store_intel_sources(db, count_source_cb, srcs);
	if (!rc && !ctx->json)
		printf(_("Indicators shared by more than one source (first %d):\n"), OVERLAP_SHOW);
	if (!rc)
		rc = store_intel_stats(db, &st, overlap_cb, ctx->json ? JSON_LIST_MAX : OVERLAP_SHOW, over);
	cg_db_close(db);
	if (rc) {
		json_decref(over);
		json_decref(srcs);
		return cli_fail(rc);
	}
	if (ctx->json) {
		cli_json_pretty(json_pack("{sI sI so so sI so}", "sources", (json_int_t)st.n_sources, "indicators",
					  (json_int_t)st.n_indicators, "by_type", by_type_json(st.by_type), "by_source",
					  srcs, "shared", (json_int_t)st.n_overlap, "shared_indicators", over));
		return CLI_OK;
	}
	printf(_("Totals: %zu source(s), %zu distinct indicator(s)"), st.n_sources, st.n_indicators);
	for (int t = 1, first = 1; t < IOC_TYPE_COUNT; t++)
		if (st.by_type[t]) {
			printf("%s%s %zu", first ? " (" : ", ", ioc_type_name((enum ioc_type)t), st.by_type[t]);
			first = 0;
		}
	printf(st.n_indicators ? ")\n" : "\n");
	printf(_("Shared by more than one source: %zu\n"), st.n_overlap);
	return CLI_OK;
}

/* ---- diff ---- */

struct diff_ctx {
	json_t *added, *removed;
	size_t n_added, n_removed;
};

static enum cg_err diff_cb(void *vctx, int added, const char *type, const char *value, const char *family)
{
	struct diff_ctx *d = vctx;

	if (added)
		d->n_added++;
	else
		d->n_removed++;
	if (d->added) {
		json_t *o = json_pack("{ss ss}", "type", type, "value", value);
		json_object_set_new(o, "family", family ? json_string(family) : json_null());
		json_array_append_new(added ? d->added : d->removed, o);
	} else {
		printf("%c %-40s %-7s %s\n", added ? '+' : '-', value, type, family ? family : "");
	}
	return CG_OK;
}

static int cmd_diff(struct cli_ctx *ctx, int argc, char **argv)
{
	struct diff_ctx d = {0};
	struct cg_db *db;
	enum cg_err rc;
	int status, has_prev;

	if ((status = cli_common_only(ctx, argc, argv, "intel", usage)) >= 0)
		return status;
	if (argc - optind != 1) {
		cli_error(_("intel diff: give one SOURCE"));
		return cli_usage_hint("intel");
	}
	if (cli_open_db_existing(ctx, &db))
		return CLI_FAIL;
	if (ctx->json) {
		d.added = json_array();
		d.removed = json_array();
	}
	rc = store_intel_diff(db, argv[optind], &has_prev, diff_cb, &d);
	cg_db_close(db);
	if (rc) {
		json_decref(d.added);
		json_decref(d.removed);
		return cli_fail(rc);
	}
	if (ctx->json) {
		cli_json_pretty(json_pack("{ss sb so so}", "source", argv[optind], "has_previous", has_prev, "added",
					  d.added, "removed", d.removed));
	} else if (!has_prev) {
		printf(_("Source '%s' has only one import: nothing to compare.\n"), argv[optind]);
	} else {
		printf(_("Source '%s': %zu added, %zu removed since the previous import.\n"), argv[optind], d.n_added,
		       d.n_removed);
	}
	return CLI_OK;
}

/* ---- remove ---- */

static int cmd_remove(struct cli_ctx *ctx, int argc, char **argv)
{
	struct cg_db *db;
	json_t *arr = NULL;
	int status, ret = CLI_OK;

	if ((status = cli_common_only(ctx, argc, argv, "intel", usage)) >= 0)
		return status;
	if (optind == argc) {
		cli_error(_("intel remove: give at least one SOURCE"));
		return cli_usage_hint("intel");
	}
	if (cli_open_db_existing(ctx, &db))
		return CLI_FAIL;
	if (ctx->json)
		arr = json_array();
	for (int i = optind; i < argc; i++) {
		size_t pruned;
		enum cg_err rc = store_intel_remove(db, argv[i], &pruned);
		if (rc) {
			ret = cli_fail(rc);
			continue;
		}
		if (arr)
			json_array_append_new(arr, json_pack("{ss sI}", "source", argv[i], "indicators_deleted",
							     (json_int_t)pruned));
		else
			printf(_("Removed source '%s' (%zu indicator(s) no other source lists were deleted).\n"), argv[i],
			       pruned);
	}
	cg_db_close(db);
	if (arr)
		cli_json_pretty(json_pack("{so}", "removed", arr));
	return ret;
}

int cmd_intel(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct cli_ctx *, int, char **);
	} subs[] = {
		{"import", cmd_import}, {"list", cmd_list}, {"stats", cmd_stats},
		{"diff", cmd_diff},     {"remove", cmd_remove},
	};
	int i = 1;

	/* Common options may come before the subcommand. */
	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return CLI_OK;
		} else if (!strcmp(argv[i], "--json")) {
			ctx->json = 1;
		} else if (!strcmp(argv[i], "--quiet")) {
			ctx->quiet = 1;
		} else if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			ctx->db_path = argv[++i];
		} else if (!strncmp(argv[i], "--db=", 5)) {
			ctx->db_path = argv[i] + 5;
		} else {
			cli_error(_("unknown option '%s'"), argv[i]);
			return cli_usage_hint("intel");
		}
		i++;
	}
	if (i >= argc) {
		usage(stderr);
		return CLI_USAGE;
	}
	for (size_t k = 0; k < sizeof subs / sizeof subs[0]; k++) {
		if (!strcmp(argv[i], subs[k].name)) {
			optind = 0; /* glibc: full re-initialisation of getopt */
			return subs[k].fn(ctx, argc - i, argv + i);
		}
	}
	cli_error(_("intel: unknown subcommand '%s'"), argv[i]);
	return cli_usage_hint("intel");
}
