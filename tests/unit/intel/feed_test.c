#include "../test_util.h"

#include "feed.h"
#include "feed_stix.h"

/* Collects what a parse hands to the sink. */
struct got {
	size_t n_rec, n_bad, n_skip;
	char values[64][IOC_VALUE_MAX + 16];
	char families[64][FEED_FAMILY_MAX + 1];
	char first[64][32];
	char last_bad[512];
	size_t bad_line;
};

static enum cg_err rec(void *ctx, const struct feed_record *r)
{
	struct got *g = ctx;
	if (g->n_rec < 64) {
		snprintf(g->values[g->n_rec], sizeof g->values[0], "%.8s:%s", ioc_type_name(r->ioc.type), r->ioc.value);
		snprintf(g->families[g->n_rec], sizeof g->families[0], "%s", r->family ? r->family : "");
		snprintf(g->first[g->n_rec], sizeof g->first[0], "%s", r->first_seen ? r->first_seen : "");
	}
	g->n_rec++;
	return CG_OK;
}

static enum cg_err bad(void *ctx, size_t line, const char *reason)
{
	struct got *g = ctx;
	g->n_bad++;
	g->bad_line = line;
	snprintf(g->last_bad, sizeof g->last_bad, "%s", reason);
	return CG_OK;
}

static enum cg_err skip_cb(void *ctx, size_t line, const char *reason)
{
	(void)line;
	(void)reason;
	((struct got *)ctx)->n_skip++;
	return CG_OK;
}

static struct feed_counts parse(enum feed_format f, const char *text, const char *map, struct got *g)
{
	struct feed_sink sink = {.record = rec, .bad = bad, .skip = skip_cb, .ctx = g};
	struct feed_opts o = {.csv_map = map};
	struct feed_counts c;
	memset(g, 0, sizeof *g);
	enum cg_err rc = feed_parse_counted(f, text, strlen(text), &o, &sink, &c);
	if (rc)
		fail_msg("parse failed: %s", cg_err_msg(rc));
	assert_int_equal(c.entries, c.imported + c.bad + c.comments + c.skipped);
	assert_int_equal(c.bad, g->n_bad);
	assert_int_equal(c.records, g->n_rec);
	return c;
}

static void detect(void **state)
{
	(void)state;
	const char *feodo = "# x\n\"first_seen_utc\",\"dst_ip\",\"dst_port\",\"c2_status\",\"last_online\",\"malware\"\n";
	assert_int_equal(feed_detect(feodo, strlen(feodo), NULL), FEED_FEODO);
	assert_int_equal(feed_detect("; Spamhaus\n1.2.3.0/24 ; SBL1\n", 29, NULL), FEED_SPAMHAUS);
	assert_int_equal(feed_detect("0.0.0.0 bad.example\n", 20, NULL), FEED_HOSTS);
	assert_int_equal(feed_detect("$TTL 30\nbad.example CNAME .\n", 28, NULL), FEED_RPZ);
	assert_int_equal(feed_detect("{\"type\":\"bundle\",\"objects\":[]}", 30, NULL), FEED_STIX);
	assert_int_equal(feed_detect("{\"Event\":{}}", 12, NULL), FEED_MISP);
	assert_int_equal(feed_detect("STT,IP\n1,1.2.3.4\n", 17, NULL), FEED_CSV);
	assert_int_equal(feed_detect("d41d8cd98f00b204e9800998ecf8427e;EICAR\n", 39, NULL), FEED_PLAIN);
	assert_int_equal(feed_detect("1.2.3.4\n", 8, "x.netset"), FEED_FIREHOL);
	assert_int_equal(feed_detect("", 0, NULL), FEED_PLAIN);
	/* a one-column spreadsheet export */
	assert_int_equal(feed_detect("\xc4\x90\xe1\xbb\x8b" "a ch\xe1\xbb\x89 IP\n1.2.3.4\n", 24, NULL), FEED_CSV);
	assert_int_equal(feed_detect("IP\r\n1.2.3.4\r\n", 13, NULL), FEED_CSV);
}

