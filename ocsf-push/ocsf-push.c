/*
 * ocsf-push: send OCSF records (NDJSON) in batches to Sekoia.io's
 * asset-connector API, losing none: every input line is either accepted
 * by the API or written, verbatim, to FAILED.
 *
 * One loop drives everything: it reads input when there is room for it,
 * closes batches by count, size and age, and runs up to -P requests at
 * once through libcurl's multi interface, each slot with its own handle
 * (so its own kept-alive connection).  Signals arrive through a pipe that
 * the loop polls along with the sockets and the input.
 *
 * A batch the API refuses as a whole (400, 422: some item is bad; 413:
 * too large) is split in halves, which wait in a queue ahead of new
 * batches, until each refused item stands alone.  When the first records
 * refused alone are all there is (EARLY_STOP of them, none accepted), the
 * API refuses what the input is: no more splitting, exit 69.
 *
 * An accepted batch whose answer names an ingestion task is kept until
 * the task is final (task.c); its polls share the slots.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "push.h"

#define BATCH_MAX	10000
#define MAX_BYTES_DEF	(4 * 1024 * 1024)
#define PAR_MAX		16
#define STOP_GRACE_MS	5000	/* in-flight requests get this on a signal */
#define RESPBODY_MAX	(64 * 1024)	/* of an answer: its error, its task */
#define EARLY_STOP	8	/* records refused alone, none accepted: 69 */
#define TASK_WAIT_DEF	300	/* --task-wait */
#define FAILED_FLUSH	(64 * 1024)	/* FAILED's buffer, whole lines */
#define BODY_HEAD	"{\"version\":1,\"items\":["
#define BODY_TAIL	"]}"
#define HTTP_BAD_REQUEST	400	/* some item of the batch is refused */
#define HTTP_TOO_LARGE		413	/* the body is too large */
#define HTTP_UNPROCESSABLE	422	/* some item of the batch is refused */
/* The product document's connector *type*, which is no connector. */
#define TYPE_UUID	"b6e2c8a2-4f3b-4e7a-8c1d-2e4f3a6b7c9d"

static const char synopsis[] =
    "usage: ocsf-push [-nqv] [-b BATCH] [-B MAX_BYTES] [-i SECONDS] [-P N]\n"
    "                 [-f FAILED] [--max-retries N] [--max-wait SEC]\n"
    "                 [--timeout SEC] [--task-wait SEC] [--cacert FILE]\n"
    "                 [--stats FILE] [file ...]\n"
    "       ocsf-push --check [-qv] [--timeout SEC] [--cacert FILE]\n"
    "                 [--stats FILE]\n";

static const char help_text[] =
    "\n"
    "  -B MAX_BYTES       largest request body, 1024 to 67108864 (4194304)\n"
    "  -b BATCH           most items in one request, 1 to 10000 (100)\n"
    "  -f FAILED          where lines not accepted go, appended (stdout)\n"
    "  -h, --help         print this help and exit\n"
    "  -i SECONDS         send a partial batch this old (5)\n"
    "  -n                 dry run: print each request body, send nothing\n"
    "  -P N               batches in flight at once, 1 to 16 (1)\n"
    "  -q                 errors only\n"
    "  -V, --version      print the version and exit\n"
    "  -v                 more detail; -vv adds libcurl's header trace\n"
    "  --cacert FILE      also trust the CAs in FILE (PEM)\n"
    "  --check            test the key and the connector with one request\n"
    "  --max-retries N    retries per batch, 0 to 100 (8)\n"
    "  --max-wait SEC     longest server wait hint obeyed (300)\n"
    "  --stats FILE       write the run's counters to FILE as JSON\n"
    "  --task-wait SEC    wait for a batch's ingestion task, 0 to 86400;\n"
    "                     0 never polls (300)\n"
    "  --timeout SEC      give up on a request after SEC (60)\n"
    "\n"
    "environment:\n"
    "  SEKOIA_API_KEY         the API key\n"
    "  SEKOIA_CONNECTOR_UUID  the UUID of your asset connector\n"
    "  SEKOIA_REGION          FRA1, FRA2, MCO1, UAE1 or USA1 (FRA1)\n"
    "  SEKOIA_BASE_URL        the API's URL instead of a region\n"
    "  SEKOIA_API_KEY_FILE, SEKOIA_CONNECTOR_UUID_FILE, SEKOIA_REGION_FILE,\n"
    "  SEKOIA_BASE_URL_FILE   any of these four read from a file\n"
    "  http_proxy, https_proxy, HTTPS_PROXY, ALL_PROXY, no_proxy\n"
    "                         libcurl's proxy settings\n"
    "\n"
    "See ocsf-push(1).\n";

static struct {
	int		 batch_max;
	size_t		 max_bytes;
	int64_t		 interval_ms;
	int		 par;
	int		 dry_run;
	int		 check;
	const char	*failed_name;
	const char	*stats;
	int64_t		 task_wait_ms;
	struct http_opts hopt;
} opt = { 100, MAX_BYTES_DEF, 5000, 1, 0, 0, NULL, NULL,
    TASK_WAIT_DEF * 1000, { 0 } };

static const struct {
	const char	*name, *url;
} regions[] = {
	/* As Sekoia documents them (developer quickstart). */
	{ "FRA1", "https://api.sekoia.io" },
	{ "FRA2", "https://app.fra2.sekoia.io/api" },
	{ "MCO1", "https://app.mco1.sekoia.io/api" },
	{ "UAE1", "https://app.uae1.sekoia.io/api" },
	{ "USA1", "https://app.usa1.sekoia.io/api" },
};

static char *url, *task_url, *key;
static char uuid[40] = "{uuid}";
static struct curl_slist *hdrs, *poll_hdrs;
static CURLM *multi;
static struct slot slots[PAR_MAX];
static struct batch *cur;	/* being filled */
static struct batch *queue;	/* split halves, sent before cur */
static size_t lim_items, lim_bytes;	/* lowered by a 413 */
static struct jdoc doc;		/* the line being checked */
static int failed_fd = -1;
static struct buf fbuf;		/* FAILED lines not yet written */
static int failed_err;
static int out_err;		/* stdout (-n bodies) could not be written */
static int input_err;		/* an input could not be read to its end */
static int dead;		/* 77, 75 or 69: no more requests */
static int any_rejected;	/* exit 1 at the end */
static int any_accepted;	/* some batch got a 2xx */
static int any_refused;		/* some batch got a 400, 413 or 422 */
static int last_was_poll;	/* the last request started polls a task */
static int not_ingested;	/* a task failed: exit 75 at the end */
static unsigned long refused_alone;	/* records the API refused alone */
static char first_refusal[800];	/* the first of them, and why */
static volatile sig_atomic_t got_signal;
static int sigpipe[2];
static struct {
	unsigned long	 read, accepted, batches, retries, rejected, failed;
	unsigned long	 lost;		/* failed, and FAILED could not take them */
	unsigned long	 unaccounted;	/* --stats "lost": read, in no verdict */
} st;
static double seconds;
static const struct stat_field stat_fields[] = {
	{ "lines", &st.read, NULL },
	{ "accepted", &st.accepted, NULL },
	{ "batches", &st.batches, NULL },
	{ "retries", &st.retries, NULL },
	{ "rejected", &st.rejected, NULL },
	{ "failed", &st.failed, NULL },
	{ "batches_confirmed", &task_st.confirmed, NULL },
	{ "batches_ingest_failed", &task_st.failed, NULL },
	{ "batches_unconfirmed", &task_st.unconfirmed, NULL },
	{ "lost", &st.unaccounted, NULL },
	{ "seconds", NULL, &seconds },
	{ NULL, NULL, NULL }
};

