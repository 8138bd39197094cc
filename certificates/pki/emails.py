"""Email address handling shared by CSR, certificate and publishing checks."""

from certificates.pki.errors import PkiError


def split_address(addr: str) -> tuple[str, str]:
    """Return (local part, domain) of a single plausible address, as written."""
    value = addr.strip()
    if not value:
        raise PkiError("The email address is empty; enter the address the certificate is for.")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise PkiError(
            f"'{value}' contains spaces or control characters; enter one address like "
            "name@example.com."
        )
    if value.count("@") != 1:
        raise PkiError(f"'{value}' is not a single email address; enter one like name@example.com.")
    local, domain = value.split("@")
    if not local or not domain:
        raise PkiError(f"'{value}' is missing the part before or after '@'; enter a full address.")
    return local, domain


def addresses_match(a: str, b: str) -> bool:
    """Compare addresses case-insensitively.

    Domains are case-insensitive by definition; local parts are in practice (RFC 5321 allows
    otherwise, but mail systems and CAs fold case), so the whole address is case-folded.
    """
    return a.strip().casefold() == b.strip().casefold()


def local_part_filename(local: str) -> str:
    """The .well-known file name stem: dots become underscores (firstname.lastname)."""
    return local.replace(".", "_")
