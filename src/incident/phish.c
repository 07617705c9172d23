#include "phish.h"

#include <gmime/gmime.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cg_i18n.h"
#include "custody.h"
#include "evidence.h"
#include "phish_extract.h"
#include "store_intel.h"

struct phish_item {
	enum ioc_type type;
	char *value;
	char *where;
	char *listed; /* "source (family), ..." or NULL */
	uint8_t addr[16];
	unsigned prefix;
};

struct phish_attachment {
	char *name, *content_type;
	size_t size;
	char sha256[65], md5[33], sha1[41];
};

struct phish_report {
	char *name, *subject, *from;
	struct phish_item *items;
	size_t n_items, a_items;
	struct phish_attachment *att;
	size_t n_att, a_att;
	size_t n_parts;
	int dropped;
	enum phish_verdict verdict;
	json_t *reasons;
};

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;
static void gmime_start(void)
{
	g_mime_init();
}

static char *dup_s(const char *s)
{
	return strdup(s ? s : "");
}

void phish_report_free(struct phish_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_items; i++) {
		free(r->items[i].value);
		free(r->items[i].where);
		free(r->items[i].listed);
	}
	for (size_t i = 0; i < r->n_att; i++) {
		free(r->att[i].name);
		free(r->att[i].content_type);
	}
	free(r->items);
	free(r->att);
	free(r->name);
	free(r->subject);
	free(r->from);
	json_decref(r->reasons);
	free(r);
}

static enum cg_err add_item(void *ctx, const struct ioc *ioc, const char *where)
{
	struct phish_report *r = ctx;
	struct phish_item *it;

	for (size_t i = 0; i < r->n_items; i++)
		if (r->items[i].type == ioc->type && strcmp(r->items[i].value, ioc->value) == 0)
			return CG_OK;
	if (r->n_items == PHISH_ITEMS_MAX) {
		r->dropped = 1;
		return CG_OK;
	}
	if (r->n_items == r->a_items) {
		size_t na = r->a_items ? r->a_items * 2 : 32;
		struct phish_item *ni = realloc(r->items, na * sizeof *ni);
		if (!ni)
			return cg_err_set(CG_ENOMEM, "%s", _("out of memory"));
		r->items = ni;
		r->a_items = na;
	}
	it = &r->items[r->n_items];
	memset(it, 0, sizeof *it);
	it->type = ioc->type;
	memcpy(it->addr, ioc->addr, sizeof it->addr);
	it->prefix = ioc->prefix;
	it->value = strdup(ioc->value);
	it->where = strdup(where);
	if (!it->value || !it->where) {
		free(it->value);
		free(it->where);
		return cg_err_set(CG_ENOMEM, "%s", _("out of memory"));
	}
	r->n_items++;
	return CG_OK;
}

static enum cg_err add_address(struct phish_report *r, InternetAddressList *l, const char *where)
{
	int n = l ? internet_address_list_length(l) : 0;
	enum cg_err rc;

	for (int i = 0; i < n; i++) {
		InternetAddress *a = internet_address_list_get_address(l, i);
		struct ioc d;
		if (!INTERNET_ADDRESS_IS_MAILBOX(a))
			continue;
		const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
		if (!r->from && strcmp(where, "From") == 0 && !(r->from = strdup(addr ? addr : "")))
			return cg_err_set(CG_ENOMEM, "%s", _("out of memory"));
		if (phish_mail_domain(addr, &d) == CG_OK && (rc = add_item(r, &d, where)))
			return rc;
	}
	return CG_OK;
}

struct walk {
	struct phish_report *r;
	enum cg_err rc;
};

static const char *const risky_ext[] = {".exe", ".scr", ".js", ".vbs", ".iso", ".img", ".lnk", ".hta", ".bat",
					".cmd", ".jar", ".docm", ".xlsm", ".pif", ".com", ".ps1", ".wsf", NULL};

