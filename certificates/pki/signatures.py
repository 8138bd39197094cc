"""Checking a signature given its algorithm identifier, for structures `cryptography` parses
but does not verify (OCSP responses). RSA-PSS needs its parameters read from the DER."""

from __future__ import annotations

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.oid import SignatureAlgorithmOID

from certificates.pki import der
from certificates.pki.errors import PkiError

# AlgorithmIdentifier OIDs (content octets) of the hashes RSASSA-PSS-params may name.
_HASHES: dict[bytes, type[hashes.HashAlgorithm]] = {
    bytes.fromhex("2b0e03021a"): hashes.SHA1,
    bytes.fromhex("608648016503040204"): hashes.SHA224,
    bytes.fromhex("608648016503040201"): hashes.SHA256,
    bytes.fromhex("608648016503040202"): hashes.SHA384,
    bytes.fromhex("608648016503040203"): hashes.SHA512,
}
_MGF1 = bytes.fromhex("2a864886f70d010108")


def verify(
    public_key: CertificatePublicKeyTypes,
    signature: bytes,
    data: bytes,
    algorithm: x509.ObjectIdentifier,
    hash_algorithm: hashes.HashAlgorithm | None,
    parameters: der.Element | None,
) -> None:
    """Raise PkiError unless ``signature`` over ``data`` verifies with ``public_key``."""
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            if algorithm == SignatureAlgorithmOID.RSASSA_PSS:
                pss, digest = pss_parameters(parameters)
                public_key.verify(signature, data, pss, digest)
            else:
                public_key.verify(signature, data, padding.PKCS1v15(), _needed(hash_algorithm))
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, data, ec.ECDSA(_needed(hash_algorithm)))
        elif isinstance(public_key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
            public_key.verify(signature, data)
        else:
            raise PkiError(f"Signatures by {type(public_key).__name__} keys are not supported.")
    except InvalidSignature as exc:
        raise PkiError("The signature does not verify.") from exc


def _needed(hash_algorithm: hashes.HashAlgorithm | None) -> hashes.HashAlgorithm:
    if hash_algorithm is None:
        raise PkiError("The signature algorithm names no hash.")
    return hash_algorithm


def pss_parameters(parameters: der.Element | None) -> tuple[padding.PSS, hashes.HashAlgorithm]:
    """RSASSA-PSS-params (RFC 4055): every field has a default (SHA-1, MGF1-SHA-1, salt 20)."""
    # The defaults RFC 4055 fixes; explicit parameters override them below.
    digest: hashes.HashAlgorithm = hashes.SHA1()  # noqa: S303
    mgf_digest: hashes.HashAlgorithm = hashes.SHA1()  # noqa: S303
    salt = 20
    if parameters is None or parameters.tag != der.SEQUENCE:
        raise PkiError("The RSA-PSS signature carries no parameters.")
    for field in der.children(parameters.content):
        (inner, _) = der.read(field.content)
        if field.tag == der.context(0):
            digest = _hash_of(inner)
        elif field.tag == der.context(1):
            oid, *rest = der.children(der.expect(inner, der.SEQUENCE, "mask generation").content)
            if oid.content != _MGF1 or not rest:
                raise PkiError("The RSA-PSS signature uses a mask generation other than MGF1.")
            mgf_digest = _hash_of(rest[0])
        elif field.tag == der.context(2):
            salt = int.from_bytes(der.expect(inner, der.INTEGER, "salt length").content, "big")
        elif field.tag == der.context(3):
            if der.expect(inner, der.INTEGER, "trailer field").content != b"\x01":
                raise PkiError("The RSA-PSS signature has an unknown trailer field.")
    return padding.PSS(mgf=padding.MGF1(mgf_digest), salt_length=salt), digest


def _hash_of(algorithm_identifier: der.Element) -> hashes.HashAlgorithm:
    oid, *_ = der.children(der.expect(algorithm_identifier, der.SEQUENCE, "hash algorithm").content)
    known = _HASHES.get(der.expect(oid, der.OID, "hash algorithm").content)
    if known is None:
        raise PkiError("The RSA-PSS signature uses a hash the portal does not accept.")
    return known()
