/*
 * http.c: the libcurl layer shared by okta-fetch and ocsf-push: which URLs
 * are allowed, how a handle is set up (TLS on, no redirects, keep-alive),
 * what is read from response headers (Link, rate limits, Retry-After), how
 * a result is classified, and how long to wait before a retry.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <json.h>

#include "net.h"

#define MAX_HEADERS	1000	/* a response with more is not an API's */
#define BACKOFF_BASE_MS	1000
#define BACKOFF_CAP_MS	60000
#define HINT_MAX_S	(365LL * 86400)

static void	http_trace(CURL *);
static void	http_sanitize(char *);
static void	remember_proxy(void);

/* Loopback hosts, the only ones plain http:// may name (for tests). */
static int
is_loopback(const char *host)
{
	struct in_addr a4;

	if (strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 ||
	    strcmp(host, "::1") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return 0;
}

static long
default_port(const char *scheme)
{
	return strcasecmp(scheme, "https") == 0 ? 443 : 80;
}

/* Split URL into scheme, host and port; 0 or -1 with *errstr set. */
static int
split_url(const char *url, struct origin *o, int base, const char **errstr)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *port = NULL, *user = NULL;
	int ret = -1;

	memset(o, 0, sizeof(*o));
	*errstr = "not a valid URL";
	if ((u = curl_url()) == NULL)
		errx(EXIT_TEMPFAIL, "curl_url: out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto out;
	if (strcasecmp(scheme, "https") != 0 &&
	    strcasecmp(scheme, "http") != 0) {
		*errstr = "the scheme must be https";
		goto out;
	}
	if (base && curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
		*errstr = "credentials in the URL are not accepted";
		goto out;
	}
	if (base && strcasecmp(scheme, "http") == 0 && !is_loopback(host)) {
		*errstr = "the scheme must be https (http is for loopback only)";
		goto out;
	}
	o->port = default_port(scheme);
	if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK)
		o->port = strtol(port, NULL, 10);
	o->scheme = xstrdup(scheme);
	o->host = xstrdup(host);
	for (char *p = o->scheme; *p; p++)
		*p = tolower((unsigned char)*p);
	for (char *p = o->host; *p; p++)
		*p = tolower((unsigned char)*p);
	*errstr = NULL;
	ret = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(user);
	curl_url_cleanup(u);
	return ret;
}

/*
 * Check a base URL from the configuration: https, or http on loopback,
 * no credentials.  0, or -1 with *errstr saying what is wrong.
 */
int
origin_parse(const char *url, struct origin *o, const char **errstr)
{
	return split_url(url, o, 1, errstr);
}

/* Does URL point at the same scheme, host and port as O? */
int
origin_same(const struct origin *o, const char *url)
{
	struct origin u;
	const char *e;
	int same;

	if (split_url(url, &u, 0, &e) == -1)
		return 0;
	same = strcmp(u.scheme, o->scheme) == 0 &&
	    strcmp(u.host, o->host) == 0 && u.port == o->port;
	origin_free(&u);
	return same;
}

void
origin_free(struct origin *o)
{
	free(o->scheme);
	free(o->host);
	o->scheme = o->host = NULL;
}

/*
 * One of the shared options (HTTP_LONGOPTS) into O: 1 when C was one,
 * 0 when it is the caller's; a bad value is a usage error.
 */
int
http_option(int c, const char *arg, struct http_opts *o)
{
	switch (c) {
	case OPT_MAX_RETRIES:
		o->max_retries = (int)opt_num("--max-retries", arg, 0, 100);
		return 1;
	case OPT_MAX_WAIT:
		o->max_wait_ms = opt_ms("--max-wait", arg, 0, 86400);
		return 1;
	case OPT_TIMEOUT:
		o->timeout_ms = (long)opt_ms("--timeout", arg, 0.001, 3600);
		return 1;
	case OPT_CACERT:
		o->cacert = arg;
		return 1;
	}
	return 0;
}

/* A handle with the suite's rules: verified TLS, no redirects, reuse. */
CURL *
http_easy(const struct http_opts *opt)
{
	struct stat st;
	CURL *c;

	if ((c = curl_easy_init()) == NULL)
		errx(EXIT_TEMPFAIL, "curl_easy_init failed");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (opt->cacert != NULL) {
		/* --cacert adds to the system's trust store, not replaces. */
		curl_easy_setopt(c, CURLOPT_CAINFO, opt->cacert);
		if (stat("/etc/ssl/certs", &st) == 0 && S_ISDIR(st.st_mode))
			curl_easy_setopt(c, CURLOPT_CAPATH, "/etc/ssl/certs");
	}
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
	if (opt->timeout_ms > 0)
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, opt->timeout_ms);
	if (opt->connect_timeout_ms > 0)
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
		    opt->connect_timeout_ms);
	if (opt->max_body > 0)
		curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, opt->max_body);
	if (opt->user_agent != NULL)
		curl_easy_setopt(c, CURLOPT_USERAGENT, opt->user_agent);
	remember_proxy();
	if (verbosity >= 3)
		http_trace(c);
	return c;
}

