/* Report model and collectors (see report.h). */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_i18n.h"
#include "alert.h"
#include "compliance.h"
#include "incident.h"
#include "priority.h"
#include "report_int.h"
#include "store_alert.h"
#include "store_compliance.h"
#include "store_report.h"
#include "store_vuln.h"

#define OOM() cg_err_set(CG_ENOMEM, _("out of memory"))
#define TOP_GAPS 25
#define TOP_VULNS 30
#define DAYS_SHOWN 14
#define TOP_ALERTS 20

static char *dup0(const char *s)
{
	return strdup(s ? s : "");
}

struct report *report_new(const char *lang)
{
	struct report *r = calloc(1, sizeof *r);
	if (r && !(r->lang = dup0(lang))) {
		free(r);
		return NULL;
	}
	return r;
}

static void section_free(struct report_section *s)
{
	free(s->id);
	free(s->title);
	free(s->intro);
	free(s->empty);
	free(s->chart_title);
	for (int i = 0; i < 3; i++)
		free(s->legend[i]);
	for (size_t i = 0; i < s->n_cols; i++)
		free(s->cols[i]);
	free(s->cols);
	for (size_t i = 0; i < s->n_rows * s->n_cols; i++)
		free(s->cells[i]);
	free(s->cells);
	for (size_t i = 0; i < s->n_bars; i++)
		free(s->bars[i].label);
	free(s);
}

void report_free(struct report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_sections; i++)
		section_free(r->sections[i]);
	free(r->sections);
	free(r->lang);
	free(r->title);
	free(r->agency);
	free(r->contact);
	free(r);
}

size_t report_section_count(const struct report *r)
{
	return r->n_sections;
}

enum cg_err report_set_header(struct report *r, const char *title, const char *agency, const char *contact,
			      int64_t generated)
{
	free(r->title);
	free(r->agency);
	free(r->contact);
	r->title = dup0(title);
	r->agency = dup0(agency);
	r->contact = dup0(contact);
	r->generated = generated;
	return r->title && r->agency && r->contact ? CG_OK : OOM();
}

enum cg_err report_section_add(struct report *r, const char *id, const char *title, const char *intro,
			       struct report_section **out)
{
	if (r->n_sections == r->alloc_sections) {
		size_t na = r->alloc_sections ? r->alloc_sections * 2 : 16;
		struct report_section **ns = realloc(r->sections, na * sizeof *ns);
		if (!ns)
			return OOM();
		r->sections = ns;
		r->alloc_sections = na;
	}
	struct report_section *s = calloc(1, sizeof *s);
	if (!s)
		return OOM();
	s->id = dup0(id);
	s->title = dup0(title);
	s->intro = dup0(intro);
	if (!s->id || !s->title || !s->intro) {
		section_free(s);
		return OOM();
	}
	r->sections[r->n_sections++] = s;
	*out = s;
	return CG_OK;
}

enum cg_err report_table_columns(struct report_section *s, size_t n, const char *const *cols)
{
	if (s->n_cols || !n)
		return cg_err_set(CG_EINVAL, "report: columns set twice or empty");
	s->cols = calloc(n, sizeof *s->cols);
	if (!s->cols)
		return OOM();
	s->n_cols = n;
	for (size_t i = 0; i < n; i++)
		if (!(s->cols[i] = dup0(cols[i])))
			return OOM();
	return CG_OK;
}

enum cg_err report_table_row(struct report_section *s, const char *const *cells)
{
	if (s->n_rows >= REPORT_TABLE_ROWS_MAX)
		return cg_err_set(CG_ELIMIT, _("report: more than %d rows in a table"), REPORT_TABLE_ROWS_MAX);
	if (s->n_rows == s->alloc_rows) {
		size_t na = s->alloc_rows ? s->alloc_rows * 2 : 32;
		char **nc = realloc(s->cells, na * s->n_cols * sizeof *nc);
		if (!nc)
			return OOM();
		s->cells = nc;
		s->alloc_rows = na;
	}
	char **row = s->cells + s->n_rows * s->n_cols;
	for (size_t i = 0; i < s->n_cols; i++)
		row[i] = NULL;
	s->n_rows++;
	for (size_t i = 0; i < s->n_cols; i++)
		if (!(row[i] = dup0(cells[i])))
			return OOM();
	return CG_OK;
}

