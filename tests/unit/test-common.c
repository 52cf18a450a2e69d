/* test-common.c: unit tests for libcommon.a, printing TAP. */
#include <sys/wait.h>

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "tap.h"


static int
ts(const char *s, int64_t want)
{
	int64_t got = 0;

	return iso8601_ms(s, strlen(s), &got) == 0 && got == want;
}

static int
ts_bad(const char *s)
{
	int64_t got;

	return iso8601_ms(s, strlen(s), &got) == -1;
}

static void
test_iso8601(void)
{
	char b[64];

	ok(ts("1970-01-01T00:00:00Z", 0), "epoch");
	ok(ts("2019-10-02T18:03:07.000Z", 1570039387000LL), "Okta form");
	ok(ts("2019-10-02T18:03:07Z", 1570039387000LL), "no fraction");
	ok(ts("2019-10-02t18:03:07.5z", 1570039387500LL), "lower case t and z");
	ok(ts("2019-10-02T18:03:07.123456789Z", 1570039387123LL),
	    "nanoseconds truncated to ms");
	ok(ts("2019-10-02T18:03:07.9999Z", 1570039387999LL),
	    "truncated, not rounded");
	ok(ts("2019-10-02T20:03:07.000+02:00", 1570039387000LL), "+hh:mm");
	ok(ts("2019-10-02T13:33:07.000-04:30", 1570039387000LL), "-hh:mm");
	ok(ts("2024-02-29T00:00:00Z", 1709164800000LL), "leap day 2024");
	ok(ts("2000-02-29T00:00:00Z", 951782400000LL), "leap day 2000");
	ok(ts_bad("2100-02-29T00:00:00Z"), "2100 is not a leap year");
	ok(ts_bad("2019-02-29T00:00:00Z"), "2019-02-29 rejected");
	ok(ts_bad("2019-02-30T00:00:00Z"), "2019-02-30 rejected");
	ok(ts_bad("2019-13-01T00:00:00Z"), "month 13 rejected");
	ok(ts_bad("2019-00-01T00:00:00Z"), "month 0 rejected");
	ok(ts_bad("2019-04-31T00:00:00Z"), "April 31 rejected");
	ok(ts_bad("2019-10-02T24:00:00Z"), "hour 24 rejected");
	ok(ts_bad("2019-10-02T23:60:00Z"), "minute 60 rejected");
	ok(ts("2016-12-31T23:59:60Z", 1483228800000LL), "leap second");
	ok(ts_bad("2019-10-02T18:03:07"), "no zone rejected");
	ok(ts_bad("2019-10-02T18:03:07.Z"), "empty fraction rejected");
	ok(ts_bad("2019-10-02T18:03:07+0200"), "offset without colon rejected");
	ok(ts_bad("2019-10-02T18:03:07Z "), "trailing space rejected");
	ok(ts_bad("2019-10-02"), "date only rejected");
	ok(ts_bad(""), "empty rejected");
	ok(ts_bad("garbage"), "garbage rejected");
	ok(ts_bad("2019-1x-02T18:03:07Z"), "letters rejected");
	ok(ts("1969-12-31T23:59:59.999Z", -1), "before the epoch");
	iso8601_fmt(1570039387123LL, b);
	ok(strcmp(b, "2019-10-02T18:03:07.123Z") == 0, "format: %s", b);
	iso8601_fmt(-1, b);
	ok(strcmp(b, "1969-12-31T23:59:59.999Z") == 0, "format negative: %s", b);
	iso8601_fmt(951782400000LL, b);
	ok(ts(b, 951782400000LL), "format then parse round trip");
}

static void
test_num(void)
{
	const char *e;
	long long v;
	double d;

	v = parse_num("200", 1, 200, &e);
	ok(v == 200 && e == NULL, "parse_num upper bound");
	v = parse_num("1", 1, 200, &e);
	ok(v == 1 && e == NULL, "parse_num lower bound");
	parse_num("201", 1, 200, &e);
	ok(e != NULL && strcmp(e, "too large") == 0, "parse_num too large");
	parse_num("0", 1, 200, &e);
	ok(e != NULL && strcmp(e, "too small") == 0, "parse_num too small");
	parse_num("-5", 1, 200, &e);
	ok(e != NULL && strcmp(e, "too small") == 0, "parse_num negative");
	parse_num("12x", 1, 200, &e);
	ok(e != NULL && strcmp(e, "invalid") == 0, "parse_num trailing junk");
	parse_num("", 1, 200, &e);
	ok(e != NULL && strcmp(e, "invalid") == 0, "parse_num empty");
	parse_num("99999999999999999999", 0, LLONG_MAX, &e);
	ok(e != NULL && strcmp(e, "too large") == 0, "parse_num overflow");
	v = parse_num("9223372036854775807", 0, LLONG_MAX, &e);
	ok(e == NULL && v == LLONG_MAX, "parse_num LLONG_MAX");
	d = parse_seconds("0.5", 0, 60, &e);
	ok(e == NULL && d == 0.5, "parse_seconds fraction");
	parse_seconds("nan", 0, 60, &e);
	ok(e != NULL, "parse_seconds nan rejected");
	parse_seconds("0x10", 0, 60, &e);
	ok(e != NULL, "parse_seconds hex rejected");
	parse_seconds("61", 0, 60, &e);
	ok(e != NULL && strcmp(e, "too large") == 0, "parse_seconds bound");
}

