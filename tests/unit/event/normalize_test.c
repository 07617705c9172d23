/* The field extractors and cg_event_from_message. Expected values come from
 * the formats' own documents, not from the program: the CEF examples of
 * independent CEF implementations (cefp, format_cef, rsigma) and of the
 * FortiOS Log Message Reference, the connection scenarios of Cisco's "ASA
 * FAQ: how do you interpret the syslogs generated when it builds or tears
 * down connections" (document 116149), the FortiOS traffic-log example,
 * OpenSSH's message texts, and UFW's log tags. The generated and the
 * shared-sample cases are in tests/integration/event/test_extract.py. */
#include "../test_util.h"

#include "cef_parse.h"
#include "cg_event.h"
#include "event_extract.h"
#include "event_normalize.h"

static struct cg_event *ev;

static int setup(void **state)
{
	(void)state;
	return cg_event_new(&ev) == CG_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	cg_event_free(ev);
	return 0;
}

static void from(const char *msg)
{
	assert_int_equal(cg_event_from_message(msg, strlen(msg), CG_EVENT_MSG_AUTO, ev), CG_OK);
}

#define HAS(name, want)                                                                                     \
	do {                                                                                                \
		const char *v_;                                                                             \
		size_t n_;                                                                                  \
		if (!cg_event_get(ev, (name), 0, &v_, &n_))                                                 \
			fail_msg("field %s missing", (name));                                               \
		if (n_ != strlen(want) || memcmp(v_, (want), n_))                                           \
			fail_msg("field %s: got '%.*s', want '%s'", (name), (int)n_, v_, (want));          \
	} while (0)

#define HASNT(name)                                                                                         \
	do {                                                                                                \
		const char *v_;                                                                             \
		size_t n_;                                                                                  \
		if (cg_event_get(ev, (name), 0, &v_, &n_))                                                  \
			fail_msg("field %s: '%.*s', want none", (name), (int)n_, v_);                       \
	} while (0)

static void cef(void **state)
{
	(void)state;
	/* cefp's README example: \\ and \| in the header, \= in a value, a
	 * bare '|' in a value. */
	from("CEF:0|security|threatmanager|1.0|100|detected \\\\, \\| and = in message|10|src=10.0.0.1 "
	     "act=blocked \\\\, | and \\= dst=1.1.1.1");
	HAS("cef_version", "0");
	HAS("cef_device_vendor", "security");
	HAS("cef_device_product", "threatmanager");
	HAS("cef_signature_id", "100");
	HAS("cef_event_name", "detected \\, | and = in message");
	HAS("cef_severity", "10");
	HAS("act", "blocked \\, | and =");
	HAS("action", "blocked \\, | and =");
	HAS("src", "10.0.0.1");
	HAS("src_ip", "10.0.0.1");
	HAS("dst_ip", "1.1.1.1");
	assert_string_equal(cg_event_program(ev), "threatmanager");
	/* format_cef's example. */
	from("CEF:0|acme corp|TNT|1.0|404 \\| not found|Explosives not found|10|act=bang \\= !");
	HAS("cef_signature_id", "404 | not found");
	HAS("act", "bang = !");
	/* rsigma's: a value with spaces ends where the next key starts. */
	from("CEF:0|Security|IDS|1.0|100|Attack detected|9|src=10.0.0.1 dst=192.168.1.1 msg=Intrusion attempt");
	HAS("msg", "Intrusion attempt");
	/* A value with an escaped backslash, '=', a line break and '|'. */
	from("CEF:0|v|p|1|2|n|3|foo=bar anotherkey=c:\\\\program files\\\\x (|) has an \\= to us!\\n\\\\ so go away baz=0");
	HAS("foo", "bar");
	HAS("anotherkey", "c:\\program files\\x (|) has an = to us!\n\\ so go away");
	HAS("baz", "0");
	/* FortiOS Log Message Reference: a traffic log sent as CEF in syslog. */
	from("Dec 27 11:07:55 FGT-A-LOG CEF: 0|Fortinet|Fortigate|v6.0.3|00013|traffic:forward close|3|"
	     "deviceExternalId=FGT5HD3915800610 FTNTFGTlogid=0000000013 cat=traffic:forward src=10.1.100.11 spt=54190 "
	     "deviceInboundInterface=port12 dst=52.53.140.235 dpt=443 proto=6 act=close");
	HAS("host", "FGT-A-LOG");
	HAS("cef_device_version", "v6.0.3");
	HAS("cef_event_name", "traffic:forward close");
	HAS("FTNTFGTlogid", "0000000013");
	HAS("src_port", "54190");
	HAS("dst_ip", "52.53.140.235");
	HAS("dst_port", "443");
	HAS("proto", "6");
	HAS("action", "close");
	/* An unescaped '=' inside a URL stays in the value. */
	from("CEF:0|v|p|1|2|n|3|request=http://so-mau.example/a?x=1&y=2 suser=alice duser=bob");
	HAS("request", "http://so-mau.example/a?x=1&y=2");
	HAS("url", "http://so-mau.example/a?x=1&y=2");
	HAS("user", "alice");
	/* Six header fields: not CEF. */
	assert_int_equal(cg_event_from_message("CEF:0|a|b|c|d|e", 15, CG_EVENT_MSG_CEF, ev), CG_EPARSE);
	struct cef_msg m;
	assert_int_equal(cef_parse("0|a|b|c|d|e|f|", 14, &m), CG_OK);
	assert_int_equal(m.ext.n, 0);
}

