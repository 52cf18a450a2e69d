/*
 * fuzz-map: okta2ocsf's handling of one input value, mapping included.
 *
 * Properties (abort() when one fails):
 * - every device of the line is either one record or one rejection: an
 *   object is one device, an array one per element, anything else one
 *   rejection;
 * - each record is one line, valid JSON by both jscan and json-c (strict,
 *   UTF-8 checked), an object with the constant part of class 5001
 *   (class_uid 5001, category_uid 5, activity_id 2, type_uid 500102,
 *   metadata.version "1.6.0"), time equal to the fixed collection time in
 *   the unit asked for, device.uid a non-empty string equal to the id of
 *   an input device (in input order), device.os an object, enrichments
 *   one element, and every *_time an integer;
 * - a record is written only for an input device with a non-empty string
 *   id (json-c's reading of the input must agree); a text jscan refuses
 *   is one rejection and no record.
 */
#define FUZZING
#include "../../okta2ocsf/okta2ocsf.c"

#include <json.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FIXED_MS	1700000000123LL

static struct json_object *
get(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static int
is_int(struct json_object *o, int64_t want)
{
	return o != NULL && json_object_is_type(o, json_type_int) &&
	    json_object_get_int64(o) == want;
}

static int
is_str(struct json_object *o, const char *want)
{
	return o != NULL && json_object_is_type(o, json_type_string) &&
	    strcmp(json_object_get_string(o), want) == 0;
}

static struct json_tokener *
tokener(void)
{
	static struct json_tokener *tok;

	if (tok == NULL) {
		tok = json_tokener_new_ex(128);
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
		    JSON_TOKENER_VALIDATE_UTF8);
	}
	json_tokener_reset(tok);
	return tok;
}

/* json-c's reading of a whole text into *o: 0, or -1 (JSON null: *o NULL). */
static int
jc_parse(const char *s, size_t n, struct json_object **out)
{
	struct json_tokener *tok = tokener();
	struct json_object *o;
	size_t used;

	o = json_tokener_parse_ex(tok, s, (int)n);
	used = json_tokener_get_parse_end(tok);
	if (json_tokener_get_error(tok) == json_tokener_continue) {
		/* The end of input completes it: all of it was used. */
		o = json_tokener_parse_ex(tok, "", 1);
		used = n;
	}
	*out = NULL;
	if (json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(o);
		return -1;
	}
	for (; used < n; used++)
		if (s[used] != ' ' && s[used] != '\t' && s[used] != '\r' &&
		    s[used] != '\n') {
			json_object_put(o);
			return -1;
		}
	*out = o;
	return 0;
}

/* The *_time members of device: integers when present. */
static void
check_times(struct json_object *dev)
{
	static const char *k[] = { "created_time", "first_seen_time",
	    "last_seen_time", "modified_time" };
	struct json_object *v;

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if ((v = get(dev, k[i])) != NULL &&
		    !json_object_is_type(v, json_type_int))
			abort();
}

/*
 * One record line (without its newline): the checks above.  Returns its
 * device.uid, which the caller matches to the input's ids.
 */
static struct json_object *
check_record(const char *s, size_t n, struct json_object **keep)
{
	static struct jdoc rd;
	struct json_object *o, *dev, *md, *en, *uid;
	const char *why;

	if (memchr(s, '\n', n) != NULL)
		abort();
	if (jscan(&rd, s, n, &why) != JSCAN_OK || rd.t[0].type != J_OBJECT ||
	    rd.ws)
		abort();
	if (jc_parse(s, n, &o) == -1 ||
	    !json_object_is_type(o, json_type_object))
		abort();
	if (!is_int(get(o, "class_uid"), 5001) ||
	    !is_int(get(o, "category_uid"), 5) ||
	    !is_int(get(o, "activity_id"), 2) ||
	    !is_int(get(o, "type_uid"), 500102) ||
	    !is_int(get(o, "severity_id"), 1) ||
	    !is_int(get(o, "time"), unit_s ? FIXED_MS / 1000 : FIXED_MS))
		abort();
	if ((md = get(o, "metadata")) == NULL ||
	    !is_str(get(md, "version"), "1.6.0"))
		abort();
	if ((dev = get(o, "device")) == NULL ||
	    !json_object_is_type(dev, json_type_object))
		abort();
	uid = get(dev, "uid");
	if (uid == NULL || !json_object_is_type(uid, json_type_string) ||
	    json_object_get_string_len(uid) == 0)
		abort();
	if (get(dev, "os") == NULL ||
	    !json_object_is_type(get(dev, "os"), json_type_object))
		abort();
	check_times(dev);
	if ((en = get(o, "enrichments")) == NULL ||
	    !json_object_is_type(en, json_type_array) ||
	    json_object_array_length(en) != 1)
		abort();
	*keep = o;
	return uid;
}

