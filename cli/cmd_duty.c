/* canhgac duty — the duty roster and the notification engine: who is on
 * duty, what was sent, acknowledgements, one tick of the engine. */
#include <stdlib.h>
#include <string.h>

#include "cg_time.h"
#include "cli.h"
#include "duty.h"
#include "roster.h"
#include "store_duty.h"

enum { OPT_ROSTER = CLI_OPT_FIRST_FREE, OPT_AT, OPT_BY, OPT_LIMIT };

static void usage(FILE *f)
{
	fputs(_("Usage: canhgac duty now [--at TIME] [--roster FILE] [--json]\n"
		"       canhgac duty show [--roster FILE] [--limit N] [--json]\n"
		"       canhgac duty ack ALERT [--by WHO] [--json]\n"
		"       canhgac duty tick [--roster FILE] [--json]\n"
		"The duty roster (shifts, people, channels, escalation) and the engine that tells\n"
		"the person on duty about alerts and escalates the ones nobody acknowledges.\n\n"
		"now    who is on duty now (or at TIME), and who is told next\n"
		"show   the roster, the gaps in its weekly shifts, and the alerts paged with\n"
		"       every delivery and attempt\n"
		"ack    acknowledge an alert: escalation stops, pending deliveries are dropped\n"
		"tick   send what is due once: first notices, escalations, retries (for cron,\n"
		"       or without the daemon)\n\n"
		"Options:\n"
		"  -r, --roster FILE  the roster (default: $CANHGAC_ROSTER)\n"
		"      --at TIME      now: the time to look at (2026-12-07T08:00, @SECONDS,\n"
		"                     or a duration ahead such as 12h)\n"
		"      --by WHO       ack: who acknowledges (default: $USER)\n"
		"  -n, --limit N      show: at most N alerts (default 50)\n"
		"      --db PATH      database file\n"
		"      --json         one JSON object\n"
		"      --quiet        no progress display\n"
		"  -h, --help         show this help\n"),
	      f);
}

static int load_roster(const char *path, struct duty_roster **out)
{
	enum cg_err rc;
	if (!path || !*path)
		path = getenv("CANHGAC_ROSTER");
	if (!path || !*path) {
		cli_error(_("no roster: give --roster FILE or set CANHGAC_ROSTER"));
		return CLI_USAGE;
	}
	if ((rc = duty_roster_read(path, out)))
		return cli_fail(rc);
	return CLI_OK;
}

static json_t *time_json(int64_t t, int offset)
{
	char buf[40];
	if (!t)
		return json_null();
	cg_time_format(t * CG_TIME_US_PER_S, offset, buf, sizeof buf);
	return json_string(buf);
}

static const char *kind_name(enum duty_channel_kind k)
{
	switch (k) {
	case DUTY_CH_SMTP: return "smtp";
	case DUTY_CH_WEBHOOK: return "webhook";
	case DUTY_CH_TELEGRAM: return "telegram";
	case DUTY_CH_MATTERMOST: return "mattermost";
	default: return "";
	}
}

static json_t *people_json(const struct duty_roster *r, const size_t *people, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct duty_person *p = duty_roster_person(r, people[i]);
		json_t *contacts = json_array();
		for (size_t k = 0; k < p->n_contacts; k++)
			json_array_append_new(contacts,
					      json_pack("{s:s, s:s, s:s}", "channel",
							duty_roster_channel(r, p->contacts[k].channel)->name, "kind",
							kind_name(duty_roster_channel(r, p->contacts[k].channel)->kind),
							"to", p->contacts[k].to));
		json_array_append_new(a, json_pack("{s:s, s:s, s:o}", "id", p->id, "name", p->name, "contacts", contacts));
	}
	return a;
}

static void print_people(const struct duty_roster *r, const size_t *people, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct duty_person *p = duty_roster_person(r, people[i]);
		printf("    %s (%s):", p->name, p->id);
		for (size_t k = 0; k < p->n_contacts; k++)
			printf(" %s%s%s", duty_roster_channel(r, p->contacts[k].channel)->name, *p->contacts[k].to ? " " : "",
			       p->contacts[k].to);
		printf("\n");
	}
}

static json_t *escalation_json(const struct duty_roster *r)
{
	json_t *a = json_array();
	for (size_t i = 0; i < duty_roster_n_levels(r); i++) {
		const struct duty_level *l = duty_roster_level(r, i);
		json_array_append_new(a, json_pack("{s:i, s:s, s:f, s:b, s:o}", "level", (int)i + 1, "name", l->name,
						   "after_minutes", (double)l->after_s / 60.0, "provincial", l->provincial,
						   "people", people_json(r, l->people, l->n_people)));
	}
	return a;
}

