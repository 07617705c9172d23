/* sweep_plan — see sweep_plan.h. */
#include "sweep_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cg_i18n.h"
#include "priority.h"
#include "store_assets.h"

/* Where malware is dropped and persists: home and web directories, the
 * world-writable temporary directories, scheduled jobs, locally installed
 * programs, system start-up. */
static const char *const unix_paths[] = {
	"/home", "/root", "/tmp", "/var/tmp", "/dev/shm", "/var/www", "/etc/cron.d", "/etc/cron.daily",
	"/etc/cron.hourly", "/etc/cron.weekly", "/etc/cron.monthly", "/var/spool/cron", "/etc/systemd/system",
	"/etc/init.d", "/usr/local/bin", "/usr/local/sbin", "/opt", "/srv",
};
/* Users' profiles (downloads, AppData), shared application data, the
 * temporary directories, start-up and scheduled tasks. */
static const char *const windows_paths[] = {
	"C:\\Users", "C:\\ProgramData", "C:\\Windows\\Temp", "C:\\Windows\\Tasks", "C:\\Windows\\System32\\Tasks",
	"C:\\Program Files", "C:\\Program Files (x86)", "C:\\inetpub",
};

struct sweep_plan {
	struct priority_report *report;
	struct sweep_host *hosts;
	size_t n;
	char **strings; /* os and command texts owned here */
	size_t n_strings;
};

enum sweep_os sweep_os_family(const char *os)
{
	for (const char *p = os; p && *p; p++)
		if (!strncasecmp(p, "windows", 7))
			return SWEEP_OS_WINDOWS;
	return SWEEP_OS_UNIX;
}

const char *const *sweep_paths(enum sweep_os f, size_t *n)
{
	if (f == SWEEP_OS_WINDOWS) {
		*n = sizeof windows_paths / sizeof *windows_paths;
		return windows_paths;
	}
	*n = sizeof unix_paths / sizeof *unix_paths;
	return unix_paths;
}

const char *sweep_os_name(enum sweep_os f)
{
	return f == SWEEP_OS_WINDOWS ? "windows" : "linux";
}

static char *keep(struct sweep_plan *p, char *s)
{
	if (s)
		p->strings[p->n_strings++] = s;
	return s;
}

static enum cg_err host_os(void *ctx, const struct asset_host *h)
{
	char **os = ctx;
	*os = strdup(h->os ? h->os : "");
	return *os ? CG_OK : cg_err_set(CG_ENOMEM, _("out of memory"));
}

/* "canhgac scan --rules RULES --hashes --host NAME --quarantine DIR PATH..."
 * with Windows paths quoted for cmd.exe and Unix ones for sh. */
static char *command_line(const char *host, enum sweep_os f)
{
	size_t n, len = 256 + strlen(host) * 2;
	const char *const *paths = sweep_paths(f, &n);
	char *s, *w;

	for (size_t i = 0; i < n; i++)
		len += strlen(paths[i]) + 4;
	if (!(s = malloc(len)))
		return NULL;
	w = s + snprintf(s, len, "canhgac scan --rules RULES --hashes --host ");
	for (const char *c = host; *c; c++) {
		/* host names are names (letters, digits, '.', '-', '_'); anything else is left out */
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '.' ||
		    *c == '-' || *c == '_')
			*w++ = *c;
	}
	w += snprintf(w, len - (size_t)(w - s), " --quarantine %s",
		      f == SWEEP_OS_WINDOWS ? "C:\\ProgramData\\canhgac\\quarantine" : "/var/lib/canhgac/quarantine");
	for (size_t i = 0; i < n; i++)
		w += snprintf(w, len - (size_t)(w - s), f == SWEEP_OS_WINDOWS ? " \"%s\"" : " %s", paths[i]);
	return s;
}

enum cg_err sweep_plan_build(struct cg_db *db, struct sweep_plan **out)
{
	struct priority_opts po = {.all = 1};
	struct sweep_plan *p;
	enum cg_err rc;

	*out = NULL;
	if (!(p = calloc(1, sizeof *p)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if ((rc = priority_run(db, &po, &p->report)))
		goto fail;
	p->n = priority_report_count(p->report);
	if (p->n && (!(p->hosts = calloc(p->n, sizeof *p->hosts)) || !(p->strings = calloc(2 * p->n, sizeof *p->strings)))) {
		rc = cg_err_set(CG_ENOMEM, _("out of memory"));
		goto fail;
	}
	for (size_t i = 0; i < p->n; i++) {
		const struct priority_host *ph = priority_report_host(p->report, i);
		struct sweep_host *h = &p->hosts[i];
		char *os = NULL;

		if ((rc = store_host_get(db, ph->name, host_os, &os)))
			goto fail;
		h->os = os ? keep(p, os) : "";
		h->rank = ph->rank;
		h->name = ph->name;
		h->system = ph->system;
		h->tier = (int)ph->tier;
		h->score = (long long)ph->score;
		h->n_addrs = ph->n_addrs;
		h->addrs = ph->addrs;
		h->n_reasons = ph->n_reasons;
		h->reasons = ph->reasons;
		h->family = sweep_os_family(os);
		h->paths = sweep_paths(h->family, &h->n_paths);
		if (!(h->command = keep(p, command_line(ph->name, h->family)))) {
			rc = cg_err_set(CG_ENOMEM, _("out of memory"));
			goto fail;
		}
	}
	*out = p;
	return CG_OK;
fail:
	sweep_plan_free(p);
	return rc;
}

void sweep_plan_free(struct sweep_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_strings; i++)
		free(p->strings[i]);
	free(p->strings);
	free(p->hosts);
	priority_report_free(p->report);
	free(p);
}

size_t sweep_plan_count(const struct sweep_plan *p)
{
	return p->n;
}

const struct sweep_host *sweep_plan_host(const struct sweep_plan *p, size_t i)
{
	return &p->hosts[i];
}
