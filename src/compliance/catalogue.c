/* Requirement catalogues (see catalogue.h). */
#include "catalogue.h"

#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_i18n.h"
#include "cg_yaml.h"
#include "sigma_int.h"

struct comp_catalogue {
	char *name, *title_vi, *title_en, *notice_vi, *notice_en;
	struct comp_req *reqs;
	size_t n;
	char **strs; /* every string above and in the requirements */
	size_t n_strs, alloc_strs;
	struct comp_check **checks; /* per requirement */
};

static const char *const group_keys[COMP_GROUP_COUNT] = {
	"policy", "organization", "personnel", "design", "operation", "network", "host", "application", "data",
};

const char *comp_group_key(enum comp_group g)
{
	return g < COMP_GROUP_COUNT ? group_keys[g] : "";
}

const char *comp_group_name(enum comp_group g)
{
	switch (g) {
	case COMP_GROUP_POLICY: return _("Security policy");
	case COMP_GROUP_ORGANIZATION: return _("Security organization");
	case COMP_GROUP_PERSONNEL: return _("Personnel");
	case COMP_GROUP_DESIGN: return _("System design and build");
	case COMP_GROUP_OPERATION: return _("Operation and maintenance");
	case COMP_GROUP_NETWORK: return _("Network");
	case COMP_GROUP_HOST: return _("Servers and hosts");
	case COMP_GROUP_APPLICATION: return _("Applications");
	case COMP_GROUP_DATA: return _("Data");
	default: return "";
	}
}

int comp_group_is_management(enum comp_group g)
{
	return g <= COMP_GROUP_OPERATION;
}

void comp_catalogue_free(struct comp_catalogue *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_strs; i++)
		free(c->strs[i]);
	free(c->strs);
	if (c->checks)
		for (size_t i = 0; i < c->n; i++)
			free(c->checks[i]);
	free(c->checks);
	free(c->reqs);
	free(c);
}

/* Parsing state: the file name and the first error. */
struct cat_parse {
	const char *file;
	struct comp_catalogue *c;
};

static enum cg_err bad(struct cat_parse *p, struct fy_node *at, const char *field, const char *reason)
{
	return cg_err_set(CG_EPARSE, _("%s:%lu: field '%s': %s"), p->file, cg_yaml_line(at), field, reason);
}

static char *keep(struct cat_parse *p, const char *s)
{
	struct comp_catalogue *c = p->c;
	if (c->n_strs == c->alloc_strs) {
		size_t na = c->alloc_strs ? c->alloc_strs * 2 : 64;
		char **ns = realloc(c->strs, na * sizeof *ns);
		if (!ns)
			return NULL;
		c->strs = ns;
		c->alloc_strs = na;
	}
	char *d = strdup(s);
	if (d)
		c->strs[c->n_strs++] = d;
	return d;
}

/* A scalar's text; NULL (error set) when `n` is not a plain scalar. */
static enum cg_err scalar(struct cat_parse *p, struct fy_node *key, struct fy_node *n, const char *field,
			  const char **out)
{
	if (!n || fy_node_get_type(n) != FYNT_SCALAR || fy_node_is_alias(n))
		return bad(p, key, field, _("must be a text value"));
	size_t len;
	const char *s = fy_node_get_scalar(n, &len);
	if (!s || len > COMP_TEXT_MAX || memchr(s, '\0', len))
		return bad(p, key, field, _("text too long or not text"));
	char *tmp = strndup(s, len);
	if (!tmp)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	*out = keep(p, tmp);
	free(tmp);
	return *out ? CG_OK : cg_err_set(CG_ENOMEM, _("out of memory"));
}

static enum cg_err integer(struct cat_parse *p, struct fy_node *key, struct fy_node *n, const char *field, long min,
			   long max, const char *range_msg, long *out)
{
	const char *s;
	enum cg_err rc = scalar(p, key, n, field, &s);
	if (rc)
		return rc;
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < min || v > max)
		return bad(p, key, field, range_msg);
	*out = v;
	return CG_OK;
}

