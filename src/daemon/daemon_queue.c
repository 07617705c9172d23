/* daemon_queue — bounded byte-record ring between threads (see daemon_queue.h). */
#include "daemon_queue.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cg_i18n.h"

#define HDR 8u
#define WRAP UINT32_MAX

struct daemon_queue {
	pthread_mutex_t mu;
	pthread_cond_t not_empty, not_full;
	unsigned char *ring;
	size_t cap, head, tail, used;
	uint64_t records, pushed, popped, full;
	unsigned waiting_pop, waiting_push;
	int closed;
};

static size_t pad8(size_t n)
{
	return (n + 7u) & ~(size_t)7u;
}

enum cg_err daemon_queue_new(size_t cap, struct daemon_queue **out)
{
	*out = NULL;
	cap = pad8(cap);
	if (cap < 4096)
		return cg_err_set(CG_EINVAL, _("queue: %zu bytes is too small"), cap);
	struct daemon_queue *q = calloc(1, sizeof *q);
	if (!q || !(q->ring = malloc(cap))) {
		free(q);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	q->cap = cap;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->not_empty, NULL);
	pthread_cond_init(&q->not_full, NULL);
	*out = q;
	return CG_OK;
}

void daemon_queue_free(struct daemon_queue *q)
{
	if (!q)
		return;
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->not_empty);
	pthread_cond_destroy(&q->not_full);
	free(q->ring);
	free(q);
}

size_t daemon_queue_max_record(const struct daemon_queue *q)
{
	return q->cap / 4 - HDR;
}

/* Bytes a record of `need` bytes (header included) takes at the tail,
 * counting the end of the ring it skips when it does not fit there. */
static size_t cost(const struct daemon_queue *q, size_t need)
{
	return q->tail + need > q->cap ? q->cap - q->tail + need : need;
}

static enum cg_err push(struct daemon_queue *q, const void *head, size_t head_n, const void *body, size_t body_n,
			int wait, int quiet)
{
	size_t len = head_n + body_n;
	if (len > daemon_queue_max_record(q))
		return cg_err_set(CG_ELIMIT, _("queue: record of %zu bytes is larger than %zu"), len,
				  daemon_queue_max_record(q));
	size_t need = HDR + pad8(len);
	pthread_mutex_lock(&q->mu);
	int counted = 0;
	while (!q->closed && q->used + cost(q, need) > q->cap) {
		if (!counted)
			q->full++, counted = 1;
		if (!wait) {
			pthread_mutex_unlock(&q->mu);
			return CG_ELIMIT;
		}
		if (q->waiting_pop) /* a quiet push left them asleep */
			pthread_cond_broadcast(&q->not_empty);
		q->waiting_push++;
		pthread_cond_wait(&q->not_full, &q->mu);
		q->waiting_push--;
	}
	if (q->closed) {
		pthread_mutex_unlock(&q->mu);
		return cg_err_set(CG_EIO, _("queue: closed"));
	}
	if (q->tail + need > q->cap) {
		if (q->cap - q->tail >= 4) {
			uint32_t w = WRAP;
			memcpy(q->ring + q->tail, &w, 4);
		}
		q->used += q->cap - q->tail;
		q->tail = 0;
	}
	unsigned char *d = q->ring + q->tail;
	uint32_t l32 = (uint32_t)len;
	memcpy(d, &l32, 4);
	if (head_n)
		memcpy(d + HDR, head, head_n);
	if (body_n)
		memcpy(d + HDR + head_n, body, body_n);
	q->tail += need;
	if (q->tail == q->cap)
		q->tail = 0;
	q->used += need;
	q->records++;
	q->pushed++;
	/* Quiet until a good part of the ring is in use: a long burst must not
	 * fill it while the consumers sleep. */
	if (q->waiting_pop && (!quiet || q->used > q->cap / 16))
		pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->mu);
	return CG_OK;
}

enum cg_err daemon_queue_push(struct daemon_queue *q, const void *head, size_t head_n, const void *body,
			      size_t body_n, int wait)
{
	return push(q, head, head_n, body, body_n, wait, 0);
}

enum cg_err daemon_queue_push_quiet(struct daemon_queue *q, const void *head, size_t head_n, const void *body,
				    size_t body_n, int wait)
{
	return push(q, head, head_n, body, body_n, wait, 1);
}

void daemon_queue_wake(struct daemon_queue *q)
{
	pthread_mutex_lock(&q->mu);
	if (q->waiting_pop && q->records)
		pthread_cond_broadcast(&q->not_empty);
	pthread_mutex_unlock(&q->mu);
}

static void deadline(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

enum cg_err daemon_queue_pop(struct daemon_queue *q, void *buf, size_t cap, size_t *n, int timeout_ms)
{
	*n = 0;
	struct timespec ts;
	if (timeout_ms >= 0)
		deadline(&ts, timeout_ms);
	pthread_mutex_lock(&q->mu);
	while (q->records == 0 && !q->closed) {
		q->waiting_pop++;
		int e = timeout_ms >= 0 ? pthread_cond_timedwait(&q->not_empty, &q->mu, &ts)
					: pthread_cond_wait(&q->not_empty, &q->mu);
		q->waiting_pop--;
		if (e == ETIMEDOUT) {
			pthread_mutex_unlock(&q->mu);
			return CG_OK;
		}
	}
	if (q->records == 0) {
		pthread_mutex_unlock(&q->mu);
		return cg_err_set(CG_EIO, _("queue: closed"));
	}
	unsigned char *o = buf;
	size_t w = 0;
	while (q->records) {
		uint32_t l32 = 0;
		if (q->cap - q->head >= 4)
			memcpy(&l32, q->ring + q->head, 4);
		if (q->cap - q->head < 4 || l32 == WRAP) {
			q->used -= q->cap - q->head;
			q->head = 0;
			continue;
		}
		size_t need = HDR + pad8(l32);
		if (w + need > cap)
			break;
		memcpy(o + w, q->ring + q->head, HDR + (size_t)l32);
		w += need;
		q->head += need;
		if (q->head == q->cap)
			q->head = 0;
		q->used -= need;
		q->records--;
		q->popped++;
	}
	if (q->records == 0)
		q->head = q->tail = q->used = 0;
	if (q->waiting_push)
		pthread_cond_broadcast(&q->not_full);
	pthread_mutex_unlock(&q->mu);
	*n = w;
	return CG_OK;
}

const void *daemon_queue_next(const void *buf, size_t n, size_t *off, size_t *len)
{
	if (*off + HDR > n)
		return NULL;
	const unsigned char *p = (const unsigned char *)buf + *off;
	uint32_t l32;
	memcpy(&l32, p, 4);
	*len = l32;
	*off += HDR + pad8(l32);
	return p + HDR;
}

void daemon_queue_close(struct daemon_queue *q)
{
	pthread_mutex_lock(&q->mu);
	q->closed = 1;
	pthread_cond_broadcast(&q->not_empty);
	pthread_cond_broadcast(&q->not_full);
	pthread_mutex_unlock(&q->mu);
}

void daemon_queue_stats(struct daemon_queue *q, struct daemon_queue_stats *out)
{
	pthread_mutex_lock(&q->mu);
	out->bytes = q->used;
	out->cap = q->cap;
	out->records = q->records;
	out->pushed = q->pushed;
	out->popped = q->popped;
	out->full = q->full;
	pthread_mutex_unlock(&q->mu);
}
