#include "../test_util.h"

#include "daemon_raw.h"

/* What goes in comes out: fields, lengths, the message bytes (with NULs
 * and any byte), names cut at their maxima. */
static void round_trip(void **state)
{
	(void)state;
	static const char msg[] = "<38>1 2026-12-06T10:00:00+07:00 web01 sshd - - - a\0b\xff";
	struct daemon_raw r = {.format = 2, .flags = DAEMON_RAW_TRUNCATED, .received_us = 1765000000123456,
			       .name = "tcp-514", .name_len = 7, .peer = "192.0.2.7:51514", .peer_len = 15,
			       .msg = msg, .msg_len = sizeof msg - 1};
	size_t n = daemon_raw_size(&r);
	assert_int_equal(n, 16 + 7 + 15 + sizeof msg - 1);
	unsigned char buf[256];
	daemon_raw_encode(&r, buf);
	assert_true(daemon_raw_is(buf, n));
	struct daemon_raw o;
	assert_int_equal(daemon_raw_decode(buf, n, &o), CG_OK);
	assert_int_equal(o.format, 2);
	assert_int_equal(o.flags, DAEMON_RAW_TRUNCATED);
	assert_true(o.received_us == r.received_us);
	assert_int_equal(o.name_len, 7);
	assert_memory_equal(o.name, "tcp-514", 7);
	assert_int_equal(o.peer_len, 15);
	assert_memory_equal(o.peer, "192.0.2.7:51514", 15);
	assert_int_equal(o.msg_len, sizeof msg - 1);
	assert_memory_equal(o.msg, msg, sizeof msg - 1);

	char longname[400];
	memset(longname, 'x', sizeof longname);
	r.name = longname;
	r.name_len = sizeof longname;
	r.msg_len = 0;
	unsigned char big[1024];
	n = daemon_raw_size(&r);
	assert_int_equal(n, 16 + DAEMON_RAW_NAME_MAX + 15);
	daemon_raw_encode(&r, big);
	assert_int_equal(daemon_raw_decode(big, n, &o), CG_OK);
	assert_int_equal(o.name_len, DAEMON_RAW_NAME_MAX);
	assert_int_equal(o.msg_len, 0);
}

/* A JSON record (the older form, alerts) is not raw; a cut or lying header
 * is an error, never a read past the end. */
static void refused(void **state)
{
	(void)state;
	struct daemon_raw o;
	assert_false(daemon_raw_is("{\"type\":\"alert\"}", 16));
	assert_int_equal(daemon_raw_decode("{\"type\":\"alert\"}", 16, &o), CG_EPARSE);
	cg_err_clear();
	struct daemon_raw r = {.format = 1, .name = "udp", .name_len = 3, .peer = "p", .peer_len = 1, .msg = "m",
			       .msg_len = 1};
	unsigned char buf[64];
	size_t n = daemon_raw_size(&r);
	daemon_raw_encode(&r, buf);
	for (size_t cut = 0; cut < 16 + 3 + 1; cut++) {
		assert_int_equal(daemon_raw_decode(buf, cut, &o), CG_EPARSE);
		cg_err_clear();
	}
	assert_int_equal(daemon_raw_decode(buf, n, &o), CG_OK);
	buf[4] = 200; /* name longer than the record */
	assert_int_equal(daemon_raw_decode(buf, n, &o), CG_EPARSE);
	cg_err_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
