/* canhgac phish — intake of e-mails reported as phishing. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cg_file.h"
#include "cli.h"
#include "cli_incident.h"
#include "evidence.h"
#include "phish.h"
#include "store_incident.h"
#include "store_intel.h"

#define MAILDIR_MAX 100000

static void usage(FILE *f)
{
	fputs(_("Usage: canhgac phish submit FILE.eml|MAILDIR... [--open-incident] [--add-to SOURCE]\n"
		"Check reported e-mails: sender, Received-chain addresses, URLs (also in HTML and\n"
		"defanged), domains and attachment hashes against the intel store, with a verdict\n"
		"and its reasons.\n\n"
		"Options:\n"
		"      --open-incident    open a phishing incident for each message that is not clean,\n"
		"                         link its indicators and keep the message as evidence\n"
		"      --add-to SOURCE    add the message's URLs, their hosts and attachment hashes to\n"
		"                         the local intel source SOURCE\n"
		"      --system S         system of the opened incidents\n"
		"      --by NAME          who handles the report (default $USER)\n"
		"      --store DIR        evidence store (see canhgac-evidence(1))\n"
		"      --db PATH          database file\n"
		"      --json             machine-readable output\n"
		"      --quiet            no progress display\n"
		"  -h, --help             show this help\n"),
	      f);
}

enum { O_OPEN = CLI_OPT_FIRST_FREE, O_ADD_TO, O_SYSTEM, O_BY, O_STORE };

struct opts {
	int open_incident;
	const char *add_to, *system, *by, *store;
};

struct run {
	struct cli_ctx *ctx;
	struct cg_db *db;
	const struct opts *o;
	json_t *out;
	json_t *pending; /* --add-to: [type, value] pairs, imported at the end */
	size_t n_messages, n_malicious, n_suspicious, n_failed;
	char dir[4096];
};

struct link_ctx {
	struct cg_db *db;
	int64_t id;
};

static enum cg_err link_one(void *ctx, const struct ioc *ioc, const char *where, int listed)
{
	struct link_ctx *c = ctx;
	struct incident_link l = {.kind = "indicator", .ref = ioc->value, .subtype = ioc_type_name(ioc->type),
				  .note = where, .count = 1};
	(void)listed;
	return store_incident_link(c->db, c->id, &l, cg_now());
}

static enum cg_err add_one(void *ctx, const struct ioc *ioc, const char *where, int listed)
{
	(void)listed;
	/* Received relays and the sender's domain may be innocent parties. */
	if (strncmp(where, "text/", 5) && strncmp(where, "attachment", 10))
		return CG_OK;
	json_array_append_new(ctx, json_pack("[s, s]", ioc_type_name(ioc->type), ioc->value));
	return CG_OK;
}

static enum cg_err open_incident(struct run *r, struct phish_report *rep, const char *path, int64_t *id)
{
	char title[600];
	struct incident_new n = {.title = title, .system = r->o->system, .severity = "medium", .category = "phishing",
				 .actor = cli_actor(r->o->by)};
	struct evidence_add_opts eo = {0, r->dir, "reported phishing message", cli_actor(r->o->by), "mail", cg_now(), NULL, NULL};
	struct evidence_added ea;
	struct link_ctx lc = {r->db, 0};
	enum cg_err rc;

	snprintf(title, sizeof title, "Phishing report: %.500s", phish_report_subject(rep));
	n.description = title;
	if ((rc = store_incident_open(r->db, &n, cg_now(), id)))
		return rc;
	lc.id = eo.incident_id = *id;
	if ((rc = phish_report_foreach(rep, 0, link_one, &lc)) || (rc = evidence_add(r->db, &eo, path, &ea)))
		return rc;
	return store_incident_event_add(r->db, *id, cg_now(), "phish", phish_verdict_name(phish_report_verdict(rep)),
					cli_actor(r->o->by));
}

static int one_message(struct run *r, const char *path)
{
	struct phish_report *rep = NULL;
	enum cg_err rc;
	char *buf;
	size_t len;
	int64_t id = 0;

	if ((rc = cg_file_read(path, PHISH_MESSAGE_MAX, &buf, &len)))
		return cli_fail(rc);
	rc = phish_parse(buf, len, path, &rep);
	free(buf);
	if (!rc)
		rc = phish_check_intel(rep, r->db);
	if (rc) {
		phish_report_free(rep);
		return cli_fail(rc);
	}
	enum phish_verdict v = phish_report_verdict(rep);
	r->n_messages++;
	r->n_malicious += v == PHISH_MALICIOUS;
	r->n_suspicious += v == PHISH_SUSPICIOUS;
	if (r->o->open_incident && v != PHISH_CLEAN && (rc = open_incident(r, rep, path, &id)))
		goto fail;
	if (r->pending && (rc = phish_report_foreach(rep, 0, add_one, r->pending)))
		goto fail;
	json_t *j = phish_report_json(rep);
	if (id)
		json_object_set_new(j, "incident", json_integer(id));
	if (r->ctx->json) {
		json_array_append_new(r->out, j);
	} else {
		size_t i;
		json_t *it;
		printf("%s: %s", path, json_string_value(json_object_get(j, "verdict")));
		printf(_(" (%zu indicators, %zu attachments)\n"), json_array_size(json_object_get(j, "indicators")),
		       json_array_size(json_object_get(j, "attachments")));
		json_array_foreach(json_object_get(j, "reasons"), i, it) printf("  - %s\n", json_string_value(it));
		if (id)
			printf(_("  opened incident %lld\n"), (long long)id);
		json_decref(j);
	}
	phish_report_free(rep);
	return CLI_OK;
fail:
	phish_report_free(rep);
	return cli_fail(rc);
}

