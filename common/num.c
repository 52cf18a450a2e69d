/* num.c: bounded number parsing with strtonum(3)'s contract. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/*
 * Parse a decimal integer in [min, max].  On failure return 0 and point
 * *errstr at "invalid", "too small" or "too large"; on success set it NULL.
 */
long long
parse_num(const char *s, long long min, long long max, const char **errstr)
{
	long long v;
	char *end;

	*errstr = "invalid";
	if (s == NULL || *s == '\0' || min > max)
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end != '\0')
		return 0;
	if ((errno == ERANGE && v == LLONG_MIN) || v < min) {
		*errstr = "too small";
		return 0;
	}
	if ((errno == ERANGE && v == LLONG_MAX) || v > max) {
		*errstr = "too large";
		return 0;
	}
	*errstr = NULL;
	return v;
}

/* The same for a duration in seconds, which may have a fraction ("0.5"). */
double
parse_seconds(const char *s, double min, double max, const char **errstr)
{
	double v;
	char *end;

	*errstr = "invalid";
	if (s == NULL || *s == '\0' || *s == ' ' || *s == '\t')
		return 0;
	errno = 0;
	v = strtod(s, &end);
	/* No hex, inf or nan: only digits, at most one '.', nothing after. */
	for (const char *p = s; p < end; p++)
		if (!((*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
		    *p == '+'))
			return 0;
	if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v))
		return 0;
	if (v < min) {
		*errstr = "too small";
		return 0;
	}
	if (v > max) {
		*errstr = "too large";
		return 0;
	}
	*errstr = NULL;
	return v;
}

/*
 * An option's integer in [min, max]; anything else is a usage error
 * (usage_error: what was wrong, the synopsis, 64).
 */
long long
opt_num(const char *opt, const char *arg, long long min, long long max)
{
	const char *e;
	long long v = parse_num(arg, min, max, &e);

	if (e != NULL)
		usage_error("%s %s: %s (%lld to %lld)", opt, arg, e, min, max);
	return v;
}

/* An option's duration in seconds within [min, max], as milliseconds. */
int64_t
opt_ms(const char *opt, const char *arg, double min, double max)
{
	const char *e;
	double v = parse_seconds(arg, min, max, &e);

	if (e != NULL)
		usage_error("%s %s: %s (%g to %g seconds)", opt, arg, e, min,
		    max);
	return (int64_t)(v * 1000);
}

/* The index of an option's word in WORDS (NULL-terminated), or a usage
 * error listing them: "-e foo: must be user or userSummary". */
int
opt_word(const char *opt, const char *arg, const char *const *words)
{
	struct buf b = { 0 };
	int i;

	for (i = 0; words[i] != NULL; i++)
		if (strcmp(arg, words[i]) == 0)
			return i;
	for (i = 0; words[i] != NULL; i++) {
		if (i > 0)
			buf_adds(&b, words[i + 1] == NULL ? " or " : ", ");
		buf_adds(&b, words[i]);
	}
	buf_addc(&b, '\0');
	usage_error("%s %s: must be %s", opt, arg, b.p);
}
