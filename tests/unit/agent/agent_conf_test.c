/* agent_conf: the sample configuration reads as written; a wrong key or
 * value is an error naming file and line. */
#include "../test_util.h"

#include "agent_client.h"
#include "cg_err.h"

static void test_sample(void **state)
{
	(void)state;
	char path[4096];
	struct agent_conf c;
	snprintf(path, sizeof path, "%s/samples/agent/agent.yaml", getenv("CANHGAC_SRC"));
	agent_conf_defaults(&c);
	assert_int_equal(agent_conf_load(path, &c), CG_OK);
	assert_string_equal(c.server, "centre.so-mau.example:7443");
	assert_string_equal(c.state_dir, "/var/lib/canhgac-agent");
	assert_int_equal(c.heartbeat, 60);
	assert_int_equal(c.n_watch, 2);
	assert_string_equal(c.watch[1], "/var/log/nginx/access.log");
	assert_int_equal(c.outbox_bytes, 268435456);
	agent_conf_release(&c);
}

static void bad(const char *yaml, const char *needle)
{
	char *dir = test_tmpdir(), path[4200];
	struct agent_conf c;
	snprintf(path, sizeof path, "%s/a.yaml", dir);
	FILE *f = fopen(path, "w");
	fputs(yaml, f);
	fclose(f);
	agent_conf_defaults(&c);
	enum cg_err rc = agent_conf_load(path, &c);
	if (rc == CG_OK || !strstr(cg_err_msg(rc), needle))
		fail_msg("'%s': got '%s', want '%s'", yaml, rc ? cg_err_msg(rc) : "ok", needle);
	agent_conf_release(&c);
	unlink(path);
	rmdir(dir);
	free(dir);
}

static void test_errors(void **state)
{
	(void)state;
	bad("server: a:1\nheartbeet: 5\n", "a.yaml:2: heartbeet: unknown key");
	bad("heartbeat: 0\n", ":1: heartbeat: expected a whole number in range");
	bad("heartbeat: -5\n", "heartbeat: expected a whole number");
	bad("watch: /var/log/x\n", "watch: expected a list of files");
	bad("watch:\n  - relative.log\n", "the path must be absolute");
	bad("outbox:\n  max_items: 5\n  spool: 3\n", ":3: spool: unknown key");
	bad("- a\n- b\n", "must be a mapping");
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_sample), cmocka_unit_test(test_errors)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
