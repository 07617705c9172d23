/* collect_net — syslog listeners: UDP datagrams, TCP and TLS connections
 * framed by RFC 6587 (syslog_framer in truncating mode), on the collector's
 * libevent loop. Every buffer is bounded: a datagram buffer of max_msg
 * bytes per UDP listener; per connection the bufferevent's input (one read,
 * drained at once) and the framer (max_msg + 16). */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "cg_i18n.h"
#include "cg_time.h"
#include "collect_internal.h"
#include "syslog_parse.h"

#define PEER_MAX 64        /* "[ffff:...:ffff]:65535" fits */
#define UDP_BURST 64       /* datagrams read per readiness before the loop runs others */
#define READ_HIGH_WATER (64u << 10)

struct conn {
	struct collect_listener *l;
	struct bufferevent *bev;
	struct syslog_framer *fr;
	char *subject; /* verified client certificate, RFC 2253 */
	int handshaken;
	int64_t received_us;
	int64_t progress_ms; /* when the last whole message (or the connection) came */
	struct conn *prev, *next;
	char peer[PEER_MAX];
};

struct collect_listener {
	struct collect *c;
	struct collect_source *src;
	enum collect_proto proto;
	size_t max_msg;
	unsigned max_conns, idle_ms;
	evutil_socket_t fd;
	unsigned port;
	struct event_base *base;
	struct evconnlistener *lev; /* TCP, TLS */
	struct event *udp_ev;       /* UDP */
	char *udp_buf;              /* max_msg bytes */
	struct sockaddr_storage last_addr;
	socklen_t last_len;
	char last_peer[PEER_MAX];
	SSL_CTX *ssl;
	unsigned nconns;
	int paused; /* accepting paused after an accept error */
	struct conn *conns;
};

static void format_peer(const struct sockaddr *sa, char *buf, size_t n)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
		port = ntohs(s4->sin_port);
		snprintf(buf, n, "%s:%u", host, port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;
		port = ntohs(s6->sin6_port);
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], host, sizeof host);
			snprintf(buf, n, "%s:%u", host, port);
		} else {
			inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
			snprintf(buf, n, "[%s]:%u", host, port);
		}
	} else {
		snprintf(buf, n, "?");
	}
}

/* ------------------------------------------------------------------ UDP */

static void udp_read(evutil_socket_t fd, short what, void *arg)
{
	struct collect_listener *l = arg;
	(void)what;
	for (int i = 0; i < UDP_BURST; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		/* MSG_TRUNC: the datagram's real length even when it did not fit. */
		ssize_t r = recvfrom(fd, l->udp_buf, l->max_msg, MSG_TRUNC | MSG_DONTWAIT, (struct sockaddr *)&ss, &sl);
		if (r < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				COLLECT_COUNT(l->src, read_errors, 1);
			break;
		}
		if (sl != l->last_len || memcmp(&ss, &l->last_addr, sl) != 0) {
			memcpy(&l->last_addr, &ss, sl);
			l->last_len = sl;
			format_peer((struct sockaddr *)&ss, l->last_peer, sizeof l->last_peer);
		}
		size_t n = (size_t)r;
		int cut = n > l->max_msg;
		if (cut)
			n = l->max_msg;
		else
			while (n && (l->udp_buf[n - 1] == '\n' || l->udp_buf[n - 1] == '\r' || l->udp_buf[n - 1] == '\0'))
				n--;
		if (!n && !cut)
			continue;
		collect_deliver(l->c, l->src, l->last_peer, NULL, cg_time_now_us(), l->udp_buf, n, cut);
	}
	collect_flush(l->c);
}

/* ------------------------------------------------------- TCP / TLS conns */

static void conn_free(struct conn *k)
{
	struct collect_listener *l = k->l;
	if (k->prev)
		k->prev->next = k->next;
	else
		l->conns = k->next;
	if (k->next)
		k->next->prev = k->prev;
	l->nconns--;
	__atomic_sub_fetch(&l->src->n.conns_open, 1, __ATOMIC_RELAXED);
	if (k->bev)
		bufferevent_free(k->bev);
	syslog_framer_free(k->fr);
	free(k->subject);
	free(k);
}

