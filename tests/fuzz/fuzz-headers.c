/*
 * fuzz-headers: response header lines (Link, rate limits, Retry-After,
 * Date), fed to http_header_cb one line at a time as libcurl does, and
 * compared with a reference reading written here, independently, from
 * what http.c documents:
 * - a status line ("HTTP/...") starts a new block: only the last counts;
 * - header names match case-insensitively, the colon right after the
 *   name; trailing CR and LF are not part of the value; a line of 8192
 *   bytes or more is ignored; after 1000 headers in a block the callback
 *   refuses (libcurl then aborts the transfer: so does this target);
 * - X-Rate-Limit-Limit/Remaining/Reset: the smallest of the
 *   comma-separated non-negative integers, read up to the first item that
 *   is not one; a number too large for 64 bits counts as LLONG_MAX;
 * - Retry-After: delay-seconds when it starts with a digit and the digits
 *   end the value or are followed by a space; otherwise an HTTP date
 *   (curl_getdate; what it cannot read is no hint);
 * - the hint (http_hint_ms): Retry-After seconds, else Retry-After date
 *   minus server Date (0 when past), else on a 429 Reset - Date + 1, at
 *   least 1; every hint clamped to a year (HINT_MAX_S), in ms.
 * Both readings must give the same numbers, and the hint must be -1 or
 * within 0 .. one year.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define YEAR_S		(365LL * 86400)
#define HEADERS_MAX	1000

struct ref {
	long long	 limit, remaining, reset, ra_s;
	time_t		 ra_at, date;
	int		 headers;
};

static void
ref_reset(struct ref *f)
{
	f->limit = f->remaining = f->reset = -1;
	f->ra_s = -1;
	f->ra_at = f->date = 0;
	f->headers = 0;
}

static int
digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Digits at *p as a saturating non-negative number; *p moves past them. */
static long long
number(const char **p)
{
	long long x = 0;

	for (; digit(**p); (*p)++)
		x = x > (LLONG_MAX - (**p - '0')) / 10 ? LLONG_MAX :
		    x * 10 + (**p - '0');
	return x;
}

static void
smallest(long long *dst, const char *v)
{
	for (;;) {
		long long x;

		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		/* strtoll's own syntax: blanks, then a sign. */
		while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\v' ||
		    *v == '\f' || *v == '\r')
			v++;
		if (*v == '+')
			v++;
		else if (*v == '-' && digit(v[1])) {
			/* Negative: stop, except "-0", which is 0. */
			const char *q = v + 1;

			if (number(&q) != 0)
				return;
			x = 0;
			v = q;
			goto take;
		}
		if (!digit(*v))
			return;
		x = number(&v);
take:
		if (*dst == -1 || x < *dst)
			*dst = x;
	}
}

/* Is LINE "NAME:..." (case-insensitively)?  Then *val is after ':'. */
static int
named(const char *line, size_t n, const char *name, const char **val)
{
	size_t k = strlen(name);

	if (n <= k || line[k] != ':')
		return 0;
	for (size_t i = 0; i < k; i++) {
		char c = line[i];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c != name[i])
			return 0;
	}
	*val = line + k + 1;
	return 1;
}

/* One line into F; 0 when it is refused (too many headers, too long). */
static int
ref_line(struct ref *f, const char *data, size_t n)
{
	static char line[HTTP_HEADER_MAX + 1];
	const char *v;

	if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		ref_reset(f);
		return 1;
	}
	if (++f->headers > HEADERS_MAX)
		return 0;
	if (n > HTTP_HEADER_MAX)
		return 0;	/* http.c stops the transfer, saying why */
	memcpy(line, data, n);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	line[n] = '\0';
	if (named(line, n, "x-rate-limit-limit", &v))
		smallest(&f->limit, v);
	else if (named(line, n, "x-rate-limit-remaining", &v))
		smallest(&f->remaining, v);
	else if (named(line, n, "x-rate-limit-reset", &v))
		smallest(&f->reset, v);
	else if (named(line, n, "retry-after", &v)) {
		while (*v == ' ' || *v == '\t')
			v++;
		if (digit(*v)) {
			const char *q = v;
			long long s = number(&q);

			if (*q == '\0' || *q == ' ')
				f->ra_s = s;
		} else {
			time_t t = curl_getdate(v, NULL);

			if (t > 0)
				f->ra_at = t;
		}
	} else if (named(line, n, "date", &v)) {
		time_t t = curl_getdate(v, NULL);

		if (t > 0)
			f->date = t;
	}
	return 1;
}

/* The hint from F at server time NOW, in ms, or -1. */
static long long
ref_hint(const struct ref *f, long status, long long now)
{
	long long w;

	if (f->ra_s >= 0)
		w = f->ra_s;
	else if (f->ra_at > 0)
		w = f->ra_at > now ? f->ra_at - now : 0;
	else if (status == 429 && f->reset != -1) {
		/* Reset - now + 1 without overflow, at least 1. */
		w = f->reset > now + YEAR_S ? YEAR_S : f->reset - now + 1;
		if (w < 1)
			w = 1;
	} else
		return -1;
	return (w > YEAR_S ? YEAR_S : w) * 1000;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_resp r = { 0 };
	struct ref f;
	const char *p = (const char *)data, *end = p + size, *nl;
	long long hint, want, now;
	char *line;
	size_t n, got;
	int more;

	http_resp_reset(&r);
	ref_reset(&f);
	r.status = size > 0 ? 400 + data[0] % 200 : 429;
	while (p < end) {
		nl = memchr(p, '\n', end - p);
		n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		/* curl hands over a copy of each line; so do we. */
		line = malloc(n);
		memcpy(line, p, n);
		got = http_header_cb(line, 1, n, &r);
		more = ref_line(&f, p, n);
		free(line);
		if ((got == n) != more)
			abort();
		if (!more)
			break;		/* libcurl stops the transfer here */
		p += n;
	}
	if (r.rl_limit != f.limit || r.rl_remaining != f.remaining ||
	    r.rl_reset != f.reset || r.retry_after_s != f.ra_s ||
	    r.retry_after_at != f.ra_at || r.date != f.date)
		abort();
	hint = http_hint_ms(&r);
	if (hint != -1 && (hint < 0 || hint > YEAR_S * 1000))
		abort();
	if (f.date != 0) {
		/* With a server Date, the hint depends on nothing else. */
		want = ref_hint(&f, r.status, (long long)f.date);
		if (hint != want)
			abort();
	} else {
		/* Against the clock: equal to one reading either side of it. */
		now = (long long)time(NULL);
		want = ref_hint(&f, r.status, now);
		if (hint != want && hint != ref_hint(&f, r.status, now - 1))
			abort();
	}
	http_resp_free(&r);
	return 0;
}
