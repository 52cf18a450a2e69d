/*
 * file.c: writes that must not be left half done: every byte of a buffer,
 * and a file replaced whole (a temporary file beside it, fsync, rename,
 * the directory fsynced), so that a reader sees the old or the new; and
 * the rule for a file named by the user (--stats): replaced whole only
 * when it is a regular file or none, otherwise written into in place.
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

/*
 * The descriptor a path names without opening anything: /dev/stdout,
 * /dev/stderr, /dev/stdin, /dev/fd/N, /proc/self/fd/N; else -1.  Such a
 * stream is written through the descriptor itself, where it is now (a
 * pipe, a terminal, a file opened with >> or >), never reopened: reopened
 * at offset 0, a regular file would be overwritten from its start.
 */
int
file_fdname(const char *path)
{
	static const char *const names[] = { "/dev/stdin", "/dev/stdout",
	    "/dev/stderr" };
	const char *e, *n;
	long long fd;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(path, names[i]) == 0)
			return (int)i;
	if (strncmp(path, "/dev/fd/", 8) == 0)
		n = path + 8;
	else if (strncmp(path, "/proc/self/fd/", 14) == 0)
		n = path + 14;
	else
		return -1;
	if (*n < '0' || *n > '9')
		return -1;
	fd = parse_num(n, 0, INT_MAX, &e);
	return e == NULL ? (int)fd : -1;
}

/*
 * Why PATH may not be written at all, or NULL.  A directory (or a link to
 * one) cannot be.  A symbolic link to a regular file (or to nothing) is
 * refused: replacing the link would destroy what the user set up,
 * replacing its target would follow a link to replace what it points at
 * (a link planted in /tmp would let a run as root overwrite any file),
 * and writing through it in place would give a reader half an object.
 * Naming the file itself gets all of it right.
 */
const char *
file_put_refused(const char *path)
{
	struct stat sb;

	if (file_fdname(path) >= 0 || lstat(path, &sb) == -1)
		return NULL;
	if (S_ISLNK(sb.st_mode)) {
		if (stat(path, &sb) == -1)
			return "a symbolic link to nothing: name a file, not "
			    "the link";
		if (S_ISREG(sb.st_mode))
			return "a symbolic link to a regular file: name the "
			    "file itself (a link is never followed to replace "
			    "its target)";
	}
	if (S_ISDIR(sb.st_mode))
		return "a directory: name a file";
	return NULL;
}

/* Into what is not a regular file, in place; a FIFO no one reads is an
 * error at once, never a wait. */
static int
file_inplace(const char *path, const void *p, size_t n, int fifo)
{
	struct stat sb;
	int fd;

	if ((fd = open_output(path, 0)) == -1) {
		if (errno == ENXIO && fifo)
			warnx("%s: a FIFO that no process reads: not waiting "
			    "for one", path);
		else
			warn("%s", path);
		return -1;
	}
	/* Changed since lstat: a regular file is never written in place. */
	if (fstat(fd, &sb) == -1 || S_ISREG(sb.st_mode)) {
		warnx("%s: became a regular file: not written in place", path);
		close(fd);
		return -1;
	}
	if (write_all(fd, p, n, NULL) == -1) {
		warn("%s", path);
		close(fd);
		return -2;
	}
	if (close(fd) == -1) {
		warn("%s: close", path);
		return -2;
	}
	return 0;
}

/*
 * P into the file a user named, by the shared rule: a regular file, or
 * none yet, is replaced whole (file_replace); anything else (a device, a
 * FIFO, a symbolic link to one) is written into in place and never
 * replaced; a link to a regular file is refused (file_put_refused).  A
 * descriptor's name (file_fdname) is the caller's to hold open: here it
 * is opened like any device.  0, -1 or -2 as file_replace, warned.
 */
int
file_put(const char *path, const void *p, size_t n)
{
	struct stat sb;
	const char *why;

	if ((why = file_put_refused(path)) != NULL) {
		warnx("%s: %s", path, why);
		return -1;
	}
	if (lstat(path, &sb) == -1) {
		if (errno == ENOENT)
			return file_replace(path, p, n);
		warn("%s", path);
		return -1;
	}
	if (S_ISREG(sb.st_mode))
		return file_replace(path, p, n);
	if (S_ISLNK(sb.st_mode) && stat(path, &sb) == -1) {
		warn("%s", path);
		return -1;
	}
	return file_inplace(path, p, n, S_ISFIFO(sb.st_mode));
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
 * Open a file for writing (FAILED, REJECTS, --stats in place) with FLAGS
 * added (O_CREAT makes it 0600), never blocking: a FIFO with no reader is
 * refused at once (ENXIO) rather than hanging the run; one with a reader,
 * a terminal or /dev/stdout works.  The descriptor, blocking again (a
 * slow reader is waited for, like any writer's), or -1 with errno.
 */
int
open_output(const char *path, int flags)
{
	int fd, fl;

	fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | flags,
	    0600);
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
