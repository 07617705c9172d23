#include "range_set.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_i18n.h"
#include "ioc.h"

struct interval {
	range_u128 lo, hi;
};

struct range_set {
	int v6;
	int sorted; /* normalized: sorted, disjoint, not adjacent */
	size_t n, alloc;
	struct interval *iv;
};

static unsigned width(int v6)
{
	return v6 ? 128u : 32u;
}

static range_u128 max_addr(int v6)
{
	return v6 ? ~(range_u128)0 : (range_u128)0xffffffffu;
}

struct range_set *range_set_new(int v6)
{
	struct range_set *rs = calloc(1, sizeof *rs);
	if (rs) {
		rs->v6 = v6 ? 1 : 0;
		rs->sorted = 1;
	}
	return rs;
}

void range_set_free(struct range_set *rs)
{
	if (!rs)
		return;
	free(rs->iv);
	free(rs);
}

int range_set_is_v6(const struct range_set *rs)
{
	return rs->v6;
}

range_u128 range_from_bytes(int v6, const uint8_t *addr)
{
	range_u128 v = 0;
	for (unsigned i = 0; i < (v6 ? 16u : 4u); i++)
		v = (v << 8) | addr[i];
	return v;
}

void range_to_bytes(int v6, range_u128 v, uint8_t *addr)
{
	for (unsigned i = v6 ? 16u : 4u; i-- > 0;) {
		addr[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

/* Mask of the host bits of a /prefix in a family of `w` bits. */
static range_u128 host_mask(unsigned w, unsigned prefix)
{
	unsigned host = w - prefix;
	if (host >= 128)
		return ~(range_u128)0;
	return ((range_u128)1 << host) - 1;
}

void range_cidr_bounds(int v6, const uint8_t *addr, unsigned prefix, range_u128 *lo, range_u128 *hi)
{
	unsigned w = width(v6);
	range_u128 m;

	if (prefix > w)
		prefix = w;
	m = host_mask(w, prefix);
	*lo = range_from_bytes(v6, addr) & ~m & max_addr(v6);
	*hi = *lo | m;
}

enum cg_err range_set_add(struct range_set *rs, range_u128 lo, range_u128 hi)
{
	if (lo > hi || hi > max_addr(rs->v6))
		return cg_err_set(CG_EINVAL, "range_set_add: bad interval");
	if (rs->n == rs->alloc) {
		size_t na = rs->alloc ? rs->alloc * 2 : 64;
		struct interval *p;
		if (rs->n >= RANGE_SET_MAX)
			return cg_err_set(CG_ELIMIT, _("more than %zu address ranges"), RANGE_SET_MAX);
		p = realloc(rs->iv, na * sizeof *p);
		if (!p)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		rs->iv = p;
		rs->alloc = na;
	}
	if (rs->n)
		rs->sorted = 0;
	rs->iv[rs->n].lo = lo;
	rs->iv[rs->n].hi = hi;
	rs->n++;
	return CG_OK;
}

enum cg_err range_set_add_cidr(struct range_set *rs, const uint8_t *addr, unsigned prefix)
{
	range_u128 lo, hi;

	if (prefix > width(rs->v6))
		return cg_err_set(CG_EINVAL, _("prefix /%u is too long"), prefix);
	range_cidr_bounds(rs->v6, addr, prefix, &lo, &hi);
	return range_set_add(rs, lo, hi);
}

static int cmp_interval(const void *a, const void *b)
{
	const struct interval *x = a, *y = b;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	return 0;
}

enum cg_err range_set_normalize(struct range_set *rs)
{
	size_t o = 0;

	if (rs->sorted)
		return CG_OK;
	qsort(rs->iv, rs->n, sizeof *rs->iv, cmp_interval);
	for (size_t i = 0; i < rs->n; i++) {
		/* Merge when overlapping or adjacent; hi + 1 cannot wrap unless hi
		 * is the top address, and then everything after is covered. */
		if (o && (rs->iv[o - 1].hi == max_addr(rs->v6) || rs->iv[i].lo <= rs->iv[o - 1].hi + 1)) {
			if (rs->iv[i].hi > rs->iv[o - 1].hi)
				rs->iv[o - 1].hi = rs->iv[i].hi;
		} else {
			rs->iv[o++] = rs->iv[i];
		}
	}
	rs->n = o;
	rs->sorted = 1;
	return CG_OK;
}

/* Append [lo, hi] to the growing array *v of *n intervals (room for *alloc;
 * `first` is the room of the first allocation). */
static enum cg_err push_interval(struct interval **v, size_t *n, size_t *alloc, size_t first, range_u128 lo,
				 range_u128 hi)
{
	if (*n + 1 > *alloc) {
		size_t na = *alloc ? *alloc * 2 : first;
		struct interval *p = realloc(*v, na * sizeof *p);
		if (!p)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		*v = p;
		*alloc = na;
	}
	(*v)[*n].lo = lo;
	(*v)[*n].hi = hi;
	(*n)++;
	return CG_OK;
}

enum cg_err range_set_subtract(struct range_set *rs, struct range_set *cut)
{
	struct interval *out = NULL;
	size_t n_out = 0, alloc = 0, j = 0;
	enum cg_err rc;

	if (rs->v6 != cut->v6)
		return cg_err_set(CG_EINVAL, "range_set_subtract: families differ");
	if ((rc = range_set_normalize(rs)) || (rc = range_set_normalize(cut)))
		return rc;
	if (!rs->n || !cut->n)
		return CG_OK;
	for (size_t i = 0; i < rs->n; i++) {
		range_u128 lo = rs->iv[i].lo, hi = rs->iv[i].hi;
		int done = 0;
		while (j < cut->n && cut->iv[j].hi < lo)
			j++;
		for (size_t k = j; k < cut->n && cut->iv[k].lo <= hi && !done; k++) {
			if (cut->iv[k].lo > lo && (rc = push_interval(&out, &n_out, &alloc, rs->n + 16, lo, cut->iv[k].lo - 1))) {
				free(out);
				return rc;
			}
			if (cut->iv[k].hi >= hi)
				done = 1;
			else
				lo = cut->iv[k].hi + 1;
		}
		if (!done && (rc = push_interval(&out, &n_out, &alloc, rs->n + 16, lo, hi))) {
			free(out);
			return rc;
		}
	}
	free(rs->iv);
	rs->iv = out;
	rs->n = n_out;
	rs->alloc = alloc;
	return CG_OK;
}

size_t range_set_count(struct range_set *rs)
{
	if (range_set_normalize(rs))
		return 0;
	return rs->n;
}

void range_set_get(const struct range_set *rs, size_t i, range_u128 *lo, range_u128 *hi)
{
	*lo = rs->iv[i].lo;
	*hi = rs->iv[i].hi;
}

int range_set_covers(struct range_set *rs, range_u128 lo, range_u128 hi)
{
	size_t a = 0, b;

	if (range_set_normalize(rs) || rs->n == 0)
		return 0;
	/* First interval whose hi >= lo. */
	b = rs->n;
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		if (rs->iv[mid].hi < lo)
			a = mid + 1;
		else
			b = mid;
	}
	if (a == rs->n || rs->iv[a].lo > hi)
		return 0;
	if (rs->iv[a].lo <= lo && rs->iv[a].hi >= hi)
		return 1;
	return -1;
}

/* Number of trailing zero bits of v, `w` when v is 0. */
static unsigned ctz_w(range_u128 v, unsigned w)
{
	unsigned n = 0;
	if (v == 0)
		return w;
	while (!(v & 1) && n < w) {
		v >>= 1;
		n++;
	}
	return n;
}

/* floor(log2(span + 1)) without overflowing when span is all ones. */
static unsigned log2_span1(range_u128 span, unsigned w)
{
	unsigned k = 0;
	if (span == (w == 128 ? ~(range_u128)0 : (range_u128)0xffffffffu))
		return w;
	span += 1;
	while (span > 1) {
		span >>= 1;
		k++;
	}
	return k;
}

enum cg_err range_set_cidrs(struct range_set *rs, unsigned min_prefix, struct range_cidr **out, size_t *n_out)
{
	unsigned w = width(rs->v6);
	struct range_cidr *v = NULL;
	size_t n = 0, alloc = 0;
	enum cg_err rc;

	*out = NULL;
	*n_out = 0;
	if ((rc = range_set_normalize(rs)))
		return rc;
	if (min_prefix > w)
		min_prefix = w;
	for (size_t i = 0; i < rs->n; i++) {
		range_u128 lo = rs->iv[i].lo, hi = rs->iv[i].hi;
		for (;;) {
			unsigned k = ctz_w(lo, w), s = log2_span1(hi - lo, w);
			if (s < k)
				k = s;
			if (k > w - min_prefix)
				k = w - min_prefix;
			if (n == alloc) {
				size_t na = alloc ? alloc * 2 : rs->n + 16;
				struct range_cidr *p = realloc(v, na * sizeof *p);
				if (!p) {
					free(v);
					return cg_err_set(CG_ENOMEM, _("out of memory"));
				}
				v = p;
				alloc = na;
			}
			v[n].lo = lo;
			v[n].prefix = w - k;
			n++;
			/* Last block reaches hi (or the top of the space): done. */
			if (hi - lo == host_mask(w, w - k))
				break;
			lo += (range_u128)1 << k;
		}
	}
	*out = v;
	*n_out = n;
	return CG_OK;
}

void range_cidr_format(int v6, const struct range_cidr *c, char *buf, size_t n)
{
	uint8_t a[16];
	size_t l;

	range_to_bytes(v6, c->lo, a);
	ioc_format_addr(v6, a, buf, n);
	l = strlen(buf);
	if (c->prefix != width(v6) && l < n)
		snprintf(buf + l, n - l, "/%u", c->prefix);
}
