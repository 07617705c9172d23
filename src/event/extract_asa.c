/* Cisco ASA (and FTD) syslog messages "%ASA-<severity>-<id>: text" → the
 * key fields of the common message IDs, read as the Cisco Secure Firewall
 * ASA Series Syslog Messages guide writes them:
 *
 *   302013/302015  Built {inbound|outbound} {TCP|UDP} connection ID for
 *                  IF:IP/PORT (IP/PORT) to IF:IP/PORT (IP/PORT)
 *                  (outbound: the initiator is the "to" side)
 *   302014/302016  Teardown {TCP|UDP} connection ID for IF:IP/PORT to
 *                  IF:IP/PORT duration H:MM:SS bytes N [reason]
 *   106001 106006 106007 106014 106015 106023 710003  denies
 *                  ("from|src [IF:]IP[/PORT] to|dst [IF:]IP[/PORT]", 106023
 *                  also 'by access-group "ACL"')
 *   106100         access-list ACL {permitted|denied|est-allowed} PROTO
 *                  IF/IP(PORT) -> IF/IP(PORT) hit-cnt N ...
 *   605004/605005  Login {denied|permitted} from IP/PORT to IF:IP/SERVICE
 *                  for user "USER"
 *   113004/113005  AAA user ... Successful/Rejected : ... User = USER
 *                  [: user IP = IP]
 *
 * Fields: message_id, src_ip, src_port, dst_ip, dst_port, src_interface,
 * dst_interface, proto, action (built, teardown, deny, permit), outcome
 * (605004/5, 113004/5), user, connection_id, duration, bytes, reason, acl,
 * service (605004/5). Other IDs add message_id only. The severity digit is
 * the event's severity when the syslog header had no PRI. */
#include <string.h>

#include "cg_event_int.h"
#include "event_extract.h"

struct str {
	const char *p;
	size_t n;
};

struct ep {
	struct str ifc, ip, port;
};

static struct str sub(const char *a, const char *b)
{
	struct str s = {a, (size_t)(b - a)};
	return s;
}

static enum cg_err add(struct cg_event *ev, const char *name, struct str v)
{
	return v.n ? cg_extract_add(ev, name, v.p, v.n) : CG_OK;
}

static int is_digits(struct str s)
{
	if (!s.n)
		return 0;
	for (size_t i = 0; i < s.n; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return 0;
	return 1;
}

/* End of an endpoint starting at p: the first of the words that follow one. */
static const char *ep_end(const char *p, const char *e)
{
	static const char *const stops[] = {" (", " to ", " dst ", " duration ", " flags ", " on ", " by ",
					    " for ", " hit-cnt", ";", ",", " with ", " due ", " [", " type "};
	const char *best = e;
	for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++) {
		const char *q = cg_extract_find(p, (size_t)(best - p), stops[i]);
		if (q && q < best)
			best = q;
	}
	return best;
}

/* "[IF:]IP[/PORT]" (the interface may hold spaces, the address colons). */
static int parse_ep(const char *p, const char *e, struct ep *o)
{
	memset(o, 0, sizeof *o);
	const char *slash = NULL;
	for (const char *q = e; q-- > p;)
		if (*q == '/') {
			slash = q;
			break;
		}
	const char *ae = slash ? slash : e;
	if (slash) {
		o->port = sub(slash + 1, e);
	}
	if (cg_extract_is_ip(p, (size_t)(ae - p))) {
		o->ip = sub(p, ae);
		return 1;
	}
	for (const char *q = p; q < ae; q++) {
		if (*q != ':')
			continue;
		if (cg_extract_is_ip(q + 1, (size_t)(ae - q - 1))) {
			o->ifc = sub(p, q);
			o->ip = sub(q + 1, ae);
			return 1;
		}
	}
	return 0;
}

/* The endpoint after the first of the keywords (" from ", " src ", ...). */
static int ep_after(const char *s, const char *e, const char *const *kw, size_t nkw, struct ep *o,
		    const char **next)
{
	const char *best = NULL;
	size_t bl = 0;
	for (size_t i = 0; i < nkw; i++) {
		const char *q = cg_extract_find(s, (size_t)(e - s), kw[i]);
		if (q && (!best || q < best)) {
			best = q;
			bl = strlen(kw[i]);
		}
	}
	if (!best)
		return 0;
	const char *p = best + bl;
	const char *end = ep_end(p, e);
	if (next)
		*next = end;
	return parse_ep(p, end, o);
}

static enum cg_err add_ep(struct cg_event *ev, const char *side, const struct ep *x)
{
	enum cg_err rc;
	char name[16];
	memcpy(name, side, 4); /* "src_" / "dst_" */
	memcpy(name + 4, "ip", 3);
	if ((rc = add(ev, name, x->ip)))
		return rc;
	if (is_digits(x->port) && x->port.n <= 5) {
		memcpy(name + 4, "port", 5);
		if ((rc = add(ev, name, x->port)))
			return rc;
	}
	memcpy(name + 4, "interface", 10);
	return add(ev, name, x->ifc);
}

