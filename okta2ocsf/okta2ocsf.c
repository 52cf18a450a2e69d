/*
 * okta2ocsf: map Okta devices (a stream of JSON values: device objects,
 * or arrays of them such as saved API pages) to OCSF 1.6.0 Device
 * Inventory Info (class 5001) records, spelled for Sekoia.io's data model
 * (the default) or for plain OCSF.
 *
 * Each value is tokenized in place (common/jscan.c: no copy, no object
 * per value) and the records are written as text straight into an output
 * buffer, so a device costs little more than reading it once.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common.h"

#define MAX_VALUE	(16 * 1024 * 1024)	/* a saved page is ~1 MiB */
#define OUT_FLUSH	(64 * 1024)

static const char synopsis[] =
    "usage: okta2ocsf [-qv] [-T sekoia|ocsf] [-t TIME_MS] [-u ms|s] "
    "[-r REJECTS]\n"
    "                 [--stats FILE] [file ...]\n";

/*
 * Who reads the records.  One mapper; this table holds what differs:
 * Sekoia.io's DeviceOCSFModel wants seconds, a lower-case os.type, a
 * hostname always, and reads the encryption under Storage_encryption.
 */
struct target {
	const char	*name;
	int		 unit_s;	/* timestamps in seconds, else ms */
	int		 lower;		/* os.type spelling: 1 lower case */
	int		 hostname_always; /* displayName, serialNumber, id */
	const char	*enc_key;	/* the encryption enrichment's key */
	const char	*uid_alt;	/* the profile field in device.uid_alt */
};
/*
 * uid_alt: Sekoia's model keeps it and drops hw_info, and Sekoia's own
 * Okta connector puts the serial number there; for OCSF an alternate
 * identifier is a directory's, the Windows SID.
 */
static const struct target targets[] = {
	{ "sekoia", 1, 1, 1, "Storage_encryption", "serialNumber" },
	{ "ocsf", 0, 0, 0, "DiskEncryption", "sid" },
};
static const struct target *tg = &targets[0];

static struct buf out;
static FILE *rejects;
static const char *rejects_name;
static int unit_s;		/* the target's unit, or -u's */
static int64_t fixed_time = -1;	/* -t or SOURCE_DATE_EPOCH, in ms */
static unsigned long n_devices, n_out, n_rejected;
static double seconds;
static int bad_utf8;		/* the device being mapped has some */
static struct jdoc doc;		/* the value being converted */

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

/*
 * A JSON string into the record; bytes that are not UTF-8 spoil it.  A
 * string straight from the line (get_str() without escapes) is copied as
 * it stands, quotes and all: jscan has checked that it is UTF-8 with no
 * quote, backslash or control character, so buf_json_str() would write
 * the same bytes.
 */
static void
jstr(const char *s, size_t n)
{
	uintptr_t at = (uintptr_t)s, from = (uintptr_t)doc.s;

	if (at > from && at - from < doc.len && n < doc.len - (at - from) &&
	    s[-1] == '"' && s[n] == '"') {
		buf_add(&out, s - 1, n + 2);
		return;
	}
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
 * The members of the objects of the device being mapped, each object
 * walked once into a small hash table: a record looks up some thirty
 * members, most of them in the device and its profile, and jmember()
 * walks the whole object each time (the last of a repeated key counts:
 * here a later member takes the slot of an earlier one with the same
 * key).  An object with an escaped key or more than MEMO_MEMBERS members
 * goes to jmember() every time.  Cleared for each device (memo_clear()).
 */
#define MEMO_OBJECTS	8
#define MEMO_MEMBERS	48
#define MEMO_SLOTS	64		/* a power of two, > MEMO_MEMBERS */
static struct memo {
	long		 obj;		/* -1: unused */
	int		 n;		/* -1: not memoized, ask jmember() */
	struct {
		uint32_t	 tag;		/* key_tag() of the key */
		uint32_t	 start, len;	/* the key's content */
		long		 v;		/* its value's token */
	}		 m[MEMO_MEMBERS];
	uint8_t		 slot[MEMO_SLOTS];	/* 1 + index in m, 0: free */
} memo[MEMO_OBJECTS];
static int memo_next;

/*
 * Its length and three of its bytes: keys that differ almost always
 * differ here, so a lookup compares the bytes of one key, the right one.
 */
static inline uint32_t
key_tag(const char *k, size_t n)
{
	if (n == 0)
		return 0;
	return (uint32_t)(n > 255 ? 255 : n) | (uint32_t)(unsigned char)k[0] << 8 |
	    (uint32_t)(unsigned char)k[n / 2] << 16 |
	    (uint32_t)(unsigned char)k[n - 1] << 24;
}

static inline unsigned
tag_slot(uint32_t tag)
{
	return (tag * 2654435761U) >> 26;	/* 6 bits: MEMO_SLOTS */
}

static inline int
same_key(const struct memo *mo, int k, uint32_t tag, const char *key,
    size_t n)
{
	const char *a = doc.s + mo->m[k].start;
	uint64_t x, y;
	size_t i;

	if (mo->m[k].tag != tag || mo->m[k].len != n)
		return 0;
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, key + i, 8);
		if (x != y)
			return 0;
	}
	for (; i < n; i++)
		if (a[i] != key[i])
			return 0;
	return 1;
}

