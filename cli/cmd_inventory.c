/* canhgac inventory — import and show software inventories of hosts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_file.h"
#include "cli.h"
#include "store_vuln.h"

static void usage(FILE *f)
{
	fprintf(f, _("Usage: canhgac inventory import HOST FILE [--format F] [--distro D] [--create-host]\n"
		     "       canhgac inventory list HOST\n"
		     "Import the software inventory of a host (replacing its previous items of that kind), or list it.\n\n"
		     "Formats (detected from the content unless --format is given):\n"
		     "  dpkg          /var/lib/dpkg/status of Debian/Ubuntu\n"
		     "  rpm           rpm -qa, or rpm -qa --qf '%%{NAME} %%{EPOCH}:%%{VERSION}-%%{RELEASE} %%{ARCH}\\n'\n"
		     "  windows-csv   Get-CimInstance Win32_Product / Get-HotFix ... | Export-Csv\n"
		     "  windows-json  the same piped to ConvertTo-Json\n"
		     "  systeminfo    output of systeminfo (English; no build revision: taken from the newest\n"
		     "                known cumulative update listed, else findings say 'verify')\n"
		     "  windows-os    Windows product and full build as JSON, from\n"
		     "                Get-ItemProperty 'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion' |\n"
		     "                Select-Object ProductName,DisplayVersion,CurrentBuild,UBR,InstallationType |\n"
		     "                ConvertTo-Json\n"
		     "  bigip         F5 BIG-IP 'tmsh show sys version' or /VERSION\n"
		     "  zimbra        Zimbra 'zmcontrol -v'\n"
		     "  cpe           one CPE 2.3 name a line\n\n"
		     "Options:\n"
		     "  -f, --format F     inventory format (default: auto)\n"
		     "      --distro D     distribution release of the host, e.g. Debian:12 (narrows advisories;\n"
		     "                     default: read from /etc/os-release lines at the top of the file)\n"
		     "      --create-host  add HOST when it does not exist yet\n"
		     "      --db PATH      database file\n"
		     "      --json         machine-readable output\n"
		     "      --quiet        no progress display\n"
		     "  -h, --help         show this help\n"));
}

static enum cg_err print_item(void *ctx, const struct inv_item *it)
{
	const struct cli_ctx *c = ctx;
	if (c->json) {
		cli_json_line(json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "kind", inv_kind_name(it->kind), "name",
					it->name, "version", it->version, "arch", it->arch, "source", it->source,
					"source_version", it->source_version, "update", it->update));
	} else {
		printf("%-12s %-40s %-32s %s\n", inv_kind_name(it->kind), it->name, it->version, it->arch);
	}
	return CG_OK;
}

int cmd_inventory(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_LONGOPTS,
		{"format", required_argument, NULL, 'f'},
		{"distro", required_argument, NULL, CLI_OPT_FIRST_FREE},
		{"create-host", no_argument, NULL, CLI_OPT_FIRST_FREE + 1},
		{NULL, 0, NULL, 0},
	};
	enum inv_format fmt = INV_AUTO;
	const char *distro = NULL, *sub;
	int c, create = 0, ret;
	struct cg_db *db = NULL;
	enum cg_err rc;

	while ((c = getopt_long(argc, argv, "hf:", opts, NULL)) != -1) {
		if (cli_common_opt(ctx, c, optarg))
			continue;
		switch (c) {
		case 'h': usage(stdout); return CLI_OK;
		case 'f':
			if ((rc = inv_format_parse(optarg, &fmt))) {
				cli_error("%s", cg_err_msg(rc));
				return cli_usage_hint("inventory");
			}
			break;
		case CLI_OPT_FIRST_FREE: distro = optarg; break;
		case CLI_OPT_FIRST_FREE + 1: create = 1; break;
		default: return cli_usage_hint("inventory");
		}
	}
	if (optind >= argc) {
		cli_error(_("missing sub-command (import or list)"));
		return cli_usage_hint("inventory");
	}
	sub = argv[optind++];
	if (strcmp(sub, "import") == 0) {
		char *buf = NULL;
		size_t len;
		struct inv_import_stats st;

		if (argc - optind != 2) {
			cli_error(_("'inventory import' takes HOST and FILE"));
			return cli_usage_hint("inventory");
		}
		if (distro && (!strchr(distro, ':') || strlen(distro) > 64)) {
			cli_error(_("--distro '%s': expected ECOSYSTEM:RELEASE, e.g. Debian:12"), distro);
			return cli_usage_hint("inventory");
		}
		cg_err_clear();
		if ((rc = cg_file_read(argv[optind + 1], CG_FILE_DEFAULT_CAP, &buf, &len)))
			return cli_fail(rc);
		if ((ret = cli_open_db(ctx, &db))) {
			free(buf);
			return ret;
		}
		rc = store_inv_import(db, argv[optind], argv[optind + 1], buf, len, fmt, distro, create, &st);
		free(buf);
		cg_db_close(db);
		if (rc)
			return cli_fail(rc);
		if (ctx->json) {
			json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:b}", "host", argv[optind], "file", argv[optind + 1],
					      "format", inv_format_name(st.format), "items", (json_int_t)st.items,
					      "created_host", st.created_host);
			if (o && st.distro_guessed[0])
				json_object_set_new(o, "distro_from_os_release", json_string(st.distro_guessed));
			cli_json_line(o);
		} else {
			printf(_("%s: %zu items (%s) imported for host %s\n"), argv[optind + 1], st.items,
			       inv_format_name(st.format), argv[optind]);
			if (st.distro_guessed[0])
				printf(_("distribution release from the file's os-release lines: %s\n"), st.distro_guessed);
		}
		return CLI_OK;
	}
	if (strcmp(sub, "list") == 0) {
		if (argc - optind != 1) {
			cli_error(_("'inventory list' takes HOST"));
			return cli_usage_hint("inventory");
		}
		if ((ret = cli_open_db(ctx, &db)))
			return ret;
		rc = store_inv_foreach(db, argv[optind], print_item, ctx);
		cg_db_close(db);
		return rc ? cli_fail(rc) : CLI_OK;
	}
	cli_error(_("unknown sub-command '%s' (import or list)"), sub);
	return cli_usage_hint("inventory");
}
