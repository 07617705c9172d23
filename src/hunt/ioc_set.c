/* ioc_set — compiled indicator set.
 *
 * Layout (chosen so 1 M indicators stay well under 100 MB):
 * - every canonical value once in a string arena, entries refer to it;
 * - one open-addressing table of 32-bit entry ids keyed by the value, used to
 *   de-duplicate while building and to look up domains and hashes after; the
 *   hash is FNV-1a (cg_hash) over the bytes from last to first, so the hashes of all
 *   label suffixes of a domain come out of one right-to-left pass;
 * - per address family, all prefixes flattened into a partition of the
 *   address space into intervals, each pointing at its most specific prefix
 *   (or none), plus a first-level index on the top 16 bits: a lookup is one
 *   array read and a binary search over a few intervals;
 * - URLs compiled into a Vectorscan literal database (caseless prefilter,
 *   exact verification after).
 */
#include "ioc_set.h"

#include <hs.h>
#include <stdlib.h>
#include <string.h>

#include "cg_i18n.h"
#include "cg_hash.h"
#include "special_range.h"

#define NO_ID UINT32_MAX
#define SPECIAL_ID (UINT32_MAX - 1) /* a special-purpose block in the LPM input */
#define ENTRIES_MAX (UINT32_MAX / 4)
#define DIR_SIZE 65536

typedef unsigned __int128 u128;

struct bentry {
	uint32_t off;  /* value in the arena */
	uint32_t pair; /* first (source, family) pair */
	uint16_t len;
	uint8_t type;
};

struct pair {
	uint32_t src, fam, next; /* interned string ids; fam NO_ID when none */
	uint32_t special_ok;     /* this source is hunted in special-purpose blocks */
};

/* Interned strings: sources, families and their comma-joined lists. */
struct intern {
	char **str;
	size_t n, cap;
	uint32_t *ht;
	size_t mask;
};

struct ioc_set_builder {
	char *arena;
	size_t arena_len, arena_cap;
	struct bentry *e;
	size_t n, cap;
	struct pair *pairs;
	size_t np, pcap;
	uint32_t *ht; /* entry id + 1; 0 empty */
	size_t ht_mask;
	struct intern names;
	int special_policy;
};

struct lpm {
	size_t n;
	uint32_t *lo4; /* IPv4 interval starts */
	u128 *lo6;     /* IPv6 interval starts */
	uint32_t *id;
	uint32_t *dir; /* DIR_SIZE + 1 */
};

struct ioc_set {
	char *arena;
	struct ioc_entry *entries;
	size_t n;
	size_t count[IOC_TYPE_COUNT];
	uint32_t *ht;
	size_t ht_mask;
	struct intern names;
	struct lpm v4, v6;
	/* Entries for the address intervals covered by several listed prefixes
	 * (all their sources), or in a special-purpose block by some of an
	 * entry's sources only. LPM ids >= n point here (id - n). */
	struct ioc_entry *joined;
	size_t n_joined, joined_cap;
	/* While building only: per entry, its sources and families hunted in
	 * special-purpose blocks (interned; 0, the empty name, when none). */
	uint32_t *ok_src, *ok_fam;
	int special_policy;
	uint64_t tld_bloom[1024]; /* top labels of listed domains */
	hs_database_t *url_db;
	uint32_t *url_ids;
	size_t n_urls;
};

struct ioc_url_scratch {
	hs_scratch_t *hs;
};

/* Tables built from the indicator set (trusted input): the stable FNV-1a,
 * walked right to left so every label suffix's hash is a prefix state. */
static uint64_t hash_rev(const char *s, size_t n)
{
	uint64_t h = CG_FNV64_OFFSET;
	while (n--)
		h = cg_fnv64_step(h, (unsigned char)s[n]);
	return h;
}

static uint64_t hash_step(uint64_t h, unsigned char c)
{
	return cg_fnv64_step(h, c);
}

static uint64_t mix(uint64_t h)
{
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 32);
}

static enum cg_err grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t nc;
	void *np;

	if (need <= *cap)
		return CG_OK;
	nc = *cap ? *cap : 64;
	while (nc < need)
		nc *= 2;
	if (nc > SIZE_MAX / elem)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	np = realloc(*p, nc * elem);
	if (!np)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	*p = np;
	*cap = nc;
	return CG_OK;
}

/* ---- interned names ---- */

static void intern_free(struct intern *in)
{
	for (size_t i = 0; i < in->n; i++)
		free(in->str[i]);
	free(in->str);
	free(in->ht);
	memset(in, 0, sizeof *in);
}

static enum cg_err intern_rehash(struct intern *in, size_t slots)
{
	uint32_t *ht = calloc(slots, sizeof *ht);
	if (!ht)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	free(in->ht);
	in->ht = ht;
	in->mask = slots - 1;
	for (size_t i = 0; i < in->n; i++) {
		size_t h = mix(hash_rev(in->str[i], strlen(in->str[i]))) & in->mask;
		while (ht[h])
			h = (h + 1) & in->mask;
		ht[h] = (uint32_t)i + 1;
	}
	return CG_OK;
}

