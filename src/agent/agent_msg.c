#include "agent_msg.h"

#include <stdlib.h>
#include <string.h>

#include "cg_i18n.h"

#define BAD(where, key, why) \
	cg_err_set(CG_EPARSE, _("agent message: %s: member '%s': %s"), (where), (key), (why))

static enum cg_err only_keys(json_t *o, const char *where, const char *const *allowed)
{
	const char *k;
	json_t *v;
	json_object_foreach (o, k, v) {
		size_t i;
		for (i = 0; allowed[i]; i++)
			if (strcmp(k, allowed[i]) == 0)
				break;
		if (!allowed[i])
			return BAD(where, k, _("unknown member"));
	}
	return CG_OK;
}

static enum cg_err get_str(json_t *o, const char *where, const char *key, int required, size_t cap,
			   const char **out)
{
	json_t *v = json_object_get(o, key);
	*out = NULL;
	if (!v) {
		if (required)
			return BAD(where, key, _("missing"));
		return CG_OK;
	}
	if (!json_is_string(v))
		return BAD(where, key, _("not a string"));
	if (json_string_length(v) > cap)
		return BAD(where, key, _("too long"));
	*out = json_string_value(v);
	return CG_OK;
}

static enum cg_err get_int(json_t *o, const char *where, const char *key, int required, int64_t min,
			   int64_t max, int64_t *out)
{
	json_t *v = json_object_get(o, key);
	*out = 0;
	if (!v) {
		if (required)
			return BAD(where, key, _("missing"));
		return CG_OK;
	}
	if (!json_is_integer(v))
		return BAD(where, key, _("not an integer"));
	json_int_t n = json_integer_value(v);
	if (n < min || n > max)
		return BAD(where, key, _("out of range"));
	*out = (int64_t)n;
	return CG_OK;
}

static enum cg_err get_arr(json_t *o, const char *where, const char *key, int required, size_t cap,
			   json_t **out, size_t *n)
{
	json_t *v = json_object_get(o, key);
	*out = NULL;
	*n = 0;
	if (!v) {
		if (required)
			return BAD(where, key, _("missing"));
		return CG_OK;
	}
	if (!json_is_array(v))
		return BAD(where, key, _("not an array"));
	if (json_array_size(v) > cap)
		return BAD(where, key, _("too many elements"));
	*out = v;
	*n = json_array_size(v);
	return CG_OK;
}

static enum cg_err get_obj(json_t *o, const char *where, const char *key, json_t **out)
{
	*out = json_object_get(o, key);
	if (!*out)
		return BAD(where, key, _("missing"));
	if (!json_is_object(*out))
		return BAD(where, key, _("not an object"));
	return CG_OK;
}

/* An array of strings, each at most `cap` bytes. */
static enum cg_err str_list(json_t *o, const char *where, const char *key, size_t max, size_t cap,
			    const char ***out, size_t *n)
{
	json_t *a, *v;
	size_t i;
	enum cg_err rc = get_arr(o, where, key, 0, max, &a, n);
	if (rc || !*n)
		return rc;
	if (!(*out = calloc(*n, sizeof **out)))
		return cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
	json_array_foreach (a, i, v) {
		if (!json_is_string(v))
			return BAD(where, key, _("not a string"));
		if (json_string_length(v) > cap)
			return BAD(where, key, _("too long"));
		(*out)[i] = json_string_value(v);
	}
	return CG_OK;
}

static int is_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static enum cg_err parse_enroll(json_t *r, struct agent_msg *m)
{
	static const char *const keys[] = {"type", "token", "csr", "hostname", "version", NULL};
	enum cg_err rc;
	if ((rc = only_keys(r, "enroll", keys)) || (rc = get_str(r, "enroll", "token", 1, 256, &m->token)) ||
	    (rc = get_str(r, "enroll", "csr", 1, AGENT_PEM_MAX, &m->csr)) ||
	    (rc = get_str(r, "enroll", "hostname", 1, 255, &m->hostname)) ||
	    (rc = get_str(r, "enroll", "version", 1, 64, &m->version)))
		return rc;
	return CG_OK;
}

