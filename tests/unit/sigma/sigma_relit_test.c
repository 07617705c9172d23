/* The literal the Sigma prefilter requires of a regular expression
 * (sigma_re_literal) must be in every string the expression matches, or a
 * regex-only rule would silently miss. Checked two ways: known patterns of
 * SigmaHQ's style with the literal worked out by hand, and 100,000 random
 * patterns, each with strings built to match it and confirmed by PCRE2
 * itself, whose folded text must contain the folded literal. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "../test_util.h"
#include "cg_event_int.h"
#include "sigma_int.h"

static void lit_of(const char *re, int caseless, char *out)
{
	size_t n = strlen(re), at, len;
	unsigned char *buf = malloc(n + 1);
	assert_non_null(buf);
	sigma_re_literal(re, n, caseless, &at, &len, buf);
	memcpy(out, buf + at, len);
	out[len] = '\0';
	free(buf);
}

static void test_known(void **state)
{
	(void)state;
	static const struct {
		const char *re;
		int caseless;
		const char *want;
	} t[] = {
		{"\\\\whoami\\.exe$", 0, "\\whoami.exe"},
		{"^.*\\\\rundll32\\.exe.*,#\\d+", 0, "\\rundll32.exe"},
		{"(.){200,}", 0, ""},
		{"cmd\\.exe /c (echo|type)", 0, "cmd.exe /c "},
		{"abc|defgh", 0, ""},                 /* top-level alternation */
		{"powershell(\\.exe)? -enc", 0, "powershell"},
		{"ab?cdef", 0, "cdef"},               /* b is optional: not part of a run */
		{"xy+zzz", 0, "zzz"},                 /* "xy" and "yzzz" are needed; "xyzzz" is not */
		{"xyzw+", 0, "xyzw"},
		{"mimikatz", 1, "mimi"},              /* caseless: k may be the Kelvin sign */
		{"mimikatz", 0, "mimikatz"},
		{"net[12]?\\.exe", 0, ".exe"},
		{"a{2,3}bcd", 0, "bcd"},
		{"q{x}rst", 0, "x}rst"},              /* '{' that is not a quantifier is itself literal */
		{"\\x41bcdef", 0, ""},                /* escapes with arguments: no literal */
		{"\\Qa.b\\Ecdefg", 0, ""},
		{"(?x) a b c d", 0, ""},
		{"[^]abc]defg", 0, "defg"},
		{"[[:alpha:]]hijk", 0, "hijk"},
	};
	char got[256];
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		lit_of(t[i].re, t[i].caseless, got);
		if (strcmp(got, t[i].want) != 0)
			fail_msg("pattern %s: literal '%s', want '%s'", t[i].re, got, t[i].want);
	}
}

/* ---- random patterns and strings that match them ---- */

static unsigned long long rng = 0x9e3779b97f4a7c15ull;
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

struct gen {
	int full; /* the pattern did not fit: the case is skipped */
	char re[2048];
	size_t rn;
	char subj[1024];
	size_t sn;
	int caseless;
};

static void put_re(struct gen *g, const char *s)
{
	size_t n = strlen(s);
	if (g->rn + n < sizeof g->re - 1) {
		memcpy(g->re + g->rn, s, n);
		g->rn += n;
		g->re[g->rn] = '\0';
	} else {
		g->full = 1;
	}
}

static void put_subj(struct gen *g, const char *s, size_t n)
{
	if (g->sn + n <= 1024) { /* bounded, so a group's occurrence fits any piece */
		memcpy(g->subj + g->sn, s, n);
		g->sn += n;
	} else {
		g->full = 1;
	}
}

static void gen_seq(struct gen *g, int depth);

/* One atom: its pattern text, and a way to produce one occurrence. */
static void gen_atom(struct gen *g, int depth, char *subj_piece, size_t *pn)
{
	static const char plain[] = "abkKsSxz-/ ";
	unsigned k = rnd(depth < 2 ? 7 : 5); /* 5 and 6: a group */
	*pn = 0;
	switch (k) {
	case 0:
	case 1:
	case 2: { /* a plain character; its occurrence may differ in case when caseless */
		char c = plain[rnd(sizeof plain - 1)];
		char re[2] = {c, 0};
		put_re(g, re);
		if (g->caseless && (c == 'k' || c == 'K') && rnd(3) == 0) {
			memcpy(subj_piece, "\xe2\x84\xaa", 3); /* KELVIN SIGN */
			*pn = 3;
		} else if (g->caseless && (c == 's' || c == 'S') && rnd(3) == 0) {
			memcpy(subj_piece, "\xc5\xbf", 2); /* LATIN SMALL LETTER LONG S */
			*pn = 2;
		} else {
			subj_piece[0] = g->caseless && rnd(2) ? (char)(c ^ 0x20 * (c >= 'a' && c <= 'z' ? 1 : c >= 'A' && c <= 'Z' ? 1 : 0)) : c;
			*pn = 1;
		}
		break;
	}
	case 3: /* an escaped punctuation character */
		if (rnd(2)) {
			put_re(g, "\\.");
			subj_piece[0] = '.';
		} else {
			put_re(g, "\\\\");
			subj_piece[0] = '\\';
		}
		*pn = 1;
		break;
	case 4: /* a class, '.', or \d */
		switch (rnd(3)) {
		case 0:
			put_re(g, "[ab]");
			subj_piece[0] = rnd(2) ? 'a' : 'b';
			break;
		case 1:
			put_re(g, ".");
			subj_piece[0] = "abkq.\\"[rnd(6)];
			break;
		default:
			put_re(g, "\\d");
			subj_piece[0] = (char)('0' + rnd(10));
		}
		*pn = 1;
		break;
	default: { /* a group with alternatives */
		put_re(g, "(");
		struct gen sub = {.caseless = g->caseless};
		unsigned alts = 1 + rnd(3), pick = rnd(alts);
		for (unsigned a = 0; a < alts; a++) {
			if (a)
				put_re(g, "|");
			sub.rn = sub.sn = 0;
			sub.re[0] = '\0';
			gen_seq(&sub, depth + 1);
			put_re(g, sub.re);
			g->full |= sub.full;
			if (a == pick) {
				memcpy(subj_piece, sub.subj, sub.sn);
				*pn = sub.sn;
			}
		}
		put_re(g, ")");
	}
	}
}

