/* canhgac incident — incidents, their timeline, tasks, links, reports in the
 * shape of Circular 20/2017/TT-BTTTT, sharing (STIX 2.1, MISP) and blocking
 * confirmed indicators. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cg_file.h"
#include "cg_out.h"
#include "feed.h"
#include "cli.h"
#include "cli_block.h"
#include "cli_incident.h"
#include "incident.h"
#include "incident_report.h"
#include "share.h"

static void usage(FILE *f)
{
	fputs(_("Usage: canhgac incident open TITLE [--system S] [--severity X] [--category C]\n"
		"                             [--description D] [--discovered TIME]\n"
		"       canhgac incident list\n"
		"       canhgac incident show N\n"
		"       canhgac incident add N TEXT          add a timeline entry\n"
		"       canhgac incident assign N TASK --owner O [--due TIME]\n"
		"       canhgac incident assign N --done TASK-ID\n"
		"       canhgac incident link N (--hit ID | --alert ID | --indicator V | --vuln ID | --host NAME)\n"
		"                             [--confirmed] [--note TEXT]\n"
		"       canhgac incident status N open|responding|resolved|closed\n"
		"       canhgac incident close N\n"
		"       canhgac incident set N KEY=VALUE...  fill a report field\n"
		"       canhgac incident report N [--final] [--format html|json] [--out FILE] [--submitted]\n"
		"       canhgac incident export N --format stix|misp [--out FILE] [--producer NAME]\n"
		"       canhgac incident import N FILE        STIX 2.1 bundle or MISP event\n"
		"       canhgac incident block N [INDICATOR] [--force]\n"
		"Incidents with deadlines (initial report within 5 days of discovery, final report\n"
		"within 5 days after the response ends; Circular 20/2017/TT-BTTTT).\n\n"
		"Options:\n"
		"      --system S         affected information system (its security level is used)\n"
		"      --severity X       low, medium, high or critical (default medium)\n"
		"      --category C       malware, intrusion, phishing, ddos, defacement, data-leak, scam, other\n"
		"      --description D    what happened\n"
		"      --discovered TIME  when it was discovered (default now)\n"
		"      --owner O          task owner\n"
		"      --due TIME         task due date\n"
		"      --done ID          mark a task done\n"
		"      --hit, --alert, --indicator, --vuln, --host   what to link\n"
		"      --confirmed        the indicator is confirmed (may be blocked)\n"
		"      --note TEXT        note on the link\n"
		"      --by NAME          who acts (timeline; default $USER)\n"
		"      --final            the final report instead of the initial report (Mau 03)\n"
		"      --format F         report: html or json; export: stix or misp\n"
		"      --out FILE         write to FILE instead of standard output\n"
		"      --submitted        record the report as sent now\n"
		"      --producer NAME    reporting unit named in exports\n"
		"      --force            block even what the blocking policy refuses\n"
		"      --db PATH          database file\n"
		"      --json             machine-readable output\n"
		"      --quiet            no progress display\n"
		"  -h, --help             show this help\n"),
	      f);
}

enum {
	O_SYSTEM = CLI_OPT_FIRST_FREE, O_SEVERITY, O_CATEGORY, O_DESCRIPTION, O_DISCOVERED, O_OWNER, O_DUE, O_DONE,
	O_HIT, O_ALERT, O_INDICATOR, O_VULN, O_HOST, O_CONFIRMED, O_NOTE, O_BY, O_FINAL, O_FORMAT, O_OUT,
	O_SUBMITTED, O_PRODUCER, O_FORCE,
};

struct opts {
	const char *system, *severity, *category, *description, *discovered, *owner, *due, *done;
	const char *link_kind, *link_ref, *note, *by, *format, *out, *producer;
	int confirmed, final, submitted, force, n_links;
};

static const char *actor(const struct opts *o)
{
	const char *u = o->by ? o->by : getenv("USER");
	return u && *u ? u : "unknown";
}

int cli_incident_write(const char *path, const char *data, size_t n)
{
	enum cg_err rc;

	if (!path || strcmp(path, "-") == 0) {
		if (fwrite(data, 1, n, stdout) != n || fflush(stdout) != 0) {
			cli_error("%s: %s", "stdout", strerror(errno));
			return CLI_FAIL;
		}
		return CLI_OK;
	}
	/* Replaced atomically; never through a planted link (cg_out). */
	if ((rc = cg_out_file(path, data, n)))
		return cli_fail(rc);
	return CLI_OK;
}