/*
 * --stats "lost": the lines read that are neither accepted nor in FAILED
 * (read - accepted - failed, plus those FAILED could not take).  Not a
 * counter of its own but the balance of the others, so that a line
 * dropped by a bug shows too; always 0 unless FAILED failed.
 */
static void
count_lost(void)
{
	unsigned long done = st.accepted + st.failed - st.lost;

	st.unaccounted = st.read > done ? st.read - done : 0;
}

static void NORETURN
usage(void)
{
	fputs(synopsis, stderr);
	exit(stats_exit(EXIT_USAGE));
}

static void
on_signal(int sig)
{
	int e = errno;
	ssize_t w;

	got_signal = sig;
	/* Failing, the pipe is full: it holds a wake-up already. */
	w = write(sigpipe[1], "", 1);
	(void)w;
	errno = e;
}

/*
 * Write what FAILED's buffer holds, whole lines, with write(2): no stdio
 * buffer keeps a line that the summary reports as saved.  A failure there
 * is data lost, so it is loud, and the lines are counted as lost.
 */
static void
failed_flush(void)
{
	size_t done;

	if (fbuf.len == 0)
		return;
	if (!failed_err && write_all(failed_fd, fbuf.p, fbuf.len, &done) < 0) {
		/* (Set before any line is read: the name is there.) */
		warn("%s: write error: failed lines are not being saved",
		    opt.failed_name != NULL ? opt.failed_name : "FAILED");
		failed_err = 1;
	} else if (!failed_err)
		done = fbuf.len;
	else
		done = 0;
	for (size_t i = done; i < fbuf.len; i++)
		if (fbuf.p[i] == '\n')
			st.lost++;
	fbuf.len = 0;
}

/* Raw bytes to FAILED (a long line being copied); no line counted. */
static void
failed_raw(const char *p, size_t n)
{
	if (failed_fd < 0)
		return;
	buf_add(&fbuf, p, n);
	if (fbuf.len >= FAILED_FLUSH)
		failed_flush();
}

/* One line to FAILED. */
static void
save_failed(const char *p, size_t n)
{
	st.failed++;
	if (failed_fd < 0)
		return;
	buf_add(&fbuf, p, n);
	buf_addc(&fbuf, '\n');
	if (fbuf.len >= FAILED_FLUSH)
		failed_flush();
}

static struct batch *
batch_new(const char *name)
{
	struct batch *b = xcalloc(1, sizeof(*b));

	buf_adds(&b->body, BODY_HEAD);
	b->name = name;
	return b;
}

void
batch_free(struct batch *b)
{
	if (b == NULL)
		return;
	buf_free(&b->body);
	free(b->start);
	free(b->len);
	free(b->line);
	free(b);
}

static void
batch_add(struct batch *b, const char *item, size_t n, unsigned long line)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->start = xrealloc(b->start, b->cap * sizeof(size_t));
		b->len = xrealloc(b->len, b->cap * sizeof(size_t));
		b->line = xrealloc(b->line, b->cap * sizeof(unsigned long));
	}
	if (b->n > 0)
		buf_addc(&b->body, ',');
	else
		b->t_first = mono_ms();
	b->start[b->n] = b->body.len;
	b->len[b->n] = n;
	b->line[b->n] = line;
	buf_add(&b->body, item, n);
	b->n++;
}

/* Every item of a batch to FAILED, then the batch is gone. */
static void
batch_fail(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		save_failed(b->body.p + b->start[i], b->len[i]);
	failed_flush();
	batch_free(b);
}

/* The API accepted the batch, then failed to ingest it: FAILED, 75. */
void
batch_not_ingested(struct batch *b)
{
	st.accepted -= b->n;
	not_ingested = 1;
	batch_fail(b);
}

/* Items [from, to) of a closed batch as a closed batch of their own. */
static struct batch *
batch_part(const struct batch *b, size_t from, size_t to)
{
	struct batch *h = batch_new(b->name);

	for (size_t i = from; i < to; i++)
		batch_add(h, b->body.p + b->start[i], b->len[i], b->line[i]);
	h->t_first = b->t_first;
	buf_adds(&h->body, BODY_TAIL);
	return h;
}

/* Replace B by its two halves at the head of the queue, in input order. */
static void
split(struct batch *b)
{
	struct batch *h1 = batch_part(b, 0, (b->n + 1) / 2);
	struct batch *h2 = batch_part(b, (b->n + 1) / 2, b->n);

	h2->next = queue;
	h1->next = h2;
	queue = h1;
	batch_free(b);
}

static void
queue_fail(void)
{
	struct batch *b;

	while ((b = queue) != NULL) {
		queue = b->next;
		batch_fail(b);
	}
}

static size_t
resp_cb(char *p, size_t size, size_t n, void *arg)
{
	struct slot *s = arg;
	size_t len = size * n;

	if (s->respbody.len < RESPBODY_MAX)
		buf_add(&s->respbody, p, len < RESPBODY_MAX ? len :
		    RESPBODY_MAX);
	return len;
}

/* Start the slot's request: its batch's POST, or its task's poll. */
static void
slot_start(struct slot *s)
{
	http_resp_reset(&s->resp);
	s->respbody.len = 0;
	s->errbuf[0] = '\0';
	last_was_poll = s->b == NULL;
	if (s->b != NULL) {
		curl_easy_setopt(s->c, CURLOPT_URL, url);
		curl_easy_setopt(s->c, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(s->c, CURLOPT_POST, 1L);
		curl_easy_setopt(s->c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)s->b->body.len);
		curl_easy_setopt(s->c, CURLOPT_POSTFIELDS, s->b->body.p);
	}
	curl_multi_add_handle(multi, s->c);
	s->running = 1;
}

static struct slot *
free_slot(void)
{
	for (int i = 0; i < opt.par; i++)
		if (slots[i].b == NULL && slots[i].t == NULL)
			return &slots[i];
	return NULL;
}

/*
 * A free slot takes a due poll (a small GET, and what frees a kept
 * batch) before the next batch; but when a batch is WAITING for a slot
 * and the last request started was a poll, the batch goes first: polls
 * and batches take turns, neither starves.  Returns when a poll or a
 * task's deadline is due next, or -1.
 */
