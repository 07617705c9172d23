/* canhgac quarantine — list, show, restore and purge quarantined files. */
#include <stdlib.h>
#include <string.h>

#include "cg_esc.h"
#include "cli.h"
#include "quarantine.h"
#include "store_quarantine.h"

enum { OPT_DIR = CLI_OPT_FIRST_FREE, OPT_TO, OPT_FORCE, OPT_KEEP, OPT_OLDER, OPT_ALL, OPT_YES };

static void usage(FILE *f)
{
	fputs(_("Usage: canhgac quarantine list [--dir DIR] [--json]\n"
		"       canhgac quarantine show ID [--dir DIR] [--json]\n"
		"       canhgac quarantine restore ID [--to PATH] [--force] [--keep] [--dir DIR] [--json]\n"
		"       canhgac quarantine purge (ID... | --older-than AGE | --all --yes) [--dir DIR] [--json]\n"
		"Files that 'canhgac scan --quarantine DIR' took away: defanged (not executable, not\n"
		"readable as the original), with their owner, mode, times, hashes and the hits that sent them.\n\n"
		"Options:\n"
		"      --dir DIR        the quarantine store (default: $CANHGAC_QUARANTINE_DIR, else\n"
		"                       'quarantine' beside the database)\n"
		"      --to PATH        restore to PATH instead of the original path\n"
		"      --force          restore over an existing file\n"
		"      --keep           keep the item in the store after restoring it\n"
		"      --older-than AGE purge items quarantined more than AGE ago (30d, 12h, 90m)\n"
		"      --all            purge every item (needs --yes)\n"
		"      --yes            confirm --all\n"
		"      --db PATH        database file (its directory holds the default store); when given\n"
		"                       (or $CANHGAC_DB), restores and purges are recorded in it\n"
		"      --json           machine-readable output\n"
		"      --quiet          no progress display\n"
		"  -h, --help           show this help\n"),
	      f);
}

struct q_args {
	const char *dir, *to;
	int force, keep, all, yes;
	int64_t older; /* seconds; -1: not given */
};

/* The store directory: --dir, $CANHGAC_QUARANTINE_DIR, or beside the database. */
static int store_dir(const struct cli_ctx *ctx, const char *explicit_dir, char *buf, size_t n)
{
	char db[4096];
	const char *env = getenv("CANHGAC_QUARANTINE_DIR");
	enum cg_err rc;
	char *slash;

	if (explicit_dir || (env && *env)) {
		snprintf(buf, n, "%s", explicit_dir ? explicit_dir : env);
		return 0;
	}
	if ((rc = cg_db_resolve_path(ctx->db_path, db, sizeof db)))
		return cli_fail(rc);
	slash = strrchr(db, '/');
	if (slash)
		snprintf(buf, n, "%.*s/quarantine", (int)(slash - db), db);
	else
		snprintf(buf, n, "quarantine");
	return 0;
}

/* "30d" → seconds. */
static int parse_age(const char *s, int64_t *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	int64_t mul;

	if (end == s || v < 0 || v > 100000000 || !end[0] || end[1])
		return -1;
	switch (*end) {
	case 's': mul = 1; break;
	case 'm': mul = 60; break;
	case 'h': mul = 3600; break;
	case 'd': mul = 86400; break;
	default: return -1;
	}
	*out = (int64_t)v * mul;
	return 0;
}

static int parse(struct cli_ctx *ctx, int argc, char **argv, struct q_args *a)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{"dir", required_argument, NULL, OPT_DIR},
		{"to", required_argument, NULL, OPT_TO},
		{"force", no_argument, NULL, OPT_FORCE},
		{"keep", no_argument, NULL, OPT_KEEP},
		{"older-than", required_argument, NULL, OPT_OLDER},
		{"all", no_argument, NULL, OPT_ALL},
		{"yes", no_argument, NULL, OPT_YES},
		{NULL, 0, NULL, 0},
	};
	int c;

	a->older = -1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return -1;
		case OPT_DIR: a->dir = optarg; break;
		case OPT_TO: a->to = optarg; break;
		case OPT_FORCE: a->force = 1; break;
		case OPT_KEEP: a->keep = 1; break;
		case OPT_ALL: a->all = 1; break;
		case OPT_YES: a->yes = 1; break;
		case OPT_OLDER:
			if (parse_age(optarg, &a->older) != 0) {
				cli_error(_("--older-than: '%s' is not an age like 30d, 12h or 90m"), optarg);
				return cli_usage_hint("quarantine");
			}
			break;
		default:
			if (cli_common_opt(ctx, c, optarg))
				break;
			return cli_usage_hint("quarantine");
		}
	}
	return 0;
}

