/* fwd — the upstream threads (see fwd.h). Syslog over TCP/TLS here; the
 * HTTP transport is fwd_http.c; wire formats are fwd_render.c. */
#include "fwd.h"
#include "cg_i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/sockios.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cg_buf.h"
#include "cg_time.h"
#include "fwd_http.h"
#include "fwd_render.h"

#define HOLD_MAX 4096
#define OUT_CAP ((size_t)64 << 20)

struct held {
	uint64_t seq;
	int64_t acked_ms;
};

struct upstream {
	struct fwd *f;
	struct fwd_upstream_opts o;
	char *s_name, *s_address, *s_url, *s_ca, *s_cert, *s_key, *s_tlsname;
	struct fwd_cursor *cur;
	pthread_t th;
	int started;
	/* syslog connection */
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	struct fwd_http *http;
	struct held held[HOLD_MAX];
	size_t nheld;
	struct cg_buf out;
	int stalled;            /* the last read met a corrupt record */
	void *tstate;           /* the transform's state */
	/* stats, under f->mu */
	struct fwd_upstream_stats st;
	char last_logged[160];
};

struct fwd {
	struct fwd_queue *q;
	size_t n;
	struct upstream *ups;
	atomic_int stop;
	pthread_mutex_t mu;
};

const char *fwd_kind_name(enum fwd_kind k)
{
	switch (k) {
	case FWD_SYSLOG_TCP: return "syslog-tcp";
	case FWD_SYSLOG_TLS: return "syslog-tls";
	case FWD_HTTP_JSON: return "http-json";
	}
	return "?";
}

/* Record an error for stats and log it when it differs from the last one. */
static void up_error(struct upstream *u, const char *fmt, ...) CG_PRINTF(2, 3);
static void up_error(struct upstream *u, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&u->f->mu);
	u->st.errors++;
	snprintf(u->st.last_error, sizeof u->st.last_error, "%s", msg);
	pthread_mutex_unlock(&u->f->mu);
	if (strcmp(msg, u->last_logged) != 0) {
		fprintf(stderr, "canhgac: forward: %s: %s\n", u->o.name, msg);
		snprintf(u->last_logged, sizeof u->last_logged, "%s", msg);
	}
}

static void set_connected(struct upstream *u, int c)
{
	pthread_mutex_lock(&u->f->mu);
	if (c && !u->st.connected)
		u->st.reconnects++;
	u->st.connected = c;
	pthread_mutex_unlock(&u->f->mu);
	if (c && u->last_logged[0]) {
		fprintf(stderr, _("canhgac: forward: %s: connected\n"), u->o.name);
		u->last_logged[0] = 0;
	}
}

/* ---- syslog transport ---- */

static void conn_close(struct upstream *u)
{
	if (u->ssl) {
		SSL_free(u->ssl);
		u->ssl = NULL;
	}
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
	u->nheld = 0;
	set_connected(u, 0);
}

/* Wait for `ev` on the socket up to `ms`, in slices so a stop is seen.
 * 1: ready; 0: timeout or stop; -1: error (errno). */
static int wait_fd(struct upstream *u, short ev, int ms)
{
	int64_t end = cg_time_mono_ms() + ms;

	while (!atomic_load(&u->f->stop)) {
		struct pollfd p = { .fd = u->fd, .events = ev };
		int64_t left = end - cg_time_mono_ms();
		int r;
		if (left <= 0)
			return 0;
		r = poll(&p, 1, left > 100 ? 100 : (int)left);
		if (r < 0 && errno != EINTR)
			return -1;
		if (r > 0) {
			if (p.revents & (POLLERR | POLLNVAL))
				return -1;
			return 1;
		}
	}
	return 0;
}

static int ssl_wait(struct upstream *u, int ret)
{
	int e = SSL_get_error(u->ssl, ret);
	if (e == SSL_ERROR_WANT_READ)
		return wait_fd(u, POLLIN, (int)u->o.timeout_ms) == 1;
	if (e == SSL_ERROR_WANT_WRITE)
		return wait_fd(u, POLLOUT, (int)u->o.timeout_ms) == 1;
	return 0;
}

static void ssl_error(struct upstream *u, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[120] = "";
	long v = u->ssl ? SSL_get_verify_result(u->ssl) : X509_V_OK;

	if (e)
		ERR_error_string_n(e, buf, sizeof buf);
	ERR_clear_error();
	if (v != X509_V_OK)
		up_error(u, _("TLS %s: certificate: %s"), what, X509_verify_cert_error_string(v));
	else
		up_error(u, _("TLS %s: %s"), what, e ? buf : "connection closed");
}

