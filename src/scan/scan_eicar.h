/* scan_eicar — the EICAR anti-malware test file, by its definition: a file
 * that starts with the 68-byte test string, followed only by white space
 * (space, tab, LF, CR, CTRL-Z), 128 bytes at most in all. Pure. */
#ifndef CG_SCAN_EICAR_H
#define CG_SCAN_EICAR_H

#include <stddef.h>
#include <stdint.h>

#define SCAN_EICAR_LEN 68
#define SCAN_EICAR_FILE_MAX 128
/* The name hits report. */
#define SCAN_EICAR_NAME "EICAR-Test-File"

/* 1 when the whole content `buf` (`len` bytes) is the test file. */
int scan_eicar_is(const uint8_t *buf, size_t len);

#endif
