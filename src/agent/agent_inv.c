#include "agent_inv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent_msg.h"
#include "cg_file.h"
#include "cg_i18n.h"
#include "cg_utf8.h"
#include "inventory.h"

extern char **environ;

/* Text as JSON accepts it: invalid UTF-8 bytes become '?'. In place. */
static void utf8_clean(char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t k = cg_utf8_len((const unsigned char *)s + i, n - i);
		if (!k || s[i] == '\0') {
			s[i++] = '?';
			continue;
		}
		i += k;
	}
}

static char *read_under(const char *root, const char *path, size_t cap, size_t *len)
{
	char full[4200];
	char *buf = NULL;
	size_t l = 0;
	snprintf(full, sizeof full, "%s%s", root && strcmp(root, "/") != 0 ? root : "", path);
	if (cg_file_read(full, cap, &buf, &l) != CG_OK) {
		cg_err_clear();
		return NULL;
	}
	utf8_clean(buf, l);
	if (len)
		*len = l;
	return buf;
}

void agent_inv_parse_proc_net(const char *text, int v6, json_t *ports)
{
	const char *p = text;
	int first = 1;
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		char line[512];
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), p);
		p = eol ? eol + 1 : NULL;
		if (first) { /* the header */
			first = 0;
			continue;
		}
		char local[64], rem[64], state[8];
		unsigned port;
		if (sscanf(line, " %*[0-9]: %63[0-9A-Fa-f]:%x %63[0-9A-Fa-f]:%*x %7s", local, &port, rem, state) != 4)
			continue;
		if (strcmp(state, "0A") != 0 || port > 65535) /* TCP_LISTEN */
			continue;
		char addr[INET6_ADDRSTRLEN];
		if (!v6 && strlen(local) == 8) {
			struct in_addr a;
			a.s_addr = (in_addr_t)strtoul(local, NULL, 16); /* the kernel prints the word in host order */
			inet_ntop(AF_INET, &a, addr, sizeof addr);
		} else if (v6 && strlen(local) == 32) {
			struct in6_addr a;
			for (int w = 0; w < 4; w++) {
				char word[9];
				memcpy(word, local + 8 * w, 8);
				word[8] = '\0';
				uint32_t v = (uint32_t)strtoul(word, NULL, 16);
				memcpy(&a.s6_addr[4 * w], &v, 4);
			}
			inet_ntop(AF_INET6, &a, addr, sizeof addr);
		} else {
			continue;
		}
		json_array_append_new(ports, json_pack("{s:s,s:s,s:i}", "proto", v6 ? "tcp6" : "tcp", "addr", addr,
						       "port", (int)port));
		if (json_array_size(ports) >= AGENT_LIST_MAX / 2)
			return;
	}
}

void agent_inv_parse_passwd(const char *text, json_t *users)
{
	const char *p = text;
	while (p && *p && json_array_size(users) < AGENT_LIST_MAX) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		char line[2048], *f[7];
		int k = 0;
		snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), p);
		p = eol ? eol + 1 : NULL;
		if (!line[0] || line[0] == '#')
			continue;
		char *s = line;
		while (k < 7) {
			f[k++] = s;
			char *c = strchr(s, ':');
			if (!c)
				break;
			*c = '\0';
			s = c + 1;
		}
		if (k != 7 || !f[0][0] || strlen(f[0]) > 256)
			continue;
		char *end;
		errno = 0;
		unsigned long uid = strtoul(f[2], &end, 10);
		if (*end || errno || end == f[2] || uid > UINT32_MAX)
			continue;
		json_array_append_new(users, json_pack("{s:s,s:I,s:s,s:s}", "name", f[0], "uid", (json_int_t)uid, "home",
						       f[5], "shell", f[6]));
	}
}

static enum cg_err count_item(void *ctx, const struct inv_item *it)
{
	(void)it;
	(*(size_t *)ctx)++;
	return CG_OK;
}

