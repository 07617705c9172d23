/* cef_parse — ArcSight Common Event Format records, read as "Implementing
 * ArcSight CEF" describes them:
 *
 *   CEF:Version|Device Vendor|Device Product|Device Version|Signature ID|Name|Severity|Extension
 *
 * Seven header fields separated by '|', in which "\|" is a literal pipe
 * and "\\" a backslash; then the extension: key=value pairs separated by
 * spaces, where a value may itself contain spaces (it ends where the next
 * " key=" begins), and "\=" is '=', "\\" '\', "\n" and "\r" line breaks.
 * A '=' that is not escaped and not preceded by a key (letters, digits,
 * '_', '.', '-', '[', ']', after a space) belongs to the value, as real
 * devices write unescaped URLs. Pure: spans borrow the input. */
#ifndef CEF_PARSE_H
#define CEF_PARSE_H

#include <stddef.h>

#include "cg_err.h"

#define CEF_HEADER_FIELDS 7

struct cef_span {
	const char *p;
	size_t n;
};

struct cef_msg {
	struct cef_span hdr[CEF_HEADER_FIELDS]; /* as written (still escaped) */
	struct cef_span ext;                    /* the extension as written */
};

/* s: "CEF:" (spaces after the colon allowed) then the header, or the header
 * alone ("0|Vendor|..."). CG_EPARSE when there are fewer than seven fields. */
enum cg_err cef_parse(const char *s, size_t n, struct cef_msg *out) CG_MUST_CHECK;

/* Unescape a header field into out (room: in.n bytes); returns its length. */
size_t cef_unescape_header(struct cef_span in, char *out);

/* One extension pair; key and value borrowed until the callback returns
 * (the value unescaped). Non-zero stops the walk. */
typedef int (*cef_ext_cb)(void *ud, const char *key, size_t kn, const char *val, size_t vn);
/* Walk the pairs of an extension; `scratch` must hold ext.n bytes. */
void cef_ext_foreach(struct cef_span ext, char *scratch, cef_ext_cb cb, void *ud);

#endif
