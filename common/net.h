/*
 * net.h: the libcurl layer okta-fetch and ocsf-push share (http.c).
 * okta2ocsf does not include it and does not link libcurl or json-c.
 */
#ifndef NET_H
#define NET_H

#include <curl/curl.h>

#include "common.h"

/* http.c: one libcurl layer for okta-fetch and ocsf-push. */
struct origin {
	char	*scheme, *host;
	long	 port;
};
int	 origin_parse(const char *, struct origin *, const char **);
int	 origin_same(const struct origin *, const char *);
void	 origin_free(struct origin *);

struct http_opts {
	const char	*cacert;	/* --cacert, or NULL */
	long		 timeout_ms;	/* --timeout: the whole request */
	long		 connect_timeout_ms;
	int		 max_retries;	/* --max-retries */
	long long	 max_wait_ms;	/* --max-wait: the longest hint obeyed */
	curl_off_t	 max_body;	/* largest response body accepted */
	const char	*user_agent;
};
/* The options okta-fetch and ocsf-push share, for getopt_long(3). */
enum { OPT_MAX_RETRIES = 256, OPT_MAX_WAIT, OPT_TIMEOUT, OPT_CACERT,
    OPT_OWN };
#define HTTP_LONGOPTS \
	{ "max-retries", required_argument, NULL, OPT_MAX_RETRIES }, \
	{ "max-wait", required_argument, NULL, OPT_MAX_WAIT }, \
	{ "timeout", required_argument, NULL, OPT_TIMEOUT }, \
	{ "cacert", required_argument, NULL, OPT_CACERT }
int	 http_option(int, const char *, struct http_opts *);
CURL	*http_easy(const struct http_opts *);

#define RATE_UNSET	(-1LL)
#define HTTP_HEADER_MAX	(96 * 1024)	/* longest header line accepted */
struct http_resp {
	long		 status;
	long long	 rl_limit, rl_remaining, rl_reset; /* smallest seen */
	long long	 retry_after_s;	/* Retry-After in seconds, or -1 */
	time_t		 retry_after_at; /* Retry-After as a date, or 0 */
	time_t		 date;		/* server Date, or 0 */
	char		*link_next;	/* from the last header block only */
	int		 link_bad;	/* a Link header we could not parse */
	char		 request_id[128];
	int		 headers_seen;	/* in the final header block */
	int		 too_many_headers;
	size_t		 header_too_long; /* the length of one, or 0 */
};
void	 http_resp_reset(struct http_resp *);
void	 http_resp_free(struct http_resp *);
size_t	 http_header_cb(char *, size_t, size_t, void *);
int	 link_next(const char *, size_t, char **);
long long http_hint_ms(const struct http_resp *);

struct curl_slist *http_auth(struct curl_slist *, const char *, const char *);
void	 http_headers_free(struct curl_slist *);
void	 http_api_error(const char *, size_t, char *, size_t);

enum http_verdict { HTTP_OK, HTTP_RETRY, HTTP_AUTH, HTTP_REFUSED };
enum http_verdict http_classify(CURLcode, long);
int64_t	 backoff_ms(int);
enum { HTTP_RETRY_SPENT = 1, HTTP_RETRY_TOO_LONG };
int	 http_retry_next(const struct http_opts *, const struct http_resp *,
	    int, int, long long *);
void	 http_retry_wait(const struct http_opts *, const struct http_resp *,
	    const char *, int, int, unsigned long *);
const char *http_errstr(CURLcode, const char *);

#endif
