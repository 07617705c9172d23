/* Inventory parsers on the project's samples and real dpkg status files,
 * format detection, and their errors (file, line, field). */
#include "../test_util.h"

#include "cg_file.h"
#include "inventory.h"

struct got {
	size_t n;
	char names[64][128];
	char versions[64][128];
	enum inv_kind kinds[64];
};

static enum cg_err collect(void *ctx, const struct inv_item *it)
{
	struct got *g = ctx;
	if (g->n < 64) {
		snprintf(g->names[g->n], sizeof g->names[0], "%s", it->name);
		snprintf(g->versions[g->n], sizeof g->versions[0], "%s", it->version);
		g->kinds[g->n] = it->kind;
	}
	g->n++;
	return CG_OK;
}

static enum inv_format parse_file(const char *dir, const char *name, struct got *g)
{
	char path[4096], *buf;
	size_t len;
	enum inv_format used = INV_AUTO;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	assert_int_equal(cg_file_read(path, CG_FILE_DEFAULT_CAP, &buf, &len), CG_OK);
	memset(g, 0, sizeof *g);
	if (inv_parse(INV_AUTO, name, buf, len, collect, g, &used) != CG_OK)
		fail_msg("%s: %s", name, cg_err_msg(CG_EPARSE));
	free(buf);
	return used;
}

static const char *samples(void)
{
	static char p[4096];
	snprintf(p, sizeof p, "%s/samples/vuln", getenv("CANHGAC_SRC"));
	return p;
}

static void test_samples(void **state)
{
	struct got g;
	(void)state;

	assert_int_equal(parse_file(samples(), "bigip-web-gw-tmsh.txt", &g), INV_BIGIP);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.versions[0], "17.1.0.3 build 0.0.2");
	assert_int_equal(parse_file(samples(), "bigip-lb01-VERSION", &g), INV_BIGIP);
	assert_string_equal(g.versions[0], "17.1.0.3 build 0.75.4");
	assert_int_equal(parse_file(samples(), "zimbra-mail01-zmcontrol.txt", &g), INV_ZIMBRA);
	assert_string_equal(g.versions[0], "8.8.15_P40");
	assert_int_equal(parse_file(samples(), "rpm-qa-db01.txt", &g), INV_RPM);
	assert_int_equal(g.n, 6); /* gpg-pubkey skipped */
	assert_string_equal(g.names[2], "xz");
	assert_string_equal(g.versions[2], "5.6.0-1.fc40");
	assert_int_equal(parse_file(samples(), "rpm-qf-db01.txt", &g), INV_RPM);
	assert_string_equal(g.versions[1], "1:3.0.7-16.el9_2");
	assert_int_equal(parse_file(samples(), "cpe-web02.txt", &g), INV_CPE);
	assert_string_equal(g.names[0], "samba:samba");
	assert_int_equal(parse_file(samples(), "windows-hotfix-ws01.csv", &g), INV_WINCSV);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.kinds[0], INV_KIND_WIN_KB);
	assert_int_equal(parse_file(samples(), "windows-programs-ws01.json", &g), INV_WINJSON);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.names[2], "Mozilla Firefox (x64 en-US)");
	assert_int_equal(parse_file(samples(), "systeminfo-ws01.txt", &g), INV_SYSTEMINFO);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.versions[2], "10.0.17763");
}

static void test_dpkg_real(void **state)
{
	REQUIRE_SHARED_DATA(data);
	char dir[4096];
	struct got g;
	(void)state;

	snprintf(dir, sizeof dir, "%s/vuln/pkgdb", data);
	assert_int_equal(parse_file(dir, "debian_dpkg_status", &g), INV_DPKG);
	/* 90 stanzas say "installed"; git is "deinstall ok config-files" */
	assert_int_equal(g.n, 90);
	parse_file(dir, "debian_dpkg_status_not_installed", &g);
	assert_int_equal(g.n, 3);
}

static void expect_error(enum inv_format f, const char *text, const char *needle)
{
	struct got g = {0};
	enum cg_err rc = inv_parse(f, "in.txt", text, strlen(text), collect, &g, NULL);
	assert_int_not_equal(rc, CG_OK);
	if (!strstr(cg_err_msg(rc), needle))
		fail_msg("error '%s' lacks '%s'", cg_err_msg(rc), needle);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error(INV_DPKG, "Package: a\nStatus: install ok installed\nVersion: 1\n\ngarbage\n", "in.txt:5");
	expect_error(INV_DPKG, "Package: a\nStatus: install ok installed\nVersion: 1:\n", "nothing after colon");
	expect_error(INV_DPKG, "Status: install ok installed\nVersion: 1\n", "without a 'Package'");
	expect_error(INV_RPM, "justaname\n", "in.txt:1");
	expect_error(INV_BIGIP, "Product: BIG-IP\nVersion: 17.x\n", "not a BIG-IP version");
	expect_error(INV_ZIMBRA, "nothing here\n", "no 'Release' line");
	expect_error(INV_CPE, "cpe:2.3:a:x:y:*\n", "needs a version");
	expect_error(INV_WINJSON, "[{\"Name\": \"x\"", "in.txt:1");
	expect_error(INV_WINCSV, "HotFixID\nnotakb\n", "not a KB number");
	/* a row longer than its header: the extra fields are ignored (found by fuzzing) */
	struct got g = {0};
	const char *wide = "HotFixID\nKB5032196,x,y,z\n";
	assert_int_equal(inv_parse(INV_WINCSV, "w.csv", wide, strlen(wide), collect, &g, NULL), CG_OK);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.names[0], "KB5032196");
	/* JSON holding the OS build goes to the windows-os parser */
	const char *os = "{\"ProductName\": \"Windows Server 2022 Standard\", \"CurrentBuild\": \"20348\", \"UBR\": 2113}";
	assert_int_equal(inv_detect(os, strlen(os)), INV_WINOS);
	memset(&g, 0, sizeof g);
	assert_int_equal(inv_parse(INV_AUTO, "os.json", os, strlen(os), collect, &g, NULL), CG_OK);
	assert_string_equal(g.versions[0], "10.0.20348.2113");
	assert_int_equal(g.kinds[0], INV_KIND_WIN_OS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_dpkg_real),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
