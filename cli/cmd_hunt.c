/* canhgac hunt — search log files for indicators, exactly. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asset_index.h"
#include "cg_buf.h"
#include "cg_esc.h"
#include "cg_file.h"
#include "cg_hash.h"
#include "cli.h"
#include "feed.h"
#include "hunt.h"
#include "hunt_intel.h"
#include "ioc_set.h"
#include "event_reader.h"
#include "store_hits.h"
#include "store_intel.h"

/* Exit status when the hunt ran but some input could not be read. */
#define HUNT_EXIT_PARTIAL 3
#define BAD_PRINT_MAX 20   /* bad feed lines printed per file */
#define INTEL_FILES_MAX 256
#define SOURCES_MAX 256
#define SUMMARY_ROWS_MAX 50 /* rows per summary table on a terminal or not */
#define LABEL_MAX 256

enum {
	OPT_INTEL = CLI_OPT_FIRST_FREE,
	OPT_SOURCE,
	OPT_FORMAT,
	OPT_THREADS,
	OPT_NO_STORE,
	OPT_CHUNK,
	OPT_MAP,
	OPT_HUNT_SPECIAL
};

static void usage(FILE *f)
{
	fputs(_("Usage: canhgac hunt [--intel FILE]... [--source NAME]... [--format F] [--threads N]\n"
		"                    [--hunt-special] [--no-store] [--json] PATH...\n"
		"Search log files for threat-intel indicators, exactly: whole-token IPv4/IPv6\n"
		"addresses (any IPv6 spelling), addresses inside listed CIDRs (the most specific\n"
		"wins; a hit names every list that covers the address),\n"
		"domains and their sub-domains, hashes as whole hex words, listed URLs.\n\n"
		"PATH is a file (plain or gzip) or a directory, read recursively in sorted order;\n"
		"'-' is standard input.\n\n"
		"Options:\n"
		"  -i, --intel FILE   hunt for the indicators of this feed file (repeatable) instead of\n"
		"                     the database's; the database is then neither needed nor touched\n"
		"                     unless --db is given\n"
		"  -s, --source NAME  only the database's source NAME (repeatable; default: all)\n"
		"  -f, --format F     format of the --intel files: plain, feodo, spamhaus, firehol, hosts,\n"
		"                     rpz, csv, stix, misp (default: detected from the content)\n"
		"  -m, --map SPEC     CSV column mapping for --intel files (see canhgac intel --help)\n"
		"  -t, --threads N    worker threads (default: the number of CPUs)\n"
		"      --hunt-special also hunt listed indicators in special-purpose address blocks\n"
		"                     (private, loopback, link-local, CGNAT, multicast, reserved, ...):\n"
		"                     by default only sources imported with --hunt-special are\n"
		"                     hunted there, as edge blocklists list them all\n"
		"      --no-store     do not record the hunt and its hits in the database\n"
		"      --db PATH      database file\n"
		"      --json         one JSON object per hit and line (JSON Lines), nothing else on stdout\n"
		"      --quiet        no progress display\n"
		"  -h, --help         show this help\n\n"
		"Exit status: 0 the hunt ran (with or without hits), 1 failure (unusable intel,\n"
		"database error), 2 usage error, 3 the hunt ran but some input could not be read.\n"),
	      f);
}

/* ---- counting for the summary ---- */

struct tally_row {
	char *key;
	const char *note;
	uint64_t n;
};

struct tally {
	struct tally_row *rows;
	size_t n, cap;
	size_t *ht; /* row index + 1 */
	size_t mask;
};

/* Keys are host labels taken from logs: a seeded hash. */
static uint64_t str_hash(const char *s)
{
	return cg_hash_seeded(0, s, strlen(s));
}

static enum cg_err tally_add(struct tally *t, const char *key, const char *note)
{
	size_t h;

