/* Threshold rules as data (see detect_rules.h). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "detect_rules.h"

#include <libfyaml.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cg_file.h"
#include "cg_hash.h"
#include "cg_i18n.h"
#include "cg_yaml.h"
#include "ioc.h"

#define RE_MATCH_LIMIT 100000
#define RE_DEPTH_LIMIT 1000

enum mv_kind { MV_TEXT = 1, MV_CIDR, MV_RE, MV_LISTED };

struct mval {
	enum mv_kind k;
	char *text;
	size_t len;
	int v6;
	uint8_t addr[16];
	unsigned prefix;
	pcre2_code *re;
};

struct mfield {
	char *name;
	struct mval *v;
	size_t n;
};

struct rule {
	char *id, *title, *level, *distinct;
	enum alert_severity severity;
	enum detect_cond_kind cond;
	uint64_t threshold, fingerprint;
	int64_t window_us;
	char *group_by[DETECT_GROUP_BY_MAX];
	size_t n_group_by;
	int uses_intel;
	struct mfield *f;
	size_t nf;
};

struct detect_rules {
	struct rule *v;
	size_t n;
};

struct detect_rules_scratch {
	pcre2_match_data *md;
	pcre2_match_context *mc;
};

static void rule_fini(struct rule *r)
{
	free(r->id);
	free(r->title);
	free(r->level);
	free(r->distinct);
	for (size_t i = 0; i < r->n_group_by; i++)
		free(r->group_by[i]);
	for (size_t i = 0; i < r->nf; i++) {
		for (size_t j = 0; j < r->f[i].n; j++) {
			free(r->f[i].v[j].text);
			pcre2_code_free(r->f[i].v[j].re);
		}
		free(r->f[i].v);
		free(r->f[i].name);
	}
	free(r->f);
}

void detect_rules_free(struct detect_rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		rule_fini(&r->v[i]);
	free(r->v);
	free(r);
}

size_t detect_rules_count(const struct detect_rules *r)
{
	return r ? r->n : 0;
}

void detect_rules_info(const struct detect_rules *r, size_t i, struct detect_rule_info *out)
{
	const struct rule *x = &r->v[i];
	*out = (struct detect_rule_info){
		.id = x->id,
		.title = x->title,
		.level = x->level,
		.severity = x->severity,
		.cond = x->cond,
		.threshold = x->threshold,
		.distinct = x->distinct,
		.window_us = x->window_us,
		.n_group_by = x->n_group_by,
		.group_by = (const char *const *)x->group_by,
		.fingerprint = x->fingerprint,
		.uses_intel = x->uses_intel,
	};
}

/* ---- parsing ---- */

struct parse {
	const char *file;
};

static enum cg_err bad(const struct parse *p, struct fy_node *at, const char *field, const char *reason)
{
	return cg_err_set(CG_EPARSE, _("%s:%lu: field '%s': %s"), p->file, cg_yaml_line(at), field, reason);
}

