/* Microsoft matching: the build and program tables, the windows-os
 * inventory parser, and the matcher's rules for Windows (own product,
 * sibling edition bounds, unknown revision, vendor ranges with hotfixes). */
#include "../test_util.h"

#include "cg_file.h"
#include "inventory.h"
#include "vuln_match.h"
#include "winprod.h"

static void test_os_lookup(void **state)
{
	struct winprod_os os;
	(void)state;

	assert_int_equal(winprod_os_lookup("Windows Server 2019 Datacenter", "10.0.17763.3887", &os), 0);
	assert_string_equal(os.product, "windows_server_2019");
	assert_string_equal(os.label, "-");
	assert_string_equal(os.sibling, "windows_10_1809");
	assert_true(os.has_revision && os.is_server);
	assert_int_equal(os.revision, 3887);
	/* systeminfo: no revision */
	assert_int_equal(winprod_os_lookup("Microsoft Windows Server 2019 Standard", "10.0.17763", &os), 0);
	assert_false(os.has_revision);
	/* Windows 11 reports "Windows 10" in ProductName: the build decides */
	assert_int_equal(winprod_os_lookup("Windows 10 Pro", "10.0.22631.2715", &os), 0);
	assert_string_equal(os.product, "windows_11_23h2");
	assert_string_equal(os.legacy, "windows_11");
	assert_string_equal(os.legacy_label, "23h2");
	assert_null(os.sibling);
	assert_int_equal(winprod_os_lookup("Windows 10 Enterprise", "10.0.17763.5122", &os), 0);
	assert_string_equal(os.product, "windows_10_1809");
	assert_string_equal(os.sibling, "windows_server_2019");
	assert_int_equal(winprod_os_lookup("Windows Server 2012 R2 Standard", "6.3.9600.21620", &os), 0);
	assert_string_equal(os.product, "windows_server_2012");
	assert_string_equal(os.label, "r2");
	/* a server name on a client-only build is taken as the client */
	assert_int_equal(winprod_os_lookup("Windows Server", "10.0.19045.1", &os), 0);
	assert_string_equal(os.product, "windows_10_22h2");
	assert_int_equal(winprod_os_lookup("Windows 10", "10.0.99999.1", &os), -1);
	assert_int_equal(winprod_os_lookup("Windows 10", "10.0", &os), -1);
	assert_int_equal(winprod_os_lookup("Windows 10", "10.0.17763.1.2", &os), -1);
	assert_int_equal(winprod_os_lookup("Windows 10", "10.0.17763x", &os), -1);
	assert_int_equal(winprod_os_lookup("Windows 10", "1234567890.0.17763.1", &os), -1);
	assert_int_equal(winprod_os_lookup("Windows 10", "", &os), -1);
}

static int cmp(const char *a, const char *b)
{
	int c;
	assert_int_equal(winprod_build_cmp(a, b, &c), 0);
	return c < 0 ? -1 : c > 0;
}

static void test_build_cmp(void **state)
{
	int c;
	(void)state;

	assert_int_equal(cmp("10.0.17763.5206", "10.0.17763.5122"), 1);
	assert_int_equal(cmp("10.0.17763.4131", "10.0.17763.4131"), 0);
	assert_int_equal(cmp("10.0.17763.999", "10.0.17763.4131"), -1); /* numbers, not strings */
	/* one servicing family: NVD's 21H2 bound 10.0.19041.3693 (CVE-2023-36033) */
	assert_int_equal(cmp("10.0.19044.3570", "10.0.19041.3693"), -1);
	assert_int_equal(cmp("10.0.19045.3693", "10.0.19044.3693"), 0);
	assert_int_equal(cmp("10.0.22631.2715", "10.0.22621.2715"), 0);
	/* different families compare by build */
	assert_int_equal(cmp("10.0.22621.1", "10.0.22000.1413"), 1);
	assert_int_equal(winprod_build_cmp("10.0.17763.1", "1809", &c), -1);
	assert_int_equal(winprod_build_cmp("", "10.0.17763.1", &c), -1);
	/* the family test behind "another Windows release: verify" */
	assert_int_equal(winprod_same_family("10.0.19044.1", "10.0.19041.3693"), 1);
	assert_int_equal(winprod_same_family("10.0.22631.1", "10.0.22621.2715"), 1);
	assert_int_equal(winprod_same_family("10.0.22621.1", "10.0.22000.1413"), 0);
	assert_int_equal(winprod_same_family("10.0.17763.1", "10.0.14393.1"), 0);
	assert_int_equal(winprod_same_family("10.0.99999.1", "10.0.17763.1"), -1); /* not in the table */
	assert_int_equal(winprod_same_family("1809", "10.0.17763.1"), -1);
}