static json_t *item_json(const struct quarantine_item *it)
{
	char when[32], mtime[32], mode[8];
	json_t *hits = json_array();

	snprintf(mode, sizeof mode, "%04o", it->mode);
	cg_time_iso(it->when, when, sizeof when);
	cg_time_iso(it->mtime_s, mtime, sizeof mtime);
	for (size_t i = 0; i < it->n_hits; i++)
		json_array_append_new(hits, json_pack("{s:s, s:s}", "kind", it->hits[i].kind, "name", it->hits[i].name));
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "id", it->id, "path",
			 it->path, "uid", (json_int_t)it->uid, "gid", (json_int_t)it->gid, "size", (json_int_t)it->size,
			 "mode", mode, "mtime_epoch", (json_int_t)it->mtime_s, "mtime", mtime, "sha256",
			 it->sha256, "sha1", it->sha1, "md5", it->md5, "hits", hits, "who", it->who, "when", when);
}

static int open_store(struct cli_ctx *ctx, const struct q_args *a, struct quarantine **q)
{
	char dir[4200];
	enum cg_err rc;
	if (store_dir(ctx, a->dir, dir, sizeof dir) != 0)
		return CLI_FAIL;
	cg_err_clear();
	if ((rc = quarantine_open(dir, q)))
		return cli_fail(rc);
	return 0;
}

static const char *first_hit(const struct quarantine_item *it)
{
	return it->n_hits ? it->hits[0].name : "-";
}

static int do_list(struct cli_ctx *ctx, struct quarantine *q)
{
	struct quarantine_item *items;
	size_t n;
	enum cg_err rc;

	if ((rc = quarantine_list(q, &items, &n)))
		return cli_fail(rc);
	if (ctx->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, item_json(&items[i]));
		cli_json_pretty(arr);
	} else if (!n) {
		printf(_("The quarantine %s is empty.\n"), quarantine_dir(q));
	} else {
		cli_put_col(_("ID"), 32);
		cli_put_col(_("WHEN"), 20);
		cli_put_col(_("SIZE"), 10);
		cli_put_col(_("HIT"), 24);
		printf("%s\n", _("PATH"));
		for (size_t i = 0; i < n; i++) {
			char when[32];
			cg_time_iso(items[i].when, when, sizeof when);
			printf("%s ", items[i].id);
			cli_put_col(when, 20);
			printf("%-10llu ", (unsigned long long)items[i].size);
			cli_put_col(cg_esc(first_hit(&items[i])), 24);
			printf("%s\n", cg_esc(items[i].path));
		}
	}
	quarantine_items_free(items, n);
	return CLI_OK;
}

static int do_show(struct cli_ctx *ctx, struct quarantine *q, const char *id)
{
	struct quarantine_item *it;
	char when[32], mtime[32];
	enum cg_err rc;

	cg_err_clear();
	if ((rc = quarantine_get(q, id, &it)))
		return cli_fail(rc);
	if (ctx->json) {
		cli_json_pretty(item_json(it));
	} else {
		cg_time_iso(it->when, when, sizeof when);
		cg_time_iso(it->mtime_s, mtime, sizeof mtime);
		printf(_("Item:        %s\n"), it->id);
		printf(_("Path:        %s\n"), cg_esc(it->path));
		printf(_("Owner:       uid %u, gid %u\n"), (unsigned)it->uid, (unsigned)it->gid);
		printf(_("Mode:        %04o\n"), it->mode);
		printf(_("Size:        %llu bytes\n"), (unsigned long long)it->size);
		printf(_("Modified:    %s\n"), mtime);
		printf("SHA-256:     %s\nSHA-1:       %s\nMD5:         %s\n", it->sha256, it->sha1, it->md5);
		printf(_("Quarantined: %s by %s\n"), when, cg_esc(it->who));
		for (size_t i = 0; i < it->n_hits; i++)
			printf(_("Hit:         %s %s\n"), it->hits[i].kind, cg_esc(it->hits[i].name));
	}
	quarantine_item_free(it);
	return CLI_OK;
}

/* The database records restores and purges when one is named (--db or
 * $CANHGAC_DB); the store itself is the authority on what it holds. */
static int mark(struct cli_ctx *ctx, const char *id, const char *state)
{
	const char *env = getenv("CANHGAC_DB");
	struct cg_db *db;
	enum cg_err rc;

	if (!ctx->db_path && !(env && *env))
		return 0;
	if (cli_open_db_existing(ctx, &db) != 0)
		return CLI_FAIL;
	cg_err_clear();
	rc = store_quarantine_mark(db, id, state, cli_now());
	cg_db_close(db);
	return rc ? cli_fail(rc) : 0;
}

