/*
 * oauth.c: okta-fetch signs in as an Okta API service app.
 *
 * The token comes from the org authorization server's token endpoint by
 * the client credentials grant, the client authenticated by a JWT signed
 * with its own key (private_key_jwt), every request with a DPoP proof
 * (RFC 9449) from a P-256 key made for the run.  The lessons of Okta's
 * SDKs are built in: a short exp (clock skew), a new jti and a new
 * assertion for every request (Okta consumes the jti even on failure),
 * one answer to a nonce challenge and no more, htu without the query
 * (paging), and a token minted again before it lapses and once after a
 * 401.  Every assertion, proof and token is remembered as a secret as it
 * is made, so no trace or message can show it; a nonce is not one (the
 * server hands it to anyone who asks).  The key's own text is a secret
 * only while it is parsed: it is never sent, so no server can echo it.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "oauth.h"

#define ASSERTION_LIFE_S	300	/* Okta refuses more than an hour */
#define RENEW_MARGIN_MS		60000	/* mint again with less than this left */
#define TOKEN_BODY_MAX		65536
#define NONCE_MAX		1023	/* longer is no nonce to send back */
#define JTI_BYTES		16	/* 128 random bits */
#define DEFAULT_SCOPES		"okta.devices.read"
#define ASSERTION_TYPE \
	"urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"

/* What one response's headers said that matters here. */
struct watch {
	struct http_resp	*fwd;		/* the usual header reading */
	long			 status;
	char			 nonce[NONCE_MAX + 1];	/* DPoP-Nonce */
	size_t			 nonce_len;	/* its length as sent */
	char			 www[2048];	/* WWW-Authenticate */
};

struct oauth {
	char		*client_id, *scopes, *kid, *token_url;
	const char	*key_var;	/* the variable the key came from */
	struct sign_key	 key, dpop;
	struct buf	 dpop_head;	/* the proofs' JOSE header, JSON */

	char		*token, *type, *granted, *ath;
	int64_t		 renew_at;	/* mono_ms */
	long long	 lifetime_s;
	char		*as_nonce, *rs_nonce;	/* token endpoint's, API's */
	int		 nonce_tried;	/* for the request under way */
	int		 renewed;	/* since the last 2xx */
	int		 check;		/* --check: one try, no retries */
	unsigned long	 mints;

	CURLM		*m;
	CURL		*c;		/* the token requests' handle */
	const struct http_opts *hopt;
	unsigned long	*retries;
	struct http_resp resp;
	struct watch	 tw, aw;	/* the token's and the API's answers */
	struct buf	 body;
	int		 body_big;	/* it passed TOKEN_BODY_MAX */
	char		 errbuf[CURL_ERROR_SIZE];
};

static const char *const id_vars[] = { "OKTA_CLIENT_ID",
    "OKTA_CLIENT_CLIENTID", NULL };
static const char *const key_vars[] = { "OKTA_PRIVATE_KEY",
    "OKTA_CLIENT_PRIVATEKEY", NULL };
static const char *const kid_vars[] = { "OKTA_KEY_ID", "OKTA_CLIENT_KID",
    NULL };
static const char *const scope_vars[] = { "OKTA_SCOPES",
    "OKTA_CLIENT_SCOPES", NULL };

static int
is_set(const char *name)
{
	char f[64];
	const char *v;

	snprintf(f, sizeof(f), "%s_FILE", name);
	return ((v = getenv(name)) != NULL && *v != '\0') ||
	    ((v = getenv(f)) != NULL && *v != '\0');
}

/* The first service-app variable set (a client id or a key), or NULL. */
const char *
oauth_env(void)
{
	for (int i = 0; id_vars[i] != NULL; i++)
		if (is_set(id_vars[i]))
			return id_vars[i];
	for (int i = 0; key_vars[i] != NULL; i++)
		if (is_set(key_vars[i]))
			return key_vars[i];
	return NULL;
}

/* A value that goes into JSON and headers: printable, no quotes. */
static int
plain(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isgraph((unsigned char)*s) || *s == '"' || *s == '\\')
			return 0;
	return 1;
}

