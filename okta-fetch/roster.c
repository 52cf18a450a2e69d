/*
 * roster.c: okta-fetch's state beside --state FILE, and the roster that
 * tells which devices vanished from the org.
 *
 * FILE: the mark on its first line (as older versions wrote it), then
 * "full TIME", the start of the last complete full listing.
 *
 * FILE.roster: one compact JSON line per device, sorted by id (bytewise,
 * on the id as the line writes it), holding what okta2ocsf needs to write
 * a record.  A run appends the line of each device it prints to a
 * temporary file; at the end it sorts that file in chunks of a fixed
 * budget, merges the chunks (a k-way merge, in passes of at most FANIN)
 * and joins the result with the old roster: a full listing replaces it
 * and reports each old device it did not list, an incremental one merges.
 * Memory is bounded by the budget, whatever the org's size.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "roster.h"

#define SORT_BUDGET	(8UL * 1024 * 1024)	/* bytes of lines per chunk */
#define FANIN		16		/* runs merged at once */
#define LINE_MAX_B	(1024 * 1024)	/* a roster line, at most */
#define WBUF		(64 * 1024)
#define STATE_MAX	4096		/* FILE is a few lines */

static const char id_pre[] = "{\"id\":\"";
#define ID_PRE	(sizeof(id_pre) - 1)

/* The fields a roster line keeps, as okta2ocsf reads them. */
static const char *const dev_keys[] = { "status", "created", "lastUpdated",
    NULL };
static const char *const prof_keys[] = { "displayName", "platform",
    "serialNumber", "sid", "manufacturer", "model", NULL };

/* A file written through a buffer; a write error is a temporary failure. */
struct wfile {
	int		 fd;
	const char	*name;
	struct buf	 b;
};

struct ent {
	size_t		 off, len, klen, seq;
};

struct roster {
	char		 path[PATH_MAX];	/* FILE.roster */
	char		 next[PATH_MAX];	/* FILE.roster.next */
	char		 tmpl[PATH_MAX];	/* temporary files beside it */
	int		 replace;
	size_t		 budget;
	int		 oldfd;			/* FILE.roster, or -1 */
	unsigned long	 nold, nlisted;		/* its lines; the run's */
	int		 big_told;
	struct wfile	 listed;		/* each device printed, in order */
	int		*runs;			/* sorted chunks, in order */
	size_t		 nruns, nchunks;
	unsigned	 passes;		/* merge passes before the join */
	struct buf	 line;			/* scratch */
	struct jdoc	 doc;			/* the old line being read */

	/* the join with the old roster */
	struct lreader	 old;
	char		*oline;
	size_t		 olen;
	const char	*okey;
	size_t		 oklen;
	int		 ohave;
	struct buf	 prev;			/* the key before, to check order */
	int		 hasprev;
	struct wfile	 out, del;
	unsigned long	 vanished;
};

typedef void sink_fn(struct roster *, void *, const char *, size_t,
    const char *, size_t);

static void	old_next(struct roster *);

/*
 * Open PATH for reading if it is a regular file (or a symlink to one):
 * the descriptor, -1 when it does not exist; anything else (a FIFO, a
 * device, a directory) is refused at once, never opened to block.
 */
static int
open_regular(const char *path)
{
	struct stat sb;
	int fd, fl;

	if (stat(path, &sb) == -1) {
		if (errno == ENOENT)
			return -1;
		err(EXIT_CONFIG, "%s", path);
	}
	if (!S_ISREG(sb.st_mode))
		errx(EXIT_CONFIG, "%s: not a regular file (a FIFO, a device, "
		    "a directory?): refused", path);
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1)
		err(EXIT_CONFIG, "%s", path);
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode))
		errx(EXIT_CONFIG, "%s: not a regular file: refused", path);
	if ((fl = fcntl(fd, F_GETFL)) != -1)
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

static void
path_join(char *out, const char *a, const char *b)
{
	if (snprintf(out, PATH_MAX, "%s%s", a, b) >= PATH_MAX)
		errx(EXIT_CONFIG, "%s: path too long", a);
}

/* The directory holding PATH must reach the disk after a rename. */
static void
sync_dir(const char *path)
{
	char dir[PATH_MAX], *slash;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		strcpy(dir, ".");
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(fd);
		close(fd);
	}
}

/* ---- FILE: the mark and the last full run ---- */

/*
 * Read FILE: 0 when it does not exist, 1 with *st filled (STATE_NONE
 * where a line is absent).  A line that is neither is a 78 naming it.
 */
