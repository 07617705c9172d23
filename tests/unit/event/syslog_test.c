/* syslog_parse: RFC 5424 (incl. the RFC's own examples and structured-data
 * escapes), RFC 3164 as devices write it, refusals, RFC 6587 framing, and
 * every line of the real syslog samples in ../shared/data/logs. */
#include "../test_util.h"

#include "cg_file.h"
#include "syslog_parse.h"

static const struct cg_time_ctx UTC_NOV = {1762428762 + 60, 0}; /* 2025-11-06T11:33:42Z, UTC */

static int span_is(struct syslog_span s, const char *want)
{
	if (!want)
		return s.n == 0;
	return s.n == strlen(want) && memcmp(s.p, want, s.n) == 0;
}

#define ASSERT_SPAN(s, want)                                                                              \
	do {                                                                                              \
		const char *want_ = (want);                                                               \
		if (!span_is((s), want_))                                                                 \
			fail_msg("%s: got '%.*s', want '%s'", #s, (int)(s).n, (s).p ? (s).p : "",          \
				 want_ ? want_ : "(absent)");                                             \
	} while (0)

static void rfc5424(void **state)
{
	(void)state;
	struct syslog_msg m;
	const char *l = "<134>1 2025-11-06T11:32:42.868451+00:00 firewall.lan filterlog 92653 - - 7,,,1000000102,vtnet0.5";
	assert_int_equal(syslog_parse(l, strlen(l), &UTC_NOV, &m), CG_OK);
	/* PRI 134 = facility 16 (local0) * 8 + severity 6 (informational). */
	assert_int_equal(m.pri, 134);
	assert_int_equal(m.facility, 16);
	assert_int_equal(m.severity, 6);
	assert_int_equal(m.version, 1);
	assert_true(m.has_time);
	assert_int_equal(m.time.us, 1762428762LL * 1000000 + 868451);
	ASSERT_SPAN(m.host, "firewall.lan");
	ASSERT_SPAN(m.app, "filterlog");
	ASSERT_SPAN(m.procid, "92653");
	assert_int_equal(m.pid, 92653);
	ASSERT_SPAN(m.msgid, NULL);
	ASSERT_SPAN(m.sd, NULL);
	ASSERT_SPAN(m.msg, "7,,,1000000102,vtnet0.5");

	/* RFC 5424 §6.5, example 1 (no structured data, BOM-less message). */
	l = "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su root' failed for lonvick on /dev/pts/8";
	assert_int_equal(syslog_parse(l, strlen(l), &UTC_NOV, &m), CG_OK);
	assert_int_equal(m.facility, 4);
	assert_int_equal(m.severity, 2);
	/* 2003-10-11T22:14:15.003Z = 1065910455.003 */
	assert_int_equal(m.time.us, 1065910455003000LL);
	ASSERT_SPAN(m.app, "su");
	ASSERT_SPAN(m.procid, NULL);
	assert_int_equal(m.pid, -1);
	ASSERT_SPAN(m.msgid, "ID47");
	ASSERT_SPAN(m.msg, "'su root' failed for lonvick on /dev/pts/8");

	/* Example 2: NILVALUE time, offset with minutes. */
	l = "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.";
	assert_int_equal(syslog_parse(l, strlen(l), &UTC_NOV, &m), CG_OK);
	assert_int_equal(m.time.offset, -420);
	/* 2003-08-24T12:14:15.000003Z = 1061727255 s */
	assert_int_equal(m.time.us, 1061727255000003LL);
	ASSERT_SPAN(m.host, "192.0.2.1");
	l = "<165>1 - host app - - - no time";
	assert_int_equal(syslog_parse(l, strlen(l), &UTC_NOV, &m), CG_OK);
	assert_false(m.has_time);
	ASSERT_SPAN(m.msg, "no time");
}

struct sd_seen {
	char text[512];
	size_t len;
};

static int on_sd(void *ud, struct syslog_span id, struct syslog_span name, struct syslog_span value)
{
	struct sd_seen *s = ud;
	s->len += (size_t)snprintf(s->text + s->len, sizeof s->text - s->len, "%.*s/%.*s=%.*s;", (int)id.n, id.p,
				   (int)name.n, name.p ? name.p : "", (int)value.n, value.p ? value.p : "");
	return 0;
}

