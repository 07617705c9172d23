/* ioc — indicator of compromise: types, parsing and normalization.
 *
 * Canonical forms (what is stored, compared and printed):
 *   ipv4     dotted quad, no leading zeros           "192.0.2.1"
 *   ipv6     RFC 5952 (lower case, longest zero run) "2001:db8::1"
 *            (IPv4-mapped ::ffff:a.b.c.d becomes the ipv4 a.b.c.d)
 *   cidr4/6  network address with host bits cleared and the prefix length;
 *            a /32 (/128) becomes the single address
 *   domain   lower case, no trailing dot, no leading "*.", ASCII (IDNs in
 *            their xn-- form), at least two labels
 *   url      scheme and host lower case, the rest as given
 *   md5/sha1/sha256/sha512  lower-case hex */
#ifndef CG_IOC_H
#define CG_IOC_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"

enum ioc_type {
	IOC_NONE = 0,
	IOC_IPV4,
	IOC_IPV6,
	IOC_CIDR4,
	IOC_CIDR6,
	IOC_DOMAIN,
	IOC_URL,
	IOC_MD5,
	IOC_SHA1,
	IOC_SHA256,
	IOC_SHA512,
	IOC_TYPE_COUNT
};

#define IOC_VALUE_MAX 2048 /* longest canonical value (URLs) */
#define IOC_DOMAIN_MAX 253

struct ioc {
	enum ioc_type type;
	/* Addresses and CIDRs: network byte order; IPv4 in addr[0..3]. */
	uint8_t addr[16];
	/* Prefix length for CIDRs (and 32/128 for single addresses). */
	unsigned prefix;
	size_t len; /* strlen(value) */
	char value[IOC_VALUE_MAX + 1];
};

/* "ipv4", "ipv6", "cidr4", "cidr6", "domain", "url", "md5", "sha1",
 * "sha256", "sha512"; "none" for IOC_NONE. */
const char *ioc_type_name(enum ioc_type t);
/* Inverse of ioc_type_name; IOC_NONE when unknown. */
enum ioc_type ioc_type_from_name(const char *name);
/* True for IOC_IPV4/6 and IOC_CIDR4/6. */
int ioc_type_is_net(enum ioc_type t);
/* True for the hash types. */
int ioc_type_is_hash(enum ioc_type t);

/* Parse `n` bytes at `s` (surrounding blanks are trimmed) as an indicator.
 * `want` restricts the kind: IOC_NONE detects any; IOC_IPV4 also accepts
 * IPv4 CIDRs, IOC_IPV6 IPv6 CIDRs, IOC_MD5/SHA1/... any hash. Defanged forms
 * (hxxp://, [.], (.), [:]) are refanged. On failure returns CG_EPARSE with
 * a short reason in the thread's error message ("'300.1.2.3' is not an IPv4
 * address"); callers prefix file and line. */
enum cg_err ioc_parse(const char *s, size_t n, enum ioc_type want, struct ioc *out) CG_MUST_CHECK;

/* Low-level, allocation-free parsers shared with the hunt extractor.
 * Whole input must be the address (no trimming). Return 1 on success. */
int ioc_parse_ipv4(const char *s, size_t n, uint8_t out[4]);
int ioc_parse_ipv6(const char *s, size_t n, uint8_t out[16]);
/* Canonical text of an address into buf (INET6_ADDRSTRLEN is enough). */
void ioc_format_addr(int is_v6, const uint8_t *addr, char *buf, size_t n);
/* The canonical text (RFC 5952 for IPv6; an IPv4-mapped address as IPv4)
 * of an address as written in `s` (IPv4, or IPv6 in any spelling) into buf
 * (>= 46 bytes); returns its length, 0 when `s` is not an address. */
size_t ioc_addr_canonical(const char *s, size_t n, char *buf, size_t bufn);
/* True if the 16 bytes are an IPv4-mapped IPv6 address (::ffff:a.b.c.d). */
int ioc_ipv6_is_v4mapped(const uint8_t addr[16]);

#endif