/*
 * The service app's settings from the environment; any fault is a
 * configuration error (78) that names the variable.
 */
struct oauth *
oauth_new(const char *base)
{
	struct oauth *o = xcalloc(1, sizeof(*o));
	const char *used;
	char err[KEY_ERR_MAX], *key = NULL;
	size_t n;

	if (env_first(id_vars, &o->client_id, &used) < 0 ||
	    env_first_flags(key_vars, &key, &o->key_var, ENV_LINES) < 0 ||
	    env_first(kid_vars, &o->kid, &used) < 0 ||
	    env_first(scope_vars, &o->scopes, &used) < 0)
		exit(stats_exit(EXIT_CONFIG));
	if (o->client_id == NULL)
		errx(EXIT_CONFIG, "%s is set but no client id: set "
		    "OKTA_CLIENT_ID to the service app's Client ID (General "
		    "tab of the app in Okta's Admin Console)", o->key_var);
	if (key == NULL)
		errx(EXIT_CONFIG, "OKTA_CLIENT_ID is set but no private key: "
		    "set OKTA_PRIVATE_KEY_FILE to the file of the key whose "
		    "public half is registered on the app (PEM or JWK)");
	if (!plain(o->client_id))
		errx(EXIT_CONFIG, "OKTA_CLIENT_ID: a client id has no blanks, "
		    "quotes or control characters");
	if (o->kid != NULL && !plain(o->kid))
		errx(EXIT_CONFIG, "OKTA_KEY_ID: a key id has no blanks, quotes "
		    "or control characters");
	if (o->scopes == NULL)
		o->scopes = xstrdup(DEFAULT_SCOPES);
	for (char *p = o->scopes; *p != '\0'; p++) {
		if (*p == ',' || *p == '\t' || *p == '\n')
			*p = ' ';	/* "a,b" and lines: one space list */
		if (!isgraph((unsigned char)*p) && *p != ' ')
			errx(EXIT_CONFIG, "OKTA_SCOPES: not a list of scopes");
	}
	/* The key's text is masked while it is parsed (a message about it
	 * must not quote it), then wiped: only signatures leave. */
	secret_remember(key);
	n = strlen(key);
	if (key_parse(key, n, 0, &o->key, err, sizeof(err)) == -1)
		errx(EXIT_CONFIG, "%s: not a private key okta-fetch can use: "
		    "found %s", o->key_var, err);
	secret_forget(key);
	secret_free(key);
	env_wipe(o->key_var);
	if (o->kid == NULL && o->key.kid != NULL) {
		if (!plain(o->key.kid))
			errx(EXIT_CONFIG, "%s: the JWK's kid has blanks, quotes "
			    "or control characters", o->key_var);
		o->kid = xstrdup(o->key.kid);
	}
	n = strlen(base) + sizeof("/oauth2/v1/token");
	o->token_url = xmalloc(n);
	snprintf(o->token_url, n, "%s/oauth2/v1/token", base);

	if (key_generate_p256(&o->dpop) == -1)
		errx(EXIT_TEMPFAIL, "cannot make a P-256 key for DPoP");
	buf_adds(&o->dpop_head, "{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\","
	    "\"jwk\":");
	jwk_public(&o->dpop, &o->dpop_head);
	buf_adds(&o->dpop_head, "}");
	buf_addc(&o->dpop_head, '\0');
	return o;
}

/* Remember the string of a buffer as a secret. */
static void
remember(struct buf *b)
{
	buf_addc(b, '\0');
	b->len--;
	secret_remember(b->p);
}

/* "iat", "jti" and, when known, "nonce": the claims every JWT here has. */
static void
add_fresh(struct buf *b, int64_t now, const char *nonce)
{
	buf_adds(b, "\"iat\":");
	buf_addi(b, now);
	buf_adds(b, ",\"jti\":\"");
	random_b64url(JTI_BYTES, b);
	buf_addc(b, '"');
	if (nonce != NULL) {
		buf_adds(b, ",\"nonce\":");
		buf_json_str(b, nonce, strlen(nonce));
	}
}

