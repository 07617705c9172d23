#include "agent_client.h"

#include <errno.h>
#include <fcntl.h>
#include <libfyaml.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "agent_ca.h"
#include "agent_inv.h"
#include "agent_msg.h"
#include "agent_outbox.h"
#include "agent_tls.h"
#include "cg_db.h"
#include "cg_file.h"
#include "cg_i18n.h"
#include "cg_utf8.h"
#include "scan.h"

#define DONE_TASKS_MAX 1000

/* ---- configuration ---- */

void agent_conf_defaults(struct agent_conf *c)
{
	memset(c, 0, sizeof *c);
	snprintf(c->state_dir, sizeof c->state_dir, "/var/lib/canhgac-agent");
	c->heartbeat = 60;
	c->inventory = 3600;
	c->outbox_items = 10000;
	c->outbox_bytes = 256u << 20;
}

void agent_conf_release(struct agent_conf *c)
{
	for (size_t i = 0; i < c->n_watch; i++)
		free(c->watch[i]);
	c->n_watch = 0;
}

static unsigned long line_of(struct fy_node *n)
{
	struct fy_token *t = n ? fy_node_get_scalar_token(n) : NULL;
	const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
	return m ? (unsigned long)m->line + 1 : 0;
}

static enum cg_err conf_bad(const char *path, struct fy_node *at, const char *key, const char *why)
{
	return cg_err_set(CG_EPARSE, _("%s:%lu: %s: %s"), path, line_of(at), key, why);
}

static enum cg_err conf_str(const char *path, struct fy_node *k, struct fy_node *v, char *out, size_t n)
{
	size_t len;
	const char *s;
	if (!v || fy_node_get_type(v) != FYNT_SCALAR || !(s = fy_node_get_scalar(v, &len)))
		return conf_bad(path, k, fy_node_get_scalar0(k), _("expected a text value"));
	if (len >= n || memchr(s, '\0', len))
		return conf_bad(path, k, fy_node_get_scalar0(k), _("too long"));
	memcpy(out, s, len);
	out[len] = '\0';
	return CG_OK;
}

static enum cg_err conf_num(const char *path, struct fy_node *k, struct fy_node *v, unsigned long long min,
			    unsigned long long max, unsigned long long *out)
{
	char buf[32], *end;
	enum cg_err rc;
	if ((rc = conf_str(path, k, v, buf, sizeof buf)))
		return rc;
	errno = 0;
	*out = strtoull(buf, &end, 10);
	if (end == buf || *end || errno || buf[0] == '-' || *out < min || *out > max)
		return conf_bad(path, k, fy_node_get_scalar0(k), _("expected a whole number in range"));
	return CG_OK;
}

static enum cg_err conf_outbox(const char *path, struct fy_node *v, struct agent_conf *c)
{
	struct fy_node_pair *p;
	void *it = NULL;
	unsigned long long n;
	enum cg_err rc;
	if (fy_node_get_type(v) != FYNT_MAPPING)
		return conf_bad(path, v, "outbox", _("expected a mapping"));
	while ((p = fy_node_mapping_iterate(v, &it))) {
		struct fy_node *k = fy_node_pair_key(p), *val = fy_node_pair_value(p);
		const char *ks = k ? fy_node_get_scalar0(k) : NULL;
		if (ks && strcmp(ks, "max_items") == 0) {
			if ((rc = conf_num(path, k, val, 1, 1000000, &n)))
				return rc;
			c->outbox_items = (size_t)n;
		} else if (ks && strcmp(ks, "max_bytes") == 0) {
			if ((rc = conf_num(path, k, val, 1u << 20, 1ull << 40, &n)))
				return rc;
			c->outbox_bytes = n;
		} else {
			return conf_bad(path, k, ks ? ks : "?", _("unknown key"));
		}
	}
	return CG_OK;
}

static enum cg_err conf_watch(const char *path, struct fy_node *k, struct fy_node *v, struct agent_conf *c)
{
	struct fy_node *item;
	void *it = NULL;
	char buf[4096];
	enum cg_err rc;
	if (fy_node_get_type(v) != FYNT_SEQUENCE)
		return conf_bad(path, k, "watch", _("expected a list of files"));
	agent_conf_release(c);
	while ((item = fy_node_sequence_iterate(v, &it))) {
		if (c->n_watch >= AGENT_WATCH_MAX)
			return conf_bad(path, item, "watch", _("too many files"));
		if ((rc = conf_str(path, k, item, buf, sizeof buf)))
			return rc;
		if (buf[0] != '/')
			return conf_bad(path, item, "watch", _("the path must be absolute"));
		if (!(c->watch[c->n_watch] = strdup(buf)))
			return cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
		c->n_watch++;
	}
	return CG_OK;
}

