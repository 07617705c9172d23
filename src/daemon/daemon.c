/* daemon — the canhgacd pipeline (see daemon.h). */
#include "daemon.h"

#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "agent_hub.h"
#include "alert.h"
#include "cg_buf.h"
#include "cg_db.h"
#include "cg_event.h"
#include "cg_i18n.h"
#include "cg_time.h"
#include "collect.h"
#include "daemon_log.h"
#include "daemon_metrics.h"
#include "daemon_parse.h"
#include "daemon_queue.h"
#include "daemon_raw.h"
#include "detect.h"
#include "duty.h"
#include "fwd.h"
#include "fwd_queue.h"
#include "fwd_record.h"
#include "fwd_segment.h"
#include "store_alert.h"
#include "store_intel.h"

/* A worker moves at most this many bytes of messages per pop. */
#define WORKER_BATCH ((size_t)1 << 20)
/* The longest the receive loop waits at the disk queue's bound before it
 * refuses to store (and counts) while the bound stays. */
#define STORE_WAIT_MAX_US 500000
#define ALERT_QUEUE_BYTES ((size_t)8 << 20)
#define PEER_MAX 64
#define MAX_SOURCES (DAEMON_MAX_LISTENERS + DAEMON_MAX_FILES)
/* The disk queue's cursor of detection (beside the upstreams' cursors). */
#define DETECT_CURSOR "detect"

/* Per source counters, read by the metrics page. */
struct source {
	const char *name;
	const char *kind; /* "udp", "tcp", "tls", "file" */
	enum daemon_format format;
	_Atomic uint64_t in, bytes, dropped, truncated, parsed, parse_errors, out;
};

/* What a receiver puts in front of a message in the queue. */
struct msg_head {
	int64_t received_us;
	uint16_t source;
	uint16_t peer_len;
	uint32_t pad;
	uint64_t seq; /* in the disk queue; 0: not stored there */
	uint64_t idx; /* 0, 1, 2, ... in the order pushed (detection progress) */
};

/* A contiguous run of pushed messages detection has finished: indexes
 * first..last, the highest disk sequence number among them. */
struct done_run {
	uint64_t first, last, seq;
};
#define DONE_RUNS (2 * DAEMON_MAX_WORKERS + 2)

struct worker {
	struct daemon *d;
	pthread_t th;
	int started;
	struct detect_worker *dw;
	struct cg_event *ev;
	unsigned char *batch;
	struct cg_buf alert_rec;
};

struct daemon {
	const struct daemon_config *cfg;
	struct collect *collect;
	struct daemon_metrics *metrics;
	struct daemon_queue *msgs, *alerts;
	struct cg_db *db; /* the writer's and the control thread's reads */
	struct detect *detect;
	struct worker *workers;
	unsigned n_workers;
	pthread_t writer_th, control_th, duty_th;
	int writer_started, control_started, duty_started;
	struct cg_db *duty_db;
	struct duty *duty;
	struct agent_hub *hub;
	int hub_started;

	/* forwarding: one appender at a time (fwd_queue allows one) */
	struct fwd_queue *fwdq;
	struct fwd *fwd;
	pthread_mutex_t fwd_mu;
	_Atomic uint64_t fwd_appended, fwd_refused;
	struct fwd_transform transform;
	int fwd_dirty;            /* receiver: appended since its last commit */
	unsigned char *rx_rec;    /* receiver: the raw record being built */
	uint64_t rx_idx;          /* receiver: the next message index */
	size_t rx_cap;            /* receiver: longest message kept (longer ones are cut) */
	int rx_unwoken;           /* receiver: pushed without waking the workers */
	int rx_full;              /* receiver: at the disk queue's bound (logged once) */
	int64_t rx_full_since;    /* when it reached it (monotonic µs) */

	/* Detection progress over the disk queue: the "detect" cursor is
	 * everything detection has finished (alerts committed); after a
	 * restart what follows it is detected again. */
	struct fwd_cursor *detect_cur;
	pthread_mutex_t det_mu;
	uint64_t det_next;        /* lowest index not known finished */
	uint64_t det_seq;         /* every event up to it is through detection */
	struct done_run det_runs[DONE_RUNS]; /* finished, not contiguous yet */
	size_t det_nruns;
	uint64_t det_cand, det_cand_alerts; /* to save once the writer committed that many alerts */
	_Atomic uint64_t alerts_durable;    /* alert records popped and committed by the writer */
	_Atomic uint64_t replayed, replay_skipped, det_saved;
	_Atomic uint64_t duty_ticks, duty_errors;

	struct source sources[MAX_SOURCES];
	size_t n_sources;

	_Atomic int stopping, reload_wanted;
	_Atomic uint64_t generation;       /* of the snapshot in use */
	_Atomic uint64_t reloads, reload_failures;
	_Atomic uint64_t alerts_in, alerts_stored, alerts_new, alert_errors;
	_Atomic uint64_t commits;
	uint64_t intel_generation;         /* the database's, when the snapshot was built */
	int pid_written;

	pthread_mutex_t stop_mu;
	pthread_cond_t stop_cv;
};

static void u64s(char *buf, size_t n, uint64_t v)
{
	snprintf(buf, n, "%" PRIu64, v);
}

/* ---- receivers → message queue ---------------------------------------- */

static size_t source_of(struct daemon *d, const struct collect_src *src)
{
	for (size_t i = 0; i < d->n_sources; i++)
		if (d->sources[i].name == src->name || strcmp(d->sources[i].name, src->name) == 0)
			return i;
	return 0;
}

/* Append one record to the forward queue; the caller commits per batch. */
static void forward(struct daemon *d, const char *rec, size_t n)
{
	uint64_t seq = 0;
	pthread_mutex_lock(&d->fwd_mu);
	enum cg_err rc = fwd_queue_append(d->fwdq, rec, n, &seq);
	pthread_mutex_unlock(&d->fwd_mu);
	if (rc) {
		/* At the queue's bound: counted, and the queue raised its alarm. */
		atomic_fetch_add_explicit(&d->fwd_refused, 1, memory_order_relaxed);
		cg_err_clear();
	} else
		atomic_fetch_add_explicit(&d->fwd_appended, 1, memory_order_relaxed);
}

static void forward_commit(struct daemon *d)
{
	pthread_mutex_lock(&d->fwd_mu);
	enum cg_err rc = fwd_queue_commit(d->fwdq);
	pthread_mutex_unlock(&d->fwd_mu);
	if (rc) {
		daemon_log(DLOG_ERROR, "forward_commit_failed", "error", cg_err_msg(rc), NULL);
		cg_err_clear();
	}
}

/* The receiver's batch is done (collect's flush hook, at the end of each
 * read): everything it stored is written before the loop reads on. */
static void on_flush(void *ctx)
{
	struct daemon *d = ctx;
	if (d->fwdq && d->fwd_dirty) {
		forward_commit(d);
		d->fwd_dirty = 0;
	}
	/* The read's messages were pushed quietly: wake the workers once. */
	if (d->rx_unwoken) {
		daemon_queue_wake(d->msgs);
		d->rx_unwoken = 0;
	}
}

/* Store one received message in the disk queue (committed by on_flush);
 * *seq gets its number. At the queue's bound a TCP, TLS or file receiver
 * waits until the upstreams and detection have freed space (the loop stops
 * reading: back-pressure); a UDP datagram is not stored (counted). */