enum cg_err report_chart_title(struct report_section *s, const char *title)
{
	free(s->chart_title);
	return (s->chart_title = dup0(title)) ? CG_OK : OOM();
}

enum cg_err report_chart_bar(struct report_section *s, const char *label, double good, double bad, double unknown)
{
	if (s->n_bars >= REPORT_CHART_BARS_MAX)
		return cg_err_set(CG_ELIMIT, "report: more than %d bars", REPORT_CHART_BARS_MAX);
	struct report_bar *b = &s->bars[s->n_bars];
	if (!(b->label = dup0(label)))
		return OOM();
	b->good = good;
	b->bad = bad;
	b->unknown = unknown;
	s->n_bars++;
	return CG_OK;
}

enum cg_err report_chart_legend(struct report_section *s, const char *good, const char *bad, const char *unknown)
{
	const char *v[3] = {good, bad, unknown};
	for (int i = 0; i < 3; i++) {
		free(s->legend[i]);
		s->legend[i] = NULL;
		if (v[i] && !(s->legend[i] = strdup(v[i])))
			return OOM();
	}
	return CG_OK;
}

void report_chart_neutral(struct report_section *s)
{
	s->neutral = 1;
}

enum cg_err report_section_empty(struct report_section *s, const char *text)
{
	free(s->empty);
	return (s->empty = dup0(text)) ? CG_OK : OOM();
}

static void day_text(int64_t t, char *buf, size_t n)
{
	char iso[32];
	if (!t) {
		snprintf(buf, n, "—");
		return;
	}
	cg_time_iso(t, iso, sizeof iso);
	iso[10] = '\0';
	snprintf(buf, n, "%s", iso);
}

/* ---- collectors ---- */

static enum cg_err collect_compliance(struct report *r, const struct report_input *in)
{
	struct comp_eval *ev;
	struct report_section *s, *g;
	enum cg_err rc = comp_evaluate(in->db, in->cat, in->eol, NULL, in->now, in->lang, &ev);
	if (rc)
		return rc;
	const char *cols[] = {_("System"), _("Level"), _("Hosts"), _("Met"), _("Not met"), _("Unknown"), _("Compliance")};
	if ((rc = report_section_add(r, "compliance", _("Systems by security level and compliance"),
				     comp_catalogue_title(in->cat, in->lang), &s)) ||
	    (rc = report_chart_title(s, _("Requirements by level: met, not met, unknown"))) ||
	    (rc = report_chart_legend(s, _("met"), _("not met"), _("unknown"))) ||
	    (rc = report_table_columns(s, 7, cols)) ||
	    (rc = report_section_empty(s, _("No information system is recorded yet."))))
		goto out;
	size_t per_level[6][4] = {{0}}, systems_at[6] = {0};
	for (size_t i = 0; i < comp_eval_count(ev); i++) {
		const struct comp_system_result *x = comp_eval_system(ev, i);
		char lv[8], nh[24], met[24], nm[24], unk[24], pct[16];
		snprintf(lv, sizeof lv, "%d", x->level);
		snprintf(nh, sizeof nh, "%zu", x->n_hosts);
		snprintf(met, sizeof met, "%zu", x->met);
		snprintf(nm, sizeof nm, "%zu", x->not_met);
		snprintf(unk, sizeof unk, "%zu", x->unknown);
		snprintf(pct, sizeof pct, "%d%%", comp_system_percent(x));
		const char *row[] = {x->name, lv, nh, met, nm, unk, pct};
		if ((rc = report_table_row(s, row)))
			goto out;
		per_level[x->level][0] += x->met;
		per_level[x->level][1] += x->not_met;
		per_level[x->level][2] += x->unknown;
		systems_at[x->level]++;
	}
	for (int l = 5; l >= 1; l--) {
		if (!systems_at[l])
			continue;
		char label[96];
		snprintf(label, sizeof label,
			 ngettext("Level %d (%zu system)", "Level %d (%zu systems)", (unsigned long)systems_at[l]), l,
			 systems_at[l]);
		if ((rc = report_chart_bar(s, label, (double)per_level[l][0], (double)per_level[l][1],
					   (double)per_level[l][2])))
			goto out;
	}
	const char *gcols[] = {_("Level"), _("System"), _("Requirement"), _("Group"), _("State"), _("Evidence")};
	char intro[256];
	snprintf(intro, sizeof intro, _("%zu gaps in all; the first %d, not met before unknown, highest level first."),
		 comp_eval_gap_count(ev), TOP_GAPS);
	if ((rc = report_section_add(r, "gaps", _("Top gaps"), intro, &g)) || (rc = report_table_columns(g, 6, gcols)) ||
	    (rc = report_section_empty(g, _("No gaps: every applicable requirement is met."))))
		goto out;
	/* Not met before unknown: what is known to be missing matters most. */
	size_t shown = 0;
	for (int pass = 0; pass < 2; pass++)
	for (size_t i = 0; i < comp_eval_gap_count(ev) && shown < TOP_GAPS; i++) {
		const struct comp_gap *x = comp_eval_gap(ev, i);
		if ((x->result->state == COMP_NOT_MET) != (pass == 0))
			continue;
		shown++;
		char lv[8], req[512];
		snprintf(lv, sizeof lv, "%d", x->system->level);
		snprintf(req, sizeof req, "%s %s", x->result->req->id, comp_req_title(x->result->req, in->lang));
		const char *row[] = {lv, x->system->name, req, comp_group_name(x->result->req->group),
				     comp_state_name(x->result->state), x->result->evidence};
		if ((rc = report_table_row(g, row)))
			goto out;
	}
out:
	comp_eval_free(ev);
	return rc;
}