static int parse_id(const char *s, int64_t *id)
{
	long v;
	if (cli_parse_long(s, 1, 0x7fffffffL, &v) != 0) {
		cli_error(_("'%s' is not an incident number"), s);
		return CLI_USAGE;
	}
	*id = v;
	return CLI_OK;
}

static const char *fmt_time(int64_t t, char *buf, size_t n)
{
	if (!t)
		return "-";
	cg_time_iso(t, buf, n);
	return buf;
}

/* ---- list ---- */

static json_t *row_json(const struct incident_row *r, const struct incident_deadlines *d)
{
	char a[32], b[32], c[32];
	json_t *o = json_pack("{s:I, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)r->id, "title", r->title,
			      "system", r->system, "level", r->level, "severity", r->severity, "category", r->category,
			      "status", r->status, "discovered_at", fmt_time(r->discovered_at, a, sizeof a),
			      "opened_at", fmt_time(r->opened_at, b, sizeof b));
	json_object_set_new(o, "initial_report",
			    json_pack("{s:s, s:s, s:s}", "due", fmt_time(d->initial_due, a, sizeof a), "state",
				      incident_due_name(d->initial), "sent", fmt_time(r->initial_reported_at, b, sizeof b)));
	json_object_set_new(o, "final_report",
			    json_pack("{s:s, s:s, s:s}", "due", fmt_time(d->final_due, a, sizeof a), "state",
				      incident_due_name(d->final), "sent", fmt_time(r->final_reported_at, c, sizeof c)));
	json_object_set_new(o, "response_ended_at", json_string(fmt_time(r->response_ended_at, c, sizeof c)));
	return o;
}

struct list_ctx {
	const struct cli_ctx *cli;
	json_t *arr;
	int64_t now;
};

static const char *due_text(enum incident_due s, int64_t due, int64_t now, char *buf, size_t n)
{
	long days;
	switch (s) {
	case INCIDENT_DUE_PENDING:
		days = (long)((due - now + 86399) / 86400);
		snprintf(buf, n, _("due in %ldd"), days);
		return buf;
	case INCIDENT_DUE_OVERDUE:
		days = (long)((now - due + 86399) / 86400);
		snprintf(buf, n, _("OVERDUE %ldd"), days);
		return buf;
	case INCIDENT_DUE_DONE: return _("sent");
	case INCIDENT_DUE_LATE: return _("sent late");
	default: return "-";
	}
}

static enum cg_err list_one(void *ctx, const struct incident_row *r, const struct incident_deadlines *d)
{
	struct list_ctx *c = ctx;
	char a[64], b[64], id[24];

	if (c->cli->json) {
		json_array_append_new(c->arr, row_json(r, d));
		return CG_OK;
	}
	snprintf(id, sizeof id, "%lld", (long long)r->id);
	cli_put_col(id, 4);
	cli_put_col(r->status, 10);
	cli_put_col(r->severity, 8);
	cli_put_col(due_text(d->initial, d->initial_due, c->now, a, sizeof a), 14);
	cli_put_col(due_text(d->final, d->final_due, c->now, b, sizeof b), 14);
	cli_put_col(*r->system ? r->system : "-", 20);
	printf("%s\n", r->title);
	return CG_OK;
}

/* ---- show ---- */

static enum cg_err show_row(void *ctx, const struct incident_row *r)
{
	json_t **o = ctx;
	struct incident_deadlines d;
	incident_deadlines_at(r, cg_now(), &d);
	*o = row_json(r, &d);
	json_object_set_new(*o, "description", json_string(r->description));
	return CG_OK;
}

