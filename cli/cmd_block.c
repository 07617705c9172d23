/* canhgac block — blocking decisions (block/allow with lifetimes), their
 * check, the mirror of intel sources, exports to nftables, ipset, RPZ,
 * Unbound, hosts, plain and JSON, and an HTTP server for pulling them. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "block.h"
#include "block_point.h"
#include "block_serve.h"
#include "cg_out.h"
#include "cg_esc.h"
#include "cli.h"
#include "cli_block.h"
#include "store_block.h"

static void usage(FILE *f)
{
	fputs(_("Usage: canhgac block add [--reason R] [--expires WHEN] [--origin O] [--force] [-f FILE] TARGET...\n"
		"       canhgac block allow [--reason R] [--expires WHEN] [-f FILE] TARGET...\n"
		"       canhgac block remove [--origin O] [--id N] [TARGET...]\n"
		"       canhgac block list [--all] [--origin O] [--action block|allow] [--at WHEN]\n"
		"       canhgac block check [--at WHEN] ADDR|DOMAIN|URL...\n"
		"       canhgac block from-intel [--reason R] [--expires WHEN] [--force] SOURCE...\n"
		"       canhgac block export --format F [-o FILE] [--since WHEN] [--at WHEN] [--record POINT]\n"
		"                            [--name N] [--zone Z] [--walled-garden X] [--ttl N]\n"
		"       canhgac block serve [--listen ADDR] [--port N] [--name N] [--zone Z]\n"
		"       canhgac block point add|remove NAME | canhgac block point list\n"
		"       canhgac block own-prefix add|remove|list [--note N] [-f FILE] [PREFIX|DOMAIN...]\n"
		"Blocking decisions with lifetimes and their enforcement on firewalls and resolvers.\n"
		"TARGET is an IPv4/IPv6 address or CIDR, a domain (with its subdomains) or a URL.\n"
		"Allow decisions win over blocks; overlapping CIDRs are merged on export.\n\n"
		"Options:\n"
		"  -r, --reason R        why (stored with the decision)\n"
		"  -e, --expires WHEN    end of the decision: YYYY-MM-DD[THH:MM[:SS]][Z|+07:00], @SECONDS,\n"
		"                        or a duration (30d, 12h, 90m, 2w)\n"
		"      --origin O        origin label (default \"manual\"); with remove/list: only that origin\n"
		"      --force           accept private/reserved ranges, own prefixes and prefixes wider than\n"
		"                        /8 (IPv4) or /16 (IPv6)\n"
		"  -f, --file FILE       read targets from FILE (one a line, '#' comments; '-' = stdin)\n"
		"      --id N            remove the decision with this id\n"
		"  -a, --all             list removed and expired decisions too\n"
		"      --action A        list only block or allow decisions\n"
		"      --at WHEN         as of this time instead of now\n"
		"  -F, --format F        nft, ipset, rpz, unbound, hosts, plain, json\n"
		"  -o, --output FILE     write the export to FILE (replaced atomically)\n"
		"      --since WHEN      only the changes since WHEN (nft, ipset, rpz, plain, json)\n"
		"      --record POINT    record that this export was put into service at POINT (serve\n"
		"                        records the points that send their token, see 'block point')\n"
		"      --name N          nft table and ipset set name prefix (default canhgac)\n"
		"      --zone Z          RPZ zone name (default rpz.canhgac)\n"
		"      --walled-garden X answer with X (address, or domain for rpz) instead of NXDOMAIN\n"
		"      --ttl N           RPZ TTL in seconds (default 300)\n"
		"      --listen ADDR     serve on this address (default 127.0.0.1)\n"
		"      --port N          serve on this port (default 8053; 0 = any free port)\n"
		"      --note N          note stored with an own prefix\n"
		"Common options:\n"
		"      --db PATH         database file\n"
		"      --json            machine-readable output\n"
		"      --quiet           no progress display\n"
		"  -h, --help            show this help\n\n"
		"Exit status: 0 success (check: blocked), 1 failure or (check) not blocked, 2 usage error.\n"),
	      f);
}

enum {
	OPT_ORIGIN = CLI_OPT_FIRST_FREE,
	OPT_FORCE,
	OPT_ID,
	OPT_ACTION,
	OPT_AT,
	OPT_SINCE,
	OPT_RECORD,
	OPT_NAME,
	OPT_ZONE,
	OPT_WALLED,
	OPT_TTL,
	OPT_LISTEN,
	OPT_PORT,
	OPT_NOTE,
};

static const struct option longopts[] = {
	CLI_COMMON_LONGOPTS,
	{"reason", required_argument, NULL, 'r'},
	{"expires", required_argument, NULL, 'e'},
	{"origin", required_argument, NULL, OPT_ORIGIN},
	{"force", no_argument, NULL, OPT_FORCE},
	{"file", required_argument, NULL, 'f'},
	{"id", required_argument, NULL, OPT_ID},
	{"all", no_argument, NULL, 'a'},
	{"action", required_argument, NULL, OPT_ACTION},
	{"at", required_argument, NULL, OPT_AT},
	{"format", required_argument, NULL, 'F'},
	{"output", required_argument, NULL, 'o'},
	{"since", required_argument, NULL, OPT_SINCE},
	{"record", required_argument, NULL, OPT_RECORD},
	{"name", required_argument, NULL, OPT_NAME},
	{"zone", required_argument, NULL, OPT_ZONE},
	{"walled-garden", required_argument, NULL, OPT_WALLED},
	{"ttl", required_argument, NULL, OPT_TTL},
	{"listen", required_argument, NULL, OPT_LISTEN},
	{"port", required_argument, NULL, OPT_PORT},
	{"note", required_argument, NULL, OPT_NOTE},
	{NULL, 0, NULL, 0},
};

#define FILES_MAX 64

struct opts {
	const char *reason, *expires, *origin, *action, *at, *format, *output, *since, *record, *note;
	const char *files[FILES_MAX];
	size_t n_files;
	int force, all;
	long id, ttl, port;
	const char *listen;
	struct block_export_opts ex;
	int64_t now;
};

static void print_time(int64_t t, char *buf, size_t n)
{
	if (t)
		cg_time_iso(t, buf, n);
	else
		snprintf(buf, n, "-");
}

static json_t *row_json(const struct block_row *r)
{
	char t[32];
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(r->id));
	json_object_set_new(o, "action", json_string(block_action_name(r->action)));
	json_object_set_new(o, "type", json_string(ioc_type_name(r->type)));
	json_object_set_new(o, "target", json_string(r->value));
	json_object_set_new(o, "origin", json_string(r->origin));
	json_object_set_new(o, "reason", r->reason ? json_string(r->reason) : json_null());
	json_object_set_new(o, "forced", json_boolean(r->forced));
	cg_time_iso(r->created_at, t, sizeof t);
	json_object_set_new(o, "created", json_string(t));
	if (r->expires_at)
		cg_time_iso(r->expires_at, t, sizeof t);
	json_object_set_new(o, "expires", r->expires_at ? json_string(t) : json_null());
	if (r->removed_at)
		cg_time_iso(r->removed_at, t, sizeof t);
	json_object_set_new(o, "removed", r->removed_at ? json_string(t) : json_null());
	return o;
}

static int batch_errors(struct block_batch *b)
{
	cli_block_batch_errors(b);
	cli_error(_("%zu bad targets: nothing was changed"), block_batch_n_errors(b));
	return CLI_FAIL;
}

/* Targets of the arguments and -f files into a batch (parsed; the policy
 * check comes later, with the database). */
