/*
 * floor-jscan: the project's own tokenizer alone over the same input as
 * okta2ocsf, without the mapping: the same line reader (lineio.c), jscan
 * on each line, then a look at what every record needs, id and
 * profile.platform.  What okta2ocsf spends beyond this is the mapping.
 *
 *   cc -O2 -Icommon -o floor-jscan floor-jscan.c common/libcommon.a
 *   ./floor-jscan < devices.ndjson      # prints the counts on stderr
 */
#include <stdio.h>
#include <stdlib.h>

#include "common.h"

int
main(int argc, char *argv[])
{
	struct lreader lr;
	struct jdoc d = { 0 };
	const char *why;
	char *line;
	size_t len;
	unsigned long count = 0, bad = 0, ids = 0, platforms = 0, bytes = 0;
	long id, prof, plat;
	int r;

	(void)argc;
	setprogname(argv);
	/* okta2ocsf's own limit, and its way of opening stdin. */
	if (lreader_open(&lr, "-", 16 * 1024 * 1024) == -1)
		return 1;
	while ((r = lreader_next(&lr, &line, &len)) != LR_EOF) {
		if (r != LR_LINE)
			return 1;
		if (jscan(&d, line, len, &why) != JSCAN_OK ||
		    d.t[0].type != J_OBJECT) {
			bad++;
			continue;
		}
		count++;
		/* Touch both strings, so that nothing is skipped unseen. */
		if ((id = jmember(&d, 0, "id")) >= 0 &&
		    d.t[id].type == J_STRING) {
			ids++;
			bytes += (unsigned char)line[d.t[id].start + 1];
		}
		if ((prof = jmember(&d, 0, "profile")) >= 0 &&
		    d.t[prof].type == J_OBJECT &&
		    (plat = jmember(&d, prof, "platform")) >= 0 &&
		    d.t[plat].type == J_STRING) {
			platforms++;
			bytes += (unsigned char)line[d.t[plat].start + 1];
		}
	}
	fprintf(stderr, "floor: %lu objects, %lu ids, %lu platforms "
	    "(checksum %lu)", count, ids, platforms, bytes);
	if (bad > 0)
		fprintf(stderr, ", %lu lines not parsed", bad);
	fputc('\n', stderr);
	return 0;
}
