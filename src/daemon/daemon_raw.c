/* daemon_raw — the write-ahead record of one received message (see daemon_raw.h). */
#include "daemon_raw.h"

#include <string.h>

#include "cg_i18n.h"

int daemon_raw_is(const void *rec, size_t n)
{
	return n >= DAEMON_RAW_HEAD && ((const unsigned char *)rec)[0] == DAEMON_RAW_MAGIC;
}

static size_t cut(size_t n, size_t max)
{
	return n > max ? max : n;
}

size_t daemon_raw_size(const struct daemon_raw *r)
{
	return DAEMON_RAW_HEAD + cut(r->name_len, DAEMON_RAW_NAME_MAX) + cut(r->peer_len, DAEMON_RAW_PEER_MAX) +
	       r->msg_len;
}

void daemon_raw_encode(const struct daemon_raw *r, unsigned char *out)
{
	uint16_t nl = (uint16_t)cut(r->name_len, DAEMON_RAW_NAME_MAX);
	uint16_t pl = (uint16_t)cut(r->peer_len, DAEMON_RAW_PEER_MAX);
	out[0] = DAEMON_RAW_MAGIC;
	out[1] = (unsigned char)r->format;
	out[2] = (unsigned char)r->flags;
	out[3] = 0;
	memcpy(out + 4, &nl, 2);
	memcpy(out + 6, &pl, 2);
	memcpy(out + 8, &r->received_us, 8);
	unsigned char *p = out + DAEMON_RAW_HEAD;
	if (nl)
		memcpy(p, r->name, nl);
	p += nl;
	if (pl)
		memcpy(p, r->peer, pl);
	p += pl;
	if (r->msg_len)
		memcpy(p, r->msg, r->msg_len);
}

enum cg_err daemon_raw_decode(const void *rec, size_t n, struct daemon_raw *r)
{
	const unsigned char *b = rec;
	uint16_t nl, pl;
	memset(r, 0, sizeof *r);
	if (n < DAEMON_RAW_HEAD || b[0] != DAEMON_RAW_MAGIC)
		return cg_err_set(CG_EPARSE, _("raw record: %zu bytes: not a raw record"), n);
	memcpy(&nl, b + 4, 2);
	memcpy(&pl, b + 6, 2);
	if (b[3] != 0 || nl > DAEMON_RAW_NAME_MAX || pl > DAEMON_RAW_PEER_MAX ||
	    (size_t)DAEMON_RAW_HEAD + nl + pl > n)
		return cg_err_set(CG_EPARSE, _("raw record: %zu bytes: bad header"), n);
	r->format = b[1];
	r->flags = b[2];
	memcpy(&r->received_us, b + 8, 8);
	r->name = (const char *)b + DAEMON_RAW_HEAD;
	r->name_len = nl;
	r->peer = r->name + nl;
	r->peer_len = pl;
	r->msg = r->peer + pl;
	r->msg_len = n - DAEMON_RAW_HEAD - nl - pl;
	return CG_OK;
}