static int
reader_on(struct lreader *lr, const char *data, size_t n, size_t max)
{
	int p[2];

	if (pipe(p) == -1)
		return -1;
	fflush(stdout);		/* the child must not print what we have */
	if (fork() == 0) {
		close(p[0]);
		while (n > 0) {
			ssize_t w = write(p[1], data, n);

			if (w <= 0)
				_exit(1);
			data += w;
			n -= w;
		}
		_exit(0);
	}
	close(p[1]);
	return lreader_fdopen(lr, p[0], "pipe", max);
}

static void
test_lineio(void)
{
	struct lreader lr;
	char *line, *big;
	size_t len, bign = 3 * 1024 * 1024;
	FILE *copy;
	char *cbuf = NULL;
	size_t clen = 0;
	int r;

	reader_on(&lr, "a\r\nbb\n\nccc", 10, 100);
	r = lreader_next(&lr, &line, &len);
	ok(r == LR_LINE && len == 1 && strcmp(line, "a") == 0, "CRLF stripped");
	r = lreader_next(&lr, &line, &len);
	ok(r == LR_LINE && len == 2 && strcmp(line, "bb") == 0 &&
	    lr.lineno == 2, "LF line, line number 2");
	r = lreader_next(&lr, &line, &len);
	ok(r == LR_LINE && len == 0, "empty line");
	r = lreader_next(&lr, &line, &len);
	ok(r == LR_LINE && len == 3 && strcmp(line, "ccc") == 0 &&
	    lr.lineno == 4, "last line without newline");
	ok(lreader_next(&lr, &line, &len) == LR_EOF, "then EOF");
	lreader_close(&lr);

	/* A 3 MiB line fits a 4 MiB limit and comes through whole. */
	big = malloc(bign + 8);
	memset(big, 'x', bign);
	memcpy(big + bign, "\nend\n", 5);
	reader_on(&lr, big, bign + 5, 4 * 1024 * 1024);
	r = lreader_next(&lr, &line, &len);
	ok(r == LR_LINE && len == bign && line[0] == 'x' &&
	    line[bign - 1] == 'x' && line[bign] == '\0', "3 MiB line whole");
	r = lreader_next(&lr, &line, &len);
	ok(r == LR_LINE && strcmp(line, "end") == 0, "line after the long one");
	lreader_close(&lr);

	/* Over the limit: reported, skipped, copied verbatim, bounded. */
	reader_on(&lr, big, bign + 5, 1024 * 1024);
	r = lreader_next(&lr, &line, &len);
	ok(r == LR_TOOLONG && lr.lineno == 1, "too long line reported");
	copy = open_memstream(&cbuf, &clen);
	ok(lreader_skip(&lr, copy) == 0, "skip the long line");
	fclose(copy);
	ok(clen == bign + 1 && cbuf[0] == 'x' && cbuf[bign] == '\n',
	    "long line copied verbatim (%zu bytes)", clen);
	ok(lr.cap <= 4 * 1024 * 1024, "buffer bounded by the limit (%zu)",
	    lr.cap);
	r = lreader_next(&lr, &line, &len);
	ok(r == LR_LINE && strcmp(line, "end") == 0 && lr.lineno == 2,
	    "reading goes on after a long line");
	lreader_close(&lr);
	free(cbuf);

	/* Too long and unterminated at EOF: copy gets a newline. */
	cbuf = NULL;
	reader_on(&lr, big, 2000, 100);
	r = lreader_next(&lr, &line, &len);
	copy = open_memstream(&cbuf, &clen);
	lreader_skip(&lr, copy);
	fclose(copy);
	ok(r == LR_TOOLONG && clen == 2001 && cbuf[2000] == '\n',
	    "unterminated long line copied with a newline");
	ok(lreader_next(&lr, &line, &len) == LR_EOF, "EOF after it");
	lreader_close(&lr);
	free(cbuf);
	free(big);
	while (wait(NULL) > 0)
		;
}

static void
test_link(void)
{
	char *u;

	{
		const char *v = "<https://a/x?after=1&limit=200>; rel=\"next\"";

		ok(link_next(v, strlen(v), &u) == 1 &&
		    strcmp(u, "https://a/x?after=1&limit=200") == 0, "Link next");
		free(u);
	}
	{
		const char *v = "<https://a/s>; rel=\"self\", "
		    "<https://a/n?x=1,2>; rel=\"next\"";

		ok(link_next(v, strlen(v), &u) == 1 &&
		    strcmp(u, "https://a/n?x=1,2") == 0,
		    "comma-joined, comma inside the URL");
		free(u);
	}
	{
		const char *v = "<https://a/s>; rel=\"self\"";

		ok(link_next(v, strlen(v), &u) == 0 && u == NULL,
		    "self only: no next");
	}
	{
		const char *v = "<https://a/n>; title=\"a;b,c\"; REL=next";

		ok(link_next(v, strlen(v), &u) == 1 &&
		    strcmp(u, "https://a/n") == 0,
		    "unquoted, upper-case rel after a quoted param");
		free(u);
	}
	{
		const char *v = "<https://a/n>; rel=\"prev next\"";

		ok(link_next(v, strlen(v), &u) == 1, "rel with two types");
		free(u);
	}
	{
		const char *v = "https://a/n; rel=next";

		ok(link_next(v, strlen(v), &u) == -1, "no angle brackets: bad");
	}
	{
		const char *v = "<https://a/n; rel=next";

		ok(link_next(v, strlen(v), &u) == -1, "unclosed bracket: bad");
	}
}

