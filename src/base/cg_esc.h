/* cg_esc — text from input (log lines, event fields, file names, references)
 * made safe for one line of a terminal. Control characters (C0, DEL, C1),
 * bytes that are not UTF-8 and the Unicode bidirectional overrides are
 * written as \n, \r, \t, \e, \xHH or \uHHHH, so a field cannot end the line,
 * forge another one, move the cursor or clear the screen. Printable UTF-8
 * (Vietnamese included) and backslashes pass unchanged: the text stays
 * readable, and --json output, which is exact, never goes through here. */
#ifndef CG_ESC_H
#define CG_ESC_H

#include <stddef.h>
#include <stdio.h>

/* Room for the escaped form of `n` bytes (each byte becomes at most 4). */
#define CG_ESC_ROOM(n) ((n) * 4 + 1)

/* Write the escaped form of s[0..len) at `out` (room CG_ESC_ROOM(len)),
 * NUL-terminated; returns the position of the NUL. */
char *cg_esc_put(char *out, const char *s, size_t len);

/* The escaped form of the string `s` (NULL gives ""), in one of eight
 * buffers of the calling thread, reused round-robin: valid until eight more
 * calls, so several may be arguments of one printf. Out of memory gives a
 * fixed "?" string. */
const char *cg_esc(const char *s);
/* Release the calling thread's buffers (at exit; harmless to call twice). */
void cg_esc_free(void);

#endif
