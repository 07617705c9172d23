/* phish — intake of e-mails staff report as phishing: the message is parsed
 * with GMime, its sender, Received-chain addresses, URLs (text and HTML
 * parts, defanged forms), their domains and the hashes of its attachments
 * are collected, checked against the intel store, and a verdict is given
 * with its reasons. */
#ifndef CG_PHISH_H
#define CG_PHISH_H

#include <jansson.h>
#include <stddef.h>

#include "cg_err.h"
#include "db.h"
#include "ioc.h"

/* Largest message accepted, and most indicators kept from one message. */
#define PHISH_MESSAGE_MAX ((size_t)64 << 20)
#define PHISH_ITEMS_MAX 4096
#define PHISH_MULTIPART_MAX 512

struct phish_report;

/* Parse a message (`name` labels it). The report is new; the caller frees
 * it. CG_EPARSE when it is not a MIME message. */
enum cg_err phish_parse(const char *buf, size_t len, const char *name, struct phish_report **out) CG_MUST_CHECK;
void phish_report_free(struct phish_report *r); /* NULL is a no-op */

/* Look every indicator up in the current lists of all intel sources
 * (addresses also inside listed CIDRs, domains also under a listed parent
 * domain) and set the verdict. */
enum cg_err phish_check_intel(struct phish_report *r, struct cg_db *db) CG_MUST_CHECK;

enum phish_verdict { PHISH_CLEAN = 0, PHISH_SUSPICIOUS, PHISH_MALICIOUS };
enum phish_verdict phish_report_verdict(const struct phish_report *r);
const char *phish_verdict_name(enum phish_verdict v); /* "clean", "suspicious", "malicious" */

/* {"message", "subject", "from", "verdict", "reasons": [..], "indicators":
 * [{type, value, where, listed: [..]}], "attachments": [..]}. New reference. */
json_t *phish_report_json(const struct phish_report *r);

/* Each indicator found (listed_only: only those on an intel list). */
typedef enum cg_err (*phish_item_fn)(void *ctx, const struct ioc *ioc, const char *where, int listed);
enum cg_err phish_report_foreach(const struct phish_report *r, int listed_only, phish_item_fn fn,
				 void *ctx) CG_MUST_CHECK;
const char *phish_report_subject(const struct phish_report *r);

#endif