static int collect(struct opts *o, int argc, char **argv, struct block_batch **out)
{
	struct block_batch *b = block_batch_new();
	enum cg_err rc;

	*out = NULL;
	if (!b)
		return cli_fail(cg_err_set(CG_ENOMEM, _("out of memory")));
	for (int i = 0; i < argc; i++) {
		char where[64];
		snprintf(where, sizeof where, _("argument %d"), i + 1);
		rc = block_batch_add_text(b, argv[i], where);
		if (rc && rc != CG_EPARSE && rc != CG_ELIMIT) {
			block_batch_free(b);
			return cli_fail(rc);
		}
	}
	for (size_t i = 0; i < o->n_files; i++) {
		rc = block_batch_add_file(b, o->files[i]);
		if (rc && rc != CG_EPARSE) {
			block_batch_free(b);
			return cli_fail(rc);
		}
	}
	*out = b;
	return CLI_OK;
}

static int do_decide(struct cli_ctx *ctx, struct opts *o, int argc, char **argv, enum block_action action)
{
	struct block_decide_opts d = {.action = action, .reason = o->reason, .origin = o->origin,
				      .forced = o->force, .now = o->now};
	struct block_decide_report rep;
	struct block_batch *b;
	struct cg_db *db = NULL;
	enum cg_err rc;
	int st;

	if (argc == 0 && o->n_files == 0) {
		cli_error(_("block %s: give at least one target or --file"), block_action_name(action));
		return cli_usage_hint("block");
	}
	if (o->expires && (st = cli_block_parse_when("--expires", o->expires, o->now, 1, &d.expires_at)))
		return st;
	if (d.expires_at && d.expires_at <= o->now) {
		cli_error(_("--expires %s is not in the future"), o->expires);
		return CLI_USAGE;
	}
	if ((st = collect(o, argc, argv, &b)))
		return st;
	if ((st = cli_open_db(ctx, &db)))
		goto out;
	rc = block_batch_check(b, db, action, o->force);
	if (rc && rc != CG_EINVAL) {
		st = cli_fail(rc);
		goto out;
	}
	if (block_batch_n_errors(b)) {
		st = batch_errors(b);
		goto out;
	}
	if ((rc = block_batch_commit(b, db, &d, &rep))) {
		st = cli_fail(rc);
		goto out;
	}
	if (ctx->json) {
		json_t *j = json_object();
		json_object_set_new(j, "action", json_string(block_action_name(action)));
		json_object_set_new(j, "targets", json_integer((json_int_t)block_batch_count(b)));
		json_object_set_new(j, "new", json_integer((json_int_t)rep.n_new));
		json_object_set_new(j, "replaced", json_integer((json_int_t)rep.n_replaced));
		json_object_set_new(j, "unchanged", json_integer((json_int_t)rep.n_unchanged));
		cli_json_line(j);
	} else if (!ctx->quiet) {
		printf(_("%s: %zu targets: %zu new, %zu replaced, %zu unchanged\n"), block_action_name(action),
		       block_batch_count(b), rep.n_new, rep.n_replaced, rep.n_unchanged);
	}
	st = CLI_OK;
out:
	block_batch_free(b);
	cg_db_close(db);
	return st;
}