static enum cg_err parse_hello(json_t *r, struct agent_msg *m)
{
	static const char *const keys[] = {"type", "hostname", "version", "addresses", NULL};
	enum cg_err rc;
	if ((rc = only_keys(r, "hello", keys)) || (rc = get_str(r, "hello", "hostname", 1, 255, &m->hostname)) ||
	    (rc = get_str(r, "hello", "version", 1, 64, &m->version)) ||
	    (rc = str_list(r, "hello", "addresses", 256, 64, &m->addresses, &m->n_addresses)))
		return rc;
	return CG_OK;
}

static enum cg_err parse_ports(json_t *b, struct agent_msg *m)
{
	static const char *const keys[] = {"proto", "addr", "port", NULL};
	json_t *a, *v;
	size_t i;
	enum cg_err rc = get_arr(b, "inventory", "ports", 0, AGENT_LIST_MAX, &a, &m->n_ports);
	if (rc || !m->n_ports)
		return rc;
	if (!(m->ports = calloc(m->n_ports, sizeof *m->ports)))
		return cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
	json_array_foreach (a, i, v) {
		struct agent_port *p = &m->ports[i];
		if (!json_is_object(v))
			return BAD("inventory", "ports", _("not an object"));
		if ((rc = only_keys(v, "inventory.ports", keys)) ||
		    (rc = get_str(v, "inventory.ports", "proto", 1, 8, &p->proto)) ||
		    (rc = get_str(v, "inventory.ports", "addr", 1, 64, &p->addr)) ||
		    (rc = get_int(v, "inventory.ports", "port", 1, 0, 65535, &p->port)))
			return rc;
		if (strcmp(p->proto, "tcp") != 0 && strcmp(p->proto, "tcp6") != 0)
			return BAD("inventory.ports", "proto", _("not 'tcp' or 'tcp6'"));
	}
	return CG_OK;
}

static enum cg_err parse_users(json_t *b, struct agent_msg *m)
{
	static const char *const keys[] = {"name", "uid", "home", "shell", NULL};
	json_t *a, *v;
	size_t i;
	enum cg_err rc = get_arr(b, "inventory", "users", 0, AGENT_LIST_MAX, &a, &m->n_users);
	if (rc || !m->n_users)
		return rc;
	if (!(m->users = calloc(m->n_users, sizeof *m->users)))
		return cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
	json_array_foreach (a, i, v) {
		struct agent_user *u = &m->users[i];
		if (!json_is_object(v))
			return BAD("inventory", "users", _("not an object"));
		if ((rc = only_keys(v, "inventory.users", keys)) ||
		    (rc = get_str(v, "inventory.users", "name", 1, 256, &u->name)) ||
		    (rc = get_int(v, "inventory.users", "uid", 1, 0, UINT32_MAX, &u->uid)) ||
		    (rc = get_str(v, "inventory.users", "home", 0, AGENT_STR_MAX, &u->home)) ||
		    (rc = get_str(v, "inventory.users", "shell", 0, AGENT_STR_MAX, &u->shell)))
			return rc;
	}
	return CG_OK;
}

static enum cg_err parse_inventory(json_t *b, struct agent_msg *m)
{
	static const char *const keys[] = {"os_release", "kernel", "format", "packages", "ports", "users", NULL};
	enum cg_err rc;
	if ((rc = only_keys(b, "inventory", keys)) ||
	    (rc = get_str(b, "inventory", "os_release", 0, 65536, &m->os_release)) ||
	    (rc = get_str(b, "inventory", "kernel", 0, 256, &m->kernel)) ||
	    (rc = get_str(b, "inventory", "format", 1, 16, &m->pkg_format)) ||
	    (rc = get_str(b, "inventory", "packages", 0, AGENT_TEXT_MAX, &m->packages)) ||
	    (rc = parse_ports(b, m)) || (rc = parse_users(b, m)))
		return rc;
	if (strcmp(m->pkg_format, "dpkg") != 0 && strcmp(m->pkg_format, "rpm") != 0 &&
	    strcmp(m->pkg_format, "none") != 0)
		return BAD("inventory", "format", _("not 'dpkg', 'rpm' or 'none'"));
	return CG_OK;
}

