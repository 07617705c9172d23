/* The range index: one sorted array keyed by "family|product", strings in an
 * arena, binary search per item. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cg_i18n.h"
#include "vercmp.h"
#include "vuln_match.h"
#include "winprod.h"

const char vuln_note_revision[] = N_("unknown build revision: verify");
const char vuln_note_no_fix[] = N_("the advisory names no fixed version: verify the installed updates");
const char vuln_note_foreign_build[] =
	N_("the advisory's fixed build is of another Windows release than this host's: unknown, verify");
const char vuln_note_kb_verify[] = N_("fixed by the update named or a later one: unknown, verify the installed updates");

#define ARENA_CHUNK (1u << 20)

struct chunk {
	struct chunk *next;
	size_t used;
	char data[];
};

struct mrange {
	const char *key; /* "family|product" */
	const char *vuln_id, *source, *ref, *release, *cpe_update, *exact, *start, *end, *fixed, *kb;
	unsigned char scheme, start_incl, end_incl, is_cpe;
};

struct vuln_matcher {
	struct mrange *v;
	size_t n, alloc;
	struct chunk *arena;
	int sealed;
};

static const char *arena_dup(struct vuln_matcher *m, const char *s)
{
	size_t n;
	struct chunk *c = m->arena;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	if (!c || c->used + n > ARENA_CHUNK) {
		size_t sz = n > ARENA_CHUNK ? n : ARENA_CHUNK;
		c = malloc(sizeof *c + sz);
		if (!c)
			return NULL;
		c->next = m->arena;
		c->used = 0;
		m->arena = c;
	}
	memcpy(c->data + c->used, s, n);
	c->used += n;
	return c->data + c->used - n;
}

enum cg_err vuln_matcher_new(struct vuln_matcher **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? CG_OK : cg_err_set(CG_ENOMEM, _("out of memory"));
}

void vuln_matcher_free(struct vuln_matcher *m)
{
	if (!m)
		return;
	while (m->arena) {
		struct chunk *n = m->arena->next;
		free(m->arena);
		m->arena = n;
	}
	free(m->v);
	free(m);
}

size_t vuln_matcher_size(const struct vuln_matcher *m)
{
	return m->n;
}

enum cg_err vuln_matcher_add(struct vuln_matcher *m, const char *vuln_id, const char *source, const char *ref,
			     const struct adv_range *r)
{
	struct mrange *x;
	enum vercmp_scheme s;
	char key[1100];

	if (m->sealed)
		return cg_err_set(CG_EINVAL, "matcher is sealed");
	if (vercmp_scheme_parse(r->scheme, &s))
		return cg_err_set(CG_EINVAL, _("%s: unknown version scheme '%s'"), ref, r->scheme);
	if (m->n == m->alloc) {
		size_t na = m->alloc ? m->alloc * 2 : 1024;
		struct mrange *p = realloc(m->v, na * sizeof *p);
		if (!p)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		m->v = p;
		m->alloc = na;
	}
	snprintf(key, sizeof key, "%s|%s", r->family, r->product);
	for (char *p = key; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	x = &m->v[m->n];
	memset(x, 0, sizeof *x);
	x->key = arena_dup(m, key);
	x->vuln_id = arena_dup(m, vuln_id);
	x->source = arena_dup(m, source);
	x->ref = arena_dup(m, ref);
	x->release = arena_dup(m, r->release ? r->release : "");
	x->cpe_update = arena_dup(m, r->cpe_update ? r->cpe_update : "");
	x->exact = arena_dup(m, r->exact);
	x->start = arena_dup(m, r->start);
	x->end = arena_dup(m, r->end);
	x->fixed = arena_dup(m, r->fixed ? r->fixed : "");
	x->kb = arena_dup(m, r->kb);
	if ((r->kb && !x->kb) || !x->key || !x->vuln_id || !x->source || !x->ref || !x->release || !x->cpe_update || !x->fixed ||
	    (r->exact && !x->exact) || (r->start && !x->start) || (r->end && !x->end))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	x->scheme = (unsigned char)s;
	x->start_incl = (unsigned char)!!r->start_incl;
	x->end_incl = (unsigned char)!!r->end_incl;
	x->is_cpe = strcmp(r->family, "cpe") == 0;
	m->n++;
	return CG_OK;
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct mrange *)a)->key, ((const struct mrange *)b)->key);
}