static void
memo_clear(void)
{
	int k;

	for (k = 0; k < MEMO_OBJECTS; k++)
		memo[k].obj = -1;
	memo_next = 0;
}

/* The memo of object OBJ, made when it has none. */
static struct memo *
memo_of(long obj)
{
	struct memo *mo;
	const struct jtok *t;
	long i, end;
	unsigned h;
	int k;

	for (k = 0; k < MEMO_OBJECTS; k++)
		if (memo[k].obj == obj)
			return &memo[k];
	mo = &memo[memo_next];
	memo_next = (memo_next + 1) % MEMO_OBJECTS;
	mo->obj = obj;
	mo->n = 0;
	memset(mo->slot, 0, sizeof(mo->slot));
	end = doc.t[obj].next;
	for (i = obj + 1; i < end; i = doc.t[i + 1].next) {
		t = &doc.t[i];
		if (t->esc || mo->n == MEMO_MEMBERS) {
			mo->n = -1;
			break;
		}
		k = mo->n++;
		mo->m[k].start = t->start + 1;
		mo->m[k].len = t->end - t->start - 2;
		mo->m[k].tag = key_tag(doc.s + mo->m[k].start, mo->m[k].len);
		mo->m[k].v = i + 1;
		for (h = tag_slot(mo->m[k].tag); mo->slot[h] != 0;
		    h = (h + 1) % MEMO_SLOTS)
			if (same_key(mo, mo->slot[h] - 1, mo->m[k].tag,
			    doc.s + mo->m[k].start, mo->m[k].len))
				break;		/* repeated: the last counts */
		mo->slot[h] = (uint8_t)(k + 1);
	}
	return mo;
}

/* jmember(&doc, OBJ, KEY) (N bytes), through the memo. */
static long
member(long obj, const char *key, size_t n)
{
	const struct memo *mo;
	uint32_t tag;
	unsigned h;

	if (obj < 0 || doc.t[obj].type != J_OBJECT)
		return -1;
	if ((mo = memo_of(obj))->n < 0)
		return jmember(&doc, obj, key);
	tag = key_tag(key, n);
	for (h = tag_slot(tag); mo->slot[h] != 0; h = (h + 1) % MEMO_SLOTS)
		if (same_key(mo, mo->slot[h] - 1, tag, key, n))
			return mo->m[mo->slot[h] - 1].v;
	return -1;
}

/*
 * A member that is a non-empty string: its content, straight from the
 * line, or decoded when it has escapes.  NULL when absent or not that.
 */
