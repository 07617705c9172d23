/* agent_msg — the messages between canhgac-agent and the centre: 4-byte
 * big-endian length + one JSON object, capped at AGENT_MSG_MAX bytes, and the
 * one strict parser both ends use (unknown members, wrong types, strings or
 * arrays over their caps are errors naming the member). Pure: bytes in,
 * validated message out, no I/O. */
#ifndef CG_AGENT_MSG_H
#define CG_AGENT_MSG_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"

#define AGENT_MSG_MAX (16u << 20)       /* one frame */
#define AGENT_FILE_MAX (8u << 20)       /* a collected file */
#define AGENT_TEXT_MAX (8u << 20)       /* packages text of an inventory */
#define AGENT_STR_MAX 4096              /* any other string */
#define AGENT_PEM_MAX 16384             /* a CSR or certificate */
#define AGENT_LIST_MAX 10000            /* addresses, ports, users, hits, tasks */
#define AGENT_LINES_MAX 5000            /* log lines in one report */
#define AGENT_LINE_MAX 8192             /* one log line */
#define AGENT_RULES_MAX (8u << 20)      /* YARA rule sources of one scan task, all files */
#define AGENT_TASK_RULES_JSON_MAX (AGENT_MSG_MAX - (1u << 20)) /* the rules of a task, JSON-escaped */
#define AGENT_RULE_FILES_MAX 1000       /* rule files of one scan task */
#define AGENT_PROBLEMS_MAX 100          /* problems listed in a scan result (the rest counted) */

enum agent_msg_type {
	AGENT_MSG_ENROLL,   /* agent: token, csr, hostname, version */
	AGENT_MSG_HELLO,    /* agent: heartbeat (version, hostname, addresses) */
	AGENT_MSG_REPORT,   /* agent: seq, kind, body (an outbox item) */
	AGENT_MSG_ENROLLED, /* centre: agent id, certificate, CA certificate */
	AGENT_MSG_TASKS,    /* centre: tasks for the agent (answer to hello) */
	AGENT_MSG_ACK,      /* centre: report seq stored */
	AGENT_MSG_ERROR,    /* centre: message */
};

enum agent_report_kind { AGENT_REPORT_INVENTORY, AGENT_REPORT_LOGS, AGENT_REPORT_RESULT };

struct agent_port {
	const char *proto; /* "tcp" or "tcp6" */
	const char *addr;
	int64_t port;
};

struct agent_user {
	const char *name, *home, *shell;
	int64_t uid;
};

/* A YARA rule file sent with a scan task: its name at the centre (a
 * relative path without "..") and its source. */
struct agent_rule {
	const char *name, *source;
};

struct agent_task_msg {
	int64_t id;
	const char *kind; /* "scan" or "collect" */
	const char *path;
	struct agent_rule *rules; /* scan: the centre's current rule set */
	size_t n_rules;
};

/* A hit of a scan task: kind "yara" or "eicar", the rule, what matched
 * ("file" or "file!inner"), the file on disk, its size, the rule's tags and
 * description, and digests (NULL when not computed). */
struct agent_hit {
	const char *kind, *path, *file, *rule, *tags, *description, *sha256, *sha1, *md5;
	int64_t size;
};

/* A problem of a scan task: kind as scan_problem_kind_name(). */
struct agent_problem {
	const char *kind, *path, *message;
};

/* A validated message. Strings are borrowed from `root` (freed with the
 * message); absent optional strings are NULL, absent lists have count 0. */
struct agent_msg {
	enum agent_msg_type type;
	json_t *root;
	/* enroll, hello */
	const char *token, *csr, *hostname, *version;
	const char **addresses;
	size_t n_addresses;
	/* report */
	int64_t seq;
	enum agent_report_kind kind;
	/* report inventory */
	const char *os_release, *kernel, *pkg_format, *packages;
	struct agent_port *ports;
	size_t n_ports;
	struct agent_user *users;
	size_t n_users;
	/* report logs */
	const char *file;
	int64_t offset;
	const char **lines;
	size_t n_lines;
	/* report result */
	int64_t task;
	const char *status, *error, *file_sha256, *file_data; /* data: base64 */
	int64_t file_size;
	struct agent_hit *hits;
	size_t n_hits;
	int64_t files_scanned, hits_total, bytes_scanned, rules_count;
	struct agent_problem *problems;
	size_t n_problems;
	json_t *problem_counts; /* borrowed: {kind: count} */
	/* enrolled */
	int64_t agent_id;
	const char *cert, *ca;
	/* tasks */
	struct agent_task_msg *tasks;
	size_t n_tasks;
	/* error */
	const char *message;
};

/* Parse one JSON message (the frame's payload, without the length). */
enum cg_err agent_msg_parse(const void *buf, size_t len, struct agent_msg **out) CG_MUST_CHECK;
void agent_msg_free(struct agent_msg *m); /* NULL is a no-op */

/* Length of the frame whose 4-byte header is `hdr`; CG_ELIMIT past the cap,
 * CG_EPARSE for an empty frame. */
enum cg_err agent_frame_len(const unsigned char hdr[4], size_t *len) CG_MUST_CHECK;
/* Serialise `v` (compact) into a frame: header + JSON, a new buffer the
 * caller frees. CG_ELIMIT past the cap. Does not steal `v`. */
enum cg_err agent_frame_build(const json_t *v, unsigned char **out, size_t *len) CG_MUST_CHECK;

/* A rule file name as a task carries it: [A-Za-z0-9._-], not starting
 * with '.', at most 255 bytes (a name the agent can write in its temp dir). */
int agent_rule_name_ok(const char *name);

const char *agent_report_kind_name(enum agent_report_kind k);

#endif
