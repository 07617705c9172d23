/* notice: the e-mail is RFC 5322 shaped (CRLF, lines within 78 characters,
 * the headers a reader needs) and its subject, folded into RFC 2047 encoded
 * words, decodes back to the text; the webhook bodies have the shapes the
 * services document (Telegram sendMessage, Mattermost incoming webhook). */
#include "../test_util.h"

#include <gmime/gmime.h>
#include <jansson.h>

#include "notice.h"

static const char *const SUBJECT =
	"[canhgac] Cảnh báo mức high trên máy chủ cổng thông tin điện tử của Sở Mẫu: "
	"c2.badupdate.example (c2-domains, botnet-list, danh sách theo dõi của tỉnh)";

static void email_shape(void **state)
{
	(void)state;
	struct cg_buf out;
	cg_buf_init(&out, 1 << 20);
	assert_int_equal(duty_notice_email("canhgac@so-mau.example", "an@so-mau.example", SUBJECT,
					   "Chào An,\nmột dòng\n", "canhgac.x.0.an", 1796612400, 420, &out),
			 CG_OK);
	/* Every line ends in CRLF and is at most 78 characters. */
	char *head_end = strstr(out.data, "\r\n\r\n");
	assert_non_null(head_end);
	for (char *p = out.data; *p;) {
		char *e = strstr(p, "\r\n");
		assert_non_null(e);
		assert_true(e - p <= 78);
		assert_null(memchr(p, '\n', (size_t)(e - p)));
		p = e + 2;
	}
	assert_non_null(strstr(out.data, "Date: Mon, 07 Dec 2026 10:00:00 +0700\r\n"));
	assert_non_null(strstr(out.data, "From: <canhgac@so-mau.example>\r\n"));
	assert_non_null(strstr(out.data, "To: <an@so-mau.example>\r\n"));
	assert_non_null(strstr(out.data, "Message-ID: <canhgac.x.0.an@so-mau.example>\r\n"));
	assert_non_null(strstr(out.data, "Content-Type: text/plain; charset=UTF-8\r\n"));
	/* The subject header, unfolded and decoded, is the subject. */
	char *s = strstr(out.data, "\r\nSubject:");
	assert_non_null(s);
	s += 10;
	char *e = s;
	while (!(e[0] == '\r' && e[1] == '\n' && e[2] != ' '))
		e++;
	char *raw = strndup(s, (size_t)(e - s)), *w = raw;
	for (char *r = raw; *r; r++)
		if (*r != '\r' && *r != '\n')
			*w++ = *r;
	*w = '\0';
	assert_null(strpbrk(raw, "\x80\x81\xc3\xe1")); /* 7-bit on the wire */
	g_mime_init();
	char *dec = g_mime_utils_header_decode_text(NULL, raw);
	/* Leading white space is the header's, not the subject's. */
	const char *d = dec;
	while (*d == ' ')
		d++;
	assert_string_equal(d, SUBJECT);
	g_free(dec);
	free(raw);
	cg_buf_free(&out);
}

static const struct alert A = {
	.id = "01a229c0-5400-77d3-a816-362eee93622b",
	.kind = ALERT_KIND_INDICATOR,
	.rule_id = "", .title = "", .level = "",
	.indicator = "198.51.100.7", .indicator_type = "ipv4", .sources = "botnet-mau", .family = "",
	.severity = ALERT_SEV_HIGH, .host = "web01", .system = "", .count = 3,
	.state_by = "",
};

static json_t *body(enum duty_channel_kind k, const char *to, const char *text)
{
	struct duty_notice n = {.alert = &A, .level = 2, .provincial = 1, .level_name = "tỉnh", .person = "An"};
	struct cg_buf out;
	cg_buf_init(&out, 1 << 20);
	assert_int_equal(duty_notice_json(k, &n, to, "Tiêu đề", text, &out), CG_OK);
	json_t *o = json_loads(out.data, 0, NULL);
	assert_non_null(o);
	cg_buf_free(&out);
	return o;
}

static void webhook_shapes(void **state)
{
	(void)state;
	json_t *o = body(DUTY_CH_TELEGRAM, "-1001234", "nội dung");
	assert_int_equal(json_integer_value(json_object_get(o, "chat_id")), -1001234);
	assert_string_equal(json_string_value(json_object_get(o, "text")), "Tiêu đề\n\nnội dung");
	json_decref(o);
	o = body(DUTY_CH_TELEGRAM, "@kenh_truc", "x");
	assert_string_equal(json_string_value(json_object_get(o, "chat_id")), "@kenh_truc");
	json_decref(o);
	/* Telegram's 4096-character cap, counted in characters. */
	char *big = malloc(3 * 5000 + 1);
	for (int i = 0; i < 5000; i++)
		memcpy(big + 3 * i, "ệ", 3);
	big[3 * 5000] = '\0';
	o = body(DUTY_CH_TELEGRAM, "1", big);
	const char *t = json_string_value(json_object_get(o, "text"));
	size_t chars = 0;
	for (const char *p = t; *p; p++)
		chars += ((unsigned char)*p & 0xc0) != 0x80;
	assert_int_equal(chars, DUTY_TELEGRAM_TEXT_MAX);
	json_decref(o);
	free(big);
	o = body(DUTY_CH_MATTERMOST, "truc-ca", "x");
	assert_string_equal(json_string_value(json_object_get(o, "channel")), "truc-ca");
	assert_non_null(json_string_value(json_object_get(o, "text")));
	json_decref(o);
	o = body(DUTY_CH_MATTERMOST, "", "x");
	assert_null(json_object_get(o, "channel"));
	json_decref(o);
	o = body(DUTY_CH_WEBHOOK, "", "x");
	json_t *a = json_object_get(o, "alert");
	assert_string_equal(json_string_value(json_object_get(a, "id")), A.id);
	assert_string_equal(json_string_value(json_object_get(a, "severity")), "high");
	assert_int_equal(json_integer_value(json_object_get(o, "level")), 2);
	assert_true(json_is_true(json_object_get(o, "provincial")));
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(email_shape),
		cmocka_unit_test(webhook_shapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