static enum cg_err parse_logs(json_t *b, struct agent_msg *m)
{
	static const char *const keys[] = {"file", "offset", "lines", NULL};
	enum cg_err rc;
	if ((rc = only_keys(b, "logs", keys)) || (rc = get_str(b, "logs", "file", 1, AGENT_STR_MAX, &m->file)) ||
	    (rc = get_int(b, "logs", "offset", 1, 0, INT64_MAX, &m->offset)) ||
	    (rc = str_list(b, "logs", "lines", AGENT_LINES_MAX, AGENT_LINE_MAX, &m->lines, &m->n_lines)))
		return rc;
	return CG_OK;
}

static const char *const hit_kinds[] = {"yara", "eicar", NULL};
static const char *const problem_kinds[] = {"unreadable", "skipped", "cut", "timeout", "archive", NULL};

static int in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

static enum cg_err parse_hits(json_t *b, struct agent_msg *m)
{
	static const char *const keys[] = {"kind", "path", "file", "rule", "tags", "description", "size",
					   "sha256", "sha1", "md5", NULL};
	json_t *a, *v;
	size_t i;
	enum cg_err rc = get_arr(b, "result", "hits", 0, AGENT_LIST_MAX, &a, &m->n_hits);
	if (rc || !m->n_hits)
		return rc;
	if (!(m->hits = calloc(m->n_hits, sizeof *m->hits)))
		return cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
	json_array_foreach (a, i, v) {
		struct agent_hit *h = &m->hits[i];
		if (!json_is_object(v))
			return BAD("result", "hits", _("not an object"));
		if ((rc = only_keys(v, "result.hits", keys)) ||
		    (rc = get_str(v, "result.hits", "kind", 1, 16, &h->kind)) ||
		    (rc = get_str(v, "result.hits", "path", 1, AGENT_STR_MAX, &h->path)) ||
		    (rc = get_str(v, "result.hits", "file", 1, AGENT_STR_MAX, &h->file)) ||
		    (rc = get_str(v, "result.hits", "rule", 1, 256, &h->rule)) ||
		    (rc = get_str(v, "result.hits", "tags", 0, 1024, &h->tags)) ||
		    (rc = get_str(v, "result.hits", "description", 0, AGENT_STR_MAX, &h->description)) ||
		    (rc = get_int(v, "result.hits", "size", 1, 0, INT64_MAX, &h->size)) ||
		    (rc = get_str(v, "result.hits", "sha256", 0, 64, &h->sha256)) ||
		    (rc = get_str(v, "result.hits", "sha1", 0, 40, &h->sha1)) ||
		    (rc = get_str(v, "result.hits", "md5", 0, 32, &h->md5)))
			return rc;
		if (!in_list(h->kind, hit_kinds))
			return BAD("result.hits", "kind", _("not 'yara' or 'eicar'"));
		if (h->path[0] != '/' || strncmp(h->path, h->file, strlen(h->file)) != 0 ||
		    (h->path[strlen(h->file)] != '\0' && h->path[strlen(h->file)] != '!'))
			return BAD("result.hits", "path", _("not the absolute file, or the file!inner path"));
		if (h->sha256 && !is_hex(h->sha256, 64))
			return BAD("result.hits", "sha256", _("not a SHA-256 in lower-case hex"));
		if (h->sha1 && !is_hex(h->sha1, 40))
			return BAD("result.hits", "sha1", _("not a SHA-1 in lower-case hex"));
		if (h->md5 && !is_hex(h->md5, 32))
			return BAD("result.hits", "md5", _("not an MD5 in lower-case hex"));
	}
	return CG_OK;
}

static enum cg_err parse_problems(json_t *b, struct agent_msg *m)
{
	static const char *const keys[] = {"kind", "path", "message", NULL};
	json_t *a, *v, *c;
	const char *k;
	size_t i;
	enum cg_err rc;
	if ((c = json_object_get(b, "problem_counts"))) {
		if (!json_is_object(c))
			return BAD("result", "problem_counts", _("not an object"));
		if ((rc = only_keys(c, "result.problem_counts", problem_kinds)))
			return rc;
		json_object_foreach (c, k, v)
			if (!json_is_integer(v) || json_integer_value(v) < 0)
				return BAD("result.problem_counts", k, _("not a count"));
		m->problem_counts = c;
	}
	if ((rc = get_arr(b, "result", "problems", 0, AGENT_PROBLEMS_MAX, &a, &m->n_problems)) || !m->n_problems)
		return rc;
	if (!(m->problems = calloc(m->n_problems, sizeof *m->problems)))
		return cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
	json_array_foreach (a, i, v) {
		struct agent_problem *p = &m->problems[i];
		if (!json_is_object(v))
			return BAD("result", "problems", _("not an object"));
		if ((rc = only_keys(v, "result.problems", keys)) ||
		    (rc = get_str(v, "result.problems", "kind", 1, 16, &p->kind)) ||
		    (rc = get_str(v, "result.problems", "path", 1, AGENT_STR_MAX, &p->path)) ||
		    (rc = get_str(v, "result.problems", "message", 1, AGENT_STR_MAX, &p->message)))
			return rc;
		if (!in_list(p->kind, problem_kinds))
			return BAD("result.problems", "kind", _("unknown kind"));
	}
	return CG_OK;
}

