#include "scan_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>

#include "cg_i18n.h"

#define CHUNK (64u << 10)

int scan_archive_sniff(const uint8_t *b, size_t len)
{
	if (len >= 4 && b[0] == 'P' && b[1] == 'K' && ((b[2] == 3 && b[3] == 4) || (b[2] == 5 && b[3] == 6)))
		return 1; /* zip (and jar, docx, apk, ...) */
	if (len >= 3 && b[0] == 0x1f && b[1] == 0x8b && b[2] == 8)
		return 1; /* gzip */
	if (len >= 4 && b[0] == 'B' && b[1] == 'Z' && b[2] == 'h' && b[3] >= '1' && b[3] <= '9')
		return 1; /* bzip2 */
	if (len >= 6 && memcmp(b, "\xfd" "7zXZ\0", 6) == 0)
		return 1; /* xz */
	if (len >= 262 && memcmp(b + 257, "ustar", 5) == 0)
		return 1; /* POSIX / GNU tar */
	return 0;
}

static enum cg_err check_budget(const struct scan_archive_limits *lim, const struct scan_archive_budget *b)
{
	if (b->out > lim->bytes_max)
		return cg_err_set(CG_ELIMIT,
				  _("more than %llu bytes unpacked (possible decompression bomb); the rest is not read"),
				  (unsigned long long)lim->bytes_max);
	if (b->out > lim->ratio_from && b->in && b->out / b->in > lim->ratio_max)
		return cg_err_set(CG_ELIMIT,
				  _("unpacks to more than %u times its size (possible decompression bomb); the rest is not read"),
				  lim->ratio_max);
	return CG_OK;
}

/* Read the current entry's first entry_max bytes into *buf; *cut when more
 * was there. Every byte decompressed counts against the budget. */
static enum cg_err read_entry(struct archive *a, const struct scan_archive_limits *lim,
			      struct scan_archive_budget *b, uint8_t **buf, size_t *cap, size_t *len, int *cut,
			      const char **damaged)
{
	*len = 0;
	*cut = 0;
	*damaged = NULL;
	for (;;) {
		la_ssize_t n;
		enum cg_err rc;
		if (*len == lim->entry_max) {
			uint8_t probe;
			n = archive_read_data(a, &probe, 1);
			if (n > 0) {
				*cut = 1;
				b->out += (uint64_t)n;
			}
			return CG_OK;
		}
		if (*cap - *len < CHUNK && *cap < lim->entry_max) {
			size_t nc = *cap ? *cap * 2 : 4 * CHUNK;
			void *p;
			if (nc > lim->entry_max)
				nc = lim->entry_max;
			if (!(p = realloc(*buf, nc)))
				return cg_err_set(CG_ENOMEM, _("out of memory"));
			*buf = p;
			*cap = nc;
		}
		n = archive_read_data(a, *buf + *len, *cap - *len > CHUNK ? CHUNK : *cap - *len);
		if (n == 0)
			return CG_OK;
		if (n < 0) {
			*damaged = archive_error_string(a);
			if (!*damaged)
				*damaged = _("cannot be read");
			if (n == ARCHIVE_FATAL)
				return cg_err_set(CG_EPARSE, _("damaged archive: %s"), *damaged);
			return CG_OK;
		}
		*len += (size_t)n;
		b->out += (uint64_t)n;
		if ((rc = check_budget(lim, b)))
			return rc;
	}
}

static int is_compressed(const uint8_t *b, size_t len)
{
	return scan_archive_sniff(b, len) && !(len >= 2 && b[0] == 'P' && b[1] == 'K') &&
	       !(len >= 262 && memcmp(b + 257, "ustar", 5) == 0);
}

/* One pass with the tar and zip readers, or (raw_only) the content of a
 * compressed stream as one entry. *seen counts the entries handed over. */
static enum cg_err walk(const uint8_t *data, size_t len, const char *raw_name, const struct scan_archive_limits *lim,
			struct scan_archive_budget *b, const struct scan_archive_sink *sink, int raw_only, size_t *seen)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	uint8_t *buf = NULL;
	size_t cap = 0;
	enum cg_err rc = CG_OK;

	if (!a)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	if (raw_only) {
		archive_read_support_format_raw(a);
	} else {
		archive_read_support_format_zip(a);
		archive_read_support_format_tar(a);
		archive_read_support_format_gnutar(a);
		archive_read_support_format_raw(a);
	}
	if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
		rc = cg_err_set(CG_EPARSE, _("not a readable archive: %s"),
				archive_error_string(a) ? archive_error_string(a) : "?");
		goto out;
	}
	for (;;) {
		int r = archive_read_next_header(a, &e);
		const char *name, *damaged;
		size_t got;
		int cut;
		int64_t size;

		if (r == ARCHIVE_EOF)
			break;
		if (r == ARCHIVE_FATAL || r == ARCHIVE_RETRY) {
			rc = cg_err_set(CG_EPARSE, _("damaged archive: %s"),
					archive_error_string(a) ? archive_error_string(a) : "?");
			break;
		}
		/* A lone compressed file that is no tar comes out as "raw". */
		if (archive_format(a) == ARCHIVE_FORMAT_RAW && archive_filter_count(a) < 2)
			break;
		if (++b->entries > lim->entries_max) {
			rc = cg_err_set(CG_ELIMIT, _("more than %zu entries (possible decompression bomb); the rest is not read"),
					lim->entries_max);
			break;
		}
		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		name = archive_format(a) == ARCHIVE_FORMAT_RAW ? raw_name : archive_entry_pathname(e);
		if (!name)
			name = "?";
		size = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
		(*seen)++;
		if ((rc = read_entry(a, lim, b, &buf, &cap, &got, &cut, &damaged)))
			break;
		if (damaged) {
			if (sink->problem)
				sink->problem(sink->ctx, name, damaged);
			continue;
		}
		/* What is skipped of a cut entry is still decompressed to reach the
		 * next header: it counts as read. */
		if (cut && size > 0 && (uint64_t)size > got)
			b->out += (uint64_t)size - got;
		if ((rc = sink->entry(sink->ctx, name, buf, got, size > 0 ? (uint64_t)size : 0, cut)))
			break;
		if ((rc = check_budget(lim, b)))
			break;
	}
out:
	free(buf);
	archive_read_free(a);
	return rc;
}

enum cg_err scan_archive_walk(const uint8_t *data, size_t len, const char *raw_name,
			      const struct scan_archive_limits *lim, struct scan_archive_budget *b,
			      const struct scan_archive_sink *sink)
{
	size_t seen = 0;
	enum cg_err rc = walk(data, len, raw_name, lim, b, sink, 0, &seen);

	/* Content that starts with zero blocks reads as an empty tar: a
	 * compressed stream with nothing in it as a tar is read as one file, so
	 * nothing can hide behind an end-of-archive marker. */
	if (!rc && !seen && is_compressed(data, len))
		rc = walk(data, len, raw_name, lim, b, sink, 1, &seen);
	return rc;
}
