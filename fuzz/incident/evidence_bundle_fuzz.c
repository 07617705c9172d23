/* The evidence bundle reader: any archive bytes, never a crash or a hang. */
#include <stdint.h>

#include "bundle.h"

static void problem(void *ctx, const char *what, const char *msg)
{
	(void)ctx;
	(void)what;
	(void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bundle_result res;
	enum cg_err rc = bundle_verify_memory(data, size, problem, NULL, &res);
	return rc == CG_OK ? 0 : 0;
}
