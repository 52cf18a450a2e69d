/*
 * stats.c: --stats FILE.  At exit, whatever the outcome, the program's
 * counters and its exit status go to FILE as one JSON object, through a
 * temporary file in the same directory that is fsynced and renamed, so a
 * reader (the wrapper, monitoring) never sees half of one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

static const char *stats_path;
static const struct stat_field *stats_fields;
static int stats_done;

void
stats_open(const char *path, const struct stat_field *fields)
{
	stats_path = path;
	stats_fields = fields;
	stats_done = 0;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
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
	char num[64], *tmp;
	size_t n;
	int fd, e;

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

	n = strlen(stats_path) + 32;
	tmp = xmalloc(n);
	snprintf(tmp, n, "%s.tmp.%ld", stats_path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write_all(fd, b.p, b.len) < 0 || fsync(fd) < 0 ||
	    close(fd) < 0 || (fd = -1, rename(tmp, stats_path) < 0)) {
		e = errno;
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		errno = e;
		warn("--stats %s", stats_path);
		if (status == 0)
			status = EXIT_TEMPFAIL;
	}
	free(tmp);
	buf_free(&b);
	return status;
}
