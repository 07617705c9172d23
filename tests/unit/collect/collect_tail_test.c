/* collect_tail on real files in a temporary directory: lines, a partial
 * last line, CRLF, over-long lines, rotation (rename + new file, the old one
 * finished first), truncation (copytruncate, also when the new content is
 * already longer than the old position), positions kept across restarts and
 * not reused for a replaced file, `from_end`, a rotation while nobody read. */
#include <fcntl.h>
#include <sys/stat.h>

#include "collect_tail.h"
#include "../test_util.h"

#define MAXL 64

struct got {
	char lines[64][MAXL + 1];
	int cut[64];
	size_t n;
};

static void on_line(void *ud, const char *line, size_t n, int truncated)
{
	struct got *g = ud;
	assert_true(g->n < 64);
	assert_true(n <= MAXL);
	memcpy(g->lines[g->n], line, n);
	g->lines[g->n][n] = '\0';
	g->cut[g->n] = truncated;
	g->n++;
}

struct fx {
	char *dir;
	char path[512], rotated[512], state[512];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	f->dir = test_tmpdir();
	snprintf(f->path, sizeof f->path, "%s/app.log", f->dir);
	snprintf(f->rotated, sizeof f->rotated, "%s/app.log.1", f->dir);
	snprintf(f->state, sizeof f->state, "%s/state", f->dir);
	assert_int_equal(mkdir(f->state, 0700), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f->dir);
	free(f);
	return 0;
}

static void append(const char *path, const char *s)
{
	FILE *fp = fopen(path, "ab");
	assert_non_null(fp);
	assert_int_equal(fwrite(s, 1, strlen(s), fp), strlen(s));
	assert_int_equal(fclose(fp), 0);
}

static void poll_all(struct collect_tail *t, struct got *g)
{
	int more = 1;
	for (int i = 0; i < 100 && more; i++)
		assert_int_equal(collect_tail_poll(t, (size_t)1 << 20, on_line, g, &more), CG_OK);
	assert_false(more);
}

static void expect(const struct got *g, size_t n, const char *const *want)
{
	if (g->n != n)
		fail_msg("got %zu lines, want %zu (first: '%s')", g->n, n, g->n ? g->lines[0] : "");
	for (size_t i = 0; i < n; i++)
		assert_string_equal(g->lines[i], want[i]);
}

static void test_lines_and_partial(void **state)
{
	struct fx *f = *state;
	struct collect_tail *t;
	struct got g = {0};
	assert_int_equal(collect_tail_new(f->path, NULL, MAXL, 0, &t), CG_OK);
	poll_all(t, &g); /* no file yet: waits */
	assert_int_equal(g.n, 0);
	append(f->path, "one\r\n\ntwo\nthr");
	poll_all(t, &g);
	expect(&g, 2, (const char *[]){"one", "two"});
	/* The partial line is not delivered, nor counted in the position. */
	assert_int_equal(collect_tail_position(t), strlen("one\r\n\ntwo\n"));
	append(f->path, "ee\n");
	poll_all(t, &g);
	expect(&g, 3, (const char *[]){"one", "two", "three"});
	assert_int_equal(collect_tail_position(t), strlen("one\r\n\ntwo\nthree\n"));
	collect_tail_free(t);
}

static void test_long_line(void **state)
{
	struct fx *f = *state;
	struct collect_tail *t;
	struct got g = {0};
	char big[300];
	memset(big, 'x', sizeof big - 2);
	big[sizeof big - 2] = '\n';
	big[sizeof big - 1] = '\0';
	append(f->path, "short\n");
	append(f->path, big);
	append(f->path, "after\n");
	assert_int_equal(collect_tail_new(f->path, NULL, MAXL, 0, &t), CG_OK);
	poll_all(t, &g);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.lines[0], "short");
	assert_int_equal(strlen(g.lines[1]), MAXL);
	assert_int_equal(g.cut[1], 1);
	assert_int_equal(g.cut[0] + g.cut[2], 0);
	assert_string_equal(g.lines[2], "after");
	collect_tail_free(t);
}