/* A DPoP proof for METHOD URL (its query and fragment left out). */
static void
proof(struct oauth *o, const char *method, const char *url, const char *ath,
    const char *nonce, struct buf *out)
{
	struct buf c = { 0 };
	size_t start;

	buf_adds(&c, "{\"htm\":\"");
	buf_adds(&c, method);
	buf_adds(&c, "\",\"htu\":");
	buf_json_str(&c, url, strcspn(url, "?#"));
	buf_addc(&c, ',');
	add_fresh(&c, now_ms() / 1000, nonce);
	if (ath != NULL) {
		buf_adds(&c, ",\"ath\":\"");
		buf_adds(&c, ath);
		buf_addc(&c, '"');
	}
	buf_adds(&c, "}");
	buf_addc(&c, '\0');
	start = out->len;
	if (jws_sign(&o->dpop, o->dpop_head.p, c.p, out) == -1)
		errx(EXIT_TEMPFAIL, "cannot sign a DPoP proof");
	buf_free(&c);
	/* One a request: only the newest few can be echoed. */
	secret_remember_brief(out->p + start);
}

/* The client assertion: iss = sub = client id, aud = the token URL. */
static void
assertion(struct oauth *o, struct buf *out)
{
	struct buf h = { 0 }, c = { 0 };
	int64_t now = now_ms() / 1000;

	buf_adds(&h, "{\"alg\":\"");
	buf_adds(&h, o->key.alg);
	buf_adds(&h, "\"");
	if (o->kid != NULL) {
		buf_adds(&h, ",\"kid\":\"");
		buf_adds(&h, o->kid);
		buf_adds(&h, "\"");
	}
	buf_adds(&h, "}");
	buf_addc(&h, '\0');
	buf_adds(&c, "{\"iss\":\"");
	buf_adds(&c, o->client_id);
	buf_adds(&c, "\",\"sub\":\"");
	buf_adds(&c, o->client_id);
	buf_adds(&c, "\",\"aud\":");
	buf_json_str(&c, o->token_url, strlen(o->token_url));
	buf_adds(&c, ",\"exp\":");
	buf_addi(&c, now + ASSERTION_LIFE_S);
	buf_addc(&c, ',');
	add_fresh(&c, now, NULL);
	buf_adds(&c, "}");
	buf_addc(&c, '\0');
	if (jws_sign(&o->key, h.p, c.p, out) == -1)
		errx(EXIT_TEMPFAIL, "cannot sign the client assertion with %s",
		    o->key_var);
	buf_free(&h);
	buf_free(&c);
	remember(out);
}

/* Copy header value V (blanks trimmed) to OUT; its whole length. */
static size_t
hdr_value(const char *v, size_t n, char *out, size_t outlen)
{
	size_t len;

	while (n > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n > 0 && strchr(" \t\r\n", v[n - 1]) != NULL)
		n--;
	len = n;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, v, n);
	out[n] = '\0';
	return len;
}

/* Headers: the DPoP-Nonce and WWW-Authenticate, then the usual reading. */
static size_t
watch_cb(char *data, size_t size, size_t nitems, void *arg)
{
	struct watch *w = arg;
	size_t n = size * nitems;

	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		const char *sp = memchr(data, ' ', n);

		w->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		w->nonce[0] = w->www[0] = '\0';
		w->nonce_len = 0;
	} else if (n > 11 && strncasecmp(data, "dpop-nonce:", 11) == 0)
		w->nonce_len = hdr_value(data + 11, n - 11, w->nonce,
		    sizeof(w->nonce));
	else if (n > 17 && strncasecmp(data, "www-authenticate:", 17) == 0)
		hdr_value(data + 17, n - 17, w->www, sizeof(w->www));
	return http_header_cb(data, size, nitems, w->fwd);
}

static size_t
body_cb(char *p, size_t size, size_t n, void *arg)
{
	struct oauth *o = arg;
	size_t len = size * n;

	if (o->body.len + len > TOKEN_BODY_MAX) {
		o->body_big = 1;
		return 0;
	}
	buf_add(&o->body, p, len);
	return len;
}

