/* canhgac reload — ask a running canhgacd to rebuild its detection snapshot
 * (rules and intel) as SIGHUP does; the daemon keeps its old snapshot when a
 * file is bad and logs why. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "daemon_config.h"

#define DEFAULT_CONFIG "/etc/canhgac/canhgacd.yaml"

enum { OPT_CONFIG = CLI_OPT_FIRST_FREE, OPT_PID_FILE };

static void usage(FILE *f)
{
	fprintf(f, _("Usage: canhgac reload [-c FILE | --pid-file FILE]\n"
		     "Tell the running canhgacd to read its Sigma, threshold and intel again and swap\n"
		     "them in without dropping an event (the same as SIGHUP). A bad file keeps the\n"
		     "rules in use; the daemon's log says why.\n\n"
		     "Options:\n"
		     "  -c, --config FILE  the daemon's configuration, for its pid_file (default: %s)\n"
		     "      --pid-file FILE  the daemon's pid file\n"
		     "      --json         print {\"pid\":N,\"signal\":\"SIGHUP\"}\n"
		     "  -h, --help         show this help\n"),
		DEFAULT_CONFIG);
}

/* The pid of a canhgacd from its pid file; 0 with a message on error. */
static long daemon_pid(const char *pid_file)
{
	FILE *f = fopen(pid_file, "r");
	if (!f) {
		cli_error(_("%s: cannot read the pid file: %s (is canhgacd running?)"), pid_file, strerror(errno));
		return 0;
	}
	char line[32] = "";
	long pid = 0;
	if (fgets(line, sizeof line, f))
		line[strcspn(line, "\n")] = '\0';
	fclose(f);
	if (cli_parse_long(line, 1, 4194304, &pid)) {
		cli_error(_("%s: not a process id"), pid_file);
		return 0;
	}
	/* A stale pid file must not signal whatever process has that id now. */
	char path[64], comm[64] = "";
	snprintf(path, sizeof path, "/proc/%ld/comm", pid);
	f = fopen(path, "r");
	if (f) {
		if (!fgets(comm, sizeof comm, f))
			comm[0] = '\0';
		fclose(f);
		comm[strcspn(comm, "\n")] = '\0';
	}
	if (strcmp(comm, "canhgacd") != 0) {
		cli_error(_("%s: process %ld is not canhgacd (stale pid file?)"), pid_file, pid);
		return 0;
	}
	return pid;
}

int cmd_reload(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_LONGOPTS,
		{"config", required_argument, NULL, 'c'},
		{"pid-file", required_argument, NULL, OPT_PID_FILE},
		{NULL, 0, NULL, 0},
	};
	const char *config = NULL, *pid_file = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "hc:", opts, NULL)) != -1) {
		if (cli_common_opt(ctx, c, optarg))
			continue;
		switch (c) {
		case 'h': usage(stdout); return CLI_OK;
		case 'c': config = optarg; break;
		case OPT_PID_FILE: pid_file = optarg; break;
		default: return cli_usage_hint("reload");
		}
	}
	if (optind < argc) {
		cli_error(_("unexpected argument '%s'"), argv[optind]);
		return cli_usage_hint("reload");
	}
	struct daemon_config *cfg = NULL;
	if (!pid_file) {
		enum cg_err rc = daemon_config_load(config ? config : DEFAULT_CONFIG, &cfg);
		if (rc)
			return cli_fail(rc);
		if (!cfg->pid_file) {
			cli_error(_("%s: no pid_file in the configuration; use --pid-file"), cfg->path);
			daemon_config_free(cfg);
			return CLI_FAIL;
		}
		pid_file = cfg->pid_file;
	}
	long pid = daemon_pid(pid_file);
	int st = CLI_FAIL;
	if (pid && kill((pid_t)pid, SIGHUP) != 0)
		cli_error(_("cannot signal process %ld: %s"), pid, strerror(errno));
	else if (pid) {
		st = CLI_OK;
		if (ctx->json)
			cli_json_line(json_pack("{s:I, s:s}", "pid", (json_int_t)pid, "signal", "SIGHUP"));
		else
			printf(_("canhgacd (process %ld) is reloading its rules and intel\n"), pid);
	}
	daemon_config_free(cfg);
	return st;
}
