/* hunt: the same hits in the same order for any thread count and chunk size;
 * line numbers across chunks, CRLF, no final newline, gzip, truncated gzip,
 * unreadable paths, long lines. */
#include "../test_util.h"

#include <sys/stat.h>
#include <zlib.h>

#include "hunt.h"

static char *dir;

static char *pth(const char *rel)
{
	static char buf[8][512];
	static int k;
	k = (k + 1) % 8;
	snprintf(buf[k], sizeof buf[k], "%s/%s", dir, rel);
	return buf[k];
}

static void put(const char *rel, const char *text, size_t n)
{
	FILE *f = fopen(pth(rel), "wb");
	assert_non_null(f);
	fwrite(text, 1, n, f);
	fclose(f);
}

static void put_gz(const char *rel, const char *text, size_t cut)
{
	char tmp[600];
	gzFile g;
	FILE *f;
	static char buf[1 << 20];
	size_t n;
	snprintf(tmp, sizeof tmp, "%s.tmp", pth(rel));
	g = gzopen(tmp, "wb");
	gzputs(g, text);
	gzclose(g);
	f = fopen(tmp, "rb");
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	remove(tmp);
	put(rel, buf, n - cut);
}

static struct ioc_set *set;

struct out {
	char *text;
	size_t len, cap;
	char errors[1024];
};

static void append(struct out *o, const char *s)
{
	size_t l = strlen(s);
	if (o->len + l + 1 > o->cap) {
		o->cap = (o->len + l + 1) * 2;
		o->text = realloc(o->text, o->cap);
		assert_non_null(o->text);
	}
	memcpy(o->text + o->len, s, l + 1);
	o->len += l;
}

static enum cg_err on_hit(void *ctx, const struct hunt_hit *h)
{
	char line[600];
	const char *base = strrchr(h->file, '/');
	snprintf(line, sizeof line, "%s:%llu:%.*s=%s [%.*s]\n", base ? base + 1 : h->file,
		 (unsigned long long)h->line, (int)h->found_len, h->found, h->entry->value,
		 (int)(h->line_len > 40 ? 40 : h->line_len), h->line_text);
	append(ctx, line);
	return CG_OK;
}

static void on_error(void *ctx, const char *path, enum cg_err code, const char *msg, uint64_t lines)
{
	struct out *o = ctx;
	size_t l = strlen(o->errors);
	(void)path;
	(void)code;
	snprintf(o->errors + l, sizeof o->errors - l, "%s (%llu lines)\n", strstr(msg, dir) ? msg + strlen(dir) + 1 : msg,
		 (unsigned long long)lines);
}

static char big_line[300000];

static int setup(void **state)
{
	static const char *const v[] = {"198.51.100.23", "192.0.2.0/25", "2001:db8:bad::/48", "c2.badupdate.example",
					"http://dl.badupdate.example/payload.bin"};
	struct ioc_set_builder *b;
	char text[4096];
	size_t o;
	(void)state;
	dir = test_tmpdir();
	assert_int_equal(ioc_set_builder_new(&b), CG_OK);
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct ioc ioc;
		assert_int_equal(ioc_parse(v[i], strlen(v[i]), IOC_NONE, &ioc), CG_OK);
		assert_int_equal(ioc_set_builder_add(b, &ioc, "t", NULL), CG_OK);
	}
	assert_int_equal(ioc_set_build(b, &set), CG_OK);
	assert_int_equal(mkdir(pth("logs"), 0755), 0);
	/* CRLF, no final newline. */
	o = (size_t)snprintf(text, sizeof text,
			     "Nov  6 11:32:42 fw kernel: [UFW BLOCK] SRC=10.10.3.21 DST=198.51.100.23 PROTO=TCP\r\n"
			     "decoy 198.51.100.230 198.51.100.2 1198.51.100.23 198.51.100.23.5\r\n"
			     "sshd: Failed password from 192.0.2.14 port 22\r\n"
			     "\r\n"
			     "proxy to [2001:db8:bad:0:0:0:0:66]:443 and 192.0.2.14 again 192.0.2.14\r\n"
			     "dns query www.C2.badupdate.example. notbadupdate.example badupdate.example.org");
	put("logs/a.log", text, o);
	/* A line much longer than the small chunk sizes, then a hit after it. */
	memset(big_line, 'x', sizeof big_line - 1);
	memcpy(big_line + 150000, " 198.51.100.23 ", 15);
	{
		size_t n = strlen(big_line);
		char *t = malloc(n + 200);
		int k = snprintf(t, n + 200, "first\n%s\nGET http://dl.badupdate.example/payload.bin from 192.0.2.1\n",
				 big_line);
		put("logs/b.log", t, (size_t)k);
		put_gz("logs/c.log.gz", t, 0);
		free(t);
	}
	/* Truncated gzip: many lines so the cut leaves some. */
	{
		static char g[200000];
		size_t go = 0;
		for (int i = 1; go + 80 < sizeof g; i++)
			go += (size_t)snprintf(g + go, sizeof g - go, "%d conn 198.51.100.23 %x\n", i, (unsigned)(i * 2654435761u));
		put_gz("logs/d.log.gz", g, 50);
	}
	assert_int_equal(symlink("nowhere", pth("logs/e.log")), 0);
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];
	(void)state;
	ioc_set_free(set);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(dir);
	return 0;
}

