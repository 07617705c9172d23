/* feed_stix — STIX 2.1 bundles: indicator objects and their patterns. */
#include "feed_stix.h"

#include <jansson.h>
#include <string.h>

#include "cg_i18n.h"
#include "feed_internal.h"

/* ---- pattern language ---- */

struct pat {
	const char *s;
	size_t n, i;
	int depth;
	size_t n_cmp;
	stix_cmp_fn fn;
	void *ctx;
	char path[256];
	char value[IOC_VALUE_MAX + 1];
};

static enum cg_err pat_err(struct pat *p, const char *what)
{
	return cg_err_set(CG_EPARSE, _("pattern offset %zu: %s"), p->i, what);
}

static void ws(struct pat *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\r' || p->s[p->i] == '\n'))
		p->i++;
}

static int peek(struct pat *p, char c)
{
	ws(p);
	return p->i < p->n && p->s[p->i] == c;
}

static int word_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Consume keyword `kw` if it is next as a whole word. */
static int keyword(struct pat *p, const char *kw)
{
	size_t l = strlen(kw);

	ws(p);
	if (p->n - p->i < l || memcmp(p->s + p->i, kw, l) != 0)
		return 0;
	if (p->i + l < p->n && word_char(p->s[p->i + l]))
		return 0;
	p->i += l;
	return 1;
}

/* A quoted string ('..' with \' and \\ escapes) into p->value. */
static enum cg_err string_lit(struct pat *p, char *out, size_t cap)
{
	size_t o = 0;

	if (p->i >= p->n || p->s[p->i] != '\'')
		return pat_err(p, _("expected a quoted string"));
	p->i++;
	for (;;) {
		if (p->i >= p->n)
			return pat_err(p, _("unterminated string"));
		char c = p->s[p->i++];
		if (c == '\'')
			break;
		if (c == '\\') {
			if (p->i >= p->n)
				return pat_err(p, _("unterminated string"));
			c = p->s[p->i++];
			/* Only \' and \\ are escapes here; anything else (\n, \t)
			 * is refused rather than read as the bare letter. */
			if (c != '\'' && c != '\\')
				return pat_err(p, _("unsupported escape in a string (only \\' and \\\\)"));
		}
		if (o + 1 >= cap)
			return cg_err_set(CG_ELIMIT, _("pattern string longer than %zu bytes"), cap - 1);
		out[o++] = c;
	}
	out[o] = '\0';
	return CG_OK;
}

/* type:prop(.prop | .'quoted' | [n] | [*])* into p->path without quotes. */
static enum cg_err object_path(struct pat *p)
{
	size_t o = 0, start;
	enum cg_err rc;

	ws(p);
	start = p->i;
	while (p->i < p->n && word_char(p->s[p->i]))
		p->i++;
	if (p->i == start || p->i >= p->n || p->s[p->i] != ':')
		return pat_err(p, _("expected an object path (type:property)"));
	p->i++;
	if (p->i - start >= sizeof p->path)
		return cg_err_set(CG_ELIMIT, _("object path too long"));
	memcpy(p->path, p->s + start, p->i - start);
	o = p->i - start;
	for (int first = 1;; first = 0) {
		char seg[128];
		size_t sl = 0;
		if (p->i < p->n && p->s[p->i] == '\'') {
			if ((rc = string_lit(p, seg, sizeof seg)))
				return rc;
			sl = strlen(seg);
		} else if (p->i < p->n && p->s[p->i] == '[') {
			size_t b = p->i;
			while (p->i < p->n && p->s[p->i] != ']' && p->i - b < 16)
				p->i++;
			if (p->i >= p->n || p->s[p->i] != ']')
				return pat_err(p, _("bad list index in an object path"));
			p->i++;
			sl = p->i - b;
			memcpy(seg, p->s + b, sl);
		} else {
			size_t b = p->i;
			while (p->i < p->n && word_char(p->s[p->i]))
				p->i++;
			if (p->i == b)
				return pat_err(p, _("empty property name in an object path"));
			sl = p->i - b;
			if (sl >= sizeof seg)
				return cg_err_set(CG_ELIMIT, _("object path too long"));
			memcpy(seg, p->s + b, sl);
		}
		if (!first && seg[0] != '[') {
			if (o + 1 >= sizeof p->path)
				return cg_err_set(CG_ELIMIT, _("object path too long"));
			p->path[o++] = '.';
		}
		if (o + sl >= sizeof p->path)
			return cg_err_set(CG_ELIMIT, _("object path too long"));
		memcpy(p->path + o, seg, sl);
		o += sl;
		if (p->i < p->n && p->s[p->i] == '.' && p->i + 1 < p->n &&
		    (word_char(p->s[p->i + 1]) || p->s[p->i + 1] == '\'')) {
			p->i++;
			continue;
		}
		if (p->i < p->n && p->s[p->i] == '[')
			continue;
		break;
	}
	p->path[o] = '\0';
	return CG_OK;
}