void vuln_matcher_seal(struct vuln_matcher *m)
{
	if (m->n)
		qsort(m->v, m->n, sizeof m->v[0], by_key);
	m->sealed = 1;
}

/* First index whose key is >= k. */
static size_t lower_bound(const struct vuln_matcher *m, const char *k)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(m->v[mid].key, k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Order `installed` against a range bound; a BIG-IP bound without a build
 * stands for every build of its version. Returns 0 on success. */
static int cmp_bound(enum vercmp_scheme s, const char *installed, const char *bound, int *out)
{
	if (s == VERCMP_BIGIP) {
		struct bigip_version a, b;
		if (vercmp_bigip_parse(installed, &a) || vercmp_bigip_parse(bound, &b))
			return -1;
		*out = 0;
		for (int i = 0; i < 4 && !*out; i++)
			if (a.v[i] != b.v[i])
				*out = a.v[i] < b.v[i] ? -1 : 1;
		for (int i = 0; i < 3 && !*out && b.has_build; i++)
			if (a.b[i] != b.b[i])
				*out = a.b[i] < b.b[i] ? -1 : 1;
		return 0;
	}
	return vercmp_compare(s, installed, bound, out) ? -1 : 0;
}

static int release_ok(const char *range_rel, const char *distro)
{
	const char *d;
	size_t a, b;

	if (!range_rel[0] || !distro || !(d = strchr(distro, ':')))
		return 1;
	d++;
	a = strcspn(range_rel, ":");
	b = strcspn(d, ":");
	return a == b && strncasecmp(range_rel, d, a) == 0;
}

static int contains(const struct mrange *r, const struct inv_item *it, const char *version)
{
	int c;

	if (r->exact) {
		if (r->cpe_update[0] && strcasecmp(r->cpe_update, it->update) != 0)
			return 0;
		return cmp_bound(r->scheme, version, r->exact, &c) == 0 && c == 0;
	}
	if (r->start && (cmp_bound(r->scheme, version, r->start, &c) || c < (r->start_incl ? 0 : 1)))
		return 0;
	if (r->end && (cmp_bound(r->scheme, version, r->end, &c) || c > (r->end_incl ? 0 : -1)))
		return 0;
	if (!r->start && !r->end && (vercmp_check(r->scheme, version)))
		return 0;
	return 1;
}

struct verdict {
	const char *vuln_id;
	const struct mrange *family_hit, *cpe_hit;
	int has_family;
};

struct verdicts {
	struct verdict *v;
	size_t n, alloc;
};

static struct verdict *verdict_of(struct verdicts *vs, const char *id)
{
	for (size_t i = 0; i < vs->n; i++)
		if (vs->v[i].vuln_id == id || strcmp(vs->v[i].vuln_id, id) == 0)
			return &vs->v[i];
	if (vs->n == vs->alloc) {
		size_t na = vs->alloc ? vs->alloc * 2 : 16;
		struct verdict *p = realloc(vs->v, na * sizeof *p);
		if (!p)
			return NULL;
		vs->v = p;
		vs->alloc = na;
	}
	memset(&vs->v[vs->n], 0, sizeof vs->v[0]);
	vs->v[vs->n].vuln_id = id;
	return &vs->v[vs->n++];
}

/* Visit ranges with key `k` (or key prefix `k` when `prefix`). */
static enum cg_err visit(const struct vuln_matcher *m, const char *k, int prefix, const struct inv_item *it,
			 const char *version, const char *distro, struct verdicts *vs)
{
	size_t kl = strlen(k);
	for (size_t i = lower_bound(m, k); i < m->n; i++) {
		const struct mrange *r = &m->v[i];
		if (prefix ? strncmp(r->key, k, kl) != 0 : strcmp(r->key, k) != 0)
			break;
		if (!release_ok(r->release, distro))
			continue;
		struct verdict *vd = verdict_of(vs, r->vuln_id);
		if (!vd)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		if (!r->is_cpe)
			vd->has_family = 1;
		if (!contains(r, it, version))
			continue;
		if (r->is_cpe) {
			if (!vd->cpe_hit)
				vd->cpe_hit = r;
		} else if (!vd->family_hit) {
			vd->family_hit = r;
		}
	}
	return CG_OK;
}

/* Does the host have one of the hotfixes of `list` ("KB1,KB2")? */
static int host_has_kb(const struct vuln_host *h, const char *list)
{
	if (!h || !list)
		return 0;
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		for (size_t i = 0; i < h->n_kbs; i++)
			if (strlen(h->kbs[i]) == n && strncasecmp(h->kbs[i], p, n) == 0)
				return 1;
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

/* ---- Windows OS items */

/* W_FOREIGN: the range's bound is a build of another release than the
 * host's (NVD gives Windows 11 22H2 a 22000 build for CVE-2023-24880): the
 * bound cannot be compared, and the host is not judged fixed on it. */
enum wstate { W_NA, W_OUT, W_IN, W_UNKNOWN, W_ANY, W_FOREIGN };

/* Where a Windows build stands against one range of a product whose CPE
 * version is `label` ("-", "r2", "1809"). */
static enum wstate win_state(const struct mrange *r, const char *label, const struct winprod_os *os,
			     const char *version)
{
	int c;

	if (r->exact) {
		if (strchr(r->exact, '.')) { /* one full build */
			if (!os->has_revision)
				return W_UNKNOWN;
			if (winprod_same_family(version, r->exact) == 0)
				return W_FOREIGN;
			if (winprod_build_cmp(version, r->exact, &c))
				return W_NA;
			return c == 0 ? W_IN : W_OUT;
		}
		/* service-pack designations (Server 2008) are not modelled */
		if (strcasecmp(r->exact, label) != 0 || r->cpe_update[0])
			return W_NA;
	}
	if (!r->start && !r->end)
		return W_ANY;
	if (!os->has_revision)
		return W_UNKNOWN;
	if (r->start) {
		if (winprod_build_cmp(version, r->start, &c))
			return W_NA;
		if (c < (r->start_incl ? 0 : 1))
			return W_OUT;
	}
	if (r->end && winprod_same_family(version, r->end) == 0)
		return W_FOREIGN;
	if (r->end) {
		if (winprod_build_cmp(version, r->end, &c))
			return W_NA;
		if (c > (r->end_incl ? 0 : -1))
			return W_OUT;
	}
	return W_IN;
}

/* What the ranges of one CVE say about one Windows host. */
struct wside {
	const struct mrange *in, *unknown, *any, *foreign;
	int bounded;
};
struct wverdict {
	const char *vuln_id;
	struct wside fam, own, sib;
	int fam_seen, fam_kb;
};
struct wverdicts {
	struct wverdict *v;
	size_t n, alloc;
};

static struct wverdict *wverdict_of(struct wverdicts *vs, const char *id)
{
	for (size_t i = vs->n; i-- > 0;)
		if (vs->v[i].vuln_id == id || strcmp(vs->v[i].vuln_id, id) == 0)
			return &vs->v[i];
	if (vs->n == vs->alloc) {
		size_t na = vs->alloc ? vs->alloc * 2 : 64;
		struct wverdict *p = realloc(vs->v, na * sizeof *p);
		if (!p)
			return NULL;
		vs->v = p;
		vs->alloc = na;
	}
	memset(&vs->v[vs->n], 0, sizeof vs->v[0]);
	vs->v[vs->n].vuln_id = id;
	return &vs->v[vs->n++];
}

enum wrole { WR_FAMILY, WR_OWN, WR_SIBLING };

static enum cg_err visit_win(const struct vuln_matcher *m, const char *key, const char *label, enum wrole role,
			     const struct winprod_os *os, const char *version, const struct vuln_host *h,
			     struct wverdicts *vs)
{
	for (size_t i = lower_bound(m, key); i < m->n && strcmp(m->v[i].key, key) == 0; i++) {
		const struct mrange *r = &m->v[i];
		enum wstate st = win_state(r, label, os, version);
		if (st == W_NA)
			continue;
		struct wverdict *vd = wverdict_of(vs, r->vuln_id);
		if (!vd)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		struct wside *sd = role == WR_FAMILY ? &vd->fam : role == WR_OWN ? &vd->own : &vd->sib;
		if (role == WR_FAMILY) {
			vd->fam_seen = 1;
			vd->fam_kb |= host_has_kb(h, r->kb);
			if (st == W_ANY)
				st = W_IN;
		}
		if (st != W_ANY)
			sd->bounded = 1;
		if (st == W_IN && !sd->in)
			sd->in = r;
		else if (st == W_UNKNOWN && !sd->unknown)
			sd->unknown = r;
		else if (st == W_ANY && !sd->any)
			sd->any = r;
		else if (st == W_FOREIGN && !sd->foreign)
			sd->foreign = r;
	}
	return CG_OK;
}

/* `it` is matched; `shown` (the item as inventoried) goes to `fn`. Returns
 * CG_ENOTFOUND, touching nothing, when the build is not in winprod's table. */
static enum cg_err match_windows_os(const struct vuln_matcher *m, const struct inv_item *it,
				    const struct inv_item *shown, const struct vuln_host *h, vuln_hit_fn fn,
				    void *ctx)
{
	struct winprod_os os;
	struct wverdicts vs = {0};
	char key[300];
	enum cg_err rc;

	const char *version = it->version;
	char derived[64];

	if (winprod_os_lookup(it->name, version, &os))
		return CG_ENOTFOUND;
	/* No revision (systeminfo, Get-HotFix): the newest known cumulative
	 * update installed gives it, as updates are cumulative. */
	if (!os.has_revision && h) {
		unsigned long best = 0, rev;
		for (size_t i = 0; i < h->n_kbs; i++)
			if (!winprod_kb_revision(os.build, h->kbs[i], &rev) && rev > best)
				best = rev;
		if (best && (size_t)snprintf(derived, sizeof derived, "%s.%lu", version, best) < sizeof derived &&
		    !winprod_os_lookup(it->name, derived, &os))
			version = derived;
		else if (winprod_os_lookup(it->name, version, &os))
			return CG_ENOTFOUND;
	}
	if (strcmp(os.label, "-") == 0)
		snprintf(key, sizeof key, "microsoft|%s", os.product);
	else
		snprintf(key, sizeof key, "microsoft|%s:%s", os.product, os.label);
	rc = visit_win(m, key, os.label, WR_FAMILY, &os, version, h, &vs);
	snprintf(key, sizeof key, "cpe|microsoft:%s", os.product);
	if (!rc)
		rc = visit_win(m, key, os.label, WR_OWN, &os, version, h, &vs);
	if (!rc && os.legacy) {
		snprintf(key, sizeof key, "cpe|microsoft:%s", os.legacy);
		rc = visit_win(m, key, os.legacy_label, WR_OWN, &os, version, h, &vs);
	}
	if (!rc && os.sibling) {
		snprintf(key, sizeof key, "cpe|microsoft:%s", os.sibling);
		rc = visit_win(m, key, os.sibling_label, WR_SIBLING, &os, version, h, &vs);
	}
	for (size_t i = 0; !rc && i < vs.n; i++) {
		const struct wverdict *vd = &vs.v[i];
		const struct mrange *r = NULL;
		const char *note = NULL;
		if (vd->fam_seen) {
			/* the vendor's own fix data decides alone */
			if (vd->fam_kb)
				continue;
			r = vd->fam.in;
			if (!r && (r = vd->fam.unknown))
				note = vuln_note_revision;
			else if (!r && (r = vd->fam.foreign))
				note = vuln_note_foreign_build;
		} else if (vd->own.in || vd->own.unknown || vd->own.any || vd->own.bounded) {
			const struct wside *b = vd->own.bounded ? &vd->own : vd->sib.bounded ? &vd->sib : NULL;
			if (b) {
				r = b->in;
				if (!r && (r = b->unknown))
					note = vuln_note_revision;
				else if (!r && (r = b->foreign))
					note = vuln_note_foreign_build;
			} else {
				r = vd->own.any;
				note = os.has_revision ? vuln_note_no_fix : vuln_note_revision;
			}
		}
		if (!r)
			continue;
		struct vuln_hit hit = {.vuln_id = r->vuln_id, .fixed = r->fixed[0] ? r->fixed : r->kb ? r->kb : "",
				       .source = r->source, .ref = r->ref, .note = note};
		rc = fn(ctx, shown, &hit);
	}
	free(vs.v);
	return rc;
}

/* Order dotted decimal versions ("15.1.2507.34"); non-numbers sort first. */
static int dotted_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		unsigned long x = 0, y = 0;
		while (*a >= '0' && *a <= '9')
			x = x * 10 + (unsigned long)(*a++ - '0');
		while (*b >= '0' && *b <= '9')
			y = y * 10 + (unsigned long)(*b++ - '0');
		if (x != y)
			return x < y ? -1 : 1;
		if (*a && *a != '.')
			return -1;
		if (*b && *b != '.')
			return 1;
		if (*a)
			a++;
		if (*b)
			b++;
	}
	return 0;
}

