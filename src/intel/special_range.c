/* special_range — the special-purpose address blocks.
 *
 * Sources: IANA IPv4 Special-Purpose Address Registry and IANA IPv6
 * Special-Purpose Address Registry (https://www.iana.org/assignments/
 * iana-ipv4-special-registry, .../iana-ipv6-special-registry; RFC 6890,
 * RFC 8190), the IPv4 multicast space (RFC 5771) and the IPv6 address space
 * (RFC 4291). Blocks the registries mark globally reachable (6to4 relay,
 * NAT64 well-known prefix, Teredo, AS112, ...) are left out: they carry real
 * Internet traffic. */
#include "special_range.h"

#include <string.h>

#define V4(a, b, c, d) {a, b, c, d}

static const struct special_range ranges[] = {
	{"0.0.0.0/8", "this-network", "RFC 791", 0, V4(0, 0, 0, 0), 8, 0},
	{"10.0.0.0/8", "private-use", "RFC 1918", 0, V4(10, 0, 0, 0), 8, 0},
	{"100.64.0.0/10", "shared-address-space", "RFC 6598", 0, V4(100, 64, 0, 0), 10, 0},
	{"127.0.0.0/8", "loopback", "RFC 1122", 0, V4(127, 0, 0, 0), 8, 0},
	{"169.254.0.0/16", "link-local", "RFC 3927", 0, V4(169, 254, 0, 0), 16, 0},
	{"172.16.0.0/12", "private-use", "RFC 1918", 0, V4(172, 16, 0, 0), 12, 0},
	{"192.0.0.0/24", "ietf-protocol-assignments", "RFC 6890", 0, V4(192, 0, 0, 0), 24, 0},
	{"192.0.2.0/24", "documentation", "RFC 5737", 0, V4(192, 0, 2, 0), 24, 1},
	{"192.168.0.0/16", "private-use", "RFC 1918", 0, V4(192, 168, 0, 0), 16, 0},
	{"198.18.0.0/15", "benchmarking", "RFC 2544", 0, V4(198, 18, 0, 0), 15, 0},
	{"198.51.100.0/24", "documentation", "RFC 5737", 0, V4(198, 51, 100, 0), 24, 1},
	{"203.0.113.0/24", "documentation", "RFC 5737", 0, V4(203, 0, 113, 0), 24, 1},
	{"224.0.0.0/4", "multicast", "RFC 5771", 0, V4(224, 0, 0, 0), 4, 0},
	{"240.0.0.0/4", "reserved", "RFC 1112", 0, V4(240, 0, 0, 0), 4, 0},
	/* 255.255.255.255/32, limited broadcast (RFC 919), lies in 240.0.0.0/4. */
	{"::/128", "unspecified", "RFC 4291", 1, {0}, 128, 0},
	{"::1/128", "loopback", "RFC 4291", 1, {[15] = 1}, 128, 0},
	{"64:ff9b:1::/48", "local-use-translation", "RFC 8215", 1, {0, 0x64, 0xff, 0x9b, 0, 1}, 48, 0},
	{"100::/64", "discard-only", "RFC 6666", 1, {1, 0}, 64, 0},
	{"2001:2::/48", "benchmarking", "RFC 5180", 1, {0x20, 0x01, 0, 2}, 48, 0},
	{"2001:db8::/32", "documentation", "RFC 3849", 1, {0x20, 0x01, 0x0d, 0xb8}, 32, 1},
	{"3fff::/20", "documentation", "RFC 9637", 1, {0x3f, 0xff}, 20, 1},
	{"5f00::/16", "srv6-sids", "RFC 9602", 1, {0x5f, 0x00}, 16, 0},
	{"fc00::/7", "unique-local", "RFC 4193", 1, {0xfc}, 7, 0},
	{"fe80::/10", "link-local", "RFC 4291", 1, {0xfe, 0x80}, 10, 0},
	{"ff00::/8", "multicast", "RFC 4291", 1, {0xff}, 8, 0},
};

#define N_RANGES (sizeof ranges / sizeof ranges[0])

size_t special_range_count(void)
{
	return N_RANGES;
}

const struct special_range *special_range_at(size_t i)
{
	return i < N_RANGES ? &ranges[i] : NULL;
}

/* Do the first `bits` bits of a and b agree? */
static int same_prefix(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned whole = bits / 8, rest = bits % 8;

	if (memcmp(a, b, whole) != 0)
		return 0;
	if (!rest)
		return 1;
	return ((a[whole] ^ b[whole]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* Two CIDR blocks overlap when one contains the other: they agree on the
 * shorter prefix. */
static const struct special_range *overlapping(int v6, const uint8_t *addr, unsigned plen)
{
	for (size_t i = 0; i < N_RANGES; i++) {
		const struct special_range *r = &ranges[i];
		if (r->v6 != v6)
			continue;
		if (same_prefix(addr, r->addr, plen < r->plen ? plen : r->plen))
			return r;
	}
	return NULL;
}

const struct special_range *special_range_of(const struct ioc *ioc)
{
	switch (ioc->type) {
	case IOC_IPV4:
	case IOC_CIDR4: return overlapping(0, ioc->addr, ioc->type == IOC_IPV4 ? 32 : ioc->prefix);
	case IOC_IPV6:
	case IOC_CIDR6: return overlapping(1, ioc->addr, ioc->type == IOC_IPV6 ? 128 : ioc->prefix);
	default: return NULL;
	}
}

const struct special_range *special_range_find(int is_v6, const uint8_t *addr)
{
	if (is_v6 && ioc_ipv6_is_v4mapped(addr))
		return overlapping(0, addr + 12, 32);
	return overlapping(is_v6, addr, is_v6 ? 128 : 32);
}
