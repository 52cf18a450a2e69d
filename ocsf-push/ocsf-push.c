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
#include <unistd.h>

#include "net.h"

#define BATCH_MAX	10000
#define MAX_BYTES_DEF	(4 * 1024 * 1024)
#define PAR_MAX		16
#define STOP_GRACE_MS	5000	/* in-flight requests get this on a signal */
#define RESPBODY_MAX	4096
#define BODY_HEAD	"{\"version\":1,\"items\":["
#define BODY_TAIL	"]}"

static const char usage_text[] =
    "usage: ocsf-push [-nqv] [-b BATCH] [-B MAX_BYTES] [-i SECONDS] [-P N]\n"
    "                 [-f FAILED] [--max-retries N] [--max-wait SEC] [--timeout SEC]\n"
    "                 [--cacert FILE] [file ...]\n";

struct batch {
	struct buf	 body;		/* {"version":1,"items":[...]} */
	size_t		*start, *len;	/* each item's place in body */
	size_t		 n, cap;
	int64_t		 t_first;	/* when its first item came */
};

struct slot {
	CURL		*c;
	struct batch	*b;		/* NULL when the slot is free */
	int		 running;	/* in the multi handle */
	int		 attempt;
	int64_t		 not_before;	/* waiting to retry until then */
	struct http_resp resp;
	struct buf	 respbody;
	char		 errbuf[CURL_ERROR_SIZE];
};

static struct {
	int		 batch_max;
	size_t		 max_bytes;
	int64_t		 interval_ms;
	int		 par;
	int		 dry_run;
	const char	*failed_name;
	struct http_opts hopt;
} opt = { 100, MAX_BYTES_DEF, 5000, 1, 0, NULL, { 0 } };

static char *url, *key;
static struct curl_slist *hdrs;
static CURLM *multi;
static struct slot slots[PAR_MAX];
static struct batch *cur;	/* being filled */
static struct jdoc doc;		/* the line being checked */
static FILE *failed;
static int failed_err;
static int dead;		/* 77 or 75 or 69: no more requests */
static int any_rejected;	/* exit 1 at the end */
static volatile sig_atomic_t got_signal;
static int sigpipe[2];
static struct {
	unsigned long	 read, accepted, batches, retries, rejected, failed;
	unsigned long	 lost;		/* failed, and FAILED could not take them */
} st;

static void NORETURN
usage(int status)
{
	fputs(usage_text, status ? stderr : stdout);
	exit(status);
}

static void
on_signal(int sig)
{
	int e = errno;

	got_signal = sig;
	(void)write(sigpipe[1], "", 1);
	errno = e;
}

/* Write lines to FAILED; a failure there is data lost, so it is loud. */
static void
save_failed(const char *p, size_t n)
{
	if (failed == NULL)
		return;
	if (fwrite(p, 1, n, failed) != n || fputc('\n', failed) == EOF) {
		if (!failed_err)
			warn("%s: write error: failed lines are not being "
			    "saved", opt.failed_name);
		failed_err = 1;
		st.lost++;
	}
	st.failed++;
}

static struct batch *
batch_new(void)
{
	struct batch *b = xcalloc(1, sizeof(*b));

	buf_adds(&b->body, BODY_HEAD);
	return b;
}

static void
batch_free(struct batch *b)
{
	if (b == NULL)
		return;
	buf_free(&b->body);
	free(b->start);
	free(b->len);
	free(b);
}

static void
batch_add(struct batch *b, const char *line, size_t n)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->start = xrealloc(b->start, b->cap * sizeof(size_t));
		b->len = xrealloc(b->len, b->cap * sizeof(size_t));
	}
	if (b->n > 0)
		buf_addc(&b->body, ',');
	else
		b->t_first = mono_ms();
	b->start[b->n] = b->body.len;
	b->len[b->n] = n;
	buf_add(&b->body, line, n);
	b->n++;
}

/* Every item of a batch to FAILED, then the batch is gone. */
static void
batch_fail(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		save_failed(b->body.p + b->start[i], b->len[i]);
	batch_free(b);
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

static void
slot_start(struct slot *s)
{
	http_resp_reset(&s->resp);
	s->respbody.len = 0;
	s->errbuf[0] = '\0';
	curl_easy_setopt(s->c, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)s->b->body.len);
	curl_easy_setopt(s->c, CURLOPT_POSTFIELDS, s->b->body.p);
	curl_multi_add_handle(multi, s->c);
	s->running = 1;
}

