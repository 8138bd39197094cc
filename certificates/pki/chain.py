"""Chain validation with cryptography's verifier, under an S/MIME policy.

The verifier only knows web PKI profiles, so both extension policies are replaced: the
end-entity must carry EKU emailProtection and an rfc822Name SAN (validators, because
`require_present` alone only checks presence), and CAs may carry an EKU as long as it
allows emailProtection (S/MIME BR 7.1.2.2 issuing CAs do; the default CA policy refuses that).
"""

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    Policy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from certificates.pki.bundle import MAX_CHAIN_CERTIFICATES, is_self_issued, issued_by
from certificates.pki.chain_rules import (
    MAX_INTERMEDIATES,
    ca_policy,
    path_candidates,
    path_problem,
)
from certificates.pki.subject import display_name

_EMAIL = ExtendedKeyUsageOID.EMAIL_PROTECTION


class Verdict(StrEnum):
    """What a chain is: kept apart because each is shown and handled differently."""

    TRUSTED = "trusted"  # to a configured trust anchor
    UNTRUSTED_ROOT = "untrusted-root"  # valid, but to a root nobody configured
    INVALID = "invalid"  # broken, expired, wrong EKU: with the reason


@dataclass(frozen=True)
class ChainResult:
    verdict: Verdict
    anchor: x509.Certificate | None  # the configured anchor, or for untrusted-root the root found
    reason: str
    chain: list[x509.Certificate]


def _subject(cert: x509.Certificate) -> str:
    return display_name(cert.subject)


def _ee_eku(_policy: Policy, _cert: x509.Certificate, eku: x509.ExtendedKeyUsage) -> None:
    if _EMAIL not in eku:
        raise ValueError(
            "the certificate's Extended Key Usage lacks emailProtection, so it is "
            "not an S/MIME certificate"
        )


def _ee_san(_policy: Policy, _cert: x509.Certificate, san: x509.SubjectAlternativeName) -> None:
    if not san.get_values_for_type(x509.RFC822Name):
        raise ValueError("the certificate's Subject Alternative Name holds no email address")


def smime_leaf_policy() -> ExtensionPolicy:
    """The end-entity profile every chain check applies unless told otherwise."""
    return (
        ExtensionPolicy.webpki_defaults_ee()
        .require_present(x509.ExtendedKeyUsage, Criticality.AGNOSTIC, _ee_eku)
        .require_present(x509.SubjectAlternativeName, Criticality.AGNOSTIC, _ee_san)
    )


def _verify(
    leaf: x509.Certificate,
    intermediates: list[x509.Certificate],
    anchors: list[x509.Certificate],
    now: datetime,
    leaf_policy: ExtensionPolicy,
) -> list[x509.Certificate]:
    verifier = (
        PolicyBuilder()
        .store(Store(anchors))  # Store([]) raises ValueError: callers never pass an empty list
        .time(now)
        .max_chain_depth(MAX_INTERMEDIATES)
        .extension_policies(ca_policy=ca_policy(anchors), ee_policy=leaf_policy)
        .build_client_verifier()
    )
    path = verifier.verify(leaf, path_candidates(intermediates, now)).chain
    if problem := path_problem(path):
        raise VerificationError(f"validation failed: {problem}")
    return path


def _provisional_anchors(
    chain: list[x509.Certificate], anchors: list[x509.Certificate]
) -> list[x509.Certificate]:
    """The uploaded self-signed roots, or else the topmost certificates of the upload; never
    one that is, or was issued by, a configured anchor: such a chain did reach the anchor and
    failed there for a reason of its own (expiry, a constraint), which is what to tell."""
    roots = [c for c in chain if is_self_issued(c)]
    tops = roots or [c for c in chain if not any(issued_by(c, other) for other in chain)]
    return [c for c in tops if not any(c == a or issued_by(c, a) for a in anchors)]