static const char *
get_str_n(long obj, const char *key, size_t kn, size_t *len)
{
	long v = member(obj, key, kn);
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
get_bool_n(long obj, const char *key, size_t kn)
{
	long v = member(obj, key, kn);

	if (v < 0)
		return -1;
	return doc.t[v].type == J_TRUE ? 1 : doc.t[v].type == J_FALSE ? 0 : -1;
}

/* A member of the given type (J_OBJECT, J_ARRAY), else -1. */
static long
get_type_n(long obj, const char *key, size_t kn, int type)
{
	long v = member(obj, key, kn);

	return v >= 0 && doc.t[v].type == type ? v : -1;
}

/* The key's length from the call, where it is a literal's. */
#define get_str(o, k, l)	get_str_n((o), (k), strlen(k), (l))
#define get_bool(o, k)		get_bool_n((o), (k), strlen(k))
#define get_type(o, k, t)	get_type_n((o), (k), strlen(k), (t))

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


/*
 * The platform, matched without regard to case, gives device.type and
 * device.os; os.type has the target's spelling.
 */
static const struct platform {
	const char	*okta, *name, *type[2];	/* type: caption, lower case */
	int		 os_id, dev_id;
} platforms[] = {
	{ "WINDOWS", "Windows", { "Windows", "windows" }, 100, 2 },
	{ "MACOS", "macOS", { "macOS", "macos" }, 300, 2 },
	{ "LINUX", "Linux", { "Linux", "linux" }, 200, 2 },
	{ "IOS", "iOS", { "iOS", "ios" }, 301, 5 },	/* 302 is iPadOS */
	{ "ANDROID", "Android", { "Android", "android" }, 201, 5 },
	{ "CHROMEOS", NULL, { NULL, NULL }, 99, 2 },	/* os: any other */
};
static const char *const os_other[2] = { "Other", "other" };
static const char *const os_unknown[2] = { "Unknown", "unknown" };

static const struct platform *
find_platform(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(platforms) / sizeof(platforms[0]); i++)
		if (strlen(platforms[i].okta) == n &&
		    strncasecmp(p, platforms[i].okta, n) == 0)
			return &platforms[i];
	return NULL;
}

/* device.type: Desktop or Mobile where the platform tells. */
static void
put_type(const char *p, const struct platform *pl)
{
	int id = p == NULL ? 0 : pl != NULL ? pl->dev_id : 99;

	buf_adds(&out, id == 0 ? ",\"type\":\"Unknown\"" :
	    id == 2 ? ",\"type\":\"Desktop\"" : id == 5 ? ",\"type\":\"Mobile\"" :
	    ",\"type\":\"Other\"");
	buf_adds(&out, ",\"type_id\":");
	buf_addi(&out, id);
}

static void
put_os(long profile, const char *p, size_t n, const struct platform *pl)
{
	buf_adds(&out, ",\"os\":{\"name\":");
	if (p == NULL) {
		buf_adds(&out, "\"Unknown\",\"type\":\"");
		buf_adds(&out, os_unknown[tg->lower]);
		buf_adds(&out, "\",\"type_id\":0");
	} else if (pl != NULL && pl->name != NULL) {
		buf_addc(&out, '"');
		buf_adds(&out, pl->name);
		buf_adds(&out, "\",\"type\":\"");
		buf_adds(&out, pl->type[tg->lower]);
		buf_adds(&out, "\",\"type_id\":");
		buf_addi(&out, pl->os_id);
	} else {
		jstr(p, n);
		buf_adds(&out, ",\"type\":\"");
		buf_adds(&out, os_other[tg->lower]);
		buf_adds(&out, "\",\"type_id\":99");
	}
	put_str(",\"version\":", profile, "osVersion");
	buf_addc(&out, '}');
}

/*
 * is_managed: profile.managed when it is a boolean; otherwise, when the
 * device came with its users (-e), whether any of them is MANAGED.
 */
