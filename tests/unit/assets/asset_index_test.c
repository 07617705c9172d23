#include "assets_fixture.h"

#include "asset_index.h"

static int64_t host_id(struct cg_db *db, const char *name)
{
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT id FROM host WHERE name = '%s'", name);
	return fx_scalar(db, sql);
}

static int64_t attr(const struct asset_index *idx, const char *line, char *label)
{
	return asset_index_attribute(idx, NULL, line, strlen(line), label, 64);
}

static void attribution(void **state)
{
	(void)state;
	struct fixture *f = fixture_open();
	struct asset_index *idx;
	char label[64];

	fx_host(f->db, "web01.so-mau.example", "10.10.1.11;203.0.113.11", "");
	fx_host(f->db, "ws-ketoan-01", "10.10.3.21", "");
	fx_host(f->db, "dc01.so-mau.example", "10.10.2.10", "");
	fx_host(f->db, "mail01.so-mau.example", "10.10.1.25;2001:db8:10::25", "");
	fx_host(f->db, "app01.a.example", "", "");
	fx_host(f->db, "app01.b.example", "", "");
	assert_int_equal(asset_index_load(f->db, &idx), CG_OK);
	assert_int_equal(asset_index_count(idx), 6);

	/* An inventory address in the line. */
	assert_int_equal(attr(idx, "Nov 24 08:12:00 fw01 kernel: [UFW BLOCK] SRC=10.10.3.21 DST=198.51.100.23", label),
			 host_id(f->db, "ws-ketoan-01"));
	assert_string_equal(label, "ws-ketoan-01");
	assert_int_equal(attr(idx, "Nov 24 10:00:01 dnsmasq[811]: query[A] www.c2.badupdate.example from 10.10.2.10",
			      label),
			 host_id(f->db, "dc01.so-mau.example"));
	/* IPv6 in its full form is the same address. */
	assert_int_equal(attr(idx, "proxy: CONNECT from 2001:db8:10:0:0:0:0:25 to 2001:db8:bad:0:0:0:0:66", label),
			 host_id(f->db, "mail01.so-mau.example"));
	/* A longer run of digits is not the address. */
	assert_int_equal(attr(idx, "x 110.10.3.21 y", label), 0);
	/* The syslog host name: short, full, any case, RFC 5424. */
	assert_int_equal(attr(idx, "Nov 24 03:00:01 web01 sshd[811]: Failed password for root from 192.0.2.14", label),
			 host_id(f->db, "web01.so-mau.example"));
	assert_string_equal(label, "web01.so-mau.example");
	assert_int_equal(attr(idx, "Nov 24 03:00:01 WEB01.SO-MAU.EXAMPLE sshd[811]: x", label),
			 host_id(f->db, "web01.so-mau.example"));
	assert_int_equal(attr(idx, "<134>1 2026-11-24T10:00:00Z dc01 named 1 - - query", label),
			 host_id(f->db, "dc01.so-mau.example"));
	/* Not in the inventory: the syslog host name is the label. */
	assert_int_equal(attr(idx, "Nov 24 03:00:01 gw02 sshd[1]: from 192.0.2.14", label), 0);
	assert_string_equal(label, "gw02");
	/* A short name two hosts share names neither. */
	assert_int_equal(attr(idx, "Nov 24 03:00:01 app01 x: y", label), 0);
	assert_string_equal(label, "app01");
	/* No host field ("kernel:" is the program): the first address is the label. */
	assert_int_equal(attr(idx, "Nov 24 03:00:01 kernel: SRC=192.0.2.14 DST=198.51.100.9", label), 0);
	assert_string_equal(label, "192.0.2.14");
	assert_int_equal(attr(idx, "CEF:0|Vendor|FW|1|100|deny|5|src=198.51.100.150 dst=192.0.2.200", label), 0);
	assert_string_equal(label, "198.51.100.150");
	assert_int_equal(attr(idx, "nothing here", label), 0);
	assert_string_equal(label, "");
	/* A tiny label buffer is filled, not overrun. */
	char small[4];
	assert_int_equal(asset_index_attribute(idx, NULL, "x 10.10.3.21", 12, small, sizeof small),
			 host_id(f->db, "ws-ketoan-01"));
	assert_string_equal(small, "ws-");
	asset_index_free(idx);

	/* Without a database everything falls back to labels. */
	assert_int_equal(asset_index_load(NULL, &idx), CG_OK);
	assert_int_equal(asset_index_count(idx), 0);
	assert_int_equal(attr(idx, "Nov 24 03:00:01 web01 sshd[811]: from 192.0.2.14", label), 0);
	assert_string_equal(label, "web01");
	assert_int_equal(attr(idx, "SRC=10.10.3.21", label), 0);
	assert_string_equal(label, "10.10.3.21");
	asset_index_free(idx);
	asset_index_free(NULL);
	fixture_close(f);
}

/* With the listed set given, the label is the first address that is not the
 * listed peer: the side of the connection that is ours. */
static void label_skips_listed(void **state)
{
	(void)state;
	struct ioc_set_builder *b;
	struct ioc_set *set;
	struct asset_index *idx;
	struct ioc ioc;
	char label[64];
	const char *line = "CEF:0|Vendor|FW|1|100|deny|5|src=198.51.100.150 dst=192.0.2.200";

	assert_int_equal(ioc_set_builder_new(&b), CG_OK);
	assert_int_equal(ioc_parse("198.51.100.128/26", 17, IOC_NONE, &ioc), CG_OK);
	assert_int_equal(ioc_set_builder_add(b, &ioc, "level1", NULL), CG_OK);
	assert_int_equal(ioc_set_build(b, &set), CG_OK);
	assert_int_equal(asset_index_load(NULL, &idx), CG_OK);
	assert_int_equal(asset_index_attribute(idx, set, line, strlen(line), label, sizeof label), 0);
	assert_string_equal(label, "192.0.2.200");
	assert_int_equal(asset_index_attribute(idx, NULL, line, strlen(line), label, sizeof label), 0);
	assert_string_equal(label, "198.51.100.150");
	asset_index_free(idx);
	ioc_set_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(attribution),
		cmocka_unit_test(label_skips_listed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
