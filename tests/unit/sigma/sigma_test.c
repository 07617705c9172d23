/* Sigma engine: every modifier and condition form, on hand-built events. */
#include "../test_util.h"

#include "sigma_corr.h"
#include "sigma_engine.h"
#include "event_reader.h"

struct got {
	char reason[512];
	struct sigma_rule *rule;
	size_t n;
};

static void keep(void *ud, struct sigma_rule *rule, enum cg_err rc, const char *reason, size_t doc)
{
	struct got *g = ud;
	(void)rc;
	(void)doc;
	if (rule && !g->rule)
		g->rule = rule;
	else
		sigma_rule_free(rule);
	if (reason && !g->reason[0])
		snprintf(g->reason, sizeof g->reason, "%s", reason);
	g->n++;
}

/* A rule on product windows / service security with this detection. */
static char *rule_text(const char *detection)
{
	static char buf[8192];
	snprintf(buf, sizeof buf,
	         "title: t\nid: 11111111-2222-3333-4444-555555555555\nlogsource:\n  product: windows\n  service: security\n"
	         "detection:\n%s\nlevel: high\n", detection);
	return buf;
}

static int on_hit(void *ud, size_t ri, const struct sigma_rule *r, const struct cg_event *ev)
{
	(void)ri;
	(void)r;
	(void)ev;
	(*(int *)ud)++;
	return 0;
}

/* Event from "Name=Value" pairs (Channel Security). */
static struct cg_event *event_of(const char *const *kv)
{
	struct cg_event *ev;
	assert_int_equal(cg_event_new(&ev), CG_OK);
	cg_event_set_product(ev, CG_EVENT_PRODUCT_WINDOWS);
	cg_event_set_channel(ev, "Security", 8);
	for (; *kv; kv++) {
		const char *eq = strchr(*kv, '=');
		assert_non_null(eq);
		assert_int_equal(cg_event_add(ev, *kv, (size_t)(eq - *kv), eq + 1, strlen(eq + 1)), CG_OK);
	}
	return ev;
}

/* 1 when the detection matches the event, 0 when not; fails the test when
 * the rule does not load. */
static int match(const char *detection, const char *const *kv)
{
	struct got g = {{0}, NULL, 0};
	const char *t = rule_text(detection);
	assert_int_equal(sigma_rules_parse(t, strlen(t), "test.yml", keep, &g), CG_OK);
	if (!g.rule)
		fail_msg("rule did not load: %s", g.reason);
	struct sigma_map *map;
	struct sigma_engine *e;
	struct sigma_scanner *sc;
	char why[256];
	assert_int_equal(sigma_map_new(&map), CG_OK);
	assert_int_equal(sigma_engine_new(map, &e), CG_OK);
	assert_int_equal(sigma_engine_add(e, g.rule, why, sizeof why), CG_OK);
	assert_int_equal(sigma_engine_compile(e, NULL, NULL), CG_OK);
	assert_int_equal(sigma_scanner_new(e, &sc), CG_OK);
	struct cg_event *ev = event_of(kv);
	int hits = 0;
	assert_int_equal(sigma_scanner_match(sc, ev, on_hit, &hits), CG_OK);
	cg_event_free(ev);
	sigma_scanner_free(sc);
	sigma_engine_free(e);
	sigma_map_free(map);
	return hits;
}

/* The reason a detection cannot load ("" when it loads). */
static const char *load_error(const char *detection)
{
	static struct got g;
	memset(&g, 0, sizeof g);
	const char *t = rule_text(detection);
	assert_int_equal(sigma_rules_parse(t, strlen(t), "test.yml", keep, &g), CG_OK);
	sigma_rule_free(g.rule);
	return g.reason;
}

#define EV(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_plain_and_case(void **state)
{
	(void)state;
	const char *d = "  sel:\n    Image: 'C:\\Windows\\cmd.exe'\n  condition: sel";
	assert_int_equal(match(d, EV("Image=c:\\windows\\CMD.EXE")), 1);
	assert_int_equal(match(d, EV("Image=C:\\Windows\\cmd.exe ")), 0);
	assert_int_equal(match(d, EV("Other=C:\\Windows\\cmd.exe")), 0);
	/* cased */
	const char *c = "  sel:\n    Image|cased: 'Cmd.exe'\n  condition: sel";
	assert_int_equal(match(c, EV("Image=Cmd.exe")), 1);
	assert_int_equal(match(c, EV("Image=cmd.exe")), 0);
	/* numbers match their text */
	assert_int_equal(match("  sel:\n    EventID: 4624\n  condition: sel", EV("EventID=4624")), 1);
	/* field names ignore spaces and case */
	assert_int_equal(match("  sel:\n    ThreatName: x\n  condition: sel", EV("Threat Name=X")), 1);
}

static void test_wildcards_and_escapes(void **state)
{
	(void)state;
	const char *d = "  sel:\n    CommandLine: '*\\\\*evil?.exe*'\n  condition: sel";
	assert_int_equal(match(d, EV("CommandLine=run C:\\x\\evil1.exe now")), 1);
	assert_int_equal(match(d, EV("CommandLine=run evil1.exe now")), 0);
	/* escaped wildcards are literal */
	const char *e = "  sel:\n    CommandLine: 'a\\*b\\?c'\n  condition: sel";
	assert_int_equal(match(e, EV("CommandLine=a*b?c")), 1);
	assert_int_equal(match(e, EV("CommandLine=axxbyc")), 0);
	/* a backslash before anything else is itself */
	const char *f = "  sel:\n    Path|endswith: '\\Temp\\'\n  condition: sel";
	assert_int_equal(match(f, EV("Path=C:\\Temp\\")), 1);
	/* escaped backslash before a wildcard */
	const char *g = "  sel:\n    Path: 'C:\\\\*'\n  condition: sel";
	assert_int_equal(match(g, EV("Path=C:\\anything")), 1);
	assert_int_equal(match(g, EV("Path=C:anything")), 0);
}

