#include "agent_hub.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "agent_ca.h"
#include "agent_msg.h"
#include "agent_tls.h"
#include "cg_db.h"
#include "cg_i18n.h"
#include "evidence.h"
#include "agent_scan.h"
#include "ioc.h"
#include "store_agent.h"
#include "store_intel.h"
#include "store_vuln.h"
#include "config.h"

#define ENROLL_MSG_MAX 65536 /* a peer without a certificate sends one small message */
#define MSGS_PER_CONN 100000
#define TASKS_PER_HELLO 100

struct agent_hub {
	char *listen, *ca_dir, *evidence_dir, *db_path;
	unsigned max_conns;
	void (*log)(void *ctx, enum agent_hub_log_level level, const char *msg);
	void *log_ctx;

	struct cg_db *db;
	pthread_mutex_t db_lock;
	struct agent_ca *ca;
	char ca_fingerprint[65];
	SSL_CTX *tls;
	int fd, port;
	int stop_pipe[2];
	pthread_t thread;
	int started, stopped;

	pthread_mutex_t conn_lock;
	pthread_cond_t conn_done;
	unsigned n_conns;
	int *conn_fds; /* max_conns slots, -1 when free: shut down on stop */
};

struct conn {
	struct agent_hub *hub;
	int fd;
	char peer[80];
};

static void hub_log(struct agent_hub *hub, enum agent_hub_log_level level, const char *fmt, ...) CG_PRINTF(3, 4);
static void hub_log(struct agent_hub *hub, enum agent_hub_log_level level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* Host names and messages come from agents: one log line stays one line. */
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (hub->log)
		hub->log(hub->log_ctx, level, msg);
	else
		fprintf(stderr, "canhgac agent hub: %s\n", msg);
}

static char *dir_beside(const char *db_path, const char *name)
{
	const char *slash = strrchr(db_path, '/');
	char buf[4200];
	if (slash)
		snprintf(buf, sizeof buf, "%.*s/%s", (int)(slash - db_path), db_path, name);
	else
		snprintf(buf, sizeof buf, "%s", name);
	return strdup(buf);
}

static enum cg_err bind_listen(struct agent_hub *hub)
{
	char host[256], port[16];
	const char *hp = hub->listen, *colon;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *res = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	int one = 1, e;

	if (hp[0] == '[') {
		const char *close = strchr(hp, ']');
		if (!close || close[1] != ':')
			goto bad;
		snprintf(host, sizeof host, "%.*s", (int)(close - hp - 1), hp + 1);
		colon = close + 1;
	} else {
		if (!(colon = strrchr(hp, ':')) || colon == hp)
			goto bad;
		snprintf(host, sizeof host, "%.*s", (int)(colon - hp), hp);
	}
	snprintf(port, sizeof port, "%s", colon + 1);
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0)
		return cg_err_set(CG_EINVAL, _("agents: listen %s: %s"), hp, gai_strerror(e));
	hub->fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (hub->fd < 0 || setsockopt(hub->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(hub->fd, res->ai_addr, res->ai_addrlen) != 0 || listen(hub->fd, 64) != 0 ||
	    getsockname(hub->fd, (struct sockaddr *)&ss, &sl) != 0) {
		e = errno;
		freeaddrinfo(res);
		return cg_err_set(CG_EIO, _("agents: listen %s: %s"), hp, strerror(e));
	}
	freeaddrinfo(res);
	hub->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						     : ((struct sockaddr_in *)&ss)->sin_port);
	return CG_OK;
bad:
	return cg_err_set(CG_EINVAL, _("agents: listen '%s': expected HOST:PORT"), hp);
}

enum cg_err agent_hub_new(const struct agent_hub_opts *opts, const char *db_path, struct agent_hub **out)
{
	struct agent_hub *hub = calloc(1, sizeof *hub);
	struct agent_ca_info info;
	enum cg_err rc;

