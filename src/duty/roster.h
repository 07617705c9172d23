/* roster — the duty roster: who is on duty when, how to reach them, and
 * who is told next when nobody acknowledges an alert.
 *
 * A YAML file (see samples/duty/roster.yaml and canhgac-duty(1)):
 * channels (SMTP, generic JSON webhook, Telegram Bot API sendMessage,
 * Mattermost incoming webhook), people with their contacts, weekly shifts
 * in the roster's zone (Asia/Ho_Chi_Minh unless it says otherwise; a shift
 * whose end is not after its start ends the next day), overrides by date
 * (holidays), escalation levels after the people on duty (the last is the
 * provincial incident-response team) and the least severity that pages.
 *
 * Parsing is pure (text in, roster or "file:line: field 'x': why" out);
 * duty_roster_load also reads the secrets the roster points to. Times are
 * seconds since the epoch (UTC). */
#ifndef CG_DUTY_ROSTER_H
#define CG_DUTY_ROSTER_H

#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "cg_err.h"

/* Caps on what a roster may hold. */
#define DUTY_ROSTER_MAX_BYTES (1u << 20)
#define DUTY_MAX_PEOPLE 500
#define DUTY_MAX_CHANNELS 64
#define DUTY_MAX_SHIFTS 1000
#define DUTY_MAX_LEVELS 10
#define DUTY_MAX_CONTACTS 16
#define DUTY_MINUTES_PER_WEEK (7 * 24 * 60)

enum duty_channel_kind {
	DUTY_CH_SMTP = 1,
	DUTY_CH_WEBHOOK,    /* generic: the alert as JSON */
	DUTY_CH_TELEGRAM,   /* Bot API sendMessage: {"chat_id", "text"} */
	DUTY_CH_MATTERMOST, /* incoming webhook: {"text", "channel"?, "username"} */
};

/* One channel; strings belong to the roster. */
struct duty_channel {
	const char *name;
	enum duty_channel_kind kind;
	/* SMTP */
	const char *server;  /* host name or address */
	unsigned port;       /* 25 unless given */
	int tls;             /* 0: plain, 1: STARTTLS required, 2: implicit TLS (smtps) */
	const char *from;    /* envelope and From: address */
	const char *username; /* NULL: no authentication */
	const char *password_file, *password_env;
	const char *password; /* read by duty_roster_load; NULL until then */
	/* Webhooks: the URL to POST to (Telegram: the whole sendMessage URL,
	 * or built from token_file and api). */
	const char *url;
	const char *token_file, *api;
	const char *ca_file; /* extra CA bundle; NULL: the system's */
	unsigned timeout_s;  /* whole transfer; 15 unless given */
};

/* How one person is reached on one channel: an e-mail address, a
 * Telegram chat id, a Mattermost channel override, or "" for a webhook. */
struct duty_contact {
	size_t channel; /* index into the roster's channels */
	const char *to;
};

struct duty_person {
	const char *id;   /* the key used in shifts and on the command line */
	const char *name; /* display name */
	const struct duty_contact *contacts;
	size_t n_contacts;
};

/* An escalation level after the people on duty (level 0): told `after_s`
 * seconds after the previous level when nobody acknowledged. */
struct duty_level {
	const char *name;
	int64_t after_s;
	const size_t *people; /* indexes into the roster's people */
	size_t n_people;
	int provincial;       /* reaching it moves the alert to 'escalated' */
};

struct duty_roster;

/* Parse roster text (`file` names it in errors). On failure *out is NULL
 * and the message says file, line and field. */
enum cg_err duty_roster_parse(const char *file, const char *buf, size_t len, struct duty_roster **out) CG_MUST_CHECK;
/* Read and parse the file, then the secrets it names (password_file,
 * password_env, token_file). */
enum cg_err duty_roster_load(const char *path, struct duty_roster **out) CG_MUST_CHECK;
/* Read and parse the file only (no secrets: for showing the roster). */
enum cg_err duty_roster_read(const char *path, struct duty_roster **out) CG_MUST_CHECK;
void duty_roster_free(struct duty_roster *r);

/* Minutes east of UTC of the roster's zone, and its name as written. */
int duty_roster_offset(const struct duty_roster *r);
const char *duty_roster_zone(const struct duty_roster *r);
enum alert_severity duty_roster_min_severity(const struct duty_roster *r);
/* Alerts older than this (seconds) when first seen by the engine are not
 * paged (a roster installed on an old database does not page its past). */
int64_t duty_roster_max_age(const struct duty_roster *r);
/* Retries: first delay, the cap of the doubling delay, attempts in all. */
void duty_roster_retry(const struct duty_roster *r, int64_t *first_s, int64_t *max_s, unsigned *attempts);

size_t duty_roster_n_people(const struct duty_roster *r);
const struct duty_person *duty_roster_person(const struct duty_roster *r, size_t i);
/* Index of person `id`, or -1. */
long duty_roster_find_person(const struct duty_roster *r, const char *id);
size_t duty_roster_n_channels(const struct duty_roster *r);
const struct duty_channel *duty_roster_channel(const struct duty_roster *r, size_t i);
/* Escalation levels 1..n (index 0 is the first level after on duty). */
size_t duty_roster_n_levels(const struct duty_roster *r);
const struct duty_level *duty_roster_level(const struct duty_roster *r, size_t i);

/* Who is on duty at `t`. An override whose date and hours contain `t`
 * decides alone; else every weekly shift that contains `t` (all of them
 * when shifts overlap). Writes at most `max` person indexes in roster
 * order without repeats, returns how many there are; *what (may be NULL)
 * gets the name of the shift or override ("" when nobody). */
size_t duty_roster_on_duty(const struct duty_roster *r, int64_t t, size_t *people, size_t max, const char **what);

/* A stretch of the week no shift covers: minutes since Monday 00:00 in the
 * roster's zone, [start, end). */
struct duty_gap {
	unsigned start, end;
};
/* The gaps in the weekly shifts (overrides do not count), in order, a gap
 * across Sunday midnight as one that ends past DUTY_MINUTES_PER_WEEK.
 * Writes at most `max`, returns how many there are. */
size_t duty_roster_gaps(const struct duty_roster *r, struct duty_gap *gaps, size_t max);
/* "Tue 17:00" for a minute of the week (modulo the week); 12 bytes. */
void duty_week_minute_format(unsigned m, char *buf, size_t n);

#endif
