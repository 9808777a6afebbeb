"""Environment variables a submission's commands get beyond the sandbox's own.

The grading layer doesn't know where they come from: an app above it (the runner API, whose
callers send `param` fields) registers a provider from its `AppConfig.ready()`. Providers
must refuse names that would change the sandbox's own environment (PATH, HOME, ...): the
sandbox runner applies these over its base environment for each command.
"""

from collections.abc import Callable, Mapping

EnvProvider = Callable[[int], Mapping[str, str]]
"""Submission id → variables for every command of its grading."""

_providers: list[EnvProvider] = []


def env_provider_register(provider: EnvProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def submission_env(*, submission_id: int) -> dict[str, str]:
    env: dict[str, str] = {}
    for provider in _providers:
        env.update(provider(submission_id))
    return env
