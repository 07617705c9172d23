/* The report renderer's input (a report document): the output never holds
 * a raw '<' that the document's values brought in. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "incident_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cg_buf out;

	cg_buf_init(&out, (size_t)64 << 20);
	if (incident_report_html((const char *)data, size, &out) == CG_OK && out.data) {
		/* Only the renderer's own tags: every '<' starts one of them. */
		static const char *const tags[] = {"<!DOCTYPE", "<html", "<head", "<meta", "<title", "</title", "<style",
						   "</style", "</head", "<body", "<h1", "</h1", "<small", "</small",
						   "<p>", "</p>", "<table", "</table", "<tr", "</tr", "<th", "</th",
						   "<td", "</td", "<span", "</span", "<div", "</div", "<ul", "</ul",
						   "<li", "</li", "</body", "</html", NULL};
		for (const char *p = strchr(out.data, '<'); p; p = strchr(p + 1, '<')) {
			int ok = 0;
			for (const char *const *t = tags; *t && !ok; t++)
				ok = strncmp(p, *t, strlen(*t)) == 0;
			if (!ok)
				abort();
		}
	}
	cg_buf_free(&out);
	return 0;
}
