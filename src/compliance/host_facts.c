/* Host fact parsers (see host_facts.h). */
#include "host_facts.h"

#include <ctype.h>
#include <iconv.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_i18n.h"
#include "csv.h"

static const char *const tool_names[FACT_TOOL_COUNT] = {
	"sshd-T", "nft", "timedatectl", "auditctl", "os-release", "systemctl", "secedit", "mpstatus", "auditpol",
};

const char *fact_tool_name(enum fact_tool t)
{
	return t < FACT_TOOL_COUNT ? tool_names[t] : NULL;
}

enum cg_err fact_tool_from_name(const char *name, enum fact_tool *out)
{
	for (int i = 0; i < FACT_TOOL_COUNT; i++)
		if (strcmp(name, tool_names[i]) == 0) {
			*out = (enum fact_tool)i;
			return CG_OK;
		}
	return cg_err_set(CG_EINVAL,
			  _("'%s' is not a fact tool (sshd-T, nft, timedatectl, auditctl, os-release, systemctl, "
			    "secedit, mpstatus, auditpol)"),
			  name);
}

void host_facts_clear(struct host_facts *hf)
{
	for (size_t i = 0; i < hf->n; i++) {
		free(hf->f[i].key);
		free(hf->f[i].value);
	}
	free(hf->f);
	hf->f = NULL;
	hf->n = 0;
}

const char *host_facts_get(const struct host_facts *hf, const char *key)
{
	for (size_t i = 0; i < hf->n; i++)
		if (strcmp(hf->f[i].key, key) == 0)
			return hf->f[i].value;
	return NULL;
}

/* Parsing context: the text (UTF-8), the file name and the line. */
struct fp {
	const char *file;
	const char *buf;
	size_t len, pos;
	unsigned long line;
	struct host_facts *out;
};

/* Next line without its end; 0 at the end. */
static int next_line(struct fp *p, const char **s, size_t *n)
{
	if (p->pos >= p->len)
		return 0;
	const char *b = p->buf + p->pos, *nl = memchr(b, '\n', p->len - p->pos);
	size_t l = nl ? (size_t)(nl - b) : p->len - p->pos;
	p->pos += l + (nl ? 1 : 0);
	p->line++;
	if (l && b[l - 1] == '\r')
		l--;
	*s = b;
	*n = l;
	return 1;
}