static int do_remove(struct cli_ctx *ctx, struct opts *o, int argc, char **argv)
{
	struct cg_db *db = NULL;
	size_t total = 0, n;
	enum cg_err rc = CG_OK;
	int action = -1, st, missing = 0;

	if (argc == 0 && !o->id) {
		cli_error(_("block remove: give targets or --id"));
		return cli_usage_hint("block");
	}
	if (o->action && (action = block_action_from_name(o->action)) < 0) {
		cli_error(_("--action must be block or allow"));
		return CLI_USAGE;
	}
	if ((st = cli_open_db(ctx, &db)))
		return st;
	if ((rc = store_block_begin(db)))
		goto fail;
	if (o->id) {
		if ((rc = store_block_remove(db, NULL, o->id, action, o->origin, o->now, &n)))
			goto fail;
		if (!n) {
			cli_error(_("no decision in force with id %ld"), o->id);
			missing = 1;
		}
		total += n;
	}
	for (int i = 0; i < argc; i++) {
		struct ioc t;
		if ((rc = block_target_parse(argv[i], strlen(argv[i]), &t))) {
			rc = cg_err_prefix(rc, _("argument %d"), i + 1);
			goto fail;
		}
		if ((rc = store_block_remove(db, t.value, 0, action, o->origin, o->now, &n)))
			goto fail;
		if (!n) {
			cli_error(_("no decision in force on %s"), t.value);
			missing = 1;
		}
		total += n;
	}
	if (missing) {
		store_block_rollback(db);
		cli_error(_("nothing was removed"));
		cg_db_close(db);
		return CLI_FAIL;
	}
	if ((rc = store_block_commit(db)))
		goto fail;
	if (ctx->json) {
		json_t *j = json_object();
		json_object_set_new(j, "removed", json_integer((json_int_t)total));
		cli_json_line(j);
	} else if (!ctx->quiet) {
		printf(_("removed %zu decisions\n"), total);
	}
	cg_db_close(db);
	return CLI_OK;
fail:
	store_block_rollback(db);
	cg_db_close(db);
	return cli_fail(rc);
}

