from django.apps import AppConfig


class RunnerConfig(AppConfig):
    name = "autograder.integrations.runner"
    label = "runner"
    verbose_name = "Runner API (correctomatic-compatible)"

    def ready(self) -> None:
        # Connects the signal receivers and registers the OpenAPI extension.
        import autograder.integrations.runner.receivers
        import autograder.integrations.runner.schema  # noqa: F401
        from autograder.grading.pipeline.command_env import env_provider_register
        from autograder.integrations.runner.selectors import work_params

        env_provider_register(work_params)
