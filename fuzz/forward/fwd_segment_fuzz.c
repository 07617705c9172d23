/* The forward queue's segment reader on arbitrary bytes: the pure decoder,
 * then the same bytes as segment files of a real queue directory — once as
 * the last segment (recovery on open cuts what is not whole) and once as an
 * older segment read by a cursor (a corrupt record is a clear CG_EPARSE and
 * the reader moves on). Never a crash, never a record beyond the valid part. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cg_err.h"
#include "fwd_queue.h"
#include "fwd_segment.h"

static char dir[64];

static void put_file(const char *name, const void *p, size_t n)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || (n && write(fd, p, n) != (ssize_t)n))
		abort();
	close(fd);
}

static void rm_file(const char *name)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	unlink(path);
}

static void drain(uint64_t max_seq)
{
	struct fwd_queue_opts o = { .max_bytes = (uint64_t)1 << 30, .log = NULL };
	struct fwd_queue *q;
	struct fwd_cursor *c;
	const void *rec;
	size_t n;
	uint64_t seq, last = 0;

	if (fwd_queue_open(dir, &o, &q) != CG_OK)
		return; /* a clear error is fine */
	if (fwd_cursor_open(q, "fuzz", &c) == CG_OK) {
		for (int i = 0; i < 100000; i++) {
			enum cg_err rc = fwd_cursor_read(c, 0, &rec, &n, &seq);
			if (rc == CG_ENOTFOUND)
				break;
			if (rc == CG_EPARSE) {
				if (!*cg_err_msg(rc))
					__builtin_trap();
				continue;
			}
			if (rc != CG_OK)
				break;
			if (seq <= last || seq > max_seq || n == 0 || n > FWD_RECORD_MAX)
				__builtin_trap();
			last = seq;
		}
		fwd_cursor_close(c);
	}
	fwd_queue_close(q);
	rm_file("cursor-fuzz");
}

static void cleanup(void)
{
	rm_file("lock");
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t valid;
	uint64_t count;
	enum cg_err rc = fwd_segment_scan(data, size, 1, &valid, &count);

	if (valid > size || (rc == CG_OK && valid != size) || (rc != CG_OK && !*cg_err_msg(rc)))
		__builtin_trap();
	if (valid >= FWD_SEGMENT_MAGIC_LEN) {
		size_t v2;
		uint64_t c2;
		if (fwd_segment_scan(data, valid, 1, &v2, &c2) != CG_OK || v2 != valid || c2 != count)
			__builtin_trap();
	}
	if (!dir[0]) {
		snprintf(dir, sizeof dir, "/tmp/canhgac-fuzz-fwd-XXXXXX");
		if (!mkdtemp(dir))
			abort();
		atexit(cleanup);
	}
	/* As the last segment: recovered on open. */
	put_file("seg-00000000000000000001.q", data, size);
	drain(count);
	rm_file("seg-00000000000000000001.q");
	/* As an older segment before an empty active one. */
	put_file("seg-00000000000000000001.q", data, size);
	put_file("seg-00000000000001000000.q", FWD_SEGMENT_MAGIC, FWD_SEGMENT_MAGIC_LEN);
	drain(999999);
	rm_file("seg-00000000000000000001.q");
	rm_file("seg-00000000000001000000.q");
	return 0;
}