/* Print one trace line: redacted whole, then cleaned of control bytes. */
static void
trace_line(curl_infotype type, struct buf *line)
{
	const char *dir = type == CURLINFO_HEADER_IN ? "<" :
	    type == CURLINFO_HEADER_OUT ? ">" : "*";
	struct buf out = { 0 };

	while (line->len > 0 && (line->p[line->len - 1] == '\n' ||
	    line->p[line->len - 1] == '\r'))
		line->len--;
	if (line->len > 0) {
		redact_buf(&out, line->p, line->len);
		buf_addc(&out, '\0');
		http_sanitize(out.p);
		fprintf(stderr, "%s: %s %s\n", progname, dir, out.p);
		explicit_bzero(out.p, out.len);
		buf_free(&out);
	}
	explicit_bzero(line->p, line->len);
	line->len = 0;
}

/*
 * curl's own trace, at -vvv, with every credential blanked out.  A line
 * is redacted only once it is whole: a header that curl hands over in two
 * pieces must not have its second half printed without its name.
 */
static int
trace_cb(CURL *c, curl_infotype type, char *data, size_t size, void *arg)
{
	static struct buf line;
	static curl_infotype ltype = CURLINFO_TEXT;
	const char *nl;
	size_t n;

	(void)c;
	(void)arg;
	if (type != CURLINFO_TEXT && type != CURLINFO_HEADER_IN &&
	    type != CURLINFO_HEADER_OUT)
		return 0;
	if (line.len > 0 && type != ltype)
		trace_line(ltype, &line);
	ltype = type;
	while (size > 0) {
		nl = memchr(data, '\n', size);
		n = nl != NULL ? (size_t)(nl - data) + 1 : size;
		buf_add(&line, data, n);
		if (nl != NULL)
			trace_line(type, &line);
		data += n;
		size -= n;
	}
	return 0;
}

static void
http_trace(CURL *c)
{
	curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, trace_cb);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
}

/*
 * The credentials of a proxy named in the environment are secrets too:
 * curl's trace and messages may name the proxy's URL.
 */
