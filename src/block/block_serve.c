#include "block_serve.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "block.h"
#include "block_point.h"
#include "cg_i18n.h"
#include "cg_db.h"
#include "cg_time.h"
#include "store_block.h"

#if MHD_VERSION < 0x00097002
typedef int MHD_Result_t;
#else
typedef enum MHD_Result MHD_Result_t;
#endif

struct cached {
	int valid;
	int64_t data_version, next_expiry;
	struct block_export_result res;
};

/* One open connection, for the request-head deadline. */
struct conn_slot {
	struct conn_slot *next, *prev;
	int fd;
	int in_head;      /* between requests or reading a request head */
	int64_t head_ms;  /* when the current head started */
	int cut;          /* shut down by the watchdog */
};

/* An enforcement to record, queued by the serving thread for the writer. */
struct record {
	char point[BLOCK_POINT_NAME_MAX + 1];
	enum block_format fmt;
	int64_t at, serial;
	size_t n_items;
	char digest[17];
};

#define RECORD_QUEUE 64
#define RECORDED_MEMO 256

struct block_server {
	struct MHD_Daemon *d;
	struct cg_db *db;  /* the serving thread's (reads only) */
	struct cg_db *wdb; /* the record writer's */
	struct block_serve_opts o;
	unsigned port;
	struct cached cache[BLOCK_FMT_COUNT];

	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stopping;
	struct conn_slot *conns;
	pthread_t watchdog, writer;
	int have_watchdog, have_writer;
	struct record queue[RECORD_QUEUE];
	size_t q_head, q_len;
	uint64_t dropped;
	/* Point, format and digest last queued (serving thread only): a point
	 * polling an unchanged list is recorded once. */
	struct record memo[RECORDED_MEMO];
	size_t n_memo;
};

