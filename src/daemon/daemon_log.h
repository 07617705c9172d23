/* daemon_log — canhgacd's own structured log: one line per event on
 * standard error (the journal under systemd), either key=value
 * ("ts=2026-12-06T19:00:00Z level=info event=reload generation=3") or one
 * JSON object per line. Values are escaped (quotes, controls, bad UTF-8), so
 * text from the network cannot forge a line. Thread-safe. */
#ifndef CG_DAEMON_LOG_H
#define CG_DAEMON_LOG_H

enum daemon_log_level { DLOG_DEBUG = 0, DLOG_INFO, DLOG_WARN, DLOG_ERROR };

/* 0: key=value, 1: JSON. */
void daemon_log_set_json(int json);
/* Write one event: `event` then pairs of key and value strings ending with
 * NULL. A NULL value leaves the pair out. */
void daemon_log(enum daemon_log_level lvl, const char *event, ...) __attribute__((sentinel));

#endif
