/* feed_lines — the one-entry-a-line formats: plain lists (incl. LOKI
 * "HASH;COMMENT"), Spamhaus DROP/DROPv6/EDROP, FireHOL netsets, hosts files
 * and DNS RPZ zones. */
#include <jansson.h>
#include <string.h>
#include <strings.h>

#include "cg_i18n.h"
#include "feed_internal.h"

struct line_state {
	struct feed_run *run;
	enum feed_format format;
	size_t line;
	char origin[256]; /* RPZ $ORIGIN without its final dot, "" if none */
	int paren;        /* RPZ: inside a multi-line "( ... )" record */
	char family[FEED_FAMILY_MAX + 1];
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Next blank-separated token of line[0..n) from *pos; 0 when none. */
static int next_token(const char *line, size_t n, size_t *pos, const char **tok, size_t *tl)
{
	size_t i = *pos;

	while (i < n && is_blank(line[i]))
		i++;
	if (i >= n)
		return 0;
	*tok = line + i;
	while (i < n && !is_blank(line[i]))
		i++;
	*tl = (size_t)(line + i - *tok);
	*pos = i;
	return 1;
}

static const char *default_family(const struct line_state *st)
{
	return st->run->opts->default_family;
}

static enum cg_err emit_one(struct line_state *st, const struct ioc *ioc, const char *family, const char *extra)
{
	struct feed_record r = {.line = st->line, .family = family ? family : default_family(st), .extra = extra};

	r.ioc = *ioc;
	return feed_emit(st->run, &r);
}

/* Plain, Spamhaus and FireHOL: "VALUE", "VALUE ; comment", "VALUE # comment",
 * "VALUE;COMMENT" (LOKI). */
static enum cg_err plain_line(struct line_state *st, const char *line, size_t n)
{
	struct ioc ioc;
	size_t vl = 0, rest;
	enum cg_err rc;
	const char *family = NULL;
	char *extra = NULL;

	/* A URL keeps its ';' and ',' (query strings); other values end at ';', ','
	 * (headerless "ip,family" lists) or a blank. */
	while (vl < n && !is_blank(line[vl]) && line[vl] != ';' && line[vl] != ',')
		vl++;
	if (vl < n && (line[vl] == ';' || line[vl] == ',') && memmem(line, vl, "://", 3))
		while (vl < n && !is_blank(line[vl]))
			vl++;
	rest = vl;
	while (rest < n && (is_blank(line[rest]) || line[rest] == ';' || line[rest] == ',' || line[rest] == '#'))
		rest++;
	if (ioc_parse(line, vl, IOC_NONE, &ioc) != CG_OK)
		return feed_bad(st->run, st->line, "%s", cg_err_msg(CG_EPARSE));
	if ((st->format == FEED_SPAMHAUS || st->format == FEED_FIREHOL) && !ioc_type_is_net(ioc.type))
		return feed_bad(st->run, st->line, _("'%.*s' is not an IP address or CIDR"), (int)(vl > 80 ? 80 : vl),
				line);
	if (rest < n) {
		if (st->format == FEED_SPAMHAUS) {
			json_t *o = json_object();
			char ref[64];
			if (o && feed_copy_text(line + rest, n - rest, ref, sizeof ref))
				json_object_set_new(o, "sbl", json_string(ref));
			extra = o ? json_dumps(o, JSON_COMPACT) : NULL;
			json_decref(o);
		} else {
			family = feed_copy_text(line + rest, n - rest, st->family, sizeof st->family);
		}
	}
	rc = emit_one(st, &ioc, family, extra);
	free(extra);
	if (!rc)
		feed_entry_done(st->run);
	return rc;
}

static int localhost_name(const char *s, size_t n)
{
	static const char *const names[] = {"localhost", "localhost.localdomain", "local", "broadcasthost",
					    "ip6-localhost", "ip6-loopback", "ip6-localnet", "ip6-mcastprefix",
					    "ip6-allnodes", "ip6-allrouters", "ip6-allhosts", "0.0.0.0"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i]) == n && strncasecmp(s, names[i], n) == 0)
			return 1;
	return 0;
}

#define HOSTS_NAMES_MAX 32

/* "ADDRESS name [alias...] [# comment]": every name is a domain indicator. */
static enum cg_err hosts_line(struct line_state *st, const char *line, size_t n)
{
	struct ioc addr, names[HOSTS_NAMES_MAX];
	size_t pos = 0, tl, n_names = 0, n_local = 0;
	const char *tok;
	enum cg_err rc;

	if (!next_token(line, n, &pos, &tok, &tl))
		return CG_OK;
	if (ioc_parse(tok, tl, IOC_NONE, &addr) != CG_OK || (addr.type != IOC_IPV4 && addr.type != IOC_IPV6))
		return feed_bad(st->run, st->line, _("'%.*s' is not an IP address"), (int)(tl > 80 ? 80 : tl), tok);
	while (next_token(line, n, &pos, &tok, &tl) && tok[0] != '#') {
		if (localhost_name(tok, tl)) {
			n_local++;
			continue;
		}
		if (n_names == HOSTS_NAMES_MAX)
			return feed_bad(st->run, st->line, _("more than %d names on one line"), HOSTS_NAMES_MAX);
		if (ioc_parse(tok, tl, IOC_DOMAIN, &names[n_names]) != CG_OK)
			return feed_bad(st->run, st->line, _("name %zu: %s"), n_names + n_local + 1,
					cg_err_msg(CG_EPARSE));
		n_names++;
	}
	if (n_names == 0) {
		if (n_local)
			return feed_skip(st->run, st->line, _("'%.*s' is a local host entry, not an indicator"),
					 (int)(n > 80 ? 80 : n), line);
		return feed_bad(st->run, st->line, _("address without a host name"));
	}
	for (size_t i = 0; i < n_names; i++)
		if ((rc = emit_one(st, &names[i], NULL, NULL)))
			return rc;
	feed_entry_done(st->run);
	return CG_OK;
}