static int on_frame(void *ud, const char *frame, size_t n)
{
	struct conn *k = ud;
	k->progress_ms = cg_time_mono_ms();
	collect_deliver(k->l->c, k->l->src, k->peer, k->subject, k->received_us, frame, n,
			syslog_framer_cut(k->fr));
	return 0;
}

/* Feed what the bufferevent read to the framer. Returns 0, or -1 when the
 * connection was closed (a broken octet count). */
static int conn_drain(struct conn *k)
{
	struct evbuffer *in = bufferevent_get_input(k->bev);
	while (evbuffer_get_length(in)) {
		struct evbuffer_iovec v;
		if (evbuffer_peek(in, -1, NULL, &v, 1) < 1)
			break;
		enum cg_err rc = syslog_framer_feed(k->fr, v.iov_base, v.iov_len, on_frame, k);
		evbuffer_drain(in, v.iov_len);
		if (rc) {
			COLLECT_COUNT(k->l->src, framing_errors, 1);
			conn_free(k);
			return -1;
		}
	}
	return 0;
}

static void conn_read(struct bufferevent *bev, void *arg)
{
	struct conn *k = arg;
	(void)bev;
	struct collect *c = k->l->c;
	k->received_us = cg_time_now_us();
	(void)conn_drain(k); /* may free k */
	collect_flush(c);
}

static void set_subject(struct conn *k)
{
	SSL *ssl = bufferevent_openssl_get_ssl(k->bev);
	if (!ssl || SSL_get_verify_result(ssl) != X509_V_OK)
		return;
	X509 *cert = SSL_get1_peer_certificate(ssl);
	if (!cert)
		return;
	BIO *b = BIO_new(BIO_s_mem());
	if (b && X509_NAME_print_ex(b, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) >= 0) {
		char *p;
		long n = BIO_get_mem_data(b, &p);
		if (n >= 0 && (k->subject = malloc((size_t)n + 1))) {
			memcpy(k->subject, p, (size_t)n);
			k->subject[n] = '\0';
		}
	}
	BIO_free(b);
	X509_free(cert);
}

static void conn_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn *k = arg;
	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		/* the TLS handshake is done */
		k->handshaken = 1;
		set_subject(k);
		return;
	}
	if (what & BEV_EVENT_ERROR) {
		if (k->l->proto == COLLECT_TLS && !k->handshaken)
			COLLECT_COUNT(k->l->src, tls_failures, 1);
		else
			COLLECT_COUNT(k->l->src, read_errors, 1);
		ERR_clear_error();
	}
	if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)))
		return;
	/* What came before the end still counts, and a last frame without LF. */
	struct collect *c = k->l->c;
	k->received_us = cg_time_now_us();
	if (conn_drain(k)) {
		collect_flush(c);
		return;
	}
	if (syslog_framer_finish(k->fr, on_frame, k) != CG_OK)
		COLLECT_COUNT(k->l->src, framing_errors, 1);
	conn_free(k);
	collect_flush(c);
}

static void on_accept(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
	struct collect_listener *l = arg;
	(void)lev;
	(void)salen;
	if (l->nconns >= l->max_conns) {
		COLLECT_COUNT(l->src, conns_refused, 1);
		evutil_closesocket(fd);
		return;
	}
	struct conn *k = calloc(1, sizeof *k);
	if (!k || syslog_framer_new(l->max_msg, &k->fr) != CG_OK) {
		free(k);
		evutil_closesocket(fd);
		return;
	}
	syslog_framer_set_truncate(k->fr, 1);
	k->l = l;
	format_peer(sa, k->peer, sizeof k->peer);
	k->progress_ms = cg_time_mono_ms();
	if (l->proto == COLLECT_TLS) {
		SSL *ssl = SSL_new(l->ssl);
		if (ssl)
			k->bev = bufferevent_openssl_socket_new(l->base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
								BEV_OPT_CLOSE_ON_FREE);
		if (!k->bev)
			SSL_free(ssl);
		else
			bufferevent_openssl_set_allow_dirty_shutdown(k->bev, 1);
	} else {
		k->bev = bufferevent_socket_new(l->base, fd, BEV_OPT_CLOSE_ON_FREE);
	}
	if (!k->bev) {
		evutil_closesocket(fd);
		syslog_framer_free(k->fr);
		free(k);
		return;
	}
	k->next = l->conns;
	if (l->conns)
		l->conns->prev = k;
	l->conns = k;
	l->nconns++;
	COLLECT_COUNT(l->src, conns, 1);
	COLLECT_COUNT(l->src, conns_open, 1);
	bufferevent_setwatermark(k->bev, EV_READ, 0, READ_HIGH_WATER);
	bufferevent_setcb(k->bev, conn_read, NULL, conn_event, k);
	bufferevent_enable(k->bev, EV_READ);
}

