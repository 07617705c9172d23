#include "block_list.h"

#include <stdio.h>
#include <string.h>

#include "cg_i18n.h"
#include "decision.h"

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static enum cg_err report(block_list_err_fn on_err, void *ctx, const char *name, size_t line, enum cg_err code)
{
	char msg[512];
	snprintf(msg, sizeof msg, "%s:%zu: %s", name, line, cg_err_msg(code));
	return on_err ? on_err(ctx, line, code, msg) : CG_OK;
}

enum cg_err block_list_parse(const char *name, const char *data, size_t len, size_t max_entries, block_list_fn fn,
			     block_list_err_fn on_err, void *ctx)
{
	size_t pos = 0, line = 0, n_entries = 0;
	int bad = 0;
	enum cg_err rc;

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len) {
		const char *s = data + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos, t = 0, note;
		struct block_list_entry e;

		pos += n + (nl ? 1 : 0);
		line++;
		while (n && blank(s[n - 1]))
			n--;
		while (n && blank(*s)) {
			s++;
			n--;
		}
		if (n == 0 || *s == '#' || *s == ';')
			continue;
		if (n > BLOCK_LIST_LINE_MAX) {
			bad = 1;
			rc = report(on_err, ctx, name, line,
				    cg_err_set(CG_ELIMIT, _("line longer than %d bytes"), BLOCK_LIST_LINE_MAX));
			if (rc)
				return rc;
			continue;
		}
		if (memchr(s, '\0', n)) {
			bad = 1;
			if ((rc = report(on_err, ctx, name, line, cg_err_set(CG_EPARSE, _("NUL byte in line")))))
				return rc;
			continue;
		}
		while (t < n && !blank(s[t]) && s[t] != ',' && s[t] != ';')
			t++;
		note = t;
		while (note < n && (blank(s[note]) || s[note] == ',' || s[note] == ';' || s[note] == '#'))
			note++;
		memset(&e, 0, sizeof e);
		if ((rc = block_target_parse(s, t, &e.target))) {
			bad = 1;
			if ((rc = report(on_err, ctx, name, line, rc)))
				return rc;
			continue;
		}
		if (++n_entries > max_entries)
			return cg_err_set(CG_ELIMIT, _("%s:%zu: more than %zu targets"), name, line, max_entries);
		e.line = line;
		e.note = s + note;
		e.note_len = n - note;
		if (e.note_len > BLOCK_LIST_NOTE_MAX) {
			e.note_len = BLOCK_LIST_NOTE_MAX;
			/* Do not cut a UTF-8 character in half. */
			while (e.note_len && ((unsigned char)e.note[e.note_len] & 0xc0) == 0x80)
				e.note_len--;
		}
		if (fn && (rc = fn(ctx, &e)))
			return rc;
	}
	return bad ? CG_EPARSE : CG_OK;
}
