/* CEF records (see cef_parse.h). */
#include <string.h>

#include "cef_parse.h"
#include "cg_i18n.h"

enum cg_err cef_parse(const char *s, size_t n, struct cef_msg *out)
{
	size_t i = 0;

	memset(out, 0, sizeof *out);
	if (n >= 4 && !memcmp(s, "CEF:", 4)) {
		i = 4;
		while (i < n && s[i] == ' ')
			i++;
	}
	for (int f = 0; f < CEF_HEADER_FIELDS; f++) {
		size_t st = i;
		while (i < n && s[i] != '|') {
			if (s[i] == '\\' && i + 1 < n)
				i++;
			i++;
		}
		if (i >= n)
			return cg_err_set(CG_EPARSE, _("CEF: header field %d of 7 is missing"), f + 1);
		out->hdr[f].p = s + st;
		out->hdr[f].n = i - st;
		i++;
	}
	out->ext.p = s + i;
	out->ext.n = n - i;
	return CG_OK;
}

size_t cef_unescape_header(struct cef_span in, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < in.n; i++) {
		if (in.p[i] == '\\' && i + 1 < in.n && (in.p[i + 1] == '|' || in.p[i + 1] == '\\'))
			i++;
		out[o++] = in.p[i];
	}
	return o;
}

static int key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
	       c == '-' || c == '[' || c == ']';
}

static size_t unescape_value(const char *s, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\\' && i + 1 < n) {
			char d = s[i + 1];
			if (d == '=' || d == '\\') {
				c = d;
				i++;
			} else if (d == 'n') {
				c = '\n';
				i++;
			} else if (d == 'r') {
				c = '\r';
				i++;
			}
		}
		out[o++] = c;
	}
	return o;
}

static int emit(const char *ks, size_t kn, const char *vs, const char *ve, char *scratch, cef_ext_cb cb, void *ud)
{
	while (ve > vs && (ve[-1] == ' ' || ve[-1] == '\r' || ve[-1] == '\n' || ve[-1] == '\t'))
		ve--;
	size_t vn = (size_t)(ve - vs);
	if (memchr(vs, '\\', vn)) {
		vn = unescape_value(vs, vn, scratch);
		vs = scratch;
	}
	return cb(ud, ks, kn, vs, vn);
}

void cef_ext_foreach(struct cef_span ext, char *scratch, cef_ext_cb cb, void *ud)
{
	const char *s = ext.p;
	size_t n = ext.n;
	const char *key = NULL, *val = NULL;
	size_t kn = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\') {
			i++;
			continue;
		}
		if (s[i] != '=')
			continue;
		size_t ks = i;
		while (ks > 0 && key_char(s[ks - 1]))
			ks--;
		/* A key starts the extension or follows a space, after the
		 * previous value's start. */
		if (ks == i || (ks > 0 && s[ks - 1] != ' ') || (val && s + ks <= val))
			continue;
		/* A backslash right before the key escapes nothing of it, but
		 * "\\=" was skipped above; an escaped char cannot start a key. */
		if (key && emit(key, kn, val, s + (ks ? ks - 1 : 0), scratch, cb, ud))
			return;
		key = s + ks;
		kn = i - ks;
		val = s + i + 1;
	}
	if (key)
		(void)emit(key, kn, val, s + n, scratch, cb, ud);
}
