/* Logsource mapping (see sigma_map.h). */
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cg_i18n.h"
#include "cg_yaml.h"
#include "cg_event_int.h"
#include "sigma_int.h"
#include "sigma_map.h"

#define SIGMA_MAP_MAX_ENTRIES 4096

struct sigma_map {
	struct sigma_logsource *e;
	size_t n;
};

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void source_clear(struct sigma_source *s)
{
	strv_free(s->channels, s->n_channels);
	strv_free(s->providers, s->n_providers);
	strv_free(s->programs, s->n_programs);
	free(s->event_ids);
	for (size_t i = 0; i < s->n_fields; i++) {
		free(s->fields[i].from);
		free(s->fields[i].to);
	}
	free(s->fields);
}

static void entry_clear(struct sigma_logsource *e)
{
	free(e->product);
	free(e->category);
	free(e->service);
	for (size_t i = 0; i < e->n_src; i++)
		source_clear(&e->src[i]);
	free(e->src);
	memset(e, 0, sizeof *e);
}

void sigma_map_free(struct sigma_map *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		entry_clear(&m->e[i]);
	free(m->e);
	free(m);
}

enum cg_err sigma_map_new(struct sigma_map **out)
{
	struct sigma_map *m = calloc(1, sizeof *m);
	if (!m)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	const char *y = sigma_map_default_yaml();
	enum cg_err rc = sigma_map_load(m, y, strlen(y), _("built-in mapping"));
	if (rc) {
		sigma_map_free(m);
		return rc;
	}
	*out = m;
	return CG_OK;
}

static const char *sc(struct fy_node *n)
{
	if (!n || fy_node_get_type(n) != FYNT_SCALAR || fy_node_is_alias(n))
		return NULL;
	return fy_node_get_scalar0(n);
}

/* A string or a list of strings. */
static enum cg_err str_list(struct fy_node *n, const char *origin, const char *what, char ***out, size_t *nout)
{
	*out = NULL;
	*nout = 0;
	if (!n)
		return CG_OK;
	size_t cnt = fy_node_get_type(n) == FYNT_SEQUENCE ? (size_t)fy_node_sequence_item_count(n) : 1;
	char **v = calloc(cnt ? cnt : 1, sizeof *v);
	if (!v)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	*out = v;
	void *it = NULL;
	struct fy_node *item = n;
	int seq = fy_node_get_type(n) == FYNT_SEQUENCE;
	for (;;) {
		if (seq && !(item = fy_node_sequence_iterate(n, &it)))
			break;
		const char *s = sc(item);
		if (!s)
			return cg_err_set(CG_EPARSE, _("%s: '%s' must be a string or a list of strings"), origin, what);
		if (!(v[*nout] = strdup(s)))
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		(*nout)++;
		if (!seq)
			break;
	}
	return CG_OK;
}

