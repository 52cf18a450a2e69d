/*
 * okta2ocsf: map Okta devices (NDJSON, one device or one array of devices
 * per line) to OCSF 1.6.0 Device Inventory Info (class 5001) records.
 *
 * Each line is tokenized in place (common/jscan.c: no copy, no object
 * per value) and the records are written as text straight into an output
 * buffer, so a device costs little more than reading it once.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common.h"

#define MAX_LINE	(16 * 1024 * 1024)	/* a saved page is ~1 MiB */
#define OUT_FLUSH	(64 * 1024)

static const char usage_text[] =
    "usage: okta2ocsf [-qv] [-t TIME_MS] [-u ms|s] [-r REJECTS] [file ...]\n";

static struct buf out;
static FILE *rejects;
static const char *rejects_name;
static int unit_s;		/* -u s: timestamps in seconds */
static int64_t fixed_time = -1;	/* -t or SOURCE_DATE_EPOCH, in ms */
static unsigned long n_out, n_rejected;
static int bad_utf8;		/* the device being mapped has some */
static struct jdoc doc;		/* the line being converted */

/* The part of every record before "time", in the spec's key order. */
static const char head[] =
    "{\"activity_id\":2,\"activity_name\":\"Collect\","
    "\"category_name\":\"Discovery\",\"category_uid\":5,"
    "\"class_name\":\"Device Inventory Info\",\"class_uid\":5001,"
    "\"type_name\":\"Device Inventory Info: Collect\",\"type_uid\":500102,"
    "\"severity\":\"Informational\",\"severity_id\":1,\"time\":";
static const char meta[] =
    ",\"metadata\":{\"product\":{\"name\":\"Okta\",\"vendor_name\":\"Okta\","
    "\"version\":\"N/A\"},\"version\":\"1.6.0\"},\"device\":{\"uid\":";

static void
flush_out(void)
{
	if (out.len > 0 && fwrite(out.p, 1, out.len, stdout) != out.len)
		err(EXIT_TEMPFAIL, "stdout: write error");
	out.len = 0;
}

/* A JSON string into the record; bytes that are not UTF-8 spoil it. */
static void
jstr(const char *s, size_t n)
{
	if (buf_json_str(&out, s, n) < 0)
		bad_utf8 = 1;
}

/* A SEP B as one JSON string, built in a buffer kept between calls. */
static void
jstr_join(const char *a, size_t na, const char *sep, const char *b, size_t nb)
{
	static struct buf t;

	t.len = 0;
	buf_add(&t, a, na);
	buf_adds(&t, sep);
	buf_add(&t, b, nb);
	jstr(t.p, t.len);
}

/* Strings decoded from escapes while mapping a device, freed after it. */
static char **decoded;
static size_t ndecoded, capdecoded;

static void
free_decoded(void)
{
	while (ndecoded > 0)
		free(decoded[--ndecoded]);
}

/*
 * A member that is a non-empty string: its content, straight from the
 * line, or decoded when it has escapes.  NULL when absent or not that.
 */
static const char *
get_str(long obj, const char *key, size_t *len)
{
	long v = jmember(&doc, obj, key);
	const struct jtok *t;
	char *d;

	if (v < 0 || (t = &doc.t[v])->type != J_STRING || t->end - t->start == 2)
		return NULL;
	if (!t->esc) {
		*len = t->end - t->start - 2;
		return doc.s + t->start + 1;
	}
	d = jstr_dup(&doc, v, len);
	if (ndecoded == capdecoded) {
		capdecoded = capdecoded ? capdecoded * 2 : 16;
		decoded = xrealloc(decoded, capdecoded * sizeof(*decoded));
	}
	decoded[ndecoded++] = d;
	return *len > 0 ? d : NULL;
}

/* A member that is a boolean: 0 or 1, else -1. */
static int
get_bool(long obj, const char *key)
{
	long v = jmember(&doc, obj, key);

	if (v < 0)
		return -1;
	return doc.t[v].type == J_TRUE ? 1 : doc.t[v].type == J_FALSE ? 0 : -1;
}

/* A member of the given type (J_OBJECT, J_ARRAY), else -1. */
static long
get_type(long obj, const char *key, int type)
{
	long v = jmember(&doc, obj, key);

	return v >= 0 && doc.t[v].type == type ? v : -1;
}

