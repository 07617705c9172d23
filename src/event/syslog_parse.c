/* The one syslog parser (see syslog_parse.h). RFC 5424 §6 grammar; RFC 3164
 * §4.1 as devices really write it; RFC 6587 §3.4 framing. */
#include "syslog_parse.h"

#include <stdlib.h>
#include <string.h>

#include "cg_i18n.h"

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* PRINTUSASCII: %d33-126. */
static int is_print(char c)
{
	return c >= 33 && c <= 126;
}

/* ------------------------------------------------------------ header */

/* "<PRI>": 1..3 digits, 0..191. Returns bytes taken, 0 when absent. */
static size_t parse_pri(const char *s, size_t n, int *pri)
{
	size_t j = 1;
	int v = 0;
	if (n < 3 || s[0] != '<')
		return 0;
	while (j < n && j <= 3 && is_digit(s[j]))
		v = v * 10 + (s[j++] - '0');
	if (j == 1 || j >= n || s[j] != '>' || v > 191)
		return 0;
	*pri = v;
	return j + 1;
}

/* A header field of RFC 5424: 1..max PRINTUSASCII, "-" is NILVALUE. */
static enum cg_err field5424(const char *s, size_t n, size_t *i, size_t max, const char *what,
			     struct syslog_span *out)
{
	size_t st = *i;
	while (*i < n && s[*i] != ' ') {
		if (!is_print(s[*i]))
			return cg_err_set(CG_EPARSE, _("RFC 5424: %s: byte 0x%02x is not printable US-ASCII"), what,
					  (unsigned char)s[*i]);
		(*i)++;
	}
	size_t len = *i - st;
	if (len == 0)
		return cg_err_set(CG_EPARSE, _("RFC 5424: %s is missing"), what);
	if (len > max)
		return cg_err_set(CG_EPARSE, _("RFC 5424: %s longer than %zu bytes"), what, max);
	if (*i >= n || s[*i] != ' ')
		return cg_err_set(CG_EPARSE, _("RFC 5424: the header ends after %s"), what);
	(*i)++;
	out->p = len == 1 && s[st] == '-' ? NULL : s + st;
	out->n = out->p ? len : 0;
	return CG_OK;
}

/* SD-NAME: 1..32 PRINTUSASCII except '=', SP, ']', '"'. */
static size_t sd_name(const char *s, size_t n, size_t i)
{
	size_t st = i;
	while (i < n && is_print(s[i]) && s[i] != '=' && s[i] != ']' && s[i] != '"')
		i++;
	return i - st <= 32 ? i - st : 0;
}

/* One PARAM-VALUE after its opening quote: up to the unescaped '"'. */
static size_t sd_value_end(const char *s, size_t n, size_t i)
{
	while (i < n && s[i] != '"')
		i += s[i] == '\\' && i + 1 < n ? 2 : 1;
	return i;
}

/* STRUCTURED-DATA = NILVALUE / 1*SD-ELEMENT; sets *i past it. */
static enum cg_err check_sd(const char *s, size_t n, size_t *i)
{
	if (*i < n && s[*i] == '-') {
		(*i)++;
		return CG_OK;
	}
	if (*i >= n || s[*i] != '[')
		return cg_err_set(CG_EPARSE, _("RFC 5424: structured data must be '-' or start with '['"));
	while (*i < n && s[*i] == '[') {
		size_t k = sd_name(s, n, *i + 1);
		if (!k)
			return cg_err_set(CG_EPARSE, _("RFC 5424: structured data: bad SD-ID at byte %zu"), *i + 1);
		*i += 1 + k;
		while (*i < n && s[*i] == ' ') {
			size_t p = *i + 1;
			if (!(k = sd_name(s, n, p)) || p + k + 1 >= n || s[p + k] != '=' || s[p + k + 1] != '"')
				return cg_err_set(CG_EPARSE, _("RFC 5424: structured data: bad SD-PARAM at byte %zu"), p);
			size_t e = sd_value_end(s, n, p + k + 2);
			if (e >= n)
				return cg_err_set(CG_EPARSE, _("RFC 5424: structured data: unterminated value at byte %zu"),
						  p + k + 2);
			*i = e + 1;
		}
		if (*i >= n || s[*i] != ']')
			return cg_err_set(CG_EPARSE, _("RFC 5424: structured data: ']' expected at byte %zu"), *i);
		(*i)++;
	}
	return CG_OK;
}

