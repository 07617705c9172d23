/* fwd_record and fwd_render: the JSON of events and alerts read back with
 * jansson and compared with what was put in; RFC 5424 rendering with
 * octet counting, the meta sequenceId (1..2147483647, wrapping to 1), the
 * full number and the re-delivery mark; HTTP objects with "seq". */
#include <jansson.h>

#include "../test_util.h"

#include "alert.h"
#include "cg_buf.h"
#include "cg_event.h"
#include "fwd_record.h"
#include "fwd_render.h"

static json_t *parse(const struct cg_buf *b)
{
	json_error_t e;
	json_t *o = json_loadb(b->data, b->len, 0, &e);
	if (!o)
		fail_msg("not JSON (%s): %s", e.text, b->data);
	return o;
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	if (!s)
		fail_msg("member %s missing", k);
	return s;
}

static void test_sequence_id(void **state)
{
	(void)state;
	/* RFC 5424 §7.3.1: starts at 1, up to 2147483647, then 1 again. */
	assert_int_equal(fwd_sequence_id(1), 1);
	assert_int_equal(fwd_sequence_id(2147483647ull), 2147483647u);
	assert_int_equal(fwd_sequence_id(2147483648ull), 1);
	assert_int_equal(fwd_sequence_id(2147483647ull * 2 + 5), 5);
}

static void test_event_record(void **state)
{
	(void)state;
	struct cg_event *ev;
	struct cg_buf b;
	const char msg[] = "Failed password for \"root\" from 192.0.2.7\n\xff end";
	assert_int_equal(cg_event_new(&ev), CG_OK);
	cg_event_set_computer(ev, "fw1.so-mau.example", 18);
	cg_event_set_program(ev, "sshd", 4);
	cg_event_set_pid(ev, 4242);
	cg_event_set_severity(ev, 4, 10);
	cg_event_set_time(ev, 1765000000123456ll, 420);
	cg_event_set_received(ev, 1765000001000000ll);
	assert_int_equal(cg_event_add(ev, "message", 7, msg, sizeof msg - 1), CG_OK);
	assert_int_equal(cg_event_add(ev, "user", 4, "root", 4), CG_OK);
	assert_int_equal(cg_event_add(ev, "src_ip", 6, "192.0.2.7", 9), CG_OK);
	assert_int_equal(cg_event_add(ev, "user", 4, "admin", 5), CG_OK);
	cg_buf_init(&b, 1 << 20);
	assert_int_equal(fwd_record_event(ev, "<38>raw line", 12, "tcp-514 192.0.2.7:51514", &b), CG_OK);
	assert_null(memchr(b.data, '\n', b.len)); /* one line */
	json_t *o = parse(&b);
	assert_string_equal(str(o, "type"), "event");
	assert_string_equal(str(o, "host"), "fw1.so-mau.example");
	assert_string_equal(str(o, "app"), "sshd");
	assert_int_equal(json_integer_value(json_object_get(o, "pid")), 4242);
	assert_int_equal(json_integer_value(json_object_get(o, "severity")), 4);
	assert_int_equal(json_integer_value(json_object_get(o, "facility")), 10);
	/* 1765000000.123456 s is 2025-12-06T05:46:40.123456Z, shown at +07:00. */
	assert_string_equal(str(o, "time"), "2025-12-06T12:46:40.123456+07:00");
	assert_string_equal(str(o, "received"), "2025-12-06T05:46:41Z");
	/* The bad byte is kept as U+00FF; quotes and the newline survive. */
	assert_string_equal(str(o, "message"), "Failed password for \"root\" from 192.0.2.7\n\xc3\xbf end");
	json_t *f = json_object_get(o, "fields");
	assert_true(json_is_object(f));
	json_t *user = json_object_get(f, "user");
	assert_true(json_is_array(user));
	assert_int_equal(json_array_size(user), 2);
	assert_string_equal(json_string_value(json_array_get(user, 0)), "root");
	assert_string_equal(json_string_value(json_array_get(user, 1)), "admin");
	assert_string_equal(json_string_value(json_object_get(f, "src_ip")), "192.0.2.7");
	assert_string_equal(str(o, "raw"), "<38>raw line");
	assert_string_equal(str(o, "source"), "tcp-514 192.0.2.7:51514");
	json_decref(o);
	/* The cap of the buffer is honoured. */
	struct cg_buf small;
	cg_buf_init(&small, 40);
	assert_int_equal(fwd_record_event(ev, NULL, 0, NULL, &small), CG_ELIMIT);
	cg_buf_free(&small);
	cg_buf_free(&b);
	cg_event_free(ev);
}

