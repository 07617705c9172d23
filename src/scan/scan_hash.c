#include "scan_hash.h"

#include <openssl/evp.h>
#include <stdlib.h>

#include "cg_i18n.h"

struct scan_hash {
	unsigned types;
	EVP_MD_CTX *ctx[SCAN_HASH_COUNT];
};

static const EVP_MD *md_of(enum scan_hash_type t)
{
	switch (t) {
	case SCAN_HASH_SHA256: return EVP_sha256();
	case SCAN_HASH_SHA1: return EVP_sha1();
	default: return EVP_md5();
	}
}

const char *scan_hash_name(enum scan_hash_type t)
{
	static const char *const names[SCAN_HASH_COUNT] = {"sha256", "sha1", "md5"};
	return t < SCAN_HASH_COUNT ? names[t] : "";
}

enum cg_err scan_hash_new(unsigned types, struct scan_hash **out)
{
	struct scan_hash *h = calloc(1, sizeof *h);

	*out = NULL;
	if (!h)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	h->types = types & ((1u << SCAN_HASH_COUNT) - 1);
	for (int t = 0; t < SCAN_HASH_COUNT; t++) {
		if (!(h->types & SCAN_HASH_BIT(t)))
			continue;
		if (!(h->ctx[t] = EVP_MD_CTX_new())) {
			scan_hash_free(h);
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		}
	}
	*out = h;
	return CG_OK;
}

void scan_hash_free(struct scan_hash *h)
{
	if (!h)
		return;
	for (int t = 0; t < SCAN_HASH_COUNT; t++)
		EVP_MD_CTX_free(h->ctx[t]);
	free(h);
}

unsigned scan_hash_types(const struct scan_hash *h)
{
	return h->types;
}

enum cg_err scan_hash_begin(struct scan_hash *h)
{
	for (int t = 0; t < SCAN_HASH_COUNT; t++)
		if (h->ctx[t] && EVP_DigestInit_ex(h->ctx[t], md_of((enum scan_hash_type)t), NULL) != 1)
			return cg_err_set(CG_EINTERNAL, _("OpenSSL: cannot start a %s digest"),
					  scan_hash_name((enum scan_hash_type)t));
	return CG_OK;
}

enum cg_err scan_hash_update(struct scan_hash *h, const void *buf, size_t len)
{
	for (int t = 0; t < SCAN_HASH_COUNT; t++)
		if (h->ctx[t] && EVP_DigestUpdate(h->ctx[t], buf, len) != 1)
			return cg_err_set(CG_EINTERNAL, _("OpenSSL: %s digest failed"),
					  scan_hash_name((enum scan_hash_type)t));
	return CG_OK;
}

enum cg_err scan_hash_end(struct scan_hash *h, char hex[SCAN_HASH_COUNT][SCAN_HASH_HEX_MAX])
{
	static const char digits[] = "0123456789abcdef";

	for (int t = 0; t < SCAN_HASH_COUNT; t++) {
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned n = 0;
		hex[t][0] = '\0';
		if (!h->ctx[t])
			continue;
		if (EVP_DigestFinal_ex(h->ctx[t], md, &n) != 1 || 2 * n + 1 > SCAN_HASH_HEX_MAX)
			return cg_err_set(CG_EINTERNAL, _("OpenSSL: %s digest failed"),
					  scan_hash_name((enum scan_hash_type)t));
		for (unsigned i = 0; i < n; i++) {
			hex[t][2 * i] = digits[md[i] >> 4];
			hex[t][2 * i + 1] = digits[md[i] & 15];
		}
		hex[t][2 * n] = '\0';
	}
	return CG_OK;
}
