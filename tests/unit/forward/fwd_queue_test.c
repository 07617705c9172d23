/* fwd_queue: order and sequence numbers against a model, restart, crash
 * (a child process dies without closing), torn tail, the bound, cursor
 * persistence and segment deletion, a corrupt segment. */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "../test_util.h"

#include "cg_err.h"
#include "fwd_queue.h"
#include "fwd_segment.h"

static void quiet(void *ctx, const char *msg)
{
	int *n = ctx;
	(void)msg;
	if (n)
		(*n)++;
}

static struct fwd_queue *qopen(const char *dir, uint64_t max, uint64_t seg, int *logs)
{
	struct fwd_queue_opts o = { .max_bytes = max, .segment_bytes = seg, .log = quiet, .log_ctx = logs };
	struct fwd_queue *q = NULL;
	enum cg_err rc = fwd_queue_open(dir, &o, &q);
	if (rc)
		fail_msg("open: %s", cg_err_msg(rc));
	return q;
}

/* Payload of record `seq` in these tests: derived from seq, varying length. */
static size_t payload(uint64_t seq, char *buf, size_t cap)
{
	size_t n = (size_t)snprintf(buf, cap, "rec-%" PRIu64 "-", seq);
	size_t extra = (size_t)((seq * 2654435761u) % 200);
	for (size_t i = 0; i < extra && n + 1 < cap; i++)
		buf[n++] = (char)('a' + (seq + i) % 26);
	return n;
}

#define append_one(q, e) append_one_at(q, e, __LINE__)
static uint64_t append_one_at(struct fwd_queue *q, uint64_t expect, int line)
{
	char buf[512];
	uint64_t seq = 0;
	size_t n = payload(expect, buf, sizeof buf);
	enum cg_err rc = fwd_queue_append(q, buf, n, &seq);
	if (rc || seq != expect)
		fail_msg("line %d: append %" PRIu64 ": %s, got %" PRIu64, line, expect, rc ? cg_err_msg(rc) : "ok", seq);
	return seq;
}

static void expect_read(struct fwd_cursor *c, uint64_t expect)
{
	char buf[512];
	const void *rec;
	size_t n;
	uint64_t seq;
	enum cg_err rc = fwd_cursor_read(c, 0, &rec, &n, &seq);
	if (rc)
		fail_msg("read %" PRIu64 ": %s", expect, cg_err_msg(rc));
	assert_int_equal(seq, expect);
	size_t m = payload(expect, buf, sizeof buf);
	assert_int_equal(n, m);
	assert_memory_equal(rec, buf, n);
}

static unsigned count_segments(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;
	assert_non_null(d);
	while ((e = readdir(d)))
		if (strncmp(e->d_name, "seg-", 4) == 0)
			n++;
	closedir(d);
	return n;
}

