/* Netfilter LOG target lines (iptables/nftables "log", UFW, Proxmox
 * firewall) → every KEY=VALUE as the kernel wrote it (IN, OUT, MAC, SRC,
 * DST, LEN, TOS, PREC, TTL, ID, PROTO, SPT, DPT, WINDOW, ...), the
 * normalized src_ip, dst_ip, src_port, dst_port, and the action: UFW's tag
 * ("[UFW BLOCK]" → block, "[UFW ALLOW]" → allow, "[UFW AUDIT]" → audit,
 * "[UFW LIMIT BLOCK]" → block) or a DROP/REJECT/ACCEPT/BLOCK/DENY word of
 * the rule's log prefix; the prefix itself is log_prefix. Bare flags (SYN,
 * DF, ACK) carry no '=' and are left in the message. */
#include <string.h>

#include "cg_event_int.h"
#include "event_extract.h"

static int is_key(const char *s, size_t n)
{
	if (!n || n > 16)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

static int word_is(const char *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	if (n != k)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (cg_event_fold((unsigned char)s[i]) != (unsigned char)lit[i])
			return 0;
	return 1;
}

/* The action named by the log prefix, lower case, or NULL. */
static const char *prefix_action(const char *s, size_t n)
{
	static const char *const words[] = {"block", "drop", "reject", "accept", "allow", "deny", "audit"};
	const char *found = NULL;
	size_t i = 0;
	while (i < n) {
		while (i < n && !((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')))
			i++;
		size_t k = i;
		while (i < n && ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')))
			i++;
		for (size_t w = 0; w < sizeof words / sizeof words[0]; w++)
			if (word_is(s + k, i - k, words[w]))
				found = words[w]; /* the last one: "[UFW LIMIT BLOCK]", "AUDIT INVALID" keeps audit */
	}
	return found;
}

enum cg_err cg_extract_netfilter(struct cg_event *ev, const char *msg, size_t n)
{
	enum cg_err rc;
	const char *s = msg;
	size_t i = 0;

	/* The log prefix: everything before the first KEY=VALUE (IN= normally),
	 * after the kernel's "[ 1234.5678]" stamp. */
	const char *kv = cg_extract_find(s, n, "IN=");
	while (kv && kv != s && kv[-1] != ' ')
		kv = cg_extract_find(kv + 1, (size_t)(s + n - kv - 1), "IN=");
	if (!kv) {
		kv = cg_extract_find(s, n, "SRC=");
		if (!kv)
			return CG_OK;
		/* Back to the first KEY= of the run ("OUT=eth0 SRC=..."). */
		while (kv > s + 1 && kv[-1] == ' ') {
			const char *b = kv - 1;
			while (b > s && b[-1] != ' ')
				b--;
			const char *eq = memchr(b, '=', (size_t)(kv - 1 - b));
			if (!eq || !is_key(b, (size_t)(eq - b)))
				break;
			kv = b;
		}
	}
	const char *pb = s, *pe = kv;
	if (pe - pb > 1 && *pb == '[' && (pb[1] == ' ' || (pb[1] >= '0' && pb[1] <= '9'))) {
		const char *rb = memchr(pb, ']', (size_t)(pe - pb));
		if (rb)
			pb = rb + 1;
	}
	while (pb < pe && *pb == ' ')
		pb++;
	while (pe > pb && (pe[-1] == ' ' || pe[-1] == ':'))
		pe--;
	if (pe > pb) {
		if ((rc = cg_extract_add(ev, "log_prefix", pb, (size_t)(pe - pb))))
			return rc;
		const char *a = prefix_action(pb, (size_t)(pe - pb));
		if (a && (rc = cg_extract_add(ev, "action", a, strlen(a))))
			return rc;
	}

	const char *src = NULL, *dst = NULL, *spt = NULL, *dpt = NULL;
	size_t srcn = 0, dstn = 0, sptn = 0, dptn = 0;
	i = (size_t)(kv - s);
	while (i < n) {
		while (i < n && s[i] == ' ')
			i++;
		size_t k = i;
		while (i < n && s[i] != ' ')
			i++;
		const char *t = s + k;
		size_t tn = i - k;
		const char *eq = memchr(t, '=', tn);
		if (!eq || !is_key(t, (size_t)(eq - t)))
			continue;
		size_t kn = (size_t)(eq - t);
		const char *v = eq + 1;
		size_t vn = tn - kn - 1;
		char key[17];
		memcpy(key, t, kn);
		key[kn] = '\0';
		if ((rc = cg_event_add(ev, key, kn, v, vn)))
			return rc;
		if (kn == 3 && !memcmp(key, "SRC", 3) && !src)
			src = v, srcn = vn;
		else if (kn == 3 && !memcmp(key, "DST", 3) && !dst)
			dst = v, dstn = vn;
		else if (kn == 3 && !memcmp(key, "SPT", 3) && !spt)
			spt = v, sptn = vn;
		else if (kn == 3 && !memcmp(key, "DPT", 3) && !dpt)
			dpt = v, dptn = vn;
	}
	if (src && cg_extract_is_ip(src, srcn) && (rc = cg_extract_add(ev, "src_ip", src, srcn)))
		return rc;
	if (dst && cg_extract_is_ip(dst, dstn) && (rc = cg_extract_add(ev, "dst_ip", dst, dstn)))
		return rc;
	if (spt && cg_extract_is_port(spt, sptn) && (rc = cg_extract_add(ev, "src_port", spt, sptn)))
		return rc;
	if (dpt && cg_extract_is_port(dpt, dptn) && (rc = cg_extract_add(ev, "dst_port", dpt, dptn)))
		return rc;
	return CG_OK;
}
