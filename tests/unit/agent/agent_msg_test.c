/* agent_msg: the strict parser (every member checked, unknown ones and
 * overlong values refused with the member named) and the frame header. */
#include "../test_util.h"

#include "agent.h"
#include "agent_msg.h"
#include "cg_err.h"

static enum cg_err parse(const char *s, struct agent_msg **m)
{
	return agent_msg_parse(s, strlen(s), m);
}

static void refused(const char *s, enum cg_err want, const char *needle)
{
	struct agent_msg *m = NULL;
	enum cg_err rc = parse(s, &m);
	if (rc != want || !strstr(cg_err_msg(rc), needle))
		fail_msg("'%s': got %d '%s', want %d naming '%s'", s, rc, cg_err_msg(rc), want, needle);
	assert_null(m);
}

static void test_hello(void **state)
{
	(void)state;
	struct agent_msg *m;
	assert_int_equal(parse("{\"type\":\"hello\",\"hostname\":\"web01\",\"version\":\"0.1\",\"addresses\":[\"192.0.2.1\",\"2001:db8::1\"]}", &m), CG_OK);
	assert_int_equal(m->type, AGENT_MSG_HELLO);
	assert_string_equal(m->hostname, "web01");
	assert_int_equal(m->n_addresses, 2);
	assert_string_equal(m->addresses[1], "2001:db8::1");
	agent_msg_free(m);
	agent_msg_free(NULL);
}

static void test_report_kinds(void **state)
{
	(void)state;
	struct agent_msg *m;
	assert_int_equal(parse("{\"type\":\"report\",\"seq\":7,\"kind\":\"logs\",\"body\":{\"file\":\"/var/log/a\",\"offset\":3,\"lines\":[\"x\",\"y\"]}}", &m), CG_OK);
	assert_int_equal(m->kind, AGENT_REPORT_LOGS);
	assert_int_equal(m->seq, 7);
	assert_int_equal(m->offset, 3);
	assert_int_equal(m->n_lines, 2);
	agent_msg_free(m);
	assert_int_equal(parse("{\"type\":\"report\",\"seq\":1,\"kind\":\"inventory\",\"body\":{\"format\":\"none\",\"ports\":[{\"proto\":\"tcp6\",\"addr\":\"::\",\"port\":443}],\"users\":[{\"name\":\"root\",\"uid\":0}]}}", &m), CG_OK);
	assert_int_equal(m->n_ports, 1);
	assert_int_equal(m->ports[0].port, 443);
	assert_int_equal(m->n_users, 1);
	assert_null(m->users[0].home);
	agent_msg_free(m);
}

static void test_refusals(void **state)
{
	(void)state;
	refused("", CG_EPARSE, "agent message");
	refused("[]", CG_EPARSE, "not a JSON object");
	refused("{\"type\":\"ack\",\"seq\":1,\"seq\":2}", CG_EPARSE, "agent message");
	refused("{\"type\":\"nope\"}", CG_EPARSE, "'type': unknown type");
	refused("{\"type\":\"hello\",\"hostname\":\"h\",\"version\":\"1\",\"agent\":2}", CG_EPARSE, "'agent': unknown member");
	refused("{\"type\":\"hello\",\"version\":\"1\"}", CG_EPARSE, "'hostname': missing");
	refused("{\"type\":\"hello\",\"hostname\":7,\"version\":\"1\"}", CG_EPARSE, "'hostname': not a string");
	refused("{\"type\":\"ack\",\"seq\":0}", CG_EPARSE, "'seq': out of range");
	refused("{\"type\":\"ack\",\"seq\":1.5}", CG_EPARSE, "'seq': not an integer");
	refused("{\"type\":\"report\",\"seq\":1,\"kind\":\"inventory\",\"body\":{\"format\":\"apk\"}}", CG_EPARSE, "'format'");
	refused("{\"type\":\"report\",\"seq\":1,\"kind\":\"inventory\",\"body\":{\"format\":\"none\",\"ports\":[{\"proto\":\"udp\",\"addr\":\"::\",\"port\":1}]}}",
		CG_EPARSE, "'proto'");
	refused("{\"type\":\"report\",\"seq\":1,\"kind\":\"inventory\",\"body\":{\"format\":\"none\",\"ports\":[{\"proto\":\"tcp\",\"addr\":\"::\",\"port\":70000}]}}",
		CG_EPARSE, "'port': out of range");
	refused("{\"type\":\"report\",\"seq\":1,\"kind\":\"result\",\"body\":{\"task\":1,\"status\":\"maybe\"}}", CG_EPARSE, "'status'");
	refused("{\"type\":\"report\",\"seq\":1,\"kind\":\"result\",\"body\":{\"task\":1,\"status\":\"done\",\"file\":{\"path\":\"/a\",\"sha256\":\"ABC\",\"size\":1,\"data\":\"\"}}}",
		CG_EPARSE, "'sha256'");
	refused("{\"type\":\"tasks\",\"tasks\":[{\"id\":1,\"kind\":\"rm\",\"path\":\"/\"}]}", CG_EPARSE, "'kind'");
	refused("{\"type\":\"hello\",\"hostname\":\"a\\u0000b\",\"version\":\"1\"}", CG_EPARSE, "agent message");
}

