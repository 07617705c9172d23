/* The write-ahead record of canhgacd's disk queue, as read back after a
 * crash: any bytes in, a record inside them or an error out. */
#include <stdint.h>
#include <string.h>

#include "cg_err.h"
#include "daemon_raw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct daemon_raw r;
	if (daemon_raw_decode(data, size, &r) == CG_OK) {
		const char *end = (const char *)data + size;
		/* Every part lies inside the record and they add up to it. */
		if (r.name < (const char *)data || r.name + r.name_len > end || r.peer + r.peer_len > end ||
		    r.msg + r.msg_len != end || 16 + r.name_len + r.peer_len + r.msg_len != size)
			__builtin_trap();
		/* Encoding it again gives the same bytes. */
		if (size <= 4096) {
			unsigned char out[4096];
			if (daemon_raw_size(&r) != size)
				__builtin_trap();
			daemon_raw_encode(&r, out);
			if (memcmp(out, data, size) != 0)
				__builtin_trap();
		}
	} else {
		cg_err_clear();
	}
	return 0;
}
