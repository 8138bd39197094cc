"""Issuer certificates fetched from a caIssuers URL (RFC 5280 4.2.2.1): a DER certificate or
a certs-only PKCS#7 bundle."""

from __future__ import annotations

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import pkcs7

from certificates.pki.bundle import issued_by
from certificates.pki.errors import UNREADABLE, PkiError
from certificates.pki.translation import _

MAX_ISSUERS_BYTES = 256 * 1024


def read_issuers(data: bytes, url: str) -> list[x509.Certificate]:
    for loader in (_one_certificate, pkcs7.load_der_pkcs7_certificates):
        try:
            certs = loader(data)
        except UNREADABLE:
            continue
        if certs:
            return certs
    raise PkiError(
        _("The file at %(url)s is neither a DER certificate nor a PKCS#7 bundle of certificates.")
        % {"url": url}
    )


def _one_certificate(data: bytes) -> list[x509.Certificate]:
    return [x509.load_der_x509_certificate(data)]


def issuer_among(
    child: x509.Certificate, candidates: list[x509.Certificate]
) -> x509.Certificate | None:
    """The candidate whose key signed ``child``."""
    for candidate in candidates:
        if not issued_by(child, candidate):
            continue
        try:
            child.verify_directly_issued_by(candidate)
        except (ValueError, TypeError, UnsupportedAlgorithm, InvalidSignature):
            continue
        return candidate
    return None
