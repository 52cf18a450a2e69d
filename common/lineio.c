/*
 * lineio.c: a line reader for lines of any length up to a limit.
 *
 * It reads big blocks with read(2) and hands out lines in place, without a
 * copy: LF or CRLF endings are stripped and the line is NUL-terminated.  A
 * line longer than the limit is reported (LR_TOOLONG) and must then be
 * consumed with lreader_skip, which can copy it verbatim elsewhere, so that
 * memory stays bounded by the limit whatever the input holds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define LR_CHUNK	(128 * 1024)

int
lreader_fdopen(struct lreader *lr, int fd, const char *name, size_t max)
{
	memset(lr, 0, sizeof(*lr));
	lr->fd = fd;
	lr->name = name;
	lr->max = max;
	lr->cap = LR_CHUNK;
	lr->buf = xmalloc(lr->cap);
	return 0;
}

/* Open PATH, or standard input for "-"; -1 with errno set on failure. */
int
lreader_open(struct lreader *lr, const char *path, size_t max)
{
	int fd;

	if (strcmp(path, "-") == 0)
		return lreader_fdopen(lr, STDIN_FILENO, "stdin", max);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	return lreader_fdopen(lr, fd, path, max);
}

void
lreader_close(struct lreader *lr)
{
	if (lr->fd > STDIN_FILENO)
		close(lr->fd);
	free(lr->buf);
	lr->buf = NULL;
	lr->fd = -1;
}

/*
 * Read once from the file, making room first.  Returns LR_LINE when bytes
 * came, LR_EOF at end of file, LR_AGAIN when interrupted by a signal or the
 * descriptor is non-blocking and empty, LR_ERROR with errno set.
 */
int
lreader_fill(struct lreader *lr)
{
	ssize_t n;

	if (lr->eof)
		return LR_EOF;
	if (lr->len == 0)
		lr->off = 0;
	else if (lr->off > 0 && lr->cap - lr->off - lr->len - 1 < LR_CHUNK / 2) {
		memmove(lr->buf, lr->buf + lr->off, lr->len);
		lr->off = 0;
	}
	/*
	 * Keep half a chunk free for the read; grow while the line can still
	 * be accepted, so the buffer stays near the limit whatever comes.
	 */
	if (lr->cap - lr->off - lr->len - 1 < LR_CHUNK / 2 &&
	    (lr->len <= lr->max || lr->cap - lr->off - lr->len - 1 == 0)) {
		size_t ncap = lr->cap * 2, top = lr->max + LR_CHUNK + 1;

		if (ncap > top && top > lr->cap)
			ncap = top;
		lr->buf = xrealloc(lr->buf, ncap);
		lr->cap = ncap;
	}
	n = read(lr->fd, lr->buf + lr->off + lr->len,
	    lr->cap - lr->off - lr->len - 1);
	if (n == -1) {
		if (errno == EINTR || errno == EAGAIN)
			return LR_AGAIN;
		return LR_ERROR;
	}
	if (n == 0) {
		lr->eof = 1;
		return LR_EOF;
	}
	lr->len += n;
	return LR_LINE;
}

/*
 * Hand out the next complete line without reading: LR_LINE with *line and
 * *len set, LR_TOOLONG (call lreader_skip next), LR_EOF, or LR_AGAIN when
 * more input is needed.
 */
int
lreader_get(struct lreader *lr, char **line, size_t *len)
{
	char *p, *nl;
	size_t n;

	if (lr->skipping)
		return LR_TOOLONG;
	p = lr->buf + lr->off;
	nl = memchr(p + lr->scan, '\n', lr->len - lr->scan);
	if (nl == NULL) {
		lr->scan = lr->len;
		if (lr->len > lr->max) {
			lr->lineno++;
			lr->skipping = 1;
			return LR_TOOLONG;
		}
		if (!lr->eof)
			return LR_AGAIN;
		if (lr->len == 0)
			return LR_EOF;
		n = lr->len;	/* the last line has no newline */
		lr->off += n;
		lr->len = 0;
	} else {
		n = nl - p;
		if (n > lr->max) {
			lr->lineno++;
			lr->skipping = 1;
			return LR_TOOLONG;
		}
		lr->off += n + 1;
		lr->len -= n + 1;
	}
	lr->scan = 0;
	lr->lineno++;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	p[n] = '\0';
	*line = p;
	*len = n;
	return LR_LINE;
}

/* Blocking form of lreader_get: LR_LINE, LR_TOOLONG, LR_EOF or LR_ERROR. */
int
lreader_next(struct lreader *lr, char **line, size_t *len)
{
	int r;

	for (;;) {
		if ((r = lreader_get(lr, line, len)) != LR_AGAIN)
			return r;
		if (lreader_fill(lr) == LR_ERROR)
			return LR_ERROR;
	}
}

/*
 * Consume the rest of a line that was too long, copying it verbatim, with
 * its newline, to COPY when that is not NULL.  Returns 0, or LR_ERROR.
 */
int
lreader_skip(struct lreader *lr, FILE *copy)
{
	char *p, *nl;
	size_t n;
	int wrote = 0;

	for (;;) {
		p = lr->buf + lr->off;
		nl = memchr(p, '\n', lr->len);
		n = nl ? (size_t)(nl - p) + 1 : lr->len;
		if (copy != NULL && n > 0) {
			fwrite(p, 1, n, copy);
			wrote = 1;
		}
		lr->off += n;
		lr->len -= n;
		lr->scan = 0;
		if (nl != NULL || lr->eof) {
			if (nl == NULL && wrote)
				fputc('\n', copy);
			lr->skipping = 0;
			return 0;
		}
		lr->off = 0;
		if (lreader_fill(lr) == LR_ERROR)
			return LR_ERROR;
	}
}