static enum cg_err store_raw(struct daemon *d, const struct collect_src *src, enum daemon_format fmt, int truncated,
			     int64_t received_us, const char *msg, size_t n, uint64_t *seq)
{
	struct daemon_raw r = {
		.format = (int)fmt,
		.flags = truncated ? DAEMON_RAW_TRUNCATED : 0,
		.received_us = received_us,
		.name = src->name,
		.name_len = strlen(src->name),
		.peer = src->peer ? src->peer : "",
		.peer_len = src->peer ? strnlen(src->peer, PEER_MAX) : 0,
		.msg = msg,
		.msg_len = n,
	};
	size_t len = daemon_raw_size(&r);
	daemon_raw_encode(&r, d->rx_rec);
	for (;;) {
		pthread_mutex_lock(&d->fwd_mu);
		enum cg_err rc = fwd_queue_append(d->fwdq, d->rx_rec, len, seq);
		pthread_mutex_unlock(&d->fwd_mu);
		if (rc == CG_OK) {
			if (d->rx_full) {
				daemon_log(DLOG_INFO, "store_resumed", "source", src->name, NULL);
				d->rx_full = 0;
			}
			d->fwd_dirty = 1;
			atomic_fetch_add_explicit(&d->fwd_appended, 1, memory_order_relaxed);
			return CG_OK;
		}
		/* At the bound the receiver waits a moment (detection frees space
		 * as its cursor moves), but never long: the loop it blocks also
		 * reads every other source, UDP included. A bound that stays (an
		 * upstream down for long) means storing is refused and counted,
		 * and messages are still detected; the alarm was raised before. */
		int64_t t = cg_time_mono_us();
		if (rc == CG_ELIMIT && !d->rx_full) {
			daemon_log(DLOG_WARN, "store_full_waiting", "source", src->name, NULL);
			d->rx_full = 1;
			d->rx_full_since = t;
		}
		if (rc != CG_ELIMIT || src->proto == COLLECT_UDP || atomic_load(&d->stopping) ||
		    t - d->rx_full_since > STORE_WAIT_MAX_US) {
			if (rc != CG_ELIMIT)
				daemon_log(DLOG_ERROR, "store_failed", "source", src->name, "error", cg_err_msg(rc), NULL);
			cg_err_clear();
			atomic_fetch_add_explicit(&d->fwd_refused, 1, memory_order_relaxed);
			return rc;
		}
		cg_err_clear();
		on_flush(d);
		usleep(10 * 1000);
	}
}

static void on_message(void *ctx, const struct collect_src *src, const char *msg, size_t n)
{
	struct daemon *d = ctx;
	size_t si = source_of(d, src);
	struct source *s = &d->sources[si];
	atomic_fetch_add_explicit(&s->in, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->bytes, n, memory_order_relaxed);
	int truncated = src->truncated;
	if (n > d->rx_cap) {
		n = d->rx_cap;
		truncated = 1;
	}
	if (truncated)
		atomic_fetch_add_explicit(&s->truncated, 1, memory_order_relaxed);
	struct {
		struct msg_head h;
		char peer[PEER_MAX];
	} head;
	size_t pl = src->peer ? strnlen(src->peer, PEER_MAX) : 0;
	memset(&head.h, 0, sizeof head.h);
	head.h.received_us = src->received_us ? src->received_us : cg_time_now_us();
	head.h.source = (uint16_t)si;
	head.h.peer_len = (uint16_t)pl;
	if (pl)
		memcpy(head.peer, src->peer, pl);
	/* Stored first: from here on the event survives kill -9 once the
	 * read's batch is committed, whatever happens to the memory queue. */
	if (d->fwdq && store_raw(d, src, s->format, truncated, head.h.received_us, msg, n, &head.h.seq))
		head.h.seq = 0;
	head.h.idx = d->rx_idx;
	/* UDP cannot be slowed down: what does not fit is not detected (it is
	 * stored and forwarded) and counted. Everything else waits, which
	 * stops the loop reading that socket; what this read stored is
	 * committed before the wait. */
	int wait = src->proto != COLLECT_UDP;
	enum cg_err rc = daemon_queue_push_quiet(d->msgs, &head, sizeof head.h + pl, msg, n, 0);
	if (rc == CG_ELIMIT && wait) {
		cg_err_clear();
		on_flush(d);
		rc = daemon_queue_push_quiet(d->msgs, &head, sizeof head.h + pl, msg, n, 1);
	}
	if (rc) {
		cg_err_clear();
		atomic_fetch_add_explicit(&s->dropped, 1, memory_order_relaxed);
	} else {
		d->rx_idx++;
		d->rx_unwoken = 1;
	}
}

/* ---- detection progress: the "detect" cursor ----------------------------- */

/* Messages idx first..last (with disk numbers up to seq) went through
 * detection. Batches finish out of order across workers; the watermark
 * moves only over a contiguous run from the lowest unfinished index. */
static void det_finished(struct daemon *d, uint64_t first, uint64_t last, uint64_t seq)
{
	struct done_run r = {first, last, seq};
	pthread_mutex_lock(&d->det_mu);
	for (;;) {
		if (r.first == d->det_next) {
			d->det_next = r.last + 1;
			if (r.seq > d->det_seq)
				d->det_seq = r.seq;
			size_t i = 0;
			while (i < d->det_nruns && d->det_runs[i].first != d->det_next)
				i++;
			if (i == d->det_nruns)
				break;
			r = d->det_runs[i];
			d->det_runs[i] = d->det_runs[--d->det_nruns];
			continue;
		}
		/* Join the runs it touches, keep it for later. */
		int merged = 0;
		for (size_t i = 0; i < d->det_nruns; i++) {
			struct done_run *x = &d->det_runs[i];
			if (x->last + 1 == r.first || r.last + 1 == x->first) {
				r.first = x->first < r.first ? x->first : r.first;
				r.last = x->last > r.last ? x->last : r.last;
				r.seq = x->seq > r.seq ? x->seq : r.seq;
				*x = d->det_runs[--d->det_nruns];
				merged = 1;
				break;
			}
		}
		if (merged)
			continue;
		/* Runs are separated by batches still in a worker's hands: at
		 * most one per worker. Were it ever full, the watermark would
		 * stall (safe: more is detected again after a restart). */
		if (d->det_nruns < DONE_RUNS)
			d->det_runs[d->det_nruns++] = r;
		break;
	}
	pthread_mutex_unlock(&d->det_mu);
}

/* Persist the watermark (control thread; at the end, the main thread): only
 * once the alerts of those events are committed by the writer, and never
 * past what the queue has committed. */
static void det_save(struct daemon *d)
{
	if (!d->detect_cur)
		return;
	uint64_t durable = atomic_load(&d->alerts_durable);
	if (!d->det_cand) {
		pthread_mutex_lock(&d->det_mu);
		uint64_t cand = d->det_seq;
		pthread_mutex_unlock(&d->det_mu);
		struct daemon_queue_stats as;
		daemon_queue_stats(d->alerts, &as);
		struct fwd_queue_stats qs;
		fwd_queue_stats(d->fwdq, &qs);
		if (cand > qs.committed_seq)
			cand = qs.committed_seq;
		if (cand > fwd_cursor_acked(d->detect_cur)) {
			d->det_cand = cand;
			d->det_cand_alerts = as.pushed;
		}
	}
	if (d->det_cand && durable >= d->det_cand_alerts) {
		enum cg_err rc = fwd_cursor_ack(d->detect_cur, d->det_cand);
		if (rc) {
			daemon_log(DLOG_ERROR, "detect_cursor_failed", "error", cg_err_msg(rc), NULL);
			cg_err_clear();
		} else
			atomic_store(&d->det_saved, d->det_cand);
		d->det_cand = 0;
	}
}

/* ---- workers: parse → detect → alert queue ------------------------------ */

/* An alert and its event as one queue record: fixed numbers, then the
 * lengths and bytes of the strings. */
enum { AS_RULE, AS_TITLE, AS_LEVEL, AS_IND, AS_IND_TYPE, AS_SOURCES, AS_FAMILY, AS_HOST, AS_SYSTEM, AS_FILE,
       AS_EXCERPT, AS_N };
struct alert_rec_head {
	int32_t kind, severity, security_level, pad;
	int64_t host_id, first_seen, last_seen, event_time;
	uint64_t line, record_id;
	uint32_t len[AS_N];
};

