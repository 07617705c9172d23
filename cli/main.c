/* canhgac — command dispatch. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cg_esc.h"
#include "cg_out.h"
#include "cli.h"
#include "config.h"

struct command {
	const char *name;
	int (*fn)(struct cli_ctx *ctx, int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{"intel", cmd_intel, N_("import, list, compare and remove threat-intel sources")},
	{"hunt", cmd_hunt, N_("search log files for indicators (exact IP, CIDR, domain, hash)")},
	{"scan", cmd_scan, N_("sweep files for malware: YARA rules, listed hashes, EICAR, inside archives")},
	{"quarantine", cmd_quarantine, N_("files taken away by a sweep: list, show, restore, purge")},
	{"sweep", cmd_sweep, N_("plan the malware sweep: hosts in priority order, paths and commands")},
	{"system", cmd_system, N_("manage information systems and their security levels")},
	{"host", cmd_host, N_("manage hosts: add, import from CSV, list")},
	{"priority", cmd_priority, N_("rank the hosts to sweep first")},
	{"inventory", cmd_inventory, N_("import software inventories of hosts")},
	{"vuln", cmd_vuln, N_("advisories (NVD, OSV, KEV), vulnerability scan, findings and reports")},
	{"version", cmd_version, N_("compare package versions (deb, rpm, semver, BIG-IP, Zimbra)")},
	{"block", cmd_block, N_("blocking decisions and their export to nftables, ipset, DNS RPZ")},
	{"order", cmd_order, N_("blocking orders from the authority and their enforcement status")},
	{"sigma", cmd_sigma, N_("check Sigma rules and hunt EVTX/JSON logs with them")},
	{"compliance", cmd_compliance, N_("security-level compliance: host facts, requirement status, gaps")},
	{"report", cmd_report, N_("write the readiness report (HTML, Vietnamese or English)")},
	{"incident", cmd_incident, N_("incidents, their reports (Circular 20/2017), sharing (STIX, MISP)")},
	{"evidence", cmd_evidence, N_("forensic evidence with a chain of custody; bundles that verify anywhere")},
	{"phish", cmd_phish, N_("check e-mails reported as phishing against the intel store")},
	{"reload", cmd_reload, N_("make the running canhgacd read its rules and intel again")},
	{"duty", cmd_duty, N_("the duty roster: who is on duty, notices, escalation, acknowledgements")},
	{"alert", cmd_alert, N_("alerts: list, show, verify, dismiss, close, comment")},
	{"ca", cmd_ca, N_("the certificate authority of the agents")},
	{"agent", cmd_agent, N_("agents on the hosts: enrolment tokens, list, revoke, tasks")},
};

static void usage(FILE *f)
{
	fprintf(f, _("Usage: canhgac [--db PATH] [--json] COMMAND [ARGS...]\n"
		     "A security-operations toolkit for agencies and ISPs.\n\nCommands:\n"));
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
	fprintf(f, _("\nOptions (also accepted after COMMAND):\n"
		     "  --db PATH   database file (default: $CANHGAC_DB or ~/.local/share/canhgac/canhgac.db)\n"
		     "  --json      machine-readable output\n"
		     "  --quiet     no progress display\n"
		     "  -h, --help  show this help\n"
		     "  --version   show the version\n\n"
		     "Run 'canhgac COMMAND --help' for a command's options; 'man canhgac-COMMAND' for details.\n"));
}

static int run(int argc, char **argv)
{
	struct cli_ctx ctx = {.prog = "canhgac"};
	int i = 1;

	cg_i18n_init();
	cli_init();
	ctx.out_tty = isatty(1);
	ctx.err_tty = isatty(2);

	/* Global options before the command. */
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return CLI_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("canhgac %s\n", CG_VERSION);
			return CLI_OK;
		} else if (strcmp(argv[i], "--json") == 0) {
			ctx.json = 1;
		} else if (strcmp(argv[i], "--quiet") == 0) {
			ctx.quiet = 1;
		} else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			ctx.db_path = argv[++i];
		} else if (strncmp(argv[i], "--db=", 5) == 0) {
			ctx.db_path = argv[i] + 5;
		} else {
			cli_error(_("unknown option '%s'"), argv[i]);
			usage(stderr);
			return CLI_USAGE;
		}
		i++;
	}
	if (i >= argc) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[i], "help") == 0) {
		usage(stdout);
		return CLI_OK;
	}
	for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++) {
		if (strcmp(argv[i], commands[k].name) == 0) {
			optind = 1;
			return commands[k].fn(&ctx, argc - i, argv + i);
		}
	}
	cli_error(_("unknown command '%s'"), argv[i]);
	usage(stderr);
	return CLI_USAGE;
}

/* Every command's standard output is checked once at the end: `canhgac hunt >
 * /full/disk` must not exit 0 with half its hits lost. */
int main(int argc, char **argv)
{
	cli_clock_init();
	int st = run(argc, argv);
	enum cg_err rc = cg_out_close_stdout();

	/* A command that failed already said why (often this very error). */
	if (rc && st == CLI_OK) {
		cli_error("%s", cg_err_msg(rc));
		st = CLI_FAIL;
	}
	cg_esc_free();
	return st;
}
