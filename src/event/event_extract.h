/* The field extractors behind cg_event_extract (event_normalize.h), one per
 * source, each in its own file. Each reads msg[0..n) (borrowed, never the
 * event's own memory, which adding fields may move) and adds the fields it
 * recognises; text it does not recognise adds nothing. They fail only when
 * memory runs out. Also called directly by their fuzz targets and tests. */
#ifndef EVENT_EXTRACT_H
#define EVENT_EXTRACT_H

#include <stddef.h>

#include "cg_err.h"
#include "cg_event.h"

enum cg_err cg_extract_sshd(struct cg_event *ev, const char *msg, size_t n) CG_MUST_CHECK;
enum cg_err cg_extract_netfilter(struct cg_event *ev, const char *msg, size_t n) CG_MUST_CHECK;
enum cg_err cg_extract_access(struct cg_event *ev, const char *msg, size_t n) CG_MUST_CHECK;
/* msg: "CEF:0|..." (spaces after the colon allowed) or, when the syslog TAG
 * was "CEF", the rest "0|...". */
enum cg_err cg_extract_cef(struct cg_event *ev, const char *msg, size_t n) CG_MUST_CHECK;
enum cg_err cg_extract_fortigate(struct cg_event *ev, const char *msg, size_t n) CG_MUST_CHECK;
/* tag: "%ASA-6-302013" when the syslog reader took it as the TAG (then msg
 * is the text after it), else tn 0 and msg starts with "%ASA-". */
enum cg_err cg_extract_asa(struct cg_event *ev, const char *tag, size_t tn, const char *msg, size_t n) CG_MUST_CHECK;

/* ---- helpers shared by the extractors (event_extract.c) ---- */
enum cg_err cg_extract_add(struct cg_event *ev, const char *name, const char *v, size_t n) CG_MUST_CHECK;
/* An IPv4 or IPv6 address (syntax only, as the hunt's tokens). */
int cg_extract_is_ip(const char *s, size_t n);
/* 1..5 decimal digits. */
int cg_extract_is_port(const char *s, size_t n);
/* Does s[0..n) start with the NUL-terminated `lit`? */
int cg_extract_prefix(const char *s, size_t n, const char *lit);
/* Position of `lit` in s[0..n), or NULL. */
const char *cg_extract_find(const char *s, size_t n, const char *lit);

#endif
