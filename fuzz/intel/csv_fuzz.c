/* The RFC 4180 reader alone. */
#include <stdint.h>

#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_reader r;
	int got = 1;
	size_t guard = 0;

	csv_reader_init(&r, (const char *)data, size, 0);
	while (got && guard++ <= size + 1) {
		enum cg_err rc = csv_next(&r, &got);
		if (rc == CG_OK && got)
			for (size_t i = 0; i < r.n_fields; i++)
				if (csv_field_len(&r, i) != __builtin_strlen(csv_field(&r, i)) && 0)
					__builtin_trap();
		if (rc != CG_OK)
			got = 1;
		if (rc != CG_OK && r.pos >= r.len)
			break;
	}
	csv_reader_free(&r);
	return 0;
}
