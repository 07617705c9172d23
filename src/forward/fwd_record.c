/* fwd_record — see fwd_record.h. */
#include "fwd_record.h"
#include "cg_i18n.h"

#include <inttypes.h>
#include <string.h>

#include "alert.h"
#include "cg_event.h"
#include "cg_time.h"
#include "cg_utf8.h"

enum cg_err fwd_json_str(struct cg_buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;
	enum cg_err rc;

	if ((rc = cg_buf_putc(out, '"')))
		return rc;
	while (i < n) {
		unsigned char c = p[i];
		size_t k = 1;
		char esc[7];
		size_t elen = 0;

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			run++;
			continue;
		}
		if (c >= 0x80) {
			k = cg_utf8_len(p + i, n - i);
			if (k > 0) {
				i += k;
				run += k;
				continue;
			}
			k = 1; /* not UTF-8: keep the byte as \u00XX */
		}
		if (run && (rc = cg_buf_append(out, p + i - run, run)))
			return rc;
		run = 0;
		if (c == '"' || c == '\\') {
			esc[0] = '\\', esc[1] = (char)c, elen = 2;
		} else if (c == '\n') {
			esc[0] = '\\', esc[1] = 'n', elen = 2;
		} else if (c == '\r') {
			esc[0] = '\\', esc[1] = 'r', elen = 2;
		} else if (c == '\t') {
			esc[0] = '\\', esc[1] = 't', elen = 2;
		} else {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			elen = 6;
		}
		if ((rc = cg_buf_append(out, esc, elen)))
			return rc;
		i += k;
	}
	if (run && (rc = cg_buf_append(out, p + n - run, run)))
		return rc;
	return cg_buf_putc(out, '"');
}

static enum cg_err put_key(struct cg_buf *out, const char *key)
{
	enum cg_err rc = cg_buf_putc(out, ',');
	if (!rc)
		rc = fwd_json_str(out, key, strlen(key));
	if (!rc)
		rc = cg_buf_putc(out, ':');
	return rc;
}

static enum cg_err put_str(struct cg_buf *out, const char *key, const char *s, size_t n)
{
	enum cg_err rc = put_key(out, key);
	return rc ? rc : fwd_json_str(out, s, n);
}

/* A string member only when `s` is set and not empty. */
static enum cg_err put_opt(struct cg_buf *out, const char *key, const char *s)
{
	if (!s || !*s)
		return CG_OK;
	return put_str(out, key, s, strlen(s));
}

static enum cg_err put_int(struct cg_buf *out, const char *key, long long v)
{
	enum cg_err rc = put_key(out, key);
	return rc ? rc : cg_buf_printf(out, "%lld", v);
}

static enum cg_err put_time(struct cg_buf *out, const char *key, int64_t us, int offset_min)
{
	char t[48];
	cg_time_format(us, offset_min, t, sizeof t);
	return put_str(out, key, t, strlen(t));
}

static int same_name(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && memcmp(a, b, an) == 0;
}

static enum cg_err put_fields(struct cg_buf *out, const struct cg_event *ev)
{
	size_t count = cg_event_count(ev);
	int first = 1;
	enum cg_err rc;

	if (count == 0)
		return CG_OK;
	if ((rc = put_key(out, "fields")) || (rc = cg_buf_putc(out, '{')))
		return rc;
	for (size_t i = 0; i < count; i++) {
		const char *name, *value, *n2, *v2;
		size_t nl, vl, n2l, v2l, seen = 0, more = 0;

		cg_event_field(ev, i, &name, &nl, &value, &vl);
		for (size_t j = 0; j < i && !seen; j++) {
			cg_event_field(ev, j, &n2, &n2l, &v2, &v2l);
			seen = same_name(name, nl, n2, n2l);
		}
		if (seen)
			continue; /* written with its first occurrence */
		for (size_t j = i + 1; j < count; j++) {
			cg_event_field(ev, j, &n2, &n2l, &v2, &v2l);
			more += same_name(name, nl, n2, n2l);
		}
		if (!first && (rc = cg_buf_putc(out, ',')))
			return rc;
		first = 0;
		if ((rc = fwd_json_str(out, name, nl)) || (rc = cg_buf_putc(out, ':')))
			return rc;
		if (!more) {
			if ((rc = fwd_json_str(out, value, vl)))
				return rc;
			continue;
		}
		if ((rc = cg_buf_putc(out, '[')) || (rc = fwd_json_str(out, value, vl)))
			return rc;
		for (size_t j = i + 1; j < count; j++) {
			cg_event_field(ev, j, &n2, &n2l, &v2, &v2l);
			if (same_name(name, nl, n2, n2l) &&
			    ((rc = cg_buf_putc(out, ',')) || (rc = fwd_json_str(out, v2, v2l))))
				return rc;
		}
		if ((rc = cg_buf_putc(out, ']')))
			return rc;
	}
	return cg_buf_putc(out, '}');
}