static enum cg_err on_alert(void *ctx, const struct alert *a, const struct alert_event *ev)
{
	struct worker *w = ctx;
	struct daemon *d = w->d;
	const char *s[AS_N] = {a->rule_id, a->title,  a->level, a->indicator, a->indicator_type, a->sources,
			       a->family,  a->host,   a->system, ev->file,    ev->excerpt};
	struct alert_rec_head h = {
		.kind = (int32_t)a->kind,
		.severity = (int32_t)a->severity,
		.security_level = a->security_level,
		.host_id = a->host_id,
		.first_seen = a->first_seen,
		.last_seen = a->last_seen,
		.event_time = ev->event_time,
		.line = ev->line,
		.record_id = ev->record_id,
	};
	cg_buf_reset(&w->alert_rec);
	for (int i = 0; i < AS_N; i++) {
		size_t l = !s[i] ? 0 : i == AS_EXCERPT ? ev->excerpt_len : strlen(s[i]);
		if (i == AS_EXCERPT && l > ALERT_EXCERPT_MAX)
			l = ALERT_EXCERPT_MAX;
		if (l > 4096)
			l = 4096;
		h.len[i] = (uint32_t)l;
		if (l && cg_buf_append(&w->alert_rec, s[i], l))
			return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	atomic_fetch_add_explicit(&d->alerts_in, 1, memory_order_relaxed);
	enum cg_err rc = daemon_queue_push(d->alerts, &h, sizeof h, w->alert_rec.data, w->alert_rec.len, 1);
	if (rc)
		atomic_fetch_add_explicit(&d->alert_errors, 1, memory_order_relaxed);
	return CG_OK;
}

static void process(struct worker *w, const unsigned char *rec, size_t len, struct done_run *run)
{
	struct daemon *d = w->d;
	struct msg_head h;
	if (len < sizeof h)
		return;
	memcpy(&h, rec, sizeof h);
	if (run->first == UINT64_MAX)
		run->first = h.idx;
	run->last = h.idx;
	if (h.seq > run->seq)
		run->seq = h.seq;
	if (h.source >= d->n_sources || sizeof h + h.peer_len > len)
		return;
	struct source *s = &d->sources[h.source];
	const char *msg = (const char *)rec + sizeof h + h.peer_len;
	size_t n = len - sizeof h - h.peer_len;
	cg_event_set_received(w->ev, h.received_us);
	enum cg_err rc = daemon_parse_message(msg, n, s->format, w->ev);
	if (rc) {
		atomic_fetch_add_explicit(&s->parse_errors, 1, memory_order_relaxed);
		cg_event_reset(w->ev);
	} else
		atomic_fetch_add_explicit(&s->parsed, 1, memory_order_relaxed);
	if (cg_event_truncated(w->ev))
		atomic_fetch_add_explicit(&s->truncated, 1, memory_order_relaxed);
	rc = detect_worker_match_raw(w->dw, w->ev, msg, n, s->name, on_alert, w);
	if (rc) {
		daemon_log(DLOG_WARN, "detect_error", "source", s->name, "error", cg_err_msg(rc), NULL);
		cg_err_clear();
	}
	atomic_fetch_add_explicit(&s->out, 1, memory_order_relaxed);
	if (d->cfg->log_events) {
		const char *m = "";
		size_t ml = 0;
		(void)cg_event_message(w->ev, &m, &ml);
		char tmp[256];
		snprintf(tmp, sizeof tmp, "%.*s", (int)(ml < 200 ? ml : 200), m);
		daemon_log(DLOG_DEBUG, "event", "source", s->name, "host", cg_event_host(w->ev), "app",
			   cg_event_program(w->ev), "message", tmp, NULL);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct daemon *d = w->d;
	for (;;) {
		size_t n = 0;
		if (daemon_queue_pop(d->msgs, w->batch, WORKER_BATCH, &n, -1))
			break;
		size_t off = 0, len;
		const unsigned char *rec;
		struct done_run run = {UINT64_MAX, 0, 0};
		while ((rec = daemon_queue_next(w->batch, n, &off, &len)))
			process(w, rec, len, &run);
		/* Its alerts are in the writer's queue: the batch is through. */
		if (run.first != UINT64_MAX)
			det_finished(d, run.first, run.last, run.seq);
	}
	return NULL;
}

/* ---- the alert writer ---------------------------------------------------- */

static int power_of_ten(uint64_t n)
{
	if (n < 10)
		return 0;
	while (n % 10 == 0)
		n /= 10;
	return n == 1;
}

struct fwd_alert_ctx {
	struct daemon *d;
	struct cg_buf *rec;
};

static enum cg_err forward_stored_alert(void *ctx, const struct alert *a)
{
	struct fwd_alert_ctx *fc = ctx;
	enum cg_err rc = fwd_record_alert(a, fc->rec);
	if (!rc)
		forward(fc->d, fc->rec->data, fc->rec->len);
	return rc;
}

static void store_alert_rec(struct daemon *d, struct alert_store *st, struct cg_buf *fwd_rec,
			    const unsigned char *rec, size_t len)
{
	struct alert_rec_head h;
	if (len < sizeof h)
		return;
	memcpy(&h, rec, sizeof h);
	char *str[AS_N];
	char buf[ALERT_EXCERPT_MAX + 4096 * (AS_N - 1) + AS_N];
	size_t off = sizeof h, bo = 0;
	for (int i = 0; i < AS_N; i++) {
		if (off + h.len[i] > len || bo + h.len[i] + 1 > sizeof buf)
			return;
		str[i] = buf + bo;
		memcpy(buf + bo, rec + off, h.len[i]);
		buf[bo + h.len[i]] = '\0';
		bo += h.len[i] + 1;
		off += h.len[i];
	}
	struct alert a = {
		.kind = (enum alert_kind)h.kind,
		.rule_id = str[AS_RULE],
		.title = str[AS_TITLE],
		.level = str[AS_LEVEL],
		.indicator = str[AS_IND],
		.indicator_type = str[AS_IND_TYPE],
		.sources = str[AS_SOURCES],
		.family = str[AS_FAMILY],
		.severity = (enum alert_severity)h.severity,
		.host_id = h.host_id,
		.host = str[AS_HOST],
		.system = str[AS_SYSTEM],
		.security_level = h.security_level,
		.first_seen = h.first_seen,
		.last_seen = h.last_seen,
	};
	struct alert_event ev = {
		.file = str[AS_FILE],
		.line = h.line,
		.record_id = h.record_id,
		.event_time = h.event_time,
		.excerpt = str[AS_EXCERPT],
		.excerpt_len = h.len[AS_EXCERPT],
	};
	struct alert_added added;
	enum cg_err rc = alert_store_record(st, &a, &ev, &added);
	if (rc) {
		atomic_fetch_add_explicit(&d->alert_errors, 1, memory_order_relaxed);
		daemon_log(DLOG_ERROR, "alert_store_error", "error", cg_err_msg(rc), NULL);
		cg_err_clear();
		return;
	}
	atomic_fetch_add_explicit(&d->alerts_stored, 1, memory_order_relaxed);
	if (added.counted)
		atomic_fetch_add_explicit(&d->alerts_new, 1, memory_order_relaxed);
	/* Forwarded: a new alert, then the alert again when its count reaches
	 * 10, 100, 1000, ... (the receiver keeps the latest record of an id);
	 * each record is the alert as stored (id, count, first/last seen, state). */
	if (d->fwdq && d->cfg->forward_alerts && added.counted && (added.opened || power_of_ten(added.count))) {
		struct fwd_alert_ctx fc = {d, fwd_rec};
		if (alert_store_get(st, added.id, forward_stored_alert, &fc))
			cg_err_clear();
	}
}

static void *writer_main(void *arg)
{
	struct daemon *d = arg;
	struct alert_store *st = NULL;
	size_t cap = daemon_queue_max_record(d->alerts) + 8;
	unsigned char *buf = malloc(cap);
	int timeout = (int)d->cfg->alert_flush_ms;
	if (!buf || alert_store_open(d->db, (int64_t)(cg_time_now_us() / 1000000), &st)) {
		daemon_log(DLOG_ERROR, "alert_writer_failed", "error", cg_err_msg(CG_EDB), NULL);
		cg_err_clear();
		/* Keep draining so the workers never block for ever. */
		size_t n;
		while (buf && !daemon_queue_pop(d->alerts, buf, cap, &n, -1)) {
			size_t off = 0, len;
			while (daemon_queue_next(buf, n, &off, &len)) {
				atomic_fetch_add_explicit(&d->alert_errors, 1, memory_order_relaxed);
				atomic_fetch_add(&d->alerts_durable, 1); /* lost, logged: detection moves on */
			}
		}
		free(buf);
		return NULL;
	}
	alert_store_set_window(st, (int64_t)d->cfg->alert_window_s);
	alert_store_set_event_cap(st, d->cfg->alert_events_max);
	int dirty = 0;
	uint64_t popped = 0;
	int64_t last_flush = cg_time_now_us();
	struct cg_buf fwd_rec;
	cg_buf_init(&fwd_rec, (size_t)1 << 20);
	for (;;) {
		size_t n = 0;
		enum cg_err rc = daemon_queue_pop(d->alerts, buf, cap, &n, dirty ? timeout : -1);
		if (rc)
			break;
		/* Quiet for a moment, or busy for that long: commit what the batch
		 * holds (detection's watermark waits for it). */
		if (dirty && (n == 0 || cg_time_now_us() - last_flush >= (int64_t)timeout * 1000)) {
			if (alert_store_flush(st)) {
				/* Not durable: detection's cursor stays before these
				 * events, so a restart detects them again. */
				daemon_log(DLOG_ERROR, "alert_commit_failed", "error", cg_err_msg(CG_EDB), NULL);
				cg_err_clear();
			} else
				atomic_store(&d->alerts_durable, popped);
			atomic_fetch_add_explicit(&d->commits, 1, memory_order_relaxed);
			last_flush = cg_time_now_us();
			dirty = 0;
		}
		if (n == 0)
			continue;
		/* What is written now is stamped now (created, updated; the window of
		 * events without a time of their own). */
		alert_store_set_now(st, (int64_t)(cg_time_now_us() / 1000000));
		size_t off = 0, len;
		const unsigned char *rec;
		while ((rec = daemon_queue_next(buf, n, &off, &len))) {
			store_alert_rec(d, st, &fwd_rec, rec, len);
			popped++;
		}
		if (!dirty)
			last_flush = cg_time_now_us();
		if (d->fwdq && d->cfg->forward_alerts)
			forward_commit(d);
		dirty = 1;
	}
	if (alert_store_flush(st)) {
		daemon_log(DLOG_ERROR, "alert_commit_failed", "error", cg_err_msg(CG_EDB), NULL);
		cg_err_clear();
	}
	atomic_store(&d->alerts_durable, popped);
	alert_store_close(st);
	cg_buf_free(&fwd_rec);
	free(buf);
	return NULL;
}

/* ---- duty: notices and escalation, on its own connection ------------------ */

static void *duty_main(void *arg)
{
	struct daemon *d = arg;
	pthread_mutex_lock(&d->stop_mu);
	while (!atomic_load(&d->stopping)) {
		pthread_mutex_unlock(&d->stop_mu);
		enum cg_err rc = duty_tick(d->duty, cg_now());
		atomic_fetch_add(&d->duty_ticks, 1);
		if (rc) {
			atomic_fetch_add(&d->duty_errors, 1);
			daemon_log(DLOG_ERROR, "duty_tick_failed", "error", cg_err_msg(rc), NULL);
			cg_err_clear();
		}
		pthread_mutex_lock(&d->stop_mu);
		if (atomic_load(&d->stopping))
			break;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&d->stop_cv, &d->stop_mu, &ts);
	}
	pthread_mutex_unlock(&d->stop_mu);
	return NULL;
}

/* ---- snapshots and the control thread ----------------------------------- */

static enum cg_err load_snapshot(const struct daemon_config *c, struct cg_db *db, uint64_t gen,
				 struct detect_snapshot **out, char *err, size_t errn)
{
	struct detect_opts o = {
		.db = db,
		.sigma_paths = (const char *const *)c->sigma,
		.n_sigma = c->n_sigma,
		.thresholds_path = c->thresholds,
		.hunt_special = c->hunt_special,
	};
	return detect_snapshot_load(&o, gen, out, err, errn);
}

static void log_snapshot(const char *event, const struct detect_snapshot *s)
{
	struct detect_counts k;
	detect_snapshot_counts(s, &k);
	char g[24], i[24], r[24], t[24], j[24];
	u64s(g, sizeof g, k.generation);
	u64s(i, sizeof i, k.indicators);
	u64s(r, sizeof r, k.sigma_rules);
	u64s(j, sizeof j, k.sigma_rejected);
	u64s(t, sizeof t, k.threshold_rules);
	daemon_log(DLOG_INFO, event, "generation", g, "indicators", i, "sigma_rules", r, "sigma_rejected", j,
		   "threshold_rules", t, NULL);
}

static void reload(struct daemon *d, const char *why)
{
	uint64_t gen = atomic_load(&d->generation) + 1;
	char err[1024] = "";
	struct detect_snapshot *s = NULL;
	uint64_t ig = 0;
	if (store_intel_generation(d->db, &ig)) {
		daemon_log(DLOG_WARN, "intel_generation_failed", "error", cg_err_msg(CG_EDB), NULL);
		cg_err_clear();
	}
	enum cg_err rc = load_snapshot(d->cfg, d->db, gen, &s, err, sizeof err);
	if (rc) {
		atomic_fetch_add(&d->reload_failures, 1);
		char g[24];
		u64s(g, sizeof g, atomic_load(&d->generation));
		daemon_log(DLOG_ERROR, "reload_failed", "reason", why, "error", err[0] ? err : cg_err_msg(rc),
			   "kept_generation", g, NULL);
		cg_err_clear();
		/* Do not retry the same intel generation in a loop. */
		d->intel_generation = ig;
		return;
	}
	log_snapshot("reload", s);
	detect_swap(d->detect, s);
	atomic_store(&d->generation, gen);
	atomic_fetch_add(&d->reloads, 1);
	d->intel_generation = ig;
}

static void *control_main(void *arg)
{
	struct daemon *d = arg;
	int64_t last_poll = cg_time_now_us(), last_tick = last_poll;
	pthread_mutex_lock(&d->stop_mu);
	while (!atomic_load(&d->stopping)) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200 * 1000000L;
		if (ts.tv_nsec >= 1000000000L)
			ts.tv_sec++, ts.tv_nsec -= 1000000000L;
		pthread_cond_timedwait(&d->stop_cv, &d->stop_mu, &ts);
		if (atomic_load(&d->stopping))
			break;
		pthread_mutex_unlock(&d->stop_mu);
		int64_t t = cg_time_now_us();
		if (atomic_exchange(&d->reload_wanted, 0))
			reload(d, "signal");
		else if (d->cfg->intel_poll_s && t - last_poll >= (int64_t)d->cfg->intel_poll_s * 1000000) {
			last_poll = t;
			uint64_t ig = 0;
			if (store_intel_generation(d->db, &ig) == CG_OK && ig != d->intel_generation)
				reload(d, "intel");
			cg_err_clear();
		}
		det_save(d);
		if (t - last_tick >= 1000000) {
			last_tick = t;
			/* Threshold windows close by time. */
			if (detect_tick(d->detect, t, NULL, NULL))
				cg_err_clear();
		}
		pthread_mutex_lock(&d->stop_mu);
	}
	pthread_mutex_unlock(&d->stop_mu);
	return NULL;
}

