/* Sigma YAML → parsed rule (see sigma_rule.h). Reasons name the attribute
 * path ("detection.selection.Image|endswith") so an author can fix it. */
#include <libfyaml.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cg_i18n.h"
#include "cg_yaml.h"
#include "sigma_int.h"

/* Why the current document failed; filled by fail(). */
struct doc_ctx {
	char reason[512];
};

static enum cg_err fail(struct doc_ctx *d, enum cg_err rc, const char *fmt, ...) CG_PRINTF(3, 4);
static enum cg_err fail(struct doc_ctx *d, enum cg_err rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->reason, sizeof d->reason, fmt, ap);
	va_end(ap);
	return rc;
}

static char *dupn(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static const char *scalar(struct fy_node *n, size_t *len)
{
	if (!n || fy_node_get_type(n) != FYNT_SCALAR || fy_node_is_alias(n))
		return NULL;
	return fy_node_get_scalar(n, len);
}

static int scalar_is_null(struct fy_node *n)
{
	if (!n)
		return 1;
	if (fy_node_get_type(n) != FYNT_SCALAR)
		return 0;
	if (fy_node_get_style(n) != FYNS_PLAIN)
		return 0;
	size_t len;
	const char *s = fy_node_get_scalar(n, &len);
	if (!s || len == 0)
		return 1;
	return (len == 1 && s[0] == '~') || (len == 4 && strncasecmp(s, "null", 4) == 0);
}

/* A string attribute of the rule; absent is fine, a non-scalar is an error. */
static enum cg_err get_str(struct doc_ctx *d, struct fy_node *map, const char *key, char **out)
{
	struct fy_node *n = fy_node_mapping_lookup_by_string(map, key, FY_NT);
	*out = NULL;
	if (!n || scalar_is_null(n))
		return CG_OK;
	size_t len;
	const char *s = scalar(n, &len);
	if (!s)
		return fail(d, CG_EPARSE, _("'%s' must be a string"), key);
	*out = dupn(s, len);
	return *out ? CG_OK : fail(d, CG_ENOMEM, _("out of memory"));
}

static enum cg_err get_str_list(struct doc_ctx *d, struct fy_node *n, const char *what, char ***out,
                                size_t *n_out)
{
	*out = NULL;
	*n_out = 0;
	if (!n || scalar_is_null(n))
		return CG_OK;
	size_t cnt = fy_node_get_type(n) == FYNT_SEQUENCE ? (size_t)fy_node_sequence_item_count(n) : 1;
	char **v = calloc(cnt ? cnt : 1, sizeof *v);
	if (!v)
		return fail(d, CG_ENOMEM, _("out of memory"));
	*out = v;
	if (fy_node_get_type(n) == FYNT_SCALAR) {
		size_t len;
		const char *s = scalar(n, &len);
		if (!s || !(v[0] = dupn(s, len)))
			return fail(d, CG_EPARSE, _("'%s' must be a string or a list of strings"), what);
		*n_out = 1;
		return CG_OK;
	}
	if (fy_node_get_type(n) != FYNT_SEQUENCE)
		return fail(d, CG_EPARSE, _("'%s' must be a list of strings"), what);
	void *it = NULL;
	struct fy_node *item;
	while ((item = fy_node_sequence_iterate(n, &it)) != NULL) {
		size_t len;
		const char *s = scalar(item, &len);
		if (!s)
			return fail(d, CG_EPARSE, _("'%s' item %zu is not a string"), what, *n_out + 1);
		if (!(v[*n_out] = dupn(s, len)))
			return fail(d, CG_ENOMEM, _("out of memory"));
		(*n_out)++;
	}
	return CG_OK;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void search_clear(struct sigma_search *s)
{
	for (size_t g = 0; g < s->n; g++) {
		for (size_t f = 0; f < s->g[g].n; f++)
			sigma_fieldmatch_clear(&s->g[g].fm[f]);
		free(s->g[g].fm);
	}
	free(s->g);
	free(s->name);
}

void sigma_rule_free(struct sigma_rule *r)
{
	if (!r)
		return;
	free(r->origin);
	free(r->id);
	free(r->name);
	free(r->title);
	free(r->level);
	free(r->status);
	free(r->description);
	free(r->author);
	free_strv(r->tags, r->n_tags);
	free(r->product);
	free(r->category);
	free(r->service);
	for (size_t i = 0; i < r->n_s; i++)
		search_clear(&r->s[i]);
	free(r->s);
	sigma_cond_free(r->cond);
	if (r->corr) {
		struct sigma_correlation *c = r->corr;
		free_strv(c->rules, c->n_rules);
		free_strv(c->group_by, c->n_group_by);
		for (size_t i = 0; i < c->n_aliases; i++) {
			free(c->aliases[i].alias);
			free(c->aliases[i].rule);
			free(c->aliases[i].field);
		}
		free(c->aliases);
		free(c->field);
		free(c);
	}
	free_strv(r->fields, r->n_fields);
	free(r);
}

/* Values of one `Field|mods:` key as raw strings. */
static enum cg_err collect_values(struct doc_ctx *d, const char *where, struct fy_node *v,
                                  struct sigma_rawval **out, size_t *n_out)
{
	size_t cnt = fy_node_get_type(v) == FYNT_SEQUENCE ? (size_t)fy_node_sequence_item_count(v) : 1;
	struct sigma_rawval *rv = calloc(cnt ? cnt : 1, sizeof *rv);
	if (!rv)
		return fail(d, CG_ENOMEM, _("out of memory"));
	*out = rv;
	*n_out = 0;
	struct fy_node *item = v;
	void *it = NULL;
	int seq = fy_node_get_type(v) == FYNT_SEQUENCE;
	if (seq && cnt == 0)
		return fail(d, CG_EPARSE, _("%s: empty list of values"), where);
	for (;;) {
		if (seq && !(item = fy_node_sequence_iterate(v, &it)))
			break;
		if (fy_node_is_alias(item))
			return fail(d, CG_EUNSUPPORTED, _("%s: YAML aliases are not supported"), where);
		if (scalar_is_null(item)) {
			rv[*n_out].is_null = 1;
			rv[*n_out].s = "";
		} else if (fy_node_get_type(item) == FYNT_SCALAR) {
			rv[*n_out].s = fy_node_get_scalar(item, &rv[*n_out].n);
		} else {
			return fail(d, CG_EPARSE, _("%s: value %zu is a %s, expected a string or number"), where,
			            *n_out + 1, fy_node_get_type(item) == FYNT_MAPPING ? "map" : "list");
		}
		(*n_out)++;
		if (!seq)
			break;
	}
	return CG_OK;
}

static enum cg_err add_fieldmatch(struct doc_ctx *d, struct sigma_group *g, const char *path,
                                  const char *key, struct fy_node *v)
{
	char where[320];
	snprintf(where, sizeof where, "%s.%s", path, key);
	struct sigma_rawval *rv = NULL;
	size_t n = 0;
	enum cg_err rc = collect_values(d, where, v, &rv, &n);
	if (rc) {
		free(rv);
		return rc;
	}
	struct sigma_fieldmatch *p = realloc(g->fm, (g->n + 1) * sizeof *p);
	if (!p) {
		free(rv);
		return fail(d, CG_ENOMEM, _("out of memory"));
	}
	g->fm = p;
	memset(&g->fm[g->n], 0, sizeof g->fm[g->n]);
	rc = sigma_mod_build(key, rv, n, &g->fm[g->n]);
	free(rv);
	if (rc) {
		sigma_fieldmatch_clear(&g->fm[g->n]);
		return fail(d, rc, "%s: %s", where, cg_err_msg(rc));
	}
	g->n++;
	return CG_OK;
}

static enum cg_err add_group(struct doc_ctx *d, struct sigma_search *s, struct sigma_group **out)
{
	struct sigma_group *p = realloc(s->g, (s->n + 1) * sizeof *p);
	if (!p)
		return fail(d, CG_ENOMEM, _("out of memory"));
	s->g = p;
	memset(&s->g[s->n], 0, sizeof s->g[s->n]);
	*out = &s->g[s->n++];
	return CG_OK;
}

static enum cg_err map_group(struct doc_ctx *d, struct sigma_search *s, const char *path,
                             struct fy_node *map)
{
	struct sigma_group *g = NULL;
	enum cg_err rc = add_group(d, s, &g);
	if (rc)
		return rc;
	void *it = NULL;
	struct fy_node_pair *pair;
	while ((pair = fy_node_mapping_iterate(map, &it)) != NULL) {
		size_t klen;
		const char *k = scalar(fy_node_pair_key(pair), &klen);
		if (!k)
			return fail(d, CG_EPARSE, _("%s: a key is not a string"), path);
		char key[256];
		if (klen >= sizeof key)
			return fail(d, CG_ELIMIT, _("%s: field name longer than %zu bytes"), path, sizeof key - 1);
		memcpy(key, k, klen);
		key[klen] = '\0';
		struct fy_node *v = fy_node_pair_value(pair);
		if (v && fy_node_get_type(v) == FYNT_MAPPING)
			return fail(d, CG_EPARSE, _("%s.%s: a map is not a valid value"), path, key);
		if ((rc = add_fieldmatch(d, g, path, key, v)))
			return rc;
	}
	if (g->n == 0)
		return fail(d, CG_EPARSE, _("%s: empty map"), path);
	return CG_OK;
}

static enum cg_err parse_search(struct doc_ctx *d, const char *name, struct fy_node *v,
                                struct sigma_search *s)
{
	char path[300];
	snprintf(path, sizeof path, "detection.%s", name);
	if (!(s->name = strdup(name)))
		return fail(d, CG_ENOMEM, _("out of memory"));
	if (!v || scalar_is_null(v))
		return fail(d, CG_EPARSE, _("%s: empty search identifier"), path);
	if (fy_node_is_alias(v))
		return fail(d, CG_EUNSUPPORTED, _("%s: YAML aliases are not supported"), path);
	enum fy_node_type t = fy_node_get_type(v);
	if (t == FYNT_MAPPING)
		return map_group(d, s, path, v);
	struct sigma_group *g = NULL;
	enum cg_err rc;
	if (t == FYNT_SCALAR) {
		if ((rc = add_group(d, s, &g)))
			return rc;
		return add_fieldmatch(d, g, "detection", name, v);
	}
	/* A list: strings are keywords (one OR'ed group), maps are alternatives. */
	int has_kw = 0;
	void *it = NULL;
	struct fy_node *item;
	while ((item = fy_node_sequence_iterate(v, &it)) != NULL) {
		if (fy_node_get_type(item) == FYNT_MAPPING) {
			if ((rc = map_group(d, s, path, item)))
				return rc;
		} else if (fy_node_get_type(item) == FYNT_SCALAR) {
			has_kw = 1;
		} else {
			return fail(d, CG_EPARSE, _("%s: nested lists are not valid"), path);
		}
	}
	if (has_kw) {
		size_t cnt = (size_t)fy_node_sequence_item_count(v);
		struct sigma_rawval *rv = calloc(cnt, sizeof *rv);
		if (!rv)
			return fail(d, CG_ENOMEM, _("out of memory"));
		size_t n = 0;
		it = NULL;
		while ((item = fy_node_sequence_iterate(v, &it)) != NULL) {
			if (fy_node_get_type(item) != FYNT_SCALAR)
				continue;
			rv[n].is_null = scalar_is_null(item);
			rv[n].s = rv[n].is_null ? "" : fy_node_get_scalar(item, &rv[n].n);
			n++;
		}
		if ((rc = add_group(d, s, &g))) {
			free(rv);
			return rc;
		}
		struct sigma_fieldmatch *fm = calloc(1, sizeof *fm);
		if (!fm) {
			free(rv);
			return fail(d, CG_ENOMEM, _("out of memory"));
		}
		g->fm = fm;
		rc = sigma_mod_build("", rv, n, fm);
		free(rv);
		if (rc) {
			sigma_fieldmatch_clear(fm);
			return fail(d, rc, "%s: %s", path, cg_err_msg(rc));
		}
		g->n = 1;
	}
	if (s->n == 0)
		return fail(d, CG_EPARSE, _("%s: empty list"), path);
	return CG_OK;
}

/* One condition, or one item of a condition list (`list` set): the items
 * are alternatives of one or node, and their nodes count together. */
static enum cg_err add_cond(struct doc_ctx *d, struct sigma_rule *r, const char *text, int list, size_t *nodes)
{
	if (strchr(text, '|'))
		return fail(d, CG_EUNSUPPORTED,
		            _("detection.condition: aggregation ('%s') is deprecated Sigma; write a correlation rule"), text);
	struct sigma_cnode *c = NULL;
	enum cg_err rc = sigma_cond_parse(text, r->s, r->n_s, nodes, &c);
	if (!rc && list)
		rc = sigma_cond_list_add(&r->cond, nodes, c);
	else if (!rc)
		r->cond = c;
	if (rc)
		return fail(d, rc, _("detection.condition: %s"), cg_err_msg(rc));
	return CG_OK;
}

static enum cg_err note_field(struct sigma_rule *r, const char *f)
{
	for (size_t i = 0; i < r->n_fields; i++)
		if (strcasecmp(r->fields[i], f) == 0)
			return CG_OK;
	char **p = realloc(r->fields, (r->n_fields + 1) * sizeof *p);
	if (!p)
		return CG_ENOMEM;
	r->fields = p;
	if (!(p[r->n_fields] = strdup(f)))
		return CG_ENOMEM;
	r->n_fields++;
	return CG_OK;
}

static enum cg_err parse_detection(struct doc_ctx *d, struct sigma_rule *r, struct fy_node *det)
{
	if (!det || fy_node_get_type(det) != FYNT_MAPPING)
		return fail(d, CG_EPARSE, _("'detection' is missing or not a map"));
	size_t cnt = (size_t)fy_node_mapping_item_count(det);
	r->s = calloc(cnt ? cnt : 1, sizeof *r->s);
	if (!r->s)
		return fail(d, CG_ENOMEM, _("out of memory"));
	struct fy_node *cond = NULL;
	void *it = NULL;
	struct fy_node_pair *pair;
	enum cg_err rc;
	while ((pair = fy_node_mapping_iterate(det, &it)) != NULL) {
		size_t klen;
		const char *k = scalar(fy_node_pair_key(pair), &klen);
		if (!k || klen == 0 || klen > 200)
			return fail(d, CG_EPARSE, _("detection: a key is not a valid name"));
		char key[256];
		memcpy(key, k, klen);
		key[klen] = '\0';
		if (strcmp(key, "condition") == 0) {
			cond = fy_node_pair_value(pair);
			continue;
		}
		if (strcmp(key, "timeframe") == 0)
			continue; /* only meaningful with an aggregation, refused below */
		if ((rc = parse_search(d, key, fy_node_pair_value(pair), &r->s[r->n_s++])))
			return rc;
	}
	if (!cond || scalar_is_null(cond))
		return fail(d, CG_EPARSE, _("detection.condition is missing"));
	size_t nodes = 0;
	if (fy_node_get_type(cond) == FYNT_SCALAR) {
		if ((rc = add_cond(d, r, fy_node_get_scalar0(cond), 0, &nodes)))
			return rc;
	} else if (fy_node_get_type(cond) == FYNT_SEQUENCE) {
		it = NULL;
		struct fy_node *item;
		while ((item = fy_node_sequence_iterate(cond, &it)) != NULL) {
			const char *t = fy_node_get_type(item) == FYNT_SCALAR ? fy_node_get_scalar0(item) : NULL;
			if (!t)
				return fail(d, CG_EPARSE, _("detection.condition: list items must be strings"));
			if ((rc = add_cond(d, r, t, 1, &nodes)))
				return rc;
		}
		if (!r->cond)
			return fail(d, CG_EPARSE, _("detection.condition is an empty list"));
	} else {
		return fail(d, CG_EPARSE, _("detection.condition must be a string"));
	}
	for (size_t i = 0; i < r->n_s; i++)
		for (size_t g = 0; g < r->s[i].n; g++)
			for (size_t f = 0; f < r->s[i].g[g].n; f++) {
				struct sigma_fieldmatch *fm = &r->s[i].g[g].fm[f];
				if (fm->field && note_field(r, fm->field))
					return fail(d, CG_ENOMEM, _("out of memory"));
				for (size_t v = 0; v < fm->n; v++)
					if (fm->v[v].kind == SV_FIELDREF && note_field(r, fm->v[v].ref))
						return fail(d, CG_ENOMEM, _("out of memory"));
			}
	return CG_OK;
}

static enum cg_err parse_timespan(const char *s, int64_t *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (end == s || v <= 0 || v > 100000000)
		return CG_EPARSE;
	int64_t mul;
	switch (*end) {
	case 's': mul = 1; break;
	case 'm': mul = 60; break;
	case 'h': mul = 3600; break;
	case 'd': mul = 86400; break;
	case 'w': mul = 7 * 86400; break;
	default: return CG_EPARSE;
	}
	if (end[1] != '\0')
		return CG_EPARSE;
	*out = (int64_t)v * mul;
	return CG_OK;
}

static enum cg_err parse_correlation(struct doc_ctx *d, struct sigma_rule *r, struct fy_node *cn)
{
	if (fy_node_get_type(cn) != FYNT_MAPPING)
		return fail(d, CG_EPARSE, _("'correlation' must be a map"));
	struct sigma_correlation *c = calloc(1, sizeof *c);
	if (!c)
		return fail(d, CG_ENOMEM, _("out of memory"));
	r->corr = c;
	char *type = NULL, *ts = NULL;
	enum cg_err rc = get_str(d, cn, "type", &type);
	if (rc)
		return rc;
	if (!type)
		return fail(d, CG_EPARSE, _("correlation.type is missing"));
	if (strcmp(type, "event_count") == 0)
		c->type = SIGMA_CORR_EVENT_COUNT;
	else if (strcmp(type, "value_count") == 0)
		c->type = SIGMA_CORR_VALUE_COUNT;
	else if (strcmp(type, "temporal") == 0)
		c->type = SIGMA_CORR_TEMPORAL;
	else if (strcmp(type, "temporal_ordered") == 0)
		c->type = SIGMA_CORR_TEMPORAL_ORDERED;
	else {
		rc = fail(d, CG_EUNSUPPORTED, _("correlation.type '%s' is not one of event_count, value_count, temporal, temporal_ordered"), type);
		free(type);
		return rc;
	}
	free(type);
	if ((rc = get_str_list(d, fy_node_mapping_lookup_by_string(cn, "rules", FY_NT), "correlation.rules",
	                       &c->rules, &c->n_rules)))
		return rc;
	if (c->n_rules == 0)
		return fail(d, CG_EPARSE, _("correlation.rules is missing"));
	if ((rc = get_str_list(d, fy_node_mapping_lookup_by_string(cn, "group-by", FY_NT), "correlation.group-by",
	                       &c->group_by, &c->n_group_by)))
		return rc;
	if ((rc = get_str(d, cn, "timespan", &ts)))
		return rc;
	if (!ts)
		return fail(d, CG_EPARSE, _("correlation.timespan is missing"));
	rc = parse_timespan(ts, &c->timespan);
	if (rc) {
		rc = fail(d, CG_EPARSE, _("correlation.timespan '%s' is not a number followed by s, m, h, d or w"), ts);
		free(ts);
		return rc;
	}
	free(ts);
	struct fy_node *gen = fy_node_mapping_lookup_by_string(cn, "generate", FY_NT);
	c->generate = gen && scalar(gen, &(size_t){0}) && strcasecmp(fy_node_get_scalar0(gen), "true") == 0;
	struct fy_node *al = fy_node_mapping_lookup_by_string(cn, "aliases", FY_NT);
	if (al && fy_node_get_type(al) == FYNT_MAPPING) {
		void *it = NULL;
		struct fy_node_pair *p;
		while ((p = fy_node_mapping_iterate(al, &it)) != NULL) {
			const char *alias = scalar(fy_node_pair_key(p), &(size_t){0});
			struct fy_node *m = fy_node_pair_value(p);
			if (!alias || !m || fy_node_get_type(m) != FYNT_MAPPING)
				return fail(d, CG_EPARSE, _("correlation.aliases: each alias must map rule names to fields"));
			void *it2 = NULL;
			struct fy_node_pair *q;
			while ((q = fy_node_mapping_iterate(m, &it2)) != NULL) {
				const char *rule = scalar(fy_node_pair_key(q), &(size_t){0});
				const char *field = scalar(fy_node_pair_value(q), &(size_t){0});
				if (!rule || !field)
					return fail(d, CG_EPARSE, _("correlation.aliases.%s: rule and field must be strings"),
					            fy_node_get_scalar0(fy_node_pair_key(p)));
				struct sigma_corr_alias *na = realloc(c->aliases, (c->n_aliases + 1) * sizeof *na);
				if (!na)
					return fail(d, CG_ENOMEM, _("out of memory"));
				c->aliases = na;
				na[c->n_aliases].alias = strdup(fy_node_get_scalar0(fy_node_pair_key(p)));
				na[c->n_aliases].rule = strdup(fy_node_get_scalar0(fy_node_pair_key(q)));
				na[c->n_aliases].field = strdup(fy_node_get_scalar0(fy_node_pair_value(q)));
				c->n_aliases++;
				if (!na[c->n_aliases - 1].alias || !na[c->n_aliases - 1].rule || !na[c->n_aliases - 1].field)
					return fail(d, CG_ENOMEM, _("out of memory"));
			}
		}
	}
	struct fy_node *cond = fy_node_mapping_lookup_by_string(cn, "condition", FY_NT);
	int temporal = c->type == SIGMA_CORR_TEMPORAL || c->type == SIGMA_CORR_TEMPORAL_ORDERED;
	if (!cond) {
		if (!temporal)
			return fail(d, CG_EPARSE, _("correlation.condition is missing"));
		c->has_gte = 1;
		c->gte = (long)c->n_rules;
		return CG_OK;
	}
	if (fy_node_get_type(cond) != FYNT_MAPPING)
		return fail(d, CG_EPARSE, _("correlation.condition must be a map such as 'gte: 10'"));
	void *it = NULL;
	struct fy_node_pair *p;
	int any = 0;
	while ((p = fy_node_mapping_iterate(cond, &it)) != NULL) {
		const char *k = scalar(fy_node_pair_key(p), &(size_t){0});
		const char *v = scalar(fy_node_pair_value(p), &(size_t){0});
		if (!k || !v)
			return fail(d, CG_EPARSE, _("correlation.condition: keys and values must be scalars"));
		k = fy_node_get_scalar0(fy_node_pair_key(p));
		v = fy_node_get_scalar0(fy_node_pair_value(p));
		if (strcmp(k, "field") == 0) {
			free(c->field);
			if (!(c->field = strdup(v)))
				return fail(d, CG_ENOMEM, _("out of memory"));
			continue;
		}
		char *end;
		long num = strtol(v, &end, 10);
		if (end == v || *end || num < 0)
			return fail(d, CG_EPARSE, _("correlation.condition.%s: '%s' is not a count"), k, v);
		if (strcmp(k, "gt") == 0) { c->has_gt = 1; c->gt = num; }
		else if (strcmp(k, "gte") == 0) { c->has_gte = 1; c->gte = num; }
		else if (strcmp(k, "lt") == 0) { c->has_lt = 1; c->lt = num; }
		else if (strcmp(k, "lte") == 0) { c->has_lte = 1; c->lte = num; }
		else if (strcmp(k, "eq") == 0) { c->has_eq = 1; c->eq = num; }
		else
			return fail(d, CG_EPARSE, _("correlation.condition: unknown operator '%s'"), k);
		any = 1;
	}
	if (!any)
		return fail(d, CG_EPARSE, _("correlation.condition has no gt/gte/lt/lte/eq"));
	if (c->type == SIGMA_CORR_VALUE_COUNT && !c->field)
		return fail(d, CG_EPARSE, _("correlation.condition.field is required for value_count"));
	return CG_OK;
}

/* Sigma forbids nothing, but an alias is read by libfyaml as a scalar that
 * holds the anchor's name: refuse the document wherever one occurs. The walk
 * keeps its own stack (YAML nesting is input). */
static enum cg_err refuse_aliases(struct doc_ctx *d, struct fy_node *root)
{
	size_t n = 0, cap = 64;
	struct fy_node **stack = malloc(cap * sizeof *stack);
	enum cg_err rc = CG_OK;
	if (!stack)
		return fail(d, CG_ENOMEM, _("out of memory"));
	if (root)
		stack[n++] = root;
	while (n && !rc) {
		struct fy_node *x = stack[--n];
		if (fy_node_is_alias(x)) {
			size_t len;
			const char *a = fy_node_get_scalar(x, &len);
			rc = fail(d, CG_EUNSUPPORTED, _("YAML alias '*%.*s' is not supported"), (int)(a && len < 100 ? len : 0),
			          a ? a : "");
			break;
		}
		void *it = NULL;
		if (fy_node_get_type(x) == FYNT_SCALAR)
			continue;
		for (;;) {
			struct fy_node *kids[2] = {NULL, NULL};
			if (fy_node_get_type(x) == FYNT_SEQUENCE) {
				if (!(kids[0] = fy_node_sequence_iterate(x, &it)))
					break;
			} else {
				struct fy_node_pair *p = fy_node_mapping_iterate(x, &it);
				if (!p)
					break;
				kids[0] = fy_node_pair_key(p);
				kids[1] = fy_node_pair_value(p);
			}
			if (n + 2 > cap) {
				struct fy_node **ns = realloc(stack, cap * 2 * sizeof *ns);
				if (!ns) {
					rc = fail(d, CG_ENOMEM, _("out of memory"));
					break;
				}
				stack = ns;
				cap *= 2;
			}
			for (int k = 0; k < 2; k++)
				if (kids[k])
					stack[n++] = kids[k];
		}
	}
	free(stack);
	return rc;
}

static enum cg_err parse_doc(struct doc_ctx *d, struct fy_node *root, const char *origin,
                             struct sigma_rule **out)
{
	*out = NULL;
	if (!root || fy_node_get_type(root) != FYNT_MAPPING)
		return fail(d, CG_EPARSE, _("a rule must be a YAML map"));
	enum cg_err rc = refuse_aliases(d, root);
	if (rc)
		return rc;
	struct sigma_rule *r = calloc(1, sizeof *r);
	if (!r)
		return fail(d, CG_ENOMEM, _("out of memory"));
	*out = r;
	r->generate_hits = 1;
	if (!(r->origin = strdup(origin)))
		return fail(d, CG_ENOMEM, _("out of memory"));
	char *action = NULL;
	if ((rc = get_str(d, root, "action", &action)))
		return rc;
	if (action) {
		rc = fail(d, CG_EUNSUPPORTED, _("'action: %s' documents (Sigma 1 rule collections) are not supported"), action);
		free(action);
		return rc;
	}
	if ((rc = get_str(d, root, "title", &r->title)) || (rc = get_str(d, root, "id", &r->id)) ||
	    (rc = get_str(d, root, "name", &r->name)) || (rc = get_str(d, root, "level", &r->level)) ||
	    (rc = get_str(d, root, "status", &r->status)) ||
	    (rc = get_str(d, root, "description", &r->description)) ||
	    (rc = get_str(d, root, "author", &r->author)))
		return rc;
	if (!r->title)
		return fail(d, CG_EPARSE, _("'title' is missing"));
	if ((rc = get_str_list(d, fy_node_mapping_lookup_by_string(root, "tags", FY_NT), "tags", &r->tags, &r->n_tags)))
		return rc;
	r->level_num = r->level ? sigma_level_parse(r->level) : SIGMA_LEVEL_MEDIUM;
	if (r->level_num < 0)
		return fail(d, CG_EPARSE, _("level '%s' is not informational, low, medium, high or critical"), r->level);
	struct fy_node *corr = fy_node_mapping_lookup_by_string(root, "correlation", FY_NT);
	if (corr)
		return parse_correlation(d, r, corr);
	struct fy_node *ls = fy_node_mapping_lookup_by_string(root, "logsource", FY_NT);
	if (!ls || fy_node_get_type(ls) != FYNT_MAPPING)
		return fail(d, CG_EPARSE, _("'logsource' is missing or not a map"));
	if ((rc = get_str(d, ls, "product", &r->product)) || (rc = get_str(d, ls, "category", &r->category)) ||
	    (rc = get_str(d, ls, "service", &r->service)))
		return rc;
	return parse_detection(d, r, fy_node_mapping_lookup_by_string(root, "detection", FY_NT));
}

/* libfyaml reports problems through a diag object; keep the first error. */
struct diag_sink {
	char msg[256];
};

static void diag_out(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	(void)diag;
	struct diag_sink *s = user;
	unsigned long line = 0, col = 0;
	const char *end;

	if (s->msg[0])
		return;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		len--;
	/* libfyaml names a string input "<memory-@ADDR-ADDR>": drop that (the
	 * caller names the file) and say where as "line L, column C". */
	if (len && buf[0] == '<' && (end = memchr(buf, '>', len)) && end + 1 < buf + len && end[1] == ':') {
		char tmp[256], *p;
		size_t rest = len - (size_t)(end + 2 - buf);
		if (rest >= sizeof tmp)
			rest = sizeof tmp - 1;
		memcpy(tmp, end + 2, rest);
		tmp[rest] = '\0';
		line = strtoul(tmp, &p, 10);
		if (*p == ':') {
			col = strtoul(p + 1, &p, 10);
			if (*p == ':')
				p++;
			while (*p == ' ')
				p++;
			if (strncmp(p, "error: ", 7) == 0)
				p += 7;
			snprintf(s->msg, sizeof s->msg, _("line %lu, column %lu: %s"), line, col, p);
			return;
		}
	}
	if (len >= sizeof s->msg)
		len = sizeof s->msg - 1;
	memcpy(s->msg, buf, len);
	s->msg[len] = '\0';
}

enum cg_err sigma_rules_parse(const char *text, size_t len, const char *origin, sigma_rule_cb cb, void *ud)
{
	if (len > SIGMA_RULE_MAX_BYTES)
		return cg_err_set(CG_ELIMIT, _("%s: rule file larger than %zu bytes"), origin, SIGMA_RULE_MAX_BYTES);
	unsigned long bad_line, bad_col;
	const char *bad = cg_yaml_precheck(text, len, &bad_line, &bad_col);
	if (bad) {
		struct doc_ctx d;
		char where[160];
		snprintf(where, sizeof where, _("line %lu, column %lu: %s"), bad_line, bad_col, bad);
		snprintf(d.reason, sizeof d.reason, _("malformed YAML: %s"), where);
		cb(ud, NULL, CG_EPARSE, d.reason, 0);
		return CG_OK;
	}
	struct diag_sink sink = {{0}};
	struct fy_diag_cfg dcfg;
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = diag_out;
	dcfg.user = &sink;
	dcfg.colorize = false;
	dcfg.show_source = false;
	dcfg.show_position = true;
	dcfg.show_type = false;
	dcfg.show_module = false;
	struct fy_diag *diag = fy_diag_create(&dcfg);
	if (!diag)
		return cg_err_set(CG_EINTERNAL, _("%s: cannot create YAML diagnostics"), origin);
	struct fy_parse_cfg cfg = {.search_path = "", .flags = FYPCF_QUIET, .userdata = NULL, .diag = diag};
	struct fy_parser *fyp = fy_parser_create(&cfg);
	if (!fyp) {
		fy_diag_destroy(diag);
		return cg_err_set(CG_EINTERNAL, _("%s: cannot create YAML parser"), origin);
	}
	enum cg_err ret = CG_OK;
	if (fy_parser_set_string(fyp, text, len) != 0) {
		ret = cg_err_set(CG_EPARSE, _("%s: cannot read YAML"), origin);
		goto out;
	}
	size_t doc = 0;
	for (;;) {
		struct fy_document *fyd = fy_parse_load_document(fyp);
		if (!fyd) {
			if (sink.msg[0] || fy_diag_got_error(diag)) {
				struct doc_ctx d;
				snprintf(d.reason, sizeof d.reason, _("malformed YAML: %s"), sink.msg[0] ? sink.msg : _("syntax error"));
				cb(ud, NULL, CG_EPARSE, d.reason, doc);
			} else if (doc == 0) {
				cb(ud, NULL, CG_EPARSE, _("empty file: no YAML document"), doc);
			}
			break;
		}
		if (doc >= SIGMA_RULE_MAX_DOCS) {
			fy_parse_document_destroy(fyp, fyd);
			cb(ud, NULL, CG_ELIMIT, _("more than 256 YAML documents in one file"), doc);
			break;
		}
		char org[512];
		if (doc == 0)
			snprintf(org, sizeof org, "%s", origin);
		else
			snprintf(org, sizeof org, "%s#%zu", origin, doc + 1);
		struct doc_ctx d = {{0}};
		struct sigma_rule *r = NULL;
		enum cg_err rc = parse_doc(&d, fy_document_root(fyd), org, &r);
		fy_parse_document_destroy(fyp, fyd);
		if (rc) {
			sigma_rule_free(r);
			cb(ud, NULL, rc, d.reason, doc);
		} else {
			cb(ud, r, CG_OK, NULL, doc);
		}
		doc++;
	}
out:
	fy_parser_destroy(fyp);
	fy_diag_destroy(diag);
	return ret;
}

int sigma_level_parse(const char *s)
{
	static const char *const names[] = {"informational", "low", "medium", "high", "critical"};
	for (int i = 0; i < 5; i++)
		if (strcasecmp(s, names[i]) == 0)
			return i;
	if (strcasecmp(s, "info") == 0)
		return 0;
	return -1;
}

#define S(x) ((x) ? (x) : "")
const char *sigma_rule_id(const struct sigma_rule *r) { return S(r->id); }
const char *sigma_rule_name(const struct sigma_rule *r) { return S(r->name); }
const char *sigma_rule_title(const struct sigma_rule *r) { return S(r->title); }
const char *sigma_rule_level(const struct sigma_rule *r) { return r->level ? r->level : "medium"; }
enum sigma_level sigma_rule_level_num(const struct sigma_rule *r) { return (enum sigma_level)r->level_num; }
const char *sigma_rule_status(const struct sigma_rule *r) { return S(r->status); }
const char *sigma_rule_origin(const struct sigma_rule *r) { return S(r->origin); }
size_t sigma_rule_tag_count(const struct sigma_rule *r) { return r->n_tags; }
const char *sigma_rule_tag(const struct sigma_rule *r, size_t i) { return r->tags[i]; }
const char *sigma_rule_product(const struct sigma_rule *r) { return S(r->product); }
const char *sigma_rule_category(const struct sigma_rule *r) { return S(r->category); }
const char *sigma_rule_service(const struct sigma_rule *r) { return S(r->service); }
int sigma_rule_is_correlation(const struct sigma_rule *r) { return r->corr != NULL; }
size_t sigma_rule_field_count(const struct sigma_rule *r) { return r->n_fields; }
const char *sigma_rule_field(const struct sigma_rule *r, size_t i) { return r->fields[i]; }