static enum cg_err parse_result(json_t *b, struct agent_msg *m)
{
	static const char *const keys[] = {"task",	   "status",	 "error",	   "file",
					   "hits",	   "hits_total", "files_scanned", "bytes_scanned",
					   "rules",	   "problems",	 "problem_counts", NULL};
	static const char *const fkeys[] = {"path", "sha256", "size", "data", NULL};
	json_t *f;
	enum cg_err rc;
	if ((rc = only_keys(b, "result", keys)) ||
	    (rc = get_int(b, "result", "task", 1, 1, INT64_MAX, &m->task)) ||
	    (rc = get_str(b, "result", "status", 1, 16, &m->status)) ||
	    (rc = get_str(b, "result", "error", 0, AGENT_STR_MAX, &m->error)) ||
	    (rc = get_int(b, "result", "files_scanned", 0, 0, INT64_MAX, &m->files_scanned)) ||
	    (rc = get_int(b, "result", "bytes_scanned", 0, 0, INT64_MAX, &m->bytes_scanned)) ||
	    (rc = get_int(b, "result", "hits_total", 0, 0, INT64_MAX, &m->hits_total)) ||
	    (rc = get_int(b, "result", "rules", 0, 0, INT64_MAX, &m->rules_count)) ||
	    (rc = parse_hits(b, m)) || (rc = parse_problems(b, m)))
		return rc;
	if (m->hits_total < (int64_t)m->n_hits)
		return BAD("result", "hits_total", _("fewer than the hits listed"));
	if (strcmp(m->status, "done") != 0 && strcmp(m->status, "failed") != 0)
		return BAD("result", "status", _("not 'done' or 'failed'"));
	if ((f = json_object_get(b, "file"))) {
		if (!json_is_object(f))
			return BAD("result", "file", _("not an object"));
		if ((rc = only_keys(f, "result.file", fkeys)) ||
		    (rc = get_str(f, "result.file", "path", 1, AGENT_STR_MAX, &m->file)) ||
		    (rc = get_str(f, "result.file", "sha256", 1, 64, &m->file_sha256)) ||
		    (rc = get_int(f, "result.file", "size", 1, 0, AGENT_FILE_MAX, &m->file_size)) ||
		    (rc = get_str(f, "result.file", "data", 1, (AGENT_FILE_MAX / 3 + 1) * 4, &m->file_data)))
			return rc;
		if (!is_hex(m->file_sha256, 64))
			return BAD("result.file", "sha256", _("not a SHA-256 in lower-case hex"));
	}
	return CG_OK;
}

static enum cg_err parse_report(json_t *r, struct agent_msg *m)
{
	static const char *const keys[] = {"type", "seq", "kind", "body", NULL};
	const char *kind;
	json_t *body;
	enum cg_err rc;
	if ((rc = only_keys(r, "report", keys)) || (rc = get_int(r, "report", "seq", 1, 1, INT64_MAX, &m->seq)) ||
	    (rc = get_str(r, "report", "kind", 1, 16, &kind)) || (rc = get_obj(r, "report", "body", &body)))
		return rc;
	if (strcmp(kind, "inventory") == 0) {
		m->kind = AGENT_REPORT_INVENTORY;
		return parse_inventory(body, m);
	}
	if (strcmp(kind, "logs") == 0) {
		m->kind = AGENT_REPORT_LOGS;
		return parse_logs(body, m);
	}
	if (strcmp(kind, "result") == 0) {
		m->kind = AGENT_REPORT_RESULT;
		return parse_result(body, m);
	}
	return BAD("report", "kind", _("unknown kind"));
}

