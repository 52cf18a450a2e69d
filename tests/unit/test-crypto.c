/*
 * test-crypto.c: unit tests for common/crypto.c, printing TAP.  The
 * vectors are the RFCs' own (RFC 7515 appendix A.2 and A.3, RFC 7638
 * section 3.1, RFC 9449 section 4.2); the keys are tests/data/keys/.
 * Run from the top of the tree (tests/run-all does).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "tap.h"

#define KEYDIR	"tests/data/keys/"


static char *
slurp(const char *name, size_t *n)
{
	char path[256], *p;
	FILE *fp;
	long len;

	snprintf(path, sizeof(path), KEYDIR "%s", name);
	if ((fp = fopen(path, "rb")) == NULL) {
		perror(path);
		exit(1);
	}
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	p = xmalloc((size_t)len + 1);
	*n = fread(p, 1, (size_t)len, fp);
	p[*n] = '\0';
	fclose(fp);
	return p;
}

static const char *
enc(const char *s, size_t n)
{
	static struct buf b;

	b.len = 0;
	b64url_add(&b, s, n);
	buf_addc(&b, '\0');
	return b.p;
}

static int
dec_is(const char *s, const char *want, size_t wn)
{
	struct buf b = { 0 };
	int r = b64url_decode(s, strlen(s), &b) == 0 && b.len == wn &&
	    (wn == 0 || memcmp(b.p, want, wn) == 0);

	buf_free(&b);
	return r;
}

static int
dec_bad(const char *s)
{
	struct buf b = { 0 };
	int r = b64url_decode(s, strlen(s), &b) == -1;

	buf_free(&b);
	return r;
}

static void
test_base64url(void)
{
	/* RFC 4648 section 10, unpadded, and the two url-safe letters. */
	ok(strcmp(enc("", 0), "") == 0, "base64url: empty");
	ok(strcmp(enc("f", 1), "Zg") == 0, "base64url: f");
	ok(strcmp(enc("fo", 2), "Zm8") == 0, "base64url: fo");
	ok(strcmp(enc("foo", 3), "Zm9v") == 0, "base64url: foo");
	ok(strcmp(enc("foob", 4), "Zm9vYg") == 0, "base64url: foob");
	ok(strcmp(enc("fooba", 5), "Zm9vYmE") == 0, "base64url: fooba");
	ok(strcmp(enc("foobar", 6), "Zm9vYmFy") == 0, "base64url: foobar");
	ok(strcmp(enc("\xfb\xff\xbf", 3), "-_-_") == 0,
	    "base64url: - and _ for + and /");
	ok(strcmp(enc("{\"alg\":\"RS256\"}", 15), "eyJhbGciOiJSUzI1NiJ9") == 0,
	    "base64url: RFC 7515 A.2 header");
	ok(dec_is("Zm9vYmE", "fooba", 5), "decode: unpadded");
	ok(dec_is("-_-_", "\xfb\xff\xbf", 3), "decode: url-safe letters");
	ok(dec_is("", "", 0), "decode: empty");
	ok(dec_bad("Zm9vYmE="), "decode: padding refused");
	ok(dec_bad("+/+/"), "decode: + and / refused");
	ok(dec_bad("Zm9vY"), "decode: impossible length refused");
	ok(dec_bad("Zh"), "decode: non-canonical trailing bits refused");
	ok(dec_bad("Zm 9v"), "decode: blank refused");
}

/* RFC 7515 appendix A.2: the RSA key, the JWS and its signature. */
static const char a2_jwk[] = "{\"kty\":\"RSA\","
    "\"n\":\"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ\","
    "\"e\":\"AQAB\","
    "\"d\":\"Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ\","
    "\"p\":\"4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc\","
    "\"q\":\"uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc\","
    "\"dp\":\"BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhrqE2e9YkxvuxdBfpT_PI7Yz-FOKnu1R6HsJeDCjn12Sk3vmAktV2zb34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0\","
    "\"dq\":\"h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0ajaHF-NKJnwgjMd2w9cjz3_-kyNlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU\","
    "\"qi\":\"IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2oy26F0EmpScGLq2MowX7fhd_QJQ3ydy5cY7YIBi87w93IKLEdfnbJtoOPLUW0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U\"}";