static int do_restore(struct cli_ctx *ctx, struct quarantine *q, const char *id, const struct q_args *a)
{
	struct quarantine_item *it;
	enum cg_err rc;
	char *path;

	cg_err_clear();
	if ((rc = quarantine_get(q, id, &it)))
		return cli_fail(rc);
	path = strdup(a->to ? a->to : it->path);
	quarantine_item_free(it);
	if (!path) {
		cli_error(_("out of memory"));
		return CLI_FAIL;
	}
	if ((rc = quarantine_restore(q, id, a->to, a->force, a->keep))) {
		free(path);
		return cli_fail(rc);
	}
	if (!a->keep && mark(ctx, id, "restored") != 0) {
		free(path);
		return CLI_FAIL;
	}
	if (ctx->json)
		cli_json_pretty(json_pack("{s:s, s:s, s:b}", "id", id, "restored_to", path, "kept", a->keep));
	else
		printf(_("Restored %s to %s\n"), id, cg_esc(path));
	free(path);
	return CLI_OK;
}

static int do_purge(struct cli_ctx *ctx, struct quarantine *q, char **ids, int n_ids, const struct q_args *a)
{
	json_t *done = json_array();
	struct quarantine_item *items = NULL;
	size_t n = 0;
	int status = CLI_OK;
	enum cg_err rc;

	if ((n_ids > 0) + (a->older >= 0) + a->all != 1) {
		json_decref(done);
		cli_error(_("purge: give item ids, or --older-than AGE, or --all --yes"));
		return cli_usage_hint("quarantine");
	}
	if (a->all && !a->yes) {
		json_decref(done);
		cli_error(_("purge --all deletes every quarantined file for good: add --yes to confirm"));
		return CLI_USAGE;
	}
	cg_err_clear();
	if (n_ids == 0 && (rc = quarantine_list(q, &items, &n))) {
		json_decref(done);
		return cli_fail(rc);
	}
	for (int i = 0; i < n_ids; i++) {
		if ((rc = quarantine_purge(q, ids[i]))) {
			cli_fail(rc);
			status = CLI_FAIL;
			continue;
		}
		json_array_append_new(done, json_string(ids[i]));
		if (mark(ctx, ids[i], "purged") != 0)
			status = CLI_FAIL;
	}
	for (size_t i = 0; i < n; i++) {
		if (!a->all && items[i].when > cli_now() - a->older)
			continue;
		if ((rc = quarantine_purge(q, items[i].id))) {
			cli_fail(rc);
			status = CLI_FAIL;
			continue;
		}
		json_array_append_new(done, json_string(items[i].id));
		if (mark(ctx, items[i].id, "purged") != 0)
			status = CLI_FAIL;
	}
	quarantine_items_free(items, n);
	if (ctx->json)
		cli_json_pretty(json_pack("{s:o}", "purged", done));
	else {
		for (size_t i = 0; i < json_array_size(done); i++)
			printf(_("Purged %s\n"), json_string_value(json_array_get(done, i)));
		printf(_("%zu items purged\n"), json_array_size(done));
		json_decref(done);
	}
	return status;
}

int cmd_quarantine(struct cli_ctx *ctx, int argc, char **argv)
{
	struct q_args a = {0};
	struct quarantine *q = NULL;
	const char *sub;
	int r, nargs;

	r = cli_subcommand(&argc, &argv, usage, &sub);
	if (r >= 0)
		return r;
	r = parse(ctx, argc, argv, &a);
	if (r)
		return r < 0 ? CLI_OK : r;
	nargs = argc - optind;
	if (strcmp(sub, "list") && strcmp(sub, "show") && strcmp(sub, "restore") && strcmp(sub, "purge")) {
		cli_error(_("unknown quarantine subcommand '%s'"), sub);
		return cli_usage_hint("quarantine");
	}
	if ((!strcmp(sub, "list") && nargs != 0) || ((!strcmp(sub, "show") || !strcmp(sub, "restore")) && nargs != 1)) {
		cli_error(_("quarantine %s: wrong number of arguments"), sub);
		return cli_usage_hint("quarantine");
	}
	if ((r = open_store(ctx, &a, &q)) != 0)
		return r;
	if (!strcmp(sub, "list"))
		r = do_list(ctx, q);
	else if (!strcmp(sub, "show"))
		r = do_show(ctx, q, argv[optind]);
	else if (!strcmp(sub, "restore"))
		r = do_restore(ctx, q, argv[optind], &a);
	else
		r = do_purge(ctx, q, argv + optind, nargs, &a);
	quarantine_free(q);
	return r;
}
