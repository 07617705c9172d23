/* canhgac system — information systems and their security levels. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "store_assets.h"

/* Print `s` left-aligned in `width` columns plus a space; counts UTF-8
 * characters, not bytes, so Vietnamese names line up. */
static void usage(FILE *f)
{
	fputs(_("Usage: canhgac system add NAME --level N [--owner O] [--description D]\n"
		"       canhgac system set NAME [--level N] [--owner O] [--description D]\n"
		"       canhgac system list\n"
		"       canhgac system show NAME\n"
		"       canhgac system remove NAME\n"
		"Manage information systems and their security level (1-5, Decree 85/2016/ND-CP).\n\n"
		"Options:\n"
		"  -l, --level N          security level, 1 (lowest) to 5 (highest)\n"
		"  -o, --owner O          owning unit\n"
		"  -d, --description D    what the system does\n"
		"      --db PATH          database file\n"
		"      --json             machine-readable output\n"
		"      --quiet            no progress display\n"
		"  -h, --help             show this help\n"),
	      f);
}

static json_t *system_json(const struct asset_system *s)
{
	return json_pack("{s:I, s:s, s:i, s:s, s:s, s:I}", "id", (json_int_t)s->id, "name", s->name, "level", s->level,
			 "owner", s->owner, "description", s->description, "hosts", (json_int_t)s->n_hosts);
}

struct list_ctx {
	const struct cli_ctx *cli;
	json_t *arr;
};

static enum cg_err list_one(void *ctx, const struct asset_system *s)
{
	struct list_ctx *c = ctx;

	if (c->cli->json)
		json_array_append_new(c->arr, system_json(s));
	else
	{
		printf("%-5d %-6lld ", s->level, (long long)s->n_hosts);
		cli_put_col(s->name, 32);
		printf("%s\n", s->owner);
	}
	return CG_OK;
}

static enum cg_err collect_system(void *ctx, const struct asset_system *s)
{
	*(json_t **)ctx = system_json(s);
	return CG_OK;
}

static json_t *host_brief_json(const struct asset_host *h)
{
	json_t *addrs = json_array();
	for (size_t i = 0; i < h->n_addrs; i++)
		json_array_append_new(addrs, json_string(h->addrs[i]));
	return json_pack("{s:s, s:o, s:s, s:s, s:s}", "name", h->name, "addresses", addrs, "os", h->os, "role", h->role,
			 "location", h->location);
}

static enum cg_err collect_host(void *ctx, const struct asset_host *h)
{
	json_array_append_new(ctx, host_brief_json(h));
	return CG_OK;
}

static int show(struct cli_ctx *ctx, struct cg_db *db, const char *name)
{
	json_t *sys = NULL, *hosts = json_array();
	enum cg_err rc;

	if ((rc = store_system_get(db, name, collect_system, &sys)) ||
	    (rc = store_host_foreach(db, name, collect_host, hosts))) {
		json_decref(sys);
		json_decref(hosts);
		return cli_fail(rc);
	}
	if (ctx->json) {
		json_object_set_new(sys, "host_list", hosts);
		cli_json_pretty(sys);
		return CLI_OK;
	}
	printf(_("System:       %s\n"), json_string_value(json_object_get(sys, "name")));
	printf(_("Level:        %lld\n"), (long long)json_integer_value(json_object_get(sys, "level")));
	printf(_("Owner:        %s\n"), json_string_value(json_object_get(sys, "owner")));
	printf(_("Description:  %s\n"), json_string_value(json_object_get(sys, "description")));
	printf(_("Hosts:        %zu\n"), json_array_size(hosts));
	size_t i;
	json_t *h;
	json_array_foreach(hosts, i, h)
	{
		json_t *a;
		size_t k;
		printf("  %-32s", json_string_value(json_object_get(h, "name")));
		json_array_foreach(json_object_get(h, "addresses"), k, a) printf(" %s", json_string_value(a));
		printf("\n");
	}
	json_decref(sys);
	json_decref(hosts);
	return CLI_OK;
}

int cmd_system(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{"level", required_argument, NULL, 'l'},
		{"owner", required_argument, NULL, 'o'},
		{"description", required_argument, NULL, 'd'},
		{NULL, 0, NULL, 0},
	};
	const char *owner = NULL, *description = NULL, *sub, *name = NULL;
	long level = 0;
	struct cg_db *db = NULL;
	enum cg_err rc = CG_OK;
	int c, status = CLI_OK;

	while ((c = getopt_long(argc, argv, "hl:o:d:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return CLI_OK;
		case 'l':
			if (cli_parse_long(optarg, 1, 5, &level) != 0) {
				cli_error(_("--level: '%s' is not a security level (1-5)"), optarg);
				return CLI_USAGE;
			}
			break;
		case 'o': owner = optarg; break;
		case 'd': description = optarg; break;
		default:
			if (cli_common_opt(ctx, c, optarg))
				break;
			return cli_usage_hint("system");
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CLI_USAGE;
	}
	sub = argv[optind];
	if (strcmp(sub, "list") != 0) {
		if (optind + 2 != argc) {
			cli_error(_("'system %s' takes one NAME"), sub);
			return cli_usage_hint("system");
		}
		name = argv[optind + 1];
	} else if (optind + 1 != argc) {
		cli_error(_("'system list' takes no arguments"));
		return cli_usage_hint("system");
	}
	if (strcmp(sub, "add") == 0 && !level) {
		cli_error(_("'system add' needs --level N (1-5)"));
		return cli_usage_hint("system");
	}
	if (strcmp(sub, "add") && strcmp(sub, "set") && strcmp(sub, "list") && strcmp(sub, "show") &&
	    strcmp(sub, "remove")) {
		cli_error(_("unknown subcommand 'system %s'"), sub);
		return cli_usage_hint("system");
	}
	if (cli_open_db(ctx, &db))
		return CLI_FAIL;
	if (strcmp(sub, "list") == 0) {
		struct list_ctx lc = {ctx, ctx->json ? json_array() : NULL};
		if (!ctx->json)
		{
			cli_put_col(_("LEVEL"), 5);
			cli_put_col(_("HOSTS"), 6);
			cli_put_col(_("SYSTEM"), 32);
			printf("%s\n", _("OWNER"));
		}
		rc = store_system_foreach(db, list_one, &lc);
		if (!rc && ctx->json)
			cli_json_pretty(lc.arr);
		else
			json_decref(lc.arr);
	} else if (strcmp(sub, "show") == 0) {
		status = show(ctx, db, name);
	} else {
		if (strcmp(sub, "add") == 0)
			rc = store_system_add(db, name, (int)level, owner, description);
		else if (strcmp(sub, "set") == 0)
			rc = store_system_set(db, name, (int)level, owner, description);
		else
			rc = store_system_remove(db, name);
		if (!rc && ctx->json)
			cli_json_line(json_pack("{s:s, s:s}", "system", name, "action", sub));
		else if (!rc && !ctx->quiet)
			printf(strcmp(sub, "add") == 0 ? _("Added system '%s'.\n")
			       : strcmp(sub, "set") == 0 ? _("Changed system '%s'.\n")
							 : _("Removed system '%s'.\n"),
			       name);
	}
	if (rc)
		status = cli_fail(rc);
	cg_db_close(db);
	return status;
}
