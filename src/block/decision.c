#include "decision.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_i18n.h"
#include "cg_time.h"
#include "range_set.h"

const char *block_action_name(enum block_action a)
{
	return a == BLOCK_ALLOW ? "allow" : "block";
}

int block_action_from_name(const char *s)
{
	if (strcmp(s, "block") == 0)
		return BLOCK_BLOCK;
	if (strcmp(s, "allow") == 0)
		return BLOCK_ALLOW;
	return -1;
}

enum cg_err block_target_parse(const char *s, size_t n, struct ioc *out)
{
	enum cg_err rc;

	if (!s)
		return cg_err_set(CG_EINVAL, _("empty target"));
	{
		size_t k = 0;
		while (k < n && (s[k] == ' ' || s[k] == '\t'))
			k++;
		/* A domain target blocks the name and every name under it; "*.w.example"
		 * read that way would block w.example too, which it does not say. */
		if (n - k >= 2 && s[k] == '*' && s[k + 1] == '.')
			return cg_err_set(CG_EPARSE,
					  _("'%.*s': a wildcard is not a target: a domain blocks itself and all names under "
					    "it; give '%.*s' to block it too, or the names under it one by one"),
					  (int)(n > 80 ? 80 : n), s, (int)(n - k - 2 > 80 ? 80 : n - k - 2), s + k + 2);
	}
	rc = ioc_parse(s, n, IOC_NONE, out);

	if (rc) {
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)s[i] >= 0x80)
				return cg_err_set(CG_EPARSE,
						  _("'%.*s' is not ASCII: give an internationalized domain in its xn-- form"),
						  (int)(n > 80 ? 80 : n), s);
		/* Address-like or name-like text: the specific parser says what is
		 * wrong with it, which the generic message does not. */
		size_t k = 0;
		while (k < n && ((s[k] >= '0' && s[k] <= '9') || s[k] == '.' || s[k] == '/' || s[k] == ' ' || s[k] == '\t'))
			k++;
		if (k == n)
			return ioc_parse(s, n, IOC_IPV4, out) ? CG_EPARSE : rc;
		if (!memmem(s, n, "://", 3) && !memchr(s, ':', n) && memchr(s, '.', n) &&
		    ioc_parse(s, n, IOC_DOMAIN, out) != CG_OK)
			return CG_EPARSE;
		return rc;
	}
	switch (out->type) {
	case IOC_IPV4: case IOC_IPV6: case IOC_CIDR4: case IOC_CIDR6: case IOC_DOMAIN: case IOC_URL:
		return CG_OK;
	default:
		return cg_err_set(CG_EPARSE, _("'%.*s' is a %s: only addresses, CIDRs, domains and URLs can be blocked"),
				  (int)(n > 80 ? 80 : n), s, ioc_type_name(out->type));
	}
}

struct reserved {
	int v6;
	const char *net;
	unsigned prefix;
	const char *what;
};

/* IANA special-purpose registries. Documentation ranges (192.0.2.0/24,
 * 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) are deliberately NOT here:
 * they are never routed, so blocking them harms nothing, and examples and
 * tests use them. */
static const struct reserved reserved[] = {
	{0, "0.0.0.0", 8, N_("\"this network\" (RFC 791)")},
	{0, "10.0.0.0", 8, N_("private network (RFC 1918)")},
	{0, "100.64.0.0", 10, N_("carrier-grade NAT shared space (RFC 6598)")},
	{0, "127.0.0.0", 8, N_("loopback")},
	{0, "169.254.0.0", 16, N_("link-local")},
	{0, "172.16.0.0", 12, N_("private network (RFC 1918)")},
	{0, "192.0.0.0", 24, N_("IETF protocol assignments")},
	{0, "192.168.0.0", 16, N_("private network (RFC 1918)")},
	{0, "198.18.0.0", 15, N_("benchmarking (RFC 2544)")},
	{0, "224.0.0.0", 4, N_("multicast")},
	{0, "240.0.0.0", 4, N_("reserved (RFC 1112) and broadcast")},
	{1, "::", 128, N_("the unspecified address")},
	{1, "::1", 128, N_("loopback")},
	{1, "64:ff9b::", 96, N_("NAT64 (RFC 6052)")},
	{1, "100::", 64, N_("discard-only (RFC 6666)")},
	{1, "fc00::", 7, N_("unique local (RFC 4193)")},
	{1, "fe80::", 10, N_("link-local")},
	{1, "ff00::", 8, N_("multicast")},
};

#define N_RESERVED (sizeof reserved / sizeof reserved[0])

#define OWN_DOMAINS_MAX 100000

struct block_policy {
	struct range_set *own[2];
	char **own_domains;
	size_t n_own_domains;
	range_u128 res_lo[N_RESERVED], res_hi[N_RESERVED];
};