static void plain_lines(void **state)
{
	struct got g;
	(void)state;
	struct feed_counts c = parse(FEED_PLAIN,
				     "# comment\n; other\n\n192.0.2.1 ; Mirai\nbad[.]example # phish\r\n"
				     "d41d8cd98f00b204e9800998ecf8427e;LOKI comment\n300.1.2.3\n198.51.100.5,QakBot\n"
				     "http://x.example/a;b=1,c",
				     NULL, &g);
	assert_int_equal(c.entries, 9);
	assert_int_equal(c.comments, 3);
	assert_int_equal(c.imported, 5);
	assert_int_equal(c.bad, 1);
	assert_int_equal(g.bad_line, 7);
	assert_non_null(strstr(g.last_bad, "300.1.2.3"));
	assert_string_equal(g.values[0], "ipv4:192.0.2.1");
	assert_string_equal(g.families[0], "Mirai");
	assert_string_equal(g.values[1], "domain:bad.example");
	assert_string_equal(g.values[2], "md5:d41d8cd98f00b204e9800998ecf8427e");
	assert_string_equal(g.families[2], "LOKI comment");
	assert_string_equal(g.values[3], "ipv4:198.51.100.5");
	assert_string_equal(g.families[3], "QakBot");
	assert_string_equal(g.values[4], "url:http://x.example/a;b=1,c");
}

static void spamhaus_hosts_rpz(void **state)
{
	struct got g;
	(void)state;
	struct feed_counts c = parse(FEED_SPAMHAUS, "; x\n1.10.16.0/20 ; SBL1\nbad.example ; SBL2\n; EOF", NULL, &g);
	assert_int_equal(c.imported, 1);
	assert_int_equal(c.bad, 1);
	c = parse(FEED_HOSTS, "# h\n127.0.0.1 localhost\n0.0.0.0 a.example b.example # c\n0.0.0.0 bad_name!\n", NULL, &g);
	assert_int_equal(c.skipped, 1);
	assert_int_equal(c.imported, 1);
	assert_int_equal(c.records, 2);
	assert_int_equal(c.bad, 1);
	c = parse(FEED_RPZ,
		  "$TTL 30\n@ IN SOA localhost. root.localhost. 1 2 3 4 5\n NS localhost.\n\n"
		  "a.example CNAME .\n*.b.example CNAME .\nok.example CNAME rpz-passthru.\n; c\n",
		  NULL, &g);
	assert_int_equal(c.imported, 2);
	assert_int_equal(c.skipped, 1);
	assert_string_equal(g.values[1], "domain:b.example");
}

static void csv_vietnamese(void **state)
{
	struct got g;
	(void)state;
	/* BOM, CRLF, quoted field with comma and newline, dd/mm/yyyy, no final newline. */
	struct feed_counts c = parse(FEED_AUTO,
				     "\xef\xbb\xbf" "STT,ĐỊA CHỈ IP , Tên Botnet,Thời gian phát hiện lần đầu,Đơn vị\r\n"
				     "1,203.0.113.25,Mirai,03/11/2026,\"Sở A, tỉnh Mẫu\"\r\n"
				     "2,2001:db8:77::15,Emotet,2026-10-22 19:05:00,\"dòng\nhai\"\r\n"
				     "3,300.1.2.3,Mirai,01/11/2026,x\r\n"
				     "4,203.0.113.26,Mirai,31/02/2026,x\r\n"
				     ",,,,\r\n"
				     "5,203.0.113.27,Mozi,,y",
				     NULL, &g);
	assert_int_equal(c.format, FEED_CSV);
	assert_int_equal(c.imported, 3);
	assert_int_equal(c.bad, 2);
	assert_string_equal(g.values[0], "ipv4:203.0.113.25");
	assert_string_equal(g.families[0], "Mirai");
	assert_string_equal(g.first[0], "2026-11-03");
	assert_string_equal(g.values[1], "ipv6:2001:db8:77::15");
	assert_string_equal(g.first[1], "2026-10-22T19:05:00Z");
	assert_non_null(strstr(g.last_bad, "is not a date"));
	/* --map overrides */
	c = parse(FEED_CSV, "Máy,Loại\n192.0.2.7,Mirai\n", "ip=máy,family=LOẠI", &g);
	assert_int_equal(c.imported, 1);
	assert_string_equal(g.families[0], "Mirai");
	/* bad IP names the field */
	c = parse(FEED_CSV, "Địa chỉ IP\n300.1.2.3\n", NULL, &g);
	assert_string_equal(g.last_bad, "field 'Địa chỉ IP': '300.1.2.3' is not an IP address");
	assert_int_equal(g.bad_line, 2);
}

