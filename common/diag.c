/* diag.c: diagnostics on stderr, prefixed with the program's name. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

const char *progname = "okta-ocsf";
const char *usage_synopsis;	/* the program's, after a usage error */
int verbosity = 1;
int progress_line;
FILE *diag_out;			/* stderr unless set (the fuzzers) */

/*
 * The program's name for diagnostics, from argv[0]; argv[0] itself is
 * pointed at it too, since getopt(3) prefixes its own messages with it.
 */
void
setprogname(char *argv[])
{
	char *p = strrchr(argv[0], '/');

	progname = p ? p + 1 : argv[0];
	argv[0] = (char *)progname;
}

/*
 * One fprintf per message, so that lines of processes sharing stderr
 * (a pipeline) do not interleave mid-line.
 */
static void
vdiag(const char *fmt, va_list ap, int errnum)
{
	FILE *fp = diag_out ? diag_out : stderr;
	char msg[2048];
	int n;

	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		msg[0] = '\0';
	/* Every message may quote a server or a URL: one redaction for all. */
	redact(msg, sizeof(msg));
	if (progress_line) {
		fputs("\r\033[K", fp);
		progress_line = 0;
	}
	if (errnum)
		fprintf(fp, "%s: %s: %s\n", progname, msg, strerror(errnum));
	else
		fprintf(fp, "%s: %s\n", progname, msg);
}

void
warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(fmt, ap, 0);
	va_end(ap);
}

void
warn(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vdiag(fmt, ap, e);
	va_end(ap);
}

void
errx(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(fmt, ap, 0);
	va_end(ap);
	exit(stats_exit(status));
}

void
err(int status, const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vdiag(fmt, ap, e);
	va_end(ap);
	exit(stats_exit(status));
}

/*
 * A usage error (a bad option, a bad option value, options that clash):
 * what was wrong, then the synopsis, then exit 64, the same way in every
 * program.
 */
void
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(fmt, ap, 0);
	va_end(ap);
	if (usage_synopsis != NULL)
		fputs(usage_synopsis, diag_out ? diag_out : stderr);
	exit(stats_exit(EXIT_USAGE));
}

void
info(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < 1)
		return;
	va_start(ap, fmt);
	vdiag(fmt, ap, 0);
	va_end(ap);
}

void
debug(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < 2)
		return;
	va_start(ap, fmt);
	vdiag(fmt, ap, 0);
	va_end(ap);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		err(EXIT_TEMPFAIL, "malloc");
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		err(EXIT_TEMPFAIL, "calloc");
	return p;
}

void *
xrealloc(void *old, size_t n)
{
	void *p = realloc(old, n ? n : 1);

	if (p == NULL)
		err(EXIT_TEMPFAIL, "realloc");
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/*
 * Flush and close an output stream, reporting a failed write: a full disk
 * or a closed pipe must not look like success.  Returns 0 or -1.
 */
int
fshut(FILE *fp, const char *name)
{
	int ret = 0;

	if (fflush(fp) == EOF || ferror(fp)) {
		warn("%s: write error", name);
		ret = -1;
	}
	if (fclose(fp) == EOF && ret == 0) {
		warn("%s: close", name);
		ret = -1;
	}
	return ret;
}
