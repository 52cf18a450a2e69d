/*
 * crypto.c: JOSE with OpenSSL 3's libcrypto and nothing else: base64url
 * (RFC 4648 section 5, unpadded), private keys read from PEM (PKCS#1,
 * PKCS#8, SEC1) or a JWK (RFC 7517), compact JWS (RFC 7515) signed RS256,
 * ES256 or ES384, the JWK thumbprint (RFC 7638) and a P-256 key made for
 * the run (RFC 9449's DPoP key).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "crypto.h"

#define RSA_MIN_BITS	2048	/* what Okta accepts, and RFC 7518 3.3 */
#define EC_MAX_COORD	48	/* P-384 */

/* The value of a base64url character, or -1. */
static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '-' ? 62 : c == '_' ? 63 : -1;
}

/*
 * Unpadded base64url into B (appended); -1 on any other character, a
 * length no encoding has, or bits left over (a non-canonical form).
 */
int
b64url_decode(const char *s, size_t n, struct buf *b)
{
	unsigned long v = 0;
	size_t i;
	int bits = 0, c;

	if (n % 4 == 1)
		return -1;
	for (i = 0; i < n; i++) {
		if ((c = b64val((unsigned char)s[i])) < 0)
			return -1;
		v = (v << 6 | (unsigned long)c) & 0xffffff;
		if ((bits += 6) >= 8) {
			bits -= 8;
			buf_addc(b, (char)(v >> bits & 0xff));
		}
	}
	if (bits > 0 && (v & ((1UL << bits) - 1)) != 0)
		return -1;
	return 0;
}

/* Never ask for a pass phrase on the terminal: an encrypted key is refused. */
static int
no_passphrase(char *buf, int size, int rwflag, void *arg)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	*(int *)arg = 1;
	return -1;
}

/* The algorithm for the key's type, or NULL with a message. */
static int
key_alg(struct sign_key *k, char *errbuf, size_t errlen)
{
	EVP_PKEY *p = k->pkey;
	char group[64];
	size_t n;

	if (EVP_PKEY_is_a(p, "RSA")) {
		if (EVP_PKEY_get_bits(p) < RSA_MIN_BITS) {
			snprintf(errbuf, errlen, "an RSA key of %d bits: Okta "
			    "needs at least %d", EVP_PKEY_get_bits(p),
			    RSA_MIN_BITS);
			return -1;
		}
		k->alg = "RS256";
		return 0;
	}
	if (EVP_PKEY_is_a(p, "EC")) {
		if (!EVP_PKEY_get_utf8_string_param(p,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &n))
			group[0] = '\0';
		if (strcmp(group, "prime256v1") == 0 ||
		    strcmp(group, "P-256") == 0) {
			k->alg = "ES256";
			k->coord = 32;
			return 0;
		}
		if (strcmp(group, "secp384r1") == 0 ||
		    strcmp(group, "P-384") == 0) {
			k->alg = "ES384";
			k->coord = 48;
			return 0;
		}
		snprintf(errbuf, errlen, "an EC key on curve %s: P-256 or "
		    "P-384 is needed", group[0] ? group : "(unknown)");
		return -1;
	}
	snprintf(errbuf, errlen, "a %s key: RSA, or EC on P-256 or P-384 is "
	    "needed", EVP_PKEY_get0_type_name(p) ? EVP_PKEY_get0_type_name(p) :
	    "non-RSA, non-EC");
	return -1;
}

static const char formats[] = "accepted: PEM \"-----BEGIN PRIVATE KEY-----\" "
    "(PKCS#8), \"RSA PRIVATE KEY\" (PKCS#1), \"EC PRIVATE KEY\" (SEC1), or a "
    "private JWK {\"kty\":\"RSA\"|\"EC\",...,\"d\":...}";

static int
has(const char *s, size_t n, const char *what)
{
	size_t k = strlen(what);

	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(s + i, what, k) == 0)
			return 1;
	return 0;
}

