#include "share.h"

#include <jansson.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_i18n.h"
#include "feed.h"
#include "store_incident.h"

enum cg_err share_uuid4(char out[37])
{
	unsigned char b[16];

	if (RAND_bytes(b, sizeof b) != 1)
		return cg_err_set(CG_EINTERNAL, "%s", _("no random bytes for a UUID (OpenSSL)"));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
		 b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return CG_OK;
}

enum cg_err share_stix_pattern(const struct ioc *ioc, char *buf, size_t n)
{
	const char *path;
	char esc[2 * IOC_VALUE_MAX + 1];
	size_t k = 0;

	switch (ioc->type) {
	case IOC_IPV4:
	case IOC_CIDR4: path = "ipv4-addr:value"; break;
	case IOC_IPV6:
	case IOC_CIDR6: path = "ipv6-addr:value"; break;
	case IOC_DOMAIN: path = "domain-name:value"; break;
	case IOC_URL: path = "url:value"; break;
	case IOC_MD5: path = "file:hashes.MD5"; break;
	case IOC_SHA1: path = "file:hashes.'SHA-1'"; break;
	case IOC_SHA256: path = "file:hashes.'SHA-256'"; break;
	case IOC_SHA512: path = "file:hashes.'SHA-512'"; break;
	default: return cg_err_set(CG_EINVAL, "%s", _("indicator type has no STIX pattern"));
	}
	/* String literals escape ' and \ with a backslash. */
	for (const char *s = ioc->value; *s && k + 2 < sizeof esc; s++) {
		if (*s == '\'' || *s == '\\')
			esc[k++] = '\\';
		esc[k++] = *s;
	}
	esc[k] = '\0';
	if ((size_t)snprintf(buf, n, "[%s = '%s']", path, esc) >= n)
		return cg_err_set(CG_ELIMIT, "%s", _("STIX pattern too long"));
	return CG_OK;
}

struct collect {
	json_t *objs; /* indicators as {ioc fields} */
	enum cg_err err;
};

static enum cg_err collect_ioc(void *ctx, const struct incident_link *l)
{
	struct collect *c = ctx;
	json_array_append_new(c->objs, json_pack("{s:s, s:s, s:I, s:I, s:I, s:b, s:s}", "value", l->ref, "type",
						 l->subtype ? l->subtype : "", "first_seen", (json_int_t)l->first_seen,
						 "last_seen", (json_int_t)l->last_seen, "count", (json_int_t)l->count, "confirmed",
						 l->confirmed, "note", l->note ? l->note : ""));
	return CG_OK;
}

static enum cg_err incident_title(void *ctx, const struct incident_row *r)
{
	*(json_t **)ctx = json_pack("{s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)r->id, "title", r->title, "severity",
				    r->severity, "category", r->category, "discovered_at", (json_int_t)r->discovered_at);
	return CG_OK;
}

static enum cg_err gather(struct cg_db *db, int64_t id, json_t **inc, json_t **iocs)
{
	struct collect c = {.objs = json_array()};
	enum cg_err rc;

	*inc = NULL;
	if ((rc = store_incident_get(db, id, incident_title, inc)) ||
	    (rc = store_incident_links(db, id, "indicator", collect_ioc, &c))) {
		json_decref(c.objs);
		json_decref(*inc);
		*inc = NULL;
		return rc;
	}
	*iocs = c.objs;
	return CG_OK;
}

static enum cg_err dump(json_t *doc, char **out)
{
	*out = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
	json_decref(doc);
	return *out ? CG_OK : cg_err_set(CG_ENOMEM, "%s", _("out of memory"));
}

/* Times in STIX: RFC 3339 with millisecond precision. */
static void stix_time(int64_t t, char *buf, size_t n)
{
	char iso[32];
	cg_time_iso(t, iso, sizeof iso);
	snprintf(buf, n, "%.19s.000Z", iso);
}

enum cg_err share_export_stix(struct cg_db *db, int64_t id, const char *producer, int64_t now, char **out)
{
	json_t *inc, *iocs, *objs = json_array(), *it;
	char uuid[37], ident[64], ts[40], fs[40], ls[40], pat[2 * IOC_VALUE_MAX + 64], name[IOC_VALUE_MAX + 32];
	enum cg_err rc;
	size_t i;

