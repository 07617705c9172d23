/* A test harness, not a product command: hosts the agent hub the way
 * canhgacd does, for the integration tests until the daemon carries it.
 *   hub_harness DB [HOST:PORT]
 * prints "port N" once listening, serves until SIGTERM/SIGINT, then stops
 * the hub cleanly. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "agent_hub.h"
#include "cg_db.h"
#include "cg_i18n.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void log_line(void *ctx, enum agent_hub_log_level level, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "hub %s: %s\n", level == AGENT_HUB_WARN ? "warning" : "info", msg);
	fflush(stderr);
}

int main(int argc, char **argv)
{
	struct agent_hub_opts o = {.listen = argc > 2 ? argv[2] : "127.0.0.1:0", .log = log_line};
	struct agent_hub *hub;
	struct sigaction sa = {.sa_handler = on_signal};
	enum cg_err rc;

	if (argc < 2) {
		fprintf(stderr, "usage: hub_harness DB [HOST:PORT]\n");
		return 2;
	}
	cg_i18n_init();
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	const char *now = getenv("CANHGAC_NOW");
	if (now && *now)
		cg_clock_fix(strtoll(now, NULL, 10));
	if ((rc = agent_hub_new(&o, argv[1], &hub)) || (rc = agent_hub_start(hub))) {
		fprintf(stderr, "hub_harness: %s\n", cg_err_msg(rc));
		agent_hub_free(hub);
		return 1;
	}
	printf("port %d\n", agent_hub_port(hub));
	fflush(stdout);
	while (!stop)
		pause();
	agent_hub_free(hub);
	return 0;
}
