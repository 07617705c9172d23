/* canhgac compliance — host facts, requirement statuses, awareness records,
 * sweeps, and where each system stands against its security level. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalogue.h"
#include "cg_file.h"
#include "cg_time.h"
#include "cli.h"
#include "compliance.h"
#include "host_facts.h"
#include "os_eol.h"
#include "store_compliance.h"

static void usage(FILE *f)
{
	fputs(_("Usage: canhgac compliance facts import HOST FILE... [--tool T] [--units U1,U2] [--by NAME]\n"
		"       canhgac compliance facts set HOST KEY VALUE [--by NAME]\n"
		"       canhgac compliance facts list [HOST]\n"
		"       canhgac compliance status SYSTEM [--catalogue FILE]\n"
		"       canhgac compliance set SYSTEM REQ --state S --evidence TEXT [--by NAME]\n"
		"       canhgac compliance report [SYSTEM] [--catalogue FILE]\n"
		"       canhgac compliance history SYSTEM\n"
		"       canhgac compliance awareness add --kind briefing|phishing --date YYYY-MM-DD --title T\n"
		"                 --people N [--clicked N] [--reported N] [--attendees LIST] [--by NAME]\n"
		"       canhgac compliance awareness list\n"
		"       canhgac compliance sweep HOST [--note TEXT] [--by NAME]\n"
		"       canhgac compliance agency [--name NAME] [--contact TEXT]\n"
		"       canhgac compliance catalogue [--catalogue FILE]\n"
		"Review information systems against the requirements of their security level\n"
		"(Decree 85/2016/ND-CP, TCVN 11930:2017): facts from host tools, statuses, gaps.\n\n"
		"Options:\n"
		"  -t, --tool T           tool that wrote the file: sshd-T, nft, timedatectl, auditctl,\n"
		"                         os-release, systemctl, secedit, mpstatus, auditpol (default: detect)\n"
		"  -u, --units LIST       units given to 'systemctl is-active', in order\n"
		"  -b, --by NAME          who imports or confirms (default: $USER)\n"
		"  -c, --catalogue FILE   requirement catalogue (default: the bundled TCVN 11930:2017 one)\n"
		"  -s, --state S          met, not_met, unknown or not_applicable\n"
		"  -e, --evidence TEXT    what shows the state\n"
		"  -k, --kind K           briefing or phishing\n"
		"      --date D           when it was held (YYYY-MM-DD)\n"
		"      --title T          title of the briefing or exercise\n"
		"      --people N         attendees (briefing) or recipients (phishing)\n"
		"      --clicked N        recipients who clicked\n"
		"      --reported N       recipients who reported the message\n"
		"      --attendees LIST   names or units that attended\n"
		"  -n, --note TEXT        note on a sweep\n"
		"      --name NAME        agency name shown in the report\n"
		"      --contact TEXT     incident-response contact point shown in the report\n"
		"      --db PATH          database file\n"
		"      --json             machine-readable output\n"
		"      --quiet            no progress display\n"
		"  -h, --help             show this help\n"),
	      f);
}

enum {
	OPT_DATE = CLI_OPT_FIRST_FREE,
	OPT_TITLE,
	OPT_PEOPLE,
	OPT_CLICKED,
	OPT_REPORTED,
	OPT_ATTENDEES,
	OPT_NAME,
	OPT_CONTACT,
};

struct opts {
	const char *tool, *units, *by, *catalogue, *state, *evidence, *kind, *date, *title, *attendees, *note, *name,
		*contact;
	long people, clicked, reported;
};

static const char *who(const struct opts *o)
{
	const char *u = o->by ? o->by : getenv("USER");
	return u && *u ? u : "unknown";
}

static const char *ui_lang(void)
{
	const char *l = getenv("LANGUAGE");
	if (!l || !*l)
		l = getenv("LC_ALL");
	if (!l || !*l)
		l = getenv("LC_MESSAGES");
	if (!l || !*l)
		l = getenv("LANG");
	return l && strncmp(l, "vi", 2) == 0 ? "vi" : "en";
}

static int load_catalogue(const char *path, struct comp_catalogue **out)
{
	enum cg_err rc;
	if (!path)
		rc = comp_catalogue_bundled(out);
	else {
		char *buf;
		size_t len;
		if ((rc = cg_file_read(path, COMP_CATALOGUE_MAX_BYTES, &buf, &len)))
			return cli_fail(rc);
		rc = comp_catalogue_parse(path, buf, len, out);
		free(buf);
	}
	return rc ? cli_fail(rc) : CLI_OK;
}

static int facts_import(struct cli_ctx *ctx, struct cg_db *db, const struct opts *o, int argc, char **argv)
{
	if (argc < 2) {
		cli_error(_("facts import needs a HOST and at least one FILE"));
		return CLI_USAGE;
	}
	const char *host = argv[0];
	json_t *arr = json_array();
	int status = CLI_OK;
	for (int i = 1; i < argc; i++) {
		char *buf = NULL;
		size_t len;
		enum fact_tool tool;
		struct host_facts hf = {0};
		size_t changed = 0;
		enum cg_err rc = cg_file_read(argv[i], HOST_FACTS_FILE_MAX, &buf, &len);
		if (!rc)
			rc = o->tool ? fact_tool_from_name(o->tool, &tool) : fact_tool_detect(argv[i], buf, len, &tool);
		if (!rc)
			rc = host_facts_parse(tool, argv[i], buf, len, o->units, &hf);
		if (!rc)
			rc = store_comp_facts_put(db, host, argv[i], &hf, who(o), cg_now(), &changed);
		free(buf);
		if (rc) {
			status = cli_fail(rc);
			host_facts_clear(&hf);
			continue;
		}
		if (ctx->json)
			json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:I,s:I}", "host", host, "file", argv[i], "tool",
							     fact_tool_name(tool), "facts", (json_int_t)hf.n, "changed",
							     (json_int_t)changed));
		else
			printf(_("%s: %s (%s): %zu facts, %zu changed\n"), host, argv[i], fact_tool_name(tool), hf.n, changed);
		host_facts_clear(&hf);
	}
	if (ctx->json)
		cli_json_pretty(arr);
	else
		json_decref(arr);
	return status;
}

static enum cg_err print_fact(void *c, const struct comp_fact_row *f)
{
	struct cli_ctx *ctx = ((void **)c)[0];
	json_t *arr = ((void **)c)[1];
	char at[32];
	cg_time_iso(f->at, at, sizeof at);
	if (ctx->json)
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "host", f->host, "key", f->key, "value",
						     f->value, "tool", f->tool, "file", f->file, "by", f->by, "at", at));
	else
		printf("%-28s %-36s %-20s %s %s\n", f->host, f->key, f->value, f->tool, at);
	return CG_OK;
}

static void print_result(const struct comp_result *r, const char *lang, json_t *arr)
{
	char at[32] = "";
	if (r->at)
		cg_time_iso(r->at, at, sizeof at);
	if (arr) {
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:b,s:s,s:s,s:s}", "id", r->req->id, "group",
						     comp_group_key(r->req->group), "title", comp_req_title(r->req, lang),
						     "state", comp_state_key(r->state), "automatic", r->automatic,
						     "evidence", r->evidence, "by", r->by, "at", at));
		return;
	}
	printf("%-8s ", r->req->id);
	cli_put_col(comp_state_name(r->state), 14);
	printf("%s\n", comp_req_title(r->req, lang));
	if (r->evidence[0])
		printf(_("         evidence: %s\n"), r->evidence);
	if (r->by[0])
		printf(_("         confirmed by %s at %s%s\n"), r->by, at, r->automatic ? _(" (automatic check)") : "");
}

static int status_cmd(struct cli_ctx *ctx, struct cg_db *db, const struct opts *o, const char *system, int gaps_only)
{
	struct comp_catalogue *cat = NULL;
	struct os_eol *eol = NULL;
	struct comp_eval *ev = NULL;
	const char *lang = ui_lang();
	int st = load_catalogue(o->catalogue, &cat);
	enum cg_err rc;
	if (st)
		return st;
	if ((rc = os_eol_bundled(&eol)) || (rc = comp_evaluate(db, cat, eol, system, cg_now(), lang, &ev))) {
		st = cli_fail(rc);
		goto out;
	}
	json_t *top = ctx->json ? json_array() : NULL;
	if (gaps_only) {
		for (size_t i = 0; i < comp_eval_gap_count(ev); i++) {
			const struct comp_gap *g = comp_eval_gap(ev, i);
			if (top) {
				json_t *one = json_array();
				print_result(g->result, lang, one);
				json_t *o1 = json_array_get(one, 0);
				json_object_set_new(o1, "system", json_string(g->system->name));
				json_object_set_new(o1, "level", json_integer(g->system->level));
				json_array_append(top, o1);
				json_decref(one);
			} else {
				printf("%d  %s  ", g->system->level, g->system->name);
				print_result(g->result, lang, NULL);
			}
		}
		if (!top && !comp_eval_gap_count(ev))
			printf(_("No gaps: every applicable requirement is met.\n"));
	} else {
		for (size_t i = 0; i < comp_eval_count(ev); i++) {
			const struct comp_system_result *s = comp_eval_system(ev, i);
			json_t *reqs = top ? json_array() : NULL;
			if (!top)
				printf(_("System %s (level %d, %zu hosts): %d%% met — %zu met, %zu not met, %zu unknown, %zu not applicable\n"),
				       s->name, s->level, s->n_hosts, comp_system_percent(s), s->met, s->not_met, s->unknown,
				       s->not_applicable);
			for (size_t k = 0; k < s->n_results; k++)
				print_result(&s->results[k], lang, reqs);
			if (top)
				json_array_append_new(top, json_pack("{s:s,s:i,s:I,s:i,s:I,s:I,s:I,s:I,s:o}", "system", s->name,
								     "level", s->level, "hosts", (json_int_t)s->n_hosts,
								     "percent", comp_system_percent(s), "met", (json_int_t)s->met,
								     "not_met", (json_int_t)s->not_met, "unknown",
								     (json_int_t)s->unknown, "not_applicable",
								     (json_int_t)s->not_applicable, "requirements", reqs));
		}
	}
	if (top)
		cli_json_pretty(top);
out:
	comp_eval_free(ev);
	os_eol_free(eol);
	comp_catalogue_free(cat);
	return st;
}

static enum cg_err print_status_row(void *c, const struct comp_status_row *s)
{
	json_t *arr = c;
	char at[32];
	cg_time_iso(s->at, at, sizeof at);
	if (arr)
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "system", s->system, "requirement", s->req,
						     "state", s->state, "evidence", s->evidence, "by", s->by, "at", at));
	else
		printf("%s  %-8s %-15s %s — %s\n", at, s->req, s->state, s->by, s->evidence);
	return CG_OK;
}

static enum cg_err print_awareness(void *c, const struct comp_awareness_row *a)
{
	json_t *arr = c;
	char day[32];
	cg_time_iso(a->held_on, day, sizeof day);
	day[10] = '\0';
	if (arr)
		json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:s}", "id", (json_int_t)a->id, "kind",
						     a->kind, "date", day, "title", a->title, "attendees", a->attendees,
						     "people", (json_int_t)a->n_people, "clicked", (json_int_t)a->n_clicked,
						     "reported", (json_int_t)a->n_reported, "by", a->by));
	else
		printf("%s  %-9s %-40s %lld/%lld/%lld  %s\n", day, a->kind, a->title, (long long)a->n_people,
		       (long long)a->n_clicked, (long long)a->n_reported, a->by);
	return CG_OK;
}

static int parse_day(const char *s, int64_t *out)
{
	int y, m, d;
	char tail;
	if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 ||
	    d > cg_days_in_month(y, m))
		return -1;
	*out = cg_days_from_civil(y, m, d) * 86400;
	return 0;
}

static int run(struct cli_ctx *ctx, struct cg_db *db, const struct opts *o, const char *sub, int n, char **args)
{
	enum cg_err rc = CG_OK;
	if (strcmp(sub, "facts") == 0) {
		if (n >= 1 && strcmp(args[0], "import") == 0)
			return facts_import(ctx, db, o, n - 1, args + 1);
		if (n == 4 && strcmp(args[0], "set") == 0) {
			if ((rc = store_comp_fact_set(db, args[1], args[2], args[3], who(o), cg_now())))
				return cli_fail(rc);
			if (!ctx->json)
				printf(_("%s: %s = %s\n"), args[1], args[2], args[3]);
			else
				cli_json_line(json_pack("{s:s,s:s,s:s}", "host", args[1], "key", args[2], "value", args[3]));
			return CLI_OK;
		}
		if ((n == 1 || n == 2) && strcmp(args[0], "list") == 0) {
			json_t *arr = ctx->json ? json_array() : NULL;
			void *c[2] = {ctx, arr};
			if ((rc = store_comp_facts_foreach(db, n == 2 ? args[1] : NULL, print_fact, c))) {
				json_decref(arr);
				return cli_fail(rc);
			}
			if (arr)
				cli_json_pretty(arr);
			return CLI_OK;
		}
	} else if (strcmp(sub, "status") == 0 && n == 1) {
		return status_cmd(ctx, db, o, args[0], 0);
	} else if (strcmp(sub, "report") == 0 && n <= 1) {
		return status_cmd(ctx, db, o, n ? args[0] : NULL, 1);
	} else if (strcmp(sub, "set") == 0 && n == 2) {
		enum comp_state s;
		struct comp_catalogue *cat;
		int st;
		if (!o->state || !o->evidence) {
			cli_error(_("set needs --state and --evidence"));
			return CLI_USAGE;
		}
		if ((rc = comp_state_from_key(o->state, &s)))
			return cli_fail(rc);
		if ((st = load_catalogue(o->catalogue, &cat)))
			return st;
		int known = comp_catalogue_find(cat, args[1]) != NULL;
		comp_catalogue_free(cat);
		if (!known) {
			cli_error(_("requirement '%s' is not in the catalogue"), args[1]);
			return CLI_FAIL;
		}
		if ((rc = store_comp_status_add(db, args[0], args[1], o->state, o->evidence, who(o), cg_now())))
			return cli_fail(rc);
		if (ctx->json)
			cli_json_line(json_pack("{s:s,s:s,s:s}", "system", args[0], "requirement", args[1], "state", o->state));
		else
			printf(_("%s: %s is now %s\n"), args[0], args[1], comp_state_name(s));
		return CLI_OK;
	} else if (strcmp(sub, "history") == 0 && n == 1) {
		json_t *arr = ctx->json ? json_array() : NULL;
		if ((rc = store_comp_status_foreach(db, args[0], 0, print_status_row, arr))) {
			json_decref(arr);
			return cli_fail(rc);
		}
		if (arr)
			cli_json_pretty(arr);
		return CLI_OK;
	} else if (strcmp(sub, "awareness") == 0 && n == 1 && strcmp(args[0], "list") == 0) {
		json_t *arr = ctx->json ? json_array() : NULL;
		if ((rc = store_comp_awareness_foreach(db, print_awareness, arr))) {
			json_decref(arr);
			return cli_fail(rc);
		}
		if (arr)
			cli_json_pretty(arr);
		return CLI_OK;
	} else if (strcmp(sub, "awareness") == 0 && n == 1 && strcmp(args[0], "add") == 0) {
		struct comp_awareness_row a = {0};
		if (!o->kind || (strcmp(o->kind, "briefing") != 0 && strcmp(o->kind, "phishing") != 0)) {
			cli_error(_("--kind must be 'briefing' or 'phishing'"));
			return CLI_USAGE;
		}
		if (parse_day(o->date, &a.held_on)) {
			cli_error(_("--date: '%s' is not a YYYY-MM-DD date"), o->date ? o->date : "");
			return CLI_USAGE;
		}
		if (!o->title || o->people < 0) {
			cli_error(_("awareness add needs --title and --people"));
			return CLI_USAGE;
		}
		a.kind = o->kind;
		a.title = o->title;
		a.attendees = o->attendees ? o->attendees : "";
		a.by = who(o);
		a.n_people = o->people;
		a.n_clicked = o->clicked;
		a.n_reported = o->reported;
		a.at = cg_now();
		if ((rc = store_comp_awareness_add(db, &a, &a.id)))
			return cli_fail(rc);
		if (ctx->json)
			cli_json_line(json_pack("{s:I,s:s}", "id", (json_int_t)a.id, "kind", a.kind));
		else
			printf(_("Recorded %s '%s' (id %lld)\n"), a.kind, a.title, (long long)a.id);
		return CLI_OK;
	} else if (strcmp(sub, "sweep") == 0 && n == 1) {
		if ((rc = store_comp_sweep_add(db, args[0], who(o), o->note ? o->note : "", cg_now())))
			return cli_fail(rc);
		if (ctx->json)
			cli_json_line(json_pack("{s:s,s:s}", "host", args[0], "by", who(o)));
		else
			printf(_("Sweep of %s recorded\n"), args[0]);
		return CLI_OK;
	} else if (strcmp(sub, "agency") == 0 && n == 0) {
		char name[512], contact[1024];
		if ((o->name && (rc = store_comp_setting_set(db, "agency", o->name))) ||
		    (o->contact && (rc = store_comp_setting_set(db, "contact", o->contact))) ||
		    (rc = store_comp_setting_get(db, "agency", name, sizeof name)) ||
		    (rc = store_comp_setting_get(db, "contact", contact, sizeof contact)))
			return cli_fail(rc);
		if (ctx->json)
			cli_json_line(json_pack("{s:s,s:s}", "agency", name, "contact", contact));
		else
			printf(_("Agency:   %s\nContact:  %s\n"), name, contact);
		return CLI_OK;
	}
	cli_error(_("compliance: unknown subcommand or wrong arguments: '%s'"), sub);
	return cli_usage_hint("compliance");
}

static int catalogue_cmd(struct cli_ctx *ctx, const struct opts *o)
{
	struct comp_catalogue *cat;
	int st = load_catalogue(o->catalogue, &cat);
	const char *lang = ui_lang();
	if (st)
		return st;
	json_t *arr = ctx->json ? json_array() : NULL;
	if (!arr)
		printf("%s\n%s\n\n", comp_catalogue_title(cat, lang), comp_catalogue_notice(cat, lang));
	for (size_t i = 0; i < comp_catalogue_count(cat); i++) {
		const struct comp_req *r = comp_catalogue_req(cat, i);
		char lv[16] = "";
		for (int l = 1; l <= COMP_LEVELS; l++)
			if (r->levels & (1u << l)) {
				size_t len = strlen(lv);
				snprintf(lv + len, sizeof lv - len, "%s%d", len ? "," : "", l);
			}
		if (arr)
			json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "id", r->id, "group",
							     comp_group_key(r->group), "levels", lv, "title",
							     comp_req_title(r, lang), "evidence", comp_req_evidence(r, lang),
							     "automatic", r->n_checks > 0));
		else
			printf("%-8s %-10s %-12s %s%s\n", r->id, lv, comp_group_key(r->group), comp_req_title(r, lang),
			       r->n_checks ? _(" [automatic]") : "");
	}
	if (arr)
		cli_json_pretty(arr);
	comp_catalogue_free(cat);
	return CLI_OK;
}

int cmd_compliance(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{"tool", required_argument, NULL, 't'},
		{"units", required_argument, NULL, 'u'},
		{"by", required_argument, NULL, 'b'},
		{"catalogue", required_argument, NULL, 'c'},
		{"state", required_argument, NULL, 's'},
		{"evidence", required_argument, NULL, 'e'},
		{"kind", required_argument, NULL, 'k'},
		{"note", required_argument, NULL, 'n'},
		{"date", required_argument, NULL, OPT_DATE},
		{"title", required_argument, NULL, OPT_TITLE},
		{"people", required_argument, NULL, OPT_PEOPLE},
		{"clicked", required_argument, NULL, OPT_CLICKED},
		{"reported", required_argument, NULL, OPT_REPORTED},
		{"attendees", required_argument, NULL, OPT_ATTENDEES},
		{"name", required_argument, NULL, OPT_NAME},
		{"contact", required_argument, NULL, OPT_CONTACT},
		{NULL, 0, NULL, 0},
	};
	struct opts o = {.people = -1};
	const char *sub;
	struct cg_db *db = NULL;
	int c;
	if ((c = cli_subcommand(&argc, &argv, usage, &sub)) >= 0)
		return c;
	while ((c = getopt_long(argc, argv, "ht:u:b:c:s:e:k:n:", longopts, NULL)) != -1) {
		long *num = NULL;
		switch (c) {
		case 'h': usage(stdout); return CLI_OK;
		case 't': o.tool = optarg; break;
		case 'u': o.units = optarg; break;
		case 'b': o.by = optarg; break;
		case 'c': o.catalogue = optarg; break;
		case 's': o.state = optarg; break;
		case 'e': o.evidence = optarg; break;
		case 'k': o.kind = optarg; break;
		case 'n': o.note = optarg; break;
		case OPT_DATE: o.date = optarg; break;
		case OPT_TITLE: o.title = optarg; break;
		case OPT_ATTENDEES: o.attendees = optarg; break;
		case OPT_NAME: o.name = optarg; break;
		case OPT_CONTACT: o.contact = optarg; break;
		case OPT_PEOPLE: num = &o.people; break;
		case OPT_CLICKED: num = &o.clicked; break;
		case OPT_REPORTED: num = &o.reported; break;
		default:
			if (cli_common_opt(ctx, c, optarg))
				break;
			return cli_usage_hint("compliance");
		}
		if (num && cli_parse_long(optarg, 0, 100000000, num)) {
			cli_error(_("'%s' is not a count"), optarg);
			return CLI_USAGE;
		}
	}
	if (strcmp(sub, "catalogue") == 0)
		return catalogue_cmd(ctx, &o);
	if (cli_open_db(ctx, &db))
		return CLI_FAIL;
	int st = run(ctx, db, &o, sub, argc - optind, argv + optind);
	cg_db_close(db);
	return st;
}
