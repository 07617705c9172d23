/* canhgac order — blocking orders from the authority: record an order's
 * targets as decisions, and show which are enforced where and when, and
 * what is overdue. */
#include <string.h>

#include "block.h"
#include "cg_file.h"
#include "cg_esc.h"
#include "cli.h"
#include "cli_block.h"
#include "order.h"

static void usage(FILE *f)
{
	fputs(_("Usage: canhgac order add --ref REF --issued WHEN --deadline WHEN [--reason R] [--expires WHEN]\n"
		"                         [--force] FILE...\n"
		"       canhgac order status [REF]\n"
		"       canhgac order list\n"
		"Blocking orders: an order (its reference, e.g. the number of the official letter, the date\n"
		"it was issued and the deadline to carry it out) and the file listing its targets, one a\n"
		"line, become block decisions with origin \"order:REF\". 'status' shows for each target\n"
		"where and when it was first enforced (exports recorded with 'block export --record' or\n"
		"pulled from 'block serve' by a point with its token) and whether it is enforced, late,\n"
		"overdue or pending.\n\n"
		"Options:\n"
		"      --ref REF         the order's reference (unique)\n"
		"      --issued WHEN     when it was issued: YYYY-MM-DD[THH:MM[:SS]][Z|+07:00] or @SECONDS\n"
		"      --deadline WHEN   when it must be carried out (a date alone means its end, 23:59:59)\n"
		"  -r, --reason R        reason stored with each decision (default: the reference)\n"
		"  -e, --expires WHEN    end of the decisions (default: none)\n"
		"      --force           accept private/reserved ranges, own prefixes and very wide prefixes\n"
		"Common options:\n"
		"      --db PATH         database file\n"
		"      --json            machine-readable output\n"
		"      --quiet           no progress display\n"
		"  -h, --help            show this help\n\n"
		"A file with a bad line records nothing; every bad line is reported with its number.\n"
		"Exit status: 0 success (status: nothing overdue), 1 failure or (status) something overdue,\n"
		"2 usage error.\n"),
	      f);
}

enum { OPT_REF = CLI_OPT_FIRST_FREE, OPT_ISSUED, OPT_DEADLINE, OPT_FORCE };

static const struct option longopts[] = {
	CLI_COMMON_LONGOPTS,
	{"ref", required_argument, NULL, OPT_REF},
	{"issued", required_argument, NULL, OPT_ISSUED},
	{"deadline", required_argument, NULL, OPT_DEADLINE},
	{"reason", required_argument, NULL, 'r'},
	{"expires", required_argument, NULL, 'e'},
	{"force", no_argument, NULL, OPT_FORCE},
	{NULL, 0, NULL, 0},
};

struct opts {
	const char *ref, *issued, *deadline, *reason, *expires;
	int force;
	int64_t now;
};