static enum cg_err parse_source(struct fy_node *n, const char *origin, struct sigma_source *s)
{
	if (fy_node_get_type(n) != FYNT_MAPPING)
		return cg_err_set(CG_EPARSE, _("%s: each source must be a map"), origin);
	const char *prod = sc(fy_node_mapping_lookup_by_string(n, "product", FY_NT));
	if (prod && strcmp(prod, "windows") == 0)
		s->product = CG_EVENT_PRODUCT_WINDOWS;
	else if (prod && strcmp(prod, "linux") == 0)
		s->product = CG_EVENT_PRODUCT_LINUX;
	else if (prod)
		return cg_err_set(CG_EPARSE, _("%s: source product '%s' is not windows or linux"), origin, prod);
	enum cg_err rc;
	if ((rc = str_list(fy_node_mapping_lookup_by_string(n, "channel", FY_NT), origin, "channel", &s->channels, &s->n_channels)) ||
	    (rc = str_list(fy_node_mapping_lookup_by_string(n, "provider", FY_NT), origin, "provider", &s->providers, &s->n_providers)) ||
	    (rc = str_list(fy_node_mapping_lookup_by_string(n, "program", FY_NT), origin, "program", &s->programs, &s->n_programs)))
		return rc;
	char **ids = NULL;
	size_t n_ids = 0;
	rc = str_list(fy_node_mapping_lookup_by_string(n, "event_id", FY_NT), origin, "event_id", &ids, &n_ids);
	if (!rc && n_ids) {
		s->event_ids = calloc(n_ids, sizeof *s->event_ids);
		if (!s->event_ids)
			rc = cg_err_set(CG_ENOMEM, _("out of memory"));
		for (size_t i = 0; !rc && i < n_ids; i++) {
			char *end;
			long v = strtol(ids[i], &end, 10);
			if (*end || end == ids[i] || v < 0 || v > 65535)
				rc = cg_err_set(CG_EPARSE, _("%s: event_id '%s' is not a number from 0 to 65535"), origin, ids[i]);
			else
				s->event_ids[s->n_event_ids++] = v;
		}
	}
	strv_free(ids, n_ids);
	if (rc)
		return rc;
	struct fy_node *f = fy_node_mapping_lookup_by_string(n, "fields", FY_NT);
	if (f) {
		if (fy_node_get_type(f) != FYNT_MAPPING)
			return cg_err_set(CG_EPARSE, _("%s: 'fields' must map Sigma field names to event field names"), origin);
		size_t cnt = (size_t)fy_node_mapping_item_count(f);
		s->fields = calloc(cnt ? cnt : 1, sizeof *s->fields);
		if (!s->fields)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		void *it = NULL;
		struct fy_node_pair *p;
		while ((p = fy_node_mapping_iterate(f, &it)) != NULL) {
			const char *from = sc(fy_node_pair_key(p)), *to = sc(fy_node_pair_value(p));
			if (!from || !to)
				return cg_err_set(CG_EPARSE, _("%s: 'fields' entries must be strings"), origin);
			struct sigma_field_alias *a = &s->fields[s->n_fields++];
			a->from = strdup(from);
			a->to = strdup(to);
			if (!a->from || !a->to)
				return cg_err_set(CG_ENOMEM, _("out of memory"));
			a->from_hash = cg_event_field_hash(from, strlen(from));
		}
	}
	return CG_OK;
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcasecmp(a, b) == 0);
}

static enum cg_err parse_entry(struct fy_node *n, const char *origin, struct sigma_logsource *e)
{
	if (fy_node_get_type(n) != FYNT_MAPPING)
		return cg_err_set(CG_EPARSE, _("%s: each logsource must be a map"), origin);
	const char *p = sc(fy_node_mapping_lookup_by_string(n, "product", FY_NT));
	const char *c = sc(fy_node_mapping_lookup_by_string(n, "category", FY_NT));
	const char *s = sc(fy_node_mapping_lookup_by_string(n, "service", FY_NT));
	if ((p && !(e->product = strdup(p))) || (c && !(e->category = strdup(c))) || (s && !(e->service = strdup(s))))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	struct fy_node *srcs = fy_node_mapping_lookup_by_string(n, "sources", FY_NT);
	if (!srcs || fy_node_get_type(srcs) != FYNT_SEQUENCE)
		return cg_err_set(CG_EPARSE, _("%s: logsource %s/%s/%s: 'sources' must be a list"), origin,
		                  p ? p : "-", c ? c : "-", s ? s : "-");
	size_t cnt = (size_t)fy_node_sequence_item_count(srcs);
	e->src = calloc(cnt ? cnt : 1, sizeof *e->src);
	if (!e->src)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	void *it = NULL;
	struct fy_node *item;
	while ((item = fy_node_sequence_iterate(srcs, &it)) != NULL) {
		enum cg_err rc = parse_source(item, origin, &e->src[e->n_src++]);
		if (rc)
			return rc;
	}
	return CG_OK;
}

