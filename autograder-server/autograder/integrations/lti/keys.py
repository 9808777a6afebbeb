"""Our signing key: platforms verify our service tokens with its public half, served at
`/api/lti/jwks/`. The private half comes from `AG_LTI_PRIVATE_KEY_FILE` (a docker secret in
production); the quickstart has none, so one is made on first use and kept in that file."""

import functools
import json
import logging
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from jwcrypto.jwk import JWK  # type: ignore[import-untyped]  # jwcrypto ships no type hints

logger = logging.getLogger(__name__)


@functools.cache
def private_key_pem() -> str:
    """The PEM of our private key, made (RSA 2048, mode 0600) if the file doesn't exist."""
    path = Path(settings.LTI_PRIVATE_KEY_FILE)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        # O_EXCL: when two processes start at once, the second one reads the first one's key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text()
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
        logger.warning("Made a new LTI private key in %s (set AG_LTI_PRIVATE_KEY_FILE)", path)
    return path.read_text()


@functools.cache
def public_key_pem() -> str:
    key = serialization.load_pem_private_key(private_key_pem().encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def public_jwk() -> dict[str, Any]:
    """The public key as a JWK with its thumbprint as `kid` (stable while the key is)."""
    jwk = JWK.from_pem(public_key_pem().encode())
    body: dict[str, Any] = json.loads(jwk.export_public())
    body.update({"kid": jwk.thumbprint(), "alg": "RS256", "use": "sig"})
    return body


def jwks() -> dict[str, Any]:
    return {"keys": [public_jwk()]}
