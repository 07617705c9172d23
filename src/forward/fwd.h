/* fwd — the upstreams: each on its own thread with its own persisted cursor
 * in the forward queue, delivering the queue's records in sequence order,
 * with retry and capped exponential back-off (1 s doubling to retry_max_s).
 *
 * Syslog (FWD_SYSLOG_TCP, FWD_SYSLOG_TLS): RFC 5424 messages with octet-
 * counting framing (RFC 6587 §3.4.1: "LEN SP MSG"). The structured data
 * carries the sequence number twice:
 *   [meta sequenceId="N"]  RFC 5424 §7.3.1: 1..2147483647, after 2147483647
 *                          the next is 1 again; N = ((seq - 1) mod 2147483647) + 1
 *   [canhgac@32473 seq="S"]  the queue's full 64-bit number (32473 is the
 *                          example enterprise number of RFC 5612, until the
 *                          project has its own), plus redelivery="1" when the
 *                          record may have been sent before (see below).
 * The numbers continue across restarts (they are the queue's), rather than
 * starting again at 1 when the sender starts as §7.3.1 says for a syslog
 * process: a receiver proving completeness needs them unbroken.
 * HEADER fields come from the record's JSON (time, host, app, pid, severity,
 * facility; MSGID "event"/"alert"), MSG is the record's JSON itself.
 * TLS: OpenSSL, TLS 1.2+, the server's certificate verified against tls_ca
 * (the CA is pinned: only it is trusted, not the system store) and the
 * host name (tls_name, else address); an optional client certificate.
 *
 * When is a syslog record delivered? Plain syslog has no application
 * acknowledgement. After writing a batch the upstream waits (up to
 * ack_timeout_ms) until the socket's send queue is empty (Linux ioctl
 * SIOCOUTQ == 0): the peer's TCP stack has acknowledged every byte. That
 * still does not prove the receiving program read them: if it dies, what
 * sat in its socket buffer is lost. So an acknowledged batch is held for
 * hold_ms more while the connection is watched (a FIN or RST from the peer
 * shows it closed); only a batch whose connection stayed up that long
 * moves the persisted cursor. On any error or close the connection is
 * dropped, and after reconnecting everything after the cursor is sent again
 * with redelivery="1" on every record up to the highest ever sent (that
 * mark is persisted before sending, so it also holds after kill -9 of the
 * sender). The receiver may thus see a record twice, the second copy always
 * marked; it never misses one that was committed to the queue.
 *
 * HTTP (FWD_HTTP_JSON, libcurl): POST of a JSON array of up to `batch`
 * records, each object with "seq" (and "redelivery":true when it may be a
 * re-delivery) added; Content-Type application/json. A 2xx answer is the
 * delivery; anything else is retried with back-off. https:// verifies the
 * server against tls_ca (else the system store), optional client cert.
 *
 * Threads: fwd_start starts one thread per upstream; fwd_stop stops and
 * joins them (the cursors keep their position for the next start). */
#ifndef CG_FWD_H
#define CG_FWD_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"
#include "fwd_queue.h"

#define FWD_MAX_UPSTREAMS 16

enum fwd_kind { FWD_SYSLOG_TCP = 1, FWD_SYSLOG_TLS, FWD_HTTP_JSON };

/* How a queued record becomes the record that is rendered and sent, for a
 * queue that holds something else than fwd_record JSON (canhgacd stores
 * each event raw when it is received and renders it only when it is sent).
 * Each upstream thread gets its own state (state_new(ctx); NULL: out of
 * memory) and calls fn(state, rec, n, &out, &out_n):
 *   CG_OK: send out[0..out_n) (borrowed until the next call);
 *   CG_ENOTFOUND: not for upstreams: skipped, and delivered as if sent;
 *   another error: skipped too, counted in `errors` and logged.
 * The struct and ctx must outlive fwd_free. */
struct fwd_transform {
	void *(*state_new)(void *ctx);
	void (*state_free)(void *state);
	enum cg_err (*fn)(void *state, const void *rec, size_t n, const void **out, size_t *out_n);
	void *ctx;
};

struct fwd_upstream_opts {
	const char *name;        /* the cursor name; required, unique */
	enum fwd_kind kind;
	const char *address;     /* syslog: host name or IP */
	unsigned port;           /* syslog */
	const char *url;         /* HTTP: http:// or https:// */
	const char *tls_ca;      /* PEM file of the CA to trust (TLS, https) */
	const char *tls_cert, *tls_key; /* client certificate and key, optional */
	const char *tls_name;    /* name to verify; NULL: address (or the URL's host) */
	size_t batch;            /* records per write/POST; 0: 500 */
	unsigned retry_max_s;    /* back-off cap; 0: 60 */
	unsigned ack_timeout_ms; /* syslog: wait for TCP acknowledgement; 0: 10000 */
	unsigned hold_ms;        /* syslog: hold after acknowledgement; 0: 1000 */
	unsigned timeout_ms;     /* connect / HTTP request; 0: 10000 */
	const struct fwd_transform *transform; /* NULL: records are fwd_record JSON as they are */
};

struct fwd_upstream_stats {
	char name[65];
	enum fwd_kind kind;
	uint64_t delivered_seq;  /* the persisted cursor */
	uint64_t sent_seq;       /* highest sent */
	uint64_t pending;        /* committed but not delivered */
	int connected;
	uint64_t sent, errors, reconnects, redelivered, corrupt_skipped;
	uint64_t skipped;        /* not for upstreams (the transform said so) */
	char last_error[160];
};

struct fwd_stats {
	struct fwd_queue_stats queue;
	size_t n;
	struct fwd_upstream_stats up[FWD_MAX_UPSTREAMS];
};

struct fwd;

/* Validate the options (clear error naming the upstream and option), open
 * the cursors and start the threads. `q` is borrowed and must outlive
 * fwd_free. `u` is copied. */
enum cg_err fwd_start(struct fwd_queue *q, const struct fwd_upstream_opts *u, size_t n, struct fwd **out) CG_MUST_CHECK;
void fwd_stats(struct fwd *f, struct fwd_stats *st);
/* Stop and join the threads (each finishes or abandons its current send
 * within about a second). Idempotent. */
void fwd_stop(struct fwd *f);
/* Stops if needed, closes the cursors. NULL: no-op. */
void fwd_free(struct fwd *f);

const char *fwd_kind_name(enum fwd_kind k); /* "syslog-tcp", "syslog-tls", "http-json" */

#endif