/* The label of the first PEM header line: "PRIVATE KEY", or "" */
static void
pem_label(const char *s, size_t n, char *out, size_t outlen)
{
	const char *p = s, *end = s + n, *e;

	*out = '\0';
	if ((size_t)(end - p) < 11 || strncmp(p, "-----BEGIN ", 11) != 0)
		return;
	p += 11;
	for (e = p; e < end && *e != '-' && *e != '\n' && e - p < 60; e++)
		if (!isupper((unsigned char)*e) && *e != ' ' &&
		    !isdigit((unsigned char)*e))
			return;
	snprintf(out, outlen, "%.*s", (int)(e - p), p);
}

static int
pem_key(const char *s, size_t n, int flags, struct sign_key *k, char *errbuf,
    size_t errlen)
{
	char label[64];
	BIO *bio;
	int asked = 0;

	pem_label(s, n, label, sizeof(label));
	if (strcmp(label, "ENCRYPTED PRIVATE KEY") == 0 ||
	    has(s, n, "Proc-Type: 4,ENCRYPTED")) {
		snprintf(errbuf, errlen, "an encrypted PEM key (%s): okta-fetch "
		    "reads no pass phrase; decrypt it (openssl pkey -in KEY "
		    "-out KEY.pem) and keep the file private", label);
		return -1;
	}
	if ((flags & KEY_PUBLIC_OK) == 0 && (strcmp(label, "PUBLIC KEY") == 0 ||
	    strcmp(label, "RSA PUBLIC KEY") == 0 ||
	    strcmp(label, "CERTIFICATE") == 0)) {
		snprintf(errbuf, errlen, "PEM \"%s\": a public key or "
		    "certificate; the private key is needed (%s)", label,
		    formats);
		return -1;
	}
	if (strcmp(label, "OPENSSH PRIVATE KEY") == 0) {
		snprintf(errbuf, errlen, "an OpenSSH key; convert it with "
		    "ssh-keygen -p -m PKCS8 -f KEY (%s)", formats);
		return -1;
	}
	if (strcmp(label, "PRIVATE KEY") != 0 &&
	    strcmp(label, "RSA PRIVATE KEY") != 0 &&
	    strcmp(label, "EC PRIVATE KEY") != 0 &&
	    !((flags & KEY_PUBLIC_OK) && strcmp(label, "PUBLIC KEY") == 0)) {
		snprintf(errbuf, errlen, "PEM \"%s\" (%s)", label, formats);
		return -1;
	}
	if ((bio = BIO_new_mem_buf(s, (int)n)) == NULL)
		errx(EXIT_TEMPFAIL, "BIO_new_mem_buf: out of memory");
	if (strcmp(label, "PUBLIC KEY") == 0)
		k->pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	else
		k->pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase,
		    &asked);
	BIO_free(bio);
	ERR_clear_error();
	if (k->pkey == NULL) {
		snprintf(errbuf, errlen, "PEM \"%s\" that does not decode%s",
		    label, asked ? " (it is encrypted: decrypt it first)" :
		    " (damaged, or cut short?)");
		return -1;
	}
	return 0;
}

/* A base64url JWK member as a BIGNUM (NULL when absent or bad). */
static BIGNUM *
jwk_bn(const struct jdoc *d, const char *name, int *bad)
{
	struct buf b = { 0 };
	BIGNUM *bn = NULL;
	char *s;
	size_t n;
	long i;

	if ((i = jmember(d, 0, name)) < 0)
		return NULL;
	if (d->t[i].type != J_STRING) {
		*bad = 1;
		return NULL;
	}
	s = jstr_dup(d, i, &n);
	if (b64url_decode(s, n, &b) == -1 || b.len == 0)
		*bad = 1;
	else if ((bn = BN_bin2bn((unsigned char *)b.p, (int)b.len, NULL)) ==
	    NULL)
		errx(EXIT_TEMPFAIL, "BN_bin2bn: out of memory");
	explicit_bzero(s, n);
	free(s);
	buf_wipe(&b);
	return bn;
}

static char *
jwk_str(const struct jdoc *d, long obj, const char *name)
{
	size_t n;
	long i;

	if ((i = jmember(d, obj, name)) < 0 || d->t[i].type != J_STRING)
		return NULL;
	return jstr_dup(d, i, &n);
}