static void test_caps(void **state)
{
	(void)state;
	/* a line one byte over the cap, then exactly at it */
	size_t n = AGENT_LINE_MAX + 1;
	char *line = malloc(n + 1);
	memset(line, 'x', n);
	line[n] = '\0';
	char *msg = malloc(n + 200);
	snprintf(msg, n + 200, "{\"type\":\"report\",\"seq\":1,\"kind\":\"logs\",\"body\":{\"file\":\"/f\",\"offset\":0,\"lines\":[\"%s\"]}}", line);
	refused(msg, CG_EPARSE, "'lines': too long");
	line[n - 1] = '\0';
	snprintf(msg, n + 200, "{\"type\":\"report\",\"seq\":1,\"kind\":\"logs\",\"body\":{\"file\":\"/f\",\"offset\":0,\"lines\":[\"%s\"]}}", line);
	struct agent_msg *m;
	assert_int_equal(parse(msg, &m), CG_OK);
	agent_msg_free(m);
	free(msg);
	free(line);
	/* the whole message over the frame cap */
	assert_int_equal(agent_msg_parse("{}", (size_t)AGENT_MSG_MAX + 1, &m), CG_ELIMIT);
}

static void test_frame(void **state)
{
	(void)state;
	size_t len;
	const unsigned char ok[4] = {0, 0, 1, 0}, zero[4] = {0}, big[4] = {0x7f, 0xff, 0xff, 0xff};
	assert_int_equal(agent_frame_len(ok, &len), CG_OK);
	assert_int_equal(len, 256);
	assert_int_equal(agent_frame_len(zero, &len), CG_EPARSE);
	assert_int_equal(agent_frame_len(big, &len), CG_ELIMIT);
	json_t *v = json_pack("{s:s,s:I}", "type", "ack", "seq", (json_int_t)3);
	unsigned char *f;
	assert_int_equal(agent_frame_build(v, &f, &len), CG_OK);
	size_t body;
	assert_int_equal(agent_frame_len(f, &body), CG_OK);
	assert_int_equal(body + 4, len);
	struct agent_msg *m;
	assert_int_equal(agent_msg_parse(f + 4, body, &m), CG_OK);
	assert_int_equal(m->type, AGENT_MSG_ACK);
	assert_int_equal(m->seq, 3);
	agent_msg_free(m);
	free(f);
	json_decref(v);
}