static void test_contains_starts_ends_all(void **state)
{
	(void)state;
	assert_int_equal(match("  sel:\n    C|contains: mimi\n  condition: sel", EV("C=xxMIMIkatz")), 1);
	assert_int_equal(match("  sel:\n    C|startswith: mimi\n  condition: sel", EV("C=xxmimi")), 0);
	assert_int_equal(match("  sel:\n    C|endswith: .ps1\n  condition: sel", EV("C=a.PS1")), 1);
	const char *all = "  sel:\n    C|contains|all:\n      - '-nop'\n      - 'hidden'\n  condition: sel";
	assert_int_equal(match(all, EV("C=powershell -nop -w hidden")), 1);
	assert_int_equal(match(all, EV("C=powershell -nop")), 0);
	/* without all, a list is any */
	const char *any = "  sel:\n    C|contains:\n      - '-nop'\n      - 'hidden'\n  condition: sel";
	assert_int_equal(match(any, EV("C=powershell -nop")), 1);
	/* list of maps is OR, map is AND */
	const char *lm = "  sel:\n    - A: 1\n      B: 2\n    - C: 3\n  condition: sel";
	assert_int_equal(match(lm, EV("A=1", "B=2")), 1);
	assert_int_equal(match(lm, EV("A=1", "B=3")), 0);
	assert_int_equal(match(lm, EV("C=3")), 1);
	/* multi-valued field: any occurrence */
	assert_int_equal(match("  sel:\n    Data|contains: two\n  condition: sel", EV("Data=one", "Data=two")), 1);
}

/* A field's literals that all begin with '.' (a field database of their
 * own): Vectorscan 5.4.9 missed '.vbs' at the end of this path. */
static void test_literal_set_one_first_byte(void **state)
{
	(void)state;
	const char *d = "  sel:\n    TargetFilename|endswith:\n      - '.bat'\n      - '.chm'\n      - '.hta'\n      - '.js'\n"
	                "      - '.ps1'\n      - '.py'\n      - '.scf'\n      - '.vbe'\n      - '.vbs'\n      - '.wsf'\n"
	                "      - '.wsh'\n  condition: sel";
	const char *path = "TargetFilename=C:\\Users\\xodih\\AppData\\Local\\Temp\\sigma_regression_1816958539\\certutil_drop.vbs";
	assert_int_equal(match(d, EV(path)), 1);
	assert_int_equal(match(d, EV("TargetFilename=C:\\Users\\xodih\\AppData\\Local\\Temp\\sigma_regression_1816958539\\a.bat")), 1);
	assert_int_equal(match(d, EV("TargetFilename=C:\\Users\\xodih\\AppData\\Local\\Temp\\sigma_regression_1816958539\\a.txt")), 0);
	const char *two = "  sel:\n    TargetFilename|endswith:\n      - '.bat'\n      - '.vbs'\n      - '.cmd'\n      - '.js'\n"
	                  "      - '.jse'\n      - '.hta'\n      - '.ps1'\n      - '.py'\n      - '.sct'\n  condition: sel";
	assert_int_equal(match(two, EV(path)), 1);
}

/* A 2-byte literal at the very end of the scanned text, in a set whose
 * literals all begin with one byte: Vectorscan 5.4.9 misses it (found by
 * a differential check against memmem) unless the field is scanned with
 * the separator after it. */
static void test_literal_at_field_end(void **state)
{
	(void)state;
	const char *d = "  sel:\n    CommandLine|endswith:\n"
	                "      - '/a'\n      - '/baabe'\n      - '/febd'\n      - '/d'\n      - '/afbfdaad'\n      - '/ffedf'\n"
	                "      - '/dcaa'\n      - '/ccba'\n      - '/bfebabe'\n      - '/fce'\n      - '/aaccc'\n      - '/cea'\n"
	                "      - '/cbfea'\n      - '/eecaab'\n      - '/b'\n      - '/faa'\n      - '/afdbcd'\n      - '/ddacdd'\n"
	                "      - '/bed'\n      - '/bafbaec'\n      - '/cfdd'\n      - '/cfecaca'\n      - '/ebdccdfc'\n      - '/ebeea'\n"
	                "      - '/beab'\n      - '/e'\n      - '/efabadae'\n      - '/fe'\n      - '/ffcddddd'\n      - '/c'\n"
	                "      - '/cfffbe'\n      - '/caba'\n      - '/abfb'\n      - '/fbffaba'\n      - '/fde'\n      - '/cec'\n"
	                "      - '/efcee'\n      - '/ccd'\n      - '/cb'\n      - '/abd'\n      - '/bfaffcdd'\n      - '/ccbae'\n"
	                "      - '/efbf'\n      - '/ece'\n"
	                "  condition: sel";
	assert_int_equal(match(d, EV("CommandLine=ffaadedcadabaaafecefaee/b")), 1);
	assert_int_equal(match(d, EV("CommandLine=x /b")), 1);
	assert_int_equal(match(d, EV("CommandLine=ffaadedcadabaaafecefaee/b ")), 0);
}

static void test_keywords(void **state)
{
	(void)state;
	const char *d = "  keywords:\n    - 'sekurlsa'\n    - 'lsadump'\n  condition: keywords";
	assert_int_equal(match(d, EV("A=x", "B=run SEKURLSA::logonpasswords")), 1);
	assert_int_equal(match(d, EV("A=x")), 0);
}

static void test_regex(void **state)
{
	(void)state;
	assert_int_equal(match("  sel:\n    C|re: '^ab+c$'\n  condition: sel", EV("C=abbbc")), 1);
	assert_int_equal(match("  sel:\n    C|re: '^ab+c$'\n  condition: sel", EV("C=ABBC")), 0);
	assert_int_equal(match("  sel:\n    C|re|i: '^ab+c$'\n  condition: sel", EV("C=ABBC")), 1);
	assert_int_equal(match("  sel:\n    C|re|s: 'a.b'\n  condition: sel", EV("C=a\nb")), 1);
	assert_int_equal(match("  sel:\n    C|re|m: '^b$'\n  condition: sel", EV("C=a\nb")), 1);
	/* catastrophic backtracking is bounded, not a hang */
	assert_int_equal(match("  sel:\n    C|re: '^(a+)+$'\n  condition: sel",
	                       EV("C=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab")), 0);
	assert_string_not_equal(load_error("  sel:\n    C|re: '(unclosed'\n  condition: sel"), "");
}