static void
put_managed(long profile, long users, int deleted)
{
	int m = deleted ? 0 : get_bool(profile, "managed");
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

/*
 * The enrichment; the encryption entry only when Okta said what it is:
 * unknown is not "disabled".
 */
static void
put_enrichment(long profile, long users, int active)
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

	buf_adds(&out, ",\"enrichments\":[{\"name\":\"device_info\","
	    "\"value\":\"hardware_and_security\",\"data\":{");
	if ((s = get_str(profile, "diskEncryptionType", &n)) != NULL) {
		for (i = 0; i < sizeof(enc) / sizeof(enc[0]); i++)
			if (strlen(enc[i].okta) == n &&
			    strncasecmp(s, enc[i].okta, n) == 0)
				part = enc[i].json;
		buf_addc(&out, '"');
		buf_adds(&out, tg->enc_key);
		buf_adds(&out, "\":{\"partitions\":");
		buf_adds(&out, part);
		buf_adds(&out, "},");
	}
	buf_adds(&out, "\"Users\":[");
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
		sep = 1;
	}
	/*
	 * The device's users, each login once, in Okta's order: Sekoia's
	 * model keeps no owner, and this is where its other device
	 * connectors put them.  Okta unlinks a deactivated device's users.
	 */
	for (long u = users + 1; active && users >= 0 &&
	    u < (long)doc.t[users].next; u = doc.t[u].next) {
		long up = get_type(get_type(u, "user", J_OBJECT), "profile",
		    J_OBJECT), w;
		int seen = 0;

		if ((s = get_str(up, "login", &n)) == NULL)
			continue;
		for (w = users + 1; w < u && !seen; w = doc.t[w].next) {
			const char *o;
			size_t on;

			o = get_str(get_type(get_type(w, "user", J_OBJECT),
			    "profile", J_OBJECT), "login", &on);
			seen = o != NULL && on == n && memcmp(o, s, n) == 0;
		}
		if (seen)
			continue;
		if (sep)
			buf_addc(&out, ',');
		jstr(s, n);
		sep = 1;
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
	const char *s, *p, *name, *host;
	size_t n, np = 0, nname, nhost;
	const struct platform *pl = NULL;
	int b, active = 1, deleted = 0;

	profile = get_type(dev, "profile", J_OBJECT);
	emb = get_type(dev, "_embedded", J_OBJECT);
	users = get_type(emb, "users", J_ARRAY);
	if ((p = get_str(profile, "platform", &np)) != NULL)
		pl = find_platform(p, np);
	/* A status other than ACTIVE; DELETED: okta-fetch's vanished device. */
	if ((s = get_str(dev, "status", &n)) != NULL) {
		active = n == 6 && strncasecmp(s, "ACTIVE", 6) == 0;
		deleted = n == 7 && strncasecmp(s, "DELETED", 7) == 0;
	}

	buf_adds(&out, head);
	buf_addi(&out, in_unit(fixed_time >= 0 ? fixed_time : now_ms()));
	buf_adds(&out, meta);
	jstr(id, idlen);
	/* Sekoia's model requires a hostname: the best name Okta has. */
	host = name = get_str(profile, "displayName", &nname);
	nhost = nname;
	if (host == NULL && tg->hostname_always &&
	    (host = get_str(profile, "serialNumber", &nhost)) == NULL) {
		host = id;
		nhost = idlen;
	}
	if (host != NULL) {
		buf_adds(&out, ",\"hostname\":");
		jstr(host, nhost);
	}
	if (name != NULL) {
		buf_adds(&out, ",\"name\":");
		jstr(name, nname);
	}
	put_type(p, pl);
	put_os(profile, p, np, pl);
	put_str(",\"vendor_name\":", profile, "manufacturer");
	put_str(",\"model\":", profile, "model");
	put_times(dev, "created", ",\"created_time\":", ",\"first_seen_time\":");
	put_times(dev, "lastUpdated", ",\"last_seen_time\":",
	    ",\"modified_time\":");
	put_managed(profile, users, deleted);
	/* A deactivated or suspended device is not compliant. */
	if ((b = get_bool(profile, "registered")) >= 0 || deleted)
		put_bool(",\"is_compliant\":", b > 0 && active);
	/* TPM or Secure Enclave: the device can hold keys Okta trusts. */
	if ((b = get_bool(profile, "secureHardwarePresent")) >= 0)
		put_bool(",\"is_trusted\":", b);
	if ((s = get_str(profile, "serialNumber", &n)) != NULL) {
		buf_adds(&out, ",\"hw_info\":{\"serial_number\":");
		jstr(s, n);
		buf_addc(&out, '}');
	}
	put_str(",\"uid_alt\":", profile, tg->uid_alt);
	put_str(",\"udid\":", profile, "udid");
	put_str(",\"meid\":", profile, "meid");
	if ((s = get_str(profile, "imei", &n)) != NULL) {
		buf_adds(&out, ",\"imei_list\":[");
		jstr(s, n);
		buf_addc(&out, ']');
	}
	put_owner(users);
	buf_addc(&out, '}');
	put_enrichment(profile, users, active);
	put_unmapped(dev, profile);
	buf_adds(&out, "}\n");
}

/* Where a value is reported: the input's name and the line it starts on. */
struct at {
	const char	*name;
	unsigned long	 line;
};

static void
reject(const struct at *at, long elem, const char *text, size_t len,
    const char *fmt, ...) PRINTFLIKE(5, 6);

