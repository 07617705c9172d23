/* cg_yaml — the one way into libfyaml for every YAML file the project reads
 * (Sigma rules and maps, compliance catalogues, threshold rules, the duty
 * roster, the daemon's configuration): the input check libfyaml needs, one
 * parse with its first error kept, and the line of a node for messages. */
#ifndef CG_YAML_H
#define CG_YAML_H

#include <stddef.h>

struct fy_document;
struct fy_node;

/* What libfyaml 0.7.12 must not be given: YAML is Unicode text, and the
 * library spins forever when it reports a '%' directive followed by an
 * invalid sequence through a diag object; it is also quadratic in the
 * length of a directive line (40 000 bytes of '%' take 3 s). No file the
 * project reads needs a directive past "%YAML 1.2". */
#define CG_YAML_DIRECTIVE_MAX 256

/* NULL when `text` may go to libfyaml; else a translated reason, with the
 * 1-based line and byte column of the problem: a byte that is not
 * well-formed UTF-8, a NUL, or a directive line longer than
 * CG_YAML_DIRECTIVE_MAX. */
const char *cg_yaml_precheck(const char *text, size_t len, unsigned long *line, unsigned long *col);

/* Check (cg_yaml_precheck) and parse one YAML document. NULL on failure,
 * with CG_EPARSE set: "FILE:LINE: column COL: reason" for the check,
 * "FILE:LINE:COL: libfyaml's reason" for the parse. The caller destroys
 * the document (fy_document_destroy). */
struct fy_document *cg_yaml_load(const char *file, const char *buf, size_t len);

/* 1-based line of a node (of a collection: of its first key or item), 0
 * when unknown. */
unsigned long cg_yaml_line(struct fy_node *n);

#endif
