/* priority — which inventory hosts to sweep first, and why.
 *
 * Ranking (explainable to an auditor; see man canhgac-priority):
 *   tier 1  a host address is itself on a current intel list (exactly or
 *           inside a listed CIDR);
 *   tier 2  the host's logs show traffic with listed indicators, or a Sigma
 *           rule of level medium or above fired on it (an open alert): a
 *           host where credential dumping was detected is as urgent as one
 *           talking to a C2 server;
 *   tier 3  none of these (shown only on request).
 * Within a tier, higher score first, then host name (byte order):
 *   score = L × (1 + E + ⌊log2(1 + N)⌋ + D + ⌊log2(1 + M)⌋ + S)
 * L the security level of the host's system (1 when it has none), E the
 * number of list entries its addresses are on, N the log lines with hits,
 * D the distinct listed indicators in those lines, M the events behind its
 * open Sigma alerts, S the sum over the Sigma rules of those alerts of the
 * rule's weight: critical 3, high 2, medium 1, low and informational 0.
 * One high Sigma rule on one event (1 + 1 + 2) weighs as much as one line
 * with one listed indicator (1 + 1 + 1) and a little more.
 *
 * Hits that no inventory host could be given are reported per label, so
 * nothing found is silently dropped. Everything in a report is borrowed from
 * it until priority_report_free. */
#ifndef CG_PRIORITY_H
#define CG_PRIORITY_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"
#include "cg_db.h"

enum priority_tier { PRIORITY_TIER_LISTED = 1, PRIORITY_TIER_HITS = 2, PRIORITY_TIER_NONE = 3 };

#define PRIORITY_PEERS_SHOWN 10 /* listed indicators named per host */

struct priority_listing {
	const char *addr, *source, *list, *entry, *entry_type, *family, *first_seen, *last_seen;
};

struct priority_hits {
	uint64_t lines;       /* distinct log lines with hits */
	uint64_t indicators;  /* distinct listed indicators seen in them */
	int64_t last_seen;    /* 0: unknown */
	const char *families; /* "Emotet, QakBot"; "" when none */
	const char *sources;  /* "feodo-c2, level1"; "" when none */
	size_t n_peers;       /* at most PRIORITY_PEERS_SHOWN */
	const char *const *peers;
};

#define PRIORITY_SIGMA_SHOWN 10 /* Sigma alerts named per host */

/* One open Sigma alert of a host. */
struct priority_sigma_alert {
	const char *id, *rule_id, *title, *level;
	uint64_t count;
	int64_t first_seen, last_seen; /* 0: unknown */
};

struct priority_sigma {
	uint64_t rules;      /* Sigma rules with open alerts */
	uint64_t events;     /* events behind them (M) */
	uint64_t weight;     /* S */
	const char *max_level; /* highest level; "" when no alert */
	int64_t last_seen;   /* 0: unknown */
	size_t n_alerts;     /* at most PRIORITY_SIGMA_SHOWN, most severe first */
	const struct priority_sigma_alert *alerts;
};

struct priority_host {
	unsigned rank;
	int64_t host_id;
	const char *name;
	const char *system; /* "" when none */
	int level;          /* the L of the formula */
	size_t n_addrs;
	const char *const *addrs;
	enum priority_tier tier;
	int64_t score;
	size_t n_on_list;
	const struct priority_listing *on_list;
	struct priority_hits hits;
	struct priority_sigma sigma;
	size_t n_reasons; /* translated sentences, most important first */
	const char *const *reasons;
};

struct priority_unattributed {
	const char *label; /* syslog host name or address; "" when the line named none */
	struct priority_hits hits;
	struct priority_sigma sigma;
};

struct priority_opts {
	const char *system; /* only hosts of this system; NULL: all */
	size_t limit;       /* at most this many hosts; 0: no limit */
	int all;            /* include tier 3 */
};

struct priority_report;

enum cg_err priority_run(struct cg_db *db, const struct priority_opts *opts, struct priority_report **out) CG_MUST_CHECK;
void priority_report_free(struct priority_report *r);

size_t priority_report_count(const struct priority_report *r);
const struct priority_host *priority_report_host(const struct priority_report *r, size_t i);
/* Ranked hosts before --limit was applied. */
size_t priority_report_total(const struct priority_report *r);
size_t priority_report_unattributed_count(const struct priority_report *r);
const struct priority_unattributed *priority_report_unattributed(const struct priority_report *r, size_t i);

/* The score of the formula above without Sigma alerts (M = S = 0). */
int64_t priority_score(int level, uint64_t entries, uint64_t lines, uint64_t indicators);
/* The whole formula. */
int64_t priority_score_sigma(int level, uint64_t entries, uint64_t lines, uint64_t indicators,
			     uint64_t sigma_events, uint64_t sigma_weight);
/* The weight of a Sigma level in S ("high" → 2); unknown text weighs 0. */
unsigned priority_sigma_weight(const char *level);

#endif