	*out = NULL;
	if (!hub)
		return cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
	hub->fd = hub->stop_pipe[0] = hub->stop_pipe[1] = -1;
	pthread_mutex_init(&hub->db_lock, NULL);
	pthread_mutex_init(&hub->conn_lock, NULL);
	pthread_cond_init(&hub->conn_done, NULL);
	hub->max_conns = opts && opts->max_conns ? opts->max_conns : 64;
	hub->log = opts ? opts->log : NULL;
	hub->log_ctx = opts ? opts->log_ctx : NULL;
	hub->listen = strdup(opts && opts->listen ? opts->listen : "0.0.0.0:7443");
	hub->ca_dir = opts && opts->ca_dir ? strdup(opts->ca_dir) : dir_beside(db_path, "ca");
	hub->evidence_dir = opts && opts->evidence_dir ? strdup(opts->evidence_dir) : dir_beside(db_path, "evidence");
	hub->conn_fds = malloc(hub->max_conns * sizeof *hub->conn_fds);
	for (unsigned i = 0; hub->conn_fds && i < hub->max_conns; i++)
		hub->conn_fds[i] = -1;
	if (!hub->listen || !hub->ca_dir || !hub->evidence_dir || !hub->conn_fds) {
		rc = cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
		goto fail;
	}
	if (!(hub->db_path = strdup(db_path))) {
		rc = cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
		goto fail;
	}
	if ((rc = agent_ca_load(hub->ca_dir, &hub->ca)) || (rc = agent_tls_server_ctx(hub->ca_dir, &hub->tls)) ||
	    (rc = bind_listen(hub)))
		goto fail;
	agent_ca_get_info(hub->ca, &info);
	memcpy(hub->ca_fingerprint, info.fingerprint, sizeof hub->ca_fingerprint);
	if (pipe2(hub->stop_pipe, O_CLOEXEC) != 0) {
		rc = cg_err_set(CG_EIO, "agents: pipe: %s", strerror(errno));
		goto fail;
	}
	*out = hub;
	return CG_OK;
fail:
	agent_hub_free(hub);
	return rc;
}

int agent_hub_port(const struct agent_hub *hub)
{
	return hub->port;
}

/* ---- replies ---- */

static enum cg_err send_error(SSL *ssl, const char *message)
{
	json_t *m = json_pack("{s:s,s:s}", "type", "error", "message", message);
	enum cg_err rc = m ? agent_tls_send(ssl, m) : CG_ENOMEM;
	json_decref(m);
	return rc;
}

/* ---- enrolment ---- */

struct issue_ctx {
	struct agent_ca *ca;
	const char *csr;
	int64_t now;
	char *cert;
};

static enum cg_err issue_cert(void *ctx, int64_t agent_id, char serial[41])
{
	struct issue_ctx *c = ctx;
	return agent_ca_issue(c->ca, c->csr, agent_id, c->now, &c->cert, serial);
}

static void serve_enroll(struct conn *c, SSL *ssl)
{
	struct agent_hub *hub = c->hub;
	struct agent_msg *m = NULL;
	struct agent_token_parts tok;
	struct issue_ctx ic = {.ca = hub->ca};
	char hash[65];
	int64_t id = 0;
	enum cg_err rc;

	if ((rc = agent_tls_recv(ssl, ENROLL_MSG_MAX, &m))) {
		hub_log(hub, AGENT_HUB_WARN, _("%s: no enrolment: %s"), c->peer, cg_err_msg(rc));
		(void)send_error(ssl, cg_err_msg(rc));
		return;
	}
	if (m->type != AGENT_MSG_ENROLL) {
		hub_log(hub, AGENT_HUB_WARN, _("%s: refused: no client certificate and not an enrolment"), c->peer);
		(void)send_error(ssl, _("a client certificate is required"));
		goto done;
	}
	if ((rc = agent_token_parse(m->token, &tok)))
		goto refused;
	if (strcmp(tok.fingerprint, hub->ca_fingerprint) != 0) {
		rc = cg_err_set(CG_EINVAL, _("enrolment refused: %s"), _("the token was made for another CA"));
		goto refused;
	}
	agent_sha256_hex(tok.secret, 64, hash);
	OPENSSL_cleanse(tok.secret, sizeof tok.secret);
	ic.csr = m->csr;
	pthread_mutex_lock(&hub->db_lock);
	ic.now = cg_now();
	rc = store_agent_enroll(hub->db, tok.id, hash, m->hostname, m->version, ic.now, issue_cert, &ic, &id);
	pthread_mutex_unlock(&hub->db_lock);
	if (rc)
		goto refused;
	json_t *r = json_pack("{s:s,s:I,s:s,s:s}", "type", "enrolled", "agent", (json_int_t)id, "cert", ic.cert, "ca",
			      agent_ca_pem(hub->ca));
	rc = r ? agent_tls_send(ssl, r) : CG_ENOMEM;
	json_decref(r);
	hub_log(hub, AGENT_HUB_INFO, _("%s: agent %lld enrolled (host %s, token %lld)"), c->peer, (long long)id,
		m->hostname, (long long)tok.id);
	goto done;
refused:
	hub_log(hub, AGENT_HUB_WARN, "%s: %s", c->peer, cg_err_msg(rc));
	(void)send_error(ssl, cg_err_msg(rc));
done:
	free(ic.cert);
	agent_msg_free(m);
}

