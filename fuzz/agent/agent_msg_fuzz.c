/* The agent protocol: any bytes as a frame header and as a message (the one
 * parser both the hub and the agent use), and as an enrolment token. Never a
 * crash or a hang; an accepted message has every member its type requires. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "agent_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct agent_msg *m = NULL;
	size_t len;

	if (size >= 4 && agent_frame_len(data, &len) == CG_OK)
		assert(len > 0 && len <= AGENT_MSG_MAX);
	if (agent_msg_parse(data, size, &m) == CG_OK) {
		switch (m->type) {
		case AGENT_MSG_ENROLL: assert(m->token && m->csr && m->hostname && m->version); break;
		case AGENT_MSG_HELLO: assert(m->hostname && m->version); break;
		case AGENT_MSG_REPORT:
			assert(m->seq > 0);
			for (size_t i = 0; i < m->n_ports; i++)
				assert(m->ports[i].port >= 0 && m->ports[i].port <= 65535);
			for (size_t i = 0; i < m->n_lines; i++)
				assert(strlen(m->lines[i]) <= AGENT_LINE_MAX);
			if (m->kind == AGENT_REPORT_RESULT && m->file_data)
				assert(m->file_sha256 && strlen(m->file_sha256) == 64);
			break;
		case AGENT_MSG_TASKS:
			for (size_t i = 0; i < m->n_tasks; i++)
				assert(m->tasks[i].id > 0 && m->tasks[i].path);
			break;
		case AGENT_MSG_ENROLLED: assert(m->cert && m->ca && m->agent_id > 0); break;
		case AGENT_MSG_ACK: assert(m->seq > 0); break;
		case AGENT_MSG_ERROR: assert(m->message); break;
		}
		/* What parses serialises back into a frame. */
		unsigned char *frame;
		if (agent_frame_build(m->root, &frame, &len) == CG_OK)
			free(frame);
		agent_msg_free(m);
	}
	char *tok = malloc(size + 1);
	if (tok) {
		struct agent_token_parts parts;
		memcpy(tok, data, size);
		tok[size] = '\0';
		if (agent_token_parse(tok, &parts) == CG_OK)
			assert(parts.id > 0 && strlen(parts.secret) == 64 && strlen(parts.fingerprint) == 64);
		free(tok);
	}
	return 0;
}
