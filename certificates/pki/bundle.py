"""Reading uploaded certificate files and writing certificates back out."""

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import ExtensionOID

from certificates.pki import pem
from certificates.pki.errors import UNREADABLE, PkiError
from certificates.pki.readable import is_ca, readable_certificate
from certificates.pki.subject import display_name
from certificates.pki.translation import _, gettext_noop

MAX_UPLOAD_BYTES = 256 * 1024
# Real chains have two to four certificates; the cap keeps leaf finding (which compares every
# pair) and the chain check small.
MAX_CHAIN_CERTIFICATES = 20

_PRIVATE_KEY_REFUSAL = gettext_noop(
    "The file contains a private key. Nothing from it was stored. Upload the certificate only "
    "(the .crt, .pem or .p7b the CA sent), and keep the key secret."
)
# The end of most refusals below: what to upload instead.
_EXPECTED = gettext_noop("upload the certificate file the CA sent (.crt, .cer, .pem or .p7b)")


def _refusal(message: str, **values: object) -> PkiError:
    """A refusal whose (translated) ``message`` ends in ``%(expected)s``."""
    return PkiError(message % {**values, "expected": _(_EXPECTED)})


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Certificates from PEM (any number, text around them), DER, or PKCS#7 in PEM or DER."""
    if not data.strip():
        raise _refusal(_("The file is empty; %(expected)s."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise _refusal(
            _(
                "The file is %(size)s KB; a certificate file is a few KB, so this is "
                "something else: %(expected)s."
            ),
            size=len(data) // 1024,
        )
    # Checked on the raw bytes first, before any parsing, so a key is never half-processed.
    if pem.contains_private_key(data):
        raise PkiError(_(_PRIVATE_KEY_REFUSAL))
    if pem.looks_like_pem(data):
        certs = _from_pem(data)
    else:
        certs = _from_der(pem.bare_base64(data) or data)
    if len(certs) > MAX_CHAIN_CERTIFICATES:
        raise _refusal(
            _(
                "The file holds %(count)s certificates; a certificate with its chain has at "
                "most %(limit)s, so %(expected)s."
            ),
            count=len(certs),
            limit=MAX_CHAIN_CERTIFICATES,
        )
    return _unique(certs)


def _from_pem(data: bytes) -> list[x509.Certificate]:
    certs: list[x509.Certificate] = []
    other: list[str] = []
    for label, der in pem.pem_blocks(data):
        if label == "CERTIFICATE":
            certs.append(_parse_cert_der(der))
        elif label == "PKCS7":
            certs.extend(_parse_pkcs7_der(der))
        else:
            other.append(label)
    if certs:
        return certs  # stray CRLs or public keys next to the certificates are harmless
    if any("CERTIFICATE REQUEST" in label for label in other):
        raise _refusal(
            _(
                "This file is a certificate signing request (CSR), not a certificate; "
                "send the CSR to the CA and %(expected)s."
            )
        )
    if other:
        raise _refusal(
            _("The file holds %(labels)s but no CERTIFICATE block; %(expected)s."),
            labels=", ".join(other),
        )
    raise _refusal(_("The file has a BEGIN line but no complete PEM block; %(expected)s."))


def _parse_cert_der(der: bytes) -> x509.Certificate:
    try:
        return x509.load_der_x509_certificate(der)
    except UNREADABLE as exc:
        raise _refusal(
            _("A CERTIFICATE block in the file could not be read (%(reason)s); %(expected)s."),
            reason=exc,
        ) from exc


def _parse_pkcs7_der(der: bytes) -> list[x509.Certificate]:
    try:
        certs = pkcs7.load_der_pkcs7_certificates(der)
    except UnsupportedAlgorithm as exc:
        # cryptography reads signed-data only; enveloped (encrypted) data is a message.
        raise _refusal(
            _(
                "The PKCS#7 file is not a bundle of certificates but another kind of PKCS#7 "
                "(for example an encrypted message); %(expected)s."
            )
        ) from exc
    except UNREADABLE as exc:
        raise _refusal(
            _("The PKCS#7 bundle could not be read (%(reason)s); %(expected)s."), reason=exc
        ) from exc
    if not certs:
        raise _refusal(_("The PKCS#7 bundle holds no certificates; %(expected)s."))
    return certs


def _from_der(der: bytes) -> list[x509.Certificate]:
    kind = pem.identify_der(der)
    if kind == pem.CERTIFICATE:
        return [_parse_cert_der(der)]
    if kind == pem.PKCS7:
        return _parse_pkcs7_der(der)
    if kind in (pem.PKCS12, pem.PRIVATE_KEY):
        raise PkiError(
            _(
                "This file is %(kind)s. Nothing from it was stored. Upload the certificate "
                "only, and keep the key secret."
            )
            % {"kind": _(kind)}
        )
    if kind == pem.CSR:
        raise _refusal(
            _("This file is %(kind)s, not a certificate; send the CSR to the CA and %(expected)s."),
            kind=_(kind),
        )
    raise _refusal(_("This file is not a certificate in PEM, DER or PKCS#7 format; %(expected)s."))


def _unique(certs: list[x509.Certificate]) -> list[x509.Certificate]:
    seen: set[bytes] = set()
    unique: list[x509.Certificate] = []
    for cert in certs:
        readable_certificate(cert)  # names and extensions parse lazily: fail here, with a message
        der = cert.public_bytes(serialization.Encoding.DER)
        if der not in seen:
            seen.add(der)
            unique.append(cert)
    return unique


def _key_id(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> bytes | None:
    try:
        value = cert.extensions.get_extension_for_oid(oid).value
    except x509.ExtensionNotFound:
        return None
    if isinstance(value, x509.SubjectKeyIdentifier):
        return value.digest
    if isinstance(value, x509.AuthorityKeyIdentifier):
        return value.key_identifier
    return None


def issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    """Name chaining, narrowed by AKI/SKI when both are present (cross-signed CAs share names)."""
    if child is parent or child.issuer != parent.subject:
        return False
    aki = _key_id(child, ExtensionOID.AUTHORITY_KEY_IDENTIFIER)
    ski = _key_id(parent, ExtensionOID.SUBJECT_KEY_IDENTIFIER)
    return aki is None or ski is None or aki == ski


def is_self_issued(cert: x509.Certificate) -> bool:
    return cert.issuer == cert.subject


def _subjects(certs: list[x509.Certificate]) -> str:
    return "; ".join(f"'{display_name(c.subject)}'" for c in certs)


def split_leaf_and_chain(
    certs: list[x509.Certificate],
) -> tuple[x509.Certificate, list[x509.Certificate], list[str]]:
    """(leaf, path upwards from the leaf's issuer, warnings about certificates left out)."""
    if not certs:
        raise _refusal(_("The file holds no certificates; %(expected)s."))
    for cert in certs:
        readable_certificate(cert)
    leaves = [
        c
        for c in certs
        if not is_ca(c) and not any(issued_by(o, c) and not is_self_issued(o) for o in certs)
    ]
    if len(leaves) > 1:
        raise PkiError(
            _(
                "The file holds %(count)s end-entity certificates "
                "(%(subjects)s); upload one certificate with its chain."
            )
            % {"count": len(leaves), "subjects": _subjects(leaves)}
        )
    if not leaves:
        raise PkiError(_no_leaf(certs))
    leaf = leaves[0]
    chain: list[x509.Certificate] = []
    current = leaf
    while not is_self_issued(current):
        parents = [c for c in certs if issued_by(current, c) and c is not leaf and c not in chain]
        if not parents:
            break
        current = parents[0]
        chain.append(current)
    warnings = []
    unrelated = [c for c in certs if c is not leaf and c not in chain]
    if unrelated:
        warnings.append(
            _(
                "The file also held %(count)s certificate(s) outside this "
                "certificate's chain (%(subjects)s); they were left out."
            )
            % {"count": len(unrelated), "subjects": _subjects(unrelated)}
        )
    return leaf, chain, warnings


def _no_leaf(certs: list[x509.Certificate]) -> str:
    """Why there is nothing to use. A lone self-signed certificate is what `openssl req -x509`
    makes instead of a CSR: the person signed it themselves, no CA did."""
    if len(certs) == 1 and is_self_issued(certs[0]):
        return _(
            "The file holds a self-signed certificate ('%(subject)s'): "
            "it was signed with its own key, not issued by a CA, so mail clients will not "
            "trust it. Send your CSR to your CA and upload the certificate the CA sends back "
            "(with its chain, if the CA provides one)."
        ) % {"subject": display_name(certs[0].subject)}
    return _(
        "The file holds only CA certificates (%(subjects)s); add the certificate the "
        "CA issued for your address."
    ) % {"subjects": _subjects(certs)}


def certificates_to_pem(certs: list[x509.Certificate]) -> str:
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in certs)


def _pkcs7(certs: list[x509.Certificate], encoding: serialization.Encoding) -> bytes:
    if not certs:
        raise PkiError(_("There are no certificates to put in a PKCS#7 bundle."))
    return pkcs7.serialize_certificates(certs, encoding)


def certificates_to_pkcs7_der(certs: list[x509.Certificate]) -> bytes:
    return _pkcs7(certs, serialization.Encoding.DER)
