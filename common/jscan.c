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

/*
 * The quick runs (through a string, over blanks) go 16 bytes at a time
 * with SSE2, which every x86-64 CPU has; elsewhere, or built with
 * -DJSCAN_PORTABLE (make check-portable tests that path), 8 bytes at a
 * time in plain C.  Both stop at the same byte: the slow path after the
 * run is shared, and it alone decides what the byte means.
 */
#if defined(__SSE2__) && !defined(JSCAN_PORTABLE)
#include <emmintrin.h>
#define JSCAN_SSE2
#endif

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

static inline int
is_ws(unsigned char c)
{
	/* A bit per blank: ' ' (32), '\r' (13), '\n' (10), '\t' (9). */
	return c <= ' ' && (0x100002600ULL >> c & 1);
}

/* The first byte at or after P that is in stop[], or LEN. */
static inline size_t
str_run(const unsigned char *s, size_t p, size_t len)
{
#ifdef JSCAN_SSE2
	const __m128i two = _mm_set1_epi8(2), bang = _mm_set1_epi8('!');
	const __m128i bslash = _mm_set1_epi8('\\');
	__m128i v, w;
	unsigned m;

/*
 * Bytes below ' ', the quote and non-ASCII bytes are those that, XORed
 * with 2, are below '!' as signed bytes (the quote becomes ' ', a
 * control stays one, non-ASCII stays negative); the backslash apart.
 */
#define STOPS(v) (unsigned)_mm_movemask_epi8(_mm_or_si128(		\
	_mm_cmplt_epi8(_mm_xor_si128((v), two), bang),			\
	_mm_cmpeq_epi8((v), bslash)))
#define LOAD(at) _mm_loadu_si128((const __m128i *)(const void *)(s + (at)))
	/*
	 * Most strings (keys, ids, timestamps) end in their first 16
	 * bytes; the longer ones go on 32 bytes a turn.
	 */
	if (p + 16 <= len) {
		if ((m = STOPS(LOAD(p))) != 0)
			return p + (size_t)__builtin_ctz(m);
		for (p += 16; p + 32 <= len; p += 32) {
			v = LOAD(p);
			w = LOAD(p + 16);
			if ((m = STOPS(v) | STOPS(w) << 16) != 0)
				return p + (size_t)__builtin_ctz(m);
		}
		if (p + 16 <= len) {
			if ((m = STOPS(LOAD(p))) != 0)
				return p + (size_t)__builtin_ctz(m);
			p += 16;
		}
	}
#undef STOPS
#undef LOAD
#else
	/*
	 * Eight bytes at a time while none is a quote, a backslash, a
	 * control character or non-ASCII (the bit tricks of "Bit Twiddling
	 * Hacks": haszero and hasless).
	 */
	const uint64_t ones = 0x0101010101010101ULL;
	uint64_t w, q, b;

	for (; p + 8 <= len; p += 8) {
		memcpy(&w, s + p, 8);
		q = w ^ (ones * '"');
		b = w ^ (ones * '\\');
		if ((((w - ones * 0x20) & ~w) | ((q - ones) & ~q) |
		    ((b - ones) & ~b) | w) & (ones * 0x80))
			break;
	}
#endif
	while (p < len && !stop[s[p]])
		p++;
	return p;
}

/* The first byte at or after P that is not a blank, or LEN. */
static inline size_t
ws_run(const unsigned char *s, size_t p, size_t len)
{
#ifdef JSCAN_SSE2
	const __m128i sp = _mm_set1_epi8(' '), nl = _mm_set1_epi8('\n');
	const __m128i tab = _mm_set1_epi8('\t'), cr = _mm_set1_epi8('\r');
	__m128i v;
	unsigned m;

	for (; p + 16 <= len; p += 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)(s + p));
		m = ~(unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(
		    _mm_cmpeq_epi8(v, sp), _mm_cmpeq_epi8(v, nl)), _mm_or_si128(
		    _mm_cmpeq_epi8(v, tab), _mm_cmpeq_epi8(v, cr)))) & 0xffff;
		if (m != 0)
			return p + (size_t)__builtin_ctz(m);
	}
#endif
	while (p < len && is_ws(s[p]))
		p++;
	return p;
}