/* ---- reports of an enrolled agent ---- */

struct task_list {
	json_t *arr;
	size_t bytes; /* of the tasks in arr, as sent */
};

/* A scan task carries its rule set; the tasks that would make the answer
 * longer than a frame wait for the next heartbeat (they stay open). */
static enum cg_err task_to_json(void *ctx, const struct agent_task_row *t)
{
	struct task_list *l = ctx;
	json_t *v = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)t->id, "kind", t->kind, "path", t->path);
	size_t len;
	if (!v)
		return cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
	if (t->rules[0]) {
		json_t *r = json_loads(t->rules, 0, NULL);
		if (!json_is_array(r) || json_object_set_new(v, "rules", r)) {
			json_decref(v);
			return cg_err_set(CG_EDB, _("agent task %lld: stored rules are damaged"), (long long)t->id);
		}
	}
	len = json_dumpb(v, NULL, 0, JSON_COMPACT) + 1;
	if (json_array_size(l->arr) && l->bytes + len > AGENT_TASK_RULES_JSON_MAX) {
		json_decref(v);
		return CG_OK;
	}
	l->bytes += len;
	json_array_append_new(l->arr, v);
	return CG_OK;
}

static enum cg_err on_hello(struct agent_hub *hub, const struct agent_ident *a, struct agent_msg *m, SSL *ssl)
{
	json_t *addrs = json_object_get(m->root, "addresses");
	char *addr_txt = addrs ? json_dumps(addrs, JSON_COMPACT) : strdup("[]");
	struct task_list l = {.arr = json_array()};
	enum cg_err rc;

	pthread_mutex_lock(&hub->db_lock);
	int64_t now = cg_now();
	rc = store_agent_seen(hub->db, a->id, now, m->hostname, m->version, addr_txt ? addr_txt : "[]");
	if (!rc)
		rc = store_agent_tasks_open(hub->db, a->id, TASKS_PER_HELLO, now, task_to_json, &l);
	pthread_mutex_unlock(&hub->db_lock);
	free(addr_txt);
	if (!rc) {
		json_t *r = json_pack("{s:s,s:o}", "type", "tasks", "tasks", l.arr);
		l.arr = NULL;
		rc = r ? agent_tls_send(ssl, r) : CG_ENOMEM;
		json_decref(r);
	}
	json_decref(l.arr);
	return rc;
}

static void os_pretty(const char *os_release, char *out, size_t n)
{
	const char *p = os_release;
	out[0] = '\0';
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (len > 12 && strncmp(p, "PRETTY_NAME=", 12) == 0) {
			const char *v = p + 12;
			size_t vl = len - 12;
			if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0]) {
				v++;
				vl -= 2;
			}
			snprintf(out, n, "%.*s", (int)vl, v);
			return;
		}
		p = eol ? eol + 1 : NULL;
	}
}

static char *member_json(json_t *body, const char *key)
{
	json_t *v = json_object_get(body, key);
	return v ? json_dumps(v, JSON_COMPACT) : strdup("[]");
}

static enum cg_err on_inventory(struct agent_hub *hub, const struct agent_ident *a, struct agent_msg *m)
{
	json_t *body = json_object_get(m->root, "body");
	char *ports = member_json(body, "ports"), *users = member_json(body, "users");
	char os[256], file[64];
	struct inv_import_stats st = {0};
	enum cg_err rc = CG_OK;
	int64_t packages = 0;

