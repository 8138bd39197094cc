"""CRLs (RFC 5280 5, 6.3): read, check against the issuer, and index once for many lookups.

`get_revoked_certificate_by_serial_number` scans the whole list (~18 ms on 200,000 entries),
so a sweep builds the set of revoked serials once per CRL (~0.1 s for 100,000) and answers
each certificate from the set; the entry itself is read only for the few serials found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

from certificates.pki.errors import PkiError
from certificates.pki.revocation import Finding, Method, RevocationStatus, reason_text, stale
from certificates.pki.subject import display_name

MAX_CRL_BYTES = 20 * 1024 * 1024  # a 200,000-entry CRL is about 8 MB


@dataclass(frozen=True)
class CrlIndex:
    url: str
    this_update: datetime
    next_update: datetime | None
    revoked: frozenset[int]
    crl: x509.CertificateRevocationList
    # IssuingDistributionPoint onlySomeReasons: a serial missing from a partial CRL is not
    # known to be good.
    partial: bool

    @property
    def _issued(self) -> str:
        return f"CRL of {self.this_update:%Y-%m-%d %H:%M} UTC at {self.url}"

    @cached_property
    def _good(self) -> Finding:
        """One finding for every serial the CRL does not list (a sweep asks thousands)."""
        if self.partial:
            return Finding(
                RevocationStatus.UNKNOWN,
                f"Not on the {self._issued}, but that CRL covers only some revocation reasons.",
            )
        return Finding(
            RevocationStatus.GOOD,
            f"Not on the {self._issued}.",
            Method.CRL,
            next_update=self.next_update,
        )

    def lookup(self, serial: int) -> Finding:
        if serial not in self.revoked:
            return self._good
        entry = self.crl.get_revoked_certificate_by_serial_number(serial)
        assert entry is not None  # it is in the set built from the same CRL
        reason = reason_text(_entry_reason(entry))
        return Finding(
            RevocationStatus.REVOKED,
            f"Revoked according to the {self._issued}: {reason}.",
            Method.CRL,
            revoked_at=entry.revocation_date_utc,
            reason=reason,
            next_update=self.next_update,
        )


def _entry_reason(entry: x509.RevokedCertificate) -> x509.ReasonFlags | None:
    try:
        return entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    except x509.ExtensionNotFound:
        return None


def load_crl(data: bytes, *, issuer: x509.Certificate, url: str, now: datetime) -> CrlIndex:
    """The CRL fetched from ``url`` (a distribution point the certificate names), checked:
    DER, issued and signed by ``issuer``, in scope for end-entity certificates, complete
    (no delta, no indirect entries) and current. PkiError says what is wrong."""
    if len(data) > MAX_CRL_BYTES:
        raise PkiError(f"The CRL at {url} is larger than {MAX_CRL_BYTES:,} bytes.")
    if data.lstrip().startswith(b"-----BEGIN"):
        raise PkiError(
            f"The CRL at {url} is PEM text; CRLs served over HTTP must be DER (RFC 5280 "
            "4.2.1.13), so it is not used."
        )
    try:
        crl = x509.load_der_x509_crl(data)
    except ValueError as exc:
        raise PkiError(f"The file at {url} is not a DER-encoded CRL.") from exc
    _check_issuer(crl, issuer, url)
    partial = _check_scope(crl, url)
    if problem := stale(crl.last_update_utc, crl.next_update_utc, now):
        raise PkiError(f"The CRL at {url} is not current: {problem}.")
    return CrlIndex(
        url=url,
        this_update=crl.last_update_utc,
        next_update=crl.next_update_utc,
        revoked=frozenset(entry.serial_number for entry in crl),
        crl=crl,
        partial=partial,
    )


def _check_issuer(crl: x509.CertificateRevocationList, issuer: x509.Certificate, url: str) -> None:
    if crl.issuer != issuer.subject:
        raise PkiError(
            f"The CRL at {url} is issued by '{display_name(crl.issuer)}', not by the "
            f"certificate's issuer '{display_name(issuer.subject)}'."
        )
    try:
        crl_key_id = crl.extensions.get_extension_for_class(
            x509.AuthorityKeyIdentifier
        ).value.key_identifier
    except x509.ExtensionNotFound:
        crl_key_id = None
    issuer_key = issuer.public_key()
    if crl_key_id is not None and crl_key_id != _key_id(issuer):
        raise PkiError(
            f"The CRL at {url} names another key of '{display_name(issuer.subject)}' "
            "(its authority key identifier does not match)."
        )
    if not isinstance(
        issuer_key,
        rsa.RSAPublicKey
        | ec.EllipticCurvePublicKey
        | ed25519.Ed25519PublicKey
        | ed448.Ed448PublicKey,
    ) or not crl.is_signature_valid(issuer_key):
        raise PkiError(
            f"The CRL at {url} does not carry a valid signature of "
            f"'{display_name(issuer.subject)}'; it is not trusted."
        )


def _key_id(issuer: x509.Certificate) -> bytes:
    try:
        return issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except x509.ExtensionNotFound:
        return x509.SubjectKeyIdentifier.from_public_key(issuer.public_key()).digest


def _check_scope(crl: x509.CertificateRevocationList, url: str) -> bool:
    """Refuse CRLs that cannot speak for an end-entity certificate from ``url``; True when
    the CRL is partial (only some reasons)."""
    try:
        crl.extensions.get_extension_for_class(x509.DeltaCRLIndicator)
    except x509.ExtensionNotFound:
        pass
    else:
        raise PkiError(f"The CRL at {url} is a delta CRL; a complete CRL is needed.")
    try:
        scope = crl.extensions.get_extension_for_class(x509.IssuingDistributionPoint).value
    except x509.ExtensionNotFound:
        return False
    if scope.only_contains_ca_certs or scope.only_contains_attribute_certs:
        kind = "CA" if scope.only_contains_ca_certs else "attribute"
        raise PkiError(f"The CRL at {url} covers only {kind} certificates, not this one.")
    if scope.indirect_crl:
        raise PkiError(f"The CRL at {url} is an indirect CRL, which the portal does not read.")
    names = [
        n.value for n in scope.full_name or [] if isinstance(n, x509.UniformResourceIdentifier)
    ]
    if scope.full_name and url not in names:
        raise PkiError(
            f"The CRL at {url} says it is the CRL of another distribution point "
            f"({', '.join(names) or 'a non-URL name'})."
        )
    return scope.only_some_reasons is not None