/* Room for one more token in D: -1 when the document has too many. */
static int
grow(struct jdoc *d)
{
	if (d->cap >= d->max_tokens)
		return -1;
	d->cap = d->cap ? d->cap * 2 : 256;
	if (d->cap > d->max_tokens)
		d->cap = d->max_tokens;
	d->t = xrealloc(d->t, d->cap * sizeof(*d->t));
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * The rest of a string, from *PP on the first byte the quick run stopped
 * at: JSCAN_OK with *PP past the closing quote, JSCAN_SHORT, or JSCAN_BAD
 * with *PP on the fault and *WHY saying what it is.  *ESC is set when the
 * string has a backslash escape.
 */
static int
string_rest(const unsigned char *s, size_t len, size_t *pp, int *esc,
    const char **why)
{
	size_t p = *pp, k;

	for (;; p = str_run(s, p, len)) {
		if (p >= len)
			return JSCAN_SHORT;
		if (s[p] == '"')
			break;
		if (s[p] == '\\') {
			*esc = 1;
			if (++p >= len)
				return JSCAN_SHORT;
			if (s[p] == 'u') {
				for (k = 1; k <= 4; k++) {
					if (p + k >= len)
						return JSCAN_SHORT;
					if (hexval(s[p + k]) < 0) {
						*pp = p + k;
						*why = "invalid \\u escape";
						return JSCAN_BAD;
					}
				}
				p += 5;
			} else if (strchr("\"\\/bfnrt", s[p]) != NULL && s[p])
				p++;
			else {
				*pp = p;
				*why = "invalid escape";
				return JSCAN_BAD;
			}
		} else if (s[p] < 0x20) {
			*pp = p;
			*why = "a control character inside a string";
			return JSCAN_BAD;
		} else {
			/* Non-ASCII: a whole, well-formed UTF-8 sequence. */
			size_t want = s[p] >= 0xf0 ? 4 : s[p] >= 0xe0 ? 3 : 2;

			if (p + want > len && utf8_char(s + p, s + len) == 0 &&
			    s[p] >= 0xc2 && s[p] <= 0xf4)
				return JSCAN_SHORT;
			if ((k = utf8_char(s + p, s + len)) == 0) {
				*pp = p;
				*why = "invalid UTF-8";
				return JSCAN_BAD;
			}
			p += k;
		}
	}
	*pp = p + 1;
	return JSCAN_OK;
}

/*
 * The string whose opening quote is at *PP, as string_rest() says; the
 * usual string (plain ASCII, no escape) ends in the quick run.
 */
static inline int
string(const unsigned char *s, size_t len, size_t *pp, int *esc,
    const char **why)
{
	size_t p = str_run(s, *pp + 1, len);

	*esc = 0;
	if (p < len && s[p] == '"') {
		*pp = p + 1;
		return JSCAN_OK;
	}
	*pp = p;
	return string_rest(s, len, pp, esc, why);
}

static inline size_t
digits(const unsigned char *s, size_t p, size_t len)
{
	while (p < len && s[p] >= '0' && s[p] <= '9')
		p++;
	return p;
}

/* A number at *PP, which is a digit or '-': its end in *PP, or why not. */
static int
number(const unsigned char *s, size_t len, size_t *pp, const char **why)
{
	size_t p = *pp, q;

	if (s[p] == '-')
		p++;
	if (p >= len)
		return JSCAN_SHORT;
	if (s[p] == '0')
		p++;
	else if ((q = digits(s, p, len)) == p)
		goto bad;
	else
		p = q;
	if (p < len && s[p] == '.') {
		if (++p >= len)
			return JSCAN_SHORT;
		if ((q = digits(s, p, len)) == p)
			goto bad;
		p = q;
	}
	if (p < len && (s[p] == 'e' || s[p] == 'E')) {
		p++;
		if (p < len && (s[p] == '+' || s[p] == '-'))
			p++;
		if (p >= len)
			return JSCAN_SHORT;
		if ((q = digits(s, p, len)) == p)
			goto bad;
		p = q;
	}
	*pp = p;
	return JSCAN_OK;
bad:
	*pp = p;
	*why = "invalid number";
	return JSCAN_BAD;
}

/*
 * WORD (N bytes) at P: JSCAN_OK, JSCAN_SHORT, or JSCAN_BAD.  Inline, so
 * that comparing the whole word is a compare of N constant bytes, not a
 * call to memcmp (there are a dozen literals in a device).
 */
static inline int
literal(const unsigned char *s, size_t len, size_t p, const char *word,
    size_t n, const char **why)
{
	size_t avail = len - p, i;

	if (avail >= n) {
		if (memcmp(s + p, word, n) == 0)
			return JSCAN_OK;
	} else {
		for (i = 0; i < avail && s[p + i] == (unsigned char)word[i]; i++)
			;
		if (i == avail)
			return JSCAN_SHORT;
	}
	*why = "unexpected character";
	return JSCAN_BAD;
}

/*
 * Tokenize S, LEN bytes holding one JSON value and blanks around it.
 * JSCAN_OK; JSCAN_SHORT when the text ends inside the value; JSCAN_BAD
 * with *why and d->err_at (the byte offset) saying what is wrong.
 *
 * One function with its state in locals (the token count, the array,
 * the position), so that they stay in registers: a token's one-byte type
 * may alias anything, and would make the compiler reload state kept
 * behind a pointer after every token.
 */
int
jscan(struct jdoc *d, const char *text, size_t len, const char **why)
{
	const unsigned char *s = (const unsigned char *)text;
	uint32_t stack[DEPTH_MAX];
	struct jtok *t = d->t, *tk;
	size_t p = 0, n = 0, cap = d->cap, p0;
	int depth = 0, obj = 0, ws = 0, r, esc, type;
	unsigned char c;

	d->s = text;
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

/* Blanks, rare in compact JSON; noted when inside the value. */
#define SKIP_WS() do {							\
	if (p < len && is_ws(s[p])) {					\
		p = ws_run(s, p, len);					\
		ws |= depth > 0;					\
	}								\
} while (0)
/* Room for one more token; when there is none, the fault is at AT. */
#define ROOM(at_) do {							\
	if (n == cap) {							\
		d->n = n;						\
		if (grow(d) == -1) {					\
			*why = "too many values";			\
			p = (at_);					\
			goto bad;					\
		}							\
		t = d->t;						\
		cap = d->cap;						\
	}								\
} while (0)
/* A new token, TYPE from START to END, in tk (ROOM(AT) first). */
#define TOKEN(type_, start_, end_, at_) do {				\
	ROOM(at_);							\
	tk = &t[n];							\
	tk->type = (type_);						\
	tk->esc = 0;							\
	tk->start = (uint32_t)(start_);					\
	tk->end = (uint32_t)(end_);					\
	tk->next = (uint32_t)++n;					\
} while (0)
/* The string at p, a key or a value, and its token. */
#define STRING_TOKEN() do {						\
	p0 = p;								\
	ROOM(p0);							\
	if ((r = string(s, len, &p, &esc, why)) != JSCAN_OK)		\
		goto fail;						\
	TOKEN(J_STRING, p0, p, p0);					\
	tk->esc = (uint8_t)esc;						\
} while (0)

	/*
	 * Compact JSON first: each place looks for what a compact text has
	 * there, and only then for blanks, which it skips before looking
	 * again.
	 */