static enum cg_err parse5424(const char *s, size_t n, size_t i, const struct cg_time_ctx *ctx, struct syslog_msg *m)
{
	enum cg_err rc;
	struct syslog_span ts;
	size_t st;

	m->version = 1;
	if ((rc = field5424(s, n, &i, 64, "TIMESTAMP", &ts)))
		return rc;
	if (ts.n) {
		static const struct cg_time_ctx utc = {0, 0};
		if (cg_time_parse(ts.p, ts.n, CG_TIME_ISO, ctx ? ctx : &utc, &m->time) != ts.n)
			return cg_err_set(CG_EPARSE, _("RFC 5424: '%.*s' is not a valid TIMESTAMP"), (int)ts.n, ts.p);
		m->has_time = ctx != NULL;
	}
	if ((rc = field5424(s, n, &i, 255, "HOSTNAME", &m->host)) || (rc = field5424(s, n, &i, 48, "APP-NAME", &m->app)) ||
	    (rc = field5424(s, n, &i, 128, "PROCID", &m->procid)) || (rc = field5424(s, n, &i, 32, "MSGID", &m->msgid)))
		return rc;
	st = i;
	if ((rc = check_sd(s, n, &i)))
		return rc;
	if (s[st] == '[') {
		m->sd.p = s + st;
		m->sd.n = i - st;
	}
	if (i < n && s[i] != ' ')
		return cg_err_set(CG_EPARSE, _("RFC 5424: a space must follow the structured data"));
	if (i < n)
		i++;
	if (n - i >= 3 && !memcmp(s + i, "\xEF\xBB\xBF", 3))
		i += 3;
	m->msg.p = s + i;
	m->msg.n = n - i;
	return CG_OK;
}

/* RFC 3164 HOSTNAME: letters, digits, '-', '.', '_', ':' (IPv6). A token
 * ending in ':' without another ':' in it ("sshd:") is the TAG. */
static size_t host3164(const char *s, size_t n, size_t i)
{
	size_t st = i;
	while (i < n && s[i] != ' ') {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' || c == '.' ||
		      c == '_' || c == ':'))
			return 0;
		i++;
	}
	size_t len = i - st;
	if (len == 0 || len > 255 || (len == 1 && s[st] == '-'))
		return 0;
	if (s[i - 1] == ':' && !(len > 2 && memchr(s + st, ':', len - 1)))
		return 0;
	return len;
}

static enum cg_err parse3164(const char *s, size_t n, size_t i, const struct cg_time_ctx *ctx, struct syslog_msg *m)
{
	/* Without a context the header is still read (for its host), only the
	 * time is left out; any reference year recognises the stamp. */
	static const struct cg_time_ctx any = {946684800 /* 2000-01-01 */, 0};
	size_t k = cg_time_parse(s + i, n - i, CG_TIME_BSD | CG_TIME_ISO, ctx ? ctx : &any, &m->time);
	if (!k)
		return cg_err_set(CG_EPARSE, _("no syslog header"));
	m->has_time = ctx != NULL;
	i += k;
	if (i < n && s[i] == ':') {
		i++; /* Cisco ASA without a host: "11:32:42: %ASA-..." */
	} else {
		while (i < n && s[i] == ' ')
			i++;
		size_t hn = host3164(s, n, i);
		if (hn && i + hn < n) {
			m->host.p = s + i;
			m->host.n = hn;
			i += hn;
		}
	}
	while (i < n && s[i] == ' ')
		i++;
	size_t ts = i;
	while (i < n && s[i] != ':' && s[i] != ' ' && s[i] != '[')
		i++;
	m->app.p = s + ts;
	m->app.n = i - ts;
	if (i < n && s[i] == '[') {
		const char *end = memchr(s + i, ']', n - i);
		if (end) {
			m->procid.p = s + i + 1;
			m->procid.n = (size_t)(end - s) - i - 1;
			i = (size_t)(end - s) + 1;
		}
	}
	if (i < n && s[i] == ':')
		i++;
	while (i < n && s[i] == ' ')
		i++;
	m->msg.p = s + i;
	m->msg.n = n - i;
	return CG_OK;
}