/* A scalar's text, copied; `field` names it in errors. */
static enum cg_err text_of(const struct parse *p, struct fy_node *at, struct fy_node *n, const char *field,
			   char **out, size_t *len)
{
	size_t l;
	const char *s;

	if (!n || fy_node_get_type(n) != FYNT_SCALAR)
		return bad(p, at, field, _("must be a text value"));
	s = fy_node_get_scalar(n, &l);
	if (!s || l > 4096 || memchr(s, '\0', l))
		return bad(p, n, field, _("text too long or not text"));
	if (!(*out = strndup(s, l)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if (len)
		*len = l;
	return CG_OK;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	if (!*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return 0;
	}
	*out = v;
	return 1;
}

static enum cg_err parse_window(const struct parse *p, struct fy_node *n, struct rule *r)
{
	char *s;
	size_t l;
	uint64_t v, mul = 1;
	enum cg_err rc = text_of(p, n, n, "window", &s, &l);

	if (rc)
		return rc;
	if (l && (s[l - 1] == 's' || s[l - 1] == 'm' || s[l - 1] == 'h')) {
		mul = s[l - 1] == 's' ? 1 : s[l - 1] == 'm' ? 60 : 3600;
		s[l - 1] = '\0';
	}
	if (!parse_u64(s, DETECT_WINDOW_MAX_S, &v) || v == 0 || v * mul > DETECT_WINDOW_MAX_S) {
		free(s);
		return bad(p, n, "window", _("must be a duration from 1s to 24h, e.g. 60s, 5m, 1h"));
	}
	free(s);
	r->window_us = (int64_t)(v * mul) * 1000000;
	return CG_OK;
}

/* "count >= 10", "count > 9" (condition) or "dst_port >= 20" (distinct). */
static enum cg_err parse_cond(const struct parse *p, struct fy_node *n, const char *field, struct rule *r)
{
	char *s, *name, *op, *num, *save = NULL;
	uint64_t v, max = r->cond == DETECT_COND_DISTINCT ? DETECT_DISTINCT_MAX : DETECT_COUNT_MAX;
	enum cg_err rc = text_of(p, n, n, field, &s, NULL);

	if (rc)
		return rc;
	name = strtok_r(s, " \t", &save);
	op = name ? strtok_r(NULL, " \t", &save) : NULL;
	num = op ? strtok_r(NULL, " \t", &save) : NULL;
	if (!num || strtok_r(NULL, " \t", &save) || (strcmp(op, ">=") != 0 && strcmp(op, ">") != 0) ||
	    !parse_u64(num, max, &v) || (strcmp(op, ">") == 0 && ++v > max) || v == 0 ||
	    (r->cond == DETECT_COND_COUNT && strcmp(name, "count") != 0)) {
		free(s);
		if (r->cond == DETECT_COND_COUNT)
			return bad(p, n, field, _("must read 'count >= N' (N from 1 to 1000000)"));
		return bad(p, n, field, _("must read 'FIELD >= N' (N from 1 to 1024)"));
	}
	r->threshold = v;
	if (r->cond == DETECT_COND_DISTINCT && !(r->distinct = strdup(name))) {
		free(s);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	free(s);
	return CG_OK;
}

static enum cg_err parse_cidr(const struct parse *p, struct fy_node *n, const char *field, struct mval *mv)
{
	char *s, *slash;
	uint64_t pre;
	enum cg_err rc = text_of(p, n, n, field, &s, NULL);

	if (rc)
		return rc;
	slash = strchr(s, '/');
	if (slash)
		*slash = '\0';
	memset(mv->addr, 0, sizeof mv->addr);
	if (ioc_parse_ipv4(s, strlen(s), mv->addr))
		mv->v6 = 0;
	else if (ioc_parse_ipv6(s, strlen(s), mv->addr))
		mv->v6 = 1;
	else {
		free(s);
		return bad(p, n, field, _("'cidr' must be an IPv4 or IPv6 network, e.g. 192.0.2.0/24"));
	}
	pre = mv->v6 ? 128 : 32;
	if (slash && !parse_u64(slash + 1, mv->v6 ? 128 : 32, &pre)) {
		free(s);
		return bad(p, n, field, _("'cidr' has a bad prefix length"));
	}
	free(s);
	mv->prefix = (unsigned)pre;
	mv->k = MV_CIDR;
	return CG_OK;
}

/* One value of a match field: text, or {cidr: ...} / {re: ...} / {listed: true}. */
static enum cg_err parse_value(const struct parse *p, struct fy_node *n, const char *field, struct rule *r,
			       struct mval *mv)
{
	enum cg_err rc;

	if (fy_node_get_type(n) == FYNT_SCALAR) {
		mv->k = MV_TEXT;
		return text_of(p, n, n, field, &mv->text, &mv->len);
	}
	if (fy_node_get_type(n) != FYNT_MAPPING || fy_node_mapping_item_count(n) != 1)
		return bad(p, n, field, _("a value must be text, a list, or one of {cidr: ...}, {re: ...}, {listed: true}"));
	struct fy_node_pair *pair = fy_node_mapping_get_by_index(n, 0);
	struct fy_node *k = fy_node_pair_key(pair), *v = fy_node_pair_value(pair);
	const char *ks = fy_node_get_scalar0(k);
	if (!ks)
		return bad(p, n, field, _("a value must be text, a list, or one of {cidr: ...}, {re: ...}, {listed: true}"));
	if (strcmp(ks, "cidr") == 0)
		return parse_cidr(p, v, field, mv);
	if (strcmp(ks, "listed") == 0) {
		const char *vs = v ? fy_node_get_scalar0(v) : NULL;
		if (!vs || strcmp(vs, "true") != 0)
			return bad(p, n, field, _("'listed' can only be true"));
		mv->k = MV_LISTED;
		r->uses_intel = 1;
		return CG_OK;
	}
	if (strcmp(ks, "re") == 0) {
		int ec;
		PCRE2_SIZE eo;
		if ((rc = text_of(p, v, v, field, &mv->text, &mv->len)))
			return rc;
		mv->k = MV_RE;
		mv->re = pcre2_compile((PCRE2_SPTR)mv->text, mv->len, 0, &ec, &eo, NULL);
		if (!mv->re) {
			PCRE2_UCHAR msg[160];
			char why[256];
			pcre2_get_error_message(ec, msg, sizeof msg);
			snprintf(why, sizeof why, _("bad regular expression at offset %zu: %s"), (size_t)eo, (char *)msg);
			return bad(p, v, field, why);
		}
		(void)pcre2_jit_compile(mv->re, PCRE2_JIT_COMPLETE); /* interpreted when JIT is unavailable */
		return CG_OK;
	}
	return bad(p, k, field, _("unknown value kind (cidr, re or listed)"));
}

static enum cg_err parse_match(const struct parse *p, struct fy_node *n, struct rule *r)
{
	size_t nf;
	enum cg_err rc;

	if (fy_node_get_type(n) != FYNT_MAPPING)
		return bad(p, n, "match", _("must be a mapping of field: value"));
	nf = (size_t)fy_node_mapping_item_count(n);
	if (nf > DETECT_MATCH_FIELDS_MAX)
		return bad(p, n, "match", _("too many fields"));
	if (!nf)
		return CG_OK;
	if (!(r->f = calloc(nf, sizeof *r->f)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	for (size_t i = 0; i < nf; i++) {
		struct fy_node_pair *pair = fy_node_mapping_get_by_index(n, (int)i);
		struct fy_node *k = fy_node_pair_key(pair), *v = fy_node_pair_value(pair);
		struct mfield *f = &r->f[i];
		r->nf++;
		if ((rc = text_of(p, k, k, "match", &f->name, NULL)))
			return rc;
		if (!v)
			return bad(p, k, f->name, _("needs a value"));
		size_t nv = fy_node_get_type(v) == FYNT_SEQUENCE ? (size_t)fy_node_sequence_item_count(v) : 1;
		if (!nv || nv > DETECT_MATCH_VALUES_MAX)
			return bad(p, v, f->name, _("a list of 1 to 10000 values"));
		if (!(f->v = calloc(nv, sizeof *f->v)))
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		for (size_t j = 0; j < nv; j++) {
			struct fy_node *item = fy_node_get_type(v) == FYNT_SEQUENCE ? fy_node_sequence_get_by_index(v, (int)j) : v;
			f->n++;
			if ((rc = parse_value(p, item, f->name, r, &f->v[j])))
				return rc;
		}
	}
	return CG_OK;
}

static enum cg_err parse_group_by(const struct parse *p, struct fy_node *n, struct rule *r)
{
	size_t ng = fy_node_get_type(n) == FYNT_SEQUENCE ? (size_t)fy_node_sequence_item_count(n) : 1;
	enum cg_err rc;

	if (ng > DETECT_GROUP_BY_MAX)
		return bad(p, n, "group_by", _("at most 4 fields"));
	for (size_t i = 0; i < ng; i++) {
		struct fy_node *item = fy_node_get_type(n) == FYNT_SEQUENCE ? fy_node_sequence_get_by_index(n, (int)i) : n;
		if ((rc = text_of(p, item, item, "group_by", &r->group_by[i], NULL)))
			return rc;
		r->n_group_by++;
	}
	return CG_OK;
}

static enum cg_err parse_rule(const struct parse *p, struct fy_node *n, struct rule *r)
{
	struct fy_node *cond = NULL, *distinct = NULL, *window = NULL;
	void *it = NULL;
	struct fy_node_pair *pair;
	enum cg_err rc;

	if (fy_node_get_type(n) != FYNT_MAPPING)
		return bad(p, n, "rules", _("each rule must be a mapping"));
	while ((pair = fy_node_mapping_iterate(n, &it))) {
		struct fy_node *k = fy_node_pair_key(pair), *v = fy_node_pair_value(pair);
		const char *ks = k ? fy_node_get_scalar0(k) : NULL;
		if (!ks)
			return bad(p, n, "rules", _("keys must be text"));
		if (strcmp(ks, "id") == 0)
			rc = text_of(p, k, v, "id", &r->id, NULL);
		else if (strcmp(ks, "title") == 0)
			rc = text_of(p, k, v, "title", &r->title, NULL);
		else if (strcmp(ks, "level") == 0)
			rc = text_of(p, k, v, "level", &r->level, NULL);
		else if (strcmp(ks, "match") == 0)
			rc = v ? parse_match(p, v, r) : bad(p, k, "match", _("needs a value"));
		else if (strcmp(ks, "group_by") == 0)
			rc = v ? parse_group_by(p, v, r) : bad(p, k, "group_by", _("needs a value"));
		else if (strcmp(ks, "condition") == 0)
			cond = v ? v : k, rc = CG_OK;
		else if (strcmp(ks, "distinct") == 0)
			distinct = v ? v : k, rc = CG_OK;
		else if (strcmp(ks, "window") == 0)
			window = v ? v : k, rc = CG_OK;
		else if (strcmp(ks, "description") == 0)
			rc = CG_OK;
		else
			rc = bad(p, k, ks, _("unknown field (id, title, level, description, match, group_by, condition, distinct, window)"));
		if (rc)
			return rc;
	}
	if (!r->id || !*r->id)
		return bad(p, n, "id", _("is required"));
	if (!r->title)
		return bad(p, n, "title", _("is required"));
	if (!r->level && !(r->level = strdup("medium")))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if (strcmp(r->level, "informational") && strcmp(r->level, "low") && strcmp(r->level, "medium") &&
	    strcmp(r->level, "high") && strcmp(r->level, "critical"))
		return bad(p, n, "level", _("must be informational, low, medium, high or critical"));
	r->severity = alert_severity_from_level(r->level);
	if (!!cond == !!distinct)
		return bad(p, n, cond ? "distinct" : "condition", _("give exactly one of 'condition: count >= N' and 'distinct: FIELD >= N'"));
	r->cond = cond ? DETECT_COND_COUNT : DETECT_COND_DISTINCT;
	if ((rc = parse_cond(p, cond ? cond : distinct, cond ? "condition" : "distinct", r)))
		return rc;
	if (!window)
		return bad(p, n, "window", _("is required"));
	if ((rc = parse_window(p, window, r)))
		return rc;
	/* The definition as one canonical line: an unchanged rule keeps its state. */
	char *canon = fy_emit_node_to_string(n, FYECF_MODE_FLOW_ONELINE | FYECF_WIDTH_INF);
	if (!canon)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	r->fingerprint = cg_hash_stable_from(cg_hash_stable(r->id, strlen(r->id)), canon, strlen(canon));
	free(canon);
	return CG_OK;
}

enum cg_err detect_rules_parse(const char *file, const char *buf, size_t len, struct detect_rules **out)
{
	struct parse p = {file};
	struct detect_rules *r;
	struct fy_document *fyd;
	struct fy_node *root, *list;
	enum cg_err rc = CG_OK;
	size_t n;

	*out = NULL;
	if (len > DETECT_RULES_MAX_BYTES)
		return cg_err_set(CG_ELIMIT, _("%s: larger than %zu bytes"), file, DETECT_RULES_MAX_BYTES);
	if (!(fyd = cg_yaml_load(file, buf, len)))
		return CG_EPARSE;
	if (!(r = calloc(1, sizeof *r))) {
		fy_document_destroy(fyd);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	root = fy_document_root(fyd);
	list = root && fy_node_get_type(root) == FYNT_MAPPING ? fy_node_mapping_lookup_by_string(root, "rules", 5) : root;
	if (!root) {
		*out = r; /* an empty file: no rules */
		fy_document_destroy(fyd);
		return CG_OK;
	}
	if (!list || fy_node_get_type(list) != FYNT_SEQUENCE) {
		rc = bad(&p, root, "rules", _("must be a list of rules"));
		goto out;
	}
	n = (size_t)fy_node_sequence_item_count(list);
	if (n > DETECT_RULES_MAX) {
		rc = bad(&p, list, "rules", _("more than 10000 rules"));
		goto out;
	}
	if (n && !(r->v = calloc(n, sizeof *r->v))) {
		rc = cg_err_set(CG_ENOMEM, _("out of memory"));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct fy_node *item = fy_node_sequence_get_by_index(list, (int)i);
		r->n++;
		if ((rc = parse_rule(&p, item, &r->v[i])))
			goto out;
		for (size_t j = 0; j < i; j++)
			if (strcmp(r->v[j].id, r->v[i].id) == 0) {
				char why2[300];
				snprintf(why2, sizeof why2, _("'%s' is the id of an earlier rule"), r->v[i].id);
				rc = bad(&p, item, "id", why2);
				goto out;
			}
	}
out:
	fy_document_destroy(fyd);
	if (rc) {
		detect_rules_free(r);
		return rc;
	}
	*out = r;
	return CG_OK;
}

enum cg_err detect_rules_load(const char *path, struct detect_rules **out)
{
	char *text = NULL;
	size_t len = 0;
	enum cg_err rc = cg_file_read(path, DETECT_RULES_MAX_BYTES, &text, &len);

	*out = NULL;
	if (rc)
		return rc;
	rc = detect_rules_parse(path, text, len, out);
	free(text);
	return rc;
}

/* ---- matching ---- */

enum cg_err detect_rules_scratch_new(struct detect_rules_scratch **out)
{
	struct detect_rules_scratch *s = calloc(1, sizeof *s);

	*out = NULL;
	if (!s || !(s->md = pcre2_match_data_create(1, NULL)) || !(s->mc = pcre2_match_context_create(NULL))) {
		detect_rules_scratch_free(s);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	pcre2_set_match_limit(s->mc, RE_MATCH_LIMIT);
	pcre2_set_depth_limit(s->mc, RE_DEPTH_LIMIT);
	*out = s;
	return CG_OK;
}

void detect_rules_scratch_free(struct detect_rules_scratch *s)
{
	if (!s)
		return;
	pcre2_match_data_free(s->md);
	pcre2_match_context_free(s->mc);
	free(s);
}

/* The nth value of `name`; `host` and `program` fall back to the event's. */
static int get_value(const struct cg_event *ev, const char *name, size_t nth, const char **v, size_t *n)
{
	const char *s = NULL;

	if (cg_event_get(ev, name, nth, v, n))
		return 1;
	if (nth)
		return 0;
	if (strcasecmp(name, "host") == 0)
		s = cg_event_host(ev);
	else if (strcasecmp(name, "program") == 0)
		s = cg_event_program(ev);
	if (!s || !*s)
		return 0;
	*v = s;
	*n = strlen(s);
	return 1;
}

static int in_cidr(const struct mval *m, const char *s, size_t n)
{
	uint8_t a[16] = {0};
	int v6;

	if (n && n < 64 && ioc_parse_ipv4(s, n, a))
		v6 = 0;
	else if (n && n < 64 && ioc_parse_ipv6(s, n, a))
		v6 = 1;
	else
		return 0;
	if (v6 != m->v6)
		return 0;
	unsigned full = m->prefix / 8, rest = m->prefix % 8;
	if (memcmp(a, m->addr, full) != 0)
		return 0;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));
		return (a[full] & mask) == (m->addr[full] & mask);
	}
	return 1;
}

static int is_listed(const struct ioc_set *set, const char *s, size_t n)
{
	uint8_t a[16];
	char low[IOC_DOMAIN_MAX + 1];

	if (!set || !n)
		return 0;
	if (n < 64 && ioc_parse_ipv4(s, n, a))
		return ioc_set_match_addr(set, 0, a) != NULL;
	if (n < 64 && ioc_parse_ipv6(s, n, a))
		return ioc_set_match_addr(set, 1, a) != NULL;
	if (n > IOC_DOMAIN_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		low[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i];
	if (low[n - 1] == '.')
		n--;
	return n && (ioc_set_match_domain(set, low, n) || ioc_set_match_hash(set, low, n));
}

static int value_ok(const struct mval *m, const char *s, size_t n, const struct ioc_set *set,
		    struct detect_rules_scratch *sc)
{
	switch (m->k) {
	case MV_TEXT: return n == m->len && strncasecmp(s, m->text, n) == 0;
	case MV_CIDR: return in_cidr(m, s, n);
	case MV_LISTED: return is_listed(set, s, n);
	case MV_RE: return pcre2_match(m->re, (PCRE2_SPTR)s, n, 0, 0, sc->md, sc->mc) >= 0;
	}
	return 0;
}

int detect_rules_match(const struct detect_rules *r, size_t i, const struct cg_event *ev, const struct ioc_set *set,
		       struct detect_rules_scratch *sc)
{
	const struct rule *x = &r->v[i];

	for (size_t f = 0; f < x->nf; f++) {
		const struct mfield *mf = &x->f[f];
		const char *s;
		size_t n;
		int ok = 0;
		for (size_t nth = 0; !ok && get_value(ev, mf->name, nth, &s, &n); nth++)
			for (size_t j = 0; !ok && j < mf->n; j++)
				ok = value_ok(&mf->v[j], s, n, set, sc);
		if (!ok)
			return 0;
	}
	return 1;
}

int detect_rules_group_key(const struct detect_rules *r, size_t i, const struct cg_event *ev, char *buf)
{
	const struct rule *x = &r->v[i];
	size_t o = 0;

	for (size_t g = 0; g < x->n_group_by; g++) {
		const char *s;
		size_t n;
		if (!get_value(ev, x->group_by[g], 0, &s, &n))
			return -1;
		if (g && o < DETECT_KEY_MAX)
			buf[o++] = 0x1f;
		if (n > DETECT_KEY_MAX - o)
			n = DETECT_KEY_MAX - o;
		memcpy(buf + o, s, n);
		o += n;
	}
	return (int)o;
}

void detect_rules_group_text(const struct detect_rules *r, size_t i, const char *key, size_t key_len, char *buf,
			     size_t n)
{
	const struct rule *x = &r->v[i];
	size_t o = 0, k = 0;

	if (!n)
		return;
	buf[0] = '\0';
	for (size_t g = 0; g < x->n_group_by && o + 1 < n; g++) {
		size_t e = k;
		while (e < key_len && key[e] != 0x1f)
			e++;
		int w = snprintf(buf + o, n - o, "%s%s=%.*s", g ? ", " : "", x->group_by[g], (int)(e - k), key + k);
		if (w < 0)
			break;
		o += (size_t)w < n - o ? (size_t)w : n - o - 1;
		k = e + 1;
	}
}

int detect_rules_distinct_value(const struct detect_rules *r, size_t i, const struct cg_event *ev, const char **v,
				size_t *n)
{
	const struct rule *x = &r->v[i];
	return x->distinct ? get_value(ev, x->distinct, 0, v, n) : 0;
}
