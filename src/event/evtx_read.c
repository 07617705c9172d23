/* EVTX via libevtx: every record's XML rendering parsed into an event.
 * The XML parser is small and only as general as libevtx's output needs:
 * elements, attributes, text, entities; comments, CDATA and processing
 * instructions are handled. Depth and sizes are bounded. */
/* The Debian package defines LIBEVTX_HAVE_BFIO but ships no libbfio.h;
 * canhgac does not use the libbfio entry points. */
#include <libevtx/features.h>
#undef LIBEVTX_HAVE_BFIO
#include <libevtx.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_buf.h"
#include "cg_i18n.h"
#include "cg_event_int.h"
#include "event_reader.h"

#define XML_MAX_DEPTH 32
#define XML_NAME_MAX 128
#define XML_TEXT_MAX ((size_t)4 << 20)

enum sect { S_NONE, S_SYSTEM, S_EVENTDATA, S_USERDATA, S_RENDERING, S_OTHER };

struct xml_frame {
	char name[XML_NAME_MAX];
	char data_name[XML_NAME_MAX]; /* Name="..." of an EventData <Data> */
	int has_name;
	int children;
	size_t text_start;
};

struct xml_state {
	struct cg_event *ev;
	struct xml_frame st[XML_MAX_DEPTH];
	int depth;
	enum sect sect;
	struct cg_buf text;
	struct cg_buf attr;
};

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_name_char(char c)
{
	return c && !is_space(c) && c != '>' && c != '/' && c != '=' && c != '<' && c != '"' && c != '\'';
}

static enum cg_err put_utf8(struct cg_buf *b, unsigned long cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else if (cp < 0x110000) {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	} else {
		return cg_buf_append(b, "?", 1);
	}
	return cg_buf_append(b, u, n);
}

/* Append s[0..n) to b with entities decoded. */
static enum cg_err decode(struct cg_buf *b, const char *s, size_t n)
{
	enum cg_err rc = CG_OK;
	size_t i = 0;
	while (i < n && !rc) {
		const char *amp = memchr(s + i, '&', n - i);
		size_t lit = amp ? (size_t)(amp - (s + i)) : n - i;
		if (lit && (rc = cg_buf_append(b, s + i, lit)))
			break;
		i += lit;
		if (i >= n)
			break;
		const char *semi = memchr(s + i, ';', n - i < 12 ? n - i : 12);
		if (!semi) {
			rc = cg_buf_append(b, "&", 1);
			i++;
			continue;
		}
		size_t elen = (size_t)(semi - (s + i)) + 1;
		const char *e = s + i + 1;
		size_t en = elen - 2;
		if (en == 2 && !memcmp(e, "lt", 2))
			rc = cg_buf_append(b, "<", 1);
		else if (en == 2 && !memcmp(e, "gt", 2))
			rc = cg_buf_append(b, ">", 1);
		else if (en == 3 && !memcmp(e, "amp", 3))
			rc = cg_buf_append(b, "&", 1);
		else if (en == 4 && !memcmp(e, "quot", 4))
			rc = cg_buf_append(b, "\"", 1);
		else if (en == 4 && !memcmp(e, "apos", 4))
			rc = cg_buf_append(b, "'", 1);
		else if (en >= 2 && e[0] == '#') {
			char num[12];
			memcpy(num, e + 1, en - 1);
			num[en - 1] = '\0';
			char *end;
			unsigned long cp = num[0] == 'x' || num[0] == 'X' ? strtoul(num + 1, &end, 16) : strtoul(num, &end, 10);
			rc = *end ? cg_buf_append(b, s + i, elen) : put_utf8(b, cp);
		} else {
			rc = cg_buf_append(b, s + i, elen);
		}
		i += elen;
	}
	return rc;
}

static enum cg_err add_field(struct xml_state *x, const char *name, const char *val, size_t vlen)
{
	return cg_event_add(x->ev, name, strlen(name), val, vlen);
}

