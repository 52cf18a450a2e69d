/*
 * crypto.h: what okta-fetch's OAuth mode needs from libcrypto (crypto.c):
 * base64url, private keys from PEM or JWK, compact JWS signing and
 * verification, the JWK thumbprint, and the run's DPoP key.  Only the
 * programs that include it link -lcrypto: okta2ocsf and ocsf-push do not.
 */
#ifndef CRYPTO_H
#define CRYPTO_H

#include "common.h"

/* A signing key and the JWS algorithm its type calls for. */
struct sign_key {
	void		*pkey;		/* EVP_PKEY */
	const char	*alg;		/* "RS256", "ES256" or "ES384" */
	char		*kid;		/* a JWK's own kid, or NULL */
	size_t		 coord;		/* EC: bytes of a coordinate */
	void		*ctx;		/* EVP_PKEY_CTX, ready to sign */
};

#define KEY_ERR_MAX	512
#define KEY_PUBLIC_OK	1	/* key_parse: a public key will do (tests) */

int	 b64url_decode(const char *, size_t, struct buf *);
int	 key_parse(const char *, size_t, int, struct sign_key *, char *,
	    size_t);
int	 key_generate_p256(struct sign_key *);
void	 key_free(struct sign_key *);
void	 jwk_public(const struct sign_key *, struct buf *);
void	 jwk_thumbprint(const struct sign_key *, struct buf *);
int	 jws_sign(const struct sign_key *, const char *, const char *,
	    struct buf *);
int	 jws_verify(const struct sign_key *, const char *, size_t);
void	 sha256(const void *, size_t, unsigned char [32]);
void	 sha256_b64url(const void *, size_t, struct buf *);
void	 random_b64url(size_t, struct buf *);

#endif
