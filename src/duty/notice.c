/* Notices about alerts (see notice.h). */
#include "notice.h"

#include <gmime/gmime.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_i18n.h"
#include "cg_time.h"

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;
static void gmime_start(void)
{
	g_mime_init();
}

static void local_time(int64_t t, int offset, char *buf, size_t n)
{
	if (!t) {
		snprintf(buf, n, "-");
		return;
	}
	cg_time_format(t * CG_TIME_US_PER_S, offset, buf, n);
}

static void what_fired(const struct alert *a, char *buf, size_t n)
{
	if (a->kind == ALERT_KIND_INDICATOR)
		snprintf(buf, n, "%s%s%s%s", a->indicator, *a->sources ? " (" : "", a->sources, *a->sources ? ")" : "");
	else
		snprintf(buf, n, "%s", *a->title ? a->title : a->rule_id);
}

enum cg_err duty_notice_text(const struct duty_notice *n, struct cg_buf *subject, struct cg_buf *body)
{
	const struct alert *a = n->alert;
	char what[600], first[40], last[40];
	const char *host = *a->host ? a->host : "-";
	enum cg_err rc;

	what_fired(a, what, sizeof what);
	local_time(a->first_seen, n->offset, first, sizeof first);
	local_time(a->last_seen, n->offset, last, sizeof last);
	if (n->level == 0)
		rc = cg_buf_printf(subject, _("[canhgac] %s alert on %s: %s"), alert_severity_name(a->severity), host,
				   what);
	else if (n->provincial)
		rc = cg_buf_printf(subject, _("[canhgac] Escalated to the provincial team: %s alert on %s: %s"),
				   alert_severity_name(a->severity), host, what);
	else
		rc = cg_buf_printf(subject, _("[canhgac] Escalation level %d: %s alert on %s: %s"), n->level,
				   alert_severity_name(a->severity), host, what);
	if (rc)
		return rc;
	/* One line, whatever the alert's text held. */
	for (size_t i = 0; i < subject->len; i++)
		if (subject->data[i] == '\r' || subject->data[i] == '\n' || subject->data[i] == '\t')
			subject->data[i] = ' ';
	if ((rc = cg_buf_printf(body, _("Hello %s,\n\n"), n->person)))
		return rc;
	if (n->level == 0)
		rc = cg_buf_puts(body, _("You are on duty and this alert needs you.\n\n"));
	else
		rc = cg_buf_printf(body,
				   _("Nobody acknowledged this alert in time; it is escalated to you (level %d%s%s).\n\n"),
				   n->level, *n->level_name ? ": " : "", n->level_name);
	if (rc)
		return rc;
	if ((rc = cg_buf_printf(body, _("Alert:     %s\n"), a->id)) ||
	    (rc = cg_buf_printf(body, _("What:      %s %s\n"), alert_kind_name(a->kind), what)) ||
	    (rc = cg_buf_printf(body, _("Severity:  %s\n"), alert_severity_name(a->severity))) ||
	    (rc = cg_buf_printf(body, _("Host:      %s\n"), host)))
		return rc;
	if (*a->system && (rc = cg_buf_printf(body, _("System:    %s (level %d)\n"), a->system, a->security_level)))
		return rc;
	if ((rc = cg_buf_printf(body, _("Count:     %llu, first seen %s, last seen %s\n"), (unsigned long long)a->count,
				first, last)) ||
	    (rc = cg_buf_printf(body, _("State:     %s\n\n"), alert_state_name(a->state))) ||
	    (rc = cg_buf_printf(body, _("Acknowledge it with: canhgac duty ack %s --by YOUR-KEY\n"), a->id)) ||
	    (rc = cg_buf_printf(body, _("Details: canhgac alert show %s\n"), a->id)))
		return rc;
	return CG_OK;
}

