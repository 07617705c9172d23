/* canhgac intel — import, list, compare and remove threat-intel sources. */
#include <string.h>
#include <strings.h>

#include "cg_buf.h"
#include "cg_file.h"
#include "cg_esc.h"
#include "cli.h"
#include "feed.h"
#include "intel_import.h"
#include "special_range.h"
#include "store_intel.h"

#define BAD_PRINT_MAX 50    /* bad lines printed on stderr */
#define JSON_LIST_MAX 1000  /* bad/skipped entries listed in --json */

static void usage(FILE *f)
{
	fputs(_("Usage: canhgac intel import [--source NAME] [--format F] [--map SPEC] [--family F]\n"
		"                            [--skip-bad] [--append] [--[no-]hunt-special] FILE...\n"
		"       canhgac intel list [SOURCE] [--type T] [--limit N]\n"
		"       canhgac intel stats\n"
		"       canhgac intel diff SOURCE\n"
		"       canhgac intel remove SOURCE...\n"
		"Import threat-intel feeds (botnet lists, blocklists, STIX, MISP) as named sources.\n\n"
		"Each FILE is its own source, named after the file without its extensions\n"
		"(spamhaus_drop.txt -> spamhaus_drop), and its own import: a hit names the list\n"
		"that flagged it. The source's current list is replaced by the import.\n\n"
		"Import options:\n"
		"  -s, --source NAME  the source of a single FILE (refused with several files)\n"
		"  -f, --format F     plain, feodo, spamhaus, firehol, hosts, rpz, csv, stix, misp\n"
		"                     (default: detected from the content)\n"
		"  -m, --map SPEC     CSV columns: \"ip=Column,family=Column\" (fields: ip, domain, url, hash,\n"
		"                     md5, sha1, sha256, indicator, family, first_seen, last_seen, asn, port)\n"
		"      --family F     family for records that name none\n"
		"      --skip-bad     import the good entries and report the bad ones (default: a file\n"
		"                     with a bad entry imports nothing)\n"
		"      --append       add to the source's current list instead of replacing it\n"
		"      --hunt-special hunt this source's indicators in special-purpose address blocks\n"
		"                     (private, loopback, link-local, CGNAT, multicast, reserved, ...);\n"
		"                     by default they are kept for blocking but not hunted\n"
		"      --no-hunt-special  back to the default (the setting stays until changed)\n"
		"List options:\n"
		"  -t, --type T       only ipv4, ipv6, cidr4, cidr6, domain, url, md5, sha1, sha256, sha512\n"
		"  -n, --limit N      at most N indicators\n"
		"Common options:\n"
		"      --db PATH      database file\n"
		"      --json         machine-readable output (one JSON object)\n"
		"      --quiet        no progress display\n"
		"  -h, --help         show this help\n\n"
		"FILE may be gzip-compressed; '-' reads standard input (give --source).\n"
		"Exit status: 0 success, 1 failure (a file not imported, unknown source), 2 usage error.\n"),
	      f);
}

/* ---- import ---- */

struct import_cli {
	struct cli_ctx *cli;
	struct cli_progress progress;
	size_t n_bad;
};

static void on_bad(void *vctx, const char *path, size_t line, const char *reason)
{
	struct import_cli *c = vctx;

	if (++c->n_bad <= BAD_PRINT_MAX) {
		cli_progress_done(&c->progress);
		fprintf(stderr, "%s:%zu: %s\n", cg_esc(path), line, cg_esc(reason));
	}
}

static void on_progress(void *vctx, size_t records)
{
	struct import_cli *c = vctx;
	cli_progress_update(&c->progress, _("importing"), records, 0);
}

static json_t *by_type_json(const size_t *by_type)
{
	json_t *o = json_object();
	for (int t = 1; t < IOC_TYPE_COUNT; t++)
		if (by_type[t])
			json_object_set_new(o, ioc_type_name((enum ioc_type)t), json_integer((json_int_t)by_type[t]));
	return o;
}

static const char *status_name(enum intel_file_status st)
{
	switch (st) {
	case INTEL_FILE_IMPORTED: return "imported";
	case INTEL_FILE_BAD: return "bad";
	case INTEL_FILE_EMPTY: return "empty";
	case INTEL_FILE_NOT_DONE: return "not_done";
	default: return "unreadable";
	}
}

