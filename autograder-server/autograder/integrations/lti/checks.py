"""System checks of the LTI settings, run by `manage.py check` (and so by a deploy's init)."""

import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.checks import CheckMessage, Error, register


@register()
def lti_key_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """A key file that is named but missing or not an RSA private key stops a deploy here,
    instead of breaking every LMS launch. Without the variable a key is made on first use."""
    named = os.environ.get("AG_LTI_PRIVATE_KEY_FILE")
    if not named:
        return []
    path = Path(named)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as error:
        return [Error(f"AG_LTI_PRIVATE_KEY_FILE {named} can't be read: {error}", id="lti.E001")]
    except (ValueError, TypeError) as error:
        return [
            Error(
                f"AG_LTI_PRIVATE_KEY_FILE {named} is not an unencrypted PEM private key: {error}",
                id="lti.E001",
            )
        ]
    if not isinstance(key, rsa.RSAPrivateKey):
        return [Error(f"AG_LTI_PRIVATE_KEY_FILE {named} is not an RSA key.", id="lti.E001")]
    return []
