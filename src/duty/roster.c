/* The duty roster (see roster.h). */
#include "roster.h"

#include <libfyaml.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_file.h"
#include "cg_i18n.h"
#include "cg_yaml.h"
#include "cg_time.h"

#define TEXT_MAX 2048

struct shift {
	const char *name;
	unsigned days;      /* bit 0: Monday ... bit 6: Sunday */
	unsigned from, len; /* minutes after local midnight, minutes long */
	size_t *people;
	size_t n_people;
};

struct override {
	const char *name;
	int64_t start, len; /* local minutes since the epoch, minutes long */
	size_t *people;
	size_t n_people;
};

struct duty_roster {
	const char *zone;
	int offset;
	enum alert_severity min_severity;
	int64_t max_age_s, retry_first_s, retry_max_s;
	unsigned retry_attempts;
	struct duty_channel *channels;
	size_t n_channels;
	struct duty_person *people;
	size_t n_people;
	struct shift *shifts;
	size_t n_shifts;
	struct override *overrides;
	size_t n_overrides;
	struct duty_level *levels;
	size_t n_levels;
	void **allocs; /* everything else the roster owns */
	size_t n_allocs, a_allocs;
};

struct parse {
	const char *file;
	struct duty_roster *r;
};

static const char *const day_names[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

static enum cg_err bad(struct parse *p, struct fy_node *at, const char *field, const char *why)
{
	return cg_err_set(CG_EPARSE, _("duty: %s:%lu: field '%s': %s"), p->file, cg_yaml_line(at), field, why);
}

static void *own(struct parse *p, void *ptr)
{
	struct duty_roster *r = p->r;
	if (!ptr)
		return NULL;
	if (r->n_allocs == r->a_allocs) {
		size_t na = r->a_allocs ? r->a_allocs * 2 : 64;
		void **nv = realloc(r->allocs, na * sizeof *nv);
		if (!nv) {
			free(ptr);
			return NULL;
		}
		r->allocs = nv;
		r->a_allocs = na;
	}
	r->allocs[r->n_allocs++] = ptr;
	return ptr;
}

static void *own_calloc(struct parse *p, size_t n, size_t size)
{
	return own(p, calloc(n ? n : 1, size));
}

static enum cg_err text(struct parse *p, struct fy_node *n, const char *field, const char **out)
{
	size_t len;
	const char *s;
	if (!n || fy_node_get_type(n) != FYNT_SCALAR || fy_node_is_alias(n))
		return bad(p, n, field, _("must be a text value"));
	s = fy_node_get_scalar(n, &len);
	if (!s || len > TEXT_MAX || memchr(s, '\0', len))
		return bad(p, n, field, _("text too long or not text"));
	if (!(*out = own(p, strndup(s, len))))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	return CG_OK;
}

static enum cg_err number(struct parse *p, struct fy_node *n, const char *field, double min, double max, double *out)
{
	const char *s = "";
	char *end;
	enum cg_err rc = text(p, n, field, &s);
	if (rc)
		return rc;
	double v = strtod(s, &end);
	if (!*s || *end || !(v >= min && v <= max)) {
		char why[128];
		snprintf(why, sizeof why, _("must be a number from %g to %g"), min, max);
		return bad(p, n, field, why);
	}
	*out = v;
	return CG_OK;
}

static enum cg_err boolean(struct parse *p, struct fy_node *n, const char *field, int *out)
{
	const char *s = "";
	enum cg_err rc = text(p, n, field, &s);
	if (rc)
		return rc;
	if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0)
		*out = 1;
	else if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0)
		*out = 0;
	else
		return bad(p, n, field, _("must be true or false"));
	return CG_OK;
}

/* "HH:MM", 00:00 to 24:00. */
static enum cg_err clock_time(struct parse *p, struct fy_node *n, const char *field, unsigned *out)
{
	const char *s = "";
	unsigned h, m;
	char tail;
	enum cg_err rc = text(p, n, field, &s);
	if (rc)
		return rc;
	if (strlen(s) != 5 || sscanf(s, "%2u:%2u%c", &h, &m, &tail) != 2 || s[2] != ':' || m > 59 || h > 24 ||
	    (h == 24 && m != 0))
		return bad(p, n, field, _("must be a time HH:MM from 00:00 to 24:00"));
	*out = h * 60 + m;
	return CG_OK;
}

