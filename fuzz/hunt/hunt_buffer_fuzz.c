/* Fuzz a whole hunt of one buffer (many lines) against a small fixed set:
 * every hit must lie inside its line and the line inside the buffer. */
#include <stdint.h>
#include <string.h>

#include "hunt.h"

static struct ioc_set *set;

static void build(void)
{
	static const char *const v[] = {"198.51.100.23", "192.0.2.0/25", "10.0.0.0/8", "2001:db8:bad::/48",
					"2001:db8::15", "c2.badupdate.example", "login-verify.example",
					"http://dl.badupdate.example/payload.bin", "https://x.example",
					"d41d8cd98f00b204e9800998ecf8427e",
					"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"};
	struct ioc_set_builder *b;
	if (ioc_set_builder_new(&b))
		__builtin_trap();
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct ioc ioc;
		if (ioc_parse(v[i], strlen(v[i]), IOC_NONE, &ioc) || ioc_set_builder_add(b, &ioc, "fuzz", "f"))
			__builtin_trap();
	}
	if (ioc_set_build(b, &set))
		__builtin_trap();
}

struct span {
	const char *buf;
	size_t len;
	uint64_t last_line;
};

static enum cg_err on_hit(void *ctx, const struct hunt_hit *h)
{
	struct span *s = ctx;
	if (h->line_text < s->buf || h->line_text + h->line_len > s->buf + s->len || h->found < h->line_text ||
	    h->found + h->found_len > h->line_text + h->line_len || h->line < s->last_line || !h->entry)
		__builtin_trap();
	s->last_line = h->line;
	return CG_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct span s = {(const char *)data, size, 0};
	struct hunt_sink sink = {.hit = on_hit, .ctx = &s};
	struct hunt_stats st;

	if (!set)
		build();
	if (hunt_buffer(set, "fuzz", (const char *)data, size, &sink, &st))
		__builtin_trap();
	return 0;
}
