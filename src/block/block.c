#include "block.h"

#include <stdlib.h>
#include <string.h>

#include "block_list.h"
#include "block_view.h"
#include "cg_file.h"
#include "cg_i18n.h"
#include "range_set.h"
#include "store_intel.h"

struct entry {
	enum ioc_type type;
	uint8_t addr[16];
	unsigned prefix;
	int refused;
	size_t line;      /* 0 for a command-line argument */
	const char *src;  /* file name or argument label, owned by the batch */
	char *value;
	char *note;       /* NULL when none */
};

struct block_batch {
	struct entry *v;
	size_t n, alloc;
	char **srcs;
	size_t n_srcs;
	char *errors[BLOCK_BATCH_ERRORS_KEPT];
	size_t n_errors;
};

struct block_batch *block_batch_new(void)
{
	return calloc(1, sizeof(struct block_batch));
}

void block_batch_free(struct block_batch *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++) {
		free(b->v[i].value);
		free(b->v[i].note);
	}
	free(b->v);
	for (size_t i = 0; i < b->n_srcs; i++)
		free(b->srcs[i]);
	free(b->srcs);
	for (size_t i = 0; i < b->n_errors && i < BLOCK_BATCH_ERRORS_KEPT; i++)
		free(b->errors[i]);
	free(b);
}

size_t block_batch_count(const struct block_batch *b)
{
	return b->n;
}

size_t block_batch_n_errors(const struct block_batch *b)
{
	return b->n_errors;
}

const char *block_batch_error(const struct block_batch *b, size_t i)
{
	return i < b->n_errors && i < BLOCK_BATCH_ERRORS_KEPT && b->errors[i] ? b->errors[i] : "";
}

static void add_error(struct block_batch *b, const char *msg)
{
	if (b->n_errors < BLOCK_BATCH_ERRORS_KEPT)
		b->errors[b->n_errors] = strdup(msg);
	b->n_errors++;
}

