#include "ioc.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "cg_i18n.h"

static const char *const type_names[IOC_TYPE_COUNT] = {
	[IOC_NONE] = "none",     [IOC_IPV4] = "ipv4",   [IOC_IPV6] = "ipv6",
	[IOC_CIDR4] = "cidr4",   [IOC_CIDR6] = "cidr6", [IOC_DOMAIN] = "domain",
	[IOC_URL] = "url",       [IOC_MD5] = "md5",     [IOC_SHA1] = "sha1",
	[IOC_SHA256] = "sha256", [IOC_SHA512] = "sha512",
};

const char *ioc_type_name(enum ioc_type t)
{
	return (unsigned)t < IOC_TYPE_COUNT ? type_names[t] : "none";
}

enum ioc_type ioc_type_from_name(const char *name)
{
	for (int t = 1; t < IOC_TYPE_COUNT; t++)
		if (strcmp(name, type_names[t]) == 0)
			return (enum ioc_type)t;
	return IOC_NONE;
}

int ioc_type_is_net(enum ioc_type t)
{
	return t == IOC_IPV4 || t == IOC_IPV6 || t == IOC_CIDR4 || t == IOC_CIDR6;
}

int ioc_type_is_hash(enum ioc_type t)
{
	return t == IOC_MD5 || t == IOC_SHA1 || t == IOC_SHA256 || t == IOC_SHA512;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }

int ioc_parse_ipv4(const char *s, size_t n, uint8_t out[4])
{
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;
		if (part) {
			if (i >= n || s[i] != '.')
				return 0;
			i++;
		}
		while (i < n && is_digit(s[i]) && digits < 4) {
			v = v * 10 + (unsigned)(s[i] - '0');
			i++;
			digits++;
		}
		/* A leading zero ("01.2.3.4") is octal to inet_aton and some
		 * firewalls: ambiguous, so not an address at all. */
		if (digits == 0 || digits > 3 || v > 255 || (digits > 1 && s[i - digits] == '0'))
			return 0;
		out[part] = (uint8_t)v;
	}
	return i == n;
}

int ioc_parse_ipv6(const char *s, size_t n, uint8_t out[16])
{
	char tmp[64];

	if (n < 2 || n >= sizeof tmp)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_hex(s[i]) && s[i] != ':' && s[i] != '.')
			return 0;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return inet_pton(AF_INET6, tmp, out) == 1;
}

int ioc_ipv6_is_v4mapped(const uint8_t a[16])
{
	static const uint8_t pfx[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	return memcmp(a, pfx, sizeof pfx) == 0;
}

void ioc_format_addr(int is_v6, const uint8_t *addr, char *buf, size_t n)
{
	/* IPv4 by hand: inet_ntop goes through sprintf, and feeds of a million
	 * addresses format each of them. */
	if (!is_v6 && n >= 16) {
		size_t o = 0;
		for (int i = 0; i < 4; i++) {
			unsigned v = addr[i];
			if (i)
				buf[o++] = '.';
			if (v >= 100)
				buf[o++] = (char)('0' + v / 100);
			if (v >= 10)
				buf[o++] = (char)('0' + v / 10 % 10);
			buf[o++] = (char)('0' + v % 10);
		}
		buf[o] = '\0';
		return;
	}
	if (!inet_ntop(is_v6 ? AF_INET6 : AF_INET, addr, buf, (socklen_t)n) && n)
		buf[0] = '\0';
}

/* 1-3 digits up to 255 per part, leading zeros allowed ("00.00.000.00"),
 * as the hunt's extractor reads addresses in logs. */
static int dotted_quad_lenient(const char *s, size_t n, uint8_t out[4])
{
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		unsigned v = 0, d = 0;
		if (part && (i >= n || s[i++] != '.'))
			return 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && d < 3) {
			v = v * 10 + (unsigned)(s[i++] - '0');
			d++;
		}
		if (!d || v > 255)
			return 0;
		out[part] = (uint8_t)v;
	}
	return i == n;
}