enum cg_err sigma_map_load(struct sigma_map *m, const char *text, size_t len, const char *origin)
{
	unsigned long bad_line, bad_col;
	const char *bad = cg_yaml_precheck(text, len, &bad_line, &bad_col);
	if (bad) {
		char where[160];
		snprintf(where, sizeof where, _("line %lu, column %lu: %s"), bad_line, bad_col, bad);
		return cg_err_set(CG_EPARSE, _("%s: malformed YAML: %s"), origin, where);
	}
	struct fy_parse_cfg cfg = {.search_path = "", .flags = FYPCF_QUIET, .userdata = NULL, .diag = NULL};
	struct fy_document *fyd = fy_document_build_from_string(&cfg, text, len);
	if (!fyd)
		return cg_err_set(CG_EPARSE, _("%s: malformed YAML"), origin);
	enum cg_err rc = CG_OK;
	struct fy_node *root = fy_document_root(fyd);
	struct fy_node *list = root && fy_node_get_type(root) == FYNT_MAPPING
	                           ? fy_node_mapping_lookup_by_string(root, "logsources", FY_NT) : NULL;
	if (!list || fy_node_get_type(list) != FYNT_SEQUENCE) {
		rc = cg_err_set(CG_EPARSE, _("%s: expected a map with a 'logsources' list"), origin);
		goto out;
	}
	void *it = NULL;
	struct fy_node *item;
	while ((item = fy_node_sequence_iterate(list, &it)) != NULL) {
		struct sigma_logsource e = {0};
		if ((rc = parse_entry(item, origin, &e))) {
			entry_clear(&e);
			goto out;
		}
		size_t i;
		for (i = 0; i < m->n; i++)
			if (same(m->e[i].product, e.product) && same(m->e[i].category, e.category) &&
			    same(m->e[i].service, e.service))
				break;
		if (i < m->n) {
			entry_clear(&m->e[i]);
			m->e[i] = e;
			continue;
		}
		if (m->n >= SIGMA_MAP_MAX_ENTRIES) {
			entry_clear(&e);
			rc = cg_err_set(CG_ELIMIT, _("%s: more than %d logsources"), origin, SIGMA_MAP_MAX_ENTRIES);
			goto out;
		}
		struct sigma_logsource *p = realloc(m->e, (m->n + 1) * sizeof *p);
		if (!p) {
			entry_clear(&e);
			rc = cg_err_set(CG_ENOMEM, _("out of memory"));
			goto out;
		}
		m->e = p;
		m->e[m->n++] = e;
	}
out:
	fy_document_destroy(fyd);
	return rc;
}

const struct sigma_logsource *sigma_map_find(const struct sigma_map *m, const char *product,
                                             const char *category, const char *service,
                                             char *why, size_t why_len)
{
	if (product && !*product)
		product = NULL;
	if (category && !*category)
		category = NULL;
	if (service && !*service)
		service = NULL;
	for (size_t i = 0; i < m->n; i++)
		if (same(m->e[i].product, product) && same(m->e[i].category, category) && same(m->e[i].service, service))
			return &m->e[i];
	snprintf(why, why_len, _("no mapping for logsource product=%s category=%s service=%s (add one with --mapping)"),
	         product ? product : "-", category ? category : "-", service ? service : "-");
	return NULL;
}

static int in_list(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(v[i], s) == 0)
			return 1;
	return 0;
}

int sigma_source_match(const struct sigma_source *s, const struct cg_event *ev)
{
	if (s->product && ev->product && s->product != ev->product)
		return 0;
	if (s->product && !ev->product && !ev->channel[0])
		return 0;
	if (s->n_channels || s->n_providers) {
		/* Forwarded and converted logs may lose the channel; then the
		 * provider tells where the event comes from. */
		int by_channel = ev->channel[0] && strcasecmp(ev->channel, "ForwardedEvents") != 0;
		if (by_channel && s->n_channels) {
			if (!in_list(s->channels, s->n_channels, ev->channel))
				return 0;
		} else if (!s->n_providers || !in_list(s->providers, s->n_providers, ev->provider)) {
			return 0;
		}
	}
	if (s->n_event_ids) {
		size_t i;
		for (i = 0; i < s->n_event_ids; i++)
			if (s->event_ids[i] == ev->event_id)
				break;
		if (i == s->n_event_ids)
			return 0;
	}
	if (s->n_programs && !in_list(s->programs, s->n_programs, ev->program))
		return 0;
	return 1;
}