static enum cg_err add_attachment(struct phish_report *r, GMimePart *part, const unsigned char *data, size_t n)
{
	struct evidence_hasher *h = evidence_hasher_new();
	struct phish_attachment *a;
	enum cg_err rc;
	char where[600];
	struct ioc ioc;
	const char *fn = g_mime_part_get_filename(part);
	char *ct = g_mime_content_type_get_mime_type(g_mime_object_get_content_type(GMIME_OBJECT(part)));

	if (!h) {
		g_free(ct);
		return cg_err_set(CG_ENOMEM, "%s", _("out of memory"));
	}
	if (r->n_att == r->a_att) {
		size_t na = r->a_att ? r->a_att * 2 : 8;
		struct phish_attachment *nx = realloc(r->att, na * sizeof *nx);
		if (!nx) {
			g_free(ct);
			evidence_hasher_free(h);
			return cg_err_set(CG_ENOMEM, "%s", _("out of memory"));
		}
		r->att = nx;
		r->a_att = na;
	}
	a = &r->att[r->n_att++];
	memset(a, 0, sizeof *a);
	a->name = dup_s(fn);
	a->content_type = dup_s(ct);
	g_free(ct);
	a->size = n;
	evidence_hasher_update(h, data, n);
	rc = evidence_hasher_final(h, a->sha256, a->md5);
	evidence_hasher_free(h);
	if (rc)
		return rc;
	/* SHA-1 too: many lists still give it. */
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned ml = 0;
	if (EVP_Digest(data, n, md, &ml, EVP_sha1(), NULL) == 1 && ml == 20)
		custody_hex(md, 20, a->sha1);
	snprintf(where, sizeof where, "attachment '%.500s'", a->name);
	if ((rc = ioc_parse(a->sha256, 64, IOC_SHA256, &ioc)) || (rc = add_item(r, &ioc, where)) ||
	    (rc = ioc_parse(a->md5, 32, IOC_MD5, &ioc)) || (rc = add_item(r, &ioc, where)))
		return rc;
	if (a->sha1[0] && ((rc = ioc_parse(a->sha1, 40, IOC_SHA1, &ioc)) || (rc = add_item(r, &ioc, where))))
		return rc;
	for (const char *const *e = risky_ext; *e && fn; e++) {
		size_t ln = strlen(fn), le = strlen(*e);
		if (ln > le && strcasecmp(fn + ln - le, *e) == 0) {
			char reason[700];
			snprintf(reason, sizeof reason, "attachment '%.500s' has a file type often used by malware (%s)",
				 a->name, *e);
			json_array_append_new(r->reasons, json_string(reason));
			if (r->verdict < PHISH_SUSPICIOUS)
				r->verdict = PHISH_SUSPICIOUS;
		}
	}
	return CG_OK;
}

static void visit(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	struct walk *w = data;
	struct phish_report *r = w->r;
	GMimeContentType *ct;
	GMimeDataWrapper *content;
	GMimeStream *mem;
	GByteArray *bytes;
	char where[128];

	(void)parent;
	if (w->rc || !GMIME_IS_PART(part))
		return;
	r->n_parts++;
	ct = g_mime_object_get_content_type(part);
	content = g_mime_part_get_content(GMIME_PART(part));
	if (!content)
		return;
	mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(content, mem);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	int is_text = g_mime_content_type_is_type(ct, "text", "*");
	int is_html = g_mime_content_type_is_type(ct, "text", "html");
	if (g_mime_part_is_attachment(GMIME_PART(part)) || g_mime_part_get_filename(GMIME_PART(part)) || !is_text) {
		w->rc = add_attachment(r, GMIME_PART(part), bytes->data, bytes->len);
	} else {
		snprintf(where, sizeof where, "%s part %zu", is_html ? "text/html" : "text/plain", r->n_parts);
		w->rc = phish_extract_urls((const char *)bytes->data, bytes->len, is_html, where, add_item, r);
	}
	g_object_unref(mem);
}