/* Per special-purpose block name, the records of a file in it. */
static json_t *special_json(const struct intel_import_file *f)
{
	json_t *by = json_object();

	for (size_t i = 0; i < special_range_count(); i++) {
		const struct special_range *r = special_range_at(i);
		json_t *old = json_object_get(by, r->name);
		json_int_t n = (json_int_t)f->special_by[i] + (old ? json_integer_value(old) : 0);
		if (n)
			json_object_set_new(by, r->name, json_integer(n));
	}
	return json_pack("{sI sb so}", "indicators", (json_int_t)f->n_special, "hunted", f->hunt_special, "by_block",
			 by);
}

static json_t *file_json(const struct intel_import_file *f)
{
	const struct feed_counts *c = &f->counts;
	json_t *o = json_pack("{ss ss ss ss sb si si si si si si}", "file", f->path, "source", f->source, "status",
			      status_name(f->status), "format", feed_format_name(c->format), "committed",
			      f->status == INTEL_FILE_IMPORTED, "entries", (json_int_t)c->entries, "imported",
			      (json_int_t)c->imported, "records", (json_int_t)c->records, "bad", (json_int_t)c->bad,
			      "comments", (json_int_t)c->comments, "skipped", (json_int_t)c->skipped);
	json_t *bad = json_array(), *skip = json_array();

	for (size_t i = 0; i < f->n_bad_kept; i++)
		json_array_append_new(bad, json_pack("{si ss}", "line", (json_int_t)f->bad[i].line, "reason",
						     f->bad[i].reason));
	for (size_t i = 0; i < f->n_skip_kept; i++)
		json_array_append_new(skip, json_pack("{si ss}", "line", (json_int_t)f->skip[i].line, "reason",
						      f->skip[i].reason));
	json_object_set_new(o, "bad_entries", bad);
	json_object_set_new(o, "skipped_entries", skip);
	json_object_set_new(o, "special", special_json(f));
	if (f->error)
		json_object_set_new(o, "error", json_string(f->error));
	if (f->status != INTEL_FILE_IMPORTED)
		return o;
	json_object_set_new(o, "import_id", json_integer((json_int_t)f->sum.import_id));
	json_object_set_new(o, "previous_import_id", json_integer((json_int_t)f->sum.prev_import_id));
	json_object_set_new(o, "duplicates", json_integer((json_int_t)f->sum.n_duplicates));
	json_object_set_new(o, "unique", json_integer((json_int_t)f->sum.n_unique));
	json_object_set_new(o, "by_type", by_type_json(f->sum.by_type));
	json_object_set_new(o, "added", json_integer((json_int_t)f->sum.n_added));
	json_object_set_new(o, "removed", json_integer((json_int_t)f->sum.n_removed));
	return o;
}

static json_t *report_json(const struct intel_import_report *r, int skip_bad)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < r->n_files; i++)
		json_array_append_new(arr, file_json(&r->files[i]));
	return json_pack("{so sI sI sI sb}", "files", arr, "sources_imported", (json_int_t)r->n_imported,
			 "not_imported", (json_int_t)(r->n_files - r->n_imported), "bad", (json_int_t)r->total_bad,
			 "skip_bad", skip_bad);
}

/* "12 in special-purpose blocks (private-use 3, loopback 1): kept for blocking, not hunted". */
static void print_special(const struct intel_import_file *f)
{
	size_t shown = 0;

	if (!f->n_special)
		return;
	printf(_("    %zu in special-purpose address blocks ("), f->n_special);
	for (size_t i = 0; i < special_range_count(); i++) {
		const struct special_range *r = special_range_at(i);
		size_t n = 0;
		int seen = 0;
		for (size_t k = 0; k < i; k++)
			seen |= strcmp(special_range_at(k)->name, r->name) == 0;
		if (seen)
			continue;
		for (size_t k = i; k < special_range_count(); k++)
			if (strcmp(special_range_at(k)->name, r->name) == 0)
				n += f->special_by[k];
		if (n)
			printf("%s%s %zu", shown++ ? ", " : "", r->name, n);
	}
	if (f->hunt_special)
		printf(_("): hunted (source set to --hunt-special)\n"));
	else
		printf(_("): kept and exported for blocking, not hunted by default "
			 "(documentation blocks excepted; --hunt-special hunts them)\n"));
}