/* A constant; strings go to fn, other constants are checked and dropped. */
static enum cg_err constant(struct pat *p, int equality)
{
	enum cg_err rc;

	ws(p);
	if (p->i >= p->n)
		return pat_err(p, _("expected a value"));
	if ((p->s[p->i] == 't' || p->s[p->i] == 'h' || p->s[p->i] == 'b') && p->i + 1 < p->n && p->s[p->i + 1] == '\'') {
		p->i++;
		return string_lit(p, p->value, sizeof p->value);
	}
	if (p->s[p->i] == '\'') {
		if ((rc = string_lit(p, p->value, sizeof p->value)))
			return rc;
		if (++p->n_cmp > STIX_PATTERN_CMP_MAX)
			return cg_err_set(CG_ELIMIT, _("pattern has more than %d comparisons"), STIX_PATTERN_CMP_MAX);
		return p->fn(p->ctx, p->path, p->value, equality);
	}
	size_t b = p->i;
	while (p->i < p->n && (word_char(p->s[p->i]) || p->s[p->i] == '.' || p->s[p->i] == '+'))
		p->i++;
	if (p->i == b)
		return pat_err(p, _("expected a value"));
	return CG_OK;
}

static enum cg_err cmp_expr(struct pat *p);

static enum cg_err cmp_unit(struct pat *p)
{
	enum cg_err rc;
	int negated, eq = 0;

	if (peek(p, '(')) {
		p->i++;
		if (++p->depth > STIX_PATTERN_DEPTH_MAX)
			return cg_err_set(CG_ELIMIT, _("pattern nested deeper than %d"), STIX_PATTERN_DEPTH_MAX);
		if ((rc = cmp_expr(p)))
			return rc;
		p->depth--;
		if (!peek(p, ')'))
			return pat_err(p, _("expected ')'"));
		p->i++;
		return CG_OK;
	}
	if (keyword(p, "EXISTS"))
		return object_path(p);
	if ((rc = object_path(p)))
		return rc;
	negated = keyword(p, "NOT");
	ws(p);
	if (p->i < p->n && p->s[p->i] == '=') {
		p->i++;
		eq = 1;
	} else if (p->i + 1 < p->n && p->s[p->i] == '!' && p->s[p->i + 1] == '=') {
		p->i += 2;
	} else if (p->i < p->n && (p->s[p->i] == '<' || p->s[p->i] == '>')) {
		p->i++;
		if (p->i < p->n && p->s[p->i] == '=')
			p->i++;
	} else if (keyword(p, "IN")) {
		if (!peek(p, '('))
			return pat_err(p, _("expected '(' after IN"));
		p->i++;
		do {
			if ((rc = constant(p, !negated)))
				return rc;
		} while (peek(p, ',') && ++p->i);
		if (!peek(p, ')'))
			return pat_err(p, _("expected ')'"));
		p->i++;
		return CG_OK;
	} else if (!(keyword(p, "LIKE") || keyword(p, "MATCHES") || keyword(p, "ISSUBSET") ||
		     keyword(p, "ISSUPERSET"))) {
		return pat_err(p, _("expected a comparison operator"));
	}
	return constant(p, eq && !negated);
}

static enum cg_err cmp_and(struct pat *p)
{
	enum cg_err rc;

	do {
		if ((rc = cmp_unit(p)))
			return rc;
	} while (keyword(p, "AND"));
	return CG_OK;
}

static enum cg_err cmp_expr(struct pat *p)
{
	enum cg_err rc;

	do {
		if ((rc = cmp_and(p)))
			return rc;
	} while (keyword(p, "OR"));
	return CG_OK;
}

