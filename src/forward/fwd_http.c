/* fwd_http — see fwd_http.h. */
#include "fwd_http.h"
#include "cg_i18n.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fwd_http {
	CURL *curl;
	struct curl_slist *headers;
	atomic_int *stop;
};

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n; /* the answer's body is not needed */
}

static int progress(void *ctx, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	struct fwd_http *h = ctx;
	(void)a, (void)b, (void)c, (void)d;
	return atomic_load(h->stop) ? 1 : 0;
}

enum cg_err fwd_http_new(const char *url, const char *tls_ca, const char *tls_cert, const char *tls_key,
                         unsigned timeout_ms, atomic_int *stop, struct fwd_http **out)
{
	struct fwd_http *h = calloc(1, sizeof *h);

	*out = NULL;
	if (!h)
		return cg_err_set(CG_ENOMEM, _("http: out of memory"));
	h->stop = stop;
	h->curl = curl_easy_init();
	h->headers = curl_slist_append(NULL, "Content-Type: application/json");
	if (!h->curl || !h->headers) {
		fwd_http_free(h);
		return cg_err_set(CG_EINTERNAL, _("http: cannot initialise libcurl"));
	}
	curl_easy_setopt(h->curl, CURLOPT_URL, url);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->headers);
	curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h->curl, CURLOPT_XFERINFOFUNCTION, progress);
	curl_easy_setopt(h->curl, CURLOPT_XFERINFODATA, h);
	curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (tls_ca)
		curl_easy_setopt(h->curl, CURLOPT_CAINFO, tls_ca);
	if (tls_cert) {
		curl_easy_setopt(h->curl, CURLOPT_SSLCERT, tls_cert);
		curl_easy_setopt(h->curl, CURLOPT_SSLKEY, tls_key ? tls_key : tls_cert);
	}
	*out = h;
	return CG_OK;
}

enum cg_err fwd_http_post(struct fwd_http *h, const char *body, size_t n, char *err, size_t errn)
{
	long code = 0;
	CURLcode c;

	err[0] = 0;
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
	c = curl_easy_perform(h->curl);
	if (c != CURLE_OK) {
		snprintf(err, errn, _("POST: %s"), curl_easy_strerror(c));
		return CG_EIO;
	}
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &code);
	if (code < 200 || code > 299) {
		snprintf(err, errn, _("POST: HTTP status %ld"), code);
		return CG_EIO;
	}
	return CG_OK;
}

void fwd_http_free(struct fwd_http *h)
{
	if (!h)
		return;
	curl_slist_free_all(h->headers);
	if (h->curl)
		curl_easy_cleanup(h->curl);
	free(h);
}
