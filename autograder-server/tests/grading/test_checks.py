"""`manage.py check` refuses a malformed sandbox image setting (and so does every start)."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError


def test_a_malformed_allowed_image_fails_the_system_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AG_SANDBOX_IMAGES", "ag-java:21,../../etc/passwd")
    with pytest.raises(SystemCheckError, match=r"grading\.E001"):
        call_command("check")


def test_well_formed_images_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AG_SANDBOX_IMAGES", "ag-java:21")
    call_command("check")