/* The build of an Exchange cumulative update item: its own version, or the
 * version of the newest security update installed for that same release
 * and cumulative update, whichever is higher. */
static const char *exchange_build(const struct inv_item *it, const struct winprod_program *prog,
				  const struct vuln_host *h, char *buf, size_t n)
{
	static const char su[] = "Security Update for ";
	const char *best = it->version;

	for (size_t i = 0; h && h->items && i < h->n_items; i++) {
		const struct inv_item *x = &h->items[i];
		struct winprod_program p;
		char name[300];
		if (x->kind != INV_KIND_WIN_PROGRAM || strncasecmp(x->name, su, sizeof su - 1) != 0 || !x->version ||
		    !*x->version)
			continue;
		/* "Security Update for Exchange Server 2016 CU23 (KB...)" names it as the CU item does */
		if ((size_t)snprintf(name, sizeof name, "Microsoft %s", x->name + sizeof su - 1) >= sizeof name ||
		    winprod_program_lookup(name, &p) || strcmp(p.product, prog->product) != 0 ||
		    strcmp(p.version, prog->version) != 0 || strcmp(p.update, prog->update) != 0)
			continue;
		if (dotted_cmp(x->version, best) > 0)
			best = x->version;
	}
	snprintf(buf, n, "%s", best);
	return buf;
}