static void
remember_proxy(void)
{
	static const char *const vars[] = { "https_proxy", "HTTPS_PROXY",
	    "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY", NULL };
	const char *v;
	char *part;
	CURLU *u;

	for (const char *const *var = vars; *var != NULL; var++) {
		if ((v = getenv(*var)) == NULL || *v == '\0' ||
		    (u = curl_url()) == NULL)
			continue;
		if (curl_url_set(u, CURLUPART_URL, v, CURLU_GUESS_SCHEME |
		    CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
			for (int dec = 0; dec < 2; dec++) {
				if (curl_url_get(u, CURLUPART_PASSWORD, &part,
				    dec ? CURLU_URLDECODE : 0) == CURLUE_OK) {
					secret_remember(part);
					curl_free(part);
				}
			}
		}
		curl_url_cleanup(u);
	}
}

/* Add "Authorization: SCHEME TOKEN" to a header list. */
struct curl_slist *
http_auth(struct curl_slist *list, const char *scheme, const char *token)
{
	struct curl_slist *l;
	size_t n = strlen(scheme) + strlen(token) + 17;
	char *h = xmalloc(n);

	/* Whatever goes out as a credential is never printed back. */
	secret_remember(token);
	snprintf(h, n, "Authorization: %s %s", scheme, token);
	if ((l = curl_slist_append(list, h)) == NULL)
		errx(EXIT_TEMPFAIL, "curl_slist_append: out of memory");
	explicit_bzero(h, n);
	free(h);
	return l;
}

/* Free a header list, wiping it: it holds the credential. */
void
http_headers_free(struct curl_slist *list)
{
	for (struct curl_slist *l = list; l != NULL; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(list);
}

void
http_resp_reset(struct http_resp *r)
{
	free(r->link_next);
	memset(r, 0, sizeof(*r));
	r->rl_limit = r->rl_remaining = r->rl_reset = RATE_UNSET;
	r->retry_after_s = -1;
}

void
http_resp_free(struct http_resp *r)
{
	free(r->link_next);
	r->link_next = NULL;
}

/* Smallest of the comma-separated integers in V (repeated headers). */
static void
take_min(long long *dst, const char *v)
{
	char *end;
	long long x;

	for (;;) {
		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		if (*v == '\0')
			return;
		x = strtoll(v, &end, 10);
		if (end == v || x < 0)
			return;
		if (*dst == RATE_UNSET || x < *dst)
			*dst = x;
		v = end;
	}
}

/*
 * Find the rel="next" target in one Link header value (RFC 8288), which
 * may join several links with commas.  Returns 1 with *out allocated, 0
 * when there is none, -1 when the value is malformed.
 */
int
link_next(const char *v, size_t len, char **out)
{
	const char *p = v, *end = v + len, *u, *ue;
	int next, found = 0;

	*out = NULL;
	for (;;) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
			p++;
		if (p == end)
			break;
		if (*p != '<')
			goto bad;
		u = ++p;
		while (p < end && *p != '>')
			p++;
		if (p == end)
			goto bad;
		ue = p++;
		/* A URI reference (RFC 3986) has no blank, control byte,
		 * quote or '<': such a target is a malformed header, never
		 * a link cut short into another URL. */
		for (const char *c = u; c < ue; c++)
			if ((unsigned char)*c <= ' ' || *c == 0x7f ||
			    *c == '"' || *c == '<')
				goto bad;
		next = 0;
		for (;;) {
			const char *name, *ne, *val, *ve;
			int quoted = 0;

			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			if (p == end || *p == ',')
				break;
			if (*p++ != ';')
				goto bad;
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			name = p;
			while (p < end && *p != '=' && *p != ';' && *p != ',' &&
			    *p != ' ' && *p != '\t')
				p++;
			ne = p;
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			val = ve = p;
			if (p < end && *p == '=') {
				p++;
				while (p < end && (*p == ' ' || *p == '\t'))
					p++;
				if (p < end && *p == '"') {
					quoted = 1;
					val = ++p;
					while (p < end && *p != '"')
						p += (*p == '\\' && p + 1 < end) ? 2 : 1;
					if (p >= end)
						goto bad;
					ve = p++;
				} else {
					val = p;
					while (p < end && *p != ';' && *p != ',' &&
					    *p != ' ' && *p != '\t')
						p++;
					ve = p;
				}
			}
			(void)quoted;
			if (ne - name == 3 && strncasecmp(name, "rel", 3) == 0) {
				/* rel may list several types: "next last". */
				const char *t = val;

				while (t < ve) {
					const char *te = t;

					while (te < ve && *te != ' ')
						te++;
					if (te - t == 4 &&
					    strncasecmp(t, "next", 4) == 0)
						next = 1;
					t = te + 1;
				}
			}
		}
		if (next && !found) {
			*out = xstrndup(u, ue - u);
			found = 1;
		}
	}
	return found;
bad:
	free(*out);
	*out = NULL;
	return -1;
}

static int
hdr_is(const char *line, size_t n, const char *name, const char **val)
{
	size_t k = strlen(name);

	if (n <= k || line[k] != ':' || strncasecmp(line, name, k) != 0)
		return 0;
	*val = line + k + 1;
	return 1;
}

/*
 * CURLOPT_HEADERFUNCTION: called once per header line.  A status line
 * starts a new block (after 100 Continue, only the last block counts).
 * Returning a short count aborts the transfer (too many headers).
 */
size_t
http_header_cb(char *data, size_t size, size_t nitems, void *arg)
{
	struct http_resp *r = arg;
	size_t n = size * nitems;
	char small[1024], *line;
	const char *v;
	char *nx;
	int got;

	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		free(r->link_next);
		r->link_next = NULL;
		r->link_bad = 0;
		r->rl_limit = r->rl_remaining = r->rl_reset = RATE_UNSET;
		r->retry_after_s = -1;
		r->retry_after_at = 0;
		r->date = 0;
		r->request_id[0] = '\0';
		r->headers_seen = 0;
		return n;
	}
	if (++r->headers_seen > MAX_HEADERS) {
		r->too_many_headers = 1;
		return 0;
	}
	/* A line too long is not skipped: it may be the next link. */
	if (n > HTTP_HEADER_MAX) {
		r->header_too_long = n;
		return 0;
	}
	line = n < sizeof(small) ? small : xmalloc(n + 1);
	memcpy(line, data, n);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	line[n] = '\0';
	if (hdr_is(line, n, "link", &v)) {
		got = link_next(v, line + n - v, &nx);
		if (got < 0)
			r->link_bad = 1;
		else if (got > 0 && r->link_next == NULL)
			r->link_next = nx;
		else if (got > 0) {
			if (strcmp(nx, r->link_next) != 0)
				r->link_bad = 1;	/* two different nexts */
			free(nx);
		}
	} else if (hdr_is(line, n, "x-rate-limit-limit", &v))
		take_min(&r->rl_limit, v);
	else if (hdr_is(line, n, "x-rate-limit-remaining", &v))
		take_min(&r->rl_remaining, v);
	else if (hdr_is(line, n, "x-rate-limit-reset", &v))
		take_min(&r->rl_reset, v);
	else if (hdr_is(line, n, "retry-after", &v)) {
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v >= '0' && *v <= '9') {
			char *end;
			long long s = strtoll(v, &end, 10);

			if (*end == '\0' || *end == ' ')
				r->retry_after_s = s;
		} else {
			time_t t = curl_getdate(v, NULL);

			if (t > 0)
				r->retry_after_at = t;
		}
	} else if (hdr_is(line, n, "date", &v)) {
		time_t t = curl_getdate(v, NULL);

		if (t > 0)
			r->date = t;
	} else if (hdr_is(line, n, "x-okta-request-id", &v)) {
		while (*v == ' ' || *v == '\t')
			v++;
		snprintf(r->request_id, sizeof(r->request_id), "%.*s",
		    (int)sizeof(r->request_id) - 1, v);
		http_sanitize(r->request_id);
	}
	if (line != small)
		free(line);
	return size * nitems;
}