/*
 * Report a rejected value (or array element) and save it verbatim.  Each
 * rejection counts as one device read, so devices = records + rejected.
 */
static void
reject(const struct at *at, long elem, const char *text, size_t len,
    const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (elem >= 0)
		warnx("%s:%lu: element %ld: %s", at->name, at->line, elem, why);
	else
		warnx("%s:%lu: %s", at->name, at->line, why);
	n_rejected++;
	n_devices++;
	if (rejects != NULL && text != NULL) {
		fwrite(text, 1, len, rejects);
		fputc('\n', rejects);
	}
}

/* A device object, or the reason it cannot be one. */
static void
device(const struct at *at, long elem, long o, const char *text, size_t len)
{
	const char *id, *why = NULL;
	size_t n;

	memo_clear();
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
			n_devices++;
			free_decoded();
			if (out.len >= OUT_FLUSH)
				flush_out();
			return;
		}
		out.len = start;
		why = "invalid UTF-8 in a mapped string";
	}
	free_decoded();
	if (text == NULL) {
		/* An array element is saved alone, as compact JSON. */
		static struct buf el;

		el.len = 0;
		jtext(&doc, o, &el);
		text = el.p;
		len = el.len;
	}
	reject(at, elem, text, len, "%s", why);
}

/* A value jscan accepted: a device, an array of devices, or a rejection. */
static void
convert_value(const struct at *at, const char *text, size_t len)
{
	long i, k = 1;

	if (doc.t[0].type == J_ARRAY)
		for (i = 1; i < (long)doc.t[0].next; i = doc.t[i].next)
			device(at, k++, i, NULL, 0);
	else if (doc.t[0].type == J_OBJECT)
		device(at, -1, 0, text, len);
	else
		reject(at, -1, text, len, "not a JSON object or array");
}

#ifdef FUZZING
/* One text holding one value (the fuzzer's way in). */
static void
convert_text(const struct at *at, const char *text, size_t len)
{
	const char *why;
	int r;

	if (is_blank(text, len))
		return;
	if ((r = jscan(&doc, text, len, &why)) == JSCAN_OK)
		convert_value(at, text, len);
	else if (r == JSCAN_BAD)
		reject(at, -1, text, len, "invalid JSON: %s at byte %zu", why,
		    doc.err_at + 1);
	else
		reject(at, -1, text, len, "invalid JSON: the input ends inside "
		    "a value");
}
#endif

/*
 * Values spread over lines.  A line that ends inside a value (jscan says
 * SHORT) is joined with the next ones, in `pend', until the value is
 * complete, wrong, or over the limit.  A joined text that is wrong costs
 * only its first line: the lines after it are read again, from `pend',
 * so that a good line is never lost to a bad one.
 *
 * Rescanning after each line would be quadratic in a big pretty-printed
 * value, so a bracket count (struct nest) says when the value may be
 * complete, and jscan runs then, or when the text has doubled since its
 * last run.  A restarted value can only outlive the one before it where
 * it starts deeper, and jscan refuses nesting past 64, so no line is
 * read again more than about 65 times: linear, whatever the input.
 */
static struct buf pend;		/* input lines not yet consumed, '\n' between */
static size_t pend_off;		/* where the unconsumed part starts */
static unsigned long pend_line;	/* the line number of that part */

struct nest {
	long	 depth;
	int	 in_str, esc;
	int	 str_open;	/* the last line ended inside a string */
	int	 closed;	/* depth came back to 0, or a string spans lines */
};

static void
nest_line(struct nest *t, const char *s, size_t n)
{
	const char *end = s + n;

	if (t->str_open) {
		/* A raw newline inside a string: jscan will say it is wrong. */
		t->closed = 1;
		t->str_open = 0;
	}
	for (; s < end; s++) {
		if (t->in_str) {
			if (t->esc)
				t->esc = 0;
			else if (*s == '\\')
				t->esc = 1;
			else if (*s == '"')
				t->in_str = 0;
		} else if (*s == '"')
			t->in_str = 1;
		else if (*s == '{' || *s == '[')
			t->depth++;
		else if ((*s == '}' || *s == ']') && --t->depth <= 0)
			t->closed = 1;
	}
	if (t->in_str) {
		t->str_open = 1;
		t->in_str = t->esc = 0;
	}
}

