/*
 * fuzz-jscan: the JSON tokenizer.  What it accepts, json-c (strict, UTF-8
 * checked) must accept too, since jscan means to be the stricter; its
 * tokens must nest inside each other; and the compact text of an accepted
 * document must scan again to the same tokens.
 */
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct json_tokener *tok;
	static struct jdoc d, again;
	struct json_object *o;
	struct buf b = { 0 };
	const char *why, *s = (const char *)data;
	size_t i;

	if (tok == NULL) {
		tok = json_tokener_new_ex(128);
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
		    JSON_TOKENER_VALIDATE_UTF8);
	}
	if (size > 1 << 16 || jscan(&d, s, size, &why) != JSCAN_OK)
		return 0;
	for (i = 0; i < d.n; i++) {
		const struct jtok *t = &d.t[i];

		if (t->end < t->start || t->end > size || t->next <= i ||
		    t->next > d.n)
			abort();
		/* Every token of the subtree lies inside its span. */
		for (size_t k = i + 1; k < t->next; k++)
			if (d.t[k].start < t->start || d.t[k].end > t->end)
				abort();
	}
	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, s, (int)size);
	if (json_tokener_get_error(tok) == json_tokener_continue)
		o = json_tokener_parse_ex(tok, "", 1);
	if (json_tokener_get_error(tok) != json_tokener_success)
		abort();
	json_object_put(o);
	jtext(&d, 0, &b);
	if (jscan(&again, b.p ? b.p : "", b.len, &why) != JSCAN_OK ||
	    again.n != d.n || again.ws)
		abort();
	for (i = 0; i < d.n; i++)
		if (again.t[i].type != d.t[i].type ||
		    again.t[i].next != d.t[i].next)
			abort();
	buf_free(&b);
	return 0;
}
