#include "scan_rules.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yara.h>

#include "cg_i18n.h"
#include "filewalk.h"

#define TAGS_MAX 512
#define ERROR_MAX 1024

struct scan_rules {
	YR_RULES *rules;
	size_t count, files;
	char key[65];
	int yr_up; /* yr_initialize called */
};

struct scan_rules_matcher {
	YR_SCANNER *scanner;
	scan_rules_hit_fn fn;
	void *ctx;
	int stopped;
};

/* ---- sources ---- */

struct sources {
	char **paths;
	size_t n, cap;
	uint64_t bytes;
	int has_include;
};

static void sources_free(struct sources *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->paths[i]);
	free(s->paths);
}

static int is_rule_name(const char *p)
{
	size_t l = strlen(p);
	return (l > 4 && strcmp(p + l - 4, ".yar") == 0) || (l > 5 && strcmp(p + l - 5, ".yara") == 0);
}

static enum cg_err sources_add(struct sources *s, const char *path)
{
	if (s->n >= SCAN_RULES_FILES_MAX)
		return cg_err_set(CG_ELIMIT, _("rules: more than %u rule files"), SCAN_RULES_FILES_MAX);
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 16;
		void *p = realloc(s->paths, nc * sizeof *s->paths);
		if (!p)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		s->paths = p;
		s->cap = nc;
	}
	if (!(s->paths[s->n] = strdup(path)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	s->n++;
	return CG_OK;
}

/* Files named directly are taken whatever their name; in directories only
 * *.yar and *.yara. */
static enum cg_err sources_collect(const struct scan_rules_opts *o, struct sources *s)
{
	for (size_t i = 0; i < o->n_paths; i++) {
		struct stat st;
		struct filewalk *w = NULL;
		enum cg_err rc;

		if (stat(o->paths[i], &st) != 0)
			return cg_err_set(CG_EIO, _("rules: %s: %s"), o->paths[i], strerror(errno));
		if (!S_ISDIR(st.st_mode)) {
			if ((rc = sources_add(s, o->paths[i])))
				return rc;
			continue;
		}
		if ((rc = filewalk_collect(&o->paths[i], 1, &w)))
			return cg_err_prefix(rc, "rules");
		for (size_t k = 0; k < filewalk_count(w) && !rc; k++) {
			const struct filewalk_entry *e = filewalk_get(w, k);
			if (!is_rule_name(e->path))
				continue;
			if (e->err)
				rc = cg_err_set(CG_EIO, _("rules: %s"), e->error);
			else
				rc = sources_add(s, e->path);
		}
		filewalk_free(w);
		if (rc)
			return rc;
	}
	if (!s->n)
		return cg_err_set(CG_ENOTFOUND, _("rules: no rule files (*.yar, *.yara) found"));
	return CG_OK;
}

/* An `include` directive at the start of a line (only the directive: the
 * word in a string or a comment does not count). Included files are not in
 * the cache key, so a set with one is never cached. */
static int has_include(const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len) {
		while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
			i++;
		if (len - i > 8 && memcmp(buf + i, "include", 7) == 0 && (buf[i + 7] == ' ' || buf[i + 7] == '\t' ||
									  buf[i + 7] == '"'))
			return 1;
		while (i < len && buf[i] != '\n')
			i++;
		i++;
	}
	return 0;
}

static enum cg_err read_source(const char *path, uint64_t room, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	*out = NULL;
	if (!f)
		return cg_err_set(CG_EIO, _("rules: %s: %s"), path, strerror(errno));
	for (;;) {
		size_t got;
		if (cap - n < 4096) {
			size_t nc = cap ? cap * 2 : 65536;
			void *p = realloc(buf, nc);
			if (!p) {
				free(buf);
				fclose(f);
				return cg_err_set(CG_ENOMEM, _("out of memory"));
			}
			buf = p;
			cap = nc;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n > room) {
			free(buf);
			fclose(f);
			return cg_err_set(CG_ELIMIT, _("rules: more than %u MiB of rule sources"), SCAN_RULES_BYTES_MAX >> 20);
		}
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return cg_err_set(CG_EIO, _("rules: %s: read error"), path);
	}
	fclose(f);
	*out = buf;
	*len = n;
	return CG_OK;
}

