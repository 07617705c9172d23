/* canhgac alert — the alerts raised by the hunts and the daemon: list and
 * show them, move them through their states (the library enforces the
 * moves), comment on them. */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert.h"
#include "cg_esc.h"
#include "cli.h"
#include "store_alert.h"

#define EVENTS_SHOWN 20

static void usage(FILE *f)
{
	fputs(_("Usage: canhgac alert list [--kind K] [--level L] [--all] [--limit N] [--json]\n"
		"       canhgac alert show ID [--json]\n"
		"       canhgac alert verify|dismiss|close ID [--by WHO] [--note TEXT] [--json]\n"
		"       canhgac alert comment ID --note TEXT [--by WHO] [--json]\n"
		"The alerts raised by 'canhgac hunt' (listed indicators), 'canhgac sigma hunt'\n"
		"(Sigma rules) and canhgacd (also threshold rules): one per rule or indicator and\n"
		"host, with a count and first/last seen.\n\n"
		"list     alerts, most severe first, then latest seen (open ones only unless --all)\n"
		"show     one alert, the events behind it, its moves and comments\n"
		"verify   a new alert is real (new -> verified)\n"
		"dismiss  a new alert is a false positive (new -> false_positive)\n"
		"close    handled (verified, false_positive or escalated -> closed)\n"
		"comment  add a comment\n\n"
		"Options:\n"
		"  -k, --kind K       only alerts of kind K: indicator, sigma, threshold, yara\n"
		"  -l, --level L      only alerts of severity L or above (informational, low, medium,\n"
		"                     high, critical)\n"
		"  -a, --all          also closed and false-positive alerts\n"
		"  -n, --limit N      at most N alerts\n"
		"      --by WHO       who does it (default: the user running the command)\n"
		"      --note TEXT    why, kept with the move; the comment's text\n"
		"      --db PATH      database file\n"
		"      --json         JSON Lines (list: one object per alert; show: one object)\n"
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

static json_t *alert_json(const struct alert *a)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:s, s:o, s:o}", "id", a->id, "kind",
			      alert_kind_name(a->kind), "severity", alert_severity_name(a->severity), "state",
			      alert_state_name(a->state), "count", (json_int_t)a->count, "first_seen",
			      time_json(a->first_seen), "last_seen", time_json(a->last_seen), "host", a->host, "host_id",
			      a->host_id ? json_integer(a->host_id) : json_null(), "created_at", time_json(a->created_at));
	if (!o)
		return NULL;
	json_object_set_new(o, "system", *a->system ? json_string(a->system) : json_null());
	json_object_set_new(o, "security_level", a->security_level ? json_integer(a->security_level) : json_null());
	if (a->kind == ALERT_KIND_INDICATOR) {
		json_object_set_new(o, "indicator", json_string(a->indicator));
		json_object_set_new(o, "indicator_type", json_string(a->indicator_type));
		json_object_set_new(o, "sources", json_string(a->sources));
		json_object_set_new(o, "family", json_string(a->family));
	} else {
		json_object_set_new(o, "rule_id", json_string(a->rule_id));
		json_object_set_new(o, "title", json_string(a->title));
		json_object_set_new(o, "level", json_string(a->level));
		if (a->kind == ALERT_KIND_THRESHOLD)
			json_object_set_new(o, "group", json_string(a->indicator));
	}
	json_object_set_new(o, "state_by", *a->state_by ? json_string(a->state_by) : json_null());
	json_object_set_new(o, "state_at", time_json(a->state_at));
	return o;
}

/* What fired, in one line of text. */
static void what_fired(const struct alert *a, char *buf, size_t n)
{
	if (a->kind == ALERT_KIND_INDICATOR)
		snprintf(buf, n, "%s%s%s%s", a->indicator, *a->sources ? " (" : "", a->sources, *a->sources ? ")" : "");
	else if (a->kind == ALERT_KIND_THRESHOLD && *a->indicator)
		snprintf(buf, n, "%s (%s)", a->title, a->indicator); /* the group counted */
	else
		snprintf(buf, n, "%s", a->title);
}