	if ((t->n + 1) * 2 > t->mask + 1) {
		size_t slots = t->mask ? (t->mask + 1) * 2 : 64;
		size_t *ht = calloc(slots, sizeof *ht);
		if (!ht)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		for (size_t i = 0; i < t->n; i++) {
			size_t k = str_hash(t->rows[i].key) & (slots - 1);
			while (ht[k])
				k = (k + 1) & (slots - 1);
			ht[k] = i + 1;
		}
		free(t->ht);
		t->ht = ht;
		t->mask = slots - 1;
	}
	h = str_hash(key) & t->mask;
	while (t->ht[h]) {
		struct tally_row *r = &t->rows[t->ht[h] - 1];
		if (strcmp(r->key, key) == 0) {
			r->n++;
			return CG_OK;
		}
		h = (h + 1) & t->mask;
	}
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 32;
		void *p = realloc(t->rows, nc * sizeof *t->rows);
		if (!p)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		t->rows = p;
		t->cap = nc;
	}
	if (!(t->rows[t->n].key = strdup(key)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	t->rows[t->n].note = note;
	t->rows[t->n].n = 1;
	t->ht[h] = ++t->n;
	return CG_OK;
}

static void tally_free(struct tally *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->rows[i].key);
	free(t->rows);
	free(t->ht);
}

static int cmp_row(const void *a, const void *b)
{
	const struct tally_row *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* ---- the hunt ---- */

/* Hits are written through this buffer: one fwrite per block, not per hit. */
#define OUT_BUF_SIZE ((size_t)256 << 10)
/* The part of a hit's output that depends only on its line (JSON host,
 * host_id, seen_at; or the text " [label]"): escaped label and more. */
#define LINE_TAIL_MAX (6 * LABEL_MAX + 128)

struct hunt_cli {
	struct cli_ctx *cli;
	const struct ioc_set *set;
	struct asset_index *idx;
	struct store_hunt *store;
	struct cli_progress progress;
	int64_t now;
	struct tally by_match, by_host;
	uint64_t file_errors;
	const char *unknown; /* translated once, not per hit */
	/* Output block. */
	char *out;
	size_t out_len;
	/* The hits' file as JSON ({"file":"...","line":), made once per file. */
	const char *prefix_for;
	char *prefix;
	size_t prefix_len;
};

/* What annotate learned about a line, kept per worker thread (the sink's
 * scratch) so the hits of one line share it. */
struct line_memo {
	int64_t host_id, seen_at;
	size_t label_len, tail_len;
	char label[LABEL_MAX];
	char tail[LINE_TAIL_MAX];
};

/* The note of a hit: this head, the label, then the hit's output without
 * its file and line number. */
struct note_head {
	int64_t host_id, seen_at;
	uint32_t label_len, out_len;
};

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t k;
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		k = 2;
	else if (c >= 0xe0 && c <= 0xef)
		k = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 4;
	else
		return 0;
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) || (c == 0xf0 && s[1] < 0x90) ||
	    (c == 0xf4 && s[1] > 0x8f))
		return 0;
	return k;
}

/* The writers below put text at `o` and return its new end; the caller has
 * made room: JSON_ROOM(n) bytes for a string of n bytes. */
#define JSON_ROOM(n) (6 * (n) + 2)

static char *put_mem(char *o, const char *s, size_t n)
{
	memcpy(o, s, n);
	return o + n;
}

#define PUT_LIT(o, lit) put_mem((o), (lit), sizeof(lit) - 1)

/* A JSON string. Log bytes need not be UTF-8: invalid bytes become U+FFFD,
 * so a hit is never dropped over its text. */
static char *put_json_str(char *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;

	*o++ = '"';
	while (i < n) {
		unsigned c = p[i];
		size_t k;
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			run++;
			continue;
		}
		o = put_mem(o, s + i - run, run);
		run = 0;
		if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
			i++;
		} else if (c < 0x20) {
			o = PUT_LIT(o, "\\u00");
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
			i++;
		} else if ((k = utf8_len(p + i, n - i))) {
			o = put_mem(o, s + i, k);
			i += k;
		} else {
			o = PUT_LIT(o, "\\ufffd");
			i++;
		}
	}
	o = put_mem(o, s + i - run, run);
	*o++ = '"';
	return o;
}