static enum cg_err check_keys(struct parse *p, struct fy_node *map, const char *what, const char *const *known)
{
	void *it = NULL;
	struct fy_node_pair *pr;
	if (!map || fy_node_get_type(map) != FYNT_MAPPING)
		return bad(p, map, what, _("must be a mapping"));
	while ((pr = fy_node_mapping_iterate(map, &it))) {
		struct fy_node *k = fy_node_pair_key(pr);
		const char *ks = k && fy_node_get_type(k) == FYNT_SCALAR ? fy_node_get_scalar0(k) : NULL;
		size_t i = 0;
		while (ks && known[i] && strcmp(known[i], ks) != 0)
			i++;
		if (!ks || !known[i])
			return bad(p, k, ks ? ks : what, _("unknown field"));
	}
	return CG_OK;
}

static struct fy_node *get(struct fy_node *map, const char *key)
{
	return fy_node_mapping_lookup_by_string(map, key, FY_NT);
}

static long find_channel(const struct duty_roster *r, const char *name)
{
	for (size_t i = 0; i < r->n_channels; i++)
		if (strcmp(r->channels[i].name, name) == 0)
			return (long)i;
	return -1;
}

long duty_roster_find_person(const struct duty_roster *r, const char *id)
{
	for (size_t i = 0; i < r->n_people; i++)
		if (strcmp(r->people[i].id, id) == 0)
			return (long)i;
	return -1;
}

static enum cg_err parse_channel(struct parse *p, struct fy_node *key, struct fy_node *n, struct duty_channel *c)
{
	static const char *const known[] = {"kind",     "server",        "port",         "tls",     "starttls",
					    "from",     "username",      "password_file", "password_env", "url",
					    "token_file", "api",         "ca_file",      "timeout", NULL};
	const char *kind = "";
	struct fy_node *v;
	double d;
	enum cg_err rc;

	if ((rc = text(p, key, "channels", &c->name)) || (rc = check_keys(p, n, c->name, known)))
		return rc;
	if (!(v = get(n, "kind")))
		return bad(p, key, "kind", _("missing (smtp, webhook, telegram, mattermost)"));
	if ((rc = text(p, v, "kind", &kind)))
		return rc;
	if (strcmp(kind, "smtp") == 0)
		c->kind = DUTY_CH_SMTP;
	else if (strcmp(kind, "webhook") == 0)
		c->kind = DUTY_CH_WEBHOOK;
	else if (strcmp(kind, "telegram") == 0)
		c->kind = DUTY_CH_TELEGRAM;
	else if (strcmp(kind, "mattermost") == 0)
		c->kind = DUTY_CH_MATTERMOST;
	else
		return bad(p, v, "kind", _("must be smtp, webhook, telegram or mattermost"));
	c->port = 25;
	c->timeout_s = 15;
	if ((v = get(n, "timeout"))) {
		if ((rc = number(p, v, "timeout", 1, 300, &d)))
			return rc;
		c->timeout_s = (unsigned)d;
	}
	if ((v = get(n, "ca_file")) && (rc = text(p, v, "ca_file", &c->ca_file)))
		return rc;
	if (c->kind == DUTY_CH_SMTP) {
		int b = 0;
		if (!(v = get(n, "server")))
			return bad(p, key, "server", _("missing: an SMTP channel needs its server"));
		if ((rc = text(p, v, "server", &c->server)))
			return rc;
		if (!(v = get(n, "from")))
			return bad(p, key, "from", _("missing: an SMTP channel needs a From address"));
		if ((rc = text(p, v, "from", &c->from)))
			return rc;
		if (!strchr(c->from, '@') || strpbrk(c->from, "<>\r\n \""))
			return bad(p, v, "from", _("must be a plain e-mail address"));
		if ((v = get(n, "port"))) {
			if ((rc = number(p, v, "port", 1, 65535, &d)))
				return rc;
			c->port = (unsigned)d;
		}
		if ((v = get(n, "starttls"))) {
			if ((rc = boolean(p, v, "starttls", &b)))
				return rc;
			c->tls = b ? 1 : 0;
		}
		if ((v = get(n, "tls"))) {
			if ((rc = boolean(p, v, "tls", &b)))
				return rc;
			if (b)
				c->tls = 2;
		}
		if ((v = get(n, "username")) && (rc = text(p, v, "username", &c->username)))
			return rc;
		if ((v = get(n, "password_file")) && (rc = text(p, v, "password_file", &c->password_file)))
			return rc;
		if ((v = get(n, "password_env")) && (rc = text(p, v, "password_env", &c->password_env)))
			return rc;
		if (c->username && !c->password_file && !c->password_env)
			return bad(p, key, "username", _("needs password_file or password_env"));
		return CG_OK;
	}
	if ((v = get(n, "url")) && (rc = text(p, v, "url", &c->url)))
		return rc;
	if (c->kind == DUTY_CH_TELEGRAM) {
		if ((v = get(n, "token_file")) && (rc = text(p, v, "token_file", &c->token_file)))
			return rc;
		c->api = "https://api.telegram.org";
		if ((v = get(n, "api")) && (rc = text(p, v, "api", &c->api)))
			return rc;
		if (!c->url == !c->token_file)
			return bad(p, key, "url", _("a Telegram channel needs either url or token_file"));
	} else if (!c->url) {
		return bad(p, key, "url", _("missing: a webhook channel needs its URL"));
	}
	if (c->url && strncmp(c->url, "https://", 8) != 0 && strncmp(c->url, "http://", 7) != 0)
		return bad(p, get(n, "url"), "url", _("must start with https:// or http://"));
	return CG_OK;
}