/* ---- metrics ------------------------------------------------------------- */

/* A label value as the Prometheus text format wants it (\\, \" and \\n
 * escaped); names come from the configuration, cut at 127 bytes. */
static const char *label(const char *s, char out[256])
{
	size_t o = 0;
	for (size_t i = 0; s[i] && i < 127; i++) {
		if (s[i] == '\\' || s[i] == '"' || s[i] == '\n') {
			out[o++] = '\\';
			out[o++] = s[i] == '\n' ? 'n' : s[i];
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
	return out;
}

static enum cg_err metric(struct cg_buf *b, const char *name, const char *help, const char *type)
{
	return cg_buf_printf(b, "# HELP canhgacd_%s %s\n# TYPE canhgacd_%s %s\n", name, help, name, type);
}

enum cg_err daemon_metrics_render(struct daemon *d, struct cg_buf *b)
{
	enum cg_err rc = CG_OK;
	static const struct {
		const char *name, *help;
		size_t off;
	} per_source[] = {
		{"messages_received_total", "Messages received per source.", offsetof(struct source, in)},
		{"bytes_received_total", "Bytes received per source.", offsetof(struct source, bytes)},
		{"messages_dropped_total",
		 "Messages not detected per source (UDP with the memory queue full; stored and forwarded all the same).",
		 offsetof(struct source, dropped)},
		{"messages_truncated_total", "Messages cut at the size cap per source.",
		 offsetof(struct source, truncated)},
		{"events_parsed_total", "Messages parsed into events per source.", offsetof(struct source, parsed)},
		{"parse_errors_total", "Messages that did not parse per source.",
		 offsetof(struct source, parse_errors)},
		{"events_processed_total", "Events through detection per source.", offsetof(struct source, out)},
	};
	for (size_t m = 0; !rc && m < sizeof per_source / sizeof per_source[0]; m++) {
		rc = metric(b, per_source[m].name, per_source[m].help, "counter");
		for (size_t i = 0; !rc && i < d->n_sources; i++) {
			struct source *s = &d->sources[i];
			_Atomic uint64_t *v = (_Atomic uint64_t *)((char *)s + per_source[m].off);
			char lb[256];
			rc = cg_buf_printf(b, "canhgacd_%s{source=\"%s\",kind=\"%s\"} %" PRIu64 "\n", per_source[m].name,
					   label(s->name, lb), s->kind, atomic_load(v));
		}
	}
	static const struct {
		const char *name, *help;
		size_t off;
	} per_conn[] = {
		{"connections_total", "TCP/TLS connections accepted per source.", offsetof(struct collect_stats, conns)},
		{"connections_open", "TCP/TLS connections open per source.", offsetof(struct collect_stats, conns_open)},
		{"connections_refused_total", "Connections closed at once at the cap per source.",
		 offsetof(struct collect_stats, conns_refused)},
		{"framing_errors_total", "Bad octet counts per source.", offsetof(struct collect_stats, framing_errors)},
		{"tls_failures_total", "Failed TLS handshakes per source.", offsetof(struct collect_stats, tls_failures)},
		{"read_errors_total", "Socket or file read errors per source.", offsetof(struct collect_stats, read_errors)},
		{"file_rotations_total", "File rotations followed.", offsetof(struct collect_stats, rotations)},
		{"file_truncations_total", "File truncations followed.", offsetof(struct collect_stats, truncations)},
	};
	size_t ns = collect_source_count(d->collect);
	for (size_t m = 0; !rc && m < sizeof per_conn / sizeof per_conn[0]; m++) {
		rc = metric(b, per_conn[m].name, per_conn[m].help,
			    strstr(per_conn[m].name, "_total") ? "counter" : "gauge");
		for (size_t i = 0; !rc && i < ns; i++) {
			struct collect_stats cs;
			collect_stats(d->collect, i, &cs);
			uint64_t v;
			memcpy(&v, (const char *)&cs + per_conn[m].off, sizeof v);
			char lb[256];
			rc = cg_buf_printf(b, "canhgacd_%s{source=\"%s\"} %" PRIu64 "\n", per_conn[m].name,
					   label(cs.name, lb), v);
		}
	}
	struct daemon_queue_stats qs, as;
	daemon_queue_stats(d->msgs, &qs);
	daemon_queue_stats(d->alerts, &as);
	struct detect_stats ds;
	detect_stats(d->detect, &ds);
	struct {
		const char *name, *help, *type;
		uint64_t v;
	} one[] = {
		{"queue_messages", "Messages waiting in the queue.", "gauge", qs.records},
		{"queue_bytes", "Bytes in use in the message queue.", "gauge", qs.bytes},
		{"queue_capacity_bytes", "Size of the message queue.", "gauge", qs.cap},
		{"queue_full_total", "Times a receiver found the message queue full.", "counter", qs.full},
		{"alert_queue_records", "Alerts waiting for the writer.", "gauge", as.records},
		{"alerts_total", "Alerts raised by detection.", "counter", atomic_load(&d->alerts_in)},
		{"alerts_stored_total", "Alert events stored.", "counter", atomic_load(&d->alerts_stored)},
		{"alert_events_new_total", "Alert events that were new to the store.", "counter",
		 atomic_load(&d->alerts_new)},
		{"alert_errors_total", "Alerts that could not be queued or stored.", "counter",
		 atomic_load(&d->alert_errors)},
		{"alert_commits_total", "Alert store commits.", "counter", atomic_load(&d->commits)},
		{"indicator_alerts_total", "Indicator matches.", "counter", ds.indicator_alerts},
		{"sigma_alerts_total", "Sigma rule matches.", "counter", ds.sigma_alerts},
		{"threshold_alerts_total", "Threshold rule matches.", "counter", ds.threshold_alerts},
		{"threshold_groups", "Threshold groups held.", "gauge", ds.groups},
		{"threshold_groups_evicted_total", "Threshold groups dropped at the cap.", "counter",
		 ds.groups_evicted},
		{"snapshot_generation", "Generation of the detection snapshot in use.", "gauge",
		 atomic_load(&d->generation)},
		{"reloads_total", "Snapshots swapped in.", "counter", atomic_load(&d->reloads)},
		{"reload_failures_total", "Reloads refused (the old snapshot stayed).", "counter",
		 atomic_load(&d->reload_failures)},
		{"intel_generation", "Intel generation of the database the snapshot was built from.", "gauge",
		 d->intel_generation},
		{"detect_done_seq", "Disk queue number up to which detection is finished and saved (the detect cursor).",
		 "gauge", atomic_load(&d->det_saved)},
		{"detect_replayed_total", "Stored messages detected again at start (not finished before a stop or crash).",
		 "counter", atomic_load(&d->replayed)},
		{"detect_replay_skipped_total", "Stored messages not detected again at start (source gone or damaged).",
		 "counter", atomic_load(&d->replay_skipped)},
	};
	for (size_t i = 0; !rc && i < sizeof one / sizeof one[0]; i++) {
		rc = metric(b, one[i].name, one[i].help, one[i].type);
		if (!rc)
			rc = cg_buf_printf(b, "canhgacd_%s %" PRIu64 "\n", one[i].name, one[i].v);
	}
	if (!rc && d->fwdq) {
		struct fwd_stats fs;
		if (d->fwd)
			fwd_stats(d->fwd, &fs);
		else {
			memset(&fs, 0, sizeof fs);
			fwd_queue_stats(d->fwdq, &fs.queue);
		}
		rc = cg_buf_printf(b,
				   "# HELP canhgacd_forward_appended_total Records stored in the disk queue (messages at receipt, alerts).\n"
				   "# TYPE canhgacd_forward_appended_total counter\n"
				   "canhgacd_forward_appended_total %" PRIu64 "\n"
				   "# HELP canhgacd_forward_refused_total Records the disk queue refused (UDP or alerts at its bound, errors).\n"
				   "# TYPE canhgacd_forward_refused_total counter\n"
				   "canhgacd_forward_refused_total %" PRIu64 "\n"
				   "# HELP canhgacd_forward_queue_bytes Bytes of the forward queue on disk.\n"
				   "# TYPE canhgacd_forward_queue_bytes gauge\n"
				   "canhgacd_forward_queue_bytes %" PRIu64 "\n"
				   "# HELP canhgacd_forward_queue_max_bytes Bound of the forward queue.\n"
				   "# TYPE canhgacd_forward_queue_max_bytes gauge\n"
				   "canhgacd_forward_queue_max_bytes %" PRIu64 "\n"
				   "# HELP canhgacd_forward_queue_alarm 1 while the forward queue is above its alarm level.\n"
				   "# TYPE canhgacd_forward_queue_alarm gauge\n"
				   "canhgacd_forward_queue_alarm %d\n"
				   "# HELP canhgacd_forward_committed_seq Last sequence number committed to the queue.\n"
				   "# TYPE canhgacd_forward_committed_seq gauge\n"
				   "canhgacd_forward_committed_seq %" PRIu64 "\n",
				   atomic_load(&d->fwd_appended), atomic_load(&d->fwd_refused), fs.queue.bytes,
				   fs.queue.max_bytes, fs.queue.alarm, fs.queue.committed_seq);
		static const char *const up_metrics[] = {"forward_delivered_seq", "forward_lag_records",
							 "forward_connected", "forward_errors_total",
							 "forward_redelivered_total"};
		static const char *const up_help[] = {
			"Last sequence number the upstream confirmed.", "Records committed but not delivered yet.",
			"1 while the upstream is connected.", "Delivery errors.", "Records sent again (marked)."};
		for (size_t m = 0; !rc && m < 5; m++) {
			rc = metric(b, up_metrics[m], up_help[m], strstr(up_metrics[m], "_total") ? "counter" : "gauge");
			for (size_t i = 0; !rc && i < fs.n; i++) {
				uint64_t v = m == 0 ? fs.up[i].delivered_seq
					     : m == 1 ? fs.up[i].pending
					     : m == 2 ? (uint64_t)fs.up[i].connected
					     : m == 3 ? fs.up[i].errors
						      : fs.up[i].redelivered;
				char lb[256];
				rc = cg_buf_printf(b, "canhgacd_%s{upstream=\"%s\"} %" PRIu64 "\n", up_metrics[m],
						   label(fs.up[i].name, lb), v);
			}
		}
	}
	if (!rc && d->duty)
		rc = cg_buf_printf(b,
				   "# HELP canhgacd_duty_ticks_total Duty engine runs.\n"
				   "# TYPE canhgacd_duty_ticks_total counter\n"
				   "canhgacd_duty_ticks_total %" PRIu64 "\n"
				   "# HELP canhgacd_duty_errors_total Duty engine runs that failed.\n"
				   "# TYPE canhgacd_duty_errors_total counter\n"
				   "canhgacd_duty_errors_total %" PRIu64 "\n",
				   atomic_load(&d->duty_ticks), atomic_load(&d->duty_errors));
	struct detect_snapshot *s = detect_acquire(d->detect);
	struct detect_counts k;
	detect_snapshot_counts(s, &k);
	detect_snapshot_unref(s);
	if (!rc)
		rc = metric(b, "snapshot_items", "What the snapshot in use holds.", "gauge");
	if (!rc)
		rc = cg_buf_printf(b,
				   "canhgacd_snapshot_items{part=\"indicators\"} %zu\n"
				   "canhgacd_snapshot_items{part=\"sigma_rules\"} %zu\n"
				   "canhgacd_snapshot_items{part=\"threshold_rules\"} %zu\n",
				   k.indicators, k.sigma_rules, k.threshold_rules);
	return rc;
}

static enum cg_err metrics_page(void *ctx, struct cg_buf *out)
{
	return daemon_metrics_render(ctx, out);
}

/* ---- start and stop ------------------------------------------------------ */

static enum cg_err drop_privileges(const struct daemon_config *c)
{
	if (!c->user)
		return CG_OK;
	struct passwd *pw = getpwnam(c->user);
	if (!pw)
		return cg_err_set(CG_ENOTFOUND, _("%s: field 'user': no user '%s'"), c->path, c->user);
	gid_t gid = pw->pw_gid;
	if (c->group) {
		struct group *gr = getgrnam(c->group);
		if (!gr)
			return cg_err_set(CG_ENOTFOUND, _("%s: field 'group': no group '%s'"), c->path, c->group);
		gid = gr->gr_gid;
	}
	if (getuid() == pw->pw_uid && geteuid() == pw->pw_uid)
		return CG_OK; /* already that user (tests, a unit with User=) */
	if (setgroups(1, &gid) || setgid(gid) || setuid(pw->pw_uid))
		return cg_err_set(CG_EIO, _("cannot change to user '%s': %s"), c->user, strerror(errno));
	/* Make sure there is no way back. */
	if (setuid(0) == 0)
		return cg_err_set(CG_EINTERNAL, _("privileges could be regained after dropping them"));
	return CG_OK;
}

static enum cg_err write_pid(struct daemon *d)
{
	if (!d->cfg->pid_file)
		return CG_OK;
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", d->cfg->pid_file);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return cg_err_set(CG_EIO, _("%s: cannot write the pid file: %s"), d->cfg->pid_file, strerror(errno));
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) || rename(tmp, d->cfg->pid_file)) {
		unlink(tmp);
		return cg_err_set(CG_EIO, _("%s: cannot write the pid file: %s"), d->cfg->pid_file, strerror(errno));
	}
	d->pid_written = 1;
	return CG_OK;
}

