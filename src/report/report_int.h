/* Fields of the report model, shared by report.c and report_html.c only. */
#ifndef CG_REPORT_INT_H
#define CG_REPORT_INT_H

#include "report.h"

struct report_bar {
	char *label;
	double good, bad, unknown;
};

struct report_section {
	char *id, *title, *intro, *empty, *chart_title;
	char *legend[3];
	int neutral; /* parts are kinds, not good/bad: other colours */
	size_t n_cols;
	char **cols;
	size_t n_rows, alloc_rows;
	char **cells; /* n_rows × n_cols */
	size_t n_bars;
	struct report_bar bars[REPORT_CHART_BARS_MAX];
};

struct report {
	char *lang, *title, *agency, *contact;
	int64_t generated;
	size_t n_sections, alloc_sections;
	struct report_section **sections;
};

#endif