int
state_read(const char *path, struct state *st)
{
	char text[STATE_MAX + 1], *p, *nl;
	unsigned long lineno = 0;
	ssize_t n;
	size_t len = 0;
	int fd;

	st->mark = st->full = STATE_NONE;
	if ((fd = open_regular(path)) == -1)
		return 0;
	while ((n = read(fd, text + len, sizeof(text) - 1 - len)) > 0)
		len += (size_t)n;
	if (n == -1)
		err(EXIT_CONFIG, "%s", path);
	close(fd);
	if (len >= STATE_MAX)
		errx(EXIT_CONFIG, "%s: more than %d bytes: not a state file",
		    path, STATE_MAX);
	text[len] = '\0';
	for (p = text; *p != '\0'; p = nl) {
		int64_t *dst = &st->mark, ms;
		size_t k;

		lineno++;
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		else
			nl = p + strlen(p);
		k = strcspn(p, "\r");
		p[k] = '\0';
		if (k == 0)
			continue;
		if (strncmp(p, "full ", 5) == 0) {
			dst = &st->full;
			p += 5;
			k -= 5;
		}
		if (*dst != STATE_NONE || iso8601_ms(p, k, &ms) == -1)
			errx(EXIT_CONFIG, "%s:%lu: not an RFC 3339 timestamp "
			    "(the mark) nor \"full\" and one", path, lineno);
		*dst = ms;
	}
	if (st->mark == STATE_NONE && st->full == STATE_NONE)
		errx(EXIT_CONFIG, "%s:1: not an RFC 3339 timestamp (empty)",
		    path);
	return 1;
}

/* FILE (or FILE.next) replaced whole, mode 0600, or exit. */
void
state_write(const char *path, const struct state *st)
{
	char text[160], t[64];
	size_t n = 0;
	int r;

	text[0] = '\0';
	if (st->mark != STATE_NONE) {
		iso8601_fmt(st->mark, t);
		n += snprintf(text + n, sizeof(text) - n, "%s\n", t);
	}
	if (st->full != STATE_NONE) {
		iso8601_fmt(st->full, t);
		n += snprintf(text + n, sizeof(text) - n, "full %s\n", t);
	}
	if (n == 0)
		return;
	if ((r = file_replace_mode(path, text, n, 0600)) != 0)
		exit(stats_exit(r == -1 ? EXIT_CONFIG : EXIT_TEMPFAIL));
}

static void
unlink_stale(const char *path)
{
	if (unlink(path) == -1 && errno != ENOENT)
		err(EXIT_CONFIG, "%s", path);
}

/* Before a run: an earlier run's FILE.next and FILE.roster.next go. */
void
state_clear_next(const char *path)
{
	char p[PATH_MAX];

	path_join(p, path, ".next");
	unlink_stale(p);
	path_join(p, path, ".roster.next");
	unlink_stale(p);
}

/*
 * okta-fetch --commit FILE.  FILE.next says the run was complete: without
 * it, nothing is promoted (a FILE.roster.next alone is an incomplete
 * run's, removed).  The roster is renamed first, then FILE replaced: a
 * crash between the two leaves the new roster with the old mark, and the
 * next run lists again what changed since the old mark, which is harmless.
 */
int
state_commit(const char *path)
{
	char next[PATH_MAX], rnext[PATH_MAX], roster[PATH_MAX], t[64];
	struct state st;
	struct stat sb;
	int have_roster;

	path_join(next, path, ".next");
	path_join(rnext, path, ".roster.next");
	path_join(roster, path, ".roster");
	have_roster = lstat(rnext, &sb) == 0;
	if (have_roster && !S_ISREG(sb.st_mode))
		errx(EXIT_CONFIG, "%s: not a regular file: refused", rnext);
	if (state_read(next, &st) == 0) {
		if (have_roster) {
			unlink_stale(rnext);
			info("%s: removed, an incomplete run's", rnext);
		}
		info("%s: nothing to commit (no %s)", path, next);
		return 0;
	}
	if (have_roster) {
		if (rename(rnext, roster) == -1)
			err(EXIT_TEMPFAIL, "rename %s to %s", rnext, roster);
		sync_dir(roster);
	}
	state_write(path, &st);
	if (unlink(next) == -1)
		warn("%s", next);
	if (st.mark != STATE_NONE) {
		iso8601_fmt(st.mark, t);
		info("%s: mark now %s", path, t);
	} else
		info("%s: no mark yet (no device listed)", path);
	return 0;
}

