#include "agent_outbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cg_i18n.h"

struct agent_outbox {
	char *dir;
	size_t max_items;
	uint64_t max_bytes;
	int64_t next_seq;
};

static int item_name(const char *name, int64_t *seq)
{
	char *end;
	long long v;
	if (strlen(name) != 25 || strcmp(name + 20, ".json") != 0)
		return 0;
	errno = 0;
	v = strtoll(name, &end, 10);
	if (errno || end != name + 20 || v <= 0)
		return 0;
	*seq = v;
	return 1;
}

static enum cg_err write_atomic(const char *dir, const char *name, const char *data, size_t len)
{
	char tmp[4200], dst[4200];
	size_t off = 0;
	int fd, dfd;

	snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
	snprintf(dst, sizeof dst, "%s/%s", dir, name);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return cg_err_set(CG_EIO, _("%s: cannot create: %s"), tmp, strerror(errno));
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off < len || fsync(fd) != 0) {
		int e = errno;
		close(fd);
		unlink(tmp);
		return cg_err_set(CG_EIO, _("%s: cannot write: %s"), tmp, strerror(e ? e : ENOSPC));
	}
	if (close(fd) != 0 || rename(tmp, dst) != 0) {
		int e = errno;
		unlink(tmp);
		return cg_err_set(CG_EIO, _("%s: cannot write: %s"), dst, strerror(e));
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return CG_OK;
}

/* Sorted sequence numbers of the queued items. */
static enum cg_err list_items(const char *dir, int64_t **out, size_t *n, uint64_t *bytes)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int64_t *v = NULL, seq;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	*bytes = 0;
	if (!d)
		return cg_err_set(CG_EIO, _("%s: cannot read: %s"), dir, strerror(errno));
	while ((e = readdir(d))) {
		struct stat st;
		if (!item_name(e->d_name, &seq) || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			int64_t *nv = realloc(v, nc * sizeof *v);
			if (!nv) {
				free(v);
				closedir(d);
				return cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
			}
			v = nv;
			cap = nc;
		}
		v[(*n)++] = seq;
		*bytes += (uint64_t)st.st_size;
	}
	closedir(d);
	for (size_t i = 1; i < *n; i++) /* insertion sort: the directory is bounded and mostly ordered */
		for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			int64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	*out = v;
	return CG_OK;
}

enum cg_err agent_outbox_open(const char *dir, size_t max_items, uint64_t max_bytes, struct agent_outbox **out)
{
	struct agent_outbox *ob;
	char path[4200], buf[32];
	int64_t *items = NULL;
	size_t n = 0;
	uint64_t bytes;
	enum cg_err rc;
	FILE *f;

	*out = NULL;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return cg_err_set(CG_EIO, _("%s: cannot create directory: %s"), dir, strerror(errno));
	if (!(ob = calloc(1, sizeof *ob)) || !(ob->dir = strdup(dir))) {
		free(ob);
		return cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
	}
	ob->max_items = max_items;
	ob->max_bytes = max_bytes;
	ob->next_seq = 1;
	snprintf(path, sizeof path, "%s/seq", dir);
	if ((f = fopen(path, "re"))) {
		if (fgets(buf, sizeof buf, f))
			ob->next_seq = strtoll(buf, NULL, 10);
		fclose(f);
		if (ob->next_seq < 1)
			ob->next_seq = 1;
	}
	if ((rc = list_items(dir, &items, &n, &bytes))) {
		agent_outbox_free(ob);
		return rc;
	}
	if (n && items[n - 1] >= ob->next_seq)
		ob->next_seq = items[n - 1] + 1;
	free(items);
	*out = ob;
	return CG_OK;
}

void agent_outbox_free(struct agent_outbox *ob)
{
	if (!ob)
		return;
	free(ob->dir);
	free(ob);
}

void agent_outbox_usage(struct agent_outbox *ob, size_t *items, uint64_t *bytes)
{
	int64_t *v = NULL;
	*items = 0;
	*bytes = 0;
	if (list_items(ob->dir, &v, items, bytes) != CG_OK)
		*items = 0;
	free(v);
}

enum cg_err agent_outbox_put(struct agent_outbox *ob, const char *kind, const json_t *body, int64_t *seq)
{
	json_t *item = json_pack("{s:s,s:O}", "kind", kind, "body", (json_t *)body);
	char *text = item ? json_dumps(item, JSON_COMPACT) : NULL;
	char name[32], num[32];
	int64_t *v = NULL;
	size_t n = 0, len;
	uint64_t bytes = 0;
	enum cg_err rc;

	json_decref(item);
	if (!text)
		return cg_err_set(CG_ENOMEM, "%s", cg_strerror(CG_ENOMEM));
	len = strlen(text);
	if ((rc = list_items(ob->dir, &v, &n, &bytes)))
		goto done;
	if (n + 1 > ob->max_items || bytes + len > ob->max_bytes) {
		rc = cg_err_set(CG_ELIMIT, _("%s: the outbox is full (%zu reports, %" PRIu64 " bytes queued); the %s report waits"),
				ob->dir, n, bytes, kind);
		goto done;
	}
	*seq = ob->next_seq;
	/* The counter first: a number is never handed out twice, even after a crash. */
	len = (size_t)snprintf(num, sizeof num, "%lld\n", (long long)(ob->next_seq + 1));
	if ((rc = write_atomic(ob->dir, "seq", num, len)))
		goto done;
	ob->next_seq++;
	snprintf(name, sizeof name, "%020lld.json", (long long)*seq);
	rc = write_atomic(ob->dir, name, text, strlen(text));
done:
	free(v);
	free(text);
	return rc;
}

enum cg_err agent_outbox_foreach(struct agent_outbox *ob, agent_outbox_fn fn, void *ctx)
{
	int64_t *v = NULL;
	size_t n = 0;
	uint64_t bytes;
	enum cg_err rc;

	if ((rc = list_items(ob->dir, &v, &n, &bytes)))
		return rc;
	for (size_t i = 0; i < n && !rc; i++) {
		char path[4200];
		json_error_t jerr;
		snprintf(path, sizeof path, "%s/%020lld.json", ob->dir, (long long)v[i]);
		json_t *item = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
		if (!item || !json_is_string(json_object_get(item, "kind")) ||
		    !json_is_object(json_object_get(item, "body"))) {
			/* A damaged item (disk trouble) is set aside, not sent, not lost. */
			char bad[4300];
			snprintf(bad, sizeof bad, "%s.bad", path);
			if (rename(path, bad) != 0)
				unlink(path);
			json_decref(item);
			continue;
		}
		rc = fn(ctx, v[i], item);
		json_decref(item);
	}
	free(v);
	return rc;
}

enum cg_err agent_outbox_ack(struct agent_outbox *ob, int64_t seq)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%020lld.json", ob->dir, (long long)seq);
	if (unlink(path) != 0 && errno != ENOENT)
		return cg_err_set(CG_EIO, _("%s: cannot delete: %s"), path, strerror(errno));
	return CG_OK;
}
