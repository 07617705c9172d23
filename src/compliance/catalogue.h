/* catalogue — requirement catalogues of a compliance profile, as data.
 *
 * A catalogue is a YAML file (data/compliance/, format in
 * man canhgac-compliance): requirements grouped as the standard groups them
 * (management: policy, organization, personnel, design/build, operation;
 * technical: network, host, application, data), each with the security
 * levels (1–5) it applies to, the evidence that satisfies it, and optionally
 * automatic checks on host facts or awareness records. A catalogue is loaded
 * once and read-only afterwards; records are borrowed from it until
 * comp_catalogue_free. */
#ifndef CG_CATALOGUE_H
#define CG_CATALOGUE_H

#include <stddef.h>

#include "cg_err.h"

#define COMP_CATALOGUE_MAX_BYTES (4u << 20)
#define COMP_REQ_MAX 2000
#define COMP_CHECKS_MAX 8
#define COMP_TEXT_MAX 4096
#define COMP_LEVELS 5

enum comp_group {
	COMP_GROUP_POLICY,
	COMP_GROUP_ORGANIZATION,
	COMP_GROUP_PERSONNEL,
	COMP_GROUP_DESIGN,
	COMP_GROUP_OPERATION,
	COMP_GROUP_NETWORK,
	COMP_GROUP_HOST,
	COMP_GROUP_APPLICATION,
	COMP_GROUP_DATA,
	COMP_GROUP_COUNT
};

enum comp_platform { COMP_PLATFORM_ANY, COMP_PLATFORM_LINUX, COMP_PLATFORM_WINDOWS };
enum comp_op { COMP_OP_EQ, COMP_OP_NE, COMP_OP_IN, COMP_OP_GE, COMP_OP_LE, COMP_OP_CONTAINS };
enum comp_check_kind { COMP_CHECK_FACT, COMP_CHECK_AWARENESS };

struct comp_check {
	enum comp_check_kind kind;
	enum comp_platform platform;
	/* COMP_CHECK_FACT: every host of the system on `platform` must have
	 * fact `fact` satisfying `op value` (or value_by_level[level]). */
	const char *fact;
	enum comp_op op;
	const char *value;                  /* NULL when by level */
	const char *value_by_level[COMP_LEVELS + 1]; /* [1..5]; NULL: none */
	/* COMP_CHECK_AWARENESS: a record of `awareness` ("briefing",
	 * "phishing") within `within_days`; for phishing at most
	 * `max_click_percent` of recipients clicked (-1: any). */
	const char *awareness;
	long within_days;
	long max_click_percent;
};

struct comp_req {
	const char *id;
	enum comp_group group;
	unsigned levels; /* bit L set: applies to level L */
	const char *title_vi, *title_en;
	const char *evidence_vi, *evidence_en;
	size_t n_checks;
	const struct comp_check *checks;
	unsigned long line; /* where it starts in its file */
};

struct comp_catalogue;

/* Parse catalogue `buf` (content of `file`, named in errors). Refuses an
 * unknown field, a duplicate requirement id, a level outside 1–5, a missing
 * field, with "file:line: field 'x': reason" (CG_EPARSE). Caller frees. */
enum cg_err comp_catalogue_parse(const char *file, const char *buf, size_t len,
				 struct comp_catalogue **out) CG_MUST_CHECK;
/* The bundled TCVN 11930:2017 catalogue. */
enum cg_err comp_catalogue_bundled(struct comp_catalogue **out) CG_MUST_CHECK;
void comp_catalogue_free(struct comp_catalogue *c);

const char *comp_catalogue_name(const struct comp_catalogue *c);
/* Title and notice in `lang` ("vi" or "en"). */
const char *comp_catalogue_title(const struct comp_catalogue *c, const char *lang);
const char *comp_catalogue_notice(const struct comp_catalogue *c, const char *lang);
size_t comp_catalogue_count(const struct comp_catalogue *c);
const struct comp_req *comp_catalogue_req(const struct comp_catalogue *c, size_t i);
const struct comp_req *comp_catalogue_find(const struct comp_catalogue *c, const char *id);

/* Group key as written in catalogues ("policy", ..., "data"), and its
 * translated name. */
const char *comp_group_key(enum comp_group g);
const char *comp_group_name(enum comp_group g);
/* 1 for the management groups, 0 for the technical ones. */
int comp_group_is_management(enum comp_group g);

const char *comp_req_title(const struct comp_req *r, const char *lang);
const char *comp_req_evidence(const struct comp_req *r, const char *lang);


#endif
