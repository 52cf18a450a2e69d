/*
 * stats.c: --stats FILE.  At exit, whatever the outcome, the program's
 * counters and its exit status go to FILE as one JSON object, by
 * file_put's rule: a regular file (or none yet) through a temporary file
 * in the same directory that is fsynced and renamed, so a reader (the
 * wrapper, monitoring) never sees half of one; a device or a FIFO
 * written into, never replaced.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

static const char *stats_path;
static const struct stat_field *stats_fields;
static int stats_done;
static int stats_fd = -1;	/* a copy of the descriptor FILE names */

/*
 * A FILE that can never be written is a configuration error now, not a
 * lost report at the end.  A descriptor's name (/dev/stdout, /dev/fd/3)
 * is held as a copy: the program closes stdout before it exits.
 */
void
stats_open(const char *path, const struct stat_field *fields)
{
	const char *why;
	int fd;

	stats_path = NULL;
	stats_fields = fields;
	stats_done = 0;
	stats_fd = -1;
	if (path == NULL)
		return;
	if ((fd = file_fdname(path)) >= 0) {
		if ((stats_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3)) == -1)
			err(EXIT_CONFIG, "--stats %s", path);
	} else if ((why = file_put_refused(path)) != NULL)
		errx(EXIT_CONFIG, "--stats %s: %s", path, why);
	stats_path = path;
}

/*
 * Write the file once, with "exit_status" last; returns the status, or 75
 * for a run that succeeded but could not say so (monitoring would take
 * the old file for this run).
 */
int
stats_exit(int status)
{
	struct buf b = { 0 };
	char num[64];
	int ok = 0;

	if (stats_path == NULL || stats_done)
		return status;
	stats_done = 1;
	buf_addc(&b, '{');
	for (const struct stat_field *f = stats_fields; f && f->key; f++) {
		buf_json_str(&b, f->key, strlen(f->key));
		buf_addc(&b, ':');
		if (f->n != NULL)
			buf_addi(&b, (long long)*f->n);
		else {
			snprintf(num, sizeof(num), "%.3f", f->d ? *f->d : 0.0);
			buf_adds(&b, num);
		}
		buf_addc(&b, ',');
	}
	buf_adds(&b, "\"exit_status\":");
	buf_addi(&b, status);
	buf_adds(&b, "}\n");

	if (stats_fd >= 0) {
		if (write_all(stats_fd, b.p, b.len, NULL) == -1)
			warn("%s", stats_path);
		else
			ok = 1;
		close(stats_fd);
		stats_fd = -1;
	} else
		ok = file_put(stats_path, b.p, b.len) == 0;
	if (!ok) {
		warnx("--stats %s: not written", stats_path);
		if (status == 0)
			status = EXIT_TEMPFAIL;
	}
	buf_free(&b);
	return status;
}