value:
	if (p >= len)
		goto short_;
	switch (c = s[p]) {
	case '"':
		STRING_TOKEN();
		goto after;
	case '{':
	case '[':
		if (depth == DEPTH_MAX) {
			*why = "nesting deeper than 64";
			goto bad;
		}
		TOKEN(c == '{' ? J_OBJECT : J_ARRAY, p, p, p);
		stack[depth++] = (uint32_t)(n - 1);
		obj = c == '{';
		p++;
		SKIP_WS();
		if (p >= len)
			goto short_;
		if (s[p] == (obj ? '}' : ']'))
			goto close;
		if (!obj)
			goto value;
		goto key;
	case 't':
	case 'f':
	case 'n':
		if (c == 't')
			r = literal(s, len, p, "true", 4, why), type = J_TRUE;
		else if (c == 'f')
			r = literal(s, len, p, "false", 5, why), type = J_FALSE;
		else
			r = literal(s, len, p, "null", 4, why), type = J_NULL;
		if (r != JSCAN_OK)
			goto fail;
		p0 = p;
		p += type == J_FALSE ? 5 : 4;
		TOKEN(type, p0, p, p0);
		goto after;
	case ' ':
	case '\t':
	case '\n':
	case '\r':
		p = ws_run(s, p, len);
		ws |= depth > 0;
		goto value;
	default:
		if (c != '-' && (c < '0' || c > '9')) {
			*why = "unexpected character";
			goto bad;
		}
		p0 = p;
		if ((r = number(s, len, &p, why)) != JSCAN_OK)
			goto fail;
		TOKEN(J_NUMBER, p0, p, p);
		goto after;
	}
after:
	if (depth == 0)
		goto done;
	if (p >= len)
		goto short_;
	c = s[p];
	if (c == ',') {
		p++;
		if (!obj)
			goto value;
		goto key;
	}
	if (c == (obj ? '}' : ']'))
		goto close;
	if (is_ws(c)) {
		p = ws_run(s, p, len);
		ws = 1;
		goto after;
	}
	*why = "expected ',' or a closing bracket";
	goto bad;
close:
	tk = &t[stack[--depth]];
	tk->end = (uint32_t)(p + 1);
	tk->next = (uint32_t)n;
	p++;
	obj = depth > 0 && t[stack[depth - 1]].type == J_OBJECT;
	goto after;
key:
	if (p >= len)
		goto short_;
	if (s[p] != '"') {
		if (is_ws(s[p])) {
			p = ws_run(s, p, len);
			ws = 1;
			goto key;
		}
		*why = "expected a string (an object key)";
		goto bad;
	}
	STRING_TOKEN();
	if (p < len && s[p] == ':') {
		p++;
		goto value;
	}
	SKIP_WS();
	if (p >= len)
		goto short_;
	if (s[p] != ':') {
		*why = "expected ':'";
		goto bad;
	}
	p++;
	goto value;
#undef SKIP_WS
#undef ROOM
#undef TOKEN
#undef STRING_TOKEN
done:
	if (p < len && is_ws(s[p]))
		p = ws_run(s, p, len);
	d->n = n;
	d->ws = ws;
	if (p == len)
		return JSCAN_OK;
	*why = "text after the value";
	goto bad;
fail:
	if (r == JSCAN_BAD)
		goto bad;
short_:
	d->n = n;
	d->ws = ws;
	*why = NULL;
	return JSCAN_SHORT;
bad:
	d->n = n;
	d->ws = ws;
	d->err_at = p;
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
		    (n == 0 || (d->s[k->start + 1] == key[0] &&
		    memcmp(d->s + k->start + 1, key, n) == 0)))
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
