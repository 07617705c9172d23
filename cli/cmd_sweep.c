/* canhgac sweep plan — the hosts to sweep in priority order, what to sweep
 * on each and the command to run there. */
#include <string.h>

#include "cg_esc.h"
#include "cli.h"
#include "sweep_plan.h"

static void usage(FILE *f)
{
	fputs(_("Usage: canhgac sweep plan [--json]\n"
		"Plan the malware sweep: every inventory host in the order of 'canhgac priority' (hosts\n"
		"whose address is on a current intel list, such as the authority's botnet list, first;\n"
		"then hosts with log hits or Sigma alerts; then the rest), with the directories to sweep\n"
		"on it (by its operating system in the inventory: Windows, else Linux/Unix) and the\n"
		"'canhgac scan' command line to run there (replace RULES with the rule directory).\n\n"
		"Options:\n"
		"      --db PATH        database file\n"
		"      --json           machine-readable output (a JSON array)\n"
		"      --quiet          no progress display\n"
		"  -h, --help           show this help\n"),
	      f);
}

static json_t *host_json(const struct sweep_host *h)
{
	json_t *addrs = json_array(), *paths = json_array(), *reasons = json_array();
	for (size_t i = 0; i < h->n_addrs; i++)
		json_array_append_new(addrs, json_string(h->addrs[i]));
	for (size_t i = 0; i < h->n_paths; i++)
		json_array_append_new(paths, json_string(h->paths[i]));
	for (size_t i = 0; i < h->n_reasons; i++)
		json_array_append_new(reasons, json_string(h->reasons[i]));
	return json_pack("{s:i, s:s, s:s, s:s, s:s, s:i, s:I, s:o, s:o, s:o, s:s}", "rank", (int)h->rank, "host",
			 h->name, "system", h->system, "os", h->os, "os_family", sweep_os_name(h->family), "tier",
			 h->tier, "score", (json_int_t)h->score, "addresses", addrs, "reasons", reasons, "paths", paths,
			 "command", h->command);
}

static void print_host(const struct sweep_host *h)
{
	printf(_("%u. %s (tier %d, score %lld; %s)\n"), h->rank, cg_esc(h->name), h->tier, h->score,
	       *h->os ? cg_esc(h->os) : sweep_os_name(h->family));
	for (size_t i = 0; i < h->n_reasons; i++)
		printf("   - %s\n", cg_esc(h->reasons[i]));
	printf(_("   paths:"));
	for (size_t i = 0; i < h->n_paths; i++)
		printf(" %s", h->paths[i]);
	printf(_("\n   run:   %s\n"), cg_esc(h->command));
}

int cmd_sweep(struct cli_ctx *ctx, int argc, char **argv)
{
	struct sweep_plan *plan = NULL;
	struct cg_db *db = NULL;
	const char *sub;
	enum cg_err rc;
	int r;

	if ((r = cli_subcommand(&argc, &argv, usage, &sub)) >= 0)
		return r;
	if (strcmp(sub, "plan")) {
		cli_error(_("unknown sweep subcommand '%s'"), sub);
		return cli_usage_hint("sweep");
	}
	if ((r = cli_common_only(ctx, argc, argv, "sweep", usage)) >= 0)
		return r;
	if (optind != argc) {
		cli_error(_("sweep plan takes no arguments"));
		return cli_usage_hint("sweep");
	}
	if (cli_open_db_existing(ctx, &db) != 0)
		return CLI_FAIL;
	cg_err_clear();
	if ((rc = sweep_plan_build(db, &plan))) {
		cg_db_close(db);
		return cli_fail(rc);
	}
	if (ctx->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < sweep_plan_count(plan); i++)
			json_array_append_new(arr, host_json(sweep_plan_host(plan, i)));
		cli_json_pretty(arr);
	} else if (!sweep_plan_count(plan)) {
		printf("%s\n", _("No host in the inventory: add hosts with 'canhgac host add' or 'canhgac host import'."));
	} else {
		for (size_t i = 0; i < sweep_plan_count(plan); i++)
			print_host(sweep_plan_host(plan, i));
	}
	sweep_plan_free(plan);
	cg_db_close(db);
	return CLI_OK;
}
