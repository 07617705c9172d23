/* cg_yaml — see cg_yaml.h. */
#include "cg_yaml.h"

#include <libfyaml.h>
#include <stdio.h>
#include <string.h>

#include "cg_err.h"
#include "cg_i18n.h"
#include "cg_utf8.h"

const char *cg_yaml_precheck(const char *text, size_t len, unsigned long *line, unsigned long *col)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, bol = 0;

	*line = 1;
	*col = 0;
	while (i < len) {
		size_t k = s[i] ? cg_utf8_len(s + i, len - i) : 0;
		if (k == 0) {
			*col = (unsigned long)(i - bol + 1);
			return _("not UTF-8 text (invalid byte or NUL)");
		}
		if (i == bol && s[i] == '%') {
			const unsigned char *nl = memchr(s + i, '\n', len - i);
			if ((nl ? (size_t)(nl - s) : len) - i > CG_YAML_DIRECTIVE_MAX) {
				*col = 1;
				return _("YAML directive line too long");
			}
		}
		if (s[i] == '\n')
			(*line)++, bol = i + 1;
		i += k;
	}
	return NULL;
}

/* libfyaml reports through a diag object: keep the first error's text. */
struct yaml_diag {
	char msg[256];
};

static void yaml_diag_out(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	(void)diag;
	struct yaml_diag *d = user;
	if (d->msg[0])
		return;
	/* "<memory-@...>:LINE:COL: error: text": keep from LINE on. */
	const char *p = memchr(buf, '>', len);
	if (p && p + 1 < buf + len && p[1] == ':')
		len -= (size_t)(p + 2 - buf), buf = p + 2;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		len--;
	snprintf(d->msg, sizeof d->msg, "%.*s", (int)len, buf);
}

struct fy_document *cg_yaml_load(const char *file, const char *buf, size_t len)
{
	unsigned long bl, bc;
	const char *why = cg_yaml_precheck(buf, len, &bl, &bc);
	if (why) {
		(void)cg_err_set(CG_EPARSE, _("%s:%lu: column %lu: %s"), file, bl, bc, why);
		return NULL;
	}
	struct yaml_diag sink = {{0}};
	struct fy_diag_cfg dcfg;
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = yaml_diag_out;
	dcfg.user = &sink;
	dcfg.colorize = false;
	dcfg.show_source = false;
	dcfg.show_position = true;
	dcfg.show_type = false;
	dcfg.show_module = false;
	struct fy_diag *diag = fy_diag_create(&dcfg);
	if (!diag) {
		(void)cg_err_set(CG_EINTERNAL, _("%s: cannot create YAML diagnostics"), file);
		return NULL;
	}
	struct fy_parse_cfg cfg = {.search_path = "", .flags = FYPCF_QUIET, .userdata = NULL, .diag = diag};
	struct fy_document *fyd = fy_document_build_from_string(&cfg, buf, len);
	fy_diag_destroy(diag);
	if (!fyd)
		(void)cg_err_set(CG_EPARSE, _("%s:%s"), file, sink.msg[0] ? sink.msg : _(" not valid YAML"));
	return fyd;
}

unsigned long cg_yaml_line(struct fy_node *n)
{
	struct fy_token *t = n ? fy_node_get_scalar_token(n) : NULL;
	const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
	if (!m && n) {
		void *it = NULL;
		if (fy_node_get_type(n) == FYNT_MAPPING) {
			struct fy_node_pair *p = fy_node_mapping_iterate(n, &it);
			return p ? cg_yaml_line(fy_node_pair_key(p)) : 0;
		}
		if (fy_node_get_type(n) == FYNT_SEQUENCE)
			return cg_yaml_line(fy_node_sequence_iterate(n, &it));
	}
	return m ? (unsigned long)m->line + 1 : 0;
}
