/* csv — an RFC 4180 record reader with caps, shared by every CSV input
 * (authority botnet lists, Feodo Tracker, host inventories).
 *
 * Handles quoted fields with "" escapes and embedded newlines, CRLF or LF line
 * ends, a missing final newline, and a UTF-8 BOM at the start. Pure: works on a
 * buffer, no I/O. */
#ifndef CG_CSV_H
#define CG_CSV_H

#include <stddef.h>

#include "cg_buf.h"
#include "cg_err.h"

#define CSV_FIELDS_MAX 256
#define CSV_RECORD_MAX (1u << 20) /* bytes of one record */

struct csv_reader {
	const char *buf;
	size_t len, pos;
	size_t line;       /* 1-based line where the current record starts */
	size_t next_line;  /* line where the next record starts */
	char sep;          /* ',' by default; ';' or '\t' for exports that use them */
	struct cg_buf store; /* field text of the current record */
	size_t n_fields;
	size_t offs[CSV_FIELDS_MAX];
	size_t lens[CSV_FIELDS_MAX];
};

/* Start reading `buf`; `sep` 0 means guess from the first line (',', ';' or tab). */
void csv_reader_init(struct csv_reader *r, const char *buf, size_t len, char sep);
void csv_reader_free(struct csv_reader *r);

/* Read the next record. Returns CG_OK with *got = 1 for a record, *got = 0 at
 * the end; CG_EPARSE (unterminated quote, text after a closing quote) or
 * CG_ELIMIT (too many fields, record too long) for a bad record, with
 * "line N: reason" in the thread's error message — the reader then has skipped
 * that record and the next call goes on after it. Blank lines are skipped. */
enum cg_err csv_next(struct csv_reader *r, int *got) CG_MUST_CHECK;

/* csv_next for files whose records starting with '#' are comments
 * ("#TYPE Selected..." of PowerShell, "#model_version:..." of EPSS): skips
 * them, and puts "file: " before the message of a bad record. */
enum cg_err csv_next_data(struct csv_reader *r, const char *file, int *got) CG_MUST_CHECK;

/* Field i of the current record: NUL-terminated, borrowed until csv_next. */
const char *csv_field(const struct csv_reader *r, size_t i);
size_t csv_field_len(const struct csv_reader *r, size_t i);

#endif
