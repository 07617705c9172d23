#include "agent_ca.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cg_file.h"
#include "cg_i18n.h"

struct agent_ca {
	EVP_PKEY *key;
	X509 *cert;
	char *pem;
};

static enum cg_err ossl_fail(const char *what)
{
	char buf[256];
	unsigned long e = ERR_get_error();
	ERR_error_string_n(e, buf, sizeof buf);
	ERR_clear_error();
	return cg_err_set(CG_EINTERNAL, _("CA: %s: %s"), what, e ? buf : "OpenSSL");
}

enum cg_err agent_ca_dir(const char *db_path, char *buf, size_t n)
{
	const char *slash = strrchr(db_path, '/');
	int w;
	if (slash)
		w = snprintf(buf, n, "%.*s/ca", (int)(slash - db_path), db_path);
	else
		w = snprintf(buf, n, "ca");
	if (w < 0 || (size_t)w >= n)
		return cg_err_set(CG_ELIMIT, "%s", _("CA directory path too long"));
	return CG_OK;
}

/* Write `data` to dir/name through a temporary file and rename, mode `mode`. */
static enum cg_err write_file(const char *dir, const char *name, const char *data, mode_t mode)
{
	char tmp[4200], dst[4200];
	size_t len = strlen(data), off = 0;
	int fd;

	snprintf(dst, sizeof dst, "%s/%s", dir, name);
	snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)) < 0)
		return cg_err_set(CG_EIO, _("%s: cannot create: %s"), tmp, strerror(errno));
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = errno;
			close(fd);
			unlink(tmp);
			return cg_err_set(CG_EIO, _("%s: cannot write: %s"), tmp, strerror(e));
		}
		off += (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, dst) != 0) {
		int e = errno;
		unlink(tmp);
		return cg_err_set(CG_EIO, _("%s: cannot write: %s"), dst, strerror(e));
	}
	return CG_OK;
}

static char *bio_string(BIO *b)
{
	char *p;
	long n = BIO_get_mem_data(b, &p);
	char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (s) {
		memcpy(s, p, (size_t)n);
		s[n] = '\0';
	}
	return s;
}

static char *key_pem(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *s = NULL;
	if (b && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL))
		s = bio_string(b);
	BIO_free(b);
	return s;
}

static char *cert_pem(X509 *c)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *s = NULL;
	if (b && PEM_write_bio_X509(b, c))
		s = bio_string(b);
	BIO_free(b);
	return s;
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ex;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	if (!(ex = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)))
		return 0;
	int ok = X509_add_ext(cert, ex, -1);
	X509_EXTENSION_free(ex);
	return ok;
}

static int set_serial(X509 *c, char serial_hex[41])
{
	BIGNUM *bn = BN_new();
	ASN1_INTEGER *ai = NULL;
	char *hex = NULL;
	int ok = bn && BN_rand(bn, 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) && (ai = BN_to_ASN1_INTEGER(bn, NULL)) &&
		 X509_set_serialNumber(c, ai) && (hex = BN_bn2hex(bn));
	if (ok && serial_hex) {
		snprintf(serial_hex, 41, "%s", hex);
		for (char *p = serial_hex; *p; p++)
			if (*p >= 'A' && *p <= 'F')
				*p = (char)(*p - 'A' + 'a');
	}
	OPENSSL_free(hex);
	ASN1_INTEGER_free(ai);
	BN_free(bn);
	return ok;
}

static int set_name(X509_NAME *n, const char *org, const char *cn)
{
	return X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8, (const unsigned char *)org, -1, -1, 0) &&
	       X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
}

/* A certificate for `pub` signed by `issuer_key`; issuer NULL = self-signed. */
static X509 *make_cert(EVP_PKEY *pub, const char *org, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
		       int64_t now, int days, const char *const *exts, char serial[41])
{
	X509 *c = X509_new();
	time_t t = (time_t)now;
	/* Five minutes back: a host whose clock is a little behind still accepts it. */
	int ok = c && X509_set_version(c, 2) && set_serial(c, serial) &&
		 X509_time_adj_ex(X509_getm_notBefore(c), 0, -300, &t) &&
		 X509_time_adj_ex(X509_getm_notAfter(c), days, 0, &t) && X509_set_pubkey(c, pub) &&
		 set_name(X509_get_subject_name(c), org, cn) &&
		 X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : X509_get_subject_name(c));
	for (size_t i = 0; ok && exts[i]; i += 2)
		ok = add_ext(c, issuer ? issuer : c, OBJ_txt2nid(exts[i]), exts[i + 1]);
	if (ok)
		ok = X509_sign(c, issuer_key, EVP_sha256()) > 0;
	if (!ok) {
		X509_free(c);
		return NULL;
	}
	return c;
}

