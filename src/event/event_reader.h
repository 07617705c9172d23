/* event_reader — events from files and lines (for the Sigma engine and the hunt):
 * EVTX (libevtx, the record XML parsed here), JSON (evtx_dump / SigmaHQ
 * regression `Event.System`/`Event.EventData`, Chainsaw `_attributes`,
 * Winlogbeat `winlog.*`, NXLog flat objects, generic JSON), and syslog or
 * auditd text lines. Each reader fills one caller-owned event and hands it
 * to a callback, so memory does not grow with the input.
 *
 * Per-record problems (a corrupt EVTX record, a bad JSON line) are counted
 * in struct cg_event_read_stats and do not stop the file; the first one is
 * kept as text. */
#ifndef EVENT_READER_H
#define EVENT_READER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"
#include "cg_event.h"

struct cg_event_read_stats {
	uint64_t events;
	uint64_t bad;          /* records or lines skipped */
	uint64_t bytes;
	char first_bad[512];   /* "file.evtx: record 17: ..." */
};

/* Non-zero stops reading (the reader then returns CG_OK). */
typedef int (*cg_event_cb)(void *ud, struct cg_event *ev);

enum cg_event_format { CG_EVENT_FMT_EVTX, CG_EVENT_FMT_JSON, CG_EVENT_FMT_LINES };
/* Guess from the first bytes: "ElfFile\0" is EVTX, '{' or '[' JSON. */
enum cg_event_format cg_event_format_sniff(const void *head, size_t n);

/* Read all records of an EVTX file. Fails only when the file cannot be
 * opened as EVTX at all. */
enum cg_err cg_event_evtx_read(const char *path, struct cg_event *ev, cg_event_cb cb, void *ud,
                            struct cg_event_read_stats *st) CG_MUST_CHECK;

/* One record's XML (as libevtx renders it) → event. */
enum cg_err cg_event_from_xml(const char *xml, size_t len, struct cg_event *ev) CG_MUST_CHECK;

/* JSON text: one or more values one after another (JSON Lines or pretty
 * printed), each an event object or an array of them. */
enum cg_err cg_event_json_read(const char *text, size_t len, const char *origin, struct cg_event *ev,
                            cg_event_cb cb, void *ud, struct cg_event_read_stats *st) CG_MUST_CHECK;
enum cg_err cg_event_from_json(const json_t *obj, struct cg_event *ev) CG_MUST_CHECK;

/* Text lines (syslog RFC 3164/5424, raw auditd); CR LF and a missing final
 * newline are fine. */
enum cg_err cg_event_lines_read(const char *text, size_t len, const char *origin, struct cg_event *ev,
                             cg_event_cb cb, void *ud, struct cg_event_read_stats *st) CG_MUST_CHECK;
enum cg_err cg_event_from_line(const char *line, size_t len, struct cg_event *ev) CG_MUST_CHECK;

/* The time a log line says it was written: its syslog header's stamp, a
 * leading stamp of another log format (BIND, Apache error, ISO 8601), or
 * a CEF/LEEF "rt=" or common-log-format stamp inside it. Returns 1 and
 * fills *out, 0 when the line has none. Pure. */
int cg_event_line_time(const char *line, size_t len, const struct cg_time_ctx *ctx, struct cg_stamp *out);

#endif
