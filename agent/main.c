/* canhgac-agent — the agent on a Linux host: enrol once with a token, then
 * report to the centre (canhgacd) over mutual TLS. Options only; the work is
 * in src/agent/agent_client.c. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "agent_client.h"
#include "cg_db.h"
#include "cg_err.h"
#include "cg_i18n.h"
#include "config.h"

enum { EXIT_USAGE = 2 };

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fputs(_("Usage: canhgac-agent [-c FILE] enroll --server HOST:PORT --token TOKEN [--state DIR]\n"
		"       canhgac-agent [-c FILE] run [--once] [--state DIR]\n"
		"The canhgac agent: sends the host's heartbeat, inventory, watched log lines and task\n"
		"results to the centre over mutual TLS, queueing them on disk while the centre is away.\n\n"
		"enroll   get a client certificate with a one-time token from 'canhgac agent token'\n"
		"run      report every heartbeat until stopped (SIGTERM, SIGINT)\n\n"
		"Options:\n"
		"  -c, --config FILE  YAML configuration (default /etc/canhgac/agent.yaml when present)\n"
		"      --server H:P   address of the centre (enroll)\n"
		"      --token T      enrolment token (enroll)\n"
		"      --state DIR    state directory: keys, certificate, outbox (overrides the file)\n"
		"      --once         one round, then exit: 0 when everything queued was delivered\n"
		"      --json         machine-readable output (enroll)\n"
		"  -h, --help         show this help\n"
		"      --version      show the version\n"),
	      f);
}

static void log_line(const char *msg)
{
	char t[32];
	cg_time_iso(cg_now(), t, sizeof t);
	fprintf(stderr, "%s canhgac-agent: %s\n", t, msg);
}

static int fail(enum cg_err rc)
{
	fprintf(stderr, "canhgac-agent: %s\n", cg_err_msg(rc));
	return 1;
}

int main(int argc, char **argv)
{
	enum { O_SERVER = 0x100, O_TOKEN, O_STATE, O_ONCE, O_JSON, O_VERSION };
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},        {"config", required_argument, NULL, 'c'},
		{"server", required_argument, NULL, O_SERVER}, {"token", required_argument, NULL, O_TOKEN},
		{"state", required_argument, NULL, O_STATE},   {"once", no_argument, NULL, O_ONCE},
		{"json", no_argument, NULL, O_JSON},           {"version", no_argument, NULL, O_VERSION},
		{NULL, 0, NULL, 0},
	};
	const char *config = NULL, *server = NULL, *token = NULL, *state = NULL, *sub;
	int c, once = 0, json = 0, st = 0;
	struct agent_conf conf;
	enum cg_err rc;

	cg_i18n_init();
	const char *now = getenv("CANHGAC_NOW");
	if (now && *now)
		cg_clock_fix(strtoll(now, NULL, 10));
	/* GNU getopt moves the operands to the end: options may come before or after the subcommand. */
	while ((c = getopt_long(argc, argv, "hc:", opts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return 0;
		case 'c': config = optarg; break;
		case O_SERVER: server = optarg; break;
		case O_TOKEN: token = optarg; break;
		case O_STATE: state = optarg; break;
		case O_ONCE: once = 1; break;
		case O_JSON: json = 1; break;
		case O_VERSION: printf("canhgac-agent %s\n", CG_VERSION); return 0;
		default:
			fprintf(stderr, _("Try 'canhgac-agent --help'.\n"));
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	sub = argv[optind];
	agent_conf_defaults(&conf);
	if (!config && access("/etc/canhgac/agent.yaml", R_OK) == 0)
		config = "/etc/canhgac/agent.yaml";
	if (config && (rc = agent_conf_load(config, &conf))) {
		agent_conf_release(&conf);
		return fail(rc);
	}
	if (state)
		snprintf(conf.state_dir, sizeof conf.state_dir, "%s", state);
	if (strcmp(sub, "enroll") == 0) {
		int64_t id;
		if (!server || !token) {
			fprintf(stderr, _("canhgac-agent: enroll needs --server and --token\n"));
			st = EXIT_USAGE;
		} else if ((rc = agent_enroll(&conf, server, token, CG_VERSION, &id))) {
			st = fail(rc);
		} else if (json) {
			json_t *o = json_pack("{s:I,s:s}", "agent", (json_int_t)id, "state", conf.state_dir);
			char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
			if (text)
				printf("%s\n", text);
			free(text);
			json_decref(o);
		} else {
			printf(_("enrolled as agent %lld; certificate in %s\n"), (long long)id, conf.state_dir);
		}
	} else if (strcmp(sub, "run") == 0) {
		struct agent_client *cl;
		struct sigaction sa = {.sa_handler = on_signal};
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		signal(SIGPIPE, SIG_IGN);
		if ((rc = agent_client_new(&conf, CG_VERSION, log_line, &cl))) {
			st = fail(rc);
		} else if (once) {
			if ((rc = agent_client_round(cl, cg_now())))
				st = fail(rc);
			agent_client_free(cl);
		} else {
			log_line(_("running"));
			agent_client_run(cl, &stop);
			log_line(_("stopped"));
			agent_client_free(cl);
		}
	} else {
		fprintf(stderr, _("canhgac-agent: unknown command '%s' (enroll or run)\n"), sub);
		st = EXIT_USAGE;
	}
	agent_conf_release(&conf);
	return st;
}
