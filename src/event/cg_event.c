/* Normalized events (see cg_event.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "cg_i18n.h"
#include "cg_hash.h"
#include "cg_event_int.h"

const unsigned char cg_event_fold_table[256] = {
#define R(b) b, b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7
	R(0), R(8), R(16), R(24), R(32), R(40), R(48), R(56),
	64, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 91, 92, 93, 94, 95,
	R(96), R(104), R(112), R(120), R(128), R(136), R(144), R(152), R(160), R(168),
	R(176), R(184), R(192), R(200), R(208), R(216), R(224), R(232), R(240), R(248)
#undef R
};

/* Lower case of a code point of two or three UTF-8 bytes whose lower case
 * has as many bytes; the code point itself otherwise. Tables: Unicode
 * UnicodeData.txt simple lowercase mappings for these blocks. */
static uint32_t lower_cp(uint32_t c)
{
	if ((c >= 0xc0 && c <= 0xde && c != 0xd7) || (c >= 0x391 && c <= 0x3ab && c != 0x3a2) ||
	    (c >= 0x410 && c <= 0x42f))
		return c + 0x20;
	if (c >= 0x400 && c <= 0x40f)
		return c + 0x50;
	if ((c >= 0x100 && c <= 0x12f) || (c >= 0x132 && c <= 0x137) || (c >= 0x14a && c <= 0x177) ||
	    (c >= 0x1de && c <= 0x1ef) || (c >= 0x1f8 && c <= 0x21f) || (c >= 0x222 && c <= 0x233) ||
	    (c >= 0x1e00 && c <= 0x1e95) || (c >= 0x1ea0 && c <= 0x1eff))
		return c | 1;
	if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e) || (c >= 0x1cd && c <= 0x1dc))
		return (c & 1) ? c + 1 : c;
	if (c == 0x178)
		return 0xff;
	if (c == 0x1a0 || c == 0x1af) /* O and U with horn */
		return c + 1;
	return c;
}

/* Eight ASCII bytes at once: A-Z gain 0x20, nothing else changes. Only
 * for words without a byte >= 0x80 (then no sum below carries into the
 * next byte). */
static inline uint64_t fold_ascii8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull;
	uint64_t ge_a = x + ones * (0x80 - 'A');       /* high bit: byte >= 'A' */
	uint64_t gt_z = x + ones * (0x80 - 'Z' - 1);   /* high bit: byte > 'Z' */
	uint64_t upper = (ge_a ^ gt_z) & ones * 0x80;  /* 'A' <= byte <= 'Z' */
	return x | upper >> 2;
}

