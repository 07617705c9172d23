/* feed — format names, detection, dispatch and the helpers every format uses. */
#include "feed.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cg_i18n.h"
#include "cg_time.h"
#include "feed_internal.h"

static const char *const format_names[FEED_FORMAT_COUNT] = {
	[FEED_AUTO] = "auto",	 [FEED_PLAIN] = "plain", [FEED_FEODO] = "feodo", [FEED_SPAMHAUS] = "spamhaus",
	[FEED_FIREHOL] = "firehol", [FEED_HOSTS] = "hosts", [FEED_RPZ] = "rpz",     [FEED_CSV] = "csv",
	[FEED_STIX] = "stix",	 [FEED_MISP] = "misp",
};

const char *feed_format_name(enum feed_format f)
{
	return (unsigned)f < FEED_FORMAT_COUNT ? format_names[f] : "auto";
}

enum feed_format feed_format_from_name(const char *name)
{
	for (int f = 1; f < FEED_FORMAT_COUNT; f++)
		if (strcasecmp(name, format_names[f]) == 0)
			return (enum feed_format)f;
	return FEED_AUTO;
}

/* ---- sink accounting ---- */

/* Reasons quote input; keep them printable and valid UTF-8 (JSON output). */
void feed_sanitize_utf8(char *s)
{
	unsigned char *p = (unsigned char *)s;

	while (*p) {
		size_t k = 0;
		if (*p < 0x20 || *p == 0x7f) {
			*p++ = '?';
			continue;
		}
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0 && *p >= 0xc2)
			k = 1;
		else if ((*p & 0xf0) == 0xe0)
			k = 2;
		else if ((*p & 0xf8) == 0xf0 && *p <= 0xf4)
			k = 3;
		size_t j = 1;
		while (k && j <= k && (p[j] & 0xc0) == 0x80)
			j++;
		if (!k || j != k + 1) {
			*p++ = '?';
			continue;
		}
		p += k + 1;
	}
}

enum cg_err feed_emit(struct feed_run *run, const struct feed_record *r)
{
	run->counts->records++;
	return run->sink->record(run->sink->ctx, r);
}

void feed_entry_done(struct feed_run *run)
{
	run->counts->imported++;
}

enum cg_err feed_bad(struct feed_run *run, size_t line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(run->reason, sizeof run->reason, fmt, ap);
	va_end(ap);
	feed_sanitize_utf8(run->reason);
	run->counts->bad++;
	if (!run->sink->bad)
		return CG_OK;
	return run->sink->bad(run->sink->ctx, line, run->reason);
}

enum cg_err feed_skip(struct feed_run *run, size_t line, const char *fmt, ...)
{
	va_list ap;

	run->counts->skipped++;
	if (!run->sink->skip)
		return CG_OK;
	va_start(ap, fmt);
	vsnprintf(run->reason, sizeof run->reason, fmt, ap);
	va_end(ap);
	feed_sanitize_utf8(run->reason);
	return run->sink->skip(run->sink->ctx, line, run->reason);
}