static enum collect_format collect_fmt(enum daemon_format f)
{
	switch (f) {
	case DAEMON_FMT_SYSLOG: return COLLECT_FMT_SYSLOG;
	case DAEMON_FMT_JSON: return COLLECT_FMT_JSON;
	case DAEMON_FMT_CEF: return COLLECT_FMT_CEF;
	default: return COLLECT_FMT_AUTO;
	}
}

static enum cg_err make_dir(const char *path)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp)
		return cg_err_set(CG_ELIMIT, _("%s: path too long"), path);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0750) && errno != EEXIST)
				return cg_err_set(CG_EIO, _("%s: cannot create: %s"), tmp, strerror(errno));
			*p = '/';
		}
	if (mkdir(tmp, 0750) && errno != EEXIST)
		return cg_err_set(CG_EIO, _("%s: cannot create: %s"), tmp, strerror(errno));
	return CG_OK;
}

static enum cg_err bind_listeners(struct daemon *d)
{
	const struct daemon_config *c = d->cfg;
	/* state_dir is made later, by the unprivileged user that writes it. */
	enum cg_err rc = collect_new(c->state_dir, on_message, d, &d->collect);
	if (!rc)
		collect_set_flush(d->collect, on_flush);
	for (size_t i = 0; !rc && i < c->n_listeners; i++) {
		const struct daemon_listener *l = &c->listeners[i];
		struct collect_listener_opts o = {
			.name = l->name,
			.proto = l->proto == DAEMON_UDP ? COLLECT_UDP : l->proto == DAEMON_TCP ? COLLECT_TCP : COLLECT_TLS,
			.format = collect_fmt(l->format),
			.address = l->address,
			.port = l->port,
			.tls_cert = l->tls_cert,
			.tls_key = l->tls_key,
			.tls_ca = l->tls_ca,
			.tls_verify_client = l->tls_verify_client,
			.max_msg = l->max_message,
		};
		struct source *s = &d->sources[d->n_sources++];
		s->name = l->name;
		s->kind = daemon_proto_name(l->proto);
		s->format = l->format;
		rc = collect_add_listener(d->collect, &o);
		if (rc)
			rc = cg_err_prefix(rc, _("%s: listener '%s'"), c->path, l->name);
	}
	return rc;
}

