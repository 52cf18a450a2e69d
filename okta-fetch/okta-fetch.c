/*
 * okta-fetch: list every device of an Okta org (GET /api/v1/devices, every
 * page) and print each one as a compact JSON line.
 *
 * Each page is kept whole, checked and split by the tokenizer of
 * common/jscan.c, and each device's own bytes are printed: memory is
 * bounded by one page, and a page cut short is retried, never printed half.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "crypto.h"
#include "net.h"
#include "oauth.h"
#include "roster.h"

#define LIMIT_MAX	200		/* Okta's largest page */
#define OVERLAP_MS	(5 * 60 * 1000)	/* the search index lags behind */
#define MAX_PAGE_BYTES	(64LL * 1024 * 1024)
#define RECV_BUFFER	(256L * 1024)	/* CURLOPT_BUFFERSIZE */
#define ERRBODY_MAX	65536

static const char usage_text[] =
    "usage: okta-fetch [-qv] [-u base_url] [-l limit] [-s search] [-e user|userSummary]\n"
    "                  [--since TIME] [--state FILE [--full | --full-every DURATION]]\n"
    "                  [--stats FILE] [--max-retries N] [--max-wait SEC] [--timeout SEC]\n"
    "                  [--cacert FILE]\n"
    "       okta-fetch --check [-qv] [-u base_url] [--stats FILE] [--timeout SEC]\n"
    "                  [--cacert FILE]\n"
    "       okta-fetch --commit FILE [--stats FILE]\n";

static const char help_text[] =
    "\noptions:\n"
    "  -u base_url        the org URL, https://ORG.okta.com (else OKTA_BASE_URL)\n"
    "  -l limit           devices per page, 1 to 200 (default 200)\n"
    "  -s search          an Okta search expression, sent as search=\n"
    "  -e user|userSummary  embed each device's users (expand=)\n"
    "  -q                 errors only\n"
    "  -v                 a line per page; -vv: the HTTP trace, secrets masked\n"
    "  --since TIME       only devices changed after TIME (RFC 3339, or a date)\n"
    "  --state FILE       from FILE's mark; the new mark to FILE.next, the\n"
    "                     devices to FILE.roster.next\n"
    "  --full             with --state: list every device, print the vanished\n"
    "  --full-every DURATION  with --state: a full run when the last is older\n"
    "                     (24h, 90m, seconds; 0 never)\n"
    "  --commit FILE      promote FILE.next and FILE.roster.next\n"
    "  --check            test the org URL and the credentials, print a verdict\n"
    "  --stats FILE       at exit, the counters and exit status as JSON in FILE\n"
    "  --max-retries N    retries of a failed request (default 5)\n"
    "  --max-wait SEC     the longest wait a server may ask for (default 300)\n"
    "  --timeout SEC      the longest a request may take (default 30)\n"
    "  --cacert FILE      CA certificates to trust besides the system's\n"
    "  -h, --help         this text\n"
    "  -V, --version      the version\n"
    "\nenvironment (each also as VAR_FILE, the secret read from a file):\n"
    "  OKTA_BASE_URL      the org URL (or OKTA_CLIENT_ORGURL)\n"
    "  OKTA_API_TOKEN     an API token, sent as SSWS (or OKTA_CLIENT_TOKEN)\n"
    "  OKTA_ACCESS_TOKEN  an OAuth access token, sent as Bearer\n"
    "  OKTA_CLIENT_ID     a service app's client id (or OKTA_CLIENT_CLIENTID)\n"
    "  OKTA_PRIVATE_KEY   its private key, PEM or JWK (or OKTA_CLIENT_PRIVATEKEY)\n"
    "  OKTA_KEY_ID        the key's kid (or OKTA_CLIENT_KID)\n"
    "  OKTA_SCOPES        the scopes asked for (or OKTA_CLIENT_SCOPES;\n"
    "                     default okta.devices.read)\n"
    "  https_proxy        a proxy (also http_proxy, HTTPS_PROXY, ALL_PROXY)\n"
    "  no_proxy           hosts reached without the proxy\n"
    "  (OKTA_BASE_URL_FILE, OKTA_CLIENT_ORGURL_FILE, OKTA_API_TOKEN_FILE,\n"
    "   OKTA_CLIENT_TOKEN_FILE, OKTA_ACCESS_TOKEN_FILE, OKTA_CLIENT_ID_FILE,\n"
    "   OKTA_PRIVATE_KEY_FILE, OKTA_CLIENT_PRIVATEKEY_FILE: the same, from a file)\n"
    "\nSee okta-fetch(1).\n";

enum { OPT_SINCE = OPT_OWN, OPT_STATE, OPT_COMMIT, OPT_CHECK, OPT_STATS,
    OPT_FULL, OPT_FULL_EVERY };

/*
 * The after cursors of a run, as SHA-256 digests in an open-addressing
 * table: 32 bytes each whatever a cursor's length (a server may send
 * 60 KB ones), found in constant time.  Two cursors taken for one
 * would stop the listing (a loop, exit 69), never skip a page; with
 * n cursors the odds are about n^2 / 2^257: none in practice.
 */
struct cursors {
	unsigned char	(*h)[32];
	unsigned char	*used;		/* 0 free, 1 taken, 2 forgotten */
	size_t		 cap, n, dead, last;	/* last: the slot added last */
};

struct fetch {
	/* configuration */
	char		*base;		/* without trailing slashes */
	struct origin	 origin;
	char		*token;
	const char	*scheme;	/* SSWS or Bearer */
	struct oauth	*oauth;		/* or a service app's own tokens */
	int		 limit;
	const char	*search, *expand, *since_arg, *state;
	int		 check;
	struct http_opts hopt;

	/* one request */
	CURLM		*m;		/* to work while the next page comes */
	CURL		*c;
	struct curl_slist *hdrs;
	char		 rid[128];	/* X-Okta-Request-Id of the last answer */
	struct http_resp resp;
	char		 errbuf[CURL_ERROR_SIZE];
	long		 status;	/* known once the body starts */
	struct buf	 body;		/* a 2xx page as it arrives */
	int		 body_big;	/* it passed MAX_PAGE_BYTES */
	struct buf	 page;		/* the page before, being read */
	char		*next;		/* its next link */
	struct jdoc	 doc;		/* that page, tokenized */
	struct buf	 text;		/* its devices, one a line */
	struct buf	 errbody;