static int conn_open(struct upstream *u)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res = NULL, *ai;
	char port[16];
	int r;

	snprintf(port, sizeof port, "%u", u->o.port);
	r = getaddrinfo(u->o.address, port, &hints, &res);
	if (r != 0) {
		up_error(u, _("%s: %s"), u->o.address, gai_strerror(r));
		return 0;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		int err = 0;
		socklen_t el = sizeof err;
		u->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
		if (u->fd < 0)
			continue;
		if (connect(u->fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			int w = wait_fd(u, POLLOUT, (int)u->o.timeout_ms);
			if (w != 0 && getsockopt(u->fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0)
				break;
			if (w == 0)
				err = ETIMEDOUT;
		} else {
			err = errno;
		}
		up_error(u, _("connect %s port %u: %s"), u->o.address, u->o.port, strerror(err ? err : ETIMEDOUT));
		close(u->fd);
		u->fd = -1;
	}
	freeaddrinfo(res);
	if (u->fd < 0)
		return 0;
	if (u->o.kind == FWD_SYSLOG_TLS) {
		const char *name = u->o.tls_name ? u->o.tls_name : u->o.address;
		u->ssl = SSL_new(u->ctx);
		if (!u->ssl || SSL_set_fd(u->ssl, u->fd) != 1 || SSL_set1_host(u->ssl, name) != 1) {
			ssl_error(u, _("setup"));
			conn_close(u);
			return 0;
		}
		/* SNI only for names, never for addresses (RFC 6066 §3). */
		if (!strchr(name, ':') && strspn(name, "0123456789.") != strlen(name))
			SSL_set_tlsext_host_name(u->ssl, name);
		for (;;) {
			r = SSL_connect(u->ssl);
			if (r == 1)
				break;
			if (!ssl_wait(u, r)) {
				ssl_error(u, _("handshake"));
				conn_close(u);
				return 0;
			}
		}
	}
	set_connected(u, 1);
	return 1;
}

static int conn_write(struct upstream *u, const char *p, size_t n)
{
	while (n > 0) {
		if (atomic_load(&u->f->stop))
			return 0;
		if (u->ssl) {
			int w = SSL_write(u->ssl, p, n > INT32_MAX ? INT32_MAX : (int)n);
			if (w > 0) {
				p += w;
				n -= (size_t)w;
			} else if (!ssl_wait(u, w)) {
				ssl_error(u, _("write"));
				return 0;
			}
			continue;
		}
		ssize_t w = send(u->fd, p, n, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		} else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			int r = wait_fd(u, POLLOUT, (int)u->o.timeout_ms);
			if (r != 1) {
				up_error(u, _("write: %s"), r < 0 ? strerror(errno) : "timeout");
				return 0;
			}
		} else {
			up_error(u, _("write: %s"), w < 0 ? strerror(errno) : "closed");
			return 0;
		}
	}
	return 1;
}

/* Has the peer closed (FIN, RST, TLS close_notify)? The peer of a syslog
 * connection sends nothing else; a TLS 1.3 session ticket is read here too. */