static void system_fact(struct xml_state *x, const char *elem, const char *val, size_t n)
{
	struct cg_event *ev = x->ev;
	if (!strcmp(elem, "EventID")) {
		char buf[16];
		size_t k = n < sizeof buf - 1 ? n : sizeof buf - 1;
		memcpy(buf, val, k);
		buf[k] = '\0';
		char *end;
		long id = strtol(buf, &end, 10);
		cg_event_set_event_id(ev, *end || end == buf ? -1 : id);
	} else if (!strcmp(elem, "EventRecordID")) {
		cg_event_set_record_id(ev, strtoull(val, NULL, 10));
	} else if (!strcmp(elem, "Channel")) {
		cg_event_set_channel(ev, val, n);
	} else if (!strcmp(elem, "Computer")) {
		cg_event_set_computer(ev, val, n);
	}
}

static enum cg_err on_attr(struct xml_state *x, const char *an, const char *av, size_t avn)
{
	struct xml_frame *f = &x->st[x->depth - 1];
	if (x->sect == S_SYSTEM && x->depth == 3) {
		char nm[2 * XML_NAME_MAX + 2];
		snprintf(nm, sizeof nm, "%s_%s", f->name, an);
		if (!strcmp(nm, "Provider_Name"))
			cg_event_set_provider(x->ev, av, avn);
		else if (!strcmp(nm, "TimeCreated_SystemTime"))
			cg_event_set_time_text(x->ev, av, avn, 1);
		return add_field(x, nm, av, avn);
	}
	if (x->sect == S_EVENTDATA && x->depth == 3 && !strcmp(an, "Name")) {
		size_t k = avn < XML_NAME_MAX - 1 ? avn : XML_NAME_MAX - 1;
		memcpy(f->data_name, av, k);
		f->data_name[k] = '\0';
		f->has_name = 1;
	}
	return CG_OK;
}

static enum cg_err on_close(struct xml_state *x)
{
	struct xml_frame *f = &x->st[x->depth - 1];
	const char *t = x->text.data ? x->text.data + f->text_start : "";
	size_t tn = x->text.len - f->text_start;
	enum cg_err rc = CG_OK;
	int d = x->depth;
	switch (x->sect) {
	case S_SYSTEM:
		if (d == 3 && tn) {
			system_fact(x, f->name, t, tn);
			rc = add_field(x, f->name, t, tn);
		}
		break;
	case S_EVENTDATA:
		if (d == 3)
			rc = add_field(x, !strcmp(f->name, "Data") ? (f->has_name ? f->data_name : "Data") : f->name, t, tn);
		else if (d > 3 && !f->children)
			rc = add_field(x, f->name, t, tn);
		break;
	case S_USERDATA:
	case S_OTHER:
		if (d >= 3 && !f->children)
			rc = add_field(x, f->name, t, tn);
		break;
	case S_RENDERING:
		if (d == 3 && !strcmp(f->name, "Message"))
			rc = add_field(x, "Message", t, tn);
		break;
	default:
		break;
	}
	x->text.len = f->text_start;
	if (x->text.data)
		x->text.data[x->text.len] = '\0';
	x->depth--;
	if (x->depth <= 1)
		x->sect = S_NONE;
	return rc;
}

static enum cg_err on_open(struct xml_state *x, const char *name, size_t n)
{
	if (x->depth >= XML_MAX_DEPTH)
		return cg_err_set(CG_ELIMIT, _("XML nested deeper than %d"), XML_MAX_DEPTH);
	if (x->depth > 0)
		x->st[x->depth - 1].children++;
	struct xml_frame *f = &x->st[x->depth++];
	size_t k = n < XML_NAME_MAX - 1 ? n : XML_NAME_MAX - 1;
	/* Drop a namespace prefix: <ns:Data> and <Data> are the same field. */
	const char *colon = memchr(name, ':', k);
	if (colon) {
		k -= (size_t)(colon + 1 - name);
		name = colon + 1;
	}
	memcpy(f->name, name, k);
	f->name[k] = '\0';
	f->has_name = 0;
	f->children = 0;
	f->text_start = x->text.len;
	if (x->depth == 2) {
		x->sect = !strcmp(f->name, "System") ? S_SYSTEM : !strcmp(f->name, "EventData") ? S_EVENTDATA
		        : !strcmp(f->name, "UserData") ? S_USERDATA : !strcmp(f->name, "RenderingInfo") ? S_RENDERING
		        : S_OTHER;
	}
	return CG_OK;
}

