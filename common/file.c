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
	if (write_all(fd, p, n, NULL) == -1 || fchmod(fd, 0644) == -1 ||
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

/*
 * Descriptors 0, 1 and 2 that are closed at start are opened on
 * /dev/null, before anything else is opened: else the first file opened
 * (FAILED, REJECTS) would become stderr or stdout and take diagnostics
 * or records (OpenBSD's practice).  Exits 78, silently (stderr may be
 * what is missing), when /dev/null cannot be opened.
 */
void
stdfds_open(void)
{
	int fd;

	for (int i = 0; i <= 2; i++) {
		if (fcntl(i, F_GETFD) != -1 || errno != EBADF)
			continue;
		fd = open("/dev/null", i == 0 ? O_RDONLY : O_WRONLY);
		if (fd != i)
			_exit(EXIT_CONFIG);
	}
}

/*
 * Open an output file (FAILED, REJECTS) for writing, created 0600, never
 * blocking: a FIFO with no reader is refused at once (ENXIO) rather than
 * hanging the run; one with a reader, a terminal or /dev/stdout works.
 * The descriptor, blocking again, or -1 with errno (ENXIO: no reader).
 */
int
open_output(const char *path, int flags)
{
	int fd, fl;

	fd = open(path, O_WRONLY | O_CREAT | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC | flags, 0600);
	if (fd == -1)
		return -1;
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}