static void asa(void **state)
{
	(void)state;
	/* Cisco doc 116149, scenario 2: traffic sourced from the inside host
	 * to the outside host is an "outbound" connection written "for
	 * outside:... to inside:...". */
	from("Nov 06 2025 11:32:42 fw-1 : %ASA-6-302013: Built outbound TCP connection 9 for outside:10.1.2.1/22 "
	     "(10.1.2.1/22) to inside:10.1.1.2/53496 (10.1.1.2/53496)");
	HAS("message_id", "302013");
	HAS("action", "built");
	HAS("proto", "TCP");
	HAS("connection_id", "9");
	HAS("src_ip", "10.1.1.2");
	HAS("src_port", "53496");
	HAS("src_interface", "inside");
	HAS("dst_ip", "10.1.2.1");
	HAS("dst_port", "22");
	HAS("dst_interface", "outside");
	assert_int_equal(cg_event_severity(ev), 6);
	/* Scenario 1: inbound to the identity interface (a name with spaces). */
	from("%ASA-6-302013: Built inbound TCP connection 8 for inside:10.1.1.2/12523 (10.1.1.2/12523) to NP Identity "
	     "Ifc:10.1.1.1/22 (10.1.1.1/22)");
	HAS("src_ip", "10.1.1.2");
	HAS("dst_interface", "NP Identity Ifc");
	HAS("dst_port", "22");
	from("%ASA-6-302014: Teardown TCP connection 8 for inside:10.1.1.2/12523 to NP Identity Ifc:10.1.1.1/22 "
	     "duration 0:00:53 bytes 2436 TCP FINs");
	HAS("action", "teardown");
	HAS("duration", "0:00:53");
	HAS("bytes", "2436");
	HAS("reason", "TCP FINs");
	/* 106023 with a PRI and the "Mmm dd yyyy hh:mm:ss:" header. */
	from("<164>Aug 28 2022 19:34:14: %ASA-4-106023: Deny tcp src outside:198.51.100.190/63659 dst "
	     "dmz-1:192.0.2.142/8827 by access-group \"outside_access_in\" [0x0, 0x0]");
	HAS("message_id", "106023");
	HAS("action", "deny");
	HAS("src_ip", "198.51.100.190");
	HAS("dst_port", "8827");
	HAS("acl", "outside_access_in");
	from("%ASA-6-605004: Login denied from 192.168.2.10/32597 to outside:192.168.2.14/ssh for user \"root\"");
	HAS("user", "root");
	HAS("outcome", "failure");
	HAS("service", "ssh");
	HASNT("dst_port");
	/* An ID without a reader: its number only. */
	from("%ASA-5-111008: User 'admin' executed the 'enable' command.");
	HAS("message_id", "111008");
	HASNT("user");
}

