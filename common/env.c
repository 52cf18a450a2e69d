/* env.c: settings and secrets from VAR or from the file named by VAR_FILE. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define SECRET_MAX	65536	/* no token or URL is anywhere near this */

static char *
read_small_file(const char *var, const char *path)
{
	char *p;
	size_t len = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		warn("%s: %s", var, path);
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
	/* Files written by editors and echo end in a newline: drop it. */
	while (len > 0 && strchr("\r\n \t", p[len - 1]) != NULL)
		len--;
	p[len] = '\0';
	if (len == 0) {
		warnx("%s: %s is empty", var, path);
		secret_free(p);
		return NULL;
	}
	return p;
fail:
	close(fd);
	explicit_bzero(p, SECRET_MAX + 1);
	free(p);
	return NULL;
}

/*
 * Look NAME up in the environment, else read the file named by NAME_FILE.
 * Returns 1 with *out allocated, 0 when neither is set (or NAME is empty),
 * -1 after a diagnostic when both are set or the file is unusable.
 */
int
env_get(const char *name, char **out)
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
	if ((*out = read_small_file(fname, f)) == NULL)
		return -1;
	return 1;
}

/* The first of several names that is set; *used names it. */
int
env_first(const char *const *names, char **out, const char **used)
{
	int r;

	*used = NULL;
	for (; *names != NULL; names++) {
		if ((r = env_get(*names, out)) != 0) {
			*used = *names;
			return r;
		}
	}
	return 0;
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