/* `rpm -qa` in the query format the vulnerability module reads. */
static char *rpm_list(size_t *len)
{
	char *argv[] = {"rpm", "-qa", "--qf", "%{NAME} %{EPOCH}:%{VERSION}-%{RELEASE} %{ARCH}\\n", NULL};
	posix_spawn_file_actions_t fa;
	int pfd[2];
	pid_t pid;
	char *buf = NULL;
	size_t cap = 0;

	*len = 0;
	if (pipe2(pfd, O_CLOEXEC) != 0)
		return NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	int e = posix_spawnp(&pid, "rpm", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (e != 0) {
		close(pfd[0]);
		return NULL;
	}
	for (;;) {
		if (*len + 65536 + 1 > cap) {
			if (cap >= AGENT_TEXT_MAX)
				break;
			char *nb = realloc(buf, cap = cap ? cap * 2 : 131072);
			if (!nb)
				break;
			buf = nb;
		}
		ssize_t r = read(pfd[0], buf + *len, 65536);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		*len += (size_t)r;
	}
	close(pfd[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	if (!buf || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || *len > AGENT_TEXT_MAX) {
		free(buf);
		return NULL;
	}
	buf[*len] = '\0';
	/* rpm prints "(none)" for no epoch; the reader takes "0". */
	return buf;
}

static void add_packages(const char *root, json_t *body)
{
	size_t len = 0, n = 0;
	char *text = read_under(root, "/var/lib/dpkg/status", AGENT_TEXT_MAX, &len);
	const char *format = "none";

	if (text) {
		format = "dpkg";
		if (inv_parse_dpkg("dpkg status", text, len, count_item, &n) != CG_OK) {
			cg_err_clear();
			free(text);
			text = NULL;
			format = "none";
		}
	} else {
		struct stat st;
		char rpmdb[4200];
		snprintf(rpmdb, sizeof rpmdb, "%s/var/lib/rpm", root && strcmp(root, "/") != 0 ? root : "");
		if ((!root || !*root || strcmp(root, "/") == 0) && stat(rpmdb, &st) == 0 && (text = rpm_list(&len))) {
			for (char *p = strstr(text, " (none):"); p; p = strstr(p, " (none):")) {
				/* " (none):" → " 0:" keeping the length: pad after the epoch is not allowed, so rebuild. */
				memmove(p + 2, p + 7, strlen(p + 7) + 1);
				p[1] = '0';
			}
			format = "rpm";
		}
	}
	json_object_set_new(body, "format", json_string(format));
	if (text)
		json_object_set_new(body, "packages", json_string(text));
	free(text);
}

enum cg_err agent_inv_collect(const char *root, json_t **out)
{
	json_t *body = json_object(), *ports = json_array(), *users = json_array();
	char *t;

	*out = NULL;
	if (!body || !ports || !users) {
		json_decref(body);
		json_decref(ports);
		json_decref(users);
		return cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
	}
	if ((t = read_under(root, "/etc/os-release", 65536, NULL)) ||
	    (t = read_under(root, "/usr/lib/os-release", 65536, NULL)))
		json_object_set_new(body, "os_release", json_string(t));
	free(t);
	if ((t = read_under(root, "/proc/sys/kernel/osrelease", 256, NULL))) {
		t[strcspn(t, "\n")] = '\0';
		json_object_set_new(body, "kernel", json_string(t));
	}
	free(t);
	add_packages(root, body);
	if ((t = read_under(root, "/proc/net/tcp", 16u << 20, NULL)))
		agent_inv_parse_proc_net(t, 0, ports);
	free(t);
	if ((t = read_under(root, "/proc/net/tcp6", 16u << 20, NULL)))
		agent_inv_parse_proc_net(t, 1, ports);
	free(t);
	if ((t = read_under(root, "/etc/passwd", 16u << 20, NULL)))
		agent_inv_parse_passwd(t, users);
	free(t);
	json_object_set_new(body, "ports", ports);
	json_object_set_new(body, "users", users);
	*out = body;
	return CG_OK;
}

json_t *agent_inv_addresses(void)
{
	json_t *a = json_array();
	struct ifaddrs *ifs = NULL;
	if (!a || getifaddrs(&ifs) != 0)
		return a;
	for (struct ifaddrs *i = ifs; i && json_array_size(a) < 256; i = i->ifa_next) {
		char buf[INET6_ADDRSTRLEN];
		if (!i->ifa_addr || (i->ifa_flags & IFF_LOOPBACK))
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, buf, sizeof buf);
		else if (i->ifa_addr->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, buf, sizeof buf);
		else
			continue;
		json_array_append_new(a, json_string(buf));
	}
	freeifaddrs(ifs);
	return a;
}
