/* Host inventory CSV: header mapping and row parsing, no database. */
#include <stdint.h>
#include <string.h>

#include "csv.h"
#include "host_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct host_record rec;
	const char *fields[CSV_FIELDS_MAX];
	size_t lens[CSV_FIELDS_MAX];
	struct host_csv_map map;
	struct csv_reader r;
	int got, have_header = 0;

	csv_reader_init(&r, (const char *)data, size, 0);
	for (unsigned n = 0; n < 100000; n++) {
		enum cg_err rc = csv_next(&r, &got);
		if (rc)
			continue;
		if (!got)
			break;
		for (size_t i = 0; i < r.n_fields; i++) {
			fields[i] = csv_field(&r, i);
			lens[i] = csv_field_len(&r, i);
		}
		if (!have_header) {
			if (host_csv_map_header(&map, fields, lens, r.n_fields) == CG_OK)
				have_header = 1;
			continue;
		}
		if (host_csv_row(&map, fields, lens, r.n_fields, &rec) == CG_OK) {
			/* What a good row promises. */
			if (rec.name[0] == '\0' || rec.n_addrs > HOST_ADDRS_MAX)
				__builtin_trap();
			for (size_t i = 0; i < rec.n_addrs; i++)
				if (strlen(rec.addrs[i].text) >= HOST_ADDR_TEXT)
					__builtin_trap();
		}
	}
	csv_reader_free(&r);
	return 0;
}
