/* Plain lists (one entry a line) and JSON, for proxies and anything else that
 * pulls. JSON is written as a stream: a million entries must not become a
 * million heap objects. */
#include <stdio.h>
#include <string.h>

#include "cg_db.h"
#include "export_internal.h"

static void plain_items(FILE *f, const char *mark, const struct block_items *it)
{
	for (size_t i = 0; i < it->n_v4; i++) {
		fputs(mark, f);
		export_cidr(f, 0, &it->v4[i]);
		fputc('\n', f);
	}
	for (size_t i = 0; i < it->n_v6; i++) {
		fputs(mark, f);
		export_cidr(f, 1, &it->v6[i]);
		fputc('\n', f);
	}
	for (size_t i = 0; i < it->n_domains; i++)
		fprintf(f, "%s%s\n", mark, it->domains[i]);
	for (size_t i = 0; i < it->n_urls; i++)
		fprintf(f, "%s%s\n", mark, it->urls[i]);
}

enum cg_err export_plain(FILE *f, const struct block_items *add, const struct block_items *del)
{
	if (del) {
		plain_items(f, "-", del);
		plain_items(f, "+", add);
	} else {
		plain_items(f, "", add);
	}
	return CG_OK;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_cidrs(FILE *f, const char *key, int v6, const struct range_cidr *c, size_t n)
{
	fprintf(f, "\"%s\":[", key);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",\"" : "\"", f);
		export_cidr(f, v6, &c[i]);
		fputc('"', f);
	}
	fputc(']', f);
}

static void json_strs(FILE *f, const char *key, char *const *v, size_t n)
{
	fprintf(f, ",\"%s\":[", key);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		json_str(f, v[i]);
	}
	fputc(']', f);
}

static void json_items(FILE *f, const struct block_items *it)
{
	fputc('{', f);
	json_cidrs(f, "ipv4", 0, it->v4, it->n_v4);
	fputc(',', f);
	json_cidrs(f, "ipv6", 1, it->v6, it->n_v6);
	json_strs(f, "domains", it->domains, it->n_domains);
	json_strs(f, "exceptions", it->passthru, it->n_passthru);
	json_strs(f, "urls", it->urls, it->n_urls);
	fputc('}', f);
}

enum cg_err export_json(FILE *f, const struct block_items *add, const struct block_items *del,
			const struct block_export_opts *o)
{
	char t[32];

	cg_time_iso(o->as_of, t, sizeof t);
	fprintf(f, "{\"serial\":%lld,\"as_of\":\"%s\"", (long long)o->serial, t);
	if (del) {
		cg_time_iso(o->since, t, sizeof t);
		fprintf(f, ",\"since\":\"%s\",\"add\":", t);
		json_items(f, add);
		fputs(",\"remove\":", f);
		json_items(f, del);
	} else {
		fputs(",\"lists\":", f);
		json_items(f, add);
	}
	fputs("}\n", f);
	return CG_OK;
}