static enum cg_err print_row(void *ctx, const struct alert *a)
{
	struct cli_ctx *cli = ctx;
	char last[32] = "-", what[600];

	if (cli->json) {
		cli_json_line(alert_json(a));
		return CG_OK;
	}
	if (a->last_seen)
		cg_time_iso(a->last_seen, last, sizeof last);
	what_fired(a, what, sizeof what);
	printf("%-36s %-13s %-9s %-14s %6llu  %-20s  ", a->id, alert_severity_name(a->severity),
	       alert_kind_name(a->kind), alert_state_name(a->state), (unsigned long long)a->count, last);
	cli_put_col(*a->host ? a->host : "-", 24);
	printf("%s\n", what);
	return CG_OK;
}

struct show {
	struct cli_ctx *cli;
	json_t *obj, *events, *notes;
	int header;
};

static enum cg_err keep_alert(void *ctx, const struct alert *a)
{
	struct show *s = ctx;
	char last[32] = "-", first[32] = "-", what[600];

	if (s->cli->json) {
		s->obj = alert_json(a);
		return s->obj ? CG_OK : cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	if (a->first_seen)
		cg_time_iso(a->first_seen, first, sizeof first);
	if (a->last_seen)
		cg_time_iso(a->last_seen, last, sizeof last);
	what_fired(a, what, sizeof what);
	printf(_("Alert %s\n"), a->id);
	printf(_("  what:      %s %s\n"), alert_kind_name(a->kind), what);
	if (a->kind != ALERT_KIND_INDICATOR)
		printf(_("  rule:      %s (%s)\n"), a->rule_id, a->level);
	printf(_("  severity:  %s\n"), alert_severity_name(a->severity));
	printf(_("  host:      %s%s%s\n"), *a->host ? a->host : "-", a->host_id ? "" : _(" (not in the inventory)"),
	       "");
	if (*a->system)
		printf(_("  system:    %s (level %d)\n"), a->system, a->security_level);
	printf(_("  count:     %llu, first seen %s, last seen %s\n"), (unsigned long long)a->count, first, last);
	printf(_("  state:     %s%s%s\n"), alert_state_name(a->state), *a->state_by ? _(" by ") : "", a->state_by);
	printf("%s\n", _("  events:"));
	return CG_OK;
}

static enum cg_err on_note(void *ctx, const struct alert_note *n)
{
	struct show *s = ctx;
	char t[32] = "-";

	if (s->cli->json) {
		json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:s}", "at", time_json(n->at), "by",
				      *n->by ? json_string(n->by) : json_null(), "from", *n->from ? json_string(n->from) : json_null(),
				      "to", *n->to ? json_string(n->to) : json_null(), "text", n->text);
		if (!o)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		json_array_append_new(s->notes, o);
		return CG_OK;
	}
	if (!s->header) {
		printf("%s\n", _("  notes:"));
		s->header = 1;
	}
	cg_time_iso(n->at, t, sizeof t);
	printf("    %s  %s", t, *n->by ? n->by : "-");
	if (*n->to)
		printf(_(": %s -> %s"), n->from, n->to);
	else
		printf("%s", _(": comment"));
	if (*n->text) {
		/* What people typed: it cannot drive the terminal. */
		size_t len = strlen(n->text);
		char *esc = malloc(CG_ESC_ROOM(len) + 1);
		if (!esc)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		*cg_esc_put(esc, n->text, len) = '\0';
		printf(": %s", esc);
		free(esc);
	}
	putchar('\n');
	return CG_OK;
}

static enum cg_err on_event(void *ctx, const struct alert_event *ev)
{
	struct show *s = ctx;
	char t[32] = "-";

