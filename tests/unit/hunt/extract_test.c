/* extract_line: token boundaries. */
#include "../test_util.h"

#include "extract.h"

struct got {
	char tok[32][160];
	unsigned kind[32];
	int n;
};

static const char *cur_line;

static int collect_text(void *ctx, const struct extract_token *t)
{
	struct got *g = ctx;
	if (g->n < 32) {
		snprintf(g->tok[g->n], sizeof g->tok[0], "%.*s", (int)t->len, cur_line + t->off);
		g->kind[g->n] = t->kind;
		g->n++;
	}
	return 0;
}

/* Tokens of `line` as "kind:text" joined by '|'. */
static const char *tokens(const char *line, unsigned kinds)
{
	static char out[2048];
	struct got g = {0};
	size_t o = 0;

	cur_line = line;
	extract_line(line, strlen(line), kinds, collect_text, &g);
	out[0] = '\0';
	for (int i = 0; i < g.n; i++) {
		const char *k = g.kind[i] == EXTRACT_IPV4 ? "4" : g.kind[i] == EXTRACT_IPV6 ? "6"
			      : g.kind[i] == EXTRACT_DOMAIN ? "d" : g.kind[i] == EXTRACT_HASH ? "h" : "u";
		o += (size_t)snprintf(out + o, sizeof out - o, "%s%s:%s", i ? "|" : "", k, g.tok[i]);
	}
	return out;
}

#define T(line, want) assert_string_equal(tokens(line, EXTRACT_ALL & ~EXTRACT_URL), want)

static void test_ipv4_boundaries(void **state)
{
	(void)state;
	T("1.2.3.4", "4:1.2.3.4");
	T("x 11.2.3.4 1.2.3.45 1.2.3.4.5 a1.2.3.4 1.2.3.4a", "4:11.2.3.4|4:1.2.3.45|d:1.2.3.4a");
	T("src=1.2.3.4, [1.2.3.4]:443 1.2.3.4:22 (1.2.3.4)", "4:1.2.3.4|4:1.2.3.4|4:1.2.3.4|4:1.2.3.4");
	T("closed by 1.2.3.4.", "4:1.2.3.4");
	T(".1.2.3.4 1.2.3.4_x 1.2.3.4..", "d:1.2.3.4_x");
	T("256.1.1.1 1.2.3 01.02.03.004", "4:01.02.03.004");
	T("range 1.2.3.4-1.2.3.9;", "4:1.2.3.4|4:1.2.3.9");
	T("host-10.1.2.3 SRC=10.0.0.1 DST=192.0.2.1", "4:10.1.2.3|4:10.0.0.1|4:192.0.2.1");
	T("http://1.2.3.4:8080/x?y=5.6.7.8&z", "4:1.2.3.4|4:5.6.7.8");
	T("1.2.3.4/24", "4:1.2.3.4");
}

static void test_ipv6(void **state)
{
	(void)state;
	T("from 2001:db8::1 port", "6:2001:db8::1");
	T("[2001:DB8:0:0:0:0:0:1]:443", "6:2001:DB8:0:0:0:0:0:1");
	T("fe80::1%eth0", "6:fe80::1");
	T("::ffff:1.2.3.4", "6:::ffff:1.2.3.4");
	T("Nov  6 12:34:56 00:11:22:33:44:55", "");
	T("2001:db8::1-2001:db8::9", "6:2001:db8::1|6:2001:db8::9");
	T("2001:db8::1.", "6:2001:db8::1");
	T("x2001:db8::1 2001:db8::1g", "");
	T("a:b:1.2.3.4", "4:1.2.3.4");
}

static void test_domains(void **state)
{
	(void)state;
	T("query www.Evil.COM. from", "d:www.Evil.COM");
	T("GET http://a.evil.com/x.php", "d:a.evil.com|d:x.php");
	T("user@mail.example:25 evil.com:8080", "d:mail.example|d:evil.com");
	T("notevil.com evil.com.org", "d:notevil.com|d:evil.com.org");
	T("a..b.com .evil.com 1.2.3.com", "d:1.2.3.com");
	T("localhost sshd[12]: x", "");
}

static void test_hashes(void **state)
{
	char line[400], md5[33], sha256[65];
	(void)state;
	memset(md5, 'a', 32);
	md5[32] = 0;
	memset(sha256, 'B', 64);
	sha256[64] = 0;
	snprintf(line, sizeof line, "md5=%s sha256:%s", md5, sha256);
	{
		char want[200];
		snprintf(want, sizeof want, "h:%s|h:%s", md5, sha256);
		T(line, want);
	}
	/* 32 hex inside 64 hex, 33 hex, hex with a letter past f. */
	snprintf(line, sizeof line, "%s%s %sa %sg", md5, md5, md5, md5);
	{
		char want[200];
		snprintf(want, sizeof want, "h:%s%s", md5, md5); /* a SHA-256 shape, never the MD5 */
		T(line, want);
	}
	snprintf(line, sizeof line, "md5-%s_x file_%s", md5, md5);
	T(line, "");
}

