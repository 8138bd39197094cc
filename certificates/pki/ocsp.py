"""OCSP (RFC 6960): the request, built with `cryptography`, and our own response verifier.

`cryptography` parses responses but verifies nothing, so the checks are ours, in order:
the response status; the signer (the issuer itself, or a delegate carried in the response that
matches responderID, was issued directly by the issuer, has EKU OCSPSigning and is valid now);
the signature over tbsResponseData (RSA-PSS parameters read from the DER); the single response
whose serial and issuer hashes match ours, among however many the responder sent; the nonce,
when we sent one and it came back; thisUpdate and nextUpdate, with a small clock skew.
"""

from __future__ import annotations

from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID

from certificates.pki import der, signatures
from certificates.pki.errors import PkiError
from certificates.pki.revocation import (
    SKEW,
    Finding,
    Method,
    RevocationStatus,
    reason_text,
    stale,
)
from certificates.pki.subject import display_name

CONTENT_TYPE = "application/ocsp-request"
MAX_RESPONSE_BYTES = 64 * 1024
NONCE_BYTES = 16


def issuer_hashes(issuer: x509.Certificate, algorithm: hashes.HashAlgorithm) -> tuple[bytes, bytes]:
    """CertID's issuerNameHash and issuerKeyHash: the hash of the issuer's subject as encoded
    in its certificate, and of its subjectPublicKey bits (without tag, length, unused bits)."""
    tbs = der.children(der.read(issuer.tbs_certificate_bytes)[0].content)
    # TBSCertificate: [0] version?, serialNumber, signature, issuer, validity, subject, spki
    fields = tbs[1:] if tbs[0].tag == der.context(0) else tbs
    subject = fields[4].encoded
    spki = issuer.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    _, bits = der.children(der.read(spki)[0].content)
    return _digest(algorithm, subject), _digest(algorithm, bits.content[1:])


def _digest(algorithm: hashes.HashAlgorithm, data: bytes) -> bytes:
    context = hashes.Hash(algorithm)
    context.update(data)
    return context.finalize()


def build_request(serial: int, issuer: x509.Certificate, nonce: bytes | None) -> bytes:
    """A DER request for one certificate; CertID hashed with SHA-1, which every responder
    understands (RFC 5019)."""
    cert_id_hash = hashes.SHA1()  # noqa: S303 - an identifier, not a signature (RFC 5019)
    name_hash, key_hash = issuer_hashes(issuer, cert_id_hash)
    builder = ocsp.OCSPRequestBuilder().add_certificate_by_hash(
        name_hash, key_hash, serial, cert_id_hash
    )
    if nonce is not None:
        builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    return builder.build().public_bytes(serialization.Encoding.DER)


def verify_response(
    data: bytes, *, serial: int, issuer: x509.Certificate, nonce: bytes | None, now: datetime
) -> Finding:
    """The status the responder vouches for; PkiError when the answer cannot be trusted."""
    try:
        response = ocsp.load_der_ocsp_response(data)
    except ValueError as exc:
        raise PkiError("The answer is not a DER-encoded OCSP response.") from exc
    if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
        raise PkiError(f"The responder refused to answer ({response.response_status.name}).")
    signer = _signer(response, issuer, now)
    try:
        signatures.verify(
            signer.public_key(),
            response.signature,
            response.tbs_response_bytes,
            response.signature_algorithm_oid,
            _hash_algorithm(response),
            _signature_parameters(data),
        )
    except PkiError as exc:
        raise PkiError(
            f"The answer's signature is not one of '{display_name(signer.subject)}' "
            f"({exc.message[:1].lower()}{exc.message[1:-1]}); not trusted."
        ) from exc
    single = _single_response(response, serial, issuer)
    _check_nonce(response, nonce)
    if problem := stale(single.this_update_utc, single.next_update_utc, now):
        raise PkiError(f"The answer is not current: {problem}.")
    return _finding(single)


def _signer(
    response: ocsp.OCSPResponse, issuer: x509.Certificate, now: datetime
) -> x509.Certificate:
    if _is_responder(issuer, response):
        return issuer
    for candidate in response.certificates:
        if _is_responder(candidate, response):
            _check_delegate(candidate, issuer, now)
            return candidate
    named = (
        display_name(response.responder_name)
        if response.responder_name is not None
        else f"key {(response.responder_key_hash or b'').hex()}"
    )
    raise PkiError(
        f"The answer is signed by {named}, which is neither the issuer nor a responder "
        "certificate carried in the answer; it is not trusted."
    )