static enum cg_err intern(struct intern *in, const char *s, size_t n, uint32_t *id)
{
	size_t h;
	enum cg_err rc;
	char *copy;

	if (!in->ht || (in->n + 1) * 2 > in->mask + 1) {
		rc = intern_rehash(in, in->ht ? (in->mask + 1) * 2 : 64);
		if (rc)
			return rc;
	}
	h = mix(hash_rev(s, n)) & in->mask;
	while (in->ht[h]) {
		const char *t = in->str[in->ht[h] - 1];
		if (strlen(t) == n && memcmp(t, s, n) == 0) {
			*id = in->ht[h] - 1;
			return CG_OK;
		}
		h = (h + 1) & in->mask;
	}
	rc = grow((void **)&in->str, &in->cap, in->n + 1, sizeof *in->str);
	if (rc)
		return rc;
	copy = strndup(s, n);
	if (!copy)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	in->str[in->n] = copy;
	in->ht[h] = (uint32_t)in->n + 1;
	*id = (uint32_t)in->n++;
	return CG_OK;
}

/* ---- builder ---- */

enum cg_err ioc_set_builder_new(struct ioc_set_builder **out)
{
	struct ioc_set_builder *b = calloc(1, sizeof *b);
	enum cg_err rc;
	uint32_t id;

	*out = NULL;
	if (!b)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	b->ht_mask = 1023;
	b->ht = calloc(b->ht_mask + 1, sizeof *b->ht);
	if (!b->ht) {
		free(b);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	/* Id 0 is the empty name. */
	rc = intern(&b->names, "", 0, &id);
	if (rc) {
		ioc_set_builder_free(b);
		return rc;
	}
	*out = b;
	return CG_OK;
}

void ioc_set_builder_free(struct ioc_set_builder *b)
{
	if (!b)
		return;
	free(b->arena);
	free(b->e);
	free(b->pairs);
	free(b->ht);
	intern_free(&b->names);
	free(b);
}

static enum cg_err builder_rehash(struct ioc_set_builder *b)
{
	size_t slots = (b->ht_mask + 1) * 2;
	uint32_t *ht = calloc(slots, sizeof *ht);

	if (!ht)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	for (size_t i = 0; i < b->n; i++) {
		size_t h = mix(hash_rev(b->arena + b->e[i].off, b->e[i].len)) & (slots - 1);
		while (ht[h])
			h = (h + 1) & (slots - 1);
		ht[h] = (uint32_t)i + 1;
	}
	free(b->ht);
	b->ht = ht;
	b->ht_mask = slots - 1;
	return CG_OK;
}

static enum cg_err add_pair(struct ioc_set_builder *b, struct bentry *e, uint32_t src, uint32_t fam,
			    uint32_t special_ok)
{
	enum cg_err rc;

	for (uint32_t p = e->pair; p != NO_ID; p = b->pairs[p].next)
		if (b->pairs[p].src == src && b->pairs[p].fam == fam) {
			b->pairs[p].special_ok |= special_ok;
			return CG_OK;
		}
	rc = grow((void **)&b->pairs, &b->pcap, b->np + 1, sizeof *b->pairs);
	if (rc)
		return rc;
	b->pairs[b->np] = (struct pair){src, fam, e->pair, special_ok};
	e->pair = (uint32_t)b->np++;
	return CG_OK;
}

void ioc_set_builder_special_policy(struct ioc_set_builder *b)
{
	b->special_policy = 1;
}

enum cg_err ioc_set_builder_add(struct ioc_set_builder *b, const struct ioc *ioc, const char *source,
				const char *family)
{
	return ioc_set_builder_add_ex(b, ioc, source, family, 0);
}

enum cg_err ioc_set_builder_add_ex(struct ioc_set_builder *b, const struct ioc *ioc, const char *source,
				   const char *family, unsigned flags)
{
	uint32_t ok = (flags & IOC_SET_HUNT_SPECIAL) ? 1 : 0;
	uint32_t src = 0, fam = 0;
	size_t h, len = ioc->len;
	enum cg_err rc;
	struct bentry *e;

	if (ioc->type <= IOC_NONE || ioc->type >= IOC_TYPE_COUNT || len == 0 || len > IOC_VALUE_MAX)
		return cg_err_set(CG_EINVAL, _("not an indicator: '%.*s'"), (int)(len > 80 ? 80 : len), ioc->value);
	if (source && (rc = intern(&b->names, source, strlen(source), &src)))
		return rc;
	if (family && (rc = intern(&b->names, family, strlen(family), &fam)))
		return rc;
	h = mix(hash_rev(ioc->value, len)) & b->ht_mask;
	while (b->ht[h]) {
		e = &b->e[b->ht[h] - 1];
		if (e->len == len && memcmp(b->arena + e->off, ioc->value, len) == 0)
			return add_pair(b, e, src, fam, ok);
		h = (h + 1) & b->ht_mask;
	}
	if (b->n >= ENTRIES_MAX)
		return cg_err_set(CG_ELIMIT, _("more than %u indicators"), (unsigned)ENTRIES_MAX);
	if ((rc = grow((void **)&b->e, &b->cap, b->n + 1, sizeof *b->e)) ||
	    (rc = grow((void **)&b->arena, &b->arena_cap, b->arena_len + len + 1, 1)))
		return rc;
	if (b->arena_len + len + 1 > UINT32_MAX)
		return cg_err_set(CG_ELIMIT, _("indicator values exceed 4 GiB"));
	memcpy(b->arena + b->arena_len, ioc->value, len + 1);
	e = &b->e[b->n];
	e->off = (uint32_t)b->arena_len;
	e->len = (uint16_t)len;
	e->type = (uint8_t)ioc->type;
	e->pair = NO_ID;
	b->arena_len += len + 1;
	b->ht[h] = (uint32_t)++b->n;
	if ((rc = add_pair(b, e, src, fam, ok)))
		return rc;
	if (b->n * 2 > b->ht_mask + 1)
		return builder_rehash(b);
	return CG_OK;
}

/* ---- joining sources and families ---- */

static int cmp_name(const void *a, const void *b, void *names)
{
	char **str = names;
	return strcmp(str[*(const uint32_t *)a], str[*(const uint32_t *)b]);
}

/* Sort ids by name, drop duplicates and empty names, join with ','; intern. */
static enum cg_err join_names(struct intern *in, uint32_t *ids, size_t n, uint32_t *out)
{
	char buf[4096];
	size_t len = 0, k = 0;