/*
 * How long the server asked us to wait, in ms, or -1 for no hint:
 * Retry-After (seconds or a date, measured against the server's Date),
 * else on a 429 Okta's X-Rate-Limit-Reset - Date + 1.
 */
long long
http_hint_ms(const struct http_resp *r)
{
	time_t now = r->date ? r->date : (time_t)(now_ms() / 1000);
	long long w;

	/* Seconds; a year is as good as forever (found by fuzz-headers). */
	if (r->retry_after_s >= 0)
		w = r->retry_after_s;
	else if (r->retry_after_at > 0)
		w = r->retry_after_at > now ?
		    (long long)r->retry_after_at - (long long)now : 0;
	else if (r->status == 429 && r->rl_reset != RATE_UNSET) {
		w = r->rl_reset > (long long)now + HINT_MAX_S ? HINT_MAX_S :
		    r->rl_reset - (long long)now + 1;
		if (w < 1)
			w = 1;
	} else
		return -1;
	return (w > HINT_MAX_S ? HINT_MAX_S : w) * 1000;
}

/* What a finished request means for the caller. */
enum http_verdict
http_classify(CURLcode rc, long status)
{
	switch (rc) {
	case CURLE_OK:
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_BAD_CONTENT_ENCODING:
		return HTTP_RETRY;
	default:
		return HTTP_REFUSED;
	}
	if (status >= 200 && status < 300)
		return HTTP_OK;
	/* Request Timeout, Too Many Requests and server errors pass. */
	if (status == 408 || status == 429 || (status >= 500 && status < 600))
		return HTTP_RETRY;
	if (status == 401 || status == 403)
		return HTTP_AUTH;
	return HTTP_REFUSED;
}

static uint64_t rng_state;

static uint64_t
rng(void)
{
	uint64_t x;

	if (rng_state == 0) {
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

		if (fd == -1 || read(fd, &rng_state, sizeof(rng_state)) !=
		    (ssize_t)sizeof(rng_state))
			rng_state = (uint64_t)now_ms() ^ ((uint64_t)getpid() << 32);
		if (fd != -1)
			close(fd);
		rng_state |= 1;
	}
	/* xorshift64*: plenty for spreading retries. */
	x = rng_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 2685821657736338717ULL;
}

/*
 * Exponential backoff with full jitter: a uniform wait in
 * [0, min(cap, base * 2^attempt)], attempt counting from 0.
 */
int64_t
backoff_ms(int attempt)
{
	int64_t ceil = BACKOFF_BASE_MS;

	while (attempt-- > 0 && ceil < BACKOFF_CAP_MS)
		ceil *= 2;
	if (ceil > BACKOFF_CAP_MS)
		ceil = BACKOFF_CAP_MS;
	return (int64_t)(rng() % (uint64_t)(ceil + 1));
}

/*
 * The retry rule, written once for every request of the suite: before
 * retry ATTEMPT (from 0) of at most MAX, how long to wait in *WAIT (ms):
 * the server's hint, else a backoff.  Returns HTTP_RETRY_SPENT when the
 * tries ran out, HTTP_RETRY_TOO_LONG when the hint (in *WAIT) is longer
 * than --max-wait, which counts as the tries running out; else 0.
 */
