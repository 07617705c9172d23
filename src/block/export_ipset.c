/* ipset: `ipset restore` input. A full export fills fresh "-new" sets and
 * swaps them in, so the sets firewall rules refer to change atomically. */
#include <stdio.h>

#include "cg_i18n.h"
#include "export_internal.h"

static void fill(FILE *f, const char *verb, const char *set, int v6, const struct range_cidr *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s %s ", verb, set);
		export_cidr(f, v6, &c[i]);
		fputs(" -exist\n", f);
	}
}

enum cg_err export_ipset(FILE *f, const struct block_items *add, const struct block_items *del,
			 const struct block_export_opts *o)
{
	const char *p = o->name ? o->name : EXPORT_DEFAULT_NAME;
	char s4[64], s6[64];

	if (add->n_v4 > EXPORT_IPSET_MAXELEM || add->n_v6 > EXPORT_IPSET_MAXELEM)
		return cg_err_set(CG_ELIMIT, _("more than %u CIDRs for one ipset"), EXPORT_IPSET_MAXELEM);
	snprintf(s4, sizeof s4, "%s4", p);
	snprintf(s6, sizeof s6, "%s6", p);
	export_header(f, "#", BLOCK_FMT_IPSET, add, del, o);
	if (del) {
		fill(f, "del", s4, 0, del->v4, del->n_v4);
		fill(f, "del", s6, 1, del->v6, del->n_v6);
		fill(f, "add", s4, 0, add->v4, add->n_v4);
		fill(f, "add", s6, 1, add->v6, add->n_v6);
		return CG_OK;
	}
	for (int v6 = 0; v6 < 2; v6++) {
		const char *s = v6 ? s6 : s4;
		const char *fam = v6 ? "inet6" : "inet";
		char tmp[80];
		snprintf(tmp, sizeof tmp, "%s-new", s);
		fprintf(f, "create %s hash:net family %s hashsize 1024 maxelem %u -exist\n", s, fam, EXPORT_IPSET_MAXELEM);
		fprintf(f, "create %s-new hash:net family %s hashsize 1024 maxelem %u -exist\n", s, fam,
			EXPORT_IPSET_MAXELEM);
		fprintf(f, "flush %s-new\n", s);
		fill(f, "add", tmp, v6, v6 ? add->v6 : add->v4, v6 ? add->n_v6 : add->n_v4);
		fprintf(f, "swap %s-new %s\ndestroy %s-new\n", s, s, s);
	}
	return CG_OK;
}