static void structured_data(void **state)
{
	(void)state;
	struct syslog_msg m;
	char scratch[512];
	struct sd_seen seen = {{0}, 0};
	/* RFC 5424 §6.5, example 4 (two SD elements, a BOM before the message). */
	const char *l = "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" "
			"eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"] "
			"\xEF\xBB\xBF" "An application event log entry...";
	assert_int_equal(syslog_parse(l, strlen(l), &UTC_NOV, &m), CG_OK);
	ASSERT_SPAN(m.msg, "An application event log entry...");
	assert_int_equal(syslog_sd_foreach(m.sd, scratch, sizeof scratch, on_sd, &seen), CG_OK);
	assert_string_equal(seen.text, "exampleSDID@32473/iut=3;exampleSDID@32473/eventSource=Application;"
				       "exampleSDID@32473/eventID=1011;examplePriority@32473/class=high;");
	/* Escapes (§6.3.3): \" \\ \] are the character; "\n" stays two bytes. An
	 * escaped ']' does not end the element. An element without params. */
	memset(&seen, 0, sizeof seen);
	l = "<13>1 - h a - - [x@1 a=\"q\\\"b\\\\c\\]d\" e=\"\\n\"][y@2] msg";
	assert_int_equal(syslog_parse(l, strlen(l), &UTC_NOV, &m), CG_OK);
	ASSERT_SPAN(m.msg, "msg");
	assert_int_equal(syslog_sd_foreach(m.sd, scratch, sizeof scratch, on_sd, &seen), CG_OK);
	assert_string_equal(seen.text, "x@1/a=q\"b\\c]d;x@1/e=\\n;y@2/=;");
	/* Bad structured data and header fields are refused with a reason. */
	static const char *const bad[] = {
		"<13>1 - h a - - [x@1 a=b] m",           /* value not quoted */
		"<13>1 - h a - - [x@1 a=\"b] m",          /* unterminated value */
		"<13>1 - h a - - [x@1 a=\"b\" m",         /* no ']' */
		"<13>1 - h a - - [x@1]m",                 /* no space before MSG */
		"<13>1 - h a - - x m",                    /* SD neither '-' nor '[' */
		"<13>1 - h a - - [] m",                   /* empty SD-ID */
		"<13>1 - h aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa - - - m", /* APP-NAME of 49 */
		"<13>1 - h a - ID4567890123456789012345678901234 - m",               /* MSGID of 33 */
		"<13>1 - h\x01x a - - - m",               /* not PRINTUSASCII */
		"<13>1 2025-13-06T11:32:42Z h a - - - m", /* month 13 */
		"<13>1 - h a",                            /* header cut short */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (syslog_parse(bad[i], strlen(bad[i]), &UTC_NOV, &m) != CG_EPARSE)
			fail_msg("'%s' must be refused", bad[i]);
	l = "<13>1 - h a - - [x@1 a=b] m";
	assert_int_equal(syslog_parse(l, strlen(l), &UTC_NOV, &m), CG_EPARSE);
	assert_int_equal(m.pri, 13); /* the PRI is still reported */
}