struct list_ctx {
	struct cli_ctx *cli;
	int64_t now;
	size_t n;
};

static const char *row_status(const struct block_row *r, int64_t now)
{
	if (r->removed_at && r->removed_at <= now)
		return "removed";
	if (r->expires_at && r->expires_at <= now)
		return "expired";
	if (r->created_at > now)
		return "future";
	return "active";
}

static enum cg_err list_row(void *vctx, const struct block_row *r)
{
	struct list_ctx *c = vctx;
	char created[32], expires[32];

	c->n++;
	if (c->cli->json) {
		json_t *j = row_json(r);
		json_object_set_new(j, "status", json_string(row_status(r, c->now)));
		cli_json_line(j);
		return CG_OK;
	}
	print_time(r->created_at, created, sizeof created);
	print_time(r->expires_at, expires, sizeof expires);
	printf("%-6lld %-5s %-10s %-40s %-20s %-20s %-20s %s\n", (long long)r->id, block_action_name(r->action),
	       row_status(r, c->now), cg_esc(r->value), cg_esc(r->origin), created, expires, cg_esc(r->reason));
	return CG_OK;
}

static int do_list(struct cli_ctx *ctx, struct opts *o, int argc)
{
	struct list_ctx c = {.cli = ctx, .now = o->now};
	struct block_filter f = {.live_at = o->now, .action = -1, .origin = o->origin};
	struct cg_db *db = NULL;
	enum cg_err rc;
	int st;

	if (argc) {
		cli_error(_("block list takes no arguments"));
		return cli_usage_hint("block");
	}
	if (o->action && (f.action = block_action_from_name(o->action)) < 0) {
		cli_error(_("--action must be block or allow"));
		return CLI_USAGE;
	}
	if (o->all)
		f.live_at = BLOCK_ALL_ROWS;
	if ((st = cli_open_db_existing(ctx, &db)))
		return st;
	if (!ctx->json && ctx->out_tty) {
		/* Translated headers differ in length: pad by code points so columns line up. */
		cli_put_col(_("ID"), 6);
		cli_put_col(_("ACT"), 5);
		cli_put_col(_("STATUS"), 10);
		cli_put_col(_("TARGET"), 40);
		cli_put_col(_("ORIGIN"), 20);
		cli_put_col(_("CREATED"), 20);
		cli_put_col(_("EXPIRES"), 20);
		printf("%s\n", _("REASON"));
	}
	rc = store_block_foreach(db, &f, list_row, &c);
	cg_db_close(db);
	if (rc)
		return cli_fail(rc);
	return CLI_OK;
}

static enum cg_err check_row_json(void *vctx, const struct block_row *r)
{
	json_array_append_new(vctx, row_json(r));
	return CG_OK;
}

static void print_why(json_t *why)
{
	size_t i;
	json_t *r;

	json_array_foreach(why, i, r) {
		const char *reason = json_string_value(json_object_get(r, "reason"));
		const char *exp = json_string_value(json_object_get(r, "expires"));
		printf(_("  %s %s: decision #%lld, %s, since %s, until %s%s%s\n"),
		       json_string_value(json_object_get(r, "action")), cg_esc(json_string_value(json_object_get(r, "target"))),
		       (long long)json_integer_value(json_object_get(r, "id")),
		       cg_esc(json_string_value(json_object_get(r, "origin"))), json_string_value(json_object_get(r, "created")),
		       exp ? exp : _("no expiry"), reason ? ": " : "", cg_esc(reason));
	}
}

