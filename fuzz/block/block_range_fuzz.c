/* range_set against a bitmap of a 4096-address window: any sequence of adds
 * and cuts must give CIDRs that cover exactly the expected addresses. Each
 * 3-byte record: flags (bit 0 cut, bit 1 IPv6), offset, prefix. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "range_set.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char want[4096], got[4096];
	int v6 = size && (data[0] & 2);
	unsigned w = v6 ? 128 : 32;
	struct range_set *rs = range_set_new(v6), *cut = range_set_new(v6);
	struct range_cidr *c = NULL;
	size_t n = 0;
	/* Window at the top of the space so carries past the last address
	 * are exercised. */
	range_u128 base = (v6 ? ~(range_u128)0 : (range_u128)0xffffffffu) - 4095;

	memset(want, 0, sizeof want);
	memset(got, 0, sizeof got);
	for (size_t i = 1; i + 2 < size && i < 3 * 64; i += 3) {
		unsigned p = w - 12 + data[i + 2] % 13; /* /20../32 of IPv4, /116../128 of IPv6 */
		unsigned size_bits = w - p;
		range_u128 off = ((range_u128)(data[i + 1] | (data[i] & 0xf0) << 4)) & ~(((range_u128)1 << size_bits) - 1);
		int is_cut = data[i] & 1;
		if (range_set_add(is_cut ? cut : rs, base + off, base + off + ((range_u128)1 << size_bits) - 1))
			__builtin_trap();
		for (range_u128 x = off; x < off + ((range_u128)1 << size_bits); x++)
			want[x] |= (unsigned char)(is_cut ? 2 : 1);
	}
	if (range_set_subtract(rs, cut) || range_set_cidrs(rs, 1, &c, &n))
		__builtin_trap();
	for (size_t i = 0; i < n; i++) {
		range_u128 lo = c[i].lo - base, span = (range_u128)1 << (w - c[i].prefix);
		if (c[i].lo < base || lo + span > 4096 || (c[i].lo & (span - 1)))
			__builtin_trap();
		for (range_u128 x = lo; x < lo + span; x++) {
			if (got[x])
				__builtin_trap();
			got[x] = 1;
		}
	}
	for (size_t x = 0; x < 4096; x++)
		if (got[x] != (want[x] == 1))
			__builtin_trap();
	free(c);
	range_set_free(rs);
	range_set_free(cut);
	return 0;
}
