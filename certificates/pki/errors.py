"""The one exception type the pki layer raises for anything a user can cause."""

from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm

from certificates.pki.translation import _

# What cryptography raises for a file it will not read. Not all are ValueErrors: a version
# number outside the standard's (InvalidVersion, at load), an extension given twice or a
# general name it does not model (DuplicateExtension, UnsupportedGeneralNameType, on first
# access to the extensions), PKCS#7 that is not signed-data (UnsupportedAlgorithm). Each is the
# uploader's file at fault, so every parse of outside bytes catches all of them.
UNREADABLE: tuple[type[Exception], ...] = (
    ValueError,
    UnsupportedAlgorithm,
    x509.InvalidVersion,
    x509.DuplicateExtension,
    x509.UnsupportedGeneralNameType,
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one part of the input: ``field`` is a dotted path such as
    ``subject.organization`` or ``email``."""

    field: str
    message: str


class PkiError(ValueError):
    """A problem with user-supplied input, described in one sentence a person can act on; or
    several problems at once (``problems``), so a person can mend them all in one go."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems)

    @classmethod
    def of(cls, problems: Sequence[Problem]) -> "PkiError":
        """One error carrying every problem; its message says them all."""
        if len(problems) == 1:
            return cls(problems[0].message, problems)
        summary = _("%(count)s problems:") % {"count": len(problems)}
        return cls(" ".join([summary, *(p.message for p in problems)]), problems)
