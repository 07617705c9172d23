#include "custody.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_i18n.h"
#include "cg_time.h"
#include "db.h"

void custody_hex(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static enum cg_err put_escaped(struct cg_buf *out, const char *s)
{
	enum cg_err rc = CG_OK;
	for (; *s && !rc; s++) {
		switch (*s) {
		case '\\': rc = cg_buf_puts(out, "\\\\"); break;
		case '\t': rc = cg_buf_puts(out, "\\t"); break;
		case '\r': rc = cg_buf_puts(out, "\\r"); break;
		case '\n': rc = cg_buf_puts(out, "\\n"); break;
		default: rc = cg_buf_putc(out, *s);
		}
	}
	return rc;
}

enum cg_err custody_body(struct cg_buf *out, int64_t seq, int64_t at, const char *action, const char *actor,
			 const char *sha256, const char *detail)
{
	char iso[32];
	enum cg_err rc;

	cg_time_iso(at, iso, sizeof iso);
	if ((rc = cg_buf_printf(out, "%lld\t%s\t", (long long)seq, iso)) || (rc = put_escaped(out, action)) ||
	    (rc = cg_buf_putc(out, '\t')) || (rc = put_escaped(out, actor)) || (rc = cg_buf_putc(out, '\t')) ||
	    (rc = put_escaped(out, sha256)) || (rc = cg_buf_putc(out, '\t')) || (rc = put_escaped(out, detail)))
		return rc;
	return CG_OK;
}

enum cg_err custody_hash(const char *prev, const char *body, size_t n, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) && EVP_DigestUpdate(c, prev, strlen(prev)) &&
		 EVP_DigestUpdate(c, "\t", 1) && EVP_DigestUpdate(c, body, n) && EVP_DigestFinal_ex(c, md, &len);

	EVP_MD_CTX_free(c);
	if (!ok || len != 32)
		return cg_err_set(CG_EINTERNAL, "%s", _("custody: SHA-256 failed"));
	custody_hex(md, 32, out);
	return CG_OK;
}

static int is_hex64(const char *s, size_t n)
{
	if (n != 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* Parse "YYYY-MM-DDTHH:MM:SSZ" strictly. */
static int parse_iso(const char *s, size_t n, int64_t *out)
{
	int y, mo, d, h, mi, se;
	char z;
	char tmp[32];

	if (n != 20)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (sscanf(tmp, "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &z) != 7 || z != 'Z')
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 || y < 1970)
		return -1;
	*out = cg_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	return 0;
}

static enum cg_err unescape(struct cg_buf *sc, const char *s, size_t n, size_t *off)
{
	enum cg_err rc;
	*off = sc->len;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\\') {
			if (++i >= n)
				return cg_err_set(CG_EPARSE, "%s", _("dangling '\\' escape"));
			switch (s[i]) {
			case '\\': c = '\\'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'n': c = '\n'; break;
			default: return cg_err_set(CG_EPARSE, "%s", _("unknown '\\' escape"));
			}
		} else if ((unsigned char)c < 0x20) {
			return cg_err_set(CG_EPARSE, "%s", _("control character in a field"));
		}
		if ((rc = cg_buf_putc(sc, c)))
			return rc;
	}
	return cg_buf_putc(sc, '\0');
}

enum cg_err custody_line_parse(const char *line, size_t n, struct cg_buf *sc, struct custody_line *out)
{
	const char *f[8];
	size_t fl[8], k = 0, start = 0, offs[4];
	enum cg_err rc;
	char num[24];

	if (n > CUSTODY_LINE_MAX)
		return cg_err_set(CG_ELIMIT, "%s", _("custody entry longer than 16 KiB"));
	for (size_t i = 0; i <= n; i++) {
		if (i == n || line[i] == '\t') {
			if (k == 8)
				return cg_err_set(CG_EPARSE, "%s", _("more than 8 fields"));
			f[k] = line + start;
			fl[k++] = i - start;
			start = i + 1;
		}
	}
	if (k != 8)
		return cg_err_set(CG_EPARSE, "%s", _("expected 8 TAB-separated fields"));
	if (fl[0] == 0 || fl[0] >= sizeof num || strspn(f[0], "0123456789") < fl[0])
		return cg_err_set(CG_EPARSE, "%s", _("field 1: not a sequence number"));
	memcpy(num, f[0], fl[0]);
	num[fl[0]] = '\0';
	out->seq = strtoll(num, NULL, 10);
	if (parse_iso(f[1], fl[1], &out->at))
		return cg_err_set(CG_EPARSE, "%s", _("field 2: not a time YYYY-MM-DDTHH:MM:SSZ"));
	if (!is_hex64(f[6], fl[6]) || !is_hex64(f[7], fl[7]))
		return cg_err_set(CG_EPARSE, "%s", _("fields 7-8: not SHA-256 hex digests"));
	memcpy(out->prev, f[6], 64);
	out->prev[64] = '\0';
	memcpy(out->hash, f[7], 64);
	out->hash[64] = '\0';
	cg_buf_reset(sc);
	if ((rc = cg_buf_reserve(sc, n + 8)))
		return rc;
	for (int i = 0; i < 4; i++)
		if ((rc = unescape(sc, f[2 + i], fl[2 + i], &offs[i])))
			return rc;
	out->action = sc->data + offs[0];
	out->actor = sc->data + offs[1];
	out->sha256 = sc->data + offs[2];
	out->detail = sc->data + offs[3];
	out->body_len = (size_t)(f[6] - 1 - line);
	return CG_OK;
}
