/* daemon_config — canhgacd's YAML configuration (see daemon_config.h). */
#include "daemon_config.h"

#include <errno.h>
#include <libfyaml.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_file.h"
#include "cg_i18n.h"
#include "cg_yaml.h"

#define TEXT_MAX 4096

struct parse {
	const char *file;
	char *dir; /* the file's directory, "" for the working directory */
	struct daemon_config *c;
};

static enum cg_err bad(struct parse *p, struct fy_node *at, const char *field, const char *reason)
{
	return cg_err_set(CG_EPARSE, _("%s:%lu: field '%s': %s"), p->file, cg_yaml_line(at), field, reason);
}

static enum cg_err text(struct parse *p, struct fy_node *key, struct fy_node *v, const char *field, char **out)
{
	if (!v || fy_node_get_type(v) != FYNT_SCALAR || fy_node_is_alias(v))
		return bad(p, key, field, _("must be a text value"));
	size_t len;
	const char *s = fy_node_get_scalar(v, &len);
	if (!s || len == 0 || len > TEXT_MAX || memchr(s, '\0', len))
		return bad(p, key, field, _("must be a non-empty text of at most 4096 bytes"));
	char *d = strndup(s, len);
	if (!d)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	free(*out);
	*out = d;
	return CG_OK;
}

/* A path: relative ones are taken from the configuration file's directory. */
static enum cg_err path(struct parse *p, struct fy_node *key, struct fy_node *v, const char *field, char **out)
{
	char *s = NULL;
	enum cg_err rc = text(p, key, v, field, &s);
	if (rc)
		return rc;
	if (!s)
		return cg_err_set(CG_EINTERNAL, _("out of memory"));
	if (s[0] != '/' && p->dir[0]) {
		size_t n = strlen(p->dir) + 1 + strlen(s) + 1;
		char *j = malloc(n);
		if (!j) {
			free(s);
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		}
		snprintf(j, n, "%s/%s", p->dir, s);
		free(s);
		s = j;
	}
	free(*out);
	*out = s;
	return CG_OK;
}

static enum cg_err number(struct parse *p, struct fy_node *key, struct fy_node *v, const char *field,
			  unsigned long long min, unsigned long long max, unsigned long long *out)
{
	if (!v || fy_node_get_type(v) != FYNT_SCALAR || fy_node_is_alias(v))
		return bad(p, key, field, _("must be a whole number"));
	size_t len;
	const char *s = fy_node_get_scalar(v, &len);
	char tmp[32];
	if (!s || len == 0 || len >= sizeof tmp)
		return bad(p, key, field, _("must be a whole number"));
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	for (size_t i = 0; i < len; i++)
		if (tmp[i] < '0' || tmp[i] > '9')
			return bad(p, key, field, _("must be a whole number"));
	errno = 0;
	unsigned long long x = strtoull(tmp, NULL, 10);
	if (errno || x < min || x > max) {
		char why[128];
		snprintf(why, sizeof why, _("must be between %llu and %llu"), min, max);
		return bad(p, key, field, why);
	}
	*out = x;
	return CG_OK;
}

