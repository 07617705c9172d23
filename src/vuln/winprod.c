/* The Windows build and program tables. Sources: Microsoft's release
 * information pages (build number of each release) and the CPE names NVD
 * uses in its configurations of Microsoft CVEs (e.g. CVE-2023-28252,
 * CVE-2023-36745, CVE-2023-36884). Extend the tables here; each row is one
 * fact. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "winprod.h"

struct build_row {
	unsigned build;
	unsigned servicing;
	const char *client, *client_label; /* label: CPE version of the windows_10/11 form */
	const char *server, *server_label;
};

/* Builds 19041-19045 and 22621/22631 are enablement-package releases of one
 * code base: the same cumulative update brings them to the same revision. */
static const struct build_row builds[] = {
	{9200, 9200, "windows_8", NULL, "windows_server_2012", "-"},
	{9600, 9600, "windows_8.1", NULL, "windows_server_2012", "r2"},
	{10240, 10240, "windows_10_1507", "1507", NULL, NULL},
	{14393, 14393, "windows_10_1607", "1607", "windows_server_2016", "-"},
	{17763, 17763, "windows_10_1809", "1809", "windows_server_2019", "-"},
	{19041, 19041, "windows_10_2004", "2004", NULL, NULL},
	{19042, 19041, "windows_10_20h2", "20h2", NULL, NULL},
	{19043, 19041, "windows_10_21h1", "21h1", NULL, NULL},
	{19044, 19041, "windows_10_21h2", "21h2", NULL, NULL},
	{19045, 19041, "windows_10_22h2", "22h2", NULL, NULL},
	{20348, 20348, NULL, NULL, "windows_server_2022", "-"},
	{22000, 22000, "windows_11_21h2", "21h2", NULL, NULL},
	{22621, 22621, "windows_11_22h2", "22h2", NULL, NULL},
	{22631, 22621, "windows_11_23h2", "23h2", NULL, NULL},
};

/* Cumulative updates of the server builds: KB number -> the revision it
 * brings. One row per update, copied from Microsoft's Windows Server release
 * information (release history tables; each KB links to
 * https://support.microsoft.com/help/NNNNNNN). Server 2016 and Windows 10
 * 1607 share build 14393 and its updates, as Server 2019 and Windows 10 1809
 * share 17763. */
const char winprod_kb_reference[] = "https://learn.microsoft.com/en-us/windows/release-health/windows-server-release-info";

struct kb_row {
	unsigned build;
	unsigned long kb;
	unsigned revision;
};

static const struct kb_row kb_rows[] = {
	{14393, 5022289, 5648}, /* 2023-01 */
	{14393, 5022838, 5717}, /* 2023-02 */
	{14393, 5023697, 5786}, /* 2023-03 */
	{14393, 5025228, 5850}, /* 2023-04 */
	{14393, 5026363, 5921}, /* 2023-05 */
	{14393, 5027219, 5989}, /* 2023-06 */
	{14393, 5028623, 5996}, /* 2023-06 OOB */
	{14393, 5028169, 6085}, /* 2023-07 */
	{14393, 5029242, 6167}, /* 2023-08 */
	{14393, 5030213, 6252}, /* 2023-09 */
	{14393, 5031362, 6351}, /* 2023-10 */
	{14393, 5032197, 6452}, /* 2023-11 */
	{14393, 5033373, 6529}, /* 2023-12 */
	{14393, 5034119, 6614}, /* 2024-01 */
	{17763, 5022286, 3887}, /* 2023-01 */
	{17763, 5022840, 4010}, /* 2023-02 */
	{17763, 5023702, 4131}, /* 2023-03 */
	{17763, 5025229, 4252}, /* 2023-04 */
	{17763, 5026362, 4377}, /* 2023-05 */
	{17763, 5027222, 4499}, /* 2023-06 */
	{17763, 5028168, 4645}, /* 2023-07 */
	{17763, 5029247, 4737}, /* 2023-08 */
	{17763, 5030214, 4851}, /* 2023-09 */
	{17763, 5031361, 4974}, /* 2023-10 */
	{17763, 5032196, 5122}, /* 2023-11 */
	{17763, 5033371, 5206}, /* 2023-12 */
	{17763, 5034127, 5329}, /* 2024-01 */
	{20348, 5022291, 1487}, /* 2023-01 */
	{20348, 5022842, 1547}, /* 2023-02 */
	{20348, 5023705, 1607}, /* 2023-03 */
	{20348, 5025230, 1668}, /* 2023-04 */
	{20348, 5026370, 1726}, /* 2023-05 */
	{20348, 5027225, 1787}, /* 2023-06 */
	{20348, 5028171, 1850}, /* 2023-07 */
	{20348, 5029250, 1906}, /* 2023-08 */
	{20348, 5030216, 1970}, /* 2023-09 */
	{20348, 5031364, 2031}, /* 2023-10 */
	{20348, 5032198, 2113}, /* 2023-11 */
	{20348, 5033118, 2159}, /* 2023-12 */
	{20348, 5034129, 2227}, /* 2024-01 */
};