static void test_alert_record(void **state)
{
	(void)state;
	struct alert a;
	struct cg_buf b;
	memset(&a, 0, sizeof a);
	memcpy(a.id, "01890a5d-ac96-774b-bcce-b302099a8057", 37);
	a.kind = ALERT_KIND_INDICATOR;
	a.indicator = "198.51.100.23";
	a.indicator_type = "ipv4";
	a.sources = "botnet-list";
	a.severity = ALERT_SEV_HIGH;
	a.host = "web1.so-mau.example";
	a.security_level = 3;
	a.count = 7;
	a.first_seen = 1765000000;
	a.last_seen = 1765000060;
	a.state = ALERT_STATE_VERIFIED;
	a.title = a.rule_id = a.level = a.family = a.system = a.state_by = "";
	cg_buf_init(&b, 1 << 20);
	assert_int_equal(fwd_record_alert(&a, &b), CG_OK);
	json_t *o = parse(&b);
	assert_string_equal(str(o, "type"), "alert");
	assert_string_equal(str(o, "id"), a.id);
	assert_string_equal(str(o, "kind"), alert_kind_name(a.kind));
	assert_string_equal(str(o, "severity"), "high");
	assert_string_equal(str(o, "state"), "verified");
	assert_string_equal(str(o, "indicator"), "198.51.100.23");
	assert_string_equal(str(o, "sources"), "botnet-list");
	assert_string_equal(str(o, "host"), "web1.so-mau.example");
	assert_int_equal(json_integer_value(json_object_get(o, "security_level")), 3);
	assert_int_equal(json_integer_value(json_object_get(o, "count")), 7);
	assert_string_equal(str(o, "first_seen"), "2025-12-06T05:46:40Z");
	assert_string_equal(str(o, "last_seen"), "2025-12-06T05:47:40Z");
	assert_null(json_object_get(o, "title")); /* empty: left out */
	json_decref(o);
	cg_buf_free(&b);
}

static void test_syslog_render(void **state)
{
	(void)state;
	struct cg_buf b;
	const char *rec = "{\"type\":\"event\",\"time\":\"2025-12-06T12:46:40.123456+07:00\",\"host\":\"fw1 so-mau\","
	                  "\"app\":\"sshd\",\"pid\":77,\"severity\":4,\"facility\":10,\"message\":\"x\"}";
	cg_buf_init(&b, 1 << 20);
	assert_int_equal(fwd_render_syslog(&b, rec, strlen(rec), 2147483648ull, 1), CG_OK);
	/* Octet counting: "LEN SP MSG" with LEN the bytes of MSG. */
	char *sp = strchr(b.data, ' ');
	assert_non_null(sp);
	assert_int_equal(strtoul(b.data, NULL, 10), b.len - (size_t)(sp + 1 - b.data));
	const char *want = "<84>1 2025-12-06T12:46:40.123456+07:00 fw1_so-mau sshd 77 event "
	                   "[meta sequenceId=\"1\"][canhgac@32473 seq=\"2147483648\" redelivery=\"1\"] ";
	assert_int_equal(strncmp(sp + 1, want, strlen(want)), 0);
	assert_string_equal(sp + 1 + strlen(want), rec);
	/* Not JSON: NILVALUEs, user.notice, the bytes as MSG, no mark. */
	cg_buf_reset(&b);
	assert_int_equal(fwd_render_syslog(&b, "plain text", 10, 5, 0), CG_OK);
	sp = strchr(b.data, ' ');
	assert_string_equal(sp + 1, "<13>1 - - - - - [meta sequenceId=\"5\"][canhgac@32473 seq=\"5\"] plain text");
	cg_buf_free(&b);
}

static void test_json_render(void **state)
{
	(void)state;
	struct cg_buf b;
	cg_buf_init(&b, 1 << 20);
	assert_int_equal(fwd_render_json(&b, "{\"type\":\"alert\",\"n\":1}", 22, 42, 1), CG_OK);
	json_t *o = parse(&b);
	assert_int_equal(json_integer_value(json_object_get(o, "seq")), 42);
	assert_true(json_is_true(json_object_get(o, "redelivery")));
	assert_string_equal(str(o, "type"), "alert");
	assert_int_equal(json_integer_value(json_object_get(o, "n")), 1);
	json_decref(o);
	cg_buf_reset(&b);
	assert_int_equal(fwd_render_json(&b, "{}", 2, 7, 0), CG_OK);
	o = parse(&b);
	assert_int_equal(json_integer_value(json_object_get(o, "seq")), 7);
	assert_null(json_object_get(o, "redelivery"));
	json_decref(o);
	cg_buf_reset(&b);
	assert_int_equal(fwd_render_json(&b, "{\"broken\":", 10, 8, 0), CG_OK);
	o = parse(&b);
	assert_string_equal(str(o, "record"), "{\"broken\":");
	json_decref(o);
	cg_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequence_id),
		cmocka_unit_test(test_event_record),
		cmocka_unit_test(test_alert_record),
		cmocka_unit_test(test_syslog_render),
		cmocka_unit_test(test_json_render),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
