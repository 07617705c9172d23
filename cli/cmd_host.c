/* canhgac host — inventory hosts: add, import from CSV, list, show, remove. */
#include <stdlib.h>
#include <string.h>

#include "cg_file.h"
#include "cg_esc.h"
#include "cli.h"
#include "store_assets.h"

/* An inventory CSV far larger than this is a mistake, not an inventory. */
#define HOST_CSV_CAP ((size_t)256 << 20)

/* Print `s` left-aligned in `width` columns plus a space; counts UTF-8
 * characters, not bytes, so Vietnamese names line up. */
static void usage(FILE *f)
{
	fputs(_("Usage: canhgac host add NAME [--addr A]... [--system S] [--os OS] [--role R] [--location L]\n"
		"       canhgac host import FILE.csv [--skip-bad] [--create-systems]\n"
		"       canhgac host list [--system S]\n"
		"       canhgac host show NAME\n"
		"       canhgac host remove NAME\n"
		"Manage the inventory: hosts, their addresses and their information system.\n\n"
		"Options:\n"
		"  -a, --addr A           an IPv4 or IPv6 address (repeat, or separate with ';')\n"
		"  -s, --system S         the information system the host belongs to\n"
		"      --os OS            operating system\n"
		"      --role R           role (web server, mail server, workstation, ...)\n"
		"      --location L       where the host is\n"
		"      --skip-bad         import: import the good rows even when some rows are bad\n"
		"      --create-systems   import: create unknown systems (level 1) instead of refusing the row\n"
		"      --db PATH          database file\n"
		"      --json             machine-readable output\n"
		"      --quiet            no progress display\n"
		"  -h, --help             show this help\n"),
	      f);
}

enum { OPT_OS = CLI_OPT_FIRST_FREE, OPT_ROLE, OPT_LOCATION, OPT_SKIP_BAD, OPT_CREATE_SYSTEMS };

struct host_args {
	const char *addrs[HOST_ADDRS_MAX];
	size_t n_addrs;
	const char *system, *os, *role, *location;
	int skip_bad, create_systems;
};

static json_t *host_json(const struct asset_host *h)
{
	json_t *addrs = json_array();
	for (size_t i = 0; i < h->n_addrs; i++)
		json_array_append_new(addrs, json_string(h->addrs[i]));
	return json_pack("{s:I, s:s, s:o, s:s, s:i, s:s, s:s, s:s}", "id", (json_int_t)h->id, "name", h->name,
			 "addresses", addrs, "system", h->system, "level", h->level, "os", h->os, "role", h->role,
			 "location", h->location);
}

struct list_ctx {
	const struct cli_ctx *cli;
	json_t *arr;
};

static enum cg_err list_one(void *vctx, const struct asset_host *h)
{
	struct list_ctx *c = vctx;
	char addrs[512] = "";
	size_t o = 0;

	if (c->cli->json) {
		json_array_append_new(c->arr, host_json(h));
		return CG_OK;
	}
	for (size_t i = 0; i < h->n_addrs && o < sizeof addrs; i++) {
		int w = snprintf(addrs + o, sizeof addrs - o, "%s%s", i ? " " : "", h->addrs[i]);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	char level[8] = "-";
	if (h->level)
		snprintf(level, sizeof level, "%d", h->level);
	cli_put_col(h->name, 24);
	cli_put_col(level, 5);
	cli_put_col(*h->system ? h->system : "-", 30);
	printf("%s\n", addrs);
	return CG_OK;
}

static enum cg_err show_one(void *vctx, const struct asset_host *h)
{
	const struct cli_ctx *c = vctx;

	if (c->json) {
		cli_json_pretty(host_json(h));
		return CG_OK;
	}
	printf(_("Host:       %s\n"), cg_esc(h->name));
	printf(_("System:     %s\n"), *h->system ? cg_esc(h->system) : "-");
	if (h->level)
		printf(_("Level:      %d\n"), h->level);
	printf(_("Addresses: "));
	for (size_t i = 0; i < h->n_addrs; i++)
		printf(" %s", h->addrs[i]);
	printf("\n");
	printf(_("OS:         %s\n"), cg_esc(h->os));
	printf(_("Role:       %s\n"), cg_esc(h->role));
	printf(_("Location:   %s\n"), cg_esc(h->location));
	return CG_OK;
}

static int add(struct cli_ctx *ctx, struct cg_db *db, const char *name, const struct host_args *a)
{
	struct host_record *rec = malloc(sizeof *rec);
	enum cg_err rc;

	if (!rec)
		return cli_fail(cg_err_set(CG_ENOMEM, _("out of memory")));
	host_record_init(rec);
	if ((rc = host_record_set_name(rec, name, strlen(name))))
		goto fail;
	for (size_t i = 0; i < a->n_addrs; i++)
		if ((rc = host_record_add_addrs(rec, a->addrs[i], strlen(a->addrs[i]))))
			goto fail;
	if ((a->system && (rc = host_record_set_text(rec->system, a->system, strlen(a->system)))) ||
	    (a->os && (rc = host_record_set_text(rec->os, a->os, strlen(a->os)))) ||
	    (a->role && (rc = host_record_set_text(rec->role, a->role, strlen(a->role)))) ||
	    (a->location && (rc = host_record_set_text(rec->location, a->location, strlen(a->location)))))
		goto fail;
	if ((rc = store_host_put(db, rec, STORE_HOST_NEW, 0, NULL)))
		goto fail;
	if (ctx->json)
		rc = store_host_get(db, rec->name, show_one, ctx);
	else if (!ctx->quiet)
		printf(_("Added host '%s' (%zu addresses).\n"), rec->name, rec->n_addrs);
	free(rec);
	return rc ? cli_fail(rc) : CLI_OK;
fail:
	free(rec);
	return cli_fail(rc);
}

static void print_bad(void *ctx, const char *reason)
{
	(void)ctx;
	fprintf(stderr, "%s\n", cg_esc(reason));
}

static int import(struct cli_ctx *ctx, struct cg_db *db, const char *path, const struct host_args *a)
{
	struct host_import_opts opts = {.skip_bad = a->skip_bad, .create_systems = a->create_systems};
	struct host_import_stats st;
	char *buf = NULL;
	size_t len = 0;
	enum cg_err rc;

	if ((rc = cg_file_read(path, HOST_CSV_CAP, &buf, &len)))
		return cli_fail(rc);
	rc = store_host_import_csv(db, cg_file_basename(path), buf, len, &opts, print_bad, NULL, &st);
	free(buf);
	if (rc)
		return cli_fail(rc);
	if (ctx->json)
		cli_json_line(json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "file", path, "rows", (json_int_t)st.rows,
					"added", (json_int_t)st.added, "updated", (json_int_t)st.updated, "bad",
					(json_int_t)st.bad, "systems_created", (json_int_t)st.systems_created));
	else if (!ctx->quiet) {
		printf(_("%s: %zu rows: %zu hosts added, %zu updated, %zu bad rows skipped.\n"), cg_file_basename(path),
		       st.rows, st.added, st.updated, st.bad);
		if (st.systems_created)
			printf(_("%zu systems created at level 1; set their real level with 'canhgac system set NAME --level N'.\n"),
			       st.systems_created);
	}
	return CLI_OK;
}

