/* env.c: settings and secrets from VAR or from the file named by VAR_FILE. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common.h"

#define SECRET_MAX	65536	/* no token or URL is anywhere near this */

/* What a path is, for a message: "a FIFO", "a directory"... */
static const char *
file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

/*
 * What a pasted value may bring along that is not the value: a UTF-8
 * byte-order mark (editors on Windows), the scheme of an Authorization
 * header, a second line.  The trailing newline (LF or CRLF) is fine.
 * NULL, or what to remove.
 */
static const char *
value_fault(const char *p, size_t len, int flags)
{
	static const char *const prefixes[] = { "SSWS ", "Bearer ", "DPoP ",
	    NULL };

	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		return "begins with a UTF-8 byte-order mark: save it without "
		    "one (as plain text, not \"UTF-8 with BOM\")";
	if (flags & ENV_LINES)
		return NULL;
	for (const char *const *h = prefixes; *h != NULL; h++)
		if (strncasecmp(p, *h, strlen(*h)) == 0)
			return "begins with an Authorization scheme (SSWS, "
			    "Bearer or DPoP): remove it, the file holds the "
			    "value alone";
	if (memchr(p, '\n', len) != NULL || memchr(p, '\r', len) != NULL)
		return "has more than one line: the file holds the value "
		    "alone, on one line; remove the other lines";
	return NULL;
}

/*
 * A secret's file: a regular file, opened without blocking (a FIFO with
 * no writer would hang the run), read whole, its trailing blanks and
 * newline dropped.  NULL after a diagnostic naming VAR and PATH.
 */
static char *
read_small_file(const char *var, const char *path, int flags)
{
	struct stat sb;
	const char *fault;
	char *p;
	size_t len = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK |
	    O_NOCTTY)) == -1) {
		warn("%s: %s", var, path);
		return NULL;
	}
	if (fstat(fd, &sb) == -1) {
		warn("%s: %s", var, path);
		close(fd);
		return NULL;
	}
	if (!S_ISREG(sb.st_mode)) {
		warnx("%s: %s is %s: a secret is read from a regular file "
		    "only", var, path, file_kind(sb.st_mode));
		close(fd);
		return NULL;
	}
	p = xmalloc(SECRET_MAX + 1);
	for (;;) {
		n = read(fd, p + len, SECRET_MAX - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			warn("%s: %s", var, path);
			goto fail;
		}
		if (n == 0)
			break;
		len += n;
		if (len == SECRET_MAX) {
			warnx("%s: %s: larger than %d bytes", var, path,
			    SECRET_MAX);
			goto fail;
		}
	}
	close(fd);
	fd = -1;
	/* Files written by editors and echo end in a newline: drop it. */
	while (len > 0 && strchr("\r\n \t", p[len - 1]) != NULL)
		len--;
	p[len] = '\0';
	if (len == 0) {
		warnx("%s: %s is empty", var, path);
		goto fail;
	}
	if ((fault = value_fault(p, len, flags)) != NULL) {
		warnx("%s: %s %s", var, path, fault);
		goto fail;
	}
	return p;
fail:
	if (fd != -1)
		close(fd);
	explicit_bzero(p, SECRET_MAX + 1);
	free(p);
	return NULL;
}

/*
 * Look NAME up in the environment, else read the file named by NAME_FILE
 * (one line, unless FLAGS has ENV_LINES: a key).  Returns 1 with *out
 * allocated, 0 when neither is set (or NAME is empty), -1 after a
 * diagnostic when both are set or the file is unusable.
 */
int
env_get_flags(const char *name, char **out, int flags)
{
	char fname[128];
	const char *v, *f;

	*out = NULL;
	snprintf(fname, sizeof(fname), "%s_FILE", name);
	v = getenv(name);
	f = getenv(fname);
	if (v != NULL && *v == '\0')
		v = NULL;
	if (f != NULL && *f == '\0')
		f = NULL;
	if (v != NULL && f != NULL) {
		warnx("both %s and %s are set: unset one", name, fname);
		return -1;
	}
	if (v != NULL) {
		*out = xstrdup(v);
		return 1;
	}
	if (f == NULL)
		return 0;
	if ((*out = read_small_file(fname, f, flags)) == NULL)
		return -1;
	return 1;
}

int
env_get(const char *name, char **out)
{
	return env_get_flags(name, out, 0);
}

/* Wipe NAME's value where the environment keeps it (a key, once read):
 * no copy of it stays in the process's memory. */
void
env_wipe(const char *name)
{
	char *v;

	if (name != NULL && (v = getenv(name)) != NULL)
		explicit_bzero(v, strlen(v));
}

/* The first of several names that is set; *used names it. */
int
env_first_flags(const char *const *names, char **out, const char **used,
    int flags)
{
	int r;

	*used = NULL;
	for (; *names != NULL; names++) {
		if ((r = env_get_flags(*names, out, flags)) != 0) {
			*used = *names;
			return r;
		}
	}
	return 0;
}

int
env_first(const char *const *names, char **out, const char **used)
{
	return env_first_flags(names, out, used, 0);
}

/* Wipe a secret before its memory goes back to the allocator. */
void
secret_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}
