/* ioc_set: longest-prefix match, domains, hashes, URLs, merging of sources. */
#include "../test_util.h"

#include "ioc_set.h"

static void add(struct ioc_set_builder *b, const char *v, const char *src, const char *fam)
{
	struct ioc ioc;
	assert_int_equal(ioc_parse(v, strlen(v), IOC_NONE, &ioc), CG_OK);
	assert_int_equal(ioc_set_builder_add(b, &ioc, src, fam), CG_OK);
}

static struct ioc_set *build(const char *const *vals, size_t n)
{
	struct ioc_set_builder *b;
	struct ioc_set *s;
	assert_int_equal(ioc_set_builder_new(&b), CG_OK);
	for (size_t i = 0; i < n; i++)
		add(b, vals[i], "test", NULL);
	assert_int_equal(ioc_set_build(b, &s), CG_OK);
	return s;
}

/* The value of the entry an address text matches, or "-". */
static const char *m(const struct ioc_set *s, const char *addr)
{
	uint8_t a[16] = {0};
	const struct ioc_entry *e;
	int v6 = strchr(addr, ':') != NULL;
	if (v6)
		assert_true(ioc_parse_ipv6(addr, strlen(addr), a));
	else
		assert_true(ioc_parse_ipv4(addr, strlen(addr), a));
	e = ioc_set_match_addr(s, v6, a);
	return e ? e->value : "-";
}

static void test_lpm_v4(void **state)
{
	static const char *const v[] = {"10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3", "10.1.3.0/24",
					"192.0.2.0/25", "198.51.100.23", "0.0.0.0/1", "203.0.113.255"};
	struct ioc_set *s = build(v, sizeof v / sizeof v[0]);
	(void)state;
	assert_string_equal(m(s, "10.1.2.3"), "10.1.2.3");
	assert_string_equal(m(s, "10.1.2.4"), "10.1.2.0/24");
	assert_string_equal(m(s, "10.1.3.255"), "10.1.3.0/24");
	assert_string_equal(m(s, "10.1.4.0"), "10.1.0.0/16");
	assert_string_equal(m(s, "10.2.0.0"), "10.0.0.0/8");
	assert_string_equal(m(s, "10.255.255.255"), "10.0.0.0/8");
	assert_string_equal(m(s, "11.0.0.0"), "0.0.0.0/1");
	assert_string_equal(m(s, "127.255.255.255"), "0.0.0.0/1");
	assert_string_equal(m(s, "128.0.0.0"), "-");
	assert_string_equal(m(s, "192.0.2.127"), "192.0.2.0/25");
	assert_string_equal(m(s, "192.0.2.128"), "-");
	assert_string_equal(m(s, "198.51.100.23"), "198.51.100.23");
	assert_string_equal(m(s, "198.51.100.22"), "-");
	assert_string_equal(m(s, "198.51.100.24"), "-");
	assert_string_equal(m(s, "203.0.113.255"), "203.0.113.255");
	assert_string_equal(m(s, "255.255.255.255"), "-");
	/* IPv4-mapped IPv6 is looked up as IPv4. */
	assert_string_equal(m(s, "::ffff:198.51.100.23"), "198.51.100.23");
	assert_string_equal(m(s, "::ffff:c633:6417"), "198.51.100.23");
	assert_string_equal(m(s, "2001:db8::1"), "-");
	assert_int_equal(ioc_set_count(s), 9);
	assert_int_equal(ioc_set_count_type(s, IOC_CIDR4), 6);
	ioc_set_free(s);
}

static void test_lpm_v6_and_edges(void **state)
{
	static const char *const v[] = {"2001:db8:bad::/48", "2001:db8:bad:1::/64", "2001:db8:bad:1::66",
					"::/0", "255.255.255.255", "0.0.0.0"};
	struct ioc_set *s = build(v, sizeof v / sizeof v[0]);
	(void)state;
	assert_string_equal(m(s, "2001:db8:bad:0:0:0:0:66"), "2001:db8:bad::/48");
	assert_string_equal(m(s, "2001:DB8:BAD:1::66"), "2001:db8:bad:1::66");
	assert_string_equal(m(s, "2001:db8:bad:1::67"), "2001:db8:bad:1::/64");
	assert_string_equal(m(s, "2001:db8:bae::"), "::/0");
	assert_string_equal(m(s, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), "::/0");
	assert_string_equal(m(s, "255.255.255.255"), "255.255.255.255");
	assert_string_equal(m(s, "0.0.0.0"), "0.0.0.0");
	assert_string_equal(m(s, "0.0.0.1"), "-");
	ioc_set_free(s);
	/* A whole-space IPv4 prefix. */
	{
		static const char *const all[] = {"0.0.0.0/0", "1.2.3.4"};
		s = build(all, 2);
		assert_string_equal(m(s, "9.9.9.9"), "0.0.0.0/0");
		assert_string_equal(m(s, "1.2.3.4"), "1.2.3.4");
		assert_string_equal(m(s, "255.255.255.255"), "0.0.0.0/0");
		ioc_set_free(s);
	}
}

