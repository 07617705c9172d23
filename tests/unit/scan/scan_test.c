/* scan_eicar against the definition, scan_hash against the FIPS 180 / RFC
 * 1321 test vectors and split updates, scan_archive against archives
 * written here with libarchive's writer (entries, caps, bomb budget). */
#include "../test_util.h"

#include <archive.h>
#include <archive_entry.h>

#include "scan_archive.h"
#include "scan_eicar.h"
#include "scan_hash.h"

/* Put together at run time: the repository never holds the string whole. */
static void eicar(uint8_t out[68])
{
	const char *parts[] = {"X5O!P%@AP[4\\PZX54", "(P^)7CC)7}$", "EICAR-STANDARD-", "ANTIVIRUS-TEST-FILE!$H+H*"};
	size_t n = 0;
	for (size_t i = 0; i < 4; i++) {
		memcpy(out + n, parts[i], strlen(parts[i]));
		n += strlen(parts[i]);
	}
	assert_int_equal(n, 68);
}

static void test_eicar(void **state)
{
	uint8_t buf[200];
	(void)state;
	eicar(buf);
	assert_true(scan_eicar_is(buf, 68));
	/* Allowed white space after it, up to 128 bytes in all. */
	memcpy(buf + 68, " \t\r\n\x1a", 5);
	assert_true(scan_eicar_is(buf, 73));
	memset(buf + 68, ' ', 60);
	assert_true(scan_eicar_is(buf, 128));
	assert_false(scan_eicar_is(buf, 129));
	buf[70] = 'x';
	assert_false(scan_eicar_is(buf, 71));
	eicar(buf);
	assert_false(scan_eicar_is(buf, 67));
	for (size_t i = 0; i < 68; i++) {
		eicar(buf);
		buf[i] ^= 0x20;
		assert_false(scan_eicar_is(buf, 68));
	}
	/* Not at the start: not the test file. */
	buf[0] = ' ';
	eicar(buf + 1);
	assert_false(scan_eicar_is(buf, 69));
}