/* A key from JWK members through OSSL_PARAM: RSA n e d [p q dp dq qi], EC. */
static int
jwk_fromdata(const struct jdoc *d, const char *kty, int flags,
    struct sign_key *k, char *errbuf, size_t errlen)
{
	static const char *rsa_names[] = { "n", "e", "d", "p", "q", "dp",
	    "dq", "qi" };
	static const char *rsa_params[] = { OSSL_PKEY_PARAM_RSA_N,
	    OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
	    OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
	    OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
	    OSSL_PKEY_PARAM_RSA_COEFFICIENT1 };
	BIGNUM *bn[8] = { 0 };
	OSSL_PARAM_BLD *bld;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	unsigned char point[1 + 2 * EC_MAX_COORD];
	char *crv = NULL;
	size_t coord = 0;
	int bad = 0, priv = 0, crt, ret = -1, i, nbn = 0;

	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		errx(EXIT_TEMPFAIL, "OSSL_PARAM_BLD_new: out of memory");
	if (strcmp(kty, "RSA") == 0) {
		for (i = 0; i < 8; i++)
			bn[i] = jwk_bn(d, rsa_names[i], &bad);
		nbn = 8;
		if (bad || bn[0] == NULL || bn[1] == NULL) {
			snprintf(errbuf, errlen, "an RSA JWK whose \"n\" or "
			    "\"e\" is missing or not base64url");
			goto out;
		}
		priv = bn[2] != NULL;
		/* The CRT members all or none: OpenSSL takes them together. */
		crt = bn[3] && bn[4] && bn[5] && bn[6] && bn[7];
		for (i = 0; i < 8; i++)
			if ((i < 3 || crt) && bn[i] != NULL)
				OSSL_PARAM_BLD_push_BN(bld, rsa_params[i],
				    bn[i]);
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	} else {
		crv = jwk_str(d, 0, "crv");
		if (crv != NULL && strcmp(crv, "P-256") == 0)
			coord = 32;
		else if (crv != NULL && strcmp(crv, "P-384") == 0)
			coord = 48;
		else {
			snprintf(errbuf, errlen, "an EC JWK on curve %s: P-256 "
			    "or P-384 is needed", crv ? "other than P-256 or "
			    "P-384" : "(no \"crv\")");
			goto out;
		}
		bn[0] = jwk_bn(d, "x", &bad);
		bn[1] = jwk_bn(d, "y", &bad);
		bn[2] = jwk_bn(d, "d", &bad);
		nbn = 3;
		if (bad) {
			snprintf(errbuf, errlen, "an EC JWK with a member that "
			    "is not base64url");
			goto out;
		}
		if (bn[0] == NULL || bn[1] == NULL ||
		    BN_num_bytes(bn[0]) > (int)coord ||
		    BN_num_bytes(bn[1]) > (int)coord) {
			snprintf(errbuf, errlen, "an EC JWK whose \"x\" or "
			    "\"y\" is missing or not a %s coordinate", crv);
			goto out;
		}
		priv = bn[2] != NULL;
		point[0] = 4;	/* uncompressed */
		BN_bn2binpad(bn[0], point + 1, (int)coord);
		BN_bn2binpad(bn[1], point + 1 + coord, (int)coord);
		OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
		    coord == 32 ? "P-256" : "P-384", 0);
		OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
		    point, 1 + 2 * coord);
		if (priv)
			OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY,
			    bn[2]);
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	}
	if (bad) {
		snprintf(errbuf, errlen, "a JWK with a member that is not "
		    "base64url");
		goto out;
	}
	if (!priv && (flags & KEY_PUBLIC_OK) == 0) {
		snprintf(errbuf, errlen, "a public JWK (no \"d\"): the private "
		    "key is needed, the one Okta's Admin Console showed once "
		    "when it generated the key");
		goto out;
	}
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL || ctx == NULL)
		errx(EXIT_TEMPFAIL, "OSSL_PARAM: out of memory");
	if (EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, (EVP_PKEY **)&k->pkey, priv ?
	    EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) <= 0) {
		snprintf(errbuf, errlen, "a %s JWK that OpenSSL does not accept "
		    "as a key", kty);
		goto out;
	}
	if (priv) {
		/* A d that does not match the public part: say so now, not
		 * as a refusal from Okta later. */
		EVP_PKEY_CTX *c2 = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey,
		    NULL);
		int good = c2 != NULL && EVP_PKEY_pairwise_check(c2) == 1;

		EVP_PKEY_CTX_free(c2);
		if (!good) {
			snprintf(errbuf, errlen, "a %s JWK whose private part "
			    "(\"d\") does not match its public part", kty);
			EVP_PKEY_free(k->pkey);
			k->pkey = NULL;
			goto out;
		}
	}
	ret = 0;