/* Random prefixes checked against a slow linear longest-prefix search. */
static void test_lpm_random(void **state)
{
	struct ioc_set_builder *b;
	struct ioc_set *s;
	uint32_t net[600];
	unsigned plen[600];
	unsigned seed = 12345;
	(void)state;
	assert_int_equal(ioc_set_builder_new(&b), CG_OK);
	for (int i = 0; i < 600; i++) {
		char txt[40];
		struct ioc ioc;
		seed = seed * 1103515245u + 12345u;
		plen[i] = 8 + (seed >> 8) % 25;
		seed = seed * 1103515245u + 12345u;
		/* Keep them in 10.0.0.0/8 so they nest often. */
		net[i] = (0x0a000000u | (seed & 0x00ffffffu)) & (plen[i] ? ~0u << (32 - plen[i]) : 0);
		snprintf(txt, sizeof txt, "%u.%u.%u.%u/%u", net[i] >> 24, (net[i] >> 16) & 255, (net[i] >> 8) & 255,
			 net[i] & 255, plen[i]);
		assert_int_equal(ioc_parse(txt, strlen(txt), IOC_NONE, &ioc), CG_OK);
		assert_int_equal(ioc_set_builder_add(b, &ioc, "r", NULL), CG_OK);
	}
	assert_int_equal(ioc_set_build(b, &s), CG_OK);
	for (int k = 0; k < 20000; k++) {
		uint32_t a;
		uint8_t ab[4];
		int best = -1;
		const struct ioc_entry *e;
		seed = seed * 1103515245u + 12345u;
		a = k % 2 ? net[k % 600] + (seed & 0xff) : (0x0a000000u | (seed & 0x00ffffffu));
		for (int i = 0; i < 600; i++) {
			uint32_t mask = ~0u << (32 - plen[i]);
			if ((a & mask) == net[i] && (best < 0 || plen[i] > plen[best]))
				best = i;
		}
		ab[0] = (uint8_t)(a >> 24), ab[1] = (uint8_t)(a >> 16), ab[2] = (uint8_t)(a >> 8), ab[3] = (uint8_t)a;
		e = ioc_set_match_addr(s, 0, ab);
		if (best < 0) {
			assert_null(e);
		} else {
			char want[40];
			assert_non_null(e);
			snprintf(want, sizeof want, "%u.%u.%u.%u/%u", net[best] >> 24, (net[best] >> 16) & 255,
				 (net[best] >> 8) & 255, net[best] & 255, plen[best]);
			if (plen[best] == 32)
				*strchr(want, '/') = '\0';
			assert_string_equal(e->value, want);
		}
	}
	ioc_set_free(s);
}

static void test_domains_hashes(void **state)
{
	static const char *const v[] = {"evil.com", "c2.badupdate.example", "x.y.evil.com",
					"d41d8cd98f00b204e9800998ecf8427e",
					"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"};
	struct ioc_set *s = build(v, sizeof v / sizeof v[0]);
	const struct ioc_entry *e;
	(void)state;
	e = ioc_set_match_domain(s, "a.evil.com", 10);
	assert_non_null(e);
	assert_string_equal(e->value, "evil.com");
	assert_string_equal(ioc_set_match_domain(s, "evil.com", 8)->value, "evil.com");
	assert_string_equal(ioc_set_match_domain(s, "q.x.y.evil.com", 14)->value, "x.y.evil.com");
	assert_string_equal(ioc_set_match_domain(s, "www.c2.badupdate.example", 24)->value, "c2.badupdate.example");
	assert_null(ioc_set_match_domain(s, "notevil.com", 11));
	assert_null(ioc_set_match_domain(s, "evil.com.org", 12));
	assert_null(ioc_set_match_domain(s, "badupdate.example", 17));
	assert_null(ioc_set_match_domain(s, "com", 3));
	assert_non_null(ioc_set_match_hash(s, "d41d8cd98f00b204e9800998ecf8427e", 32));
	assert_null(ioc_set_match_hash(s, "d41d8cd98f00b204e9800998ecf8427f", 32));
	assert_non_null(ioc_set_match_hash(s, v[4], 64));
	assert_null(ioc_set_match_hash(s, v[4], 32));
	assert_int_equal(ioc_set_match_hash(s, v[3], 32)->type, IOC_MD5);
	ioc_set_free(s);
}

