/* fwd_render — see fwd_render.h. */
#include "fwd_render.h"

#include <inttypes.h>
#include <jansson.h>
#include <string.h>

#include "fwd_record.h"

uint32_t fwd_sequence_id(uint64_t seq)
{
	return (uint32_t)((seq - 1) % FWD_SEQUENCE_ID_MAX) + 1;
}

/* A header field: PRINTUSASCII, 1..max bytes, else the NILVALUE. */
static const char *header_field(const json_t *o, const char *key, size_t max, char *tmp, size_t tmpn)
{
	const char *s = json_string_value(json_object_get(o, key));
	size_t n;

	if (!s)
		return "-";
	n = strlen(s);
	if (n == 0)
		return "-";
	if (n > max)
		n = max;
	if (n >= tmpn)
		n = tmpn - 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		tmp[i] = c >= 33 && c <= 126 ? (char)c : '_';
	}
	tmp[n] = 0;
	return tmp;
}

/* An RFC 3339 stamp as RFC 5424 wants it (at most 6 fraction digits, an
 * upper-case T and Z); anything else gives the NILVALUE. */
static const char *header_time(const json_t *o, char *tmp, size_t tmpn)
{
	const char *s = json_string_value(json_object_get(o, "time"));
	size_t n;

	if (!s)
		s = json_string_value(json_object_get(o, "received"));
	if (!s)
		return "-";
	n = strlen(s);
	if (n < 20 || n >= tmpn || s[4] != '-' || s[10] != 'T')
		return "-";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= '0' && c <= '9') || c == '-' || c == ':' || c == '.' || c == 'T' || c == 'Z' || c == '+'))
			return "-";
	}
	memcpy(tmp, s, n + 1);
	return tmp;
}

static int sev_of_alert(const char *s)
{
	if (!s)
		return 5;
	if (!strcmp(s, "critical"))
		return 2;
	if (!strcmp(s, "high"))
		return 3;
	if (!strcmp(s, "medium"))
		return 4;
	if (!strcmp(s, "low"))
		return 5;
	return 6;
}

enum cg_err fwd_render_syslog(struct cg_buf *out, const void *rec, size_t n, uint64_t seq, int redelivery)
{
	char host[256], app[49], t[40], procid[24] = "-";
	const char *h = "-", *a = "-", *ts = "-", *msgid = "-";
	int pri = 1 * 8 + 5; /* user.notice when the record says nothing */
	json_t *o = json_loadb(rec, n, 0, NULL);
	char head[640];
	int hl;
	enum cg_err rc;

	if (o && json_is_object(o)) {
		const char *type = json_string_value(json_object_get(o, "type"));
		json_t *sev = json_object_get(o, "severity"), *fac = json_object_get(o, "facility");
		json_t *pid = json_object_get(o, "pid");
		h = header_field(o, "host", 255, host, sizeof host);
		a = header_field(o, "app", 48, app, sizeof app);
		ts = header_time(o, t, sizeof t);
		if (json_is_integer(pid) && json_integer_value(pid) >= 0)
			snprintf(procid, sizeof procid, "%" JSON_INTEGER_FORMAT, json_integer_value(pid));
		if (type && !strcmp(type, "alert")) {
			msgid = "alert";
			pri = 4 * 8 + sev_of_alert(json_string_value(sev));
		} else {
			int s = json_is_integer(sev) ? (int)json_integer_value(sev) : 5;
			int f = json_is_integer(fac) ? (int)json_integer_value(fac) : 1;
			if (s < 0 || s > 7)
				s = 5;
			if (f < 0 || f > 23)
				f = 1;
			pri = f * 8 + s;
			msgid = type && !strcmp(type, "event") ? "event" : "-";
		}
	}
	hl = snprintf(head, sizeof head,
	              "<%d>1 %s %s %s %s %s [meta sequenceId=\"%" PRIu32 "\"][canhgac@32473 seq=\"%" PRIu64 "\"%s] ",
	              pri, ts, h, a, procid, msgid, fwd_sequence_id(seq), seq, redelivery ? " redelivery=\"1\"" : "");
	json_decref(o);
	rc = cg_buf_printf(out, "%zu ", (size_t)hl + n);
	if (!rc)
		rc = cg_buf_append(out, head, (size_t)hl);
	if (!rc)
		rc = cg_buf_append(out, rec, n);
	return rc;
}

enum cg_err fwd_render_json(struct cg_buf *out, const void *rec, size_t n, uint64_t seq, int redelivery)
{
	const char *p = rec;
	size_t i = 0;
	enum cg_err rc;

	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	rc = cg_buf_printf(out, "{\"seq\":%" PRIu64 "%s", seq, redelivery ? ",\"redelivery\":true" : "");
	if (rc)
		return rc;
	if (i < n && p[i] == '{') {
		/* Validated once here so a bad record cannot break the whole batch. */
		json_t *o = json_loadb(p, n, 0, NULL);
		int ok = o && json_is_object(o);
		json_decref(o);
		if (ok) {
			size_t j = i + 1;
			while (j < n && (p[j] == ' ' || p[j] == '\t' || p[j] == '\r' || p[j] == '\n'))
				j++;
			if (j < n && p[j] != '}' && (rc = cg_buf_putc(out, ',')))
				return rc;
			return cg_buf_append(out, p + i + 1, n - i - 1);
		}
	}
	rc = cg_buf_puts(out, ",\"record\":");
	if (!rc)
		rc = fwd_json_str(out, p, n);
	if (!rc)
		rc = cg_buf_putc(out, '}');
	return rc;
}
