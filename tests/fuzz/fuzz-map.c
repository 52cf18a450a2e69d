/* fuzz-map: okta2ocsf's handling of one input line, mapping included. */
#define FUZZING
#include "../../okta2ocsf/okta2ocsf.c"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct json_tokener *t;
	struct lreader lr = { .name = "fuzz", .lineno = 1 };

	if (t == NULL) {
		t = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
		json_tokener_set_flags(t, JSON_TOKENER_STRICT);
		fixed_time = 1700000000000LL;
		freopen("/dev/null", "w", stderr);
	}
	if (size > 1 << 20)
		return 0;
	unit_s = size > 0 && data[0] == ' ';	/* both units get exercised */
	convert_line(&lr, t, (const char *)data, size);
	out.len = 0;
	return 0;
}
