#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int cli_common_opt(struct cli_ctx *ctx, int c, const char *arg)
{
	switch (c) {
	case CLI_OPT_DB: ctx->db_path = arg; return 1;
	case CLI_OPT_JSON: ctx->json = 1; return 1;
	case CLI_OPT_QUIET: ctx->quiet = 1; return 1;
	default: return 0;
	}
}

void cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("canhgac: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
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

int cli_open_db(struct cli_ctx *ctx, struct cg_db **out)
{
	char path[4096];
	enum cg_err rc;

	cg_err_clear();
	rc = cg_db_resolve_path(ctx->db_path, path, sizeof path);
	if (!rc)
		rc = cg_db_open(path, out);
	if (rc)
		return cli_fail(rc);
	return 0;
}

void cli_json_line(json_t *v)
{
	if (!v)
		return;
	json_dumpf(v, stdout, JSON_COMPACT | JSON_ENSURE_ASCII * 0);
	fputc('\n', stdout);
	json_decref(v);
}

void cli_json_pretty(json_t *v)
{
	if (!v)
		return;
	json_dumpf(v, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(v);
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

int64_t cli_now(void)
{
	const char *fake = getenv("CANHGAC_NOW");

	if (fake && *fake) {
		char *end;
		long long v = strtoll(fake, &end, 10);
		if (*end == '\0')
			return v;
	}
	return (int64_t)time(NULL);
}
