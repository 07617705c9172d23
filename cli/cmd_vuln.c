/* canhgac vuln — advisories, scans, findings, reports, the watchlist. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cg_file.h"
#include "cg_time.h"
#include "cg_esc.h"
#include "cli.h"
#include "nvd_fetch.h"
#include "store_vuln.h"

static void usage(FILE *f)
{
	fprintf(f, _("Usage: canhgac vuln COMMAND [OPTIONS]\n"
		     "Advisories (NVD, OSV, CISA KEV, EPSS), vulnerability scans of host inventories, findings.\n\n"
		     "Commands:\n"
		     "  import FILE|DIR...   import advisories (format detected; --format to force)\n"
		     "  import --bundled     import the bundled vendor advisories and watchlist\n"
		     "  fetch                download changed CVEs from the NVD API (incremental)\n"
		     "  scan                 match inventories; new findings open, vanished ones fixed\n"
		     "  list                 findings ranked: watchlist, then KEV, then CVSS/EPSS\n"
		     "  report               per information system: counts and open findings\n"
		     "  accept ID --reason R accept a finding's risk, with a reason\n"
		     "  reopen ID            reopen an accepted finding\n"
		     "  watch list|add CVE|remove CVE|remove rule:N|import FILE\n"
		     "                       the authority's watchlist (CVEs and rules)\n\n"
		     "Options:\n"
		     "  -f, --format F        advisory format: auto, nvd, osv, kev, epss\n"
		     "      --bundled         (import) the advisories and watchlist shipped with canhgac\n"
		     "  -s, --system S        (scan, list, report) only hosts of information system S\n"
		     "  -H, --host H          (scan, list) only host H\n"
		     "      --state S         (list) open, fixed, accepted or all (default: open)\n"
		     "      --vuln ID         (list) only this CVE\n"
		     "  -n, --limit N         (list) at most N findings\n"
		     "      --reason R        (accept) why the risk is accepted\n"
		     "      --ref R           (watch add) reference of the warning letter\n"
		     "      --date D          (watch add) date of the letter, YYYY-MM-DD\n"
		     "      --title T         (watch add) what the warning is about\n"
		     "      --url URL         (fetch) API base URL\n"
		     "      --api-key-file F  (fetch) file holding an NVD API key (or $NVD_API_KEY)\n"
		     "      --since DATE      (fetch) records modified since DATE (YYYY-MM-DD)\n"
		     "      --delay MS        (fetch) pause between requests (default: the API's rule)\n"
		     "      --max-pages N     (fetch) stop after N pages\n"
		     "      --db PATH         database file\n"
		     "      --json            machine-readable output (JSON Lines for lists)\n"
		     "      --quiet           no progress display\n"
		     "  -h, --help            show this help\n"));
}

enum {
	OPT_BUNDLED = CLI_OPT_FIRST_FREE, OPT_STATE, OPT_VULN, OPT_REASON, OPT_REF, OPT_DATE, OPT_TITLE, OPT_URL,
	OPT_KEYFILE, OPT_SINCE, OPT_DELAY, OPT_MAXPAGES,
};

struct vopts {
	enum adv_format format;
	int bundled;
	const char *system, *host, *state, *vuln, *reason, *ref, *date, *title, *url, *keyfile, *since;
	long limit, delay, max_pages;
};

/* ---------------------------------------------------------------- import */

static int import_file(struct cli_ctx *ctx, struct cg_db *db, const struct vopts *o, const char *path, size_t *total)
{
	char *buf;
	size_t len;
	struct adv_import_stats st;
	enum cg_err rc;

	cg_err_clear();
	if ((rc = cg_file_read(path, CG_FILE_DEFAULT_CAP, &buf, &len)))
		return cli_fail(rc);
	rc = store_adv_import(db, o->format, path, buf, len, &st);
	free(buf);
	if (rc)
		return cli_fail(rc);
	*total += st.records;
	if (ctx->json)
		cli_json_line(json_pack("{s:s,s:s,s:I,s:I,s:I,s:I}", "file", path, "format", adv_format_name(st.format),
					"records", (json_int_t)st.records, "changed", (json_int_t)st.changed,
					"unchanged", (json_int_t)st.unchanged, "ranges", (json_int_t)st.ranges));
	else if (!ctx->quiet || ctx->out_tty)
		printf(_("%s: %s, %zu records (%zu new or changed, %zu unchanged)\n"), path,
		       adv_format_name(st.format), st.records, st.changed, st.unchanged);
	return CLI_OK;
}