static void run(struct out *o, unsigned threads, size_t chunk, struct hunt_stats *st)
{
	struct hunt_sink sink = {.hit = on_hit, .file_error = on_error, .ctx = o};
	struct hunt_opts opts = {.threads = threads, .chunk_size = chunk};
	const char *paths[1];
	paths[0] = pth("logs");
	memset(o, 0, sizeof *o);
	append(o, "");
	assert_int_equal(hunt_paths(set, paths, 1, &opts, &sink, st), CG_OK);
}

static void test_expected(void **state)
{
	struct out o;
	struct hunt_stats st;
	(void)state;
	run(&o, 1, 0, &st);
	if (getenv("HUNT_TEST_DUMP"))
		fprintf(stderr, "%s---\n%s", o.text, o.errors);
	/* a.log exactly. */
	assert_non_null(strstr(o.text,
		"a.log:1:198.51.100.23=198.51.100.23 [Nov  6 11:32:42 fw kernel: [UFW BLOCK] S]\n"
		"a.log:3:192.0.2.14=192.0.2.0/25 [sshd: Failed password from 192.0.2.14 po]\n"
		"a.log:5:2001:db8:bad:0:0:0:0:66=2001:db8:bad::/48 [proxy to [2001:db8:bad:0:0:0:0:66]:443 a]\n"
		"a.log:5:192.0.2.14=192.0.2.0/25 [proxy to [2001:db8:bad:0:0:0:0:66]:443 a]\n"
		"a.log:6:www.C2.badupdate.example=c2.badupdate.example [dns query www.C2.badupdate.example. notb]\n"
		"b.log:2:198.51.100.23=198.51.100.23 [xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx]\n"
		"b.log:3:http://dl.badupdate.example/payload.bin=http://dl.badupdate.example/payload.bin [GET http://dl.badupdate.example/payload.]\n"
		"b.log:3:192.0.2.1=192.0.2.0/25 [GET http://dl.badupdate.example/payload.]\n"
		"c.log.gz:2:198.51.100.23=198.51.100.23 [xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx]\n"
		"c.log.gz:3:http://dl.badupdate.example/payload.bin=http://dl.badupdate.example/payload.bin [GET http://dl.badupdate.example/payload.]\n"
		"c.log.gz:3:192.0.2.1=192.0.2.0/25 [GET http://dl.badupdate.example/payload.]\n"
		"d.log.gz:1:198.51.100.23=198.51.100.23 [1 conn 198.51.100.23 9e3779b1]\n"));
	/* Nothing else in a.log: the decoys on line 2 and the look-alike domains on line 6. */
	assert_null(strstr(o.text, "a.log:2:"));
	assert_null(strstr(o.text, "a.log:4:"));
	/* ... and no a.log hit but the five above, wherever it would be. */
	{
		size_t n_a = 0;
		for (const char *q = o.text; (q = strstr(q, "a.log:")); q++)
			n_a++;
		assert_int_equal(n_a, 5);
	}
	assert_non_null(strstr(o.text, "d.log.gz:1:198.51.100.23=198.51.100.23 [1 conn"));
	assert_non_null(strstr(o.text, "d.log.gz:1000:198.51.100.23=198.51.100.23 [1000 conn"));
	assert_null(strstr(o.text, "198.51.100.230"));
	assert_null(strstr(o.text, "=c2.badupdate.example [dns query www.C2.badupdate.example. notb]\na.log:6"));
	/* Errors in path order: truncated gzip with its line count, then the dangling link. */
	assert_non_null(strstr(o.errors, "logs/d.log.gz: truncated gzip data ("));
	assert_non_null(strstr(o.errors, "logs/e.log: "));
	assert_true(strstr(o.errors, "d.log.gz") < strstr(o.errors, "e.log"));
	assert_int_equal(st.errors, 2);
	assert_int_equal(st.files, 4);
	/* Every line of d.log.gz that was read has its hit. */
	{
		unsigned long long lines = 0;
		const char *p = strstr(o.errors, "truncated gzip data (");
		size_t count = 0;
		sscanf(p, "truncated gzip data (%llu lines)", &lines);
		assert_true(lines > 1000);
		for (const char *q = o.text; (q = strstr(q, "d.log.gz:")); q++)
			count++;
		/* The last line read may be cut short, with or without its address. */
		assert_true(count == lines || count + 1 == lines);
	}
	free(o.text);
}

