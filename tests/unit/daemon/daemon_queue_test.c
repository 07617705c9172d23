#include "../test_util.h"

#include <pthread.h>

#include "daemon_queue.h"

/* Records go out whole and in order; a model (a list of what was pushed)
 * says what must come out, across wrap-arounds of the ring. */
static void order_and_wrap(void **state)
{
	(void)state;
	struct daemon_queue *q = NULL;
	assert_int_equal(daemon_queue_new(4096, &q), CG_OK);
	size_t max = daemon_queue_max_record(q);
	assert_int_equal(max, 4096 / 4 - 8);
	unsigned char *buf = malloc(max + 8);
	unsigned seed = 7, next_in = 0, next_out = 0;
	for (int round = 0; round < 2000; round++) {
		/* push a few records of varying size until full */
		for (;;) {
			size_t n = 4 + (size_t)(rand_r(&seed) % (unsigned)(max - 4));
			unsigned char rec[1024];
			memset(rec, (int)(next_in & 0xff), n);
			memcpy(rec, &next_in, 4);
			enum cg_err rc = daemon_queue_push(q, rec, 4, rec + 4, n - 4, 0);
			if (rc == CG_ELIMIT)
				break;
			assert_int_equal(rc, CG_OK);
			next_in++;
		}
		size_t got = 0;
		assert_int_equal(daemon_queue_pop(q, buf, max + 8, &got, 0), CG_OK);
		assert_true(got > 0);
		size_t off = 0, len;
		const unsigned char *r;
		while ((r = daemon_queue_next(buf, got, &off, &len))) {
			unsigned id;
			memcpy(&id, r, 4);
			assert_int_equal(id, next_out);
			for (size_t i = 4; i < len; i++)
				assert_int_equal(r[i], next_out & 0xff);
			next_out++;
		}
	}
	struct daemon_queue_stats st;
	daemon_queue_stats(q, &st);
	assert_int_equal(st.pushed, next_in);
	assert_int_equal(st.popped + st.records, next_in);
	assert_true(st.full > 0);
	assert_true(st.bytes <= st.cap);
	free(buf);
	daemon_queue_free(q);
}

static void too_big_and_closed(void **state)
{
	(void)state;
	struct daemon_queue *q = NULL;
	assert_int_equal(daemon_queue_new(4096, &q), CG_OK);
	char big[2048] = {0};
	assert_int_equal(daemon_queue_push(q, big, sizeof big, NULL, 0, 1), CG_ELIMIT);
	assert_int_equal(daemon_queue_push(q, "ab", 2, "c", 1, 1), CG_OK);
	daemon_queue_close(q);
	assert_int_equal(daemon_queue_push(q, "x", 1, NULL, 0, 1), CG_EIO);
	char buf[1100];
	size_t n = 0, off = 0, len = 0;
	/* what is queued is still delivered after close, then the end */
	assert_int_equal(daemon_queue_pop(q, buf, sizeof buf, &n, -1), CG_OK);
	const char *r = daemon_queue_next(buf, n, &off, &len);
	assert_non_null(r);
	assert_int_equal(len, 3);
	assert_memory_equal(r, "abc", 3);
	assert_int_equal(daemon_queue_pop(q, buf, sizeof buf, &n, -1), CG_EIO);
	daemon_queue_free(q);
	daemon_queue_free(NULL);
}

struct prod {
	struct daemon_queue *q;
	unsigned id, n;
};

static void *producer(void *arg)
{
	struct prod *p = arg;
	for (unsigned i = 0; i < p->n; i++) {
		unsigned v[2] = {p->id, i};
		if (daemon_queue_push(p->q, v, sizeof v, NULL, 0, 1))
			break;
	}
	return NULL;
}

/* Many producers that block when full, one consumer: every record once,
 * each producer's records in its order. */
static void producers_block(void **state)
{
	(void)state;
	struct daemon_queue *q = NULL;
	assert_int_equal(daemon_queue_new(4096, &q), CG_OK);
	enum { P = 4, N = 20000 };
	struct prod p[P];
	pthread_t th[P];
	for (unsigned i = 0; i < P; i++) {
		p[i] = (struct prod){q, i, N};
		assert_int_equal(pthread_create(&th[i], NULL, producer, &p[i]), 0);
	}
	unsigned next[P] = {0}, total = 0;
	char buf[1100];
	while (total < P * N) {
		size_t n = 0, off = 0, len;
		assert_int_equal(daemon_queue_pop(q, buf, sizeof buf, &n, 1000), CG_OK);
		const unsigned char *r;
		while ((r = daemon_queue_next(buf, n, &off, &len))) {
			unsigned v[2];
			assert_int_equal(len, sizeof v);
			memcpy(v, r, sizeof v);
			assert_true(v[0] < P);
			assert_int_equal(v[1], next[v[0]]);
			next[v[0]]++;
			total++;
		}
	}
	for (unsigned i = 0; i < P; i++)
		pthread_join(th[i], NULL);
	daemon_queue_free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(order_and_wrap),
		cmocka_unit_test(too_big_and_closed),
		cmocka_unit_test(producers_block),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