static void test_url_and_stop(void **state)
{
	(void)state;
	assert_string_equal(tokens("GET hxxp x http://Dl.bad.example/p.bin?x \"https://a.example\"", EXTRACT_URL),
			    "u:http://Dl.bad.example/p.bin?x|u:https://a.example");
	assert_string_equal(tokens("://x a://", EXTRACT_URL), "");
	/* A URL inside a URL is reported too and ends where the outer one does;
	 * the next URL after a blank gets its own end. */
	assert_string_equal(tokens("go https://r.example/?u=http://b.example/x' ftp://c.example/", EXTRACT_URL),
			    "u:https://r.example/?u=http://b.example/x|u:http://b.example/x|u:ftp://c.example/");
	assert_string_equal(tokens("http://http://http:// x", EXTRACT_URL),
			    "u:http://http://http://|u:http://http://");
	/* Stop after the first token. */
	assert_int_equal(extract_line("1.2.3.4 5.6.7.8", 15, EXTRACT_ALL, NULL, NULL), 2);
}

static int stop_first(void *ctx, const struct extract_token *t)
{
	(void)t;
	(*(int *)ctx)++;
	return 1;
}

static void test_nasty(void **state)
{
	size_t n = 1 << 20;
	char *big = malloc(n);
	int calls = 0;
	(void)state;
	assert_non_null(big);
	/* Long runs of dots, colons, digits and hyphens stay linear and find nothing. */
	memset(big, ':', n);
	assert_int_equal(extract_line(big, n, EXTRACT_ALL, NULL, NULL), 0);
	for (size_t i = 0; i < n; i++)
		big[i] = "1.-:"[i % 4];
	assert_int_equal(extract_line(big, n, EXTRACT_ALL, NULL, NULL), 0);
	memset(big, 0, n);
	memcpy(big + 100, "1.2.3.4", 7);
	assert_int_equal(extract_line(big, n, EXTRACT_ALL, NULL, NULL), 1);
	assert_int_equal(extract_line("1.2.3.4 5.6.7.8", 15, EXTRACT_ALL, stop_first, &calls), 1);
	assert_int_equal(calls, 1);
	assert_int_equal(extract_line(NULL, 0, EXTRACT_ALL, NULL, NULL), 0);
	free(big);
}

/* Every token as (kind, off, len, addr). */
struct toklist {
	struct extract_token t[4096];
	size_t n;
};

static int collect_all(void *ctx, const struct extract_token *t)
{
	struct toklist *l = ctx;
	if (l->n < sizeof l->t / sizeof l->t[0])
		l->t[l->n++] = *t;
	return 0;
}

/* Without hashes and URLs extract_line looks only at words holding a dot or
 * a colon (a faster path); with hashes it reads every word. Both must give
 * the same address and domain tokens, on text made to hit the edges: runs
 * of word bytes of every kind, dots and colons at word ends, trailing dots,
 * CR, NUL, high bytes, 16-byte block boundaries. */
static void test_marked_path_same_tokens(void **state)
{
	static const char alphabet[] = "0123456789......::::--__abcfxyzABFZ \t\r\n[]=,/%\0\xff\xc3";
	static char buf[4096];
	static struct toklist fast, slow;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	const unsigned k = EXTRACT_IPV4 | EXTRACT_IPV6 | EXTRACT_DOMAIN;
	(void)state;

	for (int round = 0; round < 3000; round++) {
		size_t len, j = 0;
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		len = (size_t)(seed >> 33) % sizeof buf;
		for (size_t i = 0; i < len; i++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			/* Mostly real-looking pieces, sometimes noise. */
			if ((seed >> 60) < 3 && i + 16 < len) {
				static const char *const piece[] = {"192.0.2.14", "2001:db8::1", "::ffff:198.51.100.7",
								    "evil.example.", "12:34:56", "a1.2.3.4",
								    "1.2.3.4.5", "[2001:db8:0:0:0:0:0:1]:443"};
				const char *pc = piece[(seed >> 40) % 8];
				size_t pl = strlen(pc);
				memcpy(buf + i, pc, pl);
				i += pl - 1;
			} else {
				buf[i] = alphabet[(seed >> 35) % (sizeof alphabet - 1)];
			}
		}
		fast.n = slow.n = 0;
		extract_line(buf, len, k, collect_all, &fast);
		extract_line(buf, len, k | EXTRACT_HASH, collect_all, &slow);
		for (size_t i = 0; i < slow.n; i++)
			if (slow.t[i].kind != EXTRACT_HASH)
				slow.t[j++] = slow.t[i];
		slow.n = j;
		assert_int_equal(fast.n, slow.n);
		for (size_t i = 0; i < fast.n; i++) {
			assert_int_equal(fast.t[i].kind, slow.t[i].kind);
			assert_int_equal(fast.t[i].off, slow.t[i].off);
			assert_int_equal(fast.t[i].len, slow.t[i].len);
			assert_memory_equal(fast.t[i].addr, slow.t[i].addr, 16);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_boundaries), cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_domains),        cmocka_unit_test(test_hashes),
		cmocka_unit_test(test_url_and_stop),   cmocka_unit_test(test_nasty),
		cmocka_unit_test(test_marked_path_same_tokens),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
