/* canhgac evidence — forensic evidence of incidents with a chain of
 * custody; bundles that verify on another machine. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle.h"
#include "cli.h"
#include "cli_incident.h"
#include "evidence.h"
#include "store_incident.h"

static void usage(FILE *f)
{
	fputs(_("Usage: canhgac evidence add FILE... --incident N [--note TEXT] [--source-host H] [--by NAME]\n"
		"       canhgac evidence list N\n"
		"       canhgac evidence log N\n"
		"       canhgac evidence export N --out BUNDLE\n"
		"       canhgac evidence verify BUNDLE [--record]\n"
		"Keep evidence files as content-addressed copies with SHA-256 and MD5 and a\n"
		"hash-chained custody log; export a bundle (tar: files, manifest, custody log) and\n"
		"verify it anywhere, without the database.\n\n"
		"Options:\n"
		"      --incident N       the incident the evidence belongs to\n"
		"      --note TEXT        note on the collected files\n"
		"      --source-host H    host the files come from (default this host)\n"
		"      --by NAME          collector (default $USER)\n"
		"      --store DIR        evidence store (default $CANHGAC_EVIDENCE_DIR or 'evidence'\n"
		"                         beside the database)\n"
		"      --out BUNDLE       bundle file to write\n"
		"      --record           after a clean verify, add 'verified' to the custody log\n"
		"      --db PATH          database file\n"
		"      --json             machine-readable output\n"
		"      --quiet            no progress display\n"
		"  -h, --help             show this help\n"),
	      f);
}

const char *cli_actor(const char *by)
{
	const char *u = by ? by : getenv("USER");
	return u && *u ? u : "unknown";
}

int cli_evidence_dir(const struct cli_ctx *ctx, const char *explicit_dir, char *buf, size_t n)
{
	char db[4096];
	const char *env = getenv("CANHGAC_EVIDENCE_DIR");
	enum cg_err rc;

	if (explicit_dir || (env && *env)) {
		snprintf(buf, n, "%s", explicit_dir ? explicit_dir : env);
		return 0;
	}
	if ((rc = cg_db_resolve_path(ctx->db_path, db, sizeof db)))
		return cli_fail(rc);
	char *slash = strrchr(db, '/');
	if (slash)
		snprintf(buf, n, "%.*s/evidence", (int)(slash - db), db);
	else
		snprintf(buf, n, "evidence");
	return 0;
}

enum { O_INCIDENT = CLI_OPT_FIRST_FREE, O_NOTE, O_SOURCE_HOST, O_BY, O_STORE, O_OUT, O_RECORD };

struct problem_ctx {
	const struct cli_ctx *cli;
	json_t *arr;
};

static void on_problem(void *ctx, const char *what, const char *problem)
{
	struct problem_ctx *c = ctx;
	if (c->cli->json)
		json_array_append_new(c->arr, json_pack("{s:s, s:s}", "what", what, "problem", problem));
	else
		printf(_("CHANGED %s: %s\n"), what, problem);
}

static int verify(struct cli_ctx *ctx, const char *bundle, int record, const char *by)
{
	struct problem_ctx pc = {ctx, json_array()};
	struct bundle_result res;
	enum cg_err rc = bundle_verify_file(bundle, on_problem, &pc, &res);
	struct cg_db *db = NULL;

	if (rc) {
		json_decref(pc.arr);
		return cli_fail(rc);
	}
	if (ctx->json)
		cli_json_pretty(json_pack("{s:s, s:b, s:I, s:I, s:I, s:s, s:o}", "bundle", bundle, "ok",
					  res.n_problems == 0, "incident", (json_int_t)res.incident_id, "files",
					  (json_int_t)res.n_files, "custody_entries", (json_int_t)res.n_custody,
					  "manifest_sha256", res.manifest_sha256, "problems", pc.arr));
	else
		json_decref(pc.arr);
	if (res.n_problems) {
		if (!ctx->json)
			cli_error(_("%s: verification FAILED: %zu problems"), bundle, res.n_problems);
		return CLI_FAIL;
	}
	if (!ctx->json && !ctx->quiet)
		printf(_("%s: OK: %zu files, %zu custody entries, manifest SHA-256 %s\n"), bundle, res.n_files,
		       res.n_custody, res.manifest_sha256);
	if (record) {
		if (cli_open_db(ctx, &db))
			return CLI_FAIL;
		rc = evidence_record_verified(db, res.incident_id, bundle, cli_actor(by), cg_now());
		cg_db_close(db);
		if (rc)
			return cli_fail(rc);
	}
	return CLI_OK;
}

static enum cg_err list_one(void *ctx, const struct evidence_row *e)
{
	const struct cli_ctx *cli = *(const struct cli_ctx **)ctx;
	json_t *arr = ((json_t **)ctx)[1];
	char t[32];

	cg_time_iso(e->collected_at, t, sizeof t);
	if (cli->json)
		json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "id",
						     (json_int_t)e->id, "name", e->name, "sha256", e->sha256, "md5",
						     e->md5, "size", (json_int_t)e->size, "source_host", e->source_host,
						     "source_path", e->source_path, "collector", e->collector,
						     "collected_at", t, "note", e->note));
	else
		printf("%-4lld %s %12lld %s %s:%s (%s)\n", (long long)e->id, e->sha256, (long long)e->size, t,
		       e->source_host, e->source_path, e->collector);
	return CG_OK;
}

static enum cg_err log_one(void *ctx, const struct custody_entry *e)
{
	const struct cli_ctx *cli = *(const struct cli_ctx **)ctx;
	json_t *arr = ((json_t **)ctx)[1];
	char t[32];

	cg_time_iso(e->at, t, sizeof t);
	if (cli->json)
		json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "seq",
						     (json_int_t)e->seq, "at", t, "action", e->action, "actor", e->actor,
						     "sha256", e->sha256, "detail", e->detail, "prev", e->prev, "hash",
						     e->hash));
	else
		printf("%-4lld %s %-9s %-12s %s\n", (long long)e->seq, t, e->action, e->actor, e->detail);
	return CG_OK;
}

int cmd_evidence(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{"incident", required_argument, NULL, O_INCIDENT},
		{"note", required_argument, NULL, O_NOTE},
		{"source-host", required_argument, NULL, O_SOURCE_HOST},
		{"by", required_argument, NULL, O_BY},
		{"store", required_argument, NULL, O_STORE},
		{"out", required_argument, NULL, O_OUT},
		{"record", no_argument, NULL, O_RECORD},
		{NULL, 0, NULL, 0},
	};
	const char *note = NULL, *source_host = NULL, *by = NULL, *store = NULL, *out = NULL, *sub;
	long incident = 0;
	int c, record = 0, st = CLI_OK, nargs;
	char dir[4096], host[256];
	struct cg_db *db = NULL;
	enum cg_err rc = CG_OK;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return CLI_OK;
		case O_INCIDENT:
			if (cli_parse_long(optarg, 1, 0x7fffffffL, &incident) != 0) {
				cli_error(_("'%s' is not an incident number"), optarg);
				return CLI_USAGE;
			}
			break;
		case O_NOTE: note = optarg; break;
		case O_SOURCE_HOST: source_host = optarg; break;
		case O_BY: by = optarg; break;
		case O_STORE: store = optarg; break;
		case O_OUT: out = optarg; break;
		case O_RECORD: record = 1; break;
		default:
			if (cli_common_opt(ctx, c, optarg))
				break;
			return cli_usage_hint("evidence");
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CLI_USAGE;
	}
	sub = argv[optind++];
	nargs = argc - optind;
	if (strcmp(sub, "verify") == 0) {
		if (nargs != 1)
			return cli_usage_hint("evidence");
		return verify(ctx, argv[optind], record, by);
	}
	if (strcmp(sub, "add") && strcmp(sub, "list") && strcmp(sub, "log") && strcmp(sub, "export")) {
		cli_error(_("unknown subcommand 'evidence %s'"), sub);
		return cli_usage_hint("evidence");
	}
	if (strcmp(sub, "add") == 0 ? (nargs < 1 || !incident) : nargs != 1) {
		cli_error(_("wrong number of arguments for 'evidence %s'"), sub);
		return cli_usage_hint("evidence");
	}
	if (strcmp(sub, "add") && cli_parse_long(argv[optind], 1, 0x7fffffffL, &incident) != 0) {
		cli_error(_("'%s' is not an incident number"), argv[optind]);
		return CLI_USAGE;
	}
	if (strcmp(sub, "export") == 0 && !out) {
		cli_error("%s", _("'evidence export' needs --out BUNDLE"));
		return cli_usage_hint("evidence");
	}
	if (cli_evidence_dir(ctx, store, dir, sizeof dir) || cli_open_db(ctx, &db))
		return CLI_FAIL;
	if (strcmp(sub, "add") == 0) {
		if (!source_host) {
			if (gethostname(host, sizeof host) != 0)
				snprintf(host, sizeof host, "localhost");
			host[sizeof host - 1] = '\0';
			source_host = host;
		}
		struct evidence_add_opts o = {incident, dir, note, cli_actor(by), source_host, cg_now(), NULL, NULL};
		json_t *arr = json_array();
		for (int i = optind; i < argc && !rc; i++) {
			struct evidence_added a;
			if ((rc = evidence_add(db, &o, argv[i], &a)))
				break;
			if (ctx->json)
				json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)a.id,
								     "file", argv[i], "sha256", a.sha256, "md5", a.md5,
								     "size", (json_int_t)a.size));
			else if (!ctx->quiet)
				printf(_("Evidence %lld: %s sha256:%s md5:%s (%llu bytes)\n"), (long long)a.id, argv[i],
				       a.sha256, a.md5, (unsigned long long)a.size);
		}
		if (!rc && ctx->json)
			cli_json_pretty(arr);
		else
			json_decref(arr);
	} else if (strcmp(sub, "list") == 0 || strcmp(sub, "log") == 0) {
		void *lc[2] = {ctx, ctx->json ? json_array() : NULL};
		rc = strcmp(sub, "list") == 0 ? store_evidence_foreach(db, incident, list_one, lc)
					      : store_custody_foreach(db, incident, log_one, lc);
		if (!rc && ctx->json)
			cli_json_pretty(lc[1]);
		else
			json_decref(lc[1]);
	} else {
		size_t n;
		rc = evidence_export(db, incident, dir, out, cli_actor(by), cg_now(), &n);
		if (!rc && ctx->json)
			cli_json_line(json_pack("{s:I, s:s, s:I}", "incident", (json_int_t)incident, "bundle", out,
						"files", (json_int_t)n));
		else if (!rc && !ctx->quiet)
			printf(_("Wrote %s: %zu files, manifest and custody log.\n"), out, n);
	}
	if (rc)
		st = cli_fail(rc);
	cg_db_close(db);
	return st;
}