void cg_event_fold_utf8(const unsigned char *s, size_t n, unsigned char *out)
{
	size_t i = 0;
	while (i < n) {
		if (n - i >= 8) {
			uint64_t x;
			memcpy(&x, s + i, 8);
			if (!(x & 0x8080808080808080ull)) {
				x = fold_ascii8(x);
				memcpy(out + i, &x, 8);
				i += 8;
				continue;
			}
		}
		unsigned char c = s[i];
		if (c < 0x80) {
			out[i] = cg_event_fold_table[c];
			i++;
		} else if (c >= 0xc2 && c <= 0xdf && i + 1 < n && (s[i + 1] & 0xc0) == 0x80) {
			uint32_t cp = lower_cp(((uint32_t)(c & 0x1f) << 6) | (s[i + 1] & 0x3f));
			out[i] = (unsigned char)(0xc0 | (cp >> 6));
			out[i + 1] = (unsigned char)(0x80 | (cp & 0x3f));
			i += 2;
		} else if (c == 0xe1 && i + 2 < n && (s[i + 1] & 0xc0) == 0x80 && (s[i + 2] & 0xc0) == 0x80) {
			uint32_t cp = lower_cp(0x1000u | ((uint32_t)(s[i + 1] & 0x3f) << 6) | (s[i + 2] & 0x3f));
			out[i] = c;
			out[i + 1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
			out[i + 2] = (unsigned char)(0x80 | (cp & 0x3f));
			i += 3;
		} else {
			out[i] = c;
			i++;
		}
	}
}

/* Windows writes some field names with spaces ("Threat Name") that Sigma
 * rules spell without ("ThreatName"): names compare ignoring both spaces
 * and ASCII case. */
int cg_event_name_eq(const char *a, size_t an, const char *b, size_t bn)
{
	if (an == bn && memcmp(a, b, an) == 0) /* the usual case: spelt the same */
		return 1;
	size_t i = 0, j = 0;
	for (;;) {
		while (i < an && a[i] == ' ')
			i++;
		while (j < bn && b[j] == ' ')
			j++;
		if (i == an || j == bn)
			return i == an && j == bn;
		if (cg_event_fold((unsigned char)a[i]) != cg_event_fold((unsigned char)b[j]))
			return 0;
		i++;
		j++;
	}
}

uint32_t cg_event_field_hash(const char *name, size_t n)
{
	uint64_t h = CG_FNV64_OFFSET;
	for (size_t i = 0; i < n; i++)
		if (name[i] != ' ')
			h = cg_fnv64_step(h, cg_event_fold((unsigned char)name[i]));
	return (uint32_t)(h ^ (h >> 32));
}

enum cg_err cg_event_new(struct cg_event **out)
{
	struct cg_event *ev = calloc(1, sizeof *ev);
	if (!ev)
		return cg_err_set(CG_ENOMEM, _("sigma: out of memory"));
	ev->event_id = -1;
	ev->pid = -1;
	ev->severity = ev->facility = -1;
	ev->default_offset = CG_TIME_OFFSET_VN;
	struct timeval tv;
	gettimeofday(&tv, NULL);
	ev->received_us = (int64_t)tv.tv_sec * CG_TIME_US_PER_S + tv.tv_usec;
	*out = ev;
	return CG_OK;
}

void cg_event_free(struct cg_event *ev)
{
	if (!ev)
		return;
	free(ev->arena);
	free(ev->f);
	free(ev->low);
	free(ev->json_tok);
	free(ev->json_buf);
	free(ev);
}

void cg_event_reset(struct cg_event *ev)
{
	ev->len = 0;
	ev->n = 0;
	ev->product = CG_EVENT_PRODUCT_ANY;
	ev->event_id = -1;
	ev->record_id = 0;
	ev->channel[0] = ev->provider[0] = ev->program[0] = ev->computer[0] = '\0';
	ev->has_time = 0;
	ev->time_us = 0;
	ev->time_offset = 0;
	ev->pid = -1;
	ev->severity = ev->facility = -1;
	ev->low_len = 0;
	ev->low_valid = 0;
	ev->truncated = 0;
}

int cg_event_truncated(const struct cg_event *ev)
{
	return ev->truncated;
}

static enum cg_err arena_put(struct cg_event *ev, const char *s, size_t n, uint32_t *off)
{
	if (ev->len + n + 1 > ev->alloc) {
		size_t na = ev->alloc ? ev->alloc * 2 : 4096;
		while (na < ev->len + n + 1)
			na *= 2;
		char *p = realloc(ev->arena, na);
		if (!p)
			return cg_err_set(CG_ENOMEM, _("sigma: out of memory"));
		ev->arena = p;
		ev->alloc = na;
	}
	if (n)
		memcpy(ev->arena + ev->len, s, n);
	ev->arena[ev->len + n] = '\0';
	*off = (uint32_t)ev->len;
	ev->len += n + 1;
	return CG_OK;
}

enum cg_err cg_event_add(struct cg_event *ev, const char *name, size_t name_len,
                            const char *value, size_t value_len)
{
	if (ev->n >= CG_EVENT_MAX_FIELDS || ev->len + name_len + value_len + 2 > CG_EVENT_MAX_BYTES) {
		ev->truncated = 1;
		return CG_OK;
	}
	if (ev->n == ev->alloc_f) {
		size_t na = ev->alloc_f ? ev->alloc_f * 2 : 32;
		struct cg_event_field_rec *p = realloc(ev->f, na * sizeof *p);
		if (!p)
			return cg_err_set(CG_ENOMEM, _("sigma: out of memory"));
		ev->f = p;
		ev->alloc_f = na;
	}
	struct cg_event_field_rec *r = &ev->f[ev->n];
	enum cg_err rc = arena_put(ev, name, name_len, &r->name_off);
	if (rc)
		return rc;
	rc = arena_put(ev, value, value_len, &r->val_off);
	if (rc)
		return rc;
	r->name_len = (uint32_t)name_len;
	r->val_len = (uint32_t)value_len;
	r->hash = cg_event_field_hash(name, name_len);
	r->low_off = 0;
	ev->n++;
	ev->low_valid = 0;
	return CG_OK;
}

static void fact(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

void cg_event_set_product(struct cg_event *ev, enum cg_event_product p) { ev->product = p; }
void cg_event_set_channel(struct cg_event *ev, const char *s, size_t n) { fact(ev->channel, sizeof ev->channel, s, n); }
void cg_event_set_provider(struct cg_event *ev, const char *s, size_t n) { fact(ev->provider, sizeof ev->provider, s, n); }
void cg_event_set_program(struct cg_event *ev, const char *s, size_t n) { fact(ev->program, sizeof ev->program, s, n); }
void cg_event_set_event_id(struct cg_event *ev, long id) { ev->event_id = id; }
void cg_event_set_record_id(struct cg_event *ev, uint64_t id) { ev->record_id = id; }
void cg_event_set_computer(struct cg_event *ev, const char *s, size_t n) { fact(ev->computer, sizeof ev->computer, s, n); }
void cg_event_set_pid(struct cg_event *ev, long pid) { ev->pid = pid; }
void cg_event_set_received(struct cg_event *ev, int64_t us) { ev->received_us = us; }
void cg_event_set_default_offset(struct cg_event *ev, int offset_min) { ev->default_offset = offset_min; }

void cg_event_set_severity(struct cg_event *ev, int severity, int facility)
{
	ev->severity = severity;
	ev->facility = facility;
}

void cg_event_set_time(struct cg_event *ev, int64_t us, int offset_min)
{
	ev->has_time = 1;
	ev->time_us = us;
	ev->time_offset = offset_min;
}

struct cg_time_ctx cg_event_time_ctx(const struct cg_event *ev)
{
	struct cg_time_ctx c = {cg_time_us_to_s(ev->received_us), ev->default_offset};
	return c;
}

int cg_event_set_time_text(struct cg_event *ev, const char *s, size_t n, int zoneless_utc)
{
	struct cg_time_ctx c = cg_event_time_ctx(ev);
	struct cg_stamp st;
	if (zoneless_utc)
		c.default_offset = 0;
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (!n || cg_time_parse(s, n, CG_TIME_LOG | CG_TIME_CLF | CG_TIME_EPOCH, &c, &st) != n)
		return 0;
	cg_event_set_time(ev, st.us, st.offset);
	return 1;
}

enum cg_event_product cg_event_product(const struct cg_event *ev) { return ev->product; }
const char *cg_event_channel(const struct cg_event *ev) { return ev->channel; }
const char *cg_event_provider(const struct cg_event *ev) { return ev->provider; }
const char *cg_event_program(const struct cg_event *ev) { return ev->program; }
long cg_event_event_id(const struct cg_event *ev) { return ev->event_id; }
uint64_t cg_event_record_id(const struct cg_event *ev) { return ev->record_id; }
const char *cg_event_computer(const struct cg_event *ev) { return ev->computer; }
const char *cg_event_host(const struct cg_event *ev) { return ev->computer; }
long cg_event_pid(const struct cg_event *ev) { return ev->pid; }
int cg_event_severity(const struct cg_event *ev) { return ev->severity; }
int cg_event_facility(const struct cg_event *ev) { return ev->facility; }
int cg_event_has_time(const struct cg_event *ev) { return ev->has_time; }
int64_t cg_event_time_us(const struct cg_event *ev) { return ev->has_time ? ev->time_us : 0; }
int cg_event_time_offset(const struct cg_event *ev) { return ev->time_offset; }
int64_t cg_event_received_us(const struct cg_event *ev) { return ev->received_us; }
/* Rendered on demand (most events are never shown), into a per-thread buffer. */
const char *cg_event_time(const struct cg_event *ev)
{
	static _Thread_local char text[40];
	text[0] = '\0';
	if (ev->has_time)
		cg_time_format(ev->time_us, ev->time_offset, text, sizeof text);
	return text;
}

int cg_event_message(const struct cg_event *ev, const char **s, size_t *n)
{
	return cg_event_get(ev, "message", 0, s, n);
}

int64_t cg_event_epoch(const struct cg_event *ev)
{
	return ev->has_time ? cg_time_us_to_s(ev->time_us) : -1;
}

size_t cg_event_count(const struct cg_event *ev) { return ev->n; }

void cg_event_field(const struct cg_event *ev, size_t i, const char **name, size_t *name_len,
                       const char **value, size_t *value_len)
{
	const struct cg_event_field_rec *r = &ev->f[i];
	*name = ev->arena + r->name_off;
	*name_len = r->name_len;
	*value = ev->arena + r->val_off;
	*value_len = r->val_len;
}

static void strip_path(const char **name, size_t *n)
{
	static const char *const prefixes[] = {"Event.System.", "Event.EventData.", "Event.UserData."};
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		size_t pl = strlen(prefixes[i]);
		if (*n > pl && strncasecmp(*name, prefixes[i], pl) == 0) {
			*name += pl;
			*n -= pl;
			return;
		}
	}
}

int cg_event_get(const struct cg_event *ev, const char *name, size_t nth, const char **value,
                    size_t *value_len)
{
	size_t n = strlen(name);
	strip_path(&name, &n);
	uint32_t h = cg_event_field_hash(name, n);
	for (size_t i = 0; i < ev->n; i++) {
		const struct cg_event_field_rec *r = &ev->f[i];
		if (r->hash != h || !cg_event_name_eq(ev->arena + r->name_off, r->name_len, name, n))
			continue;
		if (nth-- == 0) {
			*value = ev->arena + r->val_off;
			*value_len = r->val_len;
			return 1;
		}
	}
	return 0;
}

enum cg_err cg_event_fold_values(struct cg_event *ev)
{
	if (ev->low_valid)
		return CG_OK;
	size_t need = 1;
	for (size_t i = 0; i < ev->n; i++)
		need += ev->f[i].val_len + 1;
	if (need > ev->low_alloc) {
		size_t na = ev->low_alloc ? ev->low_alloc : 4096;
		while (na < need)
			na *= 2;
		char *p = realloc(ev->low, na);
		if (!p)
			return cg_err_set(CG_ENOMEM, _("sigma: out of memory"));
		ev->low = p;
		ev->low_alloc = na;
	}
	size_t o = 0;
	for (size_t i = 0; i < ev->n; i++) {
		struct cg_event_field_rec *r = &ev->f[i];
		r->low_off = (uint32_t)o;
		cg_event_fold_utf8((const unsigned char *)ev->arena + r->val_off, r->val_len, (unsigned char *)ev->low + o);
		o += r->val_len;
		ev->low[o++] = '\n';
	}
	ev->low[o] = '\0';
	ev->low_len = o;
	ev->low_valid = 1;
	return CG_OK;
}

enum cg_err cg_event_clone(const struct cg_event *ev, struct cg_event **out)
{
	struct cg_event *c;
	enum cg_err rc = cg_event_new(&c);
	if (rc)
		return rc;
	memcpy(c->channel, ev->channel, sizeof c->channel);
	memcpy(c->provider, ev->provider, sizeof c->provider);
	memcpy(c->program, ev->program, sizeof c->program);
	memcpy(c->computer, ev->computer, sizeof c->computer);
	c->has_time = ev->has_time;
	c->time_us = ev->time_us;
	c->time_offset = ev->time_offset;
	c->pid = ev->pid;
	c->severity = ev->severity;
	c->facility = ev->facility;
	c->received_us = ev->received_us;
	c->default_offset = ev->default_offset;
	c->product = ev->product;
	c->truncated = ev->truncated;
	c->event_id = ev->event_id;
	c->record_id = ev->record_id;
	for (size_t i = 0; i < ev->n; i++) {
		const struct cg_event_field_rec *r = &ev->f[i];
		if ((rc = cg_event_add(c, ev->arena + r->name_off, r->name_len, ev->arena + r->val_off, r->val_len))) {
			cg_event_free(c);
			return rc;
		}
	}
	*out = c;
	return CG_OK;
}
