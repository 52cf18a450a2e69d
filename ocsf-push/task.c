/*
 * task.c: proof of ingestion.  Sekoia.io accepts a push with 200 and
 * ingests it later; its answer may name the task that tracks that
 * ingestion, {"task_id": "..."}.  Such a batch is kept, lines and all,
 * until GET {base}/api/v1/tasks/{id} gives a final status: confirmed,
 * or FAIL/ERROR/CANCEL in it, and the batch's lines go to FAILED.
 *
 * Polls are requests like the pushes: ocsf-push runs them in its slots
 * (its -P kept-alive connections), a free slot taking a due poll before
 * the next batch, and their failures go through the suite's one retry
 * rule, http_retry_next().  The batches kept are bounded (TASK_OPEN_MAX,
 * TASK_BYTES_MAX): at the bound ocsf-push sends nothing new until a task
 * is final or its time (--task-wait from its acceptance) is up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json.h>

#include "push.h"

#define POLL_FIRST_MS	1000	/* the first poll, after acceptance */
#define POLL_MAX_MS	5000	/* the interval doubles up to this */
#define TASK_OPEN_MAX	1024	/* batches kept for their tasks, at most */
#define TASK_BYTES_MAX	(64 * 1024 * 1024)	/* and their bodies' bytes */
#define TASK_ID_MAX	256	/* a longer task_id is no task id */
#define HTTP_NOT_FOUND	404

struct task {
	struct batch	*b;		/* its lines, until the task is final */
	char		*url;		/* GET it */
	char		 id[48];	/* for messages: cut, cleaned */
	int64_t		 due;		/* the next poll */
	int64_t		 interval;	/* 1 s, doubling to 5 s */
	int64_t		 deadline;	/* unconfirmed after that */
	int		 polling;	/* a slot polls it now */
	struct task	*next;		/* oldest first */
};

enum { T_OPEN, T_DONE, T_FAILED, T_UNREADABLE };

struct task_counts task_st;
static struct task *tasks;
static size_t ntasks, nbytes;
static char *prefix;		/* {base}/api/v1/tasks/ */
static struct curl_slist *hdrs;
static const struct http_opts *hopt;
static int64_t wait_ms;		/* --task-wait */
static unsigned long *retries;	/* the run's retry counter */
static int failures;		/* polls failed in a row, of any task */
static int off;			/* no more polling */
static int said_id, said_late;

/*
 * PREFIX: the task URL up to the id; HEADERS: the key; WAIT: --task-wait
 * in ms (0: never poll); RETRY_COUNT: where retries are counted.
 */
void
task_setup(const char *pfx, struct curl_slist *headers,
    const struct http_opts *o, int64_t wait, unsigned long *retry_count)
{
	prefix = xstrdup(pfx);
	hdrs = headers;
	hopt = o;
	wait_ms = wait;
	retries = retry_count;
	off = wait <= 0;
}

/* At exit: what task_setup took. */
void
task_end(void)
{
	free(prefix);
	prefix = NULL;
}