static struct slot *
free_slot(void)
{
	for (int i = 0; i < opt.par; i++)
		if (slots[i].b == NULL)
			return &slots[i];
	return NULL;
}

static int
busy(void)
{
	for (int i = 0; i < opt.par; i++)
		if (slots[i].b != NULL)
			return 1;
	return 0;
}

/*
 * The service cannot be used any more: batches waiting to retry go to
 * FAILED now; those in flight finish (what the API accepts stays
 * accepted) but are not retried; the rest of the input follows them.
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
	if (cur != NULL) {
		batch_fail(cur);
		cur = NULL;
	}
}

/* Close the batch being filled: send it, print it (-n), or fail it. */
static int
close_batch(void)
{
	struct slot *s;

	if (cur == NULL || cur->n == 0)
		return 1;
	if (dead) {
		batch_fail(cur);
		cur = NULL;
		return 1;
	}
	buf_adds(&cur->body, BODY_TAIL);
	if (opt.dry_run) {
		fwrite(cur->body.p, 1, cur->body.len, stdout);
		putchar('\n');
		st.batches++;
		batch_free(cur);
		cur = NULL;
		return 1;
	}
	if ((s = free_slot()) == NULL) {
		cur->body.len -= strlen(BODY_TAIL);
		return 0;	/* no room: the caller waits */
	}
	s->b = cur;
	s->attempt = 0;
	s->not_before = 0;
	cur = NULL;
	st.batches++;
	slot_start(s);
	return 1;
}

/* Is the line one JSON object and nothing else?  NULL, or why not. */
static const char *
not_object(const char *line, size_t n)
{
	static char msg[160];
	const char *why;
	int r;

	if ((r = jscan(&doc, line, n, &why)) == JSCAN_SHORT)
		return "invalid JSON: the line ends inside a value";
	if (r == JSCAN_BAD) {
		snprintf(msg, sizeof(msg), "invalid JSON: %s at byte %zu", why,
		    doc.err_at + 1);
		return msg;
	}
	return doc.t[0].type == J_OBJECT ? NULL : "not a JSON object";
}