static MHD_Result_t send_text(struct MHD_Connection *c, unsigned status, const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
	MHD_Result_t ret;
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* The cached full export of `fmt`, rebuilt when stale. */
static enum cg_err current(struct block_server *s, enum block_format fmt, int64_t now, struct cached **out)
{
	struct cached *c = &s->cache[fmt];
	struct block_export_req req = {.fmt = fmt, .at = now, .opts = s->o.export};
	int64_t dv;
	enum cg_err rc;

	if ((rc = store_block_data_version(s->db, &dv)))
		return rc;
	if (!c->valid || c->data_version != dv || (c->next_expiry && now >= c->next_expiry)) {
		block_export_result_free(&c->res);
		c->valid = 0;
		if ((rc = block_export_render(s->db, &req, &c->res)))
			return rc;
		c->valid = 1;
		c->data_version = dv;
		c->next_expiry = c->res.next_expiry;
	}
	*out = c;
	return CG_OK;
}

/* Queue an enforcement record for the writer thread; never waits for the
 * database. The same point, format and list version is queued once. */
static void queue_record(struct block_server *s, const char *point, enum block_format fmt,
			 const struct block_export_result *res)
{
	struct record *m = NULL;

	for (size_t i = 0; i < s->n_memo; i++)
		if (s->memo[i].fmt == fmt && strcmp(s->memo[i].point, point) == 0) {
			m = &s->memo[i];
			break;
		}
	if (m && strcmp(m->digest, res->digest) == 0)
		return;
	if (!m)
		m = &s->memo[s->n_memo < RECORDED_MEMO ? s->n_memo++ : (size_t)(res->serial % RECORDED_MEMO)];
	snprintf(m->point, sizeof m->point, "%s", point);
	m->fmt = fmt;
	m->at = cg_now();
	m->serial = res->serial;
	m->n_items = res->n_items;
	snprintf(m->digest, sizeof m->digest, "%s", res->digest);
	pthread_mutex_lock(&s->mu);
	if (s->q_len < RECORD_QUEUE) {
		s->queue[(s->q_head + s->q_len) % RECORD_QUEUE] = *m;
		s->q_len++;
		pthread_cond_broadcast(&s->cv);
	} else {
		s->dropped++;
		m->digest[0] = '\0'; /* not recorded: try again on the next pull */
	}
	pthread_mutex_unlock(&s->mu);
}

/* The writer thread: records queued enforcements with its own connection,
 * so a busy database delays records, not responses. */
static void *writer_main(void *arg)
{
	struct block_server *s = arg;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		struct record r;
		struct block_enforcement e;
		enum cg_err rc;
		int added;
		while (!s->q_len && !s->stopping)
			pthread_cond_wait(&s->cv, &s->mu);
		if (!s->q_len)
			break;
		r = s->queue[s->q_head];
		s->q_head = (s->q_head + 1) % RECORD_QUEUE;
		s->q_len--;
		pthread_mutex_unlock(&s->mu);
		e = (struct block_enforcement){.point = r.point, .format = block_format_name(r.fmt), .at = r.at,
					       .serial = r.serial, .n_items = (int64_t)r.n_items, .digest = r.digest};
		if ((rc = store_block_enforcement_add_once(s->wdb, &e, &added)))
			fprintf(stderr, "canhgac: block serve: %s\n", cg_err_msg(rc));
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* The watchdog: a connection whose request head is not complete within
 * the deadline is shut down (MHD then closes it), so slow clients cannot
 * hold the server's connection slots. */
static void *watchdog_main(void *arg)
{
	struct block_server *s = arg;
	int64_t deadline = (int64_t)(s->o.head_timeout ? s->o.head_timeout : BLOCK_SERVE_HEAD_TIMEOUT) * 1000;

	pthread_mutex_lock(&s->mu);
	while (!s->stopping) {
		struct timespec until;
		int64_t now = cg_time_mono_ms();
		for (struct conn_slot *c = s->conns; c; c = c->next)
			if (c->in_head && !c->cut && now - c->head_ms > deadline) {
				shutdown(c->fd, SHUT_RDWR);
				c->cut = 1;
			}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 250 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->cv, &s->mu, &until);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct block_server *s = cls;
	struct conn_slot *c = *socket_context;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (!ci || !(c = calloc(1, sizeof *c)))
			return;
		c->fd = ci->connect_fd;
		c->in_head = 1;
		c->head_ms = cg_time_mono_ms();
		pthread_mutex_lock(&s->mu);
		c->next = s->conns;
		if (s->conns)
			s->conns->prev = c;
		s->conns = c;
		pthread_mutex_unlock(&s->mu);
		*socket_context = c;
	} else if (c) {
		/* Unlinked before MHD closes the descriptor: the watchdog never
		 * shuts down a number the kernel has handed to someone else. */
		pthread_mutex_lock(&s->mu);
		if (c->prev)
			c->prev->next = c->next;
		else
			s->conns = c->next;
		if (c->next)
			c->next->prev = c->prev;
		pthread_mutex_unlock(&s->mu);
		free(c);
		*socket_context = NULL;
	}
}

static struct conn_slot *slot_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

static void set_in_head(struct block_server *s, struct MHD_Connection *conn, int in_head)
{
	struct conn_slot *c = slot_of(conn);
	if (!c)
		return;
	pthread_mutex_lock(&s->mu);
	c->in_head = in_head;
	c->head_ms = cg_time_mono_ms();
	pthread_mutex_unlock(&s->mu);
}

/* A response is out: the connection may now carry the head of the next request. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)con_cls;
	(void)toe;
	set_in_head(cls, conn, 1);
}

static MHD_Result_t send_export(struct block_server *s, struct MHD_Connection *conn, enum block_format fmt,
				const struct block_export_result *res, int is_head, const char *point)
{
	const char *inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	char etag[24];
	struct MHD_Response *r;
	MHD_Result_t ret;
	unsigned status = MHD_HTTP_OK;

	snprintf(etag, sizeof etag, "\"%s\"", res->digest);
	if (inm && (strstr(inm, etag) || strcmp(inm, "*") == 0)) {
		status = MHD_HTTP_NOT_MODIFIED;
		r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	} else {
		/* HEAD too: MHD sends the headers of the full response, Content-Length
		 * included, and leaves the body out. */
		r = MHD_create_response_from_buffer(res->len, res->data, MHD_RESPMEM_MUST_COPY);
	}
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, block_format_mime(fmt));
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	if (status == MHD_HTTP_OK && !is_head && point)
		queue_record(s, point, fmt, res);
	return ret;
}