	/* the run */
	struct cursors	 seen;		/* every after cursor followed */
	unsigned long	 devices, pages, retries;
	double		 seconds;	/* for --stats, kept current */
	int64_t		 mark;		/* largest lastUpdated printed */
	int64_t		 start_ms;	/* the run's start by Okta's clock */
	int64_t		 mark_cap;	/* the latest mark allowed */
	struct roster	*roster;	/* with --state */
	unsigned long	 full;		/* 1: no search on lastUpdated */
	unsigned long	 vanished;	/* DELETED lines printed */
	int		 replace;	/* a full listing of the whole org */
	int64_t		 page_ms;	/* the Date of the page being read */
	int		 future_told;	/* a lastUpdated past Okta's clock */
	int64_t		 local_cap;	/* the local clock plus the overlap */
	int64_t		 t0;
	int		 live;		/* a live counter on the terminal */
};

static struct fetch *run;	/* for the summary at exit */
static int run_complete;

/* The final line, also when a failure ends the run early. */
static void
summary(void)
{
	static int done;
	char kind[64];

	if (done || run == NULL || run->check)
		return;
	done = 1;
	kind[0] = '\0';
	if (run->state != NULL && run->replace && run_complete)
		snprintf(kind, sizeof(kind), ", full listing, %lu vanished",
		    run->vanished);
	else if (run->state != NULL)
		snprintf(kind, sizeof(kind), ", %s", run->full ?
		    "full listing" : "incremental");
	info("%lu device%s, %lu page%s, %lu %s%s, %.1f s%s", run->devices,
	    run->devices == 1 ? "" : "s", run->pages,
	    run->pages == 1 ? "" : "s", run->retries,
	    run->retries == 1 ? "retry" : "retries", kind,
	    (mono_ms() - run->t0) / 1000.0,
	    run_complete ? "" : ": the listing is INCOMPLETE");
}

/* --help on stdout, 0; after a usage error, the synopsis on stderr, 64. */
static void NORETURN
usage(int status)
{
	if (status == 0) {
		fputs(usage_text, stdout);
		fputs(help_text, stdout);
		exit(fshut(stdout, "stdout") == 0 ? 0 : EXIT_TEMPFAIL);
	}
	fputs(usage_text, stderr);
	exit(stats_exit(status));
}

static void
tick(struct fetch *f)
{
	f->seconds = (mono_ms() - f->t0) / 1000.0;
}

/*
 * Take a device's lastUpdated into the mark, which never goes past the
 * run's start by Okta's clock, nor past this machine's clock plus the
 * overlap: a device stamped in the future (a clock fault at Okta, a
 * server whose Date is wrong too, a bad fixture) would otherwise become
 * the mark, and every later incremental run would find nothing.  Said
 * once, when the stamp is later than the Date of the very answer that
 * carried it, or than the local clock plus the overlap.
 */
static void
take_mark(struct fetch *f, long dev, int64_t ms)
{
	const struct jdoc *d = &f->doc;
	char when[64], cap[64];
	long id;

	if (!f->future_told && (ms > f->page_ms + 1000 ||
	    ms > f->local_cap)) {
		f->future_told = 1;
		id = jmember(d, dev, "id");
		iso8601_fmt(ms, when);
		iso8601_fmt(f->mark_cap, cap);
		info("device %.*s: lastUpdated %s is later than %s; the mark "
		    "stops at %s",
		    id >= 0 && d->t[id].type == J_STRING ?
		    (int)(d->t[id].end - d->t[id].start > 66 ? 66 :
		    d->t[id].end - d->t[id].start) : 9,
		    id >= 0 && d->t[id].type == J_STRING ?
		    d->s + d->t[id].start : "(no id)", when,
		    ms > f->page_ms + 1000 ? "Okta's own clock" :
		    "this machine's clock by more than 5 minutes (the "
		    "server's Date is as far ahead)", cap);
	}
	if (ms > f->mark_cap)
		ms = f->mark_cap;
	if (ms > f->mark)
		f->mark = ms;
}

/* CURLOPT_WRITEFUNCTION: keep the body (an error body only in part). */
static size_t
body_cb(char *p, size_t size, size_t n, void *arg)
{
	struct fetch *f = arg;
	size_t len = size * n;

	if (f->status == 0)
		curl_easy_getinfo(f->c, CURLINFO_RESPONSE_CODE, &f->status);
	if (f->status < 200 || f->status > 299) {
		if (f->errbody.len < ERRBODY_MAX)
			buf_add(&f->errbody, p, len < ERRBODY_MAX ? len :
			    ERRBODY_MAX);
		return len;
	}
	/* Chunked answers have no length for curl to check: we do. */
	if (f->body.len + len > MAX_PAGE_BYTES) {
		f->body_big = 1;
		return 0;
	}
	buf_add(&f->body, p, len);
	return len;
}

static void
progress(struct fetch *f, long long remaining)
{
	double secs = (mono_ms() - f->t0) / 1000.0;

	if (verbosity >= 2) {
		if (remaining != RATE_UNSET)
			debug("page %lu: %lu devices so far, rate limit "
			    "remaining %lld, %.1f s", f->pages, f->devices,
			    remaining, secs);
		else
			debug("page %lu: %lu devices so far, %.1f s",
			    f->pages, f->devices, secs);
	} else if (f->live) {
		fprintf(stderr, "\r\033[K%s: %lu devices, %lu pages, %.0f s",
		    progname, f->devices, f->pages, secs);
		progress_line = 1;
	}
}

/*
 * Print each device of a complete page; remember the largest lastUpdated.
 * A compact page (the usual one) is printed from the page itself: its
 * devices follow each other with one comma between them, which becomes
 * the newline (and so does the closing bracket), so that nothing is
 * copied.  Blanks between the tokens: each device compacted by jtext.
 */
