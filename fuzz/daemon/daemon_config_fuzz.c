/* canhgacd's configuration: YAML in, configuration or a located error out. */
#include <stdint.h>
#include <string.h>

#include "daemon_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct daemon_config *c = NULL;
	if (daemon_config_parse("/etc/canhgac/fuzz.yaml", (const char *)data, size, &c) == CG_OK) {
		/* What a parsed configuration promises. */
		if (!c->database || (!c->n_listeners && !c->n_files) || c->n_listeners > DAEMON_MAX_LISTENERS ||
		    c->n_files > DAEMON_MAX_FILES || c->n_upstreams > DAEMON_MAX_UPSTREAMS ||
		    c->workers > DAEMON_MAX_WORKERS)
			__builtin_trap();
		for (size_t i = 0; i < c->n_listeners; i++)
			if (!c->listeners[i].name || !c->listeners[i].address || !c->listeners[i].proto ||
			    c->listeners[i].port > 65535 ||
			    (c->listeners[i].proto == DAEMON_TLS && !c->listeners[i].tls_cert))
				__builtin_trap();
		for (size_t i = 0; i < c->n_files; i++)
			if (!c->files[i].path || c->files[i].path[0] != '/')
				__builtin_trap();
	}
	daemon_config_free(c);
	return 0;
}