static enum cg_err obs_expr(struct pat *p);

static enum cg_err qualifiers(struct pat *p)
{
	enum cg_err rc;

	for (;;) {
		if (keyword(p, "WITHIN")) {
			if ((rc = constant(p, 0)))
				return rc;
			if (!keyword(p, "SECONDS"))
				return pat_err(p, _("expected SECONDS"));
		} else if (keyword(p, "REPEATS")) {
			if ((rc = constant(p, 0)))
				return rc;
			if (!keyword(p, "TIMES"))
				return pat_err(p, _("expected TIMES"));
		} else if (keyword(p, "START")) {
			if ((rc = constant(p, 0)))
				return rc;
			if (!keyword(p, "STOP"))
				return pat_err(p, _("expected STOP"));
			if ((rc = constant(p, 0)))
				return rc;
		} else {
			return CG_OK;
		}
	}
}

static enum cg_err obs_unit(struct pat *p)
{
	enum cg_err rc;
	char close;

	if (peek(p, '('))
		close = ')';
	else if (peek(p, '['))
		close = ']';
	else
		return pat_err(p, _("expected '[' or '('"));
	p->i++;
	if (++p->depth > STIX_PATTERN_DEPTH_MAX)
		return cg_err_set(CG_ELIMIT, _("pattern nested deeper than %d"), STIX_PATTERN_DEPTH_MAX);
	rc = close == ')' ? obs_expr(p) : cmp_expr(p);
	if (rc)
		return rc;
	p->depth--;
	if (!peek(p, close))
		return pat_err(p, close == ')' ? _("expected ')'") : _("expected ']'"));
	p->i++;
	return qualifiers(p);
}

static enum cg_err obs_and(struct pat *p)
{
	enum cg_err rc;

	do {
		if ((rc = obs_unit(p)))
			return rc;
	} while (keyword(p, "AND"));
	return CG_OK;
}

static enum cg_err obs_expr(struct pat *p)
{
	enum cg_err rc;

	do {
		if ((rc = obs_and(p)))
			return rc;
	} while (keyword(p, "OR") || keyword(p, "FOLLOWEDBY"));
	return CG_OK;
}

enum cg_err feed_stix_pattern(const char *pattern, size_t n, stix_cmp_fn fn, void *ctx)
{
	struct pat *p = calloc(1, sizeof *p);
	enum cg_err rc;

	if (!p)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	p->s = pattern;
	p->n = n;
	p->fn = fn;
	p->ctx = ctx;
	rc = obs_expr(p);
	if (!rc) {
		ws(p);
		if (p->i != p->n)
			rc = pat_err(p, _("unexpected text after the pattern"));
	}
	free(p);
	return rc;
}

/* ---- bundles ---- */

#define STIX_VALUES_MAX 1024

struct collected {
	struct ioc iocs[STIX_VALUES_MAX];
	size_t n;
	char unsupported[128]; /* first object path we cannot use */
	char bad[384];         /* first value that is not a valid indicator */
};

static enum ioc_type want_for_path(const char *path)
{
	static const struct {
		const char *path;
		enum ioc_type want;
	} paths[] = {
		{"ipv4-addr:value", IOC_IPV4},
		{"ipv6-addr:value", IOC_IPV6},
		{"domain-name:value", IOC_DOMAIN},
		{"url:value", IOC_URL},
		{"network-traffic:dst_ref.value", IOC_NONE},
		{"network-traffic:src_ref.value", IOC_NONE},
	};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
		if (strcmp(path, paths[i].path) == 0)
			return paths[i].want == IOC_NONE ? IOC_CIDR4 /* marker: any address */ : paths[i].want;
	if (strncmp(path, "file:hashes.", 12) == 0 || strncmp(path, "artifact:hashes.", 16) == 0) {
		const char *alg = strchr(path, '.') + 1;
		char a[16];
		size_t k = 0;
		for (; *alg && k + 1 < sizeof a; alg++)
			if (*alg != '-')
				a[k++] = (char)(*alg >= 'a' && *alg <= 'z' ? *alg - 32 : *alg);
		a[k] = '\0';
		if (strcmp(a, "MD5") == 0)
			return IOC_MD5;
		if (strcmp(a, "SHA1") == 0)
			return IOC_SHA1;
		if (strcmp(a, "SHA256") == 0)
			return IOC_SHA256;
		if (strcmp(a, "SHA512") == 0)
			return IOC_SHA512;
	}
	return IOC_NONE;
}

