/* fuzz-headers: response header lines (Link, rate limits, Retry-After, Date). */
#include <stdlib.h>
#include <string.h>

#include "net.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_resp r = { 0 };
	const char *p = (const char *)data, *end = p + size, *nl;
	char *line;
	size_t n, got;

	http_resp_reset(&r);
	r.status = size > 0 ? 400 + data[0] % 200 : 429;
	while (p < end) {
		nl = memchr(p, '\n', end - p);
		n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		/* curl hands over a copy of each line; so do we. */
		line = malloc(n);
		memcpy(line, p, n);
		got = http_header_cb(line, 1, n, &r);
		free(line);
		/* A short count stops the transfer: curl sends no more. */
		if (got != n) {
			if (n <= HTTP_HEADER_MAX && !r.too_many_headers)
				abort();	/* stopped without saying why */
			break;
		}
		p += n;
	}
	(void)http_hint_ms(&r);
	http_resp_free(&r);
	return 0;
}