out:
	ERR_clear_error();
	for (i = 0; i < nbn; i++)
		BN_clear_free(bn[i]);
	free(crv);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	explicit_bzero(point, sizeof(point));
	return ret;
}

static int
jwk_key(const char *s, size_t n, int flags, struct sign_key *k, char *errbuf,
    size_t errlen)
{
	struct jdoc d = { 0 };
	const char *why;
	char *kty = NULL;
	long keys;
	int ret = -1;

	if (jscan(&d, s, n, &why) != JSCAN_OK || d.t[0].type != J_OBJECT) {
		snprintf(errbuf, errlen, "text starting with \"{\" that is not "
		    "a JSON object (%s)", formats);
		goto out;
	}
	/* A JWK Set of one key, as some consoles download it. */
	if ((keys = jmember(&d, 0, "keys")) >= 0) {
		long first = keys + 1;

		if (d.t[keys].type != J_ARRAY ||
		    d.t[keys].next == (uint32_t)first ||
		    d.t[keys].next != d.t[first].next) {
			snprintf(errbuf, errlen, "a JWK Set that does not hold "
			    "exactly one key");
			goto out;
		}
		ret = jwk_key(s + d.t[first].start, d.t[first].end -
		    d.t[first].start, flags, k, errbuf, errlen);
		goto out;
	}
	if ((kty = jwk_str(&d, 0, "kty")) == NULL) {
		snprintf(errbuf, errlen, "a JSON object with no \"kty\": not a "
		    "JWK (%s)", formats);
		goto out;
	}
	if (strcmp(kty, "RSA") != 0 && strcmp(kty, "EC") != 0) {
		snprintf(errbuf, errlen, "a JWK of kty \"%.16s\": RSA or EC is "
		    "needed", kty);
		goto out;
	}
	if (jwk_fromdata(&d, kty, flags, k, errbuf, errlen) == -1)
		goto out;
	k->kid = jwk_str(&d, 0, "kid");
	ret = 0;
out:
	free(kty);
	jdoc_free(&d);
	return ret;
}

/*
 * A key from TEXT, a PEM block or a JWK, told apart by their first
 * character.  0, or -1 with ERRBUF saying what was found and what is
 * accepted (never a byte of the key itself).
 */
int
key_parse(const char *text, size_t n, int flags, struct sign_key *k,
    char *errbuf, size_t errlen)
{
	size_t i = 0;

	memset(k, 0, sizeof(*k));
	if (errlen > 0)
		*errbuf = '\0';
	while (i < n && isspace((unsigned char)text[i]))
		i++;
	text += i;
	n -= i;
	if (n >= 11 && strncmp(text, "-----BEGIN ", 11) == 0) {
		if (pem_key(text, n, flags, k, errbuf, errlen) == -1)
			return -1;
	} else if (n > 0 && text[0] == '{') {
		if (jwk_key(text, n, flags, k, errbuf, errlen) == -1)
			return -1;
	} else {
		size_t b64 = 0;

		while (b64 < n && (isalnum((unsigned char)text[b64]) ||
		    strchr("+/=\r\n", text[b64]) != NULL))
			b64++;
		snprintf(errbuf, errlen, "%s (%s)", n == 0 ? "nothing" :
		    b64 == n ? "base64 text without a PEM \"-----BEGIN\" line" :
		    strncmp(text, "ssh-", 4) == 0 ? "an OpenSSH public key" :
		    "neither PEM nor JSON (not shown: it may be a secret)",
		    formats);
		return -1;
	}
	if (key_alg(k, errbuf, errlen) == -1) {
		key_free(k);
		return -1;
	}
	return 0;
}

/* The DPoP key: P-256, new for each run, never written anywhere. */
int
key_generate_p256(struct sign_key *k)
{
	memset(k, 0, sizeof(*k));
	if ((k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) == NULL)
		return -1;
	k->alg = "ES256";
	k->coord = 32;
	return 0;
}

