/* notice — what the person on duty receives about an alert: the subject
 * and text (through gettext, in the language the process runs in), the
 * e-mail around them (RFC 5322 headers, the subject as RFC 2047 encoded
 * words, a UTF-8 text body in base64) and the JSON bodies of the webhook
 * kinds (generic, Telegram sendMessage, Mattermost incoming webhook).
 * Pure: no I/O, no clock. */
#ifndef CG_DUTY_NOTICE_H
#define CG_DUTY_NOTICE_H

#include <stdint.h>

#include "alert.h"
#include "cg_buf.h"
#include "cg_err.h"
#include "roster.h"

/* Telegram caps a message at 4096 characters. */
#define DUTY_TELEGRAM_TEXT_MAX 4096

struct duty_notice {
	const struct alert *alert;
	int level;             /* 0: on duty; k: escalation level k */
	int provincial;
	const char *level_name; /* "" when none */
	const char *person;    /* display name of the addressee */
	int64_t now;           /* seconds since the epoch */
	int offset;            /* minutes east of UTC for times shown */
};

/* Subject (one line) and text of the notice, appended to the buffers. */
enum cg_err duty_notice_text(const struct duty_notice *n, struct cg_buf *subject, struct cg_buf *body) CG_MUST_CHECK;

/* The whole e-mail, CRLF line ends, appended to `out`. The Message-ID is
 * made from `msgid_key` and the From domain, so the same notice sent again
 * carries the same id. */
enum cg_err duty_notice_email(const char *from, const char *to, const char *subject, const char *body,
			      const char *msgid_key, int64_t now, int offset, struct cg_buf *out) CG_MUST_CHECK;

/* The JSON body a webhook channel of `kind` receives (`to`: Telegram chat
 * id, Mattermost channel override or ""), appended to `out`. */
enum cg_err duty_notice_json(enum duty_channel_kind kind, const struct duty_notice *n, const char *to,
			     const char *subject, const char *body, struct cg_buf *out) CG_MUST_CHECK;

#endif
