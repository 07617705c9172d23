#include "host_record.h"

#include <string.h>

#include "cg_i18n.h"
#include "ioc.h"

static const char *const col_key[HOST_COL_COUNT] = {"hostname", "ip", "system", "os", "role", "location"};

/* Header spellings after normalisation (lower case, no blanks, '_', '-', '.'). */
static const char *const col_names[HOST_COL_COUNT][10] = {
	[HOST_COL_NAME] = {"hostname", "host", "name", "fqdn", "tênmáy", "máychủ", "tênmáychủ", "servername", NULL},
	[HOST_COL_ADDR] = {"ip", "ips", "ipaddress", "ipaddresses", "address", "addresses", "addr", "địachỉip",
			   "địachỉ", NULL},
	[HOST_COL_SYSTEM] = {"system", "informationsystem", "hệthống", "hệthốngthôngtin", NULL},
	[HOST_COL_OS] = {"os", "operatingsystem", "hệđiềuhành", NULL},
	[HOST_COL_ROLE] = {"role", "function", "vaitrò", "chứcnăng", NULL},
	[HOST_COL_LOCATION] = {"location", "site", "vịtrí", "địađiểm", NULL},
};

void host_record_init(struct host_record *h)
{
	memset(h, 0, sizeof *h);
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void trim(const char **s, size_t *n)
{
	while (*n && is_blank(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && is_blank((*s)[*n - 1]))
		(*n)--;
}

/* Quote at most 60 bytes of bad input in a message. */
static int shown(size_t n)
{
	return (int)(n > 60 ? 60 : n);
}

enum cg_err host_record_set_name(struct host_record *h, const char *s, size_t n)
{
	trim(&s, &n);
	if (n == 0)
		return cg_err_set(CG_EINVAL, _("empty host name"));
	if (n > HOST_NAME_MAX_LEN)
		return cg_err_set(CG_ELIMIT, _("host name longer than %d bytes"), HOST_NAME_MAX_LEN);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
			 c == '_' || c == '.';
		if (!ok)
			return cg_err_set(CG_EINVAL, _("'%.*s' is not a host name"), shown(n), s);
		h->name[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
	}
	h->name[n] = '\0';
	if (h->name[0] == '.' || h->name[n - 1] == '.' || strstr(h->name, ".."))
		return cg_err_set(CG_EINVAL, _("'%.*s' is not a host name"), shown(n), s);
	return CG_OK;
}

static enum cg_err add_one(struct host_record *h, const char *s, size_t n)
{
	struct ioc ioc;

	if (ioc_parse(s, n, IOC_NONE, &ioc) != CG_OK || (ioc.type != IOC_IPV4 && ioc.type != IOC_IPV6))
		return cg_err_set(CG_EINVAL, _("'%.*s' is not an IP address"), shown(n), s);
	for (size_t i = 0; i < h->n_addrs; i++)
		if (strcmp(h->addrs[i].text, ioc.value) == 0)
			return CG_OK;
	if (h->n_addrs == HOST_ADDRS_MAX)
		return cg_err_set(CG_ELIMIT, _("more than %d addresses"), HOST_ADDRS_MAX);
	struct host_addr *a = &h->addrs[h->n_addrs];
	a->is_v6 = ioc.type == IOC_IPV6;
	memcpy(a->addr, ioc.addr, sizeof a->addr);
	if (ioc.len >= sizeof a->text)
		return cg_err_set(CG_EINVAL, _("'%.*s' is not an IP address"), shown(n), s);
	memcpy(a->text, ioc.value, ioc.len + 1);
	h->n_addrs++;
	return CG_OK;
}

enum cg_err host_record_add_addrs(struct host_record *h, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		while (i < n && (is_blank(s[i]) || s[i] == ';' || s[i] == ','))
			i++;
		size_t start = i;
		while (i < n && !is_blank(s[i]) && s[i] != ';' && s[i] != ',')
			i++;
		if (i > start) {
			enum cg_err rc = add_one(h, s + start, i - start);
			if (rc)
				return rc;
		}
	}
	return CG_OK;
}

enum cg_err host_record_set_text(char *dst, const char *s, size_t n)
{
	trim(&s, &n);
	if (n > HOST_TEXT_MAX)
		return cg_err_set(CG_ELIMIT, _("longer than %d bytes"), HOST_TEXT_MAX);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return cg_err_set(CG_EINVAL, _("contains a control character"));
	memcpy(dst, s, n);
	dst[n] = '\0';
	return CG_OK;
}

/* Lower-case ASCII and "Đ" (U+0110 → U+0111), drop separators; the rest of
 * UTF-8 is copied as is. Returns 0 when it does not fit. */
static int normalise(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || c == '_' || c == '-' || c == '.' || c == '\t' || c == '/' || c == '(' || c == ')')
			continue;
		if (o + 2 >= cap)
			return 0;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 32);
		else if (c == 0xc4 && i + 1 < n && (unsigned char)s[i + 1] == 0x90) {
			out[o++] = (char)0xc4;
			out[o++] = (char)0x91;
			i++;
			continue;
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 1;
}

enum cg_err host_csv_map_header(struct host_csv_map *m, const char *const *fields, const size_t *lens,
				size_t n_fields)
{
	char norm[128];

	for (int k = 0; k < HOST_COL_COUNT; k++)
		m->col[k] = -1;
	for (size_t i = 0; i < n_fields && i < 4096; i++) {
		if (!normalise(fields[i], lens[i], norm, sizeof norm))
			continue;
		for (int k = 0; k < HOST_COL_COUNT; k++) {
			if (m->col[k] >= 0)
				continue;
			for (const char *const *nm = col_names[k]; *nm; nm++) {
				if (strcmp(norm, *nm) == 0) {
					m->col[k] = (int)i;
					break;
				}
			}
		}
	}
	if (m->col[HOST_COL_NAME] < 0)
		return cg_err_set(CG_EINVAL, _("no host name column in the header (expected 'hostname' or 'tên máy')"));
	return CG_OK;
}

static enum cg_err field_fail(enum cg_err rc, int col)
{
	return cg_err_prefix(rc, _("field '%s'"), col_key[col]);
}

enum cg_err host_csv_row(const struct host_csv_map *m, const char *const *fields, const size_t *lens,
			 size_t n_fields, struct host_record *out)
{
	char *text_dst[HOST_COL_COUNT] = {[HOST_COL_SYSTEM] = out->system, [HOST_COL_OS] = out->os,
					   [HOST_COL_ROLE] = out->role, [HOST_COL_LOCATION] = out->location};
	enum cg_err rc;

	host_record_init(out);
	for (int k = 0; k < HOST_COL_COUNT; k++) {
		int c = m->col[k];
		const char *s = c >= 0 && (size_t)c < n_fields ? fields[c] : "";
		size_t n = c >= 0 && (size_t)c < n_fields ? lens[c] : 0;

		if (k == HOST_COL_NAME)
			rc = host_record_set_name(out, s, n);
		else if (k == HOST_COL_ADDR)
			rc = host_record_add_addrs(out, s, n);
		else
			rc = host_record_set_text(text_dst[k], s, n);
		if (rc)
			return field_fail(rc, k);
	}
	return CG_OK;
}
