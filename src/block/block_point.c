#include "block_point.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "cg_i18n.h"
#include "store_block.h"

static void hex(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static enum cg_err token_hash(const char *token, char out[65])
{
	unsigned char md[32];
	unsigned int len = 0;

	if (EVP_Digest(token, strlen(token), md, &len, EVP_sha256(), NULL) != 1 || len != sizeof md)
		return cg_err_set(CG_EINTERNAL, _("SHA-256 failed"));
	hex(md, sizeof md, out);
	return CG_OK;
}

enum cg_err block_point_check_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > BLOCK_POINT_NAME_MAX || strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
							  "0123456789._-") != n)
		return cg_err_set(CG_EINVAL, _("'%.80s' is not a point name (1-%d letters, digits, '.', '_', '-')"), name,
				  BLOCK_POINT_NAME_MAX);
	return CG_OK;
}

enum cg_err block_point_add(struct cg_db *db, const char *name, int64_t at, char *token)
{
	unsigned char rnd[32];
	char h[65];
	enum cg_err rc;

	if ((rc = block_point_check_name(name)))
		return rc;
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		return cg_err_set(CG_EINTERNAL, _("no random bytes: %s"), strerror(errno));
	memcpy(token, "cgp_", 4);
	hex(rnd, sizeof rnd, token + 4);
	if ((rc = token_hash(token, h)))
		return rc;
	return store_block_point_add(db, name, h, at);
}

enum cg_err block_point_authenticate(struct cg_db *db, const char *token, char *name, size_t n)
{
	char h[65];
	enum cg_err rc;

	if (strlen(token) != BLOCK_POINT_TOKEN_LEN || strncmp(token, "cgp_", 4) != 0 ||
	    strspn(token + 4, "0123456789abcdef") != BLOCK_POINT_TOKEN_LEN - 4)
		return cg_err_set(CG_ENOTFOUND, _("unknown token"));
	if ((rc = token_hash(token, h)))
		return rc;
	return store_block_point_by_token(db, h, name, n);
}