/* ---- files of the roster ---- */

static void
wf_flush(struct wfile *w)
{
	if (w->b.len > 0 && write_all(w->fd, w->b.p, w->b.len, NULL) == -1)
		err(EXIT_TEMPFAIL, "%s", w->name);
	w->b.len = 0;
}

static void
wf_line(struct wfile *w, const char *s, size_t n)
{
	buf_add(&w->b, s, n);
	if (n == 0 || s[n - 1] != '\n')
		buf_addc(&w->b, '\n');
	if (w->b.len >= WBUF)
		wf_flush(w);
}

/* A temporary file beside the roster, already unlinked: none is left. */
static int
tmp_open(struct roster *r)
{
	char p[PATH_MAX];
	int fd;

	memcpy(p, r->tmpl, sizeof(p));
	if ((fd = mkstemp(p)) == -1)
		err(EXIT_CONFIG, "%s", p);
	(void)unlink(p);
	return fd;
}

/* The id of a line, as it is written: 0, or -1 when it has none first. */
static int
line_key(const char *s, size_t n, const char **k, size_t *kn)
{
	size_t i;

	if (n < ID_PRE || memcmp(s, id_pre, ID_PRE) != 0)
		return -1;
	for (i = ID_PRE; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"') {
			*k = s + ID_PRE;
			*kn = i - ID_PRE;
			return *kn > 0 ? 0 : -1;
		}
	}
	return -1;
}

static int
keycmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c != 0 ? c : (an > bn) - (an < bn);
}

/* ---- the run's devices ---- */

struct roster *
roster_begin(const char *state, int replace)
{
	struct roster *r = xcalloc(1, sizeof(*r));
	const char *e, *env;

	path_join(r->path, state, ".roster");
	path_join(r->next, state, ".roster.next");
	path_join(r->tmpl, state, ".roster.tmp.XXXXXX");
	r->replace = replace;
	r->budget = SORT_BUDGET;
	/* Undocumented: a small budget makes tests merge many chunks. */
	if ((env = getenv("OKTA_FETCH_SORT_BYTES")) != NULL) {
		r->budget = (size_t)parse_num(env, 1, 1LL << 40, &e);
		if (e != NULL)
			errx(EXIT_CONFIG, "OKTA_FETCH_SORT_BYTES %s: %s", env, e);
	}
	r->listed.fd = -1;
	r->out.fd = r->del.fd = -1;
	r->oldfd = open_regular(r->path);
	if (r->oldfd >= 0) {
		/* A corrupt roster is said before a request, not after. */
		int fd = dup(r->oldfd);

		if (fd == -1)
			err(EXIT_TEMPFAIL, "%s", r->path);
		lreader_fdopen(&r->old, fd, r->path, LINE_MAX_B);
		for (old_next(r); r->ohave; old_next(r))
			r->nold++;
		lreader_close(&r->old);
		r->hasprev = 0;
	}
	r->listed.fd = tmp_open(r);
	r->listed.name = r->tmpl;
	return r;
}

/* A printed device's roster line, to the run's temporary file. */
void
roster_add(struct roster *r, const struct jdoc *d, long dev)
{
	struct buf *b = &r->line;
	size_t n, pstart;
	long id, v, p;
	char *dec;
	int any = 0;

	id = jmember(d, dev, "id");
	if (id < 0 || d->t[id].type != J_STRING ||
	    d->t[id].end - d->t[id].start <= 2)
		return;		/* okta2ocsf rejects it */
	b->len = 0;
	buf_adds(b, "{\"id\":");
	if (d->t[id].esc) {
		/* One spelling per id, so that the order is the ids'. */
		dec = jstr_dup(d, id, &n);
		buf_json_str(b, dec, n);
		free(dec);
	} else
		buf_add(b, d->s + d->t[id].start, d->t[id].end - d->t[id].start);
	for (const char *const *k = dev_keys; *k != NULL; k++)
		if ((v = jmember(d, dev, *k)) >= 0) {
			buf_adds(b, ",\"");
			buf_adds(b, *k);
			buf_adds(b, "\":");
			jtext(d, v, b);
		}
	if ((p = jmember(d, dev, "profile")) >= 0 &&
	    d->t[p].type == J_OBJECT) {
		pstart = b->len;
		buf_adds(b, ",\"profile\":{");
		for (const char *const *k = prof_keys; *k != NULL; k++)
			if ((v = jmember(d, p, *k)) >= 0) {
				buf_adds(b, any++ ? ",\"" : "\"");
				buf_adds(b, *k);
				buf_adds(b, "\":");
				jtext(d, v, b);
			}
		if (any)
			buf_addc(b, '}');
		else
			b->len = pstart;
	}
	buf_adds(b, "}\n");
	if (b->len > LINE_MAX_B) {
		if (!r->big_told++)
			warnx("a device's roster line is over %d bytes: that "
			    "device is not kept in %s", LINE_MAX_B, r->path);
		return;
	}
	wf_line(&r->listed, b->p, b->len);
	r->nlisted++;
}