static void rm_rf(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_order_and_restart(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	struct fwd_queue *q = qopen(dir, 0, 4096, NULL);
	struct fwd_cursor *c;
	const void *rec;
	size_t n;
	uint64_t seq;

	for (uint64_t s = 1; s <= 300; s++)
		append_one(q, s);
	assert_int_equal(fwd_cursor_open(q, "a", &c), CG_OK);
	/* Nothing visible before commit. */
	assert_int_equal(fwd_cursor_read(c, 0, &rec, &n, &seq), CG_ENOTFOUND);
	assert_int_equal(fwd_queue_commit(q), CG_OK);
	for (uint64_t s = 1; s <= 300; s++)
		expect_read(c, s);
	assert_int_equal(fwd_cursor_read(c, 10, &rec, &n, &seq), CG_ENOTFOUND);
	assert_int_equal(fwd_cursor_ack(c, 120), CG_OK);
	fwd_cursor_close(c);
	fwd_queue_close(q);

	q = qopen(dir, 0, 4096, NULL);
	struct fwd_queue_stats st;
	fwd_queue_stats(q, &st);
	assert_int_equal(st.next_seq, 301);
	assert_int_equal(st.committed_seq, 300);
	append_one(q, 301);
	assert_int_equal(fwd_queue_commit(q), CG_OK);
	assert_int_equal(fwd_cursor_open(q, "a", &c), CG_OK);
	assert_int_equal(fwd_cursor_acked(c), 120);
	for (uint64_t s = 121; s <= 301; s++)
		expect_read(c, s);
	/* Rewind goes back to acked + 1. */
	fwd_cursor_rewind(c);
	expect_read(c, 121);
	fwd_cursor_close(c);
	fwd_queue_close(q);
	rm_rf(dir);
	free(dir);
}

/* A child appends and commits, appends more without committing, and dies
 * without closing: exactly the committed records are there. */
static void test_crash_keeps_committed(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct fwd_queue_opts o = { .segment_bytes = 4096, .log = quiet };
		struct fwd_queue *q;
		char buf[512];
		uint64_t seq;
		if (fwd_queue_open(dir, &o, &q))
			_exit(2);
		for (uint64_t s = 1; s <= 250; s++) {
			size_t n = payload(s, buf, sizeof buf);
			if (fwd_queue_append(q, buf, n, &seq) || seq != s)
				_exit(3);
			if (s == 200 && fwd_queue_commit(q))
				_exit(4);
		}
		_exit(0); /* no commit, no close: 201..250 are lost, 1..200 kept */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	struct fwd_queue *q = qopen(dir, 0, 4096, NULL);
	struct fwd_cursor *c;
	struct fwd_queue_stats st;
	fwd_queue_stats(q, &st);
	/* At least what was committed; more when a segment roll wrote some
	 * (whole, so they are kept and their numbers stay used). */
	assert_true(st.committed_seq >= 200 && st.committed_seq <= 250);
	assert_int_equal(fwd_cursor_open(q, "a", &c), CG_OK);
	for (uint64_t s = 1; s <= st.committed_seq; s++)
		expect_read(c, s);
	append_one(q, st.committed_seq + 1);
	fwd_cursor_close(c);
	fwd_queue_close(q);
	rm_rf(dir);
	free(dir);
}

static char *last_segment(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char best[300] = "";
	while ((e = readdir(d)))
		if (strncmp(e->d_name, "seg-", 4) == 0 && strcmp(e->d_name, best) > 0)
			snprintf(best, sizeof best, "%s", e->d_name);
	closedir(d);
	size_t n = strlen(dir) + strlen(best) + 2;
	char *p = malloc(n);
	snprintf(p, n, "%s/%s", dir, best);
	return p;
}

static void test_torn_tail(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	struct fwd_queue *q = qopen(dir, 0, 1 << 20, NULL);
	struct fwd_cursor *c;
	int logs = 0;

	for (uint64_t s = 1; s <= 50; s++)
		append_one(q, s);
	fwd_queue_close(q);
	/* Cut the last record in the middle, then add garbage after a whole one. */
	char *seg = last_segment(dir);
	struct stat st;
	assert_int_equal(stat(seg, &st), 0);
	assert_int_equal(truncate(seg, st.st_size - 7), 0);
	q = qopen(dir, 0, 1 << 20, &logs);
	struct fwd_queue_stats qs;
	fwd_queue_stats(q, &qs);
	assert_int_equal(qs.next_seq, 50);
	assert_true(qs.torn_bytes > 0);
	assert_int_equal(logs, 1);
	append_one(q, 50);
	fwd_queue_close(q);
	int fd = open(seg, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "\x05\x00\x00\x00garbage-garbage", 19), 19);
	close(fd);
	q = qopen(dir, 0, 1 << 20, NULL);
	fwd_queue_stats(q, &qs);
	assert_int_equal(qs.next_seq, 51);
	assert_int_equal(qs.torn_bytes, 19);
	append_one(q, 51);
	assert_int_equal(fwd_queue_commit(q), CG_OK);
	assert_int_equal(fwd_cursor_open(q, "x", &c), CG_OK);
	for (uint64_t s = 1; s <= 51; s++)
		expect_read(c, s);
	fwd_cursor_close(c);
	fwd_queue_close(q);
	free(seg);
	rm_rf(dir);
	free(dir);
}

