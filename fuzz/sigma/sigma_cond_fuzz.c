/* Fuzz target: the Sigma condition grammar. The input is a condition, or a
 * condition list (one item per line). It is parsed directly against fixed
 * search identifiers, then as the condition of a whole rule that is
 * compiled (literal sets) and evaluated on one event. Long flat inputs (a
 * chain of thousands of `or`, a list of thousands of items) are in the seed
 * corpus: no recursion may follow their length. Must never crash, leak or
 * hang. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigma_fuzz.h"
#include "sigma_int.h"

#define COND_FUZZ_MAX_INPUT (64 * 1024)

static void parse_direct(const char *text)
{
	static char names[4][8] = {"sel_a", "sel_b", "filter", "_x"};
	struct sigma_search s[4];
	memset(s, 0, sizeof s);
	for (int i = 0; i < 4; i++)
		s[i].name = names[i];
	size_t nodes = 0;
	struct sigma_cnode *list = NULL;
	const char *p = text;
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *item = strndup(p, n);
		struct sigma_cnode *c = NULL;
		enum cg_err rc = item ? sigma_cond_parse(item, s, 4, &nodes, &c) : CG_ENOMEM;
		free(item);
		if (rc || sigma_cond_list_add(&list, &nodes, c))
			break;
		if (!nl)
			break;
		p = nl + 1;
	}
	sigma_cond_free(list);
}

/* The input as a YAML list of single-quoted condition items. */
static char *rule_yaml(const char *text)
{
	size_t cap = strlen(text) * 10 + 512, o = 0; /* a newline becomes 9 bytes */
	char *y = malloc(cap);
	if (!y)
		return NULL;
	o += (size_t)snprintf(y, cap, "title: fuzz\nlogsource: {product: windows, service: security}\n"
	                      "detection:\n  sel_a: {A: '1'}\n  sel_b: {B|contains: xyz}\n  filter: {F: '1'}\n"
	                      "  _x: {X: '1'}\n  condition:\n    - '");
	for (const char *p = text; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\n') {
			o += (size_t)snprintf(y + o, cap - o, "'\n    - '");
			continue;
		}
		if (c == '\'')
			y[o++] = '\'';
		y[o++] = c < 0x20 || c >= 0x7f ? ' ' : (char)c;
	}
	snprintf(y + o, cap - o, "'\n");
	return y;
}

static void fill(struct cg_event *ev)
{
	cg_event_set_product(ev, CG_EVENT_PRODUCT_WINDOWS);
	cg_event_set_channel(ev, "Security", 8);
	ignore(cg_event_add(ev, "A", 1, "1", 1));
	ignore(cg_event_add(ev, "B", 1, "wxyz", 4));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > COND_FUZZ_MAX_INPUT)
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	parse_direct(text);
	char *y = rule_yaml(text);
	free(text);
	if (y)
		sigma_fuzz_rules(y, strlen(y), fill);
	free(y);
	return 0;
}