static enum cg_err collect_cmp(void *ctx, const char *path, const char *value, int equality)
{
	struct collected *c = ctx;
	enum ioc_type want;
	struct ioc *ioc;

	if (!equality)
		return CG_OK;
	want = want_for_path(path);
	if (want == IOC_NONE) {
		if (!c->unsupported[0])
			snprintf(c->unsupported, sizeof c->unsupported, "%s", path);
		return CG_OK;
	}
	if (c->n == STIX_VALUES_MAX)
		return cg_err_set(CG_ELIMIT, _("pattern has more than %d values"), STIX_VALUES_MAX);
	ioc = &c->iocs[c->n];
	if (want == IOC_CIDR4) /* any address */
		want = strchr(value, ':') ? IOC_IPV6 : IOC_IPV4;
	if (ioc_parse(value, strlen(value), want, ioc) != CG_OK) {
		if (!c->bad[0])
			snprintf(c->bad, sizeof c->bad, "%s: %s", path, cg_err_msg(CG_EPARSE));
		return CG_OK;
	}
	if (ioc_type_is_hash(want) && ioc->type != want) {
		if (!c->bad[0])
			snprintf(c->bad, sizeof c->bad, _("%s: '%s' is a %s"), path, ioc->value, ioc_type_name(ioc->type));
		return CG_OK;
	}
	c->n++;
	return CG_OK;
}

static int generic_label(const char *l)
{
	static const char *const generic[] = {"malicious-activity", "anomalous-activity", "attribution", "benign",
					      "compromised", "unknown", "malware-artifacts", "file-hash-watchlist",
					      "ip-watchlist", "domain-watchlist", "url-watchlist"};
	for (size_t i = 0; i < sizeof generic / sizeof generic[0]; i++)
		if (strcmp(l, generic[i]) == 0)
			return 1;
	return 0;
}

