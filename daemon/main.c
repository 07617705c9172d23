/* canhgacd — the canhgac daemon's front end: options, the configuration,
 * signals; everything else is the library's daemon (src/daemon). */
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cg_err.h"
#include "cg_i18n.h"
#include "config.h"
#include "daemon.h"
#include "daemon_config.h"
#include "daemon_log.h"

#define DEFAULT_CONFIG "/etc/canhgac/canhgacd.yaml"

enum { OPT_JSON = 0x100, OPT_VERSION };

static void usage(FILE *f)
{
	fprintf(f, _("Usage: canhgacd [-c FILE] [-f] [-n [--json]]\n"
		     "The canhgac daemon: receives logs (syslog over UDP, TCP and TLS, JSON, CEF, files),\n"
		     "matches them against the intel, Sigma and threshold rules, stores alerts and\n"
		     "forwards events to the SOC.\n\n"
		     "Options:\n"
		     "  -c, --config FILE  configuration file (default: %s)\n"
		     "  -n, --check        check the configuration, the database and the rules, then exit\n"
		     "      --json         with -n: print the check as JSON\n"
		     "  -f, --foreground   stay in the foreground (as under systemd)\n"
		     "  -h, --help         show this help\n"
		     "      --version      show the version\n\n"
		     "Signals: SIGHUP reloads rules and intel (also 'canhgac reload'); SIGTERM stops.\n"
		     "See 'man canhgacd' for every configuration key.\n"),
		DEFAULT_CONFIG);
}

static void err(const char *fmt, ...) CG_PRINTF(1, 2);
static void err(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "canhgacd: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int check(const char *path, int json)
{
	struct daemon_config *cfg = NULL;
	struct daemon_check k;
	enum cg_err rc = daemon_config_load(path, &cfg);
	if (!rc)
		rc = daemon_check(cfg, &k);
	if (json) {
		json_t *o = json_pack("{s:s, s:b}", "config", path, "ok", rc == CG_OK);
		if (rc)
			json_object_set_new(o, "error", json_string(cg_err_msg(rc)));
		else {
			json_object_set_new(o, "listeners", json_integer((json_int_t)k.listeners));
			json_object_set_new(o, "files", json_integer((json_int_t)k.files));
			json_object_set_new(o, "upstreams", json_integer((json_int_t)k.upstreams));
			json_object_set_new(o, "indicators", json_integer((json_int_t)k.indicators));
			json_object_set_new(o, "sigma_rules", json_integer((json_int_t)k.sigma_rules));
			json_object_set_new(o, "sigma_rejected", json_integer((json_int_t)k.sigma_rejected));
			json_object_set_new(o, "threshold_rules", json_integer((json_int_t)k.threshold_rules));
		}
		char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
		if (s)
			puts(s);
		free(s);
		json_decref(o);
	} else if (rc)
		err("%s", cg_err_msg(rc));
	else {
		printf(_("%s: configuration OK\n"), path);
		printf(_("  listeners %zu, files %zu, upstreams %zu\n"), k.listeners, k.files, k.upstreams);
		printf(_("  indicators %zu, Sigma rules %zu (%zu skipped), threshold rules %zu\n"), k.indicators,
		       k.sigma_rules, k.sigma_rejected, k.threshold_rules);
	}
	daemon_config_free(cfg);
	return rc ? 1 : 0;
}

struct signals {
	struct daemon *d;
	sigset_t set;
};

/* Signals arrive here only (every other thread blocks them). */
static void *signal_main(void *arg)
{
	struct signals *s = arg;
	for (;;) {
		int sig = 0;
		if (sigwait(&s->set, &sig))
			continue;
		if (sig == SIGHUP) {
			daemon_log(DLOG_INFO, "reload_requested", "signal", "SIGHUP", NULL);
			daemon_reload(s->d);
		} else {
			daemon_log(DLOG_INFO, "stop_requested", "signal", sig == SIGINT ? "SIGINT" : "SIGTERM", NULL);
			daemon_stop(s->d);
			return NULL;
		}
	}
}

/* Without -f: the child runs the daemon and tells the parent through a pipe
 * whether it started, so start-up errors still reach the terminal. */
static int detach(int *notify_fd)
{
	int p[2];
	if (pipe(p))
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0) {
		close(p[1]);
		char ok = 0;
		ssize_t r = read(p[0], &ok, 1);
		if (r != 1 || ok != 1) {
			int st = 0;
			waitpid(pid, &st, 0);
			_exit(1);
		}
		_exit(0);
	}
	close(p[0]);
	if (setsid() < 0)
		return -1;
	*notify_fd = p[1];
	return 0;
}

