/* feed_misp — MISP events: a feed event {"Event":{...}} or an API export
 * {"response":[{"Event":{...}}]}, attributes of the event and of its objects. */
#include <jansson.h>
#include <string.h>

#include "cg_i18n.h"
#include "feed_internal.h"

enum misp_kind { MK_NONE, MK_IP, MK_IP_PORT, MK_DOMAIN, MK_DOMAIN_IP, MK_URL, MK_HASH, MK_FILENAME_HASH };

static const struct {
	const char *type;
	enum misp_kind kind;
	enum ioc_type hash;
} misp_types[] = {
	{"ip-dst", MK_IP, IOC_NONE},		{"ip-src", MK_IP, IOC_NONE},
	{"ip-dst|port", MK_IP_PORT, IOC_NONE},	{"ip-src|port", MK_IP_PORT, IOC_NONE},
	{"domain", MK_DOMAIN, IOC_NONE},	{"hostname", MK_DOMAIN, IOC_NONE},
	{"domain|ip", MK_DOMAIN_IP, IOC_NONE},	{"url", MK_URL, IOC_NONE},
	{"md5", MK_HASH, IOC_MD5},		{"sha1", MK_HASH, IOC_SHA1},
	{"sha256", MK_HASH, IOC_SHA256},	{"sha512", MK_HASH, IOC_SHA512},
	{"filename|md5", MK_FILENAME_HASH, IOC_MD5}, {"filename|sha1", MK_FILENAME_HASH, IOC_SHA1},
	{"filename|sha256", MK_FILENAME_HASH, IOC_SHA256}, {"filename|sha512", MK_FILENAME_HASH, IOC_SHA512},
};

struct misp_event {
	char family[FEED_FAMILY_MAX + 1];
	const char *fam;
	char date[32];
	const char *info;
	size_t cur_off, cur_line;
};

