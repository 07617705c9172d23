/* canhgac version — compare two versions in a packaging scheme. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "vercmp.h"

static void usage(FILE *f)
{
	fprintf(f, _("Usage: canhgac version compare --scheme SCHEME A B\n"
		     "       canhgac version check --scheme SCHEME V\n"
		     "Compare package versions as the packaging system does; prints '<', '=' or '>'.\n\n"
		     "Schemes:\n"
		     "  deb      Debian/Ubuntu, exactly as dpkg (epoch, '~', revision)\n"
		     "  rpm      RHEL family, exactly as rpmvercmp ('~', '^'), [EPOCH:]VERSION[-RELEASE]\n"
		     "  semver   Semantic Versioning 2.0.0\n"
		     "  bigip    F5 BIG-IP version and build ('17.1.0.3 build 0.75.4')\n"
		     "  zimbra   Zimbra release and patch ('8.8.15 Patch 41')\n"
		     "  generic  dotted versions of NVD/CPE ranges\n\n"
		     "Options:\n"
		     "  -s, --scheme SCHEME  the version scheme (required)\n"
		     "      --json           print {\"a\":..,\"b\":..,\"scheme\":..,\"result\":\"<\"}\n"
		     "  -h, --help           show this help\n\n"
		     "Exit status: 0 on success, 1 when a version is not valid in the scheme, 2 on usage errors.\n"));
}

int cmd_version(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_LONGOPTS,
		{"scheme", required_argument, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	enum vercmp_scheme scheme = VERCMP_SCHEME_COUNT;
	enum cg_err rc;
	int c, r;
	const char *sub;

	while ((c = getopt_long(argc, argv, "hs:", opts, NULL)) != -1) {
		if (cli_common_opt(ctx, c, optarg))
			continue;
		switch (c) {
		case 'h': usage(stdout); return CLI_OK;
		case 's':
			if ((rc = vercmp_scheme_parse(optarg, &scheme))) {
				cli_error("%s", cg_err_msg(rc));
				return cli_usage_hint("version");
			}
			break;
		default: return cli_usage_hint("version");
		}
	}
	if (optind >= argc) {
		cli_error(_("missing sub-command (compare or check)"));
		return cli_usage_hint("version");
	}
	sub = argv[optind++];
	if (scheme == VERCMP_SCHEME_COUNT) {
		cli_error(_("--scheme is required"));
		return cli_usage_hint("version");
	}
	if (strcmp(sub, "check") == 0) {
		if (argc - optind != 1) {
			cli_error(_("'version check' takes one version"));
			return cli_usage_hint("version");
		}
		rc = vercmp_check(scheme, argv[optind]);
		if (ctx->json) {
			json_t *o = json_pack("{s:s,s:s,s:b}", "version", argv[optind], "scheme",
					      vercmp_scheme_name(scheme), "valid", rc == CG_OK);
			if (o && rc)
				json_object_set_new(o, "error", json_string(cg_err_msg(rc)));
			cli_json_line(o);
		} else if (!rc) {
			printf(_("valid\n"));
		}
		return rc ? cli_fail(rc) : CLI_OK;
	}
	if (strcmp(sub, "compare") != 0) {
		cli_error(_("unknown sub-command '%s' (compare or check)"), sub);
		return cli_usage_hint("version");
	}
	if (argc - optind != 2) {
		cli_error(_("'version compare' takes two versions"));
		return cli_usage_hint("version");
	}
	cg_err_clear();
	if ((rc = vercmp_compare(scheme, argv[optind], argv[optind + 1], &r)))
		return cli_fail(rc);
	const char *sym = r < 0 ? "<" : r > 0 ? ">" : "=";
	if (ctx->json)
		cli_json_line(json_pack("{s:s,s:s,s:s,s:s}", "a", argv[optind], "b", argv[optind + 1], "scheme",
					vercmp_scheme_name(scheme), "result", sym));
	else
		printf("%s\n", sym);
	return CLI_OK;
}