static int64_t
start_polls(int64_t now, int waiting)
{
	struct slot *s;
	int64_t next;

	for (;;) {
		/* (At the bound no batch can go: then polls only.) */
		s = dead || (waiting && last_was_poll && !task_full()) ? NULL :
		    free_slot();
		if (!task_poll(s, now, &next) || s == NULL)
			return next;
		slot_start(s);
	}
}

/* The polls whose task's time is up, or all (-1), are cut. */
static void
cut_polls(int64_t now)
{
	for (int i = 0; i < opt.par; i++)
		if (slots[i].t != NULL && (now < 0 ||
		    task_late(&slots[i], now))) {
			curl_multi_remove_handle(multi, slots[i].c);
			slots[i].running = 0;
			task_cut(&slots[i]);
		}
}

/*
 * No more polling (a signal, or the service is gone): the batches whose
 * task is open stay accepted, unconfirmed; their lines go nowhere.
 */
static void
drop_tasks(void)
{
	cut_polls(-1);
	task_stop();
}

/* Can a new batch go?  A free slot, and room to keep it for its task. */
static int
can_send(void)
{
	return opt.dry_run || (free_slot() != NULL && !task_full());
}

/*
 * Refused, and nothing accepted yet: the API may refuse what the input
 * is.  One batch at a time then, so that finding that out costs the
 * halvings of one batch (about 2 log2(BATCH) + 8 requests), not of -P
 * batches at once; the first 2xx ends it.
 */
static int
probing(void)
{
	if (any_accepted || !any_refused)
		return 0;
	for (int i = 0; i < opt.par; i++)
		if (slots[i].b != NULL)
			return 1;
	return 0;
}

/* Requests in flight or waiting to retry, or halves waiting to go. */
static int
busy(void)
{
	if (queue != NULL)
		return 1;
	for (int i = 0; i < opt.par; i++)
		if (slots[i].b != NULL)
			return 1;
	return 0;
}

/* Print a closed batch's body on stdout (-n), after FAILED's lines. */
static void
dry_print(struct batch *b)
{
	size_t done;

	failed_flush();
	buf_addc(&b->body, '\n');
	if (!out_err && write_all(STDOUT_FILENO, b->body.p, b->body.len,
	    &done) < 0) {
		warn("stdout: write error");
		out_err = 1;
	}
	st.batches++;
	batch_free(b);
}

/*
 * Send the queued batches while slots are free.  One larger than what a
 * 413 taught is split first, without a request.
 */
static void
start_queued(void)
{
	struct slot *s;
	struct batch *b;

	while ((b = queue) != NULL) {
		if (b->n > 1 && (b->n > lim_items || b->body.len > lim_bytes)) {
			queue = b->next;
			split(b);
			continue;
		}
		if (dead) {
			queue = b->next;
			batch_fail(b);
			continue;
		}
		if (opt.dry_run) {
			queue = b->next;
			dry_print(b);
			continue;
		}
		if (task_full() || (s = free_slot()) == NULL || probing())
			return;
		queue = b->next;
		b->next = NULL;
		s->b = b;
		s->attempt = 0;
		s->not_before = 0;
		st.batches++;
		slot_start(s);
	}
}

/*
 * The service cannot be used any more: batches waiting to retry or in
 * the queue go to FAILED now; those in flight finish (what the API
 * accepts stays accepted) but are not retried; the rest of the input
 * follows them.
 */
static void
give_up(int status)
{
	if (!dead)
		dead = status;
	for (int i = 0; i < opt.par; i++) {
		struct slot *s = &slots[i];

		if (s->b != NULL && !s->running) {
			batch_fail(s->b);
			s->b = NULL;
		}
	}
	queue_fail();
	if (cur != NULL) {
		batch_fail(cur);
		cur = NULL;
	}
}

/*
 * Close the batch being filled: into the queue, which sends it.  Returns
 * 0, the batch kept, when the queue or the slots are full: the caller
 * waits.
 */
static int
close_batch(void)
{
	if (cur == NULL || cur->n == 0)
		return 1;
	if (dead) {
		batch_fail(cur);
		cur = NULL;
		return 1;
	}
	if (queue != NULL || !can_send())
		return 0;
	buf_adds(&cur->body, BODY_TAIL);
	queue = cur;
	cur = NULL;
	start_queued();
	return 1;
}

/* Does an object look like a raw Okta device (okta-fetch's output)? */
static int
okta_device(void)
{
	return jmember(&doc, 0, "resourceType") >= 0 ||
	    (jmember(&doc, 0, "id") >= 0 && jmember(&doc, 0, "profile") >= 0);
}

/*
 * Is the line an OCSF record, one JSON object with an integer class_uid
 * and nothing else?  NULL, or why not.
 */
static const char *
not_record(const char *line, size_t n)
{
	static char msg[160];
	const struct jtok *t;
	const char *why;
	long k;
	int r;

	if ((r = jscan(&doc, line, n, &why)) == JSCAN_SHORT)
		return "invalid JSON: the line ends inside a value";
	if (r == JSCAN_BAD) {
		snprintf(msg, sizeof(msg), "invalid JSON: %s at byte %zu", why,
		    doc.err_at + 1);
		return msg;
	}
	if (doc.t[0].type != J_OBJECT)
		return "not an OCSF record: not a JSON object";
	if ((k = jmember(&doc, 0, "class_uid")) < 0)
		return okta_device() ? "not an OCSF record: did you forget "
		    "okta2ocsf? (this looks like an Okta device)" :
		    "not an OCSF record: no class_uid";
	t = &doc.t[k];
	if (t->type != J_NUMBER)
		return "not an OCSF record: class_uid is not an integer";
	/* JSON grammar already checked: no fraction, no exponent. */
	for (uint32_t i = t->start; i < t->end; i++)
		if (line[i] == '.' || line[i] == 'e' || line[i] == 'E')
			return "not an OCSF record: class_uid is not an "
			    "integer";
	return NULL;
}

/*
 * Take one input line: to FAILED when the service is gone or the line is
 * no OCSF record, else into the batch.  Returns 0 when the line must wait
 * for a free slot (it is then taken again).
 */
static int
take_line(const struct lreader *lr, const char *line, size_t n)
{
	const char *why;
	size_t need;

	if (dead) {
		save_failed(line, n);
		return 1;
	}
	need = strlen(BODY_HEAD) + n + strlen(BODY_TAIL);
	if (need > opt.max_bytes) {
		warnx("%s:%lu: line of %zu bytes: a batch of it alone would "
		    "pass -B %zu", lr->name, lr->lineno, n, opt.max_bytes);
		st.rejected++;
		any_rejected = 1;
		save_failed(line, n);
		return 1;
	}
	if ((why = not_record(line, n)) != NULL) {
		warnx("%s:%lu: %s", lr->name, lr->lineno, why);
		st.rejected++;
		any_rejected = 1;
		save_failed(line, n);
		return 1;
	}
	if (cur != NULL && cur->n > 0 && (cur->n >= lim_items ||
	    cur->body.len + 1 + n + strlen(BODY_TAIL) > lim_bytes) &&
	    !close_batch())
		return 0;
	if (cur == NULL)
		cur = batch_new(lr->name);
	batch_add(cur, line, n, lr->lineno);
	if (cur->n >= lim_items)
		close_batch();	/* if no slot is free it waits in cur */
	return 1;
}

