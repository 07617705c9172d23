/* Syslog (RFC 3164 and 5424) and raw auditd lines → events for Linux rules.
 * Fields: host, program, pid, message; auditd records add type and their
 * key=value pairs (a0, exe, comm, key, ...) so auditd rules can match. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_i18n.h"
#include "cg_event_int.h"
#include "event_reader.h"

#define LINE_MAX_BYTES ((size_t)64 << 10)

static enum cg_err addf(struct cg_event *ev, const char *name, const char *v, size_t n)
{
	return cg_event_add(ev, name, strlen(name), v, n);
}

/* key=value pairs, values bare or "quoted"; msg='...' is descended into. */
static enum cg_err audit_pairs(struct cg_event *ev, const char *s, size_t n, int depth)
{
	size_t i = 0;
	while (i < n) {
		while (i < n && s[i] == ' ')
			i++;
		size_t ks = i;
		while (i < n && s[i] != '=' && s[i] != ' ')
			i++;
		if (i >= n || s[i] != '=') {
			while (i < n && s[i] != ' ')
				i++;
			continue;
		}
		size_t kn = i - ks;
		i++;
		const char *v;
		size_t vn;
		char q = i < n ? s[i] : 0;
		if (q == '"' || q == '\'') {
			const char *end = memchr(s + i + 1, q, n - i - 1);
			v = s + i + 1;
			vn = end ? (size_t)(end - v) : n - i - 1;
			i = end ? (size_t)(end - s) + 1 : n;
		} else {
			v = s + i;
			while (i < n && s[i] != ' ')
				i++;
			vn = (size_t)(s + i - v);
			if (vn && v[vn - 1] == ':' && kn == 3 && !memcmp(s + ks, "msg", 3))
				vn--; /* msg=audit(...): */
		}
		char key[64];
		if (kn == 0 || kn >= sizeof key)
			continue;
		memcpy(key, s + ks, kn);
		key[kn] = '\0';
		enum cg_err rc;
		if (q == '\'' && depth == 0 && !strcmp(key, "msg"))
			rc = audit_pairs(ev, v, vn, 1);
		else
			rc = addf(ev, key, v, vn);
		if (rc)
			return rc;
	}
	return CG_OK;
}

