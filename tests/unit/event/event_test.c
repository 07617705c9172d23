/* struct cg_event's facts as the readers fill them: event time as an
 * integer with its offset honoured for every reader (EVTX XML SystemTime,
 * JSON @timestamp / UtcTime / TimeCreated_SystemTime, syslog with and
 * without a year), received time, host, app, pid, severity, facility,
 * message, structured-data fields, and what reset and clone keep.
 *
 * Instants from hand-computed day numbers: D(2025-11-06) = 20398
 * (1762387200 s), D(2022-10-11) = 19276 (1665446400 s), D(2024-12-10) =
 * 20067 (1733788800 s). */
#include "../test_util.h"

#include <jansson.h>

#include "cg_event.h"
#include "cg_event_int.h"
#include "event_reader.h"

#define US 1000000LL

static struct cg_event *json_event(struct cg_event *ev, const char *text)
{
	json_t *j = json_loads(text, 0, NULL);
	assert_non_null(j);
	assert_int_equal(cg_event_from_json(j, ev), CG_OK);
	json_decref(j);
	return ev;
}

static void times_from_every_reader(void **state)
{
	(void)state;
	struct cg_event *ev;
	assert_int_equal(cg_event_new(&ev), CG_OK);
	/* New events: received now (wall clock), default zone Asia/Ho_Chi_Minh. */
	assert_true(cg_event_received_us(ev) > 1700000000 * US);
	assert_int_equal(cg_event_time_ctx(ev).default_offset, 420);
	assert_int_equal(cg_event_epoch(ev), -1);

	/* EVTX XML: SystemTime is UTC, 7 fraction digits. */
	const char *xml = "<Event><System><Provider Name='P'/><EventID>4625</EventID>"
			  "<TimeCreated SystemTime='2022-10-11T12:34:56.1234567Z'/><Computer>dc01</Computer></System></Event>";
	assert_int_equal(cg_event_from_xml(xml, strlen(xml), ev), CG_OK);
	assert_int_equal(cg_event_epoch(ev), 1665446400 + 45296);
	assert_int_equal(cg_event_time_us(ev), (1665446400 + 45296) * US + 123456);
	assert_string_equal(cg_event_time(ev), "2022-10-11T12:34:56.123456Z");

	/* JSON @timestamp with an offset: 11:00+07:00 is 04:00Z, before 04:00:30Z. */
	json_event(ev, "{\"@timestamp\":\"2025-11-06T11:00:00+07:00\",\"message\":\"a\"}");
	int64_t a = cg_event_time_us(ev);
	assert_int_equal(a, (1762387200 + 4 * 3600) * US);
	assert_int_equal(cg_event_time_offset(ev), 420);
	assert_string_equal(cg_event_time(ev), "2025-11-06T11:00:00+07:00");
	json_event(ev, "{\"@timestamp\":\"2025-11-06T04:00:30Z\",\"message\":\"b\"}");
	assert_true(a < cg_event_time_us(ev));

	/* Sysmon UtcTime (zone-less but UTC by name), EVTX-JSON SystemTime. */
	json_event(ev, "{\"EventID\":1,\"UtcTime\":\"2022-10-11 12:34:56.123\"}");
	assert_int_equal(cg_event_time_us(ev), (1665446400 + 45296) * US + 123000);
	json_event(ev, "{\"Event\":{\"System\":{\"EventID\":4624,\"TimeCreated\":{\"#attributes\":"
		       "{\"SystemTime\":\"2022-10-11T12:34:56Z\"}}},\"EventData\":{}}}");
	assert_int_equal(cg_event_epoch(ev), 1665446400 + 45296);
	/* A zone-less generic stamp is read in the default zone (+07:00). */
	json_event(ev, "{\"EventTime\":\"2022-10-11 19:34:56\",\"Hostname\":\"h\"}");
	assert_int_equal(cg_event_epoch(ev), 1665446400 + 45296);
	/* No time at all. */
	json_event(ev, "{\"x\":1}");
	assert_false(cg_event_has_time(ev));
	assert_int_equal(cg_event_epoch(ev), -1);
	assert_string_equal(cg_event_time(ev), "");

	/* Syslog without a year: the year comes from the received time. Read
	 * on 2025-06-01 (UTC), "Dec 10 06:55:46" (+07:00) is 2024-12-09T23:55:46Z. */
	cg_event_set_received(ev, 1748736000 * US);
	const char *l = "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186";
	assert_int_equal(cg_event_from_line(l, strlen(l), ev), CG_OK);
	assert_int_equal(cg_event_epoch(ev), 1733788800 + 24946 - 7 * 3600);
	assert_int_equal(cg_event_received_us(ev), 1748736000 * US); /* reset keeps it */
	/* The same line in UTC when the input says so. */
	cg_event_set_default_offset(ev, 0);
	assert_int_equal(cg_event_from_line(l, strlen(l), ev), CG_OK);
	assert_int_equal(cg_event_epoch(ev), 1733788800 + 24946);
	/* Syslog with a year and an offset (RFC 5424). */
	l = "<134>1 2025-11-06T11:32:42.868451+00:00 firewall.lan filterlog 92653 - - 7,,,1000000102";
	assert_int_equal(cg_event_from_line(l, strlen(l), ev), CG_OK);
	assert_int_equal(cg_event_time_us(ev), (1762387200 + 41562) * US + 868451);
	/* Three sshd failures 8 hours apart are 8 hours apart (the issue's case). */
	cg_event_set_default_offset(ev, 420);
	cg_event_set_received(ev, 1767225600 * US);
	int64_t t[3];
	const char *sshd[3] = {"Nov  6 01:00:00 web01 sshd[1]: Failed password for root from 198.51.100.9",
			       "Nov  6 09:00:00 web01 sshd[2]: Failed password for root from 198.51.100.9",
			       "Nov  6 17:00:00 web01 sshd[3]: Failed password for root from 198.51.100.9"};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(cg_event_from_line(sshd[i], strlen(sshd[i]), ev), CG_OK);
		t[i] = cg_event_epoch(ev);
	}
	assert_int_equal(t[0], 1762387200 + 3600 - 7 * 3600);
	assert_int_equal(t[1] - t[0], 8 * 3600);
	assert_int_equal(t[2] - t[1], 8 * 3600);
	/* A line of another format is still dated. */
	l = "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok";
	assert_int_equal(cg_event_from_line(l, strlen(l), ev), CG_OK);
	assert_int_equal(cg_event_epoch(ev), 1133671664 - 7 * 3600);
	cg_event_free(ev);
}

