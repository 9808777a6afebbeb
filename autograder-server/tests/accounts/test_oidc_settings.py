"""AG_OIDC_* → settings.OIDC_PROVIDERS: presets, secrets from files, and refusing to start
with a provider half configured."""

from pathlib import Path

import pytest

from autograder.settings import _oidc_provider


def test_google_preset_needs_only_the_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AG_OIDC_GOOGLE_CLIENT_ID", "abc.apps.googleusercontent.com")
    monkeypatch.setenv("AG_OIDC_GOOGLE_CLIENT_SECRET", "s3")
    assert _oidc_provider("google") == {
        "id": "google",
        "issuer": "https://accounts.google.com",
        "client_id": "abc.apps.googleusercontent.com",
        "client_secret": "s3",
        "label": "Google",
        "scopes": "openid email profile",
        "trust_email": False,
    }


def test_microsoft_preset_is_one_tenant_and_trusts_its_addresses(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = tmp_path / "secret"
    secret.write_text("from-a-docker-secret\n")
    monkeypatch.setenv("AG_OIDC_MICROSOFT_CLIENT_ID", "app-id")
    monkeypatch.setenv("AG_OIDC_MICROSOFT_CLIENT_SECRET", "ignored: the file wins")
    monkeypatch.setenv("AG_OIDC_MICROSOFT_CLIENT_SECRET_FILE", str(secret))
    with pytest.raises(ValueError, match="AG_OIDC_MICROSOFT_TENANT"):
        _oidc_provider("microsoft")
    monkeypatch.setenv("AG_OIDC_MICROSOFT_TENANT", "9188040d-6c67-4c5b-b112-36a304b66dad")
    provider = _oidc_provider("microsoft")
    assert provider["issuer"] == (
        "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0"
    )
    assert provider["client_secret"] == "from-a-docker-secret"
    assert provider["trust_email"] is True
    assert provider["label"] == "Microsoft"


def test_any_other_provider_names_what_it_lacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AG_OIDC_CAMPUS_SSO_ISSUER", "https://login.example.edu/")
    with pytest.raises(ValueError) as missing:
        _oidc_provider("campus-sso")
    assert "AG_OIDC_CAMPUS_SSO_CLIENT_ID" in str(missing.value)
    assert "AG_OIDC_CAMPUS_SSO_CLIENT_SECRET" in str(missing.value)
    monkeypatch.setenv("AG_OIDC_CAMPUS_SSO_CLIENT_ID", "ag")
    monkeypatch.setenv("AG_OIDC_CAMPUS_SSO_CLIENT_SECRET", "x")
    monkeypatch.setenv("AG_OIDC_CAMPUS_SSO_LABEL", "Campus")
    provider = _oidc_provider("campus-sso")
    assert provider["issuer"] == "https://login.example.edu"
    assert provider["label"] == "Campus" and provider["trust_email"] is False
