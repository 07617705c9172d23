/* RFC 6587 framing on arbitrary bytes: the first byte is the chunk size the
 * stream is fed in. No frame is longer than the cap, and feeding in chunks
 * gives the same frames as feeding everything at once (when neither saw an
 * error). The same again in truncating mode (what collect's connections
 * use), where a cut frame is exactly the cap long. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cg_hash.h"
#include "syslog_parse.h"

#define CAP 64

struct acc {
	uint64_t h;
	size_t n;
	struct syslog_framer *f;
};

static int on_frame(void *ud, const char *f, size_t n)
{
	struct acc *a = ud;
	int cut = syslog_framer_cut(a->f);
	if (n > CAP || (cut && n != CAP))
		__builtin_trap();
	a->h = cg_hash_stable_from(a->h ^ n ^ ((uint64_t)cut << 32), f, n);
	a->n++;
	return 0;
}

static int run(const uint8_t *p, size_t size, size_t chunk, int truncate, struct acc *a)
{
	struct syslog_framer *f;
	int err = 0;
	if (syslog_framer_new(CAP, &f) != CG_OK)
		return -1;
	syslog_framer_set_truncate(f, truncate);
	a->f = f;
	for (size_t off = 0; off < size; off += chunk) {
		size_t k = size - off < chunk ? size - off : chunk;
		enum cg_err rc = syslog_framer_feed(f, p + off, k, on_frame, a);
		if (rc)
			err = 1;
		if (rc && rc != CG_ELIMIT)
			break;
	}
	if (syslog_framer_finish(f, on_frame, a) != CG_OK)
		err = 1;
	syslog_framer_free(f);
	return err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t chunk = (size_t)data[0] % 97 + 1;
	for (int truncate = 0; truncate < 2; truncate++) {
		struct acc whole = {CG_FNV64_OFFSET, 0, NULL}, parts = {CG_FNV64_OFFSET, 0, NULL};
		int e1 = run(data + 1, size - 1, size, truncate, &whole);
		int e2 = run(data + 1, size - 1, chunk, truncate, &parts);
		if (!e1 && !e2 && (whole.h != parts.h || whole.n != parts.n))
			__builtin_trap();
	}
	return 0;
}
