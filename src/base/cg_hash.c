/* Hash functions (see cg_hash.h). SipHash-2-4 follows the specification in
 * the SipHash paper (§2: compression rounds c = 2, finalization rounds
 * d = 4, little-endian 64-bit words, length byte in the last word); checked
 * against the reference test vectors in tests/unit/base/cg_hash_test.c. */
#include "cg_hash.h"

#include <pthread.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

uint64_t cg_hash_stable_from(uint64_t basis, const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = basis;
	for (size_t i = 0; i < n; i++)
		h = cg_fnv64_step(h, b[i]);
	return h;
}

uint64_t cg_hash_stable(const void *p, size_t n)
{
	return cg_hash_stable_from(CG_FNV64_OFFSET, p, n);
}

static uint64_t rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

#define SIPROUND                                                                                           \
	do {                                                                                               \
		v0 += v1;                                                                                  \
		v1 = rotl(v1, 13);                                                                         \
		v1 ^= v0;                                                                                  \
		v0 = rotl(v0, 32);                                                                         \
		v2 += v3;                                                                                  \
		v3 = rotl(v3, 16);                                                                         \
		v3 ^= v2;                                                                                  \
		v0 += v3;                                                                                  \
		v3 = rotl(v3, 21);                                                                         \
		v3 ^= v0;                                                                                  \
		v2 += v1;                                                                                  \
		v1 = rotl(v1, 17);                                                                         \
		v1 ^= v2;                                                                                  \
		v2 = rotl(v2, 32);                                                                         \
	} while (0)

static uint64_t siphash(uint64_t k0, uint64_t k1, const uint8_t *in, size_t n)
{
	uint64_t v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
	size_t whole = n - n % 8;
	uint64_t m;

	for (size_t i = 0; i < whole; i += 8) {
		m = le64(in + i);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	m = (uint64_t)(n & 0xff) << 56;
	for (size_t i = 0; i < n % 8; i++)
		m |= (uint64_t)in[whole + i] << (8 * i);
	v3 ^= m;
	SIPROUND;
	SIPROUND;
	v0 ^= m;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t cg_siphash24(const uint8_t key[16], const void *p, size_t n)
{
	return siphash(le64(key), le64(key + 8), p, n);
}

static uint64_t process_key[2];
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void draw_key(void)
{
	uint8_t k[16];
	if (getrandom(k, sizeof k, 0) != (ssize_t)sizeof k) {
		/* No entropy source (very old kernel): still differ per run. */
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		uint64_t a = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ ((uint64_t)getpid() << 17);
		memcpy(k, &a, 8);
		a = rotl(a, 31) ^ (uint64_t)(uintptr_t)&ts;
		memcpy(k + 8, &a, 8);
	}
	process_key[0] = le64(k);
	process_key[1] = le64(k + 8);
}

uint64_t cg_hash_seeded(uint64_t salt, const void *p, size_t n)
{
	pthread_once(&key_once, draw_key);
	return siphash(process_key[0] ^ salt, process_key[1], p, n);
}