static enum cg_err parse_xml(struct xml_state *x, const char *s, size_t n)
{
	size_t i = 0;
	enum cg_err rc = CG_OK;
	while (i < n && !rc) {
		if (s[i] != '<') {
			const char *lt = memchr(s + i, '<', n - i);
			size_t tn = lt ? (size_t)(lt - (s + i)) : n - i;
			if (x->depth > 0)
				rc = decode(&x->text, s + i, tn);
			i += tn;
			continue;
		}
		if (i + 3 < n && !memcmp(s + i, "<!--", 4)) {
			const char *end = memmem(s + i, n - i, "-->", 3);
			i = end ? (size_t)(end - s) + 3 : n;
			continue;
		}
		if (i + 8 < n && !memcmp(s + i, "<![CDATA[", 9)) {
			const char *end = memmem(s + i + 9, n - i - 9, "]]>", 3);
			size_t cn = end ? (size_t)(end - (s + i + 9)) : n - i - 9;
			if (x->depth > 0)
				rc = cg_buf_append(&x->text, s + i + 9, cn);
			i += 9 + cn + 3;
			continue;
		}
		if (i + 1 < n && (s[i + 1] == '?' || s[i + 1] == '!')) {
			const char *gt = memchr(s + i, '>', n - i);
			i = gt ? (size_t)(gt - s) + 1 : n;
			continue;
		}
		if (i + 1 < n && s[i + 1] == '/') {
			const char *gt = memchr(s + i, '>', n - i);
			if (!gt || x->depth == 0)
				return cg_err_set(CG_EPARSE, _("XML: unbalanced closing tag"));
			rc = on_close(x);
			i = (size_t)(gt - s) + 1;
			continue;
		}
		i++;
		size_t ns = i;
		while (i < n && is_name_char(s[i]))
			i++;
		if (i == ns)
			return cg_err_set(CG_EPARSE, _("XML: element without a name"));
		if ((rc = on_open(x, s + ns, i - ns)))
			return rc;
		for (;;) {
			while (i < n && is_space(s[i]))
				i++;
			if (i >= n)
				return cg_err_set(CG_EPARSE, _("XML: truncated tag"));
			if (s[i] == '>') {
				i++;
				break;
			}
			if (s[i] == '/' && i + 1 < n && s[i + 1] == '>') {
				i += 2;
				rc = on_close(x);
				break;
			}
			size_t as = i;
			while (i < n && is_name_char(s[i]))
				i++;
			size_t an = i - as;
			while (i < n && is_space(s[i]))
				i++;
			if (an == 0 || i >= n || s[i] != '=')
				return cg_err_set(CG_EPARSE, _("XML: malformed attribute"));
			i++;
			while (i < n && is_space(s[i]))
				i++;
			if (i >= n || (s[i] != '"' && s[i] != '\''))
				return cg_err_set(CG_EPARSE, _("XML: attribute value not quoted"));
			char q = s[i++];
			const char *end = memchr(s + i, q, n - i);
			if (!end)
				return cg_err_set(CG_EPARSE, _("XML: unterminated attribute value"));
			char aname[XML_NAME_MAX];
			size_t k = an < sizeof aname - 1 ? an : sizeof aname - 1;
			memcpy(aname, s + as, k);
			aname[k] = '\0';
			cg_buf_reset(&x->attr);
			if ((rc = decode(&x->attr, s + i, (size_t)(end - (s + i)))))
				return rc;
			if ((rc = on_attr(x, aname, x->attr.data ? x->attr.data : "", x->attr.len)))
				return rc;
			i = (size_t)(end - s) + 1;
		}
	}
	if (!rc && x->depth != 0)
		return cg_err_set(CG_EPARSE, _("XML: %d element(s) not closed"), x->depth);
	return rc;
}

enum cg_err cg_event_from_xml(const char *xml, size_t len, struct cg_event *ev)
{
	struct xml_state x;
	memset(&x, 0, sizeof x);
	x.ev = ev;
	cg_buf_init(&x.text, XML_TEXT_MAX);
	cg_buf_init(&x.attr, XML_TEXT_MAX);
	cg_event_reset(ev);
	cg_event_set_product(ev, CG_EVENT_PRODUCT_WINDOWS);
	enum cg_err rc = parse_xml(&x, xml, len);
	cg_buf_free(&x.text);
	cg_buf_free(&x.attr);
	return rc;
}