enum cg_err agent_conf_load(const char *path, struct agent_conf *c)
{
	struct fy_document *doc = fy_document_build_from_file(NULL, path);
	struct fy_node *root;
	struct fy_node_pair *p;
	void *it = NULL;
	unsigned long long n;
	enum cg_err rc = CG_OK;

	if (!doc)
		return cg_err_set(CG_EPARSE, _("%s: cannot read the configuration (missing, or not YAML)"), path);
	root = fy_document_root(doc);
	if (!root || fy_node_get_type(root) != FYNT_MAPPING) {
		fy_document_destroy(doc);
		return cg_err_set(CG_EPARSE, _("%s: the configuration must be a mapping"), path);
	}
	while (!rc && (p = fy_node_mapping_iterate(root, &it))) {
		struct fy_node *k = fy_node_pair_key(p), *v = fy_node_pair_value(p);
		const char *ks = k && fy_node_get_type(k) == FYNT_SCALAR ? fy_node_get_scalar0(k) : NULL;
		if (!ks || !v)
			rc = conf_bad(path, k, "?", _("expected key: value"));
		else if (strcmp(ks, "server") == 0)
			rc = conf_str(path, k, v, c->server, sizeof c->server);
		else if (strcmp(ks, "state") == 0)
			rc = conf_str(path, k, v, c->state_dir, sizeof c->state_dir);
		else if (strcmp(ks, "root") == 0)
			rc = conf_str(path, k, v, c->root, sizeof c->root);
		else if (strcmp(ks, "heartbeat") == 0) {
			if (!(rc = conf_num(path, k, v, 1, 86400, &n)))
				c->heartbeat = (unsigned)n;
		} else if (strcmp(ks, "inventory") == 0) {
			if (!(rc = conf_num(path, k, v, 1, 7 * 86400, &n)))
				c->inventory = (unsigned)n;
		} else if (strcmp(ks, "watch") == 0)
			rc = conf_watch(path, k, v, c);
		else if (strcmp(ks, "outbox") == 0)
			rc = conf_outbox(path, v, c);
		else
			rc = conf_bad(path, k, ks, _("unknown key"));
	}
	fy_document_destroy(doc);
	return rc;
}

/* ---- state files ---- */

static void state_path(const struct agent_conf *c, const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", c->state_dir, name);
}

static enum cg_err write_state(const struct agent_conf *c, const char *name, const char *data, mode_t mode)
{
	char tmp[4300], dst[4200];
	size_t len = strlen(data), off = 0;
	int fd;
	state_path(c, name, dst, sizeof dst);
	snprintf(tmp, sizeof tmp, "%s.tmp", dst);
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)) < 0)
		return cg_err_set(CG_EIO, _("%s: cannot create: %s"), tmp, strerror(errno));
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off < len || fsync(fd) != 0 || close(fd) != 0 || rename(tmp, dst) != 0) {
		int e = errno;
		unlink(tmp);
		return cg_err_set(CG_EIO, _("%s: cannot write: %s"), dst, strerror(e ? e : ENOSPC));
	}
	return CG_OK;
}

static char *read_state(const struct agent_conf *c, const char *name, size_t cap)
{
	char path[4200], *buf = NULL;
	size_t len;
	state_path(c, name, path, sizeof path);
	if (cg_file_read(path, cap, &buf, &len) != CG_OK) {
		cg_err_clear();
		return NULL;
	}
	return buf;
}

/* ---- enrolment ---- */