static int do_check(struct cli_ctx *ctx, struct opts *o, int argc, char **argv)
{
	struct cg_db *db = NULL;
	int64_t at = o->now;
	int st, any_blocked = 0;

	if (argc == 0) {
		cli_error(_("block check: give an address, domain or URL"));
		return cli_usage_hint("block");
	}
	if (o->at && (st = cli_block_parse_when("--at", o->at, o->now, 0, &at)))
		return st;
	if ((st = cli_open_db_existing(ctx, &db)))
		return st;
	for (int i = 0; i < argc; i++) {
		json_t *why = json_array();
		int blocked;
		enum cg_err rc = block_check(db, argv[i], at, &blocked, check_row_json, why);

		if (rc) {
			json_decref(why);
			cg_db_close(db);
			return cli_fail(rc);
		}
		any_blocked |= blocked;
		if (ctx->json) {
			json_t *j = json_object();
			json_object_set_new(j, "target", json_string(argv[i]));
			json_object_set_new(j, "blocked", json_boolean(blocked));
			json_object_set_new(j, "decisions", why);
			cli_json_line(j);
		} else {
			printf("%s: %s\n", argv[i],
			       blocked ? _("BLOCKED")
			       : json_array_size(why) ? _("not blocked (an allow decision wins)") : _("not blocked"));
			print_why(why);
			json_decref(why);
		}
	}
	cg_db_close(db);
	return any_blocked ? CLI_OK : CLI_FAIL;
}

static int do_from_intel(struct cli_ctx *ctx, struct opts *o, int argc, char **argv)
{
	struct block_decide_opts d = {.action = BLOCK_BLOCK, .reason = o->reason, .forced = o->force, .now = o->now};
	struct cg_db *db = NULL;
	int st;

	if (argc == 0) {
		cli_error(_("block from-intel: give the intel source names"));
		return cli_usage_hint("block");
	}
	if (o->expires && (st = cli_block_parse_when("--expires", o->expires, o->now, 1, &d.expires_at)))
		return st;
	if ((st = cli_open_db(ctx, &db)))
		return st;
	for (int i = 0; i < argc; i++) {
		struct block_intel_report rep;
		enum cg_err rc = block_from_intel(db, argv[i], &d, &rep);
		if (rc) {
			cg_db_close(db);
			return cli_fail(rc);
		}
		if (ctx->json) {
			json_t *j = json_object(), *ref = json_array();
			json_object_set_new(j, "source", json_string(argv[i]));
			json_object_set_new(j, "indicators", json_integer((json_int_t)rep.n_seen));
			json_object_set_new(j, "ignored_hashes", json_integer((json_int_t)rep.n_ignored));
			json_object_set_new(j, "new", json_integer((json_int_t)rep.put.n_new));
			json_object_set_new(j, "replaced", json_integer((json_int_t)rep.put.n_replaced));
			json_object_set_new(j, "unchanged", json_integer((json_int_t)rep.put.n_unchanged));
			json_object_set_new(j, "removed", json_integer((json_int_t)rep.n_removed));
			json_object_set_new(j, "refused", json_integer((json_int_t)rep.n_refused));
			for (size_t k = 0; k < rep.n_refused && k < 5; k++)
				json_array_append_new(ref, json_string(rep.refused[k]));
			json_object_set_new(j, "refused_examples", ref);
			cli_json_line(j);
		} else if (!ctx->quiet) {
			printf(_("%s: %zu indicators: %zu new, %zu replaced, %zu unchanged, %zu removed, %zu refused, %zu hashes ignored\n"),
			       argv[i], rep.n_seen, rep.put.n_new, rep.put.n_replaced, rep.put.n_unchanged, rep.n_removed,
			       rep.n_refused, rep.n_ignored);
			for (size_t k = 0; k < rep.n_refused && k < 5; k++)
				printf(_("  refused: %s\n"), rep.refused[k]);
			if (rep.n_refused > 5)
				printf(_("  ... and %zu more refused (use --force to take them)\n"), rep.n_refused - 5);
		}
	}
	cg_db_close(db);
	return CLI_OK;
}