	os_pretty(m->os_release, os, sizeof os);
	if (!ports || !users) {
		rc = cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
		goto done;
	}
	if (strcmp(m->pkg_format, "none") != 0 && m->packages && *m->packages) {
		size_t ol = m->os_release ? strlen(m->os_release) : 0, pl = strlen(m->packages);
		char *buf = malloc(ol + pl + 3);
		if (!buf) {
			rc = cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
			goto done;
		}
		/* As `cat /etc/os-release /var/lib/dpkg/status`: the release names the distribution. */
		memcpy(buf, m->os_release ? m->os_release : "", ol);
		while (ol && buf[ol - 1] == '\n')
			ol--;
		size_t at = ol;
		if (ol) {
			buf[at++] = '\n';
			buf[at++] = '\n';
		}
		memcpy(buf + at, m->packages, pl);
		buf[at + pl] = '\0';
		snprintf(file, sizeof file, "agent-%lld", (long long)a->id);
		rc = store_inv_import(hub->db, a->name, file, buf, at + pl,
				      strcmp(m->pkg_format, "dpkg") == 0 ? INV_DPKG : INV_RPM, NULL, 1, &st);
		free(buf);
		if (rc)
			goto done;
		packages = (int64_t)st.items;
	}
	rc = store_agent_inventory(hub->db, a->id, os, m->kernel ? m->kernel : "", ports, users, packages, cg_now());
done:
	free(ports);
	free(users);
	return rc;
}

/* ---- task results ---- */

struct task_copy {
	int64_t incident_id;
	char kind[16];
	char path[4096];
	int open;
};

static enum cg_err copy_task(void *ctx, const struct agent_task_row *t)
{
	struct task_copy *c = ctx;
	c->incident_id = t->incident_id;
	snprintf(c->kind, sizeof c->kind, "%s", t->kind);
	snprintf(c->path, sizeof c->path, "%s", t->path);
	c->open = strcmp(t->state, "pending") == 0 || strcmp(t->state, "sent") == 0;
	return CG_OK;
}

static enum cg_err decode_b64(const char *in, unsigned char **out, size_t *len)
{
	size_t n = strlen(in);
	unsigned char *buf = malloc(n / 4 * 3 + 4);
	EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
	int a = 0, b = 0, ok;

	*out = NULL;
	ok = buf && ctx && n <= INT32_MAX;
	if (ok) {
		EVP_DecodeInit(ctx);
		ok = EVP_DecodeUpdate(ctx, buf, &a, (const unsigned char *)in, (int)n) >= 0 &&
		     EVP_DecodeFinal(ctx, buf + a, &b) >= 0;
	}
	EVP_ENCODE_CTX_free(ctx);
	if (!ok) {
		free(buf);
		ERR_clear_error();
		return cg_err_set(CG_EPARSE, "%s", _("agent message: result.file.data: not base64"));
	}
	*out = buf;
	*len = (size_t)a + (size_t)b;
	return CG_OK;
}

static enum cg_err mkdir_0700(const char *dir)
{
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return cg_err_set(CG_EIO, _("%s: cannot create directory: %s"), dir, strerror(errno));
	return CG_OK;
}

/* The upload goes to a file the hub names (never after anything the agent
 * sent), checked against the size and hash the agent claims, then into the
 * evidence store of the task's incident. */
static enum cg_err store_upload(struct agent_hub *hub, const struct agent_ident *a, struct agent_msg *m,
				const struct task_copy *t, int64_t *evidence_id)
{
	unsigned char *data = NULL;
	size_t len = 0;
	char dir[4200], tmp[4300], sha[65], src_host[300];
	struct evidence_added added;
	enum cg_err rc;
	int fd;

	if ((rc = decode_b64(m->file_data, &data, &len)))
		return rc;
	agent_sha256_hex(data, len, sha);
	if ((int64_t)len != m->file_size || strcmp(sha, m->file_sha256) != 0) {
		free(data);
		return cg_err_set(CG_EPARSE, "%s", _("agent message: result.file: the data does not match its size and SHA-256"));
	}
	snprintf(dir, sizeof dir, "%s/incoming", hub->evidence_dir);
	if ((rc = mkdir_0700(hub->evidence_dir)) || (rc = mkdir_0700(dir))) {
		free(data);
		return rc;
	}
	snprintf(tmp, sizeof tmp, "%s/agent-%lld-task-%lld.part", dir, (long long)a->id, (long long)m->task);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	size_t off = 0;
	while (fd >= 0 && off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w <= 0 && errno != EINTR)
			break;
		if (w > 0)
			off += (size_t)w;
	}
	free(data);
	if (fd < 0 || off < len || close(fd) != 0) {
		int e = errno;
		if (fd >= 0 && off < len)
			close(fd);
		unlink(tmp);
		return cg_err_set(CG_EIO, _("%s: cannot write: %s"), tmp, strerror(e));
	}
	snprintf(src_host, sizeof src_host, "%s", a->name);
	char collector[64];
	snprintf(collector, sizeof collector, "agent %lld", (long long)a->id);
	struct evidence_add_opts o = {
		.incident_id = t->incident_id,
		.store_dir = hub->evidence_dir,
		.note = _("collected by the agent on request"),
		.collector = collector,
		.source_host = src_host,
		.now = cg_now(),
		.name = strrchr(m->file, '/') ? strrchr(m->file, '/') + 1 : m->file,
		.source_path = m->file,
	};
	rc = evidence_add(hub->db, &o, tmp, &added);
	unlink(tmp);
	if (!rc)
		*evidence_id = added.id;
	return rc;
}