static void csv_errors(void **state)
{
	struct feed_sink sink = {.record = rec, .bad = bad, .ctx = NULL};
	struct got g;
	struct feed_opts o = {.csv_map = "ip=Nope"};
	(void)state;
	sink.ctx = &g;
	assert_int_equal(feed_parse(FEED_CSV, "Name,Note\na,b\n", 14, NULL, &sink), CG_EPARSE);
	assert_int_equal(feed_parse(FEED_CSV, "IP\n1.2.3.4\n", 11, &o, &sink), CG_EINVAL);
}

static enum cg_err cmp_cb(void *ctx, const char *path, const char *value, int eq)
{
	char *out = ctx;
	size_t l = strlen(out);
	snprintf(out + l, 1024 - l, "%s%s=%s%s", l ? "|" : "", path, value, eq ? "" : "(ne)");
	return CG_OK;
}

static void stix_patterns(void **state)
{
	char out[1024];
	(void)state;
#define PAT(p, want)                                                                    \
	do {                                                                            \
		out[0] = '\0';                                                          \
		enum cg_err rc_ = feed_stix_pattern(p, strlen(p), cmp_cb, out);         \
		if (rc_)                                                                \
			fail_msg("%s: %s", p, cg_err_msg(rc_));                          \
		assert_string_equal(out, want);                                         \
	} while (0)
	PAT("[ipv4-addr:value = '1.2.3.4']", "ipv4-addr:value=1.2.3.4");
	PAT("[ipv4-addr:value = '1.2.3.4'] AND [ipv4-addr:value = '5.6.7.8']",
	    "ipv4-addr:value=1.2.3.4|ipv4-addr:value=5.6.7.8");
	PAT("([a:value = 'x'] AND [b:value = 'y']) OR [file:hashes.MD5 = 'z']", "a:value=x|b:value=y|file:hashes.MD5=z");
	PAT("[(file:hashes.MD5 = 'a' OR file:hashes.'SHA-256' = 'b') AND file:name = 'c']",
	    "file:hashes.MD5=a|file:hashes.SHA-256=b|file:name=c");
	PAT("[domain-name:value IN ('a.example', 'b.example')]", "domain-name:value=a.example|domain-name:value=b.example");
	PAT("[url:value != 'x' AND url:value NOT = 'y'] WITHIN 5 SECONDS", "url:value=x(ne)|url:value=y(ne)");
	PAT("[x:y[*].value = 'it\\'s'] ", "x:y[*].value=it's");
	out[0] = '\0';
	assert_int_equal(feed_stix_pattern("[ipv4-addr:value = '1.2.3.4'", 28, cmp_cb, out), CG_EPARSE);
	assert_int_equal(feed_stix_pattern("ipv4-addr:value = 'x'", 21, cmp_cb, out), CG_EPARSE);
	char deep[400];
	memset(deep, '(', 200);
	memcpy(deep + 200, "[a:b = 'c']", 11);
	memset(deep + 211, ')', 189);
	assert_int_equal(feed_stix_pattern(deep, sizeof deep, cmp_cb, out), CG_ELIMIT);
}