enum cg_err agent_enroll(const struct agent_conf *c, const char *server, const char *token, const char *version,
			 int64_t *agent_id)
{
	struct agent_token_parts tok;
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	struct agent_msg *m = NULL;
	char *key = NULL, *csr = NULL, host[256] = "", path[4200], fp[65];
	json_t *req = NULL;
	enum cg_err rc;

	if ((rc = agent_token_parse(token, &tok)))
		return rc;
	state_path(c, "agent.crt", path, sizeof path);
	if (access(path, F_OK) == 0)
		return cg_err_set(CG_EEXIST, _("%s: this agent is enrolled already (remove the state directory to enrol again)"),
				  c->state_dir);
	if (mkdir(c->state_dir, 0700) != 0 && errno != EEXIST)
		return cg_err_set(CG_EIO, _("%s: cannot create directory: %s"), c->state_dir, strerror(errno));
	gethostname(host, sizeof host - 1);
	if ((rc = agent_ca_make_csr(host, &key, &csr)) || (rc = agent_tls_enroll_ctx(&ctx)) ||
	    (rc = agent_tls_connect(ctx, server, &ssl)) || (rc = agent_tls_check_pin(ssl, tok.fingerprint)))
		goto done;
	req = json_pack("{s:s,s:s,s:s,s:s,s:s}", "type", "enroll", "token", token, "csr", csr, "hostname", host,
			"version", version);
	if (!req) {
		rc = cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
		goto done;
	}
	if ((rc = agent_tls_send(ssl, req)) || (rc = agent_tls_recv(ssl, 65536, &m)))
		goto done;
	if (m->type == AGENT_MSG_ERROR) {
		rc = cg_err_set(CG_EINVAL, _("the centre refused: %s"), m->message);
		goto done;
	}
	if (m->type != AGENT_MSG_ENROLLED) {
		rc = cg_err_set(CG_EPARSE, "%s", _("the centre answered with an unexpected message"));
		goto done;
	}
	/* The CA the centre hands over must be the one the token pinned. */
	if ((rc = agent_ca_pem_fingerprint(m->ca, fp)))
		goto done;
	if (strcmp(fp, tok.fingerprint) != 0) {
		rc = cg_err_set(CG_EINVAL, "%s", _("the centre sent a CA certificate other than the token's"));
		goto done;
	}
	if ((rc = write_state(c, "agent.key", key, 0600)) || (rc = write_state(c, "ca.crt", m->ca, 0644)) ||
	    (rc = write_state(c, "server", server, 0644)) || (rc = write_state(c, "agent.crt", m->cert, 0644)))
		goto done;
	*agent_id = m->agent_id;
done:
	OPENSSL_cleanse(tok.secret, sizeof tok.secret);
	if (key)
		OPENSSL_cleanse(key, strlen(key));
	free(key);
	free(csr);
	json_decref(req);
	agent_msg_free(m);
	agent_tls_close(ssl);
	SSL_CTX_free(ctx);
	return rc;
}

/* ---- the running agent ---- */

struct tail {
	char *path;
	uint64_t ino, off;
};

struct agent_client {
	struct agent_conf conf;
	char *watch_copy[AGENT_WATCH_MAX];
	const char *version;
	agent_log_fn log;
	struct agent_outbox *outbox;
	struct tail tails[AGENT_WATCH_MAX];
	size_t n_tails;
	int64_t last_inventory;
	int64_t done_tasks[DONE_TASKS_MAX];
	size_t n_done;
	SSL_CTX *tls;
};

static void client_log(struct agent_client *cl, const char *fmt, ...) CG_PRINTF(2, 3);
static void client_log(struct agent_client *cl, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (cl->log)
		cl->log(msg);
}

static void load_positions(struct agent_client *cl)
{
	char *text = read_state(&cl->conf, "positions", 1u << 20), *p = text;
	while (p && *p) {
		char *eol = strchr(p, '\n');
		unsigned long long ino, off;
		int used = 0;
		if (eol)
			*eol = '\0';
		if (sscanf(p, "%llu %llu %n", &ino, &off, &used) == 2 && used > 0)
			for (size_t i = 0; i < cl->n_tails; i++)
				if (strcmp(cl->tails[i].path, p + used) == 0) {
					cl->tails[i].ino = ino;
					cl->tails[i].off = off;
				}
		p = eol ? eol + 1 : NULL;
	}
	free(text);
}

static enum cg_err save_positions(struct agent_client *cl)
{
	char buf[AGENT_WATCH_MAX * 4200];
	size_t at = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < cl->n_tails; i++)
		at += (size_t)snprintf(buf + at, sizeof buf - at, "%llu %llu %s\n", (unsigned long long)cl->tails[i].ino,
				       (unsigned long long)cl->tails[i].off, cl->tails[i].path);
	return write_state(&cl->conf, "positions", buf, 0600);
}