static void test_programs(void **state)
{
	struct winprod_program p;
	char kb[32];
	(void)state;

	assert_int_equal(winprod_program_lookup("Microsoft Exchange Server 2016 Cumulative Update 23", &p), 0);
	assert_string_equal(p.product, "exchange_server");
	assert_string_equal(p.version, "2016");
	assert_string_equal(p.update, "cumulative_update_23");
	assert_int_equal(winprod_program_lookup("Microsoft Exchange Server 2019 Cumulative Update 13", &p), 0);
	assert_string_equal(p.update, "cumulative_update_13");
	assert_int_equal(winprod_program_lookup("Security Update for Exchange Server 2016 Cumulative Update 23 (KB5030877)", &p), -1);
	assert_int_equal(winprod_program_lookup("Microsoft Office Professional Plus 2019", &p), 0);
	assert_string_equal(p.product, "office");
	assert_string_equal(p.version, "2019");
	assert_int_equal(winprod_program_lookup("Microsoft Office LTSC Professional Plus 2021", &p), 0);
	assert_string_equal(p.version, "2021");
	assert_int_equal(winprod_program_lookup("Microsoft Office Proofing Tools 2016 - English", &p), -1);
	assert_int_equal(winprod_program_lookup("Microsoft 365 Apps for enterprise - en-us", &p), 0);
	assert_string_equal(p.product, "365_apps");
	assert_int_equal(winprod_program_lookup("Microsoft SharePoint Server 2019", &p), 0);
	assert_string_equal(p.product, "sharepoint_server");
	assert_int_equal(winprod_program_lookup("Microsoft SharePoint Server 2016", &p), 0);
	assert_string_equal(p.product, "sharepoint_enterprise_server");
	assert_int_equal(winprod_program_lookup("Microsoft Visual C++ 2013 Redistributable (x64)", &p), -1);
	assert_int_equal(winprod_program_lookup("7-Zip 23.01 (x64)", &p), -1);
	assert_int_equal(winprod_program_lookup("Microsoft Exchange Server Cumulative Update 23", &p), -1);
	assert_int_equal(winprod_program_lookup(NULL, &p), -1);

	assert_int_equal(winprod_kb_in("Security Update for Exchange Server 2016 CU23 (KB5029388)", kb, sizeof kb), 9);
	assert_string_equal(kb, "KB5029388");
	assert_int_equal(winprod_kb_in("KB12", kb, sizeof kb), 0);
	assert_int_equal(winprod_kb_in("NOKB5029388", kb, sizeof kb), 0);
	assert_int_equal(winprod_kb_in("kb5029388", kb, 4), 0);
}

struct got {
	size_t n;
	char name[256], version[64], update[64];
	enum inv_kind kind;
};

static enum cg_err collect(void *ctx, const struct inv_item *it)
{
	struct got *g = ctx;
	g->n++;
	g->kind = it->kind;
	snprintf(g->name, sizeof g->name, "%s", it->name);
	snprintf(g->version, sizeof g->version, "%s", it->version);
	snprintf(g->update, sizeof g->update, "%s", it->update);
	return CG_OK;
}

