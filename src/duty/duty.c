/* The duty engine (see duty.h). */
#include "duty.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cg_buf.h"
#include "cg_i18n.h"
#include "deliver.h"
#include "notice.h"
#include "store_alert.h"
#include "store_duty.h"

#define NOTICE_MAX (256 * 1024)

struct duty {
	struct cg_db *db;
	struct duty_roster *roster;
	struct duty_store *store;
	unsigned budget_s;
	struct duty_tick_stats last;
};

/* Ids (or deliveries) collected from a query before acting on them. */
struct id_list {
	char **v;
	size_t n, a;
};

static enum cg_err keep_id(void *ctx, const char *id)
{
	struct id_list *l = ctx;
	if (l->n == l->a) {
		size_t na = l->a ? l->a * 2 : 16;
		char **nv = realloc(l->v, na * sizeof *nv);
		if (!nv)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		l->v = nv;
		l->a = na;
	}
	if (!(l->v[l->n] = strdup(id)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	l->n++;
	return CG_OK;
}

static void id_list_free(struct id_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

enum cg_err duty_new(struct cg_db *db, const char *roster_path, int64_t now, struct duty **out, char *err, size_t errn)
{
	struct duty *d;
	enum cg_err rc;

	(void)now;
	*out = NULL;
	if (!(d = calloc(1, sizeof *d))) {
		rc = cg_err_set(CG_ENOMEM, _("out of memory"));
		goto fail;
	}
	d->db = db;
	d->budget_s = DUTY_TICK_BUDGET_S;
	if ((rc = duty_roster_load(roster_path, &d->roster)) || (rc = duty_store_open(db, &d->store)) ||
	    (rc = duty_deliver_init()))
		goto fail;
	*out = d;
	return CG_OK;
fail:
	if (err && errn)
		snprintf(err, errn, "%s", cg_err_msg(rc));
	duty_free(d);
	return rc;
}

void duty_free(struct duty *d)
{
	if (!d)
		return;
	duty_store_close(d->store);
	duty_roster_free(d->roster);
	free(d);
}

void duty_last_tick(const struct duty *d, struct duty_tick_stats *out)
{
	*out = d->last;
}

const struct duty_roster *duty_get_roster(const struct duty *d)
{
	return d->roster;
}

void duty_set_budget(struct duty *d, unsigned seconds)
{
	d->budget_s = seconds;
}

/* A delivery for every contact of every person in `people`. */
static enum cg_err add_deliveries(struct duty *d, const char *alert_id, int level, const size_t *people, size_t n,
				  int64_t now)
{
	for (size_t i = 0; i < n; i++) {
		const struct duty_person *p = duty_roster_person(d->roster, people[i]);
		for (size_t k = 0; k < p->n_contacts; k++) {
			const struct duty_channel *c = duty_roster_channel(d->roster, p->contacts[k].channel);
			enum cg_err rc = duty_store_delivery_add(d->store, alert_id, level, p->id, c->name,
								 p->contacts[k].to, now);
			if (rc)
				return rc;
		}
	}
	return CG_OK;
}

/* Reach escalation level `level` (1..n) of `alert_id` at `at`. */
static enum cg_err reach_level(struct duty *d, struct alert_store *as, const char *alert_id, int level, int64_t at)
{
	const struct duty_level *l = duty_roster_level(d->roster, (size_t)level - 1);
	enum cg_err rc;

	if ((rc = duty_store_page_level(d->store, alert_id, level, at)) ||
	    (rc = add_deliveries(d, alert_id, level, l->people, l->n_people, at)))
		return rc;
	if (l->provincial && (rc = alert_store_set_state(as, alert_id, ALERT_STATE_ESCALATED, "duty")))
		return rc;
	d->last.escalated++;
	return CG_OK;
}

static enum cg_err page_new(struct duty *d, struct alert_store *as, int64_t now)
{
	int64_t since = now - duty_roster_max_age(d->roster);
	struct id_list ids = {0};
	size_t people[DUTY_MAX_PEOPLE];
	enum cg_err rc;

	if ((rc = duty_store_candidates(d->store, duty_roster_min_severity(d->roster), since, DUTY_TICK_MAX_PAGES, keep_id,
					&ids)))
		goto out;
	for (size_t i = 0; i < ids.n; i++) {
		size_t n = duty_roster_on_duty(d->roster, now, people, DUTY_MAX_PEOPLE, NULL);
		if ((rc = duty_store_page_add(d->store, ids.v[i], now)))
			goto out;
		if (n > DUTY_MAX_PEOPLE)
			n = DUTY_MAX_PEOPLE;
		rc = n ? add_deliveries(d, ids.v[i], 0, people, n, now) : reach_level(d, as, ids.v[i], 1, now);
		if (rc)
			goto out;
		d->last.paged++;
	}
out:
	id_list_free(&ids);
	return rc;
}

struct open_page {
	char *id;
	int level;
	int64_t level_at;
};
struct open_pages {
	struct open_page *v;
	size_t n, a;
};

static enum cg_err keep_page(void *ctx, const struct duty_page *p)
{
	struct open_pages *l = ctx;
	if (l->n == l->a) {
		size_t na = l->a ? l->a * 2 : 16;
		struct open_page *nv = realloc(l->v, na * sizeof *nv);
		if (!nv)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		l->v = nv;
		l->a = na;
	}
	if (!(l->v[l->n].id = strdup(p->alert_id)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	l->v[l->n].level = p->level;
	l->v[l->n].level_at = p->level_at;
	l->n++;
	return CG_OK;
}

static enum cg_err escalate(struct duty *d, struct alert_store *as, int64_t now)
{
	struct open_pages pages = {0};
	int levels = (int)duty_roster_n_levels(d->roster);
	enum cg_err rc;

	if ((rc = duty_store_pages_open(d->store, keep_page, &pages)))
		goto out;
	for (size_t i = 0; i < pages.n; i++) {
		struct open_page *p = &pages.v[i];
		while (p->level < levels) {
			int64_t due = p->level_at + duty_roster_level(d->roster, (size_t)p->level)->after_s;
			if (now < due)
				break;
			p->level++;
			p->level_at = due;
			if ((rc = reach_level(d, as, p->id, p->level, due)))
				goto out;
		}
	}
out:
	for (size_t i = 0; i < pages.n; i++)
		free(pages.v[i].id);
	free(pages.v);
	return rc;
}

struct due {
	int64_t id;
	char *alert_id, *person, *channel, *target;
	int level;
	unsigned attempts;
};
struct due_list {
	struct due *v;
	size_t n, a;
};

static enum cg_err keep_due(void *ctx, const struct duty_delivery *dl)
{
	struct due_list *l = ctx;
	if (l->n == l->a) {
		size_t na = l->a ? l->a * 2 : 16;
		struct due *nv = realloc(l->v, na * sizeof *nv);
		if (!nv)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		l->v = nv;
		l->a = na;
	}
	struct due *x = &l->v[l->n];
	memset(x, 0, sizeof *x);
	x->id = dl->id;
	x->level = dl->level;
	x->attempts = dl->attempts;
	l->n++;
	if (!(x->alert_id = strdup(dl->alert_id)) || !(x->person = strdup(dl->person)) ||
	    !(x->channel = strdup(dl->channel)) || !(x->target = strdup(dl->target)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	return CG_OK;
}

static void due_list_free(struct due_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].alert_id);
		free(l->v[i].person);
		free(l->v[i].channel);
		free(l->v[i].target);
	}
	free(l->v);
}

/* The alert copied out of the store's callback (its strings with it). */
struct alert_copy {
	struct alert a;
	char *strs[12];
};

static enum cg_err copy_alert(void *ctx, const struct alert *a)
{
	struct alert_copy *c = ctx;
	const char **f[] = {&c->a.rule_id, &c->a.title,  &c->a.level, &c->a.indicator, &c->a.indicator_type,
			    &c->a.sources, &c->a.family, &c->a.host,  &c->a.system,    &c->a.state_by};
	c->a = *a;
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		if (!(c->strs[i] = strdup(*f[i] ? *f[i] : "")))
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		*f[i] = c->strs[i];
	}
	return CG_OK;
}

static void alert_copy_free(struct alert_copy *c)
{
	for (size_t i = 0; i < sizeof c->strs / sizeof c->strs[0]; i++)
		free(c->strs[i]);
}

static int64_t elapsed_s(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)(t.tv_sec - t0->tv_sec);
}

/* Compose and send one delivery; the reason of a failure into `why`. */
static enum cg_err send_one(struct duty *d, struct alert_store *as, const struct due *x, int64_t now, char *why,
			    size_t whyn)
{
	struct alert_copy ac = {0};
	struct cg_buf subject, body, msg;
	long pi = duty_roster_find_person(d->roster, x->person);
	const struct duty_channel *ch = NULL;
	enum cg_err rc;

	for (size_t i = 0; i < duty_roster_n_channels(d->roster); i++)
		if (strcmp(duty_roster_channel(d->roster, i)->name, x->channel) == 0)
			ch = duty_roster_channel(d->roster, i);
	if (pi < 0 || !ch) {
		snprintf(why, whyn, _("'%s' or channel '%s' is no longer in the roster"), x->person, x->channel);
		return CG_ENOTFOUND;
	}
	if ((rc = alert_store_get(as, x->alert_id, copy_alert, &ac))) {
		alert_copy_free(&ac);
		snprintf(why, whyn, "%s", cg_err_msg(rc));
		return rc;
	}
	const struct duty_level *lv = x->level > 0 && (size_t)x->level <= duty_roster_n_levels(d->roster)
					      ? duty_roster_level(d->roster, (size_t)x->level - 1)
					      : NULL;
	struct duty_notice n = {
		.alert = &ac.a,
		.level = x->level,
		.provincial = lv ? lv->provincial : 0,
		.level_name = lv ? lv->name : "",
		.person = duty_roster_person(d->roster, (size_t)pi)->name,
		.now = now,
		.offset = duty_roster_offset(d->roster),
	};
	cg_buf_init(&subject, NOTICE_MAX);
	cg_buf_init(&body, NOTICE_MAX);
	cg_buf_init(&msg, 2 * NOTICE_MAX);
	if (!(rc = duty_notice_text(&n, &subject, &body))) {
		if (ch->kind == DUTY_CH_SMTP) {
			char key[200];
			snprintf(key, sizeof key, "canhgac.%s.%d.%s", ac.a.id, x->level, x->person);
			for (char *k = key; *k; k++) /* dot-atom text only */
				if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') ||
				      *k == '.' || *k == '-' || *k == '_'))
					*k = '_';
			if (!(rc = duty_notice_email(ch->from, x->target, subject.data, body.data, key, now, n.offset, &msg)))
				rc = duty_deliver_email(ch, x->target, msg.data, msg.len);
		} else if (!(rc = duty_notice_json(ch->kind, &n, x->target, subject.data, body.data, &msg))) {
			rc = duty_deliver_json(ch, msg.data, msg.len);
		}
	}
	if (rc)
		snprintf(why, whyn, "%s", cg_err_msg(rc));
	cg_buf_free(&subject);
	cg_buf_free(&body);
	cg_buf_free(&msg);
	alert_copy_free(&ac);
	return rc;
}