static void test_token(void **state)
{
	(void)state;
	struct agent_token_parts p;
	char tok[200], a[65], b[65];
	memset(a, 'a', 64);
	a[64] = '\0';
	memset(b, '0', 64);
	b[64] = '\0';
	snprintf(tok, sizeof tok, "cga1.42.%s.%s", a, b);
	assert_int_equal(agent_token_parse(tok, &p), CG_OK);
	assert_int_equal(p.id, 42);
	assert_string_equal(p.secret, a);
	assert_string_equal(p.fingerprint, b);
	snprintf(tok, sizeof tok, "cga1.-1.%s.%s", a, b);
	assert_int_equal(agent_token_parse(tok, &p), CG_EPARSE);
	snprintf(tok, sizeof tok, "cga1.1.%s.%s", a, "AB");
	assert_int_equal(agent_token_parse(tok, &p), CG_EPARSE);
	snprintf(tok, sizeof tok, "cga1.1.%.63s.%s", a, b);
	assert_int_equal(agent_token_parse(tok, &p), CG_EPARSE);
	snprintf(tok, sizeof tok, "cga2.1.%s.%s", a, b);
	assert_int_equal(agent_token_parse(tok, &p), CG_EPARSE);
	int64_t s;
	assert_int_equal(agent_ttl_parse("24h", &s), CG_OK);
	assert_int_equal(s, 86400);
	assert_int_equal(agent_ttl_parse("30m", &s), CG_OK);
	assert_int_equal(s, 1800);
	assert_int_equal(agent_ttl_parse("7d", &s), CG_OK);
	assert_int_equal(s, 7 * 86400);
	assert_int_equal(agent_ttl_parse("31d", &s), CG_EINVAL);
	assert_int_equal(agent_ttl_parse("10s", &s), CG_EINVAL);
	assert_int_equal(agent_ttl_parse("1hh", &s), CG_EINVAL);
	assert_int_equal(agent_ttl_parse("-1h", &s), CG_EINVAL);
}

static void test_scan_task(void **state)
{
	(void)state;
	struct agent_msg *m;
	const char *ok = "{\"type\":\"tasks\",\"tasks\":[{\"id\":1,\"kind\":\"scan\",\"path\":\"/srv\",\"rules\":[{\"name\":\"0000-a.yar\",\"source\":\"rule A { condition: true }\"},{\"name\":\"0001-b.yara\",\"source\":\"\"}]},{\"id\":2,\"kind\":\"collect\",\"path\":\"/etc/passwd\"}]}";
	assert_int_equal(parse(ok, &m), CG_OK);
	assert_int_equal(m->n_tasks, 2);
	assert_int_equal(m->tasks[0].n_rules, 2);
	assert_string_equal(m->tasks[0].rules[1].name, "0001-b.yara");
	assert_int_equal(m->tasks[1].n_rules, 0);
	agent_msg_free(m);
	refused("{\"type\":\"tasks\",\"tasks\":[{\"id\":1,\"kind\":\"scan\",\"path\":\"/\",\"rules\":[{\"name\":\"../x.yar\",\"source\":\"\"}]}]}", CG_EPARSE, "'name': not a plain file name");
	refused("{\"type\":\"tasks\",\"tasks\":[{\"id\":1,\"kind\":\"scan\",\"path\":\"/\",\"rules\":[{\"name\":\".hidden\",\"source\":\"\"}]}]}", CG_EPARSE, "'name'");
	refused("{\"type\":\"tasks\",\"tasks\":[{\"id\":1,\"kind\":\"scan\",\"path\":\"/\",\"rules\":[{\"name\":\"a\",\"source\":\"\"},{\"name\":\"a\",\"source\":\"\"}]}]}", CG_EPARSE, "given twice");
	refused("{\"type\":\"tasks\",\"tasks\":[{\"id\":1,\"kind\":\"collect\",\"path\":\"/\",\"rules\":[{\"name\":\"a\",\"source\":\"\"}]}]}", CG_EPARSE, "only a scan task");
	refused("{\"type\":\"tasks\",\"tasks\":[{\"id\":1,\"kind\":\"scan\",\"path\":\"/\",\"rules\":[{\"name\":\"a\",\"source\":\"\",\"x\":1}]}]}", CG_EPARSE, "'x': unknown member");
	refused("{\"type\":\"tasks\",\"tasks\":[{\"id\":1,\"kind\":\"scan\",\"path\":\"/\",\"rules\":[{\"name\":\"a\",\"source\":7}]}]}", CG_EPARSE, "'source': not a string");
}