static int parse_args(struct cli_ctx *ctx, int argc, char **argv, struct host_args *a)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{"addr", required_argument, NULL, 'a'},
		{"system", required_argument, NULL, 's'},
		{"os", required_argument, NULL, OPT_OS},
		{"role", required_argument, NULL, OPT_ROLE},
		{"location", required_argument, NULL, OPT_LOCATION},
		{"skip-bad", no_argument, NULL, OPT_SKIP_BAD},
		{"create-systems", no_argument, NULL, OPT_CREATE_SYSTEMS},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "ha:s:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return -1;
		case 'a':
			if (a->n_addrs == HOST_ADDRS_MAX) {
				cli_error(_("more than %d --addr options"), HOST_ADDRS_MAX);
				return CLI_USAGE;
			}
			a->addrs[a->n_addrs++] = optarg;
			break;
		case 's': a->system = optarg; break;
		case OPT_OS: a->os = optarg; break;
		case OPT_ROLE: a->role = optarg; break;
		case OPT_LOCATION: a->location = optarg; break;
		case OPT_SKIP_BAD: a->skip_bad = 1; break;
		case OPT_CREATE_SYSTEMS: a->create_systems = 1; break;
		default:
			if (cli_common_opt(ctx, c, optarg))
				break;
			return cli_usage_hint("host");
		}
	}
	return 0;
}

int cmd_host(struct cli_ctx *ctx, int argc, char **argv)
{
	struct host_args a = {0};
	struct cg_db *db = NULL;
	enum cg_err rc = CG_OK;
	const char *sub, *arg = NULL;
	int status;

	if ((status = parse_args(ctx, argc, argv, &a)))
		return status < 0 ? CLI_OK : status;
	if (optind >= argc) {
		usage(stderr);
		return CLI_USAGE;
	}
	sub = argv[optind];
	if (strcmp(sub, "add") && strcmp(sub, "import") && strcmp(sub, "list") && strcmp(sub, "show") &&
	    strcmp(sub, "remove")) {
		cli_error(_("unknown subcommand 'host %s'"), sub);
		return cli_usage_hint("host");
	}
	if (strcmp(sub, "list") == 0) {
		if (optind + 1 != argc) {
			cli_error(_("'host list' takes no arguments"));
			return cli_usage_hint("host");
		}
	} else if (optind + 2 != argc) {
		cli_error(_("'host %s' takes one argument"), sub);
		return cli_usage_hint("host");
	} else {
		arg = argv[optind + 1];
	}
	if (cli_open_db(ctx, &db))
		return CLI_FAIL;
	status = CLI_OK;
	if (strcmp(sub, "add") == 0) {
		status = add(ctx, db, arg, &a);
	} else if (strcmp(sub, "import") == 0) {
		status = import(ctx, db, arg, &a);
	} else if (strcmp(sub, "list") == 0) {
		struct list_ctx lc = {ctx, ctx->json ? json_array() : NULL};
		if (!ctx->json)
		{
			cli_put_col(_("HOST"), 24);
			cli_put_col(_("LEVEL"), 5);
			cli_put_col(_("SYSTEM"), 30);
			printf("%s\n", _("ADDRESSES"));
		}
		rc = store_host_foreach(db, a.system, list_one, &lc);
		if (!rc && ctx->json)
			cli_json_pretty(lc.arr);
		else
			json_decref(lc.arr);
	} else if (strcmp(sub, "show") == 0) {
		rc = store_host_get(db, arg, show_one, ctx);
	} else {
		rc = store_host_remove(db, arg);
		if (!rc && ctx->json)
			cli_json_line(json_pack("{s:s, s:s}", "host", arg, "action", "remove"));
		else if (!rc && !ctx->quiet)
			printf(_("Removed host '%s'.\n"), arg);
	}
	if (rc)
		status = cli_fail(rc);
	cg_db_close(db);
	return status;
}
