/* time.c: RFC 3339 timestamps to epoch milliseconds and back; clocks. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int
leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* N decimal digits at *p, advancing it; -1 if any is not a digit. */
static int
digits(const char **p, const char *end, int n)
{
	int v = 0;

	if (end - *p < n)
		return -1;
	while (n-- > 0) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (*(*p)++ - '0');
	}
	return v;
}

/*
 * Parse an RFC 3339 date-time ("2019-10-02T18:03:07.000Z", fraction
 * optional, "Z" or "+hh:mm", either letter case) of exactly LEN bytes into
 * milliseconds since the epoch; digits past milliseconds are truncated.
 * Returns 0, or -1 for anything malformed or impossible (2019-02-30).
 */
int
iso8601_ms(const char *s, size_t len, int64_t *out)
{
	static const unsigned char mdays[] =
	    { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const char *p = s, *end = s + len;
	int y, mo, d, h, mi, sec, ms = 0, oh = 0, om = 0, sign = 0, scale;
	int64_t t;

	if ((y = digits(&p, end, 4)) < 0 || p == end || *p++ != '-' ||
	    (mo = digits(&p, end, 2)) < 0 || p == end || *p++ != '-' ||
	    (d = digits(&p, end, 2)) < 0 || p == end ||
	    (*p != 'T' && *p != 't' && *p != ' '))
		return -1;
	p++;
	if ((h = digits(&p, end, 2)) < 0 || p == end || *p++ != ':' ||
	    (mi = digits(&p, end, 2)) < 0 || p == end || *p++ != ':' ||
	    (sec = digits(&p, end, 2)) < 0)
		return -1;
	if (p < end && *p == '.') {
		p++;
		if (p == end || *p < '0' || *p > '9')
			return -1;
		for (scale = 100; p < end && *p >= '0' && *p <= '9'; p++) {
			ms += (*p - '0') * scale;
			scale /= 10;
		}
	}
	if (p == end)
		return -1;
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if ((oh = digits(&p, end, 2)) < 0 || p == end || *p++ != ':' ||
		    (om = digits(&p, end, 2)) < 0)
			return -1;
	} else
		return -1;
	if (p != end)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap(y)) ||
	    h > 23 || mi > 59 || sec > 60 || oh > 23 || om > 59)
		return -1;
	/* A leap second (:60) is counted as the first of the next minute. */
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	t -= sign * (oh * 3600 + om * 60);
	*out = t * 1000 + ms;
	return 0;
}

/* Milliseconds since the epoch as "YYYY-MM-DDTHH:MM:SS.mmmZ". */
void
iso8601_fmt(int64_t ms, char out[64])
{
	int64_t days, secs, y;
	unsigned m, d;
	int frac;

	frac = (int)(ms % 1000);
	secs = ms / 1000;
	if (frac < 0) {
		frac += 1000;
		secs--;
	}
	days = secs / 86400;
	secs %= 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	snprintf(out, 64, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ",
	    (long long)y, m, d, (int)(secs / 3600), (int)(secs / 60 % 60),
	    (int)(secs % 60), frac);
}

int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Sleep MS milliseconds; a signal that sets *STOP (when not NULL) cuts it
 * short.  Returns 0 after the full time, -1 when stopped.
 */
int
sleep_ms(int64_t ms, volatile const int *stop)
{
	struct timespec ts, rem;

	if (ms <= 0)
		return stop && *stop ? -1 : 0;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	while (nanosleep(&ts, &rem) == -1 && errno == EINTR) {
		if (stop && *stop)
			return -1;
		ts = rem;
	}
	return stop && *stop ? -1 : 0;
}
