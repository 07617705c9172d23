/* INTERIM (daemon lane): UDP and TCP listeners on libevent behind the
 * collect contract, until src/collect lands. */
#include "collect.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/bufferevent.h>
#include <event2/buffer.h>
#include <event2/thread.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cg_i18n.h"
#include "syslog_parse.h"

#define MAX_L 32

struct lst {
	struct collect *c;
	char *name;
	enum collect_proto proto;
	enum collect_format format;
	size_t max_msg;
	unsigned port;
	int fd;
	struct event *ev;
	struct evconnlistener *el;
	char *buf;
};

struct conn {
	struct lst *l;
	struct bufferevent *bev;
	struct syslog_framer *fr;
	char peer[64];
};

struct collect {
	struct event_base *base;
	collect_msg_fn fn;
	void *ctx;
	struct lst l[MAX_L];
	size_t n;
};

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

enum cg_err collect_new(const char *state_dir, collect_msg_fn fn, void *ctx, struct collect **out)
{
	(void)state_dir;
	*out = NULL;
	evthread_use_pthreads();
	struct collect *c = calloc(1, sizeof *c);
	if (!c || !(c->base = event_base_new())) {
		free(c);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	c->fn = fn;
	c->ctx = ctx;
	*out = c;
	return CG_OK;
}

static void peer_text(const struct sockaddr *sa, char *out, size_t n)
{
	char a[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof a);
		port = ntohs(s4->sin_port);
		snprintf(out, n, "%s:%u", a, port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof a);
		port = ntohs(s6->sin6_port);
		snprintf(out, n, "[%s]:%u", a, port);
	} else
		snprintf(out, n, "?");
}

static void on_udp(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	struct lst *l = arg;
	for (int i = 0; i < 256; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		ssize_t r = recvfrom(fd, l->buf, l->max_msg, MSG_DONTWAIT, (struct sockaddr *)&ss, &sl);
		if (r < 0)
			return;
		char peer[64];
		peer_text((struct sockaddr *)&ss, peer, sizeof peer);
		struct collect_src src = {l->name, l->proto, l->format, peer, NULL, now_us()};
		size_t n = (size_t)r;
		while (n && (l->buf[n - 1] == '\n' || l->buf[n - 1] == '\0'))
			n--;
		l->c->fn(l->c->ctx, &src, l->buf, n);
	}
}

static int on_frame(void *ud, const char *frame, size_t n)
{
	struct conn *k = ud;
	struct collect_src src = {k->l->name, k->l->proto, k->l->format, k->peer, NULL, now_us()};
	k->l->c->fn(k->l->c->ctx, &src, frame, n);
	return 0;
}

static void conn_free(struct conn *k)
{
	bufferevent_free(k->bev);
	syslog_framer_free(k->fr);
	free(k);
}

static void on_read(struct bufferevent *bev, void *arg)
{
	struct conn *k = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	char tmp[16384];
	int r;
	while ((r = evbuffer_remove(in, tmp, sizeof tmp)) > 0) {
		enum cg_err rc = syslog_framer_feed(k->fr, tmp, (size_t)r, on_frame, k);
		if (rc && rc != CG_ELIMIT) {
			conn_free(k);
			return;
		}
	}
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	struct conn *k = arg;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		if (syslog_framer_finish(k->fr, on_frame, k))
			cg_err_clear();
		conn_free(k);
	}
}

static void on_accept(struct evconnlistener *el, evutil_socket_t fd, struct sockaddr *sa, int sl, void *arg)
{
	(void)el;
	(void)sl;
	struct lst *l = arg;
	struct conn *k = calloc(1, sizeof *k);
	if (!k) {
		close(fd);
		return;
	}
	k->l = l;
	peer_text(sa, k->peer, sizeof k->peer);
	k->bev = bufferevent_socket_new(l->c->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!k->bev || syslog_framer_new(l->max_msg, &k->fr)) {
		if (k->bev)
			bufferevent_free(k->bev);
		else
			close(fd);
		free(k);
		return;
	}
	bufferevent_setcb(k->bev, on_read, NULL, on_event, k);
	bufferevent_enable(k->bev, EV_READ);
}

enum cg_err collect_add_listener(struct collect *c, const struct collect_listener_opts *o)
{
	if (c->n == MAX_L)
		return cg_err_set(CG_ELIMIT, _("too many listeners"));
	if (o->proto != COLLECT_UDP && o->proto != COLLECT_TCP)
		return cg_err_set(CG_EUNSUPPORTED, _("TLS listeners are not built yet"));
	struct lst *l = &c->l[c->n];
	memset(l, 0, sizeof *l);
	l->c = c;
	l->proto = o->proto;
	l->format = o->format;
	l->max_msg = o->max_msg ? o->max_msg : 65536;
	if (!(l->name = strdup(o->name)) || !(l->buf = malloc(l->max_msg)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
	if (inet_pton(AF_INET, o->address, &sa.sin_addr) != 1)
		return cg_err_set(CG_EINVAL, _("'%s' is not an IPv4 address"), o->address);
	if (o->proto == COLLECT_UDP) {
		l->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		int big = 8 << 20;
		setsockopt(l->fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
		if (l->fd < 0 || bind(l->fd, (struct sockaddr *)&sa, sizeof sa))
			return cg_err_set(CG_EIO, _("cannot bind %s port %u: %s"), o->address, o->port, strerror(errno));
		l->ev = event_new(c->base, l->fd, EV_READ | EV_PERSIST, on_udp, l);
		event_add(l->ev, NULL);
	} else {
		l->el = evconnlistener_new_bind(c->base, on_accept, l, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 128,
						(struct sockaddr *)&sa, sizeof sa);
		if (!l->el)
			return cg_err_set(CG_EIO, _("cannot bind %s port %u: %s"), o->address, o->port, strerror(errno));
		l->fd = evconnlistener_get_fd(l->el);
	}
	struct sockaddr_in got;
	socklen_t gl = sizeof got;
	getsockname(l->fd, (struct sockaddr *)&got, &gl);
	l->port = ntohs(got.sin_port);
	c->n++;
	return CG_OK;
}

unsigned collect_listener_port(const struct collect *c, size_t i)
{
	return i < c->n ? c->l[i].port : 0;
}

enum cg_err collect_add_file(struct collect *c, const struct collect_file_opts *o)
{
	(void)c;
	(void)o;
	return cg_err_set(CG_EUNSUPPORTED, _("file tails are not built yet"));
}

enum cg_err collect_run(struct collect *c)
{
	event_base_dispatch(c->base);
	return CG_OK;
}

void collect_stop(struct collect *c)
{
	event_base_loopbreak(c->base);
}

void collect_free(struct collect *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		if (c->l[i].ev) {
			event_free(c->l[i].ev);
			close(c->l[i].fd);
		}
		if (c->l[i].el)
			evconnlistener_free(c->l[i].el);
		free(c->l[i].name);
		free(c->l[i].buf);
	}
	event_base_free(c->base);
	free(c);
}
