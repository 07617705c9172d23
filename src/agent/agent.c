#include "agent.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <sys/stat.h>
#include <jansson.h>

#include "agent_ca.h"
#include "agent_msg.h"
#include "cg_i18n.h"
#include "scan_rules.h"
#include "store_agent.h"
#include "store_incident.h"

void agent_sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char md[32];
	unsigned len = 0;
	out[0] = '\0';
	if (!EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) || len != 32)
		return;
	for (unsigned i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static int hex_field(const char *s, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	memcpy(out, s, n);
	out[n] = '\0';
	return 1;
}

enum cg_err agent_token_parse(const char *token, struct agent_token_parts *out)
{
	const char *p = token, *dot;
	char *end;
	long long id;

	memset(out, 0, sizeof *out);
	if (strncmp(p, "cga1.", 5) != 0)
		return cg_err_set(CG_EPARSE, "%s", _("token: does not start with 'cga1.'"));
	p += 5;
	errno = 0;
	id = strtoll(p, &end, 10);
	if (end == p || *end != '.' || errno || id <= 0 || *p == '-' || *p == '+')
		return cg_err_set(CG_EPARSE, "%s", _("token: the token number is not valid"));
	out->id = id;
	p = end + 1;
	dot = strchr(p, '.');
	if (!dot || dot - p != 64 || !hex_field(p, 64, out->secret))
		return cg_err_set(CG_EPARSE, "%s", _("token: the secret is not 64 hexadecimal digits"));
	p = dot + 1;
	if (strlen(p) != 64 || !hex_field(p, 64, out->fingerprint))
		return cg_err_set(CG_EPARSE, "%s", _("token: the CA fingerprint is not 64 hexadecimal digits"));
	return CG_OK;
}

enum cg_err agent_ttl_parse(const char *s, int64_t *out)
{
	char *end;
	long long n;
	int64_t mul = 1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (end == s || errno || n <= 0 || *s == '+' || *s == '-')
		goto bad;
	if (*end == 'm')
		mul = 60;
	else if (*end == 'h')
		mul = 3600;
	else if (*end == 'd')
		mul = 86400;
	else if (*end == 's')
		mul = 1;
	else if (*end)
		goto bad;
	if (*end && end[1])
		goto bad;
	if (n > AGENT_TTL_MAX || n * mul > AGENT_TTL_MAX || n * mul < 60)
		return cg_err_set(CG_EINVAL, _("'%s': the validity must be between 1 minute and 30 days"), s);
	*out = n * mul;
	return CG_OK;
bad:
	return cg_err_set(CG_EINVAL, _("'%s': not a duration (e.g. 30m, 24h, 7d)"), s);
}

enum cg_err agent_token_create(struct cg_db *db, const char *ca_dir, const char *name, int64_t ttl, int64_t now,
			       char out[AGENT_TOKEN_MAX], int64_t *expires_at)
{
	struct agent_ca *ca;
	struct agent_ca_info info;
	unsigned char raw[32];
	char secret[65], hash[65];
	int64_t id;
	enum cg_err rc;

	if (name && (!*name || strlen(name) > 255))
		return cg_err_set(CG_EINVAL, "%s", _("--name: must be 1 to 255 bytes"));
	if ((rc = agent_ca_load(ca_dir, &ca)))
		return rc;
	agent_ca_get_info(ca, &info);
	agent_ca_free(ca);
	if (RAND_bytes(raw, sizeof raw) != 1)
		return cg_err_set(CG_EINTERNAL, "%s", _("token: no random bytes (OpenSSL)"));
	for (size_t i = 0; i < sizeof raw; i++)
		snprintf(secret + 2 * i, 3, "%02x", raw[i]);
	agent_sha256_hex(secret, 64, hash);
	*expires_at = now + ttl;
	if ((rc = store_agent_token_add(db, hash, name, now, *expires_at, &id)))
		return rc;
	snprintf(out, AGENT_TOKEN_MAX, "cga1.%lld.%s.%s", (long long)id, secret, info.fingerprint);
	return CG_OK;
}

static enum cg_err incident_seen(void *ctx, const struct incident_row *r)
{
	(void)ctx;
	(void)r;
	return CG_OK;
}

struct rule_files {
	char **paths;
	size_t n, cap;
};

static int is_rule_name(const char *n)
{
	size_t l = strlen(n);
	return (l > 4 && strcmp(n + l - 4, ".yar") == 0) || (l > 5 && strcmp(n + l - 5, ".yara") == 0);
}

static enum cg_err add_rule_file(struct rule_files *f, const char *path)
{
	if (f->n >= AGENT_RULE_FILES_MAX)
		return cg_err_set(CG_ELIMIT, _("more than %u rule files for one task"), AGENT_RULE_FILES_MAX);
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		char **p = realloc(f->paths, cap * sizeof *p);
		if (!p)
			return cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
		f->paths = p;
		f->cap = cap;
	}
	if (!(f->paths[f->n] = strdup(path)))
		return cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
	f->n++;
	return CG_OK;
}