void
key_free(struct sign_key *k)
{
	EVP_PKEY_CTX_free(k->ctx);
	EVP_PKEY_free(k->pkey);
	free(k->kid);
	memset(k, 0, sizeof(*k));
}

static void
bn_member(struct buf *b, const char *name, const BIGNUM *bn, size_t pad)
{
	unsigned char v[1024];
	int n = pad ? (int)pad : BN_num_bytes(bn);

	if (n > (int)sizeof(v) || BN_bn2binpad(bn, v, n) < 0)
		errx(EXIT_TEMPFAIL, "a key member too large");
	buf_adds(b, "\"");
	buf_adds(b, name);
	buf_adds(b, "\":\"");
	b64url_add(b, v, (size_t)n);
	buf_adds(b, "\"");
}

/*
 * The public JWK with only the required members, in lexicographic
 * order and without blanks: RFC 7638's form, also DPoP's "jwk" header.
 */
void
jwk_public(const struct sign_key *k, struct buf *b)
{
	BIGNUM *x = NULL, *y = NULL;

	if (EVP_PKEY_is_a(k->pkey, "RSA")) {
		if (!EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_E, &x) ||
		    !EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_N, &y))
			errx(EXIT_TEMPFAIL, "cannot read the RSA key");
		buf_addc(b, '{');
		bn_member(b, "e", x, 0);
		buf_adds(b, ",\"kty\":\"RSA\",");
		bn_member(b, "n", y, 0);
		buf_addc(b, '}');
	} else {
		if (!EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_EC_PUB_X,
		    &x) || !EVP_PKEY_get_bn_param(k->pkey,
		    OSSL_PKEY_PARAM_EC_PUB_Y, &y))
			errx(EXIT_TEMPFAIL, "cannot read the EC key");
		buf_adds(b, k->coord == 32 ? "{\"crv\":\"P-256\"," :
		    "{\"crv\":\"P-384\",");
		buf_adds(b, "\"kty\":\"EC\",");
		bn_member(b, "x", x, k->coord);
		buf_addc(b, ',');
		bn_member(b, "y", y, k->coord);
		buf_addc(b, '}');
	}
	BN_free(x);
	BN_free(y);
}

/* RFC 7638: base64url(SHA-256(the canonical public JWK)). */
void
jwk_thumbprint(const struct sign_key *k, struct buf *out)
{
	struct buf j = { 0 };

	jwk_public(k, &j);
	sha256_b64url(j.p, j.len, out);
	buf_free(&j);
}

void
sha256(const void *p, size_t n, unsigned char md[32])
{
	unsigned int len = 0;

	if (EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) != 1 || len != 32)
		errx(EXIT_TEMPFAIL, "SHA-256 failed");
}

void
sha256_b64url(const void *p, size_t n, struct buf *out)
{
	unsigned char md[32];

	sha256(p, n, md);
	b64url_add(out, md, sizeof(md));
}

/* N random bytes from the CSPRNG, base64url: jti values. */
void
random_b64url(size_t n, struct buf *out)
{
	unsigned char r[64];

	if (n > sizeof(r) || RAND_bytes(r, (int)n) != 1)
		errx(EXIT_TEMPFAIL, "RAND_bytes failed: no randomness");
	b64url_add(out, r, n);
}

static const EVP_MD *
alg_md(const struct sign_key *k)
{
	return strcmp(k->alg, "ES384") == 0 ? EVP_sha384() : EVP_sha256();
}

/*
 * Compact JWS of HEADER and PAYLOAD (JSON texts) appended to OUT, which
 * stays NUL-terminated.  ECDSA's DER signature becomes JWS's fixed-size
 * R||S (RFC 7518 section 3.4).  0, or -1 when libcrypto fails.
 */
int
jws_sign(const struct sign_key *k, const char *header, const char *payload,
    struct buf *out)
{
	struct sign_key *mk = (struct sign_key *)k;
	unsigned char md[EVP_MAX_MD_SIZE], *sig = NULL, rs[2 * EC_MAX_COORD];
	const unsigned char *q;
	size_t start = out->len, siglen = 0;
	unsigned int mdlen = 0;
	ECDSA_SIG *es;
	int ret = -1;

