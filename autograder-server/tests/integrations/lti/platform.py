"""A small but real LTI 1.3 platform (an LMS) for tests: its own RSA key and keyset endpoint,
the OIDC authorization step, an OAuth2 token endpoint that checks the tool's signed client
assertion against the tool's keyset, Names and Role Provisioning and Assignment and Grade
Services. It serves HTTP on 127.0.0.1 from a thread; `python -m tests.integrations.lti.platform`
runs it as a process (for the browser tests) and prints its settings as one JSON line.

Written on PyJWT because the platform packages on PyPI implement only part of this."""

import argparse
import html
import json
import secrets
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
AGS_SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@dataclass
class LmsUser:
    sub: str
    email: str
    given_name: str
    family_name: str
    roles: list[str]
    status: str = "Active"


@dataclass
class Platform:
    client_id: str = "autograder-tool"
    deployment_id: str = "deployment-1"
    context_id: str = "course-101"
    context_title: str = "EECS 101 in the LMS"
    tool_jwks_url: str = ""
    """Where the tool publishes its keys; the token endpoint checks assertions against them."""
    tool_public_jwks: list[dict[str, Any]] = field(default_factory=list)
    """Or the tool's keys given directly (tests without a running tool server)."""
    launch_url: str = ""
    users: dict[str, LmsUser] = field(default_factory=dict)
    line_items: dict[str, dict[str, Any]] = field(default_factory=dict)
    scores: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    token_requests: int = 0
    fail_scores_with: int = 0
    """When set, score posts answer this HTTP status (to test retries and errors)."""

    def __post_init__(self) -> None:
        self.key = new_key()
        self.kid = "platform-" + secrets.token_hex(4)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.tokens: set[str] = set()
        self.lock = threading.Lock()

    # --- what the tool registers -------------------------------------------------------------

    @property
    def issuer(self) -> str:
        return self.url

    def registration(self) -> dict[str, Any]:
        return {
            "name": "Test LMS",
            "issuer": self.issuer,
            "client_id": self.client_id,
            "deployment_ids": [self.deployment_id],
            "keyset_url": self.url + "/jwks",
            "auth_login_url": self.url + "/auth",
            "auth_token_url": self.url + "/token",
        }

    def jwks(self) -> dict[str, Any]:
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [public | {"kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def start(self) -> "Platform":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- messages ----------------------------------------------------------------------------

    def add_user(self, key: str, email: str, role: str, name: str = "") -> LmsUser:
        given, _, family = (name or key.title()).partition(" ")
        user = LmsUser(
            sub=f"lms-{key}", email=email, given_name=given, family_name=family, roles=[role]
        )
        self.users[key] = user
        return user

    def claims(self, user: LmsUser, nonce: str, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "azp": self.client_id,
            "sub": user.sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "email": user.email,
            "given_name": user.given_name,
            "family_name": user.family_name,
            "name": f"{user.given_name} {user.family_name}".strip(),
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "version": "1.3.0",
            LTI + "deployment_id": self.deployment_id,
            LTI + "target_link_uri": self.launch_url,
            LTI + "resource_link": {"id": "link-1", "title": "Autograder"},
            LTI + "roles": user.roles,
            LTI + "context": {"id": self.context_id, "title": self.context_title},
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": f"{self.url}/contexts/{self.context_id}/memberships",
                "service_versions": ["2.0"],
            },
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": AGS_SCOPES,
                "lineitems": f"{self.url}/contexts/{self.context_id}/lineitems",
            },
        }
        body.update(overrides)
        return {k: v for k, v in body.items() if v is not None}

    def sign(self, body: dict[str, Any], key: rsa.RSAPrivateKey | None = None) -> str:
        return jwt.encode(body, pem(key or self.key), algorithm="RS256", headers={"kid": self.kid})

    def login_params(self, user_key: str) -> dict[str, str]:
        """What the platform sends to the tool's login URL to start a launch."""
        return {
            "iss": self.issuer,
            "login_hint": user_key,
            "target_link_uri": self.launch_url,
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
            "lti_message_hint": "link-1",
        }

    def authorize(self, query: dict[str, str]) -> tuple[str, dict[str, str]]:
        """The OIDC authorization step: checks what the tool asked for and answers with the
        form the browser posts to the tool: (redirect_uri, {id_token, state})."""
        for name, wanted in [
            ("response_type", "id_token"),
            ("scope", "openid"),
            ("client_id", self.client_id),
            ("response_mode", "form_post"),
        ]:
            if query.get(name) != wanted:
                raise ValueError(f"{name} must be {wanted!r}, got {query.get(name)!r}")
        if self.launch_url and query.get("redirect_uri") != self.launch_url:
            raise ValueError(f"redirect_uri {query.get('redirect_uri')!r} is not registered")
        user = self.users[query["login_hint"]]
        token = self.sign(self.claims(user, query["nonce"]))
        return query["redirect_uri"], {"id_token": token, "state": query["state"]}

    # --- services ----------------------------------------------------------------------------

    def _tool_keys(self) -> list[dict[str, Any]]:
        if self.tool_public_jwks:
            return self.tool_public_jwks
        with urllib.request.urlopen(self.tool_jwks_url, timeout=10) as response:
            keys: list[dict[str, Any]] = json.load(response)["keys"]
            return keys

    def issue_token(self, form: dict[str, str]) -> dict[str, Any]:
        if form.get("grant_type") != "client_credentials":
            raise PermissionError("grant_type must be client_credentials")
        assertion = form.get("client_assertion", "")
        kid = jwt.get_unverified_header(assertion).get("kid")
        found = [k for k in self._tool_keys() if k.get("kid") == kid]
        if not found:
            raise PermissionError(f"no tool key with kid {kid!r}")
        public = RSAAlgorithm.from_jwk(json.dumps(found[0]))
        assert isinstance(public, rsa.RSAPublicKey)
        claims = jwt.decode(assertion, public, algorithms=["RS256"], audience=self.url + "/token")
        if claims.get("iss") != self.client_id or claims.get("sub") != self.client_id:
            raise PermissionError("the assertion is not from our client")
        token = secrets.token_urlsafe(16)
        with self.lock:
            self.tokens.add(token)
            self.token_requests += 1
        return {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": 3600,
            "scope": form.get("scope", ""),
        }

    def members(self) -> dict[str, Any]:
        return {
            "id": f"{self.url}/contexts/{self.context_id}/memberships",
            "context": {"id": self.context_id, "title": self.context_title},
            "members": [
                {
                    "user_id": u.sub,
                    "email": u.email,
                    "given_name": u.given_name,
                    "family_name": u.family_name,
                    "roles": u.roles,
                    "status": u.status,
                }
                for u in self.users.values()
            ],
        }

    def create_line_item(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            item_id = f"{self.url}/contexts/{self.context_id}/lineitems/{len(self.line_items) + 1}"
            item = body | {"id": item_id}
            self.line_items[item_id] = item
            self.scores[item_id] = []
        return item

    def scores_by_label(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Line item label → user sub → the latest score posted."""
        return {
            self.line_items[item]["label"]: {s["userId"]: s for s in posted}
            for item, posted in self.scores.items()
        }


def _handler(platform: Platform) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: Any, content_type: str = "application/json") -> None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _authorized(self) -> bool:
            header = self.headers.get("Authorization", "")
            if header.startswith("Bearer ") and header[7:] in platform.tokens:
                return True
            self._send(401, {"error": "invalid_token"})
            return False

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def do_GET(self) -> None:
            parsed = urllib.parse.urlparse(self.path)
            query = dict(urllib.parse.parse_qsl(parsed.query))
            path = parsed.path
            if path == "/jwks":
                self._send(200, platform.jwks())
            elif path == "/auth":
                try:
                    target, fields = platform.authorize(query)
                except (ValueError, KeyError) as exc:
                    self._send(400, {"error": str(exc)})
                    return
                inputs = "".join(
                    f'<input type="hidden" name="{k}" value="{html.escape(v)}">'
                    for k, v in fields.items()
                )
                page = (
                    f'<html><body><form id="f" method="post" action="{html.escape(target)}">'
                    f"{inputs}</form><script>document.getElementById('f').submit()</script>"
                    "</body></html>"
                )
                self._send(200, page, "text/html")
            elif path == "/launch":
                # A person clicks the tool's link in the LMS: third-party initiated login.
                params = urllib.parse.urlencode(platform.login_params(query["user"]))
                self.send_response(302)
                self.send_header("Location", f"{query['login_url']}?{params}")
                self.end_headers()
            elif path.endswith("/memberships"):
                if self._authorized():
                    self._send(
                        200,
                        platform.members(),
                        "application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
                    )
            elif path.endswith("/lineitems"):
                if self._authorized():
                    self._send(200, list(platform.line_items.values()))
            elif path == "/state":
                self._send(200, {"line_items": platform.line_items, "scores": platform.scores})
            else:
                self._send(404, {"error": "not found"})

        def do_POST(self) -> None:
            path = urllib.parse.urlparse(self.path).path
            raw = self._body()
            if path == "/token":
                form = dict(urllib.parse.parse_qsl(raw.decode()))
                try:
                    self._send(200, platform.issue_token(form))
                except (PermissionError, jwt.InvalidTokenError) as exc:
                    self._send(401, {"error": "invalid_client", "detail": str(exc)})
            elif path == "/users":
                body = json.loads(raw)
                platform.add_user(body["key"], body["email"], body["role"], body.get("name", ""))
                self._send(201, {"ok": True})
            elif path.endswith("/lineitems"):
                if self._authorized():
                    self._send(201, platform.create_line_item(json.loads(raw)))
            elif path.endswith("/scores"):
                if not self._authorized():
                    return
                if platform.fail_scores_with:
                    self._send(platform.fail_scores_with, {"error": "failing on purpose"})
                    return
                item = path.removesuffix("/scores")
                item_id = platform.url + item
                if item_id not in platform.line_items:
                    self._send(404, {"error": "no such line item"})
                    return
                with platform.lock:
                    platform.scores[item_id].append(json.loads(raw))
                self._send(204, "")
            else:
                self._send(404, {"error": "not found"})

    return Handler


def main() -> None:
    """Runs the platform as a process for the browser tests; prints its settings and waits."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--tool-url", required=True, help="The autograder's site URL.")
    args = parser.parse_args()
    tool = args.tool_url.rstrip("/")
    platform = Platform(tool_jwks_url=f"{tool}/api/lti/jwks/", launch_url=f"{tool}/api/lti/launch/")
    platform.start()
    print(json.dumps(platform.registration() | {"url": platform.url}), flush=True)
    try:
        sys.stdin.read()  # until the test closes our stdin
    finally:
        platform.stop()


if __name__ == "__main__":
    main()
