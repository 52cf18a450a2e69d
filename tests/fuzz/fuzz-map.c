/* fuzz-map: okta2ocsf's handling of one input line, mapping included. */
#define FUZZING
#include "../../okta2ocsf/okta2ocsf.c"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct lreader lr = { .name = "fuzz", .lineno = 1 };

	if (!init) {
		init = 1;
		fixed_time = 1700000000000LL;
		diag_out = fopen("/dev/null", "w");	/* rejects are many */
	}
	if (size > 1 << 20)
		return 0;
	unit_s = size > 0 && data[0] == ' ';	/* both units get exercised */
	convert_line(&lr, (const char *)data, size);
	out.len = 0;
	return 0;
}