static MHD_Result_t handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			   const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct block_server *s = cls;
	int is_head = strcmp(method, "HEAD") == 0;
	const char *since;
	int fmt;
	int64_t now = cg_now();
	enum cg_err rc;

	const char *auth;
	char point[BLOCK_POINT_NAME_MAX + 1];
	int authed = 0;

	(void)version;
	(void)upload_data;
	(void)con_cls;
	set_in_head(s, conn, 0);
	if (strcmp(method, "GET") != 0 && !is_head)
		return send_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	if (*upload_data_size)
		return send_text(conn, MHD_HTTP_BAD_REQUEST, "no body expected\n");
	if (strcmp(url, "/") == 0)
		return send_text(conn, MHD_HTTP_OK, "/nft /ipset /rpz /unbound /hosts /plain /json (?since=WHEN)\n");
	fmt = url[0] == '/' ? block_format_from_name(url + 1) : -1;
	if (fmt < 0)
		return send_text(conn, MHD_HTTP_NOT_FOUND, "no such list; try /\n");
	since = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "since");
	cg_err_clear();
	/* An enforcement point proves who it is with its token; anyone else is
	 * served the lists, but nothing is recorded for them. */
	auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (auth) {
		if (strncmp(auth, "Bearer ", 7) != 0 || block_point_authenticate(s->db, auth + 7, point, sizeof point))
			return send_text(conn, MHD_HTTP_UNAUTHORIZED, "unknown enforcement point token\n");
		authed = 1;
	}
	if (since) {
		struct block_export_req req = {.fmt = (enum block_format)fmt, .at = now, .has_since = 1,
					       .opts = s->o.export};
		struct block_export_result res;
		MHD_Result_t ret;
		char msg[600];
		if ((rc = block_time_parse(since, now, BLOCK_TIME_AGO, &req.since)) || (rc = block_export_render(s->db, &req, &res))) {
			snprintf(msg, sizeof msg, "%s\n", cg_err_msg(rc));
			return send_text(conn, rc == CG_EDB || rc == CG_ENOMEM ? MHD_HTTP_INTERNAL_SERVER_ERROR
										: MHD_HTTP_BAD_REQUEST, msg);
		}
		ret = send_export(s, conn, (enum block_format)fmt, &res, is_head, NULL);
		block_export_result_free(&res);
		return ret;
	} else {
		struct cached *c;
		if ((rc = current(s, (enum block_format)fmt, now, &c))) {
			char msg[600];
			snprintf(msg, sizeof msg, "%s\n", cg_err_msg(rc));
			return send_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, msg);
		}
		return send_export(s, conn, (enum block_format)fmt, &c->res, is_head, authed ? point : NULL);
	}
}

enum cg_err block_serve_start(const struct block_serve_opts *o, struct block_server **out)
{
	struct block_server *s = calloc(1, sizeof *s);
	struct sockaddr_storage ss;
	socklen_t sl;
	const union MHD_DaemonInfo *di;
	const char *addr = o->addr ? o->addr : "127.0.0.1";
	enum cg_err rc;

	*out = NULL;
	if (!s)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	s->o = *o;
	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, addr, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)o->port);
		sl = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, addr, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)o->port);
		sl = sizeof(struct sockaddr_in6);
	} else {
		free(s);
		return cg_err_set(CG_EINVAL, _("'%s' is not an IP address to listen on"), addr);
	}
	(void)sl;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if ((rc = block_export_check_opts(BLOCK_FMT_JSON, &o->export, 0)) || (rc = cg_db_open_existing(o->db_path, &s->db)) ||
	    (rc = cg_db_open_existing(o->db_path, &s->wdb)))
		goto fail;
	if (pthread_create(&s->writer, NULL, writer_main, s) != 0 ||
	    !(s->have_writer = 1) || pthread_create(&s->watchdog, NULL, watchdog_main, s) != 0) {
		rc = cg_err_set(CG_ENOMEM, _("cannot start a thread"));
		goto fail;
	}
	s->have_watchdog = 1;
	/* One internal thread: the serving connection is used by it alone. A
	 * client address may hold only a few connections; an idle connection
	 * is closed after the idle timeout, a request head not complete within
	 * the head deadline by the watchdog. */
	s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG |
					(ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				0, NULL, NULL, handle, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				MHD_OPTION_CONNECTION_LIMIT, o->max_clients ? o->max_clients : BLOCK_SERVE_MAX_CLIENTS,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT,
				o->max_per_address ? o->max_per_address : BLOCK_SERVE_MAX_PER_ADDRESS,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)BLOCK_SERVE_IDLE_TIMEOUT,
				MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				MHD_OPTION_END);
	if (!s->d) {
		rc = cg_err_set(CG_EIO, _("cannot listen on %s port %u"), addr, o->port);
		goto fail;
	}
	di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : o->port;
	*out = s;
	return CG_OK;
fail:
	block_serve_stop(s);
	return rc;
}

unsigned block_serve_port(const struct block_server *s)
{
	return s->port;
}

void block_serve_stop(struct block_server *s)
{
	if (!s)
		return;
	if (s->d)
		MHD_stop_daemon(s->d);
	/* The writer drains what is queued, then both threads end. */
	pthread_mutex_lock(&s->mu);
	s->stopping = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	if (s->have_writer)
		pthread_join(s->writer, NULL);
	if (s->have_watchdog)
		pthread_join(s->watchdog, NULL);
	if (s->dropped)
		fprintf(stderr, _("canhgac: block serve: %llu enforcement records dropped (queue full)\n"),
			(unsigned long long)s->dropped);
	for (int i = 0; i < BLOCK_FMT_COUNT; i++)
		block_export_result_free(&s->cache[i].res);
	cg_db_close(s->db);
	cg_db_close(s->wdb);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
