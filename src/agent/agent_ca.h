/* agent_ca — the canhgac certificate authority for agents (OpenSSL, ECDSA
 * P-256): the CA key and self-signed certificate, the centre's server
 * certificate, and client certificates issued from agents' CSRs.
 *
 * The CA lives in a directory beside the database (DBDIR/ca): ca.key and
 * server.key are 0600, the directory 0700. */
#ifndef CG_AGENT_CA_H
#define CG_AGENT_CA_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"

#define AGENT_CA_DAYS 3650     /* the CA certificate */
#define AGENT_SERVER_DAYS 825  /* the centre's server certificate */
#define AGENT_CLIENT_DAYS 825  /* an agent's certificate */

struct agent_ca;

/* DBDIR/ca for the database at `db_path`, into `buf`. */
enum cg_err agent_ca_dir(const char *db_path, char *buf, size_t n) CG_MUST_CHECK;

struct agent_ca_info {
	char fingerprint[65]; /* SHA-256 of the CA certificate (DER), lower-case hex */
	char subject[256];
	int64_t not_after;
};

/* Create the CA in `dir` (made 0700 if missing): ca.key, ca.crt and the
 * centre's server.key, server.crt signed by it. CG_EEXIST when ca.key is
 * there already (a CA is never silently replaced). `name` is the
 * organisation shown in the subjects (may be NULL). */
enum cg_err agent_ca_init(const char *dir, const char *name, int64_t now, struct agent_ca_info *out) CG_MUST_CHECK;

/* Load the CA of `dir` (CA key and certificate); CG_ENOTFOUND with a message
 * saying to run 'canhgac ca init' when there is none. */
enum cg_err agent_ca_load(const char *dir, struct agent_ca **out) CG_MUST_CHECK;
void agent_ca_free(struct agent_ca *ca); /* NULL is a no-op */
void agent_ca_get_info(const struct agent_ca *ca, struct agent_ca_info *out);
/* The CA certificate in PEM; borrowed from `ca`. */
const char *agent_ca_pem(const struct agent_ca *ca);

/* Issue a client certificate (clientAuth, CN "canhgac-agent-ID") for the key
 * in the PEM CSR `csr`: the CSR's signature must verify and its key must be
 * EC P-256 or Ed25519; everything else the CSR asks for is ignored. Returns
 * a new PEM string the caller frees and the serial in hex. */
enum cg_err agent_ca_issue(struct agent_ca *ca, const char *csr, int64_t agent_id, int64_t now, char **cert_pem,
			   char serial[41]) CG_MUST_CHECK;

/* The agent's side: a new P-256 key and a CSR for it; two new PEM strings
 * the caller frees. */
enum cg_err agent_ca_make_csr(const char *hostname, char **key_pem, char **csr_pem) CG_MUST_CHECK;

/* SHA-256 (lower-case hex) of the DER of the first certificate in PEM `pem`. */
enum cg_err agent_ca_pem_fingerprint(const char *pem, char out[65]) CG_MUST_CHECK;

#endif