static void test_base64_and_offset(void **state)
{
	(void)state;
	/* base64("whoami") = d2hvYW1p */
	assert_int_equal(match("  sel:\n    C|base64: whoami\n  condition: sel", EV("C=d2hvYW1p")), 1);
	/* base64offset finds the value at any alignment inside a base64 blob */
	const char *d = "  sel:\n    C|base64offset|contains: 'http://'\n  condition: sel";
	/* base64("http://x") = aHR0cDovL3g= ; base64("Xhttp://x") = WGh0dHA6Ly94 ; base64("XYhttp://x") = WFlodHRwOi8veA== */
	assert_int_equal(match(d, EV("C=aHR0cDovL3g=")), 1);
	assert_int_equal(match(d, EV("C=WGh0dHA6Ly94")), 1);
	assert_int_equal(match(d, EV("C=WFlodHRwOi8veA==")), 1);
	assert_int_equal(match(d, EV("C=aGVsbG8gd29ybGQ=")), 0);
	/* wide + base64offset: PowerShell -EncodedCommand of "iex" (UTF-16LE) */
	assert_int_equal(match("  sel:\n    C|wide|base64offset|contains: 'iex'\n  condition: sel",
	                       EV("C=-enc aQBlAHgA")), 1);
	assert_string_not_equal(load_error("  sel:\n    C|base64: 'a*'\n  condition: sel"), "");
}

static void test_utf16(void **state)
{
	(void)state;
	/* utf16le bytes of "ab" are 61 00 62 00: match after base64 (YQBiAA==) */
	assert_int_equal(match("  sel:\n    C|utf16le|base64: ab\n  condition: sel", EV("C=YQBiAA==")), 1);
	assert_int_equal(match("  sel:\n    C|utf16be|base64: ab\n  condition: sel", EV("C=AGEAYg==")), 1);
	assert_int_equal(match("  sel:\n    C|utf16|base64: ab\n  condition: sel", EV("C=//5hAGIA")), 1);
}

static void test_windash(void **state)
{
	(void)state;
	const char *d = "  sel:\n    C|windash|contains: ' -enc '\n  condition: sel";
	assert_int_equal(match(d, EV("C=powershell -enc AAA")), 1);
	assert_int_equal(match(d, EV("C=powershell /enc AAA")), 1);
	assert_int_equal(match(d, EV("C=powershell \xe2\x80\x93" "enc AAA")), 1);
	assert_int_equal(match(d, EV("C=powershell \xe2\x80\x94" "enc AAA")), 1);
	assert_int_equal(match(d, EV("C=powershell \xe2\x80\x95" "enc AAA")), 1);
	assert_int_equal(match(d, EV("C=powershell enc AAA")), 0);
	/* a dash inside a word is not a switch */
	assert_int_equal(match("  sel:\n    C|windash: 'a-b'\n  condition: sel", EV("C=a/b")), 0);
}


/* A rule of `text` (whole YAML) against event kv; scanner statistics and
 * regex-limit count of the rule come back through st/limits. Returns hits,
 * or -1 when the rule does not load (reason in why). */
static int match_text(const char *text, struct cg_event *ev, struct sigma_scan_stats *st, uint64_t *limits,
                      char *why, size_t why_len)
{
	struct got g = {{0}, NULL, 0};
	assert_int_equal(sigma_rules_parse(text, strlen(text), "test.yml", keep, &g), CG_OK);
	if (!g.rule) {
		snprintf(why, why_len, "%s", g.reason);
		return -1;
	}
	struct sigma_map *map;
	struct sigma_engine *e;
	struct sigma_scanner *sc;
	char w[256];
	assert_int_equal(sigma_map_new(&map), CG_OK);
	assert_int_equal(sigma_engine_new(map, &e), CG_OK);
	assert_int_equal(sigma_engine_add(e, g.rule, w, sizeof w), CG_OK);
	assert_int_equal(sigma_engine_compile(e, NULL, NULL), CG_OK);
	assert_int_equal(sigma_scanner_new(e, &sc), CG_OK);
	int hits = 0;
	assert_int_equal(sigma_scanner_match(sc, ev, on_hit, &hits), CG_OK);
	if (st)
		sigma_scanner_stats(sc, st);
	if (limits)
		*limits = sigma_scanner_regex_limits(sc, 0);
	sigma_scanner_free(sc);
	sigma_engine_free(e);
	sigma_map_free(map);
	return hits;
}

