/* buf.c: a growing byte buffer, and JSON text written straight into it. */
#include <stdlib.h>
#include <string.h>

#include "common.h"

void
buf_grow(struct buf *b, size_t need)
{
	size_t ncap;

	if (b->cap - b->len >= need)
		return;
	ncap = b->cap ? b->cap : 256;
	while (ncap - b->len < need)
		ncap *= 2;
	b->p = xrealloc(b->p, ncap);
	b->cap = ncap;
}

/* Two digits at a time: half the divisions (okta2ocsf writes four
 * 13-digit timestamps a record). */
void
buf_addi(struct buf *b, long long v)
{
	static const char pairs[] =
	    "00010203040506070809101112131415161718192021222324"
	    "25262728293031323334353637383940414243444546474849"
	    "50515253545556575859606162636465666768697071727374"
	    "75767778798081828384858687888990919293949596979899";
	char tmp[24];
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	int i = sizeof(tmp);

	while (u >= 100) {
		i -= 2;
		memcpy(tmp + i, pairs + 2 * (u % 100), 2);
		u /= 100;
	}
	if (u >= 10) {
		i -= 2;
		memcpy(tmp + i, pairs + 2 * u, 2);
	} else
		tmp[--i] = (char)('0' + u);
	if (v < 0)
		tmp[--i] = '-';
	buf_add(b, tmp + i, sizeof(tmp) - i);
}

/* Length of the well-formed UTF-8 sequence at P (RFC 3629), or 0. */
size_t
utf8_char(const unsigned char *p, const unsigned char *end)
{
	unsigned c = *p;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return end - p >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef)
		return end - p >= 3 && (p[1] & 0xc0) == 0x80 &&
		    (p[2] & 0xc0) == 0x80 &&
		    !(c == 0xe0 && p[1] < 0xa0) &&	/* overlong */
		    !(c == 0xed && p[1] > 0x9f) ? 3 : 0; /* surrogate */
	if (c >= 0xf0 && c <= 0xf4)
		return end - p >= 4 && (p[1] & 0xc0) == 0x80 &&
		    (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80 &&
		    !(c == 0xf0 && p[1] < 0x90) &&	/* overlong */
		    !(c == 0xf4 && p[1] > 0x8f) ? 4 : 0; /* > U+10FFFF */
	return 0;
}

/*
 * Append a JSON string: quotes, backslash and control characters escaped,
 * "/" and UTF-8 left as they are.  Returns -1 when the bytes are not
 * well-formed UTF-8 (they are written anyway; the caller decides), else 0.
 */
int
buf_json_str(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	const unsigned char *run;
	size_t k;
	int ret = 0;
	char *o;

	buf_grow(b, n + 2);
	b->p[b->len++] = '"';
	while (p < end) {
		run = p;
		while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' &&
		    *p != '\\')
			p++;
		while (p < end && *p >= 0x80) {
			if ((k = utf8_char(p, end)) == 0) {
				ret = -1;
				k = 1;
			}
			p += k;
		}
		if (p > run)
			buf_add(b, run, p - run);
		if (p == end)
			break;
		if (*p >= 0x20 && *p != '"' && *p != '\\')
			continue;
		buf_grow(b, 6);
		o = b->p + b->len;
		o[0] = '\\';
		switch (*p) {
		case '"':  o[1] = '"';  b->len += 2; break;
		case '\\': o[1] = '\\'; b->len += 2; break;
		case '\b': o[1] = 'b';  b->len += 2; break;
		case '\f': o[1] = 'f';  b->len += 2; break;
		case '\n': o[1] = 'n';  b->len += 2; break;
		case '\r': o[1] = 'r';  b->len += 2; break;
		case '\t': o[1] = 't';  b->len += 2; break;
		default:
			memcpy(o + 1, "u00", 3);
			o[4] = hex[*p >> 4];
			o[5] = hex[*p & 0xf];
			b->len += 6;
			break;
		}
		p++;
	}
	buf_addc(b, '"');
	return ret;
}

void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

static const char b64u[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Unpadded base64url of DATA, appended: JOSE's form, and the redaction's
 * (secret.c masks a secret's base64 as well as its text). */
void
b64url_add(struct buf *b, const void *data, size_t n)
{
	const unsigned char *p = data;
	unsigned long v;
	size_t i;

	buf_grow(b, (n + 2) / 3 * 4 + 1);
	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned long)p[i] << 16 | p[i + 1] << 8 | p[i + 2];
		buf_addc(b, b64u[v >> 18 & 63]);
		buf_addc(b, b64u[v >> 12 & 63]);
		buf_addc(b, b64u[v >> 6 & 63]);
		buf_addc(b, b64u[v & 63]);
	}
	if (n - i == 1) {
		v = (unsigned long)p[i] << 16;
		buf_addc(b, b64u[v >> 18 & 63]);
		buf_addc(b, b64u[v >> 12 & 63]);
	} else if (n - i == 2) {
		v = (unsigned long)p[i] << 16 | p[i + 1] << 8;
		buf_addc(b, b64u[v >> 18 & 63]);
		buf_addc(b, b64u[v >> 12 & 63]);
		buf_addc(b, b64u[v >> 6 & 63]);
	}
}

/* Wipe then free: the buffer held a key, a token or a signature input. */
void
buf_wipe(struct buf *b)
{
	if (b->p != NULL)
		explicit_bzero(b->p, b->cap);
	buf_free(b);
}
