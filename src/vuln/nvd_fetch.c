/* NVD CVE API 2.0 client. The API allows 5 requests per rolling 30 s without
 * a key and 50 with one; it answers 403/429/503 when pushed, and accepts
 * last-modified windows of at most 120 days. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cg_buf.h"
#include "cg_i18n.h"
#include "nvd_fetch.h"
#include "store_vuln.h"

#define PAGE_CAP ((size_t)64 << 20)
#define WINDOW_DAYS 120
#define MAX_RETRIES 5

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	struct cg_buf *b = ud;
	return cg_buf_append(b, p, size * n) ? 0 : size * n;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	if (ms > 0)
		nanosleep(&ts, NULL);
}

static void iso(int64_t t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

static enum cg_err get_page(CURL *c, const char *url, struct curl_slist *hdr, struct cg_buf *b, long delay,
			    struct nvd_fetch_stats *st)
{
	for (int attempt = 0;; attempt++) {
		long code = 0;
		CURLcode cc;

		cg_buf_reset(b);
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
		curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 300L);
		curl_easy_setopt(c, CURLOPT_USERAGENT, "canhgac");
		cc = curl_easy_perform(c);
		if (cc == CURLE_WRITE_ERROR)
			return cg_err_set(CG_ELIMIT, _("%s: answer larger than %zu bytes"), url, PAGE_CAP);
		if (cc != CURLE_OK && attempt >= MAX_RETRIES)
			return cg_err_set(CG_EIO, "%s: %s", url, curl_easy_strerror(cc));
		if (cc == CURLE_OK) {
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
			if (code == 200)
				return CG_OK;
			if ((code != 403 && code != 429 && code != 503) || attempt >= MAX_RETRIES)
				return cg_err_set(CG_EIO, _("%s: HTTP status %ld"), url, code);
		}
		/* Throttled or unreachable: back off, honouring Retry-After. */
		curl_off_t ra = -1;
		curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &ra);
		st->retries++;
		sleep_ms(ra > 0 && ra < 600 ? (long)ra * 1000 : (delay > 0 ? delay : 1000) * (1L << attempt));
	}
}

enum cg_err nvd_fetch(struct cg_db *db, const struct nvd_fetch_opts *o, struct nvd_fetch_stats *st)
{
	const char *base = o->url ? o->url : "https://services.nvd.nist.gov/rest/json/cves/2.0";
	long delay = o->delay_ms >= 0 ? o->delay_ms : (o->api_key ? 600 : 6000);
	long size = o->page_size > 0 && o->page_size <= 2000 ? o->page_size : 2000;
	int64_t started = cg_now(), since = o->since;
	struct curl_slist *hdr = NULL;
	struct cg_buf b;
	char key[600], url[2048], from[40], to[40], last[64];
	CURL *c;
	enum cg_err rc = CG_OK;
	int partial = 0;

	memset(st, 0, sizeof *st);
	if (since < 0) {
		if ((rc = store_vuln_meta_get(db, "nvd.fetched_until", last, sizeof last)))
			return rc;
		since = *last ? strtoll(last, NULL, 10) : -1;
	}
	if (!(c = curl_easy_init()))
		return cg_err_set(CG_EINTERNAL, _("libcurl: cannot start a session"));
	if (o->api_key) {
		snprintf(key, sizeof key, "apiKey: %s", o->api_key);
		hdr = curl_slist_append(hdr, key);
	}
	cg_buf_init(&b, PAGE_CAP);
	/* One pass per last-modified window of at most 120 days (or one pass over all). */
	for (int64_t w = since; rc == CG_OK; w += (int64_t)WINDOW_DAYS * 86400) {
		int64_t wend = w + (int64_t)WINDOW_DAYS * 86400;
		if (since >= 0 && w >= started)
			break;
		if (wend > started)
			wend = started;
		if (since >= 0) {
			iso(w, from, sizeof from);
			iso(wend, to, sizeof to);
		}
		for (long start = 0;;) {
			struct adv_import_stats as;
			char name[64];

			if (since >= 0)
				snprintf(url, sizeof url, "%s?lastModStartDate=%s&lastModEndDate=%s&resultsPerPage=%ld&startIndex=%ld",
					 base, from, to, size, start);
			else
				snprintf(url, sizeof url, "%s?resultsPerPage=%ld&startIndex=%ld", base, size, start);
			if (st->pages)
				sleep_ms(delay);
			if ((rc = get_page(c, url, hdr, &b, delay, st)))
				break;
			st->pages++;
			snprintf(name, sizeof name, _("NVD page %ld"), st->pages);
			if ((rc = store_adv_import(db, ADV_NVD, name, b.data ? b.data : "", b.len, &as)))
				break;
			st->records += (long)as.records;
			st->changed += (long)as.changed;
			if (o->progress)
				o->progress(o->progress_ctx, start + (long)as.records, as.total);
			/* The server may send fewer than asked for: go on from what came. */
			start += (long)as.records;
			if (as.total < 0 || start >= as.total || as.records == 0)
				break;
			if (o->max_pages > 0 && st->pages >= o->max_pages) {
				partial = 1;
				break;
			}
		}
		if (since < 0 || (o->max_pages > 0 && st->pages >= o->max_pages))
			break;
	}
	if (!rc && !partial) {
		snprintf(last, sizeof last, "%lld", (long long)started);
		rc = store_vuln_meta_set(db, "nvd.fetched_until", last);
	}
	cg_buf_free(&b);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	return rc;
}
