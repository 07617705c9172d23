/* cli — what every `canhgac <command>` shares: common options, database
 * opening, error and JSON output, progress on a terminal. Commands stay thin:
 * parse arguments, call the library, print. */
#ifndef CG_CLI_H
#define CG_CLI_H

#include <getopt.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "cg_err.h"
#include "cg_i18n.h"
#include "cg_db.h"

/* Exit statuses. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

struct cli_ctx {
	const char *prog;    /* "canhgac" */
	const char *db_path; /* --db or NULL */
	int json;            /* --json */
	int quiet;           /* --quiet: no progress */
	int out_tty;         /* stdout is a terminal */
	int err_tty;         /* stderr is a terminal */
};

/* Options every command accepts; put CLI_COMMON_LONGOPTS first in a command's
 * `struct option` array and "h" in its short options, and hand unknown codes
 * to cli_common_opt(). */
enum { CLI_OPT_DB = 0x1000, CLI_OPT_JSON, CLI_OPT_QUIET, CLI_OPT_FIRST_FREE = 0x1100 };
#define CLI_COMMON_LONGOPTS                                        \
	{"help", no_argument, NULL, 'h'},                          \
	{"db", required_argument, NULL, CLI_OPT_DB},               \
	{"json", no_argument, NULL, CLI_OPT_JSON},                 \
	{"quiet", no_argument, NULL, CLI_OPT_QUIET}

/* "Now" for the library, in seconds since the epoch: $CANHGAC_NOW when set
 * (a fixed clock for tests and the demo, as `date +%s` prints it), else the
 * real clock. The library never reads the environment for the time. */
int64_t cli_now(void);
/* Fix the run's clock from $CANHGAC_NOW when it is set (main calls it first). */
void cli_clock_init(void);

/* Handle a common option code; returns 1 if handled, 0 if not one of them. */
int cli_common_opt(struct cli_ctx *ctx, int c, const char *arg);

/* Print "canhgac: <message>" to stderr (translated fmt expected). */
void cli_error(const char *fmt, ...) CG_PRINTF(1, 2);
/* Print the thread's error message for `rc`; returns CLI_FAIL. */
int cli_fail(enum cg_err rc);
/* Print "Try 'canhgac CMD --help'." and return CLI_USAGE. */
int cli_usage_hint(const char *cmd);

/* For commands whose first argument is a subcommand ("canhgac block add
 * ..."): with no argument prints usage on stderr and returns CLI_USAGE; with
 * -h/--help first prints it on stdout and returns CLI_OK. Otherwise sets *sub,
 * drops the command name from argc and argv (the subcommand is then argv[0],
 * as getopt_long expects), resets optind and returns -1. */
int cli_subcommand(int *argc, char ***argv, void (*usage)(FILE *), const char **sub);

/* Parse the options of a subcommand that takes only the common ones: -h
 * prints usage on stdout and returns CLI_OK, anything else unknown prints
 * the hint for `cmd` and returns CLI_USAGE; -1 when parsing went through
 * (operands start at optind). */
int cli_common_only(struct cli_ctx *ctx, int argc, char **argv, const char *cmd, void (*usage)(FILE *));

/* Open the database chosen by --db / CANHGAC_DB / the default path. Prints
 * the error and returns non-zero on failure. */
int cli_open_db(struct cli_ctx *ctx, struct cg_db **out);
/* The same for commands that only read: a missing database is an error
 * saying how to create one (never a new empty database). */
int cli_open_db_existing(struct cli_ctx *ctx, struct cg_db **out);
/* Once at start: notices of the library (a busy database) go to stderr. */
void cli_init(void);

/* Write one JSON value as a compact line to stdout; steals the reference. */
void cli_json_line(json_t *v);
/* Write one JSON value, indented, to stdout; steals the reference. */
void cli_json_pretty(json_t *v);

/* Progress on stderr, only when stderr is a terminal and not --quiet; at most
 * ten updates a second. `total` 0 means unknown. */
struct cli_progress {
	const struct cli_ctx *ctx;
	int64_t last_ms;
	int shown;
};
void cli_progress_init(struct cli_progress *p, const struct cli_ctx *ctx);
void cli_progress_update(struct cli_progress *p, const char *what, uint64_t done, uint64_t total);
void cli_progress_done(struct cli_progress *p);

/* Print `s` on stdout padded with spaces to `width` characters (UTF-8 code
 * points, so Vietnamese headers line up), then one space. */
void cli_put_col(const char *s, int width);

/* Parse a whole decimal number in [min, max]; returns 0 on success. */
int cli_parse_long(const char *s, long min, long max, long *out);

/* Commands. */
int cmd_intel(struct cli_ctx *ctx, int argc, char **argv);
int cmd_hunt(struct cli_ctx *ctx, int argc, char **argv);
int cmd_system(struct cli_ctx *ctx, int argc, char **argv);
int cmd_host(struct cli_ctx *ctx, int argc, char **argv);
int cmd_priority(struct cli_ctx *ctx, int argc, char **argv);
int cmd_alert(struct cli_ctx *ctx, int argc, char **argv);
int cmd_inventory(struct cli_ctx *ctx, int argc, char **argv);
int cmd_vuln(struct cli_ctx *ctx, int argc, char **argv);
int cmd_version(struct cli_ctx *ctx, int argc, char **argv);
int cmd_block(struct cli_ctx *ctx, int argc, char **argv);
int cmd_order(struct cli_ctx *ctx, int argc, char **argv);
int cmd_sigma(struct cli_ctx *ctx, int argc, char **argv);
int cmd_compliance(struct cli_ctx *ctx, int argc, char **argv);
int cmd_report(struct cli_ctx *ctx, int argc, char **argv);
int cmd_incident(struct cli_ctx *ctx, int argc, char **argv);
int cmd_evidence(struct cli_ctx *ctx, int argc, char **argv);
int cmd_phish(struct cli_ctx *ctx, int argc, char **argv);
int cmd_ca(struct cli_ctx *ctx, int argc, char **argv);
int cmd_agent(struct cli_ctx *ctx, int argc, char **argv);
int cmd_scan(struct cli_ctx *ctx, int argc, char **argv);
int cmd_quarantine(struct cli_ctx *ctx, int argc, char **argv);
int cmd_sweep(struct cli_ctx *ctx, int argc, char **argv);
int cmd_duty(struct cli_ctx *ctx, int argc, char **argv);
int cmd_reload(struct cli_ctx *ctx, int argc, char **argv);

#endif