static void print_file(const struct intel_import_file *f)
{
	const struct feed_counts *c = &f->counts;

	switch (f->status) {
	case INTEL_FILE_IMPORTED:
		printf(_("%s -> source '%s' (import %lld, %s): %zu entries = %zu imported + %zu bad + %zu skipped + "
			 "%zu comments/blank\n"),
		       cg_esc(f->path), cg_esc(f->source), (long long)f->sum.import_id, feed_format_name(c->format), c->entries,
		       c->imported, c->bad, c->skipped, c->comments);
		printf(_("    %zu unique indicators ("), f->sum.n_unique);
		for (int t = 1, first = 1; t < IOC_TYPE_COUNT; t++)
			if (f->sum.by_type[t]) {
				printf("%s%s %zu", first ? "" : ", ", ioc_type_name((enum ioc_type)t), f->sum.by_type[t]);
				first = 0;
			}
		printf(_("), %zu duplicate record(s); "), f->sum.n_duplicates);
		if (f->sum.prev_import_id)
			printf(_("against the previous import: %zu added, %zu removed\n"), f->sum.n_added,
			       f->sum.n_removed);
		else
			printf(_("new source: %zu added\n"), f->sum.n_added);
		break;
	case INTEL_FILE_BAD:
		printf(ngettext("%s -> source '%s': %zu bad entry, nothing imported (--skip-bad imports the good ones)\n",
				"%s -> source '%s': %zu bad entries, nothing imported (--skip-bad imports the good ones)\n",
				c->bad),
		       cg_esc(f->path), cg_esc(f->source), c->bad);
		break;
	case INTEL_FILE_EMPTY:
		printf(_("%s -> source '%s': no indicators found, source left unchanged\n"), cg_esc(f->path),
		       cg_esc(f->source));
		break;
	default:
		printf(_("%s -> source '%s': not imported: %s\n"), cg_esc(f->path), cg_esc(f->source),
		       f->error ? cg_esc(f->error) : "?");
		return;
	}
	for (size_t k = 0; k < f->n_skip_kept && k < 5; k++)
		printf(_("    skipped line %zu: %s\n"), f->skip[k].line, cg_esc(f->skip[k].reason));
	if (c->skipped > 5)
		printf(_("    ... and %zu more skipped\n"), c->skipped - 5);
	print_special(f);
}

static int do_import(struct cli_ctx *ctx, const struct intel_import_opts *o, char **paths, size_t n_paths)
{
	struct import_cli c = {.cli = ctx};
	struct intel_import_events ev = {.bad = on_bad, .progress = on_progress, .ctx = &c};
	struct intel_import_report *r = NULL;
	struct cg_db *db = NULL;
	enum cg_err rc;
	int reported;

	if (cli_open_db(ctx, &db))
		return CLI_FAIL;
	cli_progress_init(&c.progress, ctx);
	cg_err_clear();
	rc = intel_import_run(db, (const char *const *)paths, n_paths, o, &ev, &r);
	cli_progress_done(&c.progress);
	cg_db_close(db);
	if (c.n_bad > BAD_PRINT_MAX)
		fprintf(stderr, _("... and %zu more bad entries\n"), c.n_bad - BAD_PRINT_MAX);
	/* A storage failure: its message says it all; files imported before it
	 * are named so nobody imports them twice by mistake. */
	if (rc && rc != CG_EPARSE && r) {
		for (size_t i = 0; i < r->n_files; i++)
			if (r->files[i].status == INTEL_FILE_IMPORTED)
				fprintf(stderr, _("%s: imported into '%s' before the failure\n"), r->files[i].path,
					r->files[i].source);
		intel_import_report_free(r);
		r = NULL;
	}
	reported = r != NULL;
	if (r) {
		if (ctx->json) {
			cli_json_pretty(report_json(r, o->skip_bad));
		} else {
			for (size_t i = 0; i < r->n_files; i++)
				print_file(&r->files[i]);
			if (r->n_files > 1)
				printf(_("%zu of %zu file(s) imported, each into its own source.\n"), r->n_imported,
				       r->n_files);
		}
		for (size_t i = 0; i < r->n_files; i++) {
			const struct intel_import_file *f = &r->files[i];
			if (f->status == INTEL_FILE_BAD)
				cli_error(ngettext("%zu bad entry: nothing imported into '%s' (use --skip-bad to import "
						   "the good ones)",
						   "%zu bad entries: nothing imported into '%s' (use --skip-bad to import "
						   "the good ones)",
						   f->counts.bad),
					  f->counts.bad, cg_esc(f->source));
			else if (f->status == INTEL_FILE_EMPTY)
				cli_error(_("no indicators found: source '%s' left unchanged"), cg_esc(f->source));
			else if (f->status == INTEL_FILE_UNREADABLE)
				cli_error("%s", cg_esc(f->error ? f->error : f->path));
		}
	}
	intel_import_report_free(r);
	if (rc == CG_EPARSE && reported)
		return CLI_FAIL; /* each file's problem was said above */
	return rc ? cli_fail(rc) : CLI_OK;
}

