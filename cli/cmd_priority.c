/* canhgac priority — the hosts to sweep first, with the reason for each. */
#include <string.h>

#include "cg_esc.h"
#include "cli.h"
#include "priority.h"

/* Print `s` left-aligned in `width` columns plus a space; counts UTF-8
 * characters, not bytes, so Vietnamese names line up. */
static void usage(FILE *f)
{
	fputs(_("Usage: canhgac priority [--limit N] [--system S] [--all] [--json]\n"
		"Rank the inventory hosts to sweep first: hosts whose address is on a current intel list,\n"
		"then hosts whose logs show traffic with listed indicators or where a Sigma rule of level\n"
		"medium or above fired (open alerts), weighted by the security level of their system.\n"
		"Hits and alerts that no inventory host could be given are listed at the end.\n\n"
		"Options:\n"
		"  -n, --limit N      show at most N hosts\n"
		"  -s, --system S     only hosts of information system S\n"
		"  -a, --all          also list hosts with no listing and no hits\n"
		"      --db PATH      database file\n"
		"      --json         machine-readable output (a JSON array)\n"
		"      --quiet        no progress display\n"
		"  -h, --help         show this help\n\n"
		"Order: tier (1 on a list, 2 log hits or Sigma alerts, 3 nothing), then\n"
		"score = L x (1 + E + floor(log2(1 + N)) + D + floor(log2(1 + M)) + S), then host name.\n"
		"See 'man canhgac-priority'.\n"),
	      f);
}

static json_t *hits_json(const struct priority_hits *h)
{
	json_t *peers = json_array();
	char t[32] = "";

	for (size_t i = 0; i < h->n_peers; i++)
		json_array_append_new(peers, json_string(h->peers[i]));
	if (h->last_seen)
		cg_time_iso(h->last_seen, t, sizeof t);
	return json_pack("{s:I, s:I, s:s, s:s, s:o, s:o}", "lines", (json_int_t)h->lines, "indicators",
			 (json_int_t)h->indicators, "families", h->families, "sources", h->sources, "last_seen",
			 h->last_seen ? json_string(t) : json_null(), "indicator_list", peers);
}

static json_t *sigma_json(const struct priority_sigma *sg)
{
	json_t *alerts = json_array();
	char t[32] = "";

	for (size_t i = 0; i < sg->n_alerts; i++) {
		const struct priority_sigma_alert *x = &sg->alerts[i];
		char a[32] = "", b[32] = "";
		if (x->first_seen)
			cg_time_iso(x->first_seen, a, sizeof a);
		if (x->last_seen)
			cg_time_iso(x->last_seen, b, sizeof b);
		json_array_append_new(alerts, json_pack("{s:s, s:s, s:s, s:s, s:I, s:o, s:o}", "id", x->id, "rule_id",
							x->rule_id, "title", x->title, "level", x->level, "count",
							(json_int_t)x->count, "first_seen",
							x->first_seen ? json_string(a) : json_null(), "last_seen",
							x->last_seen ? json_string(b) : json_null()));
	}
	if (sg->last_seen)
		cg_time_iso(sg->last_seen, t, sizeof t);
	return json_pack("{s:I, s:I, s:I, s:s, s:o, s:o}", "rules", (json_int_t)sg->rules, "events",
			 (json_int_t)sg->events, "weight", (json_int_t)sg->weight, "max_level", sg->max_level,
			 "last_seen", sg->last_seen ? json_string(t) : json_null(), "alerts", alerts);
}

static json_t *host_json(const struct priority_host *p)
{
	json_t *addrs = json_array(), *reasons = json_array(), *on_list = json_array();
	static const char *const tiers[] = {"", "listed", "hits", "none"};

	for (size_t i = 0; i < p->n_addrs; i++)
		json_array_append_new(addrs, json_string(p->addrs[i]));
	for (size_t i = 0; i < p->n_reasons; i++)
		json_array_append_new(reasons, json_string(p->reasons[i]));
	for (size_t i = 0; i < p->n_on_list; i++) {
		const struct priority_listing *l = &p->on_list[i];
		json_array_append_new(on_list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "addr", l->addr,
							 "source", l->source, "list", l->list, "entry", l->entry,
							 "entry_type", l->entry_type, "family", l->family, "first_seen",
							 l->first_seen, "last_seen", l->last_seen));
	}
	return json_pack("{s:s, s:i, s:s, s:s, s:i, s:o, s:i, s:s, s:I, s:o, s:o, s:o, s:o}", "kind", "host", "rank",
			 (int)p->rank, "host", p->name, "system", p->system, "level", p->level, "addresses", addrs,
			 "tier", (int)p->tier, "tier_name", tiers[p->tier], "score", (json_int_t)p->score, "reasons",
			 reasons, "on_list", on_list, "hits", hits_json(&p->hits), "sigma", sigma_json(&p->sigma));
}

