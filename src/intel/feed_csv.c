/* feed_csv — CSV feeds with a header row: the authority's botnet list
 * (spreadsheet exports with Vietnamese headers), abuse.ch Feodo Tracker and
 * any CSV whose columns can be mapped by name or with --map. */
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "cg_i18n.h"
#include "csv.h"
#include "feed_internal.h"

enum col_role {
	COL_OTHER = 0,
	COL_SKIP, /* row numbers: meaningless after import */
	COL_IP,
	COL_DOMAIN,
	COL_URL,
	COL_HASH,
	COL_MD5,
	COL_SHA1,
	COL_SHA256,
	COL_INDICATOR,
	COL_FAMILY,
	COL_FIRST_SEEN,
	COL_LAST_SEEN,
	COL_ASN,
	COL_PORT,
};

struct role_name {
	const char *name; /* normalized: lower case, '_'/'-' as blanks */
	enum col_role role;
};

/* Header names we know, normalized (see norm_header). */
static const struct role_name known_headers[] = {
	{"ip", COL_IP}, {"ip address", COL_IP}, {"ipaddress", COL_IP}, {"dst ip", COL_IP}, {"src ip", COL_IP},
	{"ipv4", COL_IP}, {"ipv6", COL_IP}, {"address", COL_IP}, {"địa chỉ ip", COL_IP}, {"địa chỉ", COL_IP},
	{"dia chi ip", COL_IP}, {"dia chi", COL_IP}, {"ip nhiễm", COL_IP}, {"ip bị nhiễm", COL_IP},
	{"domain", COL_DOMAIN}, {"domain name", COL_DOMAIN}, {"hostname", COL_DOMAIN}, {"host", COL_DOMAIN},
	{"tên miền", COL_DOMAIN}, {"ten mien", COL_DOMAIN},
	{"url", COL_URL}, {"đường dẫn", COL_URL},
	{"hash", COL_HASH}, {"md5", COL_MD5}, {"sha1", COL_SHA1}, {"sha 1", COL_SHA1}, {"sha256", COL_SHA256},
	{"sha 256", COL_SHA256}, {"mã băm", COL_HASH},
	{"indicator", COL_INDICATOR}, {"ioc", COL_INDICATOR}, {"value", COL_INDICATOR},
	{"botnet", COL_FAMILY}, {"malware", COL_FAMILY}, {"family", COL_FAMILY}, {"malware family", COL_FAMILY},
	{"tên botnet", COL_FAMILY}, {"ten botnet", COL_FAMILY}, {"mã độc", COL_FAMILY}, {"ma doc", COL_FAMILY},
	{"loại mã độc", COL_FAMILY}, {"tên mã độc", COL_FAMILY},
	{"first seen", COL_FIRST_SEEN}, {"first seen utc", COL_FIRST_SEEN}, {"firstseen", COL_FIRST_SEEN},
	{"thời gian phát hiện lần đầu", COL_FIRST_SEEN}, {"phát hiện lần đầu", COL_FIRST_SEEN},
	{"last seen", COL_LAST_SEEN}, {"last online", COL_LAST_SEEN}, {"lastseen", COL_LAST_SEEN},
	{"last seen utc", COL_LAST_SEEN}, {"thời gian phát hiện gần nhất", COL_LAST_SEEN},
	{"phát hiện gần nhất", COL_LAST_SEEN}, {"thời gian phát hiện cuối", COL_LAST_SEEN},
	{"asn", COL_ASN}, {"as", COL_ASN},
	{"port", COL_PORT}, {"dst port", COL_PORT}, {"cổng", COL_PORT}, {"cong", COL_PORT},
	{"stt", COL_SKIP}, {"#", COL_SKIP}, {"no", COL_SKIP}, {"no.", COL_SKIP}, {"số thứ tự", COL_SKIP},
};