/* Conditions as long as an input likes: one flat chain, one long list. */
static void test_long_conditions(void **state)
{
	(void)state;
	size_t cap = 64 * 1024;
	char *t = malloc(cap), *why = malloc(512);
	assert_non_null(t);
	assert_non_null(why);
	struct cg_event *ev = event_of(EV("A=1"));
	/* "a or a or ..." with 1,050 operators (crashed in cond_lits). */
	size_t o = (size_t)snprintf(t, cap, "title: t\nlogsource: {product: windows, service: security}\n"
	                            "detection:\n  a: {A: 1}\n  b: {B: 2}\n  condition: b");
	for (int i = 0; i < 1050; i++)
		o += (size_t)snprintf(t + o, cap - o, " or a");
	snprintf(t + o, cap - o, "\n");
	assert_int_equal(match_text(t, ev, NULL, NULL, why, 512), 1);
	/* The same with and: every operand must hold. */
	o = (size_t)snprintf(t, cap, "title: t\nlogsource: {product: windows, service: security}\n"
	                     "detection:\n  a: {A: 1}\n  b: {B: 2}\n  condition: a");
	for (int i = 0; i < 1050; i++)
		o += (size_t)snprintf(t + o, cap - o, " and a");
	snprintf(t + o, cap - o, " and b\n");
	assert_int_equal(match_text(t, ev, NULL, NULL, why, 512), 0);
	/* A condition list of 2,000 items loads; 5,000 are refused with a reason. */
	for (int items = 2000; items <= 5000; items += 3000) {
		o = (size_t)snprintf(t, cap, "title: t\nlogsource: {product: windows, service: security}\n"
		                     "detection:\n  a: {A: 1}\n  b: {B: 2}\n  condition:\n");
		for (int i = 0; i < items; i++)
			o += (size_t)snprintf(t + o, cap - o, "    - %s\n", i == items - 1 ? "a" : "b");
		int got = match_text(t, ev, NULL, NULL, why, 512);
		if (items == 2000) {
			assert_int_equal(got, 1);
		} else {
			assert_int_equal(got, -1);
			assert_non_null(strstr(why, "more than 4096 terms"));
		}
	}
	/* Nesting stays bounded: 100 parentheses or 100 nots are refused. */
	o = (size_t)snprintf(t, cap, "  a:\n    A: 1\n  condition: ");
	for (int i = 0; i < 100; i++)
		o += (size_t)snprintf(t + o, cap - o, "(");
	o += (size_t)snprintf(t + o, cap - o, "a");
	for (int i = 0; i < 100; i++)
		o += (size_t)snprintf(t + o, cap - o, ")");
	assert_non_null(strstr(load_error(t), "nested deeper"));
	o = (size_t)snprintf(t, cap, "  a:\n    A: 1\n  condition: ");
	for (int i = 0; i < 100; i++)
		o += (size_t)snprintf(t + o, cap - o, "not ");
	snprintf(t + o, cap - o, "a");
	assert_non_null(strstr(load_error(t), "nested deeper"));
	assert_int_equal(match("  a:\n    A: 1\n  condition: not not a", EV("A=1")), 1);
	assert_int_equal(match("  a:\n    A: 1\n  condition: not not not a", EV("A=1")), 0);
	cg_event_free(ev);
	free(t);
	free(why);
}

/* A regex that needs a deep JIT stack works; one that runs into the match
 * limit is counted for its rule, not taken silently as "no match". */
static void test_regex_limits(void **state)
{
	(void)state;
	char why[512];
	struct sigma_scan_stats st;
	uint64_t limits = 0;
	char *cl = malloc(5001);
	assert_non_null(cl);
	memset(cl, 'x', 5000);
	cl[5000] = '\0';
	struct cg_event *ev = event_of(EV("A=1"));
	assert_int_equal(cg_event_add(ev, "CommandLine", 11, cl, 5000), CG_OK);
	const char *deep = "title: t\nlogsource: {product: windows, service: security}\n"
	                   "detection:\n  s:\n    CommandLine|re: '(.){200,}'\n  condition: s\n";
	assert_int_equal(match_text(deep, ev, &st, &limits, why, sizeof why), 1);
	assert_int_equal(limits, 0);
	cg_event_free(ev);
	/* Catastrophic backtracking on 40 a's and a b. */
	ev = event_of(EV("A=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"));
	const char *bad = "title: t\nlogsource: {product: windows, service: security}\n"
	                  "detection:\n  s:\n    A|re: '^(a|a)+$'\n  condition: s\n";
	assert_int_equal(match_text(bad, ev, &st, &limits, why, sizeof why), 0);
	assert_int_equal(limits, 1);
	assert_int_equal(st.regex_limits, 1);
	cg_event_free(ev);
	free(cl);
}

static void test_yaml_aliases(void **state)
{
	(void)state;
	assert_int_equal(match("  k:\n    - 'zzz'\n  condition: k", EV("A=anc")), 0);
	assert_non_null(strstr(load_error("  k: [&anc 'zzz', *anc]\n  condition: k"), "alias"));
	assert_non_null(strstr(load_error("  s:\n    A: &v 'x'\n    B: *v\n  condition: s"), "alias"));
	assert_non_null(strstr(load_error("  s: &m {A: x}\n  t: *m\n  condition: s or t"), "alias"));
	assert_non_null(strstr(load_error("  s: {A: &c x}\n  condition: *c"), "alias"));
}

/* More fields than CG_EVENT_MAX_FIELDS: the event is kept, cut, flagged. */
static void test_oversize_event(void **state)
{
	(void)state;
	struct cg_event *ev = event_of(EV("A=first"));
	char name[32];
	for (int i = 0; i < 700; i++) {
		int n = snprintf(name, sizeof name, "F%d", i);
		assert_int_equal(cg_event_add(ev, name, (size_t)n, "v", 1), CG_OK);
	}
	assert_int_equal(cg_event_count(ev), CG_EVENT_MAX_FIELDS);
	assert_true(cg_event_truncated(ev));
	char why[512];
	struct sigma_scan_stats st;
	const char *r = "title: t\nlogsource: {product: windows, service: security}\n"
	                "detection:\n  s:\n    A: first\n  condition: s\n";
	assert_int_equal(match_text(r, ev, &st, NULL, why, sizeof why), 1);
	assert_int_equal(st.truncated, 1);
	cg_event_reset(ev);
	assert_false(cg_event_truncated(ev));
	/* The JSON reader keeps such an event too. */
	char *js = malloc(700 * 16 + 64);
	assert_non_null(js);
	size_t o = (size_t)sprintf(js, "{\"Channel\":\"Security\"");
	for (int i = 0; i < 700; i++)
		o += (size_t)snprintf(js + o, 32, ",\"F%d\":%d", i, i);
	snprintf(js + o, 4, "}");
	json_t *j = json_loads(js, 0, NULL);
	assert_non_null(j);
	assert_int_equal(cg_event_from_json(j, ev), CG_OK);
	assert_true(cg_event_truncated(ev));
	json_decref(j);
	free(js);
	cg_event_free(ev);
}

