"""AG_SANDBOX_* settings and the value types of the interface (no Docker needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.sandbox.config import SandboxSettings, load_settings, parse_size
from autograder.sandbox.interface import ContainerSpec, Limits, PutFile, validate_path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1048576", 1048576),
        ("512m", 512 * 1024**2),
        ("2g", 2 * 1024**3),
        ("64k", 65536),
        ("1.5G", int(1.5 * 1024**3)),
        ("256Mi", 256 * 1024**2),
        ("10MB", 10 * 1024**2),
    ],
)
def test_parse_size(text: str, expected: int) -> None:
    assert parse_size(text) == expected


def test_defaults_without_environment() -> None:
    assert load_settings({}) == SandboxSettings()


def test_environment_overrides() -> None:
    settings = load_settings(
        {
            "AG_SANDBOX_MEMORY": "1g",
            "AG_SANDBOX_PIDS": "64",
            "AG_SANDBOX_CPUS": "0.5",
            "AG_SANDBOX_RUNTIME": "runsc",
            "AG_SANDBOX_POOL_SIZE": "0",
            "AG_SANDBOX_IMAGE": "custom:1",
            "AG_SANDBOX_TMP_SIZE": "",  # empty means unset
        }
    )
    assert (settings.memory_bytes, settings.pids, settings.cpus) == (1024**3, 64, 0.5)
    assert (settings.runtime, settings.pool_size, settings.image) == ("runsc", 0, "custom:1")
    assert settings.tmp_bytes == SandboxSettings().tmp_bytes


def test_bad_numbers_fail_loudly() -> None:
    with pytest.raises(ValueError):
        load_settings({"AG_SANDBOX_PIDS": "many"})


def test_spec_resolution_fills_only_unset_fields() -> None:
    settings = SandboxSettings(memory_bytes=111, pids=7, cpus=2.0, runtime="runsc")
    resolved = ContainerSpec(pids=3).resolved(settings)
    assert (resolved.memory_bytes, resolved.pids, resolved.cpus) == (111, 3, 2.0)
    assert resolved.runtime == "runsc"


def test_specs_are_hashable_pool_keys() -> None:
    a = ContainerSpec(memory_bytes=1, environment={"X": "1"})
    b = ContainerSpec(memory_bytes=1, environment={"X": "1"})
    c = ContainerSpec(memory_bytes=1, environment={"X": "2"})
    assert a == b and hash(a) == hash(b) and a != c
    assert len({a, b, c}) == 2


def test_spec_environment_is_frozen() -> None:
    env = {"X": "1"}
    spec = ContainerSpec(environment=env)
    env["X"] = "changed"
    assert spec.environment["X"] == "1"
    with pytest.raises(TypeError):
        spec.environment["Y"] = "2"  # type: ignore[index]


@pytest.mark.parametrize("kwargs", [{"memory_bytes": 0}, {"pids": -1}, {"cpus": 0}])
def test_spec_rejects_non_positive_limits(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        ContainerSpec(**kwargs)  # type: ignore[arg-type]


def test_limits_validation() -> None:
    with pytest.raises(ValueError):
        Limits(timeout_s=0)
    with pytest.raises(ValueError):
        Limits(max_output_bytes=-1)


@pytest.mark.parametrize("path", ["a", "a/b/c.txt", "/tmp/x", "./a", "a..b", "ü", "\udcff"])
def test_valid_paths(path: str) -> None:
    validate_path(path)


@pytest.mark.parametrize("path", ["", "/", ".", "..", "a/../b", "a\0b", "x" * 256, "a/" * 2100])
def test_invalid_paths(path: str) -> None:
    with pytest.raises(ValueError):
        validate_path(path)


def test_put_file_mode_is_permission_bits_only() -> None:
    with pytest.raises(ValueError):
        PutFile("a", b"", mode=0o4755)


def test_registry_login_for_the_sandbox_and_the_stack_registry(tmp_path: Path) -> None:
    """On several nodes the default sandbox image lives in the stack's image registry, which
    asks for the sandbox registry's password: graders log in to both, and to nothing else."""
    password = tmp_path / "password"
    password.write_text("s3cret\n")
    settings = load_settings(
        {
            "AG_SANDBOX_REGISTRY": "10.0.0.12:5001",
            "AG_SANDBOX_STACK_REGISTRY": "10.0.0.12:5000",
            "AG_SANDBOX_REGISTRY_PASSWORD_FILE": str(password),
        }
    )
    login = {"username": "ag", "password": "s3cret"}
    assert settings.registry_auth("10.0.0.12:5001/course-7/java:3") == login
    assert settings.registry_auth("10.0.0.12:5000/ag-sandbox-default:abc") == login
    assert settings.registry_auth("registry.example.edu/ag-ocaml:5") is None
    assert settings.registry_auth("10.0.0.12:50000/x:1") is None
    without_stack = load_settings(
        {
            "AG_SANDBOX_REGISTRY": "10.0.0.12:5001",
            "AG_SANDBOX_REGISTRY_PASSWORD_FILE": str(password),
        }
    )
    assert without_stack.registry_auth("10.0.0.12:5000/ag-sandbox-default:abc") is None