static const char a_payload[] =
    "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";
static const char a2_jws[] =
    "eyJhbGciOiJSUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

/* RFC 7515 appendix A.3: the P-256 key and its (randomized) JWS. */
static const char a3_jwk[] = "{\"kty\":\"EC\",\"crv\":\"P-256\","
    "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
    "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\","
    "\"d\":\"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI\"}";
static const char a3_jws[] =
    "eyJhbGciOiJFUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

/* RFC 7638 section 3.1: a public RSA JWK and its thumbprint. */
static const char t_jwk[] = "{\"kty\":\"RSA\","
    "\"n\":\"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw\","
    "\"e\":\"AQAB\",\"alg\":\"RS256\",\"kid\":\"2011-04-29\"}";

static int
parse(const char *text, int flags, struct sign_key *k, char *err)
{
	return key_parse(text, strlen(text), flags, k, err, KEY_ERR_MAX);
}

static void
test_jws(void)
{
	struct sign_key k = { 0 };
	struct buf out = { 0 };
	char err[KEY_ERR_MAX], bad[sizeof(a3_jws)];

	ok(parse(a2_jwk, 0, &k, err) == 0, "A.2 JWK loads (%s)",
	    k.pkey ? "RSA" : err);
	ok(k.alg != NULL && strcmp(k.alg, "RS256") == 0, "A.2 key: RS256");
	ok(jws_sign(&k, "{\"alg\":\"RS256\"}", a_payload, &out) == 0 &&
	    strcmp(out.p, a2_jws) == 0, "RS256 signature is RFC 7515 A.2's");
	ok(jws_verify(&k, a2_jws, strlen(a2_jws)) == 0, "A.2 JWS verifies");
	key_free(&k);

	ok(parse(a3_jwk, 0, &k, err) == 0, "A.3 JWK loads");
	ok(k.alg != NULL && strcmp(k.alg, "ES256") == 0, "A.3 key: ES256");
	ok(jws_verify(&k, a3_jws, strlen(a3_jws)) == 0,
	    "ES256: RFC 7515 A.3's JWS verifies (R||S form)");
	memcpy(bad, a3_jws, sizeof(a3_jws));
	bad[sizeof(a3_jws) - 3] ^= 1;
	ok(jws_verify(&k, bad, strlen(bad)) == -1, "ES256: a changed "
	    "signature does not");
	memcpy(bad, a3_jws, sizeof(a3_jws));
	bad[30] = bad[30] == 'A' ? 'B' : 'A';
	ok(jws_verify(&k, bad, strlen(bad)) == -1, "ES256: a changed "
	    "payload does not");
	out.len = 0;
	ok(jws_sign(&k, "{\"alg\":\"ES256\"}", a_payload, &out) == 0 &&
	    jws_verify(&k, out.p, out.len) == 0,
	    "ES256: our own signature verifies");
	ok(strlen(strrchr(out.p, '.') + 1) == 86,
	    "ES256: a 64-byte signature (86 base64url letters)");
	ok(jws_verify(&k, a2_jws, strlen(a2_jws)) == -1,
	    "an RS256 JWS does not verify with an EC key");
	key_free(&k);
	buf_free(&out);
}