static struct str word_at(const char *p, const char *e)
{
	const char *q = p;
	while (q < e && *q != ' ')
		q++;
	return sub(p, q);
}

static int ieq(struct str s, const char *lit)
{
	size_t k = strlen(lit);
	if (s.n != k)
		return 0;
	for (size_t i = 0; i < k; i++)
		if (cg_event_fold((unsigned char)s.p[i]) != (unsigned char)lit[i])
			return 0;
	return 1;
}

/* The protocol named among the first words ("Deny tcp src", "Deny inbound
 * UDP from", "Inbound TCP connection", "Deny protocol 47 src"). */
static struct str first_proto(const char *s, const char *e)
{
	static const char *const protos[] = {"tcp", "udp", "icmp", "icmp6", "gre", "esp", "ah", "sctp", "ip"};
	const char *p = s;
	for (int w = 0; w < 4 && p < e; w++) {
		struct str t = word_at(p, e);
		if (ieq(t, "protocol") && t.p + t.n < e) {
			struct str num = word_at(t.p + t.n + 1, e);
			if (is_digits(num))
				return num;
		}
		for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++)
			if (ieq(t, protos[i]))
				return t;
		p = t.p + t.n + 1;
	}
	struct str none = {NULL, 0};
	return none;
}

/* The text after `lit` up to the first of `stop` characters or the end. */
static struct str after(const char *s, const char *e, const char *lit, const char *stop)
{
	struct str r = {NULL, 0};
	const char *q = cg_extract_find(s, (size_t)(e - s), lit);
	if (!q)
		return r;
	q += strlen(lit);
	const char *z = q;
	while (z < e && !strchr(stop, *z))
		z++;
	while (z > q && z[-1] == ' ')
		z--;
	return sub(q, z);
}

static enum cg_err conn(struct cg_event *ev, const char *s, const char *e, int built)
{
	enum cg_err rc;
	static const char *const kfor[] = {" for "}, *const kto[] = {" to "};
	struct ep a, b;
	const char *next = e;
	int outbound = built && cg_extract_prefix(s, (size_t)(e - s), "Built outbound ");
	struct str proto = first_proto(s, e);
	struct str id = after(s, e, " connection ", " ");
	if (!ep_after(s, e, kfor, 1, &a, &next))
		return CG_OK;
	if (!ep_after(next, e, kto, 1, &b, &next))
		memset(&b, 0, sizeof b);
	if ((rc = add(ev, "proto", proto)) || (rc = add(ev, "connection_id", is_digits(id) ? id : (struct str){0})))
		return rc;
	if ((rc = add_ep(ev, "src_", outbound ? &b : &a)) || (rc = add_ep(ev, "dst_", outbound ? &a : &b)))
		return rc;
	if (!built) {
		struct str dur = after(next, e, " duration ", " ");
		struct str bytes = after(next, e, " bytes ", " ");
		if ((rc = add(ev, "duration", dur)) || (rc = add(ev, "bytes", is_digits(bytes) ? bytes : (struct str){0})))
			return rc;
		if (bytes.n) {
			const char *r = bytes.p + bytes.n;
			while (r < e && *r == ' ')
				r++;
			const char *z = e;
			while (z > r && z[-1] == ' ')
				z--;
			if (z > r && (rc = add(ev, "reason", sub(r, z))))
				return rc;
		}
	}
	return cg_extract_add(ev, "action", built ? "built" : "teardown", built ? 5 : 8);
}

static enum cg_err deny(struct cg_event *ev, const char *s, const char *e)
{
	enum cg_err rc;
	static const char *const ksrc[] = {" from ", " src "}, *const kdst[] = {" to ", " dst "};
	struct ep a, b;
	const char *next = e;
	if ((rc = add(ev, "proto", first_proto(s, e))))
		return rc;
	if (ep_after(s, e, ksrc, 2, &a, &next)) {
		if ((rc = add_ep(ev, "src_", &a)))
			return rc;
		if (ep_after(next, e, kdst, 2, &b, NULL) && (rc = add_ep(ev, "dst_", &b)))
			return rc;
	}
	struct str acl = after(s, e, "by access-group \"", "\"");
	if ((rc = add(ev, "acl", acl)))
		return rc;
	return cg_extract_add(ev, "action", "deny", 4);
}

/* 106100: access-list ACL permitted tcp inside/10.1.1.1(1234) -> outside/10.2.2.2(80) hit-cnt 1 ... */
static int ep100(const char *p, const char *e, struct ep *o)
{
	memset(o, 0, sizeof *o);
	const char *sl = memchr(p, '/', (size_t)(e - p));
	const char *lp = sl ? memchr(sl, '(', (size_t)(e - sl)) : NULL;
	const char *rp = lp ? memchr(lp, ')', (size_t)(e - lp)) : NULL;
	if (!rp || !cg_extract_is_ip(sl + 1, (size_t)(lp - sl - 1)))
		return 0;
	o->ifc = sub(p, sl);
	o->ip = sub(sl + 1, lp);
	o->port = sub(lp + 1, rp);
	return 1;
}

