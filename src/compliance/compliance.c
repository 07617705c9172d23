/* Compliance evaluation (see compliance.h). */
#include "compliance.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cg_i18n.h"
#include "store_assets.h"
#include "store_compliance.h"
#include "store_vuln.h"

#define EVIDENCE_HOSTS 5 /* hosts named in an evidence text */

/* Strings live in an arena freed at once. */
struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	char data[];
};

struct arena {
	struct arena_chunk *head;
};

static char *arena_alloc(struct arena *a, size_t n)
{
	if (!a->head || a->head->size - a->head->used < n) {
		size_t sz = n > 65536 ? n : 65536;
		struct arena_chunk *c = malloc(sizeof *c + sz);
		if (!c)
			return NULL;
		c->next = a->head;
		c->used = 0;
		c->size = sz;
		a->head = c;
	}
	char *p = a->head->data + a->head->used;
	a->head->used += n;
	return p;
}

static char *arena_strdup(struct arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = arena_alloc(a, n);
	if (d)
		memcpy(d, s, n);
	return d;
}

static void arena_free(struct arena *a)
{
	while (a->head) {
		struct arena_chunk *n = a->head->next;
		free(a->head);
		a->head = n;
	}
}

struct fact {
	const char *key, *value, *tool, *by;
	int64_t at;
};

enum platform { PLAT_OTHER, PLAT_LINUX, PLAT_WINDOWS };

struct host {
	int64_t id;
	const char *name, *system, *os;
	size_t facts_lo, facts_hi;
	int listed, swept;
	int64_t open_watch;
	enum platform platform;
	const char *eol; /* "yes", "no" or NULL */
};

struct awareness {
	const char *kind, *title, *by;
	int64_t held_on, n_people, n_clicked, at;
};

struct status {
	const char *system, *req, *state, *evidence, *by;
	int64_t at;
};

struct comp_eval {
	struct arena arena;
	struct comp_system_result *systems;
	size_t n_systems, alloc_systems;
	struct comp_result **results; /* per system */
	struct host *hosts;
	size_t n_hosts, alloc_hosts;
	size_t *by_system; /* host indices ordered by system name */
	size_t *by_id;     /* host indices ordered by id */
	struct fact *facts;
	size_t n_facts, alloc_facts;
	struct awareness *aw;
	size_t n_aw, alloc_aw;
	struct status *st;
	size_t n_st, alloc_st;
	struct comp_gap *gaps;
	size_t n_gaps;
	const char *lang;
	int64_t now;
	const struct os_eol *eol;
};

static int grow(void **arr, size_t *alloc, size_t n, size_t elem)
{
	if (n < *alloc)
		return 0;
	size_t na = *alloc ? *alloc * 2 : 64;
	void *p = realloc(*arr, na * elem);
	if (!p)
		return -1;
	*arr = p;
	*alloc = na;
	return 0;
}

#define OOM() cg_err_set(CG_ENOMEM, _("out of memory"))

void comp_eval_free(struct comp_eval *e)
{
	if (!e)
		return;
	if (e->results)
		for (size_t i = 0; i < e->n_systems; i++)
			free(e->results[i]);
	free(e->results);
	free(e->systems);
	free(e->hosts);
	free(e->by_system);
	free(e->by_id);
	free(e->facts);
	free(e->aw);
	free(e->st);
	free(e->gaps);
	arena_free(&e->arena);
	free(e);
}

static enum cg_err load_system(void *ctx, const struct asset_system *s)
{
	struct comp_eval *e = ctx;
	if (grow((void **)&e->systems, &e->alloc_systems, e->n_systems, sizeof *e->systems))
		return OOM();
	struct comp_system_result *r = &e->systems[e->n_systems];
	memset(r, 0, sizeof *r);
	r->name = arena_strdup(&e->arena, s->name);
	r->owner = arena_strdup(&e->arena, s->owner);
	r->level = s->level;
	if (!r->name || !r->owner)
		return OOM();
	e->n_systems++;
	return CG_OK;
}

