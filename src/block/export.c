#include "export.h"

#include <string.h>

#include "cg_i18n.h"
#include "cg_db.h"
#include "cg_hash.h"
#include "export_internal.h"
#include "ioc.h"

static const char *const names[BLOCK_FMT_COUNT] = {"nft", "ipset", "rpz", "unbound", "hosts", "plain", "json"};

const char *block_format_name(enum block_format f)
{
	return (unsigned)f < BLOCK_FMT_COUNT ? names[f] : "?";
}

int block_format_from_name(const char *s)
{
	for (int i = 0; i < BLOCK_FMT_COUNT; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

const char *block_format_mime(enum block_format f)
{
	switch (f) {
	case BLOCK_FMT_JSON: return "application/json";
	case BLOCK_FMT_RPZ: return "text/dns";
	default: return "text/plain; charset=utf-8";
	}
}

int block_format_carries(enum block_format f, int kind)
{
	switch (f) {
	case BLOCK_FMT_NFT: case BLOCK_FMT_IPSET: return kind == 0;
	case BLOCK_FMT_RPZ: case BLOCK_FMT_UNBOUND: case BLOCK_FMT_HOSTS: return kind == 1;
	case BLOCK_FMT_PLAIN: case BLOCK_FMT_JSON: return 1;
	default: return 0;
	}
}

/* nft and ipset names: letters, digits, '_' and '-', at most 24 bytes. */
static int good_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 24 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

enum cg_err block_export_check_opts(enum block_format fmt, const struct block_export_opts *o, int incremental)
{
	struct ioc wg;

	if (o->name && !good_name(o->name))
		return cg_err_set(CG_EINVAL, _("'%s' is not a usable table/set name (letters, digits, _ and -, at most 24)"),
				  o->name);
	if (o->zone) {
		if (ioc_parse(o->zone, strlen(o->zone), IOC_DOMAIN, &wg))
			return cg_err_prefix(CG_EINVAL, _("zone name"));
	}
	if (incremental && (fmt == BLOCK_FMT_HOSTS || fmt == BLOCK_FMT_UNBOUND))
		return cg_err_set(CG_EUNSUPPORTED, _("--since is not available for the %s format: load a full export"),
				  block_format_name(fmt));
	if (o->walled_garden) {
		if (fmt != BLOCK_FMT_RPZ && fmt != BLOCK_FMT_UNBOUND && fmt != BLOCK_FMT_HOSTS)
			return cg_err_set(CG_EINVAL, _("--walled-garden applies to the rpz, unbound and hosts formats"));
		if (ioc_parse(o->walled_garden, strlen(o->walled_garden), IOC_NONE, &wg) ||
		    (wg.type != IOC_IPV4 && wg.type != IOC_IPV6 && wg.type != IOC_DOMAIN))
			return cg_err_set(CG_EINVAL, _("walled garden '%s' is neither an address nor a domain"),
					  o->walled_garden);
		if (fmt != BLOCK_FMT_RPZ && wg.type == IOC_DOMAIN)
			return cg_err_set(CG_EINVAL, _("the %s format needs the walled garden as an address"),
					  block_format_name(fmt));
	}
	return CG_OK;
}

void export_cidr(FILE *f, int v6, const struct range_cidr *c)
{
	char buf[64];
	range_cidr_format(v6, c, buf, sizeof buf);
	fputs(buf, f);
}

void export_header(FILE *f, const char *comment, enum block_format fmt, const struct block_items *add,
		   const struct block_items *del, const struct block_export_opts *o)
{
	char t[32];
	cg_time_iso(o->as_of, t, sizeof t);
	fprintf(f, "%s canhgac blocking lists (%s), serial %lld, as of %s\n", comment, block_format_name(fmt),
		(long long)o->serial, t);
	if (del) {
		cg_time_iso(o->since, t, sizeof t);
		fprintf(f, "%s changes since %s: %zu added, %zu removed\n", comment, t, block_items_count(add),
			block_items_count(del));
	} else {
		fprintf(f, "%s %zu IPv4 and %zu IPv6 CIDRs, %zu domains, %zu exceptions, %zu URLs\n", comment,
			add->n_v4, add->n_v6, add->n_domains, add->n_passthru, add->n_urls);
	}
}

enum cg_err block_export_write(FILE *f, enum block_format fmt, const struct block_items *add,
			       const struct block_items *del, const struct block_export_opts *o)
{
	enum cg_err rc;

	if ((rc = block_export_check_opts(fmt, o, del != NULL)))
		return rc;
	switch (fmt) {
	case BLOCK_FMT_NFT: rc = export_nft(f, add, del, o); break;
	case BLOCK_FMT_IPSET: rc = export_ipset(f, add, del, o); break;
	case BLOCK_FMT_RPZ: rc = export_rpz(f, add, del, o); break;
	case BLOCK_FMT_UNBOUND: rc = export_unbound(f, add, o); break;
	case BLOCK_FMT_HOSTS: rc = export_hosts(f, add, o); break;
	case BLOCK_FMT_PLAIN: rc = export_plain(f, add, del); break;
	case BLOCK_FMT_JSON: rc = export_json(f, add, del, o); break;
	default: return cg_err_set(CG_EINVAL, "unknown export format");
	}
	if (rc)
		return rc;
	if (fflush(f) != 0 || ferror(f))
		return cg_err_set(CG_EIO, _("writing the export failed"));
	return CG_OK;
}

void block_digest(const void *p, size_t n, char out[17])
{
	static const char hex[] = "0123456789abcdef";
	/* Stored with enforcement records: the historical basis, unchanged. */
	uint64_t h = cg_hash_stable_from(CG_FNV64_BLOCK_BASIS, p, n);

	for (int i = 15; i >= 0; i--) {
		out[i] = hex[h & 0xf];
		h >>= 4;
	}
	out[16] = '\0';
}
