/*
 * common.h: what okta-fetch, okta2ocsf and ocsf-push share (libcommon.a).
 *
 * The network layer (libcurl) is in net.h, the crypto (libcrypto) in
 * crypto.h: okta2ocsf, a filter, links neither.
 *
 * Ownership: a function that returns a pointer it allocated says so, and
 * the caller frees it (secrets with secret_free, which wipes them first).
 * Pointers into a struct lreader's buffer stay valid only until the next
 * call on that reader; a struct jdoc's tokens point into the text it was
 * given, which must outlive them.  Allocation failure never returns: the
 * x-functions print a diagnostic and exit.
 */
#ifndef COMMON_H
#define COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#ifndef VERSION
#define VERSION "0.1.0"
#endif

/* Exit statuses, the same table in every man page. */
#define EXIT_REJECTS	1	/* finished, some input records rejected */
#define EXIT_USAGE	64	/* bad option or argument */
#define EXIT_REFUSED	69	/* remote refused permanently, protocol violation */
#define EXIT_TEMPFAIL	75	/* network, timeout, 429, 5xx after all retries */
#define EXIT_NOPERM	77	/* credentials refused (401, 403) */
#define EXIT_CONFIG	78	/* configuration missing or invalid */

#define NORETURN __attribute__((noreturn))
#define PRINTFLIKE(f, a) __attribute__((format(printf, f, a)))

/* diag.c */
extern const char *progname;
extern int verbosity;		/* 0 with -q, 1 by default, 2+ with -v */
extern int progress_line;	/* a live counter is on stderr's line */
extern FILE *diag_out;		/* NULL: stderr */
extern const char *usage_synopsis; /* printed by usage_error */
void	 setprogname(char *[]);
void	 warnx(const char *, ...) PRINTFLIKE(1, 2);
void	 warn(const char *, ...) PRINTFLIKE(1, 2);
void	 errx(int, const char *, ...) NORETURN PRINTFLIKE(2, 3);
void	 err(int, const char *, ...) NORETURN PRINTFLIKE(2, 3);
void	 usage_error(const char *, ...) NORETURN PRINTFLIKE(1, 2);
void	 info(const char *, ...) PRINTFLIKE(1, 2);	/* unless -q */
void	 debug(const char *, ...) PRINTFLIKE(1, 2);	/* with -v */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 fshut(FILE *, const char *);

/* num.c: strtonum(3)'s contract: 0 and *errstr set on failure. */
long long parse_num(const char *, long long, long long, const char **);
double	 parse_seconds(const char *, double, double, const char **);
/* An option's value, or usage_error naming the option and what it takes. */
long long opt_num(const char *, const char *, long long, long long);
int64_t	 opt_ms(const char *, const char *, double, double);
int	 opt_word(const char *, const char *, const char *const *);

/* env.c */
#define ENV_LINES	1	/* a file of several lines (a PEM key) */
int	 env_get(const char *, char **);
int	 env_get_flags(const char *, char **, int);
int	 env_first(const char *const *, char **, const char **);
int	 env_first_flags(const char *const *, char **, const char **, int);
void	 env_wipe(const char *);
void	 secret_free(char *);

/* lineio.c: lines of any length up to a limit, LF or CRLF, last one unterminated. */
enum { LR_LINE = 1, LR_EOF = 0, LR_ERROR = -1, LR_TOOLONG = -2, LR_AGAIN = -3 };
struct lreader {
	const char	*name;		/* for messages: the path, or "stdin" */
	int		 fd;
	char		*buf;
	size_t		 cap, off, len;	/* unread data is buf[off .. off+len) */
	size_t		 scan;		/* bytes of it already searched for '\n' */
	size_t		 max;		/* longest line accepted */
	unsigned long	 lineno;	/* of the line last returned */
	int		 eof;
	int		 skipping;	/* inside a line longer than max */
};
int	 lreader_open(struct lreader *, const char *, size_t);
int	 lreader_fdopen(struct lreader *, int, const char *, size_t);
void	 lreader_close(struct lreader *);
int	 lreader_next(struct lreader *, char **, size_t *);
int	 lreader_get(struct lreader *, char **, size_t *);
int	 lreader_fill(struct lreader *);
int	 lreader_skip(struct lreader *, FILE *);