/* {vi: ..., en: ...}: both required. */
static enum cg_err bilingual(struct cat_parse *p, struct fy_node *key, struct fy_node *n, const char *field,
			     const char **vi, const char **en)
{
	if (!n || fy_node_get_type(n) != FYNT_MAPPING)
		return bad(p, key, field, _("must map 'vi' and 'en' to text"));
	void *it = NULL;
	struct fy_node_pair *pr;
	*vi = *en = NULL;
	while ((pr = fy_node_mapping_iterate(n, &it))) {
		struct fy_node *k = fy_node_pair_key(pr);
		const char *ks = k && fy_node_get_type(k) == FYNT_SCALAR ? fy_node_get_scalar0(k) : NULL;
		enum cg_err rc;
		if (ks && strcmp(ks, "vi") == 0)
			rc = scalar(p, k, fy_node_pair_value(pr), field, vi);
		else if (ks && strcmp(ks, "en") == 0)
			rc = scalar(p, k, fy_node_pair_value(pr), field, en);
		else
			rc = bad(p, k, ks ? ks : "?", _("unknown field (expected 'vi' or 'en')"));
		if (rc)
			return rc;
	}
	if (!*vi || !*en)
		return bad(p, key, field, _("needs both 'vi' and 'en'"));
	return CG_OK;
}

static enum cg_err parse_levels(struct cat_parse *p, struct fy_node *key, struct fy_node *n, unsigned *out)
{
	if (!n || fy_node_get_type(n) != FYNT_SEQUENCE)
		return bad(p, key, "levels", _("must be a list of levels 1-5"));
	void *it = NULL;
	struct fy_node *item;
	*out = 0;
	while ((item = fy_node_sequence_iterate(n, &it))) {
		long v = 0;
		enum cg_err rc = integer(p, item, item, "levels", 1, COMP_LEVELS, _("a level must be 1, 2, 3, 4 or 5"), &v);
		if (rc)
			return rc;
		*out |= 1u << v;
	}
	if (!*out)
		return bad(p, key, "levels", _("must name at least one level"));
	return CG_OK;
}

