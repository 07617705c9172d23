/* agent_inv — what the agent tells the centre about its host: os-release,
 * kernel, installed packages (the dpkg status file, or `rpm -qa` in the
 * query format the vulnerability module reads), listening TCP ports
 * (/proc/net/tcp, tcp6) and local users (/etc/passwd), read under `root`
 * ("" or "/" for the running system; tests point it at a fake tree). */
#ifndef CG_AGENT_INV_H
#define CG_AGENT_INV_H

#include <jansson.h>
#include <stddef.h>

#include "cg_err.h"

/* The inventory report body (agent_msg.h, kind "inventory"); a new
 * reference the caller releases. */
enum cg_err agent_inv_collect(const char *root, json_t **out) CG_MUST_CHECK;

/* Listening sockets from the text of /proc/net/tcp (`v6` 0) or tcp6 (1),
 * appended to `ports` as {proto, addr, port}. Pure; bad lines are skipped. */
void agent_inv_parse_proc_net(const char *text, int v6, json_t *ports);
/* Users from the text of /etc/passwd, appended to `users`. Pure. */
void agent_inv_parse_passwd(const char *text, json_t *users);

/* The host's addresses (no loopback), for the heartbeat; a new array. */
json_t *agent_inv_addresses(void);

#endif