static enum cg_err walk_headers(struct phish_report *r, GMimeMessage *msg)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(msg));
	int n = hl ? g_mime_header_list_get_count(hl) : 0, k = 0;
	enum cg_err rc;
	char where[64];

	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		const char *name = g_mime_header_get_name(h);
		const char *v = g_mime_header_get_raw_value(h);
		if (!name || !v)
			continue;
		if (strcasecmp(name, "Received") == 0) {
			snprintf(where, sizeof where, "Received[%d]", ++k);
			if ((rc = phish_extract_received(v, strlen(v), where, add_item, r)))
				return rc;
		} else if (strcasecmp(name, "Return-Path") == 0) {
			struct ioc d;
			if (phish_mail_domain(v, &d) == CG_OK && (rc = add_item(r, &d, "Return-Path")))
				return rc;
		}
	}
	return CG_OK;
}

enum cg_err phish_parse(const char *buf, size_t len, const char *name, struct phish_report **out)
{
	struct phish_report *r;
	GMimeStream *stream = NULL;
	GMimeParser *parser = NULL;
	GMimeMessage *msg = NULL;
	enum cg_err rc = CG_OK;

	*out = NULL;
	if (len > PHISH_MESSAGE_MAX)
		return cg_err_set(CG_ELIMIT, _("%s: message larger than 64 MiB"), name);
	/* GMime parses nested multiparts recursively: bound the nesting a
	 * message can ask for before handing it over. */
	size_t n_multi = 0;
	for (const char *p = buf; (p = memmem(p, len - (size_t)(p - buf), "ultipart/", 9)); p += 9)
		if (++n_multi > PHISH_MULTIPART_MAX)
			return cg_err_set(CG_ELIMIT, _("%s: more than %d multipart parts"), name, PHISH_MULTIPART_MAX);
	pthread_once(&gmime_once, gmime_start);
	if (!(r = calloc(1, sizeof *r)) || !(r->name = strdup(name)) || !(r->reasons = json_array())) {
		phish_report_free(r);
		return cg_err_set(CG_ENOMEM, "%s", _("out of memory"));
	}
	stream = g_mime_stream_mem_new_with_buffer(buf, len);
	parser = g_mime_parser_new_with_stream(stream);
	msg = g_mime_parser_construct_message(parser, NULL);
	if (!msg || !g_mime_object_get_header_list(GMIME_OBJECT(msg)) ||
	    g_mime_header_list_get_count(g_mime_object_get_header_list(GMIME_OBJECT(msg))) == 0) {
		rc = cg_err_set(CG_EPARSE, _("%s: not an e-mail message (no headers)"), name);
		goto out;
	}
	r->subject = dup_s(g_mime_message_get_subject(msg));
	if ((rc = add_address(r, g_mime_message_get_from(msg), "From")) ||
	    (rc = add_address(r, g_mime_message_get_reply_to(msg), "Reply-To")) || (rc = walk_headers(r, msg)))
		goto out;
	struct walk w = {r, CG_OK};
	g_mime_message_foreach(msg, visit, &w);
	if ((rc = w.rc))
		goto out;
	if (!r->from)
		r->from = dup_s("");
out:
	if (msg)
		g_object_unref(msg);
	if (parser)
		g_object_unref(parser);
	if (stream)
		g_object_unref(stream);
	if (rc)
		phish_report_free(r);
	else
		*out = r;
	return rc;
}

/* ---- intel ---- */

static int cidr_contains(const struct ioc *net, const struct phish_item *it)
{
	int v6 = net->type == IOC_CIDR6;
	size_t nbytes = v6 ? 16 : 4;
	unsigned p = net->prefix;

	if ((v6 ? IOC_IPV6 : IOC_IPV4) != it->type)
		return 0;
	for (size_t i = 0; i < nbytes && p; i++) {
		unsigned bits = p >= 8 ? 8 : p;
		uint8_t mask = (uint8_t)(0xff << (8 - bits));
		if ((net->addr[i] & mask) != (it->addr[i] & mask))
			return 0;
		p -= bits;
	}
	return 1;
}

static int domain_under(const char *name, const char *zone)
{
	size_t n = strlen(name), z = strlen(zone);
	return n == z ? strcmp(name, zone) == 0 : n > z && name[n - z - 1] == '.' && strcmp(name + n - z, zone) == 0;
}

