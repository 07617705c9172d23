/* Deliveries through libcurl (see deliver.h). */
#include "deliver.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "cg_buf.h"
#include "cg_i18n.h"

/* Bytes of a webhook's reply kept (to check Telegram's "ok"). */
#define REPLY_MAX 65536
#define CONNECT_TIMEOUT_S 10L

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;
static void curl_start(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

enum cg_err duty_deliver_init(void)
{
	pthread_once(&curl_once, curl_start);
	if (curl_init_rc != CURLE_OK)
		return cg_err_set(CG_EINTERNAL, _("libcurl: cannot start: %s"), curl_easy_strerror(curl_init_rc));
	return CG_OK;
}

struct upload {
	const char *p;
	size_t left;
};

static size_t on_read(char *buf, size_t size, size_t n, void *ctx)
{
	struct upload *u = ctx;
	size_t k = size * n < u->left ? size * n : u->left;
	memcpy(buf, u->p, k);
	u->p += k;
	u->left -= k;
	return k;
}

static size_t on_reply(char *p, size_t size, size_t n, void *ctx)
{
	struct cg_buf *b = ctx;
	size_t k = size * n;
	if (b->len + k <= REPLY_MAX && cg_buf_append(b, p, k))
		return 0;
	return k; /* the rest is not kept */
}

static void common(CURL *c, const struct duty_channel *ch, char *errbuf)
{
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S < (long)ch->timeout_s ? CONNECT_TIMEOUT_S
											   : (long)ch->timeout_s);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)ch->timeout_s);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	if (ch->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, ch->ca_file);
	errbuf[0] = '\0';
}

static enum cg_err failed(const struct duty_channel *ch, CURLcode cc, const char *errbuf)
{
	return cg_err_set(CG_EIO, _("duty: channel '%s': %s"), ch->name, *errbuf ? errbuf : curl_easy_strerror(cc));
}

enum cg_err duty_deliver_email(const struct duty_channel *ch, const char *to, const char *msg, size_t len)
{
	char url[600], from[300], rcpt[300], errbuf[CURL_ERROR_SIZE];
	struct upload u = {msg, len};
	struct curl_slist *rcpts = NULL;
	enum cg_err rc = CG_OK;
	CURLcode cc;
	CURL *c;

	if ((rc = duty_deliver_init()))
		return rc;
	if (!(c = curl_easy_init()))
		return cg_err_set(CG_EINTERNAL, _("libcurl: cannot start a session"));
	snprintf(url, sizeof url, "%s://%s:%u", ch->tls == 2 ? "smtps" : "smtp", ch->server, ch->port);
	snprintf(from, sizeof from, "<%s>", ch->from);
	snprintf(rcpt, sizeof rcpt, "<%s>", to);
	if (!(rcpts = curl_slist_append(NULL, rcpt))) {
		curl_easy_cleanup(c);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	common(c, ch, errbuf);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	if (ch->tls == 1)
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (ch->username) {
		curl_easy_setopt(c, CURLOPT_USERNAME, ch->username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, ch->password ? ch->password : "");
	}
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	if ((cc = curl_easy_perform(c)) != CURLE_OK)
		rc = failed(ch, cc, errbuf);
	curl_slist_free_all(rcpts);
	curl_easy_cleanup(c);
	return rc;
}

/* Telegram answers {"ok": true, ...} when the message went out. */
static int telegram_ok(const struct cg_buf *reply)
{
	json_t *o = reply->len ? json_loadb(reply->data, reply->len, 0, NULL) : NULL;
	int ok = o && json_is_true(json_object_get(o, "ok"));
	json_decref(o);
	return ok;
}

enum cg_err duty_deliver_json(const struct duty_channel *ch, const char *json, size_t len)
{
	char errbuf[CURL_ERROR_SIZE];
	struct curl_slist *hdr = NULL;
	struct cg_buf reply;
	enum cg_err rc = CG_OK;
	long status = 0;
	CURLcode cc;
	CURL *c;

	if ((rc = duty_deliver_init()))
		return rc;
	if (!ch->url)
		return cg_err_set(CG_EINVAL, _("duty: channel '%s' has no URL"), ch->name);
	if (!(c = curl_easy_init()))
		return cg_err_set(CG_EINTERNAL, _("libcurl: cannot start a session"));
	if (!(hdr = curl_slist_append(NULL, "Content-Type: application/json"))) {
		curl_easy_cleanup(c);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	cg_buf_init(&reply, REPLY_MAX);
	common(c, ch, errbuf);
	curl_easy_setopt(c, CURLOPT_URL, ch->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "canhgac");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_reply);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply);
	if ((cc = curl_easy_perform(c)) != CURLE_OK) {
		rc = failed(ch, cc, errbuf);
	} else {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (status < 200 || status > 299)
			rc = cg_err_set(CG_EIO, _("duty: channel '%s': the server answered HTTP %ld"), ch->name, status);
		else if (ch->kind == DUTY_CH_TELEGRAM && !telegram_ok(&reply))
			rc = cg_err_set(CG_EIO, _("duty: channel '%s': Telegram did not answer \"ok\": true"), ch->name);
	}
	cg_buf_free(&reply);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	return rc;
}
