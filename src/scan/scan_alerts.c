#include "scan_alerts.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "cg_i18n.h"
#include "ioc.h"
#include "scan_eicar.h"
#include "store_alert.h"

struct scan_alerts {
	struct alert_store *store;
	char *host;
	int64_t now; /* when the files were seen */
};

enum cg_err scan_alerts_open(struct cg_db *db, int64_t now, const char *host, struct scan_alerts **out)
{
	struct scan_alerts *sa = calloc(1, sizeof *sa);
	enum cg_err rc;

	*out = NULL;
	if (!sa || !(sa->host = strdup(host ? host : ""))) {
		free(sa);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	sa->now = now;
	if ((rc = alert_store_open(db, now, &sa->store))) {
		scan_alerts_free(sa);
		return rc;
	}
	*out = sa;
	return CG_OK;
}

/* The file as an absolute path, with the inner part of an archive hit. */
static void where(char *out, size_t n, const struct scan_hit *h)
{
	char abs[PATH_MAX];
	const char *inner = h->path + strlen(h->file);

	if (strncmp(h->path, h->file, strlen(h->file)) != 0)
		inner = "";
	if (!realpath(h->file, abs))
		snprintf(abs, sizeof abs, "%s", h->file);
	snprintf(out, n, "%s%s", abs, inner);
}

enum cg_err scan_alerts_add(struct scan_alerts *sa, const struct scan_hit *h, int *added)
{
	char file[SCAN_PATH_MAX + PATH_MAX];
	char excerpt[ALERT_EXCERPT_MAX];
	struct alert a = {.host = sa->host};
	struct alert_event ev = {.file = file, .excerpt = excerpt, .event_time = sa->now};
	size_t el = 0;

	where(file, sizeof file, h);
	switch (h->kind) {
	case SCAN_HIT_HASH:
		a.kind = ALERT_KIND_INDICATOR;
		a.indicator = h->indicator->value;
		a.indicator_type = ioc_type_name(h->indicator->type);
		a.sources = h->indicator->source;
		a.family = h->indicator->family;
		a.severity = ALERT_SEV_HIGH;
		break;
	case SCAN_HIT_EICAR:
		a.kind = ALERT_KIND_YARA;
		a.rule_id = SCAN_EICAR_NAME;
		a.title = _("EICAR anti-malware test file (harmless)");
		a.severity = ALERT_SEV_LOW;
		break;
	default:
		a.kind = ALERT_KIND_YARA;
		a.rule_id = h->rule;
		a.title = h->description && *h->description ? h->description : h->rule;
		a.severity = ALERT_SEV_HIGH;
		break;
	}
	el = (size_t)snprintf(excerpt, sizeof excerpt, "%s %s size=%llu", scan_hit_kind_name(h->kind),
			      h->kind == SCAN_HIT_HASH ? h->indicator->value : h->rule, (unsigned long long)h->size);
	for (int t = 0; t < SCAN_HASH_COUNT && el < sizeof excerpt; t++)
		if (h->hashes && h->hashes[t][0])
			el += (size_t)snprintf(excerpt + el, sizeof excerpt - el, " %s=%s",
					       scan_hash_name((enum scan_hash_type)t), h->hashes[t]);
	if (el >= sizeof excerpt)
		el = sizeof excerpt - 1;
	ev.excerpt_len = el;
	return alert_store_add(sa->store, &a, &ev, added);
}

enum cg_err scan_alerts_flush(struct scan_alerts *sa)
{
	return alert_store_flush(sa->store);
}

void scan_alerts_free(struct scan_alerts *sa)
{
	if (!sa)
		return;
	alert_store_abort(sa->store);
	alert_store_close(sa->store);
	free(sa->host);
	free(sa);
}
