"""The public files of a certificate, as every door serves them: content, type and file name."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from django.utils.translation import gettext as _

from certificates.models import Certificate
from certificates.pki import bundle
from certificates.services.errors import Invalid, NotFound

# format: (content type, file name suffix)
FORMATS = {
    "pem": ("application/x-pem-file", ".pem"),
    "der": ("application/pkix-cert", ".crt"),
    "chain": ("application/x-pem-file", "-chain.pem"),
    "p7b": ("application/pkcs7-mime", ".p7b"),
}


@dataclass(frozen=True)
class Download:
    content: bytes
    content_type: str
    filename: str


def safe_filename(text: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in text)


def file_stem(cert: Certificate) -> str:
    return safe_filename(f"{cert.email}-{cert.serial_hex[:8]}")


def chain_of(cert: Certificate) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(cert.chain_pem.encode()) if cert.chain_pem else []


def certificate_file(cert: Certificate, fmt: str) -> Download:
    """The certificate (pem, der), its issuing chain (chain) or both as PKCS#7 (p7b)."""
    if fmt not in FORMATS:
        raise Invalid(
            _("There is no download format %(fmt)r; use pem, der, chain or p7b.") % {"fmt": fmt}
        )
    leaf = x509.load_der_x509_certificate(bytes(cert.der))
    chain = chain_of(cert)
    if fmt == "chain" and not chain:
        raise NotFound(
            _(
                "Certificate #%(id)s was uploaded without its chain, so the portal has "
                "none to give; download it from the CA, or upload the certificate again "
                "with its chain."
            )
            % {"id": cert.pk}
        )
    content = {
        "pem": lambda: bundle.certificates_to_pem([leaf]).encode(),
        "der": lambda: bytes(cert.der),
        "chain": lambda: bundle.certificates_to_pem(chain).encode(),
        "p7b": lambda: bundle.certificates_to_pkcs7_der([leaf, *chain]),
    }[fmt]()
    content_type, suffix = FORMATS[fmt]
    return Download(content, content_type, file_stem(cert) + suffix)