static void test_deterministic(void **state)
{
	struct out ref, o;
	struct hunt_stats st0, st;
	static const size_t chunks[] = {1, 7, 100, 4096, 0};
	(void)state;
	run(&ref, 1, 0, &st0);
	for (unsigned t = 1; t <= 4; t++) {
		for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
			run(&o, t, chunks[c], &st);
			assert_string_equal(o.text, ref.text);
			assert_string_equal(o.errors, ref.errors);
			assert_int_equal(st.lines, st0.lines);
			assert_int_equal(st.hits, st0.hits);
			assert_int_equal(st.bytes, st0.bytes);
			free(o.text);
		}
	}
	free(ref.text);
}

static enum cg_err stop_at_3(void *ctx, const struct hunt_hit *h)
{
	(void)h;
	return ++*(int *)ctx == 3 ? cg_err_set(CG_EDB, "stop") : CG_OK;
}

static void test_sink_stops_and_buffer(void **state)
{
	int n = 0;
	struct hunt_sink sink = {.hit = stop_at_3, .ctx = &n};
	struct hunt_opts opts = {.threads = 2, .chunk_size = 10};
	const char *paths[1];
	struct out o;
	struct hunt_stats st;
	struct hunt_sink s2 = {.hit = on_hit, .ctx = &o};
	static const char buf[] = "a 198.51.100.23 b\0 198.51.100.23\n\n::ffff:198.51.100.23 ::FFFF:c633:6417";
	(void)state;
	paths[0] = pth("logs");
	assert_int_equal(hunt_paths(set, paths, 1, &opts, &sink, NULL), CG_EDB);
	assert_int_equal(n, 3);
	memset(&o, 0, sizeof o);
	append(&o, "");
	assert_int_equal(hunt_buffer(set, "mem", buf, sizeof buf - 1, &s2, &st), CG_OK);
	assert_int_equal(st.lines, 3);
	assert_int_equal(st.hits, 3);
	assert_non_null(strstr(o.text, "mem:3:::FFFF:c633:6417=198.51.100.23"));
	free(o.text);
}

/* ---- annotate: per-hit work on the workers, notes handed to `hit` ---- */

/* What annotate keeps per thread: the line it last looked at. */
struct memo {
	const char *line_text;
	size_t line_len;
	unsigned calls;
};

static enum cg_err note_hit(void *ctx, const struct hunt_hit *h, int same_line, void *scratch, struct cg_buf *note)
{
	struct memo *m = scratch;
	char text[300];
	int n;
	(void)ctx;
	if (h->line != 0 || h->note)
		return cg_err_set(CG_EINTERNAL, "annotate saw a line number or a note");
	/* same_line must mean: the memo is this hit's line. */
	if (same_line && (m->line_text != h->line_text || m->line_len != h->line_len))
		n = snprintf(text, sizeof text, "BAD-SAME-LINE");
	else
		n = snprintf(text, sizeof text, "%.*s@%zu", (int)(h->found_len > 100 ? 100 : h->found_len), h->found,
			     h->line_len);
	m->line_text = h->line_text;
	m->line_len = h->line_len;
	m->calls++;
	return cg_buf_append(note, text, (size_t)n);
}

/* Fails on the third hit a thread annotates. */
static enum cg_err note_fails(void *ctx, const struct hunt_hit *h, int same_line, void *scratch, struct cg_buf *note)
{
	struct memo *m = scratch;
	(void)ctx;
	(void)h;
	(void)same_line;
	if (++m->calls == 3)
		return cg_err_set(CG_EIO, "annotate failed");
	return cg_buf_append(note, "n", 1);
}

static enum cg_err on_noted_hit(void *ctx, const struct hunt_hit *h)
{
	char want[300], line[800];
	const char *base = strrchr(h->file, '/');
	int n = snprintf(want, sizeof want, "%.*s@%zu", (int)(h->found_len > 100 ? 100 : h->found_len), h->found,
			 h->line_len);
	if (!h->note || h->note_len != (size_t)n || memcmp(h->note, want, (size_t)n) != 0)
		append(ctx, "NOTE-MISMATCH ");
	snprintf(line, sizeof line, "%s:%llu:%.*s\n", base ? base + 1 : h->file, (unsigned long long)h->line,
		 (int)(h->note_len > 300 ? 300 : h->note_len), h->note ? h->note : "");
	append(ctx, line);
	return CG_OK;
}