static enum cg_err parse_tasks(json_t *r, struct agent_msg *m)
{
	static const char *const keys[] = {"type", "tasks", NULL};
	static const char *const tkeys[] = {"id", "kind", "path", "rules", NULL};
	static const char *const rkeys[] = {"name", "source", NULL};
	json_t *a, *v;
	size_t i;
	enum cg_err rc;
	if ((rc = only_keys(r, "tasks", keys)) || (rc = get_arr(r, "tasks", "tasks", 1, 1000, &a, &m->n_tasks)))
		return rc;
	if (m->n_tasks && !(m->tasks = calloc(m->n_tasks, sizeof *m->tasks)))
		return cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
	json_array_foreach (a, i, v) {
		struct agent_task_msg *t = &m->tasks[i];
		if (!json_is_object(v))
			return BAD("tasks", "tasks", _("not an object"));
		if ((rc = only_keys(v, "tasks.tasks", tkeys)) ||
		    (rc = get_int(v, "tasks.tasks", "id", 1, 1, INT64_MAX, &t->id)) ||
		    (rc = get_str(v, "tasks.tasks", "kind", 1, 16, &t->kind)) ||
		    (rc = get_str(v, "tasks.tasks", "path", 1, AGENT_STR_MAX, &t->path)))
			return rc;
		if (strcmp(t->kind, "scan") != 0 && strcmp(t->kind, "collect") != 0)
			return BAD("tasks.tasks", "kind", _("not 'scan' or 'collect'"));
		json_t *ra, *rv;
		size_t j, total = 0;
		if ((rc = get_arr(v, "tasks.tasks", "rules", 0, AGENT_RULE_FILES_MAX, &ra, &t->n_rules)))
			return rc;
		if (t->n_rules && strcmp(t->kind, "scan") != 0)
			return BAD("tasks.tasks", "rules", _("only a scan task carries rules"));
		if (t->n_rules && !(t->rules = calloc(t->n_rules, sizeof *t->rules)))
			return cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
		json_array_foreach (ra, j, rv) {
			struct agent_rule *ru = &t->rules[j];
			if (!json_is_object(rv))
				return BAD("tasks.tasks", "rules", _("not an object"));
			if ((rc = only_keys(rv, "tasks.tasks.rules", rkeys)) ||
			    (rc = get_str(rv, "tasks.tasks.rules", "name", 1, 255, &ru->name)) ||
			    (rc = get_str(rv, "tasks.tasks.rules", "source", 1, AGENT_RULES_MAX, &ru->source)))
				return rc;
			total += strlen(ru->source);
			if (total > AGENT_RULES_MAX)
				return BAD("tasks.tasks", "rules", _("too long"));
			if (!agent_rule_name_ok(ru->name))
				return BAD("tasks.tasks.rules", "name", _("not a plain file name"));
			for (size_t k = 0; k < j; k++)
				if (strcmp(t->rules[k].name, ru->name) == 0)
					return BAD("tasks.tasks.rules", "name", _("given twice"));
		}
	}
	return CG_OK;
}