static enum cg_err on_result(struct agent_hub *hub, const struct agent_ident *a, struct agent_msg *m)
{
	struct task_copy t = {0};
	int64_t evidence_id = 0;
	char *result = NULL;
	const char *error = m->error;
	int ok = strcmp(m->status, "done") == 0;
	enum cg_err rc;

	if ((rc = store_agent_task_get(hub->db, a->id, m->task, copy_task, &t)))
		return rc;
	if (!t.open)
		return CG_OK;
	if (ok && strcmp(t.kind, "collect") == 0) {
		if (!m->file_data) {
			ok = 0;
			error = _("the agent sent no file");
		} else if ((rc = store_upload(hub, a, m, &t, &evidence_id))) {
			ok = 0;
			error = cg_err_msg(rc);
			hub_log(hub, AGENT_HUB_WARN, _("agent %lld: task %lld: upload not stored: %s"), (long long)a->id,
				(long long)m->task, error);
		} else {
			json_t *r = json_pack("{s:s,s:I,s:I}", "sha256", m->file_sha256, "size", (json_int_t)m->file_size,
					      "evidence", (json_int_t)evidence_id);
			result = r ? json_dumps(r, JSON_COMPACT) : NULL;
			json_decref(r);
		}
	} else if (ok && strcmp(t.kind, "scan") == 0) {
		if ((rc = agent_scan_store(hub->db, a->name, m, &result)))
			return rc;
	}
	rc = store_agent_task_finish(hub->db, a->id, m->task, ok, ok ? NULL : (error ? error : "failed"), result,
				     evidence_id, cg_now());
	free(result);
	return rc;
}

static enum cg_err on_report(struct agent_hub *hub, const struct agent_ident *a, struct agent_msg *m, SSL *ssl)
{
	enum cg_err rc, applied = CG_OK;
	int seen = 0;
	char why[512] = "";

	pthread_mutex_lock(&hub->db_lock);
	if ((rc = store_agent_report_seen(hub->db, a->id, m->seq, &seen)))
		goto unlock;
	if (!seen) {
		switch (m->kind) {
		case AGENT_REPORT_INVENTORY: applied = on_inventory(hub, a, m); break;
		case AGENT_REPORT_LOGS:
			applied = store_agent_logs(hub->db, a->id, m->file, m->offset, m->lines, m->n_lines, cg_now());
			break;
		case AGENT_REPORT_RESULT: applied = on_result(hub, a, m); break;
		}
		if (applied)
			snprintf(why, sizeof why, "%s", cg_err_msg(applied));
		/* A storage failure is not acknowledged: the agent keeps the report
		 * and sends it again. Content the centre refuses is acknowledged
		 * (and logged) or the agent would send it forever. */
		if (applied == CG_EDB || applied == CG_EIO || applied == CG_ENOMEM) {
			rc = applied;
			goto unlock;
		}
		rc = store_agent_report_done(hub->db, a->id, m->seq, agent_report_kind_name(m->kind), cg_now());
	}
unlock:
	pthread_mutex_unlock(&hub->db_lock);
	if (why[0])
		hub_log(hub, AGENT_HUB_WARN, _("agent %lld: report %lld (%s) not stored: %s"), (long long)a->id,
			(long long)m->seq, agent_report_kind_name(m->kind), why);
	if (rc)
		return rc;
	json_t *r = json_pack("{s:s,s:I}", "type", "ack", "seq", (json_int_t)m->seq);
	rc = r ? agent_tls_send(ssl, r) : CG_ENOMEM;
	json_decref(r);
	return rc;
}