static enum cg_err intern_src(struct block_batch *b, const char *src, const char **out)
{
	char **p = realloc(b->srcs, (b->n_srcs + 1) * sizeof *p);
	if (!p)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	b->srcs = p;
	if (!(p[b->n_srcs] = strdup(src)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	*out = p[b->n_srcs++];
	return CG_OK;
}

static enum cg_err push(struct block_batch *b, const struct ioc *t, const char *src, size_t line, const char *note,
			size_t note_len)
{
	struct entry *e;

	if (b->n >= BLOCK_BATCH_MAX)
		return cg_err_set(CG_ELIMIT, _("more than %zu targets at once"), BLOCK_BATCH_MAX);
	if (b->n == b->alloc) {
		size_t na = b->alloc ? b->alloc * 2 : 64;
		struct entry *p = realloc(b->v, na * sizeof *p);
		if (!p)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		b->v = p;
		b->alloc = na;
	}
	e = &b->v[b->n];
	memset(e, 0, sizeof *e);
	e->type = t->type;
	memcpy(e->addr, t->addr, sizeof e->addr);
	e->prefix = t->prefix;
	e->src = src;
	e->line = line;
	if (!(e->value = strdup(t->value)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if (note_len && !(e->note = strndup(note, note_len))) {
		free(e->value);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	b->n++;
	return CG_OK;
}

enum cg_err block_batch_add_text(struct block_batch *b, const char *text, const char *where)
{
	struct ioc t;
	const char *src;
	enum cg_err rc;

	if ((rc = block_target_parse(text, strlen(text), &t))) {
		char msg[512];
		snprintf(msg, sizeof msg, "%s: %s", where, cg_err_msg(rc));
		add_error(b, msg);
		return rc;
	}
	if ((rc = intern_src(b, where, &src)))
		return rc;
	return push(b, &t, src, 0, NULL, 0);
}

struct file_ctx {
	struct block_batch *b;
	const char *src;
};

static enum cg_err file_entry(void *ctx, const struct block_list_entry *e)
{
	struct file_ctx *c = ctx;
	return push(c->b, &e->target, c->src, e->line, e->note, e->note_len);
}

static enum cg_err file_error(void *ctx, size_t line, enum cg_err code, const char *msg)
{
	struct file_ctx *c = ctx;
	(void)line;
	(void)code;
	add_error(c->b, msg);
	return CG_OK;
}

enum cg_err block_batch_add_file(struct block_batch *b, const char *path)
{
	struct file_ctx c = {.b = b};
	char *data = NULL;
	size_t len;
	enum cg_err rc;

	if ((rc = cg_file_read(path, BLOCK_FILE_CAP, &data, &len)))
		return rc;
	if ((rc = intern_src(b, strcmp(path, "-") == 0 ? "<stdin>" : cg_file_basename(path), &c.src)) == CG_OK)
		rc = block_list_parse(c.src, data, len, BLOCK_BATCH_MAX, file_entry, file_error, &c);
	free(data);
	return rc;
}

static void entry_ioc(const struct entry *e, struct ioc *t)
{
	t->type = e->type;
	memcpy(t->addr, e->addr, sizeof t->addr);
	t->prefix = e->prefix;
	t->len = strlen(e->value);
	memcpy(t->value, e->value, t->len + 1);
}

struct own_ctx {
	struct block_policy *p;
};

static enum cg_err own_entry(void *ctx, const struct ioc *own, const char *note, int64_t created_at)
{
	struct own_ctx *c = ctx;
	(void)note;
	(void)created_at;
	return block_policy_add_own(c->p, own);
}

static enum cg_err load_policy(struct cg_db *db, struct block_policy **out)
{
	struct own_ctx c = {.p = block_policy_new()};
	enum cg_err rc;

	*out = NULL;
	if (!c.p)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if ((rc = store_block_own_foreach(db, own_entry, &c))) {
		block_policy_free(c.p);
		return rc;
	}
	*out = c.p;
	return CG_OK;
}

static void where(const struct entry *e, char *buf, size_t n)
{
	if (e->line)
		snprintf(buf, n, "%s:%zu", e->src, e->line);
	else
		snprintf(buf, n, "%s", e->src);
}

enum cg_err block_batch_check(struct block_batch *b, struct cg_db *db, enum block_action action, int force)
{
	struct block_policy *p;
	struct ioc *t;
	enum cg_err rc;
	int refused = 0;

	if (force)
		return CG_OK;
	if ((rc = load_policy(db, &p)))
		return rc;
	if (!(t = malloc(sizeof *t))) {
		block_policy_free(p);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	for (size_t i = 0; i < b->n; i++) {
		entry_ioc(&b->v[i], t);
		if ((rc = block_policy_check(p, t, action))) {
			char w[300], msg[700];
			where(&b->v[i], w, sizeof w);
			snprintf(msg, sizeof msg, "%s: %s", w, cg_err_msg(rc));
			add_error(b, msg);
			b->v[i].refused = 1;
			refused = 1;
		}
	}
	free(t);
	block_policy_free(p);
	return refused ? cg_err_set(CG_EINVAL, _("some targets were refused")) : CG_OK;
}

static enum cg_err put_entry(struct cg_db *db, const struct entry *e, const struct block_decide_opts *o,
			     const char *origin, int64_t order_id, struct block_decide_report *rep)
{
	struct block_row r = {0};
	char reason[1024];
	enum block_put what;
	int64_t id;
	enum cg_err rc;

	r.action = o->action;
	r.type = e->type;
	r.value = e->value;
	memcpy(r.addr, e->addr, sizeof r.addr);
	r.prefix = e->prefix;
	r.origin = origin;
	r.order_id = order_id;
	r.forced = o->forced;
	r.expires_at = o->expires_at;
	r.reason = o->reason;
	if (e->note) {
		if (o->reason && *o->reason)
			snprintf(reason, sizeof reason, "%s (%s)", o->reason, e->note);
		else
			snprintf(reason, sizeof reason, "%s", e->note);
		r.reason = reason;
	}
	if ((rc = store_block_put(db, &r, o->now, &what, &id)))
		return rc;
	if (what == BLOCK_PUT_NEW)
		rep->n_new++;
	else if (what == BLOCK_PUT_REPLACED)
		rep->n_replaced++;
	else
		rep->n_unchanged++;
	return CG_OK;
}

static enum cg_err put_all(struct block_batch *b, struct cg_db *db, const struct block_decide_opts *o,
			   const char *origin, int64_t order_id, struct block_decide_report *rep)
{
	enum cg_err rc;
	for (size_t i = 0; i < b->n; i++) {
		if (b->v[i].refused)
			continue;
		if ((rc = put_entry(db, &b->v[i], o, origin, order_id, rep))) {
			char w[300];
			where(&b->v[i], w, sizeof w);
			return cg_err_prefix(rc, "%s", w);
		}
	}
	return CG_OK;
}

enum cg_err block_batch_commit(struct block_batch *b, struct cg_db *db, const struct block_decide_opts *o,
			       struct block_decide_report *rep)
{
	enum cg_err rc;

	memset(rep, 0, sizeof *rep);
	if ((rc = store_block_begin(db)))
		return rc;
	if ((rc = put_all(b, db, o, o->origin ? o->origin : "manual", 0, rep))) {
		store_block_rollback(db);
		return rc;
	}
	return store_block_commit(db);
}

enum cg_err block_order_add(struct block_batch *b, struct cg_db *db, const struct block_order_info *order,
			    const struct block_decide_opts *o, int64_t *order_id, struct block_decide_report *rep)
{
	struct block_order_info info = *order;
	char origin[600];
	enum cg_err rc;
	size_t n = 0;

	memset(rep, 0, sizeof *rep);
	for (size_t i = 0; i < b->n; i++)
		n += !b->v[i].refused;
	info.n_targets = (int64_t)n;
	snprintf(origin, sizeof origin, "order:%s", order->ref);
	if ((rc = store_block_begin(db)))
		return rc;
	if ((rc = store_block_order_add(db, &info, order_id)) || (rc = put_all(b, db, o, origin, *order_id, rep))) {
		store_block_rollback(db);
		return rc;
	}
	return store_block_commit(db);
}

enum cg_err block_own_apply(struct block_batch *b, struct cg_db *db, int add, const char *note, int64_t now,
			    size_t *changed)
{
	struct ioc *t = malloc(sizeof *t);
	enum cg_err rc;

	*changed = 0;
	if (!t)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if ((rc = store_block_begin(db)))
		goto out;
	for (size_t i = 0; i < b->n; i++) {
		int did;
		entry_ioc(&b->v[i], t);
		if (t->type == IOC_URL) {
			char w[300];
			where(&b->v[i], w, sizeof w);
			rc = cg_err_set(CG_EINVAL, _("%s: '%s': own prefixes are addresses, CIDRs or domains"), w, t->value);
			break;
		}
		rc = add ? store_block_own_add(db, t, b->v[i].note ? b->v[i].note : note, now, &did)
			 : store_block_own_remove(db, t->value, &did);
		if (rc)
			break;
		*changed += (size_t)did;
	}
	if (rc)
		store_block_rollback(db);
	else
		rc = store_block_commit(db);
out:
	free(t);
	return rc;
}

/* ---- check ---- */

struct check_ctx {
	store_block_fn fn;
	void *ctx;
	int any_block, any_allow;
};

static enum cg_err check_row(void *ctx, const struct block_row *r)
{
	struct check_ctx *c = ctx;
	if (r->action == BLOCK_ALLOW)
		c->any_allow = 1;
	else
		c->any_block = 1;
	return c->fn ? c->fn(c->ctx, r) : CG_OK;
}

static enum cg_err check_names(struct cg_db *db, const char *name, int64_t at, struct check_ctx *c)
{
	struct block_filter f = {.live_at = at, .action = -1};
	enum cg_err rc;

	for (const char *p = name; p;) {
		f.value = p;
		if ((rc = store_block_foreach(db, &f, check_row, c)))
			return rc;
		p = strchr(p, '.');
		if (p)
			p++;
	}
	return CG_OK;
}

enum cg_err block_check(struct cg_db *db, const char *text, int64_t at, int *blocked, store_block_fn fn, void *ctx)
{
	struct check_ctx c = {.fn = fn, .ctx = ctx};
	struct ioc t;
	enum cg_err rc;

	*blocked = 0;
	if ((rc = block_target_parse(text, strlen(text), &t)))
		return rc;
	if (t.type == IOC_CIDR4 || t.type == IOC_CIDR6)
		return cg_err_set(CG_EINVAL, _("'%s' is a CIDR: check a single address"), t.value);
	if (t.type == IOC_IPV4 || t.type == IOC_IPV6) {
		if ((rc = store_block_find_addr(db, t.type == IOC_IPV6, t.addr, at, check_row, &c)))
			return rc;
	} else if (t.type == IOC_DOMAIN) {
		if ((rc = check_names(db, t.value, at, &c)))
			return rc;
	} else {
		struct block_filter f = {.live_at = at, .action = -1, .value = t.value};
		const char *h = strstr(t.value, "://") + 3;
		char host[IOC_DOMAIN_MAX + 2];
		size_t hl = strcspn(h, "/?#:");
		struct ioc hd;

		if ((rc = store_block_foreach(db, &f, check_row, &c)))
			return rc;
		if (hl < sizeof host) {
			memcpy(host, h, hl);
			host[hl] = '\0';
			if (ioc_parse(host, hl, IOC_NONE, &hd) == CG_OK) {
				if (hd.type == IOC_DOMAIN)
					rc = check_names(db, hd.value, at, &c);
				else if (hd.type == IOC_IPV4 || hd.type == IOC_IPV6)
					rc = store_block_find_addr(db, hd.type == IOC_IPV6, hd.addr, at, check_row, &c);
				if (rc)
					return rc;
			}
			cg_err_clear();
		}
	}
	*blocked = c.any_block && !c.any_allow;
	return CG_OK;
}

/* ---- from-intel ---- */

struct intel_ctx {
	struct cg_db *db;
	struct block_policy *policy;
	const struct block_decide_opts *o;
	const char *origin;
	const char *source;
	struct block_intel_report *rep;
	char **live; /* values of the origin's live decisions, sorted */
	unsigned char *seen;
	size_t n_live, alloc_live;
	struct ioc *tmp;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static enum cg_err live_row(void *ctx, const struct block_row *r)
{
	struct intel_ctx *c = ctx;
	if (c->n_live == c->alloc_live) {
		size_t na = c->alloc_live ? c->alloc_live * 2 : 256;
		char **p = realloc(c->live, na * sizeof *p);
		if (!p)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		c->live = p;
		c->alloc_live = na;
	}
	if (!(c->live[c->n_live] = strdup(r->value)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	c->n_live++;
	return CG_OK;
}

static enum cg_err intel_item(void *ctx, const struct ioc *ioc, const char *source, const char *family)
{
	struct intel_ctx *c = ctx;
	struct entry e = {0};
	struct block_decide_opts o = *c->o;
	char reason[512];
	char *const *hit;
	enum cg_err rc;
	const char *key = ioc->value;

	(void)source;
	if (!ioc_type_is_net(ioc->type) && ioc->type != IOC_DOMAIN && ioc->type != IOC_URL) {
		c->rep->n_ignored++;
		return CG_OK;
	}
	c->rep->n_seen++;
	if (!o.forced && (rc = block_policy_check(c->policy, ioc, BLOCK_BLOCK))) {
		if (c->rep->n_refused < 5)
			snprintf(c->rep->refused[c->rep->n_refused], sizeof c->rep->refused[0], "%s", cg_err_msg(rc));
		c->rep->n_refused++;
		cg_err_clear();
		return CG_OK;
	}
	hit = c->n_live ? bsearch(&key, c->live, c->n_live, sizeof *c->live, cmp_str) : NULL;
	if (hit)
		c->seen[hit - c->live] = 1;
	e.type = ioc->type;
	memcpy(e.addr, ioc->addr, sizeof e.addr);
	e.prefix = ioc->prefix;
	e.value = (char *)ioc->value;
	if (family && *family)
		snprintf(reason, sizeof reason, "%s %s (%s)", _("listed by"), c->source, family);
	else
		snprintf(reason, sizeof reason, "%s %s", _("listed by"), c->source);
	if (!o.reason)
		o.reason = reason;
	return put_entry(c->db, &e, &o, c->origin, 0, &c->rep->put);
}

enum cg_err block_from_intel(struct cg_db *db, const char *source, const struct block_decide_opts *o,
			     struct block_intel_report *rep)
{
	struct intel_ctx c = {.db = db, .o = o, .source = source, .rep = rep};
	struct block_filter f = {.live_at = o->now, .action = BLOCK_BLOCK};
	char origin[600];
	const char *const sources[1] = {source};
	enum cg_err rc;

	memset(rep, 0, sizeof *rep);
	snprintf(origin, sizeof origin, "intel:%s", source);
	c.origin = origin;
	f.origin = origin;
	if ((rc = load_policy(db, &c.policy)))
		return rc;
	if ((rc = store_block_begin(db)))
		goto out;
	/* Expired decisions not listed any more simply stay expired. */
	if ((rc = store_block_foreach(db, &f, live_row, &c)))
		goto fail;
	if (c.n_live) {
		qsort(c.live, c.n_live, sizeof *c.live, cmp_str);
		if (!(c.seen = calloc(c.n_live, 1))) {
			rc = cg_err_set(CG_ENOMEM, _("out of memory"));
			goto fail;
		}
	}
	if ((rc = store_intel_foreach(db, sources, 1, intel_item, &c)))
		goto fail;
	for (size_t i = 0; i < c.n_live; i++) {
		size_t n;
		if (c.seen[i])
			continue;
		if ((rc = store_block_remove(db, c.live[i], 0, BLOCK_BLOCK, origin, o->now, &n)))
			goto fail;
		rep->n_removed += n;
	}
	rc = store_block_commit(db);
	goto out;
fail:
	store_block_rollback(db);
out:
	for (size_t i = 0; i < c.n_live; i++)
		free(c.live[i]);
	free(c.live);
	free(c.seen);
	block_policy_free(c.policy);
	return rc;
}

/* ---- exports ---- */

enum cg_err block_export_render(struct cg_db *db, const struct block_export_req *r, struct block_export_result *res)
{
	struct block_view *now = NULL, *then = NULL;
	struct block_items add = {0}, del = {0};
	struct block_export_opts opts = r->opts;
	FILE *f = NULL;
	enum cg_err rc;

	memset(res, 0, sizeof *res);
	if ((rc = block_export_check_opts(r->fmt, &r->opts, r->has_since)))
		return rc;
	if ((rc = block_view_build(db, r->at, &now)))
		return rc;
	opts.serial = block_view_serial(now);
	opts.as_of = block_view_last_change(now);
	opts.since = r->since;
	if (r->has_since) {
		if (r->since > r->at) {
			rc = cg_err_set(CG_EINVAL, _("--since is later than the export time"));
			goto out;
		}
		if ((rc = block_view_build(db, r->since, &then)) ||
		    (rc = block_items_diff(block_view_items(then), block_view_items(now), &add, &del)))
			goto out;
	}
	if (!(f = open_memstream(&res->data, &res->len))) {
		rc = cg_err_set(CG_ENOMEM, _("out of memory"));
		goto out;
	}
	rc = block_export_write(f, r->fmt, r->has_since ? &add : block_view_items(now), r->has_since ? &del : NULL,
				&opts);
	if (fclose(f) != 0 && !rc)
		rc = cg_err_set(CG_ENOMEM, _("out of memory"));
	if (rc)
		goto out;
	res->serial = opts.serial;
	res->n_items = r->has_since ? block_items_count(&add) + block_items_count(&del)
				    : block_items_count(block_view_items(now));
	res->next_expiry = block_view_next_expiry(now);
	block_digest(res->data, res->len, res->digest);
out:
	if (rc)
		block_export_result_free(res);
	block_items_free_diff(&add);
	block_items_free_diff(&del);
	block_view_free(then);
	block_view_free(now);
	return rc;
}

void block_export_result_free(struct block_export_result *res)
{
	if (!res)
		return;
	free(res->data);
	res->data = NULL;
	res->len = 0;
}

enum cg_err block_record_enforcement(struct cg_db *db, const char *point, enum block_format fmt, int64_t at,
				     const struct block_export_result *res)
{
	struct block_enforcement e = {
		.point = point,
		.format = block_format_name(fmt),
		.at = at,
		.serial = res->serial,
		.n_items = (int64_t)res->n_items,
		.digest = res->digest,
	};
	return store_block_enforcement_add(db, &e);
}
