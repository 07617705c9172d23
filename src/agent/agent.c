#include "agent.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_ca.h"
#include "cg_i18n.h"
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

enum cg_err agent_task_queue(struct cg_db *db, int64_t id, const char *kind, const char *path, int64_t incident_id,
			     int64_t now, int64_t *task_id)
{
	enum cg_err rc;
	if (strcmp(kind, "scan") != 0 && strcmp(kind, "collect") != 0)
		return cg_err_set(CG_EINVAL, _("'%s': a task is 'scan' or 'collect'"), kind);
	if (path[0] != '/' || strlen(path) > 4000)
		return cg_err_set(CG_EINVAL, _("'%s': the path on the agent must be absolute"), path);
	if (strcmp(kind, "collect") == 0) {
		if (!incident_id)
			return cg_err_set(CG_EINVAL, "%s", _("collect: give the incident the evidence belongs to (--incident N)"));
		if ((rc = store_incident_get(db, incident_id, incident_seen, NULL)))
			return rc;
	}
	return store_agent_task_add(db, id, kind, path, incident_id, now, task_id);
}