int winprod_kb_revision(unsigned long build, const char *kb, unsigned long *rev)
{
	unsigned long n = 0;
	size_t k;

	if (!kb || strncasecmp(kb, "KB", 2) != 0)
		return -1;
	k = strspn(kb + 2, "0123456789");
	if (k == 0 || k > 9 || kb[2 + k])
		return -1;
	for (size_t i = 0; i < k; i++)
		n = n * 10 + (unsigned long)(kb[2 + i] - '0');
	for (size_t i = 0; i < sizeof kb_rows / sizeof kb_rows[0]; i++)
		if (kb_rows[i].build == build && kb_rows[i].kb == n) {
			*rev = kb_rows[i].revision;
			return 0;
		}
	return -1;
}

struct build_num {
	unsigned long v[4];
	int n;
};

/* "10.0.17763" or "10.0.17763.4010": 3 or 4 decimal numbers, each short. */
static int parse_build(const char *s, struct build_num *b)
{
	memset(b, 0, sizeof *b);
	for (;;) {
		size_t k = strspn(s, "0123456789");
		if (k == 0 || k > 9 || b->n == 4)
			return -1;
		unsigned long x = 0;
		for (size_t i = 0; i < k; i++)
			x = x * 10 + (unsigned long)(s[i] - '0');
		b->v[b->n++] = x;
		s += k;
		if (!*s)
			break;
		if (*s++ != '.')
			return -1;
	}
	return b->n >= 3 ? 0 : -1;
}

static const struct build_row *row_of(unsigned long build)
{
	for (size_t i = 0; i < sizeof builds / sizeof builds[0]; i++)
		if (builds[i].build == build)
			return &builds[i];
	return NULL;
}

int winprod_os_lookup(const char *name, const char *version, struct winprod_os *out)
{
	struct build_num b;
	const struct build_row *r;

	memset(out, 0, sizeof *out);
	if (!version || parse_build(version, &b) || !(r = row_of(b.v[2])))
		return -1;
	out->build = b.v[2];
	out->has_revision = b.n == 4;
	out->revision = b.n == 4 ? b.v[3] : 0;
	out->servicing = r->servicing;
	out->is_server = name && strcasestr(name, "server") != NULL;
	if (out->is_server && !r->server)
		out->is_server = 0; /* "Windows 10 Enterprise for Virtual Desktops" and the like */
	if (!out->is_server && !r->client)
		out->is_server = 1;
	if (out->is_server) {
		out->product = r->server;
		out->label = r->server_label;
		out->sibling = r->client;
		out->sibling_label = r->client ? "-" : NULL;
	} else {
		out->product = r->client;
		out->label = "-";
		out->sibling = r->server;
		out->sibling_label = r->server_label;
		if (r->client_label) {
			out->legacy = r->build >= 22000 ? "windows_11" : "windows_10";
			out->legacy_label = r->client_label;
		}
	}
	return 0;
}

int winprod_build_cmp(const char *a, const char *b, int *out)
{
	struct build_num x, y;
	const struct build_row *rx, *ry;
	int i = 0;

	if (parse_build(a, &x) || parse_build(b, &y))
		return -1;
	rx = row_of(x.v[2]);
	ry = row_of(y.v[2]);
	if (x.v[0] == y.v[0] && x.v[1] == y.v[1] && rx && ry && rx->servicing == ry->servicing)
		i = 3;
	*out = 0;
	for (; i < 4 && !*out; i++)
		if (x.v[i] != y.v[i])
			*out = x.v[i] < y.v[i] ? -1 : 1;
	return 0;
}