/* The end of the pending line that starts at OFF. */
static size_t
pend_eol(size_t off)
{
	char *nl = memchr(pend.p + off, '\n', pend.len - off);

	return nl != NULL ? (size_t)(nl - pend.p) : pend.len;
}

/* Consume the pending text up to END (a line end), LINES lines. */
static void
pend_consume(size_t end, unsigned long lines)
{
	pend_off = end < pend.len ? end + 1 : pend.len;
	pend_line += lines;
	if (pend_off == pend.len)
		pend.len = pend_off = 0;
}

/* The next input line, without the byte-order mark that may start it. */
static int
read_line(struct lreader *lr, char **line, size_t *len)
{
	int r = lreader_next(lr, line, len);

	if (r == LR_LINE && lr->lineno == 1 && *len >= 3 &&
	    memcmp(*line, "\xef\xbb\xbf", 3) == 0) {
		*line += 3;
		*len -= 3;
	}
	return r;
}

/*
 * A value that has passed the limit: rejected once, at its first line,
 * and copied whole to REJECTS, but never held: the lines up to where its
 * brackets close are read and passed on.  LINE is the line that did not
 * fit, or NULL when it was itself too long (and is still unread).
 */
static int
too_long(struct lreader *lr, struct nest *t, size_t start, const char *line,
    size_t len)
{
	struct at at = { lr->name, pend_line };
	int r;

	reject(&at, -1, NULL, 0, "value longer than %d bytes", MAX_VALUE);
	if (rejects != NULL)
		fwrite(pend.p + start, 1, pend.len - start, rejects);
	pend.len = pend_off = 0;
	if (line == NULL) {
		/* Its brackets are unknown: the value ends with it. */
		if (rejects != NULL)
			fputc('\n', rejects);
		return lreader_skip(lr, rejects) == LR_ERROR ? -1 : 0;
	}
	for (;;) {
		if (rejects != NULL) {
			fputc('\n', rejects);
			fwrite(line, 1, len, rejects);
		}
		nest_line(t, line, len);
		if (t->depth <= 0)
			break;
		if ((r = read_line(lr, (char **)&line, &len)) == LR_EOF)
			break;
		if (r == LR_ERROR)
			return -1;
		if (r == LR_TOOLONG) {
			if (rejects != NULL)
				fputc('\n', rejects);
			return lreader_skip(lr, rejects) == LR_ERROR ? -1 : 0;
		}
	}
	if (rejects != NULL)
		fputc('\n', rejects);
	return 0;
}

/*
 * The value that starts at the first pending line; SCANNED when jscan
 * already found that line SHORT alone.  -1 on a read error.
 */
static int
join(struct lreader *lr, int scanned)
{
	struct nest t = { 0, 0, 0, 0, 0 };
	struct at at = { lr->name, pend_line };
	size_t start = pend_off, end, first, last = 0, next, len, k, col;
	unsigned long lines = 1, errline;
	const char *why;
	char *line;
	int r;

	first = end = pend_eol(start);
	nest_line(&t, pend.p + start, end - start);
	if (scanned)
		last = end - start;
	for (;;) {
		if (!scanned || t.closed || end - start >= 2 * last) {
			r = jscan(&doc, pend.p + start, end - start, &why);
			scanned = 1;
			t.closed = 0;
			last = end - start;
			if (r == JSCAN_OK) {
				convert_value(&at, pend.p + start, end - start);
				pend_consume(end, lines);
				return 0;
			}
			if (r == JSCAN_BAD && lines == 1) {
				reject(&at, -1, pend.p + start, end - start,
				    "invalid JSON: %s at byte %zu", why,
				    doc.err_at + 1);
				pend_consume(first, 1);
				return 0;
			}
			if (r == JSCAN_BAD) {
				errline = pend_line;
				col = 0;
				for (k = start; k < start + doc.err_at; k++)
					if (pend.p[k] == '\n') {
						errline++;
						col = k + 1 - start;
					}
				reject(&at, -1, pend.p + start, first - start,
				    "invalid JSON: the value begun here breaks "
				    "off: %s at line %lu, byte %zu", why, errline,
				    doc.err_at - col + 1);
				pend_consume(first, 1);
				return 0;
			}
		}
		/* Too short: one more line, pending or new. */
		if (end < pend.len) {
			next = pend_eol(end + 1);
			nest_line(&t, pend.p + end + 1, next - end - 1);
			end = next;
			lines++;
			continue;
		}
		if ((r = read_line(lr, &line, &len)) == LR_ERROR)
			return -1;
		if (r == LR_EOF && last != end - start) {
			/* One last scan, to say what is wrong if more than
			 * the end (the reader says EOF again next time). */
			t.closed = 1;
			continue;
		}
		if (r == LR_EOF) {
			reject(&at, -1, pend.p + start, first - start,
			    "invalid JSON: the input ends inside a value");
			pend_consume(first, 1);
			return 0;
		}
		if (r == LR_TOOLONG)
			return too_long(lr, &t, start, NULL, 0);
		if (end - start + 1 + len > MAX_VALUE)
			return too_long(lr, &t, start, line, len);
		if (start > 0 && start >= pend.len - start) {
			/* Keep the buffer near the value's size. */
			memmove(pend.p, pend.p + start, pend.len - start);
			pend.len -= start;
			first -= start;
			start = pend_off = 0;
		}
		buf_addc(&pend, '\n');
		buf_add(&pend, line, len);
		nest_line(&t, line, len);
		end = pend.len;
		lines++;
	}
}