static void rfc3164(void **state)
{
	(void)state;
	struct syslog_msg m;
	const char *l = "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186";
	struct cg_time_ctx june = {1748736000 /* 2025-06-01Z */, 0};
	assert_int_equal(syslog_parse(l, strlen(l), &june, &m), CG_OK);
	assert_int_equal(m.pri, -1);
	assert_int_equal(m.version, 0);
	assert_int_equal(m.time.us, (1733788800LL + 24946) * 1000000); /* 2024-12-10T06:55:46Z */
	assert_true(m.time.year_inferred);
	ASSERT_SPAN(m.host, "LabSZ");
	ASSERT_SPAN(m.app, "sshd");
	assert_int_equal(m.pid, 24200);
	ASSERT_SPAN(m.msg, "Invalid user webmaster from 173.234.31.186");

	l = "<13>Nov  6 11:32:42 h x";
	assert_int_equal(syslog_parse(l, strlen(l), &UTC_NOV, &m), CG_OK);
	assert_int_equal(m.facility, 1);
	assert_int_equal(m.severity, 5);
	assert_int_equal(m.time.us, 1762428762LL * 1000000);
	ASSERT_SPAN(m.host, "h");
	ASSERT_SPAN(m.app, "x");

	l = "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0";
	assert_int_equal(syslog_parse(l, strlen(l), &june, &m), CG_OK);
	ASSERT_SPAN(m.app, "sshd(pam_unix)");
	assert_int_equal(m.pid, 19939);

	/* Cisco ASA with and without a host. */
	l = "<166>Nov 06 2025 11:32:42: %ASA-6-302013: Built outbound TCP";
	assert_int_equal(syslog_parse(l, strlen(l), NULL, &m), CG_OK);
	assert_false(m.has_time); /* no context: header read, time left out */
	ASSERT_SPAN(m.host, NULL);
	ASSERT_SPAN(m.app, "%ASA-6-302013");
	ASSERT_SPAN(m.msg, "Built outbound TCP");
	l = "Nov 06 2025 11:32:42 fw01 : %ASA-4-106023: Deny tcp";
	assert_int_equal(syslog_parse(l, strlen(l), &UTC_NOV, &m), CG_OK);
	assert_int_equal(m.time.us, 1762428762LL * 1000000);
	assert_false(m.time.year_inferred);
	ASSERT_SPAN(m.host, "fw01");
	ASSERT_SPAN(m.app, "");
	ASSERT_SPAN(m.msg, "%ASA-4-106023: Deny tcp");
	/* Cisco IOS with an address as host; an IPv6 host keeps its colons. */
	l = "Sep  1 10:25:29 10.10.10.1 %IPS-4-SIGNATURE: Sig:3051 Subsig:1";
	assert_int_equal(syslog_parse(l, strlen(l), &UTC_NOV, &m), CG_OK);
	ASSERT_SPAN(m.host, "10.10.10.1");
	ASSERT_SPAN(m.msg, "Sig:3051 Subsig:1");
	l = "Sep  1 10:25:29 2001:db8::1 sshd[1]: x";
	assert_int_equal(syslog_parse(l, strlen(l), &UTC_NOV, &m), CG_OK);
	ASSERT_SPAN(m.host, "2001:db8::1");
	/* No host: the token after the stamp is the tag. */
	l = "Nov  6 11:32:42 sshd[123]: x";
	assert_int_equal(syslog_parse(l, strlen(l), &UTC_NOV, &m), CG_OK);
	ASSERT_SPAN(m.host, NULL);
	ASSERT_SPAN(m.app, "sshd");
	l = "Nov  6 11:32:42 kernel: [UFW BLOCK] IN=eth0";
	assert_int_equal(syslog_parse(l, strlen(l), &UTC_NOV, &m), CG_OK);
	ASSERT_SPAN(m.host, NULL);
	ASSERT_SPAN(m.app, "kernel");
	ASSERT_SPAN(m.msg, "[UFW BLOCK] IN=eth0");
	/* rsyslog's file format: an ISO stamp with its offset. */
	l = "2025-11-06T18:32:42.5+07:00 web01 sshd[7]: Accepted";
	assert_int_equal(syslog_parse(l, strlen(l), &UTC_NOV, &m), CG_OK);
	assert_int_equal(m.time.us, 1762428762LL * 1000000 + 500000);
	ASSERT_SPAN(m.host, "web01");
	/* Trailing CR LF are not part of the message. */
	l = "<0>Nov  6 11:32:42 h app: x\r\n";
	assert_int_equal(syslog_parse(l, strlen(l), &UTC_NOV, &m), CG_OK);
	ASSERT_SPAN(m.msg, "x");
	assert_int_equal(m.pri, 0);

	static const char *const not_syslog[] = {
		"hello world", "", "<>Nov  6 11:32:42 h x", "<192>Nov  6 11:32:42 h x", "Nov 31 11:32:42 h x",
		"Nov  6 25:32:42 h x", "[Sun Dec 04 04:47:44 2005] [notice] ok", "type=SYSCALL msg=audit(1:2): x",
	};
	for (size_t i = 0; i < sizeof not_syslog / sizeof not_syslog[0]; i++)
		if (syslog_parse(not_syslog[i], strlen(not_syslog[i]), &UTC_NOV, &m) != CG_EPARSE)
			fail_msg("'%s' is not syslog", not_syslog[i]);
	char *big = malloc(SYSLOG_MSG_MAX + 2);
	assert_non_null(big);
	memset(big, 'a', SYSLOG_MSG_MAX + 1);
	memcpy(big, "<13>Nov  6 11:32:42 h x: ", 25);
	assert_int_equal(syslog_parse(big, SYSLOG_MSG_MAX + 1, &UTC_NOV, &m), CG_ELIMIT);
	free(big);
}

struct frames {
	char out[1024];
	size_t len;
	int n;
};

static int on_frame(void *ud, const char *f, size_t n)
{
	struct frames *fr = ud;
	fr->len += (size_t)snprintf(fr->out + fr->len, sizeof fr->out - fr->len, "[%.*s]", (int)n, f);
	fr->n++;
	return 0;
}

