/* Apache/nginx access logs: the Common Log Format and the Combined one
 * (Apache's LogFormat "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\"
 * \"%{User-agent}i\"", nginx's default "combined"), also with a leading
 * virtual host ("%v" or "%v:%p", Apache's vhost_combined) →
 * src_ip (or src_host when %h is a name), user, http_method, url,
 * http_version, status, bytes, referer, user_agent, vhost, and the request
 * time as the event time when the message had none. Quoted strings are
 * kept as the server wrote them (Apache escapes '"' and '\' with a
 * backslash and non-printable bytes as \xhh). "-" means absent. */
#include <string.h>

#include "cg_event_int.h"
#include "event_extract.h"

struct span {
	const char *p;
	size_t n;
};

static int is_dash(struct span s)
{
	return s.n == 1 && s.p[0] == '-';
}

static int is_num(struct span s)
{
	if (!s.n || s.n > 20)
		return 0;
	for (size_t i = 0; i < s.n; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return 0;
	return 1;
}

/* A quoted field at s[*i] (backslash escapes honoured), or a bare token. */
static struct span field(const char *s, size_t n, size_t *i)
{
	struct span f = {s + *i, 0};
	while (*i < n && s[*i] == ' ')
		(*i)++;
	f.p = s + *i;
	if (*i < n && s[*i] == '"') {
		size_t k = ++(*i);
		while (*i < n && s[*i] != '"') {
			if (s[*i] == '\\' && *i + 1 < n)
				(*i)++;
			(*i)++;
		}
		f.p = s + k;
		f.n = *i - k;
		if (*i < n)
			(*i)++;
		return f;
	}
	size_t k = *i;
	while (*i < n && s[*i] != ' ')
		(*i)++;
	f.p = s + k;
	f.n = *i - k;
	return f;
}

static enum cg_err add_span(struct cg_event *ev, const char *name, struct span s)
{
	if (!s.n || is_dash(s))
		return CG_OK;
	return cg_extract_add(ev, name, s.p, s.n);
}

enum cg_err cg_extract_access(struct cg_event *ev, const char *msg, size_t n)
{
	enum cg_err rc;
	const char *s = msg;

	/* Up to four tokens before "[time]": [vhost] host ident user. */
	const char *lb = NULL;
	struct span tok[4];
	size_t nt = 0, i = 0;
	while (i < n && nt < 5) {
		while (i < n && s[i] == ' ')
			i++;
		if (i < n && s[i] == '[') {
			lb = s + i;
			break;
		}
		if (nt == 4)
			return CG_OK;
		size_t k = i;
		while (i < n && s[i] != ' ')
			i++;
		tok[nt].p = s + k;
		tok[nt].n = i - k;
		nt++;
	}
	if (!lb || nt < 3)
		return CG_OK;
	const char *rb = memchr(lb, ']', (size_t)(s + n - lb));
	if (!rb)
		return CG_OK;
	size_t o = nt - 3; /* tok[o] is %h */
	struct span host = tok[o], user = tok[o + 2];
	i = (size_t)(rb - s) + 1;
	struct span req = field(s, n, &i);
	struct span status = field(s, n, &i);
	struct span bytes = field(s, n, &i);
	struct span ref = {0}, ua = {0};
	size_t save = i;
	while (i < n && s[i] == ' ')
		i++;
	if (i < n && s[i] == '"') {
		i = save;
		ref = field(s, n, &i);
		save = i;
		while (i < n && s[i] == ' ')
			i++;
		if (i < n && s[i] == '"') {
			i = save;
			ua = field(s, n, &i);
		}
	}
	if (!cg_extract_is_port(status.p, status.n) || status.n != 3)
		status.n = 0;

	if (o == 1 && (rc = add_span(ev, "vhost", tok[0])))
		return rc;
	if ((rc = add_span(ev, cg_extract_is_ip(host.p, host.n) ? "src_ip" : "src_host", host)))
		return rc;
	if ((rc = add_span(ev, "user", user)))
		return rc;
	/* "%r": METHOD SP URL SP PROTOCOL; anything else is kept whole. */
	if (req.n) {
		const char *sp1 = memchr(req.p, ' ', req.n);
		const char *sp2 = NULL;
		for (const char *q = req.p + req.n; sp1 && q-- > sp1;)
			if (*q == ' ') {
				sp2 = q;
				break;
			}
		if (sp1 && sp2 && sp2 > sp1 && cg_extract_prefix(sp2 + 1, (size_t)(req.p + req.n - sp2 - 1), "HTTP/")) {
			struct span m = {req.p, (size_t)(sp1 - req.p)};
			struct span u = {sp1 + 1, (size_t)(sp2 - sp1 - 1)};
			struct span v = {sp2 + 1, (size_t)(req.p + req.n - sp2 - 1)};
			if ((rc = add_span(ev, "http_method", m)) || (rc = add_span(ev, "url", u)) ||
			    (rc = add_span(ev, "http_version", v)))
				return rc;
		} else if (sp1 && !sp2) {
			/* "GET /path" (HTTP/0.9) */
		} else if (!is_dash(req) && (rc = add_span(ev, "request", req))) {
			return rc;
		}
		if (sp1 && !sp2) {
			struct span m = {req.p, (size_t)(sp1 - req.p)};
			struct span u = {sp1 + 1, (size_t)(req.p + req.n - sp1 - 1)};
			if ((rc = add_span(ev, "http_method", m)) || (rc = add_span(ev, "url", u)))
				return rc;
		}
	}
	if ((rc = add_span(ev, "status", status)))
		return rc;
	if (is_num(bytes) && (rc = add_span(ev, "bytes", bytes)))
		return rc;
	if ((rc = add_span(ev, "referer", ref)) || (rc = add_span(ev, "user_agent", ua)))
		return rc;
	if (!cg_event_has_time(ev))
		(void)cg_event_set_time_text(ev, lb + 1, (size_t)(rb - lb - 1), 0);
	return CG_OK;
}