static int peer_serial(SSL *ssl, char out[41])
{
	X509 *peer = SSL_get0_peer_certificate(ssl);
	BIGNUM *bn = peer ? ASN1_INTEGER_to_BN(X509_get0_serialNumber(peer), NULL) : NULL;
	char *hex = bn ? BN_bn2hex(bn) : NULL;
	int ok = hex && strlen(hex) <= 40;
	if (ok) {
		snprintf(out, 41, "%s", hex);
		for (char *p = out; *p; p++)
			if (*p >= 'A' && *p <= 'F')
				*p = (char)(*p - 'A' + 'a');
	}
	OPENSSL_free(hex);
	BN_free(bn);
	return ok;
}

static void serve_agent(struct conn *c, SSL *ssl)
{
	struct agent_hub *hub = c->hub;
	struct agent_ident a;
	char serial[41];
	enum cg_err rc;

	if (SSL_get_verify_result(ssl) != X509_V_OK || !peer_serial(ssl, serial)) {
		hub_log(hub, AGENT_HUB_WARN, _("%s: refused: the client certificate does not verify"), c->peer);
		return;
	}
	pthread_mutex_lock(&hub->db_lock);
	rc = store_agent_by_serial(hub->db, serial, &a);
	pthread_mutex_unlock(&hub->db_lock);
	if (rc || a.revoked) {
		hub_log(hub, AGENT_HUB_WARN, _("%s: refused: certificate %s is %s"), c->peer, serial,
			rc ? _("unknown") : _("revoked"));
		(void)send_error(ssl, rc ? _("this certificate is unknown") : _("this agent is revoked"));
		return;
	}
	for (int n = 0; n < MSGS_PER_CONN; n++) {
		struct agent_msg *m = NULL;
		if ((rc = agent_tls_recv(ssl, AGENT_MSG_MAX, &m))) {
			if (rc != CG_ENOTFOUND) {
				hub_log(hub, AGENT_HUB_WARN, _("agent %lld (%s): %s"), (long long)a.id, c->peer, cg_err_msg(rc));
				(void)send_error(ssl, cg_err_msg(rc));
			}
			return;
		}
		if (m->type == AGENT_MSG_HELLO)
			rc = on_hello(hub, &a, m, ssl);
		else if (m->type == AGENT_MSG_REPORT)
			rc = on_report(hub, &a, m, ssl);
		else
			rc = cg_err_set(CG_EPARSE, "%s", _("agent message: unexpected type from an agent"));
		agent_msg_free(m);
		if (rc) {
			hub_log(hub, AGENT_HUB_WARN, _("agent %lld (%s): %s"), (long long)a.id, c->peer, cg_err_msg(rc));
			(void)send_error(ssl, cg_err_msg(rc));
			return;
		}
	}
}

static void *conn_main(void *arg)
{
	struct conn *c = arg;
	struct agent_hub *hub = c->hub;
	SSL *ssl = SSL_new(hub->tls);

	agent_tls_timeouts(c->fd, AGENT_IO_TIMEOUT);
	if (!ssl || !SSL_set_fd(ssl, c->fd)) {
		hub_log(hub, AGENT_HUB_WARN, "%s: TLS: out of memory", c->peer);
	} else if (SSL_accept(ssl) != 1) {
		char buf[256];
		unsigned long e = ERR_get_error();
		ERR_error_string_n(e, buf, sizeof buf);
		hub_log(hub, AGENT_HUB_WARN, _("%s: TLS handshake failed: %s"), c->peer, e ? buf : "closed");
	} else if (SSL_get0_peer_certificate(ssl)) {
		serve_agent(c, ssl);
	} else {
		serve_enroll(c, ssl);
	}
	if (ssl) {
		SSL_shutdown(ssl);
		SSL_free(ssl);
	}
	ERR_clear_error();
	pthread_mutex_lock(&hub->conn_lock);
	for (unsigned i = 0; i < hub->max_conns; i++)
		if (hub->conn_fds[i] == c->fd)
			hub->conn_fds[i] = -1;
	hub->n_conns--;
	pthread_cond_broadcast(&hub->conn_done);
	pthread_mutex_unlock(&hub->conn_lock);
	close(c->fd);
	free(c);
	OPENSSL_thread_stop();
	return NULL;
}

