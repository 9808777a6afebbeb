"""Single sign-on with OpenID Connect (any number of providers, from settings).

mozilla-django-oidc does the protocol (state, nonce, PKCE, the code exchange, the signature
check against the provider's keys); this package feeds it one provider per login, checks what
the library leaves out (issuer, audience, expiry and issue time of the id token), and decides
who the person is here: a verified email links to the account with that email; someone
unknown gets in only as a guest of a course whose allowed guest domain is their email's.
Every refusal is an `SignInRefusedError` shown as a plain page.
"""