static const char *str_of(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* misp-galaxy:malpedia="Emotet" and friends name the family. */
static const char *galaxy_family(json_t *ev)
{
	static const char *const prefixes[] = {"misp-galaxy:malpedia=", "misp-galaxy:botnet=", "misp-galaxy:ransomware=",
					       "misp-galaxy:tool=", "misp-galaxy:threat-actor="};
	json_t *tags = json_object_get(ev, "Tag"), *t, *g, *cl;
	size_t i, j;

	json_array_foreach(tags, i, t) {
		const char *name = str_of(t, "name");
		for (size_t k = 0; name && k < sizeof prefixes / sizeof prefixes[0]; k++)
			if (strncmp(name, prefixes[k], strlen(prefixes[k])) == 0)
				return name + strlen(prefixes[k]);
	}
	json_array_foreach(json_object_get(ev, "Galaxy"), i, g) {
		json_array_foreach(json_object_get(g, "GalaxyCluster"), j, cl) {
			const char *v = str_of(cl, "value");
			if (v)
				return v;
		}
	}
	return NULL;
}

static enum cg_err parse_value(enum misp_kind kind, enum ioc_type hash, const char *v, struct ioc *out, size_t *n_out)
{
	const char *bar = strrchr(v, '|');
	size_t n = strlen(v);
	enum cg_err rc;

	*n_out = 0;
	switch (kind) {
	case MK_IP_PORT:
		if (bar)
			n = (size_t)(bar - v);
		/* fall through */
	case MK_IP:
		rc = ioc_parse(v, n, memchr(v, ':', n) ? IOC_IPV6 : IOC_IPV4, &out[0]);
		break;
	case MK_DOMAIN:
		rc = ioc_parse(v, n, IOC_DOMAIN, &out[0]);
		break;
	case MK_DOMAIN_IP:
		if (!bar)
			return cg_err_set(CG_EPARSE, _("'%.80s' is not DOMAIN|IP"), v);
		if ((rc = ioc_parse(v, (size_t)(bar - v), IOC_DOMAIN, &out[0])))
			return rc;
		rc = ioc_parse(bar + 1, strlen(bar + 1), strchr(bar + 1, ':') ? IOC_IPV6 : IOC_IPV4, &out[1]);
		if (!rc)
			*n_out = 2;
		return rc;
	case MK_URL:
		rc = ioc_parse(v, n, IOC_URL, &out[0]);
		break;
	case MK_FILENAME_HASH:
		if (!bar)
			return cg_err_set(CG_EPARSE, _("'%.80s' is not FILENAME|HASH"), v);
		v = bar + 1;
		n = strlen(v);
		/* fall through */
	case MK_HASH:
		rc = ioc_parse(v, n, hash, &out[0]);
		if (!rc && out[0].type != hash)
			rc = cg_err_set(CG_EPARSE, _("'%.80s' is a %s, not a %s"), out[0].value, ioc_type_name(out[0].type),
					ioc_type_name(hash));
		break;
	case MK_NONE:
	default:
		return cg_err_set(CG_EUNSUPPORTED, "no kind");
	}
	if (!rc)
		*n_out = 1;
	return rc;
}

static enum cg_err one_attribute(struct feed_run *run, struct misp_event *ev, json_t *a, const char *buf, size_t len)
{
	const char *type = str_of(a, "type"), *value = str_of(a, "value"), *uuid = str_of(a, "uuid"), *v;
	struct ioc iocs[2];
	size_t line = 0, n_iocs, k;
	enum misp_kind kind = MK_NONE;
	enum ioc_type hash = IOC_NONE;
	char fs[32], ls[32];
	const char *first = ev->date[0] ? ev->date : NULL, *last = NULL;
	char *extra = NULL;
	enum cg_err rc = CG_OK;

	if (uuid) {
		const char *at = memmem(buf + ev->cur_off, len - ev->cur_off, uuid, strlen(uuid));
		if (!at)
			at = memmem(buf, len, uuid, strlen(uuid));
		if (at)
			line = feed_line_at(buf, (size_t)(at - buf), &ev->cur_off, &ev->cur_line);
	}
	if (!line && value) {
		/* No uuid to find: the value as JSON writes it, after the last
		 * attribute found; failing that, that attribute's line. */
		char *enc = json_dumps(json_object_get(a, "value"), JSON_ENCODE_ANY);
		const char *at = enc ? memmem(buf + ev->cur_off, len - ev->cur_off, enc, strlen(enc)) : NULL;
		if (at)
			line = feed_line_at(buf, (size_t)(at - buf), &ev->cur_off, &ev->cur_line);
		free(enc);
	}
	if (!line)
		line = ev->cur_line;
	run->counts->entries++;
	if (!type || !value)
		return feed_bad(run, line, _("attribute %s without a type or value"), uuid ? uuid : "");
	if (json_is_true(json_object_get(a, "deleted")))
		return feed_skip(run, line, _("attribute %s is marked deleted"), uuid ? uuid : "");
	for (k = 0; k < sizeof misp_types / sizeof misp_types[0]; k++)
		if (strcmp(type, misp_types[k].type) == 0) {
			kind = misp_types[k].kind;
			hash = misp_types[k].hash;
		}
	if (kind == MK_NONE)
		return feed_skip(run, line, _("MISP type '%.40s' is not an indicator"), type);
	if (parse_value(kind, hash, value, iocs, &n_iocs) != CG_OK)
		return feed_bad(run, line, _("field 'value' (%s): %s"), type, cg_err_msg(CG_EPARSE));
	if ((v = str_of(a, "first_seen")) && feed_date_normalize(v, strlen(v), fs, sizeof fs) == 0)
		first = fs;
	if ((v = str_of(a, "last_seen")) && feed_date_normalize(v, strlen(v), ls, sizeof ls) == 0)
		last = ls;
	{
		json_t *o = json_object();
		const char *comment = str_of(a, "comment");
		if (o) {
			json_object_set_new(o, "misp_type", json_string(type));
			if (comment && *comment)
				json_object_set_new(o, "comment", json_string(comment));
			if (ev->info)
				json_object_set_new(o, "event", json_string(ev->info));
			extra = json_dumps(o, JSON_COMPACT);
			json_decref(o);
		}
	}
	for (k = 0; k < n_iocs && !rc; k++) {
		struct feed_record r = {.line = line, .family = ev->fam, .first_seen = first, .last_seen = last, .extra = extra};
		r.ioc = iocs[k];
		rc = feed_emit(run, &r);
	}
	free(extra);
	if (!rc)
		feed_entry_done(run);
	return rc;
}

static enum cg_err one_event(struct feed_run *run, json_t *e, const char *buf, size_t len, size_t *off, size_t *line)
{
	struct misp_event ev;
	json_t *a, *obj;
	size_t i, j;
	const char *fam, *date;
	enum cg_err rc;

	memset(&ev, 0, sizeof ev);
	ev.cur_off = *off;
	ev.cur_line = *line;
	fam = galaxy_family(e);
	if (!fam)
		fam = run->opts->default_family;
	ev.fam = fam ? feed_copy_text(fam, strlen(fam), ev.family, sizeof ev.family) : NULL;
	if ((date = str_of(e, "date")) && feed_date_normalize(date, strlen(date), ev.date, sizeof ev.date) != 0)
		ev.date[0] = '\0';
	ev.info = str_of(e, "info");
	json_array_foreach(json_object_get(e, "Attribute"), i, a)
		if ((rc = one_attribute(run, &ev, a, buf, len)))
			return rc;
	json_array_foreach(json_object_get(e, "Object"), i, obj)
		json_array_foreach(json_object_get(obj, "Attribute"), j, a)
			if ((rc = one_attribute(run, &ev, a, buf, len)))
				return rc;
	*off = ev.cur_off;
	*line = ev.cur_line;
	return CG_OK;
}

enum cg_err feed_parse_misp(struct feed_run *run, const char *buf, size_t len)
{
	json_error_t jerr;
	json_t *root, *list, *item;
	size_t i, off = 0, line = 1, n_events = 0;
	enum cg_err rc = CG_OK;

	if (len > FEED_JSON_MAX)
		return cg_err_set(CG_ELIMIT, _("JSON feed larger than %u MiB"), FEED_JSON_MAX >> 20);
	root = json_loadb(buf, len, 0, &jerr);
	if (!root)
		return cg_err_set(CG_EPARSE, _("line %d: not valid JSON: %s"), jerr.line, jerr.text);
	if (json_is_object(json_object_get(root, "Event"))) {
		rc = one_event(run, json_object_get(root, "Event"), buf, len, &off, &line);
		n_events = 1;
	} else {
		list = json_is_array(root) ? root : json_object_get(root, "response");
		json_array_foreach(list, i, item) {
			json_t *e = json_object_get(item, "Event");
			if (!json_is_object(e))
				continue;
			n_events++;
			if ((rc = one_event(run, e, buf, len, &off, &line)))
				break;
		}
	}
	if (!rc && n_events == 0)
		rc = cg_err_set(CG_EPARSE, _("not a MISP event (no \"Event\" object)"));
	json_decref(root);
	return rc;
}