static void trim(const char **s, size_t *n)
{
	while (*n && isspace((unsigned char)**s))
		(*s)++, (*n)--;
	while (*n && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* Add "prefix.name" = value; a key seen before gets the value appended
 * after a comma (sshd -T repeats listenaddress, hostkey, ...). Control
 * characters in values become '?'. */
static enum cg_err put(struct fp *p, const char *prefix, const char *name, size_t nlen, const char *val, size_t vlen,
		       int lower)
{
	char key[HOST_FACT_KEY_MAX];
	size_t pl = strlen(prefix);
	if (nlen == 0)
		return cg_err_set(CG_EPARSE, _("%s:%lu: empty name"), p->file, p->line);
	if (pl + 1 + nlen >= sizeof key)
		return cg_err_set(CG_ELIMIT, _("%s:%lu: name longer than %d bytes"), p->file, p->line, HOST_FACT_KEY_MAX);
	if (vlen > HOST_FACT_VALUE_MAX)
		return cg_err_set(CG_ELIMIT, _("%s:%lu: value longer than %d bytes"), p->file, p->line,
				  HOST_FACT_VALUE_MAX);
	memcpy(key, prefix, pl);
	key[pl] = '.';
	memcpy(key + pl + 1, name, nlen);
	key[pl + 1 + nlen] = '\0';
	for (char *q = key + pl + 1; *q; q++) {
		unsigned char c = (unsigned char)*q;
		if (c <= ' ' || c == 0x7f)
			c = '_';
		*q = (char)(lower ? tolower(c) : c);
	}
	struct host_facts *hf = p->out;
	for (size_t i = 0; i < hf->n; i++) {
		if (strcmp(hf->f[i].key, key) != 0)
			continue;
		size_t ol = strlen(hf->f[i].value);
		if (ol + 1 + vlen > HOST_FACT_VALUE_MAX)
			return cg_err_set(CG_ELIMIT, _("%s:%lu: value of '%s' longer than %d bytes"), p->file, p->line, key,
					  HOST_FACT_VALUE_MAX);
		char *nv = realloc(hf->f[i].value, ol + 2 + vlen);
		if (!nv)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		nv[ol] = ',';
		for (size_t k = 0; k < vlen; k++)
			nv[ol + 1 + k] = (unsigned char)val[k] < ' ' ? '?' : val[k];
		nv[ol + 1 + vlen] = '\0';
		hf->f[i].value = nv;
		return CG_OK;
	}
	if (hf->n >= HOST_FACTS_MAX)
		return cg_err_set(CG_ELIMIT, _("%s:%lu: more than %d facts"), p->file, p->line, HOST_FACTS_MAX);
	if (hf->n % 32 == 0) {
		struct host_fact *nf = realloc(hf->f, (hf->n + 32) * sizeof *nf);
		if (!nf)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		hf->f = nf;
	}
	char *k = strdup(key), *v = malloc(vlen + 1);
	if (!k || !v) {
		free(k);
		free(v);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	for (size_t i = 0; i < vlen; i++)
		v[i] = (unsigned char)val[i] < ' ' ? '?' : val[i];
	v[vlen] = '\0';
	hf->f[hf->n].key = k;
	hf->f[hf->n].value = v;
	hf->n++;
	return CG_OK;
}

static enum cg_err put_s(struct fp *p, const char *prefix, const char *name, const char *val)
{
	return put(p, prefix, name, strlen(name), val, strlen(val), 0);
}

/* "key value" lines (sshd -T, auditctl -s). */
static enum cg_err parse_key_space_value(struct fp *p, const char *prefix)
{
	const char *s;
	size_t n;
	while (next_line(p, &s, &n)) {
		trim(&s, &n);
		if (!n)
			continue;
		size_t k = 0;
		while (k < n && (isalnum((unsigned char)s[k]) || s[k] == '_'))
			k++;
		if (k == 0 || (k < n && s[k] != ' ' && s[k] != '\t'))
			return cg_err_set(CG_EPARSE, _("%s:%lu: expected 'keyword value'"), p->file, p->line);
		const char *v = s + k;
		size_t vn = n - k;
		trim(&v, &vn);
		enum cg_err rc = put(p, prefix, s, k, v, vn, 1);
		if (rc)
			return rc;
	}
	if (!p->out->n)
		return cg_err_set(CG_EPARSE, _("%s: no settings found"), p->file);
	return CG_OK;
}

/* "KEY=VALUE" lines (timedatectl show, os-release); os-release values may
 * be quoted (shell style, with backslash escapes). */
static enum cg_err parse_key_equals(struct fp *p, const char *prefix, int lower, int comments)
{
	const char *s;
	size_t n;
	char val[HOST_FACT_VALUE_MAX + 1];
	while (next_line(p, &s, &n)) {
		trim(&s, &n);
		if (!n || (comments && s[0] == '#'))
			continue;
		const char *eq = memchr(s, '=', n);
		size_t k = eq ? (size_t)(eq - s) : 0;
		for (size_t i = 0; i < k; i++)
			if (!isalnum((unsigned char)s[i]) && s[i] != '_')
				k = 0;
		if (!eq || k == 0)
			return cg_err_set(CG_EPARSE, _("%s:%lu: expected 'NAME=value'"), p->file, p->line);
		const char *v = eq + 1;
		size_t vn = n - k - 1, o = 0;
		if (vn && (v[0] == '"' || v[0] == '\'')) {
			char q = v[0];
			size_t i = 1;
			for (; i < vn && v[i] != q; i++) {
				if (v[i] == '\\' && q == '"' && i + 1 < vn)
					i++;
				if (o >= HOST_FACT_VALUE_MAX)
					return cg_err_set(CG_ELIMIT, _("%s:%lu: value longer than %d bytes"), p->file, p->line,
							  HOST_FACT_VALUE_MAX);
				val[o++] = v[i];
			}
			if (i >= vn)
				return cg_err_set(CG_EPARSE, _("%s:%lu: unterminated quote"), p->file, p->line);
		} else {
			if (vn > HOST_FACT_VALUE_MAX)
				return cg_err_set(CG_ELIMIT, _("%s:%lu: value longer than %d bytes"), p->file, p->line,
						  HOST_FACT_VALUE_MAX);
			memcpy(val, v, vn);
			o = vn;
		}
		enum cg_err rc = put(p, prefix, s, k, val, o, lower);
		if (rc)
			return rc;
	}
	if (!p->out->n)
		return cg_err_set(CG_EPARSE, _("%s: no settings found"), p->file);
	return CG_OK;
}

/* nft list ruleset: one statement per line, braces close blocks. Facts:
 * nft.tables, nft.input_chains (base chains on the input hook),
 * nft.input_policy ("drop" when any input chain drops by default, else its
 * policy, "none" without input chain), nft.input_last_rule_drops (yes when
 * an input chain ends with a drop or reject rule), and
 * nft.input_default_deny (yes when either holds). */
static enum cg_err parse_nft(struct fp *p)
{
	const char *s;
	size_t n;
	unsigned long tables = 0, input_chains = 0, depth = 0, chain_depth = 0;
	int in_chain = 0, chain_input = 0, chain_drop = 0, last_drops = 0, any_drop_policy = 0, any_last_drop = 0;
	char policy[32] = "none";
	while (next_line(p, &s, &n)) {
		trim(&s, &n);
		if (!n || s[0] == '#')
			continue;
		if (depth > 64)
			return cg_err_set(CG_ELIMIT, _("%s:%lu: blocks nested too deep"), p->file, p->line);
		int opens = n && s[n - 1] == '{';
		if (n >= 6 && strncmp(s, "table ", 6) == 0 && opens) {
			if (depth != 0)
				return cg_err_set(CG_EPARSE, _("%s:%lu: table inside a block"), p->file, p->line);
			tables++;
		} else if (n >= 6 && strncmp(s, "chain ", 6) == 0 && opens) {
			if (depth != 1)
				return cg_err_set(CG_EPARSE, _("%s:%lu: chain outside a table"), p->file, p->line);
			in_chain = 1, chain_depth = depth + 1, chain_input = chain_drop = last_drops = 0;
		} else if (s[0] == '}') {
			if (depth == 0)
				return cg_err_set(CG_EPARSE, _("%s:%lu: '}' without a block"), p->file, p->line);
			if (in_chain && depth == chain_depth) {
				if (chain_input) {
					input_chains++;
					any_drop_policy |= chain_drop;
					any_last_drop |= last_drops;
				}
				in_chain = 0;
			}
			depth--;
			continue;
		} else if (in_chain && depth == chain_depth) {
			char line[512];
			size_t l = n < sizeof line - 1 ? n : sizeof line - 1;
			memcpy(line, s, l);
			line[l] = '\0';
			if (strncmp(line, "type ", 5) == 0) {
				if (strstr(line, " hook input "))
					chain_input = 1;
				const char *pol = strstr(line, "policy ");
				if (pol && chain_input) {
					pol += 7;
					size_t pl = strcspn(pol, "; ");
					chain_drop = pl == 4 && strncmp(pol, "drop", 4) == 0;
					if (pl < sizeof policy && (!any_drop_policy || chain_drop)) {
						memcpy(policy, pol, pl);
						policy[pl] = '\0';
					}
				}
			} else if (!opens) {
				size_t l2 = strlen(line);
				last_drops = (l2 >= 4 && strcmp(line + l2 - 4, "drop") == 0) ||
					     (l2 >= 6 && strcmp(line + l2 - 6, "reject") == 0) ||
					     strstr(line, " reject with ") != NULL;
			}
		}
		if (opens)
			depth++;
	}
	if (depth)
		return cg_err_set(CG_EPARSE, _("%s:%lu: block not closed"), p->file, p->line);
	char num[32];
	enum cg_err rc;
	snprintf(num, sizeof num, "%lu", tables);
	if ((rc = put_s(p, "nft", "tables", num)))
		return rc;
	snprintf(num, sizeof num, "%lu", input_chains);
	if ((rc = put_s(p, "nft", "input_chains", num)) ||
	    (rc = put_s(p, "nft", "input_policy", any_drop_policy ? "drop" : policy)) ||
	    (rc = put_s(p, "nft", "input_last_rule_drops", any_last_drop ? "yes" : "no")) ||
	    (rc = put_s(p, "nft", "input_default_deny", any_drop_policy || any_last_drop ? "yes" : "no")))
		return rc;
	return CG_OK;
}

static int is_unit_state(const char *s, size_t n)
{
	static const char *const states[] = {"active", "inactive", "failed", "activating", "deactivating",
					     "reloading", "unknown", "maintenance", "refreshing"};
	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
		if (strlen(states[i]) == n && memcmp(states[i], s, n) == 0)
			return 1;
	return 0;
}

static enum cg_err parse_systemctl(struct fp *p, const char *units)
{
	if (!units || !*units)
		return cg_err_set(CG_EINVAL, _("%s: 'systemctl is-active' prints states without unit names: "
					       "give the units in the order they were asked (--units)"),
				  p->file);
	const char *u = units, *s;
	size_t n;
	while (next_line(p, &s, &n)) {
		trim(&s, &n);
		if (!n)
			continue;
		if (!is_unit_state(s, n))
			return cg_err_set(CG_EPARSE, _("%s:%lu: '%.*s' is not a unit state"), p->file, p->line,
					  (int)(n > 64 ? 64 : n), s);
		if (!*u)
			return cg_err_set(CG_EPARSE, _("%s:%lu: more states than units given"), p->file, p->line);
		size_t ul = strcspn(u, ",");
		enum cg_err rc = put(p, "service", u, ul, s, n, 0);
		if (rc)
			return rc;
		u += ul;
		if (*u == ',')
			u++;
	}
	if (*u)
		return cg_err_set(CG_EPARSE, _("%s: fewer states than units given"), p->file);
	return CG_OK;
}

/* secedit /export: an INI file; [System Access] and [Event Audit] keys
 * become secedit.<Key>. */
static enum cg_err parse_secedit(struct fp *p)
{
	const char *s;
	size_t n;
	int want = 0, sections = 0;
	while (next_line(p, &s, &n)) {
		trim(&s, &n);
		if (!n || s[0] == ';')
			continue;
		if (s[0] == '[') {
			if (s[n - 1] != ']')
				return cg_err_set(CG_EPARSE, _("%s:%lu: section name without ']'"), p->file, p->line);
			sections++;
			want = (n == 15 && memcmp(s, "[System Access]", 15) == 0) ||
			       (n == 13 && memcmp(s, "[Event Audit]", 13) == 0);
			continue;
		}
		const char *eq = memchr(s, '=', n);
		if (!eq || !sections)
			return cg_err_set(CG_EPARSE, _("%s:%lu: expected 'Name = value' in a section"), p->file, p->line);
		if (!want)
			continue;
		const char *k = s, *v = eq + 1;
		size_t kn = (size_t)(eq - s), vn = n - kn - 1;
		trim(&k, &kn);
		trim(&v, &vn);
		if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"')
			v++, vn -= 2;
		enum cg_err rc = put(p, "secedit", k, kn, v, vn, 0);
		if (rc)
			return rc;
	}
	if (!sections)
		return cg_err_set(CG_EPARSE, _("%s: no [section] found"), p->file);
	return CG_OK;
}

static enum cg_err parse_mpstatus(struct fp *p)
{
	json_error_t je;
	json_t *root = json_loadb(p->buf, p->len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return cg_err_set(CG_EPARSE, _("%s:%d: %s"), p->file, je.line, je.text);
	json_t *o = root;
	if (json_is_array(root) && json_array_size(root) == 1)
		o = json_array_get(root, 0);
	enum cg_err rc = CG_OK;
	if (!json_is_object(o) || !json_object_get(o, "AntivirusEnabled")) {
		rc = cg_err_set(CG_EPARSE, _("%s: not Get-MpComputerStatus output (no AntivirusEnabled)"), p->file);
		goto out;
	}
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		char num[64];
		const char *val = NULL;
		if (json_is_true(v))
			val = "yes";
		else if (json_is_false(v))
			val = "no";
		else if (json_is_integer(v))
			snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v)), val = num;
		else if (json_is_string(v))
			val = json_string_value(v);
		if (!val)
			continue;
		if ((rc = put(p, "mp", k, strlen(k), val, strlen(val), 1)))
			break;
	}
out:
	json_decref(root);
	return rc;
}

/* auditpol /r: CSV with Subcategory and Inclusion Setting columns. */
static enum cg_err parse_auditpol(struct fp *p)
{
	struct csv_reader r;
	int got, col_sub = -1, col_inc = -1;
	enum cg_err rc = CG_OK;
	csv_reader_init(&r, p->buf, p->len, ',');
	while (!(rc = csv_next(&r, &got)) && got) {
		p->line = r.line;
		if (col_sub < 0) {
			for (size_t i = 0; i < r.n_fields; i++) {
				if (strcmp(csv_field(&r, i), "Subcategory") == 0)
					col_sub = (int)i;
				else if (strcmp(csv_field(&r, i), "Inclusion Setting") == 0)
					col_inc = (int)i;
			}
			if (col_sub < 0 || col_inc < 0) {
				rc = cg_err_set(CG_EPARSE, _("%s:%lu: expected the auditpol /r header (Subcategory, Inclusion Setting)"),
						p->file, p->line);
				break;
			}
			continue;
		}
		if ((size_t)col_sub >= r.n_fields || (size_t)col_inc >= r.n_fields) {
			rc = cg_err_set(CG_EPARSE, _("%s:%lu: row has %zu fields"), p->file, p->line, r.n_fields);
			break;
		}
		char name[HOST_FACT_KEY_MAX];
		const char *sub = csv_field(&r, (size_t)col_sub);
		size_t o = 0;
		for (; *sub && o + 1 < sizeof name - 16; sub++) {
			unsigned char c = (unsigned char)*sub;
			name[o++] = (char)(isalnum(c) ? tolower(c) : '_');
		}
		name[o] = '\0';
		if ((rc = put(p, "auditpol", name, o, csv_field(&r, (size_t)col_inc), csv_field_len(&r, (size_t)col_inc), 0)))
			break;
	}
	if (rc == CG_EPARSE || rc == CG_ELIMIT)
		if (!strstr(cg_err_msg(rc), p->file))
			rc = cg_err_prefix(rc, "%s", p->file);
	csv_reader_free(&r);
	if (!rc && col_sub < 0)
		rc = cg_err_set(CG_EPARSE, _("%s: empty auditpol output"), p->file);
	return rc;
}

/* Windows writes secedit exports (and PowerShell redirections) as UTF-16LE
 * with a byte order mark: convert to UTF-8. */
static enum cg_err to_utf8(const char *file, const char *buf, size_t len, char **out, size_t *olen)
{
	*out = NULL;
	if (len < 2 || (unsigned char)buf[0] != 0xff || (unsigned char)buf[1] != 0xfe)
		return CG_OK;
	iconv_t cd = iconv_open("UTF-8", "UTF-16LE");
	if (cd == (iconv_t)-1)
		return cg_err_set(CG_EINTERNAL, _("%s: cannot convert UTF-16"), file);
	size_t cap = len * 2 + 4, left = cap;
	char *dst = malloc(cap), *o = dst, *in = (char *)buf + 2;
	size_t inleft = (len - 2) & ~(size_t)1;
	if (!dst) {
		iconv_close(cd);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	size_t r = iconv(cd, &in, &inleft, &o, &left);
	iconv_close(cd);
	if (r == (size_t)-1) {
		free(dst);
		return cg_err_set(CG_EPARSE, _("%s: byte %zu: invalid UTF-16"), file, (size_t)(in - buf));
	}
	*out = dst;
	*olen = (size_t)(o - dst);
	return CG_OK;
}

enum cg_err host_facts_parse(enum fact_tool tool, const char *file, const char *buf, size_t len, const char *units,
			     struct host_facts *out)
{
	char *conv = NULL;
	size_t clen = 0;
	enum cg_err rc;
	memset(out, 0, sizeof *out);
	out->tool = tool;
	if (len > HOST_FACTS_FILE_MAX)
		return cg_err_set(CG_ELIMIT, _("%s: larger than %u bytes"), file, HOST_FACTS_FILE_MAX);
	if ((rc = to_utf8(file, buf, len, &conv, &clen)))
		return rc;
	struct fp p = {file, conv ? conv : buf, conv ? clen : len, 0, 0, out};
	if (p.len >= 3 && memcmp(p.buf, "\xef\xbb\xbf", 3) == 0)
		p.pos = 3;
	if (memchr(p.buf, '\0', p.len)) {
		free(conv);
		return cg_err_set(CG_EPARSE, _("%s: binary data (NUL byte)"), file);
	}
	switch (tool) {
	case FACT_TOOL_SSHD: rc = parse_key_space_value(&p, "sshd"); break;
	case FACT_TOOL_AUDITCTL: rc = parse_key_space_value(&p, "auditctl"); break;
	case FACT_TOOL_TIMEDATECTL: rc = parse_key_equals(&p, "timedatectl", 1, 0); break;
	case FACT_TOOL_OS_RELEASE: rc = parse_key_equals(&p, "os", 1, 1); break;
	case FACT_TOOL_NFT: rc = parse_nft(&p); break;
	case FACT_TOOL_SYSTEMCTL: rc = parse_systemctl(&p, units); break;
	case FACT_TOOL_SECEDIT: rc = parse_secedit(&p); break;
	case FACT_TOOL_MPSTATUS: rc = parse_mpstatus(&p); break;
	case FACT_TOOL_AUDITPOL: rc = parse_auditpol(&p); break;
	default: rc = cg_err_set(CG_EINVAL, _("%s: unknown fact tool"), file);
	}
	free(conv);
	if (rc)
		host_facts_clear(out);
	return rc;
}

enum cg_err fact_tool_detect(const char *file, const char *buf, size_t len, enum fact_tool *out)
{
	char *conv = NULL;
	size_t clen;
	enum cg_err rc = to_utf8(file, buf, len, &conv, &clen);
	if (rc)
		return rc;
	const char *s = conv ? conv : buf;
	size_t n = conv ? clen : len;
	if (n > 65536)
		n = 65536;
	char *t = strndup(s, n);
	free(conv);
	if (!t)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	rc = CG_OK;
	if (strstr(t, "[System Access]") || strstr(t, "[Unicode]"))
		*out = FACT_TOOL_SECEDIT;
	else if (strstr(t, "\"AntivirusEnabled\""))
		*out = FACT_TOOL_MPSTATUS;
	else if (strstr(t, "Subcategory") && strstr(t, "Inclusion Setting"))
		*out = FACT_TOOL_AUDITPOL;
	else if (strstr(t, "NTPSynchronized=") || strstr(t, "\nTimezone=") || strncmp(t, "Timezone=", 9) == 0)
		*out = FACT_TOOL_TIMEDATECTL;
	else if (strstr(t, "permitrootlogin ") || strstr(t, "passwordauthentication "))
		*out = FACT_TOOL_SSHD;
	else if (strstr(t, "backlog_limit ") || strncmp(t, "enabled ", 8) == 0)
		*out = FACT_TOOL_AUDITCTL;
	else if (strncmp(t, "table ", 6) == 0 || strstr(t, "\ntable ") || strspn(t, " \t\r\n") == strlen(t))
		*out = FACT_TOOL_NFT;
	else if (strstr(t, "VERSION_ID=") || strncmp(t, "NAME=", 5) == 0 || strstr(t, "\nID="))
		*out = FACT_TOOL_OS_RELEASE;
	else {
		/* systemctl is-active: nothing but unit states. */
		const char *q = t;
		int states = 0, other = 0;
		while (*q) {
			size_t l = strcspn(q, "\r\n");
			if (l) {
				if (is_unit_state(q, l))
					states++;
				else
					other++;
			}
			q += l;
			q += strspn(q, "\r\n");
		}
		if (states && !other)
			*out = FACT_TOOL_SYSTEMCTL;
		else
			rc = cg_err_set(CG_EUNSUPPORTED,
					_("%s: not the output of a known tool (give --tool: sshd-T, nft, timedatectl, "
					  "auditctl, os-release, systemctl, secedit, mpstatus, auditpol)"),
					file);
	}
	free(t);
	return rc;
}