/* The cache key: libyara's version and every source's content, in order. */
static enum cg_err sources_key(struct sources *s, char key[65])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	enum cg_err rc = CG_OK;
	static const char digits[] = "0123456789abcdef";

	if (!ctx)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	EVP_DigestUpdate(ctx, "libyara " YR_VERSION, sizeof("libyara " YR_VERSION));
	for (size_t i = 0; i < s->n && !rc; i++) {
		char *buf;
		size_t len;
		uint64_t len64;
		if ((rc = read_source(s->paths[i], SCAN_RULES_BYTES_MAX - s->bytes, &buf, &len)))
			break;
		s->bytes += len;
		if (has_include(buf, len))
			s->has_include = 1;
		EVP_DigestUpdate(ctx, buf, len);
		/* The length ends each file, so moving bytes between files changes the key. */
		len64 = len;
		EVP_DigestUpdate(ctx, &len64, sizeof len64);
		free(buf);
	}
	if (!rc && EVP_DigestFinal_ex(ctx, md, &mdlen) != 1)
		rc = cg_err_set(CG_EINTERNAL, _("OpenSSL: sha256 digest failed"));
	for (unsigned i = 0; !rc && i < mdlen && i < 32; i++) {
		key[2 * i] = digits[md[i] >> 4];
		key[2 * i + 1] = digits[md[i] & 15];
	}
	key[64] = '\0';
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* ---- compiling ---- */

struct compile_msgs {
	char first[ERROR_MAX];
	int errors;
};

static void on_compile_msg(int level, const char *file, int line, const YR_RULE *rule, const char *msg, void *ud)
{
	struct compile_msgs *m = ud;
	(void)rule;
	if (level != YARA_ERROR_LEVEL_ERROR)
		return;
	if (!m->errors++)
		snprintf(m->first, sizeof m->first, "%s:%d: %s", file ? file : "?", line, msg);
}

static enum cg_err compile(const struct sources *s, YR_RULES **out)
{
	YR_COMPILER *c = NULL;
	struct compile_msgs msgs = {{0}, 0};
	enum cg_err rc = CG_OK;

	if (yr_compiler_create(&c) != ERROR_SUCCESS)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	yr_compiler_set_callback(c, on_compile_msg, &msgs);
	for (size_t i = 0; i < s->n; i++) {
		FILE *f = fopen(s->paths[i], "rb");
		if (!f) {
			rc = cg_err_set(CG_EIO, _("rules: %s: %s"), s->paths[i], strerror(errno));
			goto out;
		}
		yr_compiler_add_file(c, f, NULL, s->paths[i]);
		fclose(f);
		/* After an error libyara's compiler takes no more sources. */
		if (msgs.errors)
			break;
	}
	if (msgs.errors) {
		rc = cg_err_set(CG_EPARSE, _("rules: %s"), msgs.first);
		goto out;
	}
	if (yr_compiler_get_rules(c, out) != ERROR_SUCCESS)
		rc = cg_err_set(CG_ENOMEM, _("out of memory"));
out:
	yr_compiler_destroy(c);
	return rc;
}

/* ---- the cache ---- */

/* Only a directory and file of our own, writable by nobody else. */
static int cache_trusted(const char *path, int want_dir)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return 0;
	if (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
		return 0;
	return st.st_uid == geteuid() && !(st.st_mode & (S_IWGRP | S_IWOTH));
}

static char *cache_file(const char *dir, const char *key, const char *suffix)
{
	size_t l = strlen(dir) + strlen(key) + strlen(suffix) + 8;
	char *p = malloc(l);
	if (p)
		snprintf(p, l, "%s/%s%s", dir, key, suffix);
	return p;
}

static int mkdir_p(const char *dir)
{
	char *p = strdup(dir);
	int r = 0;
	if (!p)
		return -1;
	for (char *q = p + 1; *q && !r; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			r = -1;
		*q = '/';
	}
	if (!r && mkdir(p, 0700) != 0 && errno != EEXIST)
		r = -1;
	free(p);
	return r;
}

static YR_RULES *cache_load(const char *dir, const char *key)
{
	char *path;
	YR_RULES *rules = NULL;

	if (!cache_trusted(dir, 1) || !(path = cache_file(dir, key, ".yarc")))
		return NULL;
	if (cache_trusted(path, 0) && yr_rules_load(path, &rules) != ERROR_SUCCESS)
		rules = NULL;
	free(path);
	return rules;
}

/* Best effort: a cache that cannot be written only costs a compile next time. */
static void cache_save(const char *dir, const char *key, YR_RULES *rules)
{
	char suffix[48];
	char *tmp, *path;

	if (mkdir_p(dir) != 0 || !cache_trusted(dir, 1))
		return;
	snprintf(suffix, sizeof suffix, ".tmp.%ld", (long)getpid());
	tmp = cache_file(dir, key, suffix);
	path = cache_file(dir, key, ".yarc");
	if (tmp && path) {
		if (yr_rules_save(rules, tmp) == ERROR_SUCCESS && chmod(tmp, 0600) == 0 && rename(tmp, path) == 0)
			;
		else
			unlink(tmp);
	}
	free(tmp);
	free(path);
}

/* ---- the set ---- */