/* Every *.yar / *.yara below `dir` (symbolic links not followed), as
 * scan_rules_load reads a directory. */
static enum cg_err walk_rules(struct rule_files *f, const char *dir, unsigned depth)
{
	DIR *d;
	struct dirent *e;
	enum cg_err rc = CG_OK;
	if (depth > 32)
		return cg_err_set(CG_ELIMIT, _("%s: rule directories nested too deep"), dir);
	if (!(d = opendir(dir)))
		return cg_err_set(CG_EIO, _("%s: cannot open: %s"), dir, strerror(errno));
	while (!rc && (e = readdir(d))) {
		char p[4096];
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= sizeof p || lstat(p, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			rc = walk_rules(f, p, depth + 1);
		else if (S_ISREG(st.st_mode) && is_rule_name(e->d_name))
			rc = add_rule_file(f, p);
	}
	closedir(d);
	return rc;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static enum cg_err read_rule(const char *path, size_t *total, char **out)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;
	enum cg_err rc = CG_OK;
	if (!fp)
		return cg_err_set(CG_EIO, _("%s: cannot open: %s"), path, strerror(errno));
	if (!(buf = malloc(AGENT_RULES_MAX - *total + 2))) {
		fclose(fp);
		return cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
	}
	len = fread(buf, 1, AGENT_RULES_MAX - *total + 1, fp);
	if (ferror(fp))
		rc = cg_err_set(CG_EIO, _("%s: cannot read: %s"), path, strerror(errno));
	else if (len > AGENT_RULES_MAX - *total)
		rc = cg_err_set(CG_ELIMIT, _("%s: the rules of one task are limited to %u bytes"), path,
				AGENT_RULES_MAX);
	else if (memchr(buf, '\0', len))
		rc = cg_err_set(CG_EPARSE, _("%s: a NUL byte in a rule file"), path);
	fclose(fp);
	if (rc) {
		free(buf);
		return rc;
	}
	buf[len] = '\0';
	*total += len;
	*out = buf;
	return CG_OK;
}

/* An `include` directive at the start of a line: the agent would not have
 * the file it names. */
static int has_include(const char *src)
{
	for (const char *p = src; p; p = strchr(p, '\n')) {
		p += *p == '\n';
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "include", 7) == 0 && (p[7] == ' ' || p[7] == '\t' || p[7] == '"'))
			return 1;
	}
	return 0;
}

/* The rule set at `paths` (files or directories): compiled here first, so a
 * bad rule is refused when the task is queued, then as the JSON array of
 * {name, source} the task carries. */
static enum cg_err rules_json(const char *const *paths, size_t n, char **out)
{
	struct scan_rules_opts ro = {.paths = paths, .n_paths = n};
	struct scan_rules *compiled = NULL;
	struct rule_files f = {0};
	json_t *arr = json_array();
	size_t total = 0;
	enum cg_err rc;

