/* canhgac agent — enrolment tokens, the list of agents, revocation, tasks,
 * and what the agents sent. */
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "agent_ca.h"
#include "cg_esc.h"
#include "cli.h"
#include "store_agent.h"

static void usage(FILE *f)
{
	fputs(_("Usage: canhgac agent token [--name HOST] [--ttl DURATION] [--json]\n"
		"       canhgac agent list [--json]\n"
		"       canhgac agent revoke ID\n"
		"       canhgac agent task ID scan PATH [--rules PATH]...\n"
		"       canhgac agent task ID collect PATH --incident N\n"
		"       canhgac agent tasks [ID] [--json]\n"
		"       canhgac agent logs ID [--json]\n"
		"The hosts running canhgac-agent, which talk to canhgacd over mutual TLS.\n\n"
		"token    print a one-time enrolment token (only its hash is stored); it carries the CA\n"
		"         fingerprint so the agent can check the centre on first contact\n"
		"list     agents: last seen, version, host name, addresses, pending tasks\n"
		"revoke   refuse the agent from now on (checked on every connection)\n"
		"task     queue a task: scan a path on the agent with YARA rules (sent with the task; the\n"
		"         agent sweeps as 'canhgac scan' does, hits become alerts on its host), or\n"
		"         collect a file as evidence of an incident (with its SHA-256)\n"
		"tasks    queued and finished tasks with their results\n"
		"logs     the lines of the watched log files an agent sent\n\n"
		"Options:\n"
		"      --name HOST    name of the agent (and of its host record); default agent-ID\n"
		"      --ttl D        validity of the token: 30m, 24h, 7d (default 24h, at most 30d)\n"
		"      --incident N   incident the collected evidence belongs to\n"
		"      --rules PATH   YARA rule file or directory a scan task carries (repeatable; at most\n"
		"                     8 MiB of source; without it the agent looks for the EICAR test file only)\n"
		"      --db PATH      database file (the CA lives beside it)\n"
		"      --json         machine-readable output\n"
		"      --quiet        no progress display\n"
		"  -h, --help         show this help\n"),
	      f);
}

static json_t *time_json(int64_t t)
{
	char buf[32];
	if (!t)
		return json_null();
	cg_time_iso(t, buf, sizeof buf);
	return json_string(buf);
}

static json_t *loads(const char *s)
{
	json_t *v = json_loads(s, 0, NULL);
	return v ? v : json_array();
}

static enum cg_err print_agent(void *ctx, const struct agent_row *r)
{
	const struct cli_ctx *c = ctx;
	char seen[32] = "-";
	if (c->json) {
		json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:s,s:s,s:I,s:o,s:o,s:I,s:I,s:o}", "id",
				      (json_int_t)r->id, "name", r->name, "hostname", r->hostname, "version", r->version,
				      "addresses", loads(r->addresses), "enrolled_at", time_json(r->enrolled_at),
				      "last_seen", time_json(r->last_seen), "revoked_at", time_json(r->revoked_at), "os",
				      r->os, "kernel", r->kernel, "packages", (json_int_t)r->packages, "ports",
				      loads(r->ports), "users", loads(r->users), "pending_tasks",
				      (json_int_t)r->pending_tasks, "log_lines", (json_int_t)r->log_lines,
				      "inventory_at", time_json(r->inventory_at));
		if (o)
			json_object_set_new(o, "cert_serial", json_string(r->serial));
		cli_json_line(o);
		return CG_OK;
	}
	if (r->last_seen)
		cg_time_iso(r->last_seen, seen, sizeof seen);
	json_t *a = loads(r->addresses);
	char addrs[256] = "";
	size_t i;
	json_t *v;
	json_array_foreach (a, i, v) {
		if (json_is_string(v) && strlen(addrs) + json_string_length(v) + 2 < sizeof addrs)
			snprintf(addrs + strlen(addrs), sizeof addrs - strlen(addrs), "%s%s", i ? "," : "",
				 json_string_value(v));
	}
	json_decref(a);
	printf("%-5lld ", (long long)r->id);
	/* Host name, version and addresses are what the agent says: escaped. */
	cli_put_col(cg_esc(r->name), 16);
	cli_put_col(cg_esc(r->hostname), 16);
	cli_put_col(cg_esc(r->version), 8);
	cli_put_col(seen, 20);
	printf("%-7lld ", (long long)r->pending_tasks);
	cli_put_col(r->revoked_at ? _("revoked") : _("active"), 9);
	printf("%s\n", cg_esc(addrs));
	return CG_OK;
}