static int do_export(struct cli_ctx *ctx, struct opts *o, int argc)
{
	struct block_export_req req = {.at = o->now, .opts = o->ex};
	struct block_export_result res;
	struct cg_db *db = NULL;
	enum cg_err rc;
	int fmt, st;

	if (argc) {
		cli_error(_("block export takes no arguments"));
		return cli_usage_hint("block");
	}
	if (!o->format || (fmt = block_format_from_name(o->format)) < 0) {
		cli_error(_("block export: --format must be one of nft, ipset, rpz, unbound, hosts, plain, json"));
		return CLI_USAGE;
	}
	req.fmt = (enum block_format)fmt;
	if (o->at && (st = cli_block_parse_when("--at", o->at, o->now, 0, &req.at)))
		return st;
	if (o->since) {
		if ((st = cli_block_parse_when("--since", o->since, o->now, BLOCK_TIME_AGO, &req.since)))
			return st;
		req.has_since = 1;
	}
	if ((st = cli_open_db_existing(ctx, &db)))
		return st;
	if ((rc = block_export_render(db, &req, &res))) {
		cg_db_close(db);
		return cli_fail(rc);
	}
	if (o->output && strcmp(o->output, "-") != 0)
		rc = cg_out_file(o->output, res.data, res.len);
	else if (fwrite(res.data, 1, res.len, stdout) != res.len || fflush(stdout) != 0)
		rc = cg_err_set(CG_EIO, _("writing to standard output: %s"), strerror(errno));
	if (!rc && o->record)
		rc = block_record_enforcement(db, o->record, req.fmt, o->now, &res);
	if (!rc && o->output && strcmp(o->output, "-") != 0 && !ctx->quiet) {
		if (ctx->json) {
			json_t *j = json_object();
			json_object_set_new(j, "format", json_string(block_format_name(req.fmt)));
			json_object_set_new(j, "file", json_string(o->output));
			json_object_set_new(j, "serial", json_integer(res.serial));
			json_object_set_new(j, "items", json_integer((json_int_t)res.n_items));
			json_object_set_new(j, "digest", json_string(res.digest));
			json_object_set_new(j, "recorded_at", o->record ? json_string(o->record) : json_null());
			cli_json_line(j);
		} else {
			printf(_("%s: %zu entries, serial %lld, digest %s\n"), o->output, res.n_items,
			       (long long)res.serial, res.digest);
		}
	}
	block_export_result_free(&res);
	cg_db_close(db);
	return rc ? cli_fail(rc) : CLI_OK;
}

static volatile sig_atomic_t stop_serving;

static void on_signal(int sig)
{
	(void)sig;
	stop_serving = 1;
}

static int do_serve(struct cli_ctx *ctx, struct opts *o, int argc)
{
	struct block_serve_opts so = {.addr = o->listen, .port = 8053, .export = o->ex};
	struct block_server *s = NULL;
	struct sigaction sa;
	char path[4096];
	sigset_t block, old;
	enum cg_err rc;

	if (argc) {
		cli_error(_("block serve takes no arguments"));
		return cli_usage_hint("block");
	}
	if (o->record) {
		cli_error(_("block serve: --record is for export; a served list is recorded for the enforcement point "
			    "whose token the request carries (see 'canhgac block point add')"));
		return cli_usage_hint("block");
	}
	if (o->port >= 0)
		so.port = (unsigned)o->port;
	if ((rc = cg_db_resolve_path(ctx->db_path, path, sizeof path)))
		return cli_fail(rc);
	so.db_path = path;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	/* Block before starting the server thread so that it inherits the mask
	 * and the signals reach this thread's sigsuspend. */
	sigprocmask(SIG_BLOCK, &block, &old);
	if ((rc = block_serve_start(&so, &s))) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return cli_fail(rc);
	}
	if (ctx->json) {
		json_t *j = json_object();
		json_object_set_new(j, "listening", json_string(o->listen ? o->listen : "127.0.0.1"));
		json_object_set_new(j, "port", json_integer(block_serve_port(s)));
		cli_json_line(j);
	} else {
		printf(_("serving on http://%s:%u/ (nft, ipset, rpz, unbound, hosts, plain, json)\n"),
		       o->listen ? o->listen : "127.0.0.1", block_serve_port(s));
	}
	fflush(stdout);
	while (!stop_serving)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	block_serve_stop(s);
	return CLI_OK;
}

static enum cg_err point_row(void *vctx, const char *name, int64_t created_at)
{
	struct cli_ctx *ctx = vctx;
	char t[32];

	cg_time_iso(created_at, t, sizeof t);
	if (ctx->json) {
		json_t *j = json_object();
		json_object_set_new(j, "name", json_string(name));
		json_object_set_new(j, "created", json_string(t));
		cli_json_line(j);
	} else {
		printf("%-32s %s\n", name, t);
	}
	return CG_OK;
}