/* Share the API's multi handle, so that one connection serves both. */
void
oauth_attach(struct oauth *o, CURLM *m, CURL *api, struct http_resp *r,
    const struct http_opts *hopt, unsigned long *retries)
{
	o->m = m;
	o->hopt = hopt;
	o->retries = retries;
	o->aw.fwd = r;
	o->tw.fwd = &o->resp;
	curl_easy_setopt(api, CURLOPT_HEADERFUNCTION, watch_cb);
	curl_easy_setopt(api, CURLOPT_HEADERDATA, &o->aw);
	o->c = http_easy(hopt);
	curl_easy_setopt(o->c, CURLOPT_HEADERFUNCTION, watch_cb);
	curl_easy_setopt(o->c, CURLOPT_HEADERDATA, &o->tw);
	curl_easy_setopt(o->c, CURLOPT_WRITEFUNCTION, body_cb);
	curl_easy_setopt(o->c, CURLOPT_WRITEDATA, o);
	curl_easy_setopt(o->c, CURLOPT_ERRORBUFFER, o->errbuf);
	curl_easy_setopt(o->c, CURLOPT_URL, o->token_url);
}

/* A parameter of a WWW-Authenticate challenge: error="...". */
static int
www_param(const char *www, const char *name, char *out, size_t outlen)
{
	size_t k = strlen(name), n;
	const char *p;

	*out = '\0';
	for (p = www; (p = strstr(p, name)) != NULL; p += k) {
		if ((p > www && p[-1] != ' ' && p[-1] != ',') || p[k] != '=')
			continue;
		p += k + 1;
		if (*p == '"') {
			p++;
			n = strcspn(p, "\"");
		} else
			n = strcspn(p, ", ");
		if (n >= outlen)
			n = outlen - 1;
		memcpy(out, p, n);
		out[n] = '\0';
		for (char *q = out; *q != '\0'; q++)
			if ((unsigned char)*q < 0x20 || *q == 0x7f)
				*q = ' ';
		return 1;
	}
	return 0;
}

