/* host_record — one inventory host as read from a command line or a CSV row,
 * validated and in canonical form, before it reaches storage.
 *
 * The CSV side is pure (header names → columns, row → record or a reason),
 * so it can be fuzzed without a database. */
#ifndef CG_HOST_RECORD_H
#define CG_HOST_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"

#define HOST_NAME_MAX_LEN 253 /* a DNS name */
#define HOST_TEXT_MAX 255     /* system, OS, role, location */
#define HOST_ADDRS_MAX 32     /* addresses of one host */
#define HOST_ADDR_TEXT 46     /* INET6_ADDRSTRLEN */

struct host_addr {
	int is_v6;
	uint8_t addr[16];
	char text[HOST_ADDR_TEXT]; /* canonical, as ioc_parse gives it */
};

struct host_record {
	char name[HOST_NAME_MAX_LEN + 1]; /* lower case */
	char system[HOST_TEXT_MAX + 1];   /* "" when none */
	char os[HOST_TEXT_MAX + 1];
	char role[HOST_TEXT_MAX + 1];
	char location[HOST_TEXT_MAX + 1];
	size_t n_addrs;
	struct host_addr addrs[HOST_ADDRS_MAX];
};

void host_record_init(struct host_record *h);

/* Set the name: 1–253 bytes of letters, digits, '-', '_' and '.', stored in
 * lower case. CG_EINVAL with a reason ("'a b' is not a host name"). */
enum cg_err host_record_set_name(struct host_record *h, const char *s, size_t n) CG_MUST_CHECK;
/* Add the addresses in `s`: one or more IPv4/IPv6 addresses separated by ';',
 * ',' or blanks. Duplicates are dropped. CG_EINVAL naming the bad one
 * ("'10.0.0.300' is not an IP address"), CG_ELIMIT past HOST_ADDRS_MAX. */
enum cg_err host_record_add_addrs(struct host_record *h, const char *s, size_t n) CG_MUST_CHECK;
/* Set a free-text attribute (system, os, role, location): trimmed, at most
 * HOST_TEXT_MAX bytes, no control characters. */
enum cg_err host_record_set_text(char *dst, const char *s, size_t n) CG_MUST_CHECK;

/* Which CSV column holds what; -1 when absent. */
enum host_col { HOST_COL_NAME, HOST_COL_ADDR, HOST_COL_SYSTEM, HOST_COL_OS, HOST_COL_ROLE, HOST_COL_LOCATION,
		HOST_COL_COUNT };

struct host_csv_map {
	int col[HOST_COL_COUNT];
};

/* Map a header row by its names (English or Vietnamese, any case, e.g.
 * "hostname", "tên máy", "ip address", "địa chỉ IP", "hệ thống"). CG_EINVAL
 * with a reason when no host-name column is found. Unknown columns are
 * ignored. */
enum cg_err host_csv_map_header(struct host_csv_map *m, const char *const *fields, const size_t *lens,
				size_t n_fields) CG_MUST_CHECK;

/* Turn one data row into a host record. On failure returns CG_EINVAL/CG_ELIMIT
 * with "field 'ip': reason" in the thread's error message; the caller adds
 * "file:line: ". */
enum cg_err host_csv_row(const struct host_csv_map *m, const char *const *fields, const size_t *lens,
			 size_t n_fields, struct host_record *out) CG_MUST_CHECK;

#endif