/* --map field names. */
static const struct role_name map_fields[] = {
	{"ip", COL_IP}, {"domain", COL_DOMAIN}, {"url", COL_URL}, {"hash", COL_HASH}, {"md5", COL_MD5},
	{"sha1", COL_SHA1}, {"sha256", COL_SHA256}, {"indicator", COL_INDICATOR}, {"family", COL_FAMILY},
	{"first_seen", COL_FIRST_SEEN}, {"last_seen", COL_LAST_SEEN}, {"asn", COL_ASN}, {"port", COL_PORT},
};

#define HEADER_NORM_MAX 256

static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0 && n >= 2 && (s[1] & 0xc0) == 0x80) {
		*cp = ((uint32_t)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
		return 2;
	}
	if ((s[0] & 0xf0) == 0xe0 && n >= 3 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
		*cp = ((uint32_t)(s[0] & 0x0f) << 12) | ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
		return 3;
	}
	*cp = s[0];
	return 1;
}

static size_t utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	out[0] = (char)(0xe0 | (cp >> 12));
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[2] = (char)(0x80 | (cp & 0x3f));
	return 3;
}

/* Lower case for ASCII and the Latin letters Vietnamese uses. */
static uint32_t lower_cp(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c >= 0xc0 && c <= 0xde && c != 0xd7)
		return c + 32;
	if (((c >= 0x100 && c <= 0x137) || (c >= 0x14a && c <= 0x177) || (c >= 0x1e00 && c <= 0x1eff)) && !(c & 1))
		return c + 1;
	if (c == 0x1a0 || c == 0x1af)
		return c + 1;
	return c;
}

/* Normalize a header for matching: trimmed, lower case, '_' and '-' as
 * blanks, runs of blanks as one. */