enum cg_err syslog_parse(const char *s, size_t n, const struct cg_time_ctx *ctx, struct syslog_msg *out)
{
	size_t i;

	memset(out, 0, sizeof *out);
	out->pri = out->facility = out->severity = -1;
	out->pid = -1;
	if (!s)
		return cg_err_set(CG_EPARSE, _("no syslog header"));
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == '\0'))
		n--;
	if (n > SYSLOG_MSG_MAX)
		return cg_err_set(CG_ELIMIT, _("syslog message longer than %zu bytes"), SYSLOG_MSG_MAX);
	i = parse_pri(s, n, &out->pri);
	if (i) {
		out->facility = out->pri / 8;
		out->severity = out->pri % 8;
	}
	/* VERSION "1" then SP: RFC 5424 (no other version exists). */
	enum cg_err rc = i + 2 < n && s[i] == '1' && s[i + 1] == ' ' ? parse5424(s, n, i + 2, ctx, out)
								      : parse3164(s, n, i, ctx, out);
	if (rc) {
		int pri = out->pri;
		memset(out, 0, sizeof *out);
		out->pri = pri;
		out->facility = pri >= 0 ? pri / 8 : -1;
		out->severity = pri >= 0 ? pri % 8 : -1;
		out->pid = -1;
		return rc;
	}
	if (out->procid.n && out->procid.n <= 10) {
		long v = 0;
		size_t k;
		for (k = 0; k < out->procid.n && is_digit(out->procid.p[k]); k++)
			v = v * 10 + (out->procid.p[k] - '0');
		out->pid = k == out->procid.n ? v : -1;
	}
	return CG_OK;
}

enum cg_err syslog_sd_foreach(struct syslog_span sd, char *scratch, size_t scratch_n, syslog_sd_cb cb, void *ud)
{
	const char *s = sd.p;
	size_t n = sd.n, i = 0;

	if (!n)
		return CG_OK;
	if (scratch_n < n)
		return cg_err_set(CG_EINVAL, _("structured data: scratch buffer too small"));
	while (i < n && s[i] == '[') {
		struct syslog_span id = {s + i + 1, sd_name(s, n, i + 1)}, none = {NULL, 0};
		int params = 0;
		if (!id.n)
			return cg_err_set(CG_EPARSE, _("RFC 5424: structured data: bad SD-ID at byte %zu"), i + 1);
		i += 1 + id.n;
		while (i < n && s[i] == ' ') {
			struct syslog_span name = {s + i + 1, sd_name(s, n, i + 1)};
			size_t v = i + 1 + name.n + 2, e, o = 0;
			if (!name.n || v > n || s[v - 2] != '=' || s[v - 1] != '"' || (e = sd_value_end(s, n, v)) >= n)
				return cg_err_set(CG_EPARSE, _("RFC 5424: structured data: bad SD-PARAM at byte %zu"), i + 1);
			for (size_t k = v; k < e; k++) {
				if (s[k] == '\\' && k + 1 < e && (s[k + 1] == '"' || s[k + 1] == '\\' || s[k + 1] == ']'))
					k++;
				scratch[o++] = s[k];
			}
			params = 1;
			if (cb(ud, id, name, (struct syslog_span){scratch, o}))
				return CG_OK;
			i = e + 1;
		}
		if (i >= n || s[i] != ']')
			return cg_err_set(CG_EPARSE, _("RFC 5424: structured data: ']' expected at byte %zu"), i);
		i++;
		if (!params && cb(ud, id, none, none))
			return CG_OK;
	}
	return CG_OK;
}

/* ------------------------------------------------------------ framing */