static void fortigate(void **state)
{
	(void)state;
	/* FortiOS Log Message Reference, "Traffic log support for CEF": the
	 * traffic log on the FortiGate disk, with a bare PRI as sent by syslog. */
	from("<189>date=2018-12-27 time=11:07:55 logid=\"0000000013\" type=\"traffic\" subtype=\"forward\" "
	     "level=\"notice\" vd=\"vdom1\" eventtime=1545937675 srcip=10.1.100.11 srcport=54190 srcintf=\"port12\" "
	     "dstip=52.53.140.235 dstport=443 dstintf=\"port11\" sessionid=402 proto=6 action=\"close\" "
	     "dstcountry=\"United States\" service=\"HTTPS\"");
	HAS("logid", "0000000013");
	HAS("srcip", "10.1.100.11");
	HAS("src_ip", "10.1.100.11");
	HAS("dst_port", "443");
	HAS("dstcountry", "United States");
	HAS("action", "close");
	HASNT("outcome");
	assert_int_equal(cg_event_severity(ev), 5);
	assert_int_equal(cg_event_facility(ev), 23);
	/* No zone: Asia/Ho_Chi_Minh. 2018-12-27 = day 17892. */
	assert_int_equal(cg_event_epoch(ev), 17892LL * 86400 + 11 * 3600 + 7 * 60 + 55 - 7 * 3600);
}

static void sshd_ufw_access(void **state)
{
	(void)state;
	from("Nov  6 11:32:42 web01 sshd[812]: Accepted publickey for deploy from 2001:db8::7 port 50522 ssh2: "
	     "ED25519 SHA256:abc");
	HAS("user", "deploy");
	HAS("src_ip", "2001:db8::7");
	HAS("src_port", "50522");
	HAS("outcome", "success");
	HAS("method", "publickey");
	from("Nov  6 11:32:42 web01 sshd[812]: Failed password for invalid user admin from 203.0.113.9 port 4711 ssh2");
	HAS("user", "admin");
	HAS("outcome", "failure");
	HAS("method", "password");
	from("Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh "
	     "ruser= rhost=218.188.2.4 ");
	HAS("src_ip", "218.188.2.4");
	HAS("outcome", "failure");
	/* UFW's tags ([UFW BLOCK], [UFW LIMIT BLOCK]) name the action. */
	from("Nov  6 11:32:42 gw kernel: [ 9.1] [UFW LIMIT BLOCK] IN=eth0 OUT= SRC=203.0.113.9 DST=192.0.2.10 "
	     "LEN=60 PROTO=TCP SPT=44321 DPT=22 SYN");
	HAS("action", "block");
	HAS("log_prefix", "[UFW LIMIT BLOCK]");
	HAS("SRC", "203.0.113.9");
	HAS("proto", "TCP"); /* PROTO, compared ignoring case */
	HAS("dst_port", "22");
	HASNT("SYN");
	/* Apache combined, escaped quotes kept as written. */
	from("192.0.2.4 - alice [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326 "
	     "\"http://so-mau.example/start.html\" \"Mozilla/4.08 \\\"x\\\"\"");
	HAS("src_ip", "192.0.2.4");
	HAS("user", "alice");
	HAS("http_method", "GET");
	HAS("url", "/apache_pb.gif");
	HAS("status", "200");
	HAS("bytes", "2326");
	HAS("referer", "http://so-mau.example/start.html");
	HAS("user_agent", "Mozilla/4.08 \\\"x\\\"");
	/* 2000-10-10 = day 11240; 13:55:36 at -07:00. */
	assert_int_equal(cg_event_epoch(ev), 11240LL * 86400 + 13 * 3600 + 55 * 60 + 36 + 7 * 3600);
	assert_int_equal(cg_event_time_offset(ev), -420);
	/* A request line that is not "METHOD URL PROTOCOL" is kept whole. */
	from("192.0.2.4 - - [10/Oct/2000:13:55:36 -0700] \"\\x16\\x03\\x01\" 400 0 \"-\" \"-\"");
	HAS("request", "\\x16\\x03\\x01");
	HASNT("http_method");
	HAS("status", "400");
}