size_t ioc_addr_canonical(const char *s, size_t n, char *buf, size_t bufn)
{
	uint8_t a[16];
	int v6;

	if (bufn < 46)
		return 0;
	if (ioc_parse_ipv4(s, n, a) || dotted_quad_lenient(s, n, a))
		v6 = 0;
	else if (ioc_parse_ipv6(s, n, a))
		v6 = 1;
	else
		return 0;
	if (v6 && ioc_ipv6_is_v4mapped(a)) {
		memmove(a, a + 12, 4);
		v6 = 0;
	}
	ioc_format_addr(v6, a, buf, bufn);
	return strlen(buf);
}

/* Copy with defanging undone: hxxp -> http, [.] (.) {.} -> ., [:] -> : */
static size_t refang(const char *s, size_t n, char *out, size_t cap)
{
	size_t i = 0, o = 0;

	/* Any case ("hxxP", "HXXP"): the canonical form must parse back to itself. */
	if (n >= 4 && lower(s[0]) == 'h' && lower(s[1]) == 'x' && lower(s[2]) == 'x' && lower(s[3]) == 'p') {
		memcpy(out, "http", 4);
		i = o = 4;
	}
	while (i < n && o < cap) {
		if (i + 3 <= n && (s[i] == '[' || s[i] == '(' || s[i] == '{') && (s[i + 1] == '.' || s[i + 1] == ':') &&
		    (s[i + 2] == ']' || s[i + 2] == ')' || s[i + 2] == '}')) {
			out[o++] = s[i + 1];
			i += 3;
		} else {
			out[o++] = s[i++];
		}
	}
	return i < n ? cap + 1 : o;
}

static void apply_mask(uint8_t *a, unsigned bytes, unsigned prefix)
{
	for (unsigned b = 0; b < bytes; b++) {
		unsigned keep = prefix >= (b + 1) * 8 ? 8 : prefix > b * 8 ? prefix - b * 8 : 0;
		a[b] &= (uint8_t)(0xff00u >> keep);
	}
}

static enum cg_err set_value(struct ioc *out, const char *v, size_t n)
{
	if (n > IOC_VALUE_MAX)
		return cg_err_set(CG_ELIMIT, _("indicator longer than %d bytes"), IOC_VALUE_MAX);
	memcpy(out->value, v, n);
	out->value[n] = '\0';
	out->len = n;
	return CG_OK;
}

static enum cg_err finish_net(struct ioc *out, int v6, unsigned prefix)
{
	char txt[64];
	size_t l;

	if (v6 && ioc_ipv6_is_v4mapped(out->addr) && prefix >= 96) {
		memmove(out->addr, out->addr + 12, 4);
		memset(out->addr + 4, 0, 12);
		prefix -= 96;
		v6 = 0;
	}
	apply_mask(out->addr, v6 ? 16 : 4, prefix);
	ioc_format_addr(v6, out->addr, txt, sizeof txt);
	l = strlen(txt);
	out->prefix = prefix;
	if (prefix == (v6 ? 128u : 32u)) {
		out->type = v6 ? IOC_IPV6 : IOC_IPV4;
	} else {
		out->type = v6 ? IOC_CIDR6 : IOC_CIDR4;
		l += (size_t)snprintf(txt + l, sizeof txt - l, "/%u", prefix);
	}
	return set_value(out, txt, l);
}

static enum cg_err parse_net(const char *s, size_t n, struct ioc *out)
{
	const char *slash = memchr(s, '/', n);
	size_t alen = slash ? (size_t)(slash - s) : n;
	unsigned prefix;
	int v6;

	memset(out->addr, 0, sizeof out->addr);
	if (ioc_parse_ipv4(s, alen, out->addr))
		v6 = 0;
	else if (ioc_parse_ipv6(s, alen, out->addr))
		v6 = 1;
	else
		return cg_err_set(CG_EPARSE, _("'%.*s' is not an IP address"), (int)(alen > 80 ? 80 : alen), s);
	prefix = v6 ? 128 : 32;
	if (slash) {
		size_t i = alen + 1;
		unsigned p = 0;
		if (i == n || n - i > 3)
			return cg_err_set(CG_EPARSE, _("'%.*s' has a bad prefix length"), (int)(n > 80 ? 80 : n), s);
		for (; i < n; i++) {
			if (!is_digit(s[i]))
				return cg_err_set(CG_EPARSE, _("'%.*s' has a bad prefix length"), (int)(n > 80 ? 80 : n), s);
			p = p * 10 + (unsigned)(s[i] - '0');
		}
		if (p > prefix)
			return cg_err_set(CG_EPARSE, _("prefix length /%u is too long for '%.*s'"), p, (int)alen, s);
		prefix = p;
	}
	return finish_net(out, v6, prefix);
}

