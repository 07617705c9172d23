/* The indicator hunt as a workflow (see hunt_job.h): attribution, time,
 * rendering and storage of each hit. */
#include "hunt_job.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cg_esc.h"
#include "cg_i18n.h"
#include "cg_time.h"
#include "cg_utf8.h"
#include "ioc.h"
#include "event_reader.h"
#include "store_alert.h"
#include "store_hits.h"

#define LABEL_MAX HUNT_JOB_LABEL_MAX
/* Rendered hits are handed on in blocks of this size, not one by one. */
#define OUT_BUF_SIZE ((size_t)256 << 10)
/* The part of a hit's output that depends only on its line (JSON host,
 * host_id, seen_at; or the text " [label]"): escaped label and more. */
#define LINE_TAIL_MAX (6 * LABEL_MAX + 128)

struct job {
	const struct hunt_job_opts *o;
	const struct hunt_job_sink *sink;
	struct store_hunt *store;
	struct alert_store *alerts;
	/* Output block. */
	char *out;
	size_t out_len;
	enum cg_err write_rc; /* the first failed write */
	/* The hits' file as JSON ({"file":"...","line":), made once per file. */
	const char *prefix_for;
	char *prefix;
	size_t prefix_len;
	/* The file of the last hit as stored: its canonical absolute path. */
	const char *abs_for;
	char *abs;
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
		} else if ((k = cg_utf8_len(p + i, n - i))) {
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
void hunt_job_iso_utc(int64_t t, char *buf, size_t n)
{
	if (t < 0 || t >= 253402300800)
		cg_time_iso(t, buf, n);
	else
		cg_time_format(t * CG_TIME_US_PER_S, 0, buf, n);
}

/* Attribute the line of `hit` and build its output tail into `m`. */
static void memo_line(const struct job *h, const struct hunt_hit *hit, struct line_memo *m)
{
	char *o = m->tail;

	m->host_id = asset_index_attribute(h->o->idx, h->o->set, hit->line_text, hit->line_len, m->label, sizeof m->label);
	m->label_len = strlen(m->label);
	struct cg_time_ctx tc = {h->o->now, CG_TIME_OFFSET_VN};
	struct cg_stamp st;
	m->seen_at = cg_event_line_time(hit->line_text, hit->line_len, &tc, &st) ? cg_time_us_to_s(st.us) : 0;
	if (h->o->json) {
		o = PUT_LIT(o, ",\"host\":");
		o = put_json_str(o, m->label, m->label_len);
		o = PUT_LIT(o, ",\"host_id\":");
		if (m->host_id)
			o = put_int(o, m->host_id);
		else
			o = PUT_LIT(o, "null");
		if (m->seen_at) {
			char iso[40];
			hunt_job_iso_utc(m->seen_at, iso, sizeof iso);
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
	const struct job *h = ctx;
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
	if (h->o->json) {
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

/* The bytes before the line number of every hit of `file`. */
static enum cg_err set_prefix(struct job *h, const char *file)
{
	size_t n = strlen(file);
	char *p = malloc(JSON_ROOM(n) + CG_ESC_ROOM(n) + 32), *o;

	if (!p)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if (h->o->json) {
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

static void out_flush(struct job *h)
{
	if (h->out_len && !h->write_rc)
		h->write_rc = h->sink->write(h->sink->ctx, h->out, h->out_len);
	h->out_len = 0;
}

static void print_hit(struct job *h, const char *out, size_t out_len, uint64_t line)
{
	size_t need = h->prefix_len + 24 + out_len;
	char small[4096], *esc = NULL;

	/* Text for a terminal: what came from the log (the line's indicator,
	 * the host label) cannot forge lines or drive the terminal. */
	if (!h->o->json && out_len) {
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
		if (!h->write_rc)
			h->write_rc = h->sink->write(h->sink->ctx, h->prefix, h->prefix_len);
		if (!h->write_rc)
			h->write_rc = h->sink->write(h->sink->ctx, num, (size_t)(put_int(num, (int64_t)line) - num));
		if (!h->write_rc)
			h->write_rc = h->sink->write(h->sink->ctx, out, out_len);
	} else {
		char *o = h->out + h->out_len;
		o = put_mem(o, h->prefix, h->prefix_len);
		o = put_int(o, (int64_t)line);
		o = put_mem(o, out, out_len);
		h->out_len = (size_t)(o - h->out);
	}
	/* Someone is watching: show each hit as it is found. */
	if (h->o->flush_each_hit)
		out_flush(h);
}


/* The stored name of `file`: its canonical absolute path when it still
 * exists ("-" and vanished files keep the name given). */
static const char *abs_name(struct job *h, const char *file)
{
	char abs[PATH_MAX];

	if (h->abs_for == file && h->abs)
		return h->abs;
	free(h->abs);
	h->abs = strdup(strcmp(file, "-") != 0 && realpath(file, abs) ? abs : file);
	h->abs_for = h->abs ? file : NULL;
	return h->abs ? h->abs : file;
}

/* Record the hit and the alert it raises. */
static enum cg_err store_hit(struct job *h, const struct hunt_hit *hit, const struct note_head *head,
			     const char *label)
{
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
		.host_id = head->host_id,
		.host_label = label,
		.seen_at = head->seen_at,
	};
	/* Contact with a listed indicator is as serious as a high Sigma rule. */
	struct alert a = {
		.kind = ALERT_KIND_INDICATOR,
		.indicator = hit->entry->value,
		.indicator_type = ioc_type_name(hit->entry->type),
		.sources = hit->entry->source,
		.family = hit->entry->family,
		.severity = ALERT_SEV_HIGH,
		.host_id = head->host_id,
		.host = label,
	};
	struct alert_event ev = {
		.file = abs_name(h, hit->file),
		.line = hit->line,
		.event_time = head->seen_at,
		.excerpt = hit->line_text,
		.excerpt_len = hit->line_len,
	};
	enum cg_err rc;

	memcpy(found, hit->found, n);
	found[n] = '\0';
	if ((rc = store_hunt_add(h->store, &sh)))
		return rc;
	/* Joins the hit batch's transaction. */
	return alert_store_add(h->alerts, &a, &ev, NULL);
}

static enum cg_err on_hit(void *ctx, const struct hunt_hit *hit)
{
	struct job *h = ctx;
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
	if (h->store && (rc = store_hit(h, hit, &head, label)))
		return rc;
	if (hit->file != h->prefix_for && (rc = set_prefix(h, hit->file)))
		return rc;
	print_hit(h, out, head.out_len, hit->line);
	if (h->write_rc)
		return h->write_rc;
	if (h->sink->hit) {
		struct hunt_job_hit jh = {.hit = hit, .label = label, .host_id = head.host_id, .seen_at = head.seen_at};
		return h->sink->hit(h->sink->ctx, &jh);
	}
	return CG_OK;
}

static void on_file_error(void *ctx, const char *path, enum cg_err code, const char *msg, uint64_t lines)
{
	struct job *h = ctx;

	/* Hits found so far come out before the message, as they were found. */
	out_flush(h);
	if (h->sink->file_error)
		h->sink->file_error(h->sink->ctx, path, code, msg, lines);
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct job *h = ctx;

	if (h->sink->progress)
		h->sink->progress(h->sink->ctx, done, total);
}

enum cg_err hunt_job_run(const struct hunt_job_opts *o, const char *const *paths, size_t n,
			 const struct hunt_job_sink *sink, struct hunt_stats *stats)
{
	struct job h = {.o = o, .sink = sink};
	struct hunt_sink hs = {.hit = on_hit,
			       .file_error = on_file_error,
			       .progress = on_progress,
			       .ctx = &h,
			       .annotate = annotate_hit,
			       .annotate_scratch = sizeof(struct line_memo)};
	struct hunt_stats st = {0};
	enum cg_err rc;

	if (!(h.out = malloc(OUT_BUF_SIZE)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if (o->db) {
		if ((rc = alert_store_open(o->db, o->now, &h.alerts)) ||
		    (rc = store_hunt_begin(o->db, o->paths ? o->paths : "", o->now, &h.store)))
			goto out;
	}
	rc = hunt_paths(o->set, paths, n, &o->hunt, &hs, &st);
	out_flush(&h);
	if (!rc)
		rc = h.write_rc;
	if (rc)
		goto out;
	if (h.store) {
		struct store_hunt_totals t = {st.files, st.bytes, st.lines, st.hits, st.errors, o->now};
		rc = store_hunt_end(h.store, &t);
		h.store = NULL;
	}
out:
	store_hunt_abort(h.store);
	alert_store_close(h.alerts);
	free(h.out);
	free(h.prefix);
	free(h.abs);
	if (stats)
		*stats = st;
	return rc;
}
