/* CEF (bare, or the message of a syslog line) → the header as
 * cef_version, cef_device_vendor, cef_device_product, cef_device_version,
 * cef_signature_id, cef_event_name, cef_severity (the names CrowdSec's cef-logs
 * parser gives them), every extension key as written (src, dst, spt, dpt,
 * act, suser, duser, request, ..., vendor keys such as FTNTFGTlogid), and
 * the normalized src_ip, dst_ip, src_port, dst_port, action, user, url,
 * http_method, user_agent (CEF "proto" and "outcome" are already theirs). */
#include <stdlib.h>
#include <string.h>

#include "cef_parse.h"
#include "cg_i18n.h"
#include "event_extract.h"

static const char *const hdr_names[CEF_HEADER_FIELDS] = {
	"cef_version", "cef_device_vendor", "cef_device_product", "cef_device_version",
	"cef_signature_id", "cef_event_name", "cef_severity",
};

/* CEF key → normalized name (ArcSight dictionary: src sourceAddress, dst
 * destinationAddress, spt sourcePort, dpt destinationPort, act
 * deviceAction, suser sourceUserName, duser destinationUserName, request
 * requestUrl, requestMethod, requestClientApplication). */
static const struct {
	const char *key, *name;
} norm[] = {
	{"src", "src_ip"}, {"sourceAddress", "src_ip"}, {"dst", "dst_ip"}, {"destinationAddress", "dst_ip"},
	{"spt", "src_port"}, {"sourcePort", "src_port"}, {"dpt", "dst_port"}, {"destinationPort", "dst_port"},
	{"act", "action"}, {"deviceAction", "action"}, {"suser", "user"}, {"sourceUserName", "user"},
	{"duser", "user"}, {"destinationUserName", "user"}, {"request", "url"}, {"requestUrl", "url"},
	{"requestMethod", "http_method"}, {"requestClientApplication", "user_agent"},
};

struct cef_ctx {
	struct cg_event *ev;
	enum cg_err rc;
	int have_user;
};

static int on_pair(void *ud, const char *key, size_t kn, const char *val, size_t vn)
{
	struct cef_ctx *c = ud;
	if ((c->rc = cg_event_add(c->ev, key, kn, val, vn)))
		return 1;
	for (size_t i = 0; i < sizeof norm / sizeof norm[0]; i++) {
		if (strlen(norm[i].key) != kn || memcmp(norm[i].key, key, kn))
			continue;
		const char *name = norm[i].name;
		if (!strcmp(name, "user")) {
			/* The first user named (suser is written before duser). */
			if (c->have_user || !vn)
				return 0;
			c->have_user = 1;
		}
		if ((name[0] == 's' || name[0] == 'd') && !strcmp(name + 4, "ip") && !cg_extract_is_ip(val, vn))
			return 0;
		c->rc = cg_extract_add(c->ev, name, val, vn);
		return c->rc != CG_OK;
	}
	return 0;
}

enum cg_err cg_extract_cef(struct cg_event *ev, const char *msg, size_t n)
{
	struct cef_msg m;
	char stack[4096], *scratch = stack;
	enum cg_err rc = CG_OK;

	if (cef_parse(msg, n, &m) != CG_OK) {
		cg_err_clear();
		return CG_OK;
	}
	if (n > sizeof stack && !(scratch = malloc(n)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	for (int f = 0; f < CEF_HEADER_FIELDS && !rc; f++) {
		size_t k = cef_unescape_header(m.hdr[f], scratch);
		rc = cg_extract_add(ev, hdr_names[f], scratch, k);
	}
	if (!rc) {
		struct cef_ctx c = {ev, CG_OK, 0};
		cef_ext_foreach(m.ext, scratch, on_pair, &c);
		rc = c.rc;
	}
	if (scratch != stack)
		free(scratch);
	return rc;
}