static void
hdr(struct http_resp *r, const char *line)
{
	char b[512];

	snprintf(b, sizeof(b), "%s\r\n", line);
	http_header_cb(b, 1, strlen(b), r);
}

static void
test_headers(void)
{
	struct http_resp r = { 0 };

	http_resp_reset(&r);
	hdr(&r, "HTTP/1.1 429 Too Many Requests");
	hdr(&r, "Date: Sun, 06 Nov 1994 08:49:37 GMT");
	hdr(&r, "X-Rate-Limit-Reset: 784111800");
	hdr(&r, "x-rate-limit-reset: 784111790");
	hdr(&r, "X-Rate-Limit-Remaining: 5, 0");
	hdr(&r, "X-Okta-Request-Id: req\x1b[31mX");
	hdr(&r, "link: <http://h/n>; rel=\"next\"");
	r.status = 429;
	ok(r.rl_reset == 784111790, "smallest of repeated Reset headers");
	ok(r.rl_remaining == 0, "smallest of comma-joined Remaining");
	ok(r.date == 784111777, "Date parsed");
	ok(http_hint_ms(&r) == 14000, "429 wait = Reset - Date + 1 (%lld)",
	    http_hint_ms(&r));
	ok(strchr(r.request_id, '\x1b') == NULL, "request id sanitized");
	ok(r.link_next && strcmp(r.link_next, "http://h/n") == 0,
	    "lower-case link header");
	hdr(&r, "Retry-After: 7");
	ok(http_hint_ms(&r) == 7000, "Retry-After seconds wins");
	hdr(&r, "HTTP/1.1 200 OK");
	ok(r.link_next == NULL && r.rl_reset == RATE_UNSET &&
	    r.retry_after_s == -1, "a new status line clears the block");
	hdr(&r, "Date: Sun, 06 Nov 1994 08:49:37 GMT");
	hdr(&r, "Retry-After: Sun, 06 Nov 1994 08:49:47 GMT");
	r.status = 503;
	ok(http_hint_ms(&r) == 10000, "Retry-After date against Date (%lld)",
	    http_hint_ms(&r));
	hdr(&r, "Link: <http://h/a>; rel=\"next\"");
	hdr(&r, "Link: <http://h/b>; rel=\"next\"");
	ok(r.link_bad, "two different next links are a violation");
	http_resp_free(&r);
}

/* A Link header line of about LEN bytes, its next link's query padded. */
static size_t
hdr_long(struct http_resp *r, size_t len)
{
	struct buf b = { 0 };
	size_t n;

	buf_adds(&b, "Link: <http://h/n?after=c&search=");
	while (b.len < len - 15)
		buf_addc(&b, 'x');
	buf_adds(&b, ">; rel=\"next\"\r\n");
	n = http_header_cb(b.p, 1, b.len, r) == b.len;
	buf_free(&b);
	return n;
}

static void
test_long_headers(void)
{
	struct http_resp r = { 0 };

	http_resp_reset(&r);
	hdr(&r, "HTTP/1.1 200 OK");
	ok(hdr_long(&r, 9 * 1024) && r.link_next != NULL &&
	    strncmp(r.link_next, "http://h/n?after=c&search=xx", 28) == 0,
	    "a 9 KiB Link line is read, not skipped");
	hdr(&r, "HTTP/1.1 200 OK");
	ok(hdr_long(&r, 70 * 1024) && r.link_next != NULL &&
	    strlen(r.link_next) > 69 * 1024, "a 70 KiB Link line is read");
	hdr(&r, "HTTP/1.1 200 OK");
	ok(!hdr_long(&r, HTTP_HEADER_MAX + 1) && r.link_next == NULL &&
	    r.header_too_long == HTTP_HEADER_MAX + 1,
	    "a line over the bound stops the transfer and says so");
	http_resp_free(&r);
}

/* redact() of IN: is it WANT? */
static int
red(const char *in, const char *want)
{
	char b[1024];

	snprintf(b, sizeof(b), "%s", in);
	redact(b, sizeof(b));
	if (strcmp(b, want) != 0) {
		printf("# redact(\"%s\")\n#   = \"%s\"\n# want \"%s\"\n", in, b,
		    want);
		return 0;
	}
	return 1;
}