static const char *str_of(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* indicator id -> name of the malware (or tool, intrusion set) it indicates. */
static json_t *indicates_map(json_t *objects)
{
	json_t *names = json_object(), *map = json_object(), *o;
	size_t i;

	if (!names || !map)
		goto out;
	json_array_foreach(objects, i, o) {
		const char *t = str_of(o, "type"), *id = str_of(o, "id"), *name = str_of(o, "name");
		if (t && id && name &&
		    (!strcmp(t, "malware") || !strcmp(t, "tool") || !strcmp(t, "intrusion-set") ||
		     !strcmp(t, "threat-actor")))
			json_object_set_new(names, id, json_string(name));
	}
	json_array_foreach(objects, i, o) {
		const char *t = str_of(o, "type"), *rt = str_of(o, "relationship_type");
		const char *src = str_of(o, "source_ref"), *dst = str_of(o, "target_ref");
		json_t *name;
		if (!t || strcmp(t, "relationship") || !rt || strcmp(rt, "indicates") || !src || !dst)
			continue;
		/* A malware name is the better family; keep the first one. */
		if ((name = json_object_get(names, dst)) && !json_object_get(map, src))
			json_object_set(map, src, name);
	}
out:
	json_decref(names);
	return map;
}

static const char *stix_family(json_t *ind, json_t *map, const char *id, const struct feed_run *run)
{
	json_t *labels = json_object_get(ind, "labels"), *l;
	const char *name;
	size_t i;

	if (id && json_is_string(json_object_get(map, id)))
		return json_string_value(json_object_get(map, id));
	json_array_foreach(labels, i, l)
		if (json_is_string(l) && !generic_label(json_string_value(l)))
			return json_string_value(l);
	name = str_of(ind, "name");
	if (name && !strchr(name, ':'))
		return name; /* "IP address: 1.2.3.4" names describe the value, not a family */
	return run->opts->default_family;
}

static enum cg_err one_indicator(struct feed_run *run, json_t *ind, json_t *map, size_t line, struct collected *c)
{
	const char *pattern = str_of(ind, "pattern"), *ptype = str_of(ind, "pattern_type"), *id = str_of(ind, "id");
	char family[FEED_FAMILY_MAX + 1], fs[32], ls[32];
	const char *fam, *v, *first = NULL, *last = NULL;
	char *extra = NULL;
	enum cg_err rc;

	if (ptype && strcmp(ptype, "stix") != 0)
		return feed_skip(run, line, _("indicator %s: pattern type '%s' is not supported"), id ? id : "", ptype);
	if (!pattern)
		return feed_bad(run, line, _("indicator %s has no pattern"), id ? id : "");
	c->n = 0;
	c->unsupported[0] = c->bad[0] = '\0';
	rc = feed_stix_pattern(pattern, strlen(pattern), collect_cmp, c);
	if (rc == CG_EPARSE || rc == CG_ELIMIT)
		return feed_bad(run, line, _("indicator %s: %s"), id ? id : "", cg_err_msg(rc));
	if (rc)
		return rc;
	if (c->bad[0])
		return feed_bad(run, line, _("indicator %s: %s"), id ? id : "", c->bad);
	if (c->n == 0)
		return feed_skip(run, line, _("indicator %s: '%s' is not supported (no address, domain, URL or hash)"),
				 id ? id : "", c->unsupported[0] ? c->unsupported : pattern);
	fam = stix_family(ind, map, id, run);
	fam = fam ? feed_copy_text(fam, strlen(fam), family, sizeof family) : NULL;
	if ((v = str_of(ind, "valid_from")) && feed_date_normalize(v, strlen(v), fs, sizeof fs) == 0)
		first = fs;
	if ((v = str_of(ind, "valid_until")) && feed_date_normalize(v, strlen(v), ls, sizeof ls) == 0)
		last = ls;
	if (id) {
		json_t *o = json_pack("{ss}", "stix_id", id);
		extra = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
	}
	for (size_t k = 0; k < c->n && !rc; k++) {
		struct feed_record r = {.line = line, .family = fam, .first_seen = first, .last_seen = last, .extra = extra};
		r.ioc = c->iocs[k];
		rc = feed_emit(run, &r);
	}
	free(extra);
	if (!rc)
		feed_entry_done(run);
	return rc;
}

enum cg_err feed_parse_stix(struct feed_run *run, const char *buf, size_t len)
{
	json_error_t jerr;
	json_t *root, *objects, *map = NULL, *o;
	struct collected *c = NULL;
	size_t i, cur_off = 0, cur_line = 1;
	enum cg_err rc = CG_OK;

	if (len > FEED_JSON_MAX)
		return cg_err_set(CG_ELIMIT, _("JSON feed larger than %u MiB"), FEED_JSON_MAX >> 20);
	root = json_loadb(buf, len, 0, &jerr);
	if (!root)
		return cg_err_set(CG_EPARSE, _("line %d: not valid JSON: %s"), jerr.line, jerr.text);
	if (json_is_array(root))
		objects = root;
	else if (json_is_array(json_object_get(root, "objects")))
		objects = json_object_get(root, "objects");
	else if (str_of(root, "type") && !strcmp(str_of(root, "type"), "indicator"))
		objects = NULL;
	else {
		json_decref(root);
		return cg_err_set(CG_EPARSE, _("not a STIX 2.1 bundle (no \"objects\" array)"));
	}
	if (!(c = malloc(sizeof *c))) {
		rc = cg_err_set(CG_ENOMEM, _("out of memory"));
		goto out;
	}
	map = objects ? indicates_map(objects) : json_object();
	if (!objects) {
		run->counts->entries++;
		rc = one_indicator(run, root, map, 1, c);
		goto out;
	}
	json_array_foreach(objects, i, o) {
		const char *t = str_of(o, "type"), *id = str_of(o, "id");
		size_t line = 0;
		if (!t || strcmp(t, "indicator") != 0)
			continue;
		if (id) {
			/* Objects come in file order; find where this one's id is written. */
			const char *at = memmem(buf + cur_off, len - cur_off, id, strlen(id));
			if (!at)
				at = memmem(buf, len, id, strlen(id));
			if (at)
				line = feed_line_at(buf, (size_t)(at - buf), &cur_off, &cur_line);
		}
		run->counts->entries++;
		if ((rc = one_indicator(run, o, map, line, c)))
			break;
	}
out:
	free(c);
	json_decref(map);
	json_decref(root);
	return rc;
}