static void test_scan_result(void **state)
{
	(void)state;
	struct agent_msg *m;
	const char *ok = "{\"type\":\"report\",\"seq\":4,\"kind\":\"result\",\"body\":{\"task\":8,\"status\":\"done\",\"files_scanned\":3,\"bytes_scanned\":10,\"rules\":1,\"hits_total\":3,"
			 "\"hits\":[{\"kind\":\"yara\",\"rule\":\"A\",\"path\":\"/srv/a.zip!x/y\",\"file\":\"/srv/a.zip\",\"size\":5,\"tags\":\"t\",\"description\":\"d\",\"sha256\":\"" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" "\"},"
			 "{\"kind\":\"eicar\",\"rule\":\"EICAR\",\"path\":\"/srv/e\",\"file\":\"/srv/e\",\"size\":68,\"md5\":\"44d88612fea8a8f36de82e1278abb02f\"}],"
			 "\"problems\":[{\"kind\":\"unreadable\",\"path\":\"/srv/p\",\"message\":\"denied\"}],\"problem_counts\":{\"unreadable\":4,\"cut\":0}}}";
	assert_int_equal(parse(ok, &m), CG_OK);
	assert_int_equal(m->n_hits, 2);
	assert_int_equal(m->hits_total, 3);
	assert_string_equal(m->hits[0].file, "/srv/a.zip");
	assert_null(m->hits[1].sha256);
	assert_string_equal(m->hits[1].md5, "44d88612fea8a8f36de82e1278abb02f");
	assert_int_equal(m->n_problems, 1);
	assert_int_equal(json_integer_value(json_object_get(m->problem_counts, "unreadable")), 4);
	agent_msg_free(m);
#define R(hits, extra) "{\"type\":\"report\",\"seq\":4,\"kind\":\"result\",\"body\":{\"task\":8,\"status\":\"done\",\"hits_total\":5,\"hits\":[" hits "]" extra "}}"
	refused(R("{\"kind\":\"hash\",\"rule\":\"A\",\"path\":\"/a\",\"file\":\"/a\",\"size\":1}", ""), CG_EPARSE, "'kind': not 'yara' or 'eicar'");
	refused(R("{\"kind\":\"yara\",\"rule\":\"A\",\"path\":\"/b\",\"file\":\"/a\",\"size\":1}", ""), CG_EPARSE, "'path'");
	refused(R("{\"kind\":\"yara\",\"rule\":\"A\",\"path\":\"/ab\",\"file\":\"/a\",\"size\":1}", ""), CG_EPARSE, "'path'");
	refused(R("{\"kind\":\"yara\",\"rule\":\"A\",\"path\":\"a\",\"file\":\"a\",\"size\":1}", ""), CG_EPARSE, "'path'");
	refused(R("{\"kind\":\"yara\",\"path\":\"/a\",\"file\":\"/a\",\"size\":1}", ""), CG_EPARSE, "'rule': missing");
	refused(R("{\"kind\":\"yara\",\"rule\":\"A\",\"path\":\"/a\",\"file\":\"/a\",\"size\":1,\"sha1\":\"AB\"}", ""), CG_EPARSE, "'sha1'");
	refused(R("", ",\"problems\":[{\"kind\":\"odd\",\"path\":\"/a\",\"message\":\"m\"}]"), CG_EPARSE, "'kind': unknown kind");
	refused(R("", ",\"problem_counts\":{\"unreadable\":-1}"), CG_EPARSE, "'unreadable': not a count");
	refused(R("", ",\"problem_counts\":{\"other\":1}"), CG_EPARSE, "'other': unknown member");
	refused("{\"type\":\"report\",\"seq\":4,\"kind\":\"result\",\"body\":{\"task\":8,\"status\":\"done\",\"hits_total\":0,\"hits\":[{\"kind\":\"yara\",\"rule\":\"A\",\"path\":\"/a\",\"file\":\"/a\",\"size\":1}]}}", CG_EPARSE, "'hits_total'");
#undef R
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello), cmocka_unit_test(test_scan_task), cmocka_unit_test(test_scan_result),    cmocka_unit_test(test_report_kinds), cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_caps),     cmocka_unit_test(test_frame),        cmocka_unit_test(test_token),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