	*out = NULL;
	if ((rc = gather(db, id, &inc, &iocs))) {
		json_decref(objs);
		return rc;
	}
	stix_time(now, ts, sizeof ts);
	if ((rc = share_uuid4(uuid)))
		goto fail;
	snprintf(ident, sizeof ident, "identity--%s", uuid);
	json_array_append_new(objs, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "identity",
					      "spec_version", "2.1", "id", ident, "created", ts, "modified", ts, "name",
					      producer && *producer ? producer : "canhgac", "identity_class",
					      "organization"));
	json_array_foreach(iocs, i, it)
	{
		struct ioc ioc;
		const char *v = json_string_value(json_object_get(it, "value"));
		char ind[64], sig[64];
		int64_t first = json_integer_value(json_object_get(it, "first_seen"));
		int64_t last = json_integer_value(json_object_get(it, "last_seen"));
		json_t *o;

		if (ioc_parse(v, strlen(v), IOC_NONE, &ioc) != CG_OK || share_stix_pattern(&ioc, pat, sizeof pat) != CG_OK)
			continue;
		if ((rc = share_uuid4(uuid)))
			goto fail;
		snprintf(ind, sizeof ind, "indicator--%s", uuid);
		/* Readers take the name as the family: name the incident. */
		snprintf(name, sizeof name, "Incident %lld: %.500s", (long long)json_integer_value(json_object_get(inc, "id")),
			 json_string_value(json_object_get(inc, "title")));
		stix_time(first ? first : json_integer_value(json_object_get(inc, "discovered_at")), fs, sizeof fs);
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s]}", "type", "indicator",
			      "spec_version", "2.1", "id", ind, "created_by_ref", ident, "created", ts, "modified", ts,
			      "name", name, "pattern", pat, "pattern_type", "stix", "valid_from", fs, "indicator_types",
			      "malicious-activity");
		if (*json_string_value(json_object_get(it, "note")))
			json_object_set(o, "description", json_object_get(it, "note"));
		json_array_append_new(objs, o);
		/* The incident saw it: a sighting of the indicator. */
		if ((rc = share_uuid4(uuid)))
			goto fail;
		snprintf(sig, sizeof sig, "sighting--%s", uuid);
		stix_time(last ? last : now, ls, sizeof ls);
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:[s]}", "type", "sighting", "spec_version",
			      "2.1", "id", sig, "created_by_ref", ident, "created", ts, "modified", ts, "first_seen", fs,
			      "last_seen", strcmp(ls, fs) < 0 ? fs : ls, "count",
			      (json_int_t)json_integer_value(json_object_get(it, "count")), "where_sighted_refs", ident);
		json_object_set_new(o, "sighting_of_ref", json_string(ind));
		json_array_append_new(objs, o);
	}
	if ((rc = share_uuid4(uuid)))
		goto fail;
	char bid[64];
	snprintf(bid, sizeof bid, "bundle--%s", uuid);
	json_decref(inc);
	json_decref(iocs);
	return dump(json_pack("{s:s, s:s, s:o}", "type", "bundle", "id", bid, "objects", objs), out);
fail:
	json_decref(inc);
	json_decref(iocs);
	json_decref(objs);
	return rc;
}

static const char *misp_type(enum ioc_type t, const char **category)
{
	*category = "Network activity";
	switch (t) {
	case IOC_IPV4:
	case IOC_IPV6:
	case IOC_CIDR4:
	case IOC_CIDR6: return "ip-dst";
	case IOC_DOMAIN: return "domain";
	case IOC_URL: return "url";
	default: break;
	}
	*category = "Payload delivery";
	switch (t) {
	case IOC_MD5: return "md5";
	case IOC_SHA1: return "sha1";
	case IOC_SHA256: return "sha256";
	case IOC_SHA512: return "sha512";
	default: return NULL;
	}
}

enum cg_err share_export_misp(struct cg_db *db, int64_t id, const char *producer, int64_t now, char **out)
{
	json_t *inc, *iocs, *attrs = json_array(), *it;
	char uuid[37], date[32], ts[24], info[1200];
	enum cg_err rc;
	size_t i;
	const char *sev;
	int level;