static enum cg_err parse_hash(const char *s, size_t n, struct ioc *out)
{
	char v[129];

	switch (n) {
	case 32: out->type = IOC_MD5; break;
	case 40: out->type = IOC_SHA1; break;
	case 64: out->type = IOC_SHA256; break;
	case 128: out->type = IOC_SHA512; break;
	default:
		return cg_err_set(CG_EPARSE, _("a hash has 32, 40, 64 or 128 hex digits, not %zu"), n);
	}
	for (size_t i = 0; i < n; i++) {
		if (!is_hex(s[i]))
			return cg_err_set(CG_EPARSE, _("'%.*s' is not a hex hash"), (int)n, s);
		v[i] = lower(s[i]);
	}
	return set_value(out, v, n);
}

static int domain_char(char c)
{
	return (c >= 'a' && c <= 'z') || is_digit(c) || c == '-' || c == '_';
}

static enum cg_err parse_domain(const char *s, size_t n, struct ioc *out)
{
	char v[IOC_DOMAIN_MAX + 2];
	size_t i, label = 0, labels = 1, last_dot = 0;
	int tld_alpha = 0;

	if (n >= 2 && s[0] == '*' && s[1] == '.') {
		s += 2;
		n -= 2;
	}
	if (n && s[n - 1] == '.')
		n--;
	if (n == 0)
		return cg_err_set(CG_EPARSE, _("empty domain name"));
	if (n > IOC_DOMAIN_MAX)
		return cg_err_set(CG_EPARSE, _("domain name longer than %d characters"), IOC_DOMAIN_MAX);
	for (i = 0; i < n; i++) {
		char c = lower(s[i]);
		if ((unsigned char)c >= 0x80)
			return cg_err_set(CG_EPARSE, _("'%.*s' is not ASCII: give the IDN in its xn-- form"),
					  (int)n, s);
		if (c == '.') {
			if (label == 0)
				return cg_err_set(CG_EPARSE, _("'%.*s' has an empty label"), (int)n, s);
			if (v[i - 1] == '-')
				return cg_err_set(CG_EPARSE, _("'%.*s' has a label ending with '-'"), (int)n, s);
			label = 0;
			labels++;
			last_dot = i;
		} else if (domain_char(c)) {
			if (label == 0 && c == '-')
				return cg_err_set(CG_EPARSE, _("'%.*s' has a label starting with '-'"), (int)n, s);
			if (++label > 63)
				return cg_err_set(CG_EPARSE, _("'%.*s' has a label longer than 63 characters"),
						  (int)n, s);
		} else {
			return cg_err_set(CG_EPARSE, _("'%.*s' is not a domain name (character '%c')"),
					  (int)(n > 80 ? 80 : n), s, c);
		}
		v[i] = c;
	}
	if (label == 0)
		return cg_err_set(CG_EPARSE, _("'%.*s' has an empty label"), (int)n, s);
	if (v[n - 1] == '-')
		return cg_err_set(CG_EPARSE, _("'%.*s' has a label ending with '-'"), (int)n, s);
	if (labels < 2)
		return cg_err_set(CG_EPARSE, _("'%.*s' is a single label, not a domain name"), (int)n, s);
	for (i = last_dot + 1; i < n; i++)
		if (v[i] >= 'a' && v[i] <= 'z')
			tld_alpha = 1;
	if (!tld_alpha)
		return cg_err_set(CG_EPARSE, _("'%.*s' has a top-level label with no letter"), (int)n, s);
	out->type = IOC_DOMAIN;
	return set_value(out, v, n);
}

static enum cg_err parse_url(const char *s, size_t n, struct ioc *out)
{
	char v[IOC_VALUE_MAX + 1];
	size_t i, host_start, host_end;
	const char *sep;

