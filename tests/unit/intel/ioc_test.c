#include "../test_util.h"

#include "ioc.h"

static void expect(const char *in, enum ioc_type want, enum ioc_type type, const char *canon)
{
	struct ioc ioc;
	enum cg_err rc = ioc_parse(in, strlen(in), want, &ioc);
	if (rc != CG_OK)
		fail_msg("'%s' did not parse: %s", in, cg_err_msg(rc));
	if (ioc.type != type)
		fail_msg("'%s': type %s, expected %s", in, ioc_type_name(ioc.type), ioc_type_name(type));
	assert_string_equal(ioc.value, canon);
	assert_int_equal(ioc.len, strlen(canon));
}

static void reject(const char *in, enum ioc_type want)
{
	struct ioc ioc;
	if (ioc_parse(in, strlen(in), want, &ioc) == CG_OK)
		fail_msg("'%s' parsed as %s '%s' but should not", in, ioc_type_name(ioc.type), ioc.value);
}

static void addresses(void **state)
{
	(void)state;
	expect(" 192.0.2.1\r\n", IOC_NONE, IOC_IPV4, "192.0.2.1");
	/* Leading zeros are octal to inet_aton: ambiguous, never read as decimal. */
	reject("010.001.002.003", IOC_NONE);
	reject("01.2.3.4", IOC_NONE);
	reject("1.2.3.04", IOC_IPV4);
	expect("0.0.0.0", IOC_NONE, IOC_IPV4, "0.0.0.0");
	expect("10.0.100.200", IOC_NONE, IOC_IPV4, "10.0.100.200");
	expect("2001:DB8:0:0:0:0:0:1", IOC_NONE, IOC_IPV6, "2001:db8::1");
	expect("2001:db8:0:1:0:0:0:1", IOC_NONE, IOC_IPV6, "2001:db8:0:1::1");
	expect("::ffff:198.51.100.7", IOC_NONE, IOC_IPV4, "198.51.100.7");
	expect("5.6.7.9/24", IOC_NONE, IOC_CIDR4, "5.6.7.0/24");
	expect("5.6.7.9/32", IOC_NONE, IOC_IPV4, "5.6.7.9");
	expect("2001:678:6c4::/48", IOC_NONE, IOC_CIDR6, "2001:678:6c4::/48");
	expect("0.0.0.0/0", IOC_IPV4, IOC_CIDR4, "0.0.0.0/0");
	expect("1.2.3.4", IOC_IPV4, IOC_IPV4, "1.2.3.4");
	reject("300.1.2.3", IOC_NONE);
	reject("1.2.3", IOC_IPV4);
	reject("1.2.3.4.5", IOC_IPV4);
	reject("1.2.3.4/33", IOC_NONE);
	reject("1.2.3.4/", IOC_NONE);
	reject("2001:db8::1", IOC_IPV4);
	reject("1.2.3.4", IOC_IPV6);
	reject("2001:db8:::1", IOC_NONE);
}

static void domains_urls_hashes(void **state)
{
	(void)state;
	expect("Evil.EXAMPLE.com.", IOC_NONE, IOC_DOMAIN, "evil.example.com");
	expect("*.bad.example", IOC_NONE, IOC_DOMAIN, "bad.example");
	expect("evil[.]example[.]com", IOC_NONE, IOC_DOMAIN, "evil.example.com");
	expect("hxxp://Bad.Example.COM/Path?Q=1", IOC_NONE, IOC_URL, "http://bad.example.com/Path?Q=1");
	expect("hxxP://BaEp:/", IOC_NONE, IOC_URL, "http://baep:/");
	expect("D41D8CD98F00B204E9800998ECF8427E", IOC_NONE, IOC_MD5, "d41d8cd98f00b204e9800998ecf8427e");
	expect("da39a3ee5e6b4b0d3255bfef95601890afd80709", IOC_NONE, IOC_SHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	expect("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", IOC_SHA256, IOC_SHA256,
	       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	reject("localhost", IOC_NONE);
	reject("-dash.com", IOC_NONE);
	reject("dash-.com", IOC_NONE);
	reject("a.-b.example", IOC_DOMAIN);
	expect("a-b.example", IOC_NONE, IOC_DOMAIN, "a-b.example");
	expect("xn--fiqs8s.example", IOC_NONE, IOC_DOMAIN, "xn--fiqs8s.example");
	reject("bad..example", IOC_DOMAIN);
	reject("x.123", IOC_DOMAIN);
	reject("th\xc3\xa1i.vn", IOC_DOMAIN);
	reject("abc", IOC_MD5);
	reject("zz1d8cd98f00b204e9800998ecf8427e", IOC_MD5);
	reject("://nohost", IOC_URL);
	reject("http:///path", IOC_URL);
	reject("", IOC_NONE);
}

static void long_input(void **state)
{
	(void)state;
	size_t n = IOC_VALUE_MAX + 10;
	char *s = malloc(n + 1);
	struct ioc ioc;
	memset(s, 'a', n);
	s[n] = '\0';
	assert_int_not_equal(ioc_parse(s, n, IOC_NONE, &ioc), CG_OK);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(addresses),
		cmocka_unit_test(domains_urls_hashes),
		cmocka_unit_test(long_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
