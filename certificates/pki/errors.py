"""The one exception type the pki layer raises for anything a user can cause."""


class PkiError(ValueError):
    """A problem with user-supplied input, described in one sentence a person can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