static void
print_page(struct fetch *f)
{
	const struct jdoc *d = &f->doc;
	const char *s, *out;
	char *dec = NULL;
	size_t n, outlen;
	long i, lu, last = -1;
	int64_t ms;

	f->text.len = 0;
	for (i = 1; i < (long)d->t[0].next; i = d->t[i].next) {
		last = i;
		if (d->ws) {
			jtext(d, i, &f->text);
			buf_addc(&f->text, '\n');
		}
		f->devices++;
		if (f->roster != NULL)
			roster_add(f->roster, d, i);
		if ((lu = jmember(d, i, "lastUpdated")) < 0 ||
		    d->t[lu].type != J_STRING)
			continue;
		if (d->t[lu].esc)
			s = dec = jstr_dup(d, lu, &n);
		else {
			s = d->s + d->t[lu].start + 1;
			n = d->t[lu].end - d->t[lu].start - 2;
		}
		if (iso8601_ms(s, n, &ms) == 0)
			take_mark(f, i, ms);
		free(dec);
		dec = NULL;
	}
	out = f->text.p;
	outlen = f->text.len;
	if (!d->ws && last > 0) {
		for (i = 1; i <= last; i = d->t[i].next)
			f->page.p[d->t[i].end] = '\n';
		out = f->page.p + d->t[1].start;
		outlen = d->t[last].end + 1 - d->t[1].start;
	}
	/* Downstream gets each page as soon as it is here. */
	if ((outlen > 0 && fwrite(out, 1, outlen, stdout) != outlen) ||
	    fflush(stdout) == EOF)
		err(EXIT_TEMPFAIL, "stdout");
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The "after" cursor of a next link, percent-decoded: 1 with *out
 * allocated, 0 when it has none (or an empty one), -1 when it has two.
 */
static int
cursor_of(const char *url, char **out)
{
	const char *q = strchr(url, '?'), *a, *v;
	struct buf b = { 0 };
	size_t n;
	int found = 0;

	*out = NULL;
	for (a = q; a != NULL; a = strchr(a + 1, '&')) {
		if (strncmp(a + 1, "after=", 6) != 0)
			continue;
		if (found++) {
			free(b.p);
			return -1;
		}
		v = a + 7;
		n = strcspn(v, "&#");
		for (size_t i = 0; i < n; i++) {
			int hi, lo;

			if (v[i] == '%' && i + 2 < n &&
			    (hi = hexval(v[i + 1])) >= 0 &&
			    (lo = hexval(v[i + 2])) >= 0) {
				buf_addc(&b, (char)(hi << 4 | lo));
				i += 2;
			} else
				buf_addc(&b, v[i]);
		}
	}
	if (b.len == 0) {
		free(b.p);
		return 0;
	}
	buf_addc(&b, '\0');
	*out = b.p;
	return 1;
}

static size_t
cursor_slot(const struct cursors *cs, const unsigned char h[32], int *found)
{
	size_t i;

	memcpy(&i, h, sizeof(i));
	for (i &= cs->cap - 1;; i = (i + 1) & (cs->cap - 1)) {
		if (cs->used[i] == 0 || (cs->used[i] == 1 &&
		    memcmp(cs->h[i], h, 32) == 0)) {
			*found = cs->used[i] == 1;
			return i;
		}
	}
}

/* Add digest H; 0 when it was there already. */
static int
cursor_add(struct cursors *cs, const unsigned char h[32])
{
	size_t i;
	int found;

	/* At most half full, forgotten slots counted: a free one ends
	 * every probe. */
	if ((cs->n + cs->dead + 1) * 2 > cs->cap) {
		struct cursors old = *cs;

		cs->cap = old.cap ? old.cap * 2 : 64;
		cs->h = xcalloc(cs->cap, 32);
		cs->used = xcalloc(cs->cap, 1);
		cs->n = cs->dead = 0;
		for (i = 0; i < old.cap; i++)
			if (old.used[i] == 1) {
				size_t j = cursor_slot(cs, old.h[i], &found);

				memcpy(cs->h[j], old.h[i], 32);
				cs->used[j] = 1;
				cs->n++;
			}
		free(old.h);
		free(old.used);
	}
	i = cursor_slot(cs, h, &found);
	if (found)
		return 0;
	memcpy(cs->h[i], h, 32);
	cs->used[i] = 1;
	cs->n++;
	cs->last = i;
	return 1;
}

static void
cursors_free(struct cursors *cs)
{
	free(cs->h);
	free(cs->used);
	memset(cs, 0, sizeof(*cs));
}

/*
 * A next link must carry an after cursor never seen before in this run:
 * NULL when it does (and it is remembered), else why not.  A link without
 * one could be page 1 again with a parameter that changes each time.
 */
static const char *
cursor_check(struct fetch *f, const char *url)
{
	unsigned char h[32];
	char *c;

	switch (cursor_of(url, &c)) {
	case 0:
		return "the next link has no after cursor; stopping rather "
		    "than paging forever";
	case -1:
		return "the next link has two after cursors";
	}
	sha256(c, strlen(c), h);
	free(c);
	if (!cursor_add(&f->seen, h))
		return "the next link repeats a cursor already seen; "
		    "stopping a loop";
	return NULL;
}

/* Forget the cursor seen last: its page is to be fetched again.  A
 * forgotten slot stays in the probe chains (marked 2), never reused. */
static void
cursor_forget(struct fetch *f)
{
	if (f->seen.n > 0 && f->seen.used[f->seen.last] == 1) {
		f->seen.used[f->seen.last] = 2;
		f->seen.n--;
		f->seen.dead++;
	}
}

/* An Okta error body in a few words: "E0000011: Invalid token provided". */
static const char *
okta_error(struct fetch *f)
{
	static char msg[512];

	http_api_error(f->errbody.p, f->errbody.len, msg, sizeof(msg));
	return msg;
}

static void NORETURN
auth_failure(struct fetch *f)
{
	const char *m = okta_error(f);

	if (f->status == 401)
		errx(EXIT_NOPERM, "HTTP 401 %s: the token was refused; it may "
		    "have expired (API tokens lapse after 30 days unused, "
		    "access tokens after 1 hour), been revoked, or be of the "
		    "wrong kind (OKTA_API_TOKEN is sent as SSWS, "
		    "OKTA_ACCESS_TOKEN as Bearer)", m);
	errx(EXIT_NOPERM, "HTTP 403 %s: the token may not read devices; an "
	    "OAuth token needs the okta.devices.read scope, an API token an "
	    "admin role that can read devices", m);
}

static void NORETURN
header_too_long(struct fetch *f)
{
	errx(EXIT_REFUSED, "page %lu: a response header line of more than "
	    "%d KiB (%zu bytes or more): not read, and the listing cannot "
	    "go on without it (a very long -s search?)", f->pages + 1,
	    HTTP_HEADER_MAX / 1024, f->resp.header_too_long);
}

/* 407, from a proxy (to CONNECT, or to a plain http request). */
static void
proxy_refused(struct fetch *f)
{
	long code = 0;

	curl_easy_getinfo(f->c, CURLINFO_HTTP_CONNECTCODE, &code);
	if (code == 407 || f->status == 407)
		errx(EXIT_NOPERM, "HTTP 407: the proxy refused its credentials "
		    "(the user and password in https_proxy)");
}

/* Send a request; request_end waits for its answer. */
static void
request_start(struct fetch *f, const char *url, int attempt)
{
	int running;

	if (f->oauth != NULL)
		f->hdrs = oauth_headers(f->oauth, "GET", url);
	else
		f->hdrs = http_auth(NULL, f->scheme, f->token);
	f->hdrs = curl_slist_append(f->hdrs, "Accept: application/json");
	if (attempt > 0 && f->rid[0] != '\0') {
		char h[200];

		snprintf(h, sizeof(h), "X-Okta-Retry-For: %s", f->rid);
		f->hdrs = curl_slist_append(f->hdrs, h);
		snprintf(h, sizeof(h), "X-Okta-Retry-Count: %d", attempt);
		f->hdrs = curl_slist_append(f->hdrs, h);
	}
	http_resp_reset(&f->resp);
	f->body.len = 0;
	f->body_big = 0;
	f->status = 0;
	f->errbody.len = 0;
	f->errbuf[0] = '\0';
	curl_easy_setopt(f->c, CURLOPT_URL, url);
	curl_easy_setopt(f->c, CURLOPT_HTTPHEADER, f->hdrs);
	curl_multi_add_handle(f->m, f->c);
	curl_multi_perform(f->m, &running);
}

/* Drop the request under way (its page will not be wanted as it is). */
static void
request_abort(struct fetch *f)
{
	curl_multi_remove_handle(f->m, f->c);
	http_headers_free(f->hdrs);
	f->hdrs = NULL;
}

/* Wait for the answer: the curl code, f->status set. */
static CURLcode
request_end(struct fetch *f)
{
	CURLcode rc = CURLE_OK;
	CURLMsg *msg;
	int running, left;

	for (;;) {
		curl_multi_perform(f->m, &running);
		if (running == 0)
			break;
		curl_multi_poll(f->m, NULL, 0, 1000, NULL);
	}
	while ((msg = curl_multi_info_read(f->m, &left)) != NULL)
		if (msg->msg == CURLMSG_DONE)
			rc = msg->data.result;
	request_abort(f);
	curl_easy_getinfo(f->c, CURLINFO_RESPONSE_CODE, &f->status);
	f->resp.status = f->status;
	snprintf(f->rid, sizeof(f->rid), "%s", f->resp.request_id);
	/* The run starts, by Okta's clock, at the Date of its first answer. */
	if (f->start_ms == 0 && f->status != 0) {
		f->start_ms = f->resp.date ? (int64_t)f->resp.date * 1000 :
		    now_ms();
		f->local_cap = now_ms() + OVERLAP_MS;
		f->mark_cap = f->start_ms < f->local_cap ? f->start_ms :
		    f->local_cap;
	}
	tick(f);
	return rc;
}

/* Before a retry: exit when retries or patience ran out, else wait. */
static void
retry_wait(struct fetch *f, const char *why, int attempt)
{
	http_retry_wait(&f->hopt, &f->resp, why, attempt, f->hopt.max_retries,
	    &f->retries);
	tick(f);
}

/*
 * Fetch one URL until a 2xx answer has come whole (its JSON is checked
 * by the caller), retrying what may pass, or exit with the status the
 * failure calls for.  STARTED: the first request is already under way.
 */
static void
get_page(struct fetch *f, const char *url, int *attempt, int started)
{
	char why[600];
	const char *m;
	enum http_verdict v;
	CURLcode rc;

	for (;; (*attempt)++) {
		if (!started)
			request_start(f, url, *attempt);
		started = 0;
		rc = request_end(f);
		if (f->resp.header_too_long)
			header_too_long(f);
		proxy_refused(f);
		if (f->resp.too_many_headers)
			errx(EXIT_REFUSED, "%s: more than 1000 response "
			    "headers: not an Okta API answer", f->base);
		if (rc == CURLE_FILESIZE_EXCEEDED || f->body_big)
			errx(EXIT_REFUSED, "%s: page larger than %lld bytes: "
			    "not an Okta API answer", f->base, MAX_PAGE_BYTES);
		v = http_classify(rc, f->status);
		if (f->oauth != NULL && rc == CURLE_OK) {
			/* A nonce asked for, a token refused: once each. */
			if (oauth_again(f->oauth, f->status)) {
				(*attempt)--;
				continue;
			}
			if (v != HTTP_OK && v != HTTP_RETRY)
				oauth_refused(f->oauth, f->status,
				    okta_error(f), "");
		}
		if (v == HTTP_OK)
			return;
		if (v == HTTP_AUTH)
			auth_failure(f);
		if (v == HTTP_REFUSED) {
			if (rc != CURLE_OK)
				errx(EXIT_REFUSED, "%s: %s", f->base,
				    http_errstr(rc, f->errbuf));
			if (f->status >= 300 && f->status < 400)
				errx(EXIT_REFUSED, "HTTP %ld: a redirect, "
				    "which okta-fetch never follows (is the "
				    "base URL the org's own, https://"
				    "ORG.okta.com?)", f->status);
			if (f->status == 404)
				errx(EXIT_REFUSED, "HTTP 404 %s: no Devices API "
				    "here; it exists only on Okta Identity "
				    "Engine orgs", okta_error(f));
			m = okta_error(f);
			errx(EXIT_REFUSED, "HTTP %ld%s%s", f->status,
			    *m ? " " : "", m);
		}
		if (rc != CURLE_OK)
			snprintf(why, sizeof(why), "%s",
			    http_errstr(rc, f->errbuf));
		else {
			/* An empty body: no dangling blank before the ':'. */
			m = okta_error(f);
			snprintf(why, sizeof(why), "HTTP %ld%s%s", f->status,
			    *m ? " " : "", m);
		}
		retry_wait(f, why, *attempt);
	}
}

/* When the window has no request left, wait for it rather than a 429. */
static void
pace(struct fetch *f)
{
	long long wait;
	time_t now;

	if (f->resp.rl_remaining != 0 || f->resp.rl_reset == RATE_UNSET)
		return;
	now = f->resp.date ? f->resp.date : (time_t)(now_ms() / 1000);
	if (f->resp.rl_reset < (long long)now)
		return;
	wait = f->resp.rl_reset - (long long)now + 1;
	/* Seconds to ms without overflow: past --max-wait is all alike. */
	wait = wait > f->hopt.max_wait_ms / 1000 + 1 ? f->hopt.max_wait_ms + 1000 :
	    wait * 1000;
	if (wait > f->hopt.max_wait_ms)
		errx(EXIT_TEMPFAIL, "rate limit exhausted; the window resets "
		    "in %lld s, more than --max-wait %lld s", wait / 1000,
		    f->hopt.max_wait_ms / 1000);
	info("rate limit reached: pausing %.0f s until the window resets",
	    wait / 1000.0);
	sleep_ms(wait, NULL);
	tick(f);
}

static char *
first_url(struct fetch *f, const char *search)
{
	struct buf u = { 0 };
	char *e;

	buf_adds(&u, f->base);
	buf_adds(&u, "/api/v1/devices?limit=");
	buf_addi(&u, f->check ? 1 : f->limit);
	if (search != NULL) {
		e = curl_easy_escape(f->c, search, 0);
		buf_adds(&u, "&search=");
		buf_adds(&u, e);
		curl_free(e);
	}
	if (f->expand != NULL) {
		buf_adds(&u, "&expand=");
		buf_adds(&u, f->expand);
	}
	buf_addc(&u, '\0');
	return u.p;
}

/* --full-every: 24h, 90m, 30s, 2d, or seconds without a unit. */
static int64_t
opt_duration(const char *opt, const char *arg)
{
	static const char units[] = "smhd";
	static const int64_t ms[] = { 1000, 60000, 3600000, 86400000 };
	char num[32];
	const char *e = "invalid", *u;
	size_t n = strlen(arg);
	int64_t mult = 1000, v = 0;

	if (n > 0 && (u = strchr(units, arg[n - 1])) != NULL && *u != '\0') {
		mult = ms[u - units];
		n--;
	}
	if (n > 0 && n < sizeof(num) && arg[0] >= '0' && arg[0] <= '9') {
		memcpy(num, arg, n);
		num[n] = '\0';
		v = parse_num(num, 0, 3650LL * 86400000 / mult, &e);
	}
	if (e != NULL)
		usage_error("%s %s: %s: a duration such as 24h, 90m or "
		    "3600 (seconds, up to 10 years), or 0 for never", opt, arg,
		    e);
	return v * mult;
}

/*
 * With --state: read FILE, remove what an earlier run left to commit, and
 * say where to list from: the mark minus the overlap, or -1 for a full
 * listing (no mark, --full, or --full-every elapsed).
 */
static int64_t
state_begin(struct fetch *f, struct state *st, int full_opt,
    int64_t full_every, int64_t t_start)
{
	/* A stale FILE.next from an earlier run is never promoted. */
	state_clear_next(f->state);
	state_read(f->state, st);
	f->mark = st->mark;
	if (st->mark == STATE_NONE || full_opt)
		return -1;
	if (full_every > 0 && (st->full == STATE_NONE ||
	    t_start - st->full >= full_every ||
	    st->full > t_start + OVERLAP_MS))
		return -1;
	return st->mark - OVERLAP_MS;
}

/*
 * After the last page: the vanished devices printed, the mark held at
 * its cap, FILE.next written (with the roster's FILE.roster.next, it is
 * what --commit promotes).
 */
static void
state_end(struct fetch *f, struct state *st, int64_t t_start)
{
	char next[PATH_MAX], was[64], stamp[64];

	if (f->roster != NULL)
		f->vanished = roster_end(f->roster, stdout);
	if (f->mark > f->mark_cap && f->start_ms != 0) {
		/* A mark from an earlier run already in the future. */
		iso8601_fmt(f->mark, was);
		iso8601_fmt(f->mark_cap, stamp);
		info("%s: the mark %s is later than %s; set back to %s",
		    f->state, was, f->mark > f->start_ms ? "Okta's own clock" :
		    "this machine's clock by more than 5 minutes", stamp);
		f->mark = f->mark_cap;
	}
	st->mark = f->mark;
	if (f->full)
		st->full = t_start;
	if (snprintf(next, sizeof(next), "%s.next", f->state) >=
	    (int)sizeof(next))
		errx(EXIT_CONFIG, "%s: path too long", f->state);
	state_write(next, st);
	debug("%s: written", next);
}

/*
 * The base URL is the org's origin alone, https://ORG.okta.com: a path
 * (an API URL pasted whole would ask for /api/v1/api/v1/devices), a
 * query or a fragment, or the admin console's host (ORG-admin.okta.com,
 * whose API answers nothing useful) is a configuration error whose
 * message shows the URL to use.  A query is not shown: it may hold a
 * secret.
 */
static void
org_url_check(const char *url, const struct origin *o)
{
	CURLU *u;
	char *path = NULL, *query = NULL, *frag = NULL, host[256], *dot;
	char port[24] = "";
	const char *why = NULL;
	size_t shown = strcspn(url, "?#");

	if ((u = curl_url()) == NULL)
		errx(EXIT_TEMPFAIL, "curl_url: out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK) {
		curl_url_get(u, CURLUPART_PATH, &path, 0);
		curl_url_get(u, CURLUPART_QUERY, &query, 0);
		curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0);
	}
	snprintf(host, sizeof(host), "%s", o->host);
	/* acme-admin.okta.com, acme-admin.oktapreview.com: acme's org. */
	if ((dot = strchr(host, '.')) != NULL && dot - host > 6 &&
	    strncmp(dot - 6, "-admin", 6) == 0) {
		memmove(dot - 6, dot, strlen(dot) + 1);
		why = "the admin console's host, not the org's";
	} else if (path != NULL && path[strspn(path, "/")] != '\0')
		why = "the org URL has no path (okta-fetch adds "
		    "/api/v1/devices itself)";
	else if (query != NULL || frag != NULL || url[shown] != '\0')
		why = "the org URL has no query or fragment";
	curl_free(path);
	curl_free(query);
	curl_free(frag);
	curl_url_cleanup(u);
	if (why == NULL)
		return;
	if (o->port != (strcmp(o->scheme, "https") == 0 ? 443 : 80))
		snprintf(port, sizeof(port), ":%ld", o->port);
	errx(EXIT_CONFIG, "base URL %.*s%.1s%s: %s: use %s://%s%s",
	    (int)shown, url, url + shown, url[shown] != '\0' ? "..." : "", why,
	    o->scheme, host, port);
}

