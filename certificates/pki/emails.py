"""Email address handling shared by CSR, certificate and publishing checks.

Two addresses are the same mailbox when their domains are equal after IDNA normalisation and
lower-casing, and their local parts are equal after lower-casing ASCII letters only. Unicode
case folding is never used: it makes ``weiß`` equal ``weiss``, which are two different people.
"""

import idna

from certificates.pki.errors import PkiError
from certificates.pki.text import first_invisible, visible
from certificates.pki.translation import _

# str.lower() would also fold non-ASCII letters (Ä -> ä), which mail systems do not agree on.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(text: str) -> str:
    """Lower-case ASCII letters only: the portal's one rule for folding a local part (never
    Unicode case mapping, which turns ``İ`` into ``i̇`` and would make ``Weiß`` meet ``weiss``)."""
    return text.translate(_ASCII_LOWER)


def split_address(addr: str) -> tuple[str, str]:
    """Return (local part, domain) of a single plausible address, as written."""
    value = addr.strip()
    if not value:
        raise PkiError(_("The email address is empty; enter the address the certificate is for."))
    if any(ch.isspace() for ch in value) or first_invisible(value) is not None:
        raise PkiError(
            _(
                "'%(value)s' contains spaces, control or invisible characters; enter one "
                "address like name@example.com."
            )
            % {"value": visible(value)}
        )
    if value.count("@") != 1:
        raise PkiError(
            _("'%(value)s' is not a single email address; enter one like name@example.com.")
            % {"value": value}
        )
    local, domain = value.split("@")
    if not local or not domain:
        raise PkiError(
            _("'%(value)s' is missing the part before or after '@'; enter a full address.")
            % {"value": value}
        )
    return local, domain


def normalise_domain(domain: str) -> str:
    """The domain as stored and compared: lower case, internationalised labels as IDNA A-labels
    (``Bücher.Example`` -> ``xn--bcher-kva.example``), by UTS #46 without the transitional
    mappings (so ``faß.de`` stays distinct from ``fass.de``)."""
    if domain.isascii():
        return ascii_lower(domain)
    try:
        return idna.encode(domain, uts46=True, transitional=False).decode("ascii")
    except idna.IDNAError as exc:
        raise PkiError(
            _("'%(domain)s' is not a valid internationalised domain name (%(reason)s).")
            % {"domain": domain, "reason": exc}
        ) from exc


def normalise_address(addr: str) -> str:
    """``Local@domain`` with the local part as written and the domain normalised."""
    local, domain = split_address(addr)
    return f"{local}@{normalise_domain(domain)}"


def address_key(addr: str) -> str:
    """What two addresses must share to be the same mailbox (see the module's rule). Never
    raises: a value that is not an address (from a certificate) keys as itself."""
    local, _at, domain = addr.strip().rpartition("@")
    try:
        domain = normalise_domain(domain)
    except PkiError:
        pass
    return f"{ascii_lower(local)}@{domain}"


def addresses_match(a: str, b: str) -> bool:
    return address_key(a) == address_key(b)


def local_parts_differ_in_case(typed: str, held: str) -> bool:
    """The same mailbox spelt with other capitals in the local part (``ERIN.SMITH`` for
    ``erin.smith``): worth a word to the person, who gets the held spelling."""
    typed_local, held_local = typed.strip().rpartition("@")[0], held.strip().rpartition("@")[0]
    return addresses_match(typed, held) and typed_local != held_local