static int is_json_name(const char *n)
{
	size_t l = strlen(n);
	return (l > 5 && strcmp(n + l - 5, ".json") == 0) || (l > 8 && strcmp(n + l - 8, ".json.gz") == 0) ||
	       (l > 4 && strcmp(n + l - 4, ".csv") == 0) || (l > 7 && strcmp(n + l - 7, ".csv.gz") == 0);
}

/* A directory is an unpacked OSV ecosystem export: every *.json in it. */
static int import_path(struct cli_ctx *ctx, struct cg_db *db, const struct vopts *o, const char *path, size_t *total)
{
	struct stat sb;
	struct dirent **ents;
	int n, ret = CLI_OK;

	if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return import_file(ctx, db, o, path, total);
	n = scandir(path, &ents, NULL, alphasort);
	if (n < 0) {
		cli_error(_("%s: cannot read the directory"), path);
		return CLI_FAIL;
	}
	for (int i = 0; i < n; i++) {
		char p[4096];
		if (ret == CLI_OK && ents[i]->d_name[0] != '.' && is_json_name(ents[i]->d_name)) {
			snprintf(p, sizeof p, "%s/%s", path, ents[i]->d_name);
			ret = import_file(ctx, db, o, p, total);
		}
		free(ents[i]);
	}
	free(ents);
	return ret;
}

static int do_import(struct cli_ctx *ctx, struct cg_db *db, const struct vopts *o, int argc, char **argv)
{
	size_t total = 0;
	int ret;

	if (o->bundled) {
		struct adv_import_stats st;
		size_t nw = 0;
		enum cg_err rc = store_adv_import_bundled(db, &st, &nw);
		if (rc)
			return cli_fail(rc);
		if (ctx->json)
			cli_json_line(json_pack("{s:s,s:I,s:I}", "bundled", "vendor-advisories+watchlist", "advisories",
						(json_int_t)st.records, "watchlist", (json_int_t)nw));
		else
			printf(_("bundled: %zu vendor advisories, %zu watchlist entries\n"), st.records, nw);
		if (argc == 0)
			return CLI_OK;
	} else if (argc == 0) {
		cli_error(_("'vuln import' needs FILE or --bundled"));
		return cli_usage_hint("vuln");
	}
	for (int i = 0; i < argc; i++)
		if ((ret = import_path(ctx, db, o, argv[i], &total)))
			return ret;
	return CLI_OK;
}

/* ---------------------------------------------------------------- fetch */

static void fetch_progress(void *vctx, long done, long total)
{
	struct cli_progress *p = vctx;
	cli_progress_update(p, _("NVD"), (uint64_t)(done > 0 ? done : 0), (uint64_t)(total > 0 ? total : 0));
}

/* "YYYY-MM-DD", 00:00 UTC (NVD's lastModStartDate is UTC). */
static int parse_date(const char *s, int64_t *out)
{
	struct cg_time_ctx tc = {0, 0};
	struct cg_stamp st;
	size_t n = strlen(s);
	if (cg_time_parse(s, n, CG_TIME_ISO_LOOSE, &tc, &st) != n || !st.date_only)
		return -1;
	*out = cg_time_us_to_s(st.us);
	return 0;
}