static void test_hash_vectors(void **state)
{
	struct scan_hash *h;
	char hex[SCAN_HASH_COUNT][SCAN_HASH_HEX_MAX];
	(void)state;

	assert_int_equal(scan_hash_new(SCAN_HASH_BIT(SCAN_HASH_SHA256) | SCAN_HASH_BIT(SCAN_HASH_SHA1) |
					       SCAN_HASH_BIT(SCAN_HASH_MD5),
				       &h),
			 CG_OK);
	assert_int_equal(scan_hash_begin(h), CG_OK);
	assert_int_equal(scan_hash_update(h, "a", 1), CG_OK);
	assert_int_equal(scan_hash_update(h, "bc", 2), CG_OK);
	assert_int_equal(scan_hash_end(h, hex), CG_OK);
	assert_string_equal(hex[SCAN_HASH_SHA256], "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_string_equal(hex[SCAN_HASH_SHA1], "a9993e364706816aba3e25717850c26c9cd0d89d");
	assert_string_equal(hex[SCAN_HASH_MD5], "900150983cd24fb0d6963f7d28e17f72");
	/* Reused for the next content. */
	assert_int_equal(scan_hash_begin(h), CG_OK);
	assert_int_equal(scan_hash_end(h, hex), CG_OK);
	assert_string_equal(hex[SCAN_HASH_SHA256], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	scan_hash_free(h);
	/* Only the types asked for. */
	assert_int_equal(scan_hash_new(SCAN_HASH_BIT(SCAN_HASH_MD5), &h), CG_OK);
	assert_int_equal(scan_hash_begin(h), CG_OK);
	assert_int_equal(scan_hash_end(h, hex), CG_OK);
	assert_string_equal(hex[SCAN_HASH_SHA256], "");
	assert_string_equal(hex[SCAN_HASH_MD5], "d41d8cd98f00b204e9800998ecf8427e");
	scan_hash_free(h);
	scan_hash_free(NULL);
}

/* A zip (or tar.gz) with n entries named e0.. of `each` bytes of 'A'+i. */
static uint8_t *make_archive(int zip, int n, size_t each, size_t *len)
{
	size_t cap = 1u << 22;
	uint8_t *out = malloc(cap);
	char *data = malloc(each ? each : 1);
	struct archive *a = archive_write_new();
	assert_non_null(out);
	if (zip) {
		archive_write_set_format_zip(a);
	} else {
		archive_write_set_format_pax_restricted(a);
		archive_write_add_filter_gzip(a);
	}
	assert_int_equal(archive_write_open_memory(a, out, cap, len), ARCHIVE_OK);
	for (int i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		char name[32];
		snprintf(name, sizeof name, "d/e%d", i);
		archive_entry_set_pathname(e, name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)each);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		memset(data, 'A' + i % 26, each);
		assert_int_equal(archive_write_data(a, data, each), (la_ssize_t)each);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	free(data);
	return out;
}

struct seen {
	int n, cut;
	size_t bytes;
	char last[64];
	int bad;
};

static enum cg_err on_entry(void *ctx, const char *name, const uint8_t *data, size_t len, uint64_t size, int cut)
{
	struct seen *s = ctx;
	int i = s->n++;
	(void)size;
	snprintf(s->last, sizeof s->last, "%s", name);
	s->cut += cut;
	s->bytes += len;
	for (size_t k = 0; k < len; k++)
		if (data[k] != 'A' + i % 26)
			s->bad = 1;
	return CG_OK;
}

static void run(const uint8_t *buf, size_t len, const struct scan_archive_limits *lim, struct seen *s,
		enum cg_err want)
{
	struct scan_archive_budget b = {.in = len};
	struct scan_archive_sink sink = {on_entry, NULL, s};
	memset(s, 0, sizeof *s);
	assert_int_equal(scan_archive_walk(buf, len, "raw", lim, &b, &sink), want);
	assert_false(s->bad);
}

static void test_archive(void **state)
{
	struct scan_archive_limits lim = {
		.bytes_max = 1u << 30, .ratio_max = 1000000, .ratio_from = 0, .entries_max = 1000, .entry_max = 1u << 20};
	struct seen s;
	size_t len;
	uint8_t *z;
	(void)state;

	for (int zip = 0; zip < 2; zip++) {
		z = make_archive(zip, 5, 1000, &len);
		assert_true(scan_archive_sniff(z, len));
		run(z, len, &lim, &s, CG_OK);
		assert_int_equal(s.n, 5);
		assert_int_equal(s.bytes, 5000);
		assert_string_equal(s.last, "d/e4");
		/* Entry cap: each entry's head only, marked cut. */
		lim.entry_max = 100;
		run(z, len, &lim, &s, CG_OK);
		assert_int_equal(s.n, 5);
		assert_int_equal(s.cut, 5);
		assert_int_equal(s.bytes, 500);
		lim.entry_max = 1u << 20;
		/* Entries cap: the first three, then the limit. */
		lim.entries_max = 3;
		run(z, len, &lim, &s, CG_ELIMIT);
		assert_int_equal(s.n, 3);
		lim.entries_max = 1000;
		free(z);
	}
	/* A bomb: 2 MB of repeated bytes; the byte budget and the ratio stop it. */
	z = make_archive(1, 2, 1u << 20, &len);
	lim.bytes_max = 1u << 20;
	run(z, len, &lim, &s, CG_ELIMIT);
	assert_true(s.n < 2);
	lim.bytes_max = 1u << 30;
	lim.ratio_max = 10;
	run(z, len, &lim, &s, CG_ELIMIT);
	lim.ratio_max = 1000000;
	run(z, len, &lim, &s, CG_OK);
	assert_int_equal(s.n, 2);
	/* Damaged: cut in the middle. */
	run(z, len / 2, &lim, &s, CG_EPARSE);
	free(z);
	/* Not an archive. */
	assert_false(scan_archive_sniff((const uint8_t *)"hello", 5));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eicar),
		cmocka_unit_test(test_hash_vectors),
		cmocka_unit_test(test_archive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