static enum cg_err parse_check(struct cat_parse *p, struct fy_node *n, struct comp_check *ck)
{
	if (!n || fy_node_get_type(n) != FYNT_MAPPING)
		return bad(p, n, "check", _("must be a mapping"));
	memset(ck, 0, sizeof *ck);
	ck->max_click_percent = -1;
	void *it = NULL;
	struct fy_node_pair *pr;
	const char *op = NULL, *platform = NULL;
	while ((pr = fy_node_mapping_iterate(n, &it))) {
		struct fy_node *k = fy_node_pair_key(pr), *v = fy_node_pair_value(pr);
		const char *ks = k && fy_node_get_type(k) == FYNT_SCALAR ? fy_node_get_scalar0(k) : "?";
		enum cg_err rc = CG_OK;
		if (strcmp(ks, "fact") == 0)
			rc = scalar(p, k, v, ks, &ck->fact);
		else if (strcmp(ks, "op") == 0)
			rc = scalar(p, k, v, ks, &op);
		else if (strcmp(ks, "value") == 0)
			rc = scalar(p, k, v, ks, &ck->value);
		else if (strcmp(ks, "platform") == 0)
			rc = scalar(p, k, v, ks, &platform);
		else if (strcmp(ks, "awareness") == 0)
			rc = scalar(p, k, v, ks, &ck->awareness);
		else if (strcmp(ks, "within_days") == 0)
			rc = integer(p, k, v, ks, 1, 36500, _("must be a number of days (1-36500)"), &ck->within_days);
		else if (strcmp(ks, "max_click_percent") == 0)
			rc = integer(p, k, v, ks, 0, 100, _("must be a percentage (0-100)"), &ck->max_click_percent);
		else if (strcmp(ks, "value_by_level") == 0) {
			if (!v || fy_node_get_type(v) != FYNT_MAPPING)
				return bad(p, k, ks, _("must map levels 1-5 to values"));
			void *it2 = NULL;
			struct fy_node_pair *q;
			while ((q = fy_node_mapping_iterate(v, &it2))) {
				long lv = 0;
				const char *val;
				if ((rc = integer(p, fy_node_pair_key(q), fy_node_pair_key(q), "value_by_level", 1, COMP_LEVELS,
						  _("a level must be 1, 2, 3, 4 or 5"), &lv)) ||
				    (rc = scalar(p, fy_node_pair_key(q), fy_node_pair_value(q), "value_by_level", &val)))
					return rc;
				ck->value_by_level[lv] = val;
			}
		} else
			rc = bad(p, k, ks, _("unknown field"));
		if (rc)
			return rc;
	}
	if (platform) {
		if (strcmp(platform, "linux") == 0)
			ck->platform = COMP_PLATFORM_LINUX;
		else if (strcmp(platform, "windows") == 0)
			ck->platform = COMP_PLATFORM_WINDOWS;
		else if (strcmp(platform, "any") != 0)
			return bad(p, n, "platform", _("must be 'linux', 'windows' or 'any'"));
	}
	int by_level = 0;
	for (int l = 1; l <= COMP_LEVELS; l++)
		by_level |= ck->value_by_level[l] != NULL;
	if (ck->awareness) {
		ck->kind = COMP_CHECK_AWARENESS;
		if (strcmp(ck->awareness, "briefing") != 0 && strcmp(ck->awareness, "phishing") != 0)
			return bad(p, n, "awareness", _("must be 'briefing' or 'phishing'"));
		if (ck->fact || op || ck->value || by_level)
			return bad(p, n, "awareness", _("an awareness check takes no fact, op or value"));
		if (!ck->within_days)
			return bad(p, n, "within_days", _("missing (an awareness check needs it)"));
		return CG_OK;
	}
	ck->kind = COMP_CHECK_FACT;
	if (!ck->fact)
		return bad(p, n, "fact", _("missing (a check needs 'fact' or 'awareness')"));
	if (ck->within_days || ck->max_click_percent >= 0)
		return bad(p, n, "within_days", _("only an awareness check takes it"));
	static const char *const ops[] = {"eq", "ne", "in", "ge", "le", "contains"};
	ck->op = COMP_OP_EQ;
	if (op) {
		size_t i;
		for (i = 0; i < sizeof ops / sizeof ops[0] && strcmp(op, ops[i]) != 0; i++)
			;
		if (i == sizeof ops / sizeof ops[0])
			return bad(p, n, "op", _("must be one of eq, ne, in, ge, le, contains"));
		ck->op = (enum comp_op)i;
	}
	if (!ck->value == !by_level)
		return bad(p, n, "value", _("give exactly one of 'value' and 'value_by_level'"));
	if (ck->op == COMP_OP_GE || ck->op == COMP_OP_LE) {
		for (int l = 0; l <= COMP_LEVELS; l++) {
			const char *v = l ? ck->value_by_level[l] : ck->value;
			char *end;
			if (v && (strtol(v, &end, 10), !*v || *end))
				return bad(p, n, "value", _("'ge' and 'le' compare whole numbers"));
		}
	}
	return CG_OK;
}