static int64_t backoff(const struct duty *d, unsigned attempts)
{
	int64_t first, max, delay;
	unsigned total;
	duty_roster_retry(d->roster, &first, &max, &total);
	delay = first;
	for (unsigned i = 1; i < attempts && delay < max; i++)
		delay *= 2;
	return delay < max ? delay : max;
}

static enum cg_err deliver_due(struct duty *d, struct alert_store *as, int64_t now, const struct timespec *t0)
{
	struct due_list due = {0};
	int64_t first, max;
	unsigned total;
	enum cg_err rc;

	duty_roster_retry(d->roster, &first, &max, &total);
	if ((rc = duty_store_deliveries_due(d->store, now, DUTY_TICK_MAX_DELIVERIES, keep_due, &due)))
		goto out;
	for (size_t i = 0; i < due.n; i++) {
		const struct due *x = &due.v[i];
		char why[1024] = "";
		int64_t next = 0;
		if (elapsed_s(t0) >= d->budget_s) {
			d->last.deferred += (unsigned)(due.n - i);
			break;
		}
		const struct duty_channel *ch = NULL;
		int claimed = 0;
		for (size_t k = 0; k < duty_roster_n_channels(d->roster); k++)
			if (strcmp(duty_roster_channel(d->roster, k)->name, x->channel) == 0)
				ch = duty_roster_channel(d->roster, k);
		/* Long enough for the transfer; a crash mid-way retries after it. */
		if ((rc = duty_store_claim(d->store, x->id, now, now + 2 * (ch ? ch->timeout_s : 300) + 60, &claimed)))
			goto out;
		if (!claimed)
			continue; /* another engine took it */
		enum cg_err sent = send_one(d, as, x, now, why, sizeof why);
		cg_err_clear();
		if (sent && sent != CG_ENOTFOUND && x->attempts + 1 < total)
			next = now + backoff(d, x->attempts + 1);
		if ((rc = duty_store_begin(d->store)))
			goto out;
		if ((rc = duty_store_attempt(d->store, x->id, now, sent ? why : NULL, next))) {
			duty_store_rollback(d->store);
			goto out;
		}
		if ((rc = duty_store_commit(d->store)))
			goto out;
		if (!sent)
			d->last.sent++;
		else if (next)
			d->last.failed++;
		else
			d->last.gave_up++;
	}
out:
	due_list_free(&due);
	return rc;
}

enum cg_err duty_tick(struct duty *d, int64_t now)
{
	struct alert_store *as = NULL;
	struct timespec t0;
	enum cg_err rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&d->last, 0, sizeof d->last);
	if ((rc = alert_store_open(d->db, now, &as)))
		return rc;
	if ((rc = duty_store_begin(d->store)))
		goto out;
	if ((rc = page_new(d, as, now)) || (rc = escalate(d, as, now))) {
		duty_store_rollback(d->store);
		goto out;
	}
	if ((rc = duty_store_commit(d->store)))
		goto out;
	rc = deliver_due(d, as, now, &t0);
out:
	alert_store_close(as);
	return rc;
}
