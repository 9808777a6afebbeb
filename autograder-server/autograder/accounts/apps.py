from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "autograder.accounts"
    label = "accounts"

    def ready(self) -> None:
        import autograder.accounts.schema  # noqa: F401  (registers the OpenAPI extension)
