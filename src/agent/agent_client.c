#include "agent_client.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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

static struct {
	json_t *hits;
	int64_t files;
	int truncated;
} scan_state;

static int scan_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	if (scan_state.files >= AGENT_SCAN_FILES_MAX) {
		scan_state.truncated = 1;
		return 1;
	}
	scan_state.files++;
	if ((uint64_t)st->st_size > AGENT_SCAN_FILE_MAX || strlen(path) > AGENT_STR_MAX)
		return 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return 0;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char buf[65536], out[32];
	unsigned n = 0;
	int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	ssize_t r;
	while (ok && (r = read(fd, buf, sizeof buf)) > 0)
		ok = EVP_DigestUpdate(md, buf, (size_t)r);
	close(fd);
	if (ok && EVP_DigestFinal_ex(md, out, &n) && n == 32) {
		char hex[65], clean[AGENT_STR_MAX + 1];
		for (unsigned i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", out[i]);
		snprintf(clean, sizeof clean, "%s", path);
		for (size_t k = 0; clean[k];) {
			size_t l = cg_utf8_len((unsigned char *)clean + k, strlen(clean + k));
			if (!l) {
				clean[k++] = '?';
				continue;
			}
			k += l;
		}
		json_array_append_new(scan_state.hits, json_pack("{s:s,s:s}", "path", clean, "sha256", hex));
	}
	EVP_MD_CTX_free(md);
	return 0;
}

/* Until the sweep library is on board: every regular file's SHA-256 (no
 * symbolic link followed, no other file system entered), matched by the
 * centre against the intel store's hash indicators. */
static enum cg_err scan_path(const char *path, json_t *body)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return cg_err_set(CG_EIO, _("%s: cannot open: %s"), path, strerror(errno));
	scan_state.hits = json_array();
	scan_state.files = 0;
	scan_state.truncated = 0;
	int r = nftw(path, scan_one, 32, FTW_PHYS | FTW_MOUNT);
	json_object_set_new(body, "hits", scan_state.hits);
	json_object_set_new(body, "files_scanned", json_integer(scan_state.files));
	scan_state.hits = NULL;
	if (r < 0)
		return cg_err_set(CG_EIO, _("%s: cannot walk: %s"), path, strerror(errno));
	if (scan_state.truncated)
		json_object_set_new(body, "error", json_sprintf(_("stopped after %u files"), AGENT_SCAN_FILES_MAX));
	return CG_OK;
}

static void run_task(struct agent_client *cl, const struct agent_task_msg *t)
{
	json_t *body = json_pack("{s:I,s:s}", "task", (json_int_t)t->id, "status", "done");
	enum cg_err rc;
	int64_t seq;

	if (!body)
		return;
	client_log(cl, _("task %lld: %s %s"), (long long)t->id, t->kind, t->path);
	rc = strcmp(t->kind, "collect") == 0 ? collect_file(t->path, body) : scan_path(t->path, body);
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
			json_array_append_new(tasks, json_pack("{s:I,s:s,s:s}", "id", (json_int_t)m->tasks[i].id, "kind",
							       m->tasks[i].kind, "path", m->tasks[i].path));
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
		struct agent_task_msg tm = {.id = json_integer_value(json_object_get(t, "id")),
					    .kind = json_string_value(json_object_get(t, "kind")),
					    .path = json_string_value(json_object_get(t, "path"))};
		run_task(cl, &tm);
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