/* block point add NAME (prints the token once) | remove NAME | list */
static int do_point(struct cli_ctx *ctx, int argc, char **argv)
{
	struct cg_db *db = NULL;
	char token[BLOCK_POINT_TOKEN_LEN + 1];
	enum cg_err rc;
	int st, add, list;

	list = argc == 1 && strcmp(argv[0], "list") == 0;
	add = argc == 2 && strcmp(argv[0], "add") == 0;
	if (!list && !add && !(argc == 2 && strcmp(argv[0], "remove") == 0)) {
		cli_error(_("block point: give add NAME, remove NAME or list"));
		return cli_usage_hint("block");
	}
	if (add && (rc = block_point_check_name(argv[1]))) {
		cli_fail(rc);
		return CLI_USAGE;
	}
	if ((st = list || !add ? cli_open_db_existing(ctx, &db) : cli_open_db(ctx, &db)))
		return st;
	if (list)
		rc = store_block_point_foreach(db, point_row, ctx);
	else if (add)
		rc = block_point_add(db, argv[1], cg_now(), token);
	else
		rc = store_block_point_remove(db, argv[1]);
	cg_db_close(db);
	if (rc)
		return cli_fail(rc);
	if (add) {
		if (ctx->json) {
			json_t *j = json_object();
			json_object_set_new(j, "name", json_string(argv[1]));
			json_object_set_new(j, "token", json_string(token));
			cli_json_line(j);
		} else {
			printf("%s\n", token);
			if (!ctx->quiet)
				fprintf(stderr, _("canhgac: enforcement point '%s' added; the token above is shown only now: "
						  "the point sends it as 'Authorization: Bearer TOKEN' to 'block serve'\n"),
					argv[1]);
		}
	} else if (!list && !ctx->quiet && !ctx->json) {
		printf(_("enforcement point '%s' removed\n"), argv[1]);
	}
	return CLI_OK;
}

struct own_ctx {
	struct cli_ctx *cli;
};

static enum cg_err own_row(void *vctx, const struct ioc *own, const char *note, int64_t created_at)
{
	struct own_ctx *c = vctx;
	char t[32];

	cg_time_iso(created_at, t, sizeof t);
	if (c->cli->json) {
		json_t *j = json_object();
		json_object_set_new(j, "value", json_string(own->value));
		json_object_set_new(j, "type", json_string(ioc_type_name(own->type)));
		json_object_set_new(j, "note", note ? json_string(note) : json_null());
		json_object_set_new(j, "created", json_string(t));
		cli_json_line(j);
	} else {
		printf("%-40s %s %s\n", cg_esc(own->value), t, cg_esc(note));
	}
	return CG_OK;
}

static int do_own(struct cli_ctx *ctx, struct opts *o, int argc, char **argv)
{
	struct cg_db *db = NULL;
	struct block_batch *b = NULL;
	size_t changed = 0;
	enum cg_err rc = CG_OK;
	int st;

	if (argc < 1) {
		cli_error(_("block own-prefix: give add, remove or list"));
		return cli_usage_hint("block");
	}
	if (strcmp(argv[0], "list") == 0) {
		struct own_ctx c = {.cli = ctx};
		if ((st = cli_open_db_existing(ctx, &db)))
			return st;
		rc = store_block_own_foreach(db, own_row, &c);
		cg_db_close(db);
		return rc ? cli_fail(rc) : CLI_OK;
	}
	if (strcmp(argv[0], "add") != 0 && strcmp(argv[0], "remove") != 0) {
		cli_error(_("block own-prefix: unknown action '%s'"), argv[0]);
		return cli_usage_hint("block");
	}
	if ((st = collect(o, argc - 1, argv + 1, &b)))
		return st;
	if (block_batch_n_errors(b)) {
		st = batch_errors(b);
		block_batch_free(b);
		return st;
	}
	if (block_batch_count(b) == 0) {
		block_batch_free(b);
		cli_error(_("block own-prefix: give prefixes, domains or --file"));
		return cli_usage_hint("block");
	}
	if ((st = cli_open_db(ctx, &db))) {
		block_batch_free(b);
		return st;
	}
	rc = block_own_apply(b, db, argv[0][0] == 'a', o->note, o->now, &changed);
	block_batch_free(b);
	cg_db_close(db);
	if (rc)
		return cli_fail(rc);
	if (ctx->json) {
		json_t *j = json_object();
		json_object_set_new(j, argv[0][0] == 'a' ? "added" : "removed", json_integer((json_int_t)changed));
		cli_json_line(j);
	} else if (!ctx->quiet) {
		printf(argv[0][0] == 'a' ? _("%zu own prefixes added\n") : _("%zu own prefixes removed\n"), changed);
	}
	return CLI_OK;
}