static void print_escalation(const struct duty_roster *r)
{
	for (size_t i = 0; i < duty_roster_n_levels(r); i++) {
		const struct duty_level *l = duty_roster_level(r, i);
		printf(_("  level %zu%s%s, after %.1f more minutes without acknowledgement%s:\n"), i + 1, *l->name ? " " : "",
		       l->name, (double)l->after_s / 60.0, l->provincial ? _(" (provincial team)") : "");
		print_people(r, l->people, l->n_people);
	}
}

static int do_now(struct cli_ctx *ctx, const struct duty_roster *r, const char *at)
{
	struct cg_time_ctx tc = {.ref = cli_now(), .default_offset = duty_roster_offset(r)};
	size_t people[DUTY_MAX_PEOPLE], n;
	const char *what;
	int64_t t = tc.ref;
	enum cg_err rc;

	if (at && (rc = cg_time_parse_user(at, &tc, CG_TIME_AHEAD, 0, &t))) {
		cli_error("--at: %s", cg_err_msg(rc));
		return cli_usage_hint("duty");
	}
	n = duty_roster_on_duty(r, t, people, DUTY_MAX_PEOPLE, &what);
	if (n > DUTY_MAX_PEOPLE)
		n = DUTY_MAX_PEOPLE;
	if (ctx->json) {
		cli_json_line(json_pack("{s:o, s:s, s:s, s:o, s:o}", "at", time_json(t, duty_roster_offset(r)), "zone",
					duty_roster_zone(r), "shift", what, "on_duty", people_json(r, people, n),
					"escalation", escalation_json(r)));
		return CLI_OK;
	}
	char when[40];
	cg_time_format(t * CG_TIME_US_PER_S, duty_roster_offset(r), when, sizeof when);
	printf(_("On duty at %s (%s):"), when, duty_roster_zone(r));
	if (!n) {
		printf(" %s\n", _("nobody (a gap in the roster: alerts go straight to level 1)"));
	} else {
		printf(" %s\n", *what ? what : "-");
		print_people(r, people, n);
	}
	print_escalation(r);
	return CLI_OK;
}

struct show {
	struct cli_ctx *cli;
	struct duty_store *ds;
	int offset;
	json_t *pages;
	json_t *cur; /* deliveries of the page being printed */
	enum cg_err rc;
};

static enum cg_err on_delivery(void *ctx, const struct duty_delivery *d)
{
	struct show *s = ctx;
	if (s->cli->json) {
		json_array_append_new(
			s->cur, json_pack("{s:i, s:s, s:s, s:s, s:s, s:i, s:o, s:o, s:s}", "level", d->level, "person",
					  d->person, "channel", d->channel, "to", d->target, "state",
					  duty_delivery_state_name(d->state), "attempts", (int)d->attempts, "next_at",
					  time_json(d->state == DUTY_SENT || d->state == DUTY_GAVE_UP ? 0 : d->next_at, s->offset),
					  "sent_at", time_json(d->sent_at, s->offset), "last_error", d->last_error));
		return CG_OK;
	}
	printf(_("    level %d  %-12s %-12s %-8s attempts %u"), d->level, d->person, d->channel,
	       duty_delivery_state_name(d->state), d->attempts);
	if (*d->last_error)
		printf("  (%s)", d->last_error);
	printf("\n");
	return CG_OK;
}

static enum cg_err on_attempt(void *ctx, const struct duty_attempt *a)
{
	struct show *s = ctx;
	json_array_append_new(s->cur, json_pack("{s:i, s:s, s:s, s:s, s:o, s:b, s:s}", "level", a->level, "person",
						  a->person, "channel", a->channel, "to", a->target, "at",
						  time_json(a->at, s->offset), "ok", a->ok, "error", a->error));
	return CG_OK;
}

static enum cg_err on_page(void *ctx, const struct duty_page *p)
{
	struct show *s = ctx;
	enum cg_err rc;
	if (s->cli->json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:o, s:o, s:o, s:o}", "alert", p->alert_id, "title",
				      p->title, "host", p->host, "severity", alert_severity_name(p->severity), "state",
				      alert_state_name(p->alert_state), "level", p->level, "level_at",
				      time_json(p->level_at, s->offset), "paged_at", time_json(p->created_at, s->offset),
				      "acked_by", *p->acked_by ? json_string(p->acked_by) : json_null(), "acked_at",
				      time_json(p->acked_at, s->offset));
		s->cur = json_array();
		json_object_set_new(o, "deliveries", s->cur);
		if ((rc = duty_store_deliveries(s->ds, p->alert_id, on_delivery, s)))
			return rc;
		s->cur = json_array();
		json_object_set_new(o, "attempts", s->cur);
		if ((rc = duty_store_attempts(s->ds, p->alert_id, on_attempt, s)))
			return rc;
		json_array_append_new(s->pages, o);
		return CG_OK;
	}
	char at[40];
	cg_time_format(p->created_at * CG_TIME_US_PER_S, s->offset, at, sizeof at);
	printf(_("  %s  %s  %s on %s, paged %s, level %d, %s"), p->alert_id, alert_severity_name(p->severity), p->title,
	       *p->host ? p->host : "-", at, p->level, alert_state_name(p->alert_state));
	if (*p->acked_by)
		printf(_(", acknowledged by %s"), p->acked_by);
	printf("\n");
	return duty_store_deliveries(s->ds, p->alert_id, on_delivery, s);
}