/* The indicators of all messages, as one appending import of `source`. */
static int add_to_source(struct cli_ctx *ctx, struct cg_db *db, const char *source, json_t *pending)
{
	struct store_intel_import *imp;
	struct store_intel_summary sum;
	enum cg_err rc;
	size_t i;
	json_t *p;

	if ((rc = store_intel_import_begin(db, source, "phish submit", "eml", 1, &imp)))
		return cli_fail(rc);
	json_array_foreach(pending, i, p)
	{
		struct ioc ioc;
		const char *v = json_string_value(json_array_get(p, 1));
		if (ioc_parse(v, strlen(v), ioc_type_from_name(json_string_value(json_array_get(p, 0))), &ioc) != CG_OK)
			continue;
		if ((rc = store_intel_import_add(imp, &ioc, "phishing", NULL, NULL, NULL))) {
			store_intel_import_abort(imp);
			return cli_fail(rc);
		}
	}
	if ((rc = store_intel_import_commit(imp, 0, &sum)))
		return cli_fail(rc);
	if (!ctx->json && !ctx->quiet)
		printf(_("Intel source '%s' now lists %zu indicators (%zu new).\n"), source, sum.n_unique, sum.n_added);
	return CLI_OK;
}

static int one_dir(struct run *r, const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4200];
	struct stat st;
	int status = CLI_OK, sub = 0;

	if (!d) {
		cli_error("%s: %s", dir, strerror(errno));
		return CLI_FAIL;
	}
	while ((e = readdir(d)) && status == CLI_OK) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode) && (strcmp(e->d_name, "cur") == 0 || strcmp(e->d_name, "new") == 0)) {
			sub = 1;
			status = one_dir(r, path, n);
		} else if (S_ISREG(st.st_mode)) {
			if (++*n > MAILDIR_MAX) {
				cli_error(_("%s: more than %d messages"), dir, MAILDIR_MAX);
				status = CLI_FAIL;
				break;
			}
			/* One bad file in a maildir does not hide the others. */
			if (one_message(r, path) != CLI_OK)
				r->n_failed++;
		}
	}
	(void)sub;
	closedir(d);
	return status;
}

int cmd_phish(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{"open-incident", no_argument, NULL, O_OPEN},
		{"add-to", required_argument, NULL, O_ADD_TO},
		{"system", required_argument, NULL, O_SYSTEM},
		{"by", required_argument, NULL, O_BY},
		{"store", required_argument, NULL, O_STORE},
		{NULL, 0, NULL, 0},
	};
	struct opts o = {0};
	struct run r = {.ctx = ctx, .o = &o};
	int c, status = CLI_OK;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return CLI_OK;
		case O_OPEN: o.open_incident = 1; break;
		case O_ADD_TO: o.add_to = optarg; break;
		case O_SYSTEM: o.system = optarg; break;
		case O_BY: o.by = optarg; break;
		case O_STORE: o.store = optarg; break;
		default:
			if (cli_common_opt(ctx, c, optarg))
				break;
			return cli_usage_hint("phish");
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[optind], "submit") != 0) {
		cli_error(_("unknown subcommand 'phish %s'"), argv[optind]);
		return cli_usage_hint("phish");
	}
	if (++optind >= argc) {
		cli_error("%s", _("'phish submit' needs FILE.eml or MAILDIR"));
		return cli_usage_hint("phish");
	}
	if (cli_evidence_dir(ctx, o.store, r.dir, sizeof r.dir) || cli_open_db(ctx, &r.db))
		return CLI_FAIL;
	if (o.add_to)
		r.pending = json_array();
	r.out = json_array();
	for (int i = optind; i < argc && status == CLI_OK; i++) {
		struct stat st;
		size_t n = 0;
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			status = one_dir(&r, argv[i], &n);
		else
			status = one_message(&r, argv[i]);
	}
	int partial = status == CLI_OK && r.n_failed;
	if (r.pending && status == CLI_OK)
		status = add_to_source(ctx, r.db, o.add_to, r.pending);
	json_decref(r.pending);
	if (status == CLI_OK && ctx->json)
		cli_json_pretty(r.out);
	else
		json_decref(r.out);
	if (status == CLI_OK && !ctx->json && !ctx->quiet)
		printf(_("%zu messages: %zu malicious, %zu suspicious, %zu unreadable.\n"), r.n_messages, r.n_malicious,
		       r.n_suspicious, r.n_failed);
	cg_db_close(r.db);
	return partial ? CLI_FAIL : status;
}