static void
report_retry(struct slot *s, const char *why, long long wait)
{
	int left = opt.hopt.max_retries - s->attempt - 1;

	info("%s: retrying a batch of %zu in %.1f s (%d %s left)", why,
	    s->b->n, wait / 1000.0, left, left == 1 ? "retry" : "retries");
}

/*
 * A 400, 422 or 413 for a whole batch: halves, until the refused item
 * stands alone; that one is rejected.
 */
static void
refused_batch(struct slot *s, long status, const char *why)
{
	struct batch *b = s->b;

	s->b = NULL;
	any_refused = 1;
	if (b->n > 1) {
		if (status == HTTP_TOO_LARGE) {
			size_t half = (b->n + 1) / 2;

			if (half < lim_items) {
				info("%s: a batch of %zu items (%zu bytes) is too "
				    "large; sending it in halves, and later "
				    "batches of at most %zu", why, b->n,
				    b->body.len, half);
				lim_items = half;
			}
			if (b->body.len - 1 < lim_bytes)
				lim_bytes = b->body.len - 1;
		} else
			debug("%s: splitting a batch of %zu to find the "
			    "refused items", why, b->n);
		split(b);
		return;
	}
	warnx("%s:%lu: refused by the API: %s%s", b->name, b->line[0], why,
	    status == HTTP_TOO_LARGE ? " (too large even alone)" : "");
	if (refused_alone++ == 0)
		snprintf(first_refusal, sizeof(first_refusal), "%s:%lu: %s",
		    b->name, b->line[0], why);
	st.rejected++;
	any_rejected = 1;
	batch_fail(b);
	if (refused_alone == EARLY_STOP && !any_accepted) {
		warnx("the API refused each of the first %d records sent alone "
		    "and accepted none: it refuses what this input is (records "
		    "for another consumer, such as okta2ocsf -T ocsf output, or "
		    "a changed model?); first refusal %s; no more requests, "
		    "every line not accepted goes to %s", EARLY_STOP,
		    first_refusal, opt.failed_name);
		give_up(EXIT_REFUSED);
	}
}

/* A request finished: accept, retry, split, fail the batch or give up. */
static void
finished(struct slot *s, CURLcode rc)
{
	char why[700], api[512];
	enum http_verdict v;
	long status = 0;
	long long wait;
	int r;

	curl_multi_remove_handle(multi, s->c);
	s->running = 0;
	if (s->t != NULL) {
		task_answer(s, rc);
		return;
	}
	curl_easy_getinfo(s->c, CURLINFO_RESPONSE_CODE, &status);
	s->resp.status = status;
	v = http_classify(rc, status);
	if (v == HTTP_OK) {
		st.accepted += s->b->n;
		any_accepted = 1;
		debug("batch of %zu accepted (HTTP %ld)", s->b->n, status);
		if (!task_take(s->b, s->respbody.p, s->respbody.len))
			batch_free(s->b);
		s->b = NULL;
		return;
	}
	http_api_error(s->respbody.p, s->respbody.len, api, sizeof(api));
	if (rc != CURLE_OK)
		snprintf(why, sizeof(why), "%s", http_errstr(rc, s->errbuf));
	else
		snprintf(why, sizeof(why), "HTTP %ld%s%s", status,
		    *api ? " " : "", api);
	if (dead || got_signal) {
		batch_fail(s->b);
		s->b = NULL;
		return;
	}
	if (rc == CURLE_OK && (status == HTTP_BAD_REQUEST ||
	    status == HTTP_UNPROCESSABLE || status == HTTP_TOO_LARGE)) {
		refused_batch(s, status, why);
		return;
	}
	switch (v) {
	case HTTP_AUTH:
		warnx("%s: the API key was refused (check SEKOIA_API_KEY and "
		    "that it may push to connector %s); no more requests, "
		    "the rest goes to %s", why, uuid, opt.failed_name);
		batch_fail(s->b);
		s->b = NULL;
		give_up(EXIT_NOPERM);
		return;
	case HTTP_REFUSED:
		if (rc == CURLE_OK && status >= 400 && status < 500)
			warnx("%s: POST %s: no batch can succeed: check the "
			    "connector UUID (SEKOIA_CONNECTOR_UUID %s) and the "
			    "region (SEKOIA_REGION or SEKOIA_BASE_URL); no more "
			    "requests, the rest goes to %s", why, url, uuid,
			    opt.failed_name);
		else
			warnx("%s: POST %s: the service cannot be used; no "
			    "more requests, the rest goes to %s", why, url,
			    opt.failed_name);
		batch_fail(s->b);
		s->b = NULL;
		give_up(EXIT_REFUSED);
		return;
	default:
		break;
	}
	/* Worth another try, unless the tries or the patience ran out. */
	if ((r = http_retry_next(&opt.hopt, &s->resp, s->attempt,
	    opt.hopt.max_retries, &wait)) != 0) {
		if (r == HTTP_RETRY_TOO_LONG)
			warnx("%s: the server asks to wait %lld s, more than "
			    "--max-wait; no more requests, the rest goes to "
			    "%s", why, (wait + 999) / 1000, opt.failed_name);
		else
			warnx("%s: giving up after %d %s; no more requests, "
			    "the rest goes to %s", why, opt.hopt.max_retries,
			    opt.hopt.max_retries == 1 ? "retry" : "retries",
			    opt.failed_name);
		batch_fail(s->b);
		s->b = NULL;
		give_up(EXIT_TEMPFAIL);
		return;
	}
	report_retry(s, why, wait);
	s->attempt++;
	st.retries++;
	s->not_before = mono_ms() + wait;
}