static enum cg_err boolean(struct parse *p, struct fy_node *key, struct fy_node *v, const char *field, int *out)
{
	if (v && fy_node_get_type(v) == FYNT_SCALAR && !fy_node_is_alias(v)) {
		const char *s = fy_node_get_scalar0(v);
		if (s && (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on"))) {
			*out = 1;
			return CG_OK;
		}
		if (s && (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off"))) {
			*out = 0;
			return CG_OK;
		}
	}
	return bad(p, key, field, _("must be true or false"));
}

static enum cg_err pick(struct parse *p, struct fy_node *key, struct fy_node *v, const char *field,
			const char *const *words, int *out)
{
	if (v && fy_node_get_type(v) == FYNT_SCALAR && !fy_node_is_alias(v)) {
		const char *s = fy_node_get_scalar0(v);
		for (int i = 0; s && words[i]; i++)
			if (!strcmp(s, words[i])) {
				*out = i;
				return CG_OK;
			}
	}
	char why[256];
	size_t o = (size_t)snprintf(why, sizeof why, "%s", _("must be one of:"));
	for (int i = 0; words[i] && o < sizeof why; i++)
		o += (size_t)snprintf(why + o, sizeof why - o, " %s", words[i]);
	return bad(p, key, field, why);
}

static const char *const proto_words[] = {"?", "udp", "tcp", "tls", NULL};
static const char *const format_words[] = {"auto", "syslog", "json", "cef", NULL};
static const char *const log_words[] = {"keyvalue", "json", NULL};
static const char *const up_words[] = {"?", "syslog-tcp", "syslog-tls", "http-json", NULL};

const char *daemon_proto_name(enum daemon_proto pr)
{
	return pr >= DAEMON_UDP && pr <= DAEMON_TLS ? proto_words[pr] : "?";
}

const char *daemon_format_name(enum daemon_format f)
{
	return f <= DAEMON_FMT_CEF ? format_words[f] : "?";
}

/* Iterate the pairs of a mapping `v`; `field` names it in errors. */
#define FOR_PAIRS(p, v, field, k, ks, val)                                                          \
	if (!(v) || fy_node_get_type(v) != FYNT_MAPPING)                                             \
		return bad((p), (v), (field), _("must be a mapping of keys to values"));             \
	void *it_##k = NULL;                                                                         \
	for (struct fy_node_pair *pr_##k; (pr_##k = fy_node_mapping_iterate((v), &it_##k));)          \
		for (struct fy_node *k = fy_node_pair_key(pr_##k), *val = fy_node_pair_value(pr_##k), \
				    *once_##k = k;                                                   \
		     once_##k; once_##k = NULL)                                                      \
			for (const char *ks = k && fy_node_get_type(k) == FYNT_SCALAR                \
						      ? fy_node_get_scalar0(k)                       \
						      : "?";                                         \
			     ks; ks = NULL)

static enum cg_err unknown(struct parse *p, struct fy_node *k, const char *where, const char *ks)
{
	char field[160];
	snprintf(field, sizeof field, "%s%s%s", where, where[0] ? "." : "", ks ? ks : "?");
	return bad(p, k, field, _("unknown key"));
}

static enum cg_err parse_listener(struct parse *p, struct fy_node *item, struct daemon_listener *l)
{
	enum cg_err rc = CG_OK;
	unsigned long long x;
	int e;
	l->max_message = 65536;
	FOR_PAIRS(p, item, "listeners[]", k, ks, v)
	{
		if (!strcmp(ks, "name"))
			rc = text(p, k, v, "listeners.name", &l->name);
		else if (!strcmp(ks, "proto")) {
			if (!(rc = pick(p, k, v, "listeners.proto", proto_words, &e)) && e == 0)
				rc = bad(p, k, "listeners.proto", _("must be one of: udp tcp tls"));
			l->proto = (enum daemon_proto)e;
		} else if (!strcmp(ks, "format")) {
			rc = pick(p, k, v, "listeners.format", format_words, &e);
			l->format = (enum daemon_format)e;
		} else if (!strcmp(ks, "address"))
			rc = text(p, k, v, "listeners.address", &l->address);
		else if (!strcmp(ks, "port")) {
			rc = number(p, k, v, "listeners.port", 0, 65535, &x);
			l->port = (unsigned)x;
		} else if (!strcmp(ks, "max_message")) {
			rc = number(p, k, v, "listeners.max_message", 480, (size_t)1 << 20, &x);
			l->max_message = (size_t)x;
		} else if (!strcmp(ks, "tls_cert"))
			rc = path(p, k, v, "listeners.tls_cert", &l->tls_cert);
		else if (!strcmp(ks, "tls_key"))
			rc = path(p, k, v, "listeners.tls_key", &l->tls_key);
		else if (!strcmp(ks, "tls_ca"))
			rc = path(p, k, v, "listeners.tls_ca", &l->tls_ca);
		else if (!strcmp(ks, "verify_client"))
			rc = boolean(p, k, v, "listeners.verify_client", &l->tls_verify_client);
		else
			rc = unknown(p, k, "listeners", ks);
		if (rc)
			return rc;
	}
	if (!l->name)
		return bad(p, item, "listeners.name", _("missing"));
	if (!l->proto)
		return bad(p, item, "listeners.proto", _("missing (udp, tcp or tls)"));
	if (!l->address && !(l->address = strdup("127.0.0.1")))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if (l->proto == DAEMON_TLS && (!l->tls_cert || !l->tls_key))
		return bad(p, item, "listeners.tls_cert", _("a TLS listener needs tls_cert and tls_key"));
	if (l->proto != DAEMON_TLS && (l->tls_cert || l->tls_key || l->tls_ca || l->tls_verify_client))
		return bad(p, item, "listeners.tls_cert", _("TLS settings on a listener that is not TLS"));
	if (l->tls_verify_client && !l->tls_ca)
		return bad(p, item, "listeners.verify_client", _("checking client certificates needs tls_ca"));
	return CG_OK;
}

static enum cg_err parse_file(struct parse *p, struct fy_node *item, struct daemon_file *f)
{
	enum cg_err rc = CG_OK;
	unsigned long long x;
	int e;
	f->max_message = 65536;
	FOR_PAIRS(p, item, "files[]", k, ks, v)
	{
		if (!strcmp(ks, "name"))
			rc = text(p, k, v, "files.name", &f->name);
		else if (!strcmp(ks, "path"))
			rc = path(p, k, v, "files.path", &f->path);
		else if (!strcmp(ks, "format")) {
			rc = pick(p, k, v, "files.format", format_words, &e);
			f->format = (enum daemon_format)e;
		} else if (!strcmp(ks, "max_message")) {
			rc = number(p, k, v, "files.max_message", 480, (size_t)1 << 20, &x);
			f->max_message = (size_t)x;
		} else if (!strcmp(ks, "from")) {
			static const char *const from_words[] = {"start", "end", NULL};
			rc = pick(p, k, v, "files.from", from_words, &f->from_end);
		} else
			rc = unknown(p, k, "files", ks);
		if (rc)
			return rc;
	}
	if (!f->path)
		return bad(p, item, "files.path", _("missing"));
	if (!f->name && !(f->name = strdup(f->path)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	return CG_OK;
}

static enum cg_err parse_upstream(struct parse *p, struct fy_node *item, struct daemon_upstream *u)
{
	enum cg_err rc = CG_OK;
	unsigned long long x;
	int e;
	u->batch = 500;
	u->retry_max_s = 60;
	FOR_PAIRS(p, item, "forward.upstreams[]", k, ks, v)
	{
		if (!strcmp(ks, "name"))
			rc = text(p, k, v, "forward.upstreams.name", &u->name);
		else if (!strcmp(ks, "kind")) {
			if (!(rc = pick(p, k, v, "forward.upstreams.kind", up_words, &e)) && e == 0)
				rc = bad(p, k, "forward.upstreams.kind", _("must be one of: syslog-tcp syslog-tls http-json"));
			u->kind = (enum daemon_upstream_kind)e;
		} else if (!strcmp(ks, "address"))
			rc = text(p, k, v, "forward.upstreams.address", &u->address);
		else if (!strcmp(ks, "port")) {
			rc = number(p, k, v, "forward.upstreams.port", 1, 65535, &x);
			u->port = (unsigned)x;
		} else if (!strcmp(ks, "url"))
			rc = text(p, k, v, "forward.upstreams.url", &u->url);
		else if (!strcmp(ks, "tls_ca"))
			rc = path(p, k, v, "forward.upstreams.tls_ca", &u->tls_ca);
		else if (!strcmp(ks, "tls_cert"))
			rc = path(p, k, v, "forward.upstreams.tls_cert", &u->tls_cert);
		else if (!strcmp(ks, "tls_key"))
			rc = path(p, k, v, "forward.upstreams.tls_key", &u->tls_key);
		else if (!strcmp(ks, "batch")) {
			rc = number(p, k, v, "forward.upstreams.batch", 1, 100000, &x);
			u->batch = (unsigned)x;
		} else if (!strcmp(ks, "retry_max")) {
			rc = number(p, k, v, "forward.upstreams.retry_max", 1, 3600, &x);
			u->retry_max_s = (unsigned)x;
		} else
			rc = unknown(p, k, "forward.upstreams", ks);
		if (rc)
			return rc;
	}
	if (!u->kind)
		return bad(p, item, "forward.upstreams.kind", _("missing (syslog-tcp, syslog-tls or http-json)"));
	if (!u->name && !(u->name = strdup(up_words[u->kind])))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	/* Each upstream keeps a cursor of its name in the disk queue, beside
	 * detection's. */
	if (!strcmp(u->name, "detect"))
		return bad(p, item, "forward.upstreams.name", _("'detect' is the name of detection's cursor; choose another"));
	for (const struct daemon_upstream *o = p->c->upstreams; o < u; o++)
		if (o->name && !strcmp(o->name, u->name))
			return bad(p, item, "forward.upstreams.name", _("two upstreams have the same name"));
	if (u->kind == DAEMON_UP_HTTP_JSON && !u->url)
		return bad(p, item, "forward.upstreams.url", _("an http-json upstream needs url"));
	if (u->kind != DAEMON_UP_HTTP_JSON && (!u->address || !u->port))
		return bad(p, item, "forward.upstreams.address", _("a syslog upstream needs address and port"));
	return CG_OK;
}

static enum cg_err parse_detect(struct parse *p, struct fy_node *n)
{
	struct daemon_config *c = p->c;
	enum cg_err rc = CG_OK;
	unsigned long long x;
	FOR_PAIRS(p, n, "detect", k, ks, v)
	{
		if (!strcmp(ks, "sigma")) {
			if (v && fy_node_get_type(v) == FYNT_SCALAR) {
				c->n_sigma = 0;
				rc = path(p, k, v, "detect.sigma", &c->sigma[c->n_sigma]);
				c->n_sigma += !rc;
			} else if (v && fy_node_get_type(v) == FYNT_SEQUENCE) {
				void *it = NULL;
				struct fy_node *item;
				while (!rc && (item = fy_node_sequence_iterate(v, &it))) {
					if (c->n_sigma == DAEMON_MAX_SIGMA)
						return bad(p, item, "detect.sigma", _("too many entries"));
					rc = path(p, item, item, "detect.sigma", &c->sigma[c->n_sigma]);
					c->n_sigma += !rc;
				}
			} else
				rc = bad(p, k, "detect.sigma", _("must be a path or a list of paths"));
		} else if (!strcmp(ks, "thresholds"))
			rc = path(p, k, v, "detect.thresholds", &c->thresholds);
		else if (!strcmp(ks, "hunt_special"))
			rc = boolean(p, k, v, "detect.hunt_special", &c->hunt_special);
		else if (!strcmp(ks, "intel_poll")) {
			rc = number(p, k, v, "detect.intel_poll", 0, 86400, &x);
			c->intel_poll_s = (unsigned)x;
		} else if (!strcmp(ks, "alert_flush_ms")) {
			rc = number(p, k, v, "detect.alert_flush_ms", 10, 60000, &x);
			c->alert_flush_ms = (unsigned)x;
		} else if (!strcmp(ks, "alert_window")) {
			rc = number(p, k, v, "detect.alert_window", 0, 30u * 86400, &x);
			c->alert_window_s = (unsigned)x;
		} else if (!strcmp(ks, "alert_events_max")) {
			rc = number(p, k, v, "detect.alert_events_max", 0, 1000000, &x);
			c->alert_events_max = (unsigned)x;
		} else
			rc = unknown(p, k, "detect", ks);
		if (rc)
			return rc;
	}
	return CG_OK;
}

static enum cg_err parse_metrics(struct parse *p, struct fy_node *n)
{
	struct daemon_config *c = p->c;
	enum cg_err rc = CG_OK;
	unsigned long long x;
	c->metrics_on = 1;
	FOR_PAIRS(p, n, "metrics", k, ks, v)
	{
		if (!strcmp(ks, "address"))
			rc = text(p, k, v, "metrics.address", &c->metrics_address);
		else if (!strcmp(ks, "port")) {
			rc = number(p, k, v, "metrics.port", 0, 65535, &x);
			c->metrics_port = (unsigned)x;
		} else if (!strcmp(ks, "enabled"))
			rc = boolean(p, k, v, "metrics.enabled", &c->metrics_on);
		else
			rc = unknown(p, k, "metrics", ks);
		if (rc)
			return rc;
	}
	return CG_OK;
}

static enum cg_err parse_forward(struct parse *p, struct fy_node *n)
{
	struct daemon_config *c = p->c;
	enum cg_err rc = CG_OK;
	unsigned long long x;
	FOR_PAIRS(p, n, "forward", k, ks, v)
	{
		if (!strcmp(ks, "queue_dir"))
			rc = path(p, k, v, "forward.queue_dir", &c->forward_dir);
		else if (!strcmp(ks, "max_bytes")) {
			rc = number(p, k, v, "forward.max_bytes", (size_t)1 << 20, (unsigned long long)1 << 44, &x);
			c->forward_max_bytes = (size_t)x;
		} else if (!strcmp(ks, "alarm_percent")) {
			rc = number(p, k, v, "forward.alarm_percent", 1, 100, &x);
			c->forward_alarm_pct = (unsigned)x;
		} else if (!strcmp(ks, "events"))
			rc = boolean(p, k, v, "forward.events", &c->forward_events);
		else if (!strcmp(ks, "alerts"))
			rc = boolean(p, k, v, "forward.alerts", &c->forward_alerts);
		else if (!strcmp(ks, "fsync"))
			rc = boolean(p, k, v, "forward.fsync", &c->forward_fsync);
		else if (!strcmp(ks, "upstreams")) {
			if (!v || fy_node_get_type(v) != FYNT_SEQUENCE)
				return bad(p, k, "forward.upstreams", _("must be a list"));
			void *it = NULL;
			struct fy_node *item;
			while ((item = fy_node_sequence_iterate(v, &it))) {
				if (c->n_upstreams == DAEMON_MAX_UPSTREAMS)
					return bad(p, item, "forward.upstreams", _("too many entries"));
				if ((rc = parse_upstream(p, item, &c->upstreams[c->n_upstreams++])))
					return rc;
			}
		} else
			rc = unknown(p, k, "forward", ks);
		if (rc)
			return rc;
	}
	return CG_OK;
}

static enum cg_err parse_root(struct parse *p, struct fy_node *root)
{
	struct daemon_config *c = p->c;
	enum cg_err rc = CG_OK;
	unsigned long long x;
	int e;
	FOR_PAIRS(p, root, "(top)", k, ks, v)
	{
		if (!strcmp(ks, "database"))
			rc = path(p, k, v, "database", &c->database);
		else if (!strcmp(ks, "user"))
			rc = text(p, k, v, "user", &c->user);
		else if (!strcmp(ks, "group"))
			rc = text(p, k, v, "group", &c->group);
		else if (!strcmp(ks, "pid_file"))
			rc = path(p, k, v, "pid_file", &c->pid_file);
		else if (!strcmp(ks, "state_dir"))
			rc = path(p, k, v, "state_dir", &c->state_dir);
		else if (!strcmp(ks, "workers")) {
			rc = number(p, k, v, "workers", 0, DAEMON_MAX_WORKERS, &x);
			c->workers = (unsigned)x;
		} else if (!strcmp(ks, "queue_bytes")) {
			rc = number(p, k, v, "queue_bytes", (size_t)1 << 20, (size_t)1 << 32, &x);
			c->queue_bytes = (size_t)x;
		} else if (!strcmp(ks, "log_format")) {
			rc = pick(p, k, v, "log_format", log_words, &e);
			c->log_format = (enum daemon_log_format)e;
		} else if (!strcmp(ks, "log_events"))
			rc = boolean(p, k, v, "log_events", &c->log_events);
		else if (!strcmp(ks, "listeners") || !strcmp(ks, "files")) {
			int lst = ks[0] == 'l';
			if (!v || fy_node_get_type(v) != FYNT_SEQUENCE)
				return bad(p, k, ks, _("must be a list"));
			void *it = NULL;
			struct fy_node *item;
			while ((item = fy_node_sequence_iterate(v, &it))) {
				if (lst && c->n_listeners == DAEMON_MAX_LISTENERS)
					return bad(p, item, ks, _("too many entries"));
				if (!lst && c->n_files == DAEMON_MAX_FILES)
					return bad(p, item, ks, _("too many entries"));
				rc = lst ? parse_listener(p, item, &c->listeners[c->n_listeners++])
					 : parse_file(p, item, &c->files[c->n_files++]);
				if (rc)
					return rc;
			}
		} else if (!strcmp(ks, "detect"))
			rc = parse_detect(p, v);
		else if (!strcmp(ks, "metrics"))
			rc = parse_metrics(p, v);
		else if (!strcmp(ks, "forward"))
			rc = parse_forward(p, v);
		else if (!strcmp(ks, "duty")) {
			FOR_PAIRS(p, v, "duty", k2, ks2, v2)
			{
				if (!strcmp(ks2, "roster"))
					rc = path(p, k2, v2, "duty.roster", &c->duty_roster);
				else
					rc = unknown(p, k2, "duty", ks2);
				if (rc)
					return rc;
			}
		} else if (!strcmp(ks, "agents")) {
			FOR_PAIRS(p, v, "agents", k3, ks3, v3)
			{
				if (!strcmp(ks3, "listen"))
					rc = text(p, k3, v3, "agents.listen", &c->agents_listen);
				else if (!strcmp(ks3, "ca_dir"))
					rc = path(p, k3, v3, "agents.ca_dir", &c->agents_ca_dir);
				else if (!strcmp(ks3, "evidence_dir"))
					rc = path(p, k3, v3, "agents.evidence_dir", &c->agents_evidence_dir);
				else if (!strcmp(ks3, "max_connections")) {
					rc = number(p, k3, v3, "agents.max_connections", 1, 4096, &x);
					c->agents_max_conns = (unsigned)x;
				} else
					rc = unknown(p, k3, "agents", ks3);
				if (rc)
					return rc;
			}
			if (!c->agents_listen && !(c->agents_listen = strdup("0.0.0.0:7443")))
				return cg_err_set(CG_ENOMEM, _("out of memory"));
		} else
			rc = unknown(p, k, "", ks);
		if (rc)
			return rc;
	}
	if (!c->database)
		return bad(p, root, "database", _("missing (the SQLite file canhgac uses)"));
	if (c->n_listeners == 0 && c->n_files == 0)
		return bad(p, root, "listeners", _("no listener and no file: nothing to collect"));
	for (size_t i = 0; i < c->n_listeners; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(c->listeners[i].name, c->listeners[j].name))
				return bad(p, root, "listeners.name", _("two listeners have the same name"));
	if (c->n_upstreams && !c->forward_dir && !c->state_dir)
		return bad(p, root, "forward.queue_dir", _("forwarding needs forward.queue_dir or state_dir"));
	if (c->metrics_on && !c->metrics_address && !(c->metrics_address = strdup("127.0.0.1")))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	return CG_OK;
}

enum cg_err daemon_config_parse(const char *file, const char *buf, size_t len, struct daemon_config **out)
{
	*out = NULL;
	if (len > DAEMON_CONFIG_MAX_BYTES)
		return cg_err_set(CG_ELIMIT, _("%s: configuration larger than %zu bytes"), file,
				  DAEMON_CONFIG_MAX_BYTES);
	struct daemon_config *c = calloc(1, sizeof *c);
	struct parse p = {.file = file, .c = c};
	if (!c || !(c->path = strdup(file)) || !(p.dir = strdup(file))) {
		daemon_config_free(c);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	char *slash = strrchr(p.dir, '/');
	if (slash)
		*(slash == p.dir ? slash + 1 : slash) = '\0';
	else
		p.dir[0] = '\0';
	c->queue_bytes = (size_t)16 << 20;
	c->intel_poll_s = 5;
	c->alert_flush_ms = 200;
	c->alert_window_s = 3600;
	c->alert_events_max = 1000;
	c->forward_max_bytes = (size_t)1 << 30;
	c->forward_alarm_pct = 80;
	c->forward_events = 1;
	c->forward_alerts = 1;
	c->metrics_port = 9514;

	enum cg_err rc;
	struct fy_document *fyd = cg_yaml_load(file, buf, len);
	if (!fyd)
		rc = CG_EPARSE;
	else
		rc = parse_root(&p, fy_document_root(fyd));
	fy_document_destroy(fyd);
	free(p.dir);
	if (rc) {
		daemon_config_free(c);
		return rc;
	}
	*out = c;
	return CG_OK;
}

enum cg_err daemon_config_load(const char *file, struct daemon_config **out)
{
	char *buf = NULL;
	size_t len = 0;
	*out = NULL;
	enum cg_err rc = cg_file_read(file, DAEMON_CONFIG_MAX_BYTES, &buf, &len);
	if (rc)
		return rc;
	rc = daemon_config_parse(file, buf, len, out);
	free(buf);
	return rc;
}

void daemon_config_free(struct daemon_config *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->database);
	free(c->user);
	free(c->group);
	free(c->pid_file);
	free(c->state_dir);
	for (size_t i = 0; i < c->n_listeners; i++) {
		struct daemon_listener *l = &c->listeners[i];
		free(l->name);
		free(l->address);
		free(l->tls_cert);
		free(l->tls_key);
		free(l->tls_ca);
	}
	for (size_t i = 0; i < c->n_files; i++) {
		free(c->files[i].name);
		free(c->files[i].path);
	}
	for (size_t i = 0; i < c->n_sigma; i++)
		free(c->sigma[i]);
	free(c->thresholds);
	free(c->metrics_address);
	free(c->forward_dir);
	for (size_t i = 0; i < c->n_upstreams; i++) {
		struct daemon_upstream *u = &c->upstreams[i];
		free(u->name);
		free(u->address);
		free(u->url);
		free(u->tls_ca);
		free(u->tls_cert);
		free(u->tls_key);
	}
	free(c->duty_roster);
	free(c->agents_listen);
	free(c->agents_ca_dir);
	free(c->agents_evidence_dir);
	free(c);
}
