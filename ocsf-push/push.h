/*
 * push.h: what ocsf-push.c (batches, the loop) and task.c (the ingestion
 * tasks of accepted batches) share.
 */
#ifndef PUSH_H
#define PUSH_H

#include "net.h"

struct batch {
	struct buf	 body;		/* {"version":1,"items":[...]} */
	size_t		*start, *len;	/* each item's place in body */
	unsigned long	*line;		/* each item's input line */
	const char	*name;		/* the input: a batch spans one */
	size_t		 n, cap;
	int64_t		 t_first;	/* when its first item came */
	struct batch	*next;		/* in the queue */
};

struct task;

/*
 * A slot is one easy handle, so one kept-alive connection: it pushes a
 * batch (b), or polls a task (t), or is free (both NULL).
 */
struct slot {
	CURL		*c;
	struct batch	*b;		/* the batch it pushes */
	struct task	*t;		/* the task it polls */
	int		 running;	/* in the multi handle */
	int		 attempt;
	int64_t		 not_before;	/* waiting to retry until then */
	struct http_resp resp;
	struct buf	 respbody;
	char		 errbuf[CURL_ERROR_SIZE];
};

/* ocsf-push.c */
void	 batch_free(struct batch *);
void	 batch_not_ingested(struct batch *);

/* task.c: the batches whose task is open, and their polls. */
struct task_counts {
	unsigned long	 confirmed, failed, unconfirmed;
};
extern struct task_counts task_st;
void	 task_setup(const char *, struct curl_slist *,
	    const struct http_opts *, int64_t, unsigned long *);
int	 task_take(struct batch *, const char *, size_t);
int	 task_full(void);
size_t	 task_open(void);
int	 task_poll(struct slot *, int64_t, int64_t *);
void	 task_answer(struct slot *, CURLcode);
int	 task_late(const struct slot *, int64_t);
void	 task_cut(struct slot *);
void	 task_stop(void);
void	 task_end(void);

#endif
