"""A small but real OpenID Connect provider for tests: its own process on 127.0.0.1.

    python tests/accounts/oidc_provider.py [--port 0] [--client-id ID] [--client-secret S]

prints `READY <issuer URL>` once it listens, then serves the authorization code flow:
discovery, JWKS (a fresh RSA key per run), authorize (a sign-in form; or, if a test queued a
login with POST /test/next-login, an immediate redirect), token (client secret, single-use
codes, PKCE S256), userinfo. Ids tokens are RS256-signed JWTs.

For the refusal tests, a queued login may ask for a bad id token (`mode`): `expired`,
`wrong_key` (signed by another key under the real key's id), `forged` (alg none, unsigned),
`wrong_audience`, or `replay` (the id token of the previous login, with its nonce); or
`userinfo_only`, a good id token without the email, which userinfo then gives.
"""

import argparse
import base64
import contextlib
import hashlib
import html
import json
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_ID = "test-key-1"


class Provider:
    def __init__(self, issuer: str, client_id: str, client_secret: str) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.lock = threading.Lock()
        self.next_logins: list[dict[str, Any]] = []
        self.codes: dict[str, dict[str, Any]] = {}
        self.access_tokens: dict[str, dict[str, Any]] = {}
        self.last_id_token = ""

    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [public | {"kid": KEY_ID, "alg": "RS256", "use": "sig"}]}

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.issuer + "/authorize",
            "token_endpoint": self.issuer + "/token",
            "userinfo_endpoint": self.issuer + "/userinfo",
            "jwks_uri": self.issuer + "/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def issue_code(self, params: dict[str, str], login: dict[str, Any]) -> str:
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = {"params": params, "login": login}
        return code

    def id_token(self, login: dict[str, Any], nonce: str) -> str:
        mode = login.get("mode", "")
        if mode == "replay" and self.last_id_token:
            return self.last_id_token
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": login["sub"],
            "aud": "someone-else" if mode == "wrong_audience" else self.client_id,
            "iat": now - 7200 if mode == "expired" else now,
            "exp": now - 3600 if mode == "expired" else now + 600,
            "nonce": nonce,
            "email": login["email"],
            "email_verified": login.get("email_verified", True),
            "given_name": login.get("given_name", ""),
            "family_name": login.get("family_name", ""),
        }
        if mode == "userinfo_only":  # as some providers do: the email only from userinfo
            for claim in ("email", "email_verified", "given_name", "family_name"):
                del claims[claim]
        if mode == "forged":
            return jwt.encode(claims, "", algorithm="none", headers={"kid": KEY_ID})
        key = self.other_key if mode == "wrong_key" else self.key
        token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": KEY_ID})
        if mode in ("", "userinfo_only"):
            self.last_id_token = token
        return token


def _login_for(email: str) -> dict[str, Any]:
    return {"sub": "sub-" + hashlib.sha256(email.lower().encode()).hexdigest()[:16], "email": email}


def _pkce_ok(params: dict[str, str], verifier: str) -> bool:
    challenge = params.get("code_challenge")
    if not challenge:
        return True
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == challenge


class Handler(BaseHTTPRequestHandler):
    provider: Provider

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any, content_type: str = "application/json") -> None:
        data = (json.dumps(body) if content_type == "application/json" else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode()
        if self.headers.get("Content-Type", "").startswith("application/json"):
            return dict(json.loads(raw or "{}"))
        return {k: v[0] for k, v in parse_qs(raw).items()}

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        p = self.provider
        if url.path == "/.well-known/openid-configuration":
            self._send(200, p.discovery())
        elif url.path == "/jwks":
            self._send(200, p.jwks())
        elif url.path == "/authorize":
            self._authorize(params)
        elif url.path == "/userinfo":
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            login = p.access_tokens.get(token)
            if login is None:
                self._send(401, {"error": "invalid_token"})
            else:
                claims = {"email_verified": True} | login
                self._send(200, {k: v for k, v in claims.items() if k != "mode"})
        else:
            self._send(404, {"error": "not_found"})

    def _authorize(self, params: dict[str, str]) -> None:
        p = self.provider
        if params.get("client_id") != p.client_id or params.get("response_type") != "code":
            self._send(400, {"error": "invalid_request"})
            return
        with p.lock:
            queued = p.next_logins.pop(0) if p.next_logins else None
        if queued is not None:
            self._approve(params, queued)
            return
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in params.items()
        )
        page = (
            '<!doctype html><link rel="icon" href="data:,"><title>Test University sign-in</title>'
            "<h1>Test University</h1>"
            '<form method="post" action="/authorize">'
            f'{hidden}<label>Email <input name="login_email" type="email" required></label>'
            '<button type="submit">Sign in</button></form>'
        )
        self._send(200, page, "text/html; charset=utf-8")

    def _approve(self, params: dict[str, str], login: dict[str, Any]) -> None:
        code = self.provider.issue_code(params, login)
        answer = {"code": code, "state": params.get("state", "")}
        self._redirect(params["redirect_uri"] + "?" + urlencode(answer))

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        form = self._form()
        p = self.provider
        if url.path == "/test/next-login":
            login = _login_for(form["email"]) | form
            with p.lock:
                p.next_logins.append(login)
            self._send(200, {"queued": login})
        elif url.path == "/authorize":
            email = form.pop("login_email", "")
            if form.get("client_id") != p.client_id or not email:
                self._send(400, {"error": "invalid_request"})
                return
            self._approve(form, _login_for(email) | {"email_verified": True})
        elif url.path == "/token":
            self._token(form)
        else:
            self._send(404, {"error": "not_found"})

    def _token(self, form: dict[str, str]) -> None:
        p = self.provider
        client_id, secret = form.get("client_id"), form.get("client_secret")
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        if client_id != p.client_id or secret != p.client_secret:
            self._send(401, {"error": "invalid_client"})
            return
        with p.lock:
            grant = p.codes.pop(form.get("code", ""), None)
        if (
            grant is None
            or form.get("grant_type") != "authorization_code"
            or form.get("redirect_uri") != grant["params"].get("redirect_uri")
            or not _pkce_ok(grant["params"], form.get("code_verifier", ""))
        ):
            self._send(400, {"error": "invalid_grant"})
            return
        login = grant["login"]
        access_token = secrets.token_urlsafe(24)
        p.access_tokens[access_token] = login
        id_token = p.id_token(login, grant["params"].get("nonce", ""))
        self._send(
            200,
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 600,
                "id_token": id_token,
            },
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--client-id", default="autograder")
    parser.add_argument("--client-secret", default="test-client-secret")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    issuer = f"http://127.0.0.1:{server.server_address[1]}"
    Handler.provider = Provider(issuer, args.client_id, args.client_secret)
    print(f"READY {issuer}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    sys.exit(0)


if __name__ == "__main__":
    main()