/* The bound: a model computes how many records fit; acking frees segments. */
static void test_bound_and_deletion(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	const uint64_t max = 64 * 1024, segb = 8192;
	int logs = 0;
	struct fwd_queue *q = qopen(dir, max, segb, &logs);
	struct fwd_cursor *a, *b;
	char buf[512];
	uint64_t seq, s;
	/* model */
	uint64_t total = FWD_SEGMENT_MAGIC_LEN, segbytes = FWD_SEGMENT_MAGIC_LEN, segrecs = 0, fit = 0;
	unsigned nseg = 1;

	assert_int_equal(fwd_cursor_open(q, "a", &a), CG_OK);
	assert_int_equal(fwd_cursor_open(q, "b", &b), CG_OK);
	for (s = 1;; s++) {
		size_t n = payload(s, buf, sizeof buf);
		uint64_t need = FWD_RECORD_HDR + n;
		int roll = segrecs > 0 && segbytes + need > segb;
		uint64_t add = need + (roll ? FWD_SEGMENT_MAGIC_LEN : 0);
		enum cg_err rc = fwd_queue_append(q, buf, n, &seq);
		if (total + add > max) {
			assert_int_equal(rc, CG_ELIMIT);
			break;
		}
		assert_int_equal(rc, CG_OK);
		assert_int_equal(seq, s);
		if (roll) {
			nseg++;
			segbytes = FWD_SEGMENT_MAGIC_LEN;
			segrecs = 0;
		}
		segbytes += need;
		segrecs++;
		total += add;
		fit++;
	}
	/* Refused again, and counted; nothing appended. */
	size_t n = payload(s, buf, sizeof buf);
	assert_int_equal(fwd_queue_append(q, buf, n, &seq), CG_ELIMIT);
	assert_int_equal(fwd_queue_commit(q), CG_OK);
	struct fwd_queue_stats st;
	fwd_queue_stats(q, &st);
	assert_int_equal(st.bytes, total);
	assert_int_equal(st.refused, 2);
	assert_int_equal(st.next_seq, fit + 1);
	assert_int_equal(st.alarm, 1);
	assert_true(logs >= 1);
	assert_int_equal(st.segments, nseg);
	assert_int_equal(count_segments(dir), nseg);
	assert_true(nseg > 3);
	/* One cursor past everything holds nothing back while the other lags. */
	assert_int_equal(fwd_cursor_ack(a, fit), CG_OK);
	assert_int_equal(count_segments(dir), nseg);
	assert_int_equal(fwd_cursor_ack(b, fit), CG_OK);
	assert_int_equal(count_segments(dir), 1); /* the active one stays */
	fwd_queue_stats(q, &st);
	assert_int_equal(st.alarm, 0);
	/* Room again; numbers continue. */
	append_one(q, fit + 1);
	assert_int_equal(fwd_queue_commit(q), CG_OK);
	expect_read(a, fit + 1);
	fwd_cursor_close(a);
	fwd_cursor_close(b);
	fwd_queue_close(q);
	/* After a restart with every segment but the active one gone, the
	 * numbers still continue. */
	q = qopen(dir, max, segb, NULL);
	append_one(q, fit + 2);
	fwd_queue_close(q);
	rm_rf(dir);
	free(dir);
}

/* Partial deletion: a segment goes only when both cursors passed its last record. */
static void test_deletion_boundary(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	struct fwd_queue *q = qopen(dir, 0, 4096, NULL);
	struct fwd_cursor *a, *b;
	for (uint64_t s = 1; s <= 200; s++)
		append_one(q, s);
	assert_int_equal(fwd_queue_commit(q), CG_OK);
	unsigned nseg = count_segments(dir);
	assert_true(nseg >= 3);
	/* The first record of the second segment: read the names. */
	DIR *d = opendir(dir);
	struct dirent *e;
	uint64_t firsts[64];
	unsigned k = 0;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, "seg-", 4) == 0 && k < 64)
			firsts[k++] = strtoull(e->d_name + 4, NULL, 10);
	closedir(d);
	uint64_t second = UINT64_MAX;
	for (unsigned i = 0; i < k; i++)
		if (firsts[i] != 1 && firsts[i] < second)
			second = firsts[i];
	assert_int_equal(fwd_cursor_open(q, "a", &a), CG_OK);
	assert_int_equal(fwd_cursor_open(q, "b", &b), CG_OK);
	struct fwd_cursor *dup = NULL;
	assert_int_equal(fwd_cursor_open(q, "a", &dup), CG_EEXIST);
	assert_null(dup);
	assert_int_equal(fwd_cursor_ack(a, 200), CG_OK);
	assert_int_equal(fwd_cursor_ack(b, second - 2), CG_OK);
	assert_int_equal(count_segments(dir), nseg);
	assert_int_equal(fwd_cursor_ack(b, second - 1), CG_OK);
	assert_int_equal(count_segments(dir), nseg - 1);
	/* b continues where it acked, across the deletion. */
	for (uint64_t s = second; s <= 200; s++)
		expect_read(b, s);
	fwd_cursor_close(a);
	fwd_cursor_close(b);
	fwd_queue_close(q);
	rm_rf(dir);
	free(dir);
}

