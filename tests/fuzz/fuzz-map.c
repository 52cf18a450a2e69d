/* fuzz-map: okta2ocsf's handling of one input value, mapping included. */
#define FUZZING
#include "../../okta2ocsf/okta2ocsf.c"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct at at = { "fuzz", 1 };

	if (!init) {
		init = 1;
		fixed_time = 1700000000000LL;
		diag_out = fopen("/dev/null", "w");	/* rejects are many */
	}
	if (size > 1 << 20)
		return 0;
	/* Both targets and both units get exercised. */
	tg = &targets[size > 0 && (data[0] & 1)];
	unit_s = size > 0 && data[0] == ' ' ? !tg->unit_s : tg->unit_s;
	convert_text(&at, (const char *)data, size);
	out.len = 0;
	return 0;
}