/* Handle the finished requests; how many there were. */
static int
reap(void)
{
	CURLMsg *m;
	int left, done = 0;

	while ((m = curl_multi_info_read(multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		done++;
		for (int i = 0; i < opt.par; i++)
			if (slots[i].c == m->easy_handle) {
				finished(&slots[i], m->data.result);
				break;
			}
	}
	return done;
}

/* Restart the batches whose retry time has come; the next such time. */
static int64_t
restart_due(int64_t now)
{
	int64_t next = -1;

	for (int i = 0; i < opt.par; i++) {
		struct slot *s = &slots[i];

		if (s->b == NULL || s->running)
			continue;
		if (s->not_before <= now)
			slot_start(s);
		else if (next < 0 || s->not_before < next)
			next = s->not_before;
	}
	return next;
}

/*
 * Bytes after the last newline of what the reader holds: an unfinished
 * line, unless the input ended there.
 */
static size_t
unfinished(const struct lreader *lr)
{
	const char *p = lr->buf + lr->off;
	size_t n = lr->len;

	while (n > 0 && p[n - 1] != '\n')
		n--;
	return lr->len - n;
}

/*
 * Reading failed (a reset socket, an I/O error): reading that input ends
 * there, as at its end; the complete lines already read are still taken,
 * an unfinished one is not a line and is dropped.
 */
static void
read_failed(struct lreader *lr)
{
	int e = errno;
	size_t drop = unfinished(lr);

	lr->len -= drop;
	lr->scan = 0;
	lr->eof = 1;
	errno = e;
	if (e == EISDIR) {
		warn("%s", lr->name);	/* skipped, like a missing file */
		any_rejected = 1;
		return;
	}
	input_err = 1;
	if (drop > 0)
		warn("%s: read error, reading it ends here; %zu byte%s of an "
		    "unfinished line dropped", lr->name, drop,
		    drop == 1 ? "" : "s");
	else
		warn("%s: read error, reading it ends here", lr->name);
}

/* After a signal: the complete lines still buffered go to FAILED. */
static void
drain_buffered(struct lreader *lr)
{
	char *p = lr->buf + lr->off, *nl;
	size_t n = lr->len, drop = 0;

	if (!lr->eof && !lr->skipping) {
		drop = unfinished(lr);
		n -= drop;
	}
	while (n > 0) {
		nl = memchr(p, '\n', n);
		size_t k = nl ? (size_t)(nl - p) : n;

		if (!is_blank(p, k)) {
			st.read++;
			save_failed(p, k > 0 && p[k - 1] == '\r' ? k - 1 : k);
		}
		k += nl ? 1 : 0;
		p += k;
		n -= k;
	}
	lr->len = 0;
	failed_flush();
	if (drop > 0)
		warnx("%s: %zu byte%s of an unfinished line dropped: not a "
		    "line yet, not in %s", lr->name, drop, drop == 1 ? "" : "s",
		    opt.failed_name);
}

/*
 * Consume a line longer than the reader's limit (rejected and counted
 * already), copying it verbatim to FAILED, which gets a newline at its
 * end.  A signal or a read error cuts it short.
 */
static void
skip_long(struct lreader *lr)
{
	char *p, *nl;
	size_t n;

	for (;;) {
		p = lr->buf + lr->off;
		nl = memchr(p, '\n', lr->len);
		n = nl ? (size_t)(nl - p) + 1 : lr->len;
		failed_raw(p, n);
		lr->off += n;
		lr->len -= n;
		lr->scan = 0;
		if (nl != NULL || lr->eof || got_signal)
			break;
		lr->off = 0;
		if (lreader_fill(lr) == LR_ERROR)
			read_failed(lr);
	}
	if (nl == NULL)
		failed_raw("\n", 1);
	failed_flush();
	lr->skipping = 0;
}

/*
 * Push one input: at its end every batch of it has been answered (a
 * batch does not span two inputs).  Returns 0, or -1 when a signal came.
 */
static int
push(struct lreader *lr)
{
	struct curl_waitfd wfd[2];
	int64_t now, wake, next, tnext;
	int r = LR_AGAIN, held = 0, reading = 1, n, nw;
	char *line = NULL;
	size_t len = 0;

	for (;;) {
		if (got_signal) {
			if (held)	/* read, but in no batch yet */
				save_failed(line, len);
			return -1;
		}
		now = mono_ms();
		cut_polls(now);
		tnext = start_polls(now, held || queue != NULL ||
		    (cur != NULL && cur->n >= lim_items));
		/* Input, as long as there is room for it. */
		while (reading) {
			if (!held && (r = lreader_get(lr, &line, &len)) != LR_LINE) {
				if (r == LR_TOOLONG) {
					warnx("%s:%lu: line longer than -B %zu "
					    "bytes", lr->name, lr->lineno,
					    opt.max_bytes);
					st.read++;
					st.rejected++;
					any_rejected = 1;
					if (failed_fd >= 0)
						st.failed++;
					skip_long(lr);
					continue;
				}
				if (r == LR_EOF)
					reading = 0;
				break;
			}
			if (!held) {
				if (is_blank(line, len))
					continue;
				st.read++;
			}
			if (!take_line(lr, line, len)) {
				held = 1;	/* wait for a free slot */
				break;
			}
			held = 0;
		}
		if (held && take_line(lr, line, len))
			held = 0;
		now = mono_ms();
		/* A partial batch that waited long enough goes. */
		if (cur != NULL && cur->n > 0 && !held &&
		    (!reading || now - cur->t_first >= opt.interval_ms))
			close_batch();
		next = restart_due(now);
		start_queued();
		failed_flush();
		if (opt.dry_run) {
			if (!reading && cur == NULL && !held && queue == NULL)
				return 0;
		} else {
			curl_multi_perform(multi, &n);
			if (reap() > 0)
				continue;	/* a slot may be free for what waits */
			if (!reading && cur == NULL && !held && !busy())
				return 0;
		}

		/* Sleep until input, a socket, a signal or a deadline. */
		wake = 1000;
		/* A batch that is due but has no slot waits for the sockets. */
		if (cur != NULL && cur->n > 0 && reading && queue == NULL &&
		    can_send())
			wake = cur->t_first + opt.interval_ms - now;
		if (next >= 0 && next - now < wake)
			wake = next - now;
		if (tnext >= 0 && tnext - now < wake)
			wake = tnext - now;
		if (wake < 0)
			wake = 0;
		nw = 0;
		wfd[nw].fd = sigpipe[0];
		wfd[nw].events = CURL_WAIT_POLLIN;
		wfd[nw++].revents = 0;
		if (reading && !held && r == LR_AGAIN) {
			wfd[nw].fd = lr->fd;
			wfd[nw].events = CURL_WAIT_POLLIN;
			wfd[nw++].revents = 0;
		}
		if (busy() || nw > 1 || wake > 0)
			curl_multi_poll(multi, wfd, nw, (int)wake, NULL);
		if (nw > 1 && wfd[1].revents != 0 &&
		    lreader_fill(lr) == LR_ERROR)
			read_failed(lr);
	}
}

/* Signal: no more input; in-flight requests get a grace period. */
static void
stop(struct lreader *lr)
{
	int64_t deadline = mono_ms() + STOP_GRACE_MS;
	int n;

	warnx("%s: stopping; lines read but not accepted go to %s",
	    strsignal(got_signal), opt.failed_name);
	drop_tasks();
	if (cur != NULL) {
		batch_fail(cur);
		cur = NULL;
	}
	queue_fail();
	for (int i = 0; i < opt.par; i++)
		if (slots[i].b != NULL && !slots[i].running) {
			batch_fail(slots[i].b);
			slots[i].b = NULL;
		}
	while (busy() && mono_ms() < deadline) {
		curl_multi_perform(multi, &n);
		reap();
		if (busy())
			curl_multi_poll(multi, NULL, 0, 100, NULL);
	}
	for (int i = 0; i < opt.par; i++)
		if (slots[i].b != NULL) {
			curl_multi_remove_handle(multi, slots[i].c);
			batch_fail(slots[i].b);
			slots[i].b = NULL;
		}
	if (lr != NULL)
		drain_buffered(lr);
}

/*
 * At the end of the input: poll the open tasks until each is final or
 * its time (--task-wait) is up.  Returns 0, or -1 when a signal came.
 */
static int
wait_tasks(void)
{
	struct curl_waitfd wfd;
	int64_t now, next, wake;
	int n;

	if (task_open() > 0)
		debug("waiting for %zu ingestion task%s, at most --task-wait "
		    "%lld s", task_open(), task_open() == 1 ? "" : "s",
		    (long long)(opt.task_wait_ms / 1000));
	while (task_open() > 0) {
		if (got_signal)
			return -1;
		now = mono_ms();
		cut_polls(now);
		next = start_polls(now, 0);
		curl_multi_perform(multi, &n);
		if (reap() > 0)
			continue;
		wake = next < 0 ? 1000 : next - mono_ms();
		wake = wake < 0 ? 0 : wake > 1000 ? 1000 : wake;
		wfd.fd = sigpipe[0];
		wfd.events = CURL_WAIT_POLLIN;
		wfd.revents = 0;
		curl_multi_poll(multi, &wfd, 1, (int)wake, NULL);
	}
	return 0;
}

static int
uuid_ok(const char *s)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

	if (strlen(s) != sizeof(shape) - 1)
		return 0;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == '-' ? s[i] != '-' :
		    !strchr("0123456789abcdefABCDEF", s[i]))
			return 0;
	return 1;
}