static void dispatch_and_hostile(void **state)
{
	(void)state;
	/* The choice is by TAG first, content second. */
	assert_int_equal(cg_event_source_of("sshd", 4, "x", 1), CG_EVENT_SRC_SSHD);
	assert_int_equal(cg_event_source_of("kernel", 6, "usb 1-1: new device", 19), CG_EVENT_SRC_NONE);
	assert_int_equal(cg_event_source_of("CEF", 3, "0|a|b|c|d|e|f|", 14), CG_EVENT_SRC_CEF);
	assert_int_equal(cg_event_source_of(NULL, 0, "%ASA-6-302013: x", 16), CG_EVENT_SRC_ASA);
	assert_int_equal(cg_event_source_of(NULL, 0, "date=2024-01-01 logid=1", 23), CG_EVENT_SRC_FORTIGATE);
	assert_int_equal(cg_event_source_of(NULL, 0, "hello world", 11), CG_EVENT_SRC_NONE);
	assert_string_equal(cg_event_source_name(CG_EVENT_SRC_ACCESS), "access");

	/* Invalid UTF-8 is kept byte for byte. */
	const char bad[] = "Nov  6 11:32:42 h sshd[1]: Invalid user \xff\xc3( from 192.0.2.1 port 7";
	from(bad);
	HAS("user", "\xff\xc3(");

	/* A CEF record with more pairs than an event holds: the event is capped
	 * and marked truncated, not dropped. */
	size_t cap = 16 + 8 * (CG_EVENT_MAX_FIELDS + 50);
	char *big = malloc(cap);
	assert_non_null(big);
	size_t k = (size_t)snprintf(big, cap, "CEF:0|v|p|1|2|n|3|");
	for (int i = 0; i < CG_EVENT_MAX_FIELDS + 50; i++)
		k += (size_t)snprintf(big + k, cap - k, "k%d=v ", i % 1000);
	assert_int_equal(cg_event_from_message(big, k, CG_EVENT_MSG_AUTO, ev), CG_OK);
	assert_int_equal(cg_event_count(ev), CG_EVENT_MAX_FIELDS);
	assert_true(cg_event_truncated(ev));
	free(big);

	/* JSON: one object; anything else is a parse error. */
	const char *j = "{\"Channel\":\"Security\",\"EventID\":4625,\"IpAddress\":\"192.0.2.5\"}";
	assert_int_equal(cg_event_from_message(j, strlen(j), CG_EVENT_MSG_AUTO, ev), CG_OK);
	assert_int_equal(cg_event_event_id(ev), 4625);
	/* A syslog message shipped as JSON (rsyslog's json template names). */
	j = "{\"programname\":\"sshd\",\"message\":\"Failed password for root from 192.0.2.8 port 22 ssh2\"}";
	assert_int_equal(cg_event_from_message(j, strlen(j), CG_EVENT_MSG_AUTO, ev), CG_OK);
	HAS("src_ip", "192.0.2.8");
	HAS("outcome", "failure");
	assert_int_equal(cg_event_from_message("[1,2]", 5, CG_EVENT_MSG_JSON, ev), CG_EPARSE);
	assert_int_equal(cg_event_from_message("{\"a\":", 5, CG_EVENT_MSG_AUTO, ev), CG_EPARSE);
	/* Past the line cap. */
	char *huge = malloc((64 << 10) + 2);
	assert_non_null(huge);
	memset(huge, 'a', (64 << 10) + 2);
	assert_int_equal(cg_event_from_message(huge, (64 << 10) + 2, CG_EVENT_MSG_SYSLOG, ev), CG_ELIMIT);
	free(huge);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cef),         cmocka_unit_test(asa),
		cmocka_unit_test(fortigate),   cmocka_unit_test(sshd_ufw_access),
		cmocka_unit_test(dispatch_and_hostile),
	};
	return cmocka_run_group_tests_name("event_normalize", tests, setup, teardown);
}