static enum cg_err show_event(void *ctx, int64_t at, const char *kind, const char *text, const char *who)
{
	char t[32];
	json_array_append_new(ctx, json_pack("{s:s, s:s, s:s, s:s}", "at", fmt_time(at, t, sizeof t), "kind", kind,
					     "text", text, "by", who));
	return CG_OK;
}

static enum cg_err show_task(void *ctx, const struct incident_task *tk)
{
	char a[32], b[32];
	json_array_append_new(ctx, json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)tk->id, "title", tk->title,
					     "owner", tk->owner, "due_at", fmt_time(tk->due_at, a, sizeof a), "done_at",
					     fmt_time(tk->done_at, b, sizeof b)));
	return CG_OK;
}

static enum cg_err show_link(void *ctx, const struct incident_link *l)
{
	json_array_append_new(ctx, json_pack("{s:s, s:s, s:s, s:b, s:s, s:I}", "kind", l->kind, "ref", l->ref, "type",
					     l->subtype ? l->subtype : "", "confirmed", l->confirmed, "note", l->note,
					     "count", (json_int_t)l->count));
	return CG_OK;
}

static enum cg_err show_field(void *ctx, const char *k, const char *v)
{
	json_object_set_new(ctx, k, json_string(v));
	return CG_OK;
}

static enum cg_err show_evidence(void *ctx, const struct evidence_row *e)
{
	char t[32];
	json_array_append_new(ctx, json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)e->id,
					     "name", e->name, "sha256", e->sha256, "md5", e->md5, "size",
					     (json_int_t)e->size, "source_host", e->source_host, "source_path",
					     e->source_path, "collector", e->collector, "collected_at",
					     fmt_time(e->collected_at, t, sizeof t)));
	return CG_OK;
}

static int show(struct cli_ctx *ctx, struct cg_db *db, int64_t id)
{
	json_t *o = NULL, *ev = json_array(), *tasks = json_array(), *links = json_array(), *fields = json_object(),
	       *evidence = json_array();
	enum cg_err rc;
	size_t i;
	json_t *it;
	const char *k;

	if ((rc = store_incident_get(db, id, show_row, &o)) || (rc = store_incident_events(db, id, show_event, ev)) ||
	    (rc = store_incident_tasks(db, id, show_task, tasks)) ||
	    (rc = store_incident_links(db, id, NULL, show_link, links)) ||
	    (rc = store_incident_fields(db, id, show_field, fields)) ||
	    (rc = store_evidence_foreach(db, id, show_evidence, evidence))) {
		json_decref(o);
		json_decref(ev);
		json_decref(tasks);
		json_decref(links);
		json_decref(fields);
		json_decref(evidence);
		return cli_fail(rc);
	}
	json_object_set_new(o, "timeline", ev);
	json_object_set_new(o, "tasks", tasks);
	json_object_set_new(o, "links", links);
	json_object_set_new(o, "fields", fields);
	json_object_set_new(o, "evidence", evidence);
	if (ctx->json) {
		cli_json_pretty(o);
		return CLI_OK;
	}
#define S(key) json_string_value(json_object_get(o, key))
	printf(_("Incident %lld: %s\n"), (long long)id, S("title"));
	printf(_("Status: %s  Severity: %s  Category: %s\n"), S("status"), S("severity"), S("category"));
	printf(_("System: %s (level %lld)\n"), *S("system") ? S("system") : "-",
	       (long long)json_integer_value(json_object_get(o, "level")));
	printf(_("Discovered: %s  Response ended: %s\n"), S("discovered_at"), S("response_ended_at"));
	json_t *ir = json_object_get(o, "initial_report"), *fr = json_object_get(o, "final_report");
	printf(_("Initial report: %s (due %s)  Final report: %s (due %s)\n"),
	       json_string_value(json_object_get(ir, "state")), json_string_value(json_object_get(ir, "due")),
	       json_string_value(json_object_get(fr, "state")), json_string_value(json_object_get(fr, "due")));
#undef S
	printf("\n%s\n", _("Timeline:"));
	json_array_foreach(ev, i, it) printf("  %s  %-10s %s  %s\n", json_string_value(json_object_get(it, "at")),
					     json_string_value(json_object_get(it, "kind")),
					     json_string_value(json_object_get(it, "text")),
					     json_string_value(json_object_get(it, "by")));
	printf("\n%s\n", _("Tasks:"));
	json_array_foreach(tasks, i, it) printf("  #%lld %s — %s (due %s, done %s)\n",
						(long long)json_integer_value(json_object_get(it, "id")),
						json_string_value(json_object_get(it, "title")),
						json_string_value(json_object_get(it, "owner")),
						json_string_value(json_object_get(it, "due_at")),
						json_string_value(json_object_get(it, "done_at")));
	printf("\n%s\n", _("Links:"));
	json_array_foreach(links, i, it) printf("  %-9s %s%s\n", json_string_value(json_object_get(it, "kind")),
						json_string_value(json_object_get(it, "ref")),
						json_is_true(json_object_get(it, "confirmed")) ? " (confirmed)" : "");
	printf("\n%s\n", _("Evidence:"));
	json_array_foreach(evidence, i, it) printf("  #%lld %s sha256:%s\n",
						   (long long)json_integer_value(json_object_get(it, "id")),
						   json_string_value(json_object_get(it, "name")),
						   json_string_value(json_object_get(it, "sha256")));
	printf("\n%s\n", _("Report fields:"));
	json_object_foreach(fields, k, it) printf("  %s = %s\n", k, json_string_value(it));
	json_decref(o);
	return CLI_OK;
}

