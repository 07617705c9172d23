/* quarantine: the stored bytes are not the original, the metadata says what
 * the file was, a path replaced during the move is left alone, special and
 * hard-linked files are refused, restore is byte-identical with mode and
 * times and never overwrites unless forced, another file system (/dev/shm)
 * is copied, metadata that lies is refused. */
#include "../test_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <openssl/sha.h>

#include "quarantine.h"

static const char content[] = "\x7f"
			      "ELF pretend payload\n\x00\x01\x02 and some more bytes to be sure";
#define CONTENT_LEN (sizeof content - 1)

static char *path_in(const char *dir, const char *name)
{
	size_t l = strlen(dir) + strlen(name) + 2;
	char *p = malloc(l);
	assert_non_null(p);
	snprintf(p, l, "%s/%s", dir, name);
	return p;
}

static void put(const char *path, const void *data, size_t n, mode_t mode)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static size_t get(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;
	assert_non_null(f);
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static void sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char d[32];
	SHA256(p, n, d);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static int contains(const char *hay, size_t n, const char *needle, size_t m)
{
	for (size_t i = 0; i + m <= n; i++)
		if (!memcmp(hay + i, needle, m))
			return 1;
	return 0;
}

static void test_move_and_restore(void **state)
{
	char *dir = test_tmpdir(), *store = path_in(dir, "store"), *f = path_in(dir, "evil.bin");
	struct quarantine *q;
	struct quarantine_item *it;
	struct quarantine_hit hits[] = {{"yara", "Demo_Rule"}, {"hash", "deadbeef"}};
	struct quarantine_add_opts o = {.now = 1700000000, .who = "tester"};
	struct timespec ts[2] = {{.tv_sec = 1600000000, .tv_nsec = 123456789}, {.tv_sec = 1500000000, .tv_nsec = 987654321}};
	char id[QUARANTINE_ID_LEN + 1], buf[4096], sha[65], *bin, *meta;
	struct stat st;
	size_t n;
	(void)state;

	put(f, content, CONTENT_LEN, 0751);
	assert_int_equal(utimensat(AT_FDCWD, f, ts, 0), 0);
	assert_int_equal(quarantine_open(store, &q), CG_OK);
	assert_int_equal(stat(store, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(quarantine_add(q, f, hits, 2, &o, id), CG_OK);
	assert_int_equal(access(f, F_OK), -1);

	/* Stored defanged: 0400, and the original bytes appear nowhere in it. */
	snprintf(buf, sizeof buf, "%s.bin", id);
	bin = path_in(store, buf);
	assert_int_equal(stat(bin, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0400);
	n = get(bin, buf, sizeof buf);
	assert_true(n > CONTENT_LEN);
	assert_false(contains(buf, n, content, 8));
	assert_false(contains(buf, n, "pretend payload", 15));
	snprintf(buf, sizeof buf, "%s.json", id);
	meta = path_in(store, buf);
	assert_int_equal(stat(meta, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0400);

	/* Metadata. */
	sha256_hex(content, CONTENT_LEN, sha);
	assert_int_equal(quarantine_get(q, id, &it), CG_OK);
	assert_string_equal(it->path, f);
	assert_string_equal(it->sha256, sha);
	assert_int_equal(it->size, CONTENT_LEN);
	assert_int_equal(it->mode, 0751);
	assert_int_equal(it->uid, getuid());
	assert_int_equal(it->mtime_s, 1500000000);
	assert_int_equal(it->mtime_ns, 987654321);
	assert_int_equal(it->when, 1700000000);
	assert_string_equal(it->who, "tester");
	assert_int_equal(it->n_hits, 2);
	assert_string_equal(it->hits[0].name, "Demo_Rule");
	assert_string_equal(it->hits[1].kind, "hash");
	quarantine_item_free(it);

	/* Restore: refuses an existing file, then byte-identical with mode and mtime. */
	put(f, "other", 5, 0600);
	assert_int_equal(quarantine_restore(q, id, NULL, 0, 1), CG_EEXIST);
	assert_int_equal(get(f, buf, sizeof buf), 5);
	assert_int_equal(unlink(f), 0);
	assert_int_equal(quarantine_restore(q, id, NULL, 0, 1), CG_OK);
	assert_int_equal(get(f, buf, sizeof buf), CONTENT_LEN);
	assert_memory_equal(buf, content, CONTENT_LEN);
	assert_int_equal(stat(f, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0751);
	assert_int_equal(st.st_mtim.tv_sec, 1500000000);
	assert_int_equal(st.st_mtim.tv_nsec, 987654321);
	/* --force over it; without keep the item goes. */
	assert_int_equal(quarantine_restore(q, id, NULL, 1, 0), CG_OK);
	assert_int_equal(quarantine_get(q, id, &it), CG_ENOTFOUND);

	free(bin);
	free(meta);
	quarantine_free(q);
	free(f);
	free(store);
	free(dir);
}

struct swap_ctx {
	const char *path;
};

static void swap_file(void *ctx)
{
	struct swap_ctx *s = ctx;
	assert_int_equal(unlink(s->path), 0);
	put(s->path, "innocent", 8, 0644);
}

static void test_toctou_and_refusals(void **state)
{
	char *dir = test_tmpdir(), *store = path_in(dir, "store"), *f = path_in(dir, "a"), *l = path_in(dir, "link"),
	     *fifo = path_in(dir, "fifo");
	struct quarantine *q;
	struct quarantine_item *items;
	struct swap_ctx sc = {f};
	struct quarantine_add_opts o = {.now = 1, .before_unlink = swap_file, .hook_ctx = &sc};
	struct quarantine_add_opts plain = {.now = 1};
	char id[QUARANTINE_ID_LEN + 1], buf[64];
	size_t n;
	(void)state;

	assert_int_equal(quarantine_open(store, &q), CG_OK);
	put(f, content, CONTENT_LEN, 0644);
	/* Replaced between the copy and the unlink: the new file stays, nothing stored. */
	assert_int_equal(quarantine_add(q, f, NULL, 0, &o, id), CG_EINVAL);
	assert_int_equal(get(f, buf, sizeof buf), 8);
	assert_memory_equal(buf, "innocent", 8);
	assert_int_equal(quarantine_list(q, &items, &n), CG_OK);
	assert_int_equal(n, 0);
	quarantine_items_free(items, n);

	/* A symbolic link, a FIFO, a hard-linked file (unless forced), a file over the cap. */
	assert_int_equal(symlink(f, l), 0);
	assert_int_equal(quarantine_add(q, l, NULL, 0, &plain, id), CG_EINVAL);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(quarantine_add(q, fifo, NULL, 0, &plain, id), CG_EINVAL);
	assert_int_equal(unlink(l), 0);
	assert_int_equal(link(f, l), 0);
	assert_int_equal(quarantine_add(q, f, NULL, 0, &plain, id), CG_EINVAL);
	plain.force = 1;
	plain.max_size = 4;
	assert_int_equal(quarantine_add(q, f, NULL, 0, &plain, id), CG_ELIMIT);
	plain.max_size = 0;
	assert_int_equal(quarantine_add(q, f, NULL, 0, &plain, id), CG_OK);
	assert_int_equal(access(f, F_OK), -1);
	assert_int_equal(access(l, F_OK), 0);
	assert_int_equal(quarantine_list(q, &items, &n), CG_OK);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].id, id);
	quarantine_items_free(items, n);
	assert_int_equal(quarantine_purge(q, id), CG_OK);
	assert_int_equal(quarantine_purge(q, id), CG_ENOTFOUND);
	assert_int_equal(quarantine_purge(q, "../../etc/passwd"), CG_EINVAL);

	quarantine_free(q);
	/* A store others can read is refused. */
	assert_int_equal(chmod(store, 0755), 0);
	assert_int_equal(quarantine_open(store, &q), CG_EINVAL);
	free(f);
	free(l);
	free(fifo);
	free(store);
	free(dir);
}

/* A file on another file system than the store (/dev/shm is a tmpfs). */
static void test_cross_device(void **state)
{
	char shm[] = "/dev/shm/canhgac-q-XXXXXX";
	char *dir = test_tmpdir(), *store = path_in(dir, "store"), *f, id[QUARANTINE_ID_LEN + 1], buf[256];
	struct quarantine *q;
	struct quarantine_add_opts o = {.now = 1};
	struct stat a, b;
	(void)state;

	if (!mkdtemp(shm) || stat(shm, &a) != 0 || stat(dir, &b) != 0 || a.st_dev == b.st_dev) {
		fprintf(stderr, "# SKIP: /dev/shm is missing or on the same file system as /tmp\n");
		skip();
	}
	f = path_in(shm, "x");
	put(f, content, CONTENT_LEN, 0640);
	assert_int_equal(quarantine_open(store, &q), CG_OK);
	assert_int_equal(quarantine_add(q, f, NULL, 0, &o, id), CG_OK);
	assert_int_equal(access(f, F_OK), -1);
	assert_int_equal(quarantine_restore(q, id, NULL, 0, 0), CG_OK);
	assert_int_equal(get(f, buf, sizeof buf), CONTENT_LEN);
	assert_memory_equal(buf, content, CONTENT_LEN);
	quarantine_free(q);
	unlink(f);
	rmdir(shm);
	free(f);
	free(store);
	free(dir);
}

static void test_meta_parse(void **state)
{
	struct quarantine_item it;
	const char *good = "{\"version\":1,\"id\":\"0123456789abcdef0123456789abcdef\",\"path\":\"/x\",\"who\":\"w\","
			   "\"sha256\":\"" "0000000000000000000000000000000000000000000000000000000000000000" "\","
			   "\"sha1\":\"0000000000000000000000000000000000000000\",\"md5\":\"00000000000000000000000000000000\","
			   "\"key\":\"" "1111111111111111111111111111111111111111111111111111111111111111" "\","
			   "\"uid\":0,\"gid\":0,\"mode\":420,\"size\":3,\"mtime\":1,\"mtime_ns\":0,\"atime\":1,"
			   "\"atime_ns\":0,\"when\":5,\"hits\":[{\"kind\":\"eicar\",\"name\":\"E\"}]}";
	char bad[2048];
	(void)state;

	assert_int_equal(quarantine_meta_parse("m", good, strlen(good), &it), CG_OK);
	assert_int_equal(it.mode, 0644);
	assert_int_equal(it.n_hits, 1);
	quarantine_item_clear(&it);
	/* A relative path, a mode with other bits, an id that is not hex. */
	snprintf(bad, sizeof bad, "%s", good);
	memcpy(strstr(bad, "\"/x\""), "\"x/\"", 4);
	assert_int_equal(quarantine_meta_parse("m", bad, strlen(bad), &it), CG_EPARSE);
	snprintf(bad, sizeof bad, "%s", good);
	memcpy(strstr(bad, "420"), "-42", 3);
	assert_int_equal(quarantine_meta_parse("m", bad, strlen(bad), &it), CG_EPARSE);
	snprintf(bad, sizeof bad, "%s", good);
	memcpy(strstr(bad, "0123"), "../", 3);
	assert_int_equal(quarantine_meta_parse("m", bad, strlen(bad), &it), CG_EPARSE);
	assert_int_equal(quarantine_meta_parse("m", "[]", 2, &it), CG_EPARSE);
	assert_int_equal(quarantine_meta_parse("m", "{", 1, &it), CG_EPARSE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_move_and_restore),
		cmocka_unit_test(test_toctou_and_refusals),
		cmocka_unit_test(test_cross_device),
		cmocka_unit_test(test_meta_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