static void
test_redact(void)
{
	char b[64], out[64];
	const char *body;

	secret_forget_all();
	ok(red("Authorization: SSWS abc", "Authorization: [redacted]"),
	    "redact: HTTP/1.1 Authorization");
	ok(red("authorization:SSWS abc", "authorization: [redacted]"),
	    "redact: lower case, no blank");
	ok(red("h2h3 [authorization: SSWS a]b]c]",
	    "h2h3 [authorization: [redacted]]"),
	    "redact: libcurl 7.88's HTTP/2 form, a ']' in the token");
	ok(red("[HTTP/2] [1] [authorization: Bearer zz]",
	    "[HTTP/2] [1] [authorization: [redacted]]"),
	    "redact: libcurl 8's HTTP/2 form");
	ok(red("[HTTP/3] [0] [proxy-authorization: Basic dXNlcjpw]",
	    "[HTTP/3] [0] [proxy-authorization: [redacted]]"),
	    "redact: HTTP/3, Proxy-Authorization");
	ok(red("Proxy-Authorization: Basic dXNlcjpzZWNyZXQ=",
	    "Proxy-Authorization: [redacted]"), "redact: Proxy-Authorization");
	ok(red("DPoP: eyJhbGciOi.x.y", "DPoP: [redacted]"), "redact: DPoP");
	ok(red("dpop-nonce: n-1", "dpop-nonce: [redacted]"),
	    "redact: DPoP-Nonce");
	ok(red("Authorization: SSWS a\r\nHost: h",
	    "Authorization: [redacted]\r\nHost: h"),
	    "redact: to the end of the line only");
	ok(red("{\"headers\":{\"Authorization\":\"SSWS a\\\"b\",\"x\":1}}",
	    "{\"headers\":{\"Authorization\":\"[redacted]\",\"x\":1}}"),
	    "redact: an Authorization echoed in JSON, an escaped quote in it");
	ok(red("{'authorization': 'SSWS abc', 'x': 1}",
	    "{'authorization': '[redacted]', 'x': 1}"),
	    "redact: an Authorization echoed as a Python dict");
	ok(red("x-authorization-hint: ok; Authorizations: ok",
	    "x-authorization-hint: ok; Authorizations: ok"),
	    "redact: only the names themselves");
	ok(red("* Uses proxy env variable https_proxy == "
	    "'http://user:pa@ss@127.0.0.1:3128'",
	    "* Uses proxy env variable https_proxy == "
	    "'http://[redacted]@127.0.0.1:3128'"),
	    "redact: a proxy URL's userinfo, an '@' in the password");
	ok(red("see https://tok@h/x and https://h/a@b",
	    "see https://[redacted]@h/x and https://h/a@b"),
	    "redact: a user alone; an '@' in a path is not userinfo");
	ok(red("plain text, no secret", "plain text, no secret"),
	    "redact: other text unchanged");

	secret_remember("tok-SECRET-123");
	secret_remember("pw");	/* too short: ignored */
	ok(red("Invalid token tok-SECRET-123 (SSWS tok-SECRET-123)",
	    "Invalid token [redacted] (SSWS [redacted])"),
	    "redact: a remembered secret, anywhere");
	ok(red("a message cut at tok-SECR", "a message cut at [redacted]"),
	    "redact: a remembered secret cut off at the end");
	ok(red("cut at tok-SECR...\n", "cut at [redacted]"),
	    "redact: cut off before an ellipsis");
	ok(red("tok-SEC is fine mid-text", "tok-SEC is fine mid-text"),
	    "redact: a prefix in mid-text is not a cut");
	ok(red("pwd is pw", "pwd is pw"),
	    "redact: a value shorter than SECRET_MIN is not remembered");
	ok(red("Basic YWRtaW46dG9rLVNFQ1JFVC0xMjM=", "Basic YWRtaW46[redacted]M="),
	    "redact: base64 of user:secret (HTTP Basic echoed)");
	ok(red("b64 eHRvay1TRUNSRVQtMTIzeXo= and YWJ0b2stU0VDUkVULTEyMw==",
	    "b64 eH[redacted]eXo= and YWJ[redacted]w=="),
	    "redact: base64 of a secret at the two other alignments");
	ok(red("token=tok%2DSECRET%2d123&x", "token=[redacted]&x"),
	    "redact: percent-encoded, either case");
	secret_remember("k/ey+SECRET=9 x");
	ok(red("k%2Fey%2BSECRET%3d9+x k%2fey%2bSECRET%3D9%20x",
	    "[redacted] [redacted]"),
	    "redact: percent-encoded reserved bytes, a '+' for a space");
	secret_remember("tok?>>SECRET~~~x");
	ok(red("a dG9rPz4+U0VDUkVUfn5+eA== b dG9rPz4-U0VDUkVUfn5-eA== "
	    "c dG9rPz4%2BU0VDUkVUfn5%2beA%3D%3D",
	    "a [redacted]A== b [redacted]A== c [redacted]A%3D%3D"),
	    "redact: base64 and base64url alike, and percent-encoded");
	secret_remember("0123456789abcdefghijklmnopqrstuvwxyzABCDEF");
	ok(red("echo ...ijklmnopqrstuvwxyzABCDEF end",
	    "echo ...[redacted] end"),
	    "redact: the second half of a secret");
	ok(red("first 0123456789abcdefgh, then", "first [redacted], then"),
	    "redact: the first half of a secret, in mid-text");
	ok(red("short 0123456789abcde here", "short 0123456789abcde here"),
	    "redact: a piece shorter than 16 stays (a word is not a secret)");
	for (int i = 0; i < 200; i++) {
		char v[40];

		snprintf(v, sizeof(v), "%03d-%08x%08x", i,
		    (unsigned)i * 2654435761u, (unsigned)i * 40503u + 7);
		if (i % 2)
			secret_remember(v);
		else
			secret_remember_brief(v);
	}
	ok(red("tok-SECRET-123", "[redacted]"),
	    "redact: 200 secrets later, the first is still masked");
	ok(red("001-9e3779b100009e3e", "[redacted]"),
	    "redact: a remembered value is never evicted");
	ok(red("000-0000000000000007", "000-0000000000000007") &&
	    red("198-5ee81ee6007a5e91", "[redacted]"),
	    "redact: one-request values: the newest few");
	secret_forget("k/ey+SECRET=9 x");
	ok(red("k/ey+SECRET=9 x", "k/ey+SECRET=9 x"),
	    "secret_forget: the value and its forms");

	memset(b, 'a', sizeof(b));
	snprintf(b, sizeof(b), "%.40s tok-SECRET-123", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	redact(b, 20);
	ok(strlen(b) == 19 && strstr(b, "tok") == NULL,
	    "redact: kept within its buffer");

	body = "{\"errorCode\":\"E0000011\",\"errorSummary\":\"Invalid token "
	    "provided: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx tok-SECRET-123\"}";
	http_api_error(body, strlen(body), out, sizeof(out));
	ok(strncmp(out, "E0000011: Invalid token", 23) == 0 &&
	    strstr(out, "tok-") == NULL,
	    "api error: a secret across the cut is not half shown: %s", out);
	body = "<html>Authorization: SSWS abc\r\nHost: h</html>";
	http_api_error(body, strlen(body), out, sizeof(out));
	ok(strstr(out, "abc") == NULL && strstr(out, "Host: h") != NULL,
	    "api error: an echoed header in a text body: %s", out);
	ok(strstr(http_errstr(CURLE_COULDNT_CONNECT,
	    "Failed to connect to proxy http://u:pw2@p:3128"), "pw2") == NULL,
	    "curl's message redacted");
	secret_forget_all();
	ok(red("tok-SECRET-123", "tok-SECRET-123"), "secret_forget_all");
}

static void
test_misc(void)
{
	struct buf b = { 0 };
	struct origin o;
	const char *e;
	int i, inrange = 1;

	ok(buf_json_str(&b, "a\"\\/\n\x01\xc3\xa9", 8) == 0 &&
	    b.len == 18 && memcmp(b.p, "\"a\\\"\\\\/\\n\\u0001\xc3\xa9\"", 18) == 0,
	    "JSON string escapes, keeps / and UTF-8");
	b.len = 0;
	ok(buf_json_str(&b, "a\xff", 2) == -1, "invalid UTF-8 reported");
	ok(utf8_char((const unsigned char *)"\xed\xa0\x80",
	    (const unsigned char *)"\xed\xa0\x80" + 3) == 0, "surrogate rejected");
	ok(utf8_char((const unsigned char *)"\xc0\xaf",
	    (const unsigned char *)"\xc0\xaf" + 2) == 0, "overlong rejected");
	ok(utf8_char((const unsigned char *)"\xf0\x9f\x98\x80",
	    (const unsigned char *)"\xf0\x9f\x98\x80" + 4) == 4, "emoji accepted");
	b.len = 0;
	buf_addi(&b, -1234567890123LL);
	ok(b.len == 14 && memcmp(b.p, "-1234567890123", 14) == 0, "buf_addi");
	{
		/* Every digit count, odd and even, and the extremes, against
		 * snprintf: buf_addi writes two digits at a time. */
		static const long long v[] = { 0, 7, 10, 99, 100, 999, 1000,
		    12345, -1, -10, -100, 1700000000000LL, INT64_MAX,
		    INT64_MIN, INT64_MIN + 1 };
		char want[32];
		size_t k;
		int bad = 0;
		long long x;

		for (k = 0; k < sizeof(v) / sizeof(v[0]); k++) {
			b.len = 0;
			buf_addi(&b, v[k]);
			snprintf(want, sizeof(want), "%lld", v[k]);
			bad += b.len != strlen(want) || memcmp(b.p, want, b.len) != 0;
		}
		for (x = 1; x < INT64_MAX / 10; x = x * 10 + 1) {
			b.len = 0;
			buf_addi(&b, x * 9);
			snprintf(want, sizeof(want), "%lld", x * 9);
			bad += b.len != strlen(want) || memcmp(b.p, want, b.len) != 0;
		}
		ok(bad == 0, "buf_addi: every length, the extremes (%d wrong)", bad);
	}
	buf_free(&b);

	ok(origin_parse("https://acme.okta.com", &o, &e) == 0 &&
	    o.port == 443, "https origin");
	ok(origin_same(&o, "https://ACME.okta.com:443/api/v1/devices?after=x"),
	    "same origin, other case and explicit port");
	ok(!origin_same(&o, "https://acme.okta.com.evil.example/api"),
	    "other host");
	ok(!origin_same(&o, "http://acme.okta.com/api"), "other scheme");
	ok(!origin_same(&o, "https://acme.okta.com:8443/api"), "other port");
	origin_free(&o);
	ok(origin_parse("http://acme.okta.com", &o, &e) == -1 && e != NULL,
	    "plain http refused: %s", e);
	ok(origin_parse("http://127.0.0.1:8080", &o, &e) == 0, "http loopback");
	origin_free(&o);
	ok(origin_parse("http://[::1]:8080", &o, &e) == 0, "http ::1");
	origin_free(&o);
	ok(origin_parse("http://localhost:1", &o, &e) == 0, "http localhost");
	origin_free(&o);
	ok(origin_parse("https://u:p@acme.okta.com", &o, &e) == -1,
	    "credentials in URL refused");
	ok(origin_parse("ftp://acme.okta.com", &o, &e) == -1, "ftp refused");
	ok(origin_parse("not a url", &o, &e) == -1, "garbage refused");

	for (i = 0; i < 1000; i++) {
		int64_t d0 = backoff_ms(0), d3 = backoff_ms(3),
		    d20 = backoff_ms(20);

		if (d0 < 0 || d0 > 1000 || d3 < 0 || d3 > 8000 || d20 < 0 ||
		    d20 > 60000)
			inrange = 0;
	}
	ok(inrange, "backoff within [0, min(60 s, 1 s * 2^n)]");
	/*
	 * Full jitter: uniform over [0, min(cap, base * 2^n)], so the mean
	 * is half the ceiling, growing with n up to the cap.  A backoff that
	 * always waits 0 (or a fixed time) fails here.
	 */
	for (int n = 0; n <= 8; n++) {
		double sum = 0, want = (n < 6 ? 1000 << n : 60000) / 2.0;
		int64_t lo = INT64_MAX, hi = 0, d;

		for (i = 0; i < 2000; i++) {
			d = backoff_ms(n);
			sum += d;
			lo = d < lo ? d : lo;
			hi = d > hi ? d : hi;
		}
		ok(sum / 2000 > want * 0.85 && sum / 2000 < want * 1.15 &&
		    lo < want * 0.1 && hi > want * 1.9,
		    "backoff %d: mean %.0f ms (want %.0f), min %lld, max %lld",
		    n, sum / 2000, want, (long long)lo, (long long)hi);
	}
	ok(http_classify(CURLE_OK, 200) == HTTP_OK, "200 ok");
	ok(http_classify(CURLE_OK, 429) == HTTP_RETRY, "429 retried");
	ok(http_classify(CURLE_OK, 408) == HTTP_RETRY, "408 retried");
	ok(http_classify(CURLE_OK, 503) == HTTP_RETRY, "503 retried");
	ok(http_classify(CURLE_OK, 401) == HTTP_AUTH, "401 auth");
	ok(http_classify(CURLE_OK, 403) == HTTP_AUTH, "403 auth");
	ok(http_classify(CURLE_OK, 400) == HTTP_REFUSED, "400 refused");
	ok(http_classify(CURLE_OK, 302) == HTTP_REFUSED, "302 refused");
	ok(http_classify(CURLE_COULDNT_CONNECT, 0) == HTTP_RETRY,
	    "connect error retried");
	ok(http_classify(CURLE_PEER_FAILED_VERIFICATION, 0) == HTTP_REFUSED,
	    "bad certificate not retried");
}

static int
js(const char *text)
{
	static struct jdoc d;
	const char *why;

	return jscan(&d, text, strlen(text), &why);
}

/*
 * The quick runs of jscan (16 or 32 bytes at a time with SSE2, 8 in the
 * portable path, make check-portable) against every place the byte that
 * stops them can fall, in strings of every length up to 80, at the very
 * end of the text too: the answer must not depend on where a block ends.
 * "\"" + K x 'a' + STOP + M x 'a' + "\"", then the same cut before
 * its closing quote; each kind of stop byte with what jscan must say and
 * where (err_at).
 */
static void
test_jscan_runs(void)
{
	static const struct {
		const char	*stop, *what;
		int		 r;		/* JSCAN_OK or JSCAN_BAD */
		int		 at;		/* err_at, from the stop byte */
	} k[] = {
		{ "\\\"", "an escaped quote", JSCAN_OK, 0 },
		{ "\\u00e9", "a \\u escape", JSCAN_OK, 0 },
		{ "\xc3\xa9", "UTF-8", JSCAN_OK, 0 },
		{ "\xf0\x9f\x98\x80", "4-byte UTF-8", JSCAN_OK, 0 },
		{ "\x7f", "DEL", JSCAN_OK, 0 },
		{ "\x01", "a control character", JSCAN_BAD, 0 },
		{ "\x1f", "U+001F", JSCAN_BAD, 0 },
		{ "\xff", "a byte never in UTF-8", JSCAN_BAD, 0 },
		{ "\xc3(", "a cut UTF-8 sequence", JSCAN_BAD, 0 },
		{ "\\q", "an unknown escape", JSCAN_BAD, 1 },
	};
	struct jdoc d = { 0 };
	char text[256];
	const char *why;
	size_t i, n, kk, m, sl;
	int r, bad, shortbad;

	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		bad = shortbad = 0;
		sl = strlen(k[i].stop);
		for (kk = 0; kk <= 80; kk++)
			for (m = 0; m <= 40; m += 1 + m / 8) {
				n = 0;
				text[n++] = '"';
				memset(text + n, 'a', kk);
				n += kk;
				memcpy(text + n, k[i].stop, sl);
				n += sl;
				memset(text + n, 'a', m);
				n += m;
				text[n++] = '"';
				r = jscan(&d, text, n, &why);
				if (r != k[i].r || (r == JSCAN_OK && (d.n != 1 ||
				    d.t[0].end != n || d.t[0].esc !=
				    (k[i].stop[0] == '\\'))) ||
				    (r == JSCAN_BAD && d.err_at !=
				    1 + kk + (size_t)k[i].at))
					bad++;
				/* Without the closing quote: short, or the
				 * same fault at the same place. */
				r = jscan(&d, text, n - 1, &why);
				if ((k[i].r == JSCAN_OK && r != JSCAN_SHORT) ||
				    (k[i].r == JSCAN_BAD && (r != JSCAN_BAD ||
				    d.err_at != 1 + kk + (size_t)k[i].at)))
					shortbad++;
			}
		ok(bad == 0 && shortbad == 0, "jscan runs: %s at every place "
		    "of strings up to 80 bytes, closed and cut (%d, %d wrong)",
		    k[i].what, bad, shortbad);
	}
	/* Blanks: runs of every length between tokens, and after the value. */
	bad = 0;
	for (kk = 0; kk <= 70; kk++) {
		n = 0;
		text[n++] = '[';
		for (m = 0; m < kk; m++)
			text[n++] = " \t\r\n"[m % 4];
		text[n++] = '1';
		memset(text + n, ' ', kk);
		n += kk;
		text[n++] = ']';
		memset(text + n, '\n', kk);
		n += kk;
		r = jscan(&d, text, n, &why);
		if (r != JSCAN_OK || d.n != 2 || d.t[1].start != 1 + kk ||
		    d.ws != (kk > 0))
			bad++;
		text[n++] = 'x';
		r = jscan(&d, text, n, &why);
		if (r != JSCAN_BAD || d.err_at != n - 1)
			bad++;
	}
	ok(bad == 0, "jscan runs: blanks of every length up to 70 (%d wrong)",
	    bad);
	jdoc_free(&d);
}