static void test_utf8_and_folding(void **state)
{
	(void)state;
	/* ? is one character, whatever its UTF-8 length. */
	assert_int_equal(match("  s:\n    A: 'c?t'\n  condition: s", EV("A=c\xe1\xba\xa5t")), 1); /* cất */
	assert_int_equal(match("  s:\n    A: 'c?t'\n  condition: s", EV("A=c\xc3\xa0t")), 1);     /* càt */
	assert_int_equal(match("  s:\n    A: 'c??t'\n  condition: s", EV("A=c\xc3\xa0t")), 0);
	assert_int_equal(match("  s:\n    A: 'c?t'\n  condition: s", EV("A=cxxt")), 0);
	/* Case-insensitive beyond ASCII: Vietnamese, Latin-1, Cyrillic. */
	assert_int_equal(match("  s:\n    A: '\xc4\x90\xc3\x80 N\xe1\xba\xb4NG'\n  condition: s",
	                       EV("A=\xc4\x91\xc3\xa0 n\xe1\xba\xb5ng")), 1); /* ĐÀ NẴNG ~ đà nẵng */
	assert_int_equal(match("  s:\n    A|contains: '\xc6\xaf\xe1\xbb\x9cNG'\n  condition: s",
	                       EV("A=tr\xc6\xb0\xe1\xbb\x9dng h\xe1\xbb\x8d" "c")), 1); /* ƯỜNG in trường học */
	assert_int_equal(match("  s:\n    A|endswith: '\xd0\x9f\xd0\xa0\xd0\x98'\n  condition: s",
	                       EV("A=x \xd0\xbf\xd1\x80\xd0\xb8")), 1); /* ПРИ ~ при */
	assert_int_equal(match("  s:\n    A|cased: '\xc4\x90\xc3\xa0'\n  condition: s", EV("A=\xc4\x91\xc3\xa0")), 0);
	/* A lone Cyrillic letter is still found (two-byte literal). */
	assert_int_equal(match("  s:\n    A|contains: '\xd0\xb0'\n  condition: s", EV("A=c\xd0\x90lc.exe")), 1);
}

static void test_cidr_mapped_and_numbers(void **state)
{
	(void)state;
	const char *v4 = "  sel:\n    Ip|cidr: 10.0.0.0/8\n  condition: sel";
	assert_int_equal(match(v4, EV("Ip=::ffff:10.1.2.3")), 1);
	assert_int_equal(match(v4, EV("Ip=::ffff:a01:203")), 1);
	assert_int_equal(match(v4, EV("Ip=::a01:203")), 0);
	const char *m6 = "  sel:\n    Ip|cidr: '::ffff:10.0.0.0/104'\n  condition: sel";
	assert_int_equal(match(m6, EV("Ip=10.200.0.1")), 1);
	assert_int_equal(match(m6, EV("Ip=11.0.0.1")), 0);
	assert_int_equal(match("  sel:\n    Ip|cidr: '::/0'\n  condition: sel", EV("Ip=192.0.2.1")), 1);
	assert_string_not_equal(load_error("  sel:\n    Ip|cidr: 10.0.0.0/+8\n  condition: sel"), "");
	const char *bad[] = {"0x10", "inf", "nan", "' 5'", "'5 '", "1e", "'-'", "'.'", "1_000"};
	char d[128];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(d, sizeof d, "  sel:\n    N|gt: %s\n  condition: sel", bad[i]);
		if (!strcmp(load_error(d), ""))
			fail_msg("N|gt: %s loaded", bad[i]);
	}
	assert_int_equal(match("  sel:\n    N|gt: 5\n  condition: sel", EV("N=0x10")), 0);
	assert_int_equal(match("  sel:\n    N|gt: 5\n  condition: sel", EV("N= 11")), 0);
	assert_int_equal(match("  sel:\n    N|lt: 5\n  condition: sel", EV("N=-inf")), 0);
	assert_int_equal(match("  sel:\n    N|gt: -1.5e1\n  condition: sel", EV("N=-2.5")), 1);
	assert_int_equal(match("  sel:\n    N|gte: 10\n  condition: sel", EV("N=+10")), 1);
}

static void test_cidr(void **state)
{
	(void)state;
	const char *v4 = "  sel:\n    Ip|cidr: 192.0.2.0/24\n  condition: sel";
	assert_int_equal(match(v4, EV("Ip=192.0.2.77")), 1);
	assert_int_equal(match(v4, EV("Ip=192.0.3.1")), 0);
	assert_int_equal(match(v4, EV("Ip=::ffff:192.0.2.1")), 1);
	assert_int_equal(match(v4, EV("Ip=-")), 0);
	const char *v6 = "  sel:\n    Ip|cidr: '2001:db8:abcd::/47'\n  condition: sel";
	assert_int_equal(match(v6, EV("Ip=2001:db8:abcd:1::5")), 1);
	assert_int_equal(match(v6, EV("Ip=2001:db8:abce::1")), 0);
	assert_int_equal(match(v6, EV("Ip=192.0.2.1")), 0);
	assert_string_not_equal(load_error("  sel:\n    Ip|cidr: 300.1.1.1/8\n  condition: sel"), "");
}

static void test_exists_null_numbers_fieldref(void **state)
{
	(void)state;
	assert_int_equal(match("  sel:\n    A|exists: true\n  condition: sel", EV("A=")), 1);
	assert_int_equal(match("  sel:\n    A|exists: false\n  condition: sel", EV("B=1")), 1);
	assert_int_equal(match("  sel:\n    A|exists: false\n  condition: sel", EV("A=1")), 0);
	assert_int_equal(match("  sel:\n    A: null\n  condition: sel", EV("B=1")), 1);
	assert_int_equal(match("  sel:\n    A: null\n  condition: sel", EV("A=x")), 0);
	assert_int_equal(match("  sel:\n    A: ''\n  condition: sel", EV("A=")), 1);
	assert_int_equal(match("  sel:\n    N|gt: 10\n  condition: sel", EV("N=11")), 1);
	assert_int_equal(match("  sel:\n    N|gte: 10\n  condition: sel", EV("N=10")), 1);
	assert_int_equal(match("  sel:\n    N|lt: 10\n  condition: sel", EV("N=10")), 0);
	assert_int_equal(match("  sel:\n    N|lte: 10\n  condition: sel", EV("N=x")), 0);
	assert_int_equal(match("  sel:\n    A|fieldref: B\n  condition: sel", EV("A=Same", "B=same")), 1);
	assert_int_equal(match("  sel:\n    A|fieldref: B\n  condition: sel", EV("A=one", "B=two")), 0);
	assert_int_equal(match("  sel:\n    A|fieldref|endswith: B\n  condition: sel", EV("A=C:\\x\\y.exe", "B=y.exe")), 1);
}

