/* cg_hash — the project's hash functions, two kinds for two jobs.
 *
 * Seeded (cg_hash_seeded): SipHash-2-4 (J.-P. Aumasson, D. J. Bernstein,
 * "SipHash: a fast short-input PRF", 2012) keyed with 128 random bits drawn
 * once per process (getrandom). For tables whose keys come from logs or the
 * network (correlation groups, host labels, hit de-duplication): an
 * attacker who cannot learn the key cannot aim lines at one bucket. Values
 * differ between runs: never store them.
 *
 * Stable (cg_hash_stable): 64-bit FNV-1a (Fowler, Noll, Vo;
 * draft-eastlake-fnv), the same on every platform and version. For values
 * that are stored or sent (the unique key of a hunt hit, an export's ETag)
 * and for tables built from trusted input only. */
#ifndef CG_HASH_H
#define CG_HASH_H

#include <stddef.h>
#include <stdint.h>

#define CG_FNV64_OFFSET 0xcbf29ce484222325ULL
#define CG_FNV64_PRIME 0x100000001b3ULL

/* One FNV-1a step, for callers that hash as they walk (folded case,
 * right-to-left label suffixes). Start from CG_FNV64_OFFSET. */
static inline uint64_t cg_fnv64_step(uint64_t h, unsigned char c)
{
	return (h ^ c) * CG_FNV64_PRIME;
}

/* 64-bit FNV-1a of p[0..n). Stable. */
uint64_t cg_hash_stable(const void *p, size_t n);
/* The same from another offset basis. CG_FNV64_BLOCK_BASIS (a digit short
 * of FNV's) is what block export digests have always used: they are stored
 * with enforcement records, so they keep it. */
#define CG_FNV64_BLOCK_BASIS 1469598103934665603ULL
uint64_t cg_hash_stable_from(uint64_t basis, const void *p, size_t n);

/* SipHash-2-4 of p[0..n) under `key` (16 bytes, as in the reference
 * implementation's byte order). */
uint64_t cg_siphash24(const uint8_t key[16], const void *p, size_t n);

/* SipHash-2-4 under the process key, with `salt` mixed into the key (e.g.
 * a rule index, so equal keys of two tables do not collide together).
 * Thread-safe; the key is drawn on first use. */
uint64_t cg_hash_seeded(uint64_t salt, const void *p, size_t n);

#endif