static void syslog_facts(void **state)
{
	(void)state;
	struct cg_event *ev, *copy;
	const char *v;
	size_t n;
	assert_int_equal(cg_event_new(&ev), CG_OK);
	const char *l = "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 4711 ID47 [exampleSDID@32473 "
			"iut=\"3\" eventSource=\"Appli\\\"cation\"] An application event";
	assert_int_equal(cg_event_from_line(l, strlen(l), ev), CG_OK);
	assert_int_equal(cg_event_severity(ev), 5);
	assert_int_equal(cg_event_facility(ev), 20);
	assert_int_equal(cg_event_pid(ev), 4711);
	assert_string_equal(cg_event_host(ev), "mymachine.example.com");
	assert_string_equal(cg_event_program(ev), "evntslog");
	assert_true(cg_event_message(ev, &v, &n));
	assert_string_equal(v, "An application event");
	assert_true(cg_event_get(ev, "msgid", 0, &v, &n));
	assert_string_equal(v, "ID47");
	assert_true(cg_event_get(ev, "exampleSDID@32473.eventSource", 0, &v, &n));
	assert_string_equal(v, "Appli\"cation");
	assert_int_equal(cg_event_epoch(ev), 1065910455);
	/* A clone keeps every fact. */
	assert_int_equal(cg_event_clone(ev, &copy), CG_OK);
	assert_int_equal(cg_event_time_us(copy), cg_event_time_us(ev));
	assert_int_equal(cg_event_pid(copy), 4711);
	assert_int_equal(cg_event_severity(copy), 5);
	char shown[40];
	snprintf(shown, sizeof shown, "%s", cg_event_time(ev));
	assert_string_equal(shown, "2003-10-11T22:14:15.003000Z");
	assert_string_equal(cg_event_time(copy), shown);
	cg_event_free(copy);
	/* RFC 3164: no PRI, no severity; pid and host. */
	l = "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; rhost=198.51.100.7";
	assert_int_equal(cg_event_from_line(l, strlen(l), ev), CG_OK);
	assert_int_equal(cg_event_severity(ev), -1);
	assert_int_equal(cg_event_pid(ev), 19939);
	assert_string_equal(cg_event_host(ev), "combo");
	assert_string_equal(cg_event_program(ev), "sshd(pam_unix)");
	/* Not syslog: the whole line is the message, no host. */
	l = "just some text";
	assert_int_equal(cg_event_from_line(l, strlen(l), ev), CG_OK);
	assert_string_equal(cg_event_host(ev), "");
	assert_int_equal(cg_event_pid(ev), -1);
	assert_true(cg_event_message(ev, &v, &n) && n == strlen(l));
	cg_event_free(ev);
}