enum cg_err syslog_frame_next(const char *buf, size_t len, size_t max, int at_end, const char **frame,
			      size_t *frame_n, size_t *used)
{
	*used = 0;
	*frame = NULL;
	*frame_n = 0;
	if (!len)
		return CG_OK;
	if (is_digit(buf[0])) {
		/* MSG-LEN = NONZERO-DIGIT *DIGIT, then SP. */
		size_t i = 0, v = 0;
		if (buf[0] == '0')
			return cg_err_set(CG_EPARSE, _("RFC 6587: octet count starts with 0"));
		while (i < len && is_digit(buf[i])) {
			if (i >= 9)
				return cg_err_set(CG_EPARSE, _("RFC 6587: octet count too long"));
			v = v * 10 + (size_t)(buf[i++] - '0');
		}
		if (v > max)
			return cg_err_set(CG_ELIMIT, _("RFC 6587: frame of %zu bytes is larger than %zu"), v, max);
		if (i == len)
			return at_end ? cg_err_set(CG_EPARSE, _("RFC 6587: stream ends inside a frame")) : CG_OK;
		if (buf[i] != ' ')
			return cg_err_set(CG_EPARSE, _("RFC 6587: a space must follow the octet count"));
		if (len - i - 1 < v)
			return at_end ? cg_err_set(CG_EPARSE, _("RFC 6587: stream ends inside a frame")) : CG_OK;
		*frame = buf + i + 1;
		*frame_n = v;
		*used = i + 1 + v;
		return CG_OK;
	}
	const char *nl = memchr(buf, '\n', len < max + 2 ? len : max + 2);
	size_t n;
	if (nl) {
		n = (size_t)(nl - buf);
		*used = n + 1;
	} else if (len > max + 1) {
		/* Over-long: drop up to the next LF (or all we have). */
		nl = memchr(buf, '\n', len);
		*used = nl ? (size_t)(nl - buf) + 1 : len;
		return cg_err_set(CG_ELIMIT, _("RFC 6587: frame longer than %zu bytes"), max);
	} else if (at_end) {
		n = len;
		*used = len;
	} else {
		return CG_OK;
	}
	while (n && (buf[n - 1] == '\r' || buf[n - 1] == '\0'))
		n--;
	if (n > max) {
		*frame = NULL;
		return cg_err_set(CG_ELIMIT, _("RFC 6587: frame longer than %zu bytes"), max);
	}
	*frame = buf;
	*frame_n = n;
	return CG_OK;
}

struct syslog_framer {
	char *buf;
	size_t len, cap, max;
	int skipping; /* inside an over-long LF frame: drop up to the next LF */
	int failed;
	int truncate;      /* deliver over-long frames cut to max (syslog_framer_set_truncate) */
	int cut;           /* the frame being delivered was cut */
	size_t skip_n;     /* bytes left of a cut octet-counted frame */
};

void syslog_framer_set_truncate(struct syslog_framer *f, int on)
{
	f->truncate = on != 0;
}

int syslog_framer_cut(const struct syslog_framer *f)
{
	return f->cut;
}

/* The octet count and the space after it at buf[0..len): 1 with *v and
 * *hdr (digits + space) when both are there, 0 when more bytes are needed,
 * -1 when malformed. */
static int octet_header(const char *buf, size_t len, size_t *v, size_t *hdr)
{
	size_t i = 0, n = 0;
	if (buf[0] == '0')
		return -1;
	while (i < len && is_digit(buf[i])) {
		if (i >= 9)
			return -1;
		n = n * 10 + (size_t)(buf[i++] - '0');
	}
	if (i == len)
		return 0;
	if (buf[i] != ' ')
		return -1;
	*v = n;
	*hdr = i + 1;
	return 1;
}

/* Truncating mode, an octet count above max at buf[off..): deliver the first
 * max bytes once they are here and skip the rest of the frame. Returns the
 * bytes used, 0 when more are needed, or (size_t)-1 for a bad header. */
static size_t cut_octet_frame(struct syslog_framer *f, size_t off, syslog_frame_cb cb, void *ud, int *stop)
{
	size_t v, hdr;
	int h = octet_header(f->buf + off, f->len - off, &v, &hdr);
	if (h < 0)
		return (size_t)-1;
	if (h == 0 || f->len - off - hdr < f->max)
		return 0;
	f->cut = 1;
	if (cb(ud, f->buf + off + hdr, f->max))
		*stop = 1;
	f->cut = 0;
	f->skip_n = v - f->max;
	return hdr + f->max;
}

