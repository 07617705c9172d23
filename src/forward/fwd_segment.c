/* fwd_segment — see fwd_segment.h. */
#include "fwd_segment.h"
#include "cg_i18n.h"

#include <string.h>
#include <zlib.h>

static void put_u32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t record_crc(const unsigned char seq_le[8], const void *p, size_t n)
{
	uLong c = crc32(0L, Z_NULL, 0);
	c = crc32(c, seq_le, 8);
	c = crc32_z(c, p, n);
	return (uint32_t)c;
}

void fwd_segment_header(unsigned char hdr[FWD_RECORD_HDR], uint64_t seq, const void *p, size_t n)
{
	put_u32(hdr, (uint32_t)n);
	put_u64(hdr + 8, seq);
	put_u32(hdr + 4, record_crc(hdr + 8, p, n));
}

enum cg_err fwd_segment_next(const unsigned char *data, size_t n, size_t off, uint64_t expect_seq,
                             const unsigned char **payload, size_t *plen, size_t *next)
{
	uint32_t len, crc;
	uint64_t seq;

	if (off >= n)
		return CG_ENOTFOUND;
	if (n - off < FWD_RECORD_HDR)
		return cg_err_set(CG_ELIMIT, _("offset %zu: record header cut short (%zu of %d bytes)"), off, n - off,
		                  FWD_RECORD_HDR);
	len = get_u32(data + off);
	crc = get_u32(data + off + 4);
	seq = get_u64(data + off + 8);
	if (len == 0 || len > FWD_RECORD_MAX)
		return cg_err_set(CG_EPARSE, _("offset %zu: field length: %u is outside 1..%zu"), off, len,
		                  FWD_RECORD_MAX);
	if (n - off - FWD_RECORD_HDR < len) {
		/* Cut short by the end: a torn tail, unless the header itself is
		 * already inconsistent (then it is garbage, not a tear). */
		if (seq != expect_seq)
			return cg_err_set(CG_EPARSE, _("offset %zu: field seq: %llu where %llu was expected"), off,
			                  (unsigned long long)seq, (unsigned long long)expect_seq);
		return cg_err_set(CG_ELIMIT, _("offset %zu: record of %u bytes cut short (%zu present)"), off, len,
		                  n - off - FWD_RECORD_HDR);
	}
	if (record_crc(data + off + 8, data + off + FWD_RECORD_HDR, len) != crc)
		return cg_err_set(CG_EPARSE, _("offset %zu: field crc: checksum mismatch (record of %u bytes)"), off, len);
	if (seq != expect_seq)
		return cg_err_set(CG_EPARSE, _("offset %zu: field seq: %llu where %llu was expected"), off,
		                  (unsigned long long)seq, (unsigned long long)expect_seq);
	*payload = data + off + FWD_RECORD_HDR;
	*plen = len;
	*next = off + FWD_RECORD_HDR + len;
	return CG_OK;
}

enum cg_err fwd_segment_scan(const unsigned char *data, size_t n, uint64_t first_seq, size_t *valid,
                             uint64_t *count)
{
	size_t off = FWD_SEGMENT_MAGIC_LEN, next, plen;
	const unsigned char *p;
	enum cg_err rc;

	*valid = 0;
	*count = 0;
	if (n < FWD_SEGMENT_MAGIC_LEN) {
		if (memcmp(data, FWD_SEGMENT_MAGIC, n) == 0)
			return cg_err_set(CG_ELIMIT, _("offset 0: magic cut short (%zu of %d bytes)"), n,
			                  FWD_SEGMENT_MAGIC_LEN);
		return cg_err_set(CG_EPARSE, _("offset 0: not a forward queue segment (bad magic)"));
	}
	if (memcmp(data, FWD_SEGMENT_MAGIC, FWD_SEGMENT_MAGIC_LEN) != 0)
		return cg_err_set(CG_EPARSE, _("offset 0: not a forward queue segment (bad magic)"));
	*valid = off;
	for (;;) {
		rc = fwd_segment_next(data, n, off, first_seq + *count, &p, &plen, &next);
		if (rc == CG_ENOTFOUND)
			return CG_OK;
		if (rc)
			return rc;
		(*count)++;
		off = next;
		*valid = off;
	}
}