/* ---- report, export ---- */

static int report(struct cli_ctx *ctx, struct cg_db *db, int64_t id, const struct opts *o, int64_t now)
{
	json_t *doc = NULL;
	char *text = NULL;
	struct cg_buf html;
	enum cg_err rc;
	int st;
	const char *fmt = o->format ? o->format : (ctx->json ? "json" : "html");

	if (strcmp(fmt, "html") && strcmp(fmt, "json")) {
		cli_error(_("--format: '%s' is not html or json"), fmt);
		return CLI_USAGE;
	}
	if ((rc = incident_report_build(db, id, o->final ? INCIDENT_FORM_FINAL : INCIDENT_FORM_INITIAL, now, &doc)))
		return cli_fail(rc);
	text = json_dumps(doc, JSON_INDENT(2));
	json_decref(doc);
	if (!text)
		return cli_fail(cg_err_set(CG_ENOMEM, "%s", _("out of memory")));
	if (strcmp(fmt, "json") == 0) {
		size_t n = strlen(text);
		text[n] = '\0';
		st = cli_incident_write(o->out, text, n);
		if (!st && (!o->out || strcmp(o->out, "-") == 0))
			st = cli_incident_write(NULL, "\n", 1);
	} else {
		cg_buf_init(&html, (size_t)64 << 20);
		rc = incident_report_html(text, strlen(text), &html);
		st = rc ? cli_fail(rc) : cli_incident_write(o->out, html.data, html.len);
		cg_buf_free(&html);
	}
	free(text);
	if (!st && o->submitted) {
		if ((rc = store_incident_mark_reported(db, id, o->final, now)))
			return cli_fail(rc);
		if (!ctx->quiet && o->out && strcmp(o->out, "-"))
			fprintf(stderr, _("Recorded the %s report of incident %lld as sent.\n"),
				o->final ? _("final") : _("initial"), (long long)id);
	}
	return st;
}

static int export(struct cg_db *db, int64_t id, const struct opts *o, int64_t now)
{
	char *text = NULL;
	enum cg_err rc;
	int st;

	if (!o->format || (strcmp(o->format, "stix") && strcmp(o->format, "misp"))) {
		cli_error("%s", _("'incident export' needs --format stix or --format misp"));
		return CLI_USAGE;
	}
	rc = strcmp(o->format, "stix") == 0 ? share_export_stix(db, id, o->producer, now, &text)
					    : share_export_misp(db, id, o->producer, now, &text);
	if (rc)
		return cli_fail(rc);
	st = cli_incident_write(o->out, text, strlen(text));
	if (!st && (!o->out || strcmp(o->out, "-") == 0))
		st = cli_incident_write(NULL, "\n", 1);
	free(text);
	return st;
}