	*out = NULL;
	if (!arr)
		return cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
	if ((rc = scan_rules_load(&ro, &compiled, NULL)))
		goto done;
	for (size_t i = 0; i < n && !rc; i++) {
		struct stat st;
		if (stat(paths[i], &st) != 0)
			rc = cg_err_set(CG_EIO, _("%s: cannot open: %s"), paths[i], strerror(errno));
		else if (S_ISDIR(st.st_mode)) {
			size_t from = f.n;
			if (!(rc = walk_rules(&f, paths[i], 0)))
				qsort(f.paths + from, f.n - from, sizeof *f.paths, cmp_path);
		} else
			rc = add_rule_file(&f, paths[i]);
	}
	for (size_t i = 0; i < f.n && !rc; i++) {
		char *src = NULL, name[256];
		const char *base = strrchr(f.paths[i], '/');
		base = base ? base + 1 : f.paths[i];
		/* Numbered so the agent's sorted directory compiles in the same order,
		 * and ending in .yar, which the agent's directory load reads. */
		size_t stem = strlen(base);
		if (is_rule_name(base))
			stem -= base[stem - 1] == 'a' ? 5 : 4;
		snprintf(name, sizeof name, "%04zu-%.*s.yar", i, (int)(stem < 200 ? stem : 200), base);
		for (char *p = name; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			      *p == '.' || *p == '_' || *p == '-'))
				*p = '_';
		if ((rc = read_rule(f.paths[i], &total, &src)))
			break;
		if (has_include(src)) {
			free(src);
			rc = cg_err_set(CG_EINVAL, _("%s: 'include' cannot be sent to an agent: give the included file "
						     "with --rules instead"),
					f.paths[i]);
			break;
		}
		if (json_array_append_new(arr, json_pack("{s:s,s:s}", "name", name, "source", src)))
			rc = cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
		free(src);
	}
	if (!rc && !(*out = json_dumps(arr, JSON_COMPACT)))
		rc = cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
	if (!rc && strlen(*out) > AGENT_TASK_RULES_JSON_MAX) {
		free(*out);
		*out = NULL;
		rc = cg_err_set(CG_ELIMIT, _("the rules of one task, as sent, are limited to %u bytes"),
				AGENT_TASK_RULES_JSON_MAX);
	}
done:
	for (size_t i = 0; i < f.n; i++)
		free(f.paths[i]);
	free(f.paths);
	json_decref(arr);
	scan_rules_free(compiled);
	return rc;
}

enum cg_err agent_task_queue(struct cg_db *db, int64_t id, const char *kind, const char *path, int64_t incident_id,
			     const char *const *rule_paths, size_t n_rule_paths, int64_t now, int64_t *task_id)
{
	char *rules = NULL;
	enum cg_err rc;
	if (strcmp(kind, "scan") != 0 && strcmp(kind, "collect") != 0)
		return cg_err_set(CG_EINVAL, _("'%s': a task is 'scan' or 'collect'"), kind);
	if (path[0] != '/' || strlen(path) > 4000)
		return cg_err_set(CG_EINVAL, _("'%s': the path on the agent must be absolute"), path);
	if (strcmp(kind, "collect") == 0) {
		if (n_rule_paths)
			return cg_err_set(CG_EINVAL, "%s", _("collect: --rules belongs to a scan task"));
		if (!incident_id)
			return cg_err_set(CG_EINVAL, "%s", _("collect: give the incident the evidence belongs to (--incident N)"));
		if ((rc = store_incident_get(db, incident_id, incident_seen, NULL)))
			return rc;
	}
	if (n_rule_paths && (rc = rules_json(rule_paths, n_rule_paths, &rules)))
		return rc;
	rc = store_agent_task_add(db, id, kind, path, incident_id, rules, now, task_id);
	free(rules);
	return rc;
}
