/* OpenSSH sshd messages → user, src_ip, src_port, outcome, method.
 *
 * The messages are OpenSSH's own (auth.c auth_log: "Accepted/Failed
 * METHOD for [invalid user ]USER from IP port PORT ssh2", "Invalid user
 * USER from IP port PORT", sshd.c/packet.c connection messages, pam_unix's
 * "authentication failure; ... rhost=IP user=USER"), as they appear in the
 * sample logs (../shared/data/logs/crowdsec-hub/sshd-logs.log, loghub
 * OpenSSH_2k.log, wazuh sshd.ini). A user name is what sshd printed: it may
 * be empty or contain spaces (it comes from the client), so it ends at the
 * last " from " that is followed by an address. */
#include <string.h>

#include "event_extract.h"

struct sshd_out {
	const char *user, *ip, *port, *method, *outcome;
	size_t user_n, ip_n, port_n, method_n;
};

static size_t tok_len(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] != ' ')
		i++;
	return i;
}

/* "IP[ port PORT]" at s: fills ip/port when the token is an address. */
static int ip_port(const char *s, size_t n, struct sshd_out *o)
{
	size_t k = tok_len(s, n);
	size_t ipn = k;
	if (ipn && s[ipn - 1] == ':' && !cg_extract_is_ip(s, ipn))
		ipn--;
	if (ipn && s[ipn - 1] == ',')
		ipn--;
	if (!cg_extract_is_ip(s, ipn))
		return 0;
	o->ip = s;
	o->ip_n = ipn;
	if (k < n && cg_extract_prefix(s + k, n - k, " port ")) {
		const char *p = s + k + 6;
		size_t pn = 0, rest = n - k - 6;
		while (pn < rest && p[pn] >= '0' && p[pn] <= '9')
			pn++;
		if (cg_extract_is_port(p, pn)) {
			o->port = p;
			o->port_n = pn;
		}
	}
	return 1;
}

/* "[invalid user |illegal user ]USER from IP[ port PORT]...". */
static void user_from(const char *s, size_t n, struct sshd_out *o, int *invalid)
{
	if (cg_extract_prefix(s, n, "invalid user ") || cg_extract_prefix(s, n, "illegal user ")) {
		*invalid = 1;
		s += 13;
		n -= 13;
	}
	const char *best = NULL;
	for (const char *p = s; (p = cg_extract_find(p, (size_t)(s + n - p), " from ")) != NULL; p++) {
		struct sshd_out t = {0};
		if (ip_port(p + 6, (size_t)(s + n - p - 6), &t))
			best = p;
	}
	if (!best) {
		/* "for USER" without an address (PAM messages with a host name). */
		return;
	}
	o->user = s;
	o->user_n = (size_t)(best - s);
	ip_port(best + 6, (size_t)(s + n - best - 6), o);
}

/* "[authenticating |invalid ]user USER IP port PORT" or "IP port PORT". */
static void user_ip(const char *s, size_t n, struct sshd_out *o, int *invalid)
{
	if (cg_extract_prefix(s, n, "authenticating user "))
		s += 20, n -= 20;
	else if (cg_extract_prefix(s, n, "invalid user "))
		s += 13, n -= 13, *invalid = 1;
	else if (cg_extract_prefix(s, n, "user "))
		s += 5, n -= 5;
	else {
		ip_port(s, n, o);
		return;
	}
	/* The user name ends at the last space before an address. */
	for (size_t i = n; i-- > 0;) {
		if (s[i] != ' ')
			continue;
		struct sshd_out t = {0};
		if (ip_port(s + i + 1, n - i - 1, &t)) {
			o->user = s;
			o->user_n = i;
			ip_port(s + i + 1, n - i - 1, o);
			return;
		}
	}
}

/* pam_unix's "key=value key=value" list. */
static void pam_pairs(const char *s, size_t n, struct sshd_out *o)
{
	size_t i = 0;
	while (i < n) {
		while (i < n && s[i] == ' ')
			i++;
		size_t k = i;
		while (i < n && s[i] != ' ')
			i++;
		const char *t = s + k;
		size_t tn = i - k;
		if (cg_extract_prefix(t, tn, "rhost=") && cg_extract_is_ip(t + 6, tn - 6)) {
			o->ip = t + 6;
			o->ip_n = tn - 6;
		} else if (cg_extract_prefix(t, tn, "user=") && tn > 5) {
			o->user = t + 5;
			o->user_n = tn - 5;
		}
	}
}

