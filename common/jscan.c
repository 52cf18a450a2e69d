/*
 * jscan.c: a strict JSON (RFC 8259) tokenizer over a complete text.
 *
 * It checks the whole grammar (numbers, escapes, UTF-8, no control
 * characters in strings, nothing after the value) and leaves a flat array
 * of tokens that point into the text, like jsmn: a container is followed
 * by its contents, an object's members by key then value, and each token
 * knows where its subtree ends, so lookups skip what they do not need.
 * Nothing is copied or allocated per value, which is why okta2ocsf,
 * okta-fetch and ocsf-push read JSON several times faster than by building
 * json-c objects.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define DEPTH_MAX	64

/* Bytes that end the quick run through a string: " \ controls, non-ASCII. */
static const unsigned char stop[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

struct scan {
	struct jdoc	*d;
	const char	*s;
	size_t		 p, len;
	const char	*why;
	int		 depth;
};

static inline int
is_ws(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

static inline void
skip_ws(struct scan *sc)
{
	size_t p0 = sc->p;

	if (p0 < sc->len && !is_ws(sc->s[p0]))
		return;		/* compact JSON: the usual case */
	while (sc->p < sc->len && is_ws(sc->s[sc->p]))
		sc->p++;
	if (sc->p != p0 && sc->depth > 0)
		sc->d->ws = 1;
}

/* A new token; -1 when the document has too many. */
static long
tok(struct scan *sc, int type, size_t start)
{
	struct jdoc *d = sc->d;
	struct jtok *t;

	if (d->n == d->cap) {
		if (d->cap >= d->max_tokens) {
			sc->why = "too many values";
			return -1;
		}
		d->cap = d->cap ? d->cap * 2 : 256;
		if (d->cap > d->max_tokens)
			d->cap = d->max_tokens;
		d->t = xrealloc(d->t, d->cap * sizeof(*d->t));
	}
	t = &d->t[d->n];
	t->type = type;
	t->esc = 0;
	t->start = (uint32_t)start;
	t->end = (uint32_t)start;
	t->next = (uint32_t)d->n + 1;
	return (long)d->n++;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A string at sc->p (on its quote): JSCAN_OK, JSCAN_BAD or JSCAN_SHORT. */
static int
string(struct scan *sc)
{
	const unsigned char *s = (const unsigned char *)sc->s;
	size_t p = sc->p + 1, len = sc->len, k;
	long i;
	int esc = 0;

	if ((i = tok(sc, J_STRING, sc->p)) < 0)
		return JSCAN_BAD;
	for (;;) {
		/*
		 * Eight bytes at a time while none is a quote, a backslash, a
		 * control character or non-ASCII (the bit tricks of "Bit
		 * Twiddling Hacks": haszero and hasless).
		 */
		while (p + 8 <= len) {
			const uint64_t ones = 0x0101010101010101ULL;
			uint64_t w, q, b;

			memcpy(&w, s + p, 8);
			q = w ^ (ones * '"');
			b = w ^ (ones * '\\');
			if ((((w - ones * 0x20) & ~w) | ((q - ones) & ~q) |
			    ((b - ones) & ~b) | w) & (ones * 0x80))
				break;
			p += 8;
		}
		while (p < len && !stop[s[p]])
			p++;
		if (p >= len)
			return JSCAN_SHORT;
		if (s[p] == '"')
			break;
		if (s[p] == '\\') {
			esc = 1;
			if (++p >= len)
				return JSCAN_SHORT;
			if (s[p] == 'u') {
				for (k = 1; k <= 4; k++) {
					if (p + k >= len)
						return JSCAN_SHORT;
					if (hexval(s[p + k]) < 0) {
						sc->p = p + k;
						sc->why = "invalid \\u escape";
						return JSCAN_BAD;
					}
				}
				p += 5;
			} else if (strchr("\"\\/bfnrt", s[p]) != NULL && s[p])
				p++;
			else {
				sc->p = p;
				sc->why = "invalid escape";
				return JSCAN_BAD;
			}
		} else if (s[p] < 0x20) {
			sc->p = p;
			sc->why = "a control character inside a string";
			return JSCAN_BAD;
		} else {
			/* Non-ASCII: a whole, well-formed UTF-8 sequence. */
			size_t want = s[p] >= 0xf0 ? 4 : s[p] >= 0xe0 ? 3 : 2;

			if (p + want > len && utf8_char(s + p, s + len) == 0 &&
			    s[p] >= 0xc2 && s[p] <= 0xf4)
				return JSCAN_SHORT;
			if ((k = utf8_char(s + p, s + len)) == 0) {
				sc->p = p;
				sc->why = "invalid UTF-8";
				return JSCAN_BAD;
			}
			p += k;
		}
	}
	sc->d->t[i].end = (uint32_t)(p + 1);
	sc->d->t[i].esc = esc;
	sc->p = p + 1;
	return JSCAN_OK;
}

static int
digits(struct scan *sc)
{
	size_t p0 = sc->p;

	while (sc->p < sc->len && sc->s[sc->p] >= '0' && sc->s[sc->p] <= '9')
		sc->p++;
	return sc->p > p0;
}

static int
number(struct scan *sc)
{
	size_t start = sc->p;
	long i;

	if (sc->s[sc->p] == '-')
		sc->p++;
	if (sc->p >= sc->len)
		return JSCAN_SHORT;
	if (sc->s[sc->p] == '0')
		sc->p++;
	else if (!digits(sc))
		goto bad;
	if (sc->p < sc->len && sc->s[sc->p] == '.') {
		sc->p++;
		if (sc->p >= sc->len)
			return JSCAN_SHORT;
		if (!digits(sc))
			goto bad;
	}
	if (sc->p < sc->len && (sc->s[sc->p] == 'e' || sc->s[sc->p] == 'E')) {
		sc->p++;
		if (sc->p < sc->len && (sc->s[sc->p] == '+' || sc->s[sc->p] == '-'))
			sc->p++;
		if (sc->p >= sc->len)
			return JSCAN_SHORT;
		if (!digits(sc))
			goto bad;
	}
	if ((i = tok(sc, J_NUMBER, start)) < 0)
		return JSCAN_BAD;
	sc->d->t[i].end = (uint32_t)sc->p;
	return JSCAN_OK;
bad:
	sc->why = "invalid number";
	return JSCAN_BAD;
}

static int
literal(struct scan *sc, const char *word, int type)
{
	size_t n = strlen(word), avail = sc->len - sc->p;
	long i;

	if (memcmp(sc->s + sc->p, word, avail < n ? avail : n) != 0) {
		sc->why = "unexpected character";
		return JSCAN_BAD;
	}
	if (avail < n)
		return JSCAN_SHORT;
	if ((i = tok(sc, type, sc->p)) < 0)
		return JSCAN_BAD;
	sc->p += n;
	sc->d->t[i].end = (uint32_t)sc->p;
	return JSCAN_OK;
}

/*
 * Tokenize S, LEN bytes holding one JSON value and blanks around it.
 * JSCAN_OK; JSCAN_SHORT when the text ends inside the value; JSCAN_BAD
 * with *why and d->err_at (the byte offset) saying what is wrong.
 */
int
jscan(struct jdoc *d, const char *s, size_t len, const char **why)
{
	uint32_t stack[DEPTH_MAX];
	struct scan sc = { d, s, 0, len, NULL, 0 };
	long i;
	int r;
	char c;

	d->s = s;
	d->len = len;
	d->n = 0;
	d->ws = 0;
	d->err_at = 0;
	*why = NULL;
	if (d->max_tokens == 0)
		d->max_tokens = JSCAN_MAX_TOKENS;
	if (len >= UINT32_MAX) {
		*why = "text larger than 4 GiB";
		return JSCAN_BAD;
	}
value:
	skip_ws(&sc);
	if (sc.p >= len)
		return JSCAN_SHORT;
	switch (c = s[sc.p]) {
	case '{':
	case '[':
		if (sc.depth == DEPTH_MAX) {
			sc.why = "nesting deeper than 64";
			goto bad;
		}
		if ((i = tok(&sc, c == '{' ? J_OBJECT : J_ARRAY, sc.p)) < 0)
			goto bad;
		stack[sc.depth++] = (uint32_t)i;
		sc.p++;
		skip_ws(&sc);
		if (sc.p >= len)
			return JSCAN_SHORT;
		if (s[sc.p] == (c == '{' ? '}' : ']'))
			goto close;
		if (c == '[')
			goto value;
		goto key;
	case '"':
		r = string(&sc);
		break;
	case 't':
		r = literal(&sc, "true", J_TRUE);
		break;
	case 'f':
		r = literal(&sc, "false", J_FALSE);
		break;
	case 'n':
		r = literal(&sc, "null", J_NULL);
		break;
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			r = number(&sc);
		else {
			sc.why = "unexpected character";
			r = JSCAN_BAD;
		}
		break;
	}
	if (r == JSCAN_SHORT)
		return r;
	if (r == JSCAN_BAD)
		goto bad;
after:
	if (sc.depth == 0)
		goto done;
	skip_ws(&sc);
	if (sc.p >= len)
		return JSCAN_SHORT;
	c = s[sc.p];
	if (c == ',') {
		sc.p++;
		if (d->t[stack[sc.depth - 1]].type == J_ARRAY)
			goto value;
		goto key;
	}
	if (c == (d->t[stack[sc.depth - 1]].type == J_OBJECT ? '}' : ']'))
		goto close;
	sc.why = "expected ',' or a closing bracket";
	goto bad;
close:
	i = stack[--sc.depth];
	d->t[i].end = (uint32_t)(sc.p + 1);
	d->t[i].next = (uint32_t)d->n;
	sc.p++;
	goto after;
key:
	skip_ws(&sc);
	if (sc.p >= len)
		return JSCAN_SHORT;
	if (s[sc.p] != '"') {
		sc.why = "expected a string (an object key)";
		goto bad;
	}
	if ((r = string(&sc)) != JSCAN_OK) {
		if (r == JSCAN_SHORT)
			return r;
		goto bad;
	}
	skip_ws(&sc);
	if (sc.p >= len)
		return JSCAN_SHORT;
	if (s[sc.p] != ':') {
		sc.why = "expected ':'";
		goto bad;
	}
	sc.p++;
	goto value;
done:
	skip_ws(&sc);
	if (sc.p == len)
		return JSCAN_OK;
	sc.why = "text after the value";
bad:
	d->err_at = sc.p;
	*why = sc.why;
	return JSCAN_BAD;
}

void
jdoc_free(struct jdoc *d)
{
	free(d->t);
	d->t = NULL;
	d->n = d->cap = 0;
}

/* The value of member KEY of object OBJ (the last, if repeated), or -1. */
long
jmember(const struct jdoc *d, long obj, const char *key)
{
	size_t n = strlen(key);
	long i, end, found = -1;

	if (obj < 0 || d->t[obj].type != J_OBJECT)
		return -1;
	end = d->t[obj].next;
	for (i = obj + 1; i < end; i = d->t[i + 1].next) {
		const struct jtok *k = &d->t[i];

		if (k->end - k->start - 2 == n && !k->esc &&
		    memcmp(d->s + k->start + 1, key, n) == 0)
			found = i + 1;
		else if (k->esc) {
			char *dec;
			size_t dn;

			dec = jstr_dup(d, i, &dn);
			if (dn == n && memcmp(dec, key, n) == 0)
				found = i + 1;
			free(dec);
		}
	}
	return found;
}

static void
put_utf8(char *o, size_t *n, unsigned long cp)
{
	if (cp < 0x80)
		o[(*n)++] = (char)cp;
	else if (cp < 0x800) {
		o[(*n)++] = (char)(0xc0 | cp >> 6);
		o[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		o[(*n)++] = (char)(0xe0 | cp >> 12);
		o[(*n)++] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		o[(*n)++] = (char)(0xf0 | cp >> 18);
		o[(*n)++] = (char)(0x80 | (cp >> 12 & 0x3f));
		o[(*n)++] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[(*n)++] = (char)(0x80 | (cp & 0x3f));
	}
}

/* Four hex digits, which jscan has checked. */
static unsigned long
hex4(const char *p)
{
	unsigned long v = 0;
	int h;

	for (int k = 0; k < 4; k++) {
		h = hexval(p[k]);
		v = v << 4 | (unsigned long)(h < 0 ? 0 : h);
	}
	return v;
}

/*
 * The content of string token I with its escapes decoded, allocated and
 * NUL-terminated (it may hold NUL bytes: *n is its length).  A lone
 * surrogate escape becomes U+FFFD.
 */
char *
jstr_dup(const struct jdoc *d, long i, size_t *n)
{
	const char *p = d->s + d->t[i].start + 1, *end = d->s + d->t[i].end - 1;
	char *o = xmalloc(end - p + 1);
	unsigned long cp, lo;

	*n = 0;
	while (p < end) {
		if (*p != '\\') {
			o[(*n)++] = *p++;
			continue;
		}
		p++;
		switch (*p++) {
		case 'b': o[(*n)++] = '\b'; break;
		case 'f': o[(*n)++] = '\f'; break;
		case 'n': o[(*n)++] = '\n'; break;
		case 'r': o[(*n)++] = '\r'; break;
		case 't': o[(*n)++] = '\t'; break;
		case 'u':
			cp = hex4(p);
			p += 4;
			if (cp >= 0xd800 && cp <= 0xdbff && end - p >= 6 &&
			    p[0] == '\\' && p[1] == 'u' &&
			    (lo = hex4(p + 2)) >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p += 6;
			} else if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xfffd;
			put_utf8(o, n, cp);
			break;
		default:	/* " \ / */
			o[(*n)++] = p[-1];
			break;
		}
	}
	o[*n] = '\0';
	return o;
}

/*
 * The JSON text of token I, without the blanks between its tokens: the
 * bytes themselves when the document had none (the usual compact case).
 */
void
jtext(const struct jdoc *d, long i, struct buf *out)
{
	const char *p = d->s + d->t[i].start, *end = d->s + d->t[i].end;
	int in = 0;

	if (!d->ws) {
		buf_add(out, p, end - p);
		return;
	}
	buf_grow(out, end - p);
	for (; p < end; p++) {
		if (in) {
			if (*p == '\\') {
				out->p[out->len++] = *p++;
			} else if (*p == '"')
				in = 0;
		} else if (*p == '"')
			in = 1;
		else if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			continue;
		out->p[out->len++] = *p;
	}
}

/* Nothing but blanks: such lines are skipped, not rejected. */
int
is_blank(const char *s, size_t n)
{
	for (; n > 0; s++, n--)
		if (*s != ' ' && *s != '\t' && *s != '\r')
			return 0;
	return 1;
}
