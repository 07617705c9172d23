/* collect — where raw messages come from: syslog listeners (UDP, TCP, TLS;
 * IPv4 and IPv6) and file tails, all on one libevent loop run in the
 * caller's thread. Each whole message (a datagram, an RFC 6587 frame, a
 * line) goes to one callback with its source; nothing here parses what is
 * inside.
 *
 * Back-pressure: the callback runs on the loop and MAY BLOCK (the daemon's
 * bounded queue is full). While it blocks the loop reads nothing: TCP and
 * TLS senders are held back by the kernel's windows, files simply wait,
 * UDP datagrams beyond the socket buffer are lost in the kernel. Nothing in
 * collect buffers more than one message (plus one read) per connection or
 * file.
 *
 * Caps: a message longer than max_msg is cut to max_msg bytes, delivered
 * and counted as truncated (a datagram, an LF frame, an octet-counted
 * frame, a line); a broken octet count closes the connection and counts a
 * framing error; at max_conns open connections on a listener a new one is
 * accepted and closed at once (counted as refused); a connection that sends
 * nothing for idle_timeout_ms (or holds an unfinished frame that long) is
 * closed. */
#ifndef COLLECT_H
#define COLLECT_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"

enum collect_proto { COLLECT_UDP = 1, COLLECT_TCP, COLLECT_TLS, COLLECT_FILE };
enum collect_format { COLLECT_FMT_AUTO = 0, COLLECT_FMT_SYSLOG, COLLECT_FMT_JSON, COLLECT_FMT_CEF };

/* Defaults used when an option is 0. */
#define COLLECT_MAX_MSG_DEFAULT ((size_t)64 << 10)
#define COLLECT_MAX_MSG_LIMIT ((size_t)16 << 20)
#define COLLECT_MAX_CONNS_DEFAULT 1024u
#define COLLECT_IDLE_TIMEOUT_MS_DEFAULT (300u * 1000u)

/* Where a message came from; borrowed for the callback's duration. */
struct collect_src {
	const char *name;         /* the listener's or file's name in the config */
	enum collect_proto proto;
	enum collect_format format;
	const char *peer;         /* "192.0.2.7:51514", "[2001:db8::1]:514", or the file path */
	const char *tls_subject;  /* verified client certificate subject (RFC 2253), NULL if none */
	int64_t received_us;      /* wall clock (µs since the epoch) when the bytes were read */
	int truncated;            /* the message was cut to max_msg bytes */
};

/* One whole message (a frame / datagram / line), not NUL-terminated, borrowed
 * until the callback returns. The callback MAY BLOCK: that is the
 * back-pressure for TCP/TLS/files (the loop stops reading); a UDP datagram
 * the daemon cannot take is counted as dropped by the daemon. */
typedef void (*collect_msg_fn)(void *ctx, const struct collect_src *src, const char *msg, size_t n);

struct collect_listener_opts {
	const char *name;            /* required; copied */
	enum collect_proto proto;    /* COLLECT_UDP, COLLECT_TCP or COLLECT_TLS */
	enum collect_format format;
	const char *address;         /* "127.0.0.1", "::1", "0.0.0.0", "::" (NULL: "::", dual-stack) */
	unsigned port;               /* 0: the OS picks; collect_listener_port tells */
	const char *tls_cert, *tls_key; /* PEM files (TLS: required) */
	const char *tls_ca;          /* PEM CA bundle for client certificates (NULL: none) */
	int tls_verify_client;       /* non-zero: a client certificate signed by tls_ca is required */
	size_t max_msg;              /* 0: COLLECT_MAX_MSG_DEFAULT; at most COLLECT_MAX_MSG_LIMIT */
	unsigned max_conns;          /* TCP/TLS open connections; 0: COLLECT_MAX_CONNS_DEFAULT */
	unsigned idle_timeout_ms;    /* TCP/TLS; 0: COLLECT_IDLE_TIMEOUT_MS_DEFAULT */
};

struct collect_file_opts {
	const char *name;            /* required; copied */
	const char *path;            /* copied; need not exist yet */
	enum collect_format format;
	size_t max_msg;              /* longest line; 0: COLLECT_MAX_MSG_DEFAULT */
	int from_end;                /* an unknown file that already exists is read from its end
	                              * (config `from: end`); else from its start */
	unsigned poll_ms;            /* how often the file is looked at; 0: 250 */
};

struct collect;

/* A collector delivering to fn(ctx, ...). `state_dir` (copied; NULL: no
 * positions kept) holds the file positions; it must exist. */
enum cg_err collect_new(const char *state_dir, collect_msg_fn fn, void *ctx, struct collect **out) CG_MUST_CHECK;
/* Called on the loop after each batch of messages it delivered (the end of
 * one socket read, one burst of datagrams, one file read) and before file
 * positions are saved: the owner makes what it received durable there
 * (canhgacd commits its queue), so a saved position never covers a line
 * that was not committed. NULL: none. Not while collect_run runs. */
typedef void (*collect_flush_fn)(void *ctx);
void collect_set_flush(struct collect *c, collect_flush_fn fn);
/* Binds now (so privileges can be dropped afterwards); the error names the
 * listener, the address and the reason. Not while collect_run runs. */
enum cg_err collect_add_listener(struct collect *c, const struct collect_listener_opts *o) CG_MUST_CHECK;
/* The bound port of the i-th listener (in the order of collect_add_listener),
 * 0 when there is none. */
unsigned collect_listener_port(const struct collect *c, size_t i);
/* Follow a file (rotation by rename + new file: the old file is finished
 * first; truncation: restart at 0). Its position is saved in state_dir for
 * lines already handed to the callback (written atomically, every second
 * and when collect_run returns), keyed by device, inode and a hash of the
 * first bytes, so a replaced file is read from its start. Positions are
 * saved only after the flush hook ran for the lines they cover; with a
 * flush hook, also right after it, each time the file was read. Not while
 * collect_run runs. */
enum cg_err collect_add_file(struct collect *c, const struct collect_file_opts *o) CG_MUST_CHECK;
/* The loop, in the caller's thread, until collect_stop. */
enum cg_err collect_run(struct collect *c) CG_MUST_CHECK;
/* Ask collect_run to return; from any thread (also from the callback). */
void collect_stop(struct collect *c);

/* Counters of one source (a listener or a file); read from any thread. */
struct collect_stats {
	const char *name;           /* borrowed from the collector */
	enum collect_proto proto;
	uint64_t msgs, bytes;       /* delivered messages and their bytes */
	uint64_t truncated;         /* messages cut to max_msg */
	uint64_t framing_errors;    /* bad octet counts (connection closed) */
	uint64_t conns;             /* TCP/TLS connections accepted in all */
	uint64_t conns_open;        /* ... open now */
	uint64_t conns_refused;     /* closed at once: max_conns reached */
	uint64_t idle_closed;       /* closed after idle_timeout_ms */
	uint64_t tls_failures;      /* TLS handshakes that failed (also a missing/bad client certificate) */
	uint64_t read_errors;       /* socket or file read errors */
	uint64_t rotations;         /* files: rotations followed */
	uint64_t truncations;       /* files: truncations (copytruncate) followed */
};
/* Number of sources: listeners and files, in the order they were added. */
size_t collect_source_count(const struct collect *c);
/* Counters of source i (0 <= i < collect_source_count). */
void collect_stats(const struct collect *c, size_t i, struct collect_stats *out);

void collect_free(struct collect *c); /* NULL is a no-op; not while collect_run runs */

#endif
