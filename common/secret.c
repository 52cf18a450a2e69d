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
#include <sys/resource.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common.h"

#define MASK		"[redacted]"
#define CUT_MIN		8	/* shorter tails are words: "nonce" of use_dpop_nonce */
#define PART_MIN	16	/* a piece of a secret this long is masked too */
#define NBRIEF		8	/* one-request secrets kept: a few in flight */

/*
 * Every form of a remembered secret that is masked: the text itself
 * (matched also where a byte is percent-encoded, either case, or a
 * space is a '+'), and the three base64 cores, one for each alignment
 * the secret may have in an encoded text (the characters that depend on
 * its bytes alone), in base64url and matched in either alphabet.  The
 * list grows and nothing in it is pushed out by what a server sends:
 * the credentials and tokens of a run are few; only the one-request
 * values (DPoP proofs, one a request) are the newest NBRIEF.
 */
struct secret {
	char		*s;
	size_t		 len;
	unsigned	 group;		/* the forms of one secret */
	int		 b64;		/* a base64 core */
	int		 brief;
};

static struct secret *secrets;
static size_t nsecret, capsecret;
static unsigned ngroup;

static void
add_form(const char *s, size_t n, unsigned group, int b64, int brief)
{
	struct secret *e;

	if (nsecret == capsecret) {
		capsecret = capsecret ? 2 * capsecret : 32;
		secrets = xrealloc(secrets, capsecret * sizeof(*secrets));
	}
	e = &secrets[nsecret++];
	e->s = xstrndup(s, n);
	e->len = n;
	e->group = group;
	e->b64 = b64;
	e->brief = brief;
}

/* The secret and its base64 cores, as one group. */
static void
add_group(const char *s, int brief)
{
	struct buf b = { 0 }, enc = { 0 };
	size_t n = strlen(s), first, last;

	ngroup++;
	add_form(s, n, ngroup, 0, brief);
	for (size_t k = 0; k < 3; k++) {
		b.len = enc.len = 0;
		for (size_t i = 0; i < k; i++)
			buf_addc(&b, '\0');
		buf_add(&b, s, n);
		b64url_add(&enc, b.p, b.len);
		/* Character j holds bits [6j, 6j + 6); the secret's are
		 * [8k, 8k + 8n). */
		first = (8 * k + 5) / 6;
		last = (8 * k + 8 * n) / 6;
		add_form(enc.p + first, last - first, ngroup, 1, brief);
	}
	buf_wipe(&b);
	buf_wipe(&enc);
}

static void
drop_group(unsigned group)
{
	size_t i, j;

	for (i = j = 0; i < nsecret; i++) {
		if (secrets[i].group == group) {
			secret_free(secrets[i].s);
			continue;
		}
		secrets[j++] = secrets[i];
	}
	nsecret = j;
}

static struct secret *
find_secret(const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < nsecret; i++)
		if (!secrets[i].b64 && secrets[i].len == n &&
		    memcmp(secrets[i].s, s, n) == 0)
			return &secrets[i];
	return NULL;
}

/* A value shorter than SECRET_MIN is not remembered: masking it would
 * shred every message (the programs refuse such credentials first). */
void
secret_remember(const char *s)
{
	struct secret *e;

	if (s == NULL || strlen(s) < SECRET_MIN)
		return;
	if ((e = find_secret(s)) != NULL) {
		if (e->brief) {
			unsigned g = e->group;

			for (size_t i = 0; i < nsecret; i++)
				if (secrets[i].group == g)
					secrets[i].brief = 0;
		}
		return;
	}
	add_group(s, 0);
}

/* A value that matters for one request only: the newest NBRIEF kept. */
void
secret_remember_brief(const char *s)
{
	unsigned oldest = 0;
	size_t n = 0;

	if (s == NULL || strlen(s) < SECRET_MIN || find_secret(s) != NULL)
		return;
	add_group(s, 1);
	for (size_t i = 0; i < nsecret; i++)
		if (secrets[i].brief && !secrets[i].b64) {
			if (n++ == 0)
				oldest = secrets[i].group;
		}
	if (n > NBRIEF)
		drop_group(oldest);
}

