"""Reading the parts of certificates and CSRs that cryptography parses lazily.

`load_der_x509_certificate` and `load_der_x509_csr` only check the outer structure; the
subject, issuer and extensions are decoded on first access and raise ValueError there (for
example a UTF8String holding invalid UTF-8). Every pki entry point that takes such an object
calls `readable_certificate` or `readable_csr` first, so that happens once, with a message.
"""

from cryptography import x509

from certificates.pki.errors import UNREADABLE, PkiError

# An S/MIME certificate names one mailbox, or a few; every check that walks the names (address
# matching, the chain verifier's name constraints) stays cheap under this cap.
MAX_SAN_ENTRIES = 100
_ASK_CA = "ask the CA for a correct file."
_NEW_CSR = "create a new CSR with a current tool such as openssl req -sha256."


def readable_certificate(cert: x509.Certificate) -> x509.Certificate:
    """The certificate itself, once its subject, issuer and extensions have decoded."""
    try:
        _ = cert.subject
    except UNREADABLE as exc:
        raise PkiError(f"The certificate's subject is not valid DER/UTF-8; {_ASK_CA}") from exc
    try:
        _ = cert.issuer
    except UNREADABLE as exc:
        raise PkiError(f"The certificate's issuer name is not valid DER/UTF-8; {_ASK_CA}") from exc
    try:
        _ = cert.extensions
    except UNREADABLE as exc:
        raise PkiError(
            f"The certificate's extensions could not be read ({exc}); {_ASK_CA}"
        ) from exc
    _check_san_count(cert.extensions, "certificate", _ASK_CA)
    return cert


def readable_csr(csr: x509.CertificateSigningRequest) -> x509.CertificateSigningRequest:
    """The CSR itself, once its subject and extensions have decoded."""
    try:
        _ = csr.subject
    except UNREADABLE as exc:
        raise PkiError(f"The CSR's subject is not valid DER/UTF-8; {_NEW_CSR}") from exc
    try:
        _ = csr.extensions
    except UNREADABLE as exc:
        raise PkiError(f"The CSR's extensions could not be read ({exc}); {_NEW_CSR}") from exc
    _check_san_count(csr.extensions, "CSR", "create a CSR for your own address only.")
    return csr


def _check_san_count(extensions: x509.Extensions, what: str, fix: str) -> None:
    try:
        san = extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return
    if len(san) > MAX_SAN_ENTRIES:
        raise PkiError(
            f"The {what} has {len(san)} subject alternative names; at most {MAX_SAN_ENTRIES} "
            f"are accepted, so {fix}"
        )


def is_ca(cert: x509.Certificate) -> bool:
    """basicConstraints CA:TRUE; a certificate without basicConstraints is not a CA."""
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def san_emails(extensions: x509.Extensions) -> list[str]:
    """The rfc822Name entries of a subjectAltName, in order; none without the extension."""
    try:
        san = extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return [str(v) for v in san.get_values_for_type(x509.RFC822Name)]
