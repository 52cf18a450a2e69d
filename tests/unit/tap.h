/* tap.h: the one TAP helper of the unit test binaries (one per binary). */
#ifndef TAP_H
#define TAP_H

#include <stdarg.h>
#include <stdio.h>

static int ntest, nfail;

/* One test point: "ok N - what" or "not ok N - what". */
static void
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	ntest++;
	if (!cond)
		nfail++;
	printf("%s %d - ", cond ? "ok" : "not ok", ntest);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	/* Whole lines: run-all mixes stderr (the warnings tests provoke)
	 * into the same log, and a block cut mid-line breaks the TAP. */
	fflush(stdout);
}

#endif