struct sweep_list {
	char **host;
	int64_t *at;
	char **by;
	size_t n, alloc;
};

static enum cg_err add_sweep(void *ctx, const char *host, int64_t at, const char *by, const char *note)
{
	(void)note;
	struct sweep_list *l = ctx;
	if (l->n == l->alloc) {
		size_t na = l->alloc ? l->alloc * 2 : 32;
		char **h = realloc(l->host, na * sizeof *h);
		if (h)
			l->host = h;
		char **b = realloc(l->by, na * sizeof *b);
		if (b)
			l->by = b;
		int64_t *a = realloc(l->at, na * sizeof *a);
		if (a)
			l->at = a;
		if (!h || !b || !a)
			return OOM();
		l->alloc = na;
	}
	l->host[l->n] = strdup(host);
	l->by[l->n] = strdup(by);
	l->at[l->n] = at;
	if (!l->host[l->n] || !l->by[l->n]) {
		free(l->host[l->n]);
		free(l->by[l->n]);
		return OOM();
	}
	l->n++;
	return CG_OK;
}

static enum cg_err collect_botnet(struct report *r, const struct report_input *in)
{
	struct priority_report *pr = NULL;
	struct priority_opts po = {NULL, 0, 0};
	struct sweep_list sw = {0};
	struct report_section *s;
	enum cg_err rc;
	const char *cols[] = {_("Host"), _("System"), _("Level"), _("Listed address"), _("List"), _("Family"),
			      _("Sweep")};
	if ((rc = report_section_add(r, "botnet", _("Hosts on the botnet list and their sweep state"),
				     _("Inventory hosts whose own address is on a current list, and whether a sweep was recorded."),
				     &s)) ||
	    (rc = report_table_columns(s, 7, cols)) ||
	    (rc = report_section_empty(s, _("No inventory host is on a current list."))) ||
	    (rc = store_comp_sweep_foreach(in->db, add_sweep, &sw)) || (rc = priority_run(in->db, &po, &pr)))
		goto out;
	size_t swept = 0, listed = 0;
	for (size_t i = 0; i < priority_report_count(pr); i++) {
		const struct priority_host *h = priority_report_host(pr, i);
		if (h->tier != PRIORITY_TIER_LISTED || !h->n_on_list)
			continue;
		listed++;
		char lv[8], state[160] = "";
		snprintf(lv, sizeof lv, "%d", h->level);
		for (size_t k = 0; k < sw.n; k++)
			if (strcmp(sw.host[k], h->name) == 0) {
				char day[32];
				day_text(sw.at[k], day, sizeof day);
				snprintf(state, sizeof state, _("swept %s by %s"), day, sw.by[k]);
				swept++;
			}
		if (!state[0])
			snprintf(state, sizeof state, "%s", _("not swept"));
		const struct priority_listing *l = &h->on_list[0];
		const char *row[] = {h->name, h->system, lv, l->addr, l->source, l->family, state};
		if ((rc = report_table_row(s, row)))
			goto out;
	}
	if ((rc = report_chart_title(s, _("Listed hosts: swept, not swept"))) ||
	    (rc = report_chart_legend(s, _("swept"), _("not swept"), NULL)))
		goto out;
	if (listed && (rc = report_chart_bar(s, _("Hosts on a list"), (double)swept, (double)(listed - swept), 0)))
		goto out;
out:
	for (size_t k = 0; k < sw.n; k++) {
		free(sw.host[k]);
		free(sw.by[k]);
	}
	free(sw.host);
	free(sw.by);
	free(sw.at);
	priority_report_free(pr);
	return rc;
}