def _is_responder(cert: x509.Certificate, response: ocsp.OCSPResponse) -> bool:
    if response.responder_key_hash is not None:
        # ResponderID byKey is the SHA-1 of the key (RFC 6960 4.2.1): an identifier
        key_id = issuer_hashes(cert, hashes.SHA1())[1]  # noqa: S303
        return key_id == response.responder_key_hash
    return cert.subject == response.responder_name


def _check_delegate(delegate: x509.Certificate, issuer: x509.Certificate, now: datetime) -> None:
    who = display_name(delegate.subject)
    try:
        delegate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise PkiError(
            f"The responder certificate '{who}' was not issued by the certificate's issuer "
            f"'{display_name(issuer.subject)}', so it may not answer for it; not trusted."
        ) from exc
    except InvalidSignature as exc:
        raise PkiError(
            f"The responder certificate '{who}' does not carry a valid signature of the "
            "issuer; not trusted."
        ) from exc
    try:
        usages = delegate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        usages = x509.ExtendedKeyUsage([])
    if ExtendedKeyUsageOID.OCSP_SIGNING not in usages:
        raise PkiError(
            f"The responder certificate '{who}' lacks the OCSPSigning extended key usage, "
            "so it may not sign OCSP answers; not trusted."
        )
    if not delegate.not_valid_before_utc - SKEW <= now <= delegate.not_valid_after_utc + SKEW:
        raise PkiError(
            f"The responder certificate '{who}' is not valid now (valid "
            f"{delegate.not_valid_before_utc:%Y-%m-%d} to {delegate.not_valid_after_utc:%Y-%m-%d})."
        )


def _hash_algorithm(response: ocsp.OCSPResponse) -> hashes.HashAlgorithm | None:
    try:
        return response.signature_hash_algorithm
    except UnsupportedAlgorithm:
        return None  # RSA-PSS: the hash is in the parameters


def _signature_parameters(data: bytes) -> der.Element | None:
    """signatureAlgorithm's parameters, from OCSPResponse -> responseBytes -> BasicOCSPResponse."""
    _status, *rest = der.children(der.read(data)[0].content)
    wrapper = der.expect(rest[0], der.context(0), "responseBytes")
    _, octets = der.children(der.read(wrapper.content)[0].content)
    basic = der.children(
        der.read(der.expect(octets, der.OCTET_STRING, "response").content)[0].content
    )
    algorithm = der.children(der.expect(basic[1], der.SEQUENCE, "signatureAlgorithm").content)
    return algorithm[1] if len(algorithm) > 1 else None


def _single_response(
    response: ocsp.OCSPResponse, serial: int, issuer: x509.Certificate
) -> ocsp.OCSPSingleResponse:
    for single in response.responses:
        if single.serial_number != serial:
            continue
        try:
            expected = issuer_hashes(issuer, single.hash_algorithm)
        except UnsupportedAlgorithm:
            continue
        if (single.issuer_name_hash, single.issuer_key_hash) == expected:
            return single
    raise PkiError(
        f"The answer holds no status for serial {serial:x} of this issuer (it answers "
        "another question)."
    )


def _check_nonce(response: ocsp.OCSPResponse, sent: bytes | None) -> None:
    if sent is None:
        return
    try:
        echoed = response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
    except x509.ExtensionNotFound:
        return  # responders serving pre-signed answers do not echo; thisUpdate bounds their age
    if echoed != sent:
        raise PkiError("The answer carries another request's nonce (a replayed answer?).")


def _finding(single: ocsp.OCSPSingleResponse) -> Finding:
    issued = f"answer of {single.this_update_utc:%Y-%m-%d %H:%M} UTC"
    status = single.certificate_status
    if status == ocsp.OCSPCertStatus.GOOD:
        return Finding(
            RevocationStatus.GOOD,
            f"Good according to the OCSP responder ({issued}).",
            Method.OCSP,
            next_update=single.next_update_utc,
        )
    if status == ocsp.OCSPCertStatus.REVOKED:
        reason = reason_text(single.revocation_reason)
        return Finding(
            RevocationStatus.REVOKED,
            f"Revoked according to the OCSP responder: {reason} ({issued}).",
            Method.OCSP,
            revoked_at=single.revocation_time_utc,
            reason=reason,
            next_update=single.next_update_utc,
        )
    return Finding(
        RevocationStatus.UNKNOWN, f"The OCSP responder does not know this certificate ({issued})."
    )
