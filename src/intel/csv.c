#include "csv.h"

#include <string.h>

#include "cg_i18n.h"

static char guess_sep(const char *buf, size_t len)
{
	size_t commas = 0, semis = 0, tabs = 0;
	int quoted = 0;

	for (size_t i = 0; i < len && buf[i] != '\n'; i++) {
		if (buf[i] == '"')
			quoted = !quoted;
		else if (!quoted && buf[i] == ',')
			commas++;
		else if (!quoted && buf[i] == ';')
			semis++;
		else if (!quoted && buf[i] == '\t')
			tabs++;
	}
	if (tabs > commas && tabs > semis)
		return '\t';
	if (semis > commas)
		return ';';
	return ',';
}

void csv_reader_init(struct csv_reader *r, const char *buf, size_t len, char sep)
{
	memset(r, 0, sizeof *r);
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	r->buf = buf;
	r->len = len;
	r->line = r->next_line = 1;
	r->sep = sep ? sep : guess_sep(buf, len);
	cg_buf_init(&r->store, CSV_RECORD_MAX);
}

void csv_reader_free(struct csv_reader *r)
{
	cg_buf_free(&r->store);
}

/* Skip the rest of a bad record: to the end of its physical line. */
static void skip_line(struct csv_reader *r)
{
	while (r->pos < r->len && r->buf[r->pos] != '\n')
		r->pos++;
	if (r->pos < r->len) {
		r->pos++;
		r->next_line++;
	}
}

static enum cg_err end_field(struct csv_reader *r, size_t start)
{
	enum cg_err rc;

	if (r->n_fields == CSV_FIELDS_MAX)
		return cg_err_set(CG_ELIMIT, _("line %zu: more than %d fields"), r->line, CSV_FIELDS_MAX);
	r->offs[r->n_fields] = start;
	r->lens[r->n_fields] = r->store.len - start;
	r->n_fields++;
	if ((rc = cg_buf_putc(&r->store, '\0')))
		return cg_err_set(rc, _("line %zu: record longer than %u bytes"), r->line, CSV_RECORD_MAX);
	return CG_OK;
}

static enum cg_err put(struct csv_reader *r, char c)
{
	if (cg_buf_putc(&r->store, c))
		return cg_err_set(CG_ELIMIT, _("line %zu: record longer than %u bytes"), r->line, CSV_RECORD_MAX);
	return CG_OK;
}

static enum cg_err read_record(struct csv_reader *r)
{
	size_t start = 0;
	enum cg_err rc;

	for (;;) {
		/* start of a field */
		start = r->store.len;
		if (r->pos < r->len && r->buf[r->pos] == '"') {
			size_t qline = r->next_line;
			r->pos++;
			for (;;) {
				if (r->pos >= r->len)
					return cg_err_set(CG_EPARSE, _("line %zu: unterminated quoted field"), qline);
				char c = r->buf[r->pos++];
				if (c == '"') {
					if (r->pos < r->len && r->buf[r->pos] == '"') {
						r->pos++;
						if ((rc = put(r, '"')))
							return rc;
						continue;
					}
					break;
				}
				if (c == '\n')
					r->next_line++;
				if ((rc = put(r, c)))
					return rc;
			}
			/* after the closing quote: separator, line end or end of input */
			if (r->pos < r->len && r->buf[r->pos] == '\r' &&
			    (r->pos + 1 == r->len || r->buf[r->pos + 1] == '\n'))
				r->pos++;
			if (r->pos < r->len && r->buf[r->pos] != r->sep && r->buf[r->pos] != '\n')
				return cg_err_set(CG_EPARSE, _("line %zu: text after a closing quote"), r->next_line);
		} else {
			while (r->pos < r->len && r->buf[r->pos] != r->sep && r->buf[r->pos] != '\n') {
				char c = r->buf[r->pos++];
				if (c == '\r' && (r->pos == r->len || r->buf[r->pos] == '\n'))
					continue;
				if ((rc = put(r, c)))
					return rc;
			}
		}
		if ((rc = end_field(r, start)))
			return rc;
		if (r->pos >= r->len)
			return CG_OK;
		if (r->buf[r->pos] == '\n') {
			r->pos++;
			r->next_line++;
			return CG_OK;
		}
		r->pos++; /* separator */
	}
}

static int blank_line(const struct csv_reader *r)
{
	size_t i = r->pos;
	while (i < r->len && (r->buf[i] == ' ' || r->buf[i] == '\t' || r->buf[i] == '\r'))
		i++;
	return i >= r->len || r->buf[i] == '\n';
}

enum cg_err csv_next(struct csv_reader *r, int *got)
{
	enum cg_err rc;

	*got = 0;
	while (r->pos < r->len && blank_line(r)) {
		while (r->pos < r->len && r->buf[r->pos] != '\n')
			r->pos++;
		if (r->pos < r->len) {
			r->pos++;
			r->next_line++;
		}
	}
	if (r->pos >= r->len)
		return CG_OK;
	cg_buf_reset(&r->store);
	r->n_fields = 0;
	r->line = r->next_line;
	rc = read_record(r);
	if (rc) {
		skip_line(r);
		r->n_fields = 0;
		return rc;
	}
	*got = 1;
	return CG_OK;
}

enum cg_err csv_next_data(struct csv_reader *r, const char *file, int *got)
{
	enum cg_err rc;

	do {
		if ((rc = csv_next(r, got)))
			return cg_err_prefix(rc, "%s", file);
	} while (*got && csv_field(r, 0)[0] == '#');
	return CG_OK;
}

const char *csv_field(const struct csv_reader *r, size_t i)
{
	return i < r->n_fields ? r->store.data + r->offs[i] : "";
}

size_t csv_field_len(const struct csv_reader *r, size_t i)
{
	return i < r->n_fields ? r->lens[i] : 0;
}