static void test_rotation(void **state)
{
	struct fx *f = *state;
	struct collect_tail *t;
	struct got g = {0};
	uint64_t rot, trunc;
	append(f->path, "a1\na2\n");
	assert_int_equal(collect_tail_new(f->path, NULL, MAXL, 0, &t), CG_OK);
	poll_all(t, &g);
	/* Written before the rotation, not read yet; the last without LF. */
	append(f->path, "a3\na4");
	assert_int_equal(rename(f->path, f->rotated), 0);
	append(f->path, "b1\n");
	poll_all(t, &g);
	expect(&g, 5, (const char *[]){"a1", "a2", "a3", "a4", "b1"});
	collect_tail_counts(t, &rot, &trunc);
	assert_int_equal(rot, 1);
	assert_int_equal(trunc, 0);
	/* The new file goes on normally. */
	append(f->path, "b2\n");
	poll_all(t, &g);
	expect(&g, 6, (const char *[]){"a1", "a2", "a3", "a4", "b1", "b2"});
	/* Renamed away with no new file yet: keep reading the old one. */
	assert_int_equal(rename(f->path, f->rotated), 0);
	poll_all(t, &g);
	assert_int_equal(g.n, 6);
	append(f->rotated, "b3\n");
	poll_all(t, &g);
	assert_int_equal(g.n, 7);
	assert_string_equal(g.lines[6], "b3");
	append(f->path, "c1\n");
	poll_all(t, &g);
	assert_int_equal(g.n, 8);
	assert_string_equal(g.lines[7], "c1");
	collect_tail_free(t);
}

static void test_truncation(void **state)
{
	struct fx *f = *state;
	struct collect_tail *t;
	struct got g = {0};
	uint64_t rot, trunc;
	append(f->path, "old line one\nold line two\n");
	assert_int_equal(collect_tail_new(f->path, NULL, MAXL, 0, &t), CG_OK);
	poll_all(t, &g);
	assert_int_equal(g.n, 2);
	/* copytruncate: same inode, size 0, then new lines. */
	assert_int_equal(truncate(f->path, 0), 0);
	append(f->path, "new1\n");
	poll_all(t, &g);
	expect(&g, 3, (const char *[]){"old line one", "old line two", "new1"});
	collect_tail_counts(t, &rot, &trunc);
	assert_int_equal(trunc, 1);
	assert_int_equal(rot, 0);
	/* Truncated and rewritten past the old position before the next look:
	 * the size does not tell, the first bytes do. */
	assert_int_equal(truncate(f->path, 0), 0);
	append(f->path, "NEW-A\nNEW-B\nNEW-C\n");
	poll_all(t, &g);
	expect(&g, 6, (const char *[]){"old line one", "old line two", "new1", "NEW-A", "NEW-B", "NEW-C"});
	collect_tail_counts(t, &rot, &trunc);
	assert_int_equal(trunc, 2);
	collect_tail_free(t);
}

static void test_restart_position(void **state)
{
	struct fx *f = *state;
	struct collect_tail *t;
	struct got g = {0};
	append(f->path, "r1\nr2\npart");
	assert_int_equal(collect_tail_new(f->path, f->state, MAXL, 0, &t), CG_OK);
	poll_all(t, &g);
	expect(&g, 2, (const char *[]){"r1", "r2"});
	assert_int_equal(collect_tail_save(t), CG_OK);
	collect_tail_free(t);
	/* While stopped the writer finishes the partial line and adds one. */
	append(f->path, "ial\nr3\n");
	struct got g2 = {0};
	assert_int_equal(collect_tail_new(f->path, f->state, MAXL, 0, &t), CG_OK);
	poll_all(t, &g2);
	expect(&g2, 2, (const char *[]){"partial", "r3"});
	assert_int_equal(collect_tail_save(t), CG_OK);
	collect_tail_free(t);
	/* A restart with nothing new delivers nothing. */
	struct got g3 = {0};
	assert_int_equal(collect_tail_new(f->path, f->state, MAXL, 1, &t), CG_OK);
	poll_all(t, &g3);
	assert_int_equal(g3.n, 0);
	collect_tail_free(t);
}