static void evtx_msg(libevtx_error_t **err, char *buf, size_t n)
{
	buf[0] = '\0';
	if (*err) {
		libevtx_error_sprint(*err, buf, n);
		libevtx_error_free(err);
	}
	char *nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
}

enum cg_err cg_event_evtx_read(const char *path, struct cg_event *ev, cg_event_cb cb, void *ud,
                            struct cg_event_read_stats *st)
{
	libevtx_file_t *f = NULL;
	libevtx_error_t *err = NULL;
	char msg[256];
	if (libevtx_file_initialize(&f, &err) != 1) {
		evtx_msg(&err, msg, sizeof msg);
		return cg_err_set(CG_ENOMEM, _("%s: libevtx: %s"), path, msg);
	}
	if (libevtx_file_open(f, path, LIBEVTX_OPEN_READ, &err) != 1) {
		evtx_msg(&err, msg, sizeof msg);
		libevtx_file_free(&f, NULL);
		return cg_err_set(CG_EPARSE, _("%s: not a readable EVTX file: %s"), path, msg);
	}
	int n = 0;
	if (libevtx_file_get_number_of_records(f, &n, &err) != 1) {
		evtx_msg(&err, msg, sizeof msg);
		libevtx_file_close(f, NULL);
		libevtx_file_free(&f, NULL);
		return cg_err_set(CG_EPARSE, _("%s: cannot count records: %s"), path, msg);
	}
	uint8_t *xml = NULL;
	size_t cap = 0;
	enum cg_err ret = CG_OK;
	for (int i = 0; i < n; i++) {
		libevtx_record_t *rec = NULL;
		size_t sz = 0;
		enum cg_err rc = CG_OK;
		if (libevtx_file_get_record_by_index(f, i, &rec, &err) != 1 ||
		    libevtx_record_get_utf8_xml_string_size(rec, &sz, &err) != 1) {
			evtx_msg(&err, msg, sizeof msg);
			rc = CG_EPARSE;
		} else if (sz > XML_TEXT_MAX) {
			snprintf(msg, sizeof msg, _("record XML larger than %zu bytes"), XML_TEXT_MAX);
			rc = CG_ELIMIT;
		} else {
			if (sz + 1 > cap) {
				uint8_t *p = realloc(xml, sz + 1);
				if (!p) {
					libevtx_record_free(&rec, NULL);
					ret = cg_err_set(CG_ENOMEM, _("out of memory"));
					break;
				}
				xml = p;
				cap = sz + 1;
			}
			if (libevtx_record_get_utf8_xml_string(rec, xml, sz, &err) != 1) {
				evtx_msg(&err, msg, sizeof msg);
				rc = CG_EPARSE;
			} else {
				size_t len = strnlen((const char *)xml, sz);
				rc = cg_event_from_xml((const char *)xml, len, ev);
				if (rc)
					snprintf(msg, sizeof msg, "%s", cg_err_msg(rc));
				else if (!ev->record_id) {
					uint64_t id = 0;
					if (libevtx_record_get_identifier(rec, &id, NULL) == 1)
						cg_event_set_record_id(ev, id);
				}
				st->bytes += len;
			}
		}
		if (rec)
			libevtx_record_free(&rec, NULL);
		if (rc) {
			if (!st->bad++)
				snprintf(st->first_bad, sizeof st->first_bad, _("%.150s: record %d: %.200s"), path, i, msg);
			continue;
		}
		st->events++;
		if (cb(ud, ev))
			break;
	}
	free(xml);
	libevtx_file_close(f, NULL);
	libevtx_file_free(&f, NULL);
	return ret;
}

enum cg_event_format cg_event_format_sniff(const void *head, size_t n)
{
	const unsigned char *p = head;
	if (n >= 8 && memcmp(p, "ElfFile", 8) == 0)
		return CG_EVENT_FMT_EVTX;
	size_t i = 0;
	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		i = 3;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	if (i < n && (p[i] == '{' || p[i] == '['))
		return CG_EVENT_FMT_JSON;
	return CG_EVENT_FMT_LINES;
}