static void
test_jscan(void)
{
	struct jdoc d = { 0 };
	struct buf b = { 0 };
	const char *why, *t;
	char *s;
	size_t n;
	long v;

	ok(js("{\"a\":[1,-0.5e+3,true,false,null,\"x\"]}") == JSCAN_OK,
	    "jscan: a valid document");
	ok(js(" 7 ") == JSCAN_OK, "jscan: a number alone, blanks around");
	ok(js("\"\\u00e9\\/\\ud83d\\ude00\"") == JSCAN_OK, "jscan: escapes");
	ok(js("\"\xc3\xa9\xf0\x9f\x98\x80\"") == JSCAN_OK, "jscan: UTF-8");
	ok(js("{\"a\":1") == JSCAN_SHORT, "jscan: cut short in an object");
	ok(js("[1,2") == JSCAN_SHORT, "jscan: cut short in an array");
	ok(js("\"abc") == JSCAN_SHORT, "jscan: cut short in a string");
	ok(js("[tr") == JSCAN_SHORT, "jscan: cut short in a literal");
	ok(js("[1.") == JSCAN_SHORT, "jscan: cut short in a number");
	ok(js("\"\xc3") == JSCAN_SHORT, "jscan: cut short in a UTF-8 sequence");
	ok(js("") == JSCAN_SHORT, "jscan: nothing");
	ok(js("[1,]") == JSCAN_BAD, "jscan: trailing comma");
	ok(js("{\"a\" 1}") == JSCAN_BAD, "jscan: missing colon");
	ok(js("{a:1}") == JSCAN_BAD, "jscan: unquoted key");
	ok(js("01") == JSCAN_BAD, "jscan: leading zero");
	ok(js("1.e3") == JSCAN_BAD, "jscan: no digit after the point");
	ok(js("-") == JSCAN_SHORT, "jscan: a lone minus at the end");
	ok(js("+1") == JSCAN_BAD, "jscan: plus sign");
	ok(js("NaN") == JSCAN_BAD, "jscan: NaN");
	ok(js("\"a\tb\"") == JSCAN_BAD, "jscan: raw tab in a string");
	ok(js("\"\\x\"") == JSCAN_BAD, "jscan: unknown escape");
	ok(js("\"\\u12g4\"") == JSCAN_BAD, "jscan: bad \\u escape");
	ok(js("\"\xc0\xaf\"") == JSCAN_BAD, "jscan: overlong UTF-8");
	ok(js("\"\xed\xa0\x80\"") == JSCAN_BAD, "jscan: surrogate in UTF-8");
	ok(js("{} x") == JSCAN_BAD, "jscan: text after the value");
	ok(js("nul!") == JSCAN_BAD, "jscan: a broken literal");
	ok(js("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]") ==
	    JSCAN_BAD, "jscan: nesting deeper than 64");
	d.max_tokens = 4;
	t = "[1,2,3,4,5]";
	ok(jscan(&d, t, strlen(t), &why) == JSCAN_BAD &&
	    strcmp(why, "too many values") == 0, "jscan: token cap");
	d.max_tokens = 0;

	t = "{ \"id\" : \"a\\/b\" , \"n\":{\"x\":[1,{\"y\":2}]}, \"k\\u0065y\":1, \"id\":\"last\" }";
	ok(jscan(&d, t, strlen(t), &why) == JSCAN_OK && d.ws, "jscan: blanks noticed");
	v = jmember(&d, 0, "id");
	ok(v > 0 && d.t[v].type == J_STRING && memcmp(t + d.t[v].start, "\"last\"", 6) == 0,
	    "jmember: the last of a repeated key, past a nested value");
	ok(jmember(&d, 0, "key") > 0, "jmember: an escaped key");
	ok(jmember(&d, 0, "x") == -1, "jmember: only direct members");
	v = jmember(&d, 0, "n");
	jtext(&d, v, &b);
	ok(b.len == 17 && memcmp(b.p, "{\"x\":[1,{\"y\":2}]}", 17) == 0,
	    "jtext: the text of a value");
	b.len = 0;
	t = "[ { \"a b\" : [ 1 , \" \\\" \" ] } ]";
	jscan(&d, t, strlen(t), &why);
	jtext(&d, 1, &b);
	ok(b.len == 18 && memcmp(b.p, "{\"a b\":[1,\" \\\" \"]}", 18) == 0,
	    "jtext: blanks dropped, not those in strings");
	buf_free(&b);
	t = "\"a\\u00e9\\ud83d\\ude00\\ud800x\\n\\u0000\"";
	jscan(&d, t, strlen(t), &why);
	s = jstr_dup(&d, 0, &n);
	ok(n == 13 && memcmp(s, "a\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbdx\n\0", 13) == 0,
	    "jstr_dup: escapes, a pair, a lone surrogate to U+FFFD, NUL");
	free(s);
	jdoc_free(&d);
	ok(is_blank(" \t\r", 3) && !is_blank(" x", 2), "is_blank");
}