static void test_annotate(void **state)
{
	struct out ref, o;
	struct hunt_stats st0, st;
	static const size_t chunks[] = {1, 100, 4096, 0};
	static const size_t caps[] = {1, 40, 0};
	struct hunt_sink sink = {.hit = on_noted_hit,
				 .file_error = on_error,
				 .annotate = note_hit,
				 .annotate_scratch = sizeof(struct memo)};
	const char *paths[1];
	char *first = NULL;
	(void)state;
	paths[0] = pth("logs");
	run(&ref, 1, 0, &st0); /* the hits without notes */
	for (unsigned t = 1; t <= 3; t++) {
		for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
			for (size_t k = 0; k < sizeof caps / sizeof caps[0]; k++) {
				struct hunt_opts opts = {.threads = t, .chunk_size = chunks[c], .note_cap = caps[k]};
				memset(&o, 0, sizeof o);
				append(&o, "");
				sink.ctx = &o;
				assert_int_equal(hunt_paths(set, paths, 1, &opts, &sink, &st), CG_OK);
				assert_null(strstr(o.text, "MISMATCH"));
				assert_null(strstr(o.text, "BAD"));
				assert_int_equal(st.hits, st0.hits);
				if (!(t == 1 && c == 0 && k == 0)) {
					/* Same notes in the same order whoever wrote them. */
					if (!first)
						first = strdup(o.text);
					else
						assert_string_equal(o.text, first);
				}
				free(o.text);
			}
		}
	}
	assert_non_null(strstr(first, "a.log:5:2001:db8:bad:0:0:0:0:66@"));
	assert_non_null(strstr(ref.text, "a.log:5:2001:db8:bad:0:0:0:0:66=2001:db8:bad::/48"));
	free(first);
	free(ref.text);
	/* A failing annotate stops the hunt with its code, whatever the threads. */
	for (unsigned t = 1; t <= 3; t++) {
		struct hunt_sink bad = sink;
		struct hunt_opts opts = {.threads = t, .chunk_size = 64};
		memset(&o, 0, sizeof o);
		append(&o, "");
		bad.ctx = &o;
		bad.annotate = note_fails;
		assert_int_equal(hunt_paths(set, paths, 1, &opts, &bad, &st), CG_EIO);
		free(o.text);
	}
	/* Too much scratch is refused; hunt_buffer annotates as well. */
	{
		struct hunt_sink big = sink;
		struct hunt_opts opts = {.threads = 1};
		static const char buf[] = "x 198.51.100.23 y 192.0.2.9\n";
		big.annotate_scratch = HUNT_SCRATCH_MAX + 1;
		assert_int_equal(hunt_paths(set, paths, 1, &opts, &big, &st), CG_EINVAL);
		memset(&o, 0, sizeof o);
		append(&o, "");
		sink.ctx = &o;
		assert_int_equal(hunt_buffer(set, "mem", buf, sizeof buf - 1, &sink, &st), CG_OK);
		assert_string_equal(o.text, "mem:1:198.51.100.23@27\nmem:1:192.0.2.9@27\n");
		free(o.text);
	}
}

/* A line with more hits than the pairwise de-duplication handles: one hit
 * per (text, indicator), first occurrence first, repeats dropped. */
static void test_many_hits_one_line(void **state)
{
	static char buf[16384];
	size_t n = 0;
	struct out o;
	struct hunt_stats st;
	struct hunt_sink sink = {.hit = on_hit, .ctx = &o};
	(void)state;
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 100; i++)
			n += (size_t)snprintf(buf + n, sizeof buf - n, "192.0.2.%d ", i);
		n += (size_t)snprintf(buf + n, sizeof buf - n, "198.51.100.23 ");
	}
	n += (size_t)snprintf(buf + n, sizeof buf - n, "\nnext 198.51.100.23 198.51.100.23\n");
	memset(&o, 0, sizeof o);
	append(&o, "");
	assert_int_equal(hunt_buffer(set, "mem", buf, n, &sink, &st), CG_OK);
	assert_int_equal(st.hits, 102);
	{
		const char *a = strstr(o.text, "mem:1:192.0.2.98="), *b = strstr(o.text, "mem:1:192.0.2.99="),
			   *c = strstr(o.text, "mem:1:198.51.100.23="), *d = strstr(o.text, "mem:2:198.51.100.23=");
		assert_true(strncmp(o.text, "mem:1:192.0.2.0=192.0.2.0/25 ", 29) == 0);
		assert_true(a && b && c && d && a < b && b < c && c < d);
		assert_null(strstr(c + 1, "mem:1:"));
		assert_null(strstr(d + 1, "mem:2:"));
	}
	free(o.text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expected),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_sink_stops_and_buffer),
		cmocka_unit_test(test_annotate),
		cmocka_unit_test(test_many_hits_one_line),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
