#include "agent_tls.h"

#include <errno.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "cg_i18n.h"

static enum cg_err tls_fail(const char *what)
{
	char buf[256];
	unsigned long e = ERR_get_error();
	ERR_error_string_n(e, buf, sizeof buf);
	ERR_clear_error();
	return cg_err_set(CG_EIO, _("TLS: %s: %s"), what, e ? buf : strerror(errno));
}

static SSL_CTX *base_ctx(const SSL_METHOD *m)
{
	SSL_CTX *ctx = SSL_CTX_new(m);
	if (!ctx)
		return NULL;
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION)) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_AUTO_RETRY);
	return ctx;
}

enum cg_err agent_tls_server_ctx(const char *ca_dir, SSL_CTX **out)
{
	char ca[4200], crt[4200], key[4200];
	SSL_CTX *ctx = base_ctx(TLS_server_method());
	X509_STORE *store;
	X509 *cacert = NULL;
	FILE *f;

	*out = NULL;
	snprintf(ca, sizeof ca, "%s/ca.crt", ca_dir);
	snprintf(crt, sizeof crt, "%s/server.crt", ca_dir);
	snprintf(key, sizeof key, "%s/server.key", ca_dir);
	if (!ctx)
		return tls_fail("context");
	if (access(crt, R_OK) != 0 || access(key, R_OK) != 0) {
		SSL_CTX_free(ctx);
		return cg_err_set(CG_ENOTFOUND, _("%s: no server certificate; create the CA with 'canhgac ca init'"),
				  ca_dir);
	}
	if (SSL_CTX_use_certificate_file(ctx, crt, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1 ||
	    SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1 || !(f = fopen(ca, "re"))) {
		SSL_CTX_free(ctx);
		return tls_fail(crt);
	}
	cacert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	/* The CA goes along so an enrolling agent can pin it. */
	if (!cacert || SSL_CTX_add1_chain_cert(ctx, cacert) != 1) {
		X509_free(cacert);
		SSL_CTX_free(ctx);
		return tls_fail(ca);
	}
	X509_free(cacert);
	store = SSL_CTX_get_cert_store(ctx);
	X509_STORE_set_purpose(store, X509_PURPOSE_SSL_CLIENT);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_verify_depth(ctx, 2);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0);
	*out = ctx;
	return CG_OK;
}

enum cg_err agent_tls_client_ctx(const char *ca_file, const char *cert_file, const char *key_file, SSL_CTX **out)
{
	SSL_CTX *ctx = base_ctx(TLS_client_method());
	*out = NULL;
	if (!ctx)
		return tls_fail("context");
	if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
		SSL_CTX_free(ctx);
		return tls_fail(ca_file);
	}
	if (SSL_CTX_use_certificate_file(ctx, cert_file, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
		SSL_CTX_free(ctx);
		return tls_fail(cert_file);
	}
	X509_STORE_set_purpose(SSL_CTX_get_cert_store(ctx), X509_PURPOSE_SSL_SERVER);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_verify_depth(ctx, 2);
	*out = ctx;
	return CG_OK;
}