/* A name of the zone as a domain: relative names are as written, absolute
 * ones lose the zone origin. */
static size_t rpz_owner(const struct line_state *st, const char *tok, size_t tl)
{
	size_t ol = strlen(st->origin);

	if (tl && tok[tl - 1] == '.') {
		tl--;
		if (ol && tl > ol + 1 && tok[tl - ol - 1] == '.' && strncasecmp(tok + tl - ol, st->origin, ol) == 0)
			tl -= ol + 1;
	}
	return tl;
}

static enum cg_err rpz_line(struct line_state *st, const char *line, size_t n)
{
	const char *owner = line, *tok = line;
	size_t pos = 0, ol = 0, tl = 0;
	struct ioc ioc;
	enum cg_err rc;

	for (size_t i = 0; i < n; i++) {
		if (line[i] == ';')
			n = i; /* comment to the end of the line */
		else if (line[i] == '(')
			st->paren = 1;
		else if (line[i] == ')')
			st->paren = 0;
	}
	/* Zone housekeeping (directives, SOA, NS, continuation lines) is not policy. */
	if (is_blank(line[0]) || line[0] == '$' || line[0] == '@' || memchr(line, '(', n) || memchr(line, ')', n)) {
		if (line[0] == '$' && n > 8 && strncasecmp(line, "$ORIGIN", 7) == 0) {
			size_t p = 7;
			if (next_token(line, n, &p, &tok, &tl)) {
				if (tl && tok[tl - 1] == '.')
					tl--;
				feed_copy_text(tok, tl < sizeof st->origin ? tl : 0, st->origin, sizeof st->origin);
			}
		}
		st->run->counts->comments++;
		return CG_OK;
	}
	int got;

	next_token(line, n, &pos, &owner, &ol);
	/* owner [ttl] [class] type rdata */
	while ((got = next_token(line, n, &pos, &tok, &tl)))
		if (!((tok[0] >= '0' && tok[0] <= '9') || (tl == 2 && strncasecmp(tok, "IN", 2) == 0)))
			break;
	if (!got)
		return feed_bad(st->run, st->line, _("'%.*s': record without a type"), (int)(ol > 80 ? 80 : ol), owner);
	if ((tl == 3 && strncasecmp(tok, "SOA", 3) == 0) || (tl == 2 && strncasecmp(tok, "NS", 2) == 0)) {
		st->run->counts->comments++;
		return CG_OK;
	}
	const char *type = tok;
	size_t typel = tl;
	if (typel == 5 && strncasecmp(type, "CNAME", 5) == 0 && next_token(line, n, &pos, &tok, &tl) &&
	    ((tl >= 12 && strncasecmp(tok, "rpz-passthru", 12) == 0)))
		return feed_skip(st->run, st->line, _("'%.*s' is an allow (passthru) rule"), (int)(ol > 80 ? 80 : ol),
				 owner);
	ol = rpz_owner(st, owner, ol);
	if (ol > 7 && (memmem(owner, ol, ".rpz-ip", 7) || memmem(owner, ol, ".rpz-nsip", 9) ||
		       memmem(owner, ol, ".rpz-nsdname", 12) || memmem(owner, ol, ".rpz-client-ip", 14)))
		return feed_skip(st->run, st->line, _("'%.*s': RPZ address and name-server triggers are not supported"),
				 (int)(ol > 80 ? 80 : ol), owner);
	if (ioc_parse(owner, ol, IOC_DOMAIN, &ioc) != CG_OK)
		return feed_bad(st->run, st->line, "%s", cg_err_msg(CG_EPARSE));
	if ((rc = emit_one(st, &ioc, NULL, NULL)))
		return rc;
	feed_entry_done(st->run);
	return CG_OK;
}

static enum cg_err one_line(struct line_state *st, const char *line, size_t n)
{
	size_t i = 0;

	while (n && is_blank(line[n - 1]))
		n--;
	if (st->format == FEED_RPZ) {
		if (n == 0 || line[0] == ';' || (st->paren && !memchr(line, ')', n))) {
			st->run->counts->comments++;
			return CG_OK;
		}
		return rpz_line(st, line, n);
	}
	while (i < n && is_blank(line[i]))
		i++;
	if (i == n || line[i] == '#' || line[i] == ';' || (n - i >= 2 && line[i] == '/' && line[i + 1] == '/')) {
		st->run->counts->comments++;
		return CG_OK;
	}
	if (st->format == FEED_HOSTS)
		return hosts_line(st, line + i, n - i);
	return plain_line(st, line + i, n - i);
}

enum cg_err feed_parse_lines(enum feed_format f, struct feed_run *run, const char *buf, size_t len)
{
	struct line_state st = {.run = run, .format = f};
	size_t pos = 0;
	enum cg_err rc;

	while (pos < len) {
		const char *line = buf + pos, *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		pos += n + 1;
		st.line++;
		run->counts->entries++;
		if (n > FEED_LINE_MAX)
			rc = feed_bad(run, st.line, _("line longer than %u bytes"), FEED_LINE_MAX);
		else if (memchr(line, '\0', n))
			rc = feed_bad(run, st.line, _("line contains a NUL byte (binary data?)"));
		else
			rc = one_line(&st, line, n);
		if (rc)
			return rc;
	}
	return CG_OK;
}