static enum cg_err load_host(void *ctx, const struct asset_host *h)
{
	struct comp_eval *e = ctx;
	if (grow((void **)&e->hosts, &e->alloc_hosts, e->n_hosts, sizeof *e->hosts))
		return OOM();
	struct host *x = &e->hosts[e->n_hosts];
	memset(x, 0, sizeof *x);
	x->id = h->id;
	x->name = arena_strdup(&e->arena, h->name);
	x->system = arena_strdup(&e->arena, h->system);
	x->os = arena_strdup(&e->arena, h->os ? h->os : "");
	if (!x->name || !x->system || !x->os)
		return OOM();
	e->n_hosts++;
	return CG_OK;
}

static struct host *host_by_name(struct comp_eval *e, const char *name)
{
	size_t lo = 0, hi = e->n_hosts;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(e->hosts[mid].name, name);
		if (c == 0)
			return &e->hosts[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static struct host *host_by_id(struct comp_eval *e, int64_t id)
{
	size_t lo = 0, hi = e->n_hosts;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct host *h = &e->hosts[e->by_id[mid]];
		if (h->id == id)
			return h;
		if (h->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static enum cg_err load_fact(void *ctx, const struct comp_fact_row *f)
{
	struct comp_eval *e = ctx;
	if (grow((void **)&e->facts, &e->alloc_facts, e->n_facts, sizeof *e->facts))
		return OOM();
	struct fact *x = &e->facts[e->n_facts];
	/* Rows come by host, so each host's facts are one range. */
	x->key = arena_strdup(&e->arena, f->key);
	x->value = arena_strdup(&e->arena, f->value);
	x->tool = arena_strdup(&e->arena, f->tool);
	x->by = arena_strdup(&e->arena, f->by);
	x->at = f->at;
	if (!x->key || !x->value || !x->tool || !x->by)
		return OOM();
	struct host *owner = host_by_name(e, f->host);
	if (owner) {
		if (owner->facts_hi == 0)
			owner->facts_lo = e->n_facts;
		owner->facts_hi = e->n_facts + 1;
	}
	e->n_facts++;
	return CG_OK;
}

static enum cg_err load_finding(void *ctx, const struct finding *f)
{
	struct comp_eval *e = ctx;
	if (!f->watch_ref[0] && !f->kev_added[0])
		return CG_OK;
	struct host *h = host_by_name(e, f->host);
	if (h)
		h->open_watch++;
	return CG_OK;
}

static enum cg_err load_listing(void *ctx, const struct asset_listing *l)
{
	struct host *h = host_by_id(ctx, l->host_id);
	if (h)
		h->listed = 1;
	return CG_OK;
}

static enum cg_err load_sweep(void *ctx, const char *host, int64_t at, const char *by, const char *note)
{
	(void)at, (void)by, (void)note;
	struct host *h = host_by_name(ctx, host);
	if (h)
		h->swept = 1;
	return CG_OK;
}

static enum cg_err load_awareness(void *ctx, const struct comp_awareness_row *a)
{
	struct comp_eval *e = ctx;
	if (grow((void **)&e->aw, &e->alloc_aw, e->n_aw, sizeof *e->aw))
		return OOM();
	struct awareness *x = &e->aw[e->n_aw];
	x->kind = arena_strdup(&e->arena, a->kind);
	x->title = arena_strdup(&e->arena, a->title);
	x->by = arena_strdup(&e->arena, a->by);
	if (!x->kind || !x->title || !x->by)
		return OOM();
	x->held_on = a->held_on;
	x->n_people = a->n_people;
	x->n_clicked = a->n_clicked;
	x->at = a->at;
	e->n_aw++;
	return CG_OK;
}

static enum cg_err load_status(void *ctx, const struct comp_status_row *s)
{
	struct comp_eval *e = ctx;
	if (grow((void **)&e->st, &e->alloc_st, e->n_st, sizeof *e->st))
		return OOM();
	struct status *x = &e->st[e->n_st];
	x->system = arena_strdup(&e->arena, s->system);
	x->req = arena_strdup(&e->arena, s->req);
	x->state = arena_strdup(&e->arena, s->state);
	x->evidence = arena_strdup(&e->arena, s->evidence);
	x->by = arena_strdup(&e->arena, s->by);
	x->at = s->at;
	if (!x->system || !x->req || !x->state || !x->evidence || !x->by)
		return OOM();
	e->n_st++;
	return CG_OK;
}

static const struct status *find_status(const struct comp_eval *e, const char *system, const char *req)
{
	size_t lo = 0, hi = e->n_st;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(e->st[mid].system, system);
		if (!c)
			c = strcmp(e->st[mid].req, req);
		if (c == 0)
			return &e->st[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int cmp_by_system(const void *a, const void *b, void *ctx)
{
	const struct comp_eval *e = ctx;
	const struct host *x = &e->hosts[*(const size_t *)a], *y = &e->hosts[*(const size_t *)b];
	int c = strcmp(x->system, y->system);
	return c ? c : strcmp(x->name, y->name);
}

static int cmp_by_id(const void *a, const void *b, void *ctx)
{
	const struct comp_eval *e = ctx;
	int64_t x = e->hosts[*(const size_t *)a].id, y = e->hosts[*(const size_t *)b].id;
	return x < y ? -1 : x > y;
}

static const char *raw_fact(const struct comp_eval *e, const struct host *h, const char *key, const struct fact **f)
{
	for (size_t i = h->facts_lo; i < h->facts_hi; i++)
		if (strcmp(e->facts[i].key, key) == 0) {
			if (f)
				*f = &e->facts[i];
			return e->facts[i].value;
		}
	return NULL;
}

static int has_prefix_fact(const struct comp_eval *e, const struct host *h, const char *prefix)
{
	size_t pl = strlen(prefix);
	for (size_t i = h->facts_lo; i < h->facts_hi; i++)
		if (strncmp(e->facts[i].key, prefix, pl) == 0)
			return 1;
	return 0;
}

static enum platform host_platform(const struct comp_eval *e, const struct host *h)
{
	static const char *const linux_words[] = {"linux", "ubuntu", "debian", "rocky", "centos", "red hat", "rhel",
						  "alma", "suse", "fedora"};
	if (has_prefix_fact(e, h, "os.") || has_prefix_fact(e, h, "sshd.") || has_prefix_fact(e, h, "nft."))
		return PLAT_LINUX;
	if (has_prefix_fact(e, h, "mp.") || has_prefix_fact(e, h, "secedit.") || has_prefix_fact(e, h, "auditpol."))
		return PLAT_WINDOWS;
	if (strcasestr(h->os, "windows"))
		return PLAT_WINDOWS;
	for (size_t i = 0; i < sizeof linux_words / sizeof linux_words[0]; i++)
		if (strcasestr(h->os, linux_words[i]))
			return PLAT_LINUX;
	return PLAT_OTHER;
}

/* A fact of `h`, the store's facts included; `f` gets the imported row
 * (NULL for store facts). */
static const char *host_fact(struct comp_eval *e, const struct host *h, const char *key, const struct fact **f,
			     char *tmp, size_t n)
{
	*f = NULL;
	if (strcmp(key, "store.open_watchlist_vulns") == 0) {
		snprintf(tmp, n, "%lld", (long long)h->open_watch);
		return tmp;
	}
	if (strcmp(key, "store.botnet_unswept") == 0)
		return h->listed && !h->swept ? "yes" : "no";
	if (strcmp(key, "os.eol") == 0)
		return h->eol;
	return raw_fact(e, h, key, f);
}

static int contains_item(const char *list, const char *v)
{
	size_t vl = strlen(v);
	while (*list) {
		size_t l = strcspn(list, ",");
		if (l == vl && strncasecmp(list, v, l) == 0)
			return 1;
		list += l;
		if (*list == ',')
			list++;
	}
	return 0;
}

static int whole_number(const char *s, long long *out)
{
	char *end;
	if (!*s)
		return 0;
	*out = strtoll(s, &end, 10);
	return *end == '\0';
}

static int test(enum comp_op op, const char *have, const char *want)
{
	long long a, b;
	switch (op) {
	case COMP_OP_EQ: return strcasecmp(have, want) == 0;
	case COMP_OP_NE: return strcasecmp(have, want) != 0;
	case COMP_OP_IN: return contains_item(want, have);
	case COMP_OP_CONTAINS: return strcasestr(have, want) != NULL;
	case COMP_OP_GE: return whole_number(have, &a) && whole_number(want, &b) && a >= b;
	case COMP_OP_LE: return whole_number(have, &a) && whole_number(want, &b) && a <= b;
	}
	return 0;
}

static const char *op_text(enum comp_op op)
{
	static const char *const t[] = {"=", "≠", "∈", "≥", "≤", "∋"};
	return t[op];
}

/* Host names appended to `b` (at most EVIDENCE_HOSTS, then "and N more"). */
struct namelist {
	char buf[1024];
	size_t n;
};

static void namelist_add(struct namelist *l, const char *name, const char *value)
{
	l->n++;
	if (l->n > EVIDENCE_HOSTS)
		return;
	size_t len = strlen(l->buf);
	if (value)
		snprintf(l->buf + len, sizeof l->buf - len, "%s%s (%s)", len ? ", " : "", name, value);
	else
		snprintf(l->buf + len, sizeof l->buf - len, "%s%s", len ? ", " : "", name);
}

static void namelist_end(struct namelist *l)
{
	if (l->n > EVIDENCE_HOSTS) {
		size_t len = strlen(l->buf);
		snprintf(l->buf + len, sizeof l->buf - len, _(" and %zu more"), l->n - EVIDENCE_HOSTS);
	}
}

struct verdict {
	enum comp_state state;
	char evidence[2048];
	const char *by;
	int64_t at;
	int applicable;  /* a check had a result on some host */
	int on_platform; /* hosts on the platform of some fact check */
};

static void append(struct verdict *v, const char *fmt, ...) CG_PRINTF(2, 3);
static void append(struct verdict *v, const char *fmt, ...)
{
	size_t len = strlen(v->evidence);
	if (len && len + 3 < sizeof v->evidence)
		memcpy(v->evidence + len, "; ", 3), len += 2;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->evidence + len, sizeof v->evidence - len, fmt, ap);
	va_end(ap);
}

static void check_facts(struct comp_eval *e, const struct comp_system_result *s, const size_t *hs, size_t nh,
			const struct comp_check *ck, struct verdict *v)
{
	const char *want = ck->value ? ck->value : ck->value_by_level[s->level];
	if (!want)
		return; /* no threshold for this level */
	struct namelist fail = {{0}, 0}, missing = {{0}, 0};
	size_t ok = 0;
	for (size_t i = 0; i < nh; i++) {
		struct host *h = &e->hosts[hs[i]];
		if ((ck->platform == COMP_PLATFORM_LINUX && h->platform != PLAT_LINUX) ||
		    (ck->platform == COMP_PLATFORM_WINDOWS && h->platform != PLAT_WINDOWS))
			continue;
		v->on_platform++;
		const struct fact *f;
		char tmp[32];
		const char *have = host_fact(e, h, ck->fact, &f, tmp, sizeof tmp);
		if (!have) {
			namelist_add(&missing, h->name, NULL);
			continue;
		}
		if (f && f->at >= v->at) {
			v->at = f->at;
			v->by = f->by;
		} else if (!f && !v->by[0]) {
			v->at = e->now;
			v->by = "canhgac";
		}
		if (test(ck->op, have, want))
			ok++;
		else
			namelist_add(&fail, h->name, have);
	}
	if (!ok && !fail.n && !missing.n)
		return;
	v->applicable = 1;
	namelist_end(&fail);
	namelist_end(&missing);
	if (fail.n) {
		v->state = COMP_NOT_MET;
		append(v, _("%s %s %s fails on %s"), ck->fact, op_text(ck->op), want, fail.buf);
	} else if (missing.n) {
		if (v->state == COMP_MET)
			v->state = COMP_UNKNOWN;
		append(v, _("no fact %s for %s"), ck->fact, missing.buf);
	} else {
		append(v, ngettext("%s %s %s holds on %zu host", "%s %s %s holds on %zu hosts", ok), ck->fact,
		       op_text(ck->op), want, ok);
	}
}

static void check_awareness(struct comp_eval *e, const struct comp_check *ck, struct verdict *v)
{
	const struct awareness *last = NULL;
	char day[32];
	v->applicable = 1;
	for (size_t i = 0; i < e->n_aw && !last; i++)
		if (strcmp(e->aw[i].kind, ck->awareness) == 0)
			last = &e->aw[i];
	int is_briefing = strcmp(ck->awareness, "briefing") == 0;
	if (!last || last->held_on < e->now - ck->within_days * 86400) {
		v->state = COMP_NOT_MET;
		if (is_briefing)
			append(v, _("no briefing recorded in the last %ld days"), ck->within_days);
		else
			append(v, _("no phishing exercise recorded in the last %ld days"), ck->within_days);
		return;
	}
	cg_time_iso(last->held_on, day, sizeof day);
	day[10] = '\0';
	if (last->at >= v->at) {
		v->at = last->at;
		v->by = last->by;
	}
	if (is_briefing) {
		append(v, ngettext("briefing '%s' on %s, %lld attendee", "briefing '%s' on %s, %lld attendees",
				   (unsigned long)last->n_people),
		       last->title, day, (long long)last->n_people);
		return;
	}
	long long pct = last->n_people ? last->n_clicked * 100 / last->n_people : 0;
	append(v, _("phishing exercise '%s' on %s: %lld of %lld clicked (%lld%%)"), last->title, day,
	       (long long)last->n_clicked, (long long)last->n_people, pct);
	if (ck->max_click_percent >= 0 && (last->n_clicked * 100 > ck->max_click_percent * last->n_people)) {
		v->state = COMP_NOT_MET;
		append(v, _("more than %ld%% clicked"), ck->max_click_percent);
	}
}

static enum cg_err eval_req(struct comp_eval *e, const struct comp_system_result *s, const size_t *hs, size_t nh,
			    const struct comp_req *r, struct comp_result *out)
{
	const struct status *st = find_status(e, s->name, r->id);
	struct verdict v = {COMP_MET, "", "", 0, 0, 0};
	int fact_checks_only = r->n_checks > 0;
	memset(out, 0, sizeof *out);
	out->req = r;
	for (size_t i = 0; i < r->n_checks; i++) {
		if (r->checks[i].kind == COMP_CHECK_AWARENESS)
			check_awareness(e, &r->checks[i], &v), fact_checks_only = 0;
		else
			check_facts(e, s, hs, nh, &r->checks[i], &v);
	}
	if (st && strcmp(st->state, "not_applicable") == 0) {
		out->state = COMP_NOT_APPLICABLE;
	} else if (fact_checks_only && nh && !v.on_platform && !st) {
		/* Windows checks on a system of Linux servers, and the like. */
		out->state = COMP_NOT_APPLICABLE;
		snprintf(v.evidence, sizeof v.evidence, "%s", _("no host of this system runs a platform the checks cover"));
	} else if (v.applicable && v.state != COMP_UNKNOWN) {
		out->state = v.state;
		out->automatic = 1;
	} else if (st) {
		if (comp_state_from_key(st->state, &out->state))
			out->state = COMP_UNKNOWN;
	} else {
		out->state = COMP_UNKNOWN;
		if (r->n_checks && !v.applicable)
			snprintf(v.evidence, sizeof v.evidence, "%s", _("no host of this system has the facts the checks need"));
	}
	if (out->automatic || (!st && v.evidence[0])) {
		if (out->state == COMP_NOT_APPLICABLE)
			v.by = "canhgac", v.at = e->now;
		out->evidence = arena_strdup(&e->arena, v.evidence);
		out->by = arena_strdup(&e->arena, v.by);
		out->at = v.at;
	} else if (st) {
		out->evidence = st->evidence;
		out->by = st->by;
		out->at = st->at;
		if (v.evidence[0] && out->state != COMP_NOT_APPLICABLE) {
			char both[3072];
			snprintf(both, sizeof both, _("%s (checks: %s)"), st->evidence, v.evidence);
			out->evidence = arena_strdup(&e->arena, both);
		}
	} else {
		out->evidence = "";
		out->by = "";
	}
	if (!out->evidence || !out->by)
		return OOM();
	return CG_OK;
}

static int gap_rank(const struct comp_gap *g)
{
	return g->result->state == COMP_NOT_MET ? 0 : 1;
}

static int cmp_gap(const void *a, const void *b)
{
	const struct comp_gap *x = a, *y = b;
	if (x->system->level != y->system->level)
		return y->system->level - x->system->level;
	if (x->result->req->group != y->result->req->group)
		return (int)x->result->req->group - (int)y->result->req->group;
	int c = strcmp(x->result->req->id, y->result->req->id);
	if (c)
		return c;
	if (gap_rank(x) != gap_rank(y))
		return gap_rank(x) - gap_rank(y);
	return strcmp(x->system->name, y->system->name);
}

static enum cg_err prepare(struct comp_eval *e, struct cg_db *db, const char *system)
{
	enum cg_err rc;
	if (system)
		rc = store_system_get(db, system, load_system, e);
	else
		rc = store_system_foreach(db, load_system, e);
	if (rc || (rc = store_host_foreach(db, system, load_host, e)) ||
	    (rc = store_comp_facts_foreach(db, NULL, load_fact, e)))
		return rc;
	e->by_system = malloc((e->n_hosts + 1) * sizeof *e->by_system);
	e->by_id = malloc((e->n_hosts + 1) * sizeof *e->by_id);
	if (!e->by_system || !e->by_id)
		return OOM();
	for (size_t i = 0; i < e->n_hosts; i++)
		e->by_system[i] = e->by_id[i] = i;
	qsort_r(e->by_system, e->n_hosts, sizeof *e->by_system, cmp_by_system, e);
	qsort_r(e->by_id, e->n_hosts, sizeof *e->by_id, cmp_by_id, e);
	struct finding_filter flt = {.state = "open", .system = system};
	if ((rc = store_finding_foreach(db, &flt, load_finding, e)) ||
	    (rc = store_host_listed_foreach(db, load_listing, e)) || (rc = store_comp_sweep_foreach(db, load_sweep, e)) ||
	    (rc = store_comp_awareness_foreach(db, load_awareness, e)) ||
	    (rc = store_comp_status_foreach(db, system, 1, load_status, e)))
		return rc;
	for (size_t i = 0; i < e->n_hosts; i++) {
		struct host *h = &e->hosts[i];
		h->platform = host_platform(e, h);
		const struct os_eol_entry *eol =
			e->eol ? os_eol_find(e->eol, raw_fact(e, h, "os.id", NULL), raw_fact(e, h, "os.version_id", NULL),
					     h->os)
			       : NULL;
		if (eol)
			h->eol = eol->end <= e->now ? "yes" : "no";
	}
	return CG_OK;
}

enum cg_err comp_evaluate(struct cg_db *db, const struct comp_catalogue *cat, const struct os_eol *eol,
			  const char *system, int64_t now, const char *lang, struct comp_eval **out)
{
	struct comp_eval *e = calloc(1, sizeof *e);
	enum cg_err rc;
	*out = NULL;
	if (!e)
		return OOM();
	e->lang = lang;
	e->now = now;
	e->eol = eol;
	if ((rc = prepare(e, db, system)))
		goto fail;
	e->results = calloc(e->n_systems + 1, sizeof *e->results);
	if (!e->results) {
		rc = OOM();
		goto fail;
	}
	size_t n_req = comp_catalogue_count(cat), hpos = 0, n_gaps = 0;
	for (size_t si = 0; si < e->n_systems; si++) {
		struct comp_system_result *s = &e->systems[si];
		/* Systems come by level then name, hosts by system name: find the range. */
		size_t lo = 0, hi = e->n_hosts;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (strcmp(e->hosts[e->by_system[mid]].system, s->name) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		hpos = lo;
		while (hi < e->n_hosts && strcmp(e->hosts[e->by_system[hi]].system, s->name) == 0)
			hi++;
		if (hi < hpos)
			hi = hpos;
		s->n_hosts = hi - hpos;
		struct comp_result *res = calloc(n_req + 1, sizeof *res);
		if (!res) {
			rc = OOM();
			goto fail;
		}
		e->results[si] = res;
		size_t k = 0;
		for (size_t ri = 0; ri < n_req; ri++) {
			const struct comp_req *r = comp_catalogue_req(cat, ri);
			if (!(r->levels & (1u << s->level)))
				continue;
			if ((rc = eval_req(e, s, e->by_system + hpos, s->n_hosts, r, &res[k])))
				goto fail;
			switch (res[k].state) {
			case COMP_MET: s->met++; break;
			case COMP_NOT_MET: s->not_met++, n_gaps++; break;
			case COMP_UNKNOWN: s->unknown++, n_gaps++; break;
			case COMP_NOT_APPLICABLE: s->not_applicable++; break;
			}
			k++;
		}
		s->n_results = k;
		s->results = res;
	}
	e->gaps = calloc(n_gaps + 1, sizeof *e->gaps);
	if (!e->gaps) {
		rc = OOM();
		goto fail;
	}
	for (size_t si = 0; si < e->n_systems; si++)
		for (size_t k = 0; k < e->systems[si].n_results; k++) {
			const struct comp_result *r = &e->systems[si].results[k];
			if (r->state == COMP_NOT_MET || r->state == COMP_UNKNOWN)
				e->gaps[e->n_gaps++] = (struct comp_gap){&e->systems[si], r};
		}
	qsort(e->gaps, e->n_gaps, sizeof *e->gaps, cmp_gap);
	*out = e;
	return CG_OK;
fail:
	comp_eval_free(e);
	return rc;
}

size_t comp_eval_count(const struct comp_eval *e)
{
	return e->n_systems;
}

const struct comp_system_result *comp_eval_system(const struct comp_eval *e, size_t i)
{
	return i < e->n_systems ? &e->systems[i] : NULL;
}

size_t comp_eval_gap_count(const struct comp_eval *e)
{
	return e->n_gaps;
}

const struct comp_gap *comp_eval_gap(const struct comp_eval *e, size_t i)
{
	return i < e->n_gaps ? &e->gaps[i] : NULL;
}

int comp_system_percent(const struct comp_system_result *s)
{
	size_t n = s->n_results - s->not_applicable;
	return n ? (int)(s->met * 100 / n) : 0;
}

static const char *const state_keys[] = {"met", "not_met", "unknown", "not_applicable"};

const char *comp_state_key(enum comp_state s)
{
	return (unsigned)s < 4 ? state_keys[s] : "";
}

const char *comp_state_name(enum comp_state s)
{
	switch (s) {
	case COMP_MET: return _("met");
	case COMP_NOT_MET: return _("not met");
	case COMP_UNKNOWN: return _("unknown");
	case COMP_NOT_APPLICABLE: return _("not applicable");
	}
	return "";
}

enum cg_err comp_state_from_key(const char *key, enum comp_state *out)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(key, state_keys[i]) == 0) {
			*out = (enum comp_state)i;
			return CG_OK;
		}
	return cg_err_set(CG_EINVAL, _("'%s' is not a state (met, not_met, unknown, not_applicable)"), key);
}