/* buf.c: a growing byte buffer with a hard cap, and JSON string output. */
struct buf {
	char	*p;
	size_t	 len, cap;
};
void	 buf_grow(struct buf *, size_t);
/*
 * Inline, so that appending a literal costs a few moves, not a call to
 * strlen and another to memcpy (okta2ocsf writes dozens per record).
 */
static inline void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->cap - b->len < n)
		buf_grow(b, n);
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}
static inline void
buf_addc(struct buf *b, char c)
{
	if (b->cap == b->len)
		buf_grow(b, 1);
	b->p[b->len++] = c;
}
static inline void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}
void	 buf_addi(struct buf *, long long);
int	 buf_json_str(struct buf *, const char *, size_t);
void	 buf_free(struct buf *);
size_t	 utf8_char(const unsigned char *, const unsigned char *);
void	 b64url_add(struct buf *, const void *, size_t);
void	 buf_wipe(struct buf *);

/* jscan.c: strict JSON into a flat token array pointing into the text. */
enum { J_OBJECT = 1, J_ARRAY, J_STRING, J_NUMBER, J_TRUE, J_FALSE, J_NULL };
enum { JSCAN_OK = 0, JSCAN_BAD = -1, JSCAN_SHORT = -2 };
#define JSCAN_MAX_TOKENS	(1UL << 21)
struct jtok {
	uint32_t	 start, end;	/* its text (strings with their quotes) */
	uint32_t	 next;		/* the token after its subtree */
	uint8_t		 type;
	uint8_t		 esc;		/* a string with backslash escapes */
};
struct jdoc {
	const char	*s;
	size_t		 len;
	struct jtok	*t;
	size_t		 n, cap;
	size_t		 max_tokens;	/* 0: JSCAN_MAX_TOKENS */
	int		 ws;		/* blanks between its inner tokens */
	size_t		 err_at;	/* where JSCAN_BAD found the fault */
};
int	 jscan(struct jdoc *, const char *, size_t, const char **);
void	 jdoc_free(struct jdoc *);
long	 jmember(const struct jdoc *, long, const char *);
char	*jstr_dup(const struct jdoc *, long, size_t *);
void	 jtext(const struct jdoc *, long, struct buf *);
int	 is_blank(const char *, size_t);

/* time.c */
int	 iso8601_ms(const char *, size_t, int64_t *);
void	 iso8601_fmt(int64_t, char [64]);
int64_t	 now_ms(void);
int64_t	 mono_ms(void);
int	 sleep_ms(int64_t, volatile const int *);

/* file.c: every byte written, or a file replaced whole; a user's file
 * replaced whole when regular, else written into in place (file_put). */
int	 write_all(int, const void *, size_t, size_t *);
int	 file_replace(const char *, const void *, size_t);
int	 file_replace_mode(const char *, const void *, size_t, mode_t);
int	 file_fdname(const char *);
const char *file_put_refused(const char *);
int	 file_put(const char *, const void *, size_t);
void	 stdfds_open(void);
int	 open_output(const char *, int);

/* stats.c: --stats FILE, a run's counters and exit status as one JSON
 * object, written by file_put's rule (a regular file replaced whole, a
 * device or FIFO written into) when the program exits: from main through
 * stats_exit, and from errx and err.  stats_open refuses a FILE that
 * cannot be written (78) before the run.  The table ends with a NULL key;
 * its pointers must live until exit. */
struct stat_field {
	const char		*key;
	const unsigned long	*n;	/* a counter, or */
	const double		*d;	/* a number (seconds) */
};
void	 stats_open(const char *, const struct stat_field *);
int	 stats_exit(int);

/* secret.c: values that must never be printed.  redact() masks every
 * remembered value, and the credential headers and URL userinfo, in a
 * NUL-terminated text of the given size, in place; redact_buf() appends
 * the redacted form of any bytes to a buffer. */
#define SECRET_MIN	8	/* shorter credentials are refused (78) */
void	 secret_remember(const char *);
void	 secret_remember_brief(const char *);
void	 secret_forget(const char *);
void	 secret_forget_all(void);
void	 secret_check(const char *, const char *);
void	 secret_nodump(void);
void	 redact(char *, size_t);
void	 redact_buf(struct buf *, const char *, size_t);

#endif