/* At most 20 digits and a sign. */
static char *put_int(char *o, int64_t v)
{
	char buf[24];
	size_t i = sizeof buf;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		buf[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		buf[--i] = '-';
	return put_mem(o, buf + i, sizeof buf - i);
}

/* cg_time_iso without gmtime_r and strftime (their time zone lock is
 * shared by every worker); the same text. */
static void iso_utc(int64_t t, char *buf, size_t n)
{
	if (t < 0 || t >= 253402300800)
		cg_time_iso(t, buf, n);
	else
		cg_time_format(t * CG_TIME_US_PER_S, 0, buf, n);
}

/* Attribute the line of `hit` and build its output tail into `m`. */
static void memo_line(const struct hunt_cli *h, const struct hunt_hit *hit, struct line_memo *m)
{
	char *o = m->tail;

	m->host_id = asset_index_attribute(h->idx, h->set, hit->line_text, hit->line_len, m->label, sizeof m->label);
	m->label_len = strlen(m->label);
	struct cg_time_ctx tc = {h->now, CG_TIME_OFFSET_VN};
	struct cg_stamp st;
	m->seen_at = cg_event_line_time(hit->line_text, hit->line_len, &tc, &st) ? cg_time_us_to_s(st.us) : 0;
	if (h->cli->json) {
		o = PUT_LIT(o, ",\"host\":");
		o = put_json_str(o, m->label, m->label_len);
		o = PUT_LIT(o, ",\"host_id\":");
		if (m->host_id)
			o = put_int(o, m->host_id);
		else
			o = PUT_LIT(o, "null");
		if (m->seen_at) {
			char iso[40];
			iso_utc(m->seen_at, iso, sizeof iso);
			o = PUT_LIT(o, ",\"seen_at\":");
			o = put_json_str(o, iso, strlen(iso));
		} else {
			o = PUT_LIT(o, ",\"seen_at\":null");
		}
		o = PUT_LIT(o, "}\n");
	} else {
		if (m->label_len) {
			o = PUT_LIT(o, " [");
			o = put_mem(o, m->label, m->label_len);
			*o++ = ']';
		}
		*o++ = '\n';
	}
	m->tail_len = (size_t)(o - m->tail);
}

/* sink.annotate, on the worker threads: everything about a hit but its line
 * number, so the emitter only adds file and line. Reads `ctx` only. */
static enum cg_err annotate_hit(void *ctx, const struct hunt_hit *hit, int same_line, void *scratch,
				struct cg_buf *note)
{
	const struct hunt_cli *h = ctx;
	struct line_memo *m = scratch;
	const struct ioc_entry *e = hit->entry;
	const char *type = ioc_type_name(e->type);
	size_t vl = strlen(e->value), tl = strlen(type), sl = strlen(e->source), fl = strlen(e->family);
	struct note_head head;
	char *o, *out;
	enum cg_err rc;

	char canon[64];
	/* Addresses are shown canonical (RFC 5952), the text as written kept. */
	size_t cl = ioc_type_is_net(e->type) ? ioc_addr_canonical(hit->found, hit->found_len, canon, sizeof canon) : 0;
	int as_written = cl && (cl != hit->found_len || memcmp(canon, hit->found, cl) != 0);

	if (!same_line)
		memo_line(h, hit, m);
	rc = cg_buf_reserve(note, sizeof head + m->label_len +
					  JSON_ROOM(2 * hit->found_len + cl + vl + tl + sl + fl) + 192 + m->tail_len);
	if (rc)
		return rc;
	o = note->data + note->len + sizeof head;
	o = put_mem(o, m->label, m->label_len);
	out = o;
	if (h->cli->json) {
		o = PUT_LIT(o, ",\"indicator\":");
		o = put_json_str(o, hit->found, hit->found_len);
		if (cl) {
			o = PUT_LIT(o, ",\"address\":");
			o = put_json_str(o, canon, cl);
		}
		o = PUT_LIT(o, ",\"match\":");
		o = put_json_str(o, e->value, vl);
		o = PUT_LIT(o, ",\"type\":");
		o = put_json_str(o, type, tl);
		o = PUT_LIT(o, ",\"source\":");
		o = put_json_str(o, e->source, sl);
		o = PUT_LIT(o, ",\"family\":");
		o = put_json_str(o, e->family, fl);
	} else {
		o = PUT_LIT(o, ": ");
		if (as_written) {
			o = put_mem(o, canon, cl);
			o = PUT_LIT(o, " (as written: ");
			o = put_mem(o, hit->found, hit->found_len);
			*o++ = ')';
		} else {
			o = put_mem(o, hit->found, hit->found_len);
		}
		o = PUT_LIT(o, " → ");
		o = put_mem(o, e->value, vl);
		if (sl || fl) {
			o = PUT_LIT(o, " (");
			o = put_mem(o, e->source, sl);
			if (sl && fl)
				o = PUT_LIT(o, ", ");
			o = put_mem(o, e->family, fl);
			*o++ = ')';
		}
	}
	o = put_mem(o, m->tail, m->tail_len);
	head.host_id = m->host_id;
	head.seen_at = m->seen_at;
	head.label_len = (uint32_t)m->label_len;
	head.out_len = (uint32_t)(o - out);
	memcpy(note->data + note->len, &head, sizeof head);
	note->len = (size_t)(o - note->data);
	note->data[note->len] = '\0';
	return CG_OK;
}

static void out_flush(struct hunt_cli *h)
{
	if (h->out_len)
		fwrite(h->out, 1, h->out_len, stdout);
	h->out_len = 0;
}

/* The bytes before the line number of every hit of `file`. */
static enum cg_err set_prefix(struct hunt_cli *h, const char *file)
{
	size_t n = strlen(file);
	char *p = malloc(JSON_ROOM(n) + CG_ESC_ROOM(n) + 32), *o;

	if (!p)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if (h->cli->json) {
		o = PUT_LIT(p, "{\"file\":");
		o = put_json_str(o, file, n);
		o = PUT_LIT(o, ",\"line\":");
	} else {
		o = cg_esc_put(p, file, n);
		*o++ = ':';
	}
	free(h->prefix);
	h->prefix = p;
	h->prefix_len = (size_t)(o - p);
	h->prefix_for = file;
	return CG_OK;
}

static void print_hit(struct hunt_cli *h, const char *out, size_t out_len, uint64_t line)
{
	size_t need = h->prefix_len + 24 + out_len;
	char small[4096], *esc = NULL;

	/* Text for a terminal: what came from the log (the line's indicator,
	 * the host label) cannot forge lines or drive the terminal. */
	if (!h->cli->json && out_len) {
		size_t body = out_len - (out[out_len - 1] == '\n');
		char *to = CG_ESC_ROOM(body) + 1 <= sizeof small ? small : (esc = malloc(CG_ESC_ROOM(body) + 1));
		if (!to) { /* out of memory: the start of the hit, still one line */
			to = small;
			body = (sizeof small - 2) / 4;
		}
		char *e = cg_esc_put(to, out, body);
		*e++ = '\n';
		out = to;
		out_len = (size_t)(e - to);
		need = h->prefix_len + 24 + out_len;
	}

	if (h->out_len + need > OUT_BUF_SIZE)
		out_flush(h);
	if (need > OUT_BUF_SIZE) {
		/* Longer than the block (a huge label): as it comes. */
		char num[24];
		fwrite(h->prefix, 1, h->prefix_len, stdout);
		fwrite(num, 1, (size_t)(put_int(num, (int64_t)line) - num), stdout);
		fwrite(out, 1, out_len, stdout);
	} else {
		char *o = h->out + h->out_len;
		o = put_mem(o, h->prefix, h->prefix_len);
		o = put_int(o, (int64_t)line);
		o = put_mem(o, out, out_len);
		h->out_len = (size_t)(o - h->out);
	}
	free(esc);
	/* Someone is watching: show each hit as it is found. */
	if (h->cli->out_tty) {
		out_flush(h);
		fflush(stdout);
	}
}

static enum cg_err on_hit(void *ctx, const struct hunt_hit *hit)
{
	struct hunt_cli *h = ctx;
	char label[LABEL_MAX];
	struct note_head head;
	const char *note_label, *out;
	enum cg_err rc;

	/* annotate_hit wrote the note, on a worker or (rarely) just now. */
	if (!hit->note || hit->note_len < sizeof head)
		return cg_err_set(CG_EINTERNAL, "hunt: a hit without its note");
	memcpy(&head, hit->note, sizeof head);
	note_label = hit->note + sizeof head;
	out = note_label + head.label_len;
	memcpy(label, note_label, head.label_len);
	label[head.label_len] = '\0';
	if (h->store) {
		char found[IOC_VALUE_MAX + 1];
		size_t n = hit->found_len > IOC_VALUE_MAX ? IOC_VALUE_MAX : hit->found_len;
		struct store_hit sh = {
			.file = hit->file,
			.line = hit->line,
			.line_text = hit->line_text,
			.line_len = hit->line_len,
			.indicator = found,
			.match = hit->entry->value,
			.match_type = ioc_type_name(hit->entry->type),
			.source = hit->entry->source,
			.family = hit->entry->family,
			.host_id = head.host_id,
			.host_label = label,
			.seen_at = head.seen_at,
		};
		memcpy(found, hit->found, n);
		found[n] = '\0';
		if ((rc = store_hunt_add(h->store, &sh)))
			return rc;
	}
	cli_progress_done(&h->progress);
	if (hit->file != h->prefix_for && (rc = set_prefix(h, hit->file)))
		return rc;
	print_hit(h, out, head.out_len, hit->line);
	/* The summary is for people; JSON readers count for themselves. */
	if (h->cli->json)
		return CG_OK;
	if ((rc = tally_add(&h->by_match, hit->entry->value, hit->entry->family)))
		return rc;
	return tally_add(&h->by_host, *label ? label : h->unknown, NULL);
}

static void on_file_error(void *ctx, const char *path, enum cg_err code, const char *msg, uint64_t lines)
{
	struct hunt_cli *h = ctx;
	(void)path;
	(void)code;
	h->file_errors++;
	/* Hits found so far come out before the message, as they were found. */
	out_flush(h);
	fflush(stdout);
	cli_progress_done(&h->progress);
	if (lines)
		cli_error(_("%s (%llu lines read and hunted)"), msg, (unsigned long long)lines);
	else
		cli_error("%s", msg);
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct hunt_cli *h = ctx;
	cli_progress_update(&h->progress, _("hunting"), done, total);
}

static void print_summary(const struct hunt_cli *h, const struct hunt_stats *st)
{
	printf(_("\n%llu hits in %llu lines of %llu files (%.1f MB)"), (unsigned long long)st->hits,
	       (unsigned long long)st->lines, (unsigned long long)st->files, (double)st->bytes / 1e6);
	if (st->errors)
		printf(_("; %llu could not be read"), (unsigned long long)st->errors);
	putchar('\n');
	if (st->long_lines)
		printf(_("%llu lines longer than %zu MiB were hunted in pieces\n"), (unsigned long long)st->long_lines,
		       HUNT_STREAM_LINE_MAX >> 20);
	if (!st->hits)
		return;
	qsort(h->by_match.rows, h->by_match.n, sizeof *h->by_match.rows, cmp_row);
	qsort(h->by_host.rows, h->by_host.n, sizeof *h->by_host.rows, cmp_row);
	printf(_("\nBy indicator:\n"));
	for (size_t i = 0; i < h->by_match.n && i < SUMMARY_ROWS_MAX; i++)
		printf("  %8llu  %s%s%s%s\n", (unsigned long long)h->by_match.rows[i].n, cg_esc(h->by_match.rows[i].key),
		       *h->by_match.rows[i].note ? " (" : "", cg_esc(h->by_match.rows[i].note),
		       *h->by_match.rows[i].note ? ")" : "");
	if (h->by_match.n > SUMMARY_ROWS_MAX)
		printf(_("  ... and %zu more\n"), h->by_match.n - SUMMARY_ROWS_MAX);
	printf(_("\nBy host:\n"));
	for (size_t i = 0; i < h->by_host.n && i < SUMMARY_ROWS_MAX; i++)
		printf("  %8llu  %s\n", (unsigned long long)h->by_host.rows[i].n, cg_esc(h->by_host.rows[i].key));
	if (h->by_host.n > SUMMARY_ROWS_MAX)
		printf(_("  ... and %zu more\n"), h->by_host.n - SUMMARY_ROWS_MAX);
}

/* ---- loading the indicators ---- */

struct bad_count {
	const char *path;
	size_t n;
};

static void on_intel_bad(void *ctx, const char *path, size_t line, const char *reason)
{
	struct bad_count *c = ctx;

	if (c->path != path) {
		if (c->n > BAD_PRINT_MAX)
			cli_error(_("%s: %zu bad lines skipped in all"), c->path, c->n);
		c->path = path;
		c->n = 0;
	}
	if (++c->n <= BAD_PRINT_MAX)
		cli_error(_("%s:%zu: %s (skipped)"), path, line, reason);
}

struct hunt_args {
	const char *intel[INTEL_FILES_MAX];
	size_t n_intel;
	const char *sources[SOURCES_MAX];
	size_t n_sources;
	enum feed_format format;
	const char *map;
	unsigned threads;
	size_t chunk;
	int no_store;
	int hunt_special;
};

static int build_set(const struct hunt_args *a, struct cg_db *db, struct ioc_set **out)
{
	struct hunt_intel_opts o = {.files = a->intel, .n_files = a->n_intel, .format = a->format,
				    .csv_map = a->map, .sources = a->sources, .n_sources = a->n_sources,
				    .hunt_special = a->hunt_special};
	struct bad_count bad = {0};
	struct hunt_intel_events ev = {.bad = on_intel_bad, .ctx = &bad};
	enum cg_err rc;

	cg_err_clear();
	rc = hunt_intel_load(db, &o, &ev, out);
	if (bad.n > BAD_PRINT_MAX)
		cli_error(_("%s: %zu bad lines skipped in all"), bad.path, bad.n);
	if (rc)
		return cli_fail(rc);
	if (ioc_set_count(*out) == 0) {
		ioc_set_free(*out);
		*out = NULL;
		if (a->n_intel)
			cli_error(_("the --intel files hold no usable indicator"));
		else
			cli_error(_("no indicators to hunt for: import a feed first ('canhgac intel import FILE')"));
		return CLI_FAIL;
	}
	return 0;
}

static int parse_args(struct cli_ctx *ctx, int argc, char **argv, struct hunt_args *a)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{"intel", required_argument, NULL, 'i'},
		{"source", required_argument, NULL, 's'},
		{"format", required_argument, NULL, 'f'},
		{"map", required_argument, NULL, 'm'},
		{"threads", required_argument, NULL, 't'},
		{"no-store", no_argument, NULL, OPT_NO_STORE},
		{"hunt-special", no_argument, NULL, OPT_HUNT_SPECIAL},
		/* Hidden, for tests: chunk size in bytes (also $CANHGAC_HUNT_CHUNK). */
		{"chunk-size", required_argument, NULL, OPT_CHUNK},
		{NULL, 0, NULL, 0},
	};
	const char *env = getenv("CANHGAC_HUNT_CHUNK");
	long v;
	int c;

	if (env && *env) {
		if (cli_parse_long(env, 1, 1L << 30, &v) != 0) {
			cli_error(_("CANHGAC_HUNT_CHUNK: '%s' is not a size in bytes (1 to 1073741824)"), env);
			return CLI_USAGE;
		}
		a->chunk = (size_t)v;
	}
	while ((c = getopt_long(argc, argv, "hi:s:f:m:t:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return -1;
		case 'i':
			if (a->n_intel == INTEL_FILES_MAX) {
				cli_error(_("at most %d --intel files"), INTEL_FILES_MAX);
				return CLI_USAGE;
			}
			a->intel[a->n_intel++] = optarg;
			break;
		case 's':
			if (a->n_sources == SOURCES_MAX) {
				cli_error(_("at most %d --source names"), SOURCES_MAX);
				return CLI_USAGE;
			}
			a->sources[a->n_sources++] = optarg;
			break;
		case 'f':
			a->format = feed_format_from_name(optarg);
			if (a->format == FEED_AUTO && strcmp(optarg, "auto") != 0) {
				cli_error(_("unknown feed format '%s'"), optarg);
				return cli_usage_hint("hunt");
			}
			break;
		case 'm': a->map = optarg; break;
		case 't':
			if (cli_parse_long(optarg, 1, HUNT_THREADS_MAX, &v) != 0) {
				cli_error(_("--threads: '%s' is not a number from 1 to %u"), optarg, HUNT_THREADS_MAX);
				return cli_usage_hint("hunt");
			}
			a->threads = (unsigned)v;
			break;
		case OPT_NO_STORE: a->no_store = 1; break;
		case OPT_HUNT_SPECIAL: a->hunt_special = 1; break;
		case OPT_CHUNK:
			if (cli_parse_long(optarg, 1, 1L << 30, &v) != 0) {
				cli_error(_("--chunk-size: '%s' is not a size in bytes"), optarg);
				return cli_usage_hint("hunt");
			}
			a->chunk = (size_t)v;
			break;
		default:
			if (cli_common_opt(ctx, c, optarg))
				break;
			return cli_usage_hint("hunt");
		}
	}
	if (optind >= argc) {
		cli_error(_("no log file or directory to hunt in"));
		return cli_usage_hint("hunt");
	}
	if (a->n_intel && a->n_sources) {
		cli_error(_("--source selects database sources; it cannot be used with --intel"));
		return cli_usage_hint("hunt");
	}
	if (!a->n_intel && (a->format != FEED_AUTO || a->map)) {
		cli_error(_("--format and --map apply to --intel files"));
		return cli_usage_hint("hunt");
	}
	return 0;
}

