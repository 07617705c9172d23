#include "incident.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_i18n.h"
#include "ioc.h"
#include "store_assets.h"

const char *const incident_severities[] = {"low", "medium", "high", "critical", NULL};
const char *const incident_categories[] = {"malware", "intrusion", "phishing", "ddos", "defacement",
					   "data-leak", "scam", "other", NULL};
const char *const incident_statuses[] = {"open", "responding", "resolved", "closed", NULL};
const char *const incident_link_kinds[] = {"hit", "alert", "indicator", "vuln", "host", NULL};

int incident_word_valid(const char *const *list, const char *s)
{
	for (; s && *list; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

const char *incident_due_name(enum incident_due d)
{
	switch (d) {
	case INCIDENT_DUE_PENDING: return "due";
	case INCIDENT_DUE_OVERDUE: return "overdue";
	case INCIDENT_DUE_DONE: return "done";
	case INCIDENT_DUE_LATE: return "late";
	default: return "not-started";
	}
}

static enum incident_due due_state(int64_t due, int64_t sent, int64_t now)
{
	if (!due)
		return INCIDENT_DUE_NOT_YET;
	if (sent)
		return sent <= due ? INCIDENT_DUE_DONE : INCIDENT_DUE_LATE;
	return now > due ? INCIDENT_DUE_OVERDUE : INCIDENT_DUE_PENDING;
}

void incident_deadlines_at(const struct incident_row *r, int64_t now, struct incident_deadlines *d)
{
	const int64_t span = (int64_t)INCIDENT_REPORT_DAYS * 86400;

	d->initial_due = r->discovered_at + span;
	d->final_due = r->response_ended_at ? r->response_ended_at + span : 0;
	d->initial = due_state(d->initial_due, r->initial_reported_at, now);
	d->final = due_state(d->final_due, r->final_reported_at, now);
}

struct list_ctx {
	int64_t now;
	incident_due_fn fn;
	void *ctx;
};

static enum cg_err list_one(void *ctx, const struct incident_row *r)
{
	struct list_ctx *c = ctx;
	struct incident_deadlines d;

	incident_deadlines_at(r, c->now, &d);
	return c->fn(c->ctx, r, &d);
}

enum cg_err incident_list(struct cg_db *db, int64_t now, incident_due_fn fn, void *ctx)
{
	struct list_ctx c = {now, fn, ctx};
	return store_incident_foreach(db, list_one, &c);
}

static enum cg_err count_one(void *ctx, const struct incident_row *r, const struct incident_deadlines *d)
{
	struct incident_counts *c = ctx;

	c->total++;
	if (strcmp(r->status, "closed") == 0)
		c->closed++;
	else
		c->open++;
	c->initial_due += d->initial == INCIDENT_DUE_PENDING;
	c->initial_overdue += d->initial == INCIDENT_DUE_OVERDUE;
	c->final_due += d->final == INCIDENT_DUE_PENDING;
	c->final_overdue += d->final == INCIDENT_DUE_OVERDUE;
	return CG_OK;
}

enum cg_err incident_store_counts(struct cg_db *db, int64_t now, struct incident_counts *c)
{
	memset(c, 0, sizeof *c);
	return incident_list(db, now, count_one, c);
}

static enum cg_err host_seen(void *ctx, const struct asset_host *h)
{
	(void)h;
	*(int *)ctx = 1;
	return CG_OK;
}

enum cg_err incident_link_add(struct cg_db *db, int64_t id, const char *kind, const char *ref, int confirmed,
			      const char *note, int64_t now)
{
	struct incident_link l = {.kind = kind, .ref = ref, .confirmed = confirmed, .note = note, .count = 1};
	struct ioc ioc;
	enum cg_err rc;
	long v;
	char *end;

	if (!incident_word_valid(incident_link_kinds, kind))
		return cg_err_set(CG_EINVAL, _("'%s' is not a link kind (hit, alert, indicator, vuln, host)"), kind);
	if (strcmp(kind, "indicator") == 0) {
		if ((rc = ioc_parse(ref, strlen(ref), IOC_NONE, &ioc)))
			return cg_err_prefix(rc, _("indicator '%s'"), ref);
		l.ref = ioc.value;
		l.subtype = ioc_type_name(ioc.type);
	} else if (strcmp(kind, "host") == 0) {
		int seen = 0;
		if ((rc = store_host_get(db, ref, host_seen, &seen)))
			return rc;
	} else {
		v = strtol(ref, &end, 10);
		if (!*ref || *end || v <= 0)
			return cg_err_set(CG_EINVAL, _("%s reference '%s' is not a positive number"), kind, ref);
	}
	if (confirmed && strcmp(kind, "indicator") != 0)
		return cg_err_set(CG_EINVAL, "%s", _("only indicators can be confirmed"));
	return store_incident_link(db, id, &l, now);
}

/* ---- blocking ---- */

struct block_ctx {
	struct block_batch *batch;
	const char *only;
	int found;
	size_t n_skipped;
	enum cg_err err;
};

static enum cg_err block_one(void *ctx, const struct incident_link *l)
{
	struct block_ctx *c = ctx;
	enum cg_err rc;

	if (c->only ? strcmp(l->ref, c->only) != 0 : !l->confirmed)
		return CG_OK;
	c->found = 1;
	if (ioc_type_is_hash(ioc_type_from_name(l->subtype))) {
		c->n_skipped++;
		return CG_OK;
	}
	rc = block_batch_add_text(c->batch, l->ref, l->ref);
	if (rc == CG_EPARSE) {
		c->err = rc;
		return CG_OK; /* recorded in the batch's errors */
	}
	return rc;
}

enum cg_err incident_block(struct cg_db *db, int64_t id, const char *value, int force, int64_t now,
			   struct block_decide_report *rep, size_t *n_skipped)
{
	struct block_ctx c = {.only = NULL};
	struct ioc ioc;
	char origin[64], reason[96];
	enum cg_err rc;

	memset(rep, 0, sizeof *rep);
	*n_skipped = 0;
	if (value) {
		if ((rc = ioc_parse(value, strlen(value), IOC_NONE, &ioc)))
			return cg_err_prefix(rc, _("indicator '%s'"), value);
		if ((rc = store_incident_confirm(db, id, ioc.value)))
			return rc;
		c.only = ioc.value;
	}
	if (!(c.batch = block_batch_new()))
		return cg_err_set(CG_ENOMEM, "%s", _("out of memory"));
	if ((rc = store_incident_links(db, id, "indicator", block_one, &c)))
		goto out;
	*n_skipped = c.n_skipped;
	if (!c.found) {
		rc = cg_err_set(CG_ENOTFOUND, _("incident %lld has no confirmed indicator to block"), (long long)id);
		goto out;
	}
	if (c.err || (rc = block_batch_check(c.batch, db, BLOCK_BLOCK, force))) {
		rc = cg_err_set(c.err ? c.err : rc, "%s",
				block_batch_n_errors(c.batch) ? block_batch_error(c.batch, 0) : cg_err_msg(rc));
		goto out;
	}
	snprintf(origin, sizeof origin, "incident:%lld", (long long)id);
	snprintf(reason, sizeof reason, "confirmed in incident %lld", (long long)id);
	struct block_decide_opts o = {.action = BLOCK_BLOCK, .reason = reason, .origin = origin, .forced = force,
				      .now = now};
	if (block_batch_count(c.batch))
		rc = block_batch_commit(c.batch, db, &o, rep);
	if (!rc)
		rc = store_incident_event_add(db, id, now, "blocked", origin, NULL);
out:
	block_batch_free(c.batch);
	return rc;
}
