/* filewalk: sorted recursive walk, link loops, gzip, truncated gzip, errors. */
#include "../test_util.h"

#include <sys/stat.h>
#include <zlib.h>

#include "filewalk.h"

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

static void put_gz(const char *rel, const char *text, size_t cut)
{
	char tmp[600];
	gzFile g;
	snprintf(tmp, sizeof tmp, "%s.tmp", pth(rel));
	g = gzopen(tmp, "wb");
	assert_non_null(g);
	gzputs(g, text);
	gzclose(g);
	if (cut) {
		FILE *f = fopen(tmp, "rb");
		char buf[65536];
		size_t n = fread(buf, 1, sizeof buf, f);
		fclose(f);
		assert_true(n > cut);
		f = fopen(tmp, "wb");
		fwrite(buf, 1, n - cut, f);
		fclose(f);
	}
	assert_int_equal(rename(tmp, pth(rel)), 0);
}

static int setup(void **state)
{
	(void)state;
	dir = test_tmpdir();
	assert_int_equal(mkdir(pth("logs"), 0755), 0);
	assert_int_equal(mkdir(pth("logs/sub"), 0755), 0);
	put("logs/b.log", "one\ntwo\n");
	put("logs/a.log", "alpha\n");
	put("logs/sub/z.log", "z\n");
	put_gz("logs/c.log.gz", "gz line 1\ngz line 2\n", 0);
	assert_int_equal(symlink("..", pth("logs/sub/up")), 0);        /* a loop */
	assert_int_equal(symlink("nowhere", pth("logs/dangling")), 0);
	assert_int_equal(symlink("self", pth("logs/self")), 0);         /* ELOOP */
	assert_int_equal(symlink("a.log", pth("logs/alias.log")), 0);   /* same file twice */
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];
	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(dir);
	return 0;
}

static void test_walk(void **state)
{
	struct filewalk *w;
	const char *args[2];
	static const char *const want[] = {"logs/a.log", "logs/b.log", "logs/c.log.gz", "logs/dangling",
					   "logs/self", "logs/sub/z.log", "missing"};
	(void)state;
	args[0] = pth("logs");
	args[1] = pth("missing");
	assert_int_equal(filewalk_collect(args, 2, &w), CG_OK);
	assert_int_equal(filewalk_count(w), sizeof want / sizeof want[0]);
	for (size_t i = 0; i < filewalk_count(w); i++) {
		const struct filewalk_entry *e = filewalk_get(w, i);
		assert_string_equal(e->path, pth(want[i]));
		if (strstr(want[i], "dangling") || strstr(want[i], "self") || strstr(want[i], "missing")) {
			assert_int_not_equal(e->err, CG_OK);
			assert_non_null(e->error);
			assert_non_null(strstr(e->error, want[i]));
		} else {
			assert_int_equal(e->err, CG_OK);
		}
	}
	assert_int_equal(filewalk_errors(w), 3);
	assert_null(filewalk_get(w, 99));
	filewalk_free(w);
	filewalk_free(NULL);
}

/* The sweep's options: no link is followed (four counted, no error from
 * the dangling or looping ones), a FIFO becomes a skipped entry, not an error. */
static void test_walk_no_follow(void **state)
{
	struct filewalk *w;
	const char *args[1];
	struct filewalk_opts o = {.no_follow = 1, .one_fs = 1, .report_skipped = 1};
	static const char *const want[] = {"logs/a.log", "logs/b.log", "logs/c.log.gz", "logs/fifo", "logs/sub/z.log"};
	(void)state;
	assert_int_equal(mkfifo(pth("logs/fifo"), 0644), 0);
	args[0] = pth("logs");
	assert_int_equal(filewalk_collect_opts(args, 1, &o, &w), CG_OK);
	assert_int_equal(filewalk_count(w), sizeof want / sizeof want[0]);
	for (size_t i = 0; i < filewalk_count(w); i++) {
		const struct filewalk_entry *e = filewalk_get(w, i);
		assert_string_equal(e->path, pth(want[i]));
		assert_int_equal(e->skipped, strstr(want[i], "fifo") != NULL);
		if (e->skipped)
			assert_non_null(strstr(e->error, "FIFO"));
	}
	assert_int_equal(filewalk_links(w), 4);
	assert_int_equal(filewalk_skipped(w), 1);
	assert_int_equal(filewalk_errors(w), 0);
	filewalk_free(w);
	/* The hunt's defaults still pass the FIFO over silently. */
	assert_int_equal(filewalk_collect(args, 1, &w), CG_OK);
	assert_int_equal(filewalk_skipped(w), 0);
	assert_int_equal(filewalk_links(w), 0);
	for (size_t i = 0; i < filewalk_count(w); i++)
		assert_null(strstr(filewalk_get(w, i)->path, "fifo"));
	filewalk_free(w);
	assert_int_equal(unlink(pth("logs/fifo")), 0);
}