static void parse_sample(const char *name, struct got *g)
{
	char path[4096], *buf;
	size_t len;
	enum inv_format used;

	snprintf(path, sizeof path, "%s/samples/vuln/%s", getenv("CANHGAC_SRC"), name);
	assert_int_equal(cg_file_read(path, CG_FILE_DEFAULT_CAP, &buf, &len), CG_OK);
	memset(g, 0, sizeof *g);
	assert_int_equal(inv_detect(buf, len), INV_WINOS);
	assert_int_equal(inv_parse(INV_AUTO, name, buf, len, collect, g, &used), CG_OK);
	assert_int_equal(used, INV_WINOS);
	free(buf);
}

static void winos_error(const char *text, const char *needle)
{
	struct got g = {0};
	enum cg_err rc = inv_parse_winos("os.json", text, strlen(text), collect, &g);
	assert_int_not_equal(rc, CG_OK);
	if (!strstr(cg_err_msg(rc), needle) || !strstr(cg_err_msg(rc), "os.json"))
		fail_msg("error '%s' lacks '%s'", cg_err_msg(rc), needle);
	assert_int_equal(g.n, 0);
}

static void test_winos_parser(void **state)
{
	struct got g;
	(void)state;

	parse_sample("windows-os-dc01.json", &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.kind, INV_KIND_WIN_OS);
	assert_string_equal(g.name, "Windows Server 2019 Datacenter");
	assert_string_equal(g.version, "10.0.17763.3887");
	assert_string_equal(g.update, "1809");
	parse_sample("windows-os-dc02.json", &g); /* Get-ComputerInfo */
	assert_string_equal(g.name, "Windows Server 2019 Standard");
	assert_string_equal(g.version, "10.0.17763.5206");
	/* an array of one, a 2012 R2 build, no UBR */
	const char *r2 = "[{\"ProductName\": \"Windows Server 2012 R2 Standard\", \"CurrentBuild\": 9600}]";
	assert_int_equal(inv_parse_winos("r2.json", r2, strlen(r2), collect, &g), CG_OK);
	assert_string_equal(g.version, "6.3.9600");
	winos_error("{\"ProductName\": \"W\", \"CurrentBuild\": \"17763\", \"UBR\": \"x1\"}", "'UBR'");
	winos_error("{\"ProductName\": \"W\", \"CurrentBuild\": \"1234567\"}", "CurrentBuild");
	winos_error("{\"ProductName\": \"W\", \"CurrentBuild\": [1]}", "CurrentBuild");
	winos_error("{\"CurrentBuild\": \"17763\"}", "ProductName");
	winos_error("[{\"ProductName\": \"W\"}, {\"ProductName\": \"X\"}]", "one object");
	winos_error("{\"ProductName\": \"W\", \"CurrentBuild\": \"17", "os.json:1");
	winos_error("{\"ProductName\": \"W\", \"ProductName\": \"X\", \"CurrentBuild\": \"1\"}", "duplicate");
}

/* ---- the matcher */

struct hits {
	size_t n;
	char ids[16][32];
	const char *notes[16];
	char fixed[16][64];
};

static enum cg_err on_hit(void *ctx, const struct inv_item *it, const struct vuln_hit *h)
{
	struct hits *hs = ctx;
	(void)it;
	if (hs->n < 16) {
		snprintf(hs->ids[hs->n], sizeof hs->ids[0], "%s", h->vuln_id);
		hs->notes[hs->n] = h->note;
		snprintf(hs->fixed[hs->n], sizeof hs->fixed[0], "%s", h->fixed);
	}
	hs->n++;
	return CG_OK;
}

/* Index of `id` among the hits, -1 when absent. */
static int at(const struct hits *h, const char *id)
{
	for (size_t i = 0; i < h->n && i < 16; i++)
		if (strcmp(h->ids[i], id) == 0)
			return (int)i;
	return -1;
}