static enum cg_err parse_req(struct cat_parse *p, struct fy_node *n, struct comp_req *r, struct comp_check **checks)
{
	if (!n || fy_node_get_type(n) != FYNT_MAPPING)
		return bad(p, n, "requirements", _("each requirement must be a mapping"));
	memset(r, 0, sizeof *r);
	r->line = cg_yaml_line(n);
	void *it = NULL;
	struct fy_node_pair *pr;
	const char *group = NULL;
	struct fy_node *checks_node = NULL, *check_node = NULL;
	int have_group = 0;
	while ((pr = fy_node_mapping_iterate(n, &it))) {
		struct fy_node *k = fy_node_pair_key(pr), *v = fy_node_pair_value(pr);
		const char *ks = k && fy_node_get_type(k) == FYNT_SCALAR ? fy_node_get_scalar0(k) : "?";
		enum cg_err rc = CG_OK;
		if (strcmp(ks, "id") == 0)
			rc = scalar(p, k, v, ks, &r->id);
		else if (strcmp(ks, "group") == 0)
			rc = scalar(p, k, v, ks, &group), have_group = 1;
		else if (strcmp(ks, "levels") == 0)
			rc = parse_levels(p, k, v, &r->levels);
		else if (strcmp(ks, "title") == 0)
			rc = bilingual(p, k, v, ks, &r->title_vi, &r->title_en);
		else if (strcmp(ks, "evidence") == 0)
			rc = bilingual(p, k, v, ks, &r->evidence_vi, &r->evidence_en);
		else if (strcmp(ks, "check") == 0)
			check_node = v;
		else if (strcmp(ks, "checks") == 0)
			checks_node = v;
		else
			rc = bad(p, k, ks, _("unknown field"));
		if (rc)
			return rc;
	}
	if (!r->id || !*r->id)
		return bad(p, n, "id", _("missing"));
	if (!have_group)
		return bad(p, n, "group", _("missing"));
	size_t g;
	for (g = 0; g < COMP_GROUP_COUNT && strcmp(group, group_keys[g]) != 0; g++)
		;
	if (g == COMP_GROUP_COUNT)
		return bad(p, n, "group",
			   _("must be one of policy, organization, personnel, design, operation, network, host, "
			     "application, data"));
	r->group = (enum comp_group)g;
	if (!r->levels)
		return bad(p, n, "levels", _("missing"));
	if (!r->title_vi)
		return bad(p, n, "title", _("missing"));
	if (!r->evidence_vi)
		return bad(p, n, "evidence", _("missing"));
	if (check_node && checks_node)
		return bad(p, check_node, "check", _("give 'check' or 'checks', not both"));
	size_t cnt = check_node ? 1 : 0;
	if (checks_node) {
		if (fy_node_get_type(checks_node) != FYNT_SEQUENCE)
			return bad(p, checks_node, "checks", _("must be a list of checks"));
		cnt = (size_t)fy_node_sequence_item_count(checks_node);
		if (cnt > COMP_CHECKS_MAX)
			return bad(p, checks_node, "checks", _("too many checks"));
	}
	if (!cnt)
		return CG_OK;
	*checks = calloc(cnt, sizeof **checks);
	if (!*checks)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if (check_node) {
		enum cg_err rc = parse_check(p, check_node, &(*checks)[0]);
		if (rc)
			return rc;
	} else {
		void *it2 = NULL;
		struct fy_node *item;
		size_t i = 0;
		while ((item = fy_node_sequence_iterate(checks_node, &it2)) && i < cnt) {
			enum cg_err rc = parse_check(p, item, &(*checks)[i++]);
			if (rc)
				return rc;
		}
	}
	r->n_checks = cnt;
	r->checks = *checks;
	return CG_OK;
}

