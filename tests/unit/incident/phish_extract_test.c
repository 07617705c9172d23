/* URL extraction: plain, HTML entities, defanged forms, trailing
 * punctuation, hosts; Received headers. */
#include "../test_util.h"
#include "phish_extract.h"

struct got {
	char items[32][IOC_VALUE_MAX + 16];
	size_t n;
};

static enum cg_err collect(void *ctx, const struct ioc *ioc, const char *where)
{
	struct got *g = ctx;
	(void)where;
	if (g->n < 32)
		snprintf(g->items[g->n++], sizeof g->items[0], "%s %s", ioc_type_name(ioc->type), ioc->value);
	return CG_OK;
}

static int has(const struct got *g, const char *s)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->items[i], s) == 0)
			return 1;
	return 0;
}

static void urls(void **state)
{
	struct got g = {0};
	const char *text = "Go to hxxp://evil[.]example/login. Or (https://Good.Example/a?b=1&amp;c=2), "
			   "xhttp://no.example/ and http[:]//third(.)example/x!";
	(void)state;

	assert_int_equal(phish_extract_urls(text, strlen(text), 1, "t", collect, &g), CG_OK);
	assert_true(has(&g, "url http://evil.example/login"));
	assert_true(has(&g, "domain evil.example"));
	assert_true(has(&g, "url https://good.example/a?b=1&c=2"));
	assert_true(has(&g, "domain good.example"));
	assert_true(has(&g, "url http://third.example/x"));
	assert_false(has(&g, "domain no.example"));
	g.n = 0;
	/* Not HTML: the entity stays as written. */
	assert_int_equal(phish_extract_urls("http://a.example/?x=1&amp;y", 27, 0, "t", collect, &g), CG_OK);
	assert_true(has(&g, "url http://a.example/?x=1&amp;y"));
}

static void received(void **state)
{
	struct got g = {0};
	const char *h = "from mail.bad.example (unknown [192.0.2.45]) by mx.so-mau.example (Postfix) with ESMTP; "
			"via 2001:db8::25";
	(void)state;

	assert_int_equal(phish_extract_received(h, strlen(h), "r", collect, &g), CG_OK);
	assert_true(has(&g, "ipv4 192.0.2.45"));
	assert_true(has(&g, "ipv6 2001:db8::25"));
	assert_true(has(&g, "domain mail.bad.example"));
	assert_false(has(&g, "domain mx.so-mau.example"));
}

static void mail_domain(void **state)
{
	struct ioc d;
	(void)state;
	assert_int_equal(phish_mail_domain("<x@Sub.Example>", &d), CG_OK);
	assert_string_equal(d.value, "sub.example");
	assert_int_not_equal(phish_mail_domain("nobody", &d), CG_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(urls),
		cmocka_unit_test(received),
		cmocka_unit_test(mail_domain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
