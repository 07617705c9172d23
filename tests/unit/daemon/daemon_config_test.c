#include "../test_util.h"

#include "daemon_config.h"

static struct daemon_config *parse(const char *text, enum cg_err want)
{
	struct daemon_config *c = NULL;
	enum cg_err rc = daemon_config_parse("/etc/canhgac/d.yaml", text, strlen(text), &c);
	if (rc != want)
		fprintf(stderr, "# %s\n", cg_err_msg(rc));
	assert_int_equal(rc, want);
	return c;
}

static void full(void **state)
{
	(void)state;
	struct daemon_config *c = parse("database: db/canhgac.db\n"
					"user: canhgac\n"
					"workers: 3\n"
					"listeners:\n"
					"  - {name: u, proto: udp, port: 514}\n"
					"  - name: t\n"
					"    proto: tls\n"
					"    address: 0.0.0.0\n"
					"    port: 6514\n"
					"    tls_cert: /tls/c.pem\n"
					"    tls_key: k.pem\n"
					"    tls_ca: ca.pem\n"
					"    verify_client: true\n"
					"files:\n"
					"  - {path: /var/log/auth.log, from: end}\n"
					"detect: {sigma: [rules/linux, /r/windows], thresholds: t.yaml, intel_poll: 0}\n"
					"forward:\n"
					"  upstreams:\n"
					"    - {name: soc, kind: syslog-tcp, address: soc.example, port: 601}\n"
					"state_dir: /var/lib/canhgac\n",
					CG_OK);
	assert_string_equal(c->database, "/etc/canhgac/db/canhgac.db");
	assert_string_equal(c->user, "canhgac");
	assert_int_equal(c->workers, 3);
	assert_int_equal(c->n_listeners, 2);
	assert_int_equal(c->listeners[0].proto, DAEMON_UDP);
	assert_string_equal(c->listeners[0].address, "127.0.0.1");
	assert_int_equal(c->listeners[0].port, 514);
	assert_int_equal(c->listeners[1].proto, DAEMON_TLS);
	assert_string_equal(c->listeners[1].tls_cert, "/tls/c.pem");
	assert_string_equal(c->listeners[1].tls_key, "/etc/canhgac/k.pem");
	assert_true(c->listeners[1].tls_verify_client);
	assert_int_equal(c->n_files, 1);
	assert_string_equal(c->files[0].name, "/var/log/auth.log");
	assert_true(c->files[0].from_end);
	assert_int_equal(c->n_sigma, 2);
	assert_string_equal(c->sigma[0], "/etc/canhgac/rules/linux");
	assert_string_equal(c->sigma[1], "/r/windows");
	assert_int_equal(c->intel_poll_s, 0);
	assert_int_equal(c->n_upstreams, 1);
	assert_int_equal(c->upstreams[0].kind, DAEMON_UP_SYSLOG_TCP);
	assert_int_equal(c->upstreams[0].batch, 500);
	assert_true(c->metrics_on == 0);
	daemon_config_free(c);
	daemon_config_free(NULL);
}

/* Each mistake is named with its line and field. */
static void errors(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"listeners: [{name: a, proto: udp}]\n", "d.yaml:1: field 'database': missing"},
		{"database: x\n", "field 'listeners': no listener and no file"},
		{"database: x\nlisteners:\n  - {name: a, proto: sctp}\n", "d.yaml:3: field 'listeners.proto'"},
		{"database: x\nlisteners:\n  - {name: a, proto: udp, port: 70000}\n", "d.yaml:3: field 'listeners.port': must be between 0 and 65535"},
		{"database: x\nlisteners:\n  - {name: a, proto: udp}\nworkers: many\n", "d.yaml:4: field 'workers': must be a whole number"},
		{"database: x\nlisteners:\n  - {name: a, proto: udp}\nmetrics:\n  port: 1\n  colour: red\n", "d.yaml:6: field 'metrics.colour': unknown key"},
		{"database: x\nlisteners:\n  - {name: a, proto: tls}\n", "a TLS listener needs tls_cert and tls_key"},
		{"database: x\nlisteners:\n  - {name: a, proto: udp}\n  - {name: a, proto: tcp}\n", "two listeners have the same name"},
		{"database: x\nlisteners:\n  - {name: a, proto: udp}\nforward:\n  upstreams:\n    - {kind: http-json}\n", "d.yaml:6: field 'forward.upstreams.url'"},
		{"database: x\nlisteners:\n  - {name: a, proto: udp}\nforward:\n  upstreams:\n    - {kind: syslog-tcp, address: a, port: 1}\n", "forward.queue_dir"},
		{"database: [x\n", "d.yaml:"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct daemon_config *c = NULL;
		enum cg_err rc = daemon_config_parse("/etc/canhgac/d.yaml", cases[i].text, strlen(cases[i].text), &c);
		assert_int_not_equal(rc, CG_OK);
		assert_null(c);
		const char *msg = cg_err_msg(rc);
		if (!strstr(msg, cases[i].want))
			fail_msg("case %zu: '%s' does not contain '%s'", i, msg, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full),
		cmocka_unit_test(errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
