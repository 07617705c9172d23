/* Unbound local-zone lines and a hosts file. Unbound picks the most specific
 * local-zone, so an allowed name inside a blocked domain is a "transparent"
 * zone. A hosts file has no wildcards: it lists the blocked names only. */
#include <stdio.h>
#include <string.h>

#include "export_internal.h"
#include "ioc.h"

enum cg_err export_unbound(FILE *f, const struct block_items *add, const struct block_export_opts *o)
{
	struct ioc wg;
	int redirect = o->walled_garden && ioc_parse(o->walled_garden, strlen(o->walled_garden), IOC_NONE, &wg) == CG_OK;

	export_header(f, "#", BLOCK_FMT_UNBOUND, add, NULL, o);
	fputs("server:\n", f);
	for (size_t i = 0; i < add->n_domains; i++) {
		const char *d = add->domains[i];
		if (redirect)
			fprintf(f, "\tlocal-zone: \"%s.\" redirect\n\tlocal-data: \"%s. %s %s\"\n", d, d,
				wg.type == IOC_IPV6 ? "AAAA" : "A", wg.value);
		else
			fprintf(f, "\tlocal-zone: \"%s.\" always_nxdomain\n", d);
	}
	for (size_t i = 0; i < add->n_passthru; i++)
		fprintf(f, "\tlocal-zone: \"%s.\" transparent\n", add->passthru[i]);
	return CG_OK;
}

enum cg_err export_hosts(FILE *f, const struct block_items *add, const struct block_export_opts *o)
{
	const char *addr = o->walled_garden ? o->walled_garden : "0.0.0.0";

	export_header(f, "#", BLOCK_FMT_HOSTS, add, NULL, o);
	for (size_t i = 0; i < add->n_domains; i++)
		fprintf(f, "%s %s\n", addr, add->domains[i]);
	return CG_OK;
}