/* The folding of values (eight ASCII bytes at a time where it can) against a
 * byte-by-byte model: ASCII letters lowered, everything else as the per-code
 * point rules say; random strings mixing ASCII, two- and three-byte letters
 * and stray bytes, at every alignment. Field names compare equal exactly
 * when the model (ignore spaces and ASCII case) says so. */
static unsigned long long seed = 88172645463325252ull;
static unsigned rnd(unsigned n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (unsigned)(seed % n);
}

static void model_fold(const unsigned char *s, size_t n, unsigned char *out)
{
	/* the word-at-a-time path must agree with the one-byte path, which
	 * folds one code point at a time: fold each piece alone */
	for (size_t i = 0; i < n;) {
		size_t k = 1;
		if (s[i] >= 0xc2 && s[i] <= 0xdf && i + 1 < n && (s[i + 1] & 0xc0) == 0x80)
			k = 2;
		else if (s[i] == 0xe1 && i + 2 < n && (s[i + 1] & 0xc0) == 0x80 && (s[i + 2] & 0xc0) == 0x80)
			k = 3;
		cg_event_fold_utf8(s + i, k, out + i);
		i += k;
	}
}

static void fold_words(void **state)
{
	(void)state;
	static const char *const pieces[] = {"A", "Z", "a", "z", "@", "[", "`", "{", " ", "\\", "0", "~", "\x7f",
					     "\xc3\x80", "\xc3\xa0", "\xc4\xb0", "\xe1\xba\xa0", "\xe1\xbb\x87",
					     "\x80", "\xff", "\xc3", "\x1f"};
	unsigned char s[128], a[128], b[128];
	for (int iter = 0; iter < 200000; iter++) {
		size_t n = 0, want = (size_t)rnd(40);
		while (n < want) {
			const char *p = pieces[rnd(sizeof pieces / sizeof pieces[0])];
			size_t k = strlen(p);
			memcpy(s + n, p, k);
			n += k;
		}
		size_t off = rnd(8); /* alignment of the input */
		memmove(s + off, s, n);
		cg_event_fold_utf8(s + off, n, a);
		model_fold(s + off, n, b);
		if (memcmp(a, b, n) != 0)
			fail_msg("fold differs at iteration %d, %zu bytes", iter, n);
		for (size_t i = 0; i < n; i++)
			if (s[off + i] < 0x80 && a[i] != ((s[off + i] >= 'A' && s[off + i] <= 'Z') ? s[off + i] + 32 : s[off + i]))
				fail_msg("ASCII byte %02x folded to %02x", s[off + i], a[i]);
	}
	assert_true(cg_event_name_eq("CommandLine", 11, "CommandLine", 11));
	assert_true(cg_event_name_eq("Threat Name", 11, "threatname", 10));
	assert_false(cg_event_name_eq("Image", 5, "Images", 6));
	assert_false(cg_event_name_eq("Image", 5, "Imagf", 5));
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(times_from_every_reader), cmocka_unit_test(syslog_facts),
					   cmocka_unit_test(fold_words)};
	return cmocka_run_group_tests_name("cg_event", tests, NULL, NULL);
}
