/* feed — threat-intel feed formats: detection and parsing into indicators.
 *
 * Parsers are pure: bytes in, records or per-line errors out, no I/O. Each
 * record and each bad line is handed to the sink as it is found; a sink that
 * returns non-CG_OK stops the parse with that code. */
#ifndef CG_FEED_H
#define CG_FEED_H

#include <stddef.h>

#include "cg_err.h"
#include "ioc.h"

enum feed_format {
	FEED_AUTO = 0,
	FEED_PLAIN,    /* one indicator a line; '#' and ';' comments, "VALUE;COMMENT" / "VALUE # c" */
	FEED_FEODO,    /* abuse.ch Feodo Tracker CSV */
	FEED_SPAMHAUS, /* Spamhaus DROP/DROPv6/EDROP: "CIDR ; SBLnnnn" */
	FEED_FIREHOL,  /* FireHOL .netset/.ipset */
	FEED_HOSTS,    /* hosts file: "0.0.0.0 domain" */
	FEED_RPZ,      /* DNS RPZ zone: "domain CNAME ." */
	FEED_CSV,      /* CSV with a header row, columns mapped by name */
	FEED_STIX,     /* STIX 2.1 bundle (indicator patterns) */
	FEED_MISP,     /* MISP event JSON (feed event or API export) */
	FEED_FORMAT_COUNT
};

/* Caps on what a feed can make us hold. */
#define FEED_LINE_MAX (1u << 20)     /* 1 MiB: longer lines are reported bad */
#define FEED_CSV_FIELDS_MAX 256
#define FEED_FAMILY_MAX 127
/* A JSON feed is parsed into a tree several times its size: keep it bounded. */
#define FEED_JSON_MAX (256u << 20)

struct feed_record {
	struct ioc ioc;
	size_t line;          /* 1-based line of the record (JSON: line where the object starts) */
	const char *family;   /* malware/botnet family or list tag, or NULL */
	const char *first_seen; /* as "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ", or NULL */
	const char *last_seen;
	const char *extra;    /* other mapped columns as JSON object text, or NULL */
};

struct feed_sink {
	enum cg_err (*record)(void *ctx, const struct feed_record *r);
	/* `reason` is a translated sentence without file name ("field 2: '300.1.2.3'
	 * is not an IPv4 address"); `line` is 1-based (0 when unknown). */
	enum cg_err (*bad)(void *ctx, size_t line, const char *reason);
	void *ctx;
	/* Optional (may be NULL): an entry that is valid but not an indicator and
	 * is left out on purpose ("MISP type 'text' is not an indicator", a
	 * `localhost` hosts entry, an x509-certificate STIX pattern). */
	enum cg_err (*skip)(void *ctx, size_t line, const char *reason);
};

/* How the entries of one input were accounted for. An entry is a line of a
 * line format, a row of a CSV (plus its comment lines), an `indicator` object
 * of a STIX bundle, an attribute of a MISP event. Always
 * entries == imported + bad + comments + skipped. */
struct feed_counts {
	enum feed_format format; /* the format actually parsed (after detection) */
	size_t entries;
	size_t imported; /* entries that gave at least one record */
	size_t records;  /* records handed to the sink (an entry may give several) */
	size_t bad;      /* entries handed to sink->bad */
	size_t comments; /* comments, blank lines, header rows, zone directives */
	size_t skipped;  /* valid entries that are not indicators (sink->skip) */
};

struct feed_opts {
	/* CSV column mapping override, "field=Header Name,field=Header" with field one
	 * of ip, domain, url, hash, indicator, family, first_seen, last_seen, asn,
	 * port; NULL to map by the known header names. */
	const char *csv_map;
	/* Family to give records that have none (e.g. the source name), or NULL. */
	const char *default_family;
};

const char *feed_format_name(enum feed_format f); /* "plain", "feodo", ... */
enum feed_format feed_format_from_name(const char *name); /* FEED_AUTO if unknown */

/* Guess the format from the content (and the file name as a hint). Never fails:
 * FEED_PLAIN is the fallback. */
enum feed_format feed_detect(const char *buf, size_t len, const char *filename);

/* Parse `buf` (need not be NUL-terminated) in format `f` (FEED_AUTO: detect).
 * Returns CG_OK when the input was read to the end (bad lines went to
 * sink->bad); another code when the whole input is unusable (e.g. not JSON),
 * with the reason in the thread's error message. */
enum cg_err feed_parse(enum feed_format f, const char *buf, size_t len, const struct feed_opts *opts,
		       const struct feed_sink *sink) CG_MUST_CHECK;

/* feed_parse that also fills `counts` (always, even on failure: what was
 * seen until then). */
enum cg_err feed_parse_counted(enum feed_format f, const char *buf, size_t len, const struct feed_opts *opts,
			       const struct feed_sink *sink, struct feed_counts *counts) CG_MUST_CHECK;

/* Normalize a date/time as found in feeds ("2024-04-01", "2023-05-23 17:51:44",
 * "2023-05-23T17:51:44.123Z", "15/11/2026", "15/11/2026 08:30", an epoch in
 * seconds) to "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ" in `out` (>= 21 bytes).
 * Returns 0 on success, -1 if it is not a date. */
int feed_date_normalize(const char *s, size_t n, char *out, size_t out_size);

#endif
