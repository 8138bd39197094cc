"""What a chain must satisfy beyond cryptography's web PKI defaults, and what it is handed.

cryptography's verifier is tuned for TLS: it accepts CAs without key identifiers and serial
number zero, matches a wildcard dNSName against a name constraint literally, and its path
builder has no cycle check, so a handful of CA certificates sharing a name and a key make it
try every ordering (four took 50 s). These rules close those gaps; x509-limbo's cases for them
(bench/limbo.py) are where they were measured.
"""

from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.verification import Criticality, ExtensionPolicy, Policy

from certificates.pki.bundle import is_self_issued
from certificates.pki.subject import display_name

_EMAIL = ExtendedKeyUsageOID.EMAIL_PROTECTION

# Real S/MIME chains have one or two CAs between the leaf and the root. The path builder's
# work grows as (candidate issuers per step) ** depth, so this is also what keeps it small.
MAX_INTERMEDIATES = 4


def _subject(cert: x509.Certificate) -> str:
    return display_name(cert.subject)


def _ca_eku(_policy: Policy, cert: x509.Certificate, eku: x509.ExtendedKeyUsage | None) -> None:
    if eku is not None and _EMAIL not in eku:
        raise ValueError(
            f"the CA certificate '{_subject(cert)}' may not issue email "
            "certificates (its Extended Key Usage lacks emailProtection)"
        )


def _aki_problem(cert: x509.Certificate, aki: x509.AuthorityKeyIdentifier | None) -> str | None:
    if aki is None:
        return f"the CA certificate '{_subject(cert)}' has no Authority Key Identifier"
    # Issuer name and serial beside the key identifier are allowed (RFC 5280 4.2.1.1; Windows
    # certificate services wrote them by default for years); only the public BRs forbid them.
    if aki.key_identifier is None:
        return f"the Authority Key Identifier of '{_subject(cert)}' holds no key identifier"
    return None


def ca_policy(anchors: list[x509.Certificate]) -> ExtensionPolicy:
    """CAs may carry an EKU that allows emailProtection (S/MIME BR 7.1.2.2 issuing CAs do; the
    default refuses any). Every CA below the anchor carries a Subject Key Identifier (RFC 5280
    4.2.1.2) and names its issuer's key by key identifier (RFC 5280 4.2.1.1); the default
    allows both absent. The anchor is taken as it was configured (RFC 5280 6.1), whatever its
    key identifiers hold: older roots lack them or name issuer and serial, and an admin who
    added one meant it."""

    def below_the_anchor(cert: x509.Certificate) -> bool:
        return cert not in anchors and not is_self_issued(cert)

    def ski_rule(
        _policy: Policy, cert: x509.Certificate, ski: x509.SubjectKeyIdentifier | None
    ) -> None:
        if ski is None and below_the_anchor(cert):
            raise ValueError(f"the CA certificate '{_subject(cert)}' has no Subject Key Identifier")

    def aki_rule(
        _policy: Policy, cert: x509.Certificate, aki: x509.AuthorityKeyIdentifier | None
    ) -> None:
        if below_the_anchor(cert) and (problem := _aki_problem(cert, aki)):
            raise ValueError(problem)

    return (
        ExtensionPolicy.webpki_defaults_ca()
        .may_be_present(x509.ExtendedKeyUsage, Criticality.AGNOSTIC, _ca_eku)
        .may_be_present(x509.SubjectKeyIdentifier, Criticality.NON_CRITICAL, ski_rule)
        .may_be_present(x509.AuthorityKeyIdentifier, Criticality.NON_CRITICAL, aki_rule)
    )


def _self_signed(cert: x509.Certificate) -> bool:
    if not is_self_issued(cert):
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def path_candidates(intermediates: list[x509.Certificate], now: datetime) -> list[x509.Certificate]:
    """The intermediates worth handing the path builder.

    A self-signed certificate is a root, never a step towards another one (a trust anchor
    is in the store already). Of certificates alike for path building -- same subject, key,
    issuer and issuer's key, like a CA certificate re-issued with a longer validity -- one is
    kept: the one valid at ``now`` that runs longest. Then every step has at most one
    candidate per issuer key, which bounds the search. (The issuer's key counts: a root
    re-keyed under its old name certifies its sub-CA twice, and only one of the two may
    lead to the anchor an admin configured.)
    """
    kept: dict[tuple[bytes, bytes, bytes, bytes], x509.Certificate] = {}
    for cert in intermediates:
        if _self_signed(cert):
            continue
        key = (cert.subject.public_bytes(), cert.issuer.public_bytes(), _spki(cert), _aki(cert))
        if key not in kept or _preferred(cert, kept[key], now):
            kept[key] = cert
    return list(kept.values())


def _aki(cert: x509.Certificate) -> bytes:
    try:
        aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    except x509.ExtensionNotFound:
        return b""
    return aki.key_identifier or b""


def _spki(cert: x509.Certificate) -> bytes:
    return cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def _valid_at(cert: x509.Certificate, now: datetime) -> bool:
    return cert.not_valid_before_utc <= now <= cert.not_valid_after_utc


def _preferred(cert: x509.Certificate, other: x509.Certificate, now: datetime) -> bool:
    rank = (_valid_at(cert, now), cert.not_valid_after_utc)
    return rank > (_valid_at(other, now), other.not_valid_after_utc)


def path_problem(path: list[x509.Certificate]) -> str | None:
    """What is wrong with a path the verifier accepted (leaf first, anchor last), or None."""
    leaf, cas = path[0], path[1:]
    for cert in path[:-1]:  # the anchor is the admin's choice; roots with serial 0 exist
        # RFC 5280 4.1.2.2: positive, at most 20 octets; cryptography allows 0 and 21 octets.
        if cert.serial_number <= 0 or cert.serial_number.bit_length() > 160:
            return (
                f"the certificate '{_subject(cert)}' has serial number {cert.serial_number}, "
                "which is not a positive number of at most 20 octets"
            )
    wildcards = [n for n in _dns_names(leaf) if "*" in n]
    constrained = [c for c in cas if _has_dns_constraints(c)]
    if wildcards and constrained:
        # CVE-2025-61727: whether a wildcard stays inside a DNS subtree is undefined, and
        # cryptography matches it literally; an S/MIME certificate has no need for one.
        return (
            f"the certificate names '{wildcards[0]}' while the CA '{_subject(constrained[0])}' "
            "constrains DNS names"
        )
    return None


def _dns_names(cert: x509.Certificate) -> list[str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return san.get_values_for_type(x509.DNSName)


def _has_dns_constraints(cert: x509.Certificate) -> bool:
    try:
        nc = cert.extensions.get_extension_for_class(x509.NameConstraints).value
    except x509.ExtensionNotFound:
        return False
    subtrees = [*(nc.permitted_subtrees or []), *(nc.excluded_subtrees or [])]
    return any(isinstance(n, x509.DNSName) for n in subtrees)