/* accept() failed (out of descriptors, most likely): the listening socket
 * stays readable, so pause accepting until the next sweep instead of
 * spinning. */
static void on_accept_error(struct evconnlistener *lev, void *arg)
{
	struct collect_listener *l = arg;
	COLLECT_COUNT(l->src, read_errors, 1);
	evconnlistener_disable(lev);
	l->paused = 1;
}

void collect_listener_sweep(struct collect_listener *l, int64_t now_ms)
{
	struct conn *k = l->conns, *next;
	if (l->paused && evconnlistener_enable(l->lev) == 0)
		l->paused = 0;
	for (; k; k = next) {
		next = k->next;
		if (now_ms - k->progress_ms > (int64_t)l->idle_ms) {
			COLLECT_COUNT(l->src, idle_closed, 1);
			if (l->proto == COLLECT_TLS && !k->handshaken)
				COLLECT_COUNT(l->src, tls_failures, 1);
			conn_free(k);
		}
	}
}

/* ------------------------------------------------------------- set up */

static enum cg_err ssl_error(const struct collect_listener_opts *o, const char *what, const char *file)
{
	char buf[256];
	unsigned long e = ERR_get_error();
	ERR_error_string_n(e, buf, sizeof buf);
	ERR_clear_error();
	return cg_err_set(CG_EINVAL, _("collect: listener '%s': %s %s: %s"), o->name, what, file ? file : "",
			  e ? buf : _("unknown error"));
}

static enum cg_err tls_setup(struct collect_listener *l, const struct collect_listener_opts *o)
{
	if (!o->tls_cert || !o->tls_key)
		return cg_err_set(CG_EINVAL, _("collect: listener '%s': TLS needs a certificate and a key"), o->name);
	if (o->tls_verify_client && !o->tls_ca)
		return cg_err_set(CG_EINVAL, _("collect: listener '%s': verifying client certificates needs a CA"),
				  o->name);
	l->ssl = SSL_CTX_new(TLS_server_method());
	if (!l->ssl)
		return ssl_error(o, "SSL_CTX_new", NULL);
	SSL_CTX_set_min_proto_version(l->ssl, TLS1_2_VERSION);
	if (SSL_CTX_use_certificate_chain_file(l->ssl, o->tls_cert) != 1)
		return ssl_error(o, _("certificate"), o->tls_cert);
	if (SSL_CTX_use_PrivateKey_file(l->ssl, o->tls_key, SSL_FILETYPE_PEM) != 1)
		return ssl_error(o, _("key"), o->tls_key);
	if (SSL_CTX_check_private_key(l->ssl) != 1)
		return ssl_error(o, _("key does not match the certificate"), o->tls_key);
	if (o->tls_ca) {
		if (SSL_CTX_load_verify_locations(l->ssl, o->tls_ca, NULL) != 1)
			return ssl_error(o, _("CA"), o->tls_ca);
		STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(o->tls_ca);
		if (names)
			SSL_CTX_set_client_CA_list(l->ssl, names);
		/* Without verification no client certificate is asked
		 * for (and no subject passed on); the CA names are still
		 * announced. */
		SSL_CTX_set_verify(l->ssl,
				   o->tls_verify_client ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
							: SSL_VERIFY_NONE,
				   NULL);
	}
	return CG_OK;
}

