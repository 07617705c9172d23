/* Advisory formats: names, detection, the range list of a record. */
#include <stdlib.h>
#include <string.h>

#include "adv_internal.h"
#include "cg_i18n.h"

static const char *const names[ADV_FORMAT_COUNT] = {"auto", "nvd", "osv", "kev", "epss"};

const char *adv_format_name(enum adv_format f)
{
	return (unsigned)f < ADV_FORMAT_COUNT ? names[f] : "?";
}

enum cg_err adv_format_parse(const char *name, enum adv_format *out)
{
	for (int i = 0; i < ADV_FORMAT_COUNT; i++) {
		if (strcmp(name, names[i]) == 0) {
			*out = (enum adv_format)i;
			return CG_OK;
		}
	}
	return cg_err_set(CG_EINVAL, _("unknown advisory format '%s' (auto, nvd, osv, kev, epss)"), name);
}

enum adv_format adv_detect(const char *buf, size_t len)
{
	size_t lim = len < 65536 ? len : 65536;

	if (memmem(buf, lim, "\"catalogVersion\"", 16) || memmem(buf, lim, "\"knownRansomwareCampaignUse\"", 28))
		return ADV_KEV;
	if (memmem(buf, lim, "\"vulnerabilities\"", 17) || memmem(buf, lim, "\"sourceIdentifier\"", 18) ||
	    memmem(buf, lim, "\"cisaExploitAdd\"", 16) || memmem(buf, lim, "\"vulnStatus\"", 12))
		return ADV_NVD;
	if (memmem(buf, lim, "\"affected\"", 10) || memmem(buf, lim, "\"modified\"", 10))
		return ADV_OSV;
	if (memmem(buf, lim, "cve,epss", 8) || memmem(buf, lim, "#model_version", 14))
		return ADV_EPSS;
	return ADV_AUTO;
}

void adv_ranges_free(struct adv_ranges *r)
{
	for (size_t i = 0; i < r->ns; i++)
		free(r->strs[i]);
	free(r->strs);
	free(r->v);
	memset(r, 0, sizeof *r);
}

const char *adv_keep(struct adv_ranges *r, char *s)
{
	if (!s)
		return NULL;
	if (r->ns == r->salloc) {
		size_t na = r->salloc ? r->salloc * 2 : 64;
		char **p = realloc(r->strs, na * sizeof *p);
		if (!p) {
			free(s);
			return NULL;
		}
		r->strs = p;
		r->salloc = na;
	}
	r->strs[r->ns++] = s;
	return s;
}

struct adv_range *adv_push(struct adv_ranges *r)
{
	if (r->n == ADV_MAX_RANGES)
		return NULL;
	if (r->n == r->alloc) {
		size_t na = r->alloc ? r->alloc * 2 : 32;
		struct adv_range *p = realloc(r->v, na * sizeof *p);
		if (!p)
			return NULL;
		r->v = p;
		r->alloc = na;
	}
	memset(&r->v[r->n], 0, sizeof r->v[0]);
	return &r->v[r->n++];
}