enum cg_err syslog_framer_new(size_t max, struct syslog_framer **out)
{
	struct syslog_framer *f = calloc(1, sizeof *f);
	*out = NULL;
	if (!f || max == 0 || max > ((size_t)1 << 30) || !(f->buf = malloc(max + 16))) {
		free(f);
		return max == 0 || max > ((size_t)1 << 30) ? cg_err_set(CG_EINVAL, _("syslog framer: bad frame cap"))
							  : cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	f->cap = max + 16;
	f->max = max;
	*out = f;
	return CG_OK;
}

void syslog_framer_free(struct syslog_framer *f)
{
	if (!f)
		return;
	free(f->buf);
	free(f);
}

/* Deliver every complete frame in f->buf; keep the rest at the front. */
static enum cg_err drain(struct syslog_framer *f, int at_end, syslog_frame_cb cb, void *ud, int *stop,
			 int *limited)
{
	size_t off = 0;
	enum cg_err rc = CG_OK;

	while (off < f->len && !*stop) {
		const char *fr;
		size_t fn, used;
		if (f->skip_n) {
			size_t k = f->len - off < f->skip_n ? f->len - off : f->skip_n;
			off += k;
			f->skip_n -= k;
			continue;
		}
		if (f->skipping) {
			const char *nl = memchr(f->buf + off, '\n', f->len - off);
			off = nl ? (size_t)(nl - f->buf) + 1 : f->len;
			f->skipping = !nl;
			continue;
		}
		rc = syslog_frame_next(f->buf + off, f->len - off, f->max, at_end, &fr, &fn, &used);
		if (rc == CG_ELIMIT && f->truncate && is_digit(f->buf[off])) {
			rc = CG_OK;
			used = cut_octet_frame(f, off, cb, ud, stop);
			if (used == (size_t)-1 || (!used && at_end)) {
				rc = used ? cg_err_set(CG_EPARSE, _("RFC 6587: a space must follow the octet count"))
					  : cg_err_set(CG_EPARSE, _("RFC 6587: stream ends inside a frame"));
				f->failed = 1;
				break;
			}
			if (!used)
				break;
			off += used;
			continue;
		}
		if (rc == CG_ELIMIT && !is_digit(f->buf[off])) {
			if (f->truncate) {
				f->cut = 1;
				if (cb(ud, f->buf + off, f->max))
					*stop = 1;
				f->cut = 0;
			}
			off += used;
			f->skipping = off == f->len && f->buf[off - 1] != '\n';
			*limited = 1;
			rc = CG_OK;
			continue;
		}
		if (rc) {
			f->failed = 1;
			break;
		}
		if (!used)
			break;
		off += used;
		if (fr && cb(ud, fr, fn))
			*stop = 1;
	}
	memmove(f->buf, f->buf + off, f->len - off);
	f->len -= off;
	return rc;
}

enum cg_err syslog_framer_feed(struct syslog_framer *f, const void *data, size_t n, syslog_frame_cb cb, void *ud)
{
	const char *p = data;
	int stop = 0, limited = 0;

	if (f->failed)
		return cg_err_set(CG_EPARSE, _("syslog framer: the stream is out of sync"));
	while (n && !stop) {
		size_t k = f->cap - f->len < n ? f->cap - f->len : n;
		memcpy(f->buf + f->len, p, k);
		f->len += k;
		p += k;
		n -= k;
		enum cg_err rc = drain(f, 0, cb, ud, &stop, &limited);
		if (rc)
			return rc;
		if (f->len == f->cap) {
			/* Cannot happen: drain refuses a frame before it fills the
			 * buffer. Stay safe anyway. */
			f->len = 0;
			f->skipping = 1;
			limited = 1;
		}
	}
	if (limited && !f->truncate)
		return cg_err_set(CG_ELIMIT, _("RFC 6587: frame longer than %zu bytes skipped"), f->max);
	return CG_OK;
}

enum cg_err syslog_framer_finish(struct syslog_framer *f, syslog_frame_cb cb, void *ud)
{
	int stop = 0, limited = 0;
	if (f->failed)
		return cg_err_set(CG_EPARSE, _("syslog framer: the stream is out of sync"));
	enum cg_err rc = drain(f, 1, cb, ud, &stop, &limited);
	f->len = 0;
	f->skipping = 0;
	f->skip_n = 0;
	if (!rc && limited && !f->truncate)
		rc = cg_err_set(CG_ELIMIT, _("RFC 6587: frame longer than %zu bytes skipped"), f->max);
	return rc;
}