/* Does the input device D have a non-empty string id equal to UID? */
static int
same_id(struct json_object *d, struct json_object *uid)
{
	struct json_object *id;

	if (d == NULL || !json_object_is_type(d, json_type_object) ||
	    (id = get(d, "id")) == NULL ||
	    !json_object_is_type(id, json_type_string))
		return 0;
	return json_object_get_string_len(id) ==
	    json_object_get_string_len(uid) &&
	    memcmp(json_object_get_string(id), json_object_get_string(uid),
	    json_object_get_string_len(uid)) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct at at = { "fuzz", 1 };
	static struct jdoc mine;
	struct json_object *in;
	const char *why;
	unsigned long out0, rej0, devices, lines = 0;
	size_t ndev, next = 0, i, start;

	if (!init) {
		init = 1;
		fixed_time = FIXED_MS;
		diag_out = fopen("/dev/null", "w");	/* rejects are many */
	}
	if (size > 1 << 20)
		return 0;
	/* Both targets and both units get exercised. */
	tg = &targets[size > 0 && (data[0] & 1)];
	unit_s = size > 0 && data[0] == ' ' ? !tg->unit_s : tg->unit_s;
	out.len = 0;
	out0 = n_out;
	rej0 = n_rejected;
	convert_text(&at, (const char *)data, size);

	if (is_blank((const char *)data, size)) {
		if (n_out != out0 || n_rejected != rej0 || out.len != 0)
			abort();
		return 0;
	}
	/*
	 * A text jscan refuses is one rejection, whatever json-c (laxer:
	 * see fuzz-jscan.c) makes of it; one jscan takes, json-c reads too.
	 */
	if (jscan(&mine, (const char *)data, size, &why) != JSCAN_OK) {
		if (n_out != out0 || n_rejected != rej0 + 1 || out.len != 0)
			abort();
		return 0;
	}
	if (jc_parse((const char *)data, size, &in) == -1)
		abort();
	devices = json_object_is_type(in, json_type_array) ?
	    json_object_array_length(in) : 1;
	if ((n_out - out0) + (n_rejected - rej0) != devices)
		abort();
	for (i = 0; i < out.len; i++)
		if (out.p[i] == '\n')
			lines++;
	if (out.len > 0 && out.p[out.len - 1] != '\n')
		abort();
	if (lines != n_out - out0) {
		/* Part of it was flushed to stdout (64 KiB): not checked. */
		json_object_put(in);
		out.len = 0;
		return 0;
	}
	ndev = devices;
	for (start = 0, i = 0; i < out.len; i++) {
		struct json_object *keep, *uid;

		if (out.p[i] != '\n')
			continue;
		uid = check_record(out.p + start, i - start, &keep);
		/* The next input device, in order, with that id. */
		for (;;) {
			struct json_object *d;

			if (next == ndev)
				abort();	/* a record of no device */
			d = json_object_is_type(in, json_type_array) ?
			    json_object_array_get_idx(in, next) : in;
			next++;
			if (same_id(d, uid))
				break;
		}
		json_object_put(keep);
		start = i + 1;
	}
	json_object_put(in);
	out.len = 0;
	return 0;
}