static void norm_header(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0, i = 0;
	int blank = 1;

	while (i < n && o + 4 < cap) {
		uint32_t cp;
		size_t k = utf8_decode((const unsigned char *)s + i, n - i, &cp);
		i += k;
		if (cp == '_' || cp == '-' || cp == ' ' || cp == '\t' || cp == 0xa0 || cp == '\r' || cp == '\n') {
			if (!blank)
				out[o++] = ' ';
			blank = 1;
			continue;
		}
		blank = 0;
		o += utf8_encode(lower_cp(cp), out + o);
	}
	while (o && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

static enum col_role role_of(const char *norm, const struct role_name *tab, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(norm, tab[i].name) == 0)
			return tab[i].role;
	return COL_OTHER;
}

struct csv_map {
	size_t n_cols;
	enum col_role role[FEED_CSV_FIELDS_MAX];
	char *header[FEED_CSV_FIELDS_MAX]; /* original header text */
};

static void map_free(struct csv_map *m)
{
	for (size_t i = 0; i < m->n_cols; i++)
		free(m->header[i]);
}

/* Apply a --map spec "field=Header,field=Header" on top of the known names. */
static enum cg_err apply_map_spec(struct csv_map *m, const char *spec)
{
	const char *p = spec;

	while (*p) {
		const char *end = strchr(p, ','), *eq;
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char field[32], want[HEADER_NORM_MAX], have[HEADER_NORM_MAX];
		enum col_role role;
		size_t i;

		eq = memchr(p, '=', n);
		if (!eq)
			return cg_err_set(CG_EINVAL, _("--map: '%.*s' is not FIELD=HEADER"), (int)n, p);
		norm_header(p, (size_t)(eq - p), field, sizeof field);
		for (char *c = field; *c; c++)
			if (*c == ' ')
				*c = '_';
		role = role_of(field, map_fields, sizeof map_fields / sizeof map_fields[0]);
		if (role == COL_OTHER)
			return cg_err_set(CG_EINVAL,
					  _("--map: unknown field '%s' (ip, domain, url, hash, md5, sha1, sha256, "
					    "indicator, family, first_seen, last_seen, asn, port)"),
					  field);
		norm_header(eq + 1, n - (size_t)(eq + 1 - p), want, sizeof want);
		for (i = 0; i < m->n_cols; i++) {
			norm_header(m->header[i], strlen(m->header[i]), have, sizeof have);
			if (strcmp(have, want) == 0)
				break;
		}
		if (i == m->n_cols)
			return cg_err_set(CG_EINVAL, _("--map: no column '%.*s' in the header"),
					  (int)(n - (size_t)(eq + 1 - p)), eq + 1);
		/* The mapped column takes the role; another column that had it by name loses it. */
		for (size_t k = 0; k < m->n_cols; k++)
			if (m->role[k] == role)
				m->role[k] = COL_OTHER;
		m->role[i] = role;
		p = end ? end + 1 : p + n;
	}
	return CG_OK;
}

static int is_indicator_role(enum col_role r)
{
	return r >= COL_IP && r <= COL_INDICATOR;
}

static enum cg_err build_map(struct csv_map *m, const struct csv_reader *r, const char *spec)
{
	char norm[HEADER_NORM_MAX];
	int have_indicator = 0;

	memset(m, 0, sizeof *m);
	for (size_t i = 0; i < r->n_fields; i++) {
		m->header[i] = strdup(csv_field(r, i));
		if (!m->header[i])
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		m->n_cols++;
		feed_sanitize_utf8(m->header[i]);
		norm_header(m->header[i], strlen(m->header[i]), norm, sizeof norm);
		m->role[i] = role_of(norm, known_headers, sizeof known_headers / sizeof known_headers[0]);
		/* The first column of a role wins; later ones go to extra. */
		for (size_t k = 0; k < i; k++)
			if (m->role[k] == m->role[i] && m->role[i] != COL_OTHER && m->role[i] != COL_SKIP &&
			    !is_indicator_role(m->role[i]))
				m->role[i] = COL_OTHER;
	}
	if (spec && *spec) {
		enum cg_err rc = apply_map_spec(m, spec);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < m->n_cols; i++)
		if (is_indicator_role(m->role[i]))
			have_indicator = 1;
	if (!have_indicator)
		return cg_err_set(CG_EPARSE,
				  _("line %zu: no indicator column in the header (known names: ip, địa chỉ ip, domain, "
				    "tên miền, url, hash, md5, sha1, sha256, indicator; or use --map ip=COLUMN)"),
				  r->line);
	return CG_OK;
}

int feed_csv_is_header(const char *line, size_t n)
{
	char sep = ',', norm[HEADER_NORM_MAX];
	size_t start = 0;

	for (size_t i = 0; i < n; i++)
		if (line[i] == ';' || line[i] == '\t') {
			sep = line[i];
			break;
		} else if (line[i] == ',') {
			break;
		}
	for (size_t i = 0; i <= n; i++) {
		if (i < n && line[i] != sep)
			continue;
		const char *f = line + start;
		size_t fl = i - start;
		if (fl >= 2 && f[0] == '"' && f[fl - 1] == '"')
			f++, fl -= 2;
		norm_header(f, fl, norm, sizeof norm);
		if (is_indicator_role(role_of(norm, known_headers, sizeof known_headers / sizeof known_headers[0])))
			return 1;
		start = i + 1;
	}
	return 0;
}

static enum ioc_type want_of(enum col_role role, const char *v)
{
	switch (role) {
	case COL_IP: return strchr(v, ':') ? IOC_IPV6 : IOC_IPV4;
	case COL_DOMAIN: return IOC_DOMAIN;
	case COL_URL: return IOC_URL;
	case COL_HASH: case COL_MD5: case COL_SHA1: case COL_SHA256: return IOC_MD5;
	default: return IOC_NONE;
	}
}

static int hash_role_matches(enum col_role role, enum ioc_type t)
{
	return role == COL_HASH || role == COL_INDICATOR || (role == COL_MD5 && t == IOC_MD5) ||
	       (role == COL_SHA1 && t == IOC_SHA1) || (role == COL_SHA256 && t == IOC_SHA256) ||
	       !ioc_type_is_hash(t);
}

#define ROW_IOCS_MAX 8

struct row {
	struct ioc iocs[ROW_IOCS_MAX];
	size_t n_iocs;
	char family[FEED_FAMILY_MAX + 1];
	char first[32], last[32];
	const char *fam, *fs, *ls;
	json_t *extra;
};

static int all_empty(const struct csv_reader *r)
{
	for (size_t i = 0; i < r->n_fields; i++)
		for (const char *s = csv_field(r, i); *s; s++)
			if (*s != ' ' && *s != '\t')
				return 0;
	return 1;
}

/* Turn one record into row values. *ok is 0 when the row went to sink->bad;
 * the return code is the sink's (non-CG_OK stops the parse). */
static enum cg_err read_row(struct feed_run *run, const struct csv_map *m, const struct csv_reader *r, size_t line,
			    struct row *row, int *ok)
{
	*ok = 0;
	for (size_t i = 0; i < m->n_cols; i++) {
		const char *v = csv_field(r, i);
		size_t vl = csv_field_len(r, i);
		char *date = NULL;

		while (vl && (*v == ' ' || *v == '\t'))
			v++, vl--;
		while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t' || v[vl - 1] == '\r'))
			vl--;
		if (vl == 0)
			continue;
		switch (m->role[i]) {
		case COL_SKIP:
			break;
		case COL_IP: case COL_DOMAIN: case COL_URL: case COL_HASH: case COL_MD5: case COL_SHA1: case COL_SHA256:
		case COL_INDICATOR: {
			struct ioc *ioc = &row->iocs[row->n_iocs];
			if (row->n_iocs == ROW_IOCS_MAX)
				return feed_bad(run, line, _("more than %d indicator columns"), ROW_IOCS_MAX);
			if (ioc_parse(v, vl, want_of(m->role[i], v), ioc) != CG_OK)
				return feed_bad(run, line, _("field '%s': %s"), m->header[i], cg_err_msg(CG_EPARSE));
			if (!hash_role_matches(m->role[i], ioc->type))
				return feed_bad(run, line, _("field '%s': '%s' is a %s, not what the column holds"),
						m->header[i], ioc->value, ioc_type_name(ioc->type));
			if (m->role[i] == COL_IP && !ioc_type_is_net(ioc->type))
				return feed_bad(run, line, _("field '%s': '%.*s' is not an IP address"), m->header[i],
						(int)(vl > 80 ? 80 : vl), v);
			row->n_iocs++;
			break;
		}
		case COL_FAMILY:
			row->fam = feed_copy_text(v, vl, row->family, sizeof row->family);
			break;
		case COL_FIRST_SEEN:
		case COL_LAST_SEEN:
			date = m->role[i] == COL_FIRST_SEEN ? row->first : row->last;
			if (feed_date_normalize(v, vl, date, sizeof row->first) != 0)
				return feed_bad(run, line, _("field '%s': '%.*s' is not a date"), m->header[i],
						(int)(vl > 40 ? 40 : vl), v);
			if (m->role[i] == COL_FIRST_SEEN)
				row->fs = date;
			else
				row->ls = date;
			break;
		case COL_ASN:
		case COL_PORT:
		case COL_OTHER: {
			char text[512];
			const char *key = m->role[i] == COL_ASN ? "asn" : m->role[i] == COL_PORT ? "port" : m->header[i];
			if (!row->extra && !(row->extra = json_object()))
				return cg_err_set(CG_ENOMEM, _("out of memory"));
			if (feed_copy_text(v, vl, text, sizeof text) && *key)
				json_object_set_new(row->extra, key, json_string(text));
			break;
		}
		}
	}
	if (row->n_iocs == 0) {
		for (size_t i = 0; i < m->n_cols; i++)
			if (is_indicator_role(m->role[i]))
				return feed_bad(run, line, _("no indicator in the row (field '%s' is empty)"), m->header[i]);
	}
	*ok = 1;
	return CG_OK;
}

static enum cg_err emit_row(struct feed_run *run, struct row *row, size_t line)
{
	char *extra = NULL;
	enum cg_err rc = CG_OK;

	if (row->extra && json_object_size(row->extra))
		extra = json_dumps(row->extra, JSON_COMPACT);
	for (size_t k = 0; k < row->n_iocs && !rc; k++) {
		struct feed_record rec = {.line = line,
					  .family = row->fam ? row->fam : run->opts->default_family,
					  .first_seen = row->fs,
					  .last_seen = row->ls,
					  .extra = extra};
		rec.ioc = row->iocs[k];
		rc = feed_emit(run, &rec);
	}
	free(extra);
	if (!rc)
		feed_entry_done(run);
	return rc;
}

/* The reader's message starts with "line N: "; the sink adds the line itself. */
static const char *strip_line_prefix(const char *msg)
{
	const char *c = strstr(msg, ": ");
	if (c && c - msg < 24)
		for (const char *p = msg; p < c; p++)
			if (*p >= '0' && *p <= '9')
				return c + 2;
	return msg;
}

static int comment_line(const char *buf, size_t len, size_t pos, char sep)
{
	return pos < len && buf[pos] == '#' && !(pos + 1 < len && buf[pos + 1] == sep);
}

static void skip_phys_line(struct csv_reader *r)
{
	while (r->pos < r->len && r->buf[r->pos] != '\n')
		r->pos++;
	if (r->pos < r->len)
		r->pos++;
	r->next_line++;
}

static char guess_sep(const char *s, size_t n)
{
	size_t c = 0, sc = 0, t = 0;
	int q = 0;

	for (size_t i = 0; i < n && s[i] != '\n'; i++) {
		if (s[i] == '"')
			q = !q;
		else if (!q && s[i] == ',')
			c++;
		else if (!q && s[i] == ';')
			sc++;
		else if (!q && s[i] == '\t')
			t++;
	}
	return t > c && t > sc ? '\t' : sc > c ? ';' : ',';
}

static enum cg_err read_header(struct feed_run *run, struct csv_reader *r, struct csv_map *m)
{
	enum cg_err rc;
	int got;

	rc = csv_next(r, &got);
	if (rc)
		return rc;
	if (!got)
		return cg_err_set(CG_EPARSE, _("no header row"));
	run->counts->entries++;
	run->counts->comments++;
	return build_map(m, r, run->opts->csv_map);
}

enum cg_err feed_parse_csv(enum feed_format f, struct feed_run *run, const char *buf, size_t len)
{
	struct csv_reader r;
	struct csv_map map;
	size_t pos = 0, line = 1;
	enum cg_err rc;
	int got;

	memset(&map, 0, sizeof map);
	/* Comment banner (Feodo) and blank lines before the header. */
	while (pos < len) {
		size_t i = pos;
		while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r'))
			i++;
		if (!(i < len && (buf[i] == '\n' || comment_line(buf, len, i, guess_sep(buf + i, len - i)))))
			break;
		const char *nl = memchr(buf + pos, '\n', len - pos);
		pos = nl ? (size_t)(nl - buf) + 1 : len;
		run->counts->entries++;
		run->counts->comments++;
		line++;
	}
	csv_reader_init(&r, buf, len, guess_sep(buf + pos, len - pos));
	r.pos = pos;
	r.line = r.next_line = line;
	if ((rc = read_header(run, &r, &map)))
		goto out;
	for (;;) {
		struct row row;
		int ok;

		/* Feodo's "# END 28 entries" footer and other comment lines. */
		while (r.pos < r.len && comment_line(r.buf, r.len, r.pos, r.sep) && f == FEED_FEODO) {
			skip_phys_line(&r);
			run->counts->entries++;
			run->counts->comments++;
		}
		rc = csv_next(&r, &got);
		if (rc == CG_EPARSE || rc == CG_ELIMIT) {
			run->counts->entries++;
			if ((rc = feed_bad(run, r.line, "%s", strip_line_prefix(cg_err_msg(rc)))))
				goto out;
			continue;
		}
		if (rc || !got)
			goto out;
		run->counts->entries++;
		if (all_empty(&r)) {
			run->counts->comments++;
			continue;
		}
		memset(&row, 0, offsetof(struct row, family));
		row.fam = row.fs = row.ls = NULL;
		row.extra = NULL;
		rc = read_row(run, &map, &r, r.line, &row, &ok);
		if (!rc && ok)
			rc = emit_row(run, &row, r.line);
		json_decref(row.extra);
		if (rc)
			goto out;
	}
out:
	map_free(&map);
	csv_reader_free(&r);
	return rc;
}