/* A corrupt byte in a full segment: a clear error naming the segment and
 * offset, then the reader continues with the next segment. */
static void test_corrupt_segment(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	struct fwd_queue *q = qopen(dir, 0, 4096, NULL);
	struct fwd_cursor *c;
	const void *rec;
	size_t n;
	uint64_t seq;
	for (uint64_t s = 1; s <= 100; s++)
		append_one(q, s);
	assert_int_equal(fwd_queue_commit(q), CG_OK);
	fwd_queue_close(q);
	char path[512];
	snprintf(path, sizeof path, "%s/seg-%020d.q", dir, 1);
	int fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	char ch;
	assert_int_equal(pread(fd, &ch, 1, 200), 1);
	ch ^= 0x20;
	assert_int_equal(pwrite(fd, &ch, 1, 200), 1);
	close(fd);
	q = qopen(dir, 0, 4096, NULL);
	assert_int_equal(fwd_cursor_open(q, "a", &c), CG_OK);
	expect_read(c, 1);
	uint64_t s = 2;
	enum cg_err rc;
	for (;;) {
		rc = fwd_cursor_read(c, 0, &rec, &n, &seq);
		if (rc)
			break;
		assert_int_equal(seq, s);
		s++;
	}
	assert_int_equal(rc, CG_EPARSE);
	assert_non_null(strstr(cg_err_msg(rc), "seg-00000000000000000001.q"));
	assert_non_null(strstr(cg_err_msg(rc), "crc"));
	rc = fwd_cursor_read(c, 0, &rec, &n, &seq);
	assert_int_equal(rc, CG_OK);
	assert_true(seq > s);
	fwd_cursor_close(c);
	fwd_queue_close(q);
	rm_rf(dir);
	free(dir);
}

/* Random operations against a model: appends of random sizes, commits,
 * reads and acks of two cursors, rewinds, restarts. */
static void test_model(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	struct fwd_queue *q = qopen(dir, 1 << 20, 4096, NULL);
	struct fwd_cursor *cur[2];
	uint64_t next = 1, committed = 0, pos[2], acked[2] = { 0, 0 };
	unsigned seed = 12345;
	const void *rec;
	size_t n;
	uint64_t seq;

	for (int i = 0; i < 2; i++) {
		assert_int_equal(fwd_cursor_open(q, i ? "b" : "a", &cur[i]), CG_OK);
		pos[i] = 1;
	}
	for (int step = 0; step < 10000; step++) {
		unsigned r = (unsigned)rand_r(&seed) % 100;
		int i = (int)(rand_r(&seed) % 2);
		if (r < 40) {
			char buf[512];
			size_t m = payload(next, buf, sizeof buf);
			enum cg_err rc = fwd_queue_append(q, buf, m, &seq);
			if (rc == CG_ELIMIT)
				continue;
			assert_int_equal(rc, CG_OK);
			assert_int_equal(seq, next);
			next++;
		} else if (r < 50) {
			assert_int_equal(fwd_queue_commit(q), CG_OK);
			committed = next - 1;
		} else if (r < 85) {
			enum cg_err rc = fwd_cursor_read(cur[i], 0, &rec, &n, &seq);
			if (pos[i] > committed) {
				assert_int_equal(rc, CG_ENOTFOUND);
			} else {
				assert_int_equal(rc, CG_OK);
				assert_int_equal(seq, pos[i]);
				char buf[512];
				size_t m = payload(seq, buf, sizeof buf);
				assert_int_equal(n, m);
				assert_memory_equal(rec, buf, m);
				pos[i]++;
			}
		} else if (r < 95) {
			if (pos[i] - 1 > acked[i]) {
				uint64_t to = acked[i] + 1 + (uint64_t)rand_r(&seed) % (pos[i] - 1 - acked[i]);
				assert_int_equal(fwd_cursor_ack(cur[i], to), CG_OK);
				acked[i] = to;
			}
		} else if (r < 98) {
			fwd_cursor_rewind(cur[i]);
			pos[i] = acked[i] + 1;
		} else {
			/* Restart (close commits the rest; crashes are test_crash_keeps_committed). */
			fwd_cursor_close(cur[0]);
			fwd_cursor_close(cur[1]);
			fwd_queue_close(q);
			committed = next - 1;
			q = qopen(dir, 1 << 20, 4096, NULL);
			struct fwd_queue_stats st;
			fwd_queue_stats(q, &st);
			assert_int_equal(st.next_seq, next);
			for (int k = 0; k < 2; k++) {
				assert_int_equal(fwd_cursor_open(q, k ? "b" : "a", &cur[k]), CG_OK);
				assert_int_equal(fwd_cursor_acked(cur[k]), acked[k]);
				pos[k] = acked[k] + 1;
			}
		}
	}
	/* Drain both and check the deletion left only what a cursor still needs. */
	assert_int_equal(fwd_queue_commit(q), CG_OK);
	committed = next - 1;
	for (int i = 0; i < 2; i++) {
		while (pos[i] <= committed) {
			assert_int_equal(fwd_cursor_read(cur[i], 0, &rec, &n, &seq), CG_OK);
			assert_int_equal(seq, pos[i]);
			pos[i]++;
		}
		assert_int_equal(fwd_cursor_ack(cur[i], committed), CG_OK);
	}
	assert_int_equal(count_segments(dir), 1);
	fwd_cursor_close(cur[0]);
	fwd_cursor_close(cur[1]);
	fwd_queue_close(q);
	rm_rf(dir);
	free(dir);
}