/* ---- the sort ---- */

static const char *sort_base;

static int
ent_cmp(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;
	int c = keycmp(sort_base + x->off + ID_PRE, x->klen,
	    sort_base + y->off + ID_PRE, y->klen);

	return c != 0 ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* One chunk sorted in memory, the last of each id kept, to a new run. */
static void
chunk_out(struct roster *r, struct buf *arena, struct ent *e, size_t n)
{
	struct wfile w = { -1, NULL, { 0 } };
	size_t i;

	if (n == 0)
		return;
	sort_base = arena->p;
	qsort(e, n, sizeof(*e), ent_cmp);
	w.fd = tmp_open(r);
	w.name = r->tmpl;
	for (i = 0; i < n; i++)
		if (i + 1 == n || keycmp(arena->p + e[i].off + ID_PRE,
		    e[i].klen, arena->p + e[i + 1].off + ID_PRE,
		    e[i + 1].klen) != 0)
			wf_line(&w, arena->p + e[i].off, e[i].len);
	wf_flush(&w);
	buf_free(&w.b);
	r->runs = xrealloc(r->runs, (r->nruns + 1) * sizeof(*r->runs));
	r->runs[r->nruns++] = w.fd;
	r->nchunks++;
}

/* The run's lines, in chunks of the budget, to sorted runs. */
static void
split(struct roster *r)
{
	struct lreader lr;
	struct buf arena = { 0 };
	struct ent *e = NULL;
	size_t n = 0, cap = 0, seq = 0, len;
	char *line;
	const char *k;
	int rc;

	wf_flush(&r->listed);
	if (lseek(r->listed.fd, 0, SEEK_SET) == -1)
		err(EXIT_TEMPFAIL, "%s", r->tmpl);
	lreader_fdopen(&lr, r->listed.fd, r->tmpl, LINE_MAX_B);
	r->listed.fd = -1;
	while ((rc = lreader_next(&lr, &line, &len)) == LR_LINE) {
		if (n > 0 && arena.len + len + 1 + (n + 1) * sizeof(*e) >
		    r->budget) {
			chunk_out(r, &arena, e, n);
			arena.len = n = 0;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			e = xrealloc(e, cap * sizeof(*e));
		}
		e[n].off = arena.len;
		e[n].len = len;
		e[n].seq = seq++;
		if (line_key(line, len, &k, &e[n].klen) == -1)
			errx(EXIT_TEMPFAIL, "%s: a line not written by "
			    "okta-fetch", r->tmpl);
		buf_add(&arena, line, len);
		n++;
	}
	if (rc != LR_EOF)
		err(EXIT_TEMPFAIL, "%s", r->tmpl);
	chunk_out(r, &arena, e, n);
	lreader_close(&lr);
	buf_free(&arena);
	free(e);
}

/* One line of a run, or its end. */
struct head {
	struct lreader	 lr;
	char		*line;
	size_t		 len, klen;
	const char	*key;
	int		 live;
};

static void
head_next(struct roster *r, struct head *h)
{
	int rc = lreader_next(&h->lr, &h->line, &h->len);

	if (rc == LR_EOF) {
		h->live = 0;
		lreader_close(&h->lr);
		return;
	}
	if (rc != LR_LINE || line_key(h->line, h->len, &h->key,
	    &h->klen) == -1)
		err(EXIT_TEMPFAIL, "%s", r->tmpl);
}

/*
 * Merge N sorted runs into SINK, each id once: of equal ids, the later
 * run's line (the device as last listed).  The runs are closed.
 */
static void
merge(struct roster *r, const int *fds, size_t n, sink_fn *sink, void *arg)
{
	struct head *h = xcalloc(n, sizeof(*h));
	size_t i, best;
	int any;

	for (i = 0; i < n; i++) {
		if (lseek(fds[i], 0, SEEK_SET) == -1)
			err(EXIT_TEMPFAIL, "%s", r->tmpl);
		lreader_fdopen(&h[i].lr, fds[i], r->tmpl, LINE_MAX_B);
		h[i].live = 1;
		head_next(r, &h[i]);
	}
	for (;;) {
		any = 0;
		best = 0;
		for (i = 0; i < n; i++)
			if (h[i].live && (!any || keycmp(h[i].key, h[i].klen,
			    h[best].key, h[best].klen) <= 0)) {
				best = i;
				any = 1;
			}
		if (!any)
			break;
		sink(r, arg, h[best].line, h[best].len, h[best].key,
		    h[best].klen);
		for (i = 0; i < n; i++)
			if (i != best && h[i].live && keycmp(h[i].key,
			    h[i].klen, h[best].key, h[best].klen) == 0)
				head_next(r, &h[i]);
		head_next(r, &h[best]);
	}
	free(h);
}

static void
to_file(struct roster *r, void *arg, const char *s, size_t n, const char *k,
    size_t kn)
{
	(void)r;
	(void)k;
	(void)kn;
	wf_line(arg, s, n);
}

/* Merge passes until at most FANIN runs are left. */
static void
reduce(struct roster *r)
{
	while (r->nruns > FANIN) {
		size_t i, m = 0;

		for (i = 0; i < r->nruns; i += FANIN) {
			struct wfile w = { tmp_open(r), r->tmpl, { 0 } };
			size_t k = r->nruns - i < FANIN ? r->nruns - i : FANIN;

			merge(r, r->runs + i, k, to_file, &w);
			wf_flush(&w);
			buf_free(&w.b);
			r->runs[m++] = w.fd;
		}
		r->nruns = m;
		r->passes++;
	}
}

/* ---- the join with the old roster ---- */

static int
key_is(const struct jdoc *d, long k, const char *name)
{
	size_t n = strlen(name), dn;
	char *dec;
	int eq;

	if (!d->t[k].esc)
		return d->t[k].end - d->t[k].start - 2 == n &&
		    memcmp(d->s + d->t[k].start + 1, name, n) == 0;
	dec = jstr_dup(d, k, &dn);
	eq = dn == n && memcmp(dec, name, n) == 0;
	free(dec);
	return eq;
}

/*
 * The next line of the old roster, checked: a JSON object whose first
 * member is a string id greater than the line before's.
 */
static void
old_next(struct roster *r)
{
	const char *why;
	unsigned long ln;

	if (r->ohave) {
		r->prev.len = 0;
		buf_add(&r->prev, r->okey, r->oklen);
		r->hasprev = 1;
	}
	r->ohave = 0;
	switch (lreader_next(&r->old, &r->oline, &r->olen)) {
	case LR_EOF:
		return;
	case LR_TOOLONG:
		errx(EXIT_CONFIG, "%s:%lu: a line of more than %d bytes: the "
		    "roster is corrupt; remove it, and the next full run "
		    "writes a new one", r->path, r->old.lineno, LINE_MAX_B);
	case LR_ERROR:
		err(EXIT_CONFIG, "%s", r->path);
	}
	ln = r->old.lineno;
	if (jscan(&r->doc, r->oline, r->olen, &why) != JSCAN_OK ||
	    r->doc.t[0].type != J_OBJECT)
		errx(EXIT_CONFIG, "%s:%lu: not a JSON object: the roster is "
		    "corrupt; remove it, and the next full run writes a new "
		    "one", r->path, ln);
	if (line_key(r->oline, r->olen, &r->okey, &r->oklen) == -1)
		errx(EXIT_CONFIG, "%s:%lu: does not start with a device "
		    "\"id\": the roster is corrupt; remove it, and the next "
		    "full run writes a new one", r->path, ln);
	if (r->hasprev && keycmp(r->prev.p, r->prev.len, r->okey,
	    r->oklen) >= 0)
		errx(EXIT_CONFIG, "%s:%lu: not sorted by id (%.*s after %.*s): "
		    "the roster is corrupt; remove it, and the next full run "
		    "writes a new one", r->path, ln, (int)(r->oklen > 64 ? 64 :
		    r->oklen), r->okey, (int)(r->prev.len > 64 ? 64 :
		    r->prev.len), r->prev.p);
	r->ohave = 1;
}

/* The old line, which the full listing did not hold: status DELETED. */
static void
vanished(struct roster *r)
{
	const struct jdoc *d = &r->doc;
	struct buf *b = &r->line;
	long i;

	b->len = 0;
	buf_add(b, r->oline, ID_PRE + r->oklen + 1);
	buf_adds(b, ",\"status\":\"DELETED\"");
	for (i = 1; i < (long)d->t[0].next; i = d->t[i + 1].next) {
		if (key_is(d, i, "id") || key_is(d, i, "status"))
			continue;
		buf_addc(b, ',');
		buf_add(b, d->s + d->t[i].start, d->t[i].end - d->t[i].start);
		buf_addc(b, ':');
		jtext(d, i + 1, b);
	}
	buf_adds(b, "}\n");
	wf_line(&r->del, b->p, b->len);
	r->vanished++;
}

/* An old line the new listing has nothing for. */
static void
old_unmatched(struct roster *r)
{
	if (r->replace)
		vanished(r);
	else
		wf_line(&r->out, r->oline, r->olen);
}

static void
join(struct roster *r, void *arg, const char *s, size_t n, const char *k,
    size_t kn)
{
	int c = 1;

	(void)arg;
	while (r->ohave && (c = keycmp(r->okey, r->oklen, k, kn)) < 0) {
		old_unmatched(r);
		old_next(r);
	}
	if (r->ohave && c == 0)
		old_next(r);	/* the device as listed now wins */
	wf_line(&r->out, s, n);
}

/*
 * After the last page: FILE.roster.next written and synced, then each
 * vanished device printed to OUT.  Returns how many vanished.
 */
unsigned long
roster_end(struct roster *r, FILE *out)
{
	char buf[WBUF];
	ssize_t n;

	/*
	 * An empty answer is no proof that every device was deleted (a
	 * token whose role sees none, a server that lies): refused, and
	 * nothing is printed or written.
	 */
	if (r->replace && r->nlisted == 0 && r->nold > 0)
		errx(EXIT_REFUSED, "the full listing holds no device, %s holds "
		    "%lu: not taken for all of them deleted (can the token's "
		    "admin role read devices?); if the org has none left, "
		    "remove %s", r->path, r->nold, r->path);
	split(r);
	reduce(r);
	debug("%s: sorted in %zu chunk%s, %u merge pass%s before the join",
	    r->path, r->nchunks, r->nchunks == 1 ? "" : "s", r->passes,
	    r->passes == 1 ? "" : "es");
	r->out.fd = open(r->next, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (r->out.fd == -1)
		err(EXIT_CONFIG, "%s", r->next);
	r->out.name = r->next;
	r->del.fd = tmp_open(r);
	r->del.name = r->tmpl;
	if (r->oldfd >= 0) {
		if (lseek(r->oldfd, 0, SEEK_SET) == -1)
			err(EXIT_CONFIG, "%s", r->path);
		lreader_fdopen(&r->old, r->oldfd, r->path, LINE_MAX_B);
		r->oldfd = -1;
		old_next(r);
	}
	merge(r, r->runs, r->nruns, join, NULL);
	r->nruns = 0;
	while (r->ohave) {
		old_unmatched(r);
		old_next(r);
	}
	wf_flush(&r->out);
	if (fsync(r->out.fd) == -1 || close(r->out.fd) == -1)
		err(EXIT_TEMPFAIL, "%s", r->next);
	r->out.fd = -1;

	wf_flush(&r->del);
	if (lseek(r->del.fd, 0, SEEK_SET) == -1)
		err(EXIT_TEMPFAIL, "%s", r->tmpl);
	while ((n = read(r->del.fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)n, out) != (size_t)n)
			err(EXIT_TEMPFAIL, "stdout");
	if (n == -1)
		err(EXIT_TEMPFAIL, "%s", r->tmpl);
	if (fflush(out) == EOF)
		err(EXIT_TEMPFAIL, "stdout");
	return r->vanished;
}

void
roster_free(struct roster *r)
{
	size_t i;

	if (r == NULL)
		return;
	if (r->old.buf != NULL)
		lreader_close(&r->old);
	if (r->oldfd >= 0)
		close(r->oldfd);
	if (r->listed.fd >= 0)
		close(r->listed.fd);
	if (r->out.fd >= 0)
		close(r->out.fd);
	if (r->del.fd >= 0)
		close(r->del.fd);
	for (i = 0; i < r->nruns; i++)
		close(r->runs[i]);
	free(r->runs);
	buf_free(&r->listed.b);
	buf_free(&r->out.b);
	buf_free(&r->del.b);
	buf_free(&r->line);
	buf_free(&r->prev);
	jdoc_free(&r->doc);
	free(r);
}