enum cg_err fwd_record_event(const struct cg_event *ev, const char *raw, size_t raw_n, const char *source,
                             struct cg_buf *out)
{
	const char *msg;
	size_t msg_n;
	enum cg_err rc;

	cg_buf_reset(out);
	rc = cg_buf_puts(out, "{\"type\":\"event\"");
	if (!rc && cg_event_has_time(ev))
		rc = put_time(out, "time", cg_event_time_us(ev), cg_event_time_offset(ev));
	if (!rc)
		rc = put_time(out, "received", cg_event_received_us(ev), 0);
	if (!rc)
		rc = put_opt(out, "host", cg_event_host(ev));
	if (!rc)
		rc = put_opt(out, "app", cg_event_program(ev));
	if (!rc && cg_event_pid(ev) >= 0)
		rc = put_int(out, "pid", cg_event_pid(ev));
	if (!rc && cg_event_severity(ev) >= 0)
		rc = put_int(out, "severity", cg_event_severity(ev));
	if (!rc && cg_event_facility(ev) >= 0)
		rc = put_int(out, "facility", cg_event_facility(ev));
	if (!rc && cg_event_message(ev, &msg, &msg_n))
		rc = put_str(out, "message", msg, msg_n);
	if (!rc)
		rc = put_fields(out, ev);
	if (!rc && raw)
		rc = put_str(out, "raw", raw, raw_n);
	if (!rc)
		rc = put_opt(out, "source", source);
	if (!rc)
		rc = cg_buf_putc(out, '}');
	return rc ? cg_err_prefix(rc, _("forward record")) : CG_OK;
}

enum cg_err fwd_record_alert(const struct alert *a, struct cg_buf *out)
{
	enum cg_err rc;

	cg_buf_reset(out);
	rc = cg_buf_puts(out, "{\"type\":\"alert\"");
	if (!rc)
		rc = put_opt(out, "id", a->id);
	if (!rc)
		rc = put_opt(out, "kind", alert_kind_name(a->kind));
	if (!rc)
		rc = put_opt(out, "severity", alert_severity_name(a->severity));
	if (!rc)
		rc = put_opt(out, "state", alert_state_name(a->state));
	if (!rc)
		rc = put_opt(out, "rule_id", a->rule_id);
	if (!rc)
		rc = put_opt(out, "title", a->title);
	if (!rc)
		rc = put_opt(out, "level", a->level);
	if (!rc)
		rc = put_opt(out, "indicator", a->indicator);
	if (!rc)
		rc = put_opt(out, "indicator_type", a->indicator_type);
	if (!rc)
		rc = put_opt(out, "sources", a->sources);
	if (!rc)
		rc = put_opt(out, "family", a->family);
	if (!rc)
		rc = put_opt(out, "host", a->host);
	if (!rc && a->host_id > 0)
		rc = put_int(out, "host_id", a->host_id);
	if (!rc)
		rc = put_opt(out, "system", a->system);
	if (!rc && a->security_level > 0)
		rc = put_int(out, "security_level", a->security_level);
	if (!rc)
		rc = put_int(out, "count", (long long)a->count);
	if (!rc && a->first_seen)
		rc = put_time(out, "first_seen", a->first_seen * 1000000, 0);
	if (!rc && a->last_seen)
		rc = put_time(out, "last_seen", a->last_seen * 1000000, 0);
	if (!rc && a->state_by && *a->state_by)
		rc = put_opt(out, "state_by", a->state_by);
	if (!rc)
		rc = cg_buf_putc(out, '}');
	return rc ? cg_err_prefix(rc, _("forward record")) : CG_OK;
}