int
http_retry_next(const struct http_opts *o, const struct http_resp *r,
    int attempt, int max, long long *wait)
{
	*wait = http_hint_ms(r);
	if (attempt >= max)
		return HTTP_RETRY_SPENT;
	if (*wait > o->max_wait_ms)
		return HTTP_RETRY_TOO_LONG;
	if (*wait < 0)
		*wait = backoff_ms(attempt);
	return 0;
}

/*
 * Before retry ATTEMPT (from 0) of at most MAX: exit 75 when the tries or
 * the patience (--max-wait) ran out, else say why and sleep for the
 * server's hint, or a backoff.  The retry is counted in *RETRIES.
 */
void
http_retry_wait(const struct http_opts *o, const struct http_resp *r,
    const char *why, int attempt, int max, unsigned long *retries)
{
	long long wait;
	int left = max - attempt - 1;

	switch (http_retry_next(o, r, attempt, max, &wait)) {
	case HTTP_RETRY_SPENT:
		errx(EXIT_TEMPFAIL, "%s: giving up after %d %s", why, max,
		    max == 1 ? "retry" : "retries");
	case HTTP_RETRY_TOO_LONG:
		errx(EXIT_TEMPFAIL, "%s: the server asks to wait %lld s, more "
		    "than --max-wait %lld s", why, (wait + 999) / 1000,
		    o->max_wait_ms / 1000);
	}
	if (retries != NULL)
		(*retries)++;
	info("%s: retrying in %.1f s (%d %s left)", why, wait / 1000.0, left,
	    left == 1 ? "retry" : "retries");
	sleep_ms(wait, NULL);
}

/* curl's detailed message when it has one, redacted: it may name a URL. */
const char *
http_errstr(CURLcode rc, const char *errbuf)
{
	static char msg[2 * CURL_ERROR_SIZE];

	snprintf(msg, sizeof(msg), "%s", errbuf != NULL && *errbuf != '\0' ?
	    errbuf : curl_easy_strerror(rc));
	redact(msg, sizeof(msg));
	http_sanitize(msg);
	return msg;
}

/* Replace control characters: remote text must not drive the terminal. */
static void
http_sanitize(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

/*
 * The API's own words from an error body: Okta's errorCode/errorSummary,
 * or Sekoia's code/message; a short, cleaned excerpt otherwise.  The text
 * is redacted whole before it is cut to size, so that a secret the server
 * echoed cannot lose its end to the cut and its start to the reader.
 */
void
http_api_error(const char *body, size_t len, char *out, size_t outlen)
{
	struct json_tokener *tok;
	struct json_object *o = NULL, *a, *b;
	const char *ka[] = { "errorCode", "code" };
	const char *kb[] = { "errorSummary", "message" };
	struct buf t = { 0 }, r = { 0 };
	size_t max;

	if (outlen == 0)
		return;
	*out = '\0';
	max = outlen - 1;
	if (body == NULL || len == 0)
		return;
	if (len > 65536)
		len = 65536;
	if ((tok = json_tokener_new()) != NULL) {
		o = json_tokener_parse_ex(tok, body, (int)len);
		json_tokener_free(tok);
	}
	if (o != NULL && json_object_is_type(o, json_type_object)) {
		for (int i = 0; i < 2 && t.len == 0; i++) {
			a = b = NULL;
			json_object_object_get_ex(o, ka[i], &a);
			json_object_object_get_ex(o, kb[i], &b);
			if (a != NULL && b != NULL) {
				buf_adds(&t, json_object_get_string(a));
				buf_adds(&t, ": ");
				buf_adds(&t, json_object_get_string(b));
			} else if (b != NULL || a != NULL)
				buf_adds(&t, json_object_get_string(b ? b : a));
		}
	}
	json_object_put(o);
	if (t.len == 0) {
		buf_add(&t, body, len);
		max = max < 200 ? max : 200;
	}
	redact_buf(&r, t.p, t.len);
	buf_addc(&r, '\0');
	snprintf(out, outlen, "%.*s", (int)(r.len - 1 < max ? r.len - 1 : max),
	    r.p);
	http_sanitize(out);
	explicit_bzero(t.p, t.len);
	explicit_bzero(r.p, r.len);
	buf_free(&t);
	buf_free(&r);
	/* "...requests.": the caller's own punctuation follows. */
	len = strlen(out);
	while (len > 0 && (out[len - 1] == '.' || out[len - 1] == ' '))
		out[--len] = '\0';
}
