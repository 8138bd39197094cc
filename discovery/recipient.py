"""A recipient's certificate as a sender finds it: read from whatever a URL answered, judged for
the address it should serve, compared with SMIMEA records, and described for the page.

What a server answers is anyone's bytes, so reading accepts only certificates (DER, PEM or
PKCS#7, in either encoding) and refuses anything holding a private key; what the portal shows
and offers for download is the certificate parsed here and serialised again, never the bytes
that came in. Nothing here imports Django.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from dns.rdtypes.ANY.SMIMEA import SMIMEA

from certificates.pki import pem
from certificates.pki.certinfo import KeyUsage, describe_certificate
from certificates.pki.emails import addresses_match
from certificates.pki.errors import PkiError
from certificates.pki.readable import is_ca, readable_certificate, san_emails
from certificates.pki.translation import _
from discovery.records import spki_der

# A certificate is one to two KB, a PKCS#7 bundle with its chain about ten: anything larger is
# not what a .well-known URL should answer.
MAX_CERTIFICATE_BYTES = 64 * 1024
ACCEPT = "application/pkix-cert, application/x-pem-file, application/pkcs7-mime;q=0.9, */*;q=0.5"
_WHEN = "%Y-%m-%d %H:%M UTC"
# RFC 6698 §2.1: usages 1 (PKIX-EE) and 3 (DANE-EE) name the end-entity certificate itself;
# 0 and 2 name a CA, which a sender's lookup does not have.
_END_ENTITY_USAGES = (1, 3)


def read(body: bytes) -> list[x509.Certificate]:
    """The certificates in an answer, or PkiError saying what it is instead."""
    if not body.strip():
        raise PkiError(_("The answer is empty."))
    if pem.contains_private_key(body):
        raise PkiError(_("The answer holds a private key; nothing of it is shown or kept."))
    if pem.looks_like_pem(body):
        blocks = pem.pem_blocks(body)
        ders = [der for label, der in blocks if label in ("CERTIFICATE", "PKCS7")]
        if not ders:
            labels = ", ".join(sorted({label for label, _der in blocks})) or _("no complete block")
            raise PkiError(
                _("The answer is PEM text with %(labels)s, not a certificate.") % {"labels": labels}
            )
    else:
        ders = [body]
    found: list[x509.Certificate] = []
    for der in ders:
        kind = pem.identify_der(der)
        if kind == pem.CERTIFICATE:
            found.append(x509.load_der_x509_certificate(der))
        elif kind == pem.PKCS7:
            found += pkcs7.load_der_pkcs7_certificates(der)
        elif kind == pem.PKCS12:
            raise PkiError(
                _("The answer is %(kind)s; nothing of it is shown or kept.") % {"kind": _(kind)}
            )
        else:
            what = _(kind) if kind else _("neither DER, PEM nor PKCS#7")
            raise PkiError(_("The answer is %(what)s, not a certificate.") % {"what": what})
    if not found:
        raise PkiError(_("The answer is a PKCS#7 bundle without certificates."))
    return [readable_certificate(cert) for cert in found]


def pick(certificates: list[x509.Certificate], email: str) -> x509.Certificate:
    """The end-entity certificate for ``email`` among those read (a bundle may carry the chain
    too), else the first end-entity one, for the mismatch to be reported."""
    people = [cert for cert in certificates if not is_ca(cert)] or certificates
    for cert in people:
        if any(addresses_match(email, name) for name in san_emails(cert.extensions)):
            return cert
    return people[0]


@dataclass(frozen=True)
class Judgement:
    usable: bool
    mismatch: bool  # for another address
    detail: str
    warnings: tuple[str, ...]


def judge(cert: x509.Certificate, email: str, now: datetime) -> Judgement:
    """Whether a sender can use ``cert`` for ``email`` now: an S/MIME certificate (EKU
    emailProtection) naming the address in an rfc822Name (pki.emails' matching), in its
    validity period. What would not stop a sender but would hinder one is a warning."""
    info = describe_certificate(cert)
    if not any(addresses_match(email, name) for name in info.emails):
        held = ", ".join(info.emails) or _("no email address (no rfc822Name in its subjectAltName)")
        mismatch = _("It is for %(held)s, not %(email)s.") % {"held": held, "email": email}
        return Judgement(False, True, mismatch, ())
    problem = ""
    if info.is_ca:
        problem = _("It is a CA certificate, not a person's.")
    elif not info.email_protection:
        problem = _(
            "Its Extended Key Usage lacks emailProtection, so mail clients will not use it for "
            "S/MIME."
        )
    elif now > info.not_after:
        problem = _("It expired on %(when)s.") % {"when": f"{info.not_after:{_WHEN}}"}
    elif now < info.not_before:
        problem = _("It is not valid until %(when)s.") % {"when": f"{info.not_before:{_WHEN}}"}
    if problem:
        return Judgement(False, False, problem, ())
    warnings = []
    if info.key_usage == KeyUsage.SIGNING:
        warnings.append(_("It allows signing only: mail clients will not encrypt to it."))
    elif info.key_usage == KeyUsage.NONE:
        warnings.append(_("Its Key Usage allows neither signing nor encryption."))
    if info.key is None:
        warnings.append(
            _(
                "Its key is not one the portal accepts (RSA 2048 to 4096 bits, ECDSA P-256, "
                "P-384 or P-521, Ed25519); some mail clients may refuse it."
            )
        )
    detail = _("An S/MIME certificate for %(email)s, valid until %(when)s.") % {
        "email": email,
        "when": f"{info.not_after:{_WHEN}}",
    }
    return Judgement(True, False, detail, tuple(warnings))


def smimea_matches(rdata: SMIMEA, cert: x509.Certificate) -> bool | None:
    """Whether an SMIMEA record names this certificate (RFC 6698 selectors 0 and 1, matching
    types 0, 1 and 2); None for records about a CA or of a kind not defined."""
    if rdata.usage not in _END_ENTITY_USAGES:
        return None
    der = cert.public_bytes(serialization.Encoding.DER)
    selected = {0: der, 1: spki_der(der)}.get(rdata.selector)
    if selected is None:
        return None
    if rdata.mtype == 0:
        return bool(selected == rdata.cert)
    if rdata.mtype == 1:
        return bool(hashlib.sha256(selected).digest() == rdata.cert)
    if rdata.mtype == 2:
        return bool(hashlib.sha512(selected).digest() == rdata.cert)
    return None


@dataclass(frozen=True)
class Details:
    """What the page and the API show of a certificate found."""

    subject: str
    issuer: str
    serial_hex: str
    not_before: datetime
    not_after: datetime
    emails: tuple[str, ...]
    key: str
    key_usage: str
    sha256_fingerprint: str
    sha1_fingerprint: str
    spki_sha256: str
    pem: str


def details(cert: x509.Certificate) -> Details:
    info = describe_certificate(cert)
    return Details(
        subject=info.subject,
        issuer=info.issuer,
        serial_hex=info.serial_hex,
        not_before=info.not_before,
        not_after=info.not_after,
        emails=tuple(info.emails),
        key=info.key.description if info.key else "not on the portal's allowlist",
        key_usage=str(info.key_usage),
        sha256_fingerprint=info.sha256_fingerprint,
        # Windows and Outlook show the SHA-1 "thumbprint"; a sender may compare with it.
        sha1_fingerprint=cert.fingerprint(hashes.SHA1()).hex(),  # noqa: S303
        spki_sha256=info.spki_sha256,
        pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
    )
