/* End-of-support table (see os_eol.h). */
#include "os_eol.h"

#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalogue.h"
#include "cg_i18n.h"
#include "cg_yaml.h"
#include "cg_time.h"

#define OS_EOL_MAX 1000

struct os_eol {
	struct os_eol_entry *e;
	char **strs;
	size_t n, n_strs;
};

void os_eol_free(struct os_eol *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_strs; i++)
		free(t->strs[i]);
	free(t->strs);
	free(t->e);
	free(t);
}

static unsigned long line_of(struct fy_node *n)
{
	struct fy_token *t = n ? fy_node_get_scalar_token(n) : NULL;
	const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
	return m ? (unsigned long)m->line + 1 : 0;
}

static int parse_date(const char *s, int64_t *out)
{
	int y, mo, d;
	char tail;
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &mo, &d, &tail) != 3 || y < 1970 || y > 2200 || mo < 1 ||
	    mo > 12 || d < 1 || d > cg_days_in_month(y, mo))
		return -1;
	*out = cg_days_from_civil(y, mo, d) * 86400;
	return 0;
}

enum cg_err os_eol_parse(const char *file, const char *buf, size_t len, struct os_eol **out)
{
	*out = NULL;
	if (len > (1u << 20))
		return cg_err_set(CG_ELIMIT, _("%s: larger than %u bytes"), file, 1u << 20);
	struct fy_document *fyd = cg_yaml_load(file, buf, len);
	if (!fyd)
		return CG_EPARSE;
	struct fy_node *root = fy_document_root(fyd);
	enum cg_err rc = CG_OK;
	struct os_eol *t = calloc(1, sizeof *t);
	if (!t) {
		fy_document_destroy(fyd);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	if (!root || fy_node_get_type(root) != FYNT_SEQUENCE) {
		rc = cg_err_set(CG_EPARSE, _("%s:1: the table must be a list of entries"), file);
		goto out;
	}
	size_t cnt = (size_t)fy_node_sequence_item_count(root);
	if (cnt > OS_EOL_MAX) {
		rc = cg_err_set(CG_ELIMIT, _("%s: more than %d entries"), file, OS_EOL_MAX);
		goto out;
	}
	t->e = calloc(cnt ? cnt : 1, sizeof *t->e);
	t->strs = calloc(cnt * 6 + 1, sizeof *t->strs);
	if (!t->e || !t->strs) {
		rc = cg_err_set(CG_ENOMEM, _("out of memory"));
		goto out;
	}
	void *it = NULL;
	struct fy_node *item;
	while ((item = fy_node_sequence_iterate(root, &it))) {
		struct os_eol_entry *e = &t->e[t->n];
		if (fy_node_get_type(item) != FYNT_MAPPING) {
			rc = cg_err_set(CG_EPARSE, _("%s: entry %zu: must be a mapping"), file, t->n + 1);
			goto out;
		}
		void *it2 = NULL;
		struct fy_node_pair *p;
		unsigned long eline = 0;
		while ((p = fy_node_mapping_iterate(item, &it2))) {
			struct fy_node *k = fy_node_pair_key(p), *v = fy_node_pair_value(p);
			const char *ks = fy_node_get_type(k) == FYNT_SCALAR ? fy_node_get_scalar0(k) : "?";
			const char **slot = NULL;
			eline = eline ? eline : line_of(k);
			if (strcmp(ks, "id") == 0)
				slot = &e->id;
			else if (strcmp(ks, "version") == 0)
				slot = &e->version;
			else if (strcmp(ks, "name") == 0)
				slot = &e->name;
			else if (strcmp(ks, "end") == 0)
				slot = &e->end_text;
			else if (strcmp(ks, "ref") == 0)
				slot = &e->ref;
			else {
				rc = cg_err_set(CG_EPARSE, _("%s:%lu: field '%s': unknown field"), file, line_of(k), ks);
				goto out;
			}
			if (!v || fy_node_get_type(v) != FYNT_SCALAR || fy_node_is_alias(v) || *slot) {
				rc = cg_err_set(CG_EPARSE, _("%s:%lu: field '%s': must be given once, as text"), file,
						line_of(k), ks);
				goto out;
			}
			char *s = strdup(fy_node_get_scalar0(v) ? fy_node_get_scalar0(v) : "");
			if (!s) {
				rc = cg_err_set(CG_ENOMEM, _("out of memory"));
				goto out;
			}
			t->strs[t->n_strs++] = s;
			*slot = s;
		}
		if (!e->end_text || parse_date(e->end_text, &e->end)) {
			rc = cg_err_set(CG_EPARSE, _("%s:%lu: field 'end': missing or not a YYYY-MM-DD date"), file, eline);
			goto out;
		}
		if (!e->ref || !*e->ref || (!e->name && !(e->id && e->version))) {
			rc = cg_err_set(CG_EPARSE, _("%s:%lu: field 'ref': every entry needs a reference and an id+version or a name"),
					file, eline);
			goto out;
		}
		t->n++;
	}
out:
	fy_document_destroy(fyd);
	if (rc) {
		os_eol_free(t);
		return rc;
	}
	*out = t;
	return CG_OK;
}

extern const char compliance_os_eol_yaml[];
extern const size_t compliance_os_eol_yaml_len;

enum cg_err os_eol_bundled(struct os_eol **out)
{
	return os_eol_parse("os-eol.yaml", compliance_os_eol_yaml, compliance_os_eol_yaml_len, out);
}

const struct os_eol_entry *os_eol_find(const struct os_eol *t, const char *id, const char *version_id,
				       const char *os_name)
{
	if (id && version_id && *id && *version_id) {
		for (size_t i = 0; i < t->n; i++) {
			const struct os_eol_entry *e = &t->e[i];
			if (!e->id || !e->version || strcmp(e->id, id) != 0)
				continue;
			size_t vl = strlen(e->version);
			if (strncmp(version_id, e->version, vl) == 0 && (version_id[vl] == '\0' || version_id[vl] == '.'))
				return e;
		}
	}
	if (os_name && *os_name)
		for (size_t i = 0; i < t->n; i++)
			if (t->e[i].name && strcasecmp(t->e[i].name, os_name) == 0)
				return &t->e[i];
	return NULL;
}
