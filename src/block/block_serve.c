#include "block_serve.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "block.h"
#include "cg_i18n.h"
#include "cg_db.h"

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

struct block_server {
	struct MHD_Daemon *d;
	struct cg_db *db;
	struct block_serve_opts o;
	unsigned port;
	struct cached cache[BLOCK_FMT_COUNT];
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

static void client_addr(struct MHD_Connection *c, char *buf, size_t n)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(buf, n, "unknown");
	if (!ci || !ci->client_addr)
		return;
	if (ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_addr, buf, (socklen_t)n);
	else if (ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)ci->client_addr)->sin6_addr, buf,
			  (socklen_t)n);
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

static MHD_Result_t send_export(struct block_server *s, struct MHD_Connection *conn, enum block_format fmt,
				const struct block_export_result *res, int is_head)
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
	} else if (is_head) {
		r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	} else {
		r = MHD_create_response_from_buffer(res->len, res->data, MHD_RESPMEM_MUST_COPY);
	}
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, block_format_mime(fmt));
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	if (status == MHD_HTTP_OK && !is_head && s->o.record) {
		char client[INET6_ADDRSTRLEN + 8], point[600];
		enum cg_err rc;
		client_addr(conn, client, sizeof client);
		snprintf(point, sizeof point, "%s/%s", s->o.record, client);
		if ((rc = block_record_enforcement(s->db, point, fmt, cg_now(), res)))
			fprintf(stderr, "canhgac: block serve: %s\n", cg_err_msg(rc));
	}
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

	(void)version;
	(void)upload_data;
	(void)con_cls;
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
		ret = send_export(s, conn, (enum block_format)fmt, &res, is_head);
		block_export_result_free(&res);
		return ret;
	} else {
		struct cached *c;
		if ((rc = current(s, (enum block_format)fmt, now, &c))) {
			char msg[600];
			snprintf(msg, sizeof msg, "%s\n", cg_err_msg(rc));
			return send_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, msg);
		}
		return send_export(s, conn, (enum block_format)fmt, &c->res, is_head);
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
	if ((rc = block_export_check_opts(BLOCK_FMT_JSON, &o->export, 0)) || (rc = cg_db_open(o->db_path, &s->db))) {
		free(s);
		return rc;
	}
	/* One internal thread: the database connection is used by it alone. */
	s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
					(ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				0, NULL, NULL, handle, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				MHD_OPTION_CONNECTION_LIMIT, o->max_clients ? o->max_clients : 64u,
				MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
	if (!s->d) {
		cg_db_close(s->db);
		free(s);
		return cg_err_set(CG_EIO, _("cannot listen on %s port %u"), addr, o->port);
	}
	di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : o->port;
	*out = s;
	return CG_OK;
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
	for (int i = 0; i < BLOCK_FMT_COUNT; i++)
		block_export_result_free(&s->cache[i].res);
	cg_db_close(s->db);
	free(s);
}