static enum cg_err parse_channels(struct parse *p, struct fy_node *n)
{
	struct duty_roster *r = p->r;
	void *it = NULL;
	struct fy_node_pair *pr;
	int count;

	if (!n || fy_node_get_type(n) != FYNT_MAPPING)
		return bad(p, n, "channels", _("must map channel names to their settings"));
	count = fy_node_mapping_item_count(n);
	if (count < 1 || count > DUTY_MAX_CHANNELS)
		return bad(p, n, "channels", _("must name 1 to 64 channels"));
	if (!(r->channels = own_calloc(p, (size_t)count, sizeof *r->channels)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	while ((pr = fy_node_mapping_iterate(n, &it))) {
		enum cg_err rc = parse_channel(p, fy_node_pair_key(pr), fy_node_pair_value(pr), &r->channels[r->n_channels]);
		if (rc)
			return rc;
		if (find_channel(r, r->channels[r->n_channels].name) >= 0)
			return bad(p, fy_node_pair_key(pr), r->channels[r->n_channels].name, _("named twice"));
		r->n_channels++;
	}
	return CG_OK;
}

static enum cg_err add_contact(struct parse *p, struct fy_node *at, struct duty_contact *cs, size_t *n, long ch,
			       const char *to)
{
	const struct duty_channel *c = &p->r->channels[ch];
	if (*n >= DUTY_MAX_CONTACTS)
		return bad(p, at, "contacts", _("too many contacts (at most 16)"));
	if (c->kind == DUTY_CH_SMTP && (!*to || !strchr(to, '@') || strpbrk(to, "<>,;\r\n \"")))
		return bad(p, at, "to", _("must be a plain e-mail address"));
	if (c->kind == DUTY_CH_TELEGRAM && !*to)
		return bad(p, at, "to", _("a Telegram contact needs the chat id"));
	if (strpbrk(to, "\r\n"))
		return bad(p, at, "to", _("must be one line"));
	cs[*n].channel = (size_t)ch;
	cs[*n].to = to;
	(*n)++;
	return CG_OK;
}

static enum cg_err parse_person(struct parse *p, struct fy_node *key, struct fy_node *n, struct duty_person *pe)
{
	static const char *const known[] = {"name", "email", "contacts", NULL};
	struct duty_contact *cs;
	struct fy_node *v;
	enum cg_err rc;
	size_t nc = 0;

	if ((rc = text(p, key, "people", &pe->id)) || (rc = check_keys(p, n, pe->id, known)))
		return rc;
	if (!*pe->id || strpbrk(pe->id, " \t,"))
		return bad(p, key, "people", _("a person's key must be one word"));
	pe->name = pe->id;
	if ((v = get(n, "name")) && (rc = text(p, v, "name", &pe->name)))
		return rc;
	if (!(cs = own_calloc(p, DUTY_MAX_CONTACTS, sizeof *cs)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if ((v = get(n, "email"))) {
		const char *to = "";
		long ch = -1;
		for (size_t i = 0; i < p->r->n_channels && ch < 0; i++)
			if (p->r->channels[i].kind == DUTY_CH_SMTP)
				ch = (long)i;
		if (ch < 0)
			return bad(p, v, "email", _("no channel of kind smtp to send it through"));
		if ((rc = text(p, v, "email", &to)) || (rc = add_contact(p, v, cs, &nc, ch, to)))
			return rc;
	}
	if ((v = get(n, "contacts"))) {
		void *it = NULL;
		struct fy_node *item;
		if (fy_node_get_type(v) != FYNT_SEQUENCE)
			return bad(p, v, "contacts", _("must be a list of {channel, to}"));
		while ((item = fy_node_sequence_iterate(v, &it))) {
			static const char *const ck[] = {"channel", "to", NULL};
			const char *chname = "", *to = "";
			struct fy_node *cn;
			long ch;
			if ((rc = check_keys(p, item, "contacts", ck)))
				return rc;
			if (!(cn = get(item, "channel")))
				return bad(p, item, "channel", _("missing"));
			if ((rc = text(p, cn, "channel", &chname)))
				return rc;
			if ((ch = find_channel(p->r, chname)) < 0)
				return bad(p, cn, "channel", _("no such channel"));
			if (get(item, "to") && (rc = text(p, get(item, "to"), "to", &to)))
				return rc;
			if ((rc = add_contact(p, cn, cs, &nc, ch, to)))
				return rc;
		}
	}
	if (!nc)
		return bad(p, key, pe->id, _("has no way to be reached (email or contacts)"));
	pe->contacts = cs;
	pe->n_contacts = nc;
	return CG_OK;
}

static enum cg_err parse_people(struct parse *p, struct fy_node *n)
{
	struct duty_roster *r = p->r;
	void *it = NULL;
	struct fy_node_pair *pr;
	int count;

	if (!n || fy_node_get_type(n) != FYNT_MAPPING)
		return bad(p, n, "people", _("must map each person's key to their details"));
	count = fy_node_mapping_item_count(n);
	if (count < 1 || count > DUTY_MAX_PEOPLE)
		return bad(p, n, "people", _("must name 1 to 500 people"));
	if (!(r->people = own_calloc(p, (size_t)count, sizeof *r->people)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	while ((pr = fy_node_mapping_iterate(n, &it))) {
		enum cg_err rc = parse_person(p, fy_node_pair_key(pr), fy_node_pair_value(pr), &r->people[r->n_people]);
		if (rc)
			return rc;
		if (duty_roster_find_person(r, r->people[r->n_people].id) >= 0)
			return bad(p, fy_node_pair_key(pr), r->people[r->n_people].id, _("named twice"));
		r->n_people++;
	}
	return CG_OK;
}

/* A list of person keys. */
static enum cg_err person_list(struct parse *p, struct fy_node *n, const char *field, size_t **out, size_t *n_out)
{
	void *it = NULL;
	struct fy_node *item;
	size_t *v;
	int count;

	if (!n || fy_node_get_type(n) != FYNT_SEQUENCE || (count = fy_node_sequence_item_count(n)) < 1)
		return bad(p, n, field, _("must be a list of people's keys"));
	if (count > DUTY_MAX_PEOPLE)
		return bad(p, n, field, _("too many people"));
	if (!(v = own_calloc(p, (size_t)count, sizeof *v)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	*n_out = 0;
	while ((item = fy_node_sequence_iterate(n, &it))) {
		const char *id = "";
		long k;
		enum cg_err rc = text(p, item, field, &id);
		if (rc)
			return rc;
		if ((k = duty_roster_find_person(p->r, id)) < 0)
			return bad(p, item, field, _("no such person in 'people'"));
		v[(*n_out)++] = (size_t)k;
	}
	*out = v;
	return CG_OK;
}

static enum cg_err parse_days(struct parse *p, struct fy_node *n, unsigned *out)
{
	void *it = NULL;
	struct fy_node *item;
	*out = 0;
	if (!n || fy_node_get_type(n) != FYNT_SEQUENCE)
		return bad(p, n, "days", _("must be a list of days (mon ... sun, or daily)"));
	while ((item = fy_node_sequence_iterate(n, &it))) {
		const char *s = "";
		unsigned d;
		enum cg_err rc = text(p, item, "days", &s);
		if (rc)
			return rc;
		if (strcmp(s, "daily") == 0) {
			*out |= 0x7f;
			continue;
		}
		for (d = 0; d < 7 && strcmp(day_names[d], s) != 0; d++)
			;
		if (d == 7)
			return bad(p, item, "days", _("must be mon, tue, wed, thu, fri, sat, sun or daily"));
		*out |= 1u << d;
	}
	if (!*out)
		return bad(p, n, "days", _("must name at least one day"));
	return CG_OK;
}

/* from/to of a shift or override: the length in minutes, past midnight
 * when `to` is not after `from`. */
static enum cg_err hours(struct parse *p, struct fy_node *n, unsigned def_from, unsigned def_to, unsigned *from,
			 unsigned *len)
{
	struct fy_node *v;
	unsigned to = def_to;
	enum cg_err rc;
	*from = def_from;
	if ((v = get(n, "from")) && (rc = clock_time(p, v, "from", from)))
		return rc;
	if ((v = get(n, "to")) && (rc = clock_time(p, v, "to", &to)))
		return rc;
	if (*from == 1440)
		return bad(p, get(n, "from"), "from", _("a shift cannot start at 24:00"));
	*len = to > *from ? to - *from : to + 1440 - *from;
	return CG_OK;
}

static enum cg_err parse_shifts(struct parse *p, struct fy_node *n)
{
	static const char *const known[] = {"name", "days", "from", "to", "on_duty", NULL};
	struct duty_roster *r = p->r;
	void *it = NULL;
	struct fy_node *item;
	int count;

	if (!n || fy_node_get_type(n) != FYNT_SEQUENCE || (count = fy_node_sequence_item_count(n)) < 1)
		return bad(p, n, "shifts", _("must be a list of shifts"));
	if (count > DUTY_MAX_SHIFTS)
		return bad(p, n, "shifts", _("too many shifts (at most 1000)"));
	if (!(r->shifts = own_calloc(p, (size_t)count, sizeof *r->shifts)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	while ((item = fy_node_sequence_iterate(n, &it))) {
		struct shift *s = &r->shifts[r->n_shifts];
		struct fy_node *v;
		enum cg_err rc;
		if ((rc = check_keys(p, item, "shifts", known)))
			return rc;
		s->name = "";
		if ((v = get(item, "name")) && (rc = text(p, v, "name", &s->name)))
			return rc;
		if ((rc = parse_days(p, get(item, "days") ? get(item, "days") : item, &s->days)) ||
		    (rc = hours(p, item, 0, 1440, &s->from, &s->len)) ||
		    (rc = person_list(p, get(item, "on_duty") ? get(item, "on_duty") : item, "on_duty", &s->people,
				      &s->n_people)))
			return rc;
		r->n_shifts++;
	}
	return CG_OK;
}

static enum cg_err parse_overrides(struct parse *p, struct fy_node *n)
{
	static const char *const known[] = {"name", "date", "from", "to", "on_duty", NULL};
	struct duty_roster *r = p->r;
	void *it = NULL;
	struct fy_node *item;
	int count;

	if (!n || fy_node_get_type(n) != FYNT_SEQUENCE)
		return bad(p, n, "overrides", _("must be a list of overrides by date"));
	count = fy_node_sequence_item_count(n);
	if (count > DUTY_MAX_SHIFTS)
		return bad(p, n, "overrides", _("too many overrides (at most 1000)"));
	if (!(r->overrides = own_calloc(p, (size_t)count, sizeof *r->overrides)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	while ((item = fy_node_sequence_iterate(n, &it))) {
		struct override *o = &r->overrides[r->n_overrides];
		struct fy_node *v;
		const char *date = "";
		unsigned from, len;
		int y, mo, d;
		char tail;
		enum cg_err rc;
		if ((rc = check_keys(p, item, "overrides", known)))
			return rc;
		o->name = "";
		if ((v = get(item, "name")) && (rc = text(p, v, "name", &o->name)))
			return rc;
		if (!(v = get(item, "date")))
			return bad(p, item, "date", _("missing"));
		if ((rc = text(p, v, "date", &date)))
			return rc;
		if (strlen(date) != 10 || sscanf(date, "%4d-%2d-%2d%c", &y, &mo, &d, &tail) != 3 || y < 1970 ||
		    y > 9999 || mo < 1 || mo > 12 || d < 1 || d > cg_days_in_month(y, mo))
			return bad(p, v, "date", _("must be a date YYYY-MM-DD"));
		if ((rc = hours(p, item, 0, 1440, &from, &len)) ||
		    (rc = person_list(p, get(item, "on_duty") ? get(item, "on_duty") : item, "on_duty", &o->people,
				      &o->n_people)))
			return rc;
		o->start = cg_days_from_civil(y, mo, d) * 1440 + from;
		o->len = len;
		r->n_overrides++;
	}
	return CG_OK;
}

static enum cg_err parse_escalation(struct parse *p, struct fy_node *n)
{
	static const char *const known[] = {"name", "after", "notify", "provincial", NULL};
	struct duty_roster *r = p->r;
	void *it = NULL;
	struct fy_node *item;
	int count, any_provincial = 0;

	if (!n || fy_node_get_type(n) != FYNT_SEQUENCE || (count = fy_node_sequence_item_count(n)) < 1)
		return bad(p, n, "escalation", _("must be a list of levels, the last the provincial team"));
	if (count > DUTY_MAX_LEVELS)
		return bad(p, n, "escalation", _("too many levels (at most 10)"));
	if (!(r->levels = own_calloc(p, (size_t)count, sizeof *r->levels)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	while ((item = fy_node_sequence_iterate(n, &it))) {
		struct duty_level *l = &r->levels[r->n_levels];
		struct fy_node *v;
		size_t *people = NULL;
		double after;
		enum cg_err rc;
		if ((rc = check_keys(p, item, "escalation", known)))
			return rc;
		l->name = "";
		if ((v = get(item, "name")) && (rc = text(p, v, "name", &l->name)))
			return rc;
		if (!(v = get(item, "after")))
			return bad(p, item, "after", _("missing: minutes without acknowledgement"));
		if ((rc = number(p, v, "after", 0.01, 10080, &after)))
			return rc;
		l->after_s = (int64_t)llround(after * 60) > 0 ? (int64_t)llround(after * 60) : 1;
		if ((rc = person_list(p, get(item, "notify") ? get(item, "notify") : item, "notify", &people,
				      &l->n_people)))
			return rc;
		l->people = people;
		if ((v = get(item, "provincial")) && (rc = boolean(p, v, "provincial", &l->provincial)))
			return rc;
		if (l->provincial && r->n_levels + 1 != (size_t)count)
			return bad(p, v, "provincial", _("only the last level can be the provincial team"));
		any_provincial |= l->provincial;
		r->n_levels++;
	}
	/* The last level is the provincial team unless the roster says so
	 * explicitly of none (provincial: false on the last). */
	if (!any_provincial && !get(fy_node_sequence_get_by_index(n, count - 1), "provincial"))
		r->levels[r->n_levels - 1].provincial = 1;
	return CG_OK;
}

static enum cg_err parse_zone(struct parse *p, struct fy_node *v)
{
	struct duty_roster *r = p->r;
	const char *z = "";
	int h, m;
	char sign, tail;
	enum cg_err rc = text(p, v, "zone", &z);
	if (rc)
		return rc;
	r->zone = z;
	if (strcmp(z, "Asia/Ho_Chi_Minh") == 0 || strcmp(z, "Asia/Saigon") == 0)
		r->offset = CG_TIME_OFFSET_VN;
	else if (strcmp(z, "UTC") == 0 || strcmp(z, "Z") == 0)
		r->offset = 0;
	else if (strlen(z) == 6 && sscanf(z, "%c%2d:%2d%c", &sign, &h, &m, &tail) == 3 && (sign == '+' || sign == '-') &&
		 h <= 14 && m <= 59)
		r->offset = (sign == '-' ? -1 : 1) * (h * 60 + m);
	else
		return bad(p, v, "zone", _("must be Asia/Ho_Chi_Minh, UTC or a fixed offset like +07:00"));
	return CG_OK;
}

static enum cg_err parse_retry(struct parse *p, struct fy_node *n)
{
	static const char *const known[] = {"first", "max", "attempts", NULL};
	struct duty_roster *r = p->r;
	struct fy_node *v;
	double d;
	enum cg_err rc;
	if ((rc = check_keys(p, n, "retry", known)))
		return rc;
	if ((v = get(n, "first"))) {
		if ((rc = number(p, v, "first", 1, 86400, &d)))
			return rc;
		r->retry_first_s = (int64_t)d;
	}
	if ((v = get(n, "max"))) {
		if ((rc = number(p, v, "max", 1, 86400, &d)))
			return rc;
		r->retry_max_s = (int64_t)d;
	}
	if ((v = get(n, "attempts"))) {
		if ((rc = number(p, v, "attempts", 1, 1000, &d)))
			return rc;
		r->retry_attempts = (unsigned)d;
	}
	if (r->retry_max_s < r->retry_first_s)
		return bad(p, n, "max", _("must not be less than 'first'"));
	return CG_OK;
}

static enum cg_err parse_root(struct parse *p, struct fy_node *root)
{
	static const char *const known[] = {"zone",   "min_severity", "max_age_hours", "retry",      "channels",
					    "people", "shifts",       "overrides",     "escalation", NULL};
	struct duty_roster *r = p->r;
	struct fy_node *v;
	enum cg_err rc;

	if ((rc = check_keys(p, root, "roster", known)))
		return rc;
	r->zone = "Asia/Ho_Chi_Minh";
	r->offset = CG_TIME_OFFSET_VN;
	r->min_severity = ALERT_SEV_HIGH;
	r->max_age_s = 24 * 3600;
	r->retry_first_s = 30;
	r->retry_max_s = 900;
	r->retry_attempts = 10;
	if ((v = get(root, "zone")) && (rc = parse_zone(p, v)))
		return rc;
	if ((v = get(root, "min_severity"))) {
		const char *s = "";
		if ((rc = text(p, v, "min_severity", &s)))
			return rc;
		r->min_severity = alert_severity_from_level(s);
		if (strcmp(alert_severity_name(r->min_severity), s) != 0)
			return bad(p, v, "min_severity",
				   _("must be informational, low, medium, high or critical"));
	}
	if ((v = get(root, "max_age_hours"))) {
		double d;
		if ((rc = number(p, v, "max_age_hours", 0.01, 24 * 365, &d)))
			return rc;
		r->max_age_s = (int64_t)llround(d * 3600);
	}
	if ((v = get(root, "retry")) && (rc = parse_retry(p, v)))
		return rc;
	if ((rc = parse_channels(p, get(root, "channels") ? get(root, "channels") : root)) ||
	    (rc = parse_people(p, get(root, "people") ? get(root, "people") : root)) ||
	    (rc = parse_shifts(p, get(root, "shifts") ? get(root, "shifts") : root)) ||
	    (rc = parse_escalation(p, get(root, "escalation") ? get(root, "escalation") : root)))
		return rc;
	if ((v = get(root, "overrides")) && (rc = parse_overrides(p, v)))
		return rc;
	return CG_OK;
}

enum cg_err duty_roster_parse(const char *file, const char *buf, size_t len, struct duty_roster **out)
{
	struct duty_roster *r;
	struct fy_document *fyd;
	enum cg_err rc;

	*out = NULL;
	if (len > DUTY_ROSTER_MAX_BYTES)
		return cg_err_set(CG_ELIMIT, _("duty: %s: larger than %u bytes"), file, DUTY_ROSTER_MAX_BYTES);
	if (!(fyd = cg_yaml_load(file, buf, len)))
		return cg_err_prefix(CG_EPARSE, "duty");
	if (!(r = calloc(1, sizeof *r))) {
		fy_document_destroy(fyd);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	struct parse p = {file, r};
	rc = parse_root(&p, fy_document_root(fyd));
	fy_document_destroy(fyd);
	if (rc) {
		duty_roster_free(r);
		return rc;
	}
	*out = r;
	return CG_OK;
}

/* The first line of a secret file, without its line end. */
static enum cg_err read_secret(struct parse *p, const char *path, const char **out)
{
	char *buf = NULL;
	size_t n = 0;
	enum cg_err rc = cg_file_read(path, 4096, &buf, &n);
	if (rc)
		return cg_err_prefix(rc, "duty: %s", p->file);
	buf[strcspn(buf, "\r\n")] = '\0';
	if (!(*out = own(p, buf)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	return CG_OK;
}

static enum cg_err load_secrets(struct parse *p)
{
	struct duty_roster *r = p->r;
	for (size_t i = 0; i < r->n_channels; i++) {
		struct duty_channel *c = &r->channels[i];
		enum cg_err rc;
		if (c->password_file && (rc = read_secret(p, c->password_file, &c->password)))
			return rc;
		if (!c->password && c->password_env) {
			const char *v = getenv(c->password_env);
			if (!v)
				return cg_err_set(CG_ENOTFOUND, _("duty: %s: channel '%s': environment variable %s is not set"),
						  p->file, c->name, c->password_env);
			if (!(c->password = own(p, strdup(v))))
				return cg_err_set(CG_ENOMEM, _("out of memory"));
		}
		if (c->kind == DUTY_CH_TELEGRAM && c->token_file) {
			const char *token = "";
			char *url;
			if ((rc = read_secret(p, c->token_file, &token)))
				return rc;
			if (asprintf(&url, "%s/bot%s/sendMessage", c->api, token) < 0 || !(c->url = own(p, url)))
				return cg_err_set(CG_ENOMEM, _("out of memory"));
		}
	}
	return CG_OK;
}

enum cg_err duty_roster_read(const char *path, struct duty_roster **out)
{
	char *buf = NULL;
	size_t n = 0;
	enum cg_err rc;

	*out = NULL;
	if ((rc = cg_file_read(path, DUTY_ROSTER_MAX_BYTES, &buf, &n)))
		return cg_err_prefix(rc, "duty");
	rc = duty_roster_parse(path, buf, n, out);
	free(buf);
	return rc;
}

enum cg_err duty_roster_load(const char *path, struct duty_roster **out)
{
	enum cg_err rc = duty_roster_read(path, out);
	if (rc)
		return rc;
	struct parse p = {path, *out};
	if ((rc = load_secrets(&p))) {
		duty_roster_free(*out);
		*out = NULL;
	}
	return rc;
}

void duty_roster_free(struct duty_roster *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_allocs; i++)
		free(r->allocs[i]);
	free(r->allocs);
	free(r);
}

int duty_roster_offset(const struct duty_roster *r) { return r->offset; }
const char *duty_roster_zone(const struct duty_roster *r) { return r->zone; }
enum alert_severity duty_roster_min_severity(const struct duty_roster *r) { return r->min_severity; }
int64_t duty_roster_max_age(const struct duty_roster *r) { return r->max_age_s; }
size_t duty_roster_n_people(const struct duty_roster *r) { return r->n_people; }
const struct duty_person *duty_roster_person(const struct duty_roster *r, size_t i) { return &r->people[i]; }
size_t duty_roster_n_channels(const struct duty_roster *r) { return r->n_channels; }
const struct duty_channel *duty_roster_channel(const struct duty_roster *r, size_t i) { return &r->channels[i]; }
size_t duty_roster_n_levels(const struct duty_roster *r) { return r->n_levels; }
const struct duty_level *duty_roster_level(const struct duty_roster *r, size_t i) { return &r->levels[i]; }

void duty_roster_retry(const struct duty_roster *r, int64_t *first_s, int64_t *max_s, unsigned *attempts)
{
	*first_s = r->retry_first_s;
	*max_s = r->retry_max_s;
	*attempts = r->retry_attempts;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Minute of the week (Monday 00:00 = 0) of local minute `lm` since the
 * epoch; 1970-01-01 was a Thursday (day 3 counted from Monday). */
static unsigned week_minute(int64_t lm)
{
	int64_t day = floor_div(lm, 1440), mod = lm - day * 1440;
	int64_t wd = ((day % 7) + 7 + 3) % 7;
	return (unsigned)(wd * 1440 + mod);
}

static int shift_covers(const struct shift *s, unsigned wm)
{
	for (unsigned d = 0; d < 7; d++) {
		if (!(s->days & (1u << d)))
			continue;
		unsigned start = d * 1440 + s->from;
		unsigned since = (wm + DUTY_MINUTES_PER_WEEK - start) % DUTY_MINUTES_PER_WEEK;
		if (since < s->len)
			return 1;
	}
	return 0;
}

static size_t add_people(size_t *out, size_t n, size_t max, const size_t *people, size_t np, size_t *total)
{
	for (size_t i = 0; i < np; i++) {
		size_t k;
		for (k = 0; k < n && out[k] != people[i]; k++)
			;
		if (k < n)
			continue;
		if (n < max)
			out[n++] = people[i];
		(*total)++;
	}
	return n;
}

size_t duty_roster_on_duty(const struct duty_roster *r, int64_t t, size_t *people, size_t max, const char **what)
{
	int64_t lm = floor_div(t + (int64_t)r->offset * 60, 60);
	size_t n = 0, total = 0;
	const char *name = "";

	for (size_t i = 0; i < r->n_overrides; i++) {
		const struct override *o = &r->overrides[i];
		if (lm >= o->start && lm < o->start + o->len) {
			n = add_people(people, n, max, o->people, o->n_people, &total);
			if (!*name)
				name = o->name;
		}
	}
	if (!total) {
		unsigned wm = week_minute(lm);
		for (size_t i = 0; i < r->n_shifts; i++) {
			if (!shift_covers(&r->shifts[i], wm))
				continue;
			n = add_people(people, n, max, r->shifts[i].people, r->shifts[i].n_people, &total);
			if (!*name)
				name = r->shifts[i].name;
		}
	}
	if (what)
		*what = name;
	return total;
}

size_t duty_roster_gaps(const struct duty_roster *r, struct duty_gap *gaps, size_t max)
{
	static const unsigned W = DUTY_MINUTES_PER_WEEK;
	unsigned char *covered = calloc(W, 1);
	size_t n = 0;
	unsigned first_covered = W;

	if (!covered)
		return 0;
	for (size_t i = 0; i < r->n_shifts; i++) {
		const struct shift *s = &r->shifts[i];
		for (unsigned d = 0; d < 7; d++)
			if (s->days & (1u << d))
				for (unsigned k = 0; k < s->len; k++)
					covered[(d * 1440 + s->from + k) % W] = 1;
	}
	for (unsigned m = 0; m < W && first_covered == W; m++)
		if (covered[m])
			first_covered = m;
	if (first_covered == W) {
		if (max)
			gaps[0] = (struct duty_gap){0, W};
		free(covered);
		return 1;
	}
	/* Walk one week from a covered minute so a gap across Sunday midnight
	 * is one gap. */
	for (unsigned k = 0; k < W;) {
		unsigned m = (first_covered + k) % W;
		if (covered[m]) {
			k++;
			continue;
		}
		unsigned len = 0;
		while (k + len < W && !covered[(first_covered + k + len) % W])
			len++;
		if (n < max)
			gaps[n] = (struct duty_gap){m, m + len};
		n++;
		k += len;
	}
	free(covered);
	/* In week order. */
	for (size_t i = 1; i < n && i < max; i++)
		for (size_t j = i; j > 0 && gaps[j].start < gaps[j - 1].start; j--) {
			struct duty_gap tmp = gaps[j];
			gaps[j] = gaps[j - 1];
			gaps[j - 1] = tmp;
		}
	return n;
}

void duty_week_minute_format(unsigned m, char *buf, size_t n)
{
	m %= DUTY_MINUTES_PER_WEEK;
	snprintf(buf, n, "%s %02u:%02u", day_names[m / 1440], m % 1440 / 60, m % 60);
}