/* The JSON object of an answer, or NULL. */
static struct json_object *
parse_object(const char *body, size_t len)
{
	struct json_tokener *tok;
	struct json_object *o;

	if (len == 0 || len > (size_t)INT32_MAX ||
	    (tok = json_tokener_new()) == NULL)
		return NULL;
	o = json_tokener_parse_ex(tok, body, (int)len);
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

/*
 * Text from the API, for a message: redacted whole (a server may echo
 * the key), then cut, with no control characters.
 */
static void
cleaned(char *out, size_t size, const char *s, size_t n)
{
	struct buf r = { 0 };
	size_t i;

	redact_buf(&r, s, n);
	for (i = 0; i < r.len && i + 4 < size; i++)
		out[i] = (unsigned char)r.p[i] < 0x20 || r.p[i] == 0x7f ? '?' :
		    r.p[i];
	out[i] = '\0';
	if (i < r.len)
		strcpy(out + i, "...");
	buf_free(&r);
}

static void
unlink_task(struct task *t)
{
	struct task **tp;

	for (tp = &tasks; *tp != NULL; tp = &(*tp)->next)
		if (*tp == t) {
			*tp = t->next;
			break;
		}
	ntasks--;
	nbytes -= t->b != NULL ? t->b->body.len : 0;
	free(t->url);
	free(t);
}

/* The batch was accepted; whether ingested is not known: its lines go. */
static void
unconfirmed(struct task *t)
{
	task_st.unconfirmed++;
	batch_free(t->b);
	t->b = NULL;
	unlink_task(t);
}

/* Every task no slot polls now is left unconfirmed. */
static void
drop_idle(void)
{
	struct task *t, *next;

	for (t = tasks; t != NULL; t = next) {
		next = t->next;
		if (!t->polling)
			unconfirmed(t);
	}
}

/* The task API cannot be used: said once, then no more polling. */
static void
give_up_polling(const char *why)
{
	if (!off)
		info("%s: ingestion could not be confirmed; the batches "
		    "stay accepted, unconfirmed, and no task is polled any "
		    "more", why);
	off = 1;
	drop_idle();
}

/*
 * After a 2xx: does its answer name a task?  1: the batch is kept until
 * that task is final (it is no longer the caller's); 0: the caller frees
 * it.  A task_id that is no string (or no usable id) is ignored: the
 * batch is accepted, unconfirmed.
 */
int
task_take(struct batch *b, const char *body, size_t len)
{
	struct json_object *o, *v;
	struct task *t, **tp;
	const char *id;
	char *e;
	size_t n;

	if ((o = parse_object(body, len)) == NULL)
		return 0;
	if (!json_object_object_get_ex(o, "task_id", &v)) {
		json_object_put(o);
		return 0;	/* accepted, as before tasks */
	}
	id = json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
	n = id != NULL ? (size_t)json_object_get_string_len(v) : 0;
	if (id == NULL || n == 0 || n > TASK_ID_MAX || strlen(id) != n) {
		if (!said_id)
			info("the API's answer names a task_id that is no task "
			    "id (%s): ingestion of such batches cannot be "
			    "confirmed", id == NULL ? json_type_to_name(
			    json_object_get_type(v)) : "not a usable string");
		said_id = 1;
		task_st.unconfirmed++;
		json_object_put(o);
		return 0;
	}
	if (off) {
		task_st.unconfirmed++;
		json_object_put(o);
		return 0;
	}
	t = xcalloc(1, sizeof(*t));
	if ((e = curl_easy_escape(NULL, id, (int)n)) == NULL)
		errx(EXIT_TEMPFAIL, "curl_easy_escape: out of memory");
	t->url = xmalloc(strlen(prefix) + strlen(e) + 1);
	strcpy(t->url, prefix);
	strcat(t->url, e);
	curl_free(e);
	cleaned(t->id, sizeof(t->id), id, n);
	json_object_put(o);
	t->b = b;
	t->interval = POLL_FIRST_MS;
	t->due = mono_ms() + POLL_FIRST_MS;
	t->deadline = mono_ms() + wait_ms;
	for (tp = &tasks; *tp != NULL; tp = &(*tp)->next)
		;
	*tp = t;
	ntasks++;
	nbytes += b->body.len;
	debug("batch of %zu accepted, ingestion task %s", b->n, t->id);
	return 1;
}

/* Are as many batches kept as the bound allows?  Then send no more. */
int
task_full(void)
{
	return ntasks >= TASK_OPEN_MAX || nbytes >= TASK_BYTES_MAX;
}

/* Batches whose task is not final yet. */
size_t
task_open(void)
{
	return ntasks;
}

/* The tasks whose time is up, and no slot polls, stay unconfirmed. */
static void
expire(int64_t now)
{
	struct task *t, *next;

	for (t = tasks; t != NULL; t = next) {
		next = t->next;
		if (t->polling || t->deadline > now)
			continue;
		if (!said_late)
			info("task %s still open after --task-wait %lld s: its "
			    "batch stays accepted, unconfirmed (so does any "
			    "other task still open that long)", t->id,
			    (long long)(wait_ms / 1000));
		said_late = 1;
		debug("task %s: unconfirmed after --task-wait", t->id);
		unconfirmed(t);
	}
}

/*
 * Give slot S, when not NULL, a due poll, if there is one (1; S is then
 * set up for the GET, to be started).  *NEXT: when a deadline, or with a
 * slot free a poll, is due next, or -1.
 */
int
task_poll(struct slot *s, int64_t now, int64_t *next)
{
	struct task *t, *due = NULL;

	*next = -1;
	expire(now);
	if (off)
		return 0;
	for (t = tasks; t != NULL && s != NULL && due == NULL; t = t->next)
		if (!t->polling && t->due <= now)
			due = t;
	if (due != NULL) {
		due->polling = 1;
		s->t = due;
		curl_easy_setopt(s->c, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(s->c, CURLOPT_URL, due->url);
		curl_easy_setopt(s->c, CURLOPT_HTTPHEADER, hdrs);
	}
	for (t = tasks; t != NULL; t = t->next) {
		if (s != NULL && !t->polling && (*next < 0 || t->due < *next))
			*next = t->due;
		if (*next < 0 || t->deadline < *next)
			*next = t->deadline;
	}
	return due != NULL;
}

/* Has the time of the task S polls come? (The caller cuts the poll.) */
int
task_late(const struct slot *s, int64_t now)
{
	return s->t != NULL && s->t->deadline <= now;
}

/* The poll of S was cut (its time is up, or a signal): unconfirmed. */
void
task_cut(struct slot *s)
{
	struct task *t = s->t;

	s->t = NULL;
	t->polling = 0;
	debug("task %s: poll cut, unconfirmed", t->id);
	unconfirmed(t);
}

/* A signal: no more polling; the open tasks' lines go nowhere. */
void
task_stop(void)
{
	off = 1;
	drop_idle();
}

/* Does S hold W, in any case? */
static int
has_word(const char *s, const char *w)
{
	size_t n = strlen(w);

	for (; *s != '\0'; s++)
		if (strncasecmp(s, w, n) == 0)
			return 1;
	return 0;
}

/* What an answer's "status" says: T_OPEN, T_DONE, T_FAILED, or none. */
static int
task_status(const char *body, size_t len, char *out, size_t size)
{
	static const char *const failed[] = { "FAIL", "ERROR", "CANCEL" };
	struct json_object *o, *v;
	const char *s;
	int r = T_DONE;

	*out = '\0';
	if ((o = parse_object(body, len)) == NULL)
		return T_UNREADABLE;
	if (!json_object_object_get_ex(o, "status", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		json_object_put(o);
		return T_UNREADABLE;
	}
	s = json_object_get_string(v);
	cleaned(out, size, s, strlen(s));
	if (strcasecmp(s, "PENDING") == 0 || strcasecmp(s, "RUNNING") == 0)
		r = T_OPEN;
	for (size_t i = 0; r == T_DONE && i < sizeof(failed) /
	    sizeof(failed[0]); i++)
		if (has_word(s, failed[i]))
			r = T_FAILED;
	json_object_put(o);
	return r;
}

/* A final status: the batch is confirmed, or its lines go to FAILED. */
static void
final(struct task *t, int r, const char *state)
{
	struct batch *b = t->b;

	if (r == T_DONE) {
		task_st.confirmed++;
		debug("task %s %s: batch of %zu confirmed", t->id, state,
		    b->n);
		batch_free(b);
	} else {
		task_st.failed++;
		warnx("%s:%lu-%lu: a batch of %zu the API accepted was not "
		    "ingested (task %s: %s); its lines go to FAILED, run "
		    "again later", b->name, b->line[0], b->line[b->n - 1],
		    b->n, t->id, state);
		batch_not_ingested(b);
	}
	t->b = NULL;
	unlink_task(t);
}

/* The poll of slot S finished (the caller removed it from the multi). */
void
task_answer(struct slot *s, CURLcode rc)
{
	struct task *t = s->t;
	char why[700], api[512], state[64];
	enum http_verdict v;
	long status = 0;
	long long wait;
	int r, left;

	s->t = NULL;
	t->polling = 0;
	curl_easy_getinfo(s->c, CURLINFO_RESPONSE_CODE, &status);
	s->resp.status = status;
	v = http_classify(rc, status);
	if (v == HTTP_OK) {
		failures = 0;
		r = task_status(s->respbody.p, s->respbody.len, state,
		    sizeof(state));
		if (r == T_DONE || r == T_FAILED)
			final(t, r, state);
		else if (r == T_UNREADABLE) {
			unconfirmed(t);
			give_up_polling("the task API answers no JSON task "
			    "status (an older platform?)");
		} else if (off)
			unconfirmed(t);
		else {
			t->interval = t->interval * 2 > POLL_MAX_MS ?
			    POLL_MAX_MS : t->interval * 2;
			t->due = mono_ms() + t->interval;
			debug("task %s %s: next poll in %.0f s", t->id, state,
			    t->interval / 1000.0);
		}
		return;
	}
	http_api_error(s->respbody.p, s->respbody.len, api, sizeof(api));
	if (rc != CURLE_OK)
		snprintf(why, sizeof(why), "task API: %s",
		    http_errstr(rc, s->errbuf));
	else
		snprintf(why, sizeof(why), "task API: HTTP %ld%s%s", status,
		    *api ? " " : "", api);
	if (off) {
		unconfirmed(t);
		return;
	}
	if (v != HTTP_RETRY) {
		unconfirmed(t);
		if (rc == CURLE_OK && status == HTTP_NOT_FOUND)
			strncat(why, " (an older platform without it?)",
			    sizeof(why) - strlen(why) - 1);
		give_up_polling(why);
		return;
	}
	/* One task API: --max-retries counts its failures in a row. */
	switch (http_retry_next(hopt, &s->resp, failures, hopt->max_retries,
	    &wait)) {
	case HTTP_RETRY_SPENT:
		strncat(why, ": no more retries", sizeof(why) - strlen(why) -
		    1);
		unconfirmed(t);
		give_up_polling(why);
		return;
	case HTTP_RETRY_TOO_LONG:
		strncat(why, ": the server asks to wait more than --max-wait",
		    sizeof(why) - strlen(why) - 1);
		unconfirmed(t);
		give_up_polling(why);
		return;
	}
	left = hopt->max_retries - failures - 1;
	info("%s: retrying the poll of task %s in %.1f s (%d %s left)", why,
	    t->id, wait / 1000.0, left, left == 1 ? "retry" : "retries");
	failures++;
	(*retries)++;
	t->due = mono_ms() + wait;
}