enum cg_err scan_rules_load(const struct scan_rules_opts *o, struct scan_rules **out, int *from_cache)
{
	struct scan_rules *r = calloc(1, sizeof *r);
	struct sources s = {0};
	YR_RULE *rule;
	enum cg_err rc;

	*out = NULL;
	if (from_cache)
		*from_cache = 0;
	if (!r)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if (yr_initialize() != ERROR_SUCCESS) {
		free(r);
		return cg_err_set(CG_EINTERNAL, _("libyara cannot start"));
	}
	r->yr_up = 1;
	if ((rc = sources_collect(o, &s)) || (rc = sources_key(&s, r->key)))
		goto fail;
	r->files = s.n;
	if (o->cache_dir && !s.has_include && (r->rules = cache_load(o->cache_dir, r->key))) {
		if (from_cache)
			*from_cache = 1;
	} else {
		if ((rc = compile(&s, &r->rules)))
			goto fail;
		if (o->cache_dir && !s.has_include)
			cache_save(o->cache_dir, r->key, r->rules);
	}
	yr_rules_foreach(r->rules, rule)
	{
		if (!RULE_IS_PRIVATE(rule))
			r->count++;
	}
	sources_free(&s);
	*out = r;
	return CG_OK;
fail:
	sources_free(&s);
	scan_rules_free(r);
	return rc;
}

void scan_rules_free(struct scan_rules *r)
{
	if (!r)
		return;
	if (r->rules)
		yr_rules_destroy(r->rules);
	if (r->yr_up)
		yr_finalize();
	free(r);
}

size_t scan_rules_count(const struct scan_rules *r)
{
	return r ? r->count : 0;
}

size_t scan_rules_files(const struct scan_rules *r)
{
	return r ? r->files : 0;
}

const char *scan_rules_key(const struct scan_rules *r)
{
	return r ? r->key : "";
}

/* ---- matching ---- */

static int on_scan_msg(YR_SCAN_CONTEXT *sc, int message, void *data, void *ud)
{
	struct scan_rules_matcher *m = ud;
	const YR_RULE *rule = data;
	const YR_META *meta;
	const char *tag;
	const char *desc = "";
	char tags[TAGS_MAX];
	size_t tl = 0;

	(void)sc;
	if (message != CALLBACK_MSG_RULE_MATCHING || m->stopped)
		return CALLBACK_CONTINUE;
	tags[0] = '\0';
	yr_rule_tags_foreach(rule, tag)
	{
		int w = snprintf(tags + tl, sizeof tags - tl, "%s%s", tl ? " " : "", tag);
		if (w < 0 || (size_t)w >= sizeof tags - tl)
			break;
		tl += (size_t)w;
	}
	yr_rule_metas_foreach(rule, meta)
	{
		if (meta->type == META_TYPE_STRING && strcmp(meta->identifier, "description") == 0) {
			desc = meta->string;
			break;
		}
	}
	if (m->fn(m->ctx, rule->identifier, tags, desc)) {
		m->stopped = 1;
		return CALLBACK_ABORT;
	}
	return CALLBACK_CONTINUE;
}

enum cg_err scan_rules_matcher_new(const struct scan_rules *r, struct scan_rules_matcher **out)
{
	struct scan_rules_matcher *m = calloc(1, sizeof *m);

	*out = NULL;
	if (!m)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if (yr_scanner_create(r->rules, &m->scanner) != ERROR_SUCCESS) {
		free(m);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	yr_scanner_set_callback(m->scanner, on_scan_msg, m);
	*out = m;
	return CG_OK;
}

void scan_rules_matcher_free(struct scan_rules_matcher *m)
{
	if (!m)
		return;
	yr_scanner_destroy(m->scanner);
	free(m);
}

enum cg_err scan_rules_match(struct scan_rules_matcher *m, const uint8_t *buf, size_t len, unsigned timeout_s,
			     scan_rules_hit_fn fn, void *ctx)
{
	int r;

	m->fn = fn;
	m->ctx = ctx;
	m->stopped = 0;
	yr_scanner_set_timeout(m->scanner, (int)timeout_s);
	r = yr_scanner_scan_mem(m->scanner, buf, len);
	switch (r) {
	case ERROR_SUCCESS:
	case ERROR_CALLBACK_ERROR: return CG_OK;
	case ERROR_SCAN_TIMEOUT: return cg_err_set(CG_ELIMIT, _("YARA gave up after %u s (--timeout)"), timeout_s);
	case ERROR_TOO_MANY_MATCHES:
		return cg_err_set(CG_ELIMIT, _("YARA stopped: too many matches of one string"));
	case ERROR_INSUFFICIENT_MEMORY: return cg_err_set(CG_ENOMEM, _("out of memory"));
	default: return cg_err_set(CG_EINTERNAL, _("libyara error %d"), r);
	}
}
