/* fuzz-link: the Link header parser. */
#include <stdlib.h>
#include <string.h>

#include "net.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *next;

	if (link_next((const char *)data, size, &next) == 1) {
		/* What is found lies inside the input, between < and >. */
		if (strlen(next) > size)
			abort();
		free(next);
	}
	return 0;
}