enum { OPT_FAMILY = CLI_OPT_FIRST_FREE, OPT_SKIP_BAD, OPT_APPEND, OPT_HUNT_SPECIAL, OPT_NO_HUNT_SPECIAL };

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
		{"hunt-special", no_argument, NULL, OPT_HUNT_SPECIAL},
		{"no-hunt-special", no_argument, NULL, OPT_NO_HUNT_SPECIAL},
		{NULL, 0, NULL, 0},
	};
	struct intel_import_opts o = {.format = FEED_AUTO, .hunt_special = -1};
	int c;

	while ((c = getopt_long(argc, argv, "hs:f:m:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return CLI_OK;
		case 's': o.source = optarg; break;
		case 'f':
			o.format = feed_format_from_name(optarg);
			if (o.format == FEED_AUTO && strcmp(optarg, "auto") != 0) {
				cli_error(_("unknown format '%s'"), optarg);
				return cli_usage_hint("intel");
			}
			break;
		case 'm': o.feed.csv_map = optarg; break;
		case OPT_FAMILY: o.feed.default_family = optarg; break;
		case OPT_SKIP_BAD: o.skip_bad = 1; break;
		case OPT_APPEND: o.append = 1; break;
		case OPT_HUNT_SPECIAL: o.hunt_special = 1; break;
		case OPT_NO_HUNT_SPECIAL: o.hunt_special = 0; break;
		default:
			if (!cli_common_opt(ctx, c, optarg))
				return cli_usage_hint("intel");
		}
	}
	if (optind >= argc) {
		cli_error(_("intel import: no file given"));
		return cli_usage_hint("intel");
	}
	cg_err_clear();
	if (intel_import_check((const char *const *)argv + optind, (size_t)(argc - optind), o.source)) {
		cli_error(_("intel import: %s"), cg_err_msg(CG_EINVAL));
		return cli_usage_hint("intel");
	}
	return do_import(ctx, &o, argv + optind, (size_t)(argc - optind));
}

/* ---- list ---- */

static enum cg_err list_source_cb(void *vctx, const struct store_intel_source_info *s)
{
	json_t *arr = vctx;
	char when[32] = "-";

	if (s->imported_at)
		cg_time_iso(s->imported_at, when, sizeof when);
	if (arr) {
		json_array_append_new(arr, json_pack("{ss sI so ss ss ss sI sb}", "name", s->name, "indicators",
						     (json_int_t)s->n_indicators, "by_type", by_type_json(s->by_type),
						     "imported_at", when, "files", s->files, "format", s->format,
						     "imports", (json_int_t)s->n_imports, "hunt_special", s->hunt_special));
		return CG_OK;
	}
	printf("%-24s %10zu  %-20s  %s  ", cg_esc(s->name), s->n_indicators, when, cg_esc(s->files));
	for (int t = 1, first = 1; t < IOC_TYPE_COUNT; t++)
		if (s->by_type[t]) {
			printf("%s%s %zu", first ? "(" : ", ", ioc_type_name((enum ioc_type)t), s->by_type[t]);
			first = 0;
		}
	printf(s->n_indicators ? ")" : "");
	if (s->hunt_special)
		printf(_(" [hunt-special]"));
	putchar('\n');
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