static int do_add(struct cli_ctx *ctx, struct opts *o, int argc, char **argv)
{
	struct block_order_info info = {0};
	struct block_decide_opts d = {.action = BLOCK_BLOCK, .forced = o->force, .now = o->now};
	struct block_decide_report rep;
	struct block_batch *b = NULL;
	struct cg_db *db = NULL;
	char files[1024] = "";
	int64_t id;
	enum cg_err rc;
	int st;

	if (!o->ref || !*o->ref || !o->issued || !o->deadline || argc == 0) {
		cli_error(_("order add: --ref, --issued, --deadline and a FILE are required"));
		return cli_usage_hint("order");
	}
	if (strlen(o->ref) > 200) {
		cli_error(_("order add: --ref is longer than 200 bytes"));
		return CLI_USAGE;
	}
	if ((st = cli_block_parse_when("--issued", o->issued, o->now, 0, &info.issued_at)) ||
	    (st = cli_block_parse_when("--deadline", o->deadline, o->now, 1, &info.deadline_at)))
		return st;
	if (info.deadline_at < info.issued_at) {
		cli_error(_("order add: the deadline is before the order was issued"));
		return CLI_USAGE;
	}
	if (o->expires && (st = cli_block_parse_when("--expires", o->expires, o->now, 1, &d.expires_at)))
		return st;
	d.reason = o->reason ? o->reason : o->ref;
	if (!(b = block_batch_new()))
		return cli_fail(cg_err_set(CG_ENOMEM, _("out of memory")));
	for (int i = 0; i < argc; i++) {
		size_t l = strlen(files);
		rc = block_batch_add_file(b, argv[i]);
		if (rc && rc != CG_EPARSE) {
			st = cli_fail(rc);
			goto out;
		}
		snprintf(files + l, sizeof files - l, "%s%s", l ? ", " : "", cg_file_basename(argv[i]));
	}
	if ((st = cli_open_db(ctx, &db)))
		goto out;
	rc = block_batch_check(b, db, BLOCK_BLOCK, o->force);
	if (rc && rc != CG_EINVAL) {
		st = cli_fail(rc);
		goto out;
	}
	if (block_batch_n_errors(b)) {
		cli_block_batch_errors(b);
		cli_error(_("order %s: %zu bad targets: the order was not recorded"), o->ref, block_batch_n_errors(b));
		st = CLI_FAIL;
		goto out;
	}
	if (block_batch_count(b) == 0) {
		cli_error(_("order %s: the file lists no targets"), o->ref);
		st = CLI_FAIL;
		goto out;
	}
	info.ref = o->ref;
	info.file = files;
	info.received_at = o->now;
	if ((rc = block_order_add(b, db, &info, &d, &id, &rep))) {
		st = cli_fail(rc);
		goto out;
	}
	if (ctx->json) {
		json_t *j = json_object();
		json_object_set_new(j, "ref", json_string(o->ref));
		json_object_set_new(j, "id", json_integer(id));
		json_object_set_new(j, "targets", json_integer((json_int_t)block_batch_count(b)));
		json_object_set_new(j, "new", json_integer((json_int_t)rep.n_new));
		json_object_set_new(j, "unchanged", json_integer((json_int_t)rep.n_unchanged));
		cli_json_line(j);
	} else if (!ctx->quiet) {
		char dl[32];
		cg_time_iso(info.deadline_at, dl, sizeof dl);
		printf(_("order %s: %zu targets recorded as block decisions; deadline %s\n"), cg_esc(o->ref),
		       block_batch_count(b), dl);
	}
	st = CLI_OK;
out:
	block_batch_free(b);
	cg_db_close(db);
	return st;
}

struct status_ctx {
	struct cli_ctx *cli;
	json_t *targets;
};

static enum cg_err print_target(void *vctx, const struct order_target *t)
{
	struct status_ctx *c = vctx;
	char when[32];

	if (c->cli->json) {
		json_t *j = json_object(), *pts = json_array();
		json_object_set_new(j, "decision", json_integer(t->row->id));
		json_object_set_new(j, "target", json_string(t->row->value));
		json_object_set_new(j, "state", json_string(order_state_name(t->state)));
		if (t->enforced_at)
			cg_time_iso(t->enforced_at, when, sizeof when);
		json_object_set_new(j, "enforced_at", t->enforced_at ? json_string(when) : json_null());
		for (size_t i = 0; i < t->n_points; i++) {
			json_t *p = json_object();
			cg_time_iso(t->points[i].at, when, sizeof when);
			json_object_set_new(p, "point", json_string(t->points[i].point));
			json_object_set_new(p, "format", json_string(t->points[i].format));
			json_object_set_new(p, "at", json_string(when));
			json_array_append_new(pts, p);
		}
		json_object_set_new(j, "points", pts);
		json_array_append_new(c->targets, j);
		return CG_OK;
	}
	printf("  %-40s %-9s", cg_esc(t->row->value), order_state_name(t->state));
	for (size_t i = 0; i < t->n_points; i++) {
		cg_time_iso(t->points[i].at, when, sizeof when);
		printf("%s%s (%s) %s", i ? ", " : " ", cg_esc(t->points[i].point), t->points[i].format, when);
	}
	putchar('\n');
	return CG_OK;
}

static json_t *summary_json(const struct order_summary *s)
{
	json_t *j = json_object(), *counts = json_object();
	char t[32];

	json_object_set_new(j, "ref", json_string(s->ref));
	cg_time_iso(s->issued_at, t, sizeof t);
	json_object_set_new(j, "issued", json_string(t));
	cg_time_iso(s->deadline_at, t, sizeof t);
	json_object_set_new(j, "deadline", json_string(t));
	cg_time_iso(s->received_at, t, sizeof t);
	json_object_set_new(j, "received", json_string(t));
	json_object_set_new(j, "file", json_string(s->file));
	json_object_set_new(j, "state", json_string(s->state));
	json_object_set_new(j, "targets", json_integer((json_int_t)s->n_targets));
	for (int k = 0; k <= ORDER_WITHDRAWN; k++)
		json_object_set_new(counts, order_state_name((enum order_state)k), json_integer((json_int_t)s->n_state[k]));
	json_object_set_new(j, "counts", counts);
	return j;
}

