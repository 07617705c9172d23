#include "assets_fixture.h"

static enum cg_err count_system(void *ctx, const struct asset_system *s)
{
	struct asset_system *out = ctx;
	out->level = s->level;
	out->n_hosts = s->n_hosts;
	out->id++;
	return CG_OK;
}

static void systems(void **state)
{
	(void)state;
	struct fixture *f = fixture_open();
	struct asset_system got = {0};

	assert_int_equal(store_system_add(f->db, "Cổng thông tin điện tử", 3, "Văn phòng", NULL), CG_OK);
	assert_int_equal(store_system_add(f->db, "Cổng thông tin điện tử", 2, NULL, NULL), CG_EEXIST);
	assert_non_null(strstr(cg_err_msg(CG_EEXIST), "already exists"));
	assert_int_equal(store_system_add(f->db, "x", 0, NULL, NULL), CG_EINVAL);
	assert_int_equal(store_system_add(f->db, "x", 6, NULL, NULL), CG_EINVAL);
	assert_int_equal(store_system_add(f->db, "", 2, NULL, NULL), CG_EINVAL);
	assert_int_equal(store_system_add(f->db, "Máy trạm", 1, NULL, NULL), CG_OK);
	assert_int_equal(store_system_set(f->db, "Máy trạm", 2, "Phòng CNTT", NULL), CG_OK);
	assert_int_equal(store_system_set(f->db, "none", 2, NULL, NULL), CG_ENOTFOUND);
	assert_int_equal(store_system_get(f->db, "Máy trạm", count_system, &got), CG_OK);
	assert_int_equal(got.level, 2);
	assert_int_equal(store_system_get(f->db, "nope", count_system, &got), CG_ENOTFOUND);
	assert_non_null(strstr(cg_err_msg(CG_ENOTFOUND), "'nope'"));
	memset(&got, 0, sizeof got);
	assert_int_equal(store_system_foreach(f->db, count_system, &got), CG_OK);
	assert_int_equal(got.id, 2);
	assert_int_equal(got.level, 2); /* ordered by level, highest first: the level-2 one is last */

	fx_host(f->db, "ws-ketoan-01", "10.10.3.21", "Máy trạm");
	assert_int_equal(store_system_remove(f->db, "Máy trạm"), CG_OK);
	assert_int_equal(store_system_remove(f->db, "Máy trạm"), CG_ENOTFOUND);
	/* The host stays, without a system. */
	assert_int_equal(fx_scalar(f->db, "SELECT count(*) FROM host WHERE system_id IS NULL"), 1);
	fixture_close(f);
}

static void host_records(void **state)
{
	(void)state;
	struct host_record h;

	host_record_init(&h);
	assert_int_equal(host_record_set_name(&h, " Web01.SO-MAU.example ", 22), CG_OK);
	assert_string_equal(h.name, "web01.so-mau.example");
	assert_int_equal(host_record_set_name(&h, "a b", 3), CG_EINVAL);
	assert_int_equal(host_record_set_name(&h, "", 0), CG_EINVAL);
	assert_int_equal(host_record_set_name(&h, "a..b", 4), CG_EINVAL);
	const char *addrs = "10.10.1.25; 203.0.113.25 2001:DB8:10:0:0:0:0:25,10.10.1.25";
	assert_int_equal(host_record_add_addrs(&h, addrs, strlen(addrs)), CG_OK);
	assert_int_equal(h.n_addrs, 3);
	assert_string_equal(h.addrs[2].text, "2001:db8:10::25");
	assert_int_equal(h.addrs[2].is_v6, 1);
	assert_int_equal(host_record_add_addrs(&h, "10.0.0.300", 10), CG_EINVAL);
	assert_non_null(strstr(cg_err_msg(CG_EINVAL), "'10.0.0.300' is not an IP address"));
	/* A CIDR or a domain is not a host address. */
	assert_int_equal(host_record_add_addrs(&h, "10.0.0.0/8", 10), CG_EINVAL);
	assert_int_equal(host_record_add_addrs(&h, "web.example", 11), CG_EINVAL);
	assert_int_equal(host_record_set_text(h.os, "Ubuntu\x01", 7), CG_EINVAL);
}

