/*
 * secret.c: one redaction for everything the programs print that came
 * from elsewhere: libcurl's traces (HTTP/1.1 "Authorization: x", HTTP/2
 * and HTTP/3 "[authorization: x]"), and servers' answers, which may echo
 * a request.  Three things are masked: the value of a credential header,
 * the userinfo of a URL, and every value remembered as a secret.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common.h"

#define NSECRETS	64	/* the newest are kept: proofs come one a request */
#define MASK		"[redacted]"

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

/* At s, after a start, blank, '[' or '"': a credential header name and ':'? */
static size_t
cred_header(const char *start, const char *s)
{
	size_t n;

	if (s > start && s[-1] != ' ' && s[-1] != '\t' && s[-1] != '[' &&
	    s[-1] != '"' && s[-1] != '\n' && s[-1] != '{' && s[-1] != ',')
		return 0;
	for (const char *const *h = cred_headers; *h != NULL; h++) {
		n = strlen(*h);
		if (strncasecmp(s, *h, n) != 0)
			continue;
		/* "authorization": in JSON, or authorization: */
		if (s[n] == '"')
			n++;
		while (s[n] == ' ')
			n++;
		if (s[n] == ':' || s[n] == '=')
			return n + 1;
	}
	return 0;
}

/* At s, "://user:pass@": the length of the userinfo, or 0. */
static size_t
userinfo(const char *s)
{
	size_t n;

	if (strncmp(s, "://", 3) != 0)
		return 0;
	for (n = 3; s[n] != '\0'; n++) {
		if (s[n] == '@')
			return n > 3 ? n - 3 : 0;
		if (strchr("/?#[]\"'<> \t\r\n\\", s[n]) != NULL)
			return 0;
	}
	return 0;
}

void
redact(char *s, size_t cap)
{
	struct buf b = { 0 };
	const char *p = s;
	size_t n, len;
	int changed = 0;

	if (s == NULL || cap == 0)
		return;
	while (*p != '\0') {
		for (size_t i = 0; i < NSECRETS; i++) {
			if (secrets[i] == NULL)
				continue;
			len = strlen(secrets[i]);
			if (strncmp(p, secrets[i], len) == 0) {
				buf_adds(&b, MASK);
				p += len;
				changed = 1;
				goto next;
			}
		}
		if ((n = cred_header(s, p)) != 0) {
			/* The name, then the value masked to the end of the
			 * header: a quote, a ']' of HTTP/2's form, a line end. */
			buf_add(&b, p, n);
			p += n;
			while (*p != '\0' && strchr("\"]\r\n", *p) == NULL)
				p++;
			buf_adds(&b, " " MASK);
			changed = 1;
			continue;
		}
		if ((n = userinfo(p)) != 0) {
			buf_adds(&b, "://" MASK);
			p += 3 + n;
			changed = 1;
			continue;
		}
		buf_addc(&b, *p++);
	next:;
	}
	if (changed) {
		n = b.len < cap - 1 ? b.len : cap - 1;
		memcpy(s, b.p, n);
		s[n] = '\0';
	}
	buf_free(&b);
}