static int do_show(struct cli_ctx *ctx, const struct duty_roster *r, struct duty_store *ds, size_t limit)
{
	struct duty_gap gaps[64];
	size_t ng = duty_roster_gaps(r, gaps, 64);
	struct show s = {.cli = ctx, .ds = ds, .offset = duty_roster_offset(r), .pages = json_array()};
	enum cg_err rc;

	if (ng > 64)
		ng = 64;
	if (ctx->json) {
		json_t *channels = json_array(), *people = json_array(), *gj = json_array();
		for (size_t i = 0; i < duty_roster_n_channels(r); i++) {
			const struct duty_channel *c = duty_roster_channel(r, i);
			json_array_append_new(channels, json_pack("{s:s, s:s}", "name", c->name, "kind", kind_name(c->kind)));
		}
		for (size_t i = 0; i < duty_roster_n_people(r); i++)
		{
			json_t *one = people_json(r, &i, 1);
			json_array_extend(people, one);
			json_decref(one);
		}
		for (size_t i = 0; i < ng; i++) {
			char a[16], b[16];
			duty_week_minute_format(gaps[i].start, a, sizeof a);
			duty_week_minute_format(gaps[i].end, b, sizeof b);
			json_array_append_new(gj, json_pack("{s:s, s:s, s:i}", "from", a, "to", b, "minutes",
							     (int)(gaps[i].end - gaps[i].start)));
		}
		if ((rc = duty_store_pages(ds, limit, on_page, &s))) {
			json_decref(channels);
			json_decref(people);
			json_decref(gj);
			json_decref(s.pages);
			return cli_fail(rc);
		}
		cli_json_line(json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "zone", duty_roster_zone(r), "min_severity",
					alert_severity_name(duty_roster_min_severity(r)), "channels", channels, "people",
					people, "escalation", escalation_json(r), "gaps", gj, "pages", s.pages));
		return CLI_OK;
	}
	json_decref(s.pages);
	printf(_("Roster: zone %s, alerts of severity %s or above (and verified ones) are paged\n"), duty_roster_zone(r),
	       alert_severity_name(duty_roster_min_severity(r)));
	printf("%s\n", _("Channels:"));
	for (size_t i = 0; i < duty_roster_n_channels(r); i++)
		printf("  %-16s %s\n", duty_roster_channel(r, i)->name, kind_name(duty_roster_channel(r, i)->kind));
	printf("%s\n", _("People:"));
	for (size_t i = 0; i < duty_roster_n_people(r); i++)
		print_people(r, &i, 1);
	printf("%s\n", _("Escalation:"));
	print_escalation(r);
	if (!ng) {
		printf("%s\n", _("Coverage: the weekly shifts cover every minute of the week."));
	} else {
		printf("%s\n", _("Coverage: GAPS in the weekly shifts (nobody on duty):"));
		for (size_t i = 0; i < ng; i++) {
			char a[16], b[16];
			duty_week_minute_format(gaps[i].start, a, sizeof a);
			duty_week_minute_format(gaps[i].end, b, sizeof b);
			printf(_("  %s to %s (%u minutes)\n"), a, b, gaps[i].end - gaps[i].start);
		}
	}
	printf("%s\n", _("Alerts paged (latest first):"));
	if ((rc = duty_store_pages(ds, limit, on_page, &s)))
		return cli_fail(rc);
	return CLI_OK;
}