static void classify(const char *s, size_t n, struct sshd_out *o)
{
	int invalid = 0;
	/* Solaris prefixes "[ID 800047 auth.notice] ". */
	if (n > 4 && s[0] == '[' && cg_extract_prefix(s, n, "[ID ")) {
		const char *rb = memchr(s, ']', n);
		if (rb && rb + 1 < s + n && rb[1] == ' ') {
			n -= (size_t)(rb + 2 - s);
			s = rb + 2;
		}
	}
	/* "error: " / "fatal: " prefix the same texts. */
	if (cg_extract_prefix(s, n, "error: ") || cg_extract_prefix(s, n, "fatal: "))
		s += 7, n -= 7;

	if (cg_extract_prefix(s, n, "Accepted ") || cg_extract_prefix(s, n, "Failed ") ||
	    cg_extract_prefix(s, n, "Postponed ")) {
		size_t skip = s[0] == 'A' ? 9 : s[0] == 'F' ? 7 : 10;
		const char *m = s + skip;
		size_t mn = tok_len(m, n - skip);
		if (!cg_extract_prefix(m + mn, (size_t)(s + n - m - mn), " for "))
			return;
		o->method = m;
		o->method_n = mn;
		if (s[0] != 'P')
			o->outcome = s[0] == 'A' ? "success" : "failure";
		const char *r = m + mn + 5;
		user_from(r, (size_t)(s + n - r), o, &invalid);
		return;
	}
	if (cg_extract_prefix(s, n, "Invalid user ") || cg_extract_prefix(s, n, "Illegal user ")) {
		o->outcome = "failure";
		o->method = "invalid user";
		o->method_n = 12;
		user_from(s + 13, n - 13, o, &invalid);
		return;
	}
	static const char maxauth[] = "maximum authentication attempts exceeded for ";
	if (cg_extract_prefix(s, n, maxauth)) {
		o->outcome = "failure";
		user_from(s + sizeof maxauth - 1, n - (sizeof maxauth - 1), o, &invalid);
		if (invalid) {
			o->method = "invalid user";
			o->method_n = 12;
		}
		return;
	}
	if (cg_extract_prefix(s, n, "pam_unix(sshd:auth): authentication failure;") ||
	    cg_extract_prefix(s, n, "authentication failure;")) {
		/* The second form is older Linux-PAM's under the TAG "sshd(pam_unix)". */
		o->outcome = "failure";
		o->method = "pam";
		o->method_n = 3;
		pam_pairs(s, n, o);
		return;
	}
	static const char pamfail[] = "PAM: Authentication failure for ";
	if (cg_extract_prefix(s, n, pamfail)) {
		o->outcome = "failure";
		o->method = "pam";
		o->method_n = 3;
		user_from(s + sizeof pamfail - 1, n - (sizeof pamfail - 1), o, &invalid);
		return;
	}
	if (cg_extract_prefix(s, n, "User ") && cg_extract_find(s, n, " not allowed because ")) {
		o->outcome = "failure";
		user_from(s + 5, n - 5, o, &invalid);
		return;
	}
	static const char *const conn[] = {"Connection closed by ", "Connection reset by ", "Disconnected from ",
					   "Received disconnect from ", "Unable to negotiate with ",
					   "Timeout before authentication for ",
					   "Did not receive identification string from ", "Connection from "};
	for (size_t i = 0; i < sizeof conn / sizeof conn[0]; i++) {
		size_t k = strlen(conn[i]);
		if (cg_extract_prefix(s, n, conn[i])) {
			user_ip(s + k, n - k, o, &invalid);
			if (invalid) {
				o->method = "invalid user";
				o->method_n = 12;
			}
			return;
		}
	}
	/* "refused connect from HOST (IP)" (TCP wrappers). */
	if (cg_extract_prefix(s, n, "refused connect from ")) {
		const char *lp = memchr(s, '(', n);
		const char *rp = lp ? memchr(lp, ')', (size_t)(s + n - lp)) : NULL;
		if (rp && cg_extract_is_ip(lp + 1, (size_t)(rp - lp - 1))) {
			o->ip = lp + 1;
			o->ip_n = (size_t)(rp - lp - 1);
		}
		return;
	}
	/* Anything else naming a peer: "... from IP port PORT". */
	for (const char *p = s; (p = cg_extract_find(p, (size_t)(s + n - p), " from ")) != NULL; p++)
		if (ip_port(p + 6, (size_t)(s + n - p - 6), o))
			return;
}

enum cg_err cg_extract_sshd(struct cg_event *ev, const char *msg, size_t n)
{
	struct sshd_out o = {0};
	enum cg_err rc = CG_OK;

	classify(msg, n, &o);
	if (o.user && (rc = cg_extract_add(ev, "user", o.user, o.user_n)))
		return rc;
	if (o.ip && (rc = cg_extract_add(ev, "src_ip", o.ip, o.ip_n)))
		return rc;
	if (o.port && (rc = cg_extract_add(ev, "src_port", o.port, o.port_n)))
		return rc;
	if (o.outcome && (rc = cg_extract_add(ev, "outcome", o.outcome, strlen(o.outcome))))
		return rc;
	if (o.method && (rc = cg_extract_add(ev, "method", o.method, o.method_n)))
		return rc;
	return CG_OK;
}