static void csv_header_names(void **state)
{
	(void)state;
	const char *f[] = {"STT", "Tên máy", "Địa chỉ IP", "Hệ thống", "Hệ điều hành", "Vai trò", "Vị trí"};
	size_t l[7];
	struct host_csv_map m;

	for (int i = 0; i < 7; i++)
		l[i] = strlen(f[i]);
	assert_int_equal(host_csv_map_header(&m, f, l, 7), CG_OK);
	for (int k = 0; k < HOST_COL_COUNT; k++)
		assert_int_equal(m.col[k], k + 1);
	const char *e[] = {"IP Address", "Host_Name"};
	size_t el[] = {10, 9};
	assert_int_equal(host_csv_map_header(&m, e, el, 2), CG_OK);
	assert_int_equal(m.col[HOST_COL_NAME], 1);
	assert_int_equal(m.col[HOST_COL_ADDR], 0);
	const char *n[] = {"ip", "os"};
	size_t nl[] = {2, 2};
	assert_int_equal(host_csv_map_header(&m, n, nl, 2), CG_EINVAL);
}

struct bad_log {
	char lines[16][300];
	size_t n;
};

static void collect_bad(void *ctx, const char *reason)
{
	struct bad_log *b = ctx;
	if (b->n < 16)
		snprintf(b->lines[b->n++], sizeof b->lines[0], "%s", reason);
}

static const char good_and_bad[] =
	"hostname,ip,system,os\n"
	"web01.so-mau.example,10.10.1.11;203.0.113.11,Portal,Ubuntu 22.04\n"
	"db01.so-mau.example,10.10.0.300,Portal,\n"
	"ws-ketoan-01,10.10.3.21,Máy trạm,Windows 10\n"
	"bad host,10.10.3.22,,\n";

static void import_atomic(void **state)
{
	(void)state;
	struct fixture *f = fixture_open();
	struct host_import_opts opts = {0};
	struct host_import_stats st;
	struct bad_log bad = {0};

	assert_int_equal(store_system_add(f->db, "Portal", 3, NULL, NULL), CG_OK);
	fx_host(f->db, "web01.so-mau.example", "10.10.1.99", "");
	/* Bad rows: nothing changes, not even the update of web01, and each is reported. */
	assert_int_equal(store_host_import_csv(f->db, "hosts.csv", good_and_bad, strlen(good_and_bad), &opts,
					       collect_bad, &bad, &st),
			 CG_EPARSE);
	assert_int_equal(bad.n, 3);
	assert_string_equal(bad.lines[0], "hosts.csv:3: field 'ip': '10.10.0.300' is not an IP address");
	assert_string_equal(bad.lines[1], "hosts.csv:4: field 'system': system 'Máy trạm' does not exist");
	assert_string_equal(bad.lines[2], "hosts.csv:5: field 'hostname': 'bad host' is not a host name");
	assert_int_equal(fx_scalar(f->db, "SELECT count(*) FROM host"), 1);
	assert_int_equal(fx_scalar(f->db, "SELECT count(*) FROM host_addr WHERE addr = '10.10.1.99'"), 1);
	assert_int_equal(fx_scalar(f->db, "SELECT count(*) FROM host WHERE system_id IS NOT NULL"), 0);

	/* --skip-bad: the good row goes in (web01 updated); --create-systems makes row 4 good. */
	opts.skip_bad = 1;
	opts.create_systems = 1;
	bad.n = 0;
	assert_int_equal(store_host_import_csv(f->db, "hosts.csv", good_and_bad, strlen(good_and_bad), &opts,
					       collect_bad, &bad, &st),
			 CG_OK);
	assert_int_equal(bad.n, 2);
	assert_int_equal(st.rows, 4);
	assert_int_equal(st.added, 1);
	assert_int_equal(st.updated, 1);
	assert_int_equal(st.bad, 2);
	assert_int_equal(st.systems_created, 1);
	assert_int_equal(fx_scalar(f->db, "SELECT count(*) FROM host"), 2);
	assert_int_equal(fx_scalar(f->db, "SELECT count(*) FROM host_addr WHERE addr = '10.10.1.99'"), 0);
	assert_int_equal(fx_scalar(f->db, "SELECT count(*) FROM host_addr a JOIN host h ON h.id = a.host_id"
					  " WHERE h.name = 'web01.so-mau.example'"),
			 2);
	assert_int_equal(fx_scalar(f->db, "SELECT level FROM system WHERE name = 'Máy trạm'"), 1);
	fixture_close(f);
}

