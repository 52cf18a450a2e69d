/*
 * oauth.h: okta-fetch signing in as an Okta API service app (oauth.c):
 * client credentials with a private_key_jwt assertion, DPoP (RFC 9449),
 * renewal, and verdicts that say what to fix.
 */
#ifndef OAUTH_H
#define OAUTH_H

#include "net.h"

struct oauth;

const char	*oauth_env(void);
struct oauth	*oauth_new(const char *);
void		 oauth_attach(struct oauth *, CURLM *, CURL *, struct http_resp *,
		    const struct http_opts *, unsigned long *);
struct curl_slist *oauth_headers(struct oauth *, const char *, const char *);
int		 oauth_again(struct oauth *, long);
void		 oauth_refused(struct oauth *, long, const char *, const char *);
void		 oauth_check(struct oauth *);
void		 oauth_free(struct oauth *);

#endif