static enum cg_err add_files(struct daemon *d)
{
	const struct daemon_config *c = d->cfg;
	enum cg_err rc = c->state_dir ? make_dir(c->state_dir) : CG_OK;
	for (size_t i = 0; !rc && i < c->n_files; i++) {
		const struct daemon_file *f = &c->files[i];
		struct collect_file_opts o = {.name = f->name,
					      .path = f->path,
					      .format = collect_fmt(f->format),
					      .max_msg = f->max_message,
					      .from_end = f->from_end};
		struct source *s = &d->sources[d->n_sources++];
		s->name = f->name;
		s->kind = "file";
		s->format = f->format;
		rc = collect_add_file(d->collect, &o);
		if (rc)
			rc = cg_err_prefix(rc, _("%s: file '%s'"), c->path, f->name);
	}
	return rc;
}

static void fwd_log(void *ctx, const char *msg)
{
	(void)ctx;
	daemon_log(DLOG_WARN, "forward_queue", "message", msg, NULL);
}

/* What an upstream thread needs to render a stored raw event. */
struct render_state {
	const struct daemon *d;
	struct cg_event *ev;
	struct cg_buf out;
	char origin[160];
};

static void render_free(void *p)
{
	struct render_state *r = p;
	if (!r)
		return;
	cg_event_free(r->ev);
	cg_buf_free(&r->out);
	free(r);
}

static void *render_new(void *ctx)
{
	struct render_state *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->d = ctx;
	cg_buf_init(&r->out, (size_t)4 << 20);
	if (cg_event_new(&r->ev)) {
		cg_err_clear();
		render_free(r);
		return NULL;
	}
	return r;
}

/* A raw event is parsed now, exactly as a worker parses it, and rendered
 * as the fwd_record JSON the upstreams send; alert records (and JSON
 * records left by an older canhgacd) go as they are. */
static enum cg_err render(void *p, const void *rec, size_t n, const void **out, size_t *out_n)
{
	struct render_state *r = p;
	if (!daemon_raw_is(rec, n)) {
		*out = rec;
		*out_n = n;
		return CG_OK;
	}
	if (!r->d->cfg->forward_events)
		return CG_ENOTFOUND;
	struct daemon_raw raw;
	enum cg_err rc = daemon_raw_decode(rec, n, &raw);
	if (rc)
		return rc;
	cg_event_set_received(r->ev, raw.received_us);
	if (daemon_parse_message(raw.msg, raw.msg_len, (enum daemon_format)raw.format, r->ev)) {
		cg_err_clear();
		cg_event_reset(r->ev);
	}
	snprintf(r->origin, sizeof r->origin, "%.*s %.*s", (int)raw.name_len, raw.name, (int)raw.peer_len, raw.peer);
	rc = fwd_record_event(r->ev, raw.msg, raw.msg_len, r->origin, &r->out);
	if (rc)
		return rc;
	*out = r->out.data;
	*out_n = r->out.len;
	return CG_OK;
}

