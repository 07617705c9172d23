/* daemon_parse — one received message into the worker's event, in the
 * format its listener or file is configured for (auto: by its first byte).
 * Glue over the library's one normalizer (event_normalize.h). */
#ifndef CG_DAEMON_PARSE_H
#define CG_DAEMON_PARSE_H

#include <stddef.h>

#include "cg_err.h"
#include "cg_event.h"
#include "daemon_config.h"

enum cg_err daemon_parse_message(const char *msg, size_t n, enum daemon_format f, struct cg_event *ev) CG_MUST_CHECK;

#endif