static void print_summary(const struct order_summary *s)
{
	char is[32], dl[32];
	cg_time_iso(s->issued_at, is, sizeof is);
	cg_time_iso(s->deadline_at, dl, sizeof dl);
	printf(_("order %s (issued %s, deadline %s): %s: %zu targets: %zu enforced, %zu late, %zu overdue, %zu pending, %zu exempted, %zu withdrawn\n"),
	       cg_esc(s->ref), is, dl, s->state, s->n_targets, s->n_state[ORDER_ENFORCED], s->n_state[ORDER_LATE],
	       s->n_state[ORDER_OVERDUE], s->n_state[ORDER_PENDING], s->n_state[ORDER_EXEMPTED],
	       s->n_state[ORDER_WITHDRAWN]);
}

static int status_one(struct cli_ctx *ctx, struct cg_db *db, const char *ref, int64_t now, int detail, int *overdue)
{
	struct status_ctx c = {.cli = ctx};
	struct order_summary s;
	enum cg_err rc;

	if (ctx->json && detail)
		c.targets = json_array();
	if (!ctx->json && detail) {
		/* Header first: compute the summary, then list targets. */
		if ((rc = order_status(db, ref, now, NULL, NULL, &s)))
			return cli_fail(rc);
		print_summary(&s);
		rc = order_status(db, ref, now, print_target, &c, &s);
	} else {
		rc = order_status(db, ref, now, detail ? print_target : NULL, &c, &s);
	}
	if (rc) {
		json_decref(c.targets);
		return cli_fail(rc);
	}
	if (ctx->json) {
		json_t *j = summary_json(&s);
		if (c.targets)
			json_object_set_new(j, "target_status", c.targets);
		cli_json_line(j);
	} else if (!detail) {
		print_summary(&s);
	}
	*overdue |= s.n_state[ORDER_OVERDUE] != 0;
	return CLI_OK;
}

struct refs {
	char **v;
	size_t n;
};

static enum cg_err collect_ref(void *vctx, const struct block_order_info *o)
{
	struct refs *r = vctx;
	char **p = realloc(r->v, (r->n + 1) * sizeof *p);
	if (!p)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	r->v = p;
	if (!(p[r->n] = strdup(o->ref)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	r->n++;
	return CG_OK;
}

static int do_status(struct cli_ctx *ctx, struct opts *o, int argc, char **argv, int detail)
{
	struct cg_db *db = NULL;
	struct refs refs = {0};
	int overdue = 0, st = CLI_OK;
	enum cg_err rc;

	if ((st = cli_open_db_existing(ctx, &db)))
		return st;
	if (argc) {
		for (int i = 0; i < argc && !st; i++)
			st = status_one(ctx, db, argv[i], o->now, detail, &overdue);
	} else {
		if ((rc = store_block_order_foreach(db, collect_ref, &refs)))
			st = cli_fail(rc);
		for (size_t i = 0; i < refs.n && !st; i++)
			st = status_one(ctx, db, refs.v[i], o->now, 0, &overdue);
		if (!st && refs.n == 0 && !ctx->json)
			printf(_("no orders\n"));
	}
	for (size_t i = 0; i < refs.n; i++)
		free(refs.v[i]);
	free(refs.v);
	cg_db_close(db);
	if (st)
		return st;
	return overdue ? CLI_FAIL : CLI_OK;
}

int cmd_order(struct cli_ctx *ctx, int argc, char **argv)
{
	struct opts o = {0};
	const char *sub;
	int c;

	if ((c = cli_subcommand(&argc, &argv, usage, &sub)) >= 0)
		return c;
	while ((c = getopt_long(argc, argv, "hr:e:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return CLI_OK;
		case OPT_REF: o.ref = optarg; break;
		case OPT_ISSUED: o.issued = optarg; break;
		case OPT_DEADLINE: o.deadline = optarg; break;
		case 'r': o.reason = optarg; break;
		case 'e': o.expires = optarg; break;
		case OPT_FORCE: o.force = 1; break;
		default:
			if (cli_common_opt(ctx, c, optarg))
				break;
			return cli_usage_hint("order");
		}
	}
	argc -= optind;
	argv += optind;
	o.now = cg_now();
	if (strcmp(sub, "add") == 0)
		return do_add(ctx, &o, argc, argv);
	if (strcmp(sub, "status") == 0)
		return do_status(ctx, &o, argc, argv, argc > 0);
	if (strcmp(sub, "list") == 0) {
		if (argc) {
			cli_error(_("order list takes no arguments"));
			return cli_usage_hint("order");
		}
		return do_status(ctx, &o, 0, argv, 0);
	}
	cli_error(_("order: unknown subcommand '%s'"), sub);
	return cli_usage_hint("order");
}