static char *slurp(const char *rel, enum cg_err *rc_out)
{
	struct filewalk_file *f;
	static char out[16384];
	size_t got, n = 0;
	enum cg_err rc;

	assert_int_equal(filewalk_open(pth(rel), &f), CG_OK);
	do {
		rc = filewalk_read(f, out + n, 3, &got); /* tiny reads on purpose */
		n += got;
	} while (!rc && got);
	out[n] = '\0';
	*rc_out = rc;
	filewalk_close(f);
	return out;
}

static void test_read(void **state)
{
	enum cg_err rc;
	struct filewalk_file *f;
	(void)state;
	assert_string_equal(slurp("logs/b.log", &rc), "one\ntwo\n");
	assert_string_equal(slurp("logs/c.log.gz", &rc), "gz line 1\ngz line 2\n");
	assert_int_equal(rc, CG_OK);
	/* Truncated: what was decoded is kept, then the error. */
	{
		char big[8000];
		size_t o = 0;
		for (int i = 0; o + 40 < sizeof big; i++)
			o += (size_t)snprintf(big + o, sizeof big - o, "line %d %d\n", i, i * 7919);
		put_gz("trunc.gz", big, 8);
		char *got = slurp("trunc.gz", &rc);
		assert_int_equal(rc, CG_EIO);
		assert_non_null(strstr(cg_err_msg(rc), "truncated gzip data"));
		assert_non_null(strstr(cg_err_msg(rc), "trunc.gz"));
		assert_true(strlen(got) > 1000);
		assert_memory_equal(got, big, strlen(got));
	}
	/* Empty file: a stream with nothing in it. */
	put("empty.log", "");
	assert_string_equal(slurp("empty.log", &rc), "");
	assert_int_equal(rc, CG_OK);
	/* Truncated in place while read (copytruncate): an error, not a crash;
	 * grown meanwhile: read to the new end. */
	{
		char buf[64];
		size_t got;
		FILE *fp;
		put("rot.log", "aaaa\nbbbb\ncccc\n");
		assert_int_equal(filewalk_open(pth("rot.log"), &f), CG_OK);
		assert_int_equal(filewalk_read(f, buf, 10, &got), CG_OK);
		assert_int_equal(got, 10);
		assert_int_equal(truncate(pth("rot.log"), 0), 0);
		rc = filewalk_read(f, buf, sizeof buf, &got);
		assert_int_equal(rc, CG_EIO);
		assert_int_equal(got, 0);
		assert_non_null(strstr(cg_err_msg(rc), "file changed while reading"));
		assert_non_null(strstr(cg_err_msg(rc), "rot.log"));
		filewalk_close(f);
		put("grow.log", "aaaa\n");
		assert_int_equal(filewalk_open(pth("grow.log"), &f), CG_OK);
		assert_int_equal(filewalk_read(f, buf, 2, &got), CG_OK);
		assert_non_null(fp = fopen(pth("grow.log"), "a"));
		fputs("more\n", fp);
		fclose(fp);
		assert_int_equal(filewalk_read(f, buf, sizeof buf, &got), CG_OK);
		assert_int_equal(got, 8);
		assert_memory_equal(buf, "aa\nmore\n", 8);
		filewalk_close(f);
	}
	/* Errors name the path. */
	assert_int_not_equal(filewalk_open(pth("nope"), &f), CG_OK);
	assert_non_null(strstr(cg_err_msg(CG_EIO), "nope"));
	assert_int_not_equal(filewalk_open(pth("logs"), &f), CG_OK);
	filewalk_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_walk_no_follow),
		cmocka_unit_test(test_read),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