/* The disk queue (state_dir/forward or forward.queue_dir) is where every
 * received message is stored first; it exists whenever there is a place
 * for it, upstreams or not. */
static enum cg_err start_forward(struct daemon *d)
{
	const struct daemon_config *c = d->cfg;
	if (!c->forward_dir && !c->state_dir)
		return CG_OK;
	char dir[4096];
	if (c->forward_dir)
		snprintf(dir, sizeof dir, "%s", c->forward_dir);
	else
		snprintf(dir, sizeof dir, "%s/forward", c->state_dir);
	struct fwd_queue_opts qo = {
		.max_bytes = c->forward_max_bytes,
		.alarm_pct = c->forward_alarm_pct,
		.sync = c->forward_fsync ? FWD_SYNC_COMMIT : FWD_SYNC_NONE,
		.log = fwd_log,
	};
	enum cg_err rc = fwd_queue_open(dir, &qo, &d->fwdq);
	if (rc)
		return rc;
	if (!(d->rx_rec = malloc(FWD_RECORD_MAX)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	size_t disk_cap = FWD_RECORD_MAX - DAEMON_RAW_HEAD - DAEMON_RAW_NAME_MAX - PEER_MAX;
	if (d->rx_cap > disk_cap)
		d->rx_cap = disk_cap;
	rc = fwd_cursor_open(d->fwdq, DETECT_CURSOR, &d->detect_cur);
	if (rc)
		return cg_err_prefix(rc, _("%s: forward queue"), c->path);
	d->det_seq = fwd_cursor_acked(d->detect_cur);
	atomic_store(&d->det_saved, d->det_seq);
	if (!c->n_upstreams)
		return CG_OK;
	d->transform = (struct fwd_transform){render_new, render_free, render, d};
	struct fwd_upstream_opts u[DAEMON_MAX_UPSTREAMS];
	memset(u, 0, sizeof u);
	for (size_t i = 0; i < c->n_upstreams; i++) {
		const struct daemon_upstream *x = &c->upstreams[i];
		u[i].name = x->name;
		u[i].kind = x->kind == DAEMON_UP_SYSLOG_TCP   ? FWD_SYSLOG_TCP
			    : x->kind == DAEMON_UP_SYSLOG_TLS ? FWD_SYSLOG_TLS
							      : FWD_HTTP_JSON;
		u[i].address = x->address;
		u[i].port = x->port;
		u[i].url = x->url;
		u[i].tls_ca = x->tls_ca;
		u[i].tls_cert = x->tls_cert;
		u[i].tls_key = x->tls_key;
		u[i].batch = x->batch;
		u[i].retry_max_s = x->retry_max_s;
		u[i].transform = &d->transform;
	}
	rc = fwd_start(d->fwdq, u, c->n_upstreams, &d->fwd);
	if (rc)
		return cg_err_prefix(rc, _("%s: forward"), c->path);
	return CG_OK;
}

static enum cg_err start_duty(struct daemon *d)
{
	const struct daemon_config *c = d->cfg;
	if (!c->duty_roster)
		return CG_OK;
	enum cg_err rc = cg_db_open(c->database, &d->duty_db);
	if (rc)
		return rc;
	char err[1024] = "";
	rc = duty_new(d->duty_db, c->duty_roster, cg_now(), &d->duty, err, sizeof err);
	if (rc)
		return err[0] ? cg_err_set(rc, "%s", err) : rc;
	return CG_OK;
}

static void hub_log(void *ctx, enum agent_hub_log_level level, const char *msg)
{
	(void)ctx;
	daemon_log(level == AGENT_HUB_WARN ? DLOG_WARN : DLOG_INFO, "agent_hub", "message", msg, NULL);
}

/* The agents' hub binds now (before privileges are dropped); it starts
 * serving once the pipeline runs. */
static enum cg_err bind_hub(struct daemon *d)
{
	const struct daemon_config *c = d->cfg;
	if (!c->agents_listen)
		return CG_OK;
	struct agent_hub_opts o = {
		.listen = c->agents_listen,
		.ca_dir = c->agents_ca_dir,
		.evidence_dir = c->agents_evidence_dir,
		.max_conns = c->agents_max_conns,
		.log = hub_log,
	};
	enum cg_err rc = agent_hub_new(&o, c->database, &d->hub);
	if (rc)
		return cg_err_prefix(rc, _("%s: agents"), c->path);
	return CG_OK;
}

static unsigned online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1u : n > DAEMON_MAX_WORKERS ? DAEMON_MAX_WORKERS : (unsigned)n;
}

static enum cg_err start_threads(struct daemon *d)
{
	d->n_workers = d->cfg->workers ? d->cfg->workers : online_cpus();
	d->workers = calloc(d->n_workers, sizeof *d->workers);
	if (!d->workers)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	for (unsigned i = 0; i < d->n_workers; i++) {
		struct worker *w = &d->workers[i];
		w->d = d;
		cg_buf_init(&w->alert_rec, (size_t)1 << 20);
		enum cg_err rc = detect_worker_new(d->detect, &w->dw);
		if (!rc)
			rc = cg_event_new(&w->ev);
		if (rc)
			return rc;
		if (!(w->batch = malloc(WORKER_BATCH)))
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		if (pthread_create(&w->th, NULL, worker_main, w))
			return cg_err_set(CG_EINTERNAL, _("cannot start a worker thread"));
		w->started = 1;
	}
	if (d->duty) {
		if (pthread_create(&d->duty_th, NULL, duty_main, d))
			return cg_err_set(CG_EINTERNAL, _("cannot start the duty thread"));
		d->duty_started = 1;
	}
	if (pthread_create(&d->writer_th, NULL, writer_main, d))
		return cg_err_set(CG_EINTERNAL, _("cannot start the alert writer thread"));
	d->writer_started = 1;
	return CG_OK;
}

/* Before the listeners read: what was stored after the detect cursor (in
 * the workers' hands or their queue at a kill -9) is detected again. Not
 * stored again, not forwarded again. */
static void replay(struct daemon *d)
{
	if (!d->detect_cur)
		return;
	uint64_t from = fwd_cursor_acked(d->detect_cur), last = from;
	for (;;) {
		const void *rec;
		size_t n;
		uint64_t seq;
		enum cg_err rc = fwd_cursor_read(d->detect_cur, 0, &rec, &n, &seq);
		if (rc) {
			if (rc != CG_ENOTFOUND)
				daemon_log(DLOG_ERROR, "replay_stopped", "error", cg_err_msg(rc), NULL);
			cg_err_clear();
			break;
		}
		last = seq;
		if (!daemon_raw_is(rec, n))
			continue; /* an alert */
		struct daemon_raw raw;
		size_t si = 0;
		if (daemon_raw_decode(rec, n, &raw) == CG_OK) {
			while (si < d->n_sources && (strlen(d->sources[si].name) != raw.name_len ||
						     memcmp(d->sources[si].name, raw.name, raw.name_len) != 0))
				si++;
		} else {
			cg_err_clear();
			si = d->n_sources;
		}
		if (si == d->n_sources) {
			/* Damaged, or from a source no longer configured. */
			atomic_fetch_add(&d->replay_skipped, 1);
			continue;
		}
		struct {
			struct msg_head h;
			char peer[PEER_MAX];
		} head;
		size_t pl = raw.peer_len < PEER_MAX ? raw.peer_len : PEER_MAX;
		memset(&head.h, 0, sizeof head.h);
		head.h.received_us = raw.received_us;
		head.h.source = (uint16_t)si;
		head.h.peer_len = (uint16_t)pl;
		head.h.seq = seq;
		head.h.idx = d->rx_idx;
		memcpy(head.peer, raw.peer, pl);
		size_t mn = raw.msg_len < d->rx_cap ? raw.msg_len : d->rx_cap;
		if (daemon_queue_push(d->msgs, &head, sizeof head.h + pl, raw.msg, mn, 1)) {
			cg_err_clear();
			break;
		}
		d->rx_idx++;
		atomic_fetch_add(&d->replayed, 1);
	}
	if (last > from) {
		char a[24], b[24], k[24], sk[24];
		u64s(a, sizeof a, from + 1);
		u64s(b, sizeof b, last);
		u64s(k, sizeof k, atomic_load(&d->replayed));
		u64s(sk, sizeof sk, atomic_load(&d->replay_skipped));
		daemon_log(DLOG_INFO, "detect_replay", "from_seq", a, "to_seq", b, "events", k, "skipped", sk, NULL);
	}
}

static enum cg_err start_control(struct daemon *d)
{
	if (pthread_create(&d->control_th, NULL, control_main, d))
		return cg_err_set(CG_EINTERNAL, _("cannot start the control thread"));
	d->control_started = 1;
	return CG_OK;
}

enum cg_err daemon_new(const struct daemon_config *cfg, struct daemon **out)
{
	*out = NULL;
	struct daemon *d = calloc(1, sizeof *d);
	if (!d)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	d->cfg = cfg;
	pthread_mutex_init(&d->stop_mu, NULL);
	pthread_cond_init(&d->stop_cv, NULL);
	pthread_mutex_init(&d->fwd_mu, NULL);
	pthread_mutex_init(&d->det_mu, NULL);
	daemon_log_set_json(cfg->log_format == DAEMON_LOG_JSON);

