/*
 * stats.c: --stats FILE.  At exit, whatever the outcome, the program's
 * counters and its exit status go to FILE as one JSON object, through a
 * temporary file in the same directory that is fsynced and renamed, so a
 * reader (the wrapper, monitoring) never sees half of one.
 */
#include <stdio.h>
#include <string.h>

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

	if (file_replace(stats_path, b.p, b.len) != 0) {
		warnx("--stats %s: not written", stats_path);
		if (status == 0)
			status = EXIT_TEMPFAIL;
	}
	buf_free(&b);
	return status;
}