static enum cg_err print_task(void *ctx, const struct agent_task_row *t)
{
	const struct cli_ctx *c = ctx;
	if (c->json) {
		json_t *res = *t->result ? json_loads(t->result, 0, NULL) : NULL;
		cli_json_line(json_pack("{s:I,s:I,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:s?,s:o,s:o}", "id", (json_int_t)t->id,
					"agent", (json_int_t)t->agent_id, "kind", t->kind, "path", t->path, "state",
					t->state, "incident", t->incident_id ? json_integer(t->incident_id) : json_null(),
					"created_at", time_json(t->created_at), "sent_at", time_json(t->sent_at),
					"done_at", time_json(t->done_at), "error", *t->error ? t->error : NULL, "result",
					res ? res : json_null(), "evidence",
					t->evidence_id ? json_integer(t->evidence_id) : json_null()));
		return CG_OK;
	}
	printf("%-6lld %-6lld %-8s %-7s %s", (long long)t->id, (long long)t->agent_id, t->kind, t->state, cg_esc(t->path));
	if (*t->error)
		printf("  (%s)", cg_esc(t->error));
	if (*t->result)
		printf("  %s", cg_esc(t->result));
	printf("\n");
	return CG_OK;
}

static enum cg_err print_log(void *ctx, const struct agent_log_row *r)
{
	const struct cli_ctx *c = ctx;
	if (c->json)
		cli_json_line(json_pack("{s:s,s:I,s:s,s:o}", "file", r->file, "offset", (json_int_t)r->offset, "line",
					r->line, "received_at", time_json(r->received_at)));
	else
		printf("%s: %s\n", cg_esc(r->file), cg_esc(r->line));
	return CG_OK;
}

static int parse_id(const char *s, int64_t *id)
{
	long v;
	if (cli_parse_long(s, 1, 1L << 53, &v)) {
		cli_error(_("'%s': not an agent number"), s);
		return cli_usage_hint("agent");
	}
	*id = v;
	return 0;
}

static int do_token(struct cli_ctx *ctx, const char *name, const char *ttl_s)
{
	char db_path[4096], dir[4200], token[AGENT_TOKEN_MAX], t[32];
	struct cg_db *db;
	int64_t ttl = 86400, expires;
	enum cg_err rc;
	int ret;

	if (ttl_s && (rc = agent_ttl_parse(ttl_s, &ttl))) {
		cli_error("--ttl: %s", cg_err_msg(rc));
		return cli_usage_hint("agent");
	}
	if ((rc = cg_db_resolve_path(ctx->db_path, db_path, sizeof db_path)) || (rc = agent_ca_dir(db_path, dir, sizeof dir)))
		return cli_fail(rc);
	if ((ret = cli_open_db(ctx, &db)))
		return ret;
	rc = agent_token_create(db, dir, name, ttl, cli_now(), token, &expires);
	cg_db_close(db);
	if (rc)
		return cli_fail(rc);
	cg_time_iso(expires, t, sizeof t);
	if (ctx->json)
		cli_json_line(json_pack("{s:s,s:s,s:s?}", "token", token, "expires_at", t, "name", name));
	else {
		printf("%s\n", token);
		if (ctx->err_tty)
			fprintf(stderr, _("One-time token, valid until %s. Enrol with:\n  canhgac-agent enroll --server HOST:PORT --token TOKEN\n"), t);
	}
	return CLI_OK;
}