static int run(const char *path, int foreground)
{
	struct daemon_config *cfg = NULL;
	enum cg_err rc = daemon_config_load(path, &cfg);
	if (rc) {
		err("%s", cg_err_msg(rc));
		return 1;
	}
	int notify = -1;
	if (!foreground && detach(&notify)) {
		err("%s", _("cannot go to the background"));
		daemon_config_free(cfg);
		return 1;
	}
	struct signals s = {0};
	sigemptyset(&s.set);
	sigaddset(&s.set, SIGHUP);
	sigaddset(&s.set, SIGTERM);
	sigaddset(&s.set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &s.set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct daemon *d = NULL;
	rc = daemon_new(cfg, &d);
	if (rc) {
		daemon_log(DLOG_ERROR, "start_failed", "error", cg_err_msg(rc), NULL);
		if (foreground)
			err("%s", cg_err_msg(rc));
		daemon_config_free(cfg);
		return 1;
	}
	for (size_t i = 0; i < cfg->n_listeners; i++) {
		char port[16];
		snprintf(port, sizeof port, "%u", daemon_listener_port(d, i));
		daemon_log(DLOG_INFO, "listening", "listener", cfg->listeners[i].name, "proto",
			   daemon_proto_name(cfg->listeners[i].proto), "address", cfg->listeners[i].address, "port",
			   port, NULL);
	}
	if (cfg->metrics_on) {
		char port[16];
		snprintf(port, sizeof port, "%u", daemon_http_port(d));
		daemon_log(DLOG_INFO, "metrics", "address", cfg->metrics_address, "port", port, NULL);
	}
	if (cfg->agents_listen) {
		char port[16];
		snprintf(port, sizeof port, "%d", daemon_agents_port(d));
		daemon_log(DLOG_INFO, "agents", "listen", cfg->agents_listen, "port", port, NULL);
	}
	if (notify >= 0) {
		char ok = 1;
		ssize_t w = write(notify, &ok, 1);
		(void)w;
		close(notify);
		int null = open("/dev/null", 2);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			close(null);
		}
	}
	s.d = d;
	pthread_t sig_th;
	int have_sig = pthread_create(&sig_th, NULL, signal_main, &s) == 0;
	rc = daemon_run(d);
	if (have_sig) {
		/* daemon_run also returns when the receivers fail: wake the
		 * signal thread so it can be joined. */
		pthread_kill(sig_th, SIGTERM);
		pthread_join(sig_th, NULL);
	}
	daemon_free(d);
	daemon_config_free(cfg);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"check", no_argument, NULL, 'n'},
		{"foreground", no_argument, NULL, 'f'},   {"help", no_argument, NULL, 'h'},
		{"json", no_argument, NULL, OPT_JSON},    {"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	const char *path = DEFAULT_CONFIG;
	int check_only = 0, json = 0, foreground = 0, c;
	cg_i18n_init();
	while ((c = getopt_long(argc, argv, "c:nfh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 'n': check_only = 1; break;
		case 'f': foreground = 1; break;
		case 'h': usage(stdout); return 0;
		case OPT_JSON: json = 1; break;
		case OPT_VERSION: printf("canhgacd %s\n", CG_VERSION); return 0;
		default: fprintf(stderr, _("Try 'canhgacd --help'.\n")); return 2;
		}
	}
	if (optind < argc) {
		err(_("unexpected argument '%s'"), argv[optind]);
		return 2;
	}
	if (json && !check_only) {
		err("%s", _("--json goes with -n"));
		return 2;
	}
	return check_only ? check(path, json) : run(path, foreground);
}
