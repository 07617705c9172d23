/* daemon_metrics — /metrics and /health over HTTP (see daemon_metrics.h). */
#include "daemon_metrics.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cg_i18n.h"

#if MHD_VERSION < 0x00097002
typedef int MHD_Result_t;
#else
typedef enum MHD_Result MHD_Result_t;
#endif

#define METRICS_PAGE_MAX ((size_t)4 << 20)

struct daemon_metrics {
	struct MHD_Daemon *d;
	daemon_metrics_fn fn;
	void *ctx;
	unsigned port;
};

static MHD_Result_t reply(struct MHD_Connection *c, unsigned status, const char *type, char *body, size_t n,
			  enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(n, body, mode);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_Result_t ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static MHD_Result_t handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			   const char *version, const char *upload, size_t *upload_n, void **con_cls)
{
	(void)version;
	(void)upload;
	(void)con_cls;
	struct daemon_metrics *m = cls;
	if (*upload_n)
		return MHD_NO;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", (char *)"method not allowed\n", 19,
			     MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/health") == 0)
		return reply(c, MHD_HTTP_OK, "text/plain", (char *)"ok\n", 3, MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/metrics") != 0)
		return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", (char *)"not found\n", 10, MHD_RESPMEM_PERSISTENT);
	struct cg_buf b;
	cg_buf_init(&b, METRICS_PAGE_MAX);
	if (m->fn(m->ctx, &b) || !b.data) {
		cg_buf_free(&b);
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain", (char *)"error\n", 6,
			     MHD_RESPMEM_PERSISTENT);
	}
	size_t n = b.len;
	return reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", cg_buf_steal(&b), n,
		     MHD_RESPMEM_MUST_FREE);
}

enum cg_err daemon_metrics_start(const char *address, unsigned port, daemon_metrics_fn fn, void *ctx,
				 struct daemon_metrics **out)
{
	*out = NULL;
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, address, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, address, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
	} else
		return cg_err_set(CG_EINVAL, _("metrics: '%s' is not an IP address"), address);
	struct daemon_metrics *m = calloc(1, sizeof *m);
	if (!m)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	m->fn = fn;
	m->ctx = ctx;
	m->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
					(ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				0, NULL, NULL, handle, m, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				MHD_OPTION_CONNECTION_LIMIT, 16u, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
				MHD_OPTION_END);
	if (!m->d) {
		free(m);
		return cg_err_set(CG_EIO, _("metrics: cannot listen on %s port %u"), address, port);
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(m->d, MHD_DAEMON_INFO_BIND_PORT);
	m->port = di ? di->port : port;
	*out = m;
	return CG_OK;
}

unsigned daemon_metrics_port(const struct daemon_metrics *m)
{
	return m ? m->port : 0;
}

void daemon_metrics_stop(struct daemon_metrics *m)
{
	if (!m)
		return;
	MHD_stop_daemon(m->d);
	free(m);
}
