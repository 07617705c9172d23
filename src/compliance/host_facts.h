/* host_facts — facts about a host, read from the files real tools produce on
 * it: `sshd -T`, `nft list ruleset`, `timedatectl show`, `auditctl -s`,
 * /etc/os-release, `systemctl is-active UNIT...`; Windows `secedit /export`,
 * `Get-MpComputerStatus | ConvertTo-Json`, `auditpol /get /category:* /r`.
 *
 * Pure parsers: bytes in, (key, value) facts out, no I/O. Keys are
 * "<tool>.<name>" (sshd.permitrootlogin, nft.input_policy, mp.antivirusenabled,
 * auditpol.logon, ...), listed in man canhgac-compliance. UTF-16 files (as
 * Windows writes them) are read too. */
#ifndef CG_HOST_FACTS_H
#define CG_HOST_FACTS_H

#include <stddef.h>

#include "cg_err.h"

#define HOST_FACTS_MAX 512
#define HOST_FACT_KEY_MAX 128
#define HOST_FACT_VALUE_MAX 2048
#define HOST_FACTS_FILE_MAX (8u << 20)

enum fact_tool {
	FACT_TOOL_SSHD,        /* sshd -T */
	FACT_TOOL_NFT,         /* nft list ruleset */
	FACT_TOOL_TIMEDATECTL, /* timedatectl show */
	FACT_TOOL_AUDITCTL,    /* auditctl -s */
	FACT_TOOL_OS_RELEASE,  /* /etc/os-release */
	FACT_TOOL_SYSTEMCTL,   /* systemctl is-active UNIT... */
	FACT_TOOL_SECEDIT,     /* secedit /export /cfg FILE */
	FACT_TOOL_MPSTATUS,    /* Get-MpComputerStatus | ConvertTo-Json */
	FACT_TOOL_AUDITPOL,    /* auditpol /get /category:* /r */
	FACT_TOOL_COUNT
};

struct host_fact {
	char *key, *value;
};

struct host_facts {
	enum fact_tool tool;
	size_t n;
	struct host_fact *f; /* owned */
};

/* Name used on the command line ("sshd-T", "nft", ...); NULL if out of range. */
const char *fact_tool_name(enum fact_tool t);
/* CG_OK and *out when `name` is a tool name. */
enum cg_err fact_tool_from_name(const char *name, enum fact_tool *out) CG_MUST_CHECK;
/* Guess the tool from the content; CG_EUNSUPPORTED naming `file` when no
 * format fits. systemctl is-active output (bare states) is recognised. */
enum cg_err fact_tool_detect(const char *file, const char *buf, size_t len, enum fact_tool *out) CG_MUST_CHECK;

/* Parse `buf` (content of `file`) written by `tool` into `out` (emptied
 * first; free with host_facts_clear). `units` is the comma-separated unit
 * list given to `systemctl is-active` (required for that tool, else
 * ignored). Errors say "file:line: reason". */
enum cg_err host_facts_parse(enum fact_tool tool, const char *file, const char *buf, size_t len, const char *units,
			     struct host_facts *out) CG_MUST_CHECK;
void host_facts_clear(struct host_facts *hf);
/* Value of `key`, NULL when absent. */
const char *host_facts_get(const struct host_facts *hf, const char *key);

#endif
