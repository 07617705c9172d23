/* nftables: one table holding an interval set per family and a forward
 * chain that drops traffic from and to them. The file first makes sure the
 * table exists, then deletes and recreates it and fills the sets, so
 * `nft -f` replaces the whole table in one transaction: no moment with half
 * a list. */
#include <stdio.h>

#include "export_internal.h"

#define NFT_CHUNK 1024

static void elements(FILE *f, int v6, const struct range_cidr *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",\n\t\t\t     " : "", f);
		export_cidr(f, v6, &c[i]);
	}
}

static void set_def(FILE *f, const char *set, int v6)
{
	fprintf(f, "\tset %s {\n\t\ttype %s\n\t\tflags interval\n\t}\n", set, v6 ? "ipv6_addr" : "ipv4_addr");
}

static void change(FILE *f, const char *verb, const char *table, const char *set, int v6, const struct range_cidr *c,
		   size_t n)
{
	/* One netlink message per command: a set with hundreds of thousands
	 * of elements in one command is "Message too long". Chunks still go
	 * into the same transaction. */
	for (size_t i = 0; i < n; i += NFT_CHUNK) {
		size_t k = n - i < NFT_CHUNK ? n - i : NFT_CHUNK;
		fprintf(f, "%s element inet %s %s { ", verb, table, set);
		elements(f, v6, c + i, k);
		fputs(" }\n", f);
	}
}

enum cg_err export_nft(FILE *f, const struct block_items *add, const struct block_items *del,
		       const struct block_export_opts *o)
{
	const char *t = o->name ? o->name : EXPORT_DEFAULT_NAME;

	export_header(f, "#", BLOCK_FMT_NFT, add, del, o);
	if (del) {
		/* Deletes first: a removed /24 may come back as smaller pieces. */
		change(f, "delete", t, "block4", 0, del->v4, del->n_v4);
		change(f, "delete", t, "block6", 1, del->v6, del->n_v6);
		change(f, "add", t, "block4", 0, add->v4, add->n_v4);
		change(f, "add", t, "block6", 1, add->v6, add->n_v6);
		return CG_OK;
	}
	fprintf(f, "table inet %s\ndelete table inet %s\ntable inet %s {\n", t, t, t);
	set_def(f, "block4", 0);
	set_def(f, "block6", 1);
	fputs("\tchain forward {\n"
	      "\t\ttype filter hook forward priority -10; policy accept;\n"
	      "\t\tip saddr @block4 counter drop\n"
	      "\t\tip daddr @block4 counter drop\n"
	      "\t\tip6 saddr @block6 counter drop\n"
	      "\t\tip6 daddr @block6 counter drop\n"
	      "\t}\n"
	      "}\n",
	      f);
	change(f, "add", t, "block4", 0, add->v4, add->n_v4);
	change(f, "add", t, "block6", 1, add->v6, add->n_v6);
	return CG_OK;
}
