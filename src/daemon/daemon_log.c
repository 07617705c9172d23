/* daemon_log — structured log lines on stderr (see daemon_log.h). */
#include "daemon_log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cg_utf8.h"

static atomic_int log_json;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void daemon_log_set_json(int json)
{
	atomic_store(&log_json, json);
}

/* A log line under construction: fixed size, cut at the end. */
struct line {
	char b[8192];
	size_t n;
};

static void put(struct line *l, const char *s, size_t n)
{
	if (n > sizeof l->b - 2 - l->n)
		n = sizeof l->b - 2 - l->n;
	memcpy(l->b + l->n, s, n);
	l->n += n;
}

static void putc1(struct line *l, char c)
{
	put(l, &c, 1);
}

/* Append `s` escaped: JSON string rules for both forms (key=value quotes a
 * value that holds a blank, a quote or '=' and escapes the same way). */
static void put_escaped(struct line *b, const char *s, int quote)
{
	size_t n = strlen(s);
	if (quote)
		putc1(b, '"');
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			putc1(b, '\\');
			putc1(b, (char)c);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			char u[8];
			snprintf(u, sizeof u, "\\u%04x", c);
			put(b, u, 6);
			i++;
		} else if (c < 0x80) {
			putc1(b, (char)c);
			i++;
		} else {
			size_t l = cg_utf8_len((const unsigned char *)s + i, n - i);
			if (l == 0) {
				char u[8];
				snprintf(u, sizeof u, "\\u%04x", c);
				put(b, u, 6);
				i++;
			} else {
				put(b, s + i, l);
				i += l;
			}
		}
	}
	if (quote)
		putc1(b, '"');
}

static void puts0(struct line *l, const char *s)
{
	put(l, s, strlen(s));
}

static int needs_quotes(const char *s)
{
	if (!*s)
		return 1;
	for (; *s; s++)
		if (*s == ' ' || *s == '"' || *s == '=' || (unsigned char)*s < 0x20 || *s == '\\')
			return 1;
	return 0;
}

void daemon_log(enum daemon_log_level lvl, const char *event, ...)
{
	char stamp[64];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ts.tv_nsec / 1000000L));
	int json = atomic_load(&log_json);
	struct line b;
	b.n = 0;
	puts0(&b, json ? "{\"ts\":\"" : "ts=");
	puts0(&b, stamp);
	puts0(&b, json ? "\",\"level\":\"" : " level=");
	puts0(&b, level_names[lvl & 3]);
	puts0(&b, json ? "\",\"event\":" : " event=");
	put_escaped(&b, event, json || needs_quotes(event));
	va_list ap;
	va_start(ap, event);
	const char *k;
	while ((k = va_arg(ap, const char *))) {
		const char *v = va_arg(ap, const char *);
		if (!v)
			continue;
		if (json) {
			putc1(&b, ',');
			put_escaped(&b, k, 1);
			putc1(&b, ':');
			put_escaped(&b, v, 1);
		} else {
			putc1(&b, ' ');
			puts0(&b, k);
			putc1(&b, '=');
			put_escaped(&b, v, needs_quotes(v));
		}
	}
	va_end(ap);
	if (json)
		b.b[b.n++] = '}';
	b.b[b.n++] = '\n';
	/* One write per line, so lines of several threads never mix. */
	ssize_t w = write(2, b.b, b.n);
	(void)w;
}
