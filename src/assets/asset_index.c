#include "asset_index.h"

#include <stdlib.h>
#include <string.h>

#include "cg_i18n.h"
#include "extract.h"
#include "store_assets.h"
#include "syslog_parse.h"

/* An address key: family byte (4 or 6) then 16 address bytes. */
struct addr_ent {
	uint8_t key[17];
	size_t host; /* index into hosts[] */
};

struct name_ent {
	const char *name; /* lower case; borrowed from hosts[] */
	size_t host;      /* SIZE_MAX: ambiguous short name */
};

struct host_ent {
	int64_t id;
	char *name;
};

struct asset_index {
	struct host_ent *hosts;
	size_t n_hosts;
	struct addr_ent *addrs;
	size_t n_addrs;
	struct name_ent *names; /* full names and unambiguous first labels */
	size_t n_names;
	char *short_store; /* first labels, NUL-separated */
};

#define LOAD_HOSTS_MAX (1u << 22) /* a bound on what we hold, far above any inventory */

void asset_index_free(struct asset_index *idx)
{
	if (!idx)
		return;
	for (size_t i = 0; i < idx->n_hosts; i++)
		free(idx->hosts[i].name);
	free(idx->hosts);
	free(idx->addrs);
	free(idx->names);
	free(idx->short_store);
	free(idx);
}

size_t asset_index_count(const struct asset_index *idx)
{
	return idx ? idx->n_hosts : 0;
}

static int cmp_addr(const void *a, const void *b)
{
	return memcmp(((const struct addr_ent *)a)->key, ((const struct addr_ent *)b)->key, 17);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct name_ent *)a)->name, ((const struct name_ent *)b)->name);
}

static void *grow(void *p, size_t *cap, size_t elem)
{
	size_t n = *cap ? *cap * 2 : 64;
	void *q = realloc(p, n * elem);
	if (q)
		*cap = n;
	return q;
}

struct load {
	struct asset_index *idx;
	size_t cap_h, cap_a;
};

/* One inventory host and its addresses (from store_host_foreach). */
static enum cg_err on_host(void *ctx, const struct asset_host *ah)
{
	struct load *l = ctx;
	struct asset_index *idx = l->idx;

	if (idx->n_hosts == LOAD_HOSTS_MAX)
		return cg_err_set(CG_ELIMIT, _("more than %u hosts in the inventory"), LOAD_HOSTS_MAX);
	if (idx->n_hosts == l->cap_h) {
		void *p = grow(idx->hosts, &l->cap_h, sizeof *idx->hosts);
		if (!p)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		idx->hosts = p;
	}
	struct host_ent *h = &idx->hosts[idx->n_hosts];
	if (!(h->name = strdup(ah->name)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	for (char *c = h->name; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c + 32);
	h->id = ah->id;
	idx->n_hosts++;
	for (size_t i = 0; i < ah->n_addrs; i++) {
		const char *addr = ah->addrs[i];
		struct addr_ent e = {.host = idx->n_hosts - 1};
		size_t n = strlen(addr);
		if (ioc_parse_ipv4(addr, n, e.key + 1))
			e.key[0] = 4;
		else if (ioc_parse_ipv6(addr, n, e.key + 1))
			e.key[0] = 6;
		else
			continue;
		if (idx->n_addrs == l->cap_a) {
			void *p = grow(idx->addrs, &l->cap_a, sizeof *idx->addrs);
			if (!p)
				return cg_err_set(CG_ENOMEM, _("out of memory"));
			idx->addrs = p;
		}
		idx->addrs[idx->n_addrs++] = e;
	}
	return CG_OK;
}

static enum cg_err load_rows(struct cg_db *db, struct asset_index *idx)
{
	struct load l = {.idx = idx};

	return store_host_foreach(db, NULL, on_host, &l);
}

/* Full names, then first labels ("web01" of "web01.so-mau.example") that
 * belong to one host only, so short syslog host names still find the host. */
static enum cg_err build_names(struct asset_index *idx)
{
	size_t store_len = 0, o = 0, n = 0;

	for (size_t i = 0; i < idx->n_hosts; i++)
		store_len += strlen(idx->hosts[i].name) + 1;
	idx->names = calloc(idx->n_hosts * 2 + 1, sizeof *idx->names);
	idx->short_store = malloc(store_len + 1);
	if (!idx->names || !idx->short_store)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	for (size_t i = 0; i < idx->n_hosts; i++)
		idx->names[n++] = (struct name_ent){idx->hosts[i].name, i};
	for (size_t i = 0; i < idx->n_hosts; i++) {
		const char *dot = strchr(idx->hosts[i].name, '.');
		if (!dot || dot == idx->hosts[i].name)
			continue;
		size_t len = (size_t)(dot - idx->hosts[i].name);
		memcpy(idx->short_store + o, idx->hosts[i].name, len);
		idx->short_store[o + len] = '\0';
		idx->names[n++] = (struct name_ent){idx->short_store + o, i};
		o += len + 1;
	}
	qsort(idx->names, n, sizeof *idx->names, cmp_name);
	/* Collapse equal names: the same host twice is fine, two hosts is ambiguous.
	 * A full name always wins over someone else's short name. */
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		if (w && strcmp(idx->names[w - 1].name, idx->names[i].name) == 0) {
			struct name_ent *prev = &idx->names[w - 1];
			int prev_full = prev->host != SIZE_MAX && idx->hosts[prev->host].name == prev->name;
			int cur_full = idx->hosts[idx->names[i].host].name == idx->names[i].name;
			if (cur_full && !prev_full)
				*prev = idx->names[i];
			else if (!prev_full && !cur_full && prev->host != idx->names[i].host)
				prev->host = SIZE_MAX;
			continue;
		}
		idx->names[w++] = idx->names[i];
	}
	idx->n_names = w;
	return CG_OK;
}

enum cg_err asset_index_load(struct cg_db *db, struct asset_index **out)
{
	struct asset_index *idx;
	enum cg_err rc;