static enum cg_err acl100(struct cg_event *ev, const char *s, const char *e)
{
	enum cg_err rc;
	if (!cg_extract_prefix(s, (size_t)(e - s), "access-list "))
		return CG_OK;
	struct str acl = word_at(s + 12, e);
	const char *p = acl.p + acl.n + (acl.p + acl.n < e);
	struct str verdict = word_at(p, e);
	p = verdict.p + verdict.n + (verdict.p + verdict.n < e);
	struct str proto = word_at(p, e);
	p = proto.p + proto.n + (proto.p + proto.n < e);
	const char *arrow = cg_extract_find(p, (size_t)(e - p), " -> ");
	if ((rc = add(ev, "acl", acl)) || (rc = add(ev, "proto", proto)))
		return rc;
	if (arrow) {
		struct ep a, b;
		const char *bs = arrow + 4, *be = bs;
		while (be < e && *be != ' ')
			be++;
		if (ep100(p, arrow, &a) && (rc = add_ep(ev, "src_", &a)))
			return rc;
		if (ep100(bs, be, &b) && (rc = add_ep(ev, "dst_", &b)))
			return rc;
	}
	const char *act = ieq(verdict, "denied") ? "deny" : (ieq(verdict, "permitted") || ieq(verdict, "est-allowed")) ? "permit" : NULL;
	return act ? cg_extract_add(ev, "action", act, strlen(act)) : CG_OK;
}

static enum cg_err login(struct cg_event *ev, const char *s, const char *e, int ok)
{
	enum cg_err rc;
	static const char *const kfrom[] = {" from "}, *const kto[] = {" to "};
	struct ep a, b;
	const char *next = e;
	if (ep_after(s, e, kfrom, 1, &a, &next)) {
		if ((rc = add_ep(ev, "src_", &a)))
			return rc;
		if (ep_after(next, e, kto, 1, &b, NULL)) {
			if ((rc = add_ep(ev, "dst_", &b)))
				return rc;
			if (!is_digits(b.port) && (rc = add(ev, "service", b.port)))
				return rc;
		}
	}
	if ((rc = add(ev, "user", after(s, e, "for user \"", "\""))))
		return rc;
	return cg_extract_add(ev, "outcome", ok ? "success" : "failure", ok ? 7 : 7);
}

static enum cg_err aaa(struct cg_event *ev, const char *s, const char *e, int ok)
{
	enum cg_err rc;
	struct str user = after(s, e, "User = ", ":,");
	struct str ip = after(s, e, "user IP = ", " ,:");
	struct str server = after(s, e, "server = ", " ,:");
	if ((rc = add(ev, "user", user)))
		return rc;
	if (cg_extract_is_ip(ip.p, ip.n) && (rc = add(ev, "src_ip", ip)))
		return rc;
	if (cg_extract_is_ip(server.p, server.n) && (rc = add(ev, "server", server)))
		return rc;
	return cg_extract_add(ev, "outcome", ok ? "success" : "failure", 7);
}

enum cg_err cg_extract_asa(struct cg_event *ev, const char *tag, size_t tn, const char *msg, size_t n)
{
	enum cg_err rc;
	const char *body = msg, *e = msg + n;

	if (!tn) {
		/* "%ASA-6-302013: text" */
		const char *c = memchr(msg, ':', n);
		const char *sp = memchr(msg, ' ', n);
		if (c && sp && sp < c)
			c = NULL; /* "%ASA-4-401004 Shunned ..." (no colon) */
		tag = msg;
		tn = c ? (size_t)(c - msg) : sp ? (size_t)(sp - msg) : n;
		body = msg + tn + (c != NULL);
	}
	while (body < e && *body == ' ')
		body++;
	/* "%ASA-6-302013": five letters, severity digit, '-', six digits. */
	if (tn < 13 || tag[6] != '-' || tag[5] < '0' || tag[5] > '7')
		return CG_OK;
	struct str id = sub(tag + 7, tag + tn);
	if (!is_digits(id) || id.n != 6)
		return CG_OK;
	if (cg_event_severity(ev) < 0)
		cg_event_set_severity(ev, tag[5] - '0', -1);
	if ((rc = add(ev, "message_id", id)))
		return rc;
	unsigned long num = 0;
	for (size_t i = 0; i < 6; i++)
		num = num * 10 + (unsigned long)(id.p[i] - '0');
	switch (num) {
	case 302013:
	case 302015:
		return conn(ev, body, e, 1);
	case 302014:
	case 302016:
		return conn(ev, body, e, 0);
	case 106001:
	case 106006:
	case 106007:
	case 106014:
	case 106015:
	case 106023:
	case 710003:
		return deny(ev, body, e);
	case 106100:
		return acl100(ev, body, e);
	case 605004:
	case 605005:
		return login(ev, body, e, num == 605005);
	case 113004:
	case 113005:
		return aaa(ev, body, e, num == 113004);
	default:
		return CG_OK;
	}
}