int agent_rule_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 255 || name[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static enum cg_err parse_by_type(json_t *r, const char *type, struct agent_msg *m)
{
	enum cg_err rc;
	if (strcmp(type, "enroll") == 0) {
		m->type = AGENT_MSG_ENROLL;
		return parse_enroll(r, m);
	}
	if (strcmp(type, "hello") == 0) {
		m->type = AGENT_MSG_HELLO;
		return parse_hello(r, m);
	}
	if (strcmp(type, "report") == 0) {
		m->type = AGENT_MSG_REPORT;
		return parse_report(r, m);
	}
	if (strcmp(type, "enrolled") == 0) {
		static const char *const keys[] = {"type", "agent", "cert", "ca", NULL};
		m->type = AGENT_MSG_ENROLLED;
		if ((rc = only_keys(r, "enrolled", keys)) ||
		    (rc = get_int(r, "enrolled", "agent", 1, 1, INT64_MAX, &m->agent_id)) ||
		    (rc = get_str(r, "enrolled", "cert", 1, AGENT_PEM_MAX, &m->cert)) ||
		    (rc = get_str(r, "enrolled", "ca", 1, AGENT_PEM_MAX, &m->ca)))
			return rc;
		return CG_OK;
	}
	if (strcmp(type, "tasks") == 0) {
		m->type = AGENT_MSG_TASKS;
		return parse_tasks(r, m);
	}
	if (strcmp(type, "ack") == 0) {
		static const char *const keys[] = {"type", "seq", NULL};
		m->type = AGENT_MSG_ACK;
		if ((rc = only_keys(r, "ack", keys)) || (rc = get_int(r, "ack", "seq", 1, 1, INT64_MAX, &m->seq)))
			return rc;
		return CG_OK;
	}
	if (strcmp(type, "error") == 0) {
		static const char *const keys[] = {"type", "message", NULL};
		m->type = AGENT_MSG_ERROR;
		if ((rc = only_keys(r, "error", keys)) ||
		    (rc = get_str(r, "error", "message", 1, AGENT_STR_MAX, &m->message)))
			return rc;
		return CG_OK;
	}
	return BAD("message", "type", _("unknown type"));
}

enum cg_err agent_msg_parse(const void *buf, size_t len, struct agent_msg **out)
{
	struct agent_msg *m;
	json_error_t jerr;
	const char *type;
	enum cg_err rc;

	*out = NULL;
	if (len > AGENT_MSG_MAX)
		return cg_err_set(CG_ELIMIT, _("agent message: %zu bytes, more than the limit of %u"), len,
				  AGENT_MSG_MAX);
	if (!(m = calloc(1, sizeof *m)))
		return cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
	m->root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!m->root) {
		rc = cg_err_set(CG_EPARSE, _("agent message: offset %d: %s"), jerr.position, jerr.text);
		goto fail;
	}
	if (!json_is_object(m->root)) {
		rc = cg_err_set(CG_EPARSE, "%s", _("agent message: not a JSON object"));
		goto fail;
	}
	if ((rc = get_str(m->root, "message", "type", 1, 16, &type)) || (rc = parse_by_type(m->root, type, m)))
		goto fail;
	*out = m;
	return CG_OK;
fail:
	agent_msg_free(m);
	return rc;
}

void agent_msg_free(struct agent_msg *m)
{
	if (!m)
		return;
	json_decref(m->root);
	free(m->addresses);
	free(m->ports);
	free(m->users);
	free(m->lines);
	free(m->hits);
	free(m->problems);
	for (size_t i = 0; m->tasks && i < m->n_tasks; i++)
		free(m->tasks[i].rules);
	free(m->tasks);
	free(m);
}

enum cg_err agent_frame_len(const unsigned char hdr[4], size_t *len)
{
	uint32_t n = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
	*len = n;
	if (n == 0)
		return cg_err_set(CG_EPARSE, "%s", _("agent message: empty frame"));
	if (n > AGENT_MSG_MAX)
		return cg_err_set(CG_ELIMIT, _("agent message: %zu bytes, more than the limit of %u"), (size_t)n,
				  AGENT_MSG_MAX);
	return CG_OK;
}

enum cg_err agent_frame_build(const json_t *v, unsigned char **out, size_t *len)
{
	size_t n = json_dumpb(v, NULL, 0, JSON_COMPACT);
	unsigned char *b;

	*out = NULL;
	if (n == 0)
		return cg_err_set(CG_EINTERNAL, "%s", _("agent message: cannot serialise"));
	if (n > AGENT_MSG_MAX)
		return cg_err_set(CG_ELIMIT, _("agent message: %zu bytes, more than the limit of %u"), n,
				  AGENT_MSG_MAX);
	if (!(b = malloc(n + 4)))
		return cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
	if (json_dumpb(v, (char *)b + 4, n, JSON_COMPACT) != n) {
		free(b);
		return cg_err_set(CG_EINTERNAL, "%s", _("agent message: cannot serialise"));
	}
	b[0] = (unsigned char)(n >> 24);
	b[1] = (unsigned char)(n >> 16);
	b[2] = (unsigned char)(n >> 8);
	b[3] = (unsigned char)n;
	*out = b;
	*len = n + 4;
	return CG_OK;
}

const char *agent_report_kind_name(enum agent_report_kind k)
{
	switch (k) {
	case AGENT_REPORT_INVENTORY: return "inventory";
	case AGENT_REPORT_LOGS: return "logs";
	case AGENT_REPORT_RESULT: return "result";
	}
	return "?";
}