static int do_fetch(struct cli_ctx *ctx, struct cg_db *db, const struct vopts *o)
{
	struct nvd_fetch_opts fo = {.url = o->url, .since = -1, .delay_ms = o->delay, .max_pages = o->max_pages};
	struct nvd_fetch_stats st;
	struct cli_progress p;
	char key[512] = "";
	enum cg_err rc;

	if (o->since && parse_date(o->since, &fo.since)) {
		cli_error(_("--since '%s': expected YYYY-MM-DD"), o->since);
		return cli_usage_hint("vuln");
	}
	if (o->keyfile) {
		char *buf;
		size_t len;
		if ((rc = cg_file_read(o->keyfile, 4096, &buf, &len)))
			return cli_fail(rc);
		snprintf(key, sizeof key, "%.*s", (int)strcspn(buf, "\r\n"), buf);
		free(buf);
	} else if (getenv("NVD_API_KEY")) {
		snprintf(key, sizeof key, "%s", getenv("NVD_API_KEY"));
	}
	if (strpbrk(key, "\r\n")) {
		cli_error(_("the API key contains a line break"));
		return CLI_FAIL;
	}
	fo.api_key = *key ? key : NULL;
	cli_progress_init(&p, ctx);
	fo.progress = fetch_progress;
	fo.progress_ctx = &p;
	rc = nvd_fetch(db, &fo, &st);
	cli_progress_done(&p);
	if (rc)
		return cli_fail(rc);
	if (ctx->json)
		cli_json_line(json_pack("{s:I,s:I,s:I,s:I}", "pages", (json_int_t)st.pages, "records",
					(json_int_t)st.records, "changed", (json_int_t)st.changed, "retries",
					(json_int_t)st.retries));
	else
		printf(_("NVD: %ld pages, %ld records (%ld new or changed), %ld retries\n"), st.pages, st.records,
		       st.changed, st.retries);
	return CLI_OK;
}

/* ---------------------------------------------------------------- scan */

/* A dpkg/rpm host without its release got every release's advisories. */
static enum cg_err warn_no_distro(void *ctx, const char *host, const char *releases)
{
	(void)ctx;
	cli_error(_("warning: host '%s' has no distribution release (give it with 'inventory import --distro "
		    "Debian:12'): its packages were matched against the advisories of every release (%s)"),
		  cg_esc(host), *releases ? releases : _("none stored"));
	return CG_OK;
}

static int do_scan(struct cli_ctx *ctx, struct cg_db *db, const struct vopts *o)
{
	struct vuln_matcher *m = NULL;
	struct scan_stats st;
	char loaded[32];
	enum cg_err rc;

	/* The bundled vendor advisories and watchlist are loaded on first use. */
	if ((rc = store_vuln_meta_get(db, "bundled.loaded", loaded, sizeof loaded)))
		return cli_fail(rc);
	if (!*loaded) {
		struct adv_import_stats as;
		size_t nw;
		if ((rc = store_adv_import_bundled(db, &as, &nw)) || (rc = store_vuln_meta_set(db, "bundled.loaded", "1")))
			return cli_fail(rc);
	}
	if ((rc = store_vuln_matcher(db, &m)))
		return cli_fail(rc);
	rc = store_vuln_scan(db, m, o->system, o->host, &st);
	vuln_matcher_free(m);
	if (rc)
		return cli_fail(rc);
	if ((rc = store_vuln_no_distro(db, o->system, o->host, warn_no_distro, NULL)))
		return cli_fail(rc);
	if (ctx->json)
		cli_json_line(json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "scan", (json_int_t)st.scan_id, "hosts",
					(json_int_t)st.hosts, "items", (json_int_t)st.items, "findings",
					(json_int_t)st.open, "new", (json_int_t)st.found_new, "fixed",
					(json_int_t)st.fixed, "reopened", (json_int_t)st.reopened));
	else
		printf(_("scan %lld: %zu hosts, %zu packages, %zu findings (%zu new, %zu reopened), %zu fixed since last scan\n"),
		       (long long)st.scan_id, st.hosts, st.items, st.open, st.found_new, st.reopened, st.fixed);
	return CLI_OK;
}

/* ---------------------------------------------------------------- list */

static json_t *finding_json(const struct finding *f, size_t rank)
{
	json_t *o = json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "rank", (json_int_t)rank, "id",
			      (json_int_t)f->id, "host", f->host, "system", f->system, "kind", f->kind, "package",
			      f->package, "installed", f->installed, "vuln", f->vuln_id, "state", f->state, "source",
			      f->source, "ref", f->ref, "summary", f->summary);
	if (!o)
		return NULL;
	json_object_set_new(o, "fixed_version", *f->fixed ? json_string(f->fixed) : json_null());
	json_object_set_new(o, "cvss", f->cvss >= 0 ? json_real(f->cvss) : json_null());
	json_object_set_new(o, "severity", *f->severity ? json_string(f->severity) : json_null());
	json_object_set_new(o, "epss", f->epss >= 0 ? json_real(f->epss) : json_null());
	json_object_set_new(o, "kev_added", *f->kev_added ? json_string(f->kev_added) : json_null());
	json_object_set_new(o, "kev_due", *f->kev_due ? json_string(f->kev_due) : json_null());
	json_object_set_new(o, "watchlist_ref", *f->watch_ref ? json_string(f->watch_ref) : json_null());
	json_object_set_new(o, "watchlist_date", *f->watch_date ? json_string(f->watch_date) : json_null());
	json_object_set_new(o, "reason", *f->reason ? json_string(f->reason) : json_null());
	json_object_set_new(o, "level", f->level ? json_integer(f->level) : json_null());
	json_object_set_new(o, "watchlist_rule", f->watch_rule ? json_integer(f->watch_rule) : json_null());
	json_object_set_new(o, "note", *f->note ? json_string(f->note) : json_null());
	return o;
}

