/* Syslog (RFC 3164 and 5424, read by syslog_parse) and raw auditd lines →
 * events for Linux rules. Fields: pid, host, program, msgid, one field
 * "<SD-ID>.<PARAM>" per RFC 5424 structured-data parameter, message;
 * auditd records add type and their key=value pairs (a0, exe, comm, key,
 * ...) so auditd rules can match. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_i18n.h"
#include "cg_event_int.h"
#include "event_normalize.h"
#include "event_reader.h"
#include "syslog_parse.h"

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

struct sd_ctx {
	struct cg_event *ev;
	enum cg_err rc;
};

/* Structured data params become fields "<SD-ID>.<PARAM-NAME>". */
static int on_sd_param(void *ud, struct syslog_span id, struct syslog_span name, struct syslog_span value)
{
	struct sd_ctx *c = ud;
	char key[2 * 32 + 2];
	if (!name.n)
		return 0;
	int k = snprintf(key, sizeof key, "%.*s.%.*s", (int)id.n, id.p, (int)name.n, name.p);
	c->rc = cg_event_add(c->ev, key, (size_t)k, value.p, value.n);
	return c->rc != CG_OK;
}

static enum cg_err sd_fields(struct cg_event *ev, struct syslog_span sd)
{
	char scratch[1024], *buf = scratch;
	struct sd_ctx c = {ev, CG_OK};
	enum cg_err rc;

	if (!sd.n)
		return CG_OK;
	if (sd.n > sizeof scratch && !(buf = malloc(sd.n)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	rc = syslog_sd_foreach(sd, buf, sd.n > sizeof scratch ? sd.n : sizeof scratch, on_sd_param, &c);
	if (buf != scratch)
		free(buf);
	return rc ? rc : c.rc;
}

/* A line without a syslog header: an access log, a FortiGate or CEF record
 * (perhaps behind a bare "<PRI>", as FortiGate sends it), an ASA message
 * without its header, or free text. */
static enum cg_err plain_line(struct cg_event *ev, const char *line, size_t len, const struct cg_time_ctx *tc)
{
	enum cg_err rc;
	struct cg_stamp st;
	const char *body = line;
	size_t bn = len;

	if (len > 2 && line[0] == '<') {
		size_t i = 1;
		int pri = 0;
		while (i < len && i < 5 && line[i] >= '0' && line[i] <= '9')
			pri = pri * 10 + (line[i++] - '0');
		if (i > 1 && i < len && line[i] == '>' && pri <= 191) {
			cg_event_set_severity(ev, pri % 8, pri / 8);
			body = line + i + 1;
			bn = len - i - 1;
		}
	}
	if ((rc = addf(ev, "message", body, bn)))
		return rc;
	enum cg_event_source src = cg_event_source_of(NULL, 0, body, bn);
	/* FortiGate and access logs date themselves (zone included); a stamp
	 * found in the line is the fallback (looked for only then: it scans
	 * the whole line). */
	if (src != CG_EVENT_SRC_NONE && (rc = cg_event_extract(ev, src, NULL, 0, body, bn)))
		return rc;
	if (!cg_event_has_time(ev) &&
	    (cg_time_parse(line, len, CG_TIME_LOG, tc, &st) || cg_time_find(line, len, tc, &st)))
		cg_event_set_time(ev, st.us, st.offset);
	return CG_OK;
}

enum cg_err cg_event_from_line(const char *line, size_t len, struct cg_event *ev)
{
	struct cg_time_ctx tc = cg_event_time_ctx(ev);
	struct syslog_msg m;
	enum cg_err rc;

	cg_event_reset(ev);
	cg_event_set_product(ev, CG_EVENT_PRODUCT_LINUX);
	while (len && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	if (len > LINE_MAX_BYTES)
		return cg_err_set(CG_ELIMIT, _("line longer than %zu bytes"), LINE_MAX_BYTES);
	if (len > 5 && !memcmp(line, "type=", 5)) {
		cg_event_set_program(ev, "auditd", 6);
		if ((rc = addf(ev, "message", line, len)))
			return rc;
		return audit_pairs(ev, line, len, 0);
	}
	if (syslog_parse(line, len, &tc, &m) != CG_OK) {
		/* Not syslog: the whole line is the message; a leading stamp of
		 * another log format still dates it. */
		cg_err_clear();
		return plain_line(ev, line, len, &tc);
	}
	if (m.has_time)
		cg_event_set_time(ev, m.time.us, m.time.offset);
	cg_event_set_severity(ev, m.severity, m.facility);
	cg_event_set_pid(ev, m.pid);
	if (m.procid.n && (rc = addf(ev, "pid", m.procid.p, m.procid.n)))
		return rc;
	if (m.host.n) {
		if ((rc = addf(ev, "host", m.host.p, m.host.n)))
			return rc;
		cg_event_set_computer(ev, m.host.p, m.host.n);
	}
	if (m.app.n) {
		cg_event_set_program(ev, m.app.p, m.app.n);
		if ((rc = addf(ev, "program", m.app.p, m.app.n)))
			return rc;
	}
	if (m.msgid.n && (rc = addf(ev, "msgid", m.msgid.p, m.msgid.n)))
		return rc;
	if ((rc = sd_fields(ev, m.sd)))
		return rc;
	if ((rc = addf(ev, "message", m.msg.p, m.msg.n)))
		return rc;
	if (m.msg.n > 5 && !memcmp(m.msg.p, "type=", 5))
		return audit_pairs(ev, m.msg.p, m.msg.n, 0);
	enum cg_event_source src = cg_event_source_of(m.app.p, m.app.n, m.msg.p, m.msg.n);
	return cg_event_extract(ev, src, m.app.p, m.app.n, m.msg.p, m.msg.n);
}

int cg_event_line_time(const char *line, size_t len, const struct cg_time_ctx *ctx, struct cg_stamp *out)
{
	struct syslog_msg m;

	if (!line)
		return 0;
	if (syslog_parse(line, len, ctx, &m) == CG_OK && m.has_time) {
		*out = m.time;
		return 1;
	}
	return cg_time_parse(line, len, CG_TIME_LOG, ctx, out) || cg_time_find(line, len, ctx, out);
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
