/* jsonl.c: one line of NDJSON through a reused json-c tokener. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json.h>

#include "common.h"

/* Nothing but blanks: such lines are skipped, not rejected. */
int
jsonl_blank(const char *s, size_t n)
{
	for (; n > 0; s++, n--)
		if (*s != ' ' && *s != '\t' && *s != '\r')
			return 0;
	return 1;
}

/*
 * Does a string in the line hold a raw control character?  RFC 8259
 * wants them escaped and json-c lets them pass.  A word-at-a-time look
 * for any byte below 0x20 comes first: lines that have none (nearly all)
 * cost about a cycle a byte.
 */
static int
raw_control(const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL, high = ones * 0x80;
	size_t i = 0;
	uint64_t w;
	int in = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		if (((w - ones * 0x20) & ~w & high) != 0)
			break;
	}
	if (i + 8 > n) {
		for (; i < n; i++)
			if ((unsigned char)s[i] < 0x20)
				break;
		if (i == n)
			return 0;
	}
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			in = !in;
		else if (in && s[i] == '\\')
			i++;
		else if (in && (unsigned char)s[i] < 0x20)
			return 1;
	}
	return 0;
}

/*
 * Parse LINE, which must hold one JSON value and nothing else but blanks.
 * Returns the value (NULL for "null") with *why NULL, or NULL with *why
 * saying what is wrong.  The caller puts the value.
 */
struct json_object *
jsonl_parse(struct json_tokener *tok, const char *line, size_t len,
    const char **why)
{
	static char msg[160];
	struct json_object *o;
	enum json_tokener_error e;
	size_t end;

	*why = NULL;
	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, line, (int)len);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (e == json_tokener_continue) {
		/*
		 * The line has ended, which json-c cannot know: a number at
		 * its end might still grow.  A NUL byte says the input is
		 * over (json-c's own convention).
		 */
		o = json_tokener_parse_ex(tok, "", 1);
		e = json_tokener_get_error(tok);
		end = len;
	}
	if (e == json_tokener_continue || e == json_tokener_error_parse_eof)
		*why = "invalid JSON: the line ends inside a value";
	else if (e != json_tokener_success) {
		snprintf(msg, sizeof(msg), "invalid JSON: %s",
		    json_tokener_error_desc(e));
		*why = msg;
	} else if (!jsonl_blank(line + end, len - end))
		*why = "invalid JSON: text after the value";
	else if (raw_control(line, len))
		*why = "invalid JSON: a control character inside a string";
	if (*why != NULL) {
		json_object_put(o);
		return NULL;
	}
	return o;
}
