"""Reading the parts of certificates and CSRs that cryptography parses lazily.

`load_der_x509_certificate` and `load_der_x509_csr` only check the outer structure; the
subject, issuer and extensions are decoded on first access and raise ValueError there (for
example a UTF8String holding invalid UTF-8). Every pki entry point that takes such an object
calls `readable_certificate` or `readable_csr` first, so that happens once, with a message.
"""

from cryptography import x509

from certificates.pki.errors import UNREADABLE, PkiError
from certificates.pki.translation import _, gettext_noop

# An S/MIME certificate names one mailbox, or a few; every check that walks the names (address
# matching, the chain verifier's name constraints) stays cheap under this cap.
MAX_SAN_ENTRIES = 100
_ASK_CA = gettext_noop("ask the CA for a correct file.")
_NEW_CSR = gettext_noop("create a new CSR with a current tool such as openssl req -sha256.")


def readable_certificate(cert: x509.Certificate) -> x509.Certificate:
    """The certificate itself, once its subject, issuer and extensions have decoded."""
    fix = {"fix": _(_ASK_CA)}
    try:
        _subject = cert.subject
    except UNREADABLE as exc:
        raise PkiError(
            _("The certificate's subject is not valid DER/UTF-8; %(fix)s") % fix
        ) from exc
    try:
        _issuer = cert.issuer
    except UNREADABLE as exc:
        raise PkiError(
            _("The certificate's issuer name is not valid DER/UTF-8; %(fix)s") % fix
        ) from exc
    try:
        extensions = cert.extensions
    except UNREADABLE as exc:
        raise PkiError(
            _("The certificate's extensions could not be read (%(reason)s); %(fix)s")
            % {**fix, "reason": exc}
        ) from exc
    count = _san_count(extensions)
    if count > MAX_SAN_ENTRIES:
        raise PkiError(
            _(
                "The certificate has %(count)s subject alternative names; at most %(limit)s "
                "are accepted, so %(fix)s"
            )
            % {**fix, "count": count, "limit": MAX_SAN_ENTRIES}
        )
    return cert


def readable_csr(csr: x509.CertificateSigningRequest) -> x509.CertificateSigningRequest:
    """The CSR itself, once its subject and extensions have decoded."""
    fix = {"fix": _(_NEW_CSR)}
    try:
        _subject = csr.subject
    except UNREADABLE as exc:
        raise PkiError(_("The CSR's subject is not valid DER/UTF-8; %(fix)s") % fix) from exc
    try:
        extensions = csr.extensions
    except UNREADABLE as exc:
        raise PkiError(
            _("The CSR's extensions could not be read (%(reason)s); %(fix)s")
            % {**fix, "reason": exc}
        ) from exc
    count = _san_count(extensions)
    if count > MAX_SAN_ENTRIES:
        raise PkiError(
            _(
                "The CSR has %(count)s subject alternative names; at most %(limit)s "
                "are accepted, so create a CSR for your own address only."
            )
            % {"count": count, "limit": MAX_SAN_ENTRIES}
        )
    return csr


def _san_count(extensions: x509.Extensions) -> int:
    try:
        return len(extensions.get_extension_for_class(x509.SubjectAlternativeName).value)
    except x509.ExtensionNotFound:
        return 0


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
