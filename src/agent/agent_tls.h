/* agent_tls — the TLS both ends of the agent protocol share (OpenSSL, TLS
 * 1.2 or newer): contexts for the centre, for an enrolled agent and for an
 * agent enrolling (which pins the CA by fingerprint), and whole frames sent
 * and received over a blocking connection with time limits. */
#ifndef CG_AGENT_TLS_H
#define CG_AGENT_TLS_H

#include <jansson.h>
#include <openssl/ssl.h>

#include "agent_msg.h"
#include "cg_err.h"

#define AGENT_IO_TIMEOUT 30 /* seconds without progress on a connection */

/* The centre: server.crt/server.key of the CA directory, the CA certificate
 * sent along; client certificates are asked for and, when given, must chain
 * to the CA with the clientAuth purpose (an agent enrolling has none). */
enum cg_err agent_tls_server_ctx(const char *ca_dir, SSL_CTX **out) CG_MUST_CHECK;
/* An enrolled agent: verifies the centre against `ca_file` (serverAuth
 * purpose; no host name check: the CA is canhgac's own) and presents
 * `cert_file`/`key_file`. */
enum cg_err agent_tls_client_ctx(const char *ca_file, const char *cert_file, const char *key_file,
				 SSL_CTX **out) CG_MUST_CHECK;
/* An agent enrolling: no client certificate; after the handshake
 * agent_tls_check_pin() must accept the centre. */
enum cg_err agent_tls_enroll_ctx(SSL_CTX **out) CG_MUST_CHECK;
/* The centre's chain holds a CA certificate whose SHA-256 is
 * `fingerprint`, and the centre's certificate verifies against it alone. */
enum cg_err agent_tls_check_pin(SSL *ssl, const char *fingerprint) CG_MUST_CHECK;

/* Connect to "HOST:PORT" ("[V6]:PORT" too) and do the TLS handshake. */
enum cg_err agent_tls_connect(SSL_CTX *ctx, const char *hostport, SSL **out) CG_MUST_CHECK;
/* Shut down and free the connection and its socket. NULL is a no-op. */
void agent_tls_close(SSL *ssl);

/* Socket time limits for a connected fd. */
void agent_tls_timeouts(int fd, int seconds);

enum cg_err agent_tls_send(SSL *ssl, const json_t *msg) CG_MUST_CHECK;
/* Receive one frame of at most `max` bytes and parse it; CG_ENOTFOUND when
 * the peer closed before a frame began, CG_ELIMIT for a longer frame (its
 * body is not read). */
enum cg_err agent_tls_recv(SSL *ssl, size_t max, struct agent_msg **out) CG_MUST_CHECK;

#endif
