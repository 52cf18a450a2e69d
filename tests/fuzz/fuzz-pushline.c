/* fuzz-pushline: ocsf-push's check that a line is one OCSF record. */
#define FUZZING
#include "../../ocsf-push/ocsf-push.c"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 20)
		return 0;
	(void)not_record((const char *)data, size);
	return 0;
}
