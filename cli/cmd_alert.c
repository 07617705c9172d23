/* canhgac alert — the alerts raised by the hunts (read-only here; changing
 * their state comes with the daemon's duty workflow). */
#include <string.h>

#include "alert.h"
#include "cli.h"
#include "store_alert.h"

#define EVENTS_SHOWN 20

static void usage(FILE *f)
{
	fputs(_("Usage: canhgac alert list [--kind K] [--level L] [--all] [--limit N] [--json]\n"
		"       canhgac alert show ID [--json]\n"
		"The alerts raised by 'canhgac hunt' (listed indicators) and 'canhgac sigma hunt'\n"
		"(Sigma rules): one per rule or indicator and host, with a count and first/last seen.\n\n"
		"list   alerts, most severe first, then latest seen (open ones only unless --all)\n"
		"show   one alert and the events behind it\n\n"
		"Options:\n"
		"  -k, --kind K       only alerts of kind K: indicator, sigma\n"
		"  -l, --level L      only alerts of severity L or above (informational, low, medium,\n"
		"                     high, critical)\n"
		"  -a, --all          also closed and false-positive alerts\n"
		"  -n, --limit N      at most N alerts\n"
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
	json_t *obj, *events;
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

int cmd_alert(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{"kind", required_argument, NULL, 'k'},
		{"level", required_argument, NULL, 'l'},
		{"all", no_argument, NULL, 'a'},
		{"limit", required_argument, NULL, 'n'},
		{NULL, 0, NULL, 0},
	};
	struct alert_filter f = {.open_only = 1};
	struct alert_store *as = NULL;
	struct cg_db *db = NULL;
	const char *sub;
	enum cg_err rc;
	long v;
	int c, status = CLI_FAIL;

	while ((c = getopt_long(argc, argv, "hk:l:an:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return CLI_OK;
		case 'k':
			if (alert_kind_from_name(optarg, &f.kind) != 0) {
				cli_error(_("--kind: unknown kind '%s' (indicator, sigma)"), optarg);
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
		default:
			if (cli_common_opt(ctx, c, optarg))
				break;
			return cli_usage_hint("alert");
		}
	}
	if (optind >= argc) {
		cli_error(_("no subcommand: list or show"));
		return cli_usage_hint("alert");
	}
	sub = argv[optind++];
	if (strcmp(sub, "list") != 0 && strcmp(sub, "show") != 0) {
		cli_error(_("unknown subcommand '%s'"), sub);
		return cli_usage_hint("alert");
	}
	if (strcmp(sub, "show") == 0 ? optind + 1 != argc : optind != argc) {
		cli_error(strcmp(sub, "show") == 0 ? _("show takes one alert id") : _("list takes no argument"));
		return cli_usage_hint("alert");
	}
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
	} else {
		struct show s = {.cli = ctx, .events = json_array()};
		if ((rc = alert_store_get(as, argv[optind], keep_alert, &s)) ||
		    (rc = alert_store_events(as, argv[optind], EVENTS_SHOWN, on_event, &s))) {
			json_decref(s.obj);
			json_decref(s.events);
			cli_fail(rc);
			goto out;
		}
		if (ctx->json) {
			json_object_set_new(s.obj, "events", s.events);
			cli_json_line(s.obj);
		} else {
			json_decref(s.events);
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
