/* fwd_pump — the forward queue and upstreams driven alone, for the
 * integration tests (the daemon wires the same calls): appends records at a
 * steady rate until the queue holds --count records in all (so a restart
 * after kill -9 continues where the committed ones end), commits each one
 * and writes "SEQ\n" to --committed-log after the commit returned, then
 * waits until every upstream delivered everything and prints the stats.
 *
 *   fwd_pump --dir D --count N --rate R [--syslog HOST:PORT] [--tls-ca F]
 *            [--tls-cert F --tls-key F] [--tls-name N] [--http URL]
 *            [--batch B] [--hold-ms MS] [--committed-log F] [--drain-s S]
 *   fwd_pump --bench N --dir D     append N small records, print records/s */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cg_err.h"
#include "fwd.h"
#include "fwd_queue.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench(const char *dir, uint64_t n)
{
	struct fwd_queue_opts o = { .max_bytes = (uint64_t)4 << 30 };
	struct fwd_queue *q;
	char rec[160];
	uint64_t seq;
	enum cg_err rc = fwd_queue_open(dir, &o, &q);
	if (rc) {
		fprintf(stderr, "fwd_pump: %s\n", cg_err_msg(rc));
		return 1;
	}
	double t0 = now_s();
	for (uint64_t i = 0; i < n; i++) {
		int len = snprintf(rec, sizeof rec,
		                   "{\"type\":\"event\",\"host\":\"fw1.so-mau.example\",\"app\":\"sshd\",\"pid\":%" PRIu64
		                   ",\"message\":\"Failed password for root from 192.0.2.7\"}", i);
		if ((rc = fwd_queue_append(q, rec, (size_t)len, &seq)) || (i % 1000 == 999 && (rc = fwd_queue_commit(q)))) {
			fprintf(stderr, "fwd_pump: %s\n", cg_err_msg(rc));
			return 1;
		}
	}
	if ((rc = fwd_queue_commit(q))) {
		fprintf(stderr, "fwd_pump: %s\n", cg_err_msg(rc));
		return 1;
	}
	double t = now_s() - t0;
	fwd_queue_close(q);
	printf("{\"records\":%" PRIu64 ",\"seconds\":%.3f,\"records_per_s\":%.0f}\n", n, t, (double)n / t);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = NULL, *syslog = NULL, *http = NULL, *ca = NULL, *cert = NULL, *key = NULL, *tlsname = NULL,
	           *clog = NULL;
	uint64_t count = 1000, bench_n = 0;
	double rate = 1000, drain_s = 120;
	unsigned batch = 0, hold = 0;
	struct fwd_upstream_opts u[2];
	size_t nu = 0;
	char host[256];

	for (int i = 1; i + 1 < argc; i += 2) {
		const char *a = argv[i], *v = argv[i + 1];
		if (!strcmp(a, "--dir")) dir = v;
		else if (!strcmp(a, "--count")) count = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--rate")) rate = strtod(v, NULL);
		else if (!strcmp(a, "--syslog")) syslog = v;
		else if (!strcmp(a, "--http")) http = v;
		else if (!strcmp(a, "--tls-ca")) ca = v;
		else if (!strcmp(a, "--tls-cert")) cert = v;
		else if (!strcmp(a, "--tls-key")) key = v;
		else if (!strcmp(a, "--tls-name")) tlsname = v;
		else if (!strcmp(a, "--batch")) batch = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--hold-ms")) hold = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--committed-log")) clog = v;
		else if (!strcmp(a, "--drain-s")) drain_s = strtod(v, NULL);
		else if (!strcmp(a, "--bench")) bench_n = strtoull(v, NULL, 10);
		else {
			fprintf(stderr, "fwd_pump: unknown option %s\n", a);
			return 2;
		}
	}
	if (!dir) {
		fprintf(stderr, "fwd_pump: --dir is required\n");
		return 2;
	}
	if (bench_n)
		return bench(dir, bench_n);
	memset(u, 0, sizeof u);
	if (syslog) {
		const char *colon = strrchr(syslog, ':');
		if (!colon || (size_t)(colon - syslog) >= sizeof host) {
			fprintf(stderr, "fwd_pump: --syslog HOST:PORT\n");
			return 2;
		}
		memcpy(host, syslog, (size_t)(colon - syslog));
		host[colon - syslog] = 0;
		u[nu] = (struct fwd_upstream_opts){ .name = "soc-syslog", .kind = ca ? FWD_SYSLOG_TLS : FWD_SYSLOG_TCP,
		                                     .address = host, .port = (unsigned)atoi(colon + 1), .tls_ca = ca,
		                                     .tls_cert = cert, .tls_key = key, .tls_name = tlsname,
		                                     .batch = batch, .retry_max_s = 2, .hold_ms = hold,
		                                     .ack_timeout_ms = 5000, .timeout_ms = 3000 };
		nu++;
	}
	if (http) {
		u[nu] = (struct fwd_upstream_opts){ .name = "soc-http", .kind = FWD_HTTP_JSON, .url = http,
		                                     .tls_ca = ca, .batch = batch, .retry_max_s = 2, .timeout_ms = 3000 };
		nu++;
	}
	struct fwd_queue_opts qo = { .max_bytes = (uint64_t)256 << 20, .segment_bytes = (uint64_t)256 << 10 };
	struct fwd_queue *q;
	struct fwd *f;
	enum cg_err rc = fwd_queue_open(dir, &qo, &q);
	if (rc) {
		fprintf(stderr, "fwd_pump: %s\n", cg_err_msg(rc));
		return 1;
	}
	rc = fwd_start(q, u, nu, &f);
	if (rc) {
		fprintf(stderr, "fwd_pump: %s\n", cg_err_msg(rc));
		fwd_queue_close(q);
		return 1;
	}
	int lfd = clog ? open(clog, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644) : -1;
	struct fwd_queue_stats qs;
	fwd_queue_stats(q, &qs);
	double t0 = now_s();
	uint64_t done = 0;
	for (uint64_t next = qs.next_seq; next <= count; next++, done++) {
		char rec[256], line[32];
		uint64_t seq;
		double due = t0 + (double)done / rate;
		while (now_s() < due)
			usleep(500);
		int len = snprintf(rec, sizeof rec,
		                   "{\"type\":\"event\",\"host\":\"fw1.so-mau.example\",\"app\":\"pump\",\"pid\":%d,"
		                   "\"severity\":5,\"facility\":4,\"message\":\"test record %" PRIu64 "\"}",
		                   (int)getpid(), next);
		if ((rc = fwd_queue_append(q, rec, (size_t)len, &seq)) || (rc = fwd_queue_commit(q))) {
			fprintf(stderr, "fwd_pump: %s\n", cg_err_msg(rc));
			return 1;
		}
		if (lfd >= 0) {
			int ln = snprintf(line, sizeof line, "%" PRIu64 "\n", seq);
			if (write(lfd, line, (size_t)ln) != ln)
				return 1;
		}
	}
	/* Drain: every upstream delivered everything committed. */
	struct fwd_stats st;
	double end = now_s() + drain_s;
	int drained = 0;
	while (now_s() < end) {
		fwd_stats(f, &st);
		drained = 1;
		for (size_t i = 0; i < st.n; i++)
			if (st.up[i].delivered_seq < st.queue.committed_seq)
				drained = 0;
		if (drained)
			break;
		usleep(50 * 1000);
	}
	fwd_stats(f, &st);
	printf("{\"committed\":%" PRIu64 ",\"queue_bytes\":%" PRIu64 ",\"segments\":%u,\"upstreams\":[",
	       st.queue.committed_seq, st.queue.bytes, st.queue.segments);
	for (size_t i = 0; i < st.n; i++)
		printf("%s{\"name\":\"%s\",\"delivered\":%" PRIu64 ",\"sent\":%" PRIu64 ",\"redelivered\":%" PRIu64
		       ",\"errors\":%" PRIu64 ",\"reconnects\":%" PRIu64 "}",
		       i ? "," : "", st.up[i].name, st.up[i].delivered_seq, st.up[i].sent, st.up[i].redelivered,
		       st.up[i].errors, st.up[i].reconnects);
	printf("]}\n");
	fwd_free(f);
	fwd_queue_close(q);
	if (lfd >= 0)
		close(lfd);
	return drained ? 0 : 1;
}