static void stix_bundle(void **state)
{
	struct got g;
	(void)state;
	struct feed_counts c = parse(
		FEED_STIX,
		"{\"type\":\"bundle\",\"objects\":[\n"
		"{\"type\":\"indicator\",\"id\":\"indicator--1\",\"pattern\":\"[ipv4-addr:value = '198.51.100.1'] OR "
		"[ipv6-addr:value = '2001:db8::1']\",\"valid_from\":\"2026-01-02T03:04:05.123Z\"},\n"
		"{\"type\":\"indicator\",\"id\":\"indicator--2\",\"pattern\":\"[x509-certificate:issuer = 'x']\"},\n"
		"{\"type\":\"indicator\",\"id\":\"indicator--3\",\"pattern\":\"[ipv4-addr:value = '300.0.0.1']\"},\n"
		"{\"type\":\"malware\",\"id\":\"malware--1\",\"name\":\"SyncRAT\"},\n"
		"{\"type\":\"relationship\",\"relationship_type\":\"indicates\",\"source_ref\":\"indicator--1\","
		"\"target_ref\":\"malware--1\"}]}",
		NULL, &g);
	assert_int_equal(c.entries, 3);
	assert_int_equal(c.imported, 1);
	assert_int_equal(c.records, 2);
	assert_int_equal(c.skipped, 1);
	assert_int_equal(c.bad, 1);
	assert_int_equal(g.bad_line, 4);
	assert_string_equal(g.families[0], "SyncRAT");
	assert_string_equal(g.first[0], "2026-01-02T03:04:05Z");
	assert_string_equal(g.values[1], "ipv6:2001:db8::1");
}

static void misp(void **state)
{
	struct got g;
	(void)state;
	struct feed_counts c = parse(
		FEED_MISP,
		"{\"response\":[{\"Event\":{\"date\":\"2026-11-01\",\"Tag\":[{\"name\":\"misp-galaxy:malpedia=\\\"Emotet\\\"\"}],"
		"\"Attribute\":[{\"type\":\"ip-dst|port\",\"value\":\"198.51.100.23|443\",\"uuid\":\"u1\"},"
		"{\"type\":\"text\",\"value\":\"hello\",\"uuid\":\"u2\"}],"
		"\"Object\":[{\"Attribute\":[{\"type\":\"domain|ip\",\"value\":\"c2.example|192.0.2.5\",\"uuid\":\"u3\"},"
		"{\"type\":\"filename|sha1\",\"value\":\"a.exe|da39a3ee5e6b4b0d3255bfef95601890afd80709\",\"uuid\":\"u4\"},"
		"{\"type\":\"md5\",\"value\":\"da39a3ee5e6b4b0d3255bfef95601890afd80709\",\"uuid\":\"u5\"}]}]}}]}",
		NULL, &g);
	assert_int_equal(c.entries, 5);
	assert_int_equal(c.imported, 3);
	assert_int_equal(c.records, 4);
	assert_int_equal(c.skipped, 1);
	assert_int_equal(c.bad, 1);
	assert_string_equal(g.values[0], "ipv4:198.51.100.23");
	assert_string_equal(g.families[0], "\"Emotet\"");
	assert_string_equal(g.first[0], "2026-11-01");
	assert_string_equal(g.values[2], "ipv4:192.0.2.5");
}

static void hostile(void **state)
{
	struct feed_sink sink = {.record = rec, .bad = bad};
	struct got g;
	(void)state;
	memset(&g, 0, sizeof g);
	sink.ctx = &g;
	assert_int_equal(feed_parse(FEED_STIX, "{\"objects\":[", 12, NULL, &sink), CG_EPARSE);
	assert_int_equal(feed_parse(FEED_MISP, "[1,2]", 5, NULL, &sink), CG_EPARSE);
	size_t n = FEED_LINE_MAX + 100;
	char *big = malloc(n);
	memset(big, 'a', n);
	big[n - 1] = '\n';
	assert_int_equal(feed_parse(FEED_PLAIN, big, n, NULL, &sink), CG_OK);
	assert_int_equal(g.n_bad, 1);
	free(big);
	char dates[32];
	assert_int_equal(feed_date_normalize("29/02/2026x", 11, dates, sizeof dates), -1);
	assert_int_equal(feed_date_normalize("1/2/2026", 8, dates, sizeof dates), 0);
	assert_string_equal(dates, "2026-02-01");
	assert_int_equal(feed_date_normalize("1700000000", 10, dates, sizeof dates), 0);
	assert_string_equal(dates, "2023-11-14T22:13:20Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(detect),	  cmocka_unit_test(plain_lines), cmocka_unit_test(spamhaus_hosts_rpz),
		cmocka_unit_test(csv_vietnamese), cmocka_unit_test(csv_errors),	 cmocka_unit_test(stix_patterns),
		cmocka_unit_test(stix_bundle),	  cmocka_unit_test(misp),	 cmocka_unit_test(hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