static void add(struct vuln_matcher *m, const char *id, const char *family, const char *product, const char *exact,
		const char *end, const char *kb)
{
	struct adv_range r = {.family = family, .release = "", .product = product, .scheme = "generic",
			      .cpe_update = "", .exact = exact, .end = end, .fixed = end, .kb = kb};
	assert_int_equal(vuln_matcher_add(m, id, "test", id, &r), CG_OK);
}

static struct hits match(const struct vuln_matcher *m, enum inv_kind kind, const char *name, const char *version,
			 const char *const *kbs, size_t n_kbs)
{
	struct hits hs = {0};
	struct inv_item it = {.kind = kind, .name = name, .version = version, .arch = "", .source = "",
			      .source_version = "", .update = ""};
	struct vuln_host h = {.kbs = kbs, .n_kbs = n_kbs};
	assert_int_equal(vuln_matcher_match_host(m, &it, &h, on_hit, &hs), CG_OK);
	return hs;
}

static void test_matcher_windows(void **state)
{
	struct vuln_matcher *m;
	struct hits h;
	static const char *const kb_nov[] = {"KB5032196"};
	(void)state;

	assert_int_equal(vuln_matcher_new(&m), CG_OK);
	/* A: NVD shape of CVE-2023-28252: server "-", the client edition bounded */
	add(m, "CVE-A", "cpe", "microsoft:windows_server_2019", "-", NULL, NULL);
	add(m, "CVE-A", "cpe", "microsoft:windows_10_1809", NULL, "10.0.17763.4252", NULL);
	/* B: server listed without a build anywhere */
	add(m, "CVE-B", "cpe", "microsoft:windows_server_2019", "-", NULL, NULL);
	/* C: only the client edition is affected */
	add(m, "CVE-C", "cpe", "microsoft:windows_10_1809", NULL, "10.0.17763.9000", NULL);
	/* D: NVD gives no build, the vendor range (with its hotfix) decides */
	add(m, "CVE-D", "cpe", "microsoft:windows_server_2019", "-", NULL, NULL);
	add(m, "CVE-D", "microsoft", "windows_server_2019", NULL, "10.0.17763.5122", "KB5032196");
	/* E: 2012 only, not 2012 R2 */
	add(m, "CVE-E", "cpe", "microsoft:windows_server_2012", "-", NULL, NULL);
	/* F: Exchange 2016 CU23 and its security update */
	struct adv_range ex = {.family = "cpe", .release = "", .product = "microsoft:exchange_server",
			       .scheme = "generic", .cpe_update = "cumulative_update_23", .exact = "2016"};
	assert_int_equal(vuln_matcher_add(m, "CVE-F", "nvd", "CVE-F", &ex), CG_OK);
	struct adv_range exv = {.family = "microsoft", .release = "", .product = "exchange_server:2016:cumulative_update_23",
				.scheme = "generic", .cpe_update = "", .kb = "KB5029388,KB5030877"};
	assert_int_equal(vuln_matcher_add(m, "CVE-F", "osv", "CG-F", &exv), CG_OK);
	vuln_matcher_seal(m);

	h = match(m, INV_KIND_WIN_OS, "Windows Server 2019 Standard", "10.0.17763.3887", NULL, 0);
	assert_int_equal(h.n, 3); /* A (sibling bound), B (no build: verify), D (vendor) */
	assert_true(at(&h, "CVE-A") >= 0 && at(&h, "CVE-B") >= 0 && at(&h, "CVE-D") >= 0);
	assert_null(h.notes[at(&h, "CVE-A")]);
	assert_string_equal(h.fixed[at(&h, "CVE-A")], "10.0.17763.4252");
	assert_ptr_equal(h.notes[at(&h, "CVE-B")], vuln_note_no_fix);
	assert_null(h.notes[at(&h, "CVE-D")]);
	assert_string_equal(h.fixed[at(&h, "CVE-D")], "10.0.17763.5122");

	h = match(m, INV_KIND_WIN_OS, "Windows Server 2019 Standard", "10.0.17763.5206", NULL, 0);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.ids[0], "CVE-B");

	/* systeminfo: no revision, but November 2023's cumulative update puts the
	 * host at 17763.5122 at least: A and D are fixed, B names no build */
	h = match(m, INV_KIND_WIN_OS, "Windows Server 2019 Standard", "10.0.17763", kb_nov, 1);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.ids[0], "CVE-B");
	assert_ptr_equal(h.notes[0], vuln_note_no_fix);
	/* an update the table does not know: the revision stays unknown */
	static const char *const kb_unknown[] = {"KB9999999"};
	h = match(m, INV_KIND_WIN_OS, "Windows Server 2019 Standard", "10.0.17763", kb_unknown, 1);
	assert_int_equal(h.n, 3);
	for (size_t i = 0; i < h.n; i++)
		assert_ptr_equal(h.notes[i], vuln_note_revision);
	/* an older update: A fixed (4252 <= 4974), D still open */
	static const char *const kb_oct23[] = {"KB5031361"};
	h = match(m, INV_KIND_WIN_OS, "Windows Server 2019 Standard", "10.0.17763", kb_oct23, 1);
	assert_int_equal(h.n, 2);
	assert_true(at(&h, "CVE-B") >= 0 && at(&h, "CVE-D") >= 0);
	assert_null(h.notes[at(&h, "CVE-D")]);
	h = match(m, INV_KIND_WIN_OS, "Windows Server 2019 Standard", "10.0.17763", NULL, 0);
	assert_int_equal(h.n, 3);

	/* the client: A by its own bound, C; B and D list only the server */
	h = match(m, INV_KIND_WIN_OS, "Windows 10 Enterprise", "10.0.17763.5000", NULL, 0);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.ids[0], "CVE-C");

	h = match(m, INV_KIND_WIN_OS, "Windows Server 2012 R2 Standard", "6.3.9600.21620", NULL, 0);
	assert_int_equal(h.n, 0);
	h = match(m, INV_KIND_WIN_OS, "Windows Server 2012 Standard", "6.2.9200.24000", NULL, 0);
	assert_int_equal(h.n, 1);

	h = match(m, INV_KIND_WIN_PROGRAM, "Microsoft Exchange Server 2016 Cumulative Update 23", "15.1.2507.6", NULL, 0);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.fixed[0], "KB5029388,KB5030877");
	assert_ptr_equal(h.notes[0], vuln_note_kb_verify); /* only updates known: a later one may fix it */
	static const char *const kb_oct[] = {"KB5030877"};
	h = match(m, INV_KIND_WIN_PROGRAM, "Microsoft Exchange Server 2016 Cumulative Update 23", "15.1.2507.6", kb_oct, 1);
	assert_int_equal(h.n, 0);
	h = match(m, INV_KIND_WIN_PROGRAM, "Microsoft Exchange Server 2016 Cumulative Update 22", "15.1.2375.7", NULL, 0);
	assert_int_equal(h.n, 0);
	h = match(m, INV_KIND_WIN_OS, "Windows 3.1", "3.10.103", NULL, 0);
	assert_int_equal(h.n, 0);
	/* a CPE inventory line naming a Windows build takes the same road */
	h = match(m, INV_KIND_CPE, "microsoft:windows_server_2019", "10.0.17763.3887", NULL, 0);
	assert_int_equal(h.n, 3);
	h = match(m, INV_KIND_CPE, "microsoft:windows_server_2019", "10.0.17763.5206", NULL, 0);
	assert_int_equal(h.n, 1);
	vuln_matcher_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_os_lookup),
		cmocka_unit_test(test_build_cmp),
		cmocka_unit_test(test_programs),
		cmocka_unit_test(test_winos_parser),
		cmocka_unit_test(test_matcher_windows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