static int is_month(const char *s)
{
	static const char m[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	for (int i = 0; i < 12; i++)
		if (!memcmp(s, m + 3 * i, 3))
			return 1;
	return 0;
}

/* The next space-separated token of s[*i..n). */
static int token(const char *s, size_t n, size_t *i, const char **t, size_t *tn)
{
	while (*i < n && s[*i] == ' ')
		(*i)++;
	if (*i >= n)
		return 0;
	*t = s + *i;
	while (*i < n && s[*i] != ' ')
		(*i)++;
	*tn = (size_t)(s + *i - *t);
	return 1;
}

enum cg_err cg_event_from_line(const char *line, size_t len, struct cg_event *ev)
{
	cg_event_reset(ev);
	cg_event_set_product(ev, CG_EVENT_PRODUCT_LINUX);
	while (len && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	if (len > LINE_MAX_BYTES)
		return cg_err_set(CG_ELIMIT, _("line longer than %zu bytes"), LINE_MAX_BYTES);
	enum cg_err rc;
	if (len > 5 && !memcmp(line, "type=", 5)) {
		cg_event_set_program(ev, "auditd", 6);
		if ((rc = addf(ev, "message", line, len)))
			return rc;
		return audit_pairs(ev, line, len, 0);
	}
	size_t i = 0;
	if (len && line[0] == '<') {
		const char *gt = memchr(line, '>', len < 6 ? len : 6);
		if (gt)
			i = (size_t)(gt - line) + 1;
	}
	const char *t, *host = NULL, *tag = NULL;
	size_t tn, hn = 0, tagn = 0;
	size_t save = i;
	if (i + 2 < len && line[i] == '1' && line[i + 1] == ' ') {
		/* RFC 5424: VERSION TIMESTAMP HOST APP PROCID MSGID SD MSG */
		i += 2;
		const char *ts, *app, *pid;
		size_t tsn, an, pn;
		if (token(line, len, &i, &ts, &tsn) && token(line, len, &i, &host, &hn) && token(line, len, &i, &app, &an) &&
		    token(line, len, &i, &pid, &pn) && token(line, len, &i, &t, &tn)) {
			cg_event_set_time(ev, ts, tsn);
			while (i < len && line[i] == ' ')
				i++;
			if (i < len && line[i] == '[') {
				const char *end = memchr(line + i, ']', len - i);
				i = end ? (size_t)(end - line) + 1 : len;
			} else if (i < len && line[i] == '-') {
				i++;
			}
			while (i < len && line[i] == ' ')
				i++;
			if (an && !(an == 1 && app[0] == '-')) {
				tag = app;
				tagn = an;
			}
			if (pn && !(pn == 1 && pid[0] == '-') && (rc = addf(ev, "pid", pid, pn)))
				return rc;
			goto fields;
		}
		i = save;
	}
	/* RFC 3164: "Mmm dd hh:mm:ss host tag[pid]: msg" or an ISO time stamp. */
	if (len - i >= 15 && is_month(line + i) && line[i + 3] == ' ') {
		cg_event_set_time(ev, line + i, 15);
		i += 15;
	} else if (len - i >= 19 && isdigit((unsigned char)line[i]) && line[i + 4] == '-' && line[i + 10] == 'T') {
		size_t s0 = i;
		while (i < len && line[i] != ' ')
			i++;
		cg_event_set_time(ev, line + s0, i - s0);
	} else {
		i = len; /* not syslog: the whole line is the message */
	}
	if (i < len && token(line, len, &i, &host, &hn)) {
		size_t ts = i;
		while (ts < len && line[ts] == ' ')
			ts++;
		size_t te = ts;
		while (te < len && line[te] != ':' && line[te] != ' ' && line[te] != '[')
			te++;
		tag = line + ts;
		tagn = te - ts;
		if (te < len && line[te] == '[') {
			const char *end = memchr(line + te, ']', len - te);
			if (end && (rc = addf(ev, "pid", line + te + 1, (size_t)(end - line) - te - 1)))
				return rc;
			te = end ? (size_t)(end - line) + 1 : len;
		}
		if (te < len && line[te] == ':')
			te++;
		while (te < len && line[te] == ' ')
			te++;
		i = te;
	} else {
		i = 0;
		host = NULL;
		tag = NULL;
	}
fields:
	if (host && (rc = addf(ev, "host", host, hn)))
		return rc;
	if (host)
		cg_event_set_computer(ev, host, hn);
	if (tag && tagn) {
		cg_event_set_program(ev, tag, tagn);
		if ((rc = addf(ev, "program", tag, tagn)))
			return rc;
	}
	const char *msg = line + (i <= len ? i : len);
	size_t mn = i <= len ? len - i : 0;
	if ((rc = addf(ev, "message", msg, mn)))
		return rc;
	if (mn > 5 && !memcmp(msg, "type=", 5))
		return audit_pairs(ev, msg, mn, 0);
	return CG_OK;
}

enum cg_err cg_event_lines_read(const char *text, size_t len, const char *origin, struct cg_event *ev,
                             cg_event_cb cb, void *ud, struct cg_event_read_stats *st)
{
	size_t off = 0, lineno = 0;
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
		lineno++;
		if (n && !(n == 1 && text[off] == '\r')) {
			enum cg_err rc = cg_event_from_line(text + off, n, ev);
			if (rc) {
				if (!st->bad++)
					snprintf(st->first_bad, sizeof st->first_bad, "%s:%zu: %s", origin, lineno, cg_err_msg(rc));
			} else {
				st->events++;
				st->bytes += n;
				if (cb(ud, ev))
					break;
			}
		}
		off += n + 1;
	}
	return CG_OK;
}
