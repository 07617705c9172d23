/* Shared by the export_*.c writers; not a public interface. */
#ifndef CG_EXPORT_INTERNAL_H
#define CG_EXPORT_INTERNAL_H

#include "export.h"

#define EXPORT_DEFAULT_NAME "canhgac"
#define EXPORT_DEFAULT_ZONE "rpz.canhgac"
#define EXPORT_DEFAULT_TTL 300u
/* ipset hash:net limit; fixed so that `create -exist` always matches. */
#define EXPORT_IPSET_MAXELEM 16777216u

void export_cidr(FILE *f, int v6, const struct range_cidr *c);
void export_header(FILE *f, const char *comment, enum block_format fmt, const struct block_items *add,
		   const struct block_items *del, const struct block_export_opts *o);

enum cg_err export_nft(FILE *f, const struct block_items *add, const struct block_items *del,
		       const struct block_export_opts *o);
enum cg_err export_ipset(FILE *f, const struct block_items *add, const struct block_items *del,
			 const struct block_export_opts *o);
enum cg_err export_rpz(FILE *f, const struct block_items *add, const struct block_items *del,
		       const struct block_export_opts *o);
enum cg_err export_unbound(FILE *f, const struct block_items *add, const struct block_export_opts *o);
enum cg_err export_hosts(FILE *f, const struct block_items *add, const struct block_export_opts *o);
enum cg_err export_plain(FILE *f, const struct block_items *add, const struct block_items *del);
enum cg_err export_json(FILE *f, const struct block_items *add, const struct block_items *del,
			const struct block_export_opts *o);

#endif
