/* event_normalize — one raw message (a syslog frame or line, a JSON object,
 * a bare CEF record) into one normalized cg_event, with the fields of the
 * common sources added by one extractor chosen per message:
 *
 *   sshd        user, src_ip, src_port, outcome (success|failure), method
 *               ("password", "publickey", "keyboard-interactive/pam",
 *               "invalid user", "pam", ...)
 *   netfilter   iptables/UFW kernel lines: every KEY=VALUE as written (IN,
 *               OUT, MAC, SRC, DST, LEN, PROTO, SPT, DPT, ...), src_ip,
 *               dst_ip, src_port, dst_port, action (UFW tag or the DROP /
 *               REJECT / ACCEPT word of the log prefix), log_prefix
 *   access      Apache/nginx access logs (common, combined, with a leading
 *               virtual host): src_ip (or src_host), user, http_method, url,
 *               http_version, status, bytes, referer, user_agent, vhost;
 *               the request time becomes the event time when the message
 *               had none
 *   cef         cef_version, cef_device_vendor, cef_device_product,
 *               cef_device_version, cef_signature_id, cef_event_name,
 *               cef_severity, every extension key as written (src, dst, spt,
 *               dpt, act, suser, ...), src_ip, dst_ip, src_port, dst_port,
 *               action, user, url, http_method, user_agent
 *   fortigate   every key=value as written (srcip, dstip, srcport, dstport,
 *               action, user, logid, type, subtype, ...), src_ip, dst_ip,
 *               src_port, dst_port, outcome (from action/status)
 *   asa         Cisco ASA/FTD %ASA-n-NNNNNN: message_id, src_ip, src_port,
 *               dst_ip, dst_port, src_interface, dst_interface, proto,
 *               action (built, teardown, deny, permit, ...), outcome, user,
 *               connection_id, duration, bytes, reason, acl
 *
 * Field names compare ignoring ASCII case (cg_event_get): where a source's
 * own name is the normalized one (iptables PROTO, CEF proto, FortiGate
 * action and user) it is added once. Values are the source's bytes: text
 * that is not UTF-8 is kept as it came and escaped only on output (cg_esc,
 * JSON). Caps: cg_event_add's (CG_EVENT_MAX_FIELDS, CG_EVENT_MAX_BYTES);
 * past them the event is marked truncated, never dropped.
 *
 * The choice of extractor is cheap: the syslog APP-NAME/TAG first ("sshd",
 * "kernel", "CEF", "%ASA-..."), then a few prefix checks on the message;
 * no extractor is tried on a message another one claimed, and nothing is
 * allocated per message beyond the event's own reused memory. */
#ifndef EVENT_NORMALIZE_H
#define EVENT_NORMALIZE_H

#include <stddef.h>

#include "cg_err.h"
#include "cg_event.h"

/* Same values as collect's enum collect_format. */
enum cg_event_msg_format {
	CG_EVENT_MSG_AUTO = 0, /* '{' JSON, "CEF:" bare CEF, else syslog/text line */
	CG_EVENT_MSG_SYSLOG,
	CG_EVENT_MSG_JSON,
	CG_EVENT_MSG_CEF,
};

/* One message msg[0..n) (not NUL-terminated; a trailing CR/LF is dropped)
 * → `ev` (reset first; its received time and default offset are kept).
 * SYSLOG is cg_event_from_line (RFC 5424/3164, auditd, other text lines,
 * with the extractors); JSON is cg_event_from_json on one object (a flat
 * object carrying a syslog "message" and "program"/"programname"/"app_name"
 * goes through the extractors too); CEF is a bare CEF record (its Device
 * Product is the program, Device Vendor the provider, dvchost the host, rt
 * or start the event time). CG_EPARSE for JSON that is not one object or CEF
 * without its header, CG_ELIMIT past the line cap (64 KiB; 1 MiB for JSON). */
enum cg_err cg_event_from_message(const char *msg, size_t n, enum cg_event_msg_format f,
				  struct cg_event *ev) CG_MUST_CHECK;

enum cg_event_source {
	CG_EVENT_SRC_NONE = 0,
	CG_EVENT_SRC_SSHD,
	CG_EVENT_SRC_NETFILTER,
	CG_EVENT_SRC_ACCESS,
	CG_EVENT_SRC_CEF,
	CG_EVENT_SRC_FORTIGATE,
	CG_EVENT_SRC_ASA,
};

/* The extractor for a message with syslog APP-NAME/TAG app[0..app_n)
 * (app_n 0: none, a bare line) and text msg[0..n). Pure. */
enum cg_event_source cg_event_source_of(const char *app, size_t app_n, const char *msg, size_t n);
/* "sshd", "netfilter", "access", "cef", "fortigate", "asa", "" for none. */
const char *cg_event_source_name(enum cg_event_source s);

/* Add the fields of source `src` read from msg[0..n) (borrowed; it must not
 * point into the event). Unrecognised text adds nothing; fails only when
 * memory runs out. */
enum cg_err cg_event_extract(struct cg_event *ev, enum cg_event_source src, const char *app, size_t app_n,
			     const char *msg, size_t n) CG_MUST_CHECK;

#endif
