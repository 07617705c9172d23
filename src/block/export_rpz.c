/* DNS Response Policy Zone (RPZ): each blocked domain and its subdomains
 * answer NXDOMAIN ("CNAME .") or the walled garden; allowed names inside a
 * blocked domain pass through ("CNAME rpz-passthru."). Names are relative
 * to the zone. An incremental export is an nsupdate script. */
#include <stdio.h>
#include <string.h>

#include "export_internal.h"
#include "ioc.h"

struct answer {
	const char *type; /* "CNAME", "A", "AAAA" */
	char data[IOC_VALUE_MAX + 2];
};

static void block_answer(const struct block_export_opts *o, struct answer *a)
{
	struct ioc wg;

	a->type = "CNAME";
	memcpy(a->data, ".", 2);
	if (!o->walled_garden || ioc_parse(o->walled_garden, strlen(o->walled_garden), IOC_NONE, &wg))
		return;
	if (wg.type == IOC_IPV4 || wg.type == IOC_IPV6) {
		a->type = wg.type == IOC_IPV4 ? "A" : "AAAA";
		snprintf(a->data, sizeof a->data, "%s", wg.value);
	} else {
		snprintf(a->data, sizeof a->data, "%s.", wg.value);
	}
}

static void records(FILE *f, char *const *names, size_t n, const char *type, const char *data)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s %s %s\n*.%s %s %s\n", names[i], type, data, names[i], type, data);
}

static void upd_del(FILE *f, char *const *names, size_t n, const char *zone)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "update delete %s.%s.\nupdate delete *.%s.%s.\n", names[i], zone, names[i], zone);
}

static void upd_add(FILE *f, char *const *names, size_t n, const char *zone, unsigned ttl, const char *type,
		    const char *data)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "update add %s.%s. %u %s %s\nupdate add *.%s.%s. %u %s %s\n", names[i], zone, ttl, type, data,
			names[i], zone, ttl, type, data);
}

enum cg_err export_rpz(FILE *f, const struct block_items *add, const struct block_items *del,
		       const struct block_export_opts *o)
{
	const char *zone = o->zone ? o->zone : EXPORT_DEFAULT_ZONE;
	unsigned ttl = o->ttl ? o->ttl : EXPORT_DEFAULT_TTL;
	uint32_t serial = (uint32_t)(o->serial > 0 ? o->serial : 1);
	struct answer a;

	block_answer(o, &a);
	if (del) {
		export_header(f, ";", BLOCK_FMT_RPZ, add, del, o);
		fprintf(f, "zone %s.\n", zone);
		upd_del(f, del->domains, del->n_domains, zone);
		upd_del(f, del->passthru, del->n_passthru, zone);
		upd_add(f, add->domains, add->n_domains, zone, ttl, a.type, a.data);
		upd_add(f, add->passthru, add->n_passthru, zone, ttl, "CNAME", "rpz-passthru.");
		fputs("send\n", f);
		return CG_OK;
	}
	fprintf(f, "$TTL %u\n", ttl);
	fprintf(f, "@ IN SOA localhost. hostmaster.localhost. %u 3600 600 86400 %u\n", serial, ttl);
	fputs("@ IN NS localhost.\n", f);
	export_header(f, ";", BLOCK_FMT_RPZ, add, del, o);
	records(f, add->domains, add->n_domains, a.type, a.data);
	records(f, add->passthru, add->n_passthru, "CNAME", "rpz-passthru.");
	return CG_OK;
}
