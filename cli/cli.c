#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cg_esc.h"
#include "cg_num.h"

int cli_common_opt(struct cli_ctx *ctx, int c, const char *arg)
{
	switch (c) {
	case CLI_OPT_DB: ctx->db_path = arg; return 1;
	case CLI_OPT_JSON: ctx->json = 1; return 1;
	case CLI_OPT_QUIET: ctx->quiet = 1; return 1;
	default: return 0;
	}
}

/* A message often quotes input (a file name, a bad field): escaped as a
 * whole, it stays one line on the terminal. */
void cli_error(const char *fmt, ...)
{
	va_list ap;
	char small[1024], *msg = small;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof small && (msg = malloc((size_t)n + 1))) {
		va_start(ap, fmt);
		vsnprintf(msg, (size_t)n + 1, fmt, ap);
		va_end(ap);
	} else if (n >= (int)sizeof small) {
		msg = small; /* out of memory: the message cut short */
	}
	fprintf(stderr, "canhgac: %s\n", n < 0 ? fmt : cg_esc(msg));
	if (msg != small)
		free(msg);
}

int cli_fail(enum cg_err rc)
{
	cli_error("%s", cg_err_msg(rc));
	return CLI_FAIL;
}

int cli_usage_hint(const char *cmd)
{
	fprintf(stderr, _("Try 'canhgac %s --help'.\n"), cmd);
	return CLI_USAGE;
}

int cli_subcommand(int *argc, char ***argv, void (*usage)(FILE *), const char **sub)
{
	char **v = *argv;

	if (*argc < 2 || strcmp(v[1], "-h") == 0 || strcmp(v[1], "--help") == 0) {
		usage(*argc < 2 ? stderr : stdout);
		return *argc < 2 ? CLI_USAGE : CLI_OK;
	}
	*sub = v[1];
	(*argc)--;
	(*argv)++;
	optind = 1;
	return -1;
}

int cli_common_only(struct cli_ctx *ctx, int argc, char **argv, const char *cmd, void (*usage)(FILE *))
{
	static const struct option longopts[] = {CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return CLI_OK;
		}
		if (!cli_common_opt(ctx, c, optarg))
			return cli_usage_hint(cmd);
	}
	return -1;
}

static int open_db(struct cli_ctx *ctx, struct cg_db **out, int existing)
{
	char path[4096];
	enum cg_err rc;

	cg_err_clear();
	rc = cg_db_resolve_path(ctx->db_path, path, sizeof path);
	if (!rc)
		rc = existing ? cg_db_open_existing(path, out) : cg_db_open(path, out);
	if (rc)
		return cli_fail(rc);
	return 0;
}

int cli_open_db(struct cli_ctx *ctx, struct cg_db **out)
{
	return open_db(ctx, out, 0);
}

int cli_open_db_existing(struct cli_ctx *ctx, struct cg_db **out)
{
	return open_db(ctx, out, 1);
}

static void print_notice(const char *msg)
{
	cli_error("%s", msg);
}

void cli_init(void)
{
	cg_db_set_notice(print_notice);
}

/* Write jansson's text with each real number in its shortest round-trip form
 * (jansson prints 9.8 as 9.8000000000000007). Numbers are found outside
 * strings; a real keeps a '.' or an exponent so it stays a real. */
static void put_json_text(const char *t)
{
	int in_str = 0;

	for (const char *p = t; *p;) {
		if (in_str) {
			const char *q = p;
			while (*q && *q != '"' && *q != '\\')
				q++;
			fwrite(p, 1, (size_t)(q - p), stdout);
			if (*q == '\\' && q[1]) {
				fwrite(q, 1, 2, stdout);
				p = q + 2;
			} else if (*q == '"') {
				fputc('"', stdout);
				in_str = 0;
				p = q + 1;
			} else {
				p = q;
			}
		} else if (*p == '"') {
			fputc('"', stdout);
			in_str = 1;
			p++;
		} else if (*p == '-' || (*p >= '0' && *p <= '9')) {
			size_t n = strspn(p, "-+0123456789.eE");
			if (memchr(p, '.', n) || memchr(p, 'e', n) || memchr(p, 'E', n)) {
				char num[48];
				size_t k = cg_num_shortest(strtod(p, NULL), num, sizeof num);
				fwrite(num, 1, k, stdout);
				if (!strpbrk(num, ".en"))
					fputs(".0", stdout);
			} else {
				fwrite(p, 1, n, stdout);
			}
			p += n;
		} else {
			fputc(*p++, stdout);
		}
	}
}

static void put_json(json_t *v, size_t flags)
{
	char *t;

	if (!v)
		return;
	t = json_dumps(v, flags);
	if (t) {
		put_json_text(t);
		free(t);
	} else {
		cli_error("%s", _("out of memory"));
	}
	fputc('\n', stdout);
	json_decref(v);
}

void cli_json_line(json_t *v)
{
	put_json(v, JSON_COMPACT);
}

void cli_json_pretty(json_t *v)
{
	put_json(v, JSON_INDENT(2));
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void cli_progress_init(struct cli_progress *p, const struct cli_ctx *ctx)
{
	p->ctx = ctx;
	p->last_ms = 0;
	p->shown = 0;
}

void cli_progress_update(struct cli_progress *p, const char *what, uint64_t done, uint64_t total)
{
	int64_t t;

	if (!p->ctx->err_tty || p->ctx->quiet)
		return;
	t = now_ms();
	if (p->shown && t - p->last_ms < 100)
		return;
	p->last_ms = t;
	p->shown = 1;
	if (total)
		fprintf(stderr, "\r\033[K%s %3u%% (%llu/%llu)", what, (unsigned)(done * 100 / total),
			(unsigned long long)done, (unsigned long long)total);
	else
		fprintf(stderr, "\r\033[K%s %llu", what, (unsigned long long)done);
	fflush(stderr);
}

void cli_progress_done(struct cli_progress *p)
{
	if (p->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		p->shown = 0;
	}
}

void cli_put_col(const char *s, int width)
{
	int w = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xc0) != 0x80)
			w++;
	fputs(s, stdout);
	for (; w < width; w++)
		putchar(' ');
	putchar(' ');
}

int cli_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* $CANHGAC_NOW (seconds, as `date +%s` prints them) fixes the clock of the
 * whole run, for tests and reproducible reports; read once, here. */
void cli_clock_init(void)
{
	const char *fake = getenv("CANHGAC_NOW");

	if (fake && *fake) {
		char *end;
		long long v = strtoll(fake, &end, 10);
		if (*end == '\0')
			cg_clock_fix(v);
	}
}

int64_t cli_now(void)
{
	return cg_now();
}