static enum cg_err note_listed(struct phish_item *it, const char *source, const char *family)
{
	char add[512];
	snprintf(add, sizeof add, "%s%s%s%s", source, family ? " (" : "", family ? family : "", family ? ")" : "");
	if (it->listed && strstr(it->listed, add))
		return CG_OK;
	size_t n = (it->listed ? strlen(it->listed) + 2 : 0) + strlen(add) + 1;
	char *s = malloc(n);
	if (!s)
		return cg_err_set(CG_ENOMEM, "%s", _("out of memory"));
	snprintf(s, n, "%s%s%s", it->listed ? it->listed : "", it->listed ? ", " : "", add);
	free(it->listed);
	it->listed = s;
	return CG_OK;
}

static enum cg_err intel_one(void *ctx, const struct ioc *ioc, const char *source, const char *family)
{
	struct phish_report *r = ctx;
	enum cg_err rc;

	for (size_t i = 0; i < r->n_items; i++) {
		struct phish_item *it = &r->items[i];
		int hit;
		if (ioc->type == IOC_CIDR4 || ioc->type == IOC_CIDR6)
			hit = cidr_contains(ioc, it);
		else if (ioc->type == IOC_DOMAIN)
			hit = it->type == IOC_DOMAIN && domain_under(it->value, ioc->value);
		else
			hit = it->type == ioc->type && strcmp(it->value, ioc->value) == 0;
		if (hit && (rc = note_listed(it, source, family)))
			return rc;
	}
	return CG_OK;
}

enum cg_err phish_check_intel(struct phish_report *r, struct cg_db *db)
{
	enum cg_err rc;

	if ((rc = store_intel_foreach(db, NULL, 0, intel_one, r)))
		return rc;
	for (size_t i = 0; i < r->n_items; i++) {
		struct phish_item *it = &r->items[i];
		char reason[4096];
		if (!it->listed)
			continue;
		snprintf(reason, sizeof reason, "%s %.2048s (%s) is listed by %s", ioc_type_name(it->type), it->value,
			 it->where, it->listed);
		json_array_append_new(r->reasons, json_string(reason));
		r->verdict = PHISH_MALICIOUS;
	}
	return CG_OK;
}

enum phish_verdict phish_report_verdict(const struct phish_report *r)
{
	return r->verdict;
}

const char *phish_verdict_name(enum phish_verdict v)
{
	return v == PHISH_MALICIOUS ? "malicious" : v == PHISH_SUSPICIOUS ? "suspicious" : "clean";
}

const char *phish_report_subject(const struct phish_report *r)
{
	return r->subject;
}

json_t *phish_report_json(const struct phish_report *r)
{
	json_t *items = json_array(), *att = json_array();

	for (size_t i = 0; i < r->n_items; i++) {
		const struct phish_item *it = &r->items[i];
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s?}", "type", ioc_type_name(it->type), "value",
						       it->value, "where", it->where, "listed", it->listed));
	}
	for (size_t i = 0; i < r->n_att; i++) {
		const struct phish_attachment *a = &r->att[i];
		json_array_append_new(att, json_pack("{s:s, s:s, s:I, s:s, s:s, s:s}", "name", a->name, "content_type",
						     a->content_type, "size", (json_int_t)a->size, "sha256", a->sha256,
						     "sha1", a->sha1, "md5", a->md5));
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:O, s:o, s:o, s:b}", "message", r->name, "subject",
			 r->subject ? r->subject : "", "from", r->from ? r->from : "", "verdict",
			 phish_verdict_name(r->verdict), "reasons", r->reasons, "indicators", items, "attachments", att,
			 "truncated", r->dropped);
}

enum cg_err phish_report_foreach(const struct phish_report *r, int listed_only, phish_item_fn fn, void *ctx)
{
	enum cg_err rc;
	for (size_t i = 0; i < r->n_items; i++) {
		const struct phish_item *it = &r->items[i];
		struct ioc ioc;
		if (listed_only && !it->listed)
			continue;
		if (ioc_parse(it->value, strlen(it->value), it->type, &ioc) != CG_OK)
			continue;
		if ((rc = fn(ctx, &ioc, it->where, it->listed != NULL)))
			return rc;
	}
	return CG_OK;
}
