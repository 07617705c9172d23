#include "../test_util.h"

#include "ioc.h"
#include "range_set.h"

static void add(struct range_set *rs, const char *cidr)
{
	struct ioc t;
	assert_int_equal(ioc_parse(cidr, strlen(cidr), IOC_NONE, &t), CG_OK);
	assert_int_equal(range_set_add_cidr(rs, t.addr, t.prefix), CG_OK);
}

/* The CIDRs of rs as one comma-separated string. */
static char *cidrs(struct range_set *rs)
{
	static char buf[8192];
	struct range_cidr *c;
	size_t n, l = 0;

	assert_int_equal(range_set_cidrs(rs, 1, &c, &n), CG_OK);
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char one[64];
		range_cidr_format(range_set_is_v6(rs), &c[i], one, sizeof one);
		l += (size_t)snprintf(buf + l, sizeof buf - l, "%s%s", i ? "," : "", one);
	}
	free(c);
	return buf;
}

static void merge_overlapping_and_adjacent(void **state)
{
	(void)state;
	struct range_set *rs = range_set_new(0);
	add(rs, "198.51.100.0/25");
	add(rs, "198.51.100.128/25");
	add(rs, "198.51.100.7");
	add(rs, "203.0.113.0/24");
	add(rs, "203.0.113.64/26");
	assert_string_equal(cidrs(rs), "198.51.100.0/24,203.0.113.0/24");
	assert_int_equal(range_set_count(rs), 2);
	range_set_free(rs);
	range_set_free(NULL);
}

static void allow_exception_excludes_exactly_one(void **state)
{
	(void)state;
	struct range_set *rs = range_set_new(0), *cut = range_set_new(0);
	add(rs, "198.51.100.0/24");
	add(cut, "198.51.100.7");
	assert_int_equal(range_set_subtract(rs, cut), CG_OK);
	assert_string_equal(cidrs(rs), "198.51.100.0/30,198.51.100.4/31,198.51.100.6,198.51.100.8/29,"
				       "198.51.100.16/28,198.51.100.32/27,198.51.100.64/26,198.51.100.128/25");
	/* 255 addresses remain. */
	{
		range_u128 lo, hi, total = 0;
		for (size_t i = 0; i < range_set_count(rs); i++) {
			range_set_get(rs, i, &lo, &hi);
			total += hi - lo + 1;
		}
		assert_true(total == 255);
	}
	range_set_free(rs);
	range_set_free(cut);
}

static void whole_spaces_and_edges(void **state)
{
	(void)state;
	struct range_set *v4 = range_set_new(0), *v6 = range_set_new(1), *cut = range_set_new(1);
	add(v4, "0.0.0.0/0");
	/* /0 comes out as two /1: ipset refuses /0. */
	assert_string_equal(cidrs(v4), "0.0.0.0/1,128.0.0.0/1");
	add(v6, "::/0");
	assert_string_equal(cidrs(v6), "::/1,8000::/1");
	add(cut, "::");
	add(cut, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	assert_int_equal(range_set_subtract(v6, cut), CG_OK);
	assert_int_equal(range_set_count(v6), 1);
	{
		range_u128 lo, hi;
		range_set_get(v6, 0, &lo, &hi);
		assert_true(lo == 1);
		assert_true(hi == ~(range_u128)0 - 1);
	}
	/* 127 + 127 CIDRs on each side of the cut-out ends. */
	{
		struct range_cidr *c;
		size_t n;
		assert_int_equal(range_set_cidrs(v6, 0, &c, &n), CG_OK);
		assert_int_equal(n, 254);
		free(c);
	}
	range_set_free(v4);
	range_set_free(v6);
	range_set_free(cut);
}

static void covers(void **state)
{
	(void)state;
	struct range_set *rs = range_set_new(1);
	range_u128 lo, hi;
	struct ioc t;
	add(rs, "2001:db8::/48");
	assert_int_equal(ioc_parse("2001:db8::/64", 13, IOC_NONE, &t), CG_OK);
	range_cidr_bounds(1, t.addr, t.prefix, &lo, &hi);
	assert_int_equal(range_set_covers(rs, lo, hi), 1);
	assert_int_equal(ioc_parse("2001:db8::/32", 13, IOC_NONE, &t), CG_OK);
	range_cidr_bounds(1, t.addr, t.prefix, &lo, &hi);
	assert_int_equal(range_set_covers(rs, lo, hi), -1);
	assert_int_equal(ioc_parse("2001:db9::/48", 13, IOC_NONE, &t), CG_OK);
	range_cidr_bounds(1, t.addr, t.prefix, &lo, &hi);
	assert_int_equal(range_set_covers(rs, lo, hi), 0);
	range_set_free(rs);
}

/* Random sets checked against a bitmap of a small address space. */
static void random_against_bitmap(void **state)
{
	(void)state;
	unsigned seed = 12345;
	for (int round = 0; round < 200; round++) {
		static unsigned char want[1 << 12];
		struct range_set *rs = range_set_new(0), *cut = range_set_new(0);
		struct range_cidr *c;
		size_t n;
		memset(want, 0, sizeof want);
		for (int k = 0; k < 20; k++) {
			unsigned p, base, is_cut;
			seed = seed * 1103515245u + 12345u;
			p = 20 + (seed >> 8) % 13; /* /20 .. /32 within 10.0.0.0/20 */
			seed = seed * 1103515245u + 12345u;
			base = ((seed >> 4) & 0xfff) & ~((1u << (32 - p)) - 1);
			is_cut = (seed >> 20) & 1;
			uint8_t a[4] = {10, 0, (uint8_t)(base >> 8), (uint8_t)base};
			assert_int_equal(range_set_add_cidr(is_cut ? cut : rs, a, p), CG_OK);
			for (unsigned x = base; x < base + (1u << (32 - p)); x++)
				want[x] = is_cut ? (unsigned char)(want[x] | 2) : (unsigned char)(want[x] | 1);
		}
		assert_int_equal(range_set_subtract(rs, cut), CG_OK);
		assert_int_equal(range_set_cidrs(rs, 1, &c, &n), CG_OK);
		{
			static unsigned char got[1 << 12];
			memset(got, 0, sizeof got);
			for (size_t i = 0; i < n; i++) {
				range_u128 lo = c[i].lo - 0x0a000000u;
				/* Each CIDR is aligned to its size. */
				assert_true((lo & ((1u << (32 - c[i].prefix)) - 1)) == 0);
				for (range_u128 x = lo; x < lo + ((range_u128)1 << (32 - c[i].prefix)); x++) {
					assert_int_equal(got[x], 0);
					got[x] = 1;
				}
			}
			for (unsigned x = 0; x < (1u << 12); x++)
				assert_int_equal(got[x], want[x] == 1);
		}
		free(c);
		range_set_free(rs);
		range_set_free(cut);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(merge_overlapping_and_adjacent),
		cmocka_unit_test(allow_exception_excludes_exactly_one),
		cmocka_unit_test(whole_spaces_and_edges),
		cmocka_unit_test(covers),
		cmocka_unit_test(random_against_bitmap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
