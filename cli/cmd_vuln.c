/* PLACEHOLDER: replaced by the module that owns this command. */
#include "cli.h"

int cmd_vuln(struct cli_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	cli_error("not built yet");
	return CLI_FAIL;
}