/* The fsync policy: the same behaviour, with fdatasync at commit and cursor save. */
static void test_sync_commit(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	struct fwd_queue_opts o = { .segment_bytes = 4096, .sync = FWD_SYNC_COMMIT, .log = quiet };
	struct fwd_queue *q;
	struct fwd_cursor *c;
	assert_int_equal(fwd_queue_open(dir, &o, &q), CG_OK);
	for (uint64_t s = 1; s <= 100; s++)
		append_one(q, s);
	assert_int_equal(fwd_queue_commit(q), CG_OK);
	assert_int_equal(fwd_cursor_open(q, "a", &c), CG_OK);
	for (uint64_t s = 1; s <= 60; s++)
		expect_read(c, s);
	assert_int_equal(fwd_cursor_set_sent(c, 60), CG_OK);
	assert_int_equal(fwd_cursor_ack(c, 50), CG_OK);
	fwd_cursor_close(c);
	fwd_queue_close(q);
	assert_int_equal(fwd_queue_open(dir, &o, &q), CG_OK);
	assert_int_equal(fwd_cursor_open(q, "a", &c), CG_OK);
	assert_int_equal(fwd_cursor_acked(c), 50);
	assert_int_equal(fwd_cursor_sent(c), 60);
	expect_read(c, 51);
	append_one(q, 101);
	fwd_cursor_close(c);
	fwd_queue_close(q);
	rm_rf(dir);
	free(dir);
}

static void test_second_open_refused(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	struct fwd_queue *q = qopen(dir, 0, 0, NULL), *q2 = NULL;
	assert_int_equal(fwd_queue_open(dir, NULL, &q2), CG_EEXIST);
	assert_null(q2);
	struct fwd_cursor *c;
	assert_int_equal(fwd_cursor_open(q, "../x", &c), CG_EINVAL);
	assert_int_equal(fwd_queue_append(q, "", 0, &(uint64_t){ 0 }), CG_ELIMIT);
	fwd_queue_close(q);
	fwd_queue_close(NULL);
	fwd_cursor_close(NULL);
	rm_rf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_restart),
		cmocka_unit_test(test_crash_keeps_committed),
		cmocka_unit_test(test_torn_tail),
		cmocka_unit_test(test_bound_and_deletion),
		cmocka_unit_test(test_deletion_boundary),
		cmocka_unit_test(test_corrupt_segment),
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_sync_commit),
		cmocka_unit_test(test_second_open_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
