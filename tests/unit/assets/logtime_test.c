#include "../test_util.h"

#include "cg_file.h"
#include "logtime.h"

#define REF_2025_06_01 1748736000LL /* 2025-06-01T00:00:00Z */

static int64_t parse(const char *s, int64_t ref)
{
	int64_t t = -1;
	if (!logtime_parse(s, strlen(s), ref, &t))
		return -1;
	return t;
}

static void rfc5424_and_iso(void **state)
{
	(void)state;
	assert_int_equal(parse("<134>1 2025-11-06T11:32:42.868451+00:00 firewall.lan filterlog 92653 - - x", 0),
			 1762428762);
	assert_int_equal(parse("2025-11-06T18:32:42+07:00 web01 sshd[1]: x", 0), 1762428762);
	assert_int_equal(parse("2025-11-06T11:32:42Z host x", 0), 1762428762);
	assert_int_equal(parse("2025-11-06 11:32:42 x", 0), 1762428762);
	/* Zone without a colon, as some appliances write it. */
	assert_int_equal(parse("2025-11-06T12:32:42+0100 x", 0), 1762428762);
}

static void rfc3164_year_inference(void **state)
{
	(void)state;
	/* December seen in June: last year's. */
	assert_int_equal(parse("Dec 10 06:55:46 LabSZ sshd[24200]: x", REF_2025_06_01), 1733813746);
	/* February seen in June: this year's. */
	assert_int_equal(parse("Feb 12 14:10:21 sd-126005 sshd[16378]: x", REF_2025_06_01), 1739369421);
	/* Single-digit day padded with a space, and a priority in front. */
	assert_int_equal(parse("<13>Nov  6 11:32:42 h x", 1762428762 + 10), 1762428762);
	/* Feb 29 with a reference in a non-leap year goes back to the last leap year. */
	assert_int_equal(parse("Feb 29 12:00:00 h x", 1767225600 /* 2026-01-01 */), 1709208000);
	/* A day just ahead of "now" (clock skew) stays in this year. */
	assert_int_equal(parse("Nov 25 00:00:00 h x", 1795564800 - 3600), 1795564800);
}

static void asa_bind_apache_cef(void **state)
{
	(void)state;
	assert_int_equal(parse("Nov 06 2025 11:32:42 fw01 : %ASA-4-106023: Deny tcp", 0), 1762428762);
	assert_int_equal(parse("<166>Nov 06 2025 11:32:42: %ASA-6-302013: Built", 0), 1762428762);
	assert_int_equal(parse("24-Nov-2026 10:15:32.123 client @0x7f 10.10.2.10#5353 (x.example): query", 0),
			 1795515332);
	assert_int_equal(parse("[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok", 0), 1133671664);
	assert_int_equal(parse("93.43.209.58 - - [08/Jun/2020:06:49:01 +0000] \"GET / HTTP/1.0\" 500 803", 0),
			 1591598941);
	assert_int_equal(parse("0 3 PVEFW-HOST-IN 20/Jun/2022:13:09:14 +0200 policy DROP: IN=vmbr0", 0), 1655723354);
	assert_int_equal(parse("CEF:0|V|P|1|100|n|5|src=10.0.0.1 rt=1795507920000 dst=198.51.100.150", 0), 1795507920);
	assert_int_equal(parse("CEF:0|V|P|1|100|n|5|rt=1795507920 dst=x", 0), 1795507920);
}

static void garbage(void **state)
{
	(void)state;
	int64_t t = 42;
	static const char *const bad[] = {
		"", "Nov", "Nov 31 10:00:00 h x", "2025-13-01T00:00:00Z", "2025-02-30T00:00:00Z", "Foo 12 10:00:00",
		"Nov  6 25:00:00 h", "99/Jan/2020:00:00:00", "Nov  6 11:32:42123", "2025-11-06T11:32:42+25:00",
		"<999999>Nov  6 11:32:42", "CEF:0|a|b rt=12345", "xrt=1795507920000", "1969-12-31T23:59:59Z",
		"[Sun Dec 04 04:47:44 2005", "2025-11-06T11:32:42.", "Nov 06 2025 11:32",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (logtime_parse(bad[i], strlen(bad[i]), REF_2025_06_01, &t))
			fail_msg("parsed garbage '%s' as %lld", bad[i], (long long)t);
	}
	assert_int_equal(t, 42);
	assert_int_equal(logtime_parse(NULL, 0, 0, &t), 0);
	/* Not NUL-terminated: the length is honoured. */
	assert_int_equal(logtime_parse("2025-11-06T11:32:42Z", 10, 0, &t), 0);
}

/* Every line of the real samples in these formats has a stamp. */
static void count_stamped(const char *dir, const char *rel, size_t *lines, size_t *stamped)
{
	char path[1024], *buf = NULL;
	size_t len = 0;

	snprintf(path, sizeof path, "%s/%s", dir, rel);
	assert_int_equal(cg_file_read(path, 1 << 26, &buf, &len), CG_OK);
	*lines = *stamped = 0;
	for (char *p = buf, *end = buf + len; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		int64_t t;
		if (n > 0 && !(n == 1 && p[0] == '\r')) {
			(*lines)++;
			if (logtime_parse(p, n, REF_2025_06_01, &t) && t > 946684800 /* 2000 */)
				(*stamped)++;
		}
		p += n + 1;
	}
	free(buf);
}

static void real_samples(void **state)
{
	(void)state;
	REQUIRE_SHARED_DATA(dir);
	static const char *const files[] = {
		"logs/loghub/OpenSSH_2k.log", "logs/loghub/Linux_2k.log", "logs/loghub/Apache_2k.log",
		"logs/crowdsec-hub/pfsense-rfc5424-filterlog.log", "logs/crowdsec-hub/apache2-access.log",
		"logs/crowdsec-hub/iptables-ufw-scan-multi-port.log", "logs/crowdsec-hub/ssh-bf.log",
		"logs/crowdsec-hub/proxmox-iptables.log", "logs/crowdsec-hub/nginx-sqli-probing.log",
	};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		size_t lines, stamped;
		count_stamped(dir, files[i], &lines, &stamped);
		if (lines == 0 || stamped != lines)
			fail_msg("%s: %zu of %zu lines stamped", files[i], stamped, lines);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc5424_and_iso), cmocka_unit_test(rfc3164_year_inference),
		cmocka_unit_test(asa_bind_apache_cef), cmocka_unit_test(garbage), cmocka_unit_test(real_samples),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