static int conn_closed_by_peer(struct upstream *u)
{
	char b[512];

	if (u->ssl) {
		for (;;) {
			int r = SSL_read(u->ssl, b, sizeof b);
			if (r > 0)
				continue;
			int e = SSL_get_error(u->ssl, r);
			ERR_clear_error();
			return !(e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE);
		}
	}
	for (;;) {
		ssize_t r = recv(u->fd, b, sizeof b, MSG_DONTWAIT);
		if (r > 0)
			continue;
		if (r == 0)
			return 1;
		return !(errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
	}
}

/* Wait until the peer's TCP has acknowledged every byte written. */
static int wait_acked(struct upstream *u)
{
	int64_t end = cg_time_mono_ms() + u->o.ack_timeout_ms;
	int delay_us = 50;

	for (;;) {
		int outq = 0;
		if (ioctl(u->fd, SIOCOUTQ, &outq) != 0) {
			up_error(u, _("SIOCOUTQ: %s"), strerror(errno));
			return 0;
		}
		if (outq == 0)
			return 1;
		if (conn_closed_by_peer(u)) {
			up_error(u, _("connection closed by the receiver (%d bytes unacknowledged)"), outq);
			return 0;
		}
		if (cg_time_mono_ms() >= end || atomic_load(&u->f->stop)) {
			up_error(u, _("%d bytes not acknowledged within %u ms"), outq, u->o.ack_timeout_ms);
			return 0;
		}
		usleep((useconds_t)delay_us);
		if (delay_us < 20000)
			delay_us *= 2;
	}
}

static void count_sent(struct upstream *u, uint64_t last, uint64_t nrec, uint64_t nredo)
{
	pthread_mutex_lock(&u->f->mu);
	u->st.sent += nrec;
	u->st.redelivered += nredo;
	if (last > u->st.sent_seq)
		u->st.sent_seq = last;
	pthread_mutex_unlock(&u->f->mu);
}

static void count_delivered(struct upstream *u, uint64_t seq)
{
	pthread_mutex_lock(&u->f->mu);
	u->st.delivered_seq = seq;
	pthread_mutex_unlock(&u->f->mu);
}

static int do_ack(struct upstream *u, uint64_t seq)
{
	enum cg_err rc = fwd_cursor_ack(u->cur, seq);
	if (rc) {
		up_error(u, "%s", cg_err_msg(rc));
		return 0;
	}
	count_delivered(u, seq);
	return 1;
}

/* Read up to `batch` records and render them into u->out. Returns how many
 * were read (rendered or skipped by the transform); *nsend how many were
 * rendered; *first and *last the numbers read; *redo how many carry the
 * re-delivery mark. */
static size_t gather(struct upstream *u, uint64_t *first, uint64_t *last, uint64_t *redo, size_t *nsend)
{
	uint64_t mark_upto = fwd_cursor_sent(u->cur);
	size_t count = 0;
	const void *rec;
	size_t n;
	uint64_t seq;

	cg_buf_reset(&u->out);
	*redo = 0;
	*nsend = 0;
	if (u->o.kind == FWD_HTTP_JSON && cg_buf_putc(&u->out, '['))
		return 0;
	int64_t linger_end = 0;

	while (count < u->o.batch && u->out.len < OUT_CAP / 2 && !atomic_load(&u->f->stop)) {
		/* Up to 200 ms for the first record, then up to 5 ms more to fill
		 * the batch: fewer, larger writes under a trickle of records. */
		int wait = 200;
		if (count) {
			int64_t left = linger_end - cg_time_mono_ms();
			wait = left > 0 ? (int)left : 0;
		}
		enum cg_err rc = fwd_cursor_read(u->cur, wait, &rec, &n, &seq);
		if (rc == CG_OK && !count)
			linger_end = cg_time_mono_ms() + 5;
		if (rc == CG_ENOTFOUND)
			break;
		if (rc == CG_EPARSE) {
			/* Disk damage: the reader moves on to the next segment (or,
			 * in the active one, stays); send what we have, then pause. */
			up_error(u, "%s", cg_err_msg(rc));
			pthread_mutex_lock(&u->f->mu);
			u->st.corrupt_skipped++;
			pthread_mutex_unlock(&u->f->mu);
			u->stalled = 1;
			break;
		}
		if (rc) {
			up_error(u, "%s", cg_err_msg(rc));
			break;
		}
		if (u->o.transform) {
			const void *t = NULL;
			size_t tn = 0;
			rc = u->o.transform->fn(u->tstate, rec, n, &t, &tn);
			if (rc) {
				if (rc != CG_ENOTFOUND)
					up_error(u, _("record %" PRIu64 ": %s"), seq, cg_err_msg(rc));
				cg_err_clear();
				pthread_mutex_lock(&u->f->mu);
				u->st.skipped++;
				pthread_mutex_unlock(&u->f->mu);
				if (!count)
					*first = seq;
				*last = seq;
				count++;
				continue;
			}
			rec = t;
			n = tn;
		}
		int mark = seq <= mark_upto;
		if (u->o.kind == FWD_HTTP_JSON) {
			if (*nsend && cg_buf_putc(&u->out, ','))
				break;
			rc = fwd_render_json(&u->out, rec, n, seq, mark);
		} else {
			rc = fwd_render_syslog(&u->out, rec, n, seq, mark);
		}
		if (rc) {
			up_error(u, _("record %" PRIu64 ": %s"), seq, cg_err_msg(rc));
			break;
		}
		if (!count)
			*first = seq;
		*last = seq;
		*redo += (uint64_t)mark;
		count++;
		(*nsend)++;
	}
	if (u->o.kind == FWD_HTTP_JSON && cg_buf_putc(&u->out, ']'))
		return 0;
	return count;
}

/* Sleep up to ms, waking for a stop. */
static void nap(struct fwd *f, unsigned ms)
{
	for (unsigned t = 0; t < ms && !atomic_load(&f->stop); t += 100)
		usleep(100 * 1000);
}

static void run_syslog(struct upstream *u)
{
	unsigned backoff = 1000;

	while (!atomic_load(&u->f->stop)) {
		uint64_t first = 0, last = 0, redo = 0;
		size_t count, nsend = 0;

		if (u->fd < 0) {
			if (!conn_open(u)) {
				nap(u->f, backoff);
				backoff = backoff * 2 > u->o.retry_max_s * 1000 ? u->o.retry_max_s * 1000 : backoff * 2;
				continue;
			}
			backoff = 1000;
			fwd_cursor_rewind(u->cur);
		}
		count = gather(u, &first, &last, &redo, &nsend);
		if (!count && u->stalled) {
			u->stalled = 0;
			nap(u->f, 1000);
		}
		if (count) {
			enum cg_err rc = fwd_cursor_set_sent(u->cur, last);
			if (rc) {
				up_error(u, "%s", cg_err_msg(rc));
				fwd_cursor_rewind(u->cur);
				nap(u->f, 1000);
				continue;
			}
			if (nsend && (!conn_write(u, u->out.data, u->out.len) || !wait_acked(u))) {
				conn_close(u);
				continue;
			}
			count_sent(u, last, nsend, redo);
			if (u->nheld == HOLD_MAX) {
				/* Merge: keep the newest number with the oldest time. */
				u->held[HOLD_MAX - 1].seq = last;
			} else {
				u->held[u->nheld++] = (struct held){ last, cg_time_mono_ms() };
			}
		}
		/* Acknowledged batches whose connection stayed up hold_ms: delivered. */
		if (u->nheld) {
			if (conn_closed_by_peer(u)) {
				up_error(u, _("connection closed by the receiver; re-sending from %" PRIu64),
				         fwd_cursor_acked(u->cur) + 1);
				conn_close(u);
				continue;
			}
			int64_t t = cg_time_mono_ms();
			size_t k = 0;
			while (k < u->nheld && u->held[k].acked_ms + (int64_t)u->o.hold_ms <= t)
				k++;
			if (k) {
				if (!do_ack(u, u->held[k - 1].seq)) {
					conn_close(u);
					nap(u->f, 1000);
					continue;
				}
				memmove(u->held, u->held + k, (u->nheld - k) * sizeof *u->held);
				u->nheld -= k;
			}
			if (!count && u->nheld)
				usleep(20 * 1000);
		} else if (!count && conn_closed_by_peer(u)) {
			up_error(u, _("connection closed by the receiver"));
			conn_close(u);
		}
	}
	/* Stopping: what is held but unconfirmed is sent again next time, marked. */
	conn_close(u);
}

static void run_http(struct upstream *u)
{
	unsigned backoff = 1000;
	int retrying = 0;

	set_connected(u, 1);
	while (!atomic_load(&u->f->stop)) {
		uint64_t first = 0, last = 0, redo = 0;
		size_t nsend = 0;
		size_t count = gather(u, &first, &last, &redo, &nsend);
		char err[160];
		enum cg_err rc;

		if (!count && u->stalled) {
			u->stalled = 0;
			nap(u->f, 1000);
		}
		if (!count)
			continue;
		err[0] = 0;
		rc = fwd_cursor_set_sent(u->cur, last);
		if (!rc && nsend)
			rc = fwd_http_post(u->http, u->out.data, u->out.len, err, sizeof err);
		if (rc) {
			if (err[0] == 0)
				snprintf(err, sizeof err, "%s", cg_err_msg(rc));
			up_error(u, "%s", err);
			set_connected(u, 0);
			fwd_cursor_rewind(u->cur);
			nap(u->f, backoff);
			backoff = backoff * 2 > u->o.retry_max_s * 1000 ? u->o.retry_max_s * 1000 : backoff * 2;
			retrying = 1;
			continue;
		}
		if (retrying) {
			set_connected(u, 1);
			retrying = 0;
		}
		backoff = 1000;
		count_sent(u, last, nsend, redo);
		if (!do_ack(u, last)) {
			fwd_cursor_rewind(u->cur);
			nap(u->f, 1000);
		}
	}
	set_connected(u, 0);
}

static void *up_main(void *arg)
{
	struct upstream *u = arg;
	sigset_t set;

	/* A write to a closed connection must not kill the process (OpenSSL
	 * writes with write(2)); the error comes back as EPIPE instead. */
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (u->o.kind == FWD_HTTP_JSON)
		run_http(u);
	else
		run_syslog(u);
	return NULL;
}

static enum cg_err tls_ctx_new(struct upstream *u)
{
	u->ctx = SSL_CTX_new(TLS_client_method());
	if (!u->ctx)
		return cg_err_set(CG_EINTERNAL, _("forward: %s: cannot create a TLS context"), u->o.name);
	SSL_CTX_set_min_proto_version(u->ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(u->ctx, SSL_VERIFY_PEER, NULL);
	if (SSL_CTX_load_verify_locations(u->ctx, u->o.tls_ca, NULL) != 1)
		return cg_err_set(CG_EIO, _("forward: %s: tls_ca '%s': cannot load the CA certificate"), u->o.name, u->o.tls_ca);
	if (u->o.tls_cert && (SSL_CTX_use_certificate_chain_file(u->ctx, u->o.tls_cert) != 1 ||
	                      SSL_CTX_use_PrivateKey_file(u->ctx, u->o.tls_key ? u->o.tls_key : u->o.tls_cert,
	                                                  SSL_FILETYPE_PEM) != 1 ||
	                      SSL_CTX_check_private_key(u->ctx) != 1))
		return cg_err_set(CG_EIO, _("forward: %s: tls_cert '%s' / tls_key '%s': cannot load the client certificate"),
		                  u->o.name, u->o.tls_cert, u->o.tls_key ? u->o.tls_key : u->o.tls_cert);
	ERR_clear_error();
	return CG_OK;
}

static char *dup_opt(const char *s, int *oom)
{
	char *d;
	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*oom = 1;
	return d;
}

static enum cg_err up_init(struct fwd *f, struct upstream *u, const struct fwd_upstream_opts *o)
{
	int oom = 0;
	enum cg_err rc;

	u->f = f;
	u->fd = -1;
	u->o = *o;
	cg_buf_init(&u->out, OUT_CAP);
	u->o.name = u->s_name = dup_opt(o->name, &oom);
	u->o.address = u->s_address = dup_opt(o->address, &oom);
	u->o.url = u->s_url = dup_opt(o->url, &oom);
	u->o.tls_ca = u->s_ca = dup_opt(o->tls_ca, &oom);
	u->o.tls_cert = u->s_cert = dup_opt(o->tls_cert, &oom);
	u->o.tls_key = u->s_key = dup_opt(o->tls_key, &oom);
	u->o.tls_name = u->s_tlsname = dup_opt(o->tls_name, &oom);
	if (oom)
		return cg_err_set(CG_ENOMEM, _("forward: out of memory"));
	if (!u->o.batch)
		u->o.batch = 500;
	if (u->o.batch > 100000)
		u->o.batch = 100000;
	if (!u->o.retry_max_s)
		u->o.retry_max_s = 60;
	if (!u->o.ack_timeout_ms)
		u->o.ack_timeout_ms = 10000;
	if (!u->o.hold_ms)
		u->o.hold_ms = 1000;
	if (!u->o.timeout_ms)
		u->o.timeout_ms = 10000;
	snprintf(u->st.name, sizeof u->st.name, "%s", u->o.name ? u->o.name : "");
	u->st.kind = u->o.kind;
	if (!u->o.name || !*u->o.name)
		return cg_err_set(CG_EINVAL, _("forward: upstream without a name"));
	switch (u->o.kind) {
	case FWD_SYSLOG_TLS:
		if (!u->o.tls_ca)
			return cg_err_set(CG_EINVAL, _("forward: %s: syslog over TLS needs tls_ca (the CA to trust)"), u->o.name);
		/* fall through */
	case FWD_SYSLOG_TCP:
		if (!u->o.address || !*u->o.address || u->o.port == 0 || u->o.port > 65535)
			return cg_err_set(CG_EINVAL, _("forward: %s: syslog needs address and port (1..65535)"), u->o.name);
		if (u->o.kind == FWD_SYSLOG_TLS && (rc = tls_ctx_new(u)))
			return rc;
		break;
	case FWD_HTTP_JSON:
		if (!u->o.url || (strncmp(u->o.url, "http://", 7) && strncmp(u->o.url, "https://", 8)))
			return cg_err_set(CG_EINVAL, _("forward: %s: url must start with http:// or https://"), u->o.name);
		rc = fwd_http_new(u->o.url, u->o.tls_ca, u->o.tls_cert, u->o.tls_key, u->o.timeout_ms, &f->stop, &u->http);
		if (rc)
			return cg_err_prefix(rc, _("forward: %s"), u->o.name);
		break;
	default:
		return cg_err_set(CG_EINVAL, _("forward: %s: unknown kind %d"), u->o.name, (int)u->o.kind);
	}
	if (u->o.transform && !(u->tstate = u->o.transform->state_new(u->o.transform->ctx)))
		return cg_err_set(CG_ENOMEM, _("forward: out of memory"));
	rc = fwd_cursor_open(f->q, u->o.name, &u->cur);
	if (rc)
		return cg_err_prefix(rc, _("forward: %s"), u->o.name);
	u->st.delivered_seq = fwd_cursor_acked(u->cur);
	u->st.sent_seq = fwd_cursor_sent(u->cur);
	return CG_OK;
}

static void up_free(struct upstream *u)
{
	conn_close(u);
	SSL_CTX_free(u->ctx);
	fwd_http_free(u->http);
	fwd_cursor_close(u->cur);
	if (u->tstate)
		u->o.transform->state_free(u->tstate);
	cg_buf_free(&u->out);
	free(u->s_name);
	free(u->s_address);
	free(u->s_url);
	free(u->s_ca);
	free(u->s_cert);
	free(u->s_key);
	free(u->s_tlsname);
}

enum cg_err fwd_start(struct fwd_queue *q, const struct fwd_upstream_opts *u, size_t n, struct fwd **out)
{
	struct fwd *f;
	enum cg_err rc = CG_OK;

	*out = NULL;
	if (n > FWD_MAX_UPSTREAMS)
		return cg_err_set(CG_ELIMIT, _("forward: %zu upstreams (at most %d)"), n, FWD_MAX_UPSTREAMS);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (u[i].name && u[j].name && !strcmp(u[i].name, u[j].name))
				return cg_err_set(CG_EINVAL, _("forward: upstream name '%s' used twice"), u[i].name);
	f = calloc(1, sizeof *f);
	if (!f || !(f->ups = calloc(n ? n : 1, sizeof *f->ups))) {
		free(f);
		return cg_err_set(CG_ENOMEM, _("forward: out of memory"));
	}
	f->q = q;
	f->n = n;
	pthread_mutex_init(&f->mu, NULL);
	atomic_init(&f->stop, 0);
	for (size_t i = 0; i < n; i++)
		f->ups[i].fd = -1;
	for (size_t i = 0; i < n && !rc; i++)
		rc = up_init(f, &f->ups[i], &u[i]);
	for (size_t i = 0; i < n && !rc; i++) {
		if (pthread_create(&f->ups[i].th, NULL, up_main, &f->ups[i]) != 0)
			rc = cg_err_set(CG_EINTERNAL, _("forward: %s: cannot start a thread"), f->ups[i].o.name);
		else
			f->ups[i].started = 1;
	}
	if (rc) {
		fwd_free(f);
		return rc;
	}
	*out = f;
	return CG_OK;
}

void fwd_stats(struct fwd *f, struct fwd_stats *st)
{
	memset(st, 0, sizeof *st);
	fwd_queue_stats(f->q, &st->queue);
	st->n = f->n;
	pthread_mutex_lock(&f->mu);
	for (size_t i = 0; i < f->n; i++) {
		st->up[i] = f->ups[i].st;
		st->up[i].pending = st->queue.committed_seq > st->up[i].delivered_seq
		                        ? st->queue.committed_seq - st->up[i].delivered_seq : 0;
	}
	pthread_mutex_unlock(&f->mu);
}

void fwd_stop(struct fwd *f)
{
	atomic_store(&f->stop, 1);
	for (size_t i = 0; i < f->n; i++)
		if (f->ups[i].started) {
			pthread_join(f->ups[i].th, NULL);
			f->ups[i].started = 0;
		}
}

void fwd_free(struct fwd *f)
{
	if (!f)
		return;
	fwd_stop(f);
	for (size_t i = 0; i < f->n; i++)
		up_free(&f->ups[i]);
	pthread_mutex_destroy(&f->mu);
	free(f->ups);
	free(f);
}
