/* daemon_config — the configuration of canhgacd, read from YAML (libfyaml).
 *
 * The parser is pure (text in, struct or error out) and refuses unknown
 * keys, wrong types and values out of range with "file:line: field 'x':
 * reason", so `canhgacd -n` can point at the mistake. Relative paths are
 * taken from the directory of the configuration file. Everything has a cap
 * (listeners, files, upstreams, string lengths, the file itself).
 *
 * The struct is a plain record the daemon reads; it owns every string in it
 * and is freed with daemon_config_free. */
#ifndef CG_DAEMON_CONFIG_H
#define CG_DAEMON_CONFIG_H

#include <stddef.h>

#include "cg_err.h"

#define DAEMON_CONFIG_MAX_BYTES ((size_t)1 << 20)
#define DAEMON_MAX_LISTENERS 32
#define DAEMON_MAX_FILES 256
#define DAEMON_MAX_UPSTREAMS 8
#define DAEMON_MAX_SIGMA 64
#define DAEMON_MAX_WORKERS 64

enum daemon_proto { DAEMON_UDP = 1, DAEMON_TCP, DAEMON_TLS };
enum daemon_format { DAEMON_FMT_AUTO = 0, DAEMON_FMT_SYSLOG, DAEMON_FMT_JSON, DAEMON_FMT_CEF };
enum daemon_log_format { DAEMON_LOG_KV = 0, DAEMON_LOG_JSON };
enum daemon_upstream_kind { DAEMON_UP_SYSLOG_TCP = 1, DAEMON_UP_SYSLOG_TLS, DAEMON_UP_HTTP_JSON };

struct daemon_listener {
	char *name;
	enum daemon_proto proto;
	enum daemon_format format;
	char *address; /* default 127.0.0.1 */
	unsigned port; /* 0: the OS picks (tests) */
	size_t max_message;
	char *tls_cert, *tls_key, *tls_ca; /* TLS only; NULL when not set */
	int tls_verify_client;
};

struct daemon_file {
	char *name;
	char *path;
	enum daemon_format format;
	size_t max_message;
	int from_end; /* a file seen for the first time is read from its end */
};

struct daemon_upstream {
	char *name;
	enum daemon_upstream_kind kind;
	char *address; /* syslog */
	unsigned port;
	char *url; /* http-json */
	char *tls_ca, *tls_cert, *tls_key;
	unsigned batch;       /* records per HTTP batch */
	unsigned retry_max_s; /* longest back-off */
};

struct daemon_config {
	char *path;     /* the file it was read from */
	char *database; /* SQLite file */
	char *user, *group;   /* drop to after binding; NULL: stay */
	char *pid_file;       /* NULL: none */
	char *state_dir;      /* file positions, forward queue; NULL: none */
	unsigned workers;     /* 0: the number of online CPUs */
	size_t queue_bytes;   /* the bounded message queue */
	enum daemon_log_format log_format;
	int log_events;       /* one log line per event (debugging) */

	struct daemon_listener listeners[DAEMON_MAX_LISTENERS];
	size_t n_listeners;
	struct daemon_file files[DAEMON_MAX_FILES];
	size_t n_files;

	/* detection */
	char *sigma[DAEMON_MAX_SIGMA]; /* rule files or directories */
	size_t n_sigma;
	char *thresholds; /* threshold/correlation rules; NULL: none */
	int hunt_special;
	unsigned intel_poll_s; /* how often the intel generation is read; 0: never */
	unsigned alert_flush_ms;
	unsigned alert_window_s;   /* a repeat later than this after an alert's last event opens a new one; 0: never */
	unsigned alert_events_max; /* events listed per alert (later ones only counted); 0: all */

	/* metrics endpoint; port 0 with metrics_on: the OS picks */
	int metrics_on;
	char *metrics_address;
	unsigned metrics_port;

	/* the disk queue (every received message, then forwarding); n_upstreams 0: none */
	char *forward_dir; /* default: state_dir/forward */
	size_t forward_max_bytes;
	unsigned forward_alarm_pct;
	int forward_events, forward_alerts;
	int forward_fsync; /* fdatasync at every commit: survives a power loss */
	struct daemon_upstream upstreams[DAEMON_MAX_UPSTREAMS];
	size_t n_upstreams;

	/* duty roster; NULL: no notifications from this daemon */
	char *duty_roster;

	/* the agents' hub (mutual TLS); agents_listen NULL: none */
	char *agents_listen; /* "HOST:PORT" */
	char *agents_ca_dir, *agents_evidence_dir;
	unsigned agents_max_conns;
};

/* Parse `len` bytes of YAML named `file` (used in messages and to resolve
 * relative paths). */
enum cg_err daemon_config_parse(const char *file, const char *buf, size_t len,
				struct daemon_config **out) CG_MUST_CHECK;
/* Read and parse the file at `path`. */
enum cg_err daemon_config_load(const char *path, struct daemon_config **out) CG_MUST_CHECK;
void daemon_config_free(struct daemon_config *c); /* NULL is a no-op */

const char *daemon_proto_name(enum daemon_proto p);   /* "udp", "tcp", "tls" */
const char *daemon_format_name(enum daemon_format f); /* "auto", "syslog", ... */

#endif