enum cg_err agent_tls_enroll_ctx(SSL_CTX **out)
{
	SSL_CTX *ctx = base_ctx(TLS_client_method());
	*out = ctx;
	if (!ctx)
		return tls_fail("context");
	/* Verified by agent_tls_check_pin() against the token's fingerprint. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	return CG_OK;
}

enum cg_err agent_tls_check_pin(SSL *ssl, const char *fingerprint)
{
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	X509 *leaf = SSL_get0_peer_certificate(ssl);
	X509 *pinned = NULL;
	X509_STORE *store = NULL;
	X509_STORE_CTX *vctx = NULL;
	enum cg_err rc;
	int ok = 0;

	for (int i = 0; chain && i < sk_X509_num(chain); i++) {
		X509 *c = sk_X509_value(chain, i);
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned n = 0;
		char hex[65];
		if (!X509_digest(c, EVP_sha256(), md, &n) || n != 32)
			continue;
		for (unsigned k = 0; k < n; k++)
			snprintf(hex + 2 * k, 3, "%02x", md[k]);
		if (strcmp(hex, fingerprint) == 0)
			pinned = c;
	}
	if (!leaf || !pinned)
		return cg_err_set(CG_EINVAL, "%s",
				  _("the centre did not present the CA certificate named in the token (wrong server?)"));
	if ((store = X509_STORE_new()) && X509_STORE_add_cert(store, pinned) == 1 && (vctx = X509_STORE_CTX_new()) &&
	    X509_STORE_CTX_init(vctx, store, leaf, NULL) == 1) {
		X509_STORE_CTX_set_purpose(vctx, X509_PURPOSE_SSL_SERVER);
		ok = X509_verify_cert(vctx) == 1;
	}
	if (ok)
		rc = CG_OK;
	else
		rc = cg_err_set(CG_EINVAL, _("the centre's certificate does not verify against the pinned CA: %s"),
				vctx ? X509_verify_cert_error_string(X509_STORE_CTX_get_error(vctx)) : "?");
	X509_STORE_CTX_free(vctx);
	X509_STORE_free(store);
	ERR_clear_error();
	return rc;
}

void agent_tls_timeouts(int fd, int seconds)
{
	struct timeval tv = {.tv_sec = seconds};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static enum cg_err split_hostport(const char *hp, char *host, size_t hn, char *port, size_t pn)
{
	const char *colon;
	if (hp[0] == '[') {
		const char *close = strchr(hp, ']');
		if (!close || close[1] != ':' || (size_t)(close - hp - 1) >= hn)
			goto bad;
		snprintf(host, hn, "%.*s", (int)(close - hp - 1), hp + 1);
		colon = close + 1;
	} else {
		colon = strrchr(hp, ':');
		if (!colon || colon == hp || (size_t)(colon - hp) >= hn)
			goto bad;
		snprintf(host, hn, "%.*s", (int)(colon - hp), hp);
	}
	if (!colon[1] || strlen(colon + 1) >= pn)
		goto bad;
	snprintf(port, pn, "%s", colon + 1);
	return CG_OK;
bad:
	return cg_err_set(CG_EINVAL, _("'%s': expected HOST:PORT"), hp);
}

enum cg_err agent_tls_connect(SSL_CTX *ctx, const char *hostport, SSL **out)
{
	char host[256], port[16];
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL, *ai;
	int fd = -1, e = 0;
	SSL *ssl;
	enum cg_err rc;

	*out = NULL;
	if ((rc = split_hostport(hostport, host, sizeof host, port, sizeof port)))
		return rc;
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0)
		return cg_err_set(CG_EIO, _("%s: %s"), hostport, gai_strerror(e));
	for (ai = res; ai; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol)) < 0)
			continue;
		agent_tls_timeouts(fd, AGENT_IO_TIMEOUT);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return cg_err_set(CG_EIO, _("%s: cannot connect: %s"), hostport, strerror(e ? e : ECONNREFUSED));
	if (!(ssl = SSL_new(ctx)) || !SSL_set_fd(ssl, fd)) {
		SSL_free(ssl);
		close(fd);
		return tls_fail(hostport);
	}
	if (SSL_connect(ssl) != 1) {
		char what[512];
		long v = SSL_get_verify_result(ssl);
		if (v != X509_V_OK)
			snprintf(what, sizeof what, "%s: %s", hostport, X509_verify_cert_error_string(v));
		else
			snprintf(what, sizeof what, "%s", hostport);
		rc = tls_fail(what);
		SSL_free(ssl);
		close(fd);
		return rc;
	}
	*out = ssl;
	return CG_OK;
}

void agent_tls_close(SSL *ssl)
{
	if (!ssl)
		return;
	int fd = SSL_get_fd(ssl);
	SSL_shutdown(ssl);
	SSL_free(ssl);
	if (fd >= 0)
		close(fd);
	ERR_clear_error();
}

static enum cg_err write_all(SSL *ssl, const unsigned char *p, size_t n)
{
	while (n) {
		int w = SSL_write(ssl, p, n > INT32_MAX ? INT32_MAX : (int)n);
		if (w <= 0)
			return tls_fail(_("sending"));
		p += w;
		n -= (size_t)w;
	}
	return CG_OK;
}

/* 1 read everything, 0 clean end before the first byte, <0 error. */
static int read_all(SSL *ssl, unsigned char *p, size_t n)
{
	size_t got = 0;
	while (got < n) {
		int r = SSL_read(ssl, p + got, n - got > INT32_MAX ? INT32_MAX : (int)(n - got));
		if (r <= 0) {
			int e = SSL_get_error(ssl, r);
			if (got == 0 && e == SSL_ERROR_ZERO_RETURN)
				return 0;
			return -1;
		}
		got += (size_t)r;
	}
	return 1;
}

enum cg_err agent_tls_send(SSL *ssl, const json_t *msg)
{
	unsigned char *buf;
	size_t len;
	enum cg_err rc;
	if ((rc = agent_frame_build(msg, &buf, &len)))
		return rc;
	rc = write_all(ssl, buf, len);
	free(buf);
	return rc;
}

enum cg_err agent_tls_recv(SSL *ssl, size_t max, struct agent_msg **out)
{
	unsigned char hdr[4], *buf;
	size_t len;
	enum cg_err rc;
	int r;

	*out = NULL;
	r = read_all(ssl, hdr, 4);
	if (r == 0)
		return cg_err_set(CG_ENOTFOUND, "%s", _("the peer closed the connection"));
	if (r < 0)
		return tls_fail(_("receiving"));
	if ((rc = agent_frame_len(hdr, &len)))
		return rc;
	if (len > max)
		return cg_err_set(CG_ELIMIT, _("agent message: %zu bytes, more than the limit of %zu"), len, max);
	if (!(buf = malloc(len)))
		return cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
	if (read_all(ssl, buf, len) != 1) {
		free(buf);
		return tls_fail(_("receiving"));
	}
	rc = agent_msg_parse(buf, len, out);
	free(buf);
	return rc;
}
