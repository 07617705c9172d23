#include "cg_err.h"

#include <stdio.h>
#include <string.h>

#include "cg_i18n.h"

static _Thread_local char err_detail[1024];

const char *cg_strerror(enum cg_err code)
{
	switch (code) {
	case CG_OK: return _("success");
	case CG_ENOMEM: return _("out of memory");
	case CG_EINVAL: return _("invalid argument");
	case CG_EPARSE: return _("malformed input");
	case CG_ELIMIT: return _("input exceeds a limit");
	case CG_EIO: return _("input/output error");
	case CG_ENOTFOUND: return _("not found");
	case CG_EEXIST: return _("already exists");
	case CG_EDB: return _("database error");
	case CG_EUNSUPPORTED: return _("not supported");
	case CG_EINTERNAL: return _("internal error");
	case CG_ERR_COUNT: break;
	}
	return _("unknown error");
}

enum cg_err cg_err_setv(enum cg_err code, const char *fmt, va_list ap)
{
	vsnprintf(err_detail, sizeof err_detail, fmt, ap);
	return code;
}

enum cg_err(cg_err_set)(enum cg_err code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cg_err_setv(code, fmt, ap);
	va_end(ap);
	return code;
}

enum cg_err cg_err_prefix(enum cg_err code, const char *fmt, ...)
{
	char prefix[512];
	char old[sizeof err_detail];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	if (err_detail[0] == '\0')
		snprintf(old, sizeof old, "%s", cg_strerror(code));
	else
		memcpy(old, err_detail, sizeof old);
	/* Truncation of a long message is acceptable; the start says where. */
	if (snprintf(err_detail, sizeof err_detail, "%s: %s", prefix, old) < 0)
		err_detail[0] = '\0';
	return code;
}

const char *cg_err_msg(enum cg_err code)
{
	return err_detail[0] ? err_detail : cg_strerror(code);
}

void cg_err_clear(void)
{
	err_detail[0] = '\0';
}