/* One input: values one per line or spread over lines; -1 on read error. */
static int
convert(struct lreader *lr)
{
	struct at at = { lr->name, 0 };
	const char *why;
	char *line;
	size_t len, e;
	int r;

	pend.len = pend_off = 0;
	for (;;) {
		if (pend_off < pend.len) {
			/* Lines read again after a rejected first line. */
			e = pend_eol(pend_off);
			if (is_blank(pend.p + pend_off, e - pend_off))
				pend_consume(e, 1);
			else if (join(lr, 0) == -1)
				return -1;
			continue;
		}
		if ((r = read_line(lr, &line, &len)) == LR_EOF)
			return 0;
		if (r == LR_ERROR)
			return -1;
		at.line = lr->lineno;
		if (r == LR_TOOLONG) {
			reject(&at, -1, NULL, 0, "line longer than %d bytes",
			    MAX_VALUE);
			if (lreader_skip(lr, rejects) == LR_ERROR)
				return -1;
			continue;
		}
		if (is_blank(line, len))
			continue;
		/* The usual case, one value on one line: no copy. */
		if ((r = jscan(&doc, line, len, &why)) == JSCAN_OK)
			convert_value(&at, line, len);
		else if (r == JSCAN_BAD)
			reject(&at, -1, line, len, "invalid JSON: %s at byte %zu",
			    why, doc.err_at + 1);
		else {
			pend.len = pend_off = 0;
			buf_add(&pend, line, len);
			pend_line = lr->lineno;
			if (join(lr, 1) == -1)
				return -1;
		}
	}
}

static void NORETURN
usage(int status)
{
	FILE *fp = status ? stderr : stdout;

	fputs(synopsis, fp);
	if (status)
		exit(status);
	fputs("  -T sekoia|ocsf  who reads the records: Sekoia.io's asset model "
	    "(default), or plain OCSF\n"
	    "  -t TIME_MS      the records' time, milliseconds since the epoch "
	    "(default: now)\n"
	    "  -u ms|s         the unit of every timestamp (default: s for "
	    "sekoia, ms for ocsf)\n"
	    "  -r REJECTS      save every rejected value to REJECTS\n"
	    "  -q              quiet: no summary line\n"
	    "  -v              verbose: always a summary line\n"
	    "  --stats FILE    write the run's counters to FILE as JSON at exit\n"
	    "  -h, --help      print this help and exit\n"
	    "  -V, --version   print the version and exit\n"
	    "environment:\n"
	    "  SOURCE_DATE_EPOCH  the records' time, seconds since the epoch, "
	    "unless -t\n"
	    "See okta2ocsf(1).\n", fp);
	exit(0);
}