/* ,"key":"value" when the source is a non-empty string. */
static void
put_str(const char *key, long o, const char *field)
{
	const char *s;
	size_t n;

	if ((s = get_str(o, field, &n)) == NULL)
		return;
	buf_adds(&out, key);
	jstr(s, n);
}

static void
put_bool(const char *key, int v)
{
	buf_adds(&out, key);
	buf_adds(&out, v ? "true" : "false");
}

static int64_t
in_unit(int64_t ms)
{
	if (!unit_s)
		return ms;
	return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

/* Two timestamp fields from one ISO 8601 source; both left out if bad. */
static void
put_times(long dev, const char *field, const char *k1,
    const char *k2)
{
	const char *s;
	size_t n;
	int64_t ms;

	if ((s = get_str(dev, field, &n)) == NULL || iso8601_ms(s, n, &ms) < 0)
		return;
	buf_adds(&out, k1);
	buf_addi(&out, in_unit(ms));
	buf_adds(&out, k2);
	buf_addi(&out, in_unit(ms));
}

/* OCSF email_t: ^[a-zA-Z0-9!#$%&'*+-/=?^_`{|}~.]+@[a-zA-Z0-9-]+\.[a-zA-Z0-9-.]+$ */
static int
email_ok(const char *s, size_t n)
{
	static const char local[] = "!#$%&'*+,-./=?^_`{|}~";
	size_t i = 0, label;

	for (; i < n && s[i] != '@'; i++)
		if (!(((unsigned char)s[i] < 0x80 && isalnum((unsigned char)s[i])) ||
		    (s[i] != '\0' && strchr(local, s[i]) != NULL)))
			return 0;
	if (i == 0 || i == n)
		return 0;
	for (label = ++i; i < n && s[i] != '.'; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return 0;
	if (i == label || i == n || ++i == n)
		return 0;
	for (; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '.')
			return 0;
	return 1;
}

static void
put_os(long profile)
{
	static const struct {
		const char *okta, *name;
		int id;
	} os[] = {
		{ "WINDOWS", "Windows", 100 },
		{ "MACOS", "macOS", 300 },
		{ "LINUX", "Linux", 200 },
		{ "IOS", "iOS", 301 },	/* 302 is iPadOS */
		{ "ANDROID", "Android", 201 },
	};
	const char *p;
	size_t n, i;

	buf_adds(&out, ",\"os\":{\"name\":");
	if ((p = get_str(profile, "platform", &n)) == NULL)
		buf_adds(&out, "\"Unknown\",\"type\":\"Unknown\",\"type_id\":0");
	else {
		for (i = 0; i < sizeof(os) / sizeof(os[0]); i++)
			if (strlen(os[i].okta) == n &&
			    strncasecmp(p, os[i].okta, n) == 0)
				break;
		if (i < sizeof(os) / sizeof(os[0])) {
			buf_addc(&out, '"');
			buf_adds(&out, os[i].name);
			buf_adds(&out, "\",\"type\":\"");
			buf_adds(&out, os[i].name);
			buf_adds(&out, "\",\"type_id\":");
			buf_addi(&out, os[i].id);
		} else {
			jstr(p, n);
			buf_adds(&out, ",\"type\":\"Other\",\"type_id\":99");
		}
	}
	put_str(",\"version\":", profile, "osVersion");
	buf_addc(&out, '}');
}

/*
 * is_managed: profile.managed when it is a boolean; otherwise, when the
 * device came with its users (-e), whether any of them is MANAGED.
 */
static void
put_managed(long profile, long users)
{
	int m = get_bool(profile, "managed");
	const char *s;
	size_t n;
	long u;

	if (m < 0 && users >= 0 && users + 1 < (long)doc.t[users].next) {
		m = 0;
		for (u = users + 1; u < (long)doc.t[users].next && !m;
		    u = doc.t[u].next) {
			s = get_str(u, "managementStatus", &n);
			if (s != NULL && n == 7 && strncasecmp(s, "MANAGED", 7) == 0)
				m = 1;
		}
	}
	if (m >= 0)
		put_bool(",\"is_managed\":", m);
}

/* device.owner from the first embedded user, which must have an id. */
static void
put_owner(long users)
{
	long u, up;
	const char *id, *first, *last, *email;
	size_t nid, nf = 0, nl = 0, ne = 0;

	if (users < 0 || users + 1 >= (long)doc.t[users].next)
		return;
	u = get_type(users + 1, "user", J_OBJECT);
	if ((id = get_str(u, "id", &nid)) == NULL)
		return;
	up = get_type(u, "profile", J_OBJECT);
	buf_adds(&out, ",\"owner\":{\"uid\":");
	jstr(id, nid);
	put_str(",\"name\":", up, "login");
	if ((email = get_str(up, "email", &ne)) != NULL && email_ok(email, ne)) {
		buf_adds(&out, ",\"email_addr\":");
		jstr(email, ne);
	}
	first = get_str(up, "firstName", &nf);
	last = get_str(up, "lastName", &nl);
	if (first != NULL || last != NULL) {
		buf_adds(&out, ",\"full_name\":");
		if (first && last)
			jstr_join(first, nf, " ", last, nl);
		else
			jstr(first ? first : last,
			    first ? nf : nl);
	}
	buf_addc(&out, '}');
}

static void
put_enrichment(long profile)
{
	static const struct {
		const char *okta, *json;
	} enc[] = {
		{ "ALL_INTERNAL_VOLUMES", "{\"all_internal\":\"Enabled\"}" },
		{ "FULL", "{\"full\":\"Enabled\"}" },
		{ "USER", "{\"user\":\"Enabled\"}" },
	};
	const char *s, *part = "{\"none\":\"Disabled\"}";
	size_t n, i;
	int sep = 0, hw;

	if ((s = get_str(profile, "diskEncryptionType", &n)) != NULL)
		for (i = 0; i < sizeof(enc) / sizeof(enc[0]); i++)
			if (strlen(enc[i].okta) == n &&
			    strncasecmp(s, enc[i].okta, n) == 0)
				part = enc[i].json;
	buf_adds(&out, ",\"enrichments\":[{\"name\":\"device_info\","
	    "\"value\":\"hardware_and_security\",\"data\":{\"DiskEncryption\":"
	    "{\"partitions\":");
	buf_adds(&out, part);
	buf_adds(&out, "},\"Users\":[");
	if ((s = get_str(profile, "serialNumber", &n)) != NULL) {
		jstr_join("serial_number", 13, ":", s, n);
		sep = 1;
	}
	if ((s = get_str(profile, "sid", &n)) != NULL) {
		if (sep)
			buf_addc(&out, ',');
		jstr_join("windows_sid", 11, ":", s, n);
		sep = 1;
	}
	if ((hw = get_bool(profile, "secureHardwarePresent")) >= 0) {
		if (sep)
			buf_addc(&out, ',');
		buf_adds(&out, hw ? "\"secure_hardware_present:true\"" :
		    "\"secure_hardware_present:false\"");
	}
	buf_adds(&out, "]}}]");
}

/* unmapped: the Okta fields OCSF has no place for; left out when empty. */
static void
put_unmapped(long dev, long profile)
{
	const char *status, *tpm;
	size_t ns, nt;
	int jb;

	status = get_str(dev, "status", &ns);
	jb = get_bool(profile, "integrityJailbreak");
	tpm = get_str(profile, "tpmPublicKeyHash", &nt);
	if (status == NULL && jb < 0 && tpm == NULL)
		return;
	buf_adds(&out, ",\"unmapped\":{");
	if (status != NULL) {
		buf_adds(&out, "\"status\":");
		jstr(status, ns);
	}
	if (jb >= 0 || tpm != NULL) {
		buf_adds(&out, status ? ",\"profile\":{" : "\"profile\":{");
		if (jb >= 0)
			put_bool("\"integrityJailbreak\":", jb);
		if (tpm != NULL) {
			buf_adds(&out, jb >= 0 ? ",\"tpmPublicKeyHash\":" :
			    "\"tpmPublicKeyHash\":");
			jstr(tpm, nt);
		}
		buf_addc(&out, '}');
	}
	buf_addc(&out, '}');
}

/* One device object with a valid id to one OCSF line in the buffer. */
static void
map_device(long dev, const char *id, size_t idlen)
{
	long profile, emb, users;
	const char *s;
	size_t n;
	int b;

	profile = get_type(dev, "profile", J_OBJECT);
	emb = get_type(dev, "_embedded", J_OBJECT);
	users = get_type(emb, "users", J_ARRAY);

	buf_adds(&out, head);
	buf_addi(&out, in_unit(fixed_time >= 0 ? fixed_time : now_ms()));
	buf_adds(&out, meta);
	jstr(id, idlen);
	if ((s = get_str(profile, "displayName", &n)) != NULL) {
		buf_adds(&out, ",\"hostname\":");
		jstr(s, n);
		buf_adds(&out, ",\"name\":");
		jstr(s, n);
	}
	buf_adds(&out, ",\"type\":\"Other\",\"type_id\":99");
	put_os(profile);
	put_str(",\"vendor_name\":", profile, "manufacturer");
	put_str(",\"model\":", profile, "model");
	put_times(dev, "created", ",\"created_time\":", ",\"first_seen_time\":");
	put_times(dev, "lastUpdated", ",\"last_seen_time\":",
	    ",\"modified_time\":");
	put_managed(profile, users);
	if ((b = get_bool(profile, "registered")) >= 0)
		put_bool(",\"is_compliant\":", b);
	if ((s = get_str(profile, "serialNumber", &n)) != NULL) {
		buf_adds(&out, ",\"hw_info\":{\"serial_number\":");
		jstr(s, n);
		buf_addc(&out, '}');
	}
	put_str(",\"uid_alt\":", profile, "sid");
	put_str(",\"udid\":", profile, "udid");
	put_str(",\"meid\":", profile, "meid");
	if ((s = get_str(profile, "imei", &n)) != NULL) {
		buf_adds(&out, ",\"imei_list\":[");
		jstr(s, n);
		buf_addc(&out, ']');
	}
	put_owner(users);
	buf_addc(&out, '}');
	put_enrichment(profile);
	put_unmapped(dev, profile);
	buf_adds(&out, "}\n");
}

static void
reject(const struct lreader *lr, long elem, const char *line, size_t len,
    const char *fmt, ...) PRINTFLIKE(5, 6);

/* Report a rejected line (or array element) and save it verbatim. */
static void
reject(const struct lreader *lr, long elem, const char *line, size_t len,
    const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (elem >= 0)
		warnx("%s:%lu: element %ld: %s", lr->name, lr->lineno, elem,
		    why);
	else
		warnx("%s:%lu: %s", lr->name, lr->lineno, why);
	n_rejected++;
	if (rejects != NULL && line != NULL) {
		fwrite(line, 1, len, rejects);
		fputc('\n', rejects);
	}
}

/* A device object, or the reason it cannot be one. */
static void
device(const struct lreader *lr, long elem, long o, const char *line,
    size_t len)
{
	const char *id, *why = NULL;
	size_t n;

	if (doc.t[o].type != J_OBJECT)
		why = "not a JSON object";
	else if ((id = get_str(o, "id", &n)) == NULL)
		why = "device has no \"id\" (a non-empty string)";
	else {
		size_t start = out.len;

		bad_utf8 = 0;
		map_device(o, id, n);
		if (!bad_utf8) {
			n_out++;
			free_decoded();
			if (out.len >= OUT_FLUSH)
				flush_out();
			return;
		}
		out.len = start;
		why = "invalid UTF-8 in a mapped string";
	}
	free_decoded();
	if (line == NULL) {
		/* An array element is saved alone, as compact JSON. */
		static struct buf el;

		el.len = 0;
		jtext(&doc, o, &el);
		line = el.p;
		len = el.len;
	}
	reject(lr, elem, line, len, "%s", why);
}

/* One input line: a device, an array of devices, or a rejection. */
static void
convert_line(const struct lreader *lr, const char *line, size_t len)
{
	const char *why;
	long i, k = 1;
	int r;

	if (is_blank(line, len))
		return;
	if ((r = jscan(&doc, line, len, &why)) == JSCAN_SHORT)
		reject(lr, -1, line, len, "invalid JSON: the line ends inside "
		    "a value");
	else if (r == JSCAN_BAD)
		reject(lr, -1, line, len, "invalid JSON: %s at byte %zu", why,
		    doc.err_at + 1);
	else if (doc.t[0].type == J_ARRAY)
		for (i = 1; i < (long)doc.t[0].next; i = doc.t[i].next)
			device(lr, k++, i, NULL, 0);
	else if (doc.t[0].type == J_OBJECT)
		device(lr, -1, 0, line, len);
	else
		reject(lr, -1, line, len, "not a JSON object or array");
}

static void
convert(struct lreader *lr)
{
	char *line;
	size_t len;
	int r;

	while ((r = lreader_next(lr, &line, &len)) != LR_EOF) {
		if (r == LR_ERROR) {
			warn("%s:%lu", lr->name, lr->lineno + 1);
			n_rejected++;
			return;
		}
		if (r == LR_TOOLONG) {
			reject(lr, -1, NULL, 0, "line longer than %d bytes",
			    MAX_LINE);
			if (lreader_skip(lr, rejects) == LR_ERROR) {
				warn("%s:%lu", lr->name, lr->lineno);
				return;
			}
			continue;
		}
		convert_line(lr, line, len);
	}
}

static void NORETURN
usage(int status)
{
	fputs(usage_text, status ? stderr : stdout);
	exit(status);
}

#ifndef FUZZING
int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "stats", required_argument, NULL, 'S' },	/* tmp */
		{ NULL, 0, NULL, 0 }
	};
	static const double zero;
	static const struct stat_field sf[] = { { "devices", &n_out, NULL },
	    { "records", &n_out, NULL }, { "rejected", &n_rejected, NULL },
	    { "seconds", NULL, &zero }, { NULL, NULL, NULL } };
	struct lreader lr;
	const char *e, *sde;
	int c, failed = 0, i;
	int64_t t0 = mono_ms();

	setprogname(argv);
	while ((c = getopt_long(argc, argv, "hqr:t:u:vV", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(0);
		case 'q':
			verbosity = 0;
			break;
		case 'r':
			rejects_name = optarg;
			break;
		case 't':
			fixed_time = parse_num(optarg, 0, INT64_MAX / 1000, &e);
			if (e != NULL)
				errx(EXIT_USAGE, "-t %s: %s (milliseconds since "
				    "the epoch)", optarg, e);
			break;
		case 'u':
			if (strcmp(optarg, "ms") == 0)
				unit_s = 0;
			else if (strcmp(optarg, "s") == 0)
				unit_s = 1;
			else
				errx(EXIT_USAGE, "-u %s: must be ms or s", optarg);
			break;
		case 'S':
			stats_open(optarg, sf);
			break;
		case 'v':
			verbosity++;
			break;
		case 'V':
			printf("okta2ocsf %s\n", VERSION);
			return 0;
		default:
			usage(EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;

	if (fixed_time < 0 && (sde = getenv("SOURCE_DATE_EPOCH")) != NULL &&
	    *sde != '\0') {
		fixed_time = parse_num(sde, 0, INT64_MAX / 1000000, &e) * 1000;
		if (e != NULL)
			errx(EXIT_CONFIG, "SOURCE_DATE_EPOCH=%s: %s (seconds "
			    "since the epoch)", sde, e);
	}
	if (rejects_name != NULL &&
	    (rejects = fopen(rejects_name, "w")) == NULL)
		err(EXIT_CONFIG, "%s", rejects_name);

	buf_grow(&out, OUT_FLUSH * 2);

	if (argc == 0) {
		static char *dash[] = { "-", NULL };

		argv = dash;
		argc = 1;
	}
	for (i = 0; i < argc; i++) {
		if (lreader_open(&lr, argv[i], MAX_LINE) == -1) {
			warn("%s", argv[i]);
			failed = 1;
			continue;
		}
		convert(&lr);
		lreader_close(&lr);
	}
	flush_out();
	jdoc_free(&doc);
	free(decoded);
	buf_free(&out);

	if (fshut(stdout, "stdout") == -1)
		failed = EXIT_TEMPFAIL;
	if (rejects != NULL && fshut(rejects, rejects_name) == -1)
		failed = EXIT_TEMPFAIL;
	if (n_rejected > 0)
		info("%lu record%s rejected%s%s", n_rejected,
		    n_rejected == 1 ? "" : "s",
		    rejects_name ? ", saved to " : "",
		    rejects_name ? rejects_name : "");
	debug("%lu records written in %.3f s", n_out,
	    (mono_ms() - t0) / 1000.0);
	if (failed)
		return stats_exit(failed);
	return stats_exit(n_rejected > 0 ? EXIT_REJECTS : 0);
}
#endif /* FUZZING */
