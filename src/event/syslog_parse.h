/* syslog_parse — the one syslog header parser: RFC 5424 and RFC 3164 (BSD)
 * messages, and RFC 6587 framing over a byte stream (octet counting and
 * newline-terminated frames). Pure: bytes in, borrowed spans or an error
 * out; the framer keeps a buffer no larger than its cap.
 *
 * RFC 5424 is read strictly (field lengths, PRINTUSASCII, structured-data
 * grammar). RFC 3164 is read the way real devices write it: PRI optional
 * (files written by rsyslog/syslog-ng lack it), stamp "Mmm dd hh:mm:ss",
 * Cisco ASA "Mmm dd yyyy hh:mm:ss" or ISO 8601 (rsyslog's file format),
 * host optional ("sshd[1]:" or "kernel:" right after the stamp is the tag),
 * TAG up to '[' ':' or space, "[pid]", ": ". */
#ifndef SYSLOG_PARSE_H
#define SYSLOG_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"
#include "cg_time.h"

/* Longest message accepted (RFC 5424 §6.1 lets receivers choose; this is
 * the hunt's line cap). */
#define SYSLOG_MSG_MAX ((size_t)64 << 10)

/* A piece of the input; n == 0 means absent (or NILVALUE "-"). */
struct syslog_span {
	const char *p;
	size_t n;
};

struct syslog_msg {
	int pri;                 /* 0..191, -1 when the message has none */
	int facility, severity;  /* pri / 8 and pri % 8, -1 without PRI */
	int version;             /* 1: RFC 5424; 0: RFC 3164 */
	int has_time;            /* 0 for NILVALUE, or a stamp out of range */
	struct cg_stamp time;
	struct syslog_span host, app, procid, msgid;
	struct syslog_span sd;   /* RFC 5424 structured data as written */
	struct syslog_span msg;  /* without a UTF-8 BOM or trailing CR/LF */
	long pid;                /* procid when it is a decimal number, else -1 */
};

/* Parse one message s[0..n). Spans borrow `s`. CG_EPARSE ("no syslog
 * header", "RFC 5424: APP-NAME longer than 48 bytes", ...) when it is not a
 * syslog message, CG_ELIMIT past SYSLOG_MSG_MAX. `ctx` gives the zone of
 * zone-less stamps and the reference for RFC 3164 years; with NULL the
 * header is read the same but has_time stays 0. */
enum cg_err syslog_parse(const char *s, size_t n, const struct cg_time_ctx *ctx, struct syslog_msg *out) CG_MUST_CHECK;

/* One SD-PARAM (or, with name.n == 0, an SD-ELEMENT without params).
 * `value` is unescaped (\" \\ \] per RFC 5424 §6.3.3) and borrowed until
 * the callback returns. Non-zero stops the walk. */
typedef int (*syslog_sd_cb)(void *ud, struct syslog_span id, struct syslog_span name, struct syslog_span value);
/* Walk structured data checked by syslog_parse. `scratch` must hold
 * sd.n bytes. */
enum cg_err syslog_sd_foreach(struct syslog_span sd, char *scratch, size_t scratch_n, syslog_sd_cb cb,
			      void *ud) CG_MUST_CHECK;

/* ---- RFC 6587 framing ---- */

/* The next frame in buf[0..len): octet counting ("123 <34>1 ...") when the
 * frame starts with a digit, else non-transparent framing ended by LF
 * (a CR before it and a NUL trailer are dropped). Returns CG_OK and sets
 * *frame and *frame_n (borrowing buf) and *used (bytes to drop), or CG_OK with
 * *used = 0 when more bytes are needed; CG_ELIMIT when a frame is longer
 * than `max` (for LF framing *used then skips through the next LF, or the
 * whole buffer), CG_EPARSE for a bad octet count. With `at_end` a final
 * frame without LF is returned. */
enum cg_err syslog_frame_next(const char *buf, size_t len, size_t max, int at_end, const char **frame,
			      size_t *frame_n, size_t *used) CG_MUST_CHECK;

/* A framer over a stream (a TCP connection): keeps at most `max` + 16
 * bytes of an unfinished frame. */
struct syslog_framer;
typedef int (*syslog_frame_cb)(void *ud, const char *frame, size_t n);
enum cg_err syslog_framer_new(size_t max, struct syslog_framer **out) CG_MUST_CHECK;
void syslog_framer_free(struct syslog_framer *f); /* NULL is a no-op */
/* Feed bytes; `cb` gets each complete frame (borrowed until it returns;
 * non-zero from it stops with CG_OK). An over-long LF frame is skipped and
 * reported as CG_ELIMIT once, after which feeding may go on; a bad or
 * over-long octet count leaves the framer failed (close the connection). */
enum cg_err syslog_framer_feed(struct syslog_framer *f, const void *data, size_t n, syslog_frame_cb cb,
			       void *ud) CG_MUST_CHECK;
/* Truncating mode (off by default): an over-long frame, LF or
 * octet-counted, is delivered cut to `max` bytes and the rest of it
 * skipped, the stream staying in sync; feeding then returns CG_OK for it.
 * Inside the callback syslog_framer_cut() says whether the frame it got was
 * cut. */
void syslog_framer_set_truncate(struct syslog_framer *f, int on);
int syslog_framer_cut(const struct syslog_framer *f);
/* End of stream: a last LF-less frame is delivered; a cut octet-counted
 * frame is CG_EPARSE. */
enum cg_err syslog_framer_finish(struct syslog_framer *f, syslog_frame_cb cb, void *ud) CG_MUST_CHECK;

#endif