static void test_replaced_file(void **state)
{
	struct fx *f = *state;
	struct collect_tail *t;
	struct got g = {0};
	append(f->path, "first file line 1\nfirst file line 2\n");
	assert_int_equal(collect_tail_new(f->path, f->state, MAXL, 0, &t), CG_OK);
	poll_all(t, &g);
	assert_int_equal(collect_tail_save(t), CG_OK);
	collect_tail_free(t);
	/* Replaced in place while stopped: same inode, other first bytes, and
	 * longer than the saved position. Read from its start. */
	int fd = open(f->path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	const char *other = "OTHER CONTENT 1\nOTHER CONTENT 2\nOTHER CONTENT 3\n";
	assert_int_equal(write(fd, other, strlen(other)), (ssize_t)strlen(other));
	close(fd);
	struct got g2 = {0};
	assert_int_equal(collect_tail_new(f->path, f->state, MAXL, 1, &t), CG_OK);
	poll_all(t, &g2);
	expect(&g2, 3, (const char *[]){"OTHER CONTENT 1", "OTHER CONTENT 2", "OTHER CONTENT 3"});
	collect_tail_free(t);
}

static void test_from_end(void **state)
{
	struct fx *f = *state;
	struct collect_tail *t;
	struct got g = {0}, g2 = {0};
	append(f->path, "history 1\nhistory 2\n");
	assert_int_equal(collect_tail_new(f->path, f->state, MAXL, 1, &t), CG_OK);
	poll_all(t, &g);
	assert_int_equal(g.n, 0);
	append(f->path, "live\n");
	poll_all(t, &g);
	expect(&g, 1, (const char *[]){"live"});
	collect_tail_free(t);
	/* Without from_end (and no state kept) the whole file. */
	assert_int_equal(collect_tail_new(f->path, NULL, MAXL, 0, &t), CG_OK);
	poll_all(t, &g2);
	expect(&g2, 3, (const char *[]){"history 1", "history 2", "live"});
	collect_tail_free(t);
}

static void test_rotated_while_stopped(void **state)
{
	struct fx *f = *state;
	struct collect_tail *t;
	struct got g = {0}, g2 = {0};
	append(f->path, "s1\n");
	assert_int_equal(collect_tail_new(f->path, f->state, MAXL, 1, &t), CG_OK);
	poll_all(t, &g);
	assert_int_equal(g.n, 0); /* from_end on an unknown file */
	append(f->path, "s2\n");
	poll_all(t, &g);
	expect(&g, 1, (const char *[]){"s2"});
	assert_int_equal(collect_tail_save(t), CG_OK);
	collect_tail_free(t);
	append(f->path, "s3 unread\n");
	assert_int_equal(rename(f->path, f->rotated), 0);
	append(f->path, "n1\n");
	assert_int_equal(collect_tail_new(f->path, f->state, MAXL, 1, &t), CG_OK);
	poll_all(t, &g2);
	expect(&g2, 2, (const char *[]){"s3 unread", "n1"});
	collect_tail_free(t);
}

static void test_budget(void **state)
{
	struct fx *f = *state;
	struct collect_tail *t;
	struct got g = {0};
	int more = 0;
	for (int i = 0; i < 40; i++)
		append(f->path, "0123456789\n");
	assert_int_equal(collect_tail_new(f->path, NULL, MAXL, 0, &t), CG_OK);
	assert_int_equal(collect_tail_poll(t, 100, on_line, &g, &more), CG_OK);
	assert_true(more);
	assert_int_equal(g.n, 9); /* 100 bytes: nine whole lines */
	poll_all(t, &g);
	assert_int_equal(g.n, 40);
	collect_tail_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lines_and_partial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_position, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replaced_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_from_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotated_while_stopped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
