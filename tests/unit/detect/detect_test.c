/* detect: threshold rules against a model of their windows, the sample
 * rules (sshd guessing, a listed address on many ports), errors naming
 * file/line/field, swaps under concurrent workers keeping the state of
 * unchanged rules, the group cap, expiry by detect_tick, and the indicator
 * matching being the hunt's. */
#include "../test_util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "detect_rules.h"
#include "hunt.h"
#include "hunt_intel.h"
#include "hunt_match.h"

static char *dir;

static char *pth(const char *rel)
{
	static char buf[8][512];
	static int k;
	k = (k + 1) % 8;
	snprintf(buf[k], sizeof buf[k], "%s/%s", dir, rel);
	return buf[k];
}

static void put(const char *rel, const char *text)
{
	FILE *f = fopen(pth(rel), "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char *sample_rules(void)
{
	static char p[600];
	const char *src = getenv("CANHGAC_SRC");
	snprintf(p, sizeof p, "%s/samples/detect/thresholds.yaml", src ? src : ".");
	return p;
}

/* ---- collecting alerts ---- */

#define MAXA 4096
struct got {
	pthread_mutex_t mu;
	size_t n;
	struct {
		enum alert_kind kind;
		char rule[64], group[128], indicator[200];
		uint64_t count;
		int64_t first, last;
	} a[MAXA];
};

static enum cg_err collect(void *ctx, const struct alert *a, const struct alert_event *ev)
{
	struct got *g = ctx;
	(void)ev;
	pthread_mutex_lock(&g->mu);
	if (g->n < MAXA) {
		g->a[g->n].kind = a->kind;
		snprintf(g->a[g->n].rule, sizeof g->a[g->n].rule, "%s", a->rule_id ? a->rule_id : "");
		snprintf(g->a[g->n].group, sizeof g->a[g->n].group, "%s", a->kind == ALERT_KIND_THRESHOLD ? a->indicator : "");
		snprintf(g->a[g->n].indicator, sizeof g->a[g->n].indicator, "%s", a->indicator ? a->indicator : "");
		g->a[g->n].count = a->count;
		g->a[g->n].first = a->first_seen;
		g->a[g->n].last = a->last_seen;
	}
	g->n++;
	pthread_mutex_unlock(&g->mu);
	return CG_OK;
}

static struct got *got_new(void)
{
	struct got *g = calloc(1, sizeof *g);
	assert_non_null(g);
	pthread_mutex_init(&g->mu, NULL);
	return g;
}

static struct cg_event *ssh_fail(const char *src, int64_t t_s)
{
	struct cg_event *ev;
	assert_int_equal(cg_event_new(&ev), CG_OK);
	cg_event_set_program(ev, "sshd", 4);
	cg_event_set_computer(ev, "web01.so-mau.example", 20);
	assert_int_equal(cg_event_add(ev, "user", 4, "root", 4), CG_OK);
	assert_int_equal(cg_event_add(ev, "src_ip", 6, src, strlen(src)), CG_OK);
	assert_int_equal(cg_event_add(ev, "outcome", 7, "failure", 7), CG_OK);
	assert_int_equal(cg_event_add(ev, "message", 7, "Failed password", 15), CG_OK);
	cg_event_set_time(ev, t_s * 1000000, 420);
	cg_event_set_received(ev, t_s * 1000000);
	return ev;
}

static struct detect *open_detect(const char *rules, const char *const *intel, size_t n_intel, size_t cap)
{
	struct detect_opts o = {.thresholds_path = rules, .intel_files = intel, .n_intel_files = n_intel};
	struct detect_snapshot *s = NULL;
	struct detect *d = NULL;
	char err[512];
	assert_int_equal(detect_snapshot_load(&o, 1, &s, err, sizeof err), CG_OK);
	assert_int_equal(detect_new_ex(s, cap, &d), CG_OK);
	return d;
}

/* ---- the sshd example ---- */

static void sshd_example(void **state)
{
	(void)state;
	struct detect *d = open_detect(sample_rules(), NULL, 0, 0);
	struct detect_worker *w;
	struct got *g = got_new();
	assert_int_equal(detect_worker_new(d, &w), CG_OK);

	/* 9 failures in 60 s from 198.51.100.7: nothing. */
	for (int i = 0; i < 9; i++) {
		struct cg_event *ev = ssh_fail("198.51.100.7", 1000 + i * 5);
		assert_int_equal(detect_worker_match(w, ev, "test", collect, g), CG_OK);
		cg_event_free(ev);
	}
	assert_int_equal(g->n, 0);
	/* Another address in between does not count for it. */
	struct cg_event *other = ssh_fail("198.51.100.8", 1046);
	assert_int_equal(detect_worker_match(w, other, "test", collect, g), CG_OK);
	cg_event_free(other);
	assert_int_equal(g->n, 0);
	/* The 10th within 60 s: one alert naming the address. */
	struct cg_event *ev = ssh_fail("198.51.100.7", 1050);
	assert_int_equal(detect_worker_match(w, ev, "test", collect, g), CG_OK);
	cg_event_free(ev);
	assert_int_equal(g->n, 1);
	assert_int_equal(g->a[0].kind, ALERT_KIND_THRESHOLD);
	assert_string_equal(g->a[0].rule, "ssh-password-guessing");
	assert_string_equal(g->a[0].group, "src_ip=198.51.100.7");
	assert_int_equal(g->a[0].count, 10);
	assert_int_equal(g->a[0].first, 1000);
	assert_int_equal(g->a[0].last, 1050);

	/* 10 failures spread over more than 60 s: nothing. */
	for (int i = 0; i < 10; i++) {
		ev = ssh_fail("203.0.113.9", 5000 + i * 7);
		assert_int_equal(detect_worker_match(w, ev, "test", collect, g), CG_OK);
		cg_event_free(ev);
	}
	assert_int_equal(g->n, 1);
	/* A success does not count. */
	ev = ssh_fail("192.0.2.1", 9000);
	cg_event_reset(ev);
	cg_event_set_program(ev, "sshd", 4);
	assert_int_equal(cg_event_add(ev, "src_ip", 6, "192.0.2.1", 9), CG_OK);
	assert_int_equal(cg_event_add(ev, "outcome", 7, "success", 7), CG_OK);
	for (int i = 0; i < 20; i++)
		assert_int_equal(detect_worker_match(w, ev, "test", collect, g), CG_OK);
	cg_event_free(ev);
	assert_int_equal(g->n, 1);

	detect_worker_free(w);
	detect_free(d);
	free(g);
}

/* ---- one host, a listed address, many ports ---- */

static struct cg_event *conn(const char *src, const char *dst, int port, int64_t t_s)
{
	struct cg_event *ev;
	char p[16];
	int n = snprintf(p, sizeof p, "%d", port);
	assert_int_equal(cg_event_new(&ev), CG_OK);
	assert_int_equal(cg_event_add(ev, "src_ip", 6, src, strlen(src)), CG_OK);
	assert_int_equal(cg_event_add(ev, "dst_ip", 6, dst, strlen(dst)), CG_OK);
	assert_int_equal(cg_event_add(ev, "dst_port", 8, p, (size_t)n), CG_OK);
	cg_event_set_time(ev, t_s * 1000000, 420);
	cg_event_set_received(ev, t_s * 1000000);
	return ev;
}

static void many_ports_example(void **state)
{
	(void)state;
	put("listed.txt", "# test list\n203.0.113.66\n198.51.100.0/24\n");
	const char *intel[] = {pth("listed.txt")};
	struct detect *d = open_detect(sample_rules(), intel, 1, 0);
	struct detect_worker *w;
	struct got *g = got_new();
	assert_int_equal(detect_worker_new(d, &w), CG_OK);

	/* 30 connections to an unlisted address on 30 ports: no threshold alert. */
	for (int i = 0; i < 30; i++) {
		struct cg_event *ev = conn("10.0.0.5", "192.0.2.80", 1000 + i, 100 + i);
		assert_int_equal(detect_worker_match(w, ev, "t", collect, g), CG_OK);
		cg_event_free(ev);
	}
	assert_int_equal(g->n, 0);
	/* To the listed address: 40 connections on 19 ports (repeats), nothing. */
	for (int i = 0; i < 40; i++) {
		struct cg_event *ev = conn("10.0.0.5", "203.0.113.66", 2000 + i % 19, 200 + i);
		assert_int_equal(detect_worker_match(w, ev, "t", collect, g), CG_OK);
		cg_event_free(ev);
	}
	assert_int_equal(g->n, 0);
	/* The 20th distinct port within 5 minutes fires. */
	struct cg_event *ev = conn("10.0.0.5", "203.0.113.66", 2019, 260);
	assert_int_equal(detect_worker_match(w, ev, "t", collect, g), CG_OK);
	cg_event_free(ev);
	assert_int_equal(g->n, 1);
	assert_string_equal(g->a[0].rule, "listed-address-many-ports");
	assert_string_equal(g->a[0].group, "src_ip=10.0.0.5, dst_ip=203.0.113.66");
	assert_int_equal(g->a[0].count, 20);
	/* Inside a listed network too. */
	for (int i = 0; i < 20; i++) {
		ev = conn("10.0.0.6", "198.51.100.200", 3000 + i, 400 + i);
		assert_int_equal(detect_worker_match(w, ev, "t", collect, g), CG_OK);
		cg_event_free(ev);
	}
	assert_int_equal(g->n, 2);
	assert_string_equal(g->a[1].group, "src_ip=10.0.0.6, dst_ip=198.51.100.200");

	detect_worker_free(w);
	detect_free(d);
	free(g);
}

/* ---- the window model ---- */

/* The documented semantics, written independently: a group's window opens
 * at its first event and lasts W; at N events inside it the rule fires and
 * the next event opens a new window; a late event counts in the open
 * window. */
struct model_group {
	int used, open;
	int64_t start, last;
	uint64_t count;
};

static void window_model(void **state)
{
	(void)state;
	put("count.yaml", "rules:\n  - id: burst\n    title: Burst\n    level: low\n    match: {kind: hit}\n"
			  "    group_by: [who]\n    condition: count >= 4\n    window: 30s\n");
	struct detect *d = open_detect(pth("count.yaml"), NULL, 0, 0);
	struct detect_worker *w;
	struct got *g = got_new();
	struct model_group mg[8] = {{0}};
	size_t expect = 0;
	int64_t t = 100000;
	unsigned seed = 12345;
	assert_int_equal(detect_worker_new(d, &w), CG_OK);

	for (int i = 0; i < 3000; i++) {
		seed = seed * 1103515245u + 12345u;
		int who = (int)((seed >> 16) % 8);
		t += (int64_t)((seed >> 8) % 9); /* 0..8 s apart */
		int64_t et = t - (int64_t)((seed >> 4) % 3 == 0 ? (seed >> 20) % 5 : 0); /* some late */
		char name[8];
		int n = snprintf(name, sizeof name, "u%d", who);
		struct cg_event *ev;
		assert_int_equal(cg_event_new(&ev), CG_OK);
		assert_int_equal(cg_event_add(ev, "kind", 4, "hit", 3), CG_OK);
		assert_int_equal(cg_event_add(ev, "who", 3, name, (size_t)n), CG_OK);
		cg_event_set_time(ev, et * 1000000, 0);
		cg_event_set_received(ev, t * 1000000);
		assert_int_equal(detect_worker_match(w, ev, "m", collect, g), CG_OK);
		cg_event_free(ev);

		struct model_group *m = &mg[who];
		int64_t x = et;
		if (m->open && x < m->start)
			x = m->start;
		if (!m->open || x - m->start > 30) {
			m->open = 1;
			m->start = x;
			m->count = 0;
			m->last = x;
		}
		m->count++;
		if (x > m->last)
			m->last = x;
		if (m->count >= 4) {
			assert_true(expect < g->n);
			char grp[32];
			snprintf(grp, sizeof grp, "who=%s", name);
			assert_string_equal(g->a[expect].group, grp);
			assert_int_equal(g->a[expect].count, 4);
			assert_int_equal(g->a[expect].first, m->start);
			assert_int_equal(g->a[expect].last, m->last);
			expect++;
			m->open = 0;
		}
		assert_int_equal(g->n, expect);
	}
	assert_true(expect > 50); /* the model fired often enough to mean something */
	detect_worker_free(w);
	detect_free(d);
	free(g);
}

/* ---- errors name file, line and field ---- */

static void expect_error(const char *yaml, const char *needle)
{
	struct detect_rules *r = NULL;
	enum cg_err rc = detect_rules_parse("t.yaml", yaml, strlen(yaml), &r);
	assert_int_not_equal(rc, CG_OK);
	assert_null(r);
	if (!strstr(cg_err_msg(rc), needle))
		fail_msg("error '%s' lacks '%s'", cg_err_msg(rc), needle);
}

static void rule_errors(void **state)
{
	(void)state;
	const char *head = "rules:\n  - id: a\n    title: A\n";
	char buf[1024];
#define BAD(tail, needle)                                      \
	do {                                                   \
		snprintf(buf, sizeof buf, "%s%s", head, tail); \
		expect_error(buf, needle);                     \
	} while (0)
	BAD("    condition: count >= 10\n", "t.yaml:2: field 'window'");
	BAD("    condition: count >= 10\n    window: 2d\n", "t.yaml:5: field 'window'");
	BAD("    condition: count > = 10\n    window: 60s\n", "t.yaml:4: field 'condition'");
	BAD("    condition: total >= 10\n    window: 60s\n", "field 'condition'");
	BAD("    distinct: port >= 5000\n    window: 60s\n", "t.yaml:4: field 'distinct'");
	BAD("    window: 60s\n", "field 'condition'");
	BAD("    windw: 60s\n", "t.yaml:4: field 'windw': unknown field");
	BAD("    match:\n      src_ip: {cidr: 10.0.0.0/33}\n    condition: count >= 2\n    window: 1m\n",
	    "t.yaml:5: field 'src_ip'");
	BAD("    match:\n      user: {re: '(unclosed'}\n    condition: count >= 2\n    window: 1m\n",
	    "t.yaml:5: field 'user': bad regular expression");
	BAD("    match:\n      user: {like: x}\n    condition: count >= 2\n    window: 1m\n", "field 'user'");
	BAD("    level: severe\n    condition: count >= 2\n    window: 1m\n", "field 'level'");
	BAD("    condition: count >= 2\n    window: 1m\n  - id: a\n    title: B\n    condition: count >= 2\n    window: 1m\n",
	    "t.yaml:6: field 'id': 'a' is the id of an earlier rule");
	BAD("    group_by: [a, b, c, d, e]\n    condition: count >= 2\n    window: 1m\n", "field 'group_by'");
	expect_error("rules: 5\n", "t.yaml:1: field 'rules'");
	expect_error("rules:\n  - id: x\n    title: [\n", "t.yaml:");

	/* The sample parses, with the figures written in it. */
	struct detect_rules *r;
	struct detect_rule_info ri;
	assert_int_equal(detect_rules_load(sample_rules(), &r), CG_OK);
	assert_true(detect_rules_count(r) >= 2);
	detect_rules_info(r, 0, &ri);
	assert_string_equal(ri.id, "ssh-password-guessing");
	assert_int_equal(ri.threshold, 10);
	assert_int_equal(ri.window_us, 60 * 1000000LL);
	detect_rules_info(r, 1, &ri);
	assert_int_equal(ri.cond, DETECT_COND_DISTINCT);
	assert_string_equal(ri.distinct, "dst_port");
	assert_int_equal(ri.window_us, 300 * 1000000LL);
	assert_true(ri.uses_intel);
	detect_rules_free(r);
}

/* ---- swaps under concurrent workers ---- */

struct runner {
	struct detect *d;
	struct got *g;
	int id;
	size_t per;
};

static void *run_worker(void *arg)
{
	struct runner *r = arg;
	struct detect_worker *w;
	char src[32];
	if (detect_worker_new(r->d, &w))
		return (void *)1;
	snprintf(src, sizeof src, "192.0.2.%d", r->id + 10);
	for (size_t i = 0; i < r->per; i++) {
		/* All inside one 60 s window per block of 10. */
		struct cg_event *ev = ssh_fail(src, 10000 + (int64_t)(i / 10) * 100 + (int64_t)(i % 10));
		if (detect_worker_match(w, ev, "t", collect, r->g))
			return (void *)1;
		cg_event_free(ev);
	}
	detect_worker_free(w);
	return NULL;
}

static void swaps_keep_state(void **state)
{
	(void)state;
	enum { THREADS = 4, PER = 2000 };
	struct detect *d = open_detect(sample_rules(), NULL, 0, 0);
	struct got *g = got_new();
	pthread_t th[THREADS];
	struct runner rn[THREADS];
	struct detect_opts o = {.thresholds_path = sample_rules()};
	char err[256];

	for (int i = 0; i < THREADS; i++) {
		rn[i] = (struct runner){d, g, i, PER};
		assert_int_equal(pthread_create(&th[i], NULL, run_worker, &rn[i]), 0);
	}
	/* Swap in equal snapshots while they run: no count is lost. */
	for (int k = 0; k < 200; k++) {
		struct detect_snapshot *s;
		assert_int_equal(detect_snapshot_load(&o, (uint64_t)k + 2, &s, err, sizeof err), CG_OK);
		detect_swap(d, s);
	}
	for (int i = 0; i < THREADS; i++) {
		void *ret;
		pthread_join(th[i], &ret);
		assert_null(ret);
	}
	assert_int_equal(g->n, THREADS * PER / 10);
	struct detect_stats st;
	detect_stats(d, &st);
	assert_int_equal(st.swaps, 200);
	assert_int_equal(st.generation, 201);
	assert_int_equal(st.events, THREADS * PER);
	assert_int_equal(st.threshold_alerts, THREADS * PER / 10);

	/* State carries over a swap for an unchanged rule... */
	struct detect_worker *w;
	assert_int_equal(detect_worker_new(d, &w), CG_OK);
	g->n = 0;
	for (int i = 0; i < 5; i++) {
		struct cg_event *ev = ssh_fail("198.51.100.99", 50000 + i);
		assert_int_equal(detect_worker_match(w, ev, "t", collect, g), CG_OK);
		cg_event_free(ev);
	}
	struct detect_snapshot *s;
	assert_int_equal(detect_snapshot_load(&o, 900, &s, err, sizeof err), CG_OK);
	detect_swap(d, s);
	for (int i = 5; i < 10; i++) {
		struct cg_event *ev = ssh_fail("198.51.100.99", 50000 + i);
		assert_int_equal(detect_worker_match(w, ev, "t", collect, g), CG_OK);
		cg_event_free(ev);
	}
	assert_int_equal(g->n, 1);
	/* ...but not for a rule whose definition changed (threshold 10 -> 6). */
	FILE *in = fopen(sample_rules(), "rb");
	char text[8192];
	size_t tl = fread(text, 1, sizeof text - 1, in);
	fclose(in);
	text[tl] = '\0';
	char *c = strstr(text, "count >= 10");
	assert_non_null(c);
	memcpy(c, "count >= 6 ", 11);
	put("changed.yaml", text);
	for (int i = 0; i < 5; i++) {
		struct cg_event *ev = ssh_fail("198.51.100.98", 60000 + i);
		assert_int_equal(detect_worker_match(w, ev, "t", collect, g), CG_OK);
		cg_event_free(ev);
	}
	struct detect_opts o2 = {.thresholds_path = pth("changed.yaml")};
	assert_int_equal(detect_snapshot_load(&o2, 901, &s, err, sizeof err), CG_OK);
	detect_swap(d, s);
	for (int i = 5; i < 10; i++) {
		struct cg_event *ev = ssh_fail("198.51.100.98", 60000 + i);
		assert_int_equal(detect_worker_match(w, ev, "t", collect, g), CG_OK);
		cg_event_free(ev);
	}
	assert_int_equal(g->n, 1); /* 5 under the new rule: not yet 6 */
	struct cg_event *ev = ssh_fail("198.51.100.98", 60010);
	assert_int_equal(detect_worker_match(w, ev, "t", collect, g), CG_OK);
	cg_event_free(ev);
	assert_int_equal(g->n, 2);

	/* A bad file: the load fails with the reason, the old snapshot stays. */
	put("bad.yaml", "rules:\n  - id: x\n    title: X\n    condition: count >= 0\n    window: 1s\n");
	struct detect_opts o3 = {.thresholds_path = pth("bad.yaml")};
	s = NULL;
	assert_int_not_equal(detect_snapshot_load(&o3, 902, &s, err, sizeof err), CG_OK);
	assert_null(s);
	assert_non_null(strstr(err, "bad.yaml:4: field 'condition'"));
	detect_stats(d, &st);
	assert_int_equal(st.generation, 901);

	detect_worker_free(w);
	detect_free(d);
	free(g);
}

/* ---- the group cap and expiry ---- */

static void cap_and_expiry(void **state)
{
	(void)state;
	/* 64 groups at most (one per shard). */
	struct detect *d = open_detect(sample_rules(), NULL, 0, 64);
	struct detect_worker *w;
	struct got *g = got_new();
	struct detect_stats st;
	assert_int_equal(detect_worker_new(d, &w), CG_OK);
	for (int i = 0; i < 1000; i++) {
		char src[32];
		snprintf(src, sizeof src, "10.1.%d.%d", i / 250, i % 250);
		struct cg_event *ev = ssh_fail(src, 1000);
		assert_int_equal(detect_worker_match(w, ev, "t", collect, g), CG_OK);
		cg_event_free(ev);
	}
	detect_stats(d, &st);
	assert_true(st.groups <= 64);
	assert_true(st.groups > 0);
	assert_int_equal(st.groups + st.groups_evicted, 1000);
	/* Idle past the window (60 s) by received time: forgotten. */
	assert_int_equal(detect_tick(d, 1000 * 1000000LL + 30 * 1000000LL, NULL, NULL), CG_OK);
	detect_stats(d, &st);
	assert_true(st.groups > 0);
	assert_int_equal(detect_tick(d, 1000 * 1000000LL + 61 * 1000000LL, NULL, NULL), CG_OK);
	detect_stats(d, &st);
	assert_int_equal(st.groups, 0);
	assert_int_equal(st.groups_expired + st.groups_evicted, 1000);
	detect_worker_free(w);
	detect_free(d);
	free(g);
}

/* ---- indicators: the hunt's hits, line by line ---- */

struct hunt_hits {
	size_t n;
	char v[64][200];
};

static enum cg_err on_hunt_hit(void *ctx, const struct hunt_hit *h)
{
	struct hunt_hits *hh = ctx;
	if (hh->n < 64)
		snprintf(hh->v[hh->n++], 200, "%.*s|%s", (int)h->found_len, h->found, h->entry->value);
	return CG_OK;
}

static void indicators_as_hunt(void **state)
{
	(void)state;
	put("iocs.txt", "203.0.113.66\n198.51.100.0/24\nevil.example\nhttp://bad.example/x.php\n"
			"44d88612fea8a8f36de82e1278abb02f\n2001:db8:bad::/48\n");
	const char *intel[] = {pth("iocs.txt")};
	struct detect *d = open_detect(NULL, intel, 1, 0);
	struct detect_worker *w;
	struct detect_snapshot *snap = detect_acquire(d);
	struct detect_counts dc;
	detect_snapshot_counts(snap, &dc);
	assert_int_equal(dc.indicators, 6);
	detect_snapshot_unref(snap);
	assert_int_equal(detect_worker_new(d, &w), CG_OK);
	static const char *const lines[] = {
		"Nov  6 18:32:42 fw01 kernel: SRC=10.0.0.5 DST=203.0.113.66 DPT=443",
		"GET http://bad.example/x.php?id=1 from 198.51.100.7 and 198.51.100.7 again, 198.51.100.8",
		"dns query a.b.EVIL.example from 10.0.0.9; not evil.example.org nor 1203.0.113.66",
		"hash 44D88612FEA8A8F36DE82E1278ABB02F seen; [2001:db8:bad::1]:443 and 2001:db8:bad::1",
		"nothing here 203.0.113.6 and 203.0.113.666",
	};
	struct cg_event *ev;
	assert_int_equal(cg_event_new(&ev), CG_OK);
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
		struct hunt_hits hh = {0};
		struct hunt_sink sink = {.hit = on_hunt_hit, .ctx = &hh};
		struct got *g = got_new();
		assert_int_equal(detect_worker_match_raw(w, ev, lines[i], strlen(lines[i]), "t", collect, g), CG_OK);
		/* The hunt over the same line, with the set built from the same file. */
		struct hunt_intel_opts io = {.files = intel, .n_files = 1};
		struct ioc_set *hs;
		assert_int_equal(hunt_intel_load(NULL, &io, NULL, &hs), CG_OK);
		assert_int_equal(hunt_buffer(hs, "x", lines[i], strlen(lines[i]), &sink, NULL), CG_OK);
		ioc_set_free(hs);
		assert_int_equal(g->n, hh.n);
		for (size_t k = 0; k < hh.n; k++) {
			const char *bar = strchr(hh.v[k], '|');
			assert_non_null(bar);
			assert_string_equal(g->a[k].indicator, bar + 1);
		}
		free(g);
	}
	cg_event_free(ev);
	detect_worker_free(w);
	detect_free(d);
}

static int setup(void **state)
{
	(void)state;
	dir = test_tmpdir();
	return dir ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sshd_example),     cmocka_unit_test(many_ports_example),
		cmocka_unit_test(window_model),     cmocka_unit_test(rule_errors),
		cmocka_unit_test(swaps_keep_state), cmocka_unit_test(cap_and_expiry),
		cmocka_unit_test(indicators_as_hunt),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
