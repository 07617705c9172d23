/* The report as one self-contained HTML file (see report.h): inline CSS,
 * inline SVG bar charts, A4 print layout with a page break before each
 * section. No script, no external asset. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cg_i18n.h"
#include "report_int.h"

#define HTML_MAX (256u << 20)

enum cg_err report_html_escape(struct cg_buf *b, const char *s)
{
	enum cg_err rc = CG_OK;
	for (; *s && !rc; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': rc = cg_buf_puts(b, "&amp;"); break;
		case '<': rc = cg_buf_puts(b, "&lt;"); break;
		case '>': rc = cg_buf_puts(b, "&gt;"); break;
		case '"': rc = cg_buf_puts(b, "&quot;"); break;
		case '\'': rc = cg_buf_puts(b, "&#39;"); break;
		default:
			if (c >= 0x20 && c != 0x7f)
				rc = cg_buf_putc(b, (char)c);
			else if (c == '\n' || c == '\t')
				rc = cg_buf_putc(b, ' ');
		}
	}
	return rc;
}

static const char css[] =
	"@page{size:A4;margin:15mm}"
	"body{font-family:'DejaVu Sans','Noto Sans',Arial,sans-serif;font-size:10.5pt;color:#1a1a1a;margin:0 auto;"
	"max-width:190mm;background:#fff}"
	"header{border-bottom:3px solid #a4161a;padding:8px 0 10px;margin-bottom:12px}"
	"h1{font-size:17pt;margin:0 0 4px;color:#a4161a}h2{font-size:13pt;color:#7a0f12;border-bottom:1px solid #ccc;"
	"padding-bottom:3px;margin-top:18px}"
	".meta{color:#444;font-size:9.5pt}.contact{background:#fff4e5;border-left:4px solid #e08a00;padding:6px 10px;"
	"margin:8px 0}"
	"table{border-collapse:collapse;width:100%;font-size:9pt;margin:6px 0}th,td{border:1px solid #bbb;padding:3px 5px;"
	"text-align:left;vertical-align:top}th{background:#f0e6e6}tr:nth-child(even) td{background:#fafafa}"
	".intro{color:#333}.empty{color:#555;font-style:italic}svg{display:block;margin:6px 0}"
	".legend span{display:inline-block;margin-right:14px;font-size:9pt}.legend i{display:inline-block;width:10px;"
	"height:10px;margin-right:4px;vertical-align:middle}"
	"section{page-break-inside:auto}section.page{page-break-before:always;break-before:page}"
	"thead{display:table-header-group}tr{page-break-inside:avoid;break-inside:avoid}"
	"@media print{body{max-width:none}}";

static const char *const colours[2][3] = {{"#2b8a3e", "#c92a2a", "#adb5bd"}, {"#1c7ed6", "#f08c00", "#868e96"}};

static enum cg_err put_e(struct cg_buf *b, const char *s)
{
	return report_html_escape(b, s);
}

static enum cg_err chart(struct cg_buf *b, const struct report_section *s)
{
	enum cg_err rc;
	double max = 0;
	const int w = 680, label_w = 170, bar_h = 18, gap = 6;
	for (size_t i = 0; i < s->n_bars; i++) {
		double t = s->bars[i].good + s->bars[i].bad + s->bars[i].unknown;
		if (t > max)
			max = t;
	}
	int h = (int)s->n_bars * (bar_h + gap) + gap;
	if ((rc = cg_buf_puts(b, "<figure><figcaption>")) || (rc = put_e(b, s->chart_title ? s->chart_title : "")) ||
	    (rc = cg_buf_printf(b, "</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
				   "viewBox=\"0 0 %d %d\" role=\"img\">",
				w, h, w, h)))
		return rc;
	for (size_t i = 0; i < s->n_bars; i++) {
		const struct report_bar *bar = &s->bars[i];
		int y = gap + (int)i * (bar_h + gap);
		double parts[3] = {bar->good, bar->bad, bar->unknown}, x = label_w;
		if ((rc = cg_buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">", label_w - 6,
					y + bar_h - 5)) ||
		    (rc = put_e(b, bar->label)) || (rc = cg_buf_puts(b, "</text>")))
			return rc;
		for (int k = 0; k < 3; k++) {
			double pw = max > 0 ? parts[k] / max * (w - label_w - 60) : 0;
			if (pw <= 0)
				continue;
			if ((rc = cg_buf_printf(b, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>", x, y,
						pw, bar_h, colours[s->neutral][k])))
				return rc;
			x += pw;
		}
		if ((rc = cg_buf_printf(b, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\">%.0f</text>", x + 4, y + bar_h - 5,
					bar->good + bar->bad + bar->unknown)))
			return rc;
	}
	if ((rc = cg_buf_puts(b, "</svg>")))
		return rc;
	if (s->legend[0]) {
		if ((rc = cg_buf_puts(b, "<div class=\"legend\">")))
			return rc;
		for (int k = 0; k < 3; k++) {
			if (!s->legend[k])
				continue;
			if ((rc = cg_buf_printf(b, "<span><i style=\"background:%s\"></i>", colours[s->neutral][k])) ||
			    (rc = put_e(b, s->legend[k])) || (rc = cg_buf_puts(b, "</span>")))
				return rc;
		}
		if ((rc = cg_buf_puts(b, "</div>")))
			return rc;
	}
	return cg_buf_puts(b, "</figure>");
}

static enum cg_err table(struct cg_buf *b, const struct report_section *s)
{
	enum cg_err rc;
	if (!s->n_rows)
		return s->empty ? ((rc = cg_buf_puts(b, "<p class=\"empty\">")) || (rc = put_e(b, s->empty)) ||
				   (rc = cg_buf_puts(b, "</p>")))
					  ? rc
					  : CG_OK
				: CG_OK;
	if ((rc = cg_buf_puts(b, "<table><thead><tr>")))
		return rc;
	for (size_t i = 0; i < s->n_cols; i++)
		if ((rc = cg_buf_puts(b, "<th>")) || (rc = put_e(b, s->cols[i])) || (rc = cg_buf_puts(b, "</th>")))
			return rc;
	if ((rc = cg_buf_puts(b, "</tr></thead><tbody>")))
		return rc;
	for (size_t r = 0; r < s->n_rows; r++) {
		if ((rc = cg_buf_puts(b, "<tr>")))
			return rc;
		for (size_t i = 0; i < s->n_cols; i++)
			if ((rc = cg_buf_puts(b, "<td>")) || (rc = put_e(b, s->cells[r * s->n_cols + i])) ||
			    (rc = cg_buf_puts(b, "</td>")))
				return rc;
		if ((rc = cg_buf_puts(b, "</tr>")))
			return rc;
	}
	return cg_buf_puts(b, "</tbody></table>");
}

enum cg_err report_write_html(const struct report *r, struct cg_buf *b)
{
	enum cg_err rc;
	char when[32];
	cg_time_iso(r->generated, when, sizeof when);
	if (!b->cap)
		b->cap = HTML_MAX;
	if ((rc = cg_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"")) || (rc = put_e(b, r->lang)) ||
	    (rc = cg_buf_puts(b, "\"><head><meta charset=\"utf-8\"><title>")) || (rc = put_e(b, r->title)) ||
	    (rc = cg_buf_printf(b, "</title><style>%s</style></head><body><header><h1>", css)) ||
	    (rc = put_e(b, r->title)) || (rc = cg_buf_puts(b, "</h1><div class=\"meta\">")) ||
	    (rc = put_e(b, r->agency)) || (rc = cg_buf_puts(b, " · ")) || (rc = put_e(b, _("generated"))) ||
	    (rc = cg_buf_puts(b, " ")) || (rc = put_e(b, when)) || (rc = cg_buf_puts(b, "</div><div class=\"contact\"><b>")) ||
	    (rc = put_e(b, _("Incident-response contact point:"))) || (rc = cg_buf_puts(b, "</b> ")) ||
	    (rc = put_e(b, r->contact[0] ? r->contact : _("not recorded (canhgac compliance agency --contact)"))) ||
	    (rc = cg_buf_puts(b, "</div></header>\n")))
		return rc;
	for (size_t i = 0; i < r->n_sections; i++) {
		const struct report_section *s = r->sections[i];
		if ((rc = cg_buf_printf(b, "<section id=\"%s\"%s><h2>", s->id, i >= 2 ? " class=\"page\"" : "")) ||
		    (rc = put_e(b, s->title)) || (rc = cg_buf_puts(b, "</h2>")))
			return rc;
		if (s->intro[0] && ((rc = cg_buf_puts(b, "<p class=\"intro\">")) || (rc = put_e(b, s->intro)) ||
				    (rc = cg_buf_puts(b, "</p>"))))
			return rc;
		if (s->n_bars && (rc = chart(b, s)))
			return rc;
		if ((rc = table(b, s)) || (rc = cg_buf_puts(b, "</section>\n")))
			return rc;
	}
	return cg_buf_puts(b, "</body></html>\n");
}
