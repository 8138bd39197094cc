"""Certificate signing requests: building ours, reading and checking uploaded ones, and the
openssl command that makes one a person can upload."""

import shlex
from dataclasses import dataclass
from typing import NoReturn

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from certificates.pki import pem
from certificates.pki.emails import address_key, addresses_match
from certificates.pki.errors import UNREADABLE, PkiError, Problem
from certificates.pki.keys import KeyInfo, PrivateKey, check_public_key, spki_sha256
from certificates.pki.readable import readable_csr, san_emails
from certificates.pki.subject import (
    SubjectFields,
    build_name,
    name_problems,
    name_to_fields,
    subject_warnings,
)
from certificates.pki.text import visible
from certificates.pki.translation import _

MAX_CSR_BYTES = 64 * 1024
_CSR_LABELS = ("CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST")
_WEAK_HASHES = {"sha1": "SHA-1", "md5": "MD5"}


def build_csr(key: PrivateKey, email: str, fields: SubjectFields) -> x509.CertificateSigningRequest:
    check_public_key(key.public_key())
    address = email.strip()
    # RSA encrypts the content key (keyEncipherment); ECDH agrees one (keyAgreement), which is
    # the S/MIME BR dual-use EC profile. Ed25519 can only sign.
    encrypt_rsa = isinstance(key, rsa.RSAPrivateKey)
    agree_ec = isinstance(key, ec.EllipticCurvePrivateKey)
    builder = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(build_name(fields, address))
        .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(address)]), critical=False)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=encrypt_rsa,
                data_encipherment=False,
                key_agreement=agree_ec,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    # Ed25519 signs with its own built-in hash; passing one is an error.
    algorithm = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(key, algorithm)