def verify_chain(
    leaf: x509.Certificate,
    intermediates: list[x509.Certificate],
    anchors: list[x509.Certificate],
    now: datetime,
    *,
    leaf_policy: ExtensionPolicy | None = None,
) -> ChainResult:
    """Judge ``leaf`` with ``intermediates`` against ``anchors`` at ``now``. ``leaf_policy``
    replaces the S/MIME end-entity profile: bench/limbo.py uses it to compare path building
    with a test suite whose leaves are not S/MIME certificates; the portal never does."""
    leaf_policy = leaf_policy or smime_leaf_policy()
    chain = [c for c in intermediates if c != leaf]
    if len(chain) >= MAX_CHAIN_CERTIFICATES:  # uploads are refused before; stored chains too
        return ChainResult(Verdict.INVALID, None, _too_long(len(chain)), chain)
    errors: list[str] = []
    if anchors:
        try:
            path = _verify(leaf, chain, anchors, now, leaf_policy)
        except VerificationError as exc:
            errors.append(str(exc))
        else:
            return ChainResult(
                Verdict.TRUSTED,
                path[-1],
                f"Chains to the trust anchor '{_subject(path[-1])}'.",
                path[1:],
            )
    # All provisional anchors in one store: one search, not one per candidate.
    if candidates := _provisional_anchors(chain, anchors):
        others = [c for c in chain if c not in candidates]
        try:
            path = _verify(leaf, others, candidates, now, leaf_policy)
        except VerificationError as exc:
            errors.append(str(exc))
        else:
            top = path[-1]
            return ChainResult(Verdict.UNTRUSTED_ROOT, top, _untrusted_reason(top), path[1:])
    return ChainResult(Verdict.INVALID, None, _readable(errors, leaf, chain, now), chain)


def _too_long(count: int) -> str:
    return (
        f"The chain holds {count} certificates besides the certificate itself, more than the "
        f"{MAX_CHAIN_CERTIFICATES - 1} an upload may hold, so it was not checked."
    )


def _untrusted_reason(top: x509.Certificate) -> str:
    """Where a valid chain stops: at a root (self-issued), or at an intermediate CA whose own
    issuer is neither in the upload nor a trust anchor -- which is not a root, so not called
    one."""
    if is_self_issued(top):
        return (
            f"The chain is valid up to the root '{_subject(top)}', which is not a configured "
            "trust anchor; an admin can add it."
        )
    return (
        f"The chain is valid up to the intermediate CA '{_subject(top)}', whose issuer "
        f"'{display_name(top.issuer)}' was not uploaded and is not a configured trust anchor; "
        "an admin can add that root as a trust anchor."
    )


_VALIDATOR = re.compile(r"validator failed: \w+: (.*?)(?: \(encountered processing .*)?$", re.S)
_MISSING = {
    "2.5.29.37": "the certificate has no Extended Key Usage, so it is not an S/MIME certificate",
    "2.5.29.17": "the certificate has no Subject Alternative Name with its email address",
}


def _readable(
    errors: list[str], leaf: x509.Certificate, chain: list[x509.Certificate], now: datetime
) -> str:
    """One sentence from the verifier's messages, preferring a concrete fault over 'no path'."""
    concrete = [e for e in errors if "no interior errors" not in e]
    if not concrete and is_self_issued(leaf):
        return (
            "The certificate is self-signed: it was signed with its own key, not issued by a "
            "CA. Send your CSR to your CA and upload the certificate the CA sends back."
        )
    if not concrete:
        return (
            f"The issuer '{display_name(leaf.issuer)}' is neither in the upload nor a "
            "trust anchor, so the chain cannot be checked; upload the certificate together "
            "with its chain."
        )
    message = concrete[0]
    if match := _VALIDATOR.search(message):
        return _sentence(match.group(1))
    if "not valid at validation time" in message:
        return _sentence(_validity_problem([leaf, *chain], now))
    for oid, text in _MISSING.items():
        if oid in message and "missing required extension" in message:
            return _sentence(text)
    if "signature does not match" in message:
        return _sentence(
            "a signature in the chain does not verify: the certificate was not "
            "issued by the uploaded CA certificate, or it was altered"
        )
    detail = re.sub(r" \(encountered processing .*", "", message, flags=re.S)
    return _sentence(f"the chain did not verify ({detail.removeprefix('validation failed: ')})")


def _validity_problem(certs: list[x509.Certificate], now: datetime) -> str:
    for cert in certs:
        if now > cert.not_valid_after_utc:
            return (
                f"the certificate '{_subject(cert)}' expired on {cert.not_valid_after_utc:%Y-%m-%d}"
            )
        if now < cert.not_valid_before_utc:
            start = cert.not_valid_before_utc
            return f"the certificate '{_subject(cert)}' is not valid until {start:%Y-%m-%d}"
    return "a certificate in the chain is outside its validity period"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."
