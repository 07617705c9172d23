/* agent_outbox: reports survive reopening in order, numbers never repeat,
 * the caps refuse without losing what is queued, ack deletes; and the
 * /proc/net and passwd readers of the inventory. */
#include "../test_util.h"

#include <jansson.h>
#include <sys/stat.h>

#include "agent_inv.h"
#include "agent_outbox.h"

struct seen {
	int64_t seq[16];
	char text[16][32];
	size_t n;
};

static enum cg_err collect(void *ctx, int64_t seq, json_t *item)
{
	struct seen *s = ctx;
	s->seq[s->n] = seq;
	snprintf(s->text[s->n], sizeof s->text[0], "%s", json_string_value(json_object_get(json_object_get(item, "body"), "v")));
	s->n++;
	return CG_OK;
}

static void put(struct agent_outbox *ob, const char *v, int64_t *seq, enum cg_err want)
{
	json_t *b = json_pack("{s:s}", "v", v);
	assert_int_equal(agent_outbox_put(ob, "logs", b, seq), want);
	json_decref(b);
}

static void test_order_and_reopen(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), ob_dir[300];
	struct agent_outbox *ob;
	struct seen s = {0};
	int64_t a, b, c;
	snprintf(ob_dir, sizeof ob_dir, "%s/outbox", dir);
	assert_int_equal(agent_outbox_open(ob_dir, 3, 1u << 20, &ob), CG_OK);
	put(ob, "one", &a, CG_OK);
	put(ob, "two", &b, CG_OK);
	put(ob, "three", &c, CG_OK);
	assert_true(a < b && b < c);
	put(ob, "four", &c, CG_ELIMIT); /* full: refused, the three stay */
	agent_outbox_free(ob);

	assert_int_equal(agent_outbox_open(ob_dir, 3, 1u << 20, &ob), CG_OK);
	assert_int_equal(agent_outbox_foreach(ob, collect, &s), CG_OK);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.text[0], "one");
	assert_string_equal(s.text[2], "three");
	assert_int_equal(agent_outbox_ack(ob, s.seq[0]), CG_OK);
	assert_int_equal(agent_outbox_ack(ob, s.seq[1]), CG_OK);
	assert_int_equal(agent_outbox_ack(ob, s.seq[2]), CG_OK);
	agent_outbox_free(ob);

	/* Emptied and reopened: numbering goes on, never reusing an acknowledged number
	 * (the centre would take a reused one for a replay). */
	assert_int_equal(agent_outbox_open(ob_dir, 3, 1u << 20, &ob), CG_OK);
	put(ob, "five", &a, CG_OK);
	assert_true(a > s.seq[2]);
	size_t items;
	uint64_t bytes;
	agent_outbox_usage(ob, &items, &bytes);
	assert_int_equal(items, 1);
	agent_outbox_free(ob);
	free(dir);
}

static void test_byte_cap(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	struct agent_outbox *ob;
	int64_t seq;
	char big[2000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(agent_outbox_open(dir, 100, 3000, &ob), CG_OK);
	put(ob, big, &seq, CG_OK);
	put(ob, big, &seq, CG_ELIMIT);
	put(ob, "small", &seq, CG_OK);
	agent_outbox_free(ob);
	free(dir);
}

static void test_damaged_item_set_aside(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), path[400];
	struct agent_outbox *ob;
	struct seen s = {0};
	int64_t seq;
	assert_int_equal(agent_outbox_open(dir, 100, 1u << 20, &ob), CG_OK);
	put(ob, "good", &seq, CG_OK);
	snprintf(path, sizeof path, "%s/%020lld.json", dir, (long long)(seq + 1));
	FILE *f = fopen(path, "w");
	fputs("{\"kind\":", f);
	fclose(f);
	assert_int_equal(agent_outbox_foreach(ob, collect, &s), CG_OK);
	assert_int_equal(s.n, 1);
	strcat(path, ".bad");
	assert_int_equal(access(path, F_OK), 0);
	agent_outbox_free(ob);
	free(dir);
}

static void test_proc_net(void **state)
{
	(void)state;
	/* As the kernel prints them: the address word in host (little-endian) order. */
	const char *tcp = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
			  "   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1\n"
			  "   1: 0A02000C:01BB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2\n"
			  "   2: 0100007F:9C40 0100007F:0016 01 00000000:00000000 00:00000000 00000000     0        0 3\n"
			  "garbage\n";
	const char *tcp6 = "  sl  local_address                         remote_address                        st\n"
			   "   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 0\n"
			   "   1: 00000000000000000000000001000000:0019 00000000000000000000000000000000:0000 0A 0\n";
	json_t *ports = json_array();
	agent_inv_parse_proc_net(tcp, 0, ports);
	agent_inv_parse_proc_net(tcp6, 1, ports);
	char *s = json_dumps(ports, JSON_COMPACT);
	assert_string_equal(s, "[{\"proto\":\"tcp\",\"addr\":\"127.0.0.1\",\"port\":22},"
			       "{\"proto\":\"tcp\",\"addr\":\"12.0.2.10\",\"port\":443},"
			       "{\"proto\":\"tcp6\",\"addr\":\"::\",\"port\":80},"
			       "{\"proto\":\"tcp6\",\"addr\":\"::1\",\"port\":25}]");
	free(s);
	json_decref(ports);

	json_t *users = json_array();
	agent_inv_parse_passwd("root:x:0:0:root:/root:/bin/bash\n# comment\nbroken:x\nweb:x:1001:1001:Sở Mẫu:/srv/web:/usr/sbin/nologin\nbad:x:uid:1::/:/bin/sh\n",
			       users);
	s = json_dumps(users, JSON_COMPACT);
	assert_string_equal(s, "[{\"name\":\"root\",\"uid\":0,\"home\":\"/root\",\"shell\":\"/bin/bash\"},"
			       "{\"name\":\"web\",\"uid\":1001,\"home\":\"/srv/web\",\"shell\":\"/usr/sbin/nologin\"}]");
	free(s);
	json_decref(users);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_reopen),
		cmocka_unit_test(test_byte_cap),
		cmocka_unit_test(test_damaged_item_set_aside),
		cmocka_unit_test(test_proc_net),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