static void
test_thumbprint(void)
{
	struct sign_key k = { 0 };
	struct buf out = { 0 };
	char err[KEY_ERR_MAX];

	ok(parse(t_jwk, KEY_PUBLIC_OK, &k, err) == 0, "RFC 7638 public JWK "
	    "loads as public");
	jwk_thumbprint(&k, &out);
	buf_addc(&out, '\0');
	ok(strcmp(out.p, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs") == 0,
	    "RFC 7638 3.1 thumbprint (%s)", out.p);
	ok(k.kid != NULL && strcmp(k.kid, "2011-04-29") == 0, "a JWK's kid "
	    "is kept");
	key_free(&k);
	ok(parse(t_jwk, 0, &k, err) == -1 && strstr(err, "public JWK") !=
	    NULL, "a JWK with no d is refused for signing: %s", err);
	out.len = 0;
	sha256_b64url("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU", 43, &out);
	buf_addc(&out, '\0');
	ok(strcmp(out.p, "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo") == 0,
	    "RFC 9449 4.2 ath");
	buf_free(&out);
}

/* Each accepted file: its algorithm, a signature that verifies. */
static void
load_ok(const char *file, const char *alg, const char *kid)
{
	struct sign_key k = { 0 };
	struct buf out = { 0 };
	char err[KEY_ERR_MAX], *text;
	size_t n;
	int r;

	text = slurp(file, &n);
	r = key_parse(text, n, 0, &k, err, sizeof(err));
	ok(r == 0, "%s loads%s%s", file, r ? ": " : "", r ? err : "");
	if (r != 0) {
		free(text);
		return;
	}
	ok(strcmp(k.alg, alg) == 0, "%s: %s (got %s)", file, alg, k.alg);
	ok(kid == NULL ? k.kid == NULL : k.kid && strcmp(k.kid, kid) == 0,
	    "%s: kid %s", file, kid ? kid : "none");
	r = jws_sign(&k, k.coord == 48 ? "{\"alg\":\"ES384\"}" :
	    k.coord ? "{\"alg\":\"ES256\"}" : "{\"alg\":\"RS256\"}", "{}",
	    &out);
	ok(r == 0 && jws_verify(&k, out.p, out.len) == 0,
	    "%s: signs, and the signature verifies", file);
	key_free(&k);
	buf_free(&out);
	free(text);
}

static void
load_bad(const char *file, const char *text, const char *says)
{
	struct sign_key k = { 0 };
	char err[KEY_ERR_MAX], *t = NULL;
	size_t n;
	int r;

	if (text == NULL)
		text = t = slurp(file, &n);
	r = key_parse(text, strlen(text), 0, &k, err, sizeof(err));
	ok(r == -1 && k.pkey == NULL && strstr(err, says) != NULL,
	    "%s refused, saying \"%s\": %s", file, says, r ? err : "loaded");
	if (r == 0)
		key_free(&k);
	free(t);
}

static void
test_keys(void)
{
	struct sign_key k, k2;
	struct buf a = { 0 }, b = { 0 };
	char err[KEY_ERR_MAX], *t;
	size_t n;

	load_ok("rsa-pkcs1.pem", "RS256", NULL);
	load_ok("rsa-pkcs8.pem", "RS256", NULL);
	load_ok("ec256-sec1.pem", "ES256", NULL);
	load_ok("ec256-pkcs8.pem", "ES256", NULL);
	load_ok("ec384-sec1.pem", "ES384", NULL);
	load_ok("ec384-pkcs8.pem", "ES384", NULL);
	load_ok("rsa.jwk", "RS256", "jwk-rsa-kid");
	load_ok("ec256.jwk", "ES256", "jwk-ec256-kid");
	load_ok("ec384.jwk", "ES384", "jwk-ec384-kid");
	load_ok("jwks-one.json", "ES256", "jwks-kid");

	/* The PEM and the JWK of one key are one key. */
	t = slurp("rsa-pkcs8.pem", &n);
	key_parse(t, n, 0, &k, err, sizeof(err));
	free(t);
	t = slurp("rsa.jwk", &n);
	key_parse(t, n, 0, &k2, err, sizeof(err));
	free(t);
	jwk_thumbprint(&k, &a);
	jwk_thumbprint(&k2, &b);
	ok(a.len == b.len && memcmp(a.p, b.p, a.len) == 0,
	    "rsa.jwk and rsa-pkcs8.pem have one thumbprint");
	key_free(&k);
	key_free(&k2);
	buf_free(&a);
	buf_free(&b);

	load_bad("rsa-encrypted-pkcs8.pem", NULL, "encrypted");
	load_bad("rsa-encrypted-pkcs1.pem", NULL, "encrypted");
	load_bad("rsa-public.pem", NULL, "public key");
	load_bad("rsa-public.jwk", NULL, "public JWK");
	load_bad("garbage.txt", NULL, "base64 text without a PEM");
	load_bad("rsa1024.pem", NULL, "1024 bits");
	load_bad("ed25519.pem", NULL, "ED25519");
	load_bad("secp256k1.pem", NULL, "secp256k1");
	load_bad("ec256-mismatch.jwk", NULL, "does not match");
	load_bad("empty", "", "nothing");
	load_bad("an API token", "00abcDEF-ghiJKL_mno", "not shown");
	load_bad("JSON not a JWK", "{\"client_id\":\"x\"}", "no \"kty\"");
	load_bad("kty oct", "{\"kty\":\"oct\",\"k\":\"AAAA\"}", "RSA or EC");
	load_bad("EC on P-521", "{\"kty\":\"EC\",\"crv\":\"P-521\",\"x\":"
	    "\"AA\",\"y\":\"AA\",\"d\":\"AA\"}", "P-256 or P-384");
	load_bad("JWK, d not base64url", "{\"kty\":\"EC\",\"crv\":\"P-256\","
	    "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
	    "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\","
	    "\"d\":\"jpsQ+nGQ\"}", "base64url");
	load_bad("a JWK Set of two", "{\"keys\":[{},{}]}", "exactly one");
	load_bad("broken JSON", "{\"kty\":", "not a JSON object");
	load_bad("OpenSSH", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n"
	    "-----END OPENSSH PRIVATE KEY-----\n", "ssh-keygen");
	load_bad("a certificate", "-----BEGIN CERTIFICATE-----\nMIIB\n"
	    "-----END CERTIFICATE-----\n", "certificate");
	load_bad("a PEM cut short", "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN"
	    "\n", "does not decode");
	/* A message never holds the key's bytes. */
	t = slurp("garbage.txt", &n);
	key_parse(t, n, 0, &k, err, sizeof(err));
	t[20] = '\0';
	ok(strstr(err, t) == NULL, "the message shows nothing of the text");
	free(t);
}

static void
test_dpop_key(void)
{
	struct sign_key k, k2;
	struct buf j = { 0 }, a = { 0 }, b = { 0 };

	ok(key_generate_p256(&k) == 0 && strcmp(k.alg, "ES256") == 0,
	    "a P-256 DPoP key is made");
	ok(key_generate_p256(&k2) == 0, "and another");
	jwk_public(&k, &j);
	buf_addc(&j, '\0');
	ok(strncmp(j.p, "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"", 31) == 0 &&
	    strstr(j.p, "\"d\"") == NULL, "its public JWK, no d: %.40s...",
	    j.p);
	ok(strlen(j.p) == 31 + 43 + 7 + 43 + 2, "x and y of 32 bytes each");
	jwk_thumbprint(&k, &a);
	jwk_thumbprint(&k2, &b);
	ok(a.len == 43 && (a.len != b.len || memcmp(a.p, b.p, a.len) != 0),
	    "two runs, two keys");
	a.len = b.len = 0;
	random_b64url(16, &a);
	random_b64url(16, &b);
	ok(a.len == 22 && memcmp(a.p, b.p, 22) != 0, "jti: 128 random bits, "
	    "new each time");
	key_free(&k);
	key_free(&k2);
	buf_free(&j);
	buf_free(&a);
	buf_free(&b);
}

int
main(int argc, char *argv[])
{
	(void)argc;
	setprogname(argv);
	test_base64url();
	test_jws();
	test_thumbprint();
	test_keys();
	test_dpop_key();
	printf("1..%d\n", ntest);
	return nfail != 0;
}