struct block_policy *block_policy_new(void)
{
	struct block_policy *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->own[0] = range_set_new(0);
	p->own[1] = range_set_new(1);
	if (!p->own[0] || !p->own[1]) {
		block_policy_free(p);
		return NULL;
	}
	for (size_t i = 0; i < N_RESERVED; i++) {
		uint8_t a[16] = {0};
		int ok = reserved[i].v6 ? ioc_parse_ipv6(reserved[i].net, strlen(reserved[i].net), a)
					: ioc_parse_ipv4(reserved[i].net, strlen(reserved[i].net), a);
		(void)ok;
		range_cidr_bounds(reserved[i].v6, a, reserved[i].prefix, &p->res_lo[i], &p->res_hi[i]);
	}
	return p;
}

void block_policy_free(struct block_policy *p)
{
	if (!p)
		return;
	range_set_free(p->own[0]);
	range_set_free(p->own[1]);
	for (size_t i = 0; i < p->n_own_domains; i++)
		free(p->own_domains[i]);
	free(p->own_domains);
	free(p);
}

static int is_v6(const struct ioc *t)
{
	return t->type == IOC_IPV6 || t->type == IOC_CIDR6;
}

enum cg_err block_policy_add_own(struct block_policy *p, const struct ioc *own)
{
	if (ioc_type_is_net(own->type))
		return range_set_add_cidr(p->own[is_v6(own)], own->addr, own->prefix);
	if (own->type == IOC_DOMAIN) {
		char **v, *d;
		if (p->n_own_domains >= OWN_DOMAINS_MAX)
			return cg_err_set(CG_ELIMIT, _("more than %d own domains"), OWN_DOMAINS_MAX);
		v = realloc(p->own_domains, (p->n_own_domains + 1) * sizeof *v);
		if (!v)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		p->own_domains = v;
		if (!(d = strdup(own->value)))
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		v[p->n_own_domains++] = d;
		return CG_OK;
	}
	return cg_err_set(CG_EINVAL, _("'%s': own prefixes are addresses, CIDRs or domains"), own->value);
}

int block_domain_within(const char *name, size_t nl, const char *zone, size_t zl)
{
	if (nl < zl || memcmp(name + nl - zl, zone, zl) != 0)
		return 0;
	return nl == zl || name[nl - zl - 1] == '.';
}

/* The host part of a URL, for the own-domain check. */
static void url_host(const char *url, const char **h, size_t *hl)
{
	const char *p = strstr(url, "://"), *e;
	p = p ? p + 3 : url;
	e = p;
	while (*e && *e != '/' && *e != '?' && *e != '#' && *e != ':')
		e++;
	if (memchr(p, '@', (size_t)(e - p))) {
		p = (const char *)memchr(p, '@', (size_t)(e - p)) + 1;
	}
	*h = p;
	*hl = (size_t)(e - p);
}

enum cg_err block_policy_check(struct block_policy *p, const struct ioc *t, enum block_action action)
{
	if (ioc_type_is_net(t->type)) {
		int v6 = is_v6(t);
		unsigned min = v6 ? BLOCK_MIN_PREFIX6 : BLOCK_MIN_PREFIX4;
		range_u128 lo, hi;
		int c;

		if (t->prefix < min)
			return cg_err_set(CG_EINVAL, _("%s is too wide: prefixes shorter than /%u are refused (use --force)"),
					  t->value, min);
		if (action == BLOCK_ALLOW)
			return CG_OK;
		range_cidr_bounds(v6, t->addr, t->prefix, &lo, &hi);
		for (size_t i = 0; i < N_RESERVED; i++) {
			if (reserved[i].v6 != v6 || hi < p->res_lo[i] || lo > p->res_hi[i])
				continue;
			return cg_err_set(CG_EINVAL, _("%s overlaps %s/%u, %s; refused (use --force)"), t->value,
					  reserved[i].net, reserved[i].prefix, _(reserved[i].what));
		}
		if ((c = range_set_covers(p->own[v6], lo, hi)) != 0)
			return cg_err_set(CG_EINVAL, _("%s overlaps the operator's own prefixes; refused (use --force)"),
					  t->value);
		return CG_OK;
	}
	if (action == BLOCK_ALLOW)
		return CG_OK;
	if (t->type == IOC_DOMAIN || t->type == IOC_URL) {
		const char *h = t->value;
		size_t hl = t->len;
		if (t->type == IOC_URL)
			url_host(t->value, &h, &hl);
		for (size_t i = 0; i < p->n_own_domains; i++) {
			const char *o = p->own_domains[i];
			size_t ol = strlen(o);
			/* Blocking a parent of an own domain would take it down too. */
			if (block_domain_within(h, hl, o, ol) || (t->type == IOC_DOMAIN && block_domain_within(o, ol, h, hl)))
				return cg_err_set(CG_EINVAL, _("%s touches the operator's own domain %s; refused (use --force)"),
						  t->value, o);
		}
	}
	return CG_OK;
}

enum cg_err block_time_parse(const char *s, int64_t now, unsigned flags, int64_t *out)
{
	/* Blocking times are UTC unless they say otherwise (canhgac-block(1)). */
	struct cg_time_ctx tc = {now, 0};
	return cg_time_parse_user(s, &tc, (flags & BLOCK_TIME_AGO) ? CG_TIME_AGO : CG_TIME_AHEAD,
				  (flags & BLOCK_TIME_END_OF_DAY) != 0, out);
}