	if (n == 1) {
		*out = ids[0];
		return CG_OK;
	}
	qsort_r(ids, n, sizeof *ids, cmp_name, in->str);
	for (size_t i = 0; i < n; i++) {
		const char *s = in->str[ids[i]];
		size_t l = strlen(s);
		if (!l || (k && ids[i] == ids[k - 1]))
			continue;
		/* Very long lists are cut at a name boundary, not mid-name. */
		if (len + l + 2 > sizeof buf)
			break;
		if (len)
			buf[len++] = ',';
		memcpy(buf + len, s, l);
		len += l;
		ids[k++] = ids[i];
	}
	return intern(in, buf, len, out);
}

static enum cg_err make_entries(struct ioc_set_builder *b, struct ioc_set *s)
{
	uint32_t srcs[256], fams[256], osrcs[256], ofams[256];
	enum cg_err rc;

	s->entries = malloc((b->n ? b->n : 1) * sizeof *s->entries);
	if (!s->entries)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if (b->special_policy) {
		s->ok_src = calloc(b->n ? b->n : 1, sizeof *s->ok_src);
		s->ok_fam = calloc(b->n ? b->n : 1, sizeof *s->ok_fam);
		if (!s->ok_src || !s->ok_fam)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	for (size_t i = 0; i < b->n; i++) {
		size_t ns = 0, nf = 0, no = 0;
		uint32_t src, fam;
		for (uint32_t p = b->e[i].pair; p != NO_ID && ns < 256; p = b->pairs[p].next) {
			srcs[ns++] = b->pairs[p].src;
			fams[nf++] = b->pairs[p].fam;
			if (b->pairs[p].special_ok) {
				osrcs[no] = b->pairs[p].src;
				ofams[no++] = b->pairs[p].fam;
			}
		}
		if ((rc = join_names(&b->names, srcs, ns, &src)) || (rc = join_names(&b->names, fams, nf, &fam)))
			return rc;
		if (s->ok_src && no &&
		    ((rc = join_names(&b->names, osrcs, no, &s->ok_src[i])) ||
		     (rc = join_names(&b->names, ofams, no, &s->ok_fam[i]))))
			return rc;
		/* Names are resolved to pointers after the intern table stops growing. */
		s->entries[i].type = (enum ioc_type)b->e[i].type;
		s->entries[i].value = (const char *)(uintptr_t)b->e[i].off;
		s->entries[i].source = (const char *)(uintptr_t)src;
		s->entries[i].family = (const char *)(uintptr_t)fam;
		s->count[b->e[i].type]++;
	}
	s->n = b->n;
	s->special_policy = b->special_policy;
	return CG_OK;
}

/* ---- joined entries: several lists, or part of one, for an interval ---- */

struct name_ref {
	const char *s;
	size_t n;
};

static int cmp_ref(const void *a, const void *b)
{
	const struct name_ref *x = a, *y = b;
	int c = memcmp(x->s, y->s, x->n < y->n ? x->n : y->n);
	return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* Union of comma-joined name lists, sorted, without duplicates; interned. */
static enum cg_err join_lists(struct intern *in, const char *const *lists, size_t n, const char **out)
{
	struct name_ref refs[512];
	char buf[4096];
	size_t k = 0, len = 0;
	uint32_t id;
	enum cg_err rc;

	for (size_t i = 0; i < n; i++)
		for (const char *p = lists[i]; *p && k < 512;) {
			size_t l = strcspn(p, ",");
			if (l)
				refs[k++] = (struct name_ref){p, l};
			p += l;
			if (*p)
				p++;
		}
	qsort(refs, k, sizeof *refs, cmp_ref);
	for (size_t i = 0; i < k; i++) {
		if (i && cmp_ref(&refs[i], &refs[i - 1]) == 0)
			continue;
		if (len + refs[i].n + 2 > sizeof buf)
			break;
		if (len)
			buf[len++] = ',';
		memcpy(buf + len, refs[i].s, refs[i].n);
		len += refs[i].n;
	}
	if ((rc = intern(in, buf, len, &id)))
		return rc;
	*out = in->str[id];
	return CG_OK;
}

/* ---- longest-prefix match ---- */

struct pfx4 {
	uint32_t start, id;
	uint8_t plen;
};

struct pfx6 {
	u128 start;
	uint32_t id;
	uint8_t plen;
};

static int cmp_pfx4(const void *a, const void *b)
{
	const struct pfx4 *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (int)x->plen - (int)y->plen;
}

static int cmp_pfx6(const void *a, const void *b)
{
	const struct pfx6 *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (int)x->plen - (int)y->plen;
}

static u128 load6(const uint8_t *a)
{
	u128 v = 0;
	for (int i = 0; i < 16; i++)
		v = (v << 8) | a[i];
	return v;
}

static uint32_t load4(const uint8_t *a)
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

/* Flattening works on 128-bit keys for both families; `bits` is 32 or 128. */
struct flat {
	struct lpm *l;
	int v6;
	u128 max;
};

static void flat_emit(struct flat *f, u128 lo, uint32_t id)
{
	struct lpm *l = f->l;
	size_t n = l->n;
	u128 last = n ? (f->v6 ? l->lo6[n - 1] : l->lo4[n - 1]) : 0;

	if (n && last == lo) {
		l->id[n - 1] = id;
		if (n >= 2 && l->id[n - 2] == id)
			l->n--;
		return;
	}
	if (n && l->id[n - 1] == id)
		return;
	if (f->v6)
		l->lo6[n] = lo;
	else
		l->lo4[n] = (uint32_t)lo;
	l->id[n] = id;
	l->n++;
}

struct stk {
	u128 end;
	uint32_t id;  /* entry id or SPECIAL_ID */
	uint32_t res; /* what an address covered by st[0..this] matches */
	int special;  /* st[0..this] holds a special-purpose block */
};

static u128 pfx_end(u128 start, unsigned plen, unsigned bits)
{
	unsigned host = bits - plen;
	u128 span = host >= 128 ? ~(u128)0 : (((u128)1 << host) - 1);
	return start | span;
}

static enum cg_err add_joined(struct ioc_set *s, const struct ioc_entry *e, uint32_t *id)
{
	enum cg_err rc;

	if (s->n + s->n_joined >= SPECIAL_ID)
		return cg_err_set(CG_ELIMIT, _("more than %u indicators"), (unsigned)ENTRIES_MAX);
	if ((rc = grow((void **)&s->joined, &s->joined_cap, s->n_joined + 1, sizeof *s->joined)))
		return rc;
	s->joined[s->n_joined] = *e;
	*id = (uint32_t)(s->n + s->n_joined++);
	return CG_OK;
}

/* The entry an address covered by the nested prefixes st[0..d-1] matches:
 * the most specific one, naming the sources of all of them; inside a
 * special-purpose block only the sources hunted there count. */
static enum cg_err resolve(struct ioc_set *s, struct stk *st, size_t d)
{
	const char *srcs[264], *fams[264];
	uint32_t ids[264];
	size_t k = 0;
	int special = st[d - 1].special;
	struct ioc_entry j;
	enum cg_err rc;

	for (size_t i = 0; i < d; i++) {
		uint32_t id = st[i].id;
		if (id == SPECIAL_ID || (special && !s->ok_src[id]))
			continue;
		ids[k] = id;
		srcs[k] = special ? s->names.str[s->ok_src[id]] : s->entries[id].source;
		fams[k] = special ? s->names.str[s->ok_fam[id]] : s->entries[id].family;
		k++;
	}
	if (!k) {
		st[d - 1].res = NO_ID;
		return CG_OK;
	}
	if (k == 1 && srcs[0] == s->entries[ids[0]].source && fams[0] == s->entries[ids[0]].family) {
		st[d - 1].res = ids[0];
		return CG_OK;
	}
	j = s->entries[ids[k - 1]];
	if ((rc = join_lists(&s->names, srcs, k, &j.source)) || (rc = join_lists(&s->names, fams, k, &j.family)))
		return rc;
	return add_joined(s, &j, &st[d - 1].res);
}

static enum cg_err lpm_build(struct ioc_set *s, struct lpm *l, int v6, const void *pfx, size_t n)
{
	unsigned bits = v6 ? 128 : 32;
	struct flat f = {.l = l, .v6 = v6, .max = v6 ? ~(u128)0 : 0xffffffffu};
	/* Prefixes nest: one per length, real and special, at most. */
	struct stk *st = malloc(2 * 130 * sizeof *st);
	size_t depth = 0, cap = 2 * n + 2;
	enum cg_err rc = CG_OK;

	l->id = malloc(cap * sizeof *l->id);
	if (v6)
		l->lo6 = malloc(cap * sizeof *l->lo6);
	else
		l->lo4 = malloc(cap * sizeof *l->lo4);
	l->dir = malloc((DIR_SIZE + 1) * sizeof *l->dir);
	if (!st || !l->id || !(v6 ? (void *)l->lo6 : (void *)l->lo4) || !l->dir) {
		free(st);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	l->n = 0;
	flat_emit(&f, 0, NO_ID);
	for (size_t i = 0; i < n; i++) {
		u128 start;
		unsigned plen;
		uint32_t id;
		if (v6) {
			const struct pfx6 *p = (const struct pfx6 *)pfx + i;
			start = p->start, plen = p->plen, id = p->id;
		} else {
			const struct pfx4 *p = (const struct pfx4 *)pfx + i;
			start = p->start, plen = p->plen, id = p->id;
		}
		while (depth && st[depth - 1].end < start) {
			u128 e = st[--depth].end;
			if (e < f.max)
				flat_emit(&f, e + 1, depth ? st[depth - 1].res : NO_ID);
		}
		if (depth >= 2 * 130)
			continue; /* cannot happen: prefixes nest */
		st[depth] = (struct stk){pfx_end(start, plen, bits), id, NO_ID,
					 id == SPECIAL_ID || (depth && st[depth - 1].special)};
		depth++;
		if ((rc = resolve(s, st, depth)))
			break;
		flat_emit(&f, start, st[depth - 1].res);
	}
	while (!rc && depth) {
		u128 e = st[--depth].end;
		if (e < f.max)
			flat_emit(&f, e + 1, depth ? st[depth - 1].res : NO_ID);
	}
	free(st);
	if (rc)
		return rc;
	/* dir[h]: the interval holding the first address of bucket h. */
	{
		size_t k = 0;
		for (size_t h = 0; h < DIR_SIZE; h++) {
			u128 start = v6 ? (u128)h << 112 : (u128)h << 16;
			while (k + 1 < l->n && (v6 ? l->lo6[k + 1] : l->lo4[k + 1]) <= start)
				k++;
			l->dir[h] = (uint32_t)k;
		}
		l->dir[DIR_SIZE] = (uint32_t)(l->n - 1);
	}
	return CG_OK;
}

static uint32_t lpm_find4(const struct lpm *l, uint32_t key)
{
	size_t h = key >> 16, n = (size_t)l->dir[h + 1] - l->dir[h] + 1;
	const uint32_t *base = l->lo4 + l->dir[h];

	/* Last interval in [lo, hi] whose start is <= key (base[0] is, by the
	 * directory). Without branches on the data: addresses are random, so
	 * the comparisons would mispredict half the time. */
	while (n > 1) {
		size_t half = n / 2;
		base = base[half] <= key ? base + half : base;
		n -= half;
	}
	return l->id[base - l->lo4];
}

static uint32_t lpm_find6(const struct lpm *l, u128 key)
{
	size_t h = (size_t)(key >> 112), lo = l->dir[h], hi = l->dir[h + 1];
	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;
		if (l->lo6[mid] <= key)
			lo = mid;
		else
			hi = mid - 1;
	}
	return l->id[lo];
}

static void lpm_free(struct lpm *l)
{
	free(l->lo4);
	free(l->lo6);
	free(l->id);
	free(l->dir);
}

/* Parse the canonical "addr" or "addr/len" back into a key. */
static int net_of(const char *v, size_t len, int v6, uint8_t *addr, unsigned *plen)
{
	const char *slash = memchr(v, '/', len);
	size_t alen = slash ? (size_t)(slash - v) : len;
	unsigned p = 0;

	memset(addr, 0, 16);
	if (v6 ? !ioc_parse_ipv6(v, alen, addr) : !ioc_parse_ipv4(v, alen, addr))
		return 0;
	if (!slash) {
		*plen = v6 ? 128 : 32;
		return 1;
	}
	for (const char *c = slash + 1; c < v + len; c++)
		p = p * 10 + (unsigned)(*c - '0');
	*plen = p;
	return p <= (v6 ? 128u : 32u);
}

static enum cg_err build_lpm(struct ioc_set *s, int v6)
{
	size_t n = v6 ? s->count[IOC_IPV6] + s->count[IOC_CIDR6] : s->count[IOC_IPV4] + s->count[IOC_CIDR4], k = 0;
	void *pfx;
	enum cg_err rc;

	size_t n_special = s->special_policy ? special_range_count() : 0;

	pfx = malloc((n + n_special + 1) * (v6 ? sizeof(struct pfx6) : sizeof(struct pfx4)));
	if (!pfx)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	for (size_t i = 0; i < s->n && k < n; i++) {
		uint8_t a[16];
		unsigned plen;
		enum ioc_type t = s->entries[i].type;
		if (v6 ? !(t == IOC_IPV6 || t == IOC_CIDR6) : !(t == IOC_IPV4 || t == IOC_CIDR4))
			continue;
		if (!net_of(s->entries[i].value, strlen(s->entries[i].value), v6, a, &plen))
			continue; /* not canonical; cannot come from ioc_parse */
		if (v6)
			((struct pfx6 *)pfx)[k++] = (struct pfx6){load6(a), (uint32_t)i, (uint8_t)plen};
		else
			((struct pfx4 *)pfx)[k++] = (struct pfx4){load4(a), (uint32_t)i, (uint8_t)plen};
	}
	/* Special-purpose blocks not hunted by default cut holes that only the
	 * sources hunted there fill. */
	for (size_t i = 0; k && i < n_special; i++) {
		const struct special_range *r = special_range_at(i);
		if (r->v6 != v6 || r->hunted)
			continue;
		if (v6)
			((struct pfx6 *)pfx)[k++] = (struct pfx6){load6(r->addr), SPECIAL_ID, (uint8_t)r->plen};
		else
			((struct pfx4 *)pfx)[k++] = (struct pfx4){load4(r->addr), SPECIAL_ID, (uint8_t)r->plen};
	}
	qsort(pfx, k, v6 ? sizeof(struct pfx6) : sizeof(struct pfx4), v6 ? cmp_pfx6 : cmp_pfx4);
	rc = lpm_build(s, v6 ? &s->v6 : &s->v4, v6, pfx, k);
	free(pfx);
	return rc;
}

/* ---- URLs ---- */

static enum cg_err build_urls(struct ioc_set *s)
{
	const char **pats = NULL;
	unsigned *flags = NULL, *ids = NULL;
	size_t *lens = NULL, n = s->count[IOC_URL], k = 0;
	hs_compile_error_t *err = NULL;
	enum cg_err rc = CG_OK;

	if (!n)
		return CG_OK;
	pats = malloc(n * sizeof *pats);
	flags = malloc(n * sizeof *flags);
	ids = malloc(n * sizeof *ids);
	lens = malloc(n * sizeof *lens);
	s->url_ids = malloc(n * sizeof *s->url_ids);
	if (!pats || !flags || !ids || !lens || !s->url_ids) {
		rc = cg_err_set(CG_ENOMEM, _("out of memory"));
		goto out;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (s->entries[i].type != IOC_URL)
			continue;
		pats[k] = s->entries[i].value;
		lens[k] = strlen(s->entries[i].value);
		flags[k] = HS_FLAG_CASELESS;
		ids[k] = (unsigned)k;
		s->url_ids[k] = (uint32_t)i;
		k++;
	}
	if (hs_compile_lit_multi(pats, flags, ids, lens, (unsigned)k, HS_MODE_BLOCK, NULL, &s->url_db, &err) !=
	    HS_SUCCESS) {
		rc = cg_err_set(CG_EINTERNAL, _("cannot compile the URL list: %s"), err ? err->message : "?");
		hs_free_compile_error(err);
		goto out;
	}
	s->n_urls = k;
out:
	free(pats);
	free(flags);
	free(ids);
	free(lens);
	return rc;
}

static int url_boundary_after(unsigned char c, int no_path)
{
	if (c <= ' ' || c == 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' || c == '?' || c == '#' ||
	    c == '`' || c == ')' || c == ']' || c == ',' || c == ';' || c == '|')
		return 1;
	return no_path && (c == '/' || c == ':');
}

static int url_boundary_before(unsigned char c)
{
	return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
		 c == '-' || c == '.');
}

static char lower_c(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* Scheme and host without case, the rest exactly. */
static int url_equal(const char *listed, const char *text, size_t n, int *no_path)
{
	const char *sep = strstr(listed, "://");
	size_t host_end = sep ? (size_t)(sep - listed) + 3 : n;

	while (host_end < n && listed[host_end] != '/' && listed[host_end] != '?' && listed[host_end] != '#')
		host_end++;
	*no_path = host_end >= n;
	for (size_t i = 0; i < n; i++) {
		if (i < host_end ? lower_c(text[i]) != lower_c(listed[i]) : text[i] != listed[i])
			return 0;
	}
	return 1;
}

struct url_scan {
	const struct ioc_set *s;
	const char *buf;
	size_t len;
	ioc_url_fn fn;
	void *ctx;
};

static int on_url(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags, void *ctx)
{
	struct url_scan *u = ctx;
	const struct ioc_entry *e = &u->s->entries[u->s->url_ids[id]];
	size_t n = strlen(e->value), end = (size_t)to, start;
	int no_path;

	(void)from;
	(void)flags;
	if (end < n)
		return 0;
	start = end - n;
	if (start && !url_boundary_before((unsigned char)u->buf[start - 1]))
		return 0;
	if (!url_equal(e->value, u->buf + start, n, &no_path))
		return 0;
	if (end < u->len && !url_boundary_after((unsigned char)u->buf[end], no_path))
		return 0;
	return u->fn(u->ctx, start, n, e) ? 1 : 0;
}

enum cg_err ioc_set_url_scratch_new(const struct ioc_set *s, struct ioc_url_scratch **out)
{
	struct ioc_url_scratch *sc = calloc(1, sizeof *sc);

	*out = NULL;
	if (!sc)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if (s->url_db && hs_alloc_scratch(s->url_db, &sc->hs) != HS_SUCCESS) {
		free(sc);
		return cg_err_set(CG_ENOMEM, _("cannot allocate URL matcher scratch space"));
	}
	*out = sc;
	return CG_OK;
}

void ioc_set_url_scratch_free(struct ioc_url_scratch *sc)
{
	if (!sc)
		return;
	hs_free_scratch(sc->hs);
	free(sc);
}

enum cg_err ioc_set_match_urls(const struct ioc_set *s, struct ioc_url_scratch *sc, const char *buf, size_t len,
			       ioc_url_fn fn, void *ctx)
{
	struct url_scan u = {s, buf, len, fn, ctx};
	hs_error_t e;
	size_t off = 0;

	if (!s->url_db || !len)
		return CG_OK;
	/* Vectorscan takes 32-bit lengths: cut very large buffers at a newline. */
	while (off < len) {
		size_t n = len - off;
		if (n > (1u << 30)) {
			const char *nl = memrchr(buf + off, '\n', 1u << 30);
			n = nl ? (size_t)(nl - (buf + off)) + 1 : (1u << 30);
		}
		u.buf = buf + off;
		u.len = n;
		e = hs_scan(s->url_db, buf + off, (unsigned)n, 0, sc->hs, on_url, &u);
		if (e == HS_SCAN_TERMINATED)
			return CG_OK;
		if (e != HS_SUCCESS)
			return cg_err_set(CG_EINTERNAL, _("URL matcher failed (%d)"), (int)e);
		off += n;
	}
	return CG_OK;
}

/* ---- build and lookups ---- */

static void bloom_set(uint64_t *bloom, uint64_t h)
{
	bloom[(h >> 6) & 1023] |= 1ull << (h & 63);
}

static int bloom_has(const uint64_t *bloom, uint64_t h)
{
	return (bloom[(h >> 6) & 1023] >> (h & 63)) & 1;
}

/* Hash of the top label: a right-to-left FNV prefix up to the last dot. */
static uint64_t tld_hash(const char *d, size_t n)
{
	uint64_t h = CG_FNV64_OFFSET;
	while (n-- && d[n] != '.')
		h = hash_step(h, (unsigned char)d[n]);
	return mix(h);
}

enum cg_err ioc_set_build(struct ioc_set_builder *b, struct ioc_set **out)
{
	struct ioc_set *s;
	enum cg_err rc;

	*out = NULL;
	if (!b)
		return cg_err_set(CG_EINVAL, _("no indicator set builder"));
	s = calloc(1, sizeof *s);
	if (!s) {
		ioc_set_builder_free(b);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	if ((rc = make_entries(b, s)))
		goto fail;
	free(b->pairs);
	b->pairs = NULL;
	if (b->arena_len) {
		/* The arena grew by doubling: give the slack back. */
		char *a = realloc(b->arena, b->arena_len);
		if (a)
			b->arena = a;
	}
	/* Take over the arena, the value table and the names; the rest of the
	 * builder goes before the address tables are made, to keep the peak low. */
	s->arena = b->arena;
	b->arena = NULL;
	s->ht = b->ht;
	s->ht_mask = b->ht_mask;
	b->ht = NULL;
	s->names = b->names;
	memset(&b->names, 0, sizeof b->names);
	ioc_set_builder_free(b);
	b = NULL;
	for (size_t i = 0; i < s->n; i++) {
		struct ioc_entry *e = &s->entries[i];
		e->value = s->arena + (uintptr_t)e->value;
		e->source = s->names.str[(uintptr_t)e->source];
		e->family = s->names.str[(uintptr_t)e->family];
		if (e->type == IOC_DOMAIN)
			bloom_set(s->tld_bloom, tld_hash(e->value, strlen(e->value)));
	}
	if ((rc = build_lpm(s, 0)) || (rc = build_lpm(s, 1)) || (rc = build_urls(s)))
		goto fail;
	free(s->ok_src);
	free(s->ok_fam);
	s->ok_src = s->ok_fam = NULL;
	*out = s;
	return CG_OK;
fail:
	ioc_set_builder_free(b);
	ioc_set_free(s);
	return rc;
}

void ioc_set_free(struct ioc_set *s)
{
	if (!s)
		return;
	free(s->arena);
	free(s->entries);
	free(s->ht);
	intern_free(&s->names);
	lpm_free(&s->v4);
	lpm_free(&s->v6);
	hs_free_database(s->url_db);
	free(s->url_ids);
	free(s->joined);
	free(s->ok_src);
	free(s->ok_fam);
	free(s);
}

static const struct ioc_entry *entry_at(const struct ioc_set *s, uint32_t id)
{
	if (id == NO_ID)
		return NULL;
	return id < s->n ? &s->entries[id] : &s->joined[id - s->n];
}

size_t ioc_set_count(const struct ioc_set *s)
{
	return s ? s->n : 0;
}

size_t ioc_set_count_type(const struct ioc_set *s, enum ioc_type t)
{
	return s && (unsigned)t < IOC_TYPE_COUNT ? s->count[t] : 0;
}

const struct ioc_entry *ioc_set_match_addr(const struct ioc_set *s, int is_v6, const uint8_t *addr)
{
	uint32_t id;

	if (!s || !s->n)
		return NULL;
	if (is_v6 && ioc_ipv6_is_v4mapped(addr)) {
		is_v6 = 0;
		addr += 12;
	}
	if (is_v6)
		id = s->v6.n ? lpm_find6(&s->v6, load6(addr)) : NO_ID;
	else
		id = s->v4.n ? lpm_find4(&s->v4, load4(addr)) : NO_ID;
	return entry_at(s, id);
}

void ioc_set_match_v4_many(const struct ioc_set *s, const uint32_t *keys, size_t n, const struct ioc_entry **out)
{
	const struct lpm *l;

	if (!s || !s->n || !s->v4.n) {
		for (size_t i = 0; i < n; i++)
			out[i] = NULL;
		return;
	}
	l = &s->v4;
	/* Three passes so the cache misses of different addresses overlap
	 * instead of queueing one after another: directory, intervals, answer. */
	for (size_t i = 0; i < n; i++)
		__builtin_prefetch(&l->dir[keys[i] >> 16]);
	for (size_t i = 0; i < n; i++) {
		uint32_t lo = l->dir[keys[i] >> 16];
		__builtin_prefetch(&l->lo4[lo]);
		__builtin_prefetch(&l->id[lo]);
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t id = lpm_find4(l, keys[i]);
		out[i] = entry_at(s, id);
	}
}

static const struct ioc_entry *find_value(const struct ioc_set *s, uint64_t h, const char *v, size_t n,
					  enum ioc_type t1, enum ioc_type t2)
{
	size_t i = mix(h) & s->ht_mask;

	while (s->ht[i]) {
		const struct ioc_entry *e = &s->entries[s->ht[i] - 1];
		if ((e->type == t1 || e->type == t2) && strncmp(e->value, v, n) == 0 && e->value[n] == '\0')
			return e;
		i = (i + 1) & s->ht_mask;
	}
	return NULL;
}

const struct ioc_entry *ioc_set_match_domain(const struct ioc_set *s, const char *d, size_t n)
{
	const struct ioc_entry *best = NULL;
	uint64_t h = CG_FNV64_OFFSET;

	if (!s || !s->count[IOC_DOMAIN] || n == 0 || n > IOC_DOMAIN_MAX)
		return NULL;
	if (!bloom_has(s->tld_bloom, tld_hash(d, n)))
		return NULL;
	/* Right to left: each suffix starting after a dot is a parent domain;
	 * the last one found is the longest (nearest) match. */
	for (size_t i = n; i-- > 0;) {
		h = hash_step(h, (unsigned char)d[i]);
		if (i == 0 || d[i - 1] == '.') {
			const struct ioc_entry *e = find_value(s, h, d + i, n - i, IOC_DOMAIN, IOC_DOMAIN);
			if (e)
				best = e;
		}
	}
	return best;
}

const struct ioc_entry *ioc_set_match_hash(const struct ioc_set *s, const char *hex, size_t len)
{
	if (!s || !s->n || !(len == 32 || len == 40 || len == 64 || len == 128))
		return NULL;
	return find_value(s, hash_rev(hex, len), hex, len, len == 32 ? IOC_MD5 : len == 40 ? IOC_SHA1
							   : len == 64 ? IOC_SHA256 : IOC_SHA512,
			  IOC_NONE);
}
