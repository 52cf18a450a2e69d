/*
 * secret.c: one redaction for everything the programs print that came
 * from elsewhere: libcurl's traces (HTTP/1.1 "Authorization: x", HTTP/2
 * and HTTP/3 "[authorization: x]"), servers' answers, which may echo a
 * request (as a header line, as JSON, as a Python dict), and the
 * programs' own messages.  Four things are masked: the value of a
 * credential header, the userinfo of a URL, every value remembered as a
 * secret, and the start of one cut off at the end of the text (a message
 * shortened to fit a buffer must not keep the first half of a token).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common.h"

#define NSECRETS	64	/* the newest are kept: proofs come one a request */
#define MASK		"[redacted]"
#define CUT_MIN		8	/* shorter tails are words: "nonce" of use_dpop_nonce */

static char *secrets[NSECRETS];
static size_t nsecret;		/* slots used, then the next one to reuse */

void
secret_remember(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return;
	for (i = 0; i < NSECRETS && secrets[i] != NULL; i++)
		if (strcmp(secrets[i], s) == 0)
			return;
	i = nsecret++ % NSECRETS;
	secret_free(secrets[i]);
	secrets[i] = xstrdup(s);
}

void
secret_forget_all(void)
{
	for (size_t i = 0; i < NSECRETS; i++) {
		secret_free(secrets[i]);
		secrets[i] = NULL;
	}
	nsecret = 0;
}

/* Headers whose value is a credential, in any letter case. */
static const char *const cred_headers[] = {
	"proxy-authorization", "authorization", "dpop-nonce", "dpop",
	"cookie", "set-cookie", NULL
};

static int
namechar(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_';
}

/*
 * At s, a credential header name standing alone (not the tail of a longer
 * name), then optionally a closing quote (JSON, a Python dict), blanks
 * and ':' or '='?  The length up to and with that separator, or 0.
 */
static size_t
cred_header(const char *start, const char *s, const char *end)
{
	size_t n;

	if (s > start && namechar(s[-1]))
		return 0;
	for (const char *const *h = cred_headers; *h != NULL; h++) {
		n = strlen(*h);
		if ((size_t)(end - s) <= n || strncasecmp(s, *h, n) != 0 ||
		    namechar(s[n]))
			continue;
		if (s[n] == '"' || s[n] == '\'')
			n++;
		while (s + n < end && (s[n] == ' ' || s[n] == '\t'))
			n++;
		if (s + n < end && (s[n] == ':' || s[n] == '='))
			return n + 1;
	}
	return 0;
}

/*
 * At s, "://userinfo@": the length of the userinfo, or 0.  The authority
 * ends at the first '/', '?', '#' or blank; its last '@' ends the userinfo
 * (a password may hold an '@' nobody encoded).
 */
static size_t
userinfo(const char *s, const char *end)
{
	size_t n, at = 0;

	if (end - s < 3 || strncmp(s, "://", 3) != 0)
		return 0;
	for (n = 3; s + n < end; n++) {
		if (strchr("/?#\"'<>[] \t\r\n\\", s[n]) != NULL || s[n] == '\0')
			break;
		if (s[n] == '@')
			at = n;
	}
	return at > 3 ? at - 3 : 0;
}

/* Is [p, end) the first part of a remembered secret, and only blanks or
 * an ellipsis after it? */
static int
cut_secret(const char *p, const char *end)
{
	const char *e = end;
	size_t n;

	while (e > p && strchr(" \t\r\n.", e[-1]) != NULL)
		e--;
	n = (size_t)(e - p);
	if (n < CUT_MIN)
		return 0;
	for (size_t i = 0; i < NSECRETS; i++)
		if (secrets[i] != NULL && strlen(secrets[i]) > n &&
		    memcmp(p, secrets[i], n) == 0)
			return 1;
	return 0;
}

/* Append the redacted form of s[0, len) to out. */
void
redact_buf(struct buf *out, const char *s, size_t len)
{
	const char *p = s, *end = s + len, *q;
	size_t n, slen;

	while (p < end) {
		for (size_t i = 0; i < NSECRETS; i++) {
			if (secrets[i] == NULL)
				continue;
			slen = strlen(secrets[i]);
			if ((size_t)(end - p) >= slen &&
			    memcmp(p, secrets[i], slen) == 0) {
				buf_adds(out, MASK);
				p += slen;
				goto next;
			}
		}
		if ((n = cred_header(s, p, end)) != 0) {
			int bracket = p > s && p[-1] == '[';

			buf_add(out, p, n);
			p += n;
			for (q = p; q < end && (*q == ' ' || *q == '\t'); q++)
				;
			if (q < end && (*q == '"' || *q == '\'')) {
				/* A quoted value: to its closing quote. */
				char quote = *q;

				buf_add(out, p, (size_t)(q - p) + 1);
				for (q++; q < end && *q != quote; q++)
					if (*q == '\\' && q + 1 < end)
						q++;
				buf_adds(out, MASK);
				p = q;
				continue;
			}
			/* To the end of the line, whatever it holds: a ']' of
			 * HTTP/2's form may be part of the value. */
			for (p = q; q < end && *q != '\r' && *q != '\n'; q++)
				;
			buf_adds(out, " " MASK);
			if (bracket && q > p && q[-1] == ']')
				buf_addc(out, ']');
			p = q;
			continue;
		}
		if ((n = userinfo(p, end)) != 0) {
			buf_adds(out, "://" MASK);
			p += 3 + n;
			continue;
		}
		if (cut_secret(p, end)) {
			buf_adds(out, MASK);
			break;
		}
		buf_addc(out, *p++);
	next:;
	}
}

/* Redact a NUL-terminated text in place, within its buffer of CAP bytes. */
void
redact(char *s, size_t cap)
{
	struct buf b = { 0 };
	size_t n, len;

	if (s == NULL || cap == 0)
		return;
	len = strlen(s);
	if (len == 0)
		return;
	redact_buf(&b, s, len);
	if (b.p != NULL && (b.len != len || memcmp(b.p, s, len) != 0)) {
		n = b.len < cap - 1 ? b.len : cap - 1;
		memcpy(s, b.p, n);
		s[n] = '\0';
	}
	if (b.p != NULL)
		explicit_bzero(b.p, b.len);
	buf_free(&b);
}
