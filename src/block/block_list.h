/* block_list — the parser of target lists: order files, `block add --file`,
 * own-prefix files. One target a line, optionally followed by blanks, ',' or
 * ';' and a note; blank lines and lines starting with '#' or ';' are
 * skipped; a UTF-8 byte-order mark and CRLF line ends are accepted. Pure:
 * bytes in, entries or errors out. */
#ifndef CG_BLOCK_LIST_H
#define CG_BLOCK_LIST_H

#include <stddef.h>

#include "cg_err.h"
#include "ioc.h"

#define BLOCK_LIST_LINE_MAX 4096
#define BLOCK_LIST_NOTE_MAX 512

struct block_list_entry {
	size_t line;
	struct ioc target;
	const char *note; /* borrowed from the input, not NUL-terminated */
	size_t note_len;
};

/* Called for each good entry; returning non-OK stops the parse with it. */
typedef enum cg_err (*block_list_fn)(void *ctx, const struct block_list_entry *e);
/* Called for each bad line with the message ("name:17: '10.0.0.300' is not
 * an IP address"); returning non-OK stops the parse with it. */
typedef enum cg_err (*block_list_err_fn)(void *ctx, size_t line, enum cg_err code, const char *msg);

/* Parse `len` bytes of `data` (need not be NUL-terminated); `name` labels
 * messages. At most `max_entries` entries (CG_ELIMIT beyond). Returns CG_OK
 * when every line was good, CG_EPARSE when some were reported to `on_err`,
 * or the first non-OK of a callback. */
enum cg_err block_list_parse(const char *name, const char *data, size_t len, size_t max_entries, block_list_fn fn,
			     block_list_err_fn on_err, void *ctx) CG_MUST_CHECK;

#endif
