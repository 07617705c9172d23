/* The alert record's words and ids (see alert.h). */
#include "alert.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "cg_i18n.h"

static const char *const kinds[] = {"", "indicator", "sigma", "threshold", "yara"};
static const char *const severities[] = {"informational", "low", "medium", "high", "critical"};
static const char *const states[] = {"new", "verified", "false_positive", "escalated", "closed"};

const char *alert_kind_name(enum alert_kind k)
{
	return (unsigned)k < sizeof kinds / sizeof kinds[0] && k ? kinds[k] : "";
}

int alert_kind_from_name(const char *s, enum alert_kind *out)
{
	for (size_t i = 1; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(s, kinds[i]) == 0) {
			*out = (enum alert_kind)i;
			return 0;
		}
	return -1;
}

const char *alert_severity_name(enum alert_severity s)
{
	return (unsigned)s < sizeof severities / sizeof severities[0] ? severities[s] : "informational";
}

enum alert_severity alert_severity_from_level(const char *level)
{
	for (size_t i = 0; level && i < sizeof severities / sizeof severities[0]; i++)
		if (strcasecmp(level, severities[i]) == 0)
			return (enum alert_severity)i;
	return ALERT_SEV_INFORMATIONAL;
}

const char *alert_state_name(enum alert_state s)
{
	return (unsigned)s < sizeof states / sizeof states[0] ? states[s] : "new";
}

int alert_state_from_name(const char *s, enum alert_state *out)
{
	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
		if (strcmp(s, states[i]) == 0) {
			*out = (enum alert_state)i;
			return 0;
		}
	return -1;
}

int alert_state_is_open(enum alert_state s)
{
	return s == ALERT_STATE_NEW || s == ALERT_STATE_VERIFIED || s == ALERT_STATE_ESCALATED;
}

int alert_state_move_ok(enum alert_state from, enum alert_state to)
{
	switch (from) {
	case ALERT_STATE_NEW:
		return to == ALERT_STATE_VERIFIED || to == ALERT_STATE_FALSE_POSITIVE || to == ALERT_STATE_ESCALATED;
	case ALERT_STATE_VERIFIED: return to == ALERT_STATE_ESCALATED || to == ALERT_STATE_CLOSED;
	case ALERT_STATE_FALSE_POSITIVE:
	case ALERT_STATE_ESCALATED: return to == ALERT_STATE_CLOSED;
	case ALERT_STATE_CLOSED: return 0;
	}
	return 0;
}

const char *alert_state_moves(enum alert_state from)
{
	switch (from) {
	case ALERT_STATE_NEW: return "verified, false_positive, escalated";
	case ALERT_STATE_VERIFIED: return "escalated, closed";
	case ALERT_STATE_FALSE_POSITIVE:
	case ALERT_STATE_ESCALATED: return "closed";
	case ALERT_STATE_CLOSED: return "";
	}
	return "";
}

enum cg_err alert_id_new(int64_t now_ms, char out[ALERT_ID_LEN + 1])
{
	unsigned char b[16];
	size_t got = 0;

	/* UUIDv7: 48-bit Unix time in ms, version 7, 74 random bits, variant 10. */
	while (got < 10) {
		ssize_t n = getrandom(b + 6 + got, 10 - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return cg_err_set(CG_EIO, _("alert: no random source for an alert id: %s"), strerror(errno));
		}
		got += (size_t)n;
	}
	if (now_ms < 0)
		now_ms = 0;
	for (int i = 0; i < 6; i++)
		b[i] = (unsigned char)((uint64_t)now_ms >> (40 - 8 * i));
	b[6] = (unsigned char)(0x70 | (b[6] & 0x0f));
	b[8] = (unsigned char)(0x80 | (b[8] & 0x3f));
	snprintf(out, ALERT_ID_LEN + 1,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4],
		 b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return CG_OK;
}
