/* Host fact parsers on the sample outputs and on broken input. */
#include "../test_util.h"

#include "cg_err.h"
#include "cg_file.h"
#include "host_facts.h"

static char *sample(const char *rel, size_t *len)
{
	char path[1024], *buf = NULL;
	snprintf(path, sizeof path, "%s/samples/compliance/%s", getenv("CANHGAC_SRC"), rel);
	assert_int_equal(cg_file_read(path, 1u << 24, &buf, len), CG_OK);
	return buf;
}

static void parse_sample(const char *rel, enum fact_tool want, const char *units, struct host_facts *hf)
{
	size_t len;
	char *buf = sample(rel, &len);
	enum fact_tool got;
	assert_int_equal(fact_tool_detect(rel, buf, len, &got), CG_OK);
	assert_int_equal(got, want);
	assert_int_equal(host_facts_parse(want, rel, buf, len, units, hf), CG_OK);
	free(buf);
}

static void expect(const struct host_facts *hf, const char *key, const char *value)
{
	const char *v = host_facts_get(hf, key);
	if (!v || strcmp(v, value) != 0)
		fail_msg("%s: got '%s', want '%s'", key, v ? v : "(none)", value);
}

static void test_linux(void **state)
{
	(void)state;
	struct host_facts hf;
	parse_sample("web01.so-mau.example/sshd-T.txt", FACT_TOOL_SSHD, NULL, &hf);
	expect(&hf, "sshd.permitrootlogin", "no");
	expect(&hf, "sshd.passwordauthentication", "no");
	expect(&hf, "sshd.listenaddress", "[::]:22,0.0.0.0:22");
	host_facts_clear(&hf);
	parse_sample("web01.so-mau.example/nft-list-ruleset.txt", FACT_TOOL_NFT, NULL, &hf);
	expect(&hf, "nft.input_policy", "drop");
	expect(&hf, "nft.input_default_deny", "yes");
	expect(&hf, "nft.input_chains", "1");
	host_facts_clear(&hf);
	parse_sample("mail01.so-mau.example/nft-list-ruleset.txt", FACT_TOOL_NFT, NULL, &hf);
	expect(&hf, "nft.input_policy", "accept");
	expect(&hf, "nft.input_default_deny", "no");
	host_facts_clear(&hf);
	parse_sample("mail01.so-mau.example/timedatectl-show.txt", FACT_TOOL_TIMEDATECTL, NULL, &hf);
	expect(&hf, "timedatectl.ntpsynchronized", "no");
	host_facts_clear(&hf);
	parse_sample("web01.so-mau.example/auditctl-s.txt", FACT_TOOL_AUDITCTL, NULL, &hf);
	expect(&hf, "auditctl.enabled", "1");
	expect(&hf, "auditctl.loginuid_immutable", "0 unlocked");
	host_facts_clear(&hf);
	parse_sample("mail01.so-mau.example/os-release", FACT_TOOL_OS_RELEASE, NULL, &hf);
	expect(&hf, "os.id", "rocky");
	expect(&hf, "os.version_id", "9.4");
	host_facts_clear(&hf);
	parse_sample("web01.so-mau.example/systemctl-is-active-rsyslog-auditd.txt", FACT_TOOL_SYSTEMCTL, "rsyslog,auditd",
		     &hf);
	expect(&hf, "service.rsyslog", "active");
	expect(&hf, "service.auditd", "active");
	host_facts_clear(&hf);
}

static void test_windows(void **state)
{
	(void)state;
	struct host_facts hf;
	parse_sample("vb01.so-mau.example/secedit-export.inf", FACT_TOOL_SECEDIT, NULL, &hf);
	expect(&hf, "secedit.MinimumPasswordLength", "6");
	expect(&hf, "secedit.PasswordComplexity", "0");
	expect(&hf, "secedit.NewGuestName", "Guest");
	assert_null(host_facts_get(&hf, "secedit.MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\NoLMHash"));
	host_facts_clear(&hf);
	parse_sample("vb01.so-mau.example/Get-MpComputerStatus.json", FACT_TOOL_MPSTATUS, NULL, &hf);
	expect(&hf, "mp.antivirusenabled", "yes");
	expect(&hf, "mp.antivirussignatureage", "12");
	assert_null(host_facts_get(&hf, "mp.cimclass"));
	host_facts_clear(&hf);
	parse_sample("dc01.so-mau.example/auditpol-r.csv", FACT_TOOL_AUDITPOL, NULL, &hf);
	expect(&hf, "auditpol.logon", "Success and Failure");
	expect(&hf, "auditpol.process_creation", "No Auditing");
	host_facts_clear(&hf);
}

static void bad(enum fact_tool t, const char *text, const char *units, const char *want)
{
	struct host_facts hf;
	enum cg_err rc = host_facts_parse(t, "f.txt", text, strlen(text), units, &hf);
	assert_int_not_equal(rc, CG_OK);
	assert_int_equal(hf.n, 0);
	if (!strstr(cg_err_msg(rc), want))
		fail_msg("message '%s' lacks '%s'", cg_err_msg(rc), want);
}

static void test_errors(void **state)
{
	(void)state;
	bad(FACT_TOOL_SSHD, "port 22\n!!\n", NULL, "f.txt:2: expected 'keyword value'");
	bad(FACT_TOOL_NFT, "table ip t {\n\tchain c {\n\t}\n", NULL, "block not closed");
	bad(FACT_TOOL_OS_RELEASE, "ID=x\nNAME=\"open\n", NULL, "f.txt:2: unterminated quote");
	bad(FACT_TOOL_SYSTEMCTL, "active\nactive\n", NULL, "--units");
	bad(FACT_TOOL_SYSTEMCTL, "active\nactive\n", "a", "f.txt:2: more states than units");
	bad(FACT_TOOL_SYSTEMCTL, "active\nrunning\n", "a,b", "f.txt:2: 'running' is not a unit state");
	bad(FACT_TOOL_SECEDIT, "MinimumPasswordLength = 8\n", NULL, "f.txt:1: expected 'Name = value' in a section");
	bad(FACT_TOOL_MPSTATUS, "{\"AMServiceEnabled\": true}", NULL, "no AntivirusEnabled");
	bad(FACT_TOOL_AUDITPOL, "Machine Name,Subcategory\n", NULL, "Inclusion Setting");
	struct host_facts hf;
	assert_int_equal(host_facts_parse(FACT_TOOL_TIMEDATECTL, "f.txt", "NTP=yes\0x=1", 12, NULL, &hf), CG_EPARSE);
	assert_non_null(strstr(cg_err_msg(CG_EPARSE), "NUL"));
}

static void test_caps(void **state)
{
	(void)state;
	/* More facts than the cap: refused, not truncated. */
	size_t n = (HOST_FACTS_MAX + 5) * 12;
	char *s = malloc(n + 1), *p = s;
	for (int i = 0; i < HOST_FACTS_MAX + 5; i++)
		p += sprintf(p, "K%05d=v\n", i);
	bad(FACT_TOOL_TIMEDATECTL, s, NULL, "more than 512 facts");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linux),
		cmocka_unit_test(test_windows),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
