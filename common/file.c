/*
 * file.c: writes that must not be left half done: every byte of a buffer,
 * and a file replaced whole (a temporary file beside it, fsync, rename,
 * the directory fsynced), so that a reader sees the old or the new.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

/* All of P to FD, across short writes and signals; *DONE (if not NULL)
 * says how much went out.  0, or -1 with errno. */
int
write_all(int fd, const void *p, size_t n, size_t *done)
{
	const char *s = p;
	size_t d = 0;
	ssize_t w;
	int ret = 0;

	while (d < n) {
		if ((w = write(fd, s + d, n - d)) < 0) {
			if (errno == EINTR)
				continue;
			ret = -1;
			break;
		}
		d += (size_t)w;
	}
	if (done != NULL)
		*done = d;
	return ret;
}

/*
 * PATH's content becomes P, mode 0644, or stays as it was.  0 on success;
 * -1 when the temporary file cannot be made (the directory is wrong: a
 * configuration error), -2 when writing or renaming failed; both warned.
 */
int
file_replace(const char *path, const void *p, size_t n)
{
	return file_replace_mode(path, p, n, 0644);
}

/* The same with the new file's MODE (0600 for one that holds state). */
int
file_replace_mode(const char *path, const void *p, size_t n, mode_t mode)
{
	char tmp[PATH_MAX], dir[PATH_MAX], *slash;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >=
	    (int)sizeof(tmp)) {
		warnx("%s: path too long", path);
		return -1;
	}
	if ((fd = mkstemp(tmp)) == -1) {
		warn("%s", tmp);
		return -1;
	}
	if (write_all(fd, p, n, NULL) == -1 || fchmod(fd, mode) == -1 ||
	    fsync(fd) == -1) {
		warn("%s", tmp);
		close(fd);
		unlink(tmp);
		return -2;
	}
	close(fd);
	if (rename(tmp, path) == -1) {
		warn("rename %s", path);
		unlink(tmp);
		return -2;
	}
	/* The rename itself must reach the disk. */
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		strcpy(dir, ".");
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY)) != -1) {
		fsync(fd);
		close(fd);
	}
	return 0;
}