static int import(struct cli_ctx *ctx, struct cg_db *db, int64_t id, const char *file, int64_t now)
{
	struct share_import_stats st;
	char *buf;
	size_t len;
	enum cg_err rc;

	if ((rc = cg_file_read(file, FEED_JSON_MAX, &buf, &len)))
		return cli_fail(rc);
	rc = share_import(db, id, file, buf, len, now, &st);
	free(buf);
	if (rc)
		return cli_fail(rc);
	if (ctx->json)
		cli_json_line(json_pack("{s:I, s:s, s:I, s:I, s:I}", "incident", (json_int_t)id, "file", file,
					"indicators", (json_int_t)st.indicators, "bad", (json_int_t)st.bad, "skipped",
					(json_int_t)st.skipped));
	else if (!ctx->quiet)
		printf(_("Linked %zu indicators from %s to incident %lld (%zu bad, %zu skipped).\n"), st.indicators,
		       file, (long long)id, st.bad, st.skipped);
	return CLI_OK;
}

static int block(struct cli_ctx *ctx, struct cg_db *db, int64_t id, const char *value, int force, int64_t now)
{
	struct block_decide_report rep;
	size_t skipped;
	enum cg_err rc = incident_block(db, id, value, force, now, &rep, &skipped);

	if (rc)
		return cli_fail(rc);
	if (ctx->json)
		cli_json_line(json_pack("{s:I, s:I, s:I, s:I, s:I}", "incident", (json_int_t)id, "new",
					(json_int_t)rep.n_new, "replaced", (json_int_t)rep.n_replaced, "unchanged",
					(json_int_t)rep.n_unchanged, "skipped_hashes", (json_int_t)skipped));
	else if (!ctx->quiet)
		printf(_("Blocking list: %zu new, %zu replaced, %zu unchanged; %zu hashes not blockable.\n"), rep.n_new,
		       rep.n_replaced, rep.n_unchanged, skipped);
	return CLI_OK;
}

static int need_args(const char *sub, int have, int want_min, int want_max)
{
	if (have < want_min || have > want_max) {
		cli_error(_("wrong number of arguments for 'incident %s'"), sub);
		return cli_usage_hint("incident");
	}
	return CLI_OK;
}

static int parse_opts(struct cli_ctx *ctx, int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{"system", required_argument, NULL, O_SYSTEM},
		{"severity", required_argument, NULL, O_SEVERITY},
		{"category", required_argument, NULL, O_CATEGORY},
		{"description", required_argument, NULL, O_DESCRIPTION},
		{"discovered", required_argument, NULL, O_DISCOVERED},
		{"owner", required_argument, NULL, O_OWNER},
		{"due", required_argument, NULL, O_DUE},
		{"done", required_argument, NULL, O_DONE},
		{"hit", required_argument, NULL, O_HIT},
		{"alert", required_argument, NULL, O_ALERT},
		{"indicator", required_argument, NULL, O_INDICATOR},
		{"vuln", required_argument, NULL, O_VULN},
		{"host", required_argument, NULL, O_HOST},
		{"confirmed", no_argument, NULL, O_CONFIRMED},
		{"note", required_argument, NULL, O_NOTE},
		{"by", required_argument, NULL, O_BY},
		{"final", no_argument, NULL, O_FINAL},
		{"format", required_argument, NULL, O_FORMAT},
		{"out", required_argument, NULL, O_OUT},
		{"submitted", no_argument, NULL, O_SUBMITTED},
		{"producer", required_argument, NULL, O_PRODUCER},
		{"force", no_argument, NULL, O_FORCE},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return CLI_OK;
		case O_SYSTEM: o->system = optarg; break;
		case O_SEVERITY: o->severity = optarg; break;
		case O_CATEGORY: o->category = optarg; break;
		case O_DESCRIPTION: o->description = optarg; break;
		case O_DISCOVERED: o->discovered = optarg; break;
		case O_OWNER: o->owner = optarg; break;
		case O_DUE: o->due = optarg; break;
		case O_DONE: o->done = optarg; break;
		case O_HIT: o->link_kind = "hit"; o->link_ref = optarg; o->n_links++; break;
		case O_ALERT: o->link_kind = "alert"; o->link_ref = optarg; o->n_links++; break;
		case O_INDICATOR: o->link_kind = "indicator"; o->link_ref = optarg; o->n_links++; break;
		case O_VULN: o->link_kind = "vuln"; o->link_ref = optarg; o->n_links++; break;
		case O_HOST: o->link_kind = "host"; o->link_ref = optarg; o->n_links++; break;
		case O_CONFIRMED: o->confirmed = 1; break;
		case O_NOTE: o->note = optarg; break;
		case O_BY: o->by = optarg; break;
		case O_FINAL: o->final = 1; break;
		case O_FORMAT: o->format = optarg; break;
		case O_OUT: o->out = optarg; break;
		case O_SUBMITTED: o->submitted = 1; break;
		case O_PRODUCER: o->producer = optarg; break;
		case O_FORCE: o->force = 1; break;
		default:
			if (cli_common_opt(ctx, c, optarg))
				break;
			return cli_usage_hint("incident");
		}
	}
	return -1;
}