struct list_ctx {
	const struct cli_ctx *cli;
	size_t n;
};

static enum cg_err print_finding(void *vctx, const struct finding *f)
{
	struct list_ctx *c = vctx;
	char cvss[16] = "-";

	c->n++;
	if (c->cli->json) {
		cli_json_line(finding_json(f, c->n));
		return CG_OK;
	}
	if (c->n == 1) {
		cli_put_col(_("#"), 4);
		cli_put_col(_("ID"), 6);
		cli_put_col(_("HOST"), 22);
		cli_put_col(_("VULN"), 16);
		cli_put_col(_("PACKAGE"), 24);
		cli_put_col(_("INSTALLED"), 22);
		cli_put_col(_("FIXED"), 22);
		cli_put_col(_("CVSS"), 5);
		cli_put_col(_("KEV"), 10);
		cli_put_col(_("STATE"), 8);
		printf("%s\n", _("WATCHLIST"));
	}
	if (f->cvss >= 0)
		snprintf(cvss, sizeof cvss, "%.1f", f->cvss);
	printf("%-4zu %-6lld %-22s %-16s %-24s %-22s %-22s %-5s %-10s %-8s %s\n", c->n, (long long)f->id, f->host,
	       f->vuln_id, f->package, f->installed, *f->fixed ? f->fixed : "-", cvss,
	       *f->kev_added ? f->kev_added : "-", f->state, *f->watch_ref ? f->watch_ref : "");
	if (*f->note)
		printf("     %s\n", _(f->note));
	return CG_OK;
}

static int do_list(struct cli_ctx *ctx, struct cg_db *db, const struct vopts *o)
{
	struct finding_filter flt = {.system = o->system, .host = o->host, .vuln_id = o->vuln, .limit = o->limit};
	struct list_ctx c = {.cli = ctx};
	enum cg_err rc;

	flt.state = !o->state ? "open" : strcmp(o->state, "all") == 0 ? NULL : o->state;
	rc = store_finding_foreach(db, &flt, print_finding, &c);
	if (rc)
		return cli_fail(rc);
	if (!ctx->json && c.n == 0)
		printf(_("no findings\n"));
	return CLI_OK;
}

/* ---------------------------------------------------------------- report */

struct sys_stat {
	char name[256];
	int level;
	size_t open, accepted, fixed, watch, kev, hosts_seen;
	json_t *items;
};

struct report_ctx {
	const struct cli_ctx *cli;
	struct sys_stat *v;
	size_t n, alloc;
};

static struct sys_stat *sys_of(struct report_ctx *r, const char *name, int level)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].name, name) == 0)
			return &r->v[i];
	if (r->n == r->alloc) {
		size_t na = r->alloc ? r->alloc * 2 : 8;
		struct sys_stat *p = realloc(r->v, na * sizeof *p);
		if (!p)
			return NULL;
		r->v = p;
		r->alloc = na;
	}
	struct sys_stat *s = &r->v[r->n++];
	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", name);
	s->level = level;
	s->items = json_array();
	return s;
}

static enum cg_err report_row(void *vctx, const struct finding *f)
{
	struct report_ctx *r = vctx;
	struct sys_stat *s = sys_of(r, f->system, f->level);

	if (!s)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if (strcmp(f->state, "fixed") == 0) {
		s->fixed++;
		return CG_OK;
	}
	if (strcmp(f->state, "accepted") == 0)
		s->accepted++;
	else
		s->open++;
	if (*f->watch_ref)
		s->watch++;
	if (*f->kev_added)
		s->kev++;
	json_array_append_new(s->items, finding_json(f, json_array_size(s->items) + 1));
	return CG_OK;
}