	if (n > IOC_VALUE_MAX)
		return cg_err_set(CG_ELIMIT, _("URL longer than %d bytes"), IOC_VALUE_MAX);
	sep = n >= 3 ? memmem(s, n, "://", 3) : NULL;
	if (!sep || sep == s)
		return cg_err_set(CG_EPARSE, _("'%.*s' is not a URL"), (int)(n > 80 ? 80 : n), s);
	host_start = (size_t)(sep - s) + 3;
	for (i = 0; i < host_start - 3; i++) {
		char c = lower(s[i]);
		if (!((c >= 'a' && c <= 'z') || (i && (is_digit(c) || c == '+' || c == '-' || c == '.'))))
			return cg_err_set(CG_EPARSE, _("'%.*s' has a bad URL scheme"), (int)(n > 80 ? 80 : n), s);
		v[i] = c;
	}
	host_end = host_start;
	while (host_end < n && s[host_end] != '/' && s[host_end] != '?' && s[host_end] != '#')
		host_end++;
	if (host_end == host_start)
		return cg_err_set(CG_EPARSE, _("'%.*s' has no host"), (int)(n > 80 ? 80 : n), s);
	memcpy(v + host_start - 3, "://", 3);
	for (i = host_start; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c == 0x7f)
			return cg_err_set(CG_EPARSE, _("URL contains a blank or control character"));
		v[i] = i < host_end ? lower(s[i]) : s[i];
	}
	out->type = IOC_URL;
	return set_value(out, v, n);
}

static int all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_hex(s[i]))
			return 0;
	return 1;
}

enum cg_err ioc_parse(const char *s, size_t n, enum ioc_type want, struct ioc *out)
{
	char tmp[IOC_VALUE_MAX + 1];

	while (n && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if (n == 0)
		return cg_err_set(CG_EPARSE, _("empty indicator"));
	if (n > IOC_VALUE_MAX)
		return cg_err_set(CG_ELIMIT, _("indicator longer than %d bytes"), IOC_VALUE_MAX);
	if (memchr(s, '[', n) || memchr(s, '(', n) || memchr(s, '{', n) || (n > 4 && lower(s[0]) == 'h' && lower(s[1]) == 'x')) {
		size_t before;
		/* Again until nothing changes: "[(.]]" refangs to "[.]", and the
		 * canonical form must parse back to itself. Output never grows, so
		 * working in place is safe. */
		do {
			before = n;
			n = refang(s, n, tmp, sizeof tmp - 1);
			if (n > sizeof tmp - 1)
				return cg_err_set(CG_ELIMIT, _("indicator longer than %d bytes"), IOC_VALUE_MAX);
			s = tmp;
		} while (n < before);
	}
	memset(out, 0, offsetof(struct ioc, value));
	out->value[0] = '\0';
	switch (want) {
	case IOC_IPV4: case IOC_CIDR4: case IOC_IPV6: case IOC_CIDR6: {
		enum cg_err rc = parse_net(s, n, out);
		int v6 = out->type == IOC_IPV6 || out->type == IOC_CIDR6;
		int want6 = want == IOC_IPV6 || want == IOC_CIDR6;
		if (rc)
			return rc;
		if (v6 != want6)
			return cg_err_set(CG_EPARSE, _("'%.*s' is not an %s address"), (int)n, s, want6 ? "IPv6" : "IPv4");
		return CG_OK;
	}
	case IOC_DOMAIN:
		return parse_domain(s, n, out);
	case IOC_URL:
		return parse_url(s, n, out);
	case IOC_MD5: case IOC_SHA1: case IOC_SHA256: case IOC_SHA512:
		return parse_hash(s, n, out);
	case IOC_NONE:
	case IOC_TYPE_COUNT:
		break;
	}
	/* Detect. Order matters: a hex hash could look like a domain label. */
	if (memmem(s, n, "://", 3))
		return parse_url(s, n, out);
	if ((n == 32 || n == 40 || n == 64 || n == 128) && all_hex(s, n))
		return parse_hash(s, n, out);
	if (memchr(s, ':', n) || (is_digit(s[0]) && (parse_net(s, n, out) == CG_OK)))
		return parse_net(s, n, out);
	if (parse_domain(s, n, out) == CG_OK)
		return CG_OK;
	return cg_err_set(CG_EPARSE, _("'%.*s' is not an IP address, CIDR, domain, URL or hash"),
			  (int)(n > 80 ? 80 : n), s);
}