	enum cg_err rc = daemon_queue_new(cfg->queue_bytes, &d->msgs);
	if (!rc)
		rc = daemon_queue_new(ALERT_QUEUE_BYTES, &d->alerts);
	if (!rc)
		d->rx_cap = daemon_queue_max_record(d->msgs) - sizeof(struct msg_head) - PEER_MAX;
	/* Everything that needs privileges first: the sockets. */
	if (!rc)
		rc = bind_listeners(d);
	if (!rc && cfg->metrics_on)
		rc = daemon_metrics_start(cfg->metrics_address, cfg->metrics_port, metrics_page, d, &d->metrics);
	if (!rc)
		rc = bind_hub(d);
	if (!rc)
		rc = write_pid(d);
	if (!rc)
		rc = drop_privileges(cfg);
	/* Then what the unprivileged user reads and writes. */
	if (!rc)
		rc = add_files(d);
	if (!rc)
		rc = cg_db_open(cfg->database, &d->db);
	struct detect_snapshot *snap = NULL;
	if (!rc) {
		char err[1024] = "";
		if (store_intel_generation(d->db, &d->intel_generation))
			cg_err_clear();
		rc = load_snapshot(cfg, d->db, 1, &snap, err, sizeof err);
		if (rc && err[0])
			rc = cg_err_set(rc, "%s", err);
	}
	if (!rc) {
		log_snapshot("snapshot", snap);
		rc = detect_new(snap, &d->detect);
		if (rc)
			detect_snapshot_unref(snap);
		else
			atomic_store(&d->generation, 1);
	}
	if (!rc)
		rc = start_forward(d);
	if (!rc)
		rc = start_duty(d);
	if (!rc)
		rc = start_threads(d);
	if (!rc) {
		replay(d);
		rc = start_control(d);
	}
	if (!rc && d->hub) {
		rc = agent_hub_start(d->hub);
		d->hub_started = !rc;
	}
	if (rc) {
		daemon_free(d);
		return rc;
	}
	*out = d;
	return CG_OK;
}

unsigned daemon_listener_port(const struct daemon *d, size_t i)
{
	return collect_listener_port(d->collect, i);
}

int daemon_agents_port(const struct daemon *d)
{
	return d->hub ? agent_hub_port(d->hub) : 0;
}

unsigned daemon_http_port(const struct daemon *d)
{
	return daemon_metrics_port(d->metrics);
}

enum cg_err daemon_run(struct daemon *d)
{
	char pid[24];
	u64s(pid, sizeof pid, (uint64_t)getpid());
	daemon_log(DLOG_INFO, "started", "pid", pid, "config", d->cfg->path, NULL);
	enum cg_err rc = collect_run(d->collect);
	if (rc) {
		daemon_log(DLOG_ERROR, "receivers_failed", "error", cg_err_msg(rc), NULL);
		cg_err_clear();
	}
	return rc;
}

void daemon_stop(struct daemon *d)
{
	atomic_store(&d->stopping, 1);
	if (d->collect)
		collect_stop(d->collect);
	pthread_mutex_lock(&d->stop_mu);
	pthread_cond_broadcast(&d->stop_cv);
	pthread_mutex_unlock(&d->stop_mu);
}

void daemon_reload(struct daemon *d)
{
	atomic_store(&d->reload_wanted, 1);
}

void daemon_free(struct daemon *d)
{
	if (!d)
		return;
	atomic_store(&d->stopping, 1);
	pthread_mutex_lock(&d->stop_mu);
	pthread_cond_broadcast(&d->stop_cv);
	pthread_mutex_unlock(&d->stop_mu);
	if (d->hub)
		agent_hub_stop(d->hub);
	/* Drain in order: receivers are stopped, workers finish the queue, the
	 * writer commits every alert the workers raised. */
	if (d->msgs)
		daemon_queue_close(d->msgs);
	for (unsigned i = 0; d->workers && i < d->n_workers; i++)
		if (d->workers[i].started)
			pthread_join(d->workers[i].th, NULL);
	if (d->alerts)
		daemon_queue_close(d->alerts);
	if (d->writer_started)
		pthread_join(d->writer_th, NULL);
	if (d->control_started)
		pthread_join(d->control_th, NULL);
	if (d->duty_started)
		pthread_join(d->duty_th, NULL);
	duty_free(d->duty);
	cg_db_close(d->duty_db);
	/* Everything the receivers and the writer appended is committed, the
	 * detect cursor covers what the workers finished; the upstreams stop
	 * where they are and resume from their cursors. */
	if (d->fwdq)
		forward_commit(d);
	det_save(d);
	det_save(d); /* a candidate waiting for the writer: it has finished */
	fwd_cursor_close(d->detect_cur);
	fwd_free(d->fwd);
	fwd_queue_close(d->fwdq);
	for (unsigned i = 0; d->workers && i < d->n_workers; i++) {
		detect_worker_free(d->workers[i].dw);
		cg_event_free(d->workers[i].ev);
		free(d->workers[i].batch);
		cg_buf_free(&d->workers[i].alert_rec);
	}
	free(d->workers);
	daemon_metrics_stop(d->metrics);
	agent_hub_free(d->hub);
	collect_free(d->collect);
	detect_free(d->detect);
	cg_db_close(d->db);
	daemon_queue_free(d->msgs);
	daemon_queue_free(d->alerts);
	if (d->pid_written)
		unlink(d->cfg->pid_file);
	pthread_mutex_destroy(&d->stop_mu);
	pthread_cond_destroy(&d->stop_cv);
	pthread_mutex_destroy(&d->fwd_mu);
	pthread_mutex_destroy(&d->det_mu);
	free(d->rx_rec);
	daemon_log(DLOG_INFO, "stopped", NULL);
	free(d);
}

enum cg_err daemon_check(const struct daemon_config *cfg, struct daemon_check *out)
{
	memset(out, 0, sizeof *out);
	out->listeners = cfg->n_listeners;
	out->files = cfg->n_files;
	out->upstreams = cfg->n_upstreams;
	struct cg_db *db = NULL;
	enum cg_err rc = cg_db_open(cfg->database, &db);
	if (rc)
		return cg_err_prefix(rc, _("%s: field 'database'"), cfg->path);
	struct detect_snapshot *s = NULL;
	char err[1024] = "";
	rc = load_snapshot(cfg, db, 1, &s, err, sizeof err);
	if (rc) {
		cg_db_close(db);
		return err[0] ? cg_err_set(rc, "%s", err) : rc;
	}
	struct detect_counts k;
	detect_snapshot_counts(s, &k);
	out->indicators = k.indicators;
	out->sigma_rules = k.sigma_rules;
	out->sigma_rejected = k.sigma_rejected;
	out->threshold_rules = k.threshold_rules;
	detect_snapshot_unref(s);
	cg_db_close(db);
	return CG_OK;
}