static int do_report(struct cli_ctx *ctx, struct cg_db *db, const struct vopts *o)
{
	struct finding_filter flt = {.system = o->system};
	struct report_ctx r = {.cli = ctx};
	enum cg_err rc = store_finding_foreach(db, &flt, report_row, &r);

	for (size_t i = 0; i < r.n; i++) {
		struct sys_stat *s = &r.v[i];
		if (!rc && ctx->json) {
			cli_json_line(json_pack("{s:s,s:o,s:I,s:I,s:I,s:I,s:I,s:O}", "system", s->name,
						"level", s->level ? json_integer(s->level) : json_null(), "open",
						(json_int_t)s->open, "accepted", (json_int_t)s->accepted, "fixed",
						(json_int_t)s->fixed, "watchlist", (json_int_t)s->watch, "kev",
						(json_int_t)s->kev, "findings", s->items));
		} else if (!rc) {
			printf(_("== %s (level %d): %zu open, %zu accepted, %zu fixed; %zu on the watchlist, %zu known exploited\n"),
			       *s->name ? s->name : _("(no system)"), s->level, s->open, s->accepted, s->fixed, s->watch,
			       s->kev);
			size_t k;
			json_t *it;
			json_array_foreach(s->items, k, it) {
				json_t *cv = json_object_get(it, "cvss"), *fx = json_object_get(it, "fixed_version");
				char cvs[16] = "-";
				if (json_is_real(cv))
					snprintf(cvs, sizeof cvs, "%.1f", json_real_value(cv));
				json_t *nt = json_object_get(it, "note");
				printf("  %2zu. %-16s %-22s %-22s %-20s -> %-20s CVSS %-4s %s%s%s%s%s\n", k + 1,
				       json_string_value(json_object_get(it, "vuln")),
				       json_string_value(json_object_get(it, "host")),
				       json_string_value(json_object_get(it, "package")),
				       json_string_value(json_object_get(it, "installed")),
				       json_is_string(fx) ? json_string_value(fx) : "?", cvs,
				       json_is_string(json_object_get(it, "watchlist_ref")) ? _("[watchlist] ") : "",
				       json_is_string(json_object_get(it, "kev_added")) ? _("[KEV] ") : "",
				       strcmp(json_string_value(json_object_get(it, "state")), "accepted") == 0
					       ? _("[accepted]") : "",
				       json_is_string(nt) ? " — " : "", json_is_string(nt) ? json_string_value(nt) : "");
			}
		}
		json_decref(s->items);
	}
	free(r.v);
	if (rc)
		return cli_fail(rc);
	if (!ctx->json && r.n == 0)
		printf(_("no findings; run 'canhgac vuln scan' first\n"));
	return CLI_OK;
}

/* ---------------------------------------------------------------- watch */

static enum cg_err print_watch(void *vctx, const struct watch_entry *e, const char *origin)
{
	const struct cli_ctx *c = vctx;
	if (c->json)
		cli_json_line(json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "cve", e->cve, "reference", e->reference, "date",
					e->date, "title", e->title, "note", e->note, "origin", origin));
	else
		printf("%-16s %-10s %-40s %s\n", e->cve, e->date, e->reference, e->title);
	return CG_OK;
}

static enum cg_err print_watch_rule(void *vctx, const struct watch_rule *r, const char *origin)
{
	const struct cli_ctx *c = vctx;
	char what[160];

	if (c->json) {
		cli_json_line(json_pack("{s:I,s:{s:s,s:s,s:s,s:f},s:s,s:s,s:s,s:s,s:s}", "rule", (json_int_t)r->id,
					"match", "vendor", r->vendor, "published_from", r->published_from,
					"published_to", r->published_to, "cvss_min", r->cvss_min, "reference",
					r->reference, "date", r->date, "title", r->title, "note", r->note, "origin",
					origin));
		return CG_OK;
	}
	snprintf(what, sizeof what, _("rule:%lld %s, published %s..%s, CVSS >= %.1f"), (long long)r->id, r->vendor,
		 r->published_from, r->published_to, r->cvss_min);
	printf("%-16s %-10s %-40s %s\n", what, r->date, r->reference, r->title);
	return CG_OK;
}