static void test_merge_sources(void **state)
{
	struct ioc_set_builder *b;
	struct ioc_set *s;
	uint8_t a[4] = {198, 51, 100, 23};
	const struct ioc_entry *e;
	(void)state;
	assert_int_equal(ioc_set_builder_new(&b), CG_OK);
	add(b, "198.51.100.23", "spamhaus", "drop");
	add(b, "198.51.100.23/32", "feodo", "Emotet");
	add(b, "198.51.100.23", "feodo", "Emotet");
	add(b, "198.51.100.23", "feodo", NULL);
	add(b, "evil.com", NULL, NULL);
	assert_int_equal(ioc_set_build(b, &s), CG_OK);
	assert_int_equal(ioc_set_count(s), 2);
	e = ioc_set_match_addr(s, 0, a);
	assert_non_null(e);
	assert_string_equal(e->source, "feodo,spamhaus");
	assert_string_equal(e->family, "Emotet,drop");
	e = ioc_set_match_domain(s, "evil.com", 8);
	assert_string_equal(e->source, "");
	assert_string_equal(e->family, "");
	ioc_set_free(s);
	/* Empty set; free(NULL). */
	assert_int_equal(ioc_set_builder_new(&b), CG_OK);
	assert_int_equal(ioc_set_build(b, &s), CG_OK);
	assert_null(ioc_set_match_addr(s, 0, a));
	assert_null(ioc_set_match_domain(s, "evil.com", 8));
	ioc_set_free(s);
	ioc_set_free(NULL);
	ioc_set_builder_free(NULL);
}

struct urlhits {
	char got[8][200];
	int n;
	const char *buf;
};

static int on_url(void *ctx, size_t off, size_t len, const struct ioc_entry *e)
{
	struct urlhits *u = ctx;
	if (u->n < 8)
		snprintf(u->got[u->n++], sizeof u->got[0], "%.*s=%s", (int)len, u->buf + off, e->value);
	return 0;
}

static int url_count(const struct ioc_set *s, struct ioc_url_scratch *sc, const char *line, struct urlhits *u)
{
	memset(u, 0, sizeof *u);
	u->buf = line;
	assert_int_equal(ioc_set_match_urls(s, sc, line, strlen(line), on_url, u), CG_OK);
	return u->n;
}

static void test_urls(void **state)
{
	static const char *const v[] = {"http://dl.badupdate.example/payload.bin", "https://evil.example"};
	struct ioc_set *s = build(v, 2);
	struct ioc_url_scratch *sc;
	struct urlhits u;
	(void)state;
	assert_int_equal(ioc_set_url_scratch_new(s, &sc), CG_OK);
	assert_int_equal(url_count(s, sc, "GET HTTP://DL.BadUpdate.example/payload.bin HTTP/1.1", &u), 1);
	assert_string_equal(u.got[0], "HTTP://DL.BadUpdate.example/payload.bin=http://dl.badupdate.example/payload.bin");
	assert_int_equal(url_count(s, sc, "x \"http://dl.badupdate.example/payload.bin?a=1\"", &u), 1);
	assert_int_equal(url_count(s, sc, "http://dl.badupdate.example/payload.bin.exe", &u), 0);
	assert_int_equal(url_count(s, sc, "http://dl.badupdate.example/PAYLOAD.bin", &u), 0);
	assert_int_equal(url_count(s, sc, "xhttp://dl.badupdate.example/payload.bin", &u), 0);
	assert_int_equal(url_count(s, sc, "https://evil.example/anything https://evil.example:443/", &u), 2);
	assert_int_equal(url_count(s, sc, "https://evil.examples/", &u), 0);
	ioc_set_url_scratch_free(sc);
	ioc_set_free(s);
}

