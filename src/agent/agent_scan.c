/* agent_scan — the centre's side of a scan task's result. */
#include "agent_scan.h"

#include <stdio.h>
#include <string.h>

#include "cg_i18n.h"
#include "scan_alerts.h"

/* A scan result: the agent swept with the task's rules (scan_paths); each
 * hit becomes an alert on the agent's host as `canhgac scan --host` records
 * it, and the task's result keeps the counts, the hits and the problems. */
enum cg_err agent_scan_store(struct cg_db *db, const char *host, const struct agent_msg *m, char **out)
{
	struct scan_alerts *sa = NULL;
	json_t *r = NULL, *hits = json_array(), *problems = json_object_get(json_object_get(m->root, "body"), "problems");
	int64_t added = 0;
	enum cg_err rc;

	*out = NULL;
	if (!hits)
		return cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
	if ((rc = scan_alerts_open(db, cg_now(), host, &sa)))
		goto done;
	for (size_t i = 0; i < m->n_hits; i++) {
		const struct agent_hit *h = &m->hits[i];
		char digests[SCAN_HASH_COUNT][SCAN_HASH_HEX_MAX] = {{0}};
		int is_new = 0;
		snprintf(digests[SCAN_HASH_SHA256], SCAN_HASH_HEX_MAX, "%s", h->sha256 ? h->sha256 : "");
		snprintf(digests[SCAN_HASH_SHA1], SCAN_HASH_HEX_MAX, "%s", h->sha1 ? h->sha1 : "");
		snprintf(digests[SCAN_HASH_MD5], SCAN_HASH_HEX_MAX, "%s", h->md5 ? h->md5 : "");
		struct scan_hit sh = {.kind = strcmp(h->kind, "eicar") == 0 ? SCAN_HIT_EICAR : SCAN_HIT_YARA,
				      .path = h->path,
				      .file = h->file,
				      .size = (uint64_t)h->size,
				      .rule = h->rule,
				      .tags = h->tags ? h->tags : "",
				      .description = h->description ? h->description : "",
				      .hashes = (const char(*)[SCAN_HASH_HEX_MAX])digests};
		if ((rc = scan_alerts_add(sa, &sh, &is_new)))
			goto done;
		added += is_new != 0;
		json_array_append_new(hits, json_pack("{s:s,s:s,s:s,s:I,s:s?,s:s?,s:s?,s:s?,s:s?}", "kind", h->kind,
						      "rule", h->rule, "path", h->path, "size", (json_int_t)h->size, "tags",
						      h->tags, "description", h->description, "sha256", h->sha256,
						      "sha1", h->sha1, "md5", h->md5));
	}
	if ((rc = scan_alerts_flush(sa)))
		goto done;
	r = json_pack("{s:I,s:I,s:I,s:I,s:I,s:O,s:O*,s:O*}", "files_scanned", (json_int_t)m->files_scanned,
		      "bytes_scanned", (json_int_t)m->bytes_scanned, "rules", (json_int_t)m->rules_count, "hits_total",
		      (json_int_t)m->hits_total, "alerts_added", (json_int_t)added, "hits", hits, "problems",
		      problems, "problem_counts", m->problem_counts);
	*out = r ? json_dumps(r, JSON_COMPACT) : NULL;
	if (!*out)
		rc = cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
done:
	json_decref(r);
	json_decref(hits);
	scan_alerts_free(sa);
	return rc;
}