	b64url_add(out, header, strlen(header));
	buf_addc(out, '.');
	b64url_add(out, payload, strlen(payload));
	/* One context for the key's life: setting one up costs more than
	 * the signature itself, and DPoP signs once a request. */
	if (mk->ctx == NULL) {
		if ((mk->ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey,
		    NULL)) == NULL ||
		    EVP_PKEY_sign_init(mk->ctx) != 1 ||
		    EVP_PKEY_CTX_set_signature_md(mk->ctx, alg_md(k)) != 1) {
			EVP_PKEY_CTX_free(mk->ctx);
			mk->ctx = NULL;
			goto out;
		}
	}
	if (EVP_Digest(out->p + start, out->len - start, md, &mdlen,
	    alg_md(k), NULL) != 1 ||
	    EVP_PKEY_sign(mk->ctx, NULL, &siglen, md, mdlen) != 1)
		goto out;
	sig = xmalloc(siglen);
	if (EVP_PKEY_sign(mk->ctx, sig, &siglen, md, mdlen) != 1)
		goto out;
	buf_addc(out, '.');
	if (k->coord == 0)
		b64url_add(out, sig, siglen);
	else {
		q = sig;
		if ((es = d2i_ECDSA_SIG(NULL, &q, (long)siglen)) == NULL)
			goto out;
		BN_bn2binpad(ECDSA_SIG_get0_r(es), rs, (int)k->coord);
		BN_bn2binpad(ECDSA_SIG_get0_s(es), rs + k->coord,
		    (int)k->coord);
		ECDSA_SIG_free(es);
		b64url_add(out, rs, 2 * k->coord);
	}
	ret = 0;
out:
	ERR_clear_error();
	free(sig);
	buf_addc(out, '\0');
	out->len--;
	return ret;
}

/*
 * Check a compact JWS against key K: its header's "alg" must be K's, its
 * signature good.  0 when it is, -1 otherwise.
 */
int
jws_verify(const struct sign_key *k, const char *jws, size_t n)
{
	const char *d1, *d2;
	struct buf h = { 0 }, sig = { 0 };
	struct jdoc d = { 0 };
	unsigned char *der = NULL, *w;
	EVP_MD_CTX *ctx = NULL;
	ECDSA_SIG *es = NULL;
	BIGNUM *r, *s;
	const char *why;
	char *alg = NULL;
	int ret = -1, dn;

	if ((d1 = memchr(jws, '.', n)) == NULL ||
	    (d2 = memchr(d1 + 1, '.', n - (d1 + 1 - jws))) == NULL ||
	    b64url_decode(jws, d1 - jws, &h) == -1 ||
	    b64url_decode(d2 + 1, n - (d2 + 1 - jws), &sig) == -1 ||
	    jscan(&d, h.p ? h.p : "", h.len, &why) != JSCAN_OK ||
	    (alg = jwk_str(&d, 0, "alg")) == NULL ||
	    strcmp(alg, k->alg) != 0)
		goto out;
	if (k->coord != 0) {
		if (sig.len != 2 * k->coord || (es = ECDSA_SIG_new()) == NULL)
			goto out;
		r = BN_bin2bn((unsigned char *)sig.p, (int)k->coord, NULL);
		s = BN_bin2bn((unsigned char *)sig.p + k->coord, (int)k->coord,
		    NULL);
		if (r == NULL || s == NULL || !ECDSA_SIG_set0(es, r, s)) {
			BN_free(r);
			BN_free(s);
			goto out;
		}
		if ((dn = i2d_ECDSA_SIG(es, NULL)) <= 0)
			goto out;
		der = w = xmalloc((size_t)dn);
		i2d_ECDSA_SIG(es, &w);
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(ctx, NULL, alg_md(k), NULL, k->pkey) != 1)
		goto out;
	if (EVP_DigestVerify(ctx, der ? der : (unsigned char *)sig.p,
	    der ? (size_t)dn : sig.len, (const unsigned char *)jws,
	    (size_t)(d2 - jws)) == 1)
		ret = 0;
out:
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	ECDSA_SIG_free(es);
	free(der);
	free(alg);
	jdoc_free(&d);
	buf_free(&h);
	buf_free(&sig);
	return ret;
}
