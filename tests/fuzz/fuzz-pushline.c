/* fuzz-pushline: ocsf-push's check that a line is one JSON object. */
#define FUZZING
#include "../../ocsf-push/ocsf-push.c"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (tok == NULL) {
		tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
		    JSON_TOKENER_VALIDATE_UTF8);
	}
	if (size > 1 << 20)
		return 0;
	(void)not_object((const char *)data, size);
	return 0;
}
