/* Choosing the extractor for a message, and the helpers the extractors
 * share (see event_normalize.h, event_extract.h). */
#include <string.h>

#include "event_extract.h"
#include "event_normalize.h"
#include "ioc.h"

enum cg_err cg_extract_add(struct cg_event *ev, const char *name, const char *v, size_t n)
{
	return cg_event_add(ev, name, strlen(name), v, n);
}

int cg_extract_is_ip(const char *s, size_t n)
{
	uint8_t a[16];
	if (n < 2 || n > 45)
		return 0;
	return memchr(s, ':', n) ? ioc_parse_ipv6(s, n, a) : ioc_parse_ipv4(s, n, a);
}

int cg_extract_is_port(const char *s, size_t n)
{
	if (n < 1 || n > 5)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int cg_extract_prefix(const char *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	return n >= k && memcmp(s, lit, k) == 0;
}

const char *cg_extract_find(const char *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	if (!k || n < k)
		return NULL;
	const char *end = s + n - k;
	for (const char *p = s; p <= end; p++) {
		p = memchr(p, lit[0], (size_t)(end - p) + 1);
		if (!p)
			return NULL;
		if (memcmp(p, lit, k) == 0)
			return p;
	}
	return NULL;
}

static int app_is(const char *app, size_t n, const char *lit)
{
	return n == strlen(lit) && memcmp(app, lit, n) == 0;
}

/* "[dd/Mon/yyyy:" after the first few tokens: the common log format. */
static int looks_access(const char *s, size_t n)
{
	size_t lim = n < 320 ? n : 320;
	const char *b = memchr(s, '[', lim);
	if (!b || b == s || b[-1] != ' ')
		return 0;
	size_t r = (size_t)(s + n - b);
	if (r < 30 || !(b[1] >= '0' && b[1] <= '9') || b[3] != '/' || b[7] != '/' || b[12] != ':')
		return 0;
	const char *e = memchr(b, ']', r);
	return e && (size_t)(s + n - e) > 3 && e[1] == ' ' && e[2] == '"';
}

static int looks_fortigate(const char *s, size_t n)
{
	/* FortiOS key=value logs begin with date= (some forwarders keep the
	 * devname/logid first) and always carry logid=. */
	if (!(cg_extract_prefix(s, n, "date=") || cg_extract_prefix(s, n, "devname=") ||
	      cg_extract_prefix(s, n, "logver=") || cg_extract_prefix(s, n, "logid=")))
		return 0;
	return cg_extract_find(s, n < 400 ? n : 400, "logid=") != NULL;
}

static int looks_cef(const char *s, size_t n)
{
	if (cg_extract_prefix(s, n, "CEF:"))
		return 1;
	/* "0|Vendor|..." as some devices send it after a "CEF:" TAG was cut. */
	return n > 2 && s[0] >= '0' && s[0] <= '9' && s[1] == '|';
}

static int is_asa_tag(const char *s, size_t n)
{
	return cg_extract_prefix(s, n, "%ASA-") || cg_extract_prefix(s, n, "%FTD-");
}

enum cg_event_source cg_event_source_of(const char *app, size_t app_n, const char *msg, size_t n)
{
	if (app_n) {
		switch (app[0]) {
		case 's':
			if (app_is(app, app_n, "sshd") || app_is(app, app_n, "sshd-session") ||
			    app_is(app, app_n, "sshd-auth") || app_is(app, app_n, "sshd(pam_unix)"))
				return CG_EVENT_SRC_SSHD;
			break;
		case 'k':
			if (app_is(app, app_n, "kernel") && cg_extract_find(msg, n, "SRC="))
				return CG_EVENT_SRC_NETFILTER;
			return CG_EVENT_SRC_NONE;
		case 'C':
			if (app_is(app, app_n, "CEF"))
				return CG_EVENT_SRC_CEF;
			break;
		case '%':
			if (is_asa_tag(app, app_n))
				return CG_EVENT_SRC_ASA;
			break;
		default:
			break;
		}
	}
	if (!n)
		return CG_EVENT_SRC_NONE;
	switch (msg[0]) {
	case 'C':
		if (cg_extract_prefix(msg, n, "CEF:"))
			return CG_EVENT_SRC_CEF;
		break;
	case '%':
		if (is_asa_tag(msg, n))
			return CG_EVENT_SRC_ASA;
		return CG_EVENT_SRC_NONE;
	case 'd':
	case 'l':
		if (looks_fortigate(msg, n))
			return CG_EVENT_SRC_FORTIGATE;
		break;
	default:
		break;
	}
	if (looks_cef(msg, n))
		return CG_EVENT_SRC_CEF;
	if (looks_access(msg, n))
		return CG_EVENT_SRC_ACCESS;
	/* Netfilter lines outside a kernel TAG (Proxmox firewall logs,
	 * journal exports): " SRC=" then " DST=". */
	const char *src = cg_extract_find(msg, n < 512 ? n : 512, " SRC=");
	if (src && cg_extract_find(src, (size_t)(msg + n - src), " DST="))
		return CG_EVENT_SRC_NETFILTER;
	return CG_EVENT_SRC_NONE;
}

const char *cg_event_source_name(enum cg_event_source s)
{
	switch (s) {
	case CG_EVENT_SRC_SSHD: return "sshd";
	case CG_EVENT_SRC_NETFILTER: return "netfilter";
	case CG_EVENT_SRC_ACCESS: return "access";
	case CG_EVENT_SRC_CEF: return "cef";
	case CG_EVENT_SRC_FORTIGATE: return "fortigate";
	case CG_EVENT_SRC_ASA: return "asa";
	default: return "";
	}
}

enum cg_err cg_event_extract(struct cg_event *ev, enum cg_event_source src, const char *app, size_t app_n,
			     const char *msg, size_t n)
{
	switch (src) {
	case CG_EVENT_SRC_SSHD: return cg_extract_sshd(ev, msg, n);
	case CG_EVENT_SRC_NETFILTER: return cg_extract_netfilter(ev, msg, n);
	case CG_EVENT_SRC_ACCESS: return cg_extract_access(ev, msg, n);
	case CG_EVENT_SRC_CEF: return cg_extract_cef(ev, msg, n);
	case CG_EVENT_SRC_FORTIGATE: return cg_extract_fortigate(ev, msg, n);
	case CG_EVENT_SRC_ASA:
		if (app_n && is_asa_tag(app, app_n))
			return cg_extract_asa(ev, app, app_n, msg, n);
		return cg_extract_asa(ev, NULL, 0, msg, n);
	default: return CG_OK;
	}
}