static const char *const zimbra_cpes[] = {"cpe|zimbra:zimbra", "cpe|zimbra:collaboration",
					  "cpe|zimbra:collaboration_suite",
					  "cpe|synacor:zimbra_collaboration_suite"};

enum cg_err vuln_matcher_match(const struct vuln_matcher *m, const struct inv_item *it, const char *distro,
			       vuln_hit_fn fn, void *ctx)
{
	struct vuln_host h = {.distro = distro};
	return vuln_matcher_match_host(m, it, &h, fn, ctx);
}

enum cg_err vuln_matcher_match_host(const struct vuln_matcher *m, const struct inv_item *it,
				    const struct vuln_host *host, vuln_hit_fn fn, void *ctx)
{
	struct verdicts vs = {0};
	char key[1100];
	const char *version = it->version, *distro = host ? host->distro : NULL;
	struct winprod_program prog;
	char exch_build[64];
	enum cg_err rc = CG_OK;

	if (!m->n || !version || !*version)
		return CG_OK;
	switch (it->kind) {
	case INV_KIND_WIN_OS:
		rc = match_windows_os(m, it, it, host, fn, ctx);
		return rc == CG_ENOTFOUND ? CG_OK : rc;
	case INV_KIND_WIN_PROGRAM: {
		if (winprod_program_lookup(it->name, &prog))
			break;
		if (strcmp(prog.product, "exchange_server") == 0)
			version = exchange_build(it, &prog, host, exch_build, sizeof exch_build);
		/* NVD names the product by release and update (2016, CU 23) ... */
		char cname[80];
		snprintf(cname, sizeof cname, "microsoft:%s", prog.product);
		struct inv_item syn = {.kind = INV_KIND_CPE, .name = cname, .arch = "", .source = "",
				       .source_version = "", .update = prog.update,
				       .version = strcmp(prog.version, "-") != 0 ? prog.version : version};
		snprintf(key, sizeof key, "cpe|%s", cname);
		rc = visit(m, key, 0, &syn, syn.version, distro, &vs);
		/* ... vendor ranges by the same name, over the program's own version */
		if (strcmp(prog.version, "-") == 0)
			snprintf(key, sizeof key, "microsoft|%s", prog.product);
		else
			snprintf(key, sizeof key, "microsoft|%s:%s%s%s", prog.product, prog.version,
				 prog.update[0] ? ":" : "", prog.update);
		if (!rc)
			rc = visit(m, key, 0, it, version, distro, &vs);
		break;
	}
	case INV_KIND_DEB:
		if (it->source_version && *it->source_version)
			version = it->source_version;
		snprintf(key, sizeof key, "deb|%s", it->source && *it->source ? it->source : it->name);
		rc = visit(m, key, 0, it, version, distro, &vs);
		break;
	case INV_KIND_RPM:
		snprintf(key, sizeof key, "rpm|%s", it->name);
		rc = visit(m, key, 0, it, version, distro, &vs);
		break;
	case INV_KIND_BIGIP:
		rc = visit(m, "bigip|big-ip", 0, it, version, distro, &vs);
		if (!rc)
			rc = visit(m, "cpe|f5:big-ip_", 1, it, version, distro, &vs);
		break;
	case INV_KIND_ZIMBRA:
		rc = visit(m, "zimbra|zimbra", 0, it, version, distro, &vs);
		for (size_t i = 0; !rc && i < sizeof zimbra_cpes / sizeof zimbra_cpes[0]; i++)
			rc = visit(m, zimbra_cpes[i], 0, it, version, distro, &vs);
		break;
	case INV_KIND_CPE:
		/* cpe:2.3:o:microsoft:windows_server_2019:10.0.17763.4010 is a Windows build */
		if (strncasecmp(it->name, "microsoft:windows", 17) == 0) {
			struct inv_item os = *it;
			os.kind = INV_KIND_WIN_OS;
			os.name = strstr(it->name, "server") ? "Windows Server" : "Windows";
			rc = match_windows_os(m, &os, it, host, fn, ctx);
			if (rc != CG_ENOTFOUND)
				return rc;
			rc = CG_OK;
		}
		snprintf(key, sizeof key, "cpe|%s", it->name);
		for (char *p = key; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		rc = visit(m, key, 0, it, version, distro, &vs);
		break;
	default:
		break;
	}
	for (size_t i = 0; !rc && i < vs.n; i++) {
		const struct mrange *r = vs.v[i].has_family ? vs.v[i].family_hit : vs.v[i].cpe_hit;
		if (!r || (!r->is_cpe && host_has_kb(host, r->kb)))
			continue;
		struct vuln_hit h = {.vuln_id = r->vuln_id, .fixed = r->fixed[0] ? r->fixed : r->kb ? r->kb : "",
				     .source = r->source, .ref = r->ref};
		/* NVD names Microsoft programs by release without the security
		 * update that fixes them: say so rather than pretend. */
		if (it->kind == INV_KIND_WIN_PROGRAM && r->is_cpe && !r->start && !r->end && !r->fixed[0])
			h.note = vuln_note_no_fix;
		/* A fix known only as a list of updates: a later one also fixes it. */
		if (!r->is_cpe && r->kb && !r->start && !r->end && !r->fixed[0])
			h.note = vuln_note_kb_verify;
		rc = fn(ctx, it, &h);
	}
	free(vs.v);
	return rc;
}