#ifndef FUZZING
int
main(int argc, char *argv[])
{
	enum { OPT_STATS = 256 };
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "stats", required_argument, NULL, OPT_STATS },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct stat_field fields[] = {
		{ "devices", &n_devices, NULL },
		{ "records", &n_out, NULL },
		{ "rejected", &n_rejected, NULL },
		{ "seconds", NULL, &seconds },
		{ NULL, NULL, NULL }
	};
	static const char *const names[] = { "sekoia", "ocsf", NULL };
	static const char *const units[] = { "ms", "s", NULL };
	struct lreader lr;
	const char *e, *sde, *stats = NULL;
	int c, failed = 0, i, unit = -1, rejects_err = 0, fd;
	int64_t t0 = mono_ms();

	stdfds_open();		/* before anything is opened */
	setprogname(argv);
	usage_synopsis = synopsis;
	while ((c = getopt_long(argc, argv, "hqr:T:t:u:vV", longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 'h':
			usage(0);
		case 'q':
			verbosity = 0;
			break;
		case 'r':
			rejects_name = optarg;
			break;
		case 'T':
			/* names[] in the order of targets[]. */
			tg = &targets[opt_word("-T", optarg, names)];
			break;
		case 't':
			fixed_time = parse_num(optarg, 0, INT64_MAX / 1000, &e);
			if (e != NULL)
				usage_error("-t %s: %s (milliseconds since the "
				    "epoch)", optarg, e);
			break;
		case 'u':
			unit = opt_word("-u", optarg, units);	/* 1: seconds */
			break;
		case 'v':
			verbosity++;
			break;
		case 'V':
			printf("okta2ocsf %s\n", VERSION);
			return 0;
		case OPT_STATS:
			stats = optarg;
			break;
		default:
			usage(EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (stats != NULL)
		stats_open(stats, fields);
	unit_s = unit >= 0 ? unit : tg->unit_s;

	if (fixed_time < 0 && (sde = getenv("SOURCE_DATE_EPOCH")) != NULL &&
	    *sde != '\0') {
		fixed_time = parse_num(sde, 0, INT64_MAX / 1000000, &e) * 1000;
		if (e != NULL)
			errx(EXIT_CONFIG, "SOURCE_DATE_EPOCH=%s: %s (seconds "
			    "since the epoch)", sde, e);
	}
	if (rejects_name != NULL) {
		/* 0600 like FAILED: the devices' owners and serials. */
		if ((fd = open_output(rejects_name, O_CREAT | O_TRUNC)) == -1 &&
		    errno == ENXIO)
			errx(EXIT_CONFIG, "%s: a FIFO with no reader: REJECTS "
			    "must be read as it is written", rejects_name);
		if (fd == -1 || (rejects = fdopen(fd, "w")) == NULL)
			err(EXIT_CONFIG, "%s", rejects_name);
	}

	buf_grow(&out, OUT_FLUSH * 2);

	if (argc == 0) {
		static char *dash[] = { "-", NULL };

		argv = dash;
		argc = 1;
	}
	for (i = 0; i < argc; i++) {
		if (lreader_open(&lr, argv[i], MAX_VALUE) == -1) {
			warn("%s", argv[i]);
			failed = 1;
			continue;
		}
		if (convert(&lr) == -1) {
			/* The rest of that input is unknown: no device is
			 * counted for it, and the run must be done again. */
			if (errno == EISDIR) {
				warn("%s", lr.name);
				if (!failed)
					failed = 1;
			} else {
				warn("%s: read error after line %lu: the rest "
				    "of it is not converted", lr.name,
				    lr.lineno);
				failed = EXIT_TEMPFAIL;
			}
		}
		lreader_close(&lr);
	}
	flush_out();
	jdoc_free(&doc);
	free(decoded);
	buf_free(&out);
	buf_free(&pend);

	if (fshut(stdout, "stdout") == -1)
		failed = EXIT_TEMPFAIL;
	if (rejects != NULL && fshut(rejects, rejects_name) == -1) {
		failed = EXIT_TEMPFAIL;
		rejects_err = 1;
	}
	seconds = (mono_ms() - t0) / 1000.0;
	if (n_rejected > 0 || verbosity > 1)
		info("%lu device%s read, %lu record%s written, %lu rejected%s%s",
		    n_devices, n_devices == 1 ? "" : "s", n_out,
		    n_out == 1 ? "" : "s", n_rejected,
		    rejects_name && n_rejected ? rejects_err ?
		    ", NOT saved: write error on " : ", saved to " : "",
		    rejects_name && n_rejected ? rejects_name : "");
	debug("%.3f s", seconds);
	if (failed)
		return stats_exit(failed);
	return stats_exit(n_rejected > 0 ? EXIT_REJECTS : 0);
}
#endif /* FUZZING */
