/* FortiGate (FortiOS) key=value logs, as the FortiOS Log Message Reference
 * shows them: "date=2018-12-27 time=11:07:55 logid=\"0000000013\"
 * type=\"traffic\" subtype=\"forward\" ... srcip=10.1.100.11 srcport=54190
 * dstip=52.53.140.235 dstport=443 ... proto=6 action=\"close\" ..."; values
 * bare or double-quoted (quoted values may hold spaces). Every pair is kept
 * under its own name (srcip, dstip, srcport, dstport, action, user, proto,
 * logid, type, subtype, level, ...), plus src_ip, dst_ip, src_port,
 * dst_port (remip, the VPN peer, is src_ip when srcip is absent) and
 * outcome: failure when action or status says "fail"/"failed"/"deny",
 * success for status="success". date, time and tz date the event when it
 * had no time. */
#include <stdio.h>
#include <string.h>

#include "cg_event_int.h"
#include "event_extract.h"

struct kv {
	const char *p;
	size_t n;
};

static int key_is(const char *k, size_t kn, const char *lit)
{
	return kn == strlen(lit) && !memcmp(k, lit, kn);
}

static int has_word(struct kv v, const char *lit)
{
	return v.n && cg_extract_find(v.p, v.n, lit) != NULL;
}

enum cg_err cg_extract_fortigate(struct cg_event *ev, const char *msg, size_t n)
{
	enum cg_err rc;
	const char *s = msg;
	size_t i = 0;
	struct kv srcip = {0}, dstip = {0}, srcport = {0}, dstport = {0}, remip = {0}, action = {0}, status = {0};
	struct kv date = {0}, tim = {0}, tz = {0};

	while (i < n) {
		while (i < n && s[i] == ' ')
			i++;
		size_t ks = i;
		while (i < n && s[i] != '=' && s[i] != ' ')
			i++;
		if (i >= n || s[i] != '=') {
			continue;
		}
		size_t kn = i - ks;
		i++;
		struct kv v;
		if (i < n && s[i] == '"') {
			size_t vs = ++i;
			while (i < n && s[i] != '"') {
				if (s[i] == '\\' && i + 1 < n)
					i++;
				i++;
			}
			v.p = s + vs;
			v.n = (i < n ? i : n) - vs;
			if (i < n)
				i++;
		} else {
			size_t vs = i;
			while (i < n && s[i] != ' ')
				i++;
			v.p = s + vs;
			v.n = i - vs;
		}
		if (kn == 0 || kn > 64)
			continue;
		const char *k = s + ks;
		if ((rc = cg_event_add(ev, k, kn, v.p, v.n)))
			return rc;
		if (key_is(k, kn, "srcip"))
			srcip = v;
		else if (key_is(k, kn, "dstip"))
			dstip = v;
		else if (key_is(k, kn, "srcport"))
			srcport = v;
		else if (key_is(k, kn, "dstport"))
			dstport = v;
		else if (key_is(k, kn, "remip"))
			remip = v;
		else if (key_is(k, kn, "action"))
			action = v;
		else if (key_is(k, kn, "status"))
			status = v;
		else if (key_is(k, kn, "date"))
			date = v;
		else if (key_is(k, kn, "time"))
			tim = v;
		else if (key_is(k, kn, "tz"))
			tz = v;
	}
	if (!srcip.n)
		srcip = remip;
	if (srcip.n && cg_extract_is_ip(srcip.p, srcip.n) && (rc = cg_extract_add(ev, "src_ip", srcip.p, srcip.n)))
		return rc;
	if (dstip.n && cg_extract_is_ip(dstip.p, dstip.n) && (rc = cg_extract_add(ev, "dst_ip", dstip.p, dstip.n)))
		return rc;
	if (cg_extract_is_port(srcport.p, srcport.n) && (rc = cg_extract_add(ev, "src_port", srcport.p, srcport.n)))
		return rc;
	if (cg_extract_is_port(dstport.p, dstport.n) && (rc = cg_extract_add(ev, "dst_port", dstport.p, dstport.n)))
		return rc;
	const char *outcome = NULL;
	if (has_word(action, "fail") || has_word(status, "fail") || has_word(action, "deny"))
		outcome = "failure";
	else if (status.n == 7 && !memcmp(status.p, "success", 7))
		outcome = "success";
	if (outcome && (rc = cg_extract_add(ev, "outcome", outcome, strlen(outcome))))
		return rc;
	if (!cg_event_has_time(ev) && date.n == 10 && tim.n >= 8 && tim.n <= 15 && tz.n <= 9) {
		char stamp[48];
		int k = snprintf(stamp, sizeof stamp, "%.*sT%.*s%.*s", (int)date.n, date.p, (int)tim.n, tim.p,
				 (int)tz.n, tz.p);
		if (k > 0 && (size_t)k < sizeof stamp)
			(void)cg_event_set_time_text(ev, stamp, (size_t)k, 0);
	}
	return CG_OK;
}