static void
configure(struct fetch *f, const char *url_opt)
{
	static const char *url_vars[] = { "OKTA_BASE_URL",
	    "OKTA_CLIENT_ORGURL", NULL };
	static const char *api_vars[] = { "OKTA_API_TOKEN",
	    "OKTA_CLIENT_TOKEN", NULL };
	static const char *oauth_vars[] = { "OKTA_ACCESS_TOKEN", NULL };
	const char *used, *e, *api_used, *app_used, *kinds[3];
	char *api = NULL, *oauth = NULL, *url = NULL;
	size_t n, nkinds = 0;

	if (url_opt != NULL)
		url = xstrdup(url_opt);
	else if (env_first(url_vars, &url, &used) < 0)
		exit(stats_exit(EXIT_CONFIG));
	if (url == NULL)
		errx(EXIT_CONFIG, "no Okta org URL: set OKTA_BASE_URL (e.g. "
		    "https://acme.okta.com) or use -u");
	if (origin_parse(url, &f->origin, &e) == -1)
		errx(EXIT_CONFIG, "base URL %s: %s", strchr(url, '@') ?
		    "(not shown: it holds an @)" : url, e);
	org_url_check(url, &f->origin);
	n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		url[--n] = '\0';
	f->base = url;

	if (env_first(api_vars, &api, &api_used) < 0 ||
	    env_first(oauth_vars, &oauth, &used) < 0)
		exit(stats_exit(EXIT_CONFIG));
	app_used = oauth_env();
	if (api != NULL)
		kinds[nkinds++] = api_used;
	if (oauth != NULL)
		kinds[nkinds++] = "OKTA_ACCESS_TOKEN";
	if (app_used != NULL)
		kinds[nkinds++] = app_used;
	if (nkinds > 1)
		errx(EXIT_CONFIG, "%zu kinds of credentials are set (%s and %s%s%s): "
		    "keep one", nkinds, kinds[0], kinds[1], nkinds > 2 ? " and " :
		    "", nkinds > 2 ? kinds[2] : "");
	if (nkinds == 0)
		errx(EXIT_CONFIG, "no credentials: set OKTA_API_TOKEN or "
		    "OKTA_API_TOKEN_FILE (an API token), OKTA_ACCESS_TOKEN "
		    "(an OAuth access token with scope okta.devices.read), or "
		    "OKTA_CLIENT_ID and OKTA_PRIVATE_KEY_FILE (a service app)");
	if (app_used != NULL) {
		f->oauth = oauth_new(url);
		return;
	}
	f->token = api ? api : oauth;
	secret_check(api ? api_used : "OKTA_ACCESS_TOKEN", f->token);
	secret_remember(f->token);	/* before anything can print it */
	f->scheme = api ? "SSWS" : "Bearer";
	/* A header line with a newline in it would smuggle headers. */
	if (strpbrk(f->token, "\r\n") != NULL)
		errx(EXIT_CONFIG, "the token contains a line break");
}

