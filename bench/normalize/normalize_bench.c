/* normalize_bench [FILE...] — messages per second of cg_event_from_message
 * (AUTO) on one thread, per input file and for all together: each file's
 * lines are read once into memory and normalized over and over for about
 * two seconds. Without files, a built-in line of each source is used. Not
 * a test; run by hand (see README in this folder's meson.build comment). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cg_event.h"
#include "event_normalize.h"

static const char *const builtin[] = {
	"Nov  6 11:32:42 web01 sshd[812]: Failed password for invalid user admin from 203.0.113.9 port 4711 ssh2",
	"Nov  6 11:32:42 gw kernel: [ 9.100000] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 "
	"SRC=203.0.113.9 DST=192.0.2.10 LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=1 DF PROTO=TCP SPT=44321 DPT=22 WINDOW=64240 "
	"RES=0x00 SYN URGP=0",
	"192.0.2.4 - - [10/Oct/2025:13:55:36 +0700] \"GET /index.php?id=1 HTTP/1.1\" 200 2326 \"-\" \"Mozilla/5.0 (X11)\"",
	"<134>Nov  6 11:32:42 fw CEF:0|Fortinet|Fortigate|v6.0.3|00013|traffic:forward close|3|src=10.1.100.11 spt=54190 "
	"dst=52.53.140.235 dpt=443 proto=6 act=close msg=a message with spaces",
	"<189>date=2018-12-27 time=11:07:55 logid=\"0000000013\" type=\"traffic\" subtype=\"forward\" level=\"notice\" "
	"srcip=10.1.100.11 srcport=54190 dstip=52.53.140.235 dstport=443 proto=6 action=\"close\" service=\"HTTPS\"",
	"<166>Nov 06 2025 11:32:42: %ASA-6-302013: Built inbound TCP connection 9 for outside:198.51.100.1/22 "
	"(198.51.100.1/22) to inside:10.1.1.2/53496 (10.1.1.2/53496)",
	"Nov  6 11:32:42 web01 systemd[1]: Started Session 42 of user root.",
};

struct set {
	const char *name;
	char **line;
	size_t *len, n;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double run(struct cg_event *ev, const struct set *s, unsigned long *count)
{
	unsigned long done = 0, fields = 0;
	double t0 = now(), t;
	do {
		for (size_t i = 0; i < s->n; i++) {
			if (cg_event_from_message(s->line[i], s->len[i], CG_EVENT_MSG_AUTO, ev) == CG_OK)
				fields += cg_event_count(ev);
			done++;
		}
	} while ((t = now() - t0) < 2.0);
	*count = fields;
	return (double)done / t;
}

static int load(const char *path, struct set *s)
{
	FILE *f = fopen(path, "rb");
	char buf[1 << 16];
	if (!f)
		return -1;
	s->name = path;
	while (fgets(buf, sizeof buf, f)) {
		size_t n = strcspn(buf, "\r\n");
		if (!n)
			continue;
		s->line = realloc(s->line, (s->n + 1) * sizeof *s->line);
		s->len = realloc(s->len, (s->n + 1) * sizeof *s->len);
		if (!s->line || !s->len || !(s->line[s->n] = malloc(n)))
			exit(1);
		memcpy(s->line[s->n], buf, n);
		s->len[s->n++] = n;
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	struct cg_event *ev;
	struct set all = {"all", NULL, NULL, 0};
	if (cg_event_new(&ev) != CG_OK)
		return 1;
	if (argc < 2) {
		for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++) {
			struct set one = {builtin[i], (char **)&builtin[i], NULL, 1};
			size_t n = strlen(builtin[i]);
			one.len = &n;
			unsigned long f;
			double r = run(ev, &one, &f);
			printf("%10.0f msg/s  %.60s\n", r, builtin[i]);
		}
		cg_event_free(ev);
		return 0;
	}
	for (int a = 1; a < argc; a++) {
		struct set s = {0};
		if (load(argv[a], &s) != 0 || !s.n) {
			fprintf(stderr, "normalize_bench: %s: cannot read\n", argv[a]);
			continue;
		}
		unsigned long f;
		double r = run(ev, &s, &f);
		printf("%10.0f msg/s  %6zu lines  %s\n", r, s.n, argv[a]);
		for (size_t i = 0; i < s.n; i++) {
			all.line = realloc(all.line, (all.n + 1) * sizeof *all.line);
			all.len = realloc(all.len, (all.n + 1) * sizeof *all.len);
			if (!all.line || !all.len)
				return 1;
			all.line[all.n] = s.line[i];
			all.len[all.n++] = s.len[i];
		}
		free(s.line);
		free(s.len);
	}
	if (all.n) {
		unsigned long f;
		printf("%10.0f msg/s  %6zu lines  all files\n", run(ev, &all, &f), all.n);
	}
	for (size_t i = 0; i < all.n; i++)
		free(all.line[i]);
	free(all.line);
	free(all.len);
	cg_event_free(ev);
	return 0;
}