static void framing(void **state)
{
	(void)state;
	const char *stream = "5 hello12 <13>1 - h a\nb\r\n6 world!c";
	struct syslog_framer *f;
	struct frames whole = {{0}, 0, 0}, bytewise = {{0}, 0, 0};

	/* Octet counting and LF framing mixed (RFC 6587 §3.4.1, §3.4.2). */
	assert_int_equal(syslog_framer_new(64, &f), CG_OK);
	assert_int_equal(syslog_framer_feed(f, stream, strlen(stream), on_frame, &whole), CG_OK);
	assert_int_equal(syslog_framer_finish(f, on_frame, &whole), CG_OK);
	assert_string_equal(whole.out, "[hello][<13>1 - h a\n][b][world!][c]");
	syslog_framer_free(f);
	/* The same frames when the bytes come one at a time. */
	assert_int_equal(syslog_framer_new(64, &f), CG_OK);
	for (size_t i = 0; i < strlen(stream); i++)
		assert_int_equal(syslog_framer_feed(f, stream + i, 1, on_frame, &bytewise), CG_OK);
	assert_int_equal(syslog_framer_finish(f, on_frame, &bytewise), CG_OK);
	assert_string_equal(bytewise.out, whole.out);
	syslog_framer_free(f);

	/* An over-long LF frame is skipped and reported; the next one comes. */
	struct frames fr = {{0}, 0, 0};
	assert_int_equal(syslog_framer_new(8, &f), CG_OK);
	assert_int_equal(syslog_framer_feed(f, "<1>abcdefghijklmnopqrstuvwxyz0123456789\nok\n", 43, on_frame, &fr), CG_ELIMIT);
	assert_string_equal(fr.out, "[ok]");
	/* ... also when the long frame spans feeds. */
	fr = (struct frames){{0}, 0, 0};
	assert_int_equal(syslog_framer_feed(f, "<1>abcdefghijklmnopqrstuvwxyz", 29, on_frame, &fr), CG_ELIMIT);
	assert_int_equal(syslog_framer_feed(f, "more text still\nok2\n", 20, on_frame, &fr), CG_OK);
	assert_string_equal(fr.out, "[ok2]");
	syslog_framer_free(f);

	/* A too-large or malformed octet count desynchronises: refused for good. */
	assert_int_equal(syslog_framer_new(8, &f), CG_OK);
	assert_int_equal(syslog_framer_feed(f, "9999 x", 6, on_frame, &fr), CG_ELIMIT);
	assert_int_equal(syslog_framer_feed(f, "a\n", 2, on_frame, &fr), CG_EPARSE);
	syslog_framer_free(f);
	assert_int_equal(syslog_framer_new(8, &f), CG_OK);
	assert_int_equal(syslog_framer_feed(f, "05 hello", 8, on_frame, &fr), CG_EPARSE);
	syslog_framer_free(f);
	assert_int_equal(syslog_framer_new(8, &f), CG_OK);
	assert_int_equal(syslog_framer_feed(f, "5 hel", 5, on_frame, &fr), CG_OK);
	assert_int_equal(syslog_framer_finish(f, on_frame, &fr), CG_EPARSE); /* cut inside a frame */
	syslog_framer_free(f);
	syslog_framer_free(NULL);
	assert_int_equal(syslog_framer_new(0, &f), CG_EINVAL);
}

struct cut_frames {
	struct syslog_framer *f;
	struct frames fr;
	int cut[16];
};

static int on_cut_frame(void *ud, const char *f, size_t n)
{
	struct cut_frames *c = ud;
	if (c->fr.n < 16)
		c->cut[c->fr.n] = syslog_framer_cut(c->f);
	return on_frame(&c->fr, f, n);
}

/* Truncating mode: over-long frames (LF and octet-counted) are delivered cut
 * to the cap and flagged; the stream stays in sync, byte by byte too. */