static void add_ex(struct ioc_set_builder *b, const char *v, const char *src, unsigned flags)
{
	struct ioc ioc;
	assert_int_equal(ioc_parse(v, strlen(v), IOC_NONE, &ioc), CG_OK);
	assert_int_equal(ioc_set_builder_add_ex(b, &ioc, src, NULL, flags), CG_OK);
}

/* The source list of the entry an address matches, or "-". */
static const char *src_of(const struct ioc_set *s, const char *addr)
{
	uint8_t a[16] = {0};
	const struct ioc_entry *e;
	int v6 = strchr(addr, ':') != NULL;
	assert_true(v6 ? ioc_parse_ipv6(addr, strlen(addr), a) : ioc_parse_ipv4(addr, strlen(addr), a));
	e = ioc_set_match_addr(s, v6, a);
	return e ? e->source : "-";
}

/* An address names every list covering it; special-purpose blocks are
 * hunted only for the sources that say so. */
static void test_covering_and_special(void **state)
{
	struct ioc_set_builder *b;
	struct ioc_set *s;
	(void)state;
	assert_int_equal(ioc_set_builder_new(&b), CG_OK);
	ioc_set_builder_special_policy(b);
	add_ex(b, "5.188.10.0/23", "firehol", 0);
	add_ex(b, "5.188.10.0/24", "drop", 0);
	add_ex(b, "5.188.10.7", "et", 0);
	add_ex(b, "10.0.0.0/8", "firehol", 0);
	add_ex(b, "10.1.2.3", "own", IOC_SET_HUNT_SPECIAL);
	add_ex(b, "192.168.0.0/16", "firehol", 0);
	add_ex(b, "192.168.0.0/16", "lan", IOC_SET_HUNT_SPECIAL);
	add_ex(b, "224.0.0.0/3", "firehol", 0);
	add_ex(b, "192.0.2.0/24", "firehol", 0);
	add_ex(b, "fc00::/7", "firehol", 0);
	add_ex(b, "::/0", "all6", 0);
	assert_int_equal(ioc_set_build(b, &s), CG_OK);
	assert_string_equal(src_of(s, "5.188.10.7"), "drop,et,firehol");
	assert_string_equal(m(s, "5.188.10.7"), "5.188.10.7");
	assert_string_equal(src_of(s, "5.188.10.8"), "drop,firehol");
	assert_string_equal(m(s, "5.188.10.8"), "5.188.10.0/24");
	assert_string_equal(src_of(s, "5.188.11.1"), "firehol");
	assert_string_equal(src_of(s, "10.9.9.9"), "-");
	assert_string_equal(src_of(s, "10.1.2.3"), "own");
	assert_string_equal(src_of(s, "192.168.7.7"), "lan");
	assert_string_equal(m(s, "192.168.7.7"), "192.168.0.0/16");
	assert_string_equal(src_of(s, "224.0.0.1"), "-");
	assert_string_equal(src_of(s, "250.1.1.1"), "-");
	assert_string_equal(src_of(s, "::ffff:10.9.9.9"), "-");
	/* documentation blocks are hunted */
	assert_string_equal(src_of(s, "192.0.2.1"), "firehol");
	assert_string_equal(src_of(s, "fd00::1"), "-");
	assert_string_equal(src_of(s, "fe80::1"), "-");
	assert_string_equal(src_of(s, "2a00::1"), "all6");
	assert_string_equal(src_of(s, "2001:db8::1"), "all6");
	assert_int_equal(ioc_set_count(s), 10); /* 192.168.0.0/16 is one entry of two sources */
	ioc_set_free(s);
	/* without the policy every address is hunted */
	assert_int_equal(ioc_set_builder_new(&b), CG_OK);
	add_ex(b, "10.0.0.0/8", "firehol", 0);
	assert_int_equal(ioc_set_build(b, &s), CG_OK);
	assert_string_equal(src_of(s, "10.9.9.9"), "firehol");
	ioc_set_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lpm_v4),         cmocka_unit_test(test_lpm_v6_and_edges),
		cmocka_unit_test(test_covering_and_special),
		cmocka_unit_test(test_lpm_random),     cmocka_unit_test(test_domains_hashes),
		cmocka_unit_test(test_merge_sources),  cmocka_unit_test(test_urls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