	if (s->cli->json) {
		json_t *o = json_pack("{s:s, s:o, s:o, s:o, s:s%}", "file", ev->file, "line",
				      ev->line ? json_integer((json_int_t)ev->line) : json_null(), "record_id",
				      ev->record_id ? json_integer((json_int_t)ev->record_id) : json_null(), "event_time",
				      time_json(ev->event_time), "excerpt", ev->excerpt, ev->excerpt_len);
		if (!o)
			o = json_pack("{s:s}", "file", ev->file); /* an excerpt cut inside UTF-8 */
		json_array_append_new(s->events, o);
		return CG_OK;
	}
	if (ev->event_time)
		cg_time_iso(ev->event_time, t, sizeof t);
	if (ev->line)
		printf("    %s  %s:%llu\n", t, ev->file, (unsigned long long)ev->line);
	else if (ev->record_id)
		printf("    %s  %s #%llu\n", t, ev->file, (unsigned long long)ev->record_id);
	else
		printf("    %s  %s\n", t, ev->file);
	if (ev->excerpt_len)
		printf("      %.*s\n", (int)ev->excerpt_len, ev->excerpt);
	return CG_OK;
}

/* The user running the command, for --by. */
static const char *default_who(char *buf, size_t n)
{
	struct passwd pw, *res = NULL;
	char tmp[1024];

	if (getpwuid_r(geteuid(), &pw, tmp, sizeof tmp, &res) == 0 && res && res->pw_name)
		snprintf(buf, n, "%s", res->pw_name);
	else
		snprintf(buf, n, "uid %lu", (unsigned long)geteuid());
	return buf;
}

/* show: the alert, its events and its notes. */
static enum cg_err show_alert(struct cli_ctx *ctx, struct alert_store *as, const char *id)
{
	struct show s = {.cli = ctx, .events = json_array(), .notes = json_array()};
	enum cg_err rc;

	if ((rc = alert_store_get(as, id, keep_alert, &s)) || (rc = alert_store_events(as, id, EVENTS_SHOWN, on_event, &s)) ||
	    (rc = alert_store_notes(as, id, on_note, &s))) {
		json_decref(s.obj);
		json_decref(s.events);
		json_decref(s.notes);
		return rc;
	}
	if (ctx->json) {
		json_object_set_new(s.obj, "events", s.events);
		json_object_set_new(s.obj, "notes", s.notes);
		cli_json_line(s.obj);
	} else {
		json_decref(s.events);
		json_decref(s.notes);
	}
	return CG_OK;
}

enum { OPT_BY = CLI_OPT_FIRST_FREE, OPT_NOTE };

