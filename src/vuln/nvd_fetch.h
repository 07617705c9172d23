/* nvd_fetch — download CVE records from the NVD CVE API 2.0 with libcurl,
 * page by page, by last-modified window, within the API's rate limits, and
 * store each page as it arrives. */
#ifndef CG_NVD_FETCH_H
#define CG_NVD_FETCH_H

#include <stdint.h>

#include "cg_err.h"
#include "cg_db.h"

struct nvd_fetch_opts {
	const char *url;      /* API base; NULL = https://services.nvd.nist.gov/rest/json/cves/2.0 */
	const char *api_key;  /* sent as header "apiKey"; NULL = none */
	int64_t since;        /* lastModStartDate (epoch s); < 0 = the last successful fetch */
	long delay_ms;        /* between requests; < 0 = the API's rule (6 s, 0.6 s with a key) */
	long max_pages;       /* <= 0: no limit */
	long page_size;       /* resultsPerPage, 1..2000; <= 0 = 2000 */
	void (*progress)(void *ctx, long done, long total);
	void *progress_ctx;
};

struct nvd_fetch_stats {
	long pages, records, changed, retries;
};

enum cg_err nvd_fetch(struct cg_db *db, const struct nvd_fetch_opts *o, struct nvd_fetch_stats *st) CG_MUST_CHECK;

#endif