/* A configuration value for a message: short, no control characters. */
static const char *
shown(const char *s)
{
	static char out[80];
	size_t i;

	for (i = 0; i < sizeof(out) - 4 && s[i] != '\0'; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' :
		    s[i];
	out[i] = '\0';
	if (s[i] != '\0')
		strcpy(out + i, "...");
	return out;
}

/*
 * Where to send: SEKOIA_REGION or SEKOIA_BASE_URL, the latter with no
 * path but an optional /api (the form Sekoia documents for its regions,
 * which must not become /api/api), no query, no fragment.  The result
 * is allocated.
 */
static char *
base_url(void)
{
	char *base = NULL, *region = NULL, *path = NULL, *part = NULL;
	struct origin o;
	const char *e;
	CURLU *u;
	size_t i;

	if (env_get("SEKOIA_BASE_URL", &base) < 0 ||
	    env_get("SEKOIA_REGION", &region) < 0)
		exit(stats_exit(EXIT_CONFIG));
	if (base != NULL && region != NULL)
		errx(EXIT_CONFIG, "both SEKOIA_REGION and SEKOIA_BASE_URL are "
		    "set: unset one");
	if (region != NULL) {
		for (i = 0; i < sizeof(regions) / sizeof(regions[0]); i++)
			if (strcasecmp(region, regions[i].name) == 0)
				break;
		if (i == sizeof(regions) / sizeof(regions[0]))
			errx(EXIT_CONFIG, "SEKOIA_REGION %s: not a region: "
			    "FRA1, FRA2, MCO1, UAE1 or USA1", shown(region));
		free(region);
		return xstrdup(regions[i].url);
	}
	if (base == NULL)
		return xstrdup(regions[0].url);
	if (origin_parse(base, &o, &e) == -1)
		errx(EXIT_CONFIG, "SEKOIA_BASE_URL %s: %s", strpbrk(base, "@?#") ?
		    "(not shown: it holds an @, ? or #)" : shown(base), e);
	origin_free(&o);
	if ((u = curl_url()) == NULL)
		errx(EXIT_TEMPFAIL, "curl_url: out of memory");
	if (curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK)
		errx(EXIT_CONFIG, "SEKOIA_BASE_URL: not a valid URL");
	if (curl_url_get(u, CURLUPART_QUERY, &part, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_FRAGMENT, &part, 0) == CURLUE_OK)
		errx(EXIT_CONFIG, "SEKOIA_BASE_URL: no query (?) or fragment "
		    "(#) please: the form is https://HOST, or https://HOST/api "
		    "as Sekoia documents its regions (or set SEKOIA_REGION)");
	if (curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK ||
	    (strcmp(path, "/") != 0 && strcmp(path, "/api") != 0 &&
	    strcmp(path, "/api/") != 0))
		errx(EXIT_CONFIG, "SEKOIA_BASE_URL %s: no path but /api, "
		    "please: the form is https://HOST, or https://HOST/api "
		    "as Sekoia documents its regions (or set SEKOIA_REGION)",
		    shown(base));
	curl_free(path);
	curl_url_cleanup(u);
	return base;
}

/*
 * A request URL: {base}PATH, PATH starting /api/; a base ending in /api
 * keeps one (the base has no other path).
 */
static char *
api_url(const char *base, const char *p)
{
	char *s, *out;
	CURLU *u;

	if ((u = curl_url()) == NULL)
		errx(EXIT_TEMPFAIL, "curl_url: out of memory");
	/* "{uuid}" of a dry run: its braces are no URL's. */
	if (curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_PATH, p, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK)
		errx(EXIT_CONFIG, "SEKOIA_BASE_URL: not a valid URL");
	out = xstrdup(s);
	curl_free(s);
	curl_url_cleanup(u);
	return out;
}

static void
configure(void)
{
	char *base, *id = NULL, ua[256], path[128];
	int r;

	base = base_url();
	if (env_get("SEKOIA_CONNECTOR_UUID", &id) < 0)
		exit(stats_exit(EXIT_CONFIG));
	if (id == NULL && !opt.dry_run)
		errx(EXIT_CONFIG, "no connector: set SEKOIA_CONNECTOR_UUID to "
		    "the UUID of the asset connector you created in Sekoia.io");
	if (id != NULL && !uuid_ok(id))
		errx(EXIT_CONFIG, "SEKOIA_CONNECTOR_UUID %s: not a UUID; the "
		    "form is 8-4-4-4-12 hexadecimal digits, "
		    "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", shown(id));
	if (id != NULL && strcasecmp(id, TYPE_UUID) == 0)
		errx(EXIT_CONFIG, "SEKOIA_CONNECTOR_UUID %s is the type of "
		    "connector (Okta devices), not a connector: create an "
		    "asset connector of that type in Sekoia.io and use the "
		    "UUID Sekoia.io shows for it, on the connector's page",
		    id);
	if (id != NULL)
		snprintf(uuid, sizeof(uuid), "%s", id);
	free(id);
	snprintf(path, sizeof(path), "/api/v2/asset-management/"
	    "asset-connector/%s", uuid);
	url = api_url(base, path);
	task_url = api_url(base, "/api/v1/tasks/");
	free(base);
	debug("POST %s", url);
	if (opt.dry_run)
		return;
	if ((r = env_get("SEKOIA_API_KEY", &key)) < 0)
		exit(stats_exit(EXIT_CONFIG));
	if (r == 0)
		errx(EXIT_CONFIG, "no API key: set SEKOIA_API_KEY or "
		    "SEKOIA_API_KEY_FILE");
	if (strpbrk(key, "\r\n") != NULL)
		errx(EXIT_CONFIG, "the API key contains a line break");
	secret_check("SEKOIA_API_KEY", key);
	secret_remember(key);
	hdrs = http_auth(NULL, "Bearer", key);
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	/* No "Expect: 100-continue" round trip before each body. */
	hdrs = curl_slist_append(hdrs, "Expect:");
	/* The polls: the same key, no body. */
	poll_hdrs = http_auth(NULL, "Bearer", key);
	poll_hdrs = curl_slist_append(poll_hdrs, "Accept: application/json");
	task_setup(task_url, poll_hdrs, &opt.hopt, opt.task_wait_ms,
	    &st.retries);
	snprintf(ua, sizeof(ua), "ocsf-push/%s (okta-ocsf) %s", VERSION,
	    curl_version());
	opt.hopt.user_agent = xstrdup(ua);
}

/*
 * --check: one POST with an empty item list.  A 2xx, or a 400/422 that
 * refuses the empty list, means the key and the connector both passed.
 */
static int
check(void)
{
	static const char empty[] = BODY_HEAD BODY_TAIL;
	struct slot *s = &slots[0];
	char api[512];
	long status = 0;
	CURLcode rc;

	curl_easy_setopt(s->c, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)strlen(empty));
	curl_easy_setopt(s->c, CURLOPT_POSTFIELDS, empty);
	http_resp_reset(&s->resp);
	rc = curl_easy_perform(s->c);
	curl_easy_getinfo(s->c, CURLINFO_RESPONSE_CODE, &status);
	http_api_error(s->respbody.p, s->respbody.len, api, sizeof(api));
	st.batches = 1;
	switch (rc) {
	case CURLE_OK:
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		warnx("check: DNS: %s: is the region right?",
		    http_errstr(rc, s->errbuf));
		return EXIT_TEMPFAIL;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		warnx("check: TLS: %s (a proxy that intercepts TLS needs "
		    "--cacert)", http_errstr(rc, s->errbuf));
		return http_classify(rc, 0) == HTTP_RETRY ? EXIT_TEMPFAIL :
		    EXIT_REFUSED;
	default:
		warnx("check: %s: POST %s", http_errstr(rc, s->errbuf), url);
		return http_classify(rc, 0) == HTTP_RETRY ? EXIT_TEMPFAIL :
		    EXIT_REFUSED;
	}
	if ((status >= 200 && status < 300) || status == HTTP_BAD_REQUEST ||
	    status == HTTP_UNPROCESSABLE) {
		info("check: the key and connector %s were accepted (HTTP %ld)",
		    uuid, status);
		return 0;
	}
	if (status == 401) {
		warnx("check: HTTP 401%s%s: the key was refused: check "
		    "SEKOIA_API_KEY", *api ? " " : "", api);
		return EXIT_NOPERM;
	}
	if (status == 403) {
		warnx("check: HTTP 403%s%s: the key lacks the right to push to "
		    "connector %s: give it the asset connector permission",
		    *api ? " " : "", api, uuid);
		return EXIT_NOPERM;
	}
	if (status == 404) {
		warnx("check: HTTP 404%s%s: POST %s: unknown connector or wrong "
		    "region: check SEKOIA_CONNECTOR_UUID (%s) and "
		    "SEKOIA_REGION or SEKOIA_BASE_URL", *api ? " " : "", api,
		    url, uuid);
		return EXIT_REFUSED;
	}
	warnx("check: HTTP %ld%s%s: POST %s", status, *api ? " " : "", api,
	    url);
	return http_classify(CURLE_OK, status) == HTTP_RETRY ? EXIT_TEMPFAIL :
	    EXIT_REFUSED;
}