static int check_word(const char *opt, const char *const *list, const char *v)
{
	if (v && !incident_word_valid(list, v)) {
		cli_error(_("%s: '%s' is not one of the accepted values (see --help)"), opt, v);
		return CLI_USAGE;
	}
	return CLI_OK;
}

static int run(struct cli_ctx *ctx, struct cg_db *db, const char *sub, char **args, int nargs, struct opts *o)
{
	int64_t now = cg_now(), id = 0;
	enum cg_err rc = CG_OK;
	int st;

	if (strcmp(sub, "list") == 0) {
		struct list_ctx lc = {ctx, ctx->json ? json_array() : NULL, now};
		if (!ctx->json) {
			cli_put_col("#", 4);
			cli_put_col(_("STATUS"), 10);
			cli_put_col(_("SEVERITY"), 8);
			cli_put_col(_("INITIAL"), 14);
			cli_put_col(_("FINAL"), 14);
			cli_put_col(_("SYSTEM"), 20);
			printf("%s\n", _("TITLE"));
		}
		rc = incident_list(db, now, list_one, &lc);
		if (!rc && ctx->json)
			cli_json_pretty(lc.arr);
		else
			json_decref(lc.arr);
		return rc ? cli_fail(rc) : CLI_OK;
	}
	if (strcmp(sub, "open") == 0) {
		struct incident_new n = {.title = args[0], .system = o->system,
					 .severity = o->severity ? o->severity : "medium",
					 .category = o->category ? o->category : "other", .description = o->description,
					 .actor = actor(o)};
		if ((st = check_word("--severity", incident_severities, n.severity)) ||
		    (st = check_word("--category", incident_categories, n.category)))
			return st;
		if (o->discovered && (st = cli_block_parse_when("--discovered", o->discovered, now, 0, &n.discovered_at)))
			return st;
		if ((rc = store_incident_open(db, &n, now, &id)))
			return cli_fail(rc);
		if (ctx->json)
			cli_json_line(json_pack("{s:I, s:s}", "incident", (json_int_t)id, "action", "open"));
		else if (!ctx->quiet)
			printf(_("Opened incident %lld.\n"), (long long)id);
		return CLI_OK;
	}
	if ((st = parse_id(args[0], &id)))
		return st;
	if (strcmp(sub, "show") == 0)
		return show(ctx, db, id);
	if (strcmp(sub, "report") == 0)
		return report(ctx, db, id, o, now);
	if (strcmp(sub, "export") == 0)
		return export(db, id, o, now);
	if (strcmp(sub, "import") == 0)
		return import(ctx, db, id, args[1], now);
	if (strcmp(sub, "block") == 0)
		return block(ctx, db, id, nargs > 1 ? args[1] : NULL, o->force, now);
	if (strcmp(sub, "add") == 0) {
		rc = store_incident_event_add(db, id, now, "note", args[1], actor(o));
	} else if (strcmp(sub, "assign") == 0) {
		if (o->done) {
			long t;
			if (cli_parse_long(o->done, 1, 0x7fffffffL, &t) != 0) {
				cli_error(_("--done: '%s' is not a task number"), o->done);
				return CLI_USAGE;
			}
			rc = store_incident_task_done(db, id, t, now);
		} else {
			int64_t due = 0, task;
			if (nargs != 2 || !o->owner) {
				cli_error("%s", _("'incident assign N TASK' needs --owner"));
				return cli_usage_hint("incident");
			}
			if (o->due && (st = cli_block_parse_when("--due", o->due, now, 1, &due)))
				return st;
			rc = store_incident_task_add(db, id, args[1], o->owner, due, now, &task);
		}
	} else if (strcmp(sub, "link") == 0) {
		if (o->n_links != 1) {
			cli_error("%s", _("'incident link' needs exactly one of --hit, --alert, --indicator, --vuln, --host"));
			return cli_usage_hint("incident");
		}
		rc = incident_link_add(db, id, o->link_kind, o->link_ref, o->confirmed, o->note, now);
	} else if (strcmp(sub, "status") == 0 || strcmp(sub, "close") == 0) {
		const char *status = strcmp(sub, "close") == 0 ? "closed" : args[1];
		if ((st = check_word("status", incident_statuses, status)))
			return st;
		rc = store_incident_set_status(db, id, status, actor(o), now);
	} else if (strcmp(sub, "set") == 0) {
		for (int i = 1; i < nargs && !rc; i++) {
			char key[64];
			const char *eq = strchr(args[i], '=');
			size_t kl = eq ? (size_t)(eq - args[i]) : 0;
			if (!eq || kl == 0 || kl >= sizeof key) {
				cli_error(_("'%s' is not KEY=VALUE"), args[i]);
				return CLI_USAGE;
			}
			memcpy(key, args[i], kl);
			key[kl] = '\0';
			if (!incident_field_known(key)) {
				cli_error(_("'%s' is not a report field (see 'man canhgac-incident')"), key);
				return CLI_USAGE;
			}
			rc = store_incident_field_set(db, id, key, eq + 1);
		}
	}
	if (rc)
		return cli_fail(rc);
	if (ctx->json)
		cli_json_line(json_pack("{s:I, s:s}", "incident", (json_int_t)id, "action", sub));
	else if (!ctx->quiet)
		printf(_("Incident %lld: %s done.\n"), (long long)id, sub);
	return CLI_OK;
}

