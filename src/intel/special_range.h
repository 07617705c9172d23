/* special_range — the IANA special-purpose address blocks (RFC 6890 and its
 * successors: the IPv4 and IPv6 Special-Purpose Address Registries, plus the
 * multicast spaces of RFC 5771 and RFC 4291).
 *
 * Lists meant for blocking at an Internet edge (FireHOL level1, bogon lists)
 * carry these blocks; hunting internal logs with them flags every internal
 * address. The blocks with `hunted` 0 are therefore not hunted by default:
 * "this network", private-use, shared address space (CGNAT), loopback,
 * link-local, IETF protocol assignments, benchmarking, multicast, reserved,
 * limited broadcast; IPv6 unspecified, loopback, discard-only, local-use
 * translation, benchmarking, SRv6 SIDs, unique-local, link-local, multicast.
 * The documentation blocks (RFC 5737, RFC 3849, RFC 9637) are hunted: they
 * never occur in real traffic, so a hit on them floods nobody, and examples
 * and samples use them to stand for public addresses. */
#ifndef CG_SPECIAL_RANGE_H
#define CG_SPECIAL_RANGE_H

#include <stddef.h>
#include <stdint.h>

#include "ioc.h"

struct special_range {
	const char *cidr;  /* "10.0.0.0/8" */
	const char *name;  /* "private-use": a short English key, also in JSON */
	const char *rfc;   /* "RFC 1918" */
	int v6;
	uint8_t addr[16];  /* network, network byte order (IPv4 in addr[0..3]) */
	unsigned plen;
	int hunted;        /* hunted by default (documentation blocks) */
};

/* The table, IPv4 first, each family ordered by address. Static; never freed. */
size_t special_range_count(void);
const struct special_range *special_range_at(size_t i);

/* The first block an address or CIDR indicator overlaps (lies in or
 * contains), or NULL (also for other indicator types). */
const struct special_range *special_range_of(const struct ioc *ioc);

/* The block holding the address (4 or 16 bytes), or NULL. An IPv4-mapped
 * IPv6 address is looked up as IPv4. */
const struct special_range *special_range_find(int is_v6, const uint8_t *addr);

#endif