static int do_watch(struct cli_ctx *ctx, struct cg_db *db, const struct vopts *o, int argc, char **argv)
{
	enum cg_err rc;

	if (argc < 1 || strcmp(argv[0], "list") == 0) {
		rc = store_watch_foreach(db, print_watch, ctx);
		if (!rc)
			rc = store_watch_rule_foreach(db, print_watch_rule, ctx);
	} else if (strcmp(argv[0], "remove") == 0 && argc == 2 && strncmp(argv[1], "rule:", 5) == 0) {
		long id;
		if (cli_parse_long(argv[1] + 5, 1, 0x7fffffffL, &id)) {
			cli_error(_("'%s' is not a rule id (rule:N, see 'vuln watch list')"), argv[1]);
			return CLI_USAGE;
		}
		rc = store_watch_rule_remove(db, id);
	} else if (strcmp(argv[0], "add") == 0 && argc == 2) {
		struct watch_entry e = {.cve = argv[1], .reference = o->ref, .date = o->date,
					.title = o->title ? o->title : "", .note = ""};
		char line[2048];
		/* The same checks as a file entry: go through the parser. */
		snprintf(line, sizeof line, "cve,reference,date,title\n%s,\"%s\",%s,\"%s\"\n", e.cve,
			 e.reference ? e.reference : "", e.date ? e.date : "", e.title);
		if (strchr(e.reference ? e.reference : "", '"') || strchr(e.title, '"')) {
			cli_error(_("--ref and --title must not contain '\"'"));
			return CLI_USAGE;
		}
		rc = store_watch_import(db, _("command line"), line, strlen(line), "user", NULL);
	} else if (strcmp(argv[0], "remove") == 0 && argc == 2) {
		rc = store_watch_remove(db, argv[1]);
	} else if (strcmp(argv[0], "import") == 0 && argc == 2) {
		char *buf;
		size_t len, n = 0;
		if ((rc = cg_file_read(argv[1], CG_FILE_DEFAULT_CAP, &buf, &len)))
			return cli_fail(rc);
		rc = store_watch_import(db, argv[1], buf, len, "user", &n);
		free(buf);
		if (!rc && !ctx->json)
			printf(_("%s: %zu watchlist entries\n"), argv[1], n);
	} else {
		cli_error(_("usage: vuln watch list | add CVE --ref R --date D [--title T] | remove CVE|rule:N | import FILE"));
		return cli_usage_hint("vuln");
	}
	return rc ? cli_fail(rc) : CLI_OK;
}

/* ---------------------------------------------------------------- main */

