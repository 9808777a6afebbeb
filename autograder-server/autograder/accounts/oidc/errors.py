class SignInRefusedError(Exception):
    """A single sign-on attempt that ends on the refusal page: `code` is stable (tests and
    logs use it), `message` is what the person reads, `status` the page's HTTP status.

    Not a SuspiciousOperation on purpose: mozilla-django-oidc swallows those into a silent
    failure, and Django turns them into a bare 400; people deserve to know what went wrong."""

    def __init__(self, code: str, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
