#include "phish_extract.h"

#include <string.h>
#include <strings.h>

#include "extract.h"

static const char *const schemes[] = {"https://", "http://", "hxxps://", "hxxp://", "https[:]//", "http[:]//",
				      "hxxps[:]//", "hxxp[:]//", "ftp://", NULL};

static size_t scheme_at(const char *p, size_t left)
{
	for (const char *const *s = schemes; *s; s++) {
		size_t n = strlen(*s);
		if (left >= n && strncasecmp(p, *s, n) == 0)
			return n;
	}
	return 0;
}

static int url_end(unsigned char c)
{
	return c <= ' ' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`' || c == '{' || c == '}' ||
	       c == '|' || c == '\\' || c == '^' || c == 0x7f;
}

/* Copy a candidate, decoding the HTML entities that appear inside URLs. */
static size_t copy_url(const char *p, size_t n, int html, char *out, size_t cap)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 1 < cap; i++) {
		if (html && p[i] == '&') {
			static const char *const ents[] = {"&amp;", "&#38;", "&#x26;", NULL};
			size_t m = 0;
			for (const char *const *e = ents; *e && !m; e++)
				if (n - i >= strlen(*e) && strncasecmp(p + i, *e, strlen(*e)) == 0)
					m = strlen(*e);
			if (m) {
				out[k++] = '&';
				i += m - 1;
				continue;
			}
		}
		out[k++] = p[i];
	}
	out[k] = '\0';
	return k;
}

static enum cg_err emit_host(const struct ioc *url, const char *where, phish_ioc_fn fn, void *ctx)
{
	const char *h = strstr(url->value, "://");
	struct ioc host;
	size_t n;

	if (!h)
		return CG_OK;
	h += 3;
	n = strcspn(h, "/?#");
	/* userinfo@host:port */
	const char *at = memchr(h, '@', n);
	if (at) {
		n -= (size_t)(at + 1 - h);
		h = at + 1;
	}
	if (n && h[0] == '[') {
		const char *close = memchr(h, ']', n);
		if (!close)
			return CG_OK;
		if (ioc_parse(h + 1, (size_t)(close - h - 1), IOC_NONE, &host) == CG_OK)
			return fn(ctx, &host, where);
		return CG_OK;
	}
	const char *colon = memchr(h, ':', n);
	if (colon)
		n = (size_t)(colon - h);
	if (n && ioc_parse(h, n, IOC_NONE, &host) == CG_OK && (host.type == IOC_DOMAIN || host.type == IOC_IPV4))
		return fn(ctx, &host, where);
	return CG_OK;
}

enum cg_err phish_extract_urls(const char *buf, size_t len, int html, const char *where, phish_ioc_fn fn, void *ctx)
{
	char cand[IOC_VALUE_MAX + 1];
	struct ioc ioc;
	enum cg_err rc;

	for (size_t i = 0; i < len;) {
		size_t s = scheme_at(buf + i, len - i);
		if (!s || (i > 0 && ((buf[i - 1] >= 'a' && buf[i - 1] <= 'z') || (buf[i - 1] >= 'A' && buf[i - 1] <= 'Z')))) {
			i++;
			continue;
		}
		size_t j = i + s;
		while (j < len && j - i < IOC_VALUE_MAX && !url_end((unsigned char)buf[j]))
			j++;
		/* Trailing punctuation belongs to the sentence, not the URL. */
		while (j > i + s && strchr(".,;:!?)]", buf[j - 1])) {
			if (buf[j - 1] == ']' && j - i >= 3 && (buf[j - 2] == '.' || buf[j - 2] == ':') && buf[j - 3] == '[')
				break;
			j--;
		}
		size_t n = copy_url(buf + i, j - i, html, cand, sizeof cand);
		if (n > s && ioc_parse(cand, n, IOC_URL, &ioc) == CG_OK) {
			if ((rc = fn(ctx, &ioc, where)) || (rc = emit_host(&ioc, where, fn, ctx)))
				return rc;
		}
		i = j > i ? j : i + 1;
	}
	return CG_OK;
}

struct recv_ctx {
	const char *s;
	const char *where;
	phish_ioc_fn fn;
	void *ctx;
	enum cg_err rc;
};

static int recv_token(void *ctx, const struct extract_token *t)
{
	struct recv_ctx *c = ctx;
	struct ioc ioc;

	if (ioc_parse(c->s + t->off, t->len, IOC_NONE, &ioc) != CG_OK)
		return 0;
	c->rc = c->fn(c->ctx, &ioc, c->where);
	return c->rc != CG_OK;
}

enum cg_err phish_extract_received(const char *s, size_t len, const char *where, phish_ioc_fn fn, void *ctx)
{
	struct recv_ctx c = {s, where, fn, ctx, CG_OK};
	struct ioc ioc;

	extract_line(s, len, EXTRACT_IPV4 | EXTRACT_IPV6, recv_token, &c);
	if (c.rc)
		return c.rc;
	/* "from HOST (...)": the name the sending side gave. */
	size_t i = 0;
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	if (len - i > 5 && strncasecmp(s + i, "from", 4) == 0 && (s[i + 4] == ' ' || s[i + 4] == '\t')) {
		size_t b = i + 5, e;
		while (b < len && (s[b] == ' ' || s[b] == '\t'))
			b++;
		e = b;
		while (e < len && s[e] != ' ' && s[e] != '\t' && s[e] != '\r' && s[e] != '\n' && s[e] != '(' && s[e] != ';')
			e++;
		if (e > b && s[b] != '[' && ioc_parse(s + b, e - b, IOC_DOMAIN, &ioc) == CG_OK)
			return fn(ctx, &ioc, where);
	}
	return CG_OK;
}

enum cg_err phish_mail_domain(const char *addr, struct ioc *out)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;
	size_t n;

	if (!at)
		return cg_err_set(CG_EPARSE, "'%s' is not an e-mail address", addr ? addr : "");
	n = strcspn(at + 1, ">");
	return ioc_parse(at + 1, n, IOC_DOMAIN, out);
}
