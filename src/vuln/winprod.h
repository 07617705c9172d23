/* winprod — how Microsoft products installed on a host are named in NVD's
 * CPE dictionary. Two small tables (winprod.c):
 *
 *  - Windows builds: the build number of a host (the 17763 of
 *    "10.0.17763.4010") names its release, and the release has a client and
 *    a server CPE product that share one code base and one cumulative update
 *    (17763 → windows_10_1809 and windows_server_2019). The product name is
 *    only used to tell a server from a client: Windows 11 still reports
 *    "Windows 10" in ProductName.
 *  - Programs: installed-program names ("Microsoft Exchange Server 2016
 *    Cumulative Update 23") → CPE product, version and update
 *    (exchange_server, 2016, cumulative_update_23).
 *
 * Pure functions over constant tables: no allocation, no I/O. */
#ifndef CG_WINPROD_H
#define CG_WINPROD_H

#include <stddef.h>

/* A Windows OS item. */
struct winprod_os {
	unsigned long build;    /* 17763 */
	unsigned long revision; /* the UBR, 4010; 0 when unknown */
	int has_revision;       /* 0: systeminfo-style "10.0.17763" */
	int is_server;
	unsigned servicing;     /* builds with the same value share cumulative updates */
	const char *product;    /* CPE product of this host: "windows_server_2019" */
	const char *label;      /* its CPE version: "-", or "r2" for 2012 R2 */
	const char *sibling;    /* the other edition of the same build, NULL when none */
	const char *sibling_label;
	const char *legacy;     /* older CPE form "windows_10" / "windows_11" with version `legacy_label`, or NULL */
	const char *legacy_label;
};

/* Look up a Windows OS item: `name` as in ProductName or systeminfo's OS
 * Name, `version` "10.0.BUILD[.UBR]". Returns 0 and fills `out`, or -1 when
 * the build is not in the table (older than Windows 8 / Server 2012, or
 * newer than the table) or the version is not 10.0.N[.N] / 6.x.N[.N]. */
int winprod_os_lookup(const char *name, const char *version, struct winprod_os *out);

/* Order two full builds "10.0.B.R" (either may lack ".R" only if `a` does).
 * Builds of one servicing family (19041-19045, 22621/22631) compare by
 * revision alone: they receive the same cumulative update. Returns 0 and sets
 * *out to <0, 0, >0; -1 when either is not a build. */
int winprod_build_cmp(const char *a, const char *b, int *out);

/* Do two full builds belong to one servicing family (receive the same
 * cumulative updates)? 1 yes, 0 no (both builds known to the table, of
 * different releases), -1 when either is not a build or not in the table. */
int winprod_same_family(const char *a, const char *b);

/* An installed program. */
struct winprod_program {
	const char *product; /* "exchange_server" (vendor is microsoft) */
	char version[16];    /* "2016", or "-" when NVD names none */
	char update[40];     /* "cumulative_update_23", or "" */
};

/* Map an installed program's name to its CPE; 0 on success, -1 when the
 * program is not one the table knows (which is most of them). */
int winprod_program_lookup(const char *name, struct winprod_program *out);

/* The revision (UBR) a Windows cumulative update brings build `build` to:
 * 0 and *rev set when `kb` ("KB5033371") is a known cumulative update of
 * that build, -1 otherwise. A host with that update installed is at that
 * revision or later (updates are cumulative). */
int winprod_kb_revision(unsigned long build, const char *kb, unsigned long *rev);
/* The reference the update table comes from (a URL). */
extern const char winprod_kb_reference[];

/* Copy the first "KBnnnnnnn" inside `s` (e.g. "Security Update for ...
 * (KB5029388)") into kb; returns its length, 0 when there is none. */
size_t winprod_kb_in(const char *s, char *kb, size_t n);

#endif
