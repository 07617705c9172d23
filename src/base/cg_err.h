/* cg_err — the project-wide result code and the detail message of the last error.
 *
 * Every canhgac function that can fail returns enum cg_err. CG_OK is 0, so
 * `if (rc) goto fail;` reads naturally. The detail ("feodo.csv:17: field 2: ...")
 * lives in a thread-local buffer set by cg_err_set(); the code tells what kind of
 * failure it is, the message tells where. */
#ifndef CG_ERR_H
#define CG_ERR_H

#include <stdarg.h>

#define CG_MUST_CHECK __attribute__((warn_unused_result))
#define CG_PRINTF(a, b) __attribute__((format(printf, a, b)))

enum cg_err {
	CG_OK = 0,
	CG_ENOMEM,       /* out of memory */
	CG_EINVAL,       /* bad argument or bad input value */
	CG_EPARSE,       /* input does not follow its format */
	CG_ELIMIT,       /* input exceeds a cap (line length, size, count) */
	CG_EIO,          /* read/write/open failed */
	CG_ENOTFOUND,    /* named thing does not exist */
	CG_EEXIST,       /* named thing already exists */
	CG_EDB,          /* storage failure */
	CG_EUNSUPPORTED, /* valid but not supported (format, feature) */
	CG_EINTERNAL,    /* a library we call failed unexpectedly */
	CG_ERR_COUNT
};

/* Short, translated description of a code; never NULL. */
const char *cg_strerror(enum cg_err code);

/* Record a detail message for the calling thread and return `code`, so callers
 * write `return cg_err_set(CG_EPARSE, "%s:%zu: ...", file, line);`. */
enum cg_err cg_err_set(enum cg_err code, const char *fmt, ...) CG_PRINTF(2, 3);
/* The macro makes the returned code visible to the compiler at each call, so
 * optimisers see that an error path really returns an error (no false
 * "may be used uninitialized" on the success path). */
#define cg_err_set(code, ...) (cg_err_set((code), __VA_ARGS__), (code))
enum cg_err cg_err_setv(enum cg_err code, const char *fmt, va_list ap) CG_PRINTF(2, 0);

/* Prefix the current detail message with "prefix: " (e.g. a file name added by
 * a caller that knows it). Returns `code`. */
enum cg_err cg_err_prefix(enum cg_err code, const char *fmt, ...) CG_PRINTF(2, 3);

/* Detail message of the last error on this thread, or the code's description
 * if no detail was set since cg_err_clear(). Borrowed; valid until the next
 * cg_err_* call on this thread. */
const char *cg_err_msg(enum cg_err code);
void cg_err_clear(void);

#endif