int winprod_same_family(const char *a, const char *b)
{
	struct build_num x, y;
	const struct build_row *rx, *ry;

	if (parse_build(a, &x) || parse_build(b, &y) || !(rx = row_of(x.v[2])) || !(ry = row_of(y.v[2])))
		return -1;
	return x.v[0] == y.v[0] && x.v[1] == y.v[1] && rx->servicing == ry->servicing;
}

/* The last "20NN" or "19NN" word of a name, the release year of a product. */
static int year_in(const char *name, char *out, size_t n)
{
	const char *best = NULL;
	for (const char *p = name; *p; p++) {
		if ((p == name || p[-1] == ' ') && strspn(p, "0123456789") == 4 && (p[4] == '\0' || p[4] == ' ') &&
		    (p[0] == '2' || p[0] == '1'))
			best = p;
	}
	if (!best)
		return -1;
	snprintf(out, n, "%.4s", best);
	return 0;
}

/* Names of updates, language packs and helpers that share a product's name
 * but are not the product. */
static int is_add_on(const char *name)
{
	static const char *const words[] = {"Update for", "Language Pack", "MUI", "Proofing", "Click-to-Run",
					    "Runtime", "Add-in", "Connector", "Management Tools"};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcasestr(name, words[i]))
			return 1;
	return 0;
}

int winprod_program_lookup(const char *name, struct winprod_program *out)
{
	memset(out, 0, sizeof *out);
	if (!name || strncasecmp(name, "Microsoft ", 10) != 0 || is_add_on(name))
		return -1;
	const char *rest = name + 10;
	if (strncasecmp(rest, "Exchange Server ", 16) == 0) {
		/* "Microsoft Exchange Server 2016 Cumulative Update 23" */
		const char *cu = strcasestr(rest, "Cumulative Update ");
		if (year_in(rest, out->version, sizeof out->version))
			return -1;
		out->product = "exchange_server";
		if (cu) {
			cu += 18;
			size_t k = strspn(cu, "0123456789");
			if (k == 0 || k > 3)
				return -1;
			snprintf(out->update, sizeof out->update, "cumulative_update_%.*s", (int)k, cu);
		}
		return 0;
	}
	if (strncasecmp(rest, "SharePoint Server 2019", 22) == 0) {
		out->product = "sharepoint_server";
		snprintf(out->version, sizeof out->version, "2019");
		return 0;
	}
	if (strncasecmp(rest, "SharePoint Server 2016", 22) == 0 ||
	    strncasecmp(rest, "SharePoint Enterprise Server 2016", 33) == 0) {
		out->product = "sharepoint_enterprise_server";
		snprintf(out->version, sizeof out->version, "2016");
		return 0;
	}
	if (strncasecmp(rest, "365 Apps for ", 13) == 0 || strncasecmp(rest, "Office 365 ProPlus", 18) == 0) {
		out->product = "365_apps";
		snprintf(out->version, sizeof out->version, "-");
		return 0;
	}
	if (strncasecmp(rest, "Office ", 7) == 0) {
		/* "Microsoft Office Professional Plus 2019", "Microsoft Office LTSC Standard 2021" */
		if (year_in(rest, out->version, sizeof out->version))
			return -1;
		out->product = "office";
		return 0;
	}
	if (strncasecmp(rest, "Word ", 5) == 0 || strncasecmp(rest, "Outlook ", 8) == 0) {
		if (year_in(rest, out->version, sizeof out->version))
			return -1;
		out->product = strncasecmp(rest, "Word ", 5) == 0 ? "word" : "outlook";
		return 0;
	}
	return -1;
}

size_t winprod_kb_in(const char *s, char *kb, size_t n)
{
	for (const char *p = s; p && *p; p++) {
		if ((p[0] == 'K' || p[0] == 'k') && (p[1] == 'B' || p[1] == 'b') && (p == s || !(p[-1] >= 'A' && p[-1] <= 'z'))) {
			size_t k = strspn(p + 2, "0123456789");
			if (k >= 6 && k <= 8 && k + 3 <= n) {
				snprintf(kb, n, "KB%.*s", (int)k, p + 2);
				return k + 2;
			}
		}
	}
	return 0;
}