struct vuln_ctx {
	struct report_section *s;
	size_t n, watch, kev;
};

static enum cg_err add_finding(void *ctx, const struct finding *f)
{
	struct vuln_ctx *v = ctx;
	if (!f->watch_ref[0] && !f->kev_added[0])
		return CG_OK;
	v->n++;
	v->watch += f->watch_ref[0] != 0;
	v->kev += f->kev_added[0] != 0;
	if (v->n > TOP_VULNS)
		return CG_OK;
	char lv[8], cvss[16];
	snprintf(lv, sizeof lv, "%d", f->level);
	if (f->cvss >= 0)
		snprintf(cvss, sizeof cvss, "%.1f", f->cvss);
	else
		snprintf(cvss, sizeof cvss, "—");
	const char *why = f->watch_ref[0] ? f->watch_ref : "KEV";
	const char *row[] = {f->host, f->system, lv, f->vuln_id, f->package, f->installed, cvss, why, f->kev_due};
	return report_table_row(v->s, row);
}

static enum cg_err collect_vulns(struct report *r, const struct report_input *in)
{
	struct report_section *s;
	enum cg_err rc;
	const char *cols[] = {_("Host"), _("System"), _("Level"), _("Vulnerability"), _("Package"), _("Installed"),
			      _("CVSS"), _("Watchlist / KEV"), _("KEV due")};
	char intro[256];
	if ((rc = report_section_add(r, "vulns", _("Open watchlist and KEV vulnerabilities"), "", &s)) ||
	    (rc = report_table_columns(s, 9, cols)) ||
	    (rc = report_section_empty(s, _("No open finding is on the watchlist or in KEV."))))
		return rc;
	struct vuln_ctx v = {s, 0, 0, 0};
	struct finding_filter flt = {.state = "open"};
	if ((rc = store_finding_foreach(in->db, &flt, add_finding, &v)))
		return rc;
	snprintf(intro, sizeof intro, _("%zu open findings (%zu on the watchlist, %zu in KEV); the first %d by rank."), v.n,
		 v.watch, v.kev, TOP_VULNS);
	free(s->intro);
	if (!(s->intro = strdup(intro)))
		return OOM();
	return CG_OK;
}

struct day_ctx {
	int64_t from;
	int64_t ioc[DAYS_SHOWN], sig[DAYS_SHOWN];
};

static enum cg_err add_day(void *ctx, int64_t day, int64_t ioc, int64_t sig)
{
	struct day_ctx *d = ctx;
	int64_t i = (day - d->from) / 86400;
	if (i >= 0 && i < DAYS_SHOWN) {
		d->ioc[i] += ioc;
		d->sig[i] += sig;
	}
	return CG_OK;
}