int cmd_incident(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct {
		const char *name;
		int min, max;
	} subs[] = {{"open", 1, 1}, {"list", 0, 0}, {"show", 1, 1}, {"add", 2, 2}, {"assign", 1, 2},
		    {"link", 1, 1}, {"status", 2, 2}, {"close", 1, 1}, {"set", 2, 64}, {"report", 1, 1},
		    {"export", 1, 1}, {"import", 2, 2}, {"block", 1, 2}};
	struct opts o = {0};
	struct cg_db *db = NULL;
	const char *sub;
	int st;

	if ((st = parse_opts(ctx, argc, argv, &o)) != -1)
		return st;
	if (optind >= argc) {
		usage(stderr);
		return CLI_USAGE;
	}
	sub = argv[optind];
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
		if (strcmp(sub, subs[i].name) != 0)
			continue;
		int nargs = argc - optind - 1;
		if ((st = need_args(sub, nargs, subs[i].min, subs[i].max)))
			return st;
		if (cli_open_db(ctx, &db))
			return CLI_FAIL;
		st = run(ctx, db, sub, argv + optind + 1, nargs, &o);
		cg_db_close(db);
		return st;
	}
	cli_error(_("unknown subcommand 'incident %s'"), sub);
	return cli_usage_hint("incident");
}