static void gen_seq(struct gen *g, int depth)
{
	unsigned atoms = 1 + rnd(8);
	for (unsigned i = 0; i < atoms; i++) {
		char piece[1024];
		size_t pn;
		gen_atom(g, depth, piece, &pn);
		static const char *const q[] = {"", "", "", "*", "+", "?", "{0,2}", "{2}", "{1,3}", "*?", "++"};
		static const unsigned lo[] = {1, 1, 1, 0, 1, 0, 0, 2, 1, 0, 1};
		static const unsigned hi[] = {1, 1, 1, 3, 3, 1, 2, 2, 3, 3, 3};
		unsigned qi = rnd(sizeof q / sizeof q[0]);
		put_re(g, q[qi]);
		unsigned reps = lo[qi] + rnd(hi[qi] - lo[qi] + 1);
		/* "++" is possessive: one repetition avoids needing backtracking */
		for (unsigned r = 0; r < reps; r++)
			put_subj(g, piece, pn);
	}
}

static void test_random(void **state)
{
	(void)state;
	pcre2_match_data *md = NULL;
	pcre2_match_context *mc = pcre2_match_context_create(NULL);
	assert_non_null(mc);
	pcre2_set_match_limit(mc, 20000); /* nested quantifiers can backtrack for ever */
	size_t checked = 0, with_literal = 0;
	for (int iter = 0; iter < 100000; iter++) {
		struct gen g = {.caseless = (int)rnd(2)};
		if (rnd(4) == 0)
			put_re(&g, "^");
		gen_seq(&g, 0);
		if (rnd(10) == 0) { /* a top-level alternative: the subject comes from the first */
			put_re(&g, "|zz");
		}
		/* some context around the match */
		char subj[8192];
		size_t sn = 0;
		if (g.re[0] != '^') {
			memcpy(subj, "pre ", 4);
			sn = 4;
		}
		memcpy(subj + sn, g.subj, g.sn);
		sn += g.sn;
		memcpy(subj + sn, " post", 5);
		sn += 5;
		if (g.full)
			continue;
		int err;
		PCRE2_SIZE off;
		pcre2_code *re = pcre2_compile((PCRE2_SPTR)g.re, g.rn,
		                               PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | (g.caseless ? PCRE2_CASELESS : 0), &err,
		                               &off, NULL);
		if (!re)
			fail_msg("generated pattern does not compile: %s", g.re);
		if (!md)
			md = pcre2_match_data_create(1, NULL);
		int rc = pcre2_match(re, (PCRE2_SPTR)subj, sn, 0, 0, md, mc);
		pcre2_code_free(re);
		if (rc < 0)
			continue; /* possessive quantifiers can refuse the built string, or the limit: not a case */
		checked++;
		size_t at, len;
		unsigned char buf[2048], flit[2048], fsubj[8192];
		sigma_re_literal(g.re, g.rn, g.caseless, &at, &len, buf);
		if (!len)
			continue;
		with_literal++;
		cg_event_fold_utf8(buf + at, len, flit);
		cg_event_fold_utf8((const unsigned char *)subj, sn, fsubj);
		if (!memmem(fsubj, sn, flit, len))
			fail_msg("pattern %s (caseless %d) matches '%.*s' which lacks its literal '%.*s'", g.re, g.caseless,
			         (int)sn, subj, (int)len, buf + at);
	}
	pcre2_match_data_free(md);
	pcre2_match_context_free(mc);
	/* the generator must exercise both sides */
	assert_true(checked > 50000);
	assert_true(with_literal > 20000);
	print_message("# %zu matching strings checked, %zu patterns with a literal\n", checked, with_literal);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known),
		cmocka_unit_test(test_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