int cmd_agent(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_LONGOPTS,
		{"name", required_argument, NULL, CLI_OPT_FIRST_FREE},
		{"ttl", required_argument, NULL, CLI_OPT_FIRST_FREE + 1},
		{"incident", required_argument, NULL, CLI_OPT_FIRST_FREE + 2},
		{"rules", required_argument, NULL, CLI_OPT_FIRST_FREE + 3},
		{NULL, 0, NULL, 0},
	};
	const char *rules[64];
	size_t n_rules = 0;
	const char *sub, *name = NULL, *ttl = NULL;
	long incident = 0;
	int c, ret, nargs;
	struct cg_db *db = NULL;
	enum cg_err rc = CG_OK;
	int64_t id = 0;

	if ((ret = cli_subcommand(&argc, &argv, usage, &sub)) >= 0)
		return ret;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (cli_common_opt(ctx, c, optarg))
			continue;
		switch (c) {
		case 'h': usage(stdout); return CLI_OK;
		case CLI_OPT_FIRST_FREE: name = optarg; break;
		case CLI_OPT_FIRST_FREE + 1: ttl = optarg; break;
		case CLI_OPT_FIRST_FREE + 3:
			if (n_rules == sizeof rules / sizeof rules[0]) {
				cli_error(_("at most %zu --rules"), sizeof rules / sizeof rules[0]);
				return cli_usage_hint("agent");
			}
			rules[n_rules++] = optarg;
			break;
		case CLI_OPT_FIRST_FREE + 2:
			if (cli_parse_long(optarg, 1, 1L << 53, &incident)) {
				cli_error(_("--incident '%s': not an incident number"), optarg);
				return cli_usage_hint("agent");
			}
			break;
		default: return cli_usage_hint("agent");
		}
	}
	nargs = argc - optind;
	if (strcmp(sub, "token") == 0) {
		if (nargs) {
			cli_error(_("unexpected argument '%s'"), argv[optind]);
			return cli_usage_hint("agent");
		}
		return do_token(ctx, name, ttl);
	}
	if (strcmp(sub, "list") == 0) {
		if (nargs) {
			cli_error(_("unexpected argument '%s'"), argv[optind]);
			return cli_usage_hint("agent");
		}
		if ((ret = cli_open_db(ctx, &db)))
			return ret;
		if (!ctx->json) {
			printf("%-5s ", "ID");
			cli_put_col(_("NAME"), 16);
			cli_put_col(_("HOST"), 16);
			cli_put_col(_("VERSION"), 8);
			cli_put_col(_("LAST SEEN"), 20);
			printf("%-7s ", _("TASKS"));
			cli_put_col(_("STATE"), 9);
			printf("%s\n", _("ADDRESSES"));
		}
		rc = store_agent_foreach(db, print_agent, ctx);
	} else if (strcmp(sub, "revoke") == 0) {
		if (nargs != 1) {
			cli_error(_("'agent revoke' takes ID"));
			return cli_usage_hint("agent");
		}
		if ((ret = parse_id(argv[optind], &id)) || (ret = cli_open_db(ctx, &db)))
			return ret;
		if (!(rc = store_agent_revoke(db, id, cli_now()))) {
			if (ctx->json)
				cli_json_line(json_pack("{s:I,s:b}", "id", (json_int_t)id, "revoked", 1));
			else
				printf(_("agent %lld revoked\n"), (long long)id);
		}
	} else if (strcmp(sub, "task") == 0) {
		int64_t task;
		if (nargs != 3) {
			cli_error(_("'agent task' takes ID, scan or collect, and PATH"));
			return cli_usage_hint("agent");
		}
		if ((ret = parse_id(argv[optind], &id)) || (ret = cli_open_db(ctx, &db)))
			return ret;
		if (!(rc = agent_task_queue(db, id, argv[optind + 1], argv[optind + 2], incident, rules, n_rules, cli_now(),
					   &task))) {
			if (ctx->json)
				cli_json_line(json_pack("{s:I,s:I,s:s,s:s}", "task", (json_int_t)task, "agent", (json_int_t)id,
							"kind", argv[optind + 1], "path", argv[optind + 2]));
			else
				printf(_("task %lld queued for agent %lld\n"), (long long)task, (long long)id);
		}
	} else if (strcmp(sub, "tasks") == 0) {
		if (nargs > 1) {
			cli_error(_("unexpected argument '%s'"), argv[optind + 1]);
			return cli_usage_hint("agent");
		}
		if ((nargs && (ret = parse_id(argv[optind], &id))) || (ret = cli_open_db(ctx, &db)))
			return ret;
		rc = store_agent_tasks(db, id, print_task, ctx);
	} else if (strcmp(sub, "logs") == 0) {
		if (nargs != 1) {
			cli_error(_("'agent logs' takes ID"));
			return cli_usage_hint("agent");
		}
		if ((ret = parse_id(argv[optind], &id)) || (ret = cli_open_db(ctx, &db)))
			return ret;
		rc = store_agent_log_foreach(db, id, print_log, ctx);
	} else {
		cli_error(_("unknown sub-command '%s' (token, list, revoke, task, tasks or logs)"), sub);
		return cli_usage_hint("agent");
	}
	cg_db_close(db);
	return rc ? cli_fail(rc) : CLI_OK;
}
