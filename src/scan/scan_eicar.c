#include "scan_eicar.h"

#include <string.h>

/* The test string is kept in two halves, so this source and the binary built
 * from it are not themselves taken for the test file by other scanners. */
static const char head[] = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$";
static const char tail[] = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

_Static_assert(sizeof head - 1 + sizeof tail - 1 == SCAN_EICAR_LEN, "EICAR string length");

int scan_eicar_is(const uint8_t *buf, size_t len)
{
	if (len < SCAN_EICAR_LEN || len > SCAN_EICAR_FILE_MAX)
		return 0;
	if (memcmp(buf, head, sizeof head - 1) != 0 || memcmp(buf + sizeof head - 1, tail, sizeof tail - 1) != 0)
		return 0;
	for (size_t i = SCAN_EICAR_LEN; i < len; i++)
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n' && buf[i] != '\r' && buf[i] != 0x1a)
			return 0;
	return 1;
}
