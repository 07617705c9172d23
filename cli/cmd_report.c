/* canhgac report — the readiness report for the province, one HTML file. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "catalogue.h"
#include "cg_file.h"
#include "cli.h"
#include "os_eol.h"
#include "report.h"
#include "store_compliance.h"

static void usage(FILE *f)
{
	fputs(_("Usage: canhgac report --out FILE [--lang vi|en] [--format html|pdf] [--catalogue FILE]\n"
		"Write the readiness report: systems by security level and compliance, top gaps,\n"
		"hosts on the botnet list and their sweep state, open watchlist/KEV vulnerabilities,\n"
		"hunt and Sigma hits per day, alerts, blocking orders, incidents, awareness, the contact point.\n"
		"One self-contained HTML file (inline CSS and SVG), printable on A4.\n\n"
		"Options:\n"
		"  -o, --out FILE         file to write (required)\n"
		"  -l, --lang L           language of the report: vi (default) or en\n"
		"  -f, --format F         html (default) or pdf (printed by headless Chromium when installed)\n"
		"  -c, --catalogue FILE   requirement catalogue (default: the bundled TCVN 11930:2017 one)\n"
		"      --db PATH          database file\n"
		"      --json             machine-readable summary\n"
		"      --quiet            no progress display\n"
		"  -h, --help             show this help\n"),
	      f);
}

static int write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f) {
		cli_error(_("cannot write '%s': %s"), path, strerror(errno));
		return CLI_FAIL;
	}
	size_t w = fwrite(data, 1, len, f);
	if (fclose(f) != 0 || w != len) {
		cli_error(_("cannot write '%s': %s"), path, strerror(errno));
		return CLI_FAIL;
	}
	return CLI_OK;
}

static const char *find_chromium(void)
{
	static const char *const cands[] = {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"};
	for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++)
		if (access(cands[i], X_OK) == 0)
			return cands[i];
	return NULL;
}

/* Print `html` to PDF with headless Chromium (its --print-to-pdf). */
static int print_pdf(const char *html, const char *out)
{
	const char *chromium = find_chromium();
	if (!chromium) {
		cli_error(_("--format pdf needs Chromium (Debian package 'chromium'); write HTML and print it instead"));
		return CLI_FAIL;
	}
	char arg_out[4200], url[4200], abs[4096];
	if (!realpath(html, abs)) {
		cli_error(_("cannot find '%s': %s"), html, strerror(errno));
		return CLI_FAIL;
	}
	snprintf(arg_out, sizeof arg_out, "--print-to-pdf=%s", out);
	snprintf(url, sizeof url, "file://%s", abs);
	pid_t pid = fork();
	if (pid < 0) {
		cli_error(_("cannot start Chromium: %s"), strerror(errno));
		return CLI_FAIL;
	}
	if (pid == 0) {
		/* Chromium talks a lot on stderr (D-Bus, GPU): keep our output clean. */
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execl(chromium, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
		      arg_out, url, (char *)NULL);
		_exit(127);
	}
	int status;
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || access(out, R_OK) != 0) {
		cli_error(_("Chromium could not print '%s' to PDF"), out);
		return CLI_FAIL;
	}
	return CLI_OK;
}

int cmd_report(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{"out", required_argument, NULL, 'o'},
		{"lang", required_argument, NULL, 'l'},
		{"format", required_argument, NULL, 'f'},
		{"catalogue", required_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	const char *out = NULL, *lang = "vi", *format = "html", *catalogue = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "ho:l:f:c:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return CLI_OK;
		case 'o': out = optarg; break;
		case 'l': lang = optarg; break;
		case 'f': format = optarg; break;
		case 'c': catalogue = optarg; break;
		default:
			if (cli_common_opt(ctx, c, optarg))
				break;
			return cli_usage_hint("report");
		}
	}
	if (optind != argc || !out) {
		cli_error(_("report needs --out FILE and no other argument"));
		return cli_usage_hint("report");
	}
	if (strcmp(lang, "vi") != 0 && strcmp(lang, "en") != 0) {
		cli_error(_("--lang: '%s' is not 'vi' or 'en'"), lang);
		return CLI_USAGE;
	}
	if (strcmp(format, "html") != 0 && strcmp(format, "pdf") != 0) {
		cli_error(_("--format: '%s' is not 'html' or 'pdf'"), format);
		return CLI_USAGE;
	}
	struct cg_db *db = NULL;
	struct comp_catalogue *cat = NULL;
	struct os_eol *eol = NULL;
	struct report *rep = NULL;
	struct cg_buf html;
	enum cg_err rc = CG_OK;
	int st = CLI_OK;
	char agency[512], contact[1024];
	cg_buf_init(&html, 0);
	if (cli_open_db(ctx, &db))
		return CLI_FAIL;
	if (catalogue) {
		char *buf;
		size_t len;
		if (!(rc = cg_file_read(catalogue, COMP_CATALOGUE_MAX_BYTES, &buf, &len))) {
			rc = comp_catalogue_parse(catalogue, buf, len, &cat);
			free(buf);
		}
	} else
		rc = comp_catalogue_bundled(&cat);
	if (rc || (rc = os_eol_bundled(&eol)) || (rc = store_comp_setting_get(db, "agency", agency, sizeof agency)) ||
	    (rc = store_comp_setting_get(db, "contact", contact, sizeof contact)))
		goto fail;
	/* The report speaks its own language, whatever the terminal's; our
	 * own messages go back to the terminal's afterwards. */
	const char *ui = getenv("LANGUAGE");
	char *ui_saved = ui ? strdup(ui) : NULL;
	cg_i18n_set_language(lang);
	if (!(rep = report_new(lang))) {
		rc = cg_err_set(CG_ENOMEM, _("out of memory"));
		goto fail;
	}
	struct report_input in = {db, cat, eol, cg_now(), lang};
	if ((rc = report_set_header(rep, _("Information security readiness report"), agency, contact, in.now)) ||
	    (rc = report_collect(rep, &in)) || (rc = report_write_html(rep, &html))) {
		cg_i18n_set_language(ui_saved ? ui_saved : "");
		free(ui_saved);
		goto fail;
	}
	cg_i18n_set_language(ui_saved ? ui_saved : "");
	free(ui_saved);
	if (strcmp(format, "pdf") == 0) {
		char tmp[] = "/tmp/canhgac-report-XXXXXX.html";
		int fd = mkstemps(tmp, 5);
		if (fd < 0) {
			cli_error(_("cannot create a temporary file: %s"), strerror(errno));
			st = CLI_FAIL;
			goto out;
		}
		close(fd);
		st = write_file(tmp, html.data, html.len);
		if (!st)
			st = print_pdf(tmp, out);
		unlink(tmp);
	} else
		st = write_file(out, html.data, html.len);
	if (!st) {
		if (ctx->json)
			cli_json_line(json_pack("{s:s,s:s,s:s,s:I,s:I}", "out", out, "lang", lang, "format", format, "bytes",
						(json_int_t)html.len, "sections", (json_int_t)report_section_count(rep)));
		else if (!ctx->quiet)
			printf(_("Report written to %s (%zu sections)\n"), out, report_section_count(rep));
	}
	goto out;
fail:
	st = cli_fail(rc);
out:
	cg_buf_free(&html);
	report_free(rep);
	os_eol_free(eol);
	comp_catalogue_free(cat);
	cg_db_close(db);
	return st;
}