def load_csr(data: bytes) -> x509.CertificateSigningRequest:
    """A CSR from PEM (text around it allowed) or DER, or PkiError saying what was given."""
    if not data.strip():
        raise PkiError(
            _(
                "The CSR is empty; upload the .csr file your tool wrote (it starts with "
                "-----BEGIN CERTIFICATE REQUEST-----)."
            )
        )
    if len(data) > MAX_CSR_BYTES:
        raise PkiError(
            _("The file is %(size)s KB; a CSR is about 1 KB, so upload the .csr file itself.")
            % {"size": len(data) // 1024}
        )
    if pem.contains_private_key(data):
        raise PkiError(
            _(
                "This file contains a private key; upload only the .csr file and keep the "
                "key secret (nothing from this upload was stored)."
            )
        )
    if pem.looks_like_pem(data):
        blocks = pem.pem_blocks(data)
        requests = [der for label, der in blocks if label in _CSR_LABELS]
        if len(requests) > 1:
            raise PkiError(
                _("The file holds %(count)s CSRs; upload one CSR per request.")
                % {"count": len(requests)}
            )
        if requests:
            return _parse_der(requests[0])
        if not blocks:
            raise PkiError(
                _(
                    "The file has a BEGIN line but no complete PEM block; copy the whole "
                    "CSR, from BEGIN to END."
                )
            )
        label = blocks[0][0]
        _refuse_kind(
            {"CERTIFICATE": pem.CERTIFICATE, "PKCS7": pem.PKCS7}.get(
                label, _("a %(label)s block") % {"label": label}
            )
        )
    return _parse_der(pem.bare_base64(data) or data)


def _parse_der(der: bytes) -> x509.CertificateSigningRequest:
    try:
        csr = x509.load_der_x509_csr(der)
    except UNREADABLE as exc:
        unreadable = exc
    else:
        return readable_csr(csr)
    kind = pem.identify_der(der)
    if kind is None and isinstance(unreadable, x509.InvalidVersion):
        raise _unreadable_csr(unreadable)
    if kind is None:
        raise PkiError(
            _("This file is not a CSR in PEM or DER format; upload the .csr file your tool wrote.")
        )
    _refuse_kind(kind)


def _unreadable_csr(reason: Exception) -> PkiError:
    return PkiError(
        _(
            "This CSR could not be read (%(reason)s); create a new CSR with a current tool "
            "such as openssl req -sha256."
        )
        % {"reason": reason}
    )


def _refuse_kind(kind: str) -> NoReturn:
    if kind in (pem.PRIVATE_KEY, pem.PKCS12):
        raise PkiError(
            _(
                "This file is %(kind)s; upload only the .csr file and keep the key secret "
                "(nothing from this upload was stored)."
            )
            % {"kind": _(kind)}
        )
    if kind in (pem.CERTIFICATE, pem.PKCS7):
        message = _(
            "This file is %(kind)s, not a CSR; upload the certificate signing request "
            "(.csr) made with your key (the issued certificate is uploaded later, on the "
            "request's page)."
        )
    else:
        message = _(
            "This file is %(kind)s, not a CSR; upload the certificate signing request "
            "(.csr) made with your key."
        )
    raise PkiError(message % {"kind": _(kind)})


@dataclass(frozen=True)
class CsrInfo:
    fields: SubjectFields
    emails: list[str]
    san_emails: list[str]
    key: KeyInfo
    signature_hash: str | None
    spki_sha256: str
    warnings: list[str]


def _dedupe(addresses: list[str]) -> list[str]:
    """The addresses in order, each mailbox once (linear: comparison keys go in a set)."""
    seen: set[str] = set()
    unique: list[str] = []
    for address in addresses:
        key = address_key(address)
        if key not in seen:
            seen.add(key)
            unique.append(address)
    return unique


def inspect_csr(csr: x509.CertificateSigningRequest) -> CsrInfo:
    """Read a CSR without judging it; raises PkiError only when it cannot be read at all
    (unreadable names or extensions, an unknown signature algorithm, a key type outside the
    allowlist)."""
    info, key_refusal = _inspect(csr)
    if key_refusal is not None:
        raise key_refusal
    return info


# Stands in for a key off the allowlist while the rest of the CSR is judged.
_REFUSED_KEY = KeyInfo(key_type="", can_encrypt=False, description="")


def _inspect(csr: x509.CertificateSigningRequest) -> tuple[CsrInfo, PkiError | None]:
    """The CSR read, and why its key is off the allowlist (None when it is on it)."""
    readable_csr(csr)
    csr_san_emails = san_emails(csr.extensions)
    try:
        hash_algorithm = csr.signature_hash_algorithm
        public_key = csr.public_key()
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise _unreadable_csr(exc) from exc
    fields, subject_emails = name_to_fields(csr.subject)
    warnings = []
    if not csr_san_emails and subject_emails:
        warnings.append(
            _(
                "The address is only in the subject's emailAddress, not in a "
                "subjectAltName; most CAs copy it into the SAN, but some refuse the CSR."
            )
        )
    warnings.extend(subject_warnings(csr.subject))
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        warnings.append(
            _(
                "Ed25519 keys can sign but not decrypt: the certificate will be signing-only, "
                "so others cannot send you encrypted mail with it, and many mail clients "
                "(Outlook, Apple Mail) cannot verify Ed25519 signatures; use an RSA or ECDSA "
                "key for both."
            )
        )
    try:
        key, key_refusal = check_public_key(public_key), None
    except PkiError as exc:
        key, key_refusal = _REFUSED_KEY, exc
    info = CsrInfo(
        fields=fields,
        emails=_dedupe(csr_san_emails + subject_emails),
        san_emails=csr_san_emails,
        key=key,
        signature_hash=hash_algorithm.name if hash_algorithm is not None else None,
        spki_sha256=spki_sha256(public_key),
        warnings=warnings,
    )
    return info, key_refusal


def validate_csr(csr: x509.CertificateSigningRequest, expected_email: str) -> CsrInfo:
    """Everything a CA would refuse, checked before anyone sends the CSR off; every problem
    at once (the key, the signature, the subject, the address), so a person makes one new
    CSR that mends them all rather than one per refusal."""
    info, key_refusal = _inspect(csr)
    problems = [Problem("key", key_refusal.message)] if key_refusal is not None else []
    problems += _signature_problems(csr, info)
    problems += name_problems(csr.subject) + _address_problems(info.emails, expected_email.strip())
    if problems:
        raise PkiError.of(problems)
    return info


def _signature_problems(csr: x509.CertificateSigningRequest, info: CsrInfo) -> list[Problem]:
    # Before the signature check: cryptography 48 reports SHA-1 and MD5 signatures as invalid,
    # and "uses SHA-1" is the message a person can act on.
    if info.signature_hash in _WEAK_HASHES:
        message = _(
            "This CSR's signature uses %(algorithm)s, which CAs no longer accept; create a "
            "new CSR with -sha256."
        ) % {"algorithm": _WEAK_HASHES[info.signature_hash]}
        return [Problem("signature", message)]
    try:
        signature_ok = csr.is_signature_valid
    except UnsupportedAlgorithm:
        message = _(
            "This CSR's signature algorithm is not supported; create a new CSR with -sha256."
        )
        return [Problem("signature", message)]
    if not signature_ok:
        message = _(
            "This CSR's signature does not verify, so it was altered or damaged; create "
            "a new CSR with your key."
        )
        return [Problem("signature", message)]
    return []


def _address_problems(emails: list[str], expected: str) -> list[Problem]:
    if not emails:
        return [
            Problem(
                "email",
                _(
                    "This CSR contains no email address; create it with "
                    "emailAddress=%(expected)s in the subject (and ideally a subjectAltName "
                    "email:%(expected)s)."
                )
                % {"expected": expected},
            )
        ]
    others = [visible(a) for a in emails if not addresses_match(a, expected)]
    if not others:
        return []
    return [
        Problem(
            "email",
            _(
                "This CSR is for %(found)s, but this request is for %(expected)s; make a "
                "new CSR with emailAddress=%(expected)s."
            )
            % {"found": ", ".join(others), "expected": expected},
        )
    ]


def csr_to_pem(csr: x509.CertificateSigningRequest) -> str:
    return csr.public_bytes(serialization.Encoding.PEM).decode("ascii")


# openssl's names for the attributes build_name writes.
_OPENSSL_NAMES = {
    NameOID.COUNTRY_NAME: "C",
    NameOID.STATE_OR_PROVINCE_NAME: "ST",
    NameOID.LOCALITY_NAME: "L",
    NameOID.ORGANIZATION_NAME: "O",
    NameOID.ORGANIZATIONAL_UNIT_NAME: "OU",
    NameOID.COMMON_NAME: "CN",
    NameOID.GIVEN_NAME: "GN",
    NameOID.SURNAME: "SN",
    NameOID.EMAIL_ADDRESS: "emailAddress",
}


_REQ_COMMAND = (
    "openssl req -new -newkey rsa:3072 -sha256 -nodes -keyout certificate.key -out certificate.csr"
).split()


def _subj_value(value: str) -> str:
    """A value inside openssl's -subj, where / separates attributes, + joins them into one
    RDN and a backslash escapes the next character."""
    return value.replace("\\", "\\\\").replace("/", "\\/").replace("+", "\\+")


def openssl_request_command(fields: SubjectFields, email: str) -> str:
    """The openssl req command, for a Unix shell, that makes a key and a CSR for ``email`` with
    the subject the portal would build from ``fields`` and the address as subjectAltName,
    asking nothing: no prompt to answer with its example values or a placeholder. Every
    argument is shell-quoted, so a name such as O'Brien stays one argument."""
    name = build_name(fields, email)
    values = [(a.oid, str(a.value)) for a in name]
    subj = "".join(f"/{_OPENSSL_NAMES[oid]}={_subj_value(value)}" for oid, value in values)
    utf8 = [] if all(value.isascii() for _oid, value in values) else ["-utf8"]
    return shlex.join(
        [*_REQ_COMMAND, *utf8, "-subj", subj, "-addext", f"subjectAltName=email:{email.strip()}"]
    )