/* okta-fetch --check: one small request and a verdict in one line. */
static int
check(struct fetch *f, const char *url)
{
	const char *host = f->origin.host, *why;
	CURLcode rc;
	int n;

	if (f->oauth != NULL)
		oauth_check(f->oauth);
	do {
		request_start(f, url, 0);
		rc = request_end(f);
	} while (f->oauth != NULL && rc == CURLE_OK &&
	    oauth_again(f->oauth, f->status));
	if (f->resp.header_too_long)
		header_too_long(f);
	proxy_refused(f);
	switch (rc) {
	case CURLE_OK:
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		errx(EXIT_TEMPFAIL, "check failed: DNS: cannot resolve %s "
		    "(is the org URL right?)", host);
	case CURLE_COULDNT_CONNECT:
		errx(EXIT_TEMPFAIL, "check failed: cannot connect to %s port "
		    "%ld: %s", host, f->origin.port, http_errstr(rc, f->errbuf));
	case CURLE_OPERATION_TIMEDOUT:
		errx(EXIT_TEMPFAIL, "check failed: %s did not answer in time",
		    host);
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		errx(EXIT_REFUSED, "check failed: TLS: the certificate of %s "
		    "is not trusted: %s (a private CA? see --cacert)", host,
		    http_errstr(rc, f->errbuf));
	case CURLE_SSL_CONNECT_ERROR:
		errx(EXIT_TEMPFAIL, "check failed: TLS handshake with %s: %s",
		    host, http_errstr(rc, f->errbuf));
	default:
		errx(http_classify(rc, 0) == HTTP_RETRY ? EXIT_TEMPFAIL :
		    EXIT_REFUSED, "check failed: %s: %s", host,
		    http_errstr(rc, f->errbuf));
	}
	if (f->oauth != NULL)
		oauth_refused(f->oauth, f->status, okta_error(f),
		    "check failed: ");
	if (f->status == 401)
		errx(EXIT_NOPERM, "check failed: %s: token invalid or expired "
		    "(HTTP 401 %s)", host, okta_error(f));
	if (f->status == 403)
		errx(EXIT_NOPERM, "check failed: %s: the token works but may "
		    "not read devices: scope okta.devices.read missing "
		    "(HTTP 403 %s)", host, okta_error(f));
	if (f->status == 404)
		errx(EXIT_REFUSED, "check failed: %s has no Devices API: not "
		    "an Okta Identity Engine org? (HTTP 404 %s)", host,
		    okta_error(f));
	if (f->status >= 300 && f->status < 400)
		errx(EXIT_REFUSED, "check failed: %s answered with a redirect "
		    "(HTTP %ld): use the org's own URL", host, f->status);
	if (http_classify(rc, f->status) == HTTP_RETRY)
		errx(EXIT_TEMPFAIL, "check failed: %s: HTTP %ld %s: try again "
		    "later", host, f->status, okta_error(f));
	if (f->status < 200 || f->status > 299)
		errx(EXIT_REFUSED, "check failed: %s: HTTP %ld %s", host,
		    f->status, okta_error(f));
	if (jscan(&f->doc, f->body.p ? f->body.p : "", f->body.len,
	    &why) != JSCAN_OK || f->doc.t[0].type != J_ARRAY)
		errx(EXIT_REFUSED, "check failed: %s answered 200 but not with "
		    "a list of devices: is this an Okta org?", host);
	n = f->doc.n > 1;
	if (verbosity >= 1)
		fprintf(stderr, "%s: ok: %s answered, the token works and can "
		    "read devices (%s)\n", progname, host,
		    n ? "the org has devices" : "no device yet");
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "state", required_argument, NULL, OPT_STATE },
		{ "commit", required_argument, NULL, OPT_COMMIT },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "stats", required_argument, NULL, OPT_STATS },
		{ "full", no_argument, NULL, OPT_FULL },
		{ "full-every", required_argument, NULL, OPT_FULL_EVERY },
		HTTP_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct fetch f;
	const struct stat_field fields[] = {
		{ "devices", &f.devices, NULL },
		{ "pages", &f.pages, NULL },
		{ "retries", &f.retries, NULL },
		{ "seconds", NULL, &f.seconds },
		{ "full", &f.full, NULL },
		{ "vanished", &f.vanished, NULL },
		{ NULL, NULL, NULL }
	};
	const char *url_opt = NULL, *commit = NULL, *stats = NULL;
	char *url, *search = NULL, ua[256], stamp[64];
	struct state st = { STATE_NONE, STATE_NONE };
	int64_t since = -1, full_every = 0, t_start = now_ms();
	static const char *const expands[] = { "user", "userSummary", NULL };
	int c, attempt = 0, full_opt = 0, full_every_set = 0;

	stdfds_open();		/* before anything is opened */
	secret_nodump();
	setprogname(argv);
	usage_synopsis = usage_text;
	memset(&f, 0, sizeof(f));
	f.t0 = mono_ms();
	f.limit = LIMIT_MAX;
	f.hopt.max_retries = 5;
	f.hopt.max_wait_ms = 300 * 1000;
	f.hopt.timeout_ms = 30 * 1000;
	f.mark = INT64_MIN;
	while ((c = getopt_long(argc, argv, "e:hl:qs:u:vV", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'e':
			f.expand = expands[opt_word("-e", optarg, expands)];
			break;
		case 'h':
			usage(0);
		case 'l':
			f.limit = (int)opt_num("-l", optarg, 1, LIMIT_MAX);
			break;
		case 'q':
			verbosity = 0;
			break;
		case 's':
			f.search = optarg;
			break;
		case 'u':
			url_opt = optarg;
			break;
		case 'v':
			verbosity++;
			break;
		case 'V':
			printf("okta-fetch %s\n", VERSION);
			return 0;
		case OPT_SINCE: {
			char day[32];

			f.since_arg = optarg;
			/* A date alone means its midnight, UTC. */
			if (strlen(optarg) == 10) {
				snprintf(day, sizeof(day), "%sT00:00:00Z", optarg);
				optarg = day;
			}
			if (iso8601_ms(optarg, strlen(optarg), &since) == -1)
				usage_error("--since %s: not a date or an RFC "
				    "3339 time such as 2025-01-31T00:00:00Z",
				    f.since_arg);
			break;
		}
		case OPT_STATE:
			f.state = optarg;
			break;
		case OPT_COMMIT:
			commit = optarg;
			break;
		case OPT_CHECK:
			f.check = 1;
			break;
		case OPT_STATS:
			stats = optarg;
			break;
		case OPT_FULL:
			full_opt = 1;
			break;
		case OPT_FULL_EVERY:
			full_every = opt_duration("--full-every", optarg);
			full_every_set = 1;
			break;
		default:
			if (!http_option(c, optarg, &f.hopt))
				usage(EXIT_USAGE);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument: %s", argv[optind]);
	/* main's f outlives every stats_exit: from errx, or main's return. */
	if (stats != NULL)
		stats_open(stats, fields);
	if (commit != NULL) {
		if (url_opt || f.search || f.expand || f.since_arg || f.state ||
		    f.check || f.limit != LIMIT_MAX || full_opt ||
		    full_every_set)
			usage_error("--commit takes no option but -q, -v "
			    "and --stats");
		return stats_exit(state_commit(commit));
	}
	if (f.check && (f.state || f.since_arg || f.search || f.expand))
		usage_error("--check takes only -u, -q, -v, --timeout "
		    "and --cacert");
	if ((full_opt || full_every_set) && f.state == NULL)
		usage_error("--full and --full-every need --state FILE: "
		    "the devices listed last are kept beside it");
	if (full_opt && full_every_set)
		usage_error("--full or --full-every, not both");
	if (full_opt && f.since_arg)
		usage_error("--full lists every device: no --since");

	configure(&f, url_opt);
	if (f.state != NULL)
		since = state_begin(&f, &st, full_opt, full_every, t_start);
	f.full = since < 0 && f.since_arg == NULL;
	if (f.state != NULL) {
		/* A -s listing is not the org's: nothing can be said vanished. */
		f.replace = f.full && f.search == NULL;
		if (f.full && f.search != NULL)
			info("-s: a full listing of part of the org: %s.roster "
			    "is merged, no device is said to have vanished",
			    f.state);
		f.roster = roster_begin(f.state, f.replace);
	}
	if (since >= 0 || f.since_arg != NULL) {
		struct buf s = { 0 };

		iso8601_fmt(since, stamp);
		if (f.search != NULL) {
			buf_addc(&s, '(');
			buf_adds(&s, f.search);
			buf_adds(&s, ") and ");
		}
		buf_adds(&s, "lastUpdated gt \"");
		buf_adds(&s, stamp);
		buf_adds(&s, "\"");
		buf_addc(&s, '\0');
		search = s.p;
		debug("search: %s", search);
	} else if (f.search != NULL)
		search = xstrdup(f.search);

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		errx(EXIT_TEMPFAIL, "curl_global_init failed");
	snprintf(ua, sizeof(ua), "okta-fetch/%s (okta-ocsf) %s", VERSION,
	    curl_version());
	f.hopt.user_agent = ua;
	f.hopt.connect_timeout_ms = f.hopt.timeout_ms;
	f.hopt.max_body = MAX_PAGE_BYTES;
	f.c = http_easy(&f.hopt);
	if ((f.m = curl_multi_init()) == NULL)
		errx(EXIT_TEMPFAIL, "curl_multi_init failed");
	curl_easy_setopt(f.c, CURLOPT_HEADERFUNCTION, http_header_cb);
	curl_easy_setopt(f.c, CURLOPT_HEADERDATA, &f.resp);
	curl_easy_setopt(f.c, CURLOPT_WRITEFUNCTION, body_cb);
	curl_easy_setopt(f.c, CURLOPT_WRITEDATA, &f);
	/*
	 * A page is about 200 kB: read it in large pieces, as curl(1)
	 * does, not in libcurl's default 16 kB (four times the reads, polls
	 * and callbacks for the same bytes).
	 */
	curl_easy_setopt(f.c, CURLOPT_BUFFERSIZE, RECV_BUFFER);
	curl_easy_setopt(f.c, CURLOPT_ERRORBUFFER, f.errbuf);
	if (f.oauth != NULL)
		oauth_attach(f.oauth, f.m, f.c, &f.resp, &f.hopt, &f.retries);
	f.live = isatty(STDERR_FILENO) && verbosity == 1;
	f.t0 = mono_ms();
	run = &f;
	atexit(summary);

	url = first_url(&f, f.check ? NULL : search);
	if (f.check) {
		c = check(&f, url);
		goto done;
	}
	get_page(&f, url, &attempt, 0);
	for (;;) {
		struct buf swap = f.page;
		long long remaining = f.resp.rl_remaining;
		const char *linkerr = NULL, *why;
		int started = 0, r;

		/*
		 * Page N is here.  Ask for page N+1 before reading N, so that
		 * the server works on it meanwhile; if N turns out cut short,
		 * N+1 is dropped and N asked for again.
		 */
		f.page = f.body;
		f.body = swap;
		f.next = f.resp.link_next;
		f.resp.link_next = NULL;
		f.page_ms = f.resp.date ? (int64_t)f.resp.date * 1000 : now_ms();
		if (f.resp.link_bad)
			linkerr = "a Link header that cannot be parsed; stopping "
			    "rather than missing pages";
		else if (f.next != NULL && !origin_same(&f.origin, f.next))
			linkerr = "the next link points outside the org's "
			    "origin; not followed, so the token stays with "
			    "the org";
		else if (f.next != NULL &&
		    (linkerr = cursor_check(&f, f.next)) != NULL)
			;
		else if (f.next != NULL) {
			pace(&f);
			request_start(&f, f.next, 0);
			started = 1;
		}
		r = jscan(&f.doc, f.page.p ? f.page.p : "", f.page.len, &why);
		if (r == JSCAN_SHORT) {
			char msg[80];

			if (started) {
				request_abort(&f);
				cursor_forget(&f);
			}
			free(f.next);
			f.next = NULL;
			snprintf(msg, sizeof(msg), "page %lu: body cut short "
			    "(incomplete JSON)", f.pages + 1);
			retry_wait(&f, msg, attempt++);
			get_page(&f, url, &attempt, 0);
			continue;
		}
		if (r == JSCAN_BAD)
			errx(EXIT_REFUSED, "page %lu: the body is not JSON (%s "
			    "at byte %zu)", f.pages + 1, why, f.doc.err_at + 1);
		if (f.doc.t[0].type != J_ARRAY)
			errx(EXIT_REFUSED, "page %lu: the body is JSON but not "
			    "an array of devices", f.pages + 1);
		f.pages++;
		print_page(&f);
		progress(&f, remaining);
		if (linkerr != NULL && f.next != NULL)
			errx(EXIT_REFUSED, "page %lu: %s (%s://%s:%ld): %.300s",
			    f.pages, linkerr, f.origin.scheme, f.origin.host,
			    f.origin.port, f.next);
		if (linkerr != NULL)
			errx(EXIT_REFUSED, "page %lu: %s (%s://%s:%ld)", f.pages,
			    linkerr, f.origin.scheme, f.origin.host,
			    f.origin.port);
		if (f.next == NULL)
			break;
		free(url);
		url = f.next;
		f.next = NULL;
		attempt = 0;
		get_page(&f, url, &attempt, 1);
	}
	if (f.state != NULL)
		state_end(&f, &st, t_start);
	run_complete = 1;
	summary();
	c = 0;
done:
	run = NULL;	/* f is about to go */
	roster_free(f.roster);
	free(url);
	free(search);
	buf_free(&f.body);
	buf_free(&f.text);
	jdoc_free(&f.doc);
	free(f.next);
	buf_free(&f.page);
	oauth_free(f.oauth);
	curl_multi_cleanup(f.m);
	curl_easy_cleanup(f.c);
	curl_global_cleanup();
	secret_free(f.token);
	free(f.base);
	origin_free(&f.origin);
	buf_free(&f.errbody);
	http_resp_free(&f.resp);
	cursors_free(&f.seen);
	if (fshut(stdout, "stdout") == -1)
		c = EXIT_TEMPFAIL;
	tick(&f);
	return stats_exit(c);
}