static enum cg_err bind_socket(struct collect_listener *l, const struct collect_listener_opts *o)
{
	const char *addr = o->address && *o->address ? o->address : "::";
	char port[16];
	struct addrinfo hints = {0}, *ai = NULL;
	snprintf(port, sizeof port, "%u", o->port);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = o->proto == COLLECT_UDP ? SOCK_DGRAM : SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	int g = getaddrinfo(addr, port, &hints, &ai);
	if (g != 0)
		return cg_err_set(CG_EINVAL, _("collect: listener '%s': address '%s': %s"), o->name, addr,
				  gai_strerror(g));
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1, zero = 0;
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (ai->ai_family == AF_INET6)
			/* "::" takes IPv4 too (dual stack); a given IPv6 address only itself. */
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, strcmp(addr, "::") ? &one : &zero, sizeof one);
	}
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
	    (o->proto != COLLECT_UDP && listen(fd, 512) != 0)) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return cg_err_set(CG_EIO, _("collect: listener '%s': cannot listen on %s port %u: %s"), o->name, addr,
				  o->port, strerror(e));
	}
	freeaddrinfo(ai);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		l->port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
							: ((struct sockaddr_in6 *)&ss)->sin6_port);
	l->fd = fd;
	return CG_OK;
}

enum cg_err collect_listener_open(struct event_base *base, struct collect *c, struct collect_source *src,
				  const struct collect_listener_opts *o, struct collect_listener **out)
{
	enum cg_err rc;
	struct collect_listener *l = calloc(1, sizeof *l);
	*out = NULL;
	if (!l)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	l->c = c;
	l->src = src;
	l->base = base;
	l->fd = -1;
	l->proto = o->proto;
	l->max_msg = o->max_msg ? o->max_msg : COLLECT_MAX_MSG_DEFAULT;
	l->max_conns = o->max_conns ? o->max_conns : COLLECT_MAX_CONNS_DEFAULT;
	l->idle_ms = o->idle_timeout_ms ? o->idle_timeout_ms : COLLECT_IDLE_TIMEOUT_MS_DEFAULT;
	if (l->max_msg > COLLECT_MAX_MSG_LIMIT) {
		rc = cg_err_set(CG_ELIMIT, _("collect: listener '%s': max_msg %zu is above %zu"), o->name, l->max_msg,
				COLLECT_MAX_MSG_LIMIT);
		goto fail;
	}
	if (o->proto == COLLECT_TLS && (rc = tls_setup(l, o)))
		goto fail;
	if ((rc = bind_socket(l, o)))
		goto fail;
	if (o->proto == COLLECT_UDP) {
		int rcvbuf = 4 << 20;
		setsockopt(l->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
		l->udp_buf = malloc(l->max_msg);
		l->udp_ev = event_new(base, l->fd, EV_READ | EV_PERSIST, udp_read, l);
		if (!l->udp_buf || !l->udp_ev || event_add(l->udp_ev, NULL) != 0) {
			rc = cg_err_set(CG_ENOMEM, _("out of memory"));
			goto fail;
		}
	} else {
		l->lev = evconnlistener_new(base, on_accept, l, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1,
					    l->fd);
		if (!l->lev) {
			rc = cg_err_set(CG_EINTERNAL, _("collect: listener '%s': libevent refused the socket"), o->name);
			goto fail;
		}
		evconnlistener_set_error_cb(l->lev, on_accept_error);
	}
	*out = l;
	return CG_OK;
fail:
	collect_listener_free(l);
	return rc;
}

unsigned collect_listener_bound_port(const struct collect_listener *l)
{
	return l->port;
}

void collect_listener_free(struct collect_listener *l)
{
	if (!l)
		return;
	while (l->conns)
		conn_free(l->conns);
	if (l->lev)
		evconnlistener_free(l->lev); /* closes fd */
	else if (l->fd >= 0)
		close(l->fd);
	if (l->udp_ev)
		event_free(l->udp_ev);
	free(l->udp_buf);
	SSL_CTX_free(l->ssl);
	free(l);
}