const char *feed_copy_text(const char *s, size_t n, char *out, size_t cap)
{
	while (n && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if (n == 0 || cap == 0)
		return NULL;
	if (n >= cap) {
		n = cap - 1;
		/* Do not cut a UTF-8 sequence in half. */
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		out[i] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	out[n] = '\0';
	feed_sanitize_utf8(out);
	return out;
}

size_t feed_line_at(const char *buf, size_t off, size_t *from_off, size_t *from_line)
{
	if (off < *from_off) {
		*from_off = 0;
		*from_line = 1;
	}
	for (size_t i = *from_off; i < off; i++)
		if (buf[i] == '\n')
			(*from_line)++;
	*from_off = off;
	return *from_line;
}

/* ---- dates ---- */

int feed_date_normalize(const char *s, size_t n, char *out, size_t out_size)
{
	/* Feeds write UTC; a stamp with an offset is converted to it. */
	struct cg_time_ctx tc = {0, 0};
	struct cg_stamp st;
	int y, mo, d;

	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	if (out_size < 21 || n == 0 || n > 40)
		return -1;
	if (cg_time_parse(s, n, CG_TIME_ISO_LOOSE | CG_TIME_DMY | CG_TIME_EPOCH, &tc, &st) != n)
		return -1;
	int64_t sec = cg_time_us_to_s(st.us);
	cg_civil_from_days(sec >= 0 ? sec / 86400 : -1, &y, &mo, &d);
	if (sec < 0 || y > 2200)
		return -1;
	if (st.date_only) {
		snprintf(out, out_size, "%04d-%02d-%02d", y, mo, d);
		return 0;
	}
	cg_time_format(sec * CG_TIME_US_PER_S, 0, out, out_size);
	return 0;
}

/* ---- detection ---- */

/* A plain loop rather than memmem: GCC's -Wnonnull misfires on memmem here
 * under -O1 with the sanitizers. */
static int has(const char *buf, size_t len, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; k <= len && i <= len - k; i++) {
		size_t j = 0;
		while (j < k && buf[i + j] == needle[j])
			j++;
		if (j == k)
			return 1;
	}
	return 0;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

/* Does the first data line look like a CSV header: at least two fields, and
 * the first field is not itself an indicator (LOKI "HASH;COMMENT" lines are). */
static int looks_like_header(const char *line, size_t n)
{
	size_t seps = 0, first = n;
	struct ioc ioc;

	for (size_t i = 0; i < n; i++) {
		if (line[i] == ',' || line[i] == ';' || line[i] == '\t') {
			if (first == n)
				first = i;
			seps++;
		}
	}
	if (seps == 0)
		return 0;
	const char *f = line;
	size_t fl = first;
	if (fl >= 2 && f[0] == '"' && f[fl - 1] == '"')
		f++, fl -= 2;
	if (ioc_parse(f, fl, IOC_NONE, &ioc) == CG_OK)
		return 0;
	return 1;
}

static enum feed_format detect_lines(const char *buf, size_t len, const char *filename)
{
	size_t pos = 0, data_lines = 0;
	int hosts = 0, spamhaus = 0, rpz = 0, plain = 0;

	if (!buf)
		return FEED_PLAIN;
	if (has(buf, len, "\"first_seen_utc\"") && has(buf, len, "\"dst_ip\""))
		return FEED_FEODO;
	if (filename && (ends_with(filename, ".netset") || ends_with(filename, ".ipset")))
		return FEED_FIREHOL;
	if (filename && (ends_with(filename, ".rpz") || ends_with(filename, "rpz.conf")))
		return FEED_RPZ;
	while (pos < len && data_lines < 20) {
		const char *line = buf + pos, *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		pos += n + 1;
		while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
			n--;
		if (n == 0)
			continue;
		if (line[0] == '#' || line[0] == ';') {
			if (has(line, n, "FireHOL"))
				return FEED_FIREHOL;
			if (has(line, n, "Spamhaus"))
				spamhaus = 1;
			continue;
		}
		if (line[0] == '$' || has(line, n, " SOA ") || has(line, n, " CNAME ")) {
			rpz++;
			continue;
		}
		data_lines++;
		const char *sp = memchr(line, ' ', n);
		const char *tab = memchr(line, '\t', n);
		if (tab && (!sp || tab < sp))
			sp = tab;
		struct ioc ioc;
		if (sp && ioc_parse(line, (size_t)(sp - line), IOC_IPV4, &ioc) == CG_OK && ioc.type == IOC_IPV4) {
			/* "0.0.0.0 name" is a hosts file, "1.2.3.0/24 ; SBL" Spamhaus. */
			const char *rest = sp;
			while (rest < line + n && (*rest == ' ' || *rest == '\t'))
				rest++;
			if (rest < line + n && *rest == ';')
				spamhaus = 1;
			else if (rest < line + n && *rest != '#')
				hosts++;
			continue;
		}
		if (data_lines == 1 && (feed_csv_is_header(line, n) || looks_like_header(line, n)))
			return FEED_CSV;
		plain++;
	}
	if (rpz)
		return FEED_RPZ;
	if (spamhaus)
		return FEED_SPAMHAUS;
	if (hosts && hosts >= plain)
		return FEED_HOSTS;
	return FEED_PLAIN;
}

enum feed_format feed_detect(const char *buf, size_t len, const char *filename)
{
	size_t i = 0, head;

	if (!buf || len == 0)
		return FEED_PLAIN;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		buf += 3, len -= 3;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	head = len < 65536 ? len : 65536;
	if (i < len && (buf[i] == '{' || buf[i] == '[')) {
		if (has(buf, head, "\"Event\"") || has(buf, head, "\"Attribute\"") || has(buf, head, "\"response\""))
			return FEED_MISP;
		return FEED_STIX;
	}
	return detect_lines(buf, head, filename);
}

/* ---- dispatch ---- */

enum cg_err feed_parse_counted(enum feed_format f, const char *buf, size_t len, const struct feed_opts *opts,
			       const struct feed_sink *sink, struct feed_counts *counts)
{
	static const struct feed_opts no_opts;
	struct feed_run run = {.opts = opts ? opts : &no_opts, .sink = sink, .counts = counts};

	memset(counts, 0, sizeof *counts);
	if (!sink || !sink->record)
		return cg_err_set(CG_EINVAL, "feed_parse: no record sink");
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		buf += 3, len -= 3;
	if (f == FEED_AUTO || (unsigned)f >= FEED_FORMAT_COUNT)
		f = feed_detect(buf, len, NULL);
	counts->format = f;
	switch (f) {
	case FEED_PLAIN:
	case FEED_SPAMHAUS:
	case FEED_FIREHOL:
	case FEED_HOSTS:
	case FEED_RPZ:
		return feed_parse_lines(f, &run, buf, len);
	case FEED_FEODO:
	case FEED_CSV:
		return feed_parse_csv(f, &run, buf, len);
	case FEED_STIX:
		return feed_parse_stix(&run, buf, len);
	case FEED_MISP:
		return feed_parse_misp(&run, buf, len);
	case FEED_AUTO:
	case FEED_FORMAT_COUNT:
		break;
	}
	return cg_err_set(CG_EUNSUPPORTED, _("unknown feed format"));
}

enum cg_err feed_parse(enum feed_format f, const char *buf, size_t len, const struct feed_opts *opts,
		       const struct feed_sink *sink)
{
	struct feed_counts counts;
	return feed_parse_counted(f, buf, len, opts, sink, &counts);
}