/*
 * Take one input line: to FAILED when the service is gone or the line is
 * no JSON object, else into the batch.  Returns 0 when the line must wait
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
	if ((why = not_object(line, n)) != NULL) {
		warnx("%s:%lu: %s", lr->name, lr->lineno, why);
		st.rejected++;
		any_rejected = 1;
		save_failed(line, n);
		return 1;
	}
	if (cur != NULL && cur->n > 0 && ((int)cur->n >= opt.batch_max ||
	    cur->body.len + 1 + n + strlen(BODY_TAIL) > opt.max_bytes) &&
	    !close_batch())
		return 0;
	if (cur == NULL)
		cur = batch_new();
	batch_add(cur, line, n);
	if ((int)cur->n >= opt.batch_max)
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

/* A request finished: accept, retry, fail the batch or give up. */
static void
finished(struct slot *s, CURLcode rc)
{
	char why[700], api[512];
	enum http_verdict v;
	long status = 0;
	long long wait;

	curl_multi_remove_handle(multi, s->c);
	s->running = 0;
	curl_easy_getinfo(s->c, CURLINFO_RESPONSE_CODE, &status);
	s->resp.status = status;
	v = http_classify(rc, status);
	if (v == HTTP_OK) {
		st.accepted += s->b->n;
		debug("batch of %zu accepted (HTTP %ld)", s->b->n, status);
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
	switch (v) {
	case HTTP_AUTH:
		warnx("%s: the API key was refused (check SEKOIA_API_KEY and "
		    "that it may push to connector %s); no more requests, "
		    "the rest goes to %s", why, url + strlen(url) - 36,
		    opt.failed_name);
		batch_fail(s->b);
		s->b = NULL;
		give_up(EXIT_NOPERM);
		return;
	case HTTP_REFUSED:
		if (rc != CURLE_OK || (status >= 300 && status < 400)) {
			warnx("%s: the service cannot be used; no more "
			    "requests, the rest goes to %s", why,
			    opt.failed_name);
			batch_fail(s->b);
			s->b = NULL;
			give_up(EXIT_REFUSED);
			return;
		}
		warnx("%s: a batch of %zu refused, saved to %s", why, s->b->n,
		    opt.failed_name);
		any_rejected = 1;
		batch_fail(s->b);
		s->b = NULL;
		return;
	default:
		break;
	}
	/* Worth another try, unless the tries or the patience ran out. */
	wait = http_hint_ms(&s->resp);
	if (s->attempt >= opt.hopt.max_retries || wait > opt.hopt.max_wait_ms) {
		if (wait > opt.hopt.max_wait_ms)
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
	if (wait < 0)
		wait = backoff_ms(s->attempt);
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

/* After a signal: what is still buffered of the input goes to FAILED. */
static void
drain_buffered(struct lreader *lr)
{
	char *p = lr->buf + lr->off, *nl;
	size_t n = lr->len;

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
}

/*
 * Push one input: at its end every batch of it has been answered (a
 * batch does not span two inputs).  Returns 0, or -1 when a signal came.
 */
static int
push(struct lreader *lr)
{
	struct curl_waitfd wfd[2];
	int64_t now, wake, next;
	int r = LR_AGAIN, held = 0, reading = 1, n, nw;
	char *line = NULL;
	size_t len = 0;

	for (;;) {
		if (got_signal) {
			if (held)	/* read, but in no batch yet */
				save_failed(line, len);
			return -1;
		}
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
					if (failed != NULL)
						st.failed++;
					if (lreader_skip(lr, failed) == LR_ERROR)
						err(EXIT_TEMPFAIL, "%s", lr->name);
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
		curl_multi_perform(multi, &n);
		if (reap() > 0)
			continue;	/* a slot may be free for what waits */
		if (!reading && cur == NULL && !held && !busy())
			return 0;

		/* Sleep until input, a socket, a signal or a deadline. */
		wake = 1000;
		/* A batch that is due but has no slot waits for the sockets. */
		if (cur != NULL && cur->n > 0 && reading && free_slot() != NULL)
			wake = cur->t_first + opt.interval_ms - now;
		if (next >= 0 && next - now < wake)
			wake = next - now;
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
			err(EXIT_TEMPFAIL, "%s", lr->name);
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
	if (cur != NULL) {
		batch_fail(cur);
		cur = NULL;
	}
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

static void
configure(void)
{
	static const char path[] = "/api/v2/asset-management/asset-connector/";
	char *base = NULL, *uuid = NULL, ua[256];
	struct origin o;
	const char *e;
	size_t n;
	int r;

	if (env_get("SEKOIA_BASE_URL", &base) < 0 ||
	    env_get("SEKOIA_CONNECTOR_UUID", &uuid) < 0)
		exit(EXIT_CONFIG);
	if (base == NULL)
		base = xstrdup("https://api.sekoia.io");
	if (origin_parse(base, &o, &e) == -1)
		errx(EXIT_CONFIG, "SEKOIA_BASE_URL %s: %s", strchr(base, '@') ?
		    "(not shown: it holds an @)" : base, e);
	origin_free(&o);
	if (strpbrk(base, "?#") != NULL)
		errx(EXIT_CONFIG, "SEKOIA_BASE_URL %s: no query or fragment, "
		    "please", base);
	if (uuid == NULL)
		errx(EXIT_CONFIG, "no connector: set SEKOIA_CONNECTOR_UUID to "
		    "the asset connector's UUID");
	if (!uuid_ok(uuid))
		errx(EXIT_CONFIG, "SEKOIA_CONNECTOR_UUID %s: not a UUID", uuid);
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		base[--n] = '\0';
	url = xmalloc(n + sizeof(path) + 37);
	snprintf(url, n + sizeof(path) + 37, "%s%s%s", base, path, uuid);
	free(base);
	free(uuid);
	if ((r = env_get("SEKOIA_API_KEY", &key)) < 0)
		exit(EXIT_CONFIG);
	if (r == 0)
		errx(EXIT_CONFIG, "no API key: set SEKOIA_API_KEY or "
		    "SEKOIA_API_KEY_FILE");
	if (strpbrk(key, "\r\n") != NULL)
		errx(EXIT_CONFIG, "the API key contains a line break");
	hdrs = http_auth(NULL, "Bearer", key);
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	/* No "Expect: 100-continue" round trip before each body. */
	hdrs = curl_slist_append(hdrs, "Expect:");
	snprintf(ua, sizeof(ua), "ocsf-push/%s (okta-ocsf) %s", VERSION,
	    curl_version());
	opt.hopt.user_agent = xstrdup(ua);
}

#ifndef FUZZING
int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		HTTP_LONGOPTS,
		{ "stats", required_argument, NULL, 'S' },	/* tmp */
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	static const double zero;
	static const struct stat_field sf[] = { { "lines", &st.read, NULL },
	    { "accepted", &st.accepted, NULL }, { "batches", &st.batches, NULL },
	    { "retries", &st.retries, NULL }, { "rejected", &st.rejected, NULL },
	    { "failed", &st.failed, NULL }, { "seconds", NULL, &zero },
	    { NULL, NULL, NULL } };
	struct sigaction sa;
	struct lreader lr;
	int c, i, status = 0, stopped = 0;
	int64_t t0 = mono_ms();

	setprogname(argv);
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
			opt.batch_max = (int)opt_num("-b", optarg, 1, BATCH_MAX);
			break;
		case 'f':
			opt.failed_name = optarg;
			break;
		case 'h':
			usage(0);
		case 'i':
			opt.interval_ms = opt_ms("-i", optarg, 0.001, 86400);
			break;
		case 'n':
			opt.dry_run = 1;
			break;
		case 'S':
			stats_open(optarg, sf);
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
			return 0;
		default:
			if (!http_option(c, optarg, &opt.hopt))
				usage(EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;

	/* FAILED: appended to, never truncated: it may hold earlier losses. */
	if (opt.failed_name != NULL && strcmp(opt.failed_name, "-") != 0) {
		int fd = open(opt.failed_name, O_WRONLY | O_CREAT | O_APPEND |
		    O_CLOEXEC, 0600);

		if (fd == -1 || (failed = fdopen(fd, "a")) == NULL)
			err(EXIT_CONFIG, "%s", opt.failed_name);
	} else if (opt.dry_run && opt.failed_name == NULL) {
		/* stdout carries the bodies; rejected lines are only told. */
		opt.failed_name = "nowhere (dry run)";
	} else {
		failed = stdout;
		opt.failed_name = "stdout";
	}
	if (!opt.dry_run)
		configure();

	if (pipe(sigpipe) == -1)
		err(EXIT_TEMPFAIL, "pipe");
	fcntl(sigpipe[0], F_SETFL, O_NONBLOCK);
	fcntl(sigpipe[1], F_SETFL, O_NONBLOCK);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
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
		if (push(&lr) == -1) {
			stop(&lr);
			stopped = 1;
		}
		lreader_close(&lr);
	}
	if (stopped)
		status = EXIT_TEMPFAIL;
	else if (dead)
		status = dead;
	else if (any_rejected)
		status = EXIT_REJECTS;

	for (i = 0; i < PAR_MAX; i++) {
		if (slots[i].c != NULL)
			curl_easy_cleanup(slots[i].c);
		buf_free(&slots[i].respbody);
		http_resp_free(&slots[i].resp);
	}
	curl_multi_cleanup(multi);
	curl_global_cleanup();
	http_headers_free(hdrs);
	secret_free(key);
	jdoc_free(&doc);

	if (failed != NULL && failed != stdout &&
	    fshut(failed, opt.failed_name) == -1)
		failed_err = 1;
	if (fshut(stdout, "stdout") == -1 && (failed == stdout || opt.dry_run))
		failed_err = 1;
	info("%lu line%s read, %lu accepted, %lu batch%s, %lu %s, %lu "
	    "rejected, %lu failed (%s %s), %.1f s", st.read,
	    st.read == 1 ? "" : "s", st.accepted, st.batches, st.batches == 1 ? "" : "es", st.retries,
	    st.retries == 1 ? "retry" : "retries", st.rejected, st.failed,
	    failed_err ? "NOT saved: write error on" : "saved to",
	    opt.failed_name, (mono_ms() - t0) / 1000.0);
	if (failed_err) {
		/* A line counted as saved may still have died in a buffer. */
		warnx("%lu or more line%s could not be saved to %s: they are "
		    "lost unless the input is sent again", st.lost ? st.lost :
		    1, st.lost == 1 ? "" : "s", opt.failed_name);
		if (status != EXIT_NOPERM)
			status = EXIT_TEMPFAIL;
	}
	free(url);
	free((char *)opt.hopt.user_agent);
	return stats_exit(status);
}
#endif /* FUZZING */