/* Regular files that are one: FAILED must not be an input. */
static int
same_file(int fd, const char *path)
{
	struct stat a, b;

	if (fstat(fd, &a) == -1 || !S_ISREG(a.st_mode))
		return 0;
	if (strcmp(path, "-") == 0 ? fstat(STDIN_FILENO, &b) == -1 :
	    stat(path, &b) == -1)
		return 0;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* FAILED is on disk before the summary says it is saved. */
static void
failed_close(void)
{
	failed_flush();
	if (failed_fd < 0)
		return;
	if (fsync(failed_fd) == -1 && errno != EINVAL && errno != EROFS &&
	    errno != ENOTSUP) {
		warn("%s: fsync", opt.failed_name);
		failed_err = 1;
	}
	if (failed_fd != STDOUT_FILENO && close(failed_fd) == -1) {
		warn("%s: close", opt.failed_name);
		failed_err = 1;
	}
}

/* The summary's word on tasks, when the API named any. */
static const char *
ingestion(void)
{
	static char s[128];

	if (task_st.confirmed + task_st.failed + task_st.unconfirmed == 0)
		return "";
	snprintf(s, sizeof(s), " (%lu confirmed, %lu ingest failed, %lu "
	    "unconfirmed)", task_st.confirmed, task_st.failed,
	    task_st.unconfirmed);
	return s;
}

#ifndef FUZZING
int
main(int argc, char *argv[])
{
	enum { OPT_CHECK = OPT_OWN, OPT_STATS, OPT_TASK_WAIT };
	static const struct option longopts[] = {
		HTTP_LONGOPTS,
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "help", no_argument, NULL, 'h' },
		{ "stats", required_argument, NULL, OPT_STATS },
		{ "task-wait", required_argument, NULL, OPT_TASK_WAIT },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct sigaction sa;
	struct lreader lr;
	struct stat sb;
	int c, i, status = 0, stopped = 0;
	int64_t t0 = mono_ms();
	static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM };

	stdfds_open();		/* before anything is opened */
	secret_nodump();
	setprogname(argv);
	usage_synopsis = synopsis;
	opt.hopt.timeout_ms = 60 * 1000;
	opt.hopt.max_retries = 8;
	opt.hopt.max_wait_ms = 300 * 1000;
	while ((c = getopt_long(argc, argv, "B:b:f:hi:nP:qvV", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'B':
			opt.max_bytes = (size_t)opt_num("-B", optarg, 1024,
			    64 * 1024 * 1024);
			break;
		case 'b':
			opt.batch_max = (int)opt_num("-b", optarg, 1,
			    BATCH_MAX);
			break;
		case 'f':
			opt.failed_name = optarg;
			break;
		case 'h':
			fputs(synopsis, stdout);
			fputs(help_text, stdout);
			return fshut(stdout, "stdout") == 0 ? 0 : EXIT_TEMPFAIL;
		case 'i':
			opt.interval_ms = opt_ms("-i", optarg, 0.001, 86400);
			break;
		case 'n':
			opt.dry_run = 1;
			break;
		case 'P':
			opt.par = (int)opt_num("-P", optarg, 1, PAR_MAX);
			break;
		case 'q':
			verbosity = 0;
			break;
		case 'v':
			verbosity++;
			break;
		case 'V':
			printf("ocsf-push %s\n", VERSION);
			return fshut(stdout, "stdout") == 0 ? 0 : EXIT_TEMPFAIL;
		case OPT_CHECK:
			opt.check = 1;
			break;
		case OPT_STATS:
			opt.stats = optarg;
			break;
		case OPT_TASK_WAIT:
			opt.task_wait_ms = opt_num("--task-wait", optarg, 0,
			    86400) * 1000;
			break;
		default:
			if (!http_option(c, optarg, &opt.hopt))
				usage();
		}
	}
	argc -= optind;
	argv += optind;
	stats_open(opt.stats, stat_fields);
	lim_items = (size_t)opt.batch_max;
	lim_bytes = opt.max_bytes;
	if (opt.check && (argc > 0 || opt.dry_run || opt.failed_name))
		usage_error("--check takes no file, -n or -f");

	/* FAILED: appended to, never truncated: it may hold earlier losses. */
	if (opt.check)
		opt.failed_name = "nowhere (--check)";
	else if (opt.failed_name != NULL && strcmp(opt.failed_name, "-") != 0) {
		failed_fd = open_output(opt.failed_name, O_CREAT | O_APPEND);
		if (failed_fd == -1 && errno == ENXIO)
			errx(EXIT_CONFIG, "%s: a FIFO with no reader: FAILED "
			    "must be read as it is written", opt.failed_name);
		if (failed_fd == -1)
			err(EXIT_CONFIG, "%s", opt.failed_name);
	} else if (opt.dry_run && opt.failed_name == NULL) {
		/* stdout carries the bodies; rejected lines are only told. */
		opt.failed_name = "nowhere (dry run)";
	} else {
		failed_fd = STDOUT_FILENO;
		opt.failed_name = "stdout";
	}
	/* Reading its own output, a run that fails would never end. */
	for (i = 0; failed_fd >= 0 && i < (argc ? argc : 1); i++)
		if (same_file(failed_fd, argc ? argv[i] : "-"))
			usage_error("%s is also an input: FAILED must be "
			    "another file", argc && strcmp(argv[i], "-") != 0 ?
			    argv[i] : "stdin");
	configure();

	if (pipe(sigpipe) == -1)
		err(EXIT_TEMPFAIL, "pipe");
	fcntl(sigpipe[0], F_SETFL, O_NONBLOCK);
	fcntl(sigpipe[1], F_SETFL, O_NONBLOCK);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* A hang-up or a quit is a stop like any other: nothing is lost. */
	for (i = 0; i < (int)(sizeof(sigs) / sizeof(sigs[0])); i++)
		sigaction(sigs[i], &sa, NULL);
	/* A closed FAILED pipe is reported, not a silent death. */
	signal(SIGPIPE, SIG_IGN);

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		errx(EXIT_TEMPFAIL, "curl_global_init failed");
	if ((multi = curl_multi_init()) == NULL)
		errx(EXIT_TEMPFAIL, "curl_multi_init failed");
	/* One connection per slot, kept alive; no multiplexing onto one. */
	curl_multi_setopt(multi, CURLMOPT_PIPELINING, (long)CURLPIPE_NOTHING);
	curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)opt.par);
	if (!opt.dry_run)
		for (i = 0; i < opt.par; i++) {
			struct slot *s = &slots[i];

			s->c = http_easy(&opt.hopt);
			curl_easy_setopt(s->c, CURLOPT_URL, url);
			curl_easy_setopt(s->c, CURLOPT_HTTPHEADER, hdrs);
			curl_easy_setopt(s->c, CURLOPT_HEADERFUNCTION,
			    http_header_cb);
			curl_easy_setopt(s->c, CURLOPT_HEADERDATA, &s->resp);
			curl_easy_setopt(s->c, CURLOPT_WRITEFUNCTION, resp_cb);
			curl_easy_setopt(s->c, CURLOPT_WRITEDATA, s);
			curl_easy_setopt(s->c, CURLOPT_ERRORBUFFER, s->errbuf);
		}
	else
		opt.par = 1;

	if (opt.check) {
		status = check();
		goto out;
	}
	if (argc == 0) {
		static char *dash[] = { "-", NULL };

		argv = dash;
		argc = 1;
	}
	for (i = 0; i < argc && !stopped; i++) {
		if (lreader_open(&lr, argv[i], opt.max_bytes) == -1) {
			warn("%s", argv[i]);
			any_rejected = 1;
			continue;
		}
		/* A directory is no input: skipped, like a missing file. */
		if (fstat(lr.fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			errno = EISDIR;
			warn("%s", argv[i]);
			any_rejected = 1;
			lreader_close(&lr);
			continue;
		}
		if (push(&lr) == -1) {
			stop(&lr);
			stopped = 1;
		}
		lreader_close(&lr);
	}
	/* The ingestion of what was accepted, unless there is no service. */
	if (dead)
		drop_tasks();
	else if (!stopped && wait_tasks() == -1) {
		stop(NULL);
		stopped = 1;
	}
	/* The service's verdict says most; then a stop or a lost input. */
	if (dead)
		status = dead;
	else if (stopped || input_err || not_ingested)
		status = EXIT_TEMPFAIL;
	else if (any_rejected)
		status = EXIT_REJECTS;
out:
	for (i = 0; i < PAR_MAX; i++) {
		if (slots[i].c != NULL)
			curl_easy_cleanup(slots[i].c);
		buf_free(&slots[i].respbody);
		http_resp_free(&slots[i].resp);
	}
	curl_multi_cleanup(multi);
	curl_global_cleanup();
	http_headers_free(hdrs);
	http_headers_free(poll_hdrs);
	task_end();
	secret_free(key);
	jdoc_free(&doc);

	failed_close();
	buf_free(&fbuf);
	seconds = (mono_ms() - t0) / 1000.0;
	if (!opt.check)
		info("%lu line%s read, %lu accepted, %lu batch%s%s, %lu %s, %lu "
		    "rejected, %lu failed (%s %s), %.1f s", st.read,
		    st.read == 1 ? "" : "s", st.accepted, st.batches,
		    st.batches == 1 ? "" : "es", ingestion(), st.retries,
		    st.retries == 1 ? "retry" : "retries", st.rejected,
		    st.failed, failed_err ? "NOT saved: write error on" :
		    "saved to", opt.failed_name, seconds);
	if (failed_err) {
		warnx("%lu or more line%s could not be saved to %s: they are "
		    "lost unless the input is sent again", st.lost ? st.lost :
		    1, st.lost == 1 ? "" : "s", opt.failed_name);
		if (status != EXIT_NOPERM && status != EXIT_REFUSED)
			status = EXIT_TEMPFAIL;
	}
	if (out_err && status == 0)
		status = EXIT_TEMPFAIL;
	free(url);
	free(task_url);
	free((char *)opt.hopt.user_agent);
	count_lost();
	return stats_exit(status);
}
#endif /* FUZZING */