/* Forget one secret and its forms (a key once parsed: it is never sent). */
void
secret_forget(const char *s)
{
	struct secret *e;

	if (s != NULL && (e = find_secret(s)) != NULL)
		drop_group(e->group);
}

void
secret_forget_all(void)
{
	for (size_t i = 0; i < nsecret; i++)
		secret_free(secrets[i].s);
	free(secrets);
	secrets = NULL;
	nsecret = capsecret = 0;
}

/* A refused credential: configuration (78) naming VAR. */
void
secret_check(const char *var, const char *s)
{
	size_t n = strlen(s);

	if (n < SECRET_MIN)
		errx(EXIT_CONFIG, "%s: %zu character%s: too short to be a "
		    "credential (at least %d)", var, n, n == 1 ? "" : "s",
		    SECRET_MIN);
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
	for (size_t i = 0; i < nsecret; i++)
		if (secrets[i].len > n && memcmp(p, secrets[i].s, n) == 0)
			return 1;
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Does text byte T stand for secret byte C?  Base64 in either alphabet. */
static int
same_byte(const struct secret *e, char c, char t)
{
	return t == c || (e->b64 && ((c == '-' && t == '+') ||
	    (c == '_' && t == '/')));
}

/* The length of E's text at p, each byte plain or percent-encoded; 0. */
static size_t
match_secret(const struct secret *e, const char *p, const char *end)
{
	const char *q = p;
	int hi, lo;

	for (size_t i = 0; i < e->len; i++) {
		if (q >= end)
			return 0;
		if (same_byte(e, e->s[i], *q) || (e->s[i] == ' ' && *q == '+'))
			q++;
		else if (*q == '%' && end - q >= 3 &&
		    (hi = hexval((unsigned char)q[1])) >= 0 &&
		    (lo = hexval((unsigned char)q[2])) >= 0 &&
		    same_byte(e, e->s[i], (char)(hi << 4 | lo)))
			q += 3;
		else
			return 0;
	}
	return (size_t)(q - p);
}

/*
 * At the start of a word, the longest piece of a secret's text that is
 * there, when at least PART_MIN long (half a token quoted); else 0.
 */
static size_t
part_secret(const char *s, const char *p, const char *end)
{
	size_t best = 0, k;

	if (p > s && isalnum((unsigned char)p[-1]))
		return 0;
	if (end - p < PART_MIN)
		return 0;
	for (size_t i = 0; i < nsecret; i++) {
		const struct secret *e = &secrets[i];

		if (e->b64 || e->len < PART_MIN)
			continue;
		for (size_t j = 0; j + PART_MIN <= e->len; j++) {
			if (e->s[j] != *p)
				continue;
			for (k = 1; p + k < end && j + k < e->len &&
			    p[k] == e->s[j + k]; k++)
				;
			if (k >= PART_MIN && k > best)
				best = k;
		}
	}
	return best;
}

/* Append the redacted form of s[0, len) to out. */
void
redact_buf(struct buf *out, const char *s, size_t len)
{
	const char *p = s, *end = s + len, *q;
	size_t n;

	while (p < end) {
		for (size_t i = 0; i < nsecret; i++) {
			if ((n = match_secret(&secrets[i], p, end)) != 0) {
				buf_adds(out, MASK);
				p += n;
				goto next;
			}
		}
		if ((n = part_secret(s, p, end)) != 0) {
			buf_adds(out, MASK);
			p += n;
			continue;
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

/*
 * No core dump of a process that holds credentials (a SIGQUIT, a crash):
 * RLIMIT_CORE 0, and on Linux not dumpable either, which also keeps
 * ptrace and /proc/PID/mem of other processes of the same user out.
 * Called at the start of the programs that hold a token or a key.
 */
void
secret_nodump(void)
{
	struct rlimit rl = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &rl) == -1)
		warn("setrlimit RLIMIT_CORE");
#ifdef __linux__
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		warn("prctl PR_SET_DUMPABLE");
#endif
}
