/* report — the readiness report for the province: a model of sections,
 * each filled by one collector, rendered as one self-contained HTML file
 * (inline CSS and SVG, printable on A4).
 *
 * A section has a title, an optional intro, an optional bar chart and an
 * optional table; all text is already translated when added. Adding a
 * section for a new module (alerts, incidents) is one collector in
 * report_collectors[] (report.c). Everything added is copied. */
#ifndef CG_REPORT_H
#define CG_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "catalogue.h"
#include "cg_buf.h"
#include "cg_err.h"
#include "db.h"
#include "os_eol.h"

#define REPORT_TABLE_ROWS_MAX 100000
#define REPORT_CHART_BARS_MAX 64

struct report;
struct report_section;

struct report *report_new(const char *lang);
void report_free(struct report *r);

enum cg_err report_set_header(struct report *r, const char *title, const char *agency, const char *contact,
			      int64_t generated) CG_MUST_CHECK;
enum cg_err report_section_add(struct report *r, const char *id, const char *title, const char *intro,
			       struct report_section **out) CG_MUST_CHECK;
/* Columns of the section's table (once), then rows of as many cells. */
enum cg_err report_table_columns(struct report_section *s, size_t n, const char *const *cols) CG_MUST_CHECK;
enum cg_err report_table_row(struct report_section *s, const char *const *cells) CG_MUST_CHECK;
/* A bar chart: label, value, and for a stacked bar up to 3 parts
 * (good, bad, unknown) that add up to the value; `title` names it. */
enum cg_err report_chart_title(struct report_section *s, const char *title) CG_MUST_CHECK;
enum cg_err report_chart_bar(struct report_section *s, const char *label, double good, double bad,
			     double unknown) CG_MUST_CHECK;
/* Names of the three parts of a bar (NULL: part unused). */
enum cg_err report_chart_legend(struct report_section *s, const char *good, const char *bad,
				const char *unknown) CG_MUST_CHECK;
/* Draw the parts in neutral colours (counts of kinds, not good and bad). */
void report_chart_neutral(struct report_section *s);
/* Shown when the table has no rows. */
enum cg_err report_section_empty(struct report_section *s, const char *text) CG_MUST_CHECK;

/* What the collectors read. */
struct report_input {
	struct cg_db *db;
	const struct comp_catalogue *cat;
	const struct os_eol *eol;
	int64_t now;
	const char *lang;
};

/* Fill `r` with every section (compliance, gaps, botnet hosts, vulnerabilities,
 * hits per day, alerts, blocking orders, incidents, awareness, contact point). */
enum cg_err report_collect(struct report *r, const struct report_input *in) CG_MUST_CHECK;

/* Render as HTML into `out`. Every value is escaped by one helper. */
enum cg_err report_write_html(const struct report *r, struct cg_buf *out) CG_MUST_CHECK;

/* Append `s` to `b` with &, <, >, " and ' escaped, control characters
 * dropped. */
enum cg_err report_html_escape(struct cg_buf *b, const char *s) CG_MUST_CHECK;

/* For report_write_html. */
size_t report_section_count(const struct report *r);

#endif