static json_t *unattributed_json(const struct priority_unattributed *u)
{
	return json_pack("{s:s, s:n, s:s, s:o, s:o}", "kind", "unattributed", "host", "label", u->label, "hits",
			 hits_json(&u->hits), "sigma", sigma_json(&u->sigma));
}

static void print_human(const struct priority_report *r, const struct priority_opts *opts)
{
	size_t n = priority_report_count(r), nu = priority_report_unattributed_count(r);

	if (n == 0)
		printf("%s\n", _("No host to sweep: no inventory address is on a current list and no log hit or "
				 "Sigma alert is attributed to an inventory host."));
	else
	{
		cli_put_col(_("RANK"), 4);
		cli_put_col(_("TIER"), 4);
		cli_put_col(_("SCORE"), 6);
		cli_put_col(_("HOST"), 24);
		cli_put_col(_("LEVEL"), 5);
		printf("%s\n", _("SYSTEM"));
	}
	for (size_t i = 0; i < n; i++) {
		const struct priority_host *p = priority_report_host(r, i);
		printf("%-4u %-4d %-6lld ", p->rank, (int)p->tier, (long long)p->score);
		cli_put_col(p->name, 24);
		printf("%-5d %s\n", p->level, *p->system ? p->system : "-");
		for (size_t k = 0; k < p->n_reasons; k++)
			printf("      - %s\n", cg_esc(p->reasons[k]));
	}
	if (priority_report_total(r) > n)
		printf(_("(%zu more hosts; use --limit to see them)\n"), priority_report_total(r) - n);
	if (nu) {
		printf("\n%s\n", _("Hits and alerts not attributed to any inventory host:"));
		for (size_t i = 0; i < nu; i++) {
			const struct priority_unattributed *u = priority_report_unattributed(r, i);
			char t[32] = "-";
			printf("  ");
			cli_put_col(*u->label ? u->label : _("(no host in the line)"), 24);
			if (u->hits.lines) {
				if (u->hits.last_seen)
					cg_time_iso(u->hits.last_seen, t, sizeof t);
				printf(_("%llu lines, %llu listed indicators%s%s, last seen %s\n"),
				       (unsigned long long)u->hits.lines, (unsigned long long)u->hits.indicators,
				       *u->hits.families ? "; " : "", u->hits.families, t);
			}
			if (u->sigma.rules) {
				char s[32] = "-";
				if (u->sigma.last_seen)
					cg_time_iso(u->sigma.last_seen, s, sizeof s);
				if (u->hits.lines)
					printf("  %-24s ", "");
				printf(_("%llu Sigma rules (up to %s) on %llu events, last seen %s\n"),
				       (unsigned long long)u->sigma.rules, u->sigma.max_level,
				       (unsigned long long)u->sigma.events, s);
			}
		}
		printf("%s\n", _("Add these hosts to the inventory (canhgac host add) to rank them."));
	}
	(void)opts;
}

int cmd_priority(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{"limit", required_argument, NULL, 'n'},
		{"system", required_argument, NULL, 's'},
		{"all", no_argument, NULL, 'a'},
		{NULL, 0, NULL, 0},
	};
	struct priority_opts opts = {0};
	struct priority_report *r = NULL;
	struct cg_db *db = NULL;
	enum cg_err rc;
	long limit;
	int c;

	while ((c = getopt_long(argc, argv, "hn:s:a", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return CLI_OK;
		case 'n':
			if (cli_parse_long(optarg, 1, 1000000, &limit) != 0) {
				cli_error(_("--limit: '%s' is not a number from 1 to 1000000"), optarg);
				return CLI_USAGE;
			}
			opts.limit = (size_t)limit;
			break;
		case 's': opts.system = optarg; break;
		case 'a': opts.all = 1; break;
		default:
			if (cli_common_opt(ctx, c, optarg))
				break;
			return cli_usage_hint("priority");
		}
	}
	if (optind != argc) {
		cli_error(_("unexpected argument '%s'"), argv[optind]);
		return cli_usage_hint("priority");
	}
	if (cli_open_db_existing(ctx, &db))
		return CLI_FAIL;
	if ((rc = priority_run(db, &opts, &r))) {
		cg_db_close(db);
		return cli_fail(rc);
	}
	if (ctx->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < priority_report_count(r); i++)
			json_array_append_new(arr, host_json(priority_report_host(r, i)));
		for (size_t i = 0; i < priority_report_unattributed_count(r); i++)
			json_array_append_new(arr, unattributed_json(priority_report_unattributed(r, i)));
		cli_json_pretty(arr);
	} else {
		print_human(r, &opts);
	}
	priority_report_free(r);
	cg_db_close(db);
	return CLI_OK;
}