static void framing_truncate(void **state)
{
	(void)state;
	const char *stream = "<1>abcdefghij\nshort\n" /* LF, 13 > 8 */
			     "12 <2>123456789"         /* octet count 12 > 8 */
			     "3 xyz"                  /* in sync after it */
			     "<3>0123456789";         /* a last LF-less over-long frame */
	const char *want = "[<1>abcde][short][<2>12345][xyz][<3>01234]";
	for (int bytewise = 0; bytewise < 2; bytewise++) {
		struct cut_frames c = {0};
		assert_int_equal(syslog_framer_new(8, &c.f), CG_OK);
		syslog_framer_set_truncate(c.f, 1);
		if (bytewise)
			for (size_t i = 0; i < strlen(stream); i++)
				assert_int_equal(syslog_framer_feed(c.f, stream + i, 1, on_cut_frame, &c), CG_OK);
		else
			assert_int_equal(syslog_framer_feed(c.f, stream, strlen(stream), on_cut_frame, &c), CG_OK);
		assert_int_equal(syslog_framer_finish(c.f, on_cut_frame, &c), CG_OK);
		assert_string_equal(c.fr.out, want);
		assert_int_equal(c.fr.n, 5);
		int cut[] = {1, 0, 1, 0, 1};
		assert_memory_equal(c.cut, cut, sizeof cut);
		syslog_framer_free(c.f);
	}
	/* A cut octet-counted frame whose end never comes: an error at the end;
	 * a bad octet count still fails the stream. */
	struct cut_frames c = {0};
	assert_int_equal(syslog_framer_new(8, &c.f), CG_OK);
	syslog_framer_set_truncate(c.f, 1);
	assert_int_equal(syslog_framer_feed(c.f, "20 abc", 6, on_cut_frame, &c), CG_OK);
	assert_int_equal(syslog_framer_finish(c.f, on_cut_frame, &c), CG_EPARSE);
	assert_int_equal(c.fr.n, 0);
	syslog_framer_free(c.f);
	assert_int_equal(syslog_framer_new(8, &c.f), CG_OK);
	syslog_framer_set_truncate(c.f, 1);
	assert_int_equal(syslog_framer_feed(c.f, "20xabcdefghijkl", 15, on_cut_frame, &c), CG_EPARSE);
	assert_int_equal(syslog_framer_feed(c.f, "ok\n", 3, on_cut_frame, &c), CG_EPARSE);
	assert_int_equal(c.fr.n, 0);
	syslog_framer_free(c.f);
}

/* Every line of the real syslog samples parses, with a host, a tag and a
 * time in the year the sample was written. */
static void real_samples(void **state)
{
	(void)state;
	REQUIRE_SHARED_DATA(data);
	static const struct {
		const char *file;
		int64_t ref; /* a reference in the sample's year */
		int has_host;
	} files[] = {
		{"logs/loghub/OpenSSH_2k.log", 1136073600 /* 2006-01-01 */, 1},
		{"logs/loghub/Linux_2k.log", 1136073600, 1},
		{"logs/crowdsec-hub/sshd-logs.log", 1767225600, 1},
		{"logs/crowdsec-hub/syslog-logs.log", 1767225600, 1},
		{"logs/crowdsec-hub/pfsense-rfc5424-filterlog.log", 1767225600, 1},
		{"logs/crowdsec-hub/pfsense-rfc5424-nginx.log", 1767225600, 1},
	};
	size_t total = 0;
	for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
		char path[4096], *buf;
		size_t len;
		snprintf(path, sizeof path, "%s/%s", data, files[k].file);
		assert_int_equal(cg_file_read(path, 64 << 20, &buf, &len), CG_OK);
		struct cg_time_ctx c = {files[k].ref, 0};
		size_t line = 0;
		for (char *p = buf, *e; p < buf + len; p = e + 1) {
			e = memchr(p, '\n', (size_t)(buf + len - p));
			if (!e)
				e = buf + len;
			line++;
			if (e == p || (e - p == 1 && *p == '\r'))
				continue;
			struct syslog_msg m;
			if (syslog_parse(p, (size_t)(e - p), &c, &m) != CG_OK || !m.has_time || !m.app.n ||
			    (files[k].has_host && !m.host.n))
				fail_msg("%s:%zu: '%.*s' not parsed", files[k].file, line, (int)(e - p), p);
			/* An inferred year puts the stamp within a year before the
			 * reference (a stamp with its own year may be anywhere). */
			int64_t s = cg_time_us_to_s(m.time.us);
			if (m.time.year_inferred && (s > files[k].ref + 2 * 86400 || s < files[k].ref - 366LL * 86400))
				fail_msg("%s:%zu: time %lld out of the sample's year", files[k].file, line, (long long)s);
			total++;
		}
		free(buf);
	}
	assert_true(total > 4000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc5424), cmocka_unit_test(structured_data), cmocka_unit_test(rfc3164),
		cmocka_unit_test(framing), cmocka_unit_test(framing_truncate), cmocka_unit_test(real_samples),
	};
	return cmocka_run_group_tests_name("syslog_parse", tests, NULL, NULL);
}