/* RFC 5322 date-time: English day and month names, numeric zone. */
static void mail_date(int64_t t, int offset, char *buf, size_t n)
{
	static const char *const days[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	int64_t lt = t + (int64_t)offset * 60;
	int64_t day = lt / 86400 - (lt % 86400 < 0), sec = lt - day * 86400;
	int y, m, d, off = offset < 0 ? -offset : offset;
	cg_civil_from_days(day, &y, &m, &d);
	snprintf(buf, n, "%s, %02d %s %04d %02d:%02d:%02d %c%02d%02d", days[((day % 7) + 7) % 7], d, months[m - 1], y,
		 (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60), offset < 0 ? '-' : '+', off / 60, off % 60);
}

/* "Subject: " and the encoded words, folded before 78 columns. */
static enum cg_err put_subject(struct cg_buf *out, const char *subject)
{
	char *enc;
	size_t col;
	enum cg_err rc;

	pthread_once(&gmime_once, gmime_start);
	if (!(enc = g_mime_utils_header_encode_text(NULL, subject, "utf-8")))
		return cg_err_set(CG_EINTERNAL, _("duty: cannot encode the subject"));
	if ((rc = cg_buf_puts(out, "Subject:")))
		goto out;
	col = 8;
	for (char *p = enc; *p;) {
		while (*p == ' ')
			p++;
		size_t w = strcspn(p, " ");
		if (!w)
			break;
		if (col > 8 && col + 1 + w > 76) {
			if ((rc = cg_buf_puts(out, "\r\n")))
				goto out;
			col = 0;
		}
		if ((rc = cg_buf_putc(out, ' ')) || (rc = cg_buf_append(out, p, w)))
			goto out;
		col += 1 + w;
		p += w;
	}
	rc = cg_buf_puts(out, "\r\n");
out:
	g_free(enc);
	return rc;
}

enum cg_err duty_notice_email(const char *from, const char *to, const char *subject, const char *body,
			      const char *msgid_key, int64_t now, int offset, struct cg_buf *out)
{
	const char *domain = strchr(from, '@');
	char date[64];
	unsigned char line[80];
	enum cg_err rc;
	size_t n = strlen(body);

	mail_date(now, offset, date, sizeof date);
	if ((rc = cg_buf_printf(out, "Date: %s\r\nFrom: <%s>\r\nTo: <%s>\r\n", date, from, to)) ||
	    (rc = put_subject(out, subject)) ||
	    (rc = cg_buf_printf(out, "Message-ID: <%s@%s>\r\n", msgid_key, domain ? domain + 1 : "canhgac.invalid")) ||
	    (rc = cg_buf_puts(out, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
				   "Content-Transfer-Encoding: base64\r\nAuto-Submitted: auto-generated\r\n"
				   "X-Mailer: canhgac\r\n\r\n")))
		return rc;
	/* 57 bytes make a 76-character base64 line. */
	for (size_t i = 0; i < n; i += 57) {
		int k = EVP_EncodeBlock(line, (const unsigned char *)body + i, (int)(n - i < 57 ? n - i : 57));
		if ((rc = cg_buf_append(out, line, (size_t)k)) || (rc = cg_buf_puts(out, "\r\n")))
			return rc;
	}
	return CG_OK;
}

/* Cut `s` to at most `max` characters at a character boundary. */
static size_t utf8_prefix(const char *s, size_t len, size_t max)
{
	size_t i = 0, chars = 0;
	while (i < len && chars < max) {
		unsigned char c = (unsigned char)s[i];
		size_t w = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (i + w > len)
			break;
		i += w;
		chars++;
	}
	return i;
}

static json_t *alert_object(const struct alert *a)
{
	char what[600], first[32], last[32];
	what_fired(a, what, sizeof what);
	local_time(a->first_seen, 0, first, sizeof first);
	local_time(a->last_seen, 0, last, sizeof last);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "id", a->id, "kind", alert_kind_name(a->kind),
			 "severity", alert_severity_name(a->severity), "state", alert_state_name(a->state), "host",
			 a->host, "what", what, "count", (json_int_t)a->count, "first_seen", first, "last_seen", last);
}

enum cg_err duty_notice_json(enum duty_channel_kind kind, const struct duty_notice *n, const char *to,
			     const char *subject, const char *body, struct cg_buf *out)
{
	json_t *o = NULL;
	char *text = NULL, *dump;
	enum cg_err rc;

	if (asprintf(&text, "%s\n\n%s", subject, body) < 0)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	switch (kind) {
	case DUTY_CH_TELEGRAM: {
		char *end;
		long long id = strtoll(to, &end, 10);
		size_t len = utf8_prefix(text, strlen(text), DUTY_TELEGRAM_TEXT_MAX);
		o = json_pack("{s:o, s:s%}", "chat_id", *to && !*end ? json_integer(id) : json_string(to), "text", text,
			      len);
		break;
	}
	case DUTY_CH_MATTERMOST:
		o = json_pack("{s:s, s:s}", "text", text, "username", "canhgac");
		if (o && *to)
			json_object_set_new(o, "channel", json_string(to));
		break;
	default:
		o = json_pack("{s:s, s:o, s:i, s:b, s:s, s:s, s:s}", "source", "canhgac", "alert", alert_object(n->alert),
			      "level", n->level, "provincial", n->provincial, "person", n->person, "subject", subject,
			      "text", body);
		break;
	}
	free(text);
	if (!o)
		return cg_err_set(CG_EINVAL, _("duty: the notice is not valid UTF-8"));
	dump = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!dump)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	rc = cg_buf_puts(out, dump);
	free(dump);
	return rc;
}