static enum cg_err parse_root(struct cat_parse *p, struct fy_node *root)
{
	struct comp_catalogue *c = p->c;
	struct fy_node *reqs = NULL;
	if (!root || fy_node_get_type(root) != FYNT_MAPPING)
		return cg_err_set(CG_EPARSE, _("%s:1: field 'catalogue': the file must be a mapping"), p->file);
	void *it = NULL;
	struct fy_node_pair *pr;
	while ((pr = fy_node_mapping_iterate(root, &it))) {
		struct fy_node *k = fy_node_pair_key(pr), *v = fy_node_pair_value(pr);
		const char *ks = k && fy_node_get_type(k) == FYNT_SCALAR ? fy_node_get_scalar0(k) : "?";
		const char *tmp;
		enum cg_err rc = CG_OK;
		if (strcmp(ks, "catalogue") == 0)
			rc = scalar(p, k, v, ks, &tmp), c->name = (char *)tmp;
		else if (strcmp(ks, "title") == 0)
			rc = bilingual(p, k, v, ks, (const char **)&c->title_vi, (const char **)&c->title_en);
		else if (strcmp(ks, "notice") == 0)
			rc = bilingual(p, k, v, ks, (const char **)&c->notice_vi, (const char **)&c->notice_en);
		else if (strcmp(ks, "requirements") == 0)
			reqs = v;
		else
			rc = bad(p, k, ks, _("unknown field"));
		if (rc)
			return rc;
	}
	if (!c->name)
		return cg_err_set(CG_EPARSE, _("%s:1: field 'catalogue': missing"), p->file);
	if (!c->title_vi)
		return cg_err_set(CG_EPARSE, _("%s:1: field 'title': missing"), p->file);
	if (!reqs || fy_node_get_type(reqs) != FYNT_SEQUENCE)
		return cg_err_set(CG_EPARSE, _("%s:1: field 'requirements': missing or not a list"), p->file);
	size_t cnt = (size_t)fy_node_sequence_item_count(reqs);
	if (cnt > COMP_REQ_MAX)
		return bad(p, reqs, "requirements", _("too many requirements"));
	c->reqs = calloc(cnt ? cnt : 1, sizeof *c->reqs);
	c->checks = calloc(cnt ? cnt : 1, sizeof *c->checks);
	if (!c->reqs || !c->checks)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	void *it2 = NULL;
	struct fy_node *item;
	while ((item = fy_node_sequence_iterate(reqs, &it2)) && c->n < cnt) {
		struct comp_req *r = &c->reqs[c->n];
		enum cg_err rc = parse_req(p, item, r, &c->checks[c->n]);
		c->n++;
		if (rc)
			return rc;
		for (size_t i = 0; i + 1 < c->n; i++)
			if (strcmp(c->reqs[i].id, r->id) == 0) {
				char why[160];
				snprintf(why, sizeof why, _("duplicate requirement id '%s' (first at line %lu)"), r->id,
					 c->reqs[i].line);
				return cg_err_set(CG_EPARSE, _("%s:%lu: field '%s': %s"), p->file, r->line, "id", why);
			}
	}
	return CG_OK;
}

enum cg_err comp_catalogue_parse(const char *file, const char *buf, size_t len, struct comp_catalogue **out)
{
	*out = NULL;
	if (len > COMP_CATALOGUE_MAX_BYTES)
		return cg_err_set(CG_ELIMIT, _("%s: catalogue larger than %u bytes"), file, COMP_CATALOGUE_MAX_BYTES);
	struct fy_document *fyd = cg_yaml_load(file, buf, len);
	if (!fyd)
		return CG_EPARSE;
	struct comp_catalogue *c = calloc(1, sizeof *c);
	if (!c) {
		fy_document_destroy(fyd);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	struct cat_parse p = {file, c};
	enum cg_err rc = parse_root(&p, fy_document_root(fyd));
	fy_document_destroy(fyd);
	if (rc) {
		comp_catalogue_free(c);
		return rc;
	}
	*out = c;
	return CG_OK;
}

extern const char compliance_catalogue_yaml[];
extern const size_t compliance_catalogue_yaml_len;

enum cg_err comp_catalogue_bundled(struct comp_catalogue **out)
{
	return comp_catalogue_parse("tcvn11930-2017.yaml", compliance_catalogue_yaml, compliance_catalogue_yaml_len, out);
}

const char *comp_catalogue_name(const struct comp_catalogue *c)
{
	return c->name;
}

static int is_vi(const char *lang)
{
	return lang && strncmp(lang, "vi", 2) == 0;
}

const char *comp_catalogue_title(const struct comp_catalogue *c, const char *lang)
{
	return is_vi(lang) ? c->title_vi : c->title_en;
}

const char *comp_catalogue_notice(const struct comp_catalogue *c, const char *lang)
{
	const char *s = is_vi(lang) ? c->notice_vi : c->notice_en;
	return s ? s : "";
}

size_t comp_catalogue_count(const struct comp_catalogue *c)
{
	return c->n;
}

const struct comp_req *comp_catalogue_req(const struct comp_catalogue *c, size_t i)
{
	return i < c->n ? &c->reqs[i] : NULL;
}

const struct comp_req *comp_catalogue_find(const struct comp_catalogue *c, const char *id)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->reqs[i].id, id) == 0)
			return &c->reqs[i];
	return NULL;
}

const char *comp_req_title(const struct comp_req *r, const char *lang)
{
	return is_vi(lang) ? r->title_vi : r->title_en;
}

const char *comp_req_evidence(const struct comp_req *r, const char *lang)
{
	return is_vi(lang) ? r->evidence_vi : r->evidence_en;
}
