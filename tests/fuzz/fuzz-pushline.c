/*
 * fuzz-pushline: ocsf-push's check of one input line, against the SPEC's
 * rule: a line is accepted iff it is a JSON object with an integer
 * class_uid.  The reference here reads the line with jscan (the suite's
 * strict tokenizer) and looks at the object's own members: "integer" is
 * a JSON number with neither fraction nor exponent (5001, -1, 0; not
 * 5001.0, 5e3 or "5001").
 *
 * Not asserted, deliberately: an object naming class_uid twice (which
 * member counts is not the SPEC's to say), and an integer of more than
 * 18 digits (outside int64 for some: whether a range check applies is
 * the implementation's choice).  Whatever is accepted must also be, for
 * json-c, an object whose class_uid is an int.
 */
#define FUZZING
#include "../../ocsf-push/ocsf-push.c"
#include "../../ocsf-push/task.c"

#include <json.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* 1: accept, 0: refuse, -1: no opinion (see above). */
static int
reference(const char *s, size_t n)
{
	static struct jdoc d;
	const struct jtok *v;
	const char *why, *p;
	long k, found = -1;
	size_t len, digits;

	if (jscan(&d, s, n, &why) != JSCAN_OK || d.t[0].type != J_OBJECT)
		return 0;
	/* Members: key at k, value at k + 1, the next key after its subtree. */
	for (k = 1; k < (long)d.t[0].next; k = d.t[k + 1].next) {
		const struct jtok *key = &d.t[k];

		if (key->esc || key->end - key->start != 11 ||
		    memcmp(s + key->start, "\"class_uid\"", 11) != 0) {
			if (key->esc) {
				/* "class\u005fuid" is class_uid too. */
				size_t kl;
				char *kd = jstr_dup(&d, k, &kl);
				int same = kl == 9 && memcmp(kd, "class_uid", 9) == 0;

				free(kd);
				if (!same)
					continue;
			} else
				continue;
		}
		if (found >= 0)
			return -1;
		found = k + 1;
	}
	if (found < 0)
		return 0;
	v = &d.t[found];
	if (v->type != J_NUMBER)
		return 0;
	p = s + v->start;
	len = v->end - v->start;
	if (memchr(p, '.', len) || memchr(p, 'e', len) || memchr(p, 'E', len))
		return 0;
	digits = len - (*p == '-');
	return digits > 18 ? -1 : 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	int want, got;

	if (size > 1 << 20)
		return 0;
	got = not_record(s, size) == NULL;
	want = reference(s, size);
	if (want >= 0 && got != want)
		abort();
	if (got) {
		static struct json_tokener *tok;
		struct json_object *o, *c;

		if (tok == NULL) {
			tok = json_tokener_new_ex(128);
			json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
			    JSON_TOKENER_VALIDATE_UTF8);
		}
		json_tokener_reset(tok);
		o = json_tokener_parse_ex(tok, s, (int)size);
		if (json_tokener_get_error(tok) == json_tokener_continue)
			o = json_tokener_parse_ex(tok, "", 1);
		if (o == NULL || !json_object_is_type(o, json_type_object))
			abort();
		if (want == 1 && (!json_object_object_get_ex(o, "class_uid",
		    &c) || !json_object_is_type(c, json_type_int)))
			abort();
		json_object_put(o);
	}
	return 0;
}
