/*
 * fuzz-jscan: the JSON tokenizer, against json-c in both directions.
 * - What jscan accepts, json-c (strict, UTF-8 checked) accepts too, since
 *   jscan means to be the stricter; its tokens nest inside each other;
 *   and the compact text of an accepted document scans again to the same
 *   tokens.
 * - What json-c accepts as a whole text (nothing but blanks after the
 *   value), jscan accepts too, except for these deliberate strictnesses,
 *   each recognised here independently (excuse()) so that no other
 *   difference hides behind them:
 *   . UTF-8 that RFC 3629 forbids: overlong forms, UTF-16 surrogates,
 *     code points past U+10FFFF; json-c's JSON_TOKENER_VALIDATE_UTF8
 *     only checks the byte pattern (found by this fuzzer);
 *   . a raw control character (U+0000 to U+001F, tab and newline
 *     included) inside a string, which RFC 8259 forbids and json-c's
 *     strict mode lets through (found by this fuzzer);
 *   . numbers and literals outside RFC 8259's grammar: json-c's strict
 *     mode takes "1.", "1.e5", NaN, Infinity and -Infinity (found by
 *     this fuzzer); a lone "1." is even JSCAN_SHORT, digits may follow;
 *   . nesting deeper than 64 (DEPTH_MAX: no device is that deep, and the
 *     stack stays small);
 *   . more than JSCAN_MAX_TOKENS values (a memory bound; unreachable
 *     under the 64 KiB inputs used here).
 * - A text json-c needs more of is not accepted by jscan; a text jscan
 *   calls short (JSCAN_SHORT) is not complete for json-c.  jscan may call
 *   BAD a text json-c wants more of when the fault comes first.
 */
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
blanks(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

/* Strict UTF-8 (RFC 3629): no overlong form, surrogate or > U+10FFFF. */
static int
utf8_strict(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t k;
		unsigned long cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			k = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			k = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 3, cp = c & 0x07;
		else
			return 0;
		if (i + k >= n)
			return 0;	/* cut short */
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		i += k + 1;
	}
	return 1;
}

/* RFC 8259: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, or a literal. */
static int
word_ok(const char *w, size_t n)
{
	size_t i = 0, d;

	if ((n == 4 && memcmp(w, "true", 4) == 0) ||
	    (n == 5 && memcmp(w, "false", 5) == 0) ||
	    (n == 4 && memcmp(w, "null", 4) == 0))
		return 1;
	if (i < n && w[i] == '-')
		i++;
	if (i < n && w[i] == '0')
		i++;
	else {
		for (d = i; i < n && w[i] >= '0' && w[i] <= '9'; i++)
			;
		if (i == d || w[d] == '0')
			return 0;
	}
	if (i < n && w[i] == '.') {
		for (d = ++i; i < n && w[i] >= '0' && w[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	if (i < n && (w[i] == 'e' || w[i] == 'E')) {
		i++;
		if (i < n && (w[i] == '+' || w[i] == '-'))
			i++;
		for (d = i; i < n && w[i] >= '0' && w[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	return i == n;
}

static int
wordch(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

/*
 * Why jscan may refuse a text json-c takes, or NULL: the deliberate
 * strictnesses listed at the top, found independently of jscan.
 */
static const char *
excuse(const char *s, size_t n)
{
	int depth = 0, in = 0;

	if (!utf8_strict((const unsigned char *)s, n))
		return "not strict UTF-8";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (in) {
			if (c < 0x20)
				return "a control character inside a string";
			if (c == '\\')
				i++;
			else if (c == '"')
				in = 0;
		} else if (c == '"')
			in = 1;
		else if (wordch(c)) {
			size_t w = i;

			while (i + 1 < n && wordch(s[i + 1]))
				i++;
			if (!word_ok(s + w, i + 1 - w))
				return "a number or literal outside RFC 8259";
		} else if (c == '[' || c == '{') {
			if (++depth > 64)
				return "nested deeper than 64";
		} else if (c == ']' || c == '}')
			depth--;
	}
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct json_tokener *tok;
	static struct jdoc d, again;
	struct json_object *o;
	struct buf b = { 0 };
	const char *why, *s = (const char *)data;
	enum json_tokener_error jc;
	size_t i, end;
	int r, whole;

	if (tok == NULL) {
		tok = json_tokener_new_ex(128);
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
		    JSON_TOKENER_VALIDATE_UTF8);
	}
	if (size > 1 << 16)
		return 0;
	r = jscan(&d, s, size, &why);
	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, s, (int)size);
	jc = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (jc == json_tokener_continue) {
		/* End of input: does json-c complete the value? */
		json_object_put(o);
		o = json_tokener_parse_ex(tok, "", 1);
		jc = json_tokener_get_error(tok);
		if (jc != json_tokener_success) {
			/* It needed more: jscan must not take it. */
			if (r == JSCAN_OK)
				abort();
			json_object_put(o);
			return 0;
		}
		end = size;	/* all of it went into the value */
	}
	whole = jc == json_tokener_success && blanks(s + end, size - end);
	json_object_put(o);
	if (whole && r != JSCAN_OK && excuse(s, size) == NULL)
		abort();	/* json-c took it, jscan did not */
	if (r == JSCAN_SHORT && jc == json_tokener_success &&
	    excuse(s, size) == NULL)
		abort();	/* jscan wants more of a complete value */
	if (r != JSCAN_OK)
		return 0;
	if (!whole)
		abort();	/* jscan took it, json-c did not */
	for (i = 0; i < d.n; i++) {
		const struct jtok *t = &d.t[i];

		if (t->end < t->start || t->end > size || t->next <= i ||
		    t->next > d.n)
			abort();
		/* Every token of the subtree lies inside its span. */
		for (size_t k = i + 1; k < t->next; k++)
			if (d.t[k].start < t->start || d.t[k].end > t->end)
				abort();
	}
	jtext(&d, 0, &b);
	if (jscan(&again, b.p ? b.p : "", b.len, &why) != JSCAN_OK ||
	    again.n != d.n || again.ws)
		abort();
	for (i = 0; i < d.n; i++)
		if (again.t[i].type != d.t[i].type ||
		    again.t[i].next != d.t[i].next)
			abort();
	buf_free(&b);
	return 0;
}