static void load_done(struct agent_client *cl)
{
	char *text = read_state(&cl->conf, "tasks-done", 1u << 20), *p = text;
	while (p && *p && cl->n_done < DONE_TASKS_MAX) {
		long long id = strtoll(p, &p, 10);
		if (id > 0)
			cl->done_tasks[cl->n_done++] = id;
		while (*p == '\n')
			p++;
	}
	free(text);
}

static enum cg_err mark_done(struct agent_client *cl, int64_t id)
{
	char buf[DONE_TASKS_MAX * 24];
	size_t at = 0;
	if (cl->n_done == DONE_TASKS_MAX) {
		memmove(cl->done_tasks, cl->done_tasks + 1, (DONE_TASKS_MAX - 1) * sizeof cl->done_tasks[0]);
		cl->n_done--;
	}
	cl->done_tasks[cl->n_done++] = id;
	buf[0] = '\0';
	for (size_t i = 0; i < cl->n_done; i++)
		at += (size_t)snprintf(buf + at, sizeof buf - at, "%lld\n", (long long)cl->done_tasks[i]);
	return write_state(&cl->conf, "tasks-done", buf, 0600);
}

static int is_done(const struct agent_client *cl, int64_t id)
{
	for (size_t i = 0; i < cl->n_done; i++)
		if (cl->done_tasks[i] == id)
			return 1;
	return 0;
}

enum cg_err agent_client_new(const struct agent_conf *c, const char *version, agent_log_fn log,
			     struct agent_client **out)
{
	struct agent_client *cl = calloc(1, sizeof *cl);
	char ca[4200], crt[4200], key[4200], ob[4200];
	enum cg_err rc;

	*out = NULL;
	if (!cl)
		return cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
	cl->conf = *c;
	cl->conf.n_watch = 0; /* the watch strings stay the caller's */
	cl->version = version;
	cl->log = log;
	if (!cl->conf.server[0]) {
		char *s = read_state(c, "server", 300);
		if (s) {
			s[strcspn(s, "\n")] = '\0';
			snprintf(cl->conf.server, sizeof cl->conf.server, "%s", s);
			free(s);
		}
	}
	state_path(c, "ca.crt", ca, sizeof ca);
	state_path(c, "agent.crt", crt, sizeof crt);
	state_path(c, "agent.key", key, sizeof key);
	state_path(c, "outbox", ob, sizeof ob);
	if (access(crt, F_OK) != 0) {
		free(cl);
		return cg_err_set(CG_ENOTFOUND, _("%s: not enrolled; run 'canhgac-agent enroll' first"), c->state_dir);
	}
	if (!cl->conf.server[0]) {
		free(cl);
		return cg_err_set(CG_EINVAL, "%s", _("no centre address: set 'server' in the configuration"));
	}
	for (size_t i = 0; i < c->n_watch; i++) {
		cl->tails[i].path = c->watch[i];
		cl->n_tails++;
	}
	if ((rc = agent_tls_client_ctx(ca, crt, key, &cl->tls)) ||
	    (rc = agent_outbox_open(ob, c->outbox_items, c->outbox_bytes, &cl->outbox))) {
		agent_client_free(cl);
		return rc;
	}
	load_positions(cl);
	load_done(cl);
	char *t = read_state(c, "inventory-at", 32);
	if (t)
		cl->last_inventory = strtoll(t, NULL, 10);
	free(t);
	*out = cl;
	return CG_OK;
}

void agent_client_free(struct agent_client *cl)
{
	if (!cl)
		return;
	SSL_CTX_free(cl->tls);
	agent_outbox_free(cl->outbox);
	free(cl);
}

/* ---- what the agent queues ---- */

static void queue_inventory(struct agent_client *cl, int64_t now)
{
	json_t *body = NULL;
	int64_t seq;
	enum cg_err rc;
	if (cl->last_inventory && now - cl->last_inventory < (int64_t)cl->conf.inventory)
		return;
	if ((rc = agent_inv_collect(cl->conf.root, &body)) || (rc = agent_outbox_put(cl->outbox, "inventory", body, &seq))) {
		client_log(cl, _("inventory: %s"), cg_err_msg(rc));
	} else {
		char t[32];
		cl->last_inventory = now;
		snprintf(t, sizeof t, "%lld\n", (long long)now);
		if ((rc = write_state(&cl->conf, "inventory-at", t, 0600)))
			client_log(cl, "%s", cg_err_msg(rc));
	}
	json_decref(body);
}