static void
test_env(void)
{
	char path[] = "/tmp/test-common-XXXXXX", *v;
	int fd = mkstemp(path);

	ok(fd != -1 && write_all(fd, "s3cret\r\n", 8, NULL) == 0,
	    "a token file for env_get");
	close(fd);
	unsetenv("T_TOKEN");
	setenv("T_TOKEN_FILE", path, 1);
	ok(env_get("T_TOKEN", &v) == 1 && strcmp(v, "s3cret") == 0,
	    "VAR_FILE read, newline dropped");
	secret_free(v);
	setenv("T_TOKEN", "x", 1);
	ok(env_get("T_TOKEN", &v) == -1, "VAR and VAR_FILE both set: error");
	unsetenv("T_TOKEN_FILE");
	ok(env_get("T_TOKEN", &v) == 1 && strcmp(v, "x") == 0, "VAR");
	secret_free(v);
	unsetenv("T_TOKEN");
	ok(env_get("T_TOKEN", &v) == 0 && v == NULL, "unset");
	setenv("T_TOKEN_FILE", "/nonexistent/x", 1);
	ok(env_get("T_TOKEN", &v) == -1, "unreadable file: error");
	{
		static const char *const bad[] = { "\xEF\xBB\xBFtok-12345678",
		    "SSWS tok-12345678", "bearer tok-12345678",
		    "tok-12345678\nline-2", "tok-12345678\r\n\r\nline-3" };
		FILE *fp;

		setenv("T_TOKEN_FILE", path, 1);
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			fp = fopen(path, "w");
			fputs(bad[i], fp);
			fclose(fp);
			ok(env_get("T_TOKEN", &v) == -1 && v == NULL,
			    "a pasted value refused: case %zu", i);
		}
		fp = fopen(path, "w");
		fputs("line-1\nline-2\n", fp);
		fclose(fp);
		ok(env_get_flags("T_TOKEN", &v, ENV_LINES) == 1 &&
		    strcmp(v, "line-1\nline-2") == 0, "ENV_LINES: lines kept");
		secret_free(v);
		setenv("T_TOKEN_FILE", "/dev/null", 1);
		ok(env_get("T_TOKEN", &v) == -1, "a device refused");
		unsetenv("T_TOKEN_FILE");
	}
	unsetenv("T_TOKEN_FILE");
	unlink(path);
}

int
main(int argc, char *argv[])
{
	(void)argc;
	setprogname(argv);
	verbosity = 0;
	test_iso8601();
	test_num();
	test_lineio();
	test_link();
	test_headers();
	test_long_headers();
	test_redact();
	test_misc();
	test_jscan();
	test_jscan_runs();
	test_env();
	printf("1..%d\n", ntest);
	return nfail != 0;
}
