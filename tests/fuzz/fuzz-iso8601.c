/* fuzz-iso8601: RFC 3339 parsing; what parses formats back to itself. */
#include <stdlib.h>
#include <string.h>

#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t ms, again;
	char buf[64];

	if (iso8601_ms((const char *)data, size, &ms) == 0) {
		iso8601_fmt(ms, buf);
		/*
		 * Years 0000-9999 only: an offset can push 0000-01-01 into
		 * year -1, which has no RFC 3339 form (found by this fuzzer).
		 */
		if (strlen(buf) == 24 && buf[0] != '-' &&
		    (iso8601_ms(buf, strlen(buf), &again) != 0 || again != ms))
			abort();
	}
	return 0;
}