int cmd_alert(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{"kind", required_argument, NULL, 'k'},
		{"level", required_argument, NULL, 'l'},
		{"all", no_argument, NULL, 'a'},
		{"limit", required_argument, NULL, 'n'},
		{"by", required_argument, NULL, OPT_BY},
		{"note", required_argument, NULL, OPT_NOTE},
		{NULL, 0, NULL, 0},
	};
	static const struct {
		const char *name;
		enum alert_state to;
	} moves[] = {
		{"verify", ALERT_STATE_VERIFIED},
		{"dismiss", ALERT_STATE_FALSE_POSITIVE},
		{"close", ALERT_STATE_CLOSED},
	};
	struct alert_filter f = {.open_only = 1};
	struct alert_store *as = NULL;
	struct cg_db *db = NULL;
	const char *sub, *by = NULL, *note = NULL;
	char who[256];
	enum cg_err rc;
	long v;
	int c, status = CLI_FAIL, move = -1, is_comment;

	while ((c = getopt_long(argc, argv, "hk:l:an:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return CLI_OK;
		case 'k':
			if (alert_kind_from_name(optarg, &f.kind) != 0) {
				cli_error(_("--kind: unknown kind '%s' (indicator, sigma, threshold, yara)"), optarg);
				return cli_usage_hint("alert");
			}
			break;
		case 'l':
			f.min_severity = alert_severity_from_level(optarg);
			if (strcmp(alert_severity_name(f.min_severity), optarg) != 0) {
				cli_error(_("--level: unknown level '%s'"), optarg);
				return cli_usage_hint("alert");
			}
			break;
		case 'a': f.open_only = 0; break;
		case 'n':
			if (cli_parse_long(optarg, 1, 1000000, &v) != 0) {
				cli_error(_("--limit: '%s' is not a number from 1 to 1000000"), optarg);
				return cli_usage_hint("alert");
			}
			f.limit = (size_t)v;
			break;
		case OPT_BY:
			if (!*optarg || strlen(optarg) > 200) {
				cli_error("%s", _("--by: a name of 1 to 200 bytes"));
				return cli_usage_hint("alert");
			}
			by = optarg;
			break;
		case OPT_NOTE:
			if (!*optarg || strlen(optarg) > ALERT_NOTE_MAX) {
				cli_error(_("--note: a text of 1 to %d bytes"), ALERT_NOTE_MAX);
				return cli_usage_hint("alert");
			}
			note = optarg;
			break;
		default:
			if (cli_common_opt(ctx, c, optarg))
				break;
			return cli_usage_hint("alert");
		}
	}
	if (optind >= argc) {
		cli_error(_("no subcommand: list, show, verify, dismiss, close or comment"));
		return cli_usage_hint("alert");
	}
	sub = argv[optind++];
	for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++)
		if (strcmp(sub, moves[i].name) == 0)
			move = (int)i;
	is_comment = strcmp(sub, "comment") == 0;
	if (strcmp(sub, "list") != 0 && strcmp(sub, "show") != 0 && move < 0 && !is_comment) {
		cli_error(_("unknown subcommand '%s'"), sub);
		return cli_usage_hint("alert");
	}
	if (strcmp(sub, "list") == 0 ? optind != argc : optind + 1 != argc) {
		if (strcmp(sub, "list") == 0)
			cli_error("%s", _("list takes no argument"));
		else
			cli_error(_("%s takes one alert id"), sub);
		return cli_usage_hint("alert");
	}
	if (is_comment && !note) {
		cli_error("%s", _("comment needs --note TEXT"));
		return cli_usage_hint("alert");
	}
	if ((by || note) && (strcmp(sub, "list") == 0 || strcmp(sub, "show") == 0)) {
		cli_error(_("--by and --note go with verify, dismiss, close and comment, not %s"), sub);
		return cli_usage_hint("alert");
	}
	if (!by)
		by = default_who(who, sizeof who);
	if (cli_open_db_existing(ctx, &db))
		return CLI_FAIL;
	if ((rc = alert_store_open(db, cli_now(), &as))) {
		cli_fail(rc);
		goto out;
	}
	if (strcmp(sub, "list") == 0) {
		if (!ctx->json) {
			printf("%-36s %-13s %-9s %-14s %6s  %-20s  ", _("ID"), _("SEVERITY"), _("KIND"), _("STATE"),
			       _("COUNT"), _("LAST SEEN"));
			cli_put_col(_("HOST"), 24);
			printf("%s\n", _("WHAT"));
		}
		if ((rc = alert_store_foreach(as, &f, print_row, ctx))) {
			cli_fail(rc);
			goto out;
		}
	} else if (strcmp(sub, "show") == 0) {
		if ((rc = show_alert(ctx, as, argv[optind]))) {
			cli_fail(rc);
			goto out;
		}
	} else {
		const char *id = argv[optind];
		if (move >= 0)
			rc = alert_store_move(as, id, moves[move].to, by, note);
		else
			rc = alert_store_comment(as, id, by, note);
		if (!rc)
			rc = alert_store_flush(as);
		if (rc) {
			cli_fail(rc);
			goto out;
		}
		if (ctx->json) {
			if ((rc = show_alert(ctx, as, id))) {
				cli_fail(rc);
				goto out;
			}
		} else if (!ctx->quiet) {
			if (move >= 0)
				printf(_("alert %s: %s (by %s)\n"), id, alert_state_name(moves[move].to), by);
			else
				printf(_("alert %s: comment added (by %s)\n"), id, by);
		}
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_fail(cg_err_set(CG_EIO, _("standard output: write failed")));
		goto out;
	}
	status = CLI_OK;
out:
	alert_store_close(as);
	cg_db_close(db);
	return status;
}