/* error and error_description of an OAuth error body (RFC 6749 5.2). */
static void
oauth_error(const struct buf *body, char *err, size_t errlen, char *desc,
    size_t desclen)
{
	struct jdoc d = { 0 };
	const char *why;
	char *s;
	size_t n;
	long i;

	*err = *desc = '\0';
	if (body->len == 0 || jscan(&d, body->p, body->len, &why) != JSCAN_OK)
		goto out;
	if ((i = jmember(&d, 0, "error")) >= 0 && d.t[i].type == J_STRING) {
		s = jstr_dup(&d, i, &n);
		snprintf(err, errlen, "%s", s);
		free(s);
	}
	if ((i = jmember(&d, 0, "error_description")) >= 0 &&
	    d.t[i].type == J_STRING) {
		s = jstr_dup(&d, i, &n);
		snprintf(desc, desclen, "%s", s);
		free(s);
	}
out:
	jdoc_free(&d);
	for (char *q = err; *q != '\0'; q++)
		if (!isgraph((unsigned char)*q))
			*q = '?';
	for (char *q = desc; *q != '\0'; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			*q = ' ';
	/* Masked whole, then cut: a secret cut short would not match. */
	redact(err, errlen);
	redact(desc, desclen);
	if (strlen(desc) > 400)
		strcpy(desc + 396, "...");
	n = strlen(desc);
	while (n > 0 && (desc[n - 1] == '.' || desc[n - 1] == ' '))
		desc[--n] = '\0';
}

/* The token response: access_token, token_type, expires_in, scope. */
static void
take_token(struct oauth *o)
{
	struct jdoc d = { 0 };
	const char *why;
	char *s;
	size_t n;
	long i;
	long long life = 3600;

	if (jscan(&d, o->body.p ? o->body.p : "", o->body.len, &why) !=
	    JSCAN_OK || d.t[0].type != J_OBJECT)
		errx(EXIT_REFUSED, "token request: HTTP %ld but the body is "
		    "not a JSON object: not Okta's token endpoint?",
		    o->tw.status);
	if ((i = jmember(&d, 0, "access_token")) < 0 ||
	    d.t[i].type != J_STRING)
		errx(EXIT_REFUSED, "token request: the answer has no "
		    "access_token");
	s = jstr_dup(&d, i, &n);
	secret_remember(s);
	if (n == 0 || n != strlen(s) || !plain(s))
		errx(EXIT_REFUSED, "token request: the access_token is empty "
		    "or not printable: refused");
	if (n < SECRET_MIN)
		errx(EXIT_REFUSED, "token request: an access_token of %zu "
		    "characters: too short to be one, refused", n);
	secret_free(o->token);
	o->token = s;
	free(o->type);
	o->type = NULL;
	if ((i = jmember(&d, 0, "token_type")) >= 0 && d.t[i].type == J_STRING)
		o->type = jstr_dup(&d, i, &n);
	if (o->type == NULL || (strcasecmp(o->type, "DPoP") != 0 &&
	    strcasecmp(o->type, "Bearer") != 0))
		errx(EXIT_REFUSED, "token request: token_type %s: DPoP or "
		    "Bearer expected", o->type ? "not DPoP or Bearer" :
		    "missing");
	if ((i = jmember(&d, 0, "expires_in")) >= 0 &&
	    d.t[i].type == J_NUMBER) {
		const char *e;
		char num[32];

		snprintf(num, sizeof(num), "%.*s", (int)(d.t[i].end -
		    d.t[i].start), d.s + d.t[i].start);
		life = parse_num(num, 1, 86400 * 366, &e);
		if (e != NULL)
			errx(EXIT_REFUSED, "token request: expires_in %s: %s: "
			    "a token lives 1 s to 366 days", num,
			    strcmp(e, "invalid") == 0 ? "not a whole number of "
			    "seconds" : e);
	}
	free(o->granted);
	o->granted = NULL;
	if ((i = jmember(&d, 0, "scope")) >= 0 && d.t[i].type == J_STRING) {
		o->granted = jstr_dup(&d, i, &n);
		for (char *q = o->granted; *q != '\0'; q++)
			if (!isgraph((unsigned char)*q))
				*q = ' ';
	}
	jdoc_free(&d);
	o->lifetime_s = life;
	/* A short-lived token renews at half its life, not never. */
	o->renew_at = mono_ms() + life * 1000 - (life * 1000 >= 2 *
	    RENEW_MARGIN_MS ? RENEW_MARGIN_MS : life * 500);
	free(o->ath);
	o->ath = NULL;
	if (strcasecmp(o->type, "DPoP") == 0) {
		struct buf a = { 0 };

		sha256_b64url(o->token, strlen(o->token), &a);
		buf_addc(&a, '\0');
		o->ath = a.p;
	}
	o->mints++;
	debug("token %lu: %s, %lld s, scopes %s", o->mints, o->type, life,
	    o->granted ? o->granted : "(not said)");
}

/* The token endpoint's refusal, in words that say what to fix. */
static void NORETURN
token_refused(struct oauth *o, const char *err, const char *desc)
{
	long st = o->tw.status;
	const char *pre = o->check ? "check failed: " : "";
	const char *kid = o->kid ? o->kid : "(none: set OKTA_KEY_ID)";

	if (strcmp(err, "invalid_client") == 0)
		errx(EXIT_NOPERM, "%stoken request: HTTP %ld invalid_client: "
		    "%s: check OKTA_CLIENT_ID (%s) is the app's Client ID, that "
		    "the app's public keys hold the public half of %s with kid "
		    "%s, and that this machine's clock is right", pre, st,
		    desc[0] ? desc : "(no description)", o->client_id,
		    o->key_var, kid);
	if (strcmp(err, "invalid_scope") == 0)
		errx(EXIT_NOPERM, "%stoken request: HTTP %ld invalid_scope: "
		    "%s: grant %s to the app on its Okta API Scopes tab", pre,
		    st, desc[0] ? desc : "(no description)", o->scopes);
	if (strcmp(err, "invalid_dpop_proof") == 0 ||
	    strcmp(err, "use_dpop_nonce") == 0)
		errx(EXIT_NOPERM, "%stoken request: HTTP %ld %s: %s: Okta "
		    "refused okta-fetch's DPoP proof (unticking \"Require "
		    "DPoP\" on the app is not the fix; please report this with "
		    "the claim named)", pre, st, err, desc[0] ? desc :
		    "(no description)");
	if (strcmp(err, "unauthorized_client") == 0)
		errx(EXIT_NOPERM, "%stoken request: HTTP %ld unauthorized_"
		    "client: %s: the app must be an API Services app allowed "
		    "the Client Credentials grant", pre, st, desc);
	if (err[0] == '\0' && o->body.len > 0) {
		/* Not an OAuth error: Okta's own errorCode and errorSummary. */
		static char api[512];

		http_api_error(o->body.p, o->body.len, api, sizeof(api));
		desc = api;
	}
	if (st == 404)
		errx(EXIT_REFUSED, "%stoken request: HTTP 404: no token "
		    "endpoint at %s: is the base URL the org's own?", pre,
		    o->token_url);
	errx(st == 401 || st == 403 ? EXIT_NOPERM : EXIT_REFUSED,
	    "%stoken request: HTTP %ld %s%s%s", pre, st, err[0] ? err :
	    "(no OAuth error)", desc[0] ? ": " : "", desc);
}

static void
token_wait(struct oauth *o, const char *why, int attempt)
{
	char msg[800];

	/* --check tries once: its verdict is about now. */
	if (o->check)
		errx(EXIT_TEMPFAIL, "check failed: token request: %s", why);
	snprintf(msg, sizeof(msg), "token request: %s", why);
	http_retry_wait(o->hopt, &o->resp, msg, attempt, o->hopt->max_retries,
	    o->retries);
}

/* A token answer or a header too large to read: said, not curl's
 * "Failure writing output to destination". */
static void
token_too_large(struct oauth *o)
{
	if (o->body_big)
		errx(EXIT_REFUSED, "token request: the answer is larger than "
		    "%d KiB: not Okta's token endpoint", TOKEN_BODY_MAX / 1024);
	if (o->resp.header_too_long)
		errx(EXIT_REFUSED, "token request: a response header line of "
		    "%zu bytes or more (more than %d KiB): not Okta's token "
		    "endpoint", o->resp.header_too_long, HTTP_HEADER_MAX / 1024);
	if (o->resp.too_many_headers)
		errx(EXIT_REFUSED, "token request: more than 1000 response "
		    "headers: not Okta's token endpoint");
}

/* A nonce is sent back whole or not at all: never cut to fit. */
static void
nonce_fits(const struct watch *w, const char *where)
{
	if (w->nonce_len > NONCE_MAX)
		errx(EXIT_REFUSED, "%s: a DPoP-Nonce of %zu bytes, more than "
		    "%d: refused (no nonce is that long; a cut one would be "
		    "refused again)", where, w->nonce_len, NONCE_MAX);
}

/* One POST to the token endpoint, on the shared connection. */
static CURLcode
token_post(struct oauth *o, const struct buf *form, const char *dpop_hdr)
{
	struct curl_slist *h = NULL;
	CURLMsg *msg;
	CURLcode rc = CURLE_OK;
	int running, left;

	h = curl_slist_append(h, "Accept: application/json");
	h = curl_slist_append(h, dpop_hdr);
	if (h == NULL)
		errx(EXIT_TEMPFAIL, "curl_slist_append: out of memory");
	http_resp_reset(&o->resp);
	o->body.len = 0;
	o->body_big = 0;
	o->errbuf[0] = '\0';
	o->tw.status = 0;
	curl_easy_setopt(o->c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(o->c, CURLOPT_POSTFIELDS, form->p);
	curl_easy_setopt(o->c, CURLOPT_POSTFIELDSIZE, (long)form->len);
	curl_multi_add_handle(o->m, o->c);
	for (;;) {
		curl_multi_perform(o->m, &running);
		if (running == 0)
			break;
		curl_multi_poll(o->m, NULL, 0, 1000, NULL);
	}
	while ((msg = curl_multi_info_read(o->m, &left)) != NULL)
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == o->c)
			rc = msg->data.result;
	curl_multi_remove_handle(o->m, o->c);
	http_headers_free(h);
	curl_easy_getinfo(o->c, CURLINFO_RESPONSE_CODE, &o->tw.status);
	o->resp.status = o->tw.status;
	return rc;
}

/* Get a token: the grant, one nonce challenge answered, retries. */
static void
mint(struct oauth *o)
{
	struct buf form = { 0 }, a = { 0 }, p = { 0 }, hdr = { 0 };
	char err[128], desc[4096], why[700];
	int attempt = 0, nonced = 0;
	CURLcode rc;

	for (;;) {
		form.len = a.len = p.len = hdr.len = 0;
		assertion(o, &a);
		proof(o, "POST", o->token_url, NULL, o->as_nonce, &p);
		buf_adds(&form, "grant_type=client_credentials&scope=");
		for (const char *s = o->scopes; *s != '\0'; s++)
			if (*s == ' ')
				buf_addc(&form, '+');
			else if (isalnum((unsigned char)*s) ||
			    strchr(".-_~", *s) != NULL)
				buf_addc(&form, *s);
			else {
				char e[4];

				snprintf(e, sizeof(e), "%%%02X",
				    (unsigned char)*s);
				buf_adds(&form, e);
			}
		buf_adds(&form, "&client_assertion_type=" ASSERTION_TYPE
		    "&client_assertion=");
		buf_add(&form, a.p, a.len);
		buf_adds(&hdr, "DPoP: ");
		buf_add(&hdr, p.p, p.len);
		buf_addc(&hdr, '\0');
		buf_addc(&form, '\0');
		form.len--;
		rc = token_post(o, &form, hdr.p);
		token_too_large(o);
		if (rc != CURLE_OK) {
			snprintf(why, sizeof(why), "%s", http_errstr(rc,
			    o->errbuf));
			if (http_classify(rc, 0) != HTTP_RETRY)
				errx(EXIT_REFUSED, "token request to %s: %s",
				    o->token_url, why);
			token_wait(o, why, attempt++);
			continue;
		}
		if (o->tw.status >= 200 && o->tw.status < 300) {
			take_token(o);
			break;
		}
		oauth_error(&o->body, err, sizeof(err), desc, sizeof(desc));
		/* RFC 9449 section 8: the server wants its nonce, once. */
		if ((o->tw.status == 400 || o->tw.status == 401) &&
		    strcmp(err, "use_dpop_nonce") == 0 && o->tw.nonce[0] &&
		    !nonced) {
			nonce_fits(&o->tw, "token request");
			nonced = 1;
			free(o->as_nonce);
			o->as_nonce = xstrdup(o->tw.nonce);
			debug("token request: Okta asks for a DPoP nonce");
			continue;
		}
		if (http_classify(CURLE_OK, o->tw.status) == HTTP_RETRY) {
			snprintf(why, sizeof(why), "HTTP %ld%s%s", o->tw.status,
			    err[0] ? " " : "", err);
			token_wait(o, why, attempt++);
			continue;
		}
		token_refused(o, err, desc);
	}
	buf_wipe(&form);
	buf_wipe(&a);
	buf_wipe(&p);
	buf_wipe(&hdr);
}

/*
 * The Authorization (and DPoP) headers for one API request, a token
 * minted first when there is none or it is about to lapse.
 */
struct curl_slist *
oauth_headers(struct oauth *o, const char *method, const char *url)
{
	struct curl_slist *l;
	struct buf p = { 0 };

	if (o->token == NULL || mono_ms() >= o->renew_at) {
		if (o->token != NULL)
			debug("the access token lapses soon: minting a new one");
		mint(o);
	}
	if (o->ath == NULL)
		return http_auth(NULL, "Bearer", o->token);
	l = http_auth(NULL, "DPoP", o->token);
	buf_adds(&p, "DPoP: ");
	proof(o, method, url, o->ath, o->rs_nonce, &p);
	if ((l = curl_slist_append(l, p.p)) == NULL)
		errx(EXIT_TEMPFAIL, "curl_slist_append: out of memory");
	buf_wipe(&p);
	return l;
}

/*
 * After an API answer: reset the one-time allowances on a success; on
 * a refusal, 1 when the request should go again (a nonce asked for, or
 * a token refused that a new one may cure), each once.
 */
int
oauth_again(struct oauth *o, long status)
{
	char e[128];

	if (status >= 200 && status < 300) {
		o->nonce_tried = o->renewed = 0;
		return 0;
	}
	if (status != 400 && status != 401)
		return 0;
	www_param(o->aw.www, "error", e, sizeof(e));
	if (o->aw.nonce[0] != '\0' && !o->nonce_tried &&
	    (strcmp(e, "use_dpop_nonce") == 0 || status == 401)) {
		nonce_fits(&o->aw, "API");
		o->nonce_tried = 1;
		free(o->rs_nonce);
		o->rs_nonce = xstrdup(o->aw.nonce);
		debug("HTTP %ld: the API asks for a DPoP nonce", status);
		return 1;
	}
	if (status == 401 && strcmp(e, "invalid_dpop_proof") != 0 &&
	    !o->renewed) {
		o->renewed = 1;
		secret_free(o->token);
		o->token = NULL;
		info("HTTP 401%s%s: the access token was refused; minting a "
		    "new one", e[0] ? " " : "", e);
		return 1;
	}
	return 0;
}

/*
 * An API refusal in OAuth terms: exits for a refused proof, a refused
 * token or a missing role; returns for what the caller words itself.
 */
void
oauth_refused(struct oauth *o, long status, const char *okta, const char *pre)
{
	char e[128], d[sizeof(o->aw.www)];

	www_param(o->aw.www, "error", e, sizeof(e));
	www_param(o->aw.www, "error_description", d, sizeof(d));
	/* Masked whole, then cut: a secret cut short would not match. */
	redact(d, sizeof(d));
	if (strlen(d) > 400)
		strcpy(d + 396, "...");
	if (strcmp(e, "invalid_dpop_proof") == 0 ||
	    strcmp(e, "use_dpop_nonce") == 0)
		errx(EXIT_NOPERM, "%sHTTP %ld %s: %s: Okta refused okta-fetch's "
		    "DPoP proof on the API (unticking \"Require DPoP\" on the "
		    "app is not the fix; please report this with the claim "
		    "named)", pre, status, e, d[0] ? d : okta);
	if (status == 401)
		errx(EXIT_NOPERM, "%sHTTP 401 %s%s%s: the service app's access "
		    "token was refused, a new one too (the token's type is "
		    "%s; a clock far off?)", pre, e[0] ? e : okta,
		    d[0] ? ": " : "", d, o->type ? o->type : "unknown");
	if (status == 403)
		errx(EXIT_NOPERM, "%sHTTP 403 %s%s%s: the service app may not "
		    "read devices: assign it an admin role that can (Admin "
		    "roles tab: Read-only Administrator), and grant it "
		    "okta.devices.read (Okta API Scopes tab)", pre,
		    e[0] ? e : okta, d[0] ? ": " : "", d);
}

/* --check: mint a token first and say what it is. */
void
oauth_check(struct oauth *o)
{
	o->check = 1;
	mint(o);
	o->check = 0;
	if (verbosity >= 1)
		fprintf(stderr, "%s: ok: signed in as service app %s: a %s "
		    "token, scopes %s, valid %lld s\n", progname, o->client_id,
		    o->type, o->granted ? o->granted : "(not said)",
		    o->lifetime_s);
}

void
oauth_free(struct oauth *o)
{
	if (o == NULL)
		return;
	if (o->c != NULL)
		curl_easy_cleanup(o->c);
	free(o->client_id);
	free(o->scopes);
	free(o->kid);
	free(o->token_url);
	key_free(&o->key);
	key_free(&o->dpop);
	buf_free(&o->dpop_head);
	secret_free(o->token);
	free(o->type);
	free(o->granted);
	free(o->ath);
	secret_free(o->as_nonce);
	secret_free(o->rs_nonce);
	http_resp_free(&o->resp);
	buf_wipe(&o->body);
	free(o);
}