	*out = NULL;
	if (!(idx = calloc(1, sizeof *idx)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if (db && (rc = load_rows(db, idx)))
		goto fail;
	if ((rc = build_names(idx)))
		goto fail;
	if (idx->n_addrs)
		qsort(idx->addrs, idx->n_addrs, sizeof *idx->addrs, cmp_addr);
	*out = idx;
	return CG_OK;
fail:
	asset_index_free(idx);
	return rc;
}

static const struct host_ent *find_addr(const struct asset_index *idx, int v6, const uint8_t *addr)
{
	struct addr_ent key;
	const struct addr_ent *e;

	if (!idx->n_addrs)
		return NULL;
	memset(&key, 0, sizeof key);
	key.key[0] = v6 ? 6 : 4;
	memcpy(key.key + 1, addr, v6 ? 16 : 4);
	if (v6 && ioc_ipv6_is_v4mapped(addr)) {
		memset(key.key + 1, 0, 16);
		key.key[0] = 4;
		memcpy(key.key + 1, addr + 12, 4);
	}
	e = bsearch(&key, idx->addrs, idx->n_addrs, sizeof *idx->addrs, cmp_addr);
	return e ? &idx->hosts[e->host] : NULL;
}

static const struct host_ent *find_name(const struct asset_index *idx, const char *name)
{
	struct name_ent key = {.name = name};
	if (!idx->n_names)
		return NULL;
	const struct name_ent *e = bsearch(&key, idx->names, idx->n_names, sizeof *idx->names, cmp_name);
	return e && e->host != SIZE_MAX ? &idx->hosts[e->host] : NULL;
}

/* The HOSTNAME of an RFC 3164/5424 line (also Cisco ASA's
 * "Nov 06 2025 11:32:42 host : %ASA-..."), or 0 when the line has none. */
static size_t syslog_host(const char *s, size_t n, size_t *off)
{
	struct syslog_msg m;

	if (syslog_parse(s, n, NULL, &m) != CG_OK || !m.host.n || m.host.n > HOST_LABEL_NAME_MAX)
		return 0;
	/* Labels are names or addresses: the RFC 3164 host rule, also for 5424. */
	for (size_t k = 0; k < m.host.n; k++) {
		char c = m.host.p[k];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		      c == '.' || c == '_' || c == ':'))
			return 0;
	}
	*off = (size_t)(m.host.p - s);
	return m.host.n;
}

struct attr_ctx {
	const struct asset_index *idx;
	const struct ioc_set *listed;
	const struct host_ent *host;
	const struct extract_token *first_free;
	struct extract_token first_free_copy;
};

static int on_token(void *vctx, const struct extract_token *t)
{
	struct attr_ctx *c = vctx;
	int v6 = t->kind == EXTRACT_IPV6;

	if ((c->host = find_addr(c->idx, v6, t->addr)))
		return 1;
	if (!c->first_free && (!c->listed || !ioc_set_match_addr(c->listed, v6, t->addr))) {
		c->first_free_copy = *t;
		c->first_free = &c->first_free_copy;
	}
	return 0;
}

static void put_label(char *label, size_t label_n, const char *s, size_t n)
{
	if (!label || label_n == 0)
		return;
	if (n >= label_n)
		n = label_n - 1;
	memcpy(label, s, n);
	label[n] = '\0';
}

int64_t asset_index_attribute(const struct asset_index *idx, const struct ioc_set *listed, const char *line,
			      size_t len, char *label, size_t label_n)
{
	struct attr_ctx c = {.idx = idx, .listed = listed};
	char name[HOST_LABEL_NAME_MAX + 1];
	size_t off = 0, hn;

	put_label(label, label_n, "", 0);
	if (!line)
		return 0;
	if (idx && idx->n_addrs)
		extract_line(line, len, EXTRACT_IPV4 | EXTRACT_IPV6, on_token, &c);
	if (c.host) {
		put_label(label, label_n, c.host->name, strlen(c.host->name));
		return c.host->id;
	}
	hn = syslog_host(line, len, &off);
	if (hn) {
		for (size_t i = 0; i < hn; i++) {
			char ch = line[off + i];
			name[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
		}
		name[hn] = '\0';
		const struct host_ent *h = idx ? find_name(idx, name) : NULL;
		if (h) {
			put_label(label, label_n, h->name, strlen(h->name));
			return h->id;
		}
		put_label(label, label_n, name, hn);
		return 0;
	}
	if (!idx || !idx->n_addrs)
		extract_line(line, len, EXTRACT_IPV4 | EXTRACT_IPV6, on_token, &c);
	if (c.first_free) {
		char text[64];
		ioc_format_addr(c.first_free->kind == EXTRACT_IPV6, c.first_free->addr, text, sizeof text);
		put_label(label, label_n, text, strlen(text));
	}
	return 0;
}
