/* canhgac ca — the certificate authority of the agents. */
#include <string.h>

#include "agent_ca.h"
#include "cli.h"

static void usage(FILE *f)
{
	fputs(_("Usage: canhgac ca init [--name ORG] [--json]\n"
		"       canhgac ca show [--json]\n"
		"The certificate authority that issues the agents' client certificates (ECDSA P-256),\n"
		"kept in the directory 'ca' beside the database.\n\n"
		"init   create the CA key (0600) and certificate and the centre's server certificate;\n"
		"       an existing CA is never replaced\n"
		"show   the CA's subject, fingerprint (SHA-256) and expiry\n\n"
		"Options:\n"
		"      --name ORG     organisation named in the certificates (default: canhgac)\n"
		"      --db PATH      database file (the CA lives beside it)\n"
		"      --json         machine-readable output\n"
		"      --quiet        no progress display\n"
		"  -h, --help         show this help\n"),
	      f);
}

static void print_info(const struct cli_ctx *ctx, const char *dir, const struct agent_ca_info *i)
{
	char t[32];
	cg_time_iso(i->not_after, t, sizeof t);
	if (ctx->json) {
		cli_json_line(json_pack("{s:s,s:s,s:s,s:s}", "dir", dir, "subject", i->subject, "fingerprint",
					i->fingerprint, "not_after", t));
		return;
	}
	printf(_("CA directory:  %s\n"), dir);
	printf(_("subject:       %s\n"), i->subject);
	printf(_("fingerprint:   SHA-256 %s\n"), i->fingerprint);
	printf(_("valid until:   %s\n"), t);
}

int cmd_ca(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_LONGOPTS,
		{"name", required_argument, NULL, CLI_OPT_FIRST_FREE},
		{NULL, 0, NULL, 0},
	};
	const char *sub, *name = NULL;
	char db[4096], dir[4200];
	struct agent_ca_info info;
	enum cg_err rc;
	int c, ret;

	if ((ret = cli_subcommand(&argc, &argv, usage, &sub)) >= 0)
		return ret;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (cli_common_opt(ctx, c, optarg))
			continue;
		switch (c) {
		case 'h': usage(stdout); return CLI_OK;
		case CLI_OPT_FIRST_FREE: name = optarg; break;
		default: return cli_usage_hint("ca");
		}
	}
	if (optind != argc) {
		cli_error(_("unexpected argument '%s'"), argv[optind]);
		return cli_usage_hint("ca");
	}
	if ((rc = cg_db_resolve_path(ctx->db_path, db, sizeof db)) || (rc = agent_ca_dir(db, dir, sizeof dir)))
		return cli_fail(rc);
	if (strcmp(sub, "init") == 0) {
		if (name && (!*name || strlen(name) > 64)) {
			cli_error("%s", _("--name: must be 1 to 64 bytes"));
			return cli_usage_hint("ca");
		}
		if ((rc = agent_ca_init(dir, name, cli_now(), &info)))
			return cli_fail(rc);
		if (!ctx->json)
			printf(_("CA created.\n"));
		print_info(ctx, dir, &info);
		return CLI_OK;
	}
	if (strcmp(sub, "show") == 0) {
		struct agent_ca *ca;
		if ((rc = agent_ca_load(dir, &ca)))
			return cli_fail(rc);
		agent_ca_get_info(ca, &info);
		agent_ca_free(ca);
		print_info(ctx, dir, &info);
		return CLI_OK;
	}
	cli_error(_("unknown sub-command '%s' (init or show)"), sub);
	return cli_usage_hint("ca");
}