	*out = NULL;
	if ((rc = gather(db, id, &inc, &iocs))) {
		json_decref(attrs);
		return rc;
	}
	json_array_foreach(iocs, i, it)
	{
		struct ioc ioc;
		const char *v = json_string_value(json_object_get(it, "value")), *cat, *type;
		int64_t last = json_integer_value(json_object_get(it, "last_seen"));
		json_t *a;

		if (ioc_parse(v, strlen(v), IOC_NONE, &ioc) != CG_OK || !(type = misp_type(ioc.type, &cat)))
			continue;
		if ((rc = share_uuid4(uuid)))
			goto fail;
		snprintf(ts, sizeof ts, "%lld", (long long)(last ? last : now));
		a = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:[{s:s, s:s, s:s}]}", "uuid", uuid, "type",
			      type, "category", cat, "value", ioc.value, "to_ids", 1, "distribution", "0", "timestamp", ts,
			      "comment", json_string_value(json_object_get(it, "note")), "Sighting", "type", "0",
			      "date_sighting", ts, "source", producer && *producer ? producer : "canhgac");
		json_array_append_new(attrs, a);
	}
	if ((rc = share_uuid4(uuid)))
		goto fail;
	cg_time_iso(json_integer_value(json_object_get(inc, "discovered_at")), date, sizeof date);
	date[10] = '\0';
	snprintf(ts, sizeof ts, "%lld", (long long)now);
	snprintf(info, sizeof info, "Incident %lld: %s", (long long)json_integer_value(json_object_get(inc, "id")),
		 json_string_value(json_object_get(inc, "title")));
	/* MISP threat levels: 1 high, 2 medium, 3 low, 4 undefined. */
	sev = json_string_value(json_object_get(inc, "severity"));
	level = strcmp(sev, "high") == 0 || strcmp(sev, "critical") == 0 ? 1 : strcmp(sev, "medium") == 0 ? 2 : 3;
	char lvl[4];
	snprintf(lvl, sizeof lvl, "%d", level);
	json_decref(iocs);
	json_t *ev = json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:{s:s}, s:o}}", "Event", "uuid", uuid,
			       "info", info, "date", date, "threat_level_id", lvl, "analysis", "1", "distribution", "0",
			       "timestamp", ts, "published", 0, "Orgc", "name",
			       producer && *producer ? producer : "canhgac", "Attribute", attrs);
	json_decref(inc);
	return dump(ev, out);
fail:
	json_decref(inc);
	json_decref(iocs);
	json_decref(attrs);
	return rc;
}

struct import_ctx {
	struct cg_db *db;
	int64_t id, now;
	struct share_import_stats *st;
};

static enum cg_err import_record(void *ctx, const struct feed_record *r)
{
	struct import_ctx *c = ctx;
	struct incident_link l = {.kind = "indicator", .ref = r->ioc.value, .subtype = ioc_type_name(r->ioc.type),
				  .count = 1};
	c->st->indicators++;
	return store_incident_link(c->db, c->id, &l, c->now);
}

static enum cg_err import_bad(void *ctx, size_t line, const char *reason)
{
	(void)line;
	(void)reason;
	((struct import_ctx *)ctx)->st->bad++;
	return CG_OK;
}

static enum cg_err import_skip(void *ctx, size_t line, const char *reason)
{
	(void)line;
	(void)reason;
	((struct import_ctx *)ctx)->st->skipped++;
	return CG_OK;
}

enum cg_err share_import(struct cg_db *db, int64_t id, const char *file, const char *buf, size_t len, int64_t now,
			 struct share_import_stats *st)
{
	struct import_ctx c = {db, id, now, st};
	struct feed_sink sink = {import_record, import_bad, &c, import_skip};
	enum feed_format f = feed_detect(buf, len, file);
	enum cg_err rc;

	memset(st, 0, sizeof *st);
	if (f != FEED_STIX && f != FEED_MISP)
		return cg_err_set(CG_EUNSUPPORTED, _("%s: neither a STIX 2.1 bundle nor a MISP event"), file);
	if ((rc = cg_db_begin(db)))
		return rc;
	if ((rc = feed_parse(f, buf, len, NULL, &sink))) {
		cg_db_rollback(db);
		return cg_err_prefix(rc, "%s", file);
	}
	return cg_db_commit(db);
}