static enum cg_err collect_hits(struct report *r, const struct report_input *in)
{
	struct report_section *s;
	enum cg_err rc;
	struct day_ctx d = {0};
	int64_t today = in->now / 86400 * 86400;
	d.from = today - (DAYS_SHOWN - 1) * 86400;
	const char *cols[] = {_("Day"), _("Hunt hits (log lines)"), _("Sigma hits")};
	if ((rc = report_section_add(r, "hits", _("Hunt and Sigma hits per day"),
				     _("The last 14 days; a hit is a log line with a listed indicator, or an event a Sigma rule matched."),
				     &s)) ||
	    (rc = report_table_columns(s, 3, cols)) || (rc = report_chart_title(s, _("Hunt hits and Sigma hits per day"))) ||
	    (rc = report_chart_legend(s, _("hunt hits"), _("Sigma hits"), NULL)) ||
	    (rc = store_report_hits_per_day(in->db, d.from, today + 86400, add_day, &d)))
		return rc;
	report_chart_neutral(s);
	for (int i = 0; i < DAYS_SHOWN; i++) {
		char day[32], a[24], b[24];
		day_text(d.from + i * 86400, day, sizeof day);
		snprintf(a, sizeof a, "%lld", (long long)d.ioc[i]);
		snprintf(b, sizeof b, "%lld", (long long)d.sig[i]);
		const char *row[] = {day, a, b};
		if ((rc = report_table_row(s, row)) ||
		    (rc = report_chart_bar(s, day + 5, (double)d.ioc[i], (double)d.sig[i], 0)))
			return rc;
	}
	return CG_OK;
}

struct order_ctx {
	struct report_section *s;
	int64_t now;
};

static enum cg_err add_order(void *ctx, const struct report_order_row *o)
{
	struct order_ctx *c = ctx;
	char issued[32], deadline[32], targets[24], live[24];
	day_text(o->issued_at, issued, sizeof issued);
	day_text(o->deadline_at, deadline, sizeof deadline);
	snprintf(targets, sizeof targets, "%lld", (long long)o->n_targets);
	snprintf(live, sizeof live, "%lld", (long long)o->n_live);
	const char *state = o->n_live >= o->n_targets && o->n_targets ? _("in force")
			    : o->deadline_at && o->deadline_at < c->now ? _("overdue")
									: _("pending");
	const char *row[] = {o->ref, issued, deadline, targets, live, state};
	return report_table_row(c->s, row);
}

static enum cg_err collect_orders(struct report *r, const struct report_input *in)
{
	struct report_section *s;
	enum cg_err rc;
	const char *cols[] = {_("Order"), _("Issued"), _("Deadline"), _("Targets"), _("In force"), _("State")};
	if ((rc = report_section_add(r, "orders", _("Blocking orders and their state"), "", &s)) ||
	    (rc = report_table_columns(s, 6, cols)) ||
	    (rc = report_section_empty(s, _("No blocking order is recorded."))))
		return rc;
	struct order_ctx c = {s, in->now};
	return store_report_orders(in->db, in->now, add_order, &c);
}

static enum cg_err collect_awareness_row(void *ctx, const struct comp_awareness_row *a)
{
	struct report_section *s = ctx;
	char day[32], people[24], clicked[24];
	day_text(a->held_on, day, sizeof day);
	snprintf(people, sizeof people, "%lld", (long long)a->n_people);
	if (strcmp(a->kind, "phishing") == 0)
		snprintf(clicked, sizeof clicked, "%lld", (long long)a->n_clicked);
	else
		snprintf(clicked, sizeof clicked, "—");
	const char *kind = strcmp(a->kind, "phishing") == 0 ? _("phishing exercise") : _("briefing");
	const char *row[] = {day, kind, a->title, people, clicked};
	return report_table_row(s, row);
}

static enum cg_err collect_awareness(struct report *r, const struct report_input *in)
{
	struct report_section *s;
	enum cg_err rc;
	const char *cols[] = {_("Date"), _("Kind"), _("Title"), _("People"), _("Clicked")};
	if ((rc = report_section_add(r, "awareness", _("Awareness: briefings and phishing exercises"), "", &s)) ||
	    (rc = report_table_columns(s, 5, cols)) ||
	    (rc = report_section_empty(s, _("No briefing or exercise is recorded."))))
		return rc;
	return store_comp_awareness_foreach(in->db, collect_awareness_row, s);
}

static const char *due_text(enum incident_due d)
{
	switch (d) {
	case INCIDENT_DUE_NOT_YET: return _("not started");
	case INCIDENT_DUE_PENDING: return _("due");
	case INCIDENT_DUE_OVERDUE: return _("overdue");
	case INCIDENT_DUE_DONE: return _("sent in time");
	case INCIDENT_DUE_LATE: return _("sent late");
	}
	return "";
}