int cmd_block(struct cli_ctx *ctx, int argc, char **argv)
{
	struct opts o = {.id = 0, .port = -1};
	const char *sub;
	int c;

	if ((c = cli_subcommand(&argc, &argv, usage, &sub)) >= 0)
		return c;
	while ((c = getopt_long(argc, argv, "hr:e:f:aF:o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return CLI_OK;
		case 'r': o.reason = optarg; break;
		case 'e': o.expires = optarg; break;
		case OPT_ORIGIN: o.origin = optarg; break;
		case OPT_FORCE: o.force = 1; break;
		case 'f':
			if (o.n_files == FILES_MAX) {
				cli_error(_("at most %d --file options"), FILES_MAX);
				return CLI_USAGE;
			}
			o.files[o.n_files++] = optarg;
			break;
		case OPT_ID:
			if (cli_parse_long(optarg, 1, LONG_MAX, &o.id)) {
				cli_error(_("--id: '%s' is not a decision id"), optarg);
				return CLI_USAGE;
			}
			break;
		case 'a': o.all = 1; break;
		case OPT_ACTION: o.action = optarg; break;
		case OPT_AT: o.at = optarg; break;
		case 'F': o.format = optarg; break;
		case 'o': o.output = optarg; break;
		case OPT_SINCE: o.since = optarg; break;
		case OPT_RECORD: o.record = optarg; break;
		case OPT_NAME: o.ex.name = optarg; break;
		case OPT_ZONE: o.ex.zone = optarg; break;
		case OPT_WALLED: o.ex.walled_garden = optarg; break;
		case OPT_TTL:
			if (cli_parse_long(optarg, 1, 604800, &o.ttl)) {
				cli_error(_("--ttl: '%s' is not a number of seconds (1-604800)"), optarg);
				return CLI_USAGE;
			}
			o.ex.ttl = (unsigned)o.ttl;
			break;
		case OPT_LISTEN: o.listen = optarg; break;
		case OPT_PORT:
			if (cli_parse_long(optarg, 0, 65535, &o.port)) {
				cli_error(_("--port: '%s' is not a port number"), optarg);
				return CLI_USAGE;
			}
			break;
		case OPT_NOTE: o.note = optarg; break;
		default:
			if (cli_common_opt(ctx, c, optarg))
				break;
			return cli_usage_hint("block");
		}
	}
	argc -= optind;
	argv += optind;
	o.now = cg_now();
	if (strcmp(sub, "add") == 0)
		return do_decide(ctx, &o, argc, argv, BLOCK_BLOCK);
	if (strcmp(sub, "allow") == 0)
		return do_decide(ctx, &o, argc, argv, BLOCK_ALLOW);
	if (strcmp(sub, "remove") == 0)
		return do_remove(ctx, &o, argc, argv);
	if (strcmp(sub, "list") == 0)
		return do_list(ctx, &o, argc);
	if (strcmp(sub, "check") == 0)
		return do_check(ctx, &o, argc, argv);
	if (strcmp(sub, "point") == 0)
		return do_point(ctx, argc, argv);
	if (strcmp(sub, "from-intel") == 0)
		return do_from_intel(ctx, &o, argc, argv);
	if (strcmp(sub, "export") == 0)
		return do_export(ctx, &o, argc);
	if (strcmp(sub, "serve") == 0)
		return do_serve(ctx, &o, argc);
	if (strcmp(sub, "own-prefix") == 0)
		return do_own(ctx, &o, argc, argv);
	cli_error(_("block: unknown subcommand '%s'"), sub);
	return cli_usage_hint("block");
}