static void peer_name(const struct sockaddr_storage *ss, char *out, size_t n)
{
	char host[64] = "?", port[16] = "?";
	getnameinfo((const struct sockaddr *)ss, sizeof *ss, host, sizeof host, port, sizeof port,
		    NI_NUMERICHOST | NI_NUMERICSERV);
	snprintf(out, n, "%s:%s", host, port);
}

static void *accept_main(void *arg)
{
	struct agent_hub *hub = arg;
	struct pollfd p[2] = {{.fd = hub->fd, .events = POLLIN}, {.fd = hub->stop_pipe[0], .events = POLLIN}};

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		int fd = accept4(hub->fd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		struct conn *c = calloc(1, sizeof *c);
		pthread_mutex_lock(&hub->conn_lock);
		int full = hub->n_conns >= hub->max_conns;
		if (!full && c) {
			hub->n_conns++;
			for (unsigned i = 0; i < hub->max_conns; i++)
				if (hub->conn_fds[i] < 0) {
					hub->conn_fds[i] = fd;
					break;
				}
		}
		pthread_mutex_unlock(&hub->conn_lock);
		if (full || !c) {
			free(c);
			close(fd);
			continue;
		}
		c->hub = hub;
		c->fd = fd;
		peer_name(&ss, c->peer, sizeof c->peer);
		pthread_t t;
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &attr, conn_main, c) != 0) {
			pthread_mutex_lock(&hub->conn_lock);
			for (unsigned i = 0; i < hub->max_conns; i++)
				if (hub->conn_fds[i] == fd)
					hub->conn_fds[i] = -1;
			hub->n_conns--;
			pthread_mutex_unlock(&hub->conn_lock);
			close(fd);
			free(c);
		}
		pthread_attr_destroy(&attr);
	}
	return NULL;
}

enum cg_err agent_hub_start(struct agent_hub *hub)
{
	enum cg_err rc;
	if (hub->started)
		return CG_OK;
	/* Opened here, after a daemon dropped its privileges: the files the
	 * database makes belong to the user it runs as. */
	if (!hub->db && (rc = cg_db_open(hub->db_path, &hub->db)))
		return rc;
	if (pthread_create(&hub->thread, NULL, accept_main, hub) != 0)
		return cg_err_set(CG_EINTERNAL, "%s", _("agents: cannot start the accept thread"));
	hub->started = 1;
	hub_log(hub, AGENT_HUB_INFO, _("listening for agents on %s (port %d)"), hub->listen, hub->port);
	return CG_OK;
}

void agent_hub_stop(struct agent_hub *hub)
{
	if (!hub || hub->stopped)
		return;
	hub->stopped = 1;
	if (hub->started) {
		if (write(hub->stop_pipe[1], "x", 1) != 1)
			hub_log(hub, AGENT_HUB_WARN, "agents: stop: %s", strerror(errno));
		pthread_join(hub->thread, NULL);
	}
	if (hub->fd >= 0) {
		close(hub->fd);
		hub->fd = -1;
	}
	/* Connections being served end now: their reads fail at once. A report
	 * not acknowledged yet stays in its agent's outbox. */
	pthread_mutex_lock(&hub->conn_lock);
	for (unsigned i = 0; hub->conn_fds && i < hub->max_conns; i++)
		if (hub->conn_fds[i] >= 0)
			shutdown(hub->conn_fds[i], SHUT_RDWR);
	while (hub->n_conns > 0)
		pthread_cond_wait(&hub->conn_done, &hub->conn_lock);
	pthread_mutex_unlock(&hub->conn_lock);
}

void agent_hub_free(struct agent_hub *hub)
{
	if (!hub)
		return;
	agent_hub_stop(hub);
	if (hub->stop_pipe[0] >= 0)
		close(hub->stop_pipe[0]);
	if (hub->stop_pipe[1] >= 0)
		close(hub->stop_pipe[1]);
	SSL_CTX_free(hub->tls);
	agent_ca_free(hub->ca);
	cg_db_close(hub->db);
	pthread_mutex_destroy(&hub->db_lock);
	pthread_mutex_destroy(&hub->conn_lock);
	pthread_cond_destroy(&hub->conn_done);
	free(hub->listen);
	free(hub->ca_dir);
	free(hub->evidence_dir);
	free(hub->db_path);
	free(hub->conn_fds);
	free(hub);
}