static const char *status_text(const char *s)
{
	if (strcmp(s, "open") == 0)
		return _("open");
	if (strcmp(s, "responding") == 0)
		return _("responding");
	if (strcmp(s, "resolved") == 0)
		return _("resolved");
	if (strcmp(s, "closed") == 0)
		return _("closed");
	return s;
}

static enum cg_err add_incident(void *ctx, const struct incident_row *r, const struct incident_deadlines *d)
{
	struct report_section *s = ctx;
	char id[24], lv[8], found[32], init[96], fin[96], due[32];
	snprintf(id, sizeof id, "%lld", (long long)r->id);
	if (r->level)
		snprintf(lv, sizeof lv, "%d", r->level);
	else
		snprintf(lv, sizeof lv, "—");
	day_text(r->discovered_at, found, sizeof found);
	day_text(d->initial_due, due, sizeof due);
	snprintf(init, sizeof init, "%s (%s)", due_text(d->initial), due);
	if (d->final_due) {
		day_text(d->final_due, due, sizeof due);
		snprintf(fin, sizeof fin, "%s (%s)", due_text(d->final), due);
	} else
		snprintf(fin, sizeof fin, "%s", due_text(d->final));
	const char *row[] = {id, r->title, r->system, lv, r->severity, status_text(r->status), found, init, fin};
	return report_table_row(s, row);
}

/* Incidents (src/incident) with the deadlines of their reports. */
static enum cg_err collect_incidents(struct report *r, const struct report_input *in)
{
	struct report_section *s;
	struct incident_counts c;
	enum cg_err rc;
	char intro[256];
	const char *cols[] = {_("Incident"), _("Title"), _("System"), _("Level"), _("Severity"), _("Status"),
			      _("Discovered"), _("Initial report"), _("Final report")};
	if ((rc = incident_store_counts(in->db, in->now, &c)))
		return rc;
	snprintf(intro, sizeof intro,
		 _("%zu incidents: %zu open, %zu closed; initial reports overdue: %zu, final reports overdue: %zu."),
		 c.total, c.open, c.closed, c.initial_overdue, c.final_overdue);
	if ((rc = report_section_add(r, "incidents", _("Incidents and their reports"), intro, &s)) ||
	    (rc = report_table_columns(s, 9, cols)) || (rc = report_section_empty(s, _("No incident is recorded."))))
		return rc;
	return incident_list(in->db, in->now, add_incident, s);
}

static const char *alert_severity_text(enum alert_severity sev)
{
	switch (sev) {
	case ALERT_SEV_INFORMATIONAL: return _("informational");
	case ALERT_SEV_LOW: return _("low");
	case ALERT_SEV_MEDIUM: return _("medium");
	case ALERT_SEV_HIGH: return _("high");
	case ALERT_SEV_CRITICAL: return _("critical");
	}
	return "";
}

/* "2026-11-28 03:14 UTC", or "—" when unknown. */
static void minute_text(int64_t t, char *buf, size_t n)
{
	char iso[32];
	if (!t) {
		snprintf(buf, n, "—");
		return;
	}
	cg_time_iso(t, iso, sizeof iso);
	iso[10] = ' ';
	iso[16] = '\0';
	snprintf(buf, n, "%s UTC", iso);
}

static enum cg_err add_top_alert(void *ctx, const struct alert *a)
{
	struct report_section *s = ctx;
	char lv[8], count[24], last[48];
	if (a->security_level)
		snprintf(lv, sizeof lv, "%d", a->security_level);
	else
		snprintf(lv, sizeof lv, "—");
	snprintf(count, sizeof count, "%llu", (unsigned long long)a->count);
	minute_text(a->last_seen, last, sizeof last);
	const char *what, *source;
	if (a->kind == ALERT_KIND_INDICATOR) {
		what = a->indicator;
		source = a->sources;
	} else {
		what = a->title[0] ? a->title : a->rule_id;
		source = a->kind == ALERT_KIND_SIGMA ? _("Sigma rule") : alert_kind_name(a->kind);
	}
	const char *row[] = {what, source, a->host, a->system[0] ? a->system : "—", lv,
			     alert_severity_text(a->severity), count, last};
	return report_table_row(s, row);
}