static void import_malformed(void **state)
{
	(void)state;
	struct fixture *f = fixture_open();
	struct host_import_opts opts = {.skip_bad = 1};
	struct host_import_stats st;
	struct bad_log bad = {0};
	static const char quoted[] = "tên máy;địa chỉ IP\n\"a;1.2.3.4\n";
	static const char noname[] = "ip,os\n1.2.3.4,x\n";

	assert_int_equal(store_host_import_csv(f->db, "h.csv", "", 0, &opts, collect_bad, &bad, &st), CG_EPARSE);
	assert_int_equal(store_host_import_csv(f->db, "h.csv", noname, strlen(noname), &opts, collect_bad, &bad, &st),
			 CG_EINVAL);
	assert_non_null(strstr(cg_err_msg(CG_EINVAL), "h.csv:1"));
	assert_int_equal(store_host_import_csv(f->db, "h.csv", quoted, strlen(quoted), &opts, collect_bad, &bad, &st),
			 CG_OK);
	assert_int_equal(bad.n, 1);
	assert_string_equal(bad.lines[0], "h.csv:2: unterminated quoted field");
	assert_int_equal(fx_scalar(f->db, "SELECT count(*) FROM host"), 0);
	fixture_close(f);
}

struct listing_log {
	char rows[16][200];
	size_t n;
};

static enum cg_err collect_listing(void *ctx, const struct asset_listing *l)
{
	struct listing_log *g = ctx;
	if (g->n < 16)
		snprintf(g->rows[g->n++], sizeof g->rows[0], "%s %s %s %s", l->addr, l->source, l->entry, l->family);
	return CG_OK;
}

static int has_row(const struct listing_log *g, const char *row)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->rows[i], row) == 0)
			return 1;
	return 0;
}

static void listed_addresses(void **state)
{
	(void)state;
	struct fixture *f = fixture_open();
	struct listing_log g = {0};

	fx_host(f->db, "mail01", "10.10.1.25;203.0.113.25;2001:db8:10::25", "");
	fx_host(f->db, "ws01", "10.10.3.21", "");
	fx_host(f->db, "web01", "203.0.113.11", "");
	fx_intel(f->db, "botnet-list", "botnet-2026-11.csv", "ipv4", "203.0.113.25", "Mirai");
	fx_intel(f->db, "botnet-list", "botnet-2026-11.csv", "ipv6", "2001:db8:10::25", "Mirai");
	fx_intel(f->db, "drop", "drop.txt", "cidr4", "203.0.113.0/28", NULL);
	fx_intel(f->db, "level1", "level1.netset", "cidr4", "10.0.0.0/8", NULL);     /* bogon: not counted */
	fx_intel(f->db, "level1", "level1.netset", "cidr4", "10.10.3.0/24", NULL);   /* narrower: counted */
	fx_intel(f->db, "level1", "level1.netset", "cidr6", "2001:db8:10::/48", NULL);
	/* An entry of an import that is not its source's current one does not count. */
	fx_exec(f->db, "INSERT INTO intel_import(source_id, imported_at, files, format, n_records, n_unique, n_bad)"
		       " SELECT id, 0, 'old.csv', 'csv', 0, 0, 0 FROM intel_source WHERE name = 'drop';"
		       "INSERT INTO indicator(type, value) VALUES('ipv4', '203.0.113.11');"
		       "INSERT INTO intel_item(import_id, indicator_id) SELECT max(id), (SELECT id FROM indicator"
		       " WHERE value = '203.0.113.11') FROM intel_import;");
	assert_int_equal(store_host_listed_foreach(f->db, collect_listing, &g), CG_OK);
	assert_true(has_row(&g, "203.0.113.25 botnet-list 203.0.113.25 Mirai"));
	assert_true(has_row(&g, "2001:db8:10::25 botnet-list 2001:db8:10::25 Mirai"));
	assert_true(has_row(&g, "10.10.3.21 level1 10.10.3.0/24 "));
	assert_true(has_row(&g, "2001:db8:10::25 level1 2001:db8:10::/48 "));
	assert_false(has_row(&g, "10.10.3.21 level1 10.0.0.0/8 "));
	assert_false(has_row(&g, "10.10.1.25 level1 10.0.0.0/8 "));
	/* .11 is inside 203.0.113.0/28 (.0-.15), .25 is not. */
	assert_true(has_row(&g, "203.0.113.11 drop 203.0.113.0/28 "));
	assert_false(has_row(&g, "203.0.113.11 drop 203.0.113.11 "));
	assert_int_equal(g.n, 5);
	fixture_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(systems),        cmocka_unit_test(host_records),     cmocka_unit_test(csv_header_names),
		cmocka_unit_test(import_atomic),  cmocka_unit_test(import_malformed), cmocka_unit_test(listed_addresses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
