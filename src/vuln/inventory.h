/* inventory — software installed on one host, parsed from the files hosts
 * produce (dpkg status, rpm -qa, Windows program/hotfix lists and systeminfo,
 * F5 BIG-IP `tmsh show sys version` or /VERSION, Zimbra `zmcontrol -v`, CPE
 * 2.3 lists). Parsers are pure: bytes in, items out through a callback, no
 * I/O; errors name file, line and field. */
#ifndef CG_INVENTORY_H
#define CG_INVENTORY_H

#include <stddef.h>

#include "cg_err.h"

/* Caps on hostile input. */
#define INV_MAX_ITEMS 200000
#define INV_MAX_FIELD 1024 /* package names, versions, CPE strings */

enum inv_format {
	INV_AUTO,
	INV_DPKG,     /* /var/lib/dpkg/status */
	INV_RPM,      /* rpm -qa, or rpm -qa --qf '%{NAME} %{EPOCH}:%{VERSION}-%{RELEASE} %{ARCH}\n' */
	INV_WINCSV,   /* Get-CimInstance/Get-HotFix ... | Export-Csv */
	INV_WINJSON,  /* ... | ConvertTo-Json */
	INV_SYSTEMINFO,
	INV_BIGIP,    /* tmsh show sys version, or /VERSION */
	INV_ZIMBRA,   /* zmcontrol -v */
	INV_CPE,      /* one CPE 2.3 formatted string a line */
	INV_WINOS,    /* Windows product and full build (registry CurrentVersion or Get-ComputerInfo) as JSON */
	INV_FORMAT_COUNT
};

/* What an item is; the matcher picks advisories and the version order by it. */
enum inv_kind {
	INV_KIND_DEB,
	INV_KIND_RPM,
	INV_KIND_WIN_PROGRAM,
	INV_KIND_WIN_KB,
	INV_KIND_WIN_OS,
	INV_KIND_BIGIP,
	INV_KIND_ZIMBRA,
	INV_KIND_CPE,
	INV_KIND_COUNT
};

struct inv_item {
	enum inv_kind kind;
	const char *name;    /* package, program, "KB5032196", "big-ip", "zimbra", "vendor:product" */
	const char *version; /* in the kind's scheme; "" for hotfixes; win-os: "10.0.17763.4010" (full
			      * build with the UBR revision) or "10.0.17763" when the revision is unknown */
	const char *arch;    /* "" when unknown */
	const char *source;  /* Debian source package / vendor / publisher; "" when none */
	const char *source_version; /* Debian source version when it differs; "" otherwise */
	const char *update;  /* CPE update field (e.g. "p40"); for win-os the release ("22H2"); "" when none */
};

/* Borrowed item, valid during the call. Return non-zero CG code to stop. */
typedef enum cg_err (*inv_item_fn)(void *ctx, const struct inv_item *it);

const char *inv_format_name(enum inv_format f);
enum cg_err inv_format_parse(const char *name, enum inv_format *out) CG_MUST_CHECK;
const char *inv_kind_name(enum inv_kind k);
enum cg_err inv_kind_parse(const char *name, enum inv_kind *out) CG_MUST_CHECK;

/* Guess the format of `buf` from its content; INV_AUTO when unknown. */
enum inv_format inv_detect(const char *buf, size_t len);

/* The kinds a format produces (an import replaces these kinds of the host);
 * returns a bit mask of 1u << kind. */
unsigned inv_format_kinds(enum inv_format f);

/* Parse `buf` (NUL-terminated, `len` bytes, content of `file` used in
 * messages) in format `f` (INV_AUTO detects). Calls `fn` for each item.
 * Broken records make the whole parse fail with CG_EPARSE naming
 * "file:line: ..."; `*used` (may be NULL) receives the format used. */
enum cg_err inv_parse(enum inv_format f, const char *file, const char *buf, size_t len, inv_item_fn fn,
		      void *ctx, enum inv_format *used) CG_MUST_CHECK;

/* An /etc/os-release block at the start of `buf` (KEY=VALUE lines, then a
 * blank line or the end), as in `cat /etc/os-release /var/lib/dpkg/status`:
 * returns its length in bytes (0 when there is none) and, when it names ID
 * and VERSION_ID, the distribution release as advisories name it
 * ("Debian:12", "Ubuntu:22.04", "Rocky Linux:9", "AlmaLinux:9") in `out`
 * ("" otherwise). */
size_t inv_os_release(const char *buf, size_t len, char *out, size_t n);

/* Per-format parsers (inv_*.c), same contract as inv_parse. */
enum cg_err inv_parse_dpkg(const char *file, const char *buf, size_t len, inv_item_fn fn, void *ctx) CG_MUST_CHECK;
enum cg_err inv_parse_rpm(const char *file, const char *buf, size_t len, inv_item_fn fn, void *ctx) CG_MUST_CHECK;
enum cg_err inv_parse_wincsv(const char *file, const char *buf, size_t len, inv_item_fn fn, void *ctx) CG_MUST_CHECK;
enum cg_err inv_parse_winjson(const char *file, const char *buf, size_t len, inv_item_fn fn, void *ctx) CG_MUST_CHECK;
enum cg_err inv_parse_systeminfo(const char *file, const char *buf, size_t len, inv_item_fn fn, void *ctx) CG_MUST_CHECK;
enum cg_err inv_parse_bigip(const char *file, const char *buf, size_t len, inv_item_fn fn, void *ctx) CG_MUST_CHECK;
enum cg_err inv_parse_zimbra(const char *file, const char *buf, size_t len, inv_item_fn fn, void *ctx) CG_MUST_CHECK;
enum cg_err inv_parse_cpe(const char *file, const char *buf, size_t len, inv_item_fn fn, void *ctx) CG_MUST_CHECK;
/* One JSON object (or an array of one) from
 *   Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion' |
 *     Select-Object ProductName,DisplayVersion,ReleaseId,CurrentBuild,UBR,InstallationType | ConvertTo-Json
 * or Get-ComputerInfo | Select-Object WindowsProductName,OsName,OsVersion,OsBuildNumber,WindowsUBR,
 *     OSDisplayVersion,WindowsInstallationType | ConvertTo-Json
 * → one win-os item whose version carries the UBR revision. */
enum cg_err inv_parse_winos(const char *file, const char *buf, size_t len, inv_item_fn fn, void *ctx) CG_MUST_CHECK;

#endif
