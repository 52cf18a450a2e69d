/*
 * roster.h: what okta-fetch keeps beside --state FILE.
 *
 * FILE holds the mark (the largest lastUpdated of the last committed
 * run) and the time of the last complete full listing; FILE.roster one
 * line per device, sorted by id.  A run writes FILE.next and
 * FILE.roster.next; okta-fetch --commit FILE promotes both.
 */
#ifndef ROSTER_H
#define ROSTER_H

#include <stdint.h>
#include <stdio.h>

#include "common.h"

#define STATE_NONE	INT64_MIN	/* no mark, or no full run yet */

struct state {
	int64_t	 mark;		/* largest lastUpdated listed */
	int64_t	 full;		/* start of the last complete full run */
};

int	 state_read(const char *, struct state *);
void	 state_write(const char *, const struct state *);
void	 state_clear_next(const char *);
int	 state_commit(const char *);

/* The roster of one run: REPLACE for a full listing of the whole org. */
struct roster;
struct roster *roster_begin(const char *, int);
void	 roster_add(struct roster *, const struct jdoc *, long);
unsigned long roster_end(struct roster *, FILE *);
void	 roster_free(struct roster *);

#endif
