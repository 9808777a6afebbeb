from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from autograder.integrations.lti.checks import lti_key_check
from tests.integrations.lti.platform import new_key, pem


def errors(monkeypatch: pytest.MonkeyPatch, path: Path | None) -> list[str]:
    if path is None:
        monkeypatch.delenv("AG_LTI_PRIVATE_KEY_FILE", raising=False)
    else:
        monkeypatch.setenv("AG_LTI_PRIVATE_KEY_FILE", str(path))
    return [f"{m.id}: {m.msg}" for m in lti_key_check(None)]


def test_a_good_key_or_none_named_passes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    key = tmp_path / "key.pem"
    key.write_bytes(pem(new_key()))
    assert errors(monkeypatch, key) == []
    assert errors(monkeypatch, None) == []


def test_a_missing_garbled_or_wrong_kind_of_key_is_reported(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = errors(monkeypatch, tmp_path / "nope.pem")
    assert len(missing) == 1 and missing[0].startswith("lti.E001") and "can't be read" in missing[0]
    garbled = tmp_path / "garbled.pem"
    garbled.write_text("not a key")
    assert "not an unencrypted PEM private key" in errors(monkeypatch, garbled)[0]
    ec_key = tmp_path / "ec.pem"
    ec_key.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    assert "is not an RSA key" in errors(monkeypatch, ec_key)[0]