static const char *const ca_exts[] = {
	"basicConstraints", "critical,CA:TRUE,pathlen:0",
	"keyUsage", "critical,keyCertSign,cRLSign",
	"subjectKeyIdentifier", "hash",
	NULL,
};
static const char *const server_exts[] = {
	"basicConstraints", "critical,CA:FALSE",
	"keyUsage", "critical,digitalSignature",
	"extendedKeyUsage", "serverAuth",
	"subjectKeyIdentifier", "hash",
	"authorityKeyIdentifier", "keyid:always",
	NULL,
};
static const char *const client_exts[] = {
	"basicConstraints", "critical,CA:FALSE",
	"keyUsage", "critical,digitalSignature",
	"extendedKeyUsage", "clientAuth",
	"subjectKeyIdentifier", "hash",
	"authorityKeyIdentifier", "keyid:always",
	NULL,
};

static enum cg_err der_fingerprint(X509 *c, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	if (!X509_digest(c, EVP_sha256(), md, &n) || n != 32)
		return ossl_fail("fingerprint");
	for (unsigned i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return CG_OK;
}

static void info_of(X509 *c, struct agent_ca_info *out)
{
	struct tm tm;
	memset(out, 0, sizeof *out);
	if (der_fingerprint(c, out->fingerprint))
		out->fingerprint[0] = '\0';
	BIO *b = BIO_new(BIO_s_mem());
	if (b && X509_NAME_print_ex(b, X509_get_subject_name(c), 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		char *p;
		long n = BIO_get_mem_data(b, &p);
		snprintf(out->subject, sizeof out->subject, "%.*s", (int)(n < 0 ? 0 : n), p);
	}
	BIO_free(b);
	if (ASN1_TIME_to_tm(X509_get0_notAfter(c), &tm))
		out->not_after = (int64_t)timegm(&tm);
}

enum cg_err agent_ca_init(const char *dir, const char *name, int64_t now, struct agent_ca_info *out)
{
	char path[4200];
	const char *org = name && *name ? name : "canhgac";
	EVP_PKEY *ca_key = NULL, *srv_key = NULL;
	X509 *ca = NULL, *srv = NULL;
	char *pems[4] = {0};
	enum cg_err rc = CG_OK;
	struct stat st;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return cg_err_set(CG_EIO, _("%s: cannot create directory: %s"), dir, strerror(errno));
	snprintf(path, sizeof path, "%s/ca.key", dir);
	if (lstat(path, &st) == 0)
		return cg_err_set(CG_EEXIST, _("%s: a CA exists already; it is never replaced (move it away first)"),
				  path);
	if (!(ca_key = EVP_EC_gen("P-256")) || !(srv_key = EVP_EC_gen("P-256"))) {
		rc = ossl_fail("key generation");
		goto done;
	}
	if (!(ca = make_cert(ca_key, org, "canhgac agent CA", NULL, ca_key, now, AGENT_CA_DAYS, ca_exts, NULL)) ||
	    !(srv = make_cert(srv_key, org, "canhgac centre", ca, ca_key, now, AGENT_SERVER_DAYS, server_exts, NULL))) {
		rc = ossl_fail("certificate");
		goto done;
	}
	if (!(pems[0] = key_pem(ca_key)) || !(pems[1] = cert_pem(ca)) || !(pems[2] = key_pem(srv_key)) ||
	    !(pems[3] = cert_pem(srv))) {
		rc = ossl_fail("PEM");
		goto done;
	}
	/* The certificates first: ca.key is what marks a complete CA. */
	if ((rc = write_file(dir, "server.key", pems[2], 0600)) || (rc = write_file(dir, "server.crt", pems[3], 0644)) ||
	    (rc = write_file(dir, "ca.crt", pems[1], 0644)) || (rc = write_file(dir, "ca.key", pems[0], 0600)))
		goto done;
	if (out)
		info_of(ca, out);
done:
	for (int i = 0; i < 4; i++) {
		if (pems[i])
			OPENSSL_cleanse(pems[i], strlen(pems[i]));
		free(pems[i]);
	}
	X509_free(ca);
	X509_free(srv);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(srv_key);
	return rc;
}

enum cg_err agent_ca_load(const char *dir, struct agent_ca **out)
{
	char kpath[4200], cpath[4200];
	struct agent_ca *ca;
	FILE *f;

	*out = NULL;
	snprintf(kpath, sizeof kpath, "%s/ca.key", dir);
	snprintf(cpath, sizeof cpath, "%s/ca.crt", dir);
	if (access(kpath, F_OK) != 0)
		return cg_err_set(CG_ENOTFOUND, _("%s: no CA here; create it with 'canhgac ca init'"), dir);
	if (!(ca = calloc(1, sizeof *ca)))
		return cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
	if ((f = fopen(kpath, "re"))) {
		ca->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
	}
	if ((f = fopen(cpath, "re"))) {
		ca->cert = PEM_read_X509(f, NULL, NULL, NULL);
		fclose(f);
	}
	if (!ca->key || !ca->cert || !(ca->pem = cert_pem(ca->cert))) {
		ERR_clear_error();
		agent_ca_free(ca);
		return cg_err_set(CG_EPARSE, _("%s: cannot read the CA key and certificate"), dir);
	}
	if (X509_check_private_key(ca->cert, ca->key) != 1) {
		ERR_clear_error();
		agent_ca_free(ca);
		return cg_err_set(CG_EPARSE, _("%s: the CA key does not match the CA certificate"), dir);
	}
	*out = ca;
	return CG_OK;
}

void agent_ca_free(struct agent_ca *ca)
{
	if (!ca)
		return;
	EVP_PKEY_free(ca->key);
	X509_free(ca->cert);
	free(ca->pem);
	free(ca);
}

void agent_ca_get_info(const struct agent_ca *ca, struct agent_ca_info *out)
{
	info_of(ca->cert, out);
}

const char *agent_ca_pem(const struct agent_ca *ca)
{
	return ca->pem;
}

enum cg_err agent_ca_issue(struct agent_ca *ca, const char *csr, int64_t agent_id, int64_t now, char **out_pem,
			   char serial[41])
{
	BIO *b = BIO_new_mem_buf(csr, -1);
	X509_REQ *req = b ? PEM_read_bio_X509_REQ(b, NULL, NULL, NULL) : NULL;
	EVP_PKEY *pub = req ? X509_REQ_get0_pubkey(req) : NULL;
	X509 *c = NULL;
	char cn[64];
	enum cg_err rc = CG_OK;

	*out_pem = NULL;
	BIO_free(b);
	if (!req || !pub) {
		rc = cg_err_set(CG_EPARSE, "%s", _("enrolment: the certificate request is not a PEM CSR"));
		goto done;
	}
	if (X509_REQ_verify(req, pub) != 1) {
		rc = cg_err_set(CG_EPARSE, "%s", _("enrolment: the certificate request's signature does not verify"));
		goto done;
	}
	int ok_key = EVP_PKEY_get_id(pub) == EVP_PKEY_ED25519;
	if (EVP_PKEY_get_id(pub) == EVP_PKEY_EC) {
		char group[64];
		size_t gl = 0;
		ok_key = EVP_PKEY_get_utf8_string_param(pub, "group", group, sizeof group, &gl) &&
			 strcmp(group, "prime256v1") == 0;
	}
	if (!ok_key) {
		rc = cg_err_set(CG_EUNSUPPORTED, "%s", _("enrolment: the key must be EC P-256 or Ed25519"));
		goto done;
	}
	snprintf(cn, sizeof cn, "canhgac-agent-%lld", (long long)agent_id);
	{
		X509_NAME *org = X509_get_subject_name(ca->cert);
		char o[128] = "canhgac";
		X509_NAME_get_text_by_NID(org, NID_organizationName, o, sizeof o);
		c = make_cert(pub, o, cn, ca->cert, ca->key, now, AGENT_CLIENT_DAYS, client_exts, serial);
	}
	if (!c || !(*out_pem = cert_pem(c)))
		rc = ossl_fail("issuing the agent certificate");
done:
	ERR_clear_error();
	X509_free(c);
	X509_REQ_free(req);
	return rc;
}

enum cg_err agent_ca_make_csr(const char *hostname, char **key_out, char **csr_out)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509_REQ *req = X509_REQ_new();
	BIO *b = BIO_new(BIO_s_mem());
	enum cg_err rc = CG_OK;

	*key_out = *csr_out = NULL;
	if (!k || !req || !b || !X509_REQ_set_pubkey(req, k) ||
	    !X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req), "CN", MBSTRING_UTF8,
					(const unsigned char *)(hostname && *hostname ? hostname : "agent"), -1, -1, 0) ||
	    !X509_REQ_sign(req, k, EVP_sha256()) || !PEM_write_bio_X509_REQ(b, req) || !(*csr_out = bio_string(b)) ||
	    !(*key_out = key_pem(k))) {
		rc = ossl_fail("certificate request");
		free(*csr_out);
		*csr_out = NULL;
	}
	BIO_free(b);
	X509_REQ_free(req);
	EVP_PKEY_free(k);
	return rc;
}

enum cg_err agent_ca_pem_fingerprint(const char *pem, char out[65])
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *c = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	enum cg_err rc;
	BIO_free(b);
	if (!c) {
		ERR_clear_error();
		return cg_err_set(CG_EPARSE, "%s", _("not a PEM certificate"));
	}
	rc = der_fingerprint(c, out);
	X509_free(c);
	return rc;
}