/* Alerts (src/alert): how many by state and severity, open ones per
 * security level, and the top open ones. */
static enum cg_err collect_alerts(struct report *r, const struct report_input *in)
{
	struct alert_store *st = NULL;
	struct alert_counts c;
	struct report_section *s, *t;
	char intro[512];
	enum cg_err rc;
	if ((rc = alert_store_open(in->db, in->now, &st)) || (rc = alert_store_counts(st, &c)))
		goto out;
	snprintf(intro, sizeof intro,
		 _("Alerts in all: %llu; new: %llu, verified: %llu, false positive: %llu, escalated: %llu, "
		   "closed: %llu. Open (new, verified or escalated): %llu."),
		 (unsigned long long)c.total, (unsigned long long)c.by_state[ALERT_STATE_NEW],
		 (unsigned long long)c.by_state[ALERT_STATE_VERIFIED],
		 (unsigned long long)c.by_state[ALERT_STATE_FALSE_POSITIVE],
		 (unsigned long long)c.by_state[ALERT_STATE_ESCALATED], (unsigned long long)c.by_state[ALERT_STATE_CLOSED],
		 (unsigned long long)c.open);
	const char *cols[] = {_("Severity"), _("Open"), _("All alerts")};
	if ((rc = report_section_add(r, "alerts", _("Alerts by state, severity and security level"), intro, &s)) ||
	    (rc = report_table_columns(s, 3, cols)) ||
	    (rc = report_chart_title(s, _("Open alerts by the security level of their system"))) ||
	    (rc = report_chart_legend(s, _("open alerts"), NULL, NULL)))
		goto out;
	report_chart_neutral(s);
	if (c.total)
		for (int sev = ALERT_SEV_CRITICAL; sev >= ALERT_SEV_INFORMATIONAL; sev--) {
			char open[24], all[24];
			snprintf(open, sizeof open, "%llu", (unsigned long long)c.open_by_severity[sev]);
			snprintf(all, sizeof all, "%llu", (unsigned long long)c.by_severity[sev]);
			const char *row[] = {alert_severity_text((enum alert_severity)sev), open, all};
			if ((rc = report_table_row(s, row)))
				goto out;
		}
	if ((rc = report_section_empty(s, _("No alert is recorded."))))
		goto out;
	for (int l = 5; l >= 0; l--) {
		if (!c.open_by_level[l])
			continue;
		char label[64];
		if (l)
			snprintf(label, sizeof label, _("Level %d"), l);
		else
			snprintf(label, sizeof label, "%s", _("No security level"));
		if ((rc = report_chart_bar(s, label, (double)c.open_by_level[l], 0, 0)))
			goto out;
	}
	const char *tcols[] = {_("What fired"), _("Source"), _("Host"), _("System"), _("Level"), _("Severity"),
			       _("Count"), _("Last seen")};
	snprintf(intro, sizeof intro, _("%llu open alerts; the first %d, most severe first, then latest seen."),
		 (unsigned long long)c.open, TOP_ALERTS);
	if ((rc = report_section_add(r, "top-alerts", _("Top open alerts"), intro, &t)) ||
	    (rc = report_table_columns(t, 8, tcols)) || (rc = report_section_empty(t, _("No open alert."))))
		goto out;
	struct alert_filter f = {.open_only = 1, .limit = TOP_ALERTS};
	rc = alert_store_foreach(st, &f, add_top_alert, t);
out:
	alert_store_close(st);
	return rc;
}
/* One entry per section, in report order. */
static enum cg_err (*const report_collectors[])(struct report *, const struct report_input *) = {
	collect_compliance, collect_botnet, collect_vulns, collect_hits, collect_alerts, collect_orders,
	collect_incidents, collect_awareness,
};

enum cg_err report_collect(struct report *r, const struct report_input *in)
{
	for (size_t i = 0; i < sizeof report_collectors / sizeof report_collectors[0]; i++) {
		enum cg_err rc = report_collectors[i](r, in);
		if (rc)
			return rc;
	}
	return CG_OK;
}
