/* collect_probe — a test harness, not a product command: runs a collect
 * loop with the listeners and files named on the command line and prints
 * each message with its source as one JSON line on stdout.
 *
 *   collect_probe [--state DIR] [--max-msg N] [--max-conns N] [--idle-ms N]
 *                 [--cert F --key F [--ca F] [--verify]] [--delay-us N]
 *                 [--stats-on-exit] [--count-only] SOURCE...
 *   SOURCE: udp:NAME:ADDR | tcp:NAME:ADDR | tls:NAME:ADDR (port 0, the OS picks)
 *           file:NAME:PATH | file-end:NAME:PATH
 *
 * Once everything is bound it prints {"ports":[...]} (listener order). It
 * stops on SIGTERM/SIGINT or when stdin closes, then prints
 * {"stats":[...]} with --stats-on-exit. --delay-us makes the callback
 * sleep per message (a slow consumer: back-pressure); --count-only prints
 * no messages (the counters only: a throughput run). */
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect.h"

static const char *proto_name(enum collect_proto p)
{
	switch (p) {
	case COLLECT_UDP: return "udp";
	case COLLECT_TCP: return "tcp";
	case COLLECT_TLS: return "tls";
	case COLLECT_FILE: return "file";
	}
	return "?";
}

static unsigned delay_us;
static int count_only;

static void on_msg(void *ctx, const struct collect_src *src, const char *msg, size_t n)
{
	(void)ctx;
	if (count_only)
		return;
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(src->name));
	json_object_set_new(o, "proto", json_string(proto_name(src->proto)));
	json_object_set_new(o, "peer", json_string(src->peer));
	json_object_set_new(o, "tls_subject", src->tls_subject ? json_string(src->tls_subject) : json_null());
	json_object_set_new(o, "received_us", json_integer(src->received_us));
	json_object_set_new(o, "truncated", json_boolean(src->truncated));
	json_object_set_new(o, "msg", json_stringn_nocheck(msg, n));
	char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (s) {
		fputs(s, stdout);
		fputc('\n', stdout);
		fflush(stdout);
	}
	free(s);
	json_decref(o);
	if (delay_us)
		usleep(delay_us);
}

static struct collect *the_collect;
static int sig_pipe[2];

static void on_signal(int sig)
{
	(void)sig;
	char b = 1;
	if (write(sig_pipe[1], &b, 1) < 0)
		_exit(2);
}

/* Stops the loop when a signal arrives or stdin closes. */
static void *watcher(void *arg)
{
	(void)arg;
	fd_set fds;
	for (;;) {
		FD_ZERO(&fds);
		FD_SET(0, &fds);
		FD_SET(sig_pipe[0], &fds);
		if (select(sig_pipe[0] + 1, &fds, NULL, NULL, NULL) < 0)
			continue;
		if (FD_ISSET(sig_pipe[0], &fds))
			break;
		char b[256];
		if (read(0, b, sizeof b) <= 0)
			break;
	}
	collect_stop(the_collect);
	return NULL;
}

static void print_stats(struct collect *c)
{
	json_t *a = json_array();
	for (size_t i = 0; i < collect_source_count(c); i++) {
		struct collect_stats s;
		collect_stats(c, i, &s);
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(s.name));
		json_object_set_new(o, "proto", json_string(proto_name(s.proto)));
#define F(x) json_object_set_new(o, #x, json_integer((json_int_t)s.x))
		F(msgs); F(bytes); F(truncated); F(framing_errors); F(conns); F(conns_open); F(conns_refused);
		F(idle_closed); F(tls_failures); F(read_errors); F(rotations); F(truncations);
#undef F
		json_array_append_new(a, o);
	}
	json_t *top = json_pack("{s:o}", "stats", a);
	char *s = json_dumps(top, JSON_COMPACT);
	printf("%s\n", s ? s : "{}");
	fflush(stdout);
	free(s);
	json_decref(top);
}

int main(int argc, char **argv)
{
	const char *state = NULL, *cert = NULL, *key = NULL, *ca = NULL;
	size_t max_msg = 0;
	unsigned max_conns = 0, idle_ms = 0;
	int verify = 0, stats = 0, i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--verify")) { verify = 1; continue; }
		if (!strcmp(a, "--stats-on-exit")) { stats = 1; continue; }
		if (!strcmp(a, "--count-only")) { count_only = 1; continue; }
		if (!v) { fprintf(stderr, "collect_probe: %s needs a value\n", a); return 2; }
		i++;
		if (!strcmp(a, "--state")) state = v;
		else if (!strcmp(a, "--max-msg")) max_msg = strtoul(v, NULL, 10);
		else if (!strcmp(a, "--max-conns")) max_conns = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--idle-ms")) idle_ms = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--cert")) cert = v;
		else if (!strcmp(a, "--key")) key = v;
		else if (!strcmp(a, "--ca")) ca = v;
		else if (!strcmp(a, "--delay-us")) delay_us = (unsigned)strtoul(v, NULL, 10);
		else { fprintf(stderr, "collect_probe: unknown option %s\n", a); return 2; }
	}
	struct collect *c;
	if (collect_new(state, on_msg, NULL, &c)) {
		fprintf(stderr, "collect_probe: %s\n", cg_err_msg(CG_EINTERNAL));
		return 1;
	}
	json_t *ports = json_array();
	for (; i < argc; i++) {
		char *spec = strdup(argv[i]), *kind = spec, *name = strchr(spec, ':'), *rest;
		if (!name || !(rest = strchr(name + 1, ':'))) {
			fprintf(stderr, "collect_probe: bad source %s\n", argv[i]);
			return 2;
		}
		*name++ = '\0';
		*rest++ = '\0';
		enum cg_err rc;
		if (!strcmp(kind, "file") || !strcmp(kind, "file-end")) {
			struct collect_file_opts o = {.name = name, .path = rest, .max_msg = max_msg,
						      .from_end = !strcmp(kind, "file-end"), .poll_ms = 50};
			rc = collect_add_file(c, &o);
		} else {
			struct collect_listener_opts o = {.name = name, .address = rest, .port = 0, .max_msg = max_msg,
							  .max_conns = max_conns, .idle_timeout_ms = idle_ms,
							  .tls_cert = cert, .tls_key = key, .tls_ca = ca,
							  .tls_verify_client = verify};
			o.proto = !strcmp(kind, "udp") ? COLLECT_UDP : !strcmp(kind, "tcp") ? COLLECT_TCP : COLLECT_TLS;
			rc = collect_add_listener(c, &o);
			if (!rc)
				json_array_append_new(ports, json_integer(collect_listener_port(c, json_array_size(ports))));
		}
		if (rc) {
			fprintf(stderr, "collect_probe: %s\n", cg_err_msg(rc));
			return 1;
		}
		free(spec);
	}
	json_t *top = json_pack("{s:o}", "ports", ports);
	char *s = json_dumps(top, JSON_COMPACT);
	printf("%s\n", s);
	fflush(stdout);
	free(s);
	json_decref(top);

	the_collect = c;
	if (pipe(sig_pipe) != 0)
		return 1;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	pthread_t th;
	pthread_create(&th, NULL, watcher, NULL);
	enum cg_err rc = collect_run(c);
	pthread_join(th, NULL);
	if (stats)
		print_stats(c);
	collect_free(c);
	return rc ? 1 : 0;
}