static int do_tick(struct cli_ctx *ctx, struct cg_db *db, const char *roster)
{
	char err[1024];
	struct duty *d = NULL;
	struct duty_tick_stats st;
	enum cg_err rc;

	if (!roster || !*roster)
		roster = getenv("CANHGAC_ROSTER");
	if (!roster || !*roster) {
		cli_error(_("no roster: give --roster FILE or set CANHGAC_ROSTER"));
		return CLI_USAGE;
	}
	if ((rc = duty_new(db, roster, cli_now(), &d, err, sizeof err))) {
		cli_error("%s", err);
		return CLI_FAIL;
	}
	rc = duty_tick(d, cli_now());
	duty_last_tick(d, &st);
	duty_free(d);
	if (rc)
		return cli_fail(rc);
	if (ctx->json)
		cli_json_line(json_pack("{s:i, s:i, s:i, s:i, s:i, s:i}", "paged", (int)st.paged, "escalated",
					(int)st.escalated, "sent", (int)st.sent, "failed", (int)st.failed, "gave_up",
					(int)st.gave_up, "deferred", (int)st.deferred));
	else
		printf(_("paged %u, escalated %u, sent %u, failed %u (will retry), given up %u, left for later %u\n"),
		       st.paged, st.escalated, st.sent, st.failed, st.gave_up, st.deferred);
	return CLI_OK;
}

static int do_ack(struct cli_ctx *ctx, struct cg_db *db, const char *alert_id, const char *by)
{
	struct duty_store *ds = NULL;
	enum cg_err rc;

	if (!by || !*by)
		by = getenv("USER");
	if (!by || !*by)
		by = "unknown";
	if ((rc = duty_store_open(db, &ds)))
		return cli_fail(rc);
	rc = duty_store_ack(ds, alert_id, by, cli_now());
	duty_store_close(ds);
	if (rc)
		return cli_fail(rc);
	if (ctx->json)
		cli_json_line(json_pack("{s:s, s:s, s:o}", "alert", alert_id, "acked_by", by, "acked_at",
					time_json(cli_now(), 0)));
	else
		printf(_("Alert %s acknowledged by %s; it will not escalate further.\n"), alert_id, by);
	return CLI_OK;
}

int cmd_duty(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{"roster", required_argument, NULL, 'r'},
		{"at", required_argument, NULL, OPT_AT},
		{"by", required_argument, NULL, OPT_BY},
		{"limit", required_argument, NULL, 'n'},
		{NULL, 0, NULL, 0},
	};
	const char *roster_path = NULL, *at = NULL, *by = NULL, *sub;
	struct duty_roster *r = NULL;
	struct duty_store *ds = NULL;
	struct cg_db *db = NULL;
	size_t limit = 50;
	long v;
	int c, st;

	while ((c = getopt_long(argc, argv, "hr:n:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return CLI_OK;
		case 'r': roster_path = optarg; break;
		case OPT_AT: at = optarg; break;
		case OPT_BY: by = optarg; break;
		case 'n':
			if (cli_parse_long(optarg, 1, 1000000, &v) != 0) {
				cli_error(_("--limit: '%s' is not a number from 1 to 1000000"), optarg);
				return cli_usage_hint("duty");
			}
			limit = (size_t)v;
			break;
		default:
			if (cli_common_opt(ctx, c, optarg))
				break;
			return cli_usage_hint("duty");
		}
	}
	if (optind >= argc) {
		cli_error(_("no subcommand: now, show, ack or tick"));
		return cli_usage_hint("duty");
	}
	sub = argv[optind++];
	int is_ack = strcmp(sub, "ack") == 0;
	if (!is_ack && strcmp(sub, "now") != 0 && strcmp(sub, "show") != 0 && strcmp(sub, "tick") != 0) {
		cli_error(_("unknown subcommand '%s'"), sub);
		return cli_usage_hint("duty");
	}
	if (is_ack ? optind + 1 != argc : optind != argc) {
		cli_error(is_ack ? _("ack takes one alert id") : _("this subcommand takes no argument"));
		return cli_usage_hint("duty");
	}
	if (at && strcmp(sub, "now") != 0) {
		cli_error(_("--at goes with 'now' only"));
		return cli_usage_hint("duty");
	}
	if (strcmp(sub, "now") == 0) {
		if ((st = load_roster(roster_path, &r)))
			return st;
		st = do_now(ctx, r, at);
		duty_roster_free(r);
		return st;
	}
	if (is_ack) {
		if (cli_open_db_existing(ctx, &db))
			return CLI_FAIL;
		st = do_ack(ctx, db, argv[optind], by);
		cg_db_close(db);
		return st;
	}
	if (strcmp(sub, "tick") == 0) {
		if (cli_open_db_existing(ctx, &db))
			return CLI_FAIL;
		st = do_tick(ctx, db, roster_path);
		cg_db_close(db);
		return st;
	}
	if ((st = load_roster(roster_path, &r)))
		return st;
	if (cli_open_db_existing(ctx, &db)) {
		duty_roster_free(r);
		return CLI_FAIL;
	}
	enum cg_err rc = duty_store_open(db, &ds);
	st = rc ? cli_fail(rc) : do_show(ctx, r, ds, limit);
	duty_store_close(ds);
	cg_db_close(db);
	duty_roster_free(r);
	return st;
}