static char *join_paths(char **paths, int n)
{
	struct cg_buf b;
	cg_buf_init(&b, 1u << 20);
	for (int i = 0; i < n; i++)
		if ((i && cg_buf_putc(&b, ' ')) || cg_buf_puts(&b, paths[i]))
			break;
	return cg_buf_steal(&b);
}

int cmd_hunt(struct cli_ctx *ctx, int argc, char **argv)
{
	struct hunt_args a = {.format = FEED_AUTO};
	struct hunt_cli h = {.cli = ctx};
	struct hunt_sink sink = {.hit = on_hit,
				 .file_error = on_file_error,
				 .progress = on_progress,
				 .ctx = &h,
				 .annotate = annotate_hit,
				 .annotate_scratch = sizeof(struct line_memo)};
	struct hunt_opts opts = {0};
	struct hunt_stats st = {0};
	struct cg_db *db = NULL;
	struct ioc_set *set = NULL;
	char *joined = NULL;
	enum cg_err rc;
	int r, status = CLI_FAIL;

	r = parse_args(ctx, argc, argv, &a);
	if (r)
		return r < 0 ? CLI_OK : r;
	/* Ad hoc --intel hunts leave the database alone unless one is named. */
	if ((!a.n_intel || ctx->db_path) && (a.n_intel ? cli_open_db(ctx, &db) : cli_open_db_existing(ctx, &db)) != 0)
		return CLI_FAIL;
	if (build_set(&a, db, &set) != 0)
		goto out;
	h.set = set;
	h.now = cg_now();
	h.unknown = _("(unknown)");
	cli_progress_init(&h.progress, ctx);
	cg_err_clear();
	if ((rc = asset_index_load(db, &h.idx))) {
		cli_fail(rc);
		goto out;
	}
	if (db && !a.no_store) {
		joined = join_paths(argv + optind, argc - optind);
		if ((rc = store_hunt_begin(db, joined ? joined : "", &h.store))) {
			cli_fail(rc);
			goto out;
		}
	}
	if (!(h.out = malloc(OUT_BUF_SIZE))) {
		cli_fail(cg_err_set(CG_ENOMEM, _("out of memory")));
		goto out;
	}
	opts.threads = a.threads;
	opts.chunk_size = a.chunk;
	rc = hunt_paths(set, (const char *const *)argv + optind, (size_t)(argc - optind), &opts, &sink, &st);
	out_flush(&h);
	cli_progress_done(&h.progress);
	if (rc) {
		cli_fail(rc);
		store_hunt_abort(h.store);
		h.store = NULL;
		goto out;
	}
	if (h.store) {
		struct store_hunt_totals t = {st.files, st.bytes, st.lines, st.hits, st.errors};
		rc = store_hunt_end(h.store, &t);
		h.store = NULL;
		if (rc) {
			cli_fail(rc);
			goto out;
		}
	}
	if (!ctx->json)
		print_summary(&h, &st);
	fflush(stdout);
	status = st.errors ? HUNT_EXIT_PARTIAL : CLI_OK;
out:
	store_hunt_abort(h.store);
	asset_index_free(h.idx);
	ioc_set_free(set);
	tally_free(&h.by_match);
	tally_free(&h.by_host);
	free(h.out);
	free(h.prefix);
	cg_db_close(db);
	free(joined);
	return status;
}