static void test_conditions(void **state)
{
	(void)state;
	char d[512];
	struct {
		const char *cond;
		int a, b, f, want;
	} cases[] = {
		{"sel_a and not filter", 1, 0, 0, 1},
		{"sel_a and not filter", 1, 0, 1, 0},
		{"1 of sel_*", 0, 1, 0, 1},
		{"all of sel_*", 1, 0, 0, 0},
		{"all of sel_*", 1, 1, 0, 1},
		{"not 1 of sel_*", 0, 0, 1, 1},
		{"not 1 of sel_*", 1, 0, 0, 0},
		{"all of them", 1, 1, 1, 1},
		{"all of them", 1, 1, 0, 0},
		{"2 of them", 1, 0, 1, 1},
		{"2 of them", 1, 0, 0, 0},
		{"any of them", 0, 0, 1, 1},
		{"(sel_a or sel_b) and not filter", 0, 1, 0, 1},
		{"sel_a or sel_b and filter", 1, 0, 0, 1},   /* and binds tighter */
		{"not sel_a and sel_b", 0, 1, 0, 1},          /* not binds tightest */
		{"not (sel_a or sel_b)", 0, 0, 0, 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(d, sizeof d, "  sel_a:\n    A: 1\n  sel_b:\n    B: 1\n  filter:\n    F: 1\n  condition: %s", cases[i].cond);
		const char *kv[4];
		size_t n = 0;
		kv[n++] = cases[i].a ? "A=1" : "A=0";
		kv[n++] = cases[i].b ? "B=1" : "B=0";
		kv[n++] = cases[i].f ? "F=1" : "F=0";
		kv[n] = NULL;
		if (match(d, kv) != cases[i].want)
			fail_msg("condition '%s' with a=%d b=%d f=%d: expected %d", cases[i].cond, cases[i].a, cases[i].b,
			         cases[i].f, cases[i].want);
	}
	/* _ identifiers are not part of "them" */
	assert_int_equal(match("  sel:\n    A: 1\n  _x:\n    B: 1\n  condition: all of them", EV("A=1")), 1);
}

static void test_reasons(void **state)
{
	(void)state;
	assert_non_null(strstr(load_error("  sel:\n    A|bogus: 1\n  condition: sel"), "unknown modifier 'bogus'"));
	assert_non_null(strstr(load_error("  sel:\n    A|bogus: 1\n  condition: sel"), "detection.sel.A|bogus"));
	assert_non_null(strstr(load_error("  sel:\n    A: 1\n  condition: sel and nope"), "unknown search identifier 'nope'"));
	assert_non_null(strstr(load_error("  sel:\n    A: 1\n  condition: sel | count() > 5"), "aggregation"));
	assert_non_null(strstr(load_error("  sel:\n    A|expand: '%x%'\n  condition: sel"), "expand"));
	assert_non_null(strstr(load_error("  sel:\n    A: 1\n  condition: (sel"), "missing ')'"));
	assert_non_null(strstr(load_error("  sel:\n    A: 1\n  condition: 0 of sel"), "count"));
	/* deep nesting is refused, not a stack overflow */
	char cond[4096] = "  sel:\n    A: 1\n  condition: ";
	for (int i = 0; i < 500; i++)
		strcat(cond, "(");
	strcat(cond, "sel");
	for (int i = 0; i < 500; i++)
		strcat(cond, ")");
	assert_non_null(strstr(load_error(cond), "nested deeper"));
	char nots[8192] = "  sel:\n    A: 1\n  condition: ";
	for (int i = 0; i < 1000; i++)
		strcat(nots, "not ");
	strcat(nots, "sel");
	assert_non_null(strstr(load_error(nots), "nested deeper"));
	/* malformed YAML */
	struct got g = {{0}, NULL, 0};
	const char *bad = "title: [unclosed\n";
	assert_int_equal(sigma_rules_parse(bad, strlen(bad), "bad.yml", keep, &g), CG_OK);
	assert_null(g.rule);
	assert_non_null(strstr(g.reason, "malformed YAML"));
	/* Bytes that are not UTF-8 are refused with their place before libfyaml
	 * sees them: a '%' directive followed by one made it spin forever. */
	struct got u = {{0}, NULL, 0};
	const char *hang = "title: t\n%\xe5\n";
	assert_int_equal(sigma_rules_parse(hang, strlen(hang), "hang.yml", keep, &u), CG_OK);
	assert_null(u.rule);
	assert_int_equal(u.n, 1);
	assert_non_null(strstr(u.reason, "line 2, column 2"));
	struct got z = {{0}, NULL, 0};
	const char nul[] = "title: t\nlevel: hi\0gh\n";
	assert_int_equal(sigma_rules_parse(nul, sizeof nul - 1, "nul.yml", keep, &z), CG_OK);
	assert_null(z.rule);
	assert_non_null(strstr(z.reason, "line 2, column 10"));
	/* A directive line is capped: libfyaml is quadratic in its length. */
	static char dir[8192 + 512]; /* rule_text() gives up to 8191 bytes */
	memset(dir, '%', 300);
	snprintf(dir + 300, sizeof dir - 300, "\n%s", rule_text("  sel:\n    A: 1\n  condition: sel"));
	struct got w = {{0}, NULL, 0};
	assert_int_equal(sigma_rules_parse(dir, strlen(dir), "dir.yml", keep, &w), CG_OK);
	assert_null(w.rule);
	assert_non_null(strstr(w.reason, "line 1, column 1: YAML directive line too long"));
	struct got y = {{0}, NULL, 0};
	const char *yaml12 = "%YAML 1.2\n---\n";
	snprintf(dir, sizeof dir, "%s%s", yaml12, rule_text("  sel:\n    A: 1\n  condition: sel"));
	assert_int_equal(sigma_rules_parse(dir, strlen(dir), "y.yml", keep, &y), CG_OK);
	assert_non_null(y.rule);
	sigma_rule_free(y.rule);
	/* Valid multi-byte text still loads. */
	struct got v = {{0}, NULL, 0};
	const char *vi = rule_text("  sel:\n    A: 'Sở Thông tin'\n  condition: sel");
	assert_int_equal(sigma_rules_parse(vi, strlen(vi), "vi.yml", keep, &v), CG_OK);
	assert_non_null(v.rule);
	sigma_rule_free(v.rule);
	struct sigma_map *map;
	assert_int_equal(sigma_map_new(&map), CG_OK);
	const char *badmap = "logsources:\n  - {product: \xff}\n";
	assert_int_equal(sigma_map_load(map, badmap, strlen(badmap), "m.yml"), CG_EPARSE);
	assert_non_null(strstr(cg_err_msg(CG_EPARSE), "line 2, column 15"));
	sigma_map_free(map);
}

static void test_logsource_routing(void **state)
{
	(void)state;
	/* A Security rule must not fire on a System event with the same ID. */
	const char *d = "  sel:\n    EventID: 104\n  condition: sel";
	struct cg_event *ev = event_of(EV("EventID=104"));
	cg_event_set_channel(ev, "System", 6);
	struct got g = {{0}, NULL, 0};
	const char *t = rule_text(d);
	assert_int_equal(sigma_rules_parse(t, strlen(t), "t.yml", keep, &g), CG_OK);
	struct sigma_map *map;
	struct sigma_engine *e;
	struct sigma_scanner *sc;
	char why[256];
	assert_int_equal(sigma_map_new(&map), CG_OK);
	assert_int_equal(sigma_engine_new(map, &e), CG_OK);
	assert_int_equal(sigma_engine_add(e, g.rule, why, sizeof why), CG_OK);
	assert_int_equal(sigma_engine_compile(e, NULL, NULL), CG_OK);
	assert_int_equal(sigma_scanner_new(e, &sc), CG_OK);
	int hits = 0;
	assert_int_equal(sigma_scanner_match(sc, ev, on_hit, &hits), CG_OK);
	assert_int_equal(hits, 0);
	/* ForwardedEvents: routed by provider */
	cg_event_set_channel(ev, "ForwardedEvents", 15);
	cg_event_set_provider(ev, "Microsoft-Windows-Security-Auditing", 35);
	assert_int_equal(sigma_scanner_match(sc, ev, on_hit, &hits), CG_OK);
	assert_int_equal(hits, 1);
	cg_event_free(ev);
	sigma_scanner_free(sc);
	sigma_engine_free(e);
	/* a user mapping adds a log source */
	const char *m = "logsources:\n  - {product: windows, service: mysvc, sources: [{channel: [My/Operational]}]}\n";
	assert_int_equal(sigma_map_load(map, m, strlen(m), "m.yml"), CG_OK);
	assert_non_null(sigma_map_find(map, "windows", NULL, "mysvc", why, sizeof why));
	assert_null(sigma_map_find(map, "windows", "file_access", NULL, why, sizeof why));
	assert_non_null(strstr(why, "file_access"));
	sigma_map_free(map);
}

static void corr_cb(void *ud, const struct sigma_corr_fire *f)
{
	assert_string_equal(f->group, "TargetUserName=alice");
	assert_int_equal(f->count, 3);
	assert_int_equal(f->first, 2000);
	assert_int_equal(f->last, 2020);
	assert_true(f->emits);
	(*(int *)ud)++;
}

struct corr_run {
	struct sigma_engine *e;
	struct sigma_corr *c;
	int fired;
	int base_hits;
	int64_t t;
};

static void add_to_engine(void *ud, struct sigma_rule *rule, enum cg_err rc, const char *reason, size_t doc)
{
	struct corr_run *cr = ud;
	char why[256];
	(void)doc;
	if (!rule)
		fail_msg("rule did not load (%d): %s", rc, reason);
	assert_int_equal(sigma_engine_add(cr->e, rule, why, sizeof why), CG_OK);
}

static int corr_hit(void *ud, size_t ri, const struct sigma_rule *r, const struct cg_event *ev)
{
	struct corr_run *cr = ud;
	(void)r;
	cr->base_hits++;
	assert_int_equal(sigma_corr_feed(cr->c, ri, ev, cr->t), CG_OK);
	return 0;
}

static void test_correlation(void **state)
{
	(void)state;
	const char *text =
		"title: many failures\nid: c0000000-0000-0000-0000-000000000001\ncorrelation:\n  type: event_count\n"
		"  rules: [failed_logon]\n  group-by: [TargetUserName]\n  timespan: 5m\n  condition: {gte: 3}\nlevel: high\n"
		"---\ntitle: failed logon\nname: failed_logon\nlogsource: {product: windows, service: security}\n"
		"detection:\n  sel:\n    EventID: 4625\n  condition: sel\n";
	struct sigma_map *map;
	struct corr_run cr = {0};
	struct sigma_scanner *sc;
	assert_int_equal(sigma_map_new(&map), CG_OK);
	assert_int_equal(sigma_engine_new(map, &cr.e), CG_OK);
	assert_int_equal(sigma_rules_parse(text, strlen(text), "c.yml", add_to_engine, &cr), CG_OK);
	assert_int_equal(sigma_engine_compile(cr.e, NULL, NULL), CG_OK);
	assert_int_equal(sigma_engine_rule_count(cr.e), 2);
	/* the base rule only serves the correlation (generate: false) */
	assert_false(sigma_engine_rule_emits(cr.e, 1));
	/* Streaming: hits judged as soon as they are the newest (lateness 0). */
	struct sigma_corr_opts co = {.lateness = 0};
	assert_int_equal(sigma_corr_new(cr.e, &co, corr_cb, &cr.fired, &cr.c), CG_OK);
	assert_int_equal(sigma_scanner_new(cr.e, &sc), CG_OK);
	const char *users[] = {"alice", "bob", "alice", "alice", "bob"};
	int64_t times[] = {1000, 1010, 1020, 2000, 1030};
	for (size_t i = 0; i < 5; i++) {
		char u[64];
		snprintf(u, sizeof u, "TargetUserName=%s", users[i]);
		struct cg_event *ev = event_of(EV("EventID=4625", u));
		cr.t = times[i];
		assert_int_equal(sigma_scanner_match(sc, ev, corr_hit, &cr), CG_OK);
		cg_event_free(ev);
	}
	/* alice at 1000, 1020 and 2000: only two fall within five minutes */
	assert_int_equal(cr.base_hits, 5);
	assert_int_equal(cr.fired, 0);
	struct cg_event *ev = event_of(EV("EventID=4625", "TargetUserName=alice"));
	cr.t = 2010;
	assert_int_equal(sigma_scanner_match(sc, ev, corr_hit, &cr), CG_OK);
	cr.t = 2020;
	assert_int_equal(sigma_scanner_match(sc, ev, corr_hit, &cr), CG_OK);
	assert_int_equal(cr.fired, 1);
	struct sigma_corr_stats st;
	sigma_corr_get_stats(cr.c, &st);
	/* bob at 1030 came after alice at 2000 had been judged */
	assert_int_equal(st.late, 1);
	assert_int_equal(sigma_corr_flush(cr.c), CG_OK);
	assert_int_equal(cr.fired, 1);
	cg_event_free(ev);
	sigma_scanner_free(sc);
	sigma_corr_free(cr.c);
	sigma_engine_free(cr.e);
	sigma_map_free(map);
}

static void test_json_and_xml_readers(void **state)
{
	(void)state;
	struct cg_event *ev;
	assert_int_equal(cg_event_new(&ev), CG_OK);
	const char *xml = "<Event xmlns='x'><System><Provider Name='Microsoft-Windows-Sysmon' Guid='{1}'/>"
	                  "<EventID>1</EventID><Channel>Microsoft-Windows-Sysmon/Operational</Channel>"
	                  "<Computer>web01.so-mau.example</Computer><EventRecordID>42</EventRecordID></System>"
	                  "<EventData><Data Name='Image'>C:\\a&amp;b.exe</Data><Data Name='CommandLine'>&lt;x&gt; &#65;</Data>"
	                  "<Data>unnamed</Data></EventData></Event>";
	assert_int_equal(cg_event_from_xml(xml, strlen(xml), ev), CG_OK);
	const char *v;
	size_t n;
	assert_true(cg_event_get(ev, "Image", 0, &v, &n));
	assert_string_equal(v, "C:\\a&b.exe");
	assert_true(cg_event_get(ev, "CommandLine", 0, &v, &n));
	assert_string_equal(v, "<x> A");
	assert_true(cg_event_get(ev, "Data", 0, &v, &n));
	assert_true(cg_event_get(ev, "Provider_Name", 0, &v, &n));
	assert_int_equal(cg_event_event_id(ev), 1);
	assert_int_equal(cg_event_record_id(ev), 42);
	assert_string_equal(cg_event_computer(ev), "web01.so-mau.example");
	assert_int_not_equal(cg_event_from_xml("<Event><System>", 15, ev), CG_OK);
	/* JSON shapes */
	json_t *j = json_loads("{\"winlog\":{\"event_id\":4624,\"channel\":\"Security\",\"computer_name\":\"h\","
	                       "\"event_data\":{\"LogonType\":\"3\"}},\"@timestamp\":\"2024-01-01T00:00:00Z\"}", 0, NULL);
	assert_int_equal(cg_event_from_json(j, ev), CG_OK);
	assert_int_equal(cg_event_event_id(ev), 4624);
	assert_string_equal(cg_event_channel(ev), "Security");
	assert_true(cg_event_get(ev, "LogonType", 0, &v, &n));
	json_decref(j);
	j = json_loads("{\"EventID\":4688,\"Channel\":\"Security\",\"SourceName\":\"Microsoft-Windows-Security-Auditing\","
	               "\"Hostname\":\"h2\",\"NewProcessName\":\"x\"}", 0, NULL);
	assert_int_equal(cg_event_from_json(j, ev), CG_OK);
	assert_string_equal(cg_event_provider(ev), "Microsoft-Windows-Security-Auditing");
	assert_string_equal(cg_event_computer(ev), "h2");
	json_decref(j);
	/* syslog and auditd */
	const char *l = "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; rhost=198.51.100.7";
	assert_int_equal(cg_event_from_line(l, strlen(l), ev), CG_OK);
	assert_string_equal(cg_event_program(ev), "sshd(pam_unix)");
	const char *a = "type=EXECVE msg=audit(1364481363.243:24287): argc=2 a0=\"cat\" a1=\"/etc/shadow\"";
	assert_int_equal(cg_event_from_line(a, strlen(a), ev), CG_OK);
	assert_true(cg_event_get(ev, "a1", 0, &v, &n));
	assert_string_equal(v, "/etc/shadow");
	assert_true(cg_event_get(ev, "type", 0, &v, &n));
	assert_string_equal(v, "EXECVE");
	cg_event_free(ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_case),
		cmocka_unit_test(test_wildcards_and_escapes),
		cmocka_unit_test(test_contains_starts_ends_all),
		cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_literal_set_one_first_byte),
		cmocka_unit_test(test_literal_at_field_end),
		cmocka_unit_test(test_regex),
		cmocka_unit_test(test_base64_and_offset),
		cmocka_unit_test(test_utf16),
		cmocka_unit_test(test_windash),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_exists_null_numbers_fieldref),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_logsource_routing),
		cmocka_unit_test(test_correlation),
		cmocka_unit_test(test_json_and_xml_readers),
		cmocka_unit_test(test_long_conditions),
		cmocka_unit_test(test_regex_limits),
		cmocka_unit_test(test_yaml_aliases),
		cmocka_unit_test(test_oversize_event),
		cmocka_unit_test(test_utf8_and_folding),
		cmocka_unit_test(test_cidr_mapped_and_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