int cmd_vuln(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_LONGOPTS,
		{"format", required_argument, NULL, 'f'},
		{"bundled", no_argument, NULL, OPT_BUNDLED},
		{"system", required_argument, NULL, 's'},
		{"host", required_argument, NULL, 'H'},
		{"state", required_argument, NULL, OPT_STATE},
		{"vuln", required_argument, NULL, OPT_VULN},
		{"limit", required_argument, NULL, 'n'},
		{"reason", required_argument, NULL, OPT_REASON},
		{"ref", required_argument, NULL, OPT_REF},
		{"date", required_argument, NULL, OPT_DATE},
		{"title", required_argument, NULL, OPT_TITLE},
		{"url", required_argument, NULL, OPT_URL},
		{"api-key-file", required_argument, NULL, OPT_KEYFILE},
		{"since", required_argument, NULL, OPT_SINCE},
		{"delay", required_argument, NULL, OPT_DELAY},
		{"max-pages", required_argument, NULL, OPT_MAXPAGES},
		{NULL, 0, NULL, 0},
	};
	struct vopts o = {.delay = -1};
	struct cg_db *db = NULL;
	const char *sub;
	enum cg_err rc;
	int c, ret;

	while ((c = getopt_long(argc, argv, "hf:s:H:n:", opts, NULL)) != -1) {
		if (cli_common_opt(ctx, c, optarg))
			continue;
		switch (c) {
		case 'h': usage(stdout); return CLI_OK;
		case 'f':
			if ((rc = adv_format_parse(optarg, &o.format))) {
				cli_error("%s", cg_err_msg(rc));
				return cli_usage_hint("vuln");
			}
			break;
		case OPT_BUNDLED: o.bundled = 1; break;
		case 's': o.system = optarg; break;
		case 'H': o.host = optarg; break;
		case OPT_STATE:
			if (strcmp(optarg, "open") && strcmp(optarg, "fixed") && strcmp(optarg, "accepted") &&
			    strcmp(optarg, "all")) {
				cli_error(_("--state '%s': expected open, fixed, accepted or all"), optarg);
				return cli_usage_hint("vuln");
			}
			o.state = optarg;
			break;
		case OPT_VULN: o.vuln = optarg; break;
		case 'n':
			if (cli_parse_long(optarg, 1, 10000000, &o.limit)) {
				cli_error(_("--limit '%s': expected a number"), optarg);
				return cli_usage_hint("vuln");
			}
			break;
		case OPT_REASON: o.reason = optarg; break;
		case OPT_REF: o.ref = optarg; break;
		case OPT_DATE: o.date = optarg; break;
		case OPT_TITLE: o.title = optarg; break;
		case OPT_URL: o.url = optarg; break;
		case OPT_KEYFILE: o.keyfile = optarg; break;
		case OPT_SINCE: o.since = optarg; break;
		case OPT_DELAY:
			if (cli_parse_long(optarg, 0, 600000, &o.delay)) {
				cli_error(_("--delay '%s': expected milliseconds"), optarg);
				return cli_usage_hint("vuln");
			}
			break;
		case OPT_MAXPAGES:
			if (cli_parse_long(optarg, 1, 1000000, &o.max_pages)) {
				cli_error(_("--max-pages '%s': expected a number"), optarg);
				return cli_usage_hint("vuln");
			}
			break;
		default: return cli_usage_hint("vuln");
		}
	}
	if (optind >= argc) {
		cli_error(_("missing command (import, fetch, scan, list, report, accept, reopen, watch)"));
		return cli_usage_hint("vuln");
	}
	sub = argv[optind++];
	argc -= optind;
	argv += optind;
	if (strcmp(sub, "import") && strcmp(sub, "fetch") && strcmp(sub, "scan") && strcmp(sub, "list") &&
	    strcmp(sub, "report") && strcmp(sub, "accept") && strcmp(sub, "reopen") && strcmp(sub, "watch")) {
		cli_error(_("unknown command '%s'"), sub);
		return cli_usage_hint("vuln");
	}
	if ((!strcmp(sub, "accept") || !strcmp(sub, "reopen")) && argc != 1) {
		cli_error(_("'vuln %s' takes one finding ID"), sub);
		return cli_usage_hint("vuln");
	}
	if (!strcmp(sub, "accept") && !o.reason) {
		cli_error(_("'vuln accept' needs --reason"));
		return cli_usage_hint("vuln");
	}
	if ((ret = cli_open_db(ctx, &db)))
		return ret;
	cg_err_clear();
	if (!strcmp(sub, "import"))
		ret = do_import(ctx, db, &o, argc, argv);
	else if (!strcmp(sub, "fetch"))
		ret = do_fetch(ctx, db, &o);
	else if (!strcmp(sub, "scan"))
		ret = do_scan(ctx, db, &o);
	else if (!strcmp(sub, "list"))
		ret = do_list(ctx, db, &o);
	else if (!strcmp(sub, "report"))
		ret = do_report(ctx, db, &o);
	else if (!strcmp(sub, "watch"))
		ret = do_watch(ctx, db, &o, argc, argv);
	else {
		long id;
		if (cli_parse_long(argv[0], 1, 0x7fffffffL, &id)) {
			cli_error(_("'%s' is not a finding ID"), argv[0]);
			ret = CLI_USAGE;
		} else {
			rc = !strcmp(sub, "accept") ? store_finding_accept(db, id, o.reason) : store_finding_reopen(db, id);
			ret = rc ? cli_fail(rc) : CLI_OK;
			if (!rc && ctx->json)
				cli_json_line(json_pack("{s:I,s:s}", "id", (json_int_t)id, "state",
							!strcmp(sub, "accept") ? "accepted" : "open"));
			else if (!rc)
				printf(_("finding %ld: %s\n"), id, !strcmp(sub, "accept") ? _("accepted") : _("open"));
		}
	}
	cg_db_close(db);
	return ret;
}
