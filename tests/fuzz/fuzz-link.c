/*
 * fuzz-link: the Link header parser.
 *
 * Properties (abort() when one fails), for a next link found:
 * - it occurs verbatim in the header value between '<' and '>': nothing
 *   is decoded, cut (a NUL inside) or invented;
 * - it is a URI reference (RFC 3986; empty is one): no byte that a URI
 *   never holds (controls, space, DEL, '<', '>', '"'), so nothing that
 *   could split a request line or a header goes on to libcurl;
 * - when origin_parse accepts it, origin_same agrees it is the same origin
 *   as itself, so the cross-origin check cannot refuse a link to the base.
 *
 * "Valid" is decided as syntax only: a URI reference, absolute or
 * relative.  Whether an absolute one parses (curl's URL parser refuses
 * some valid URIs, "https:/x" for one) and which origin it names is
 * okta-fetch's check, origin_same, which refuses what it cannot parse and
 * every relative reference as cross-origin (tests/20-okta-fetch.bats).
 */
#include <stdlib.h>
#include <string.h>

#include "net.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(const uint8_t *data, size_t size, const char *next)
{
	size_t n = strlen(next), i;
	struct origin o;
	const char *e;
	int found = 0;

	for (i = 0; i + n + 2 <= size; i++)
		if (data[i] == '<' && data[i + n + 1] == '>' &&
		    memcmp(data + i + 1, next, n) == 0) {
			found = 1;
			break;
		}
	if (!found)
		abort();
	for (i = 0; i < n; i++) {
		unsigned char c = next[i];

		if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == '"')
			abort();
	}
	if (origin_parse(next, &o, &e) == 0) {
		if (!origin_same(&o, next))
			abort();
		origin_free(&o);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *next;

	if (link_next((const char *)data, size, &next) == 1) {
		check(data, size, next);
		free(next);
	} else if (next != NULL)
		abort();	/* nothing found, nothing returned */
	return 0;
}