/* New complete lines of one watched file, from its position on; a file
 * replaced (other inode) or cut shorter starts again at 0. */
static void queue_tail(struct agent_client *cl, struct tail *t)
{
	int fd = open(t->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	char *buf = NULL;
	json_t *lines = NULL, *body = NULL;
	ssize_t got = 0;
	int64_t seq;
	enum cg_err rc;

	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		goto done;
	if ((uint64_t)st.st_ino != t->ino || (uint64_t)st.st_size < t->off) {
		t->ino = (uint64_t)st.st_ino;
		t->off = 0;
	}
	if ((uint64_t)st.st_size == t->off || !(buf = malloc(AGENT_TAIL_CHUNK)))
		goto done;
	got = pread(fd, buf, AGENT_TAIL_CHUNK, (off_t)t->off);
	if (got <= 0)
		goto done;
	lines = json_array();
	size_t start = 0, used = 0;
	for (size_t i = 0; i < (size_t)got && json_array_size(lines) < AGENT_LINES_MAX; i++) {
		int full = i - start + 1 >= AGENT_LINE_MAX; /* an endless line is cut, not stuck */
		if (buf[i] != '\n' && !full)
			continue;
		size_t n = i - start + (buf[i] == '\n' ? 0 : 1);
		for (size_t k = start; k < start + n;) {
			size_t l = cg_utf8_len((unsigned char *)buf + k, start + n - k);
			if (!l || buf[k] == '\0') {
				buf[k++] = '?';
				continue;
			}
			k += l;
		}
		json_array_append_new(lines, json_stringn(buf + start, n));
		start = used = i + 1;
	}
	if (!json_array_size(lines))
		goto done;
	body = json_pack("{s:s,s:I,s:O}", "file", t->path, "offset", (json_int_t)t->off, "lines", lines);
	if (!body)
		goto done;
	if ((rc = agent_outbox_put(cl->outbox, "logs", body, &seq))) {
		client_log(cl, _("log %s: %s"), t->path, cg_err_msg(rc));
		goto done;
	}
	t->off += used;
	if ((rc = save_positions(cl)))
		client_log(cl, "%s", cg_err_msg(rc));
done:
	json_decref(body);
	json_decref(lines);
	free(buf);
	if (fd >= 0)
		close(fd);
}

/* ---- tasks ---- */

static enum cg_err collect_file(const char *path, json_t *body)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	unsigned char *data = NULL;
	char *b64 = NULL, sha[65];
	size_t got = 0;
	enum cg_err rc = CG_OK;

	if (fd < 0)
		return cg_err_set(CG_EIO, _("%s: cannot open: %s"), path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = cg_err_set(CG_EINVAL, _("%s: not a regular file"), path);
		goto done;
	}
	if ((uint64_t)st.st_size > AGENT_FILE_MAX) {
		rc = cg_err_set(CG_ELIMIT, _("%s: larger than the %u bytes an agent uploads"), path, AGENT_FILE_MAX);
		goto done;
	}
	if (!(data = malloc((size_t)st.st_size + 1)) || !(b64 = malloc(((size_t)st.st_size + 2) / 3 * 4 + 1))) {
		rc = cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
		goto done;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, data + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	agent_sha256_hex(data, got, sha);
	EVP_EncodeBlock((unsigned char *)b64, data, (int)got);
	json_object_set_new(body, "file", json_pack("{s:s,s:s,s:I,s:s}", "path", path, "sha256", sha, "size",
						    (json_int_t)got, "data", b64));
done:
	free(data);
	free(b64);
	close(fd);
	return rc;
}

/* `s` with every byte that is not part of valid UTF-8 replaced by '?', cut
 * at AGENT_STR_MAX bytes (a path on disk need not be UTF-8; JSON must be). */
static void clean_utf8(const char *s, char out[AGENT_STR_MAX + 1])
{
	snprintf(out, AGENT_STR_MAX + 1, "%s", s);
	for (size_t k = 0; out[k];) {
		size_t l = cg_utf8_len((unsigned char *)out + k, strlen(out + k));
		if (!l) {
			out[k++] = '?';
			continue;
		}
		k += l;
	}
}

struct scan_task {
	json_t *hits, *problems;
	size_t hit_bytes;
	uint64_t hits_total;
};

static enum cg_err task_hit(void *ctx, const struct scan_hit *h)
{
	struct scan_task *st = ctx;
	static char path[AGENT_STR_MAX + 1], file[AGENT_STR_MAX + 1]; /* sink calls are serialised */
	json_t *v;
	st->hits_total++;
	if (json_array_size(st->hits) >= AGENT_SCAN_HITS_MAX || st->hit_bytes > AGENT_SCAN_HIT_BYTES_MAX ||
	    h->kind == SCAN_HIT_HASH)
		return CG_OK;
	clean_utf8(h->path, path);
	clean_utf8(h->file, file);
	if (strncmp(path, file, strlen(file)) != 0 || (path[strlen(file)] != '\0' && path[strlen(file)] != '!'))
		return CG_OK; /* cut at the cap: not reportable as is */
	v = json_pack("{s:s,s:s,s:s,s:s,s:I}", "kind", scan_hit_kind_name(h->kind), "rule", h->rule, "path", path,
		      "file", file, "size", (json_int_t)h->size);
	if (!v)
		return cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
	for (int t = 0; t < SCAN_HASH_COUNT; t++)
		if (h->hashes && h->hashes[t][0])
			json_object_set_new(v, scan_hash_name((enum scan_hash_type)t), json_string(h->hashes[t]));
	if (h->kind == SCAN_HIT_YARA) {
		static char desc[AGENT_STR_MAX + 1];
		clean_utf8(h->description, desc);
		if (strlen(h->tags) <= 1024)
			json_object_set_new(v, "tags", json_string(h->tags));
		json_object_set_new(v, "description", json_string(desc));
	}
	st->hit_bytes += strlen(path) + strlen(file) + strlen(h->description) + 1024;
	json_array_append_new(st->hits, v);
	return CG_OK;
}

static void task_problem(void *ctx, const struct scan_problem *p)
{
	struct scan_task *st = ctx;
	static char path[AGENT_STR_MAX + 1], msg[AGENT_STR_MAX + 1];
	if (json_array_size(st->problems) >= AGENT_PROBLEMS_MAX)
		return;
	clean_utf8(p->path, path);
	clean_utf8(p->msg, msg);
	json_array_append_new(st->problems, json_pack("{s:s,s:s,s:s}", "kind", scan_problem_kind_name(p->kind), "path",
						      path, "message", msg));
}

/* Write the task's rule sources into a private directory (0700, under the
 * state directory) and compile them there; the directory is removed again. */
static enum cg_err task_rules(const struct agent_client *cl, const struct agent_task_msg *t, struct scan_rules **out)
{
	char dir[4200], p[4500];
	enum cg_err rc = CG_OK;
	size_t written = 0;

	*out = NULL;
	if (!t->n_rules)
		return CG_OK;
	if ((size_t)snprintf(dir, sizeof dir, "%s/rules-XXXXXX", cl->conf.state_dir) >= sizeof dir || !mkdtemp(dir))
		return cg_err_set(CG_EIO, _("%s: cannot make a directory for the rules: %s"), cl->conf.state_dir,
				  strerror(errno));
	for (; written < t->n_rules && !rc; written++) {
		const char *src = t->rules[written].source;
		size_t len = strlen(src), off = 0;
		int fd;
		if (!agent_rule_name_ok(t->rules[written].name)) {
			rc = cg_err_set(CG_EINVAL, _("rule file name '%s' refused"), t->rules[written].name);
			break;
		}
		snprintf(p, sizeof p, "%s/%s", dir, t->rules[written].name);
		if ((fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
			rc = cg_err_set(CG_EIO, _("%s: cannot create: %s"), p, strerror(errno));
			break;
		}
		while (off < len) {
			ssize_t w = write(fd, src + off, len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				rc = cg_err_set(CG_EIO, _("%s: cannot write: %s"), p, strerror(errno));
				break;
			}
			off += (size_t)w;
		}
		if (close(fd) != 0 && !rc)
			rc = cg_err_set(CG_EIO, _("%s: cannot write: %s"), p, strerror(errno));
	}
	if (!rc) {
		const char *paths[1] = {dir};
		struct scan_rules_opts ro = {.paths = paths, .n_paths = 1, .cache_dir = NULL};
		rc = scan_rules_load(&ro, out, NULL);
	}
	for (size_t i = 0; i < written; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, t->rules[i].name);
		unlink(p);
	}
	rmdir(dir);
	return rc;
}

/* The sweep of the library (scan_paths) with the defaults of `canhgac scan`:
 * no symbolic link followed, one file system, size and time caps, archives
 * opened within the bomb limits; YARA with the rules the task carries, and
 * the EICAR test file. Hits and problems are listed up to their caps and
 * counted. */
static enum cg_err scan_path(const struct agent_client *cl, const struct agent_task_msg *t, json_t *body)
{
	struct scan_task st = {.hits = json_array(), .problems = json_array()};
	struct scan_sink sink = {.hit = task_hit, .problem = task_problem, .ctx = &st};
	struct scan_stats stats = {0};
	struct scan_opts o;
	struct scan_rules *rules = NULL;
	json_t *counts = json_object();
	const char *paths[1] = {t->path};
	struct stat sb;
	enum cg_err rc;

	if (!st.hits || !st.problems || !counts) {
		rc = cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
		goto done;
	}
	if (lstat(t->path, &sb) != 0) {
		rc = cg_err_set(CG_EIO, _("%s: cannot open: %s"), t->path, strerror(errno));
		goto done;
	}
	if ((rc = task_rules(cl, t, &rules)))
		goto done;
	scan_opts_default(&o);
	o.rules = rules;
	if ((rc = scan_paths(&o, paths, 1, &sink, &stats)))
		goto done;
	for (int k = 0; k < SCAN_PROBLEM_COUNT; k++)
		json_object_set_new(counts, scan_problem_kind_name((enum scan_problem_kind)k),
				    json_integer((json_int_t)stats.problems[k]));
	json_object_set_new(body, "files_scanned", json_integer((json_int_t)stats.files));
	json_object_set_new(body, "bytes_scanned", json_integer((json_int_t)stats.bytes));
	json_object_set_new(body, "rules", json_integer((json_int_t)(rules ? scan_rules_count(rules) : 0)));
	json_object_set_new(body, "hits_total", json_integer((json_int_t)st.hits_total));
	json_object_set(body, "hits", st.hits);
	json_object_set(body, "problems", st.problems);
	json_object_set(body, "problem_counts", counts);
done:
	json_decref(st.hits);
	json_decref(st.problems);
	json_decref(counts);
	scan_rules_free(rules);
	return rc;
}

static void run_task(struct agent_client *cl, const struct agent_task_msg *t)
{
	json_t *body = json_pack("{s:I,s:s}", "task", (json_int_t)t->id, "status", "done");
	enum cg_err rc;
	int64_t seq;

	if (!body)
		return;
	client_log(cl, _("task %lld: %s %s"), (long long)t->id, t->kind, t->path);
	rc = strcmp(t->kind, "collect") == 0 ? collect_file(t->path, body) : scan_path(cl, t, body);
	if (rc) {
		json_object_set_new(body, "status", json_string("failed"));
		json_object_set_new(body, "error", json_string(cg_err_msg(rc)));
	}
	if ((rc = agent_outbox_put(cl->outbox, "result", body, &seq)))
		client_log(cl, _("task %lld: %s"), (long long)t->id, cg_err_msg(rc));
	else if ((rc = mark_done(cl, t->id)))
		client_log(cl, "%s", cg_err_msg(rc));
	json_decref(body);
}

/* ---- talking to the centre ---- */

static enum cg_err expect(struct agent_msg *m, enum agent_msg_type type)
{
	if (m->type == AGENT_MSG_ERROR)
		return cg_err_set(CG_EINVAL, _("the centre refused: %s"), m->message);
	if (m->type != type)
		return cg_err_set(CG_EPARSE, "%s", _("the centre answered with an unexpected message"));
	return CG_OK;
}

struct flush_ctx {
	struct agent_client *cl;
	SSL *ssl;
	size_t sent;
};

static enum cg_err send_item(void *ctx, int64_t seq, json_t *item)
{
	struct flush_ctx *f = ctx;
	struct agent_msg *m = NULL;
	json_t *msg = json_pack("{s:s,s:I,s:O,s:O}", "type", "report", "seq", (json_int_t)seq, "kind",
				json_object_get(item, "kind"), "body", json_object_get(item, "body"));
	enum cg_err rc;
	if (!msg)
		return cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
	rc = agent_tls_send(f->ssl, msg);
	json_decref(msg);
	if (rc || (rc = agent_tls_recv(f->ssl, AGENT_MSG_MAX, &m)) || (rc = expect(m, AGENT_MSG_ACK)))
		goto done;
	if (m->seq != seq) {
		rc = cg_err_set(CG_EPARSE, "%s", _("the centre acknowledged another report"));
		goto done;
	}
	if (!(rc = agent_outbox_ack(f->cl->outbox, seq)))
		f->sent++;
done:
	agent_msg_free(m);
	return rc;
}

/* One session: heartbeat (answered with the open tasks, copied into
 * `tasks` when not NULL), then the outbox, oldest first. */
static enum cg_err session(struct agent_client *cl, json_t *tasks)
{
	SSL *ssl = NULL;
	struct agent_msg *m = NULL;
	json_t *hello = NULL;
	char host[256] = "";
	struct flush_ctx f = {.cl = cl};
	enum cg_err rc;

	gethostname(host, sizeof host - 1);
	if ((rc = agent_tls_connect(cl->tls, cl->conf.server, &ssl)))
		return rc;
	hello = json_pack("{s:s,s:s,s:s,s:o}", "type", "hello", "hostname", host, "version", cl->version, "addresses",
			  agent_inv_addresses());
	if (!hello) {
		rc = cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
		goto done;
	}
	if ((rc = agent_tls_send(ssl, hello)) || (rc = agent_tls_recv(ssl, AGENT_MSG_MAX, &m)) ||
	    (rc = expect(m, AGENT_MSG_TASKS)))
		goto done;
	for (size_t i = 0; tasks && i < m->n_tasks; i++)
		if (!is_done(cl, m->tasks[i].id))
			json_array_append(tasks, json_array_get(json_object_get(m->root, "tasks"), i));
	f.ssl = ssl;
	rc = agent_outbox_foreach(cl->outbox, send_item, &f);
	if (f.sent)
		client_log(cl, _("%zu reports delivered"), f.sent);
done:
	json_decref(hello);
	agent_msg_free(m);
	agent_tls_close(ssl);
	return rc;
}

/* Tasks run between two sessions, not during one: a long scan never holds a
 * connection the centre would time out. */
static enum cg_err talk(struct agent_client *cl)
{
	json_t *tasks = json_array(), *t;
	enum cg_err rc;
	size_t i;

	if (!tasks)
		return cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
	rc = session(cl, tasks);
	json_array_foreach (tasks, i, t) {
		/* Validated by agent_msg_parse when it arrived. */
		json_t *ra = json_object_get(t, "rules"), *rv;
		size_t j;
		struct agent_task_msg tm = {.id = json_integer_value(json_object_get(t, "id")),
					    .kind = json_string_value(json_object_get(t, "kind")),
					    .path = json_string_value(json_object_get(t, "path")),
					    .n_rules = json_array_size(ra)};
		if (tm.n_rules && !(tm.rules = calloc(tm.n_rules, sizeof *tm.rules))) {
			client_log(cl, "%s", cg_strerror(CG_ENOMEM));
			continue;
		}
		json_array_foreach (ra, j, rv) {
			tm.rules[j].name = json_string_value(json_object_get(rv, "name"));
			tm.rules[j].source = json_string_value(json_object_get(rv, "source"));
		}
		run_task(cl, &tm);
		free(tm.rules);
	}
	if (!rc && json_array_size(tasks))
		rc = session(cl, NULL);
	json_decref(tasks);
	return rc;
}

enum cg_err agent_client_round(struct agent_client *cl, int64_t now)
{
	queue_inventory(cl, now);
	for (size_t i = 0; i < cl->n_tails; i++)
		queue_tail(cl, &cl->tails[i]);
	enum cg_err rc = talk(cl);
	if (rc) {
		size_t items;
		uint64_t bytes;
		agent_outbox_usage(cl->outbox, &items, &bytes);
		return cg_err_prefix(rc, _("%s (%zu reports kept in the outbox)"), cl->conf.server, items);
	}
	return CG_OK;
}

void agent_client_run(struct agent_client *cl, volatile sig_atomic_t *stop)
{
	while (!*stop) {
		enum cg_err rc = agent_client_round(cl, cg_now());
		if (rc)
			client_log(cl, "%s", cg_err_msg(rc));
		for (unsigned s = 0; s < cl->conf.heartbeat * 10 && !*stop; s++) {
			struct timespec ts = {0, 100000000};
			nanosleep(&ts, NULL);
		}
	}
}
