"""Certificates: import, the certificate page and its downloads."""

from __future__ import annotations

from typing import Any

from cryptography import x509
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from certificates.forms import ImportForm, Pkcs12Form, RenewForm, RevokeForm
from certificates.models import Certificate
from certificates.models.certificates import CertificateStatus
from certificates.pki import bundle, pkcs12
from certificates.services import access, audit, issuance
from certificates.services.errors import ServiceError
from certificates.views import reauth
from certificates.views.shell import attachment, certificate_or_404, web_actor

# format: (content type, file name suffix), as the API serves them.
DOWNLOADS = {
    "pem": ("application/x-pem-file", ".pem"),
    "der": ("application/pkix-cert", ".crt"),
    "chain": ("application/x-pem-file", "-chain.pem"),
    "p7b": ("application/pkcs7-mime", ".p7b"),
}


@login_required
def import_certificate(request: HttpRequest) -> HttpResponse:
    is_admin = access.is_admin(request.user)
    if request.method != "POST":
        return _render_import(request, ImportForm(is_admin=is_admin))
    form = ImportForm(request.POST, request.FILES, is_admin=is_admin)
    if not form.is_valid():
        return _render_import(request, form, status=400)
    try:
        owner = access.owner_for(request.user, form.cleaned_data.get("owner") or None)
        cert = issuance.import_certificate(web_actor(request), owner, form.payload())
    except ServiceError as exc:
        return _render_import(request, form, error=exc.detail, status=exc.status)
    messages.success(request, "The certificate is imported and tracked.")
    return redirect("certificate-detail", pk=cert.pk)


def _render_import(
    request: HttpRequest, form: ImportForm, *, error: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "certificates/certificate_import.html",
        {"form": form, "error": error},
        status=status,
    )


@login_required
def certificate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, certificate_or_404(request, pk))


def render_detail(
    request: HttpRequest, cert: Certificate, *, error: str = "", status: int = 200, **forms: Any
) -> HttpResponse:
    now = timezone.now()
    is_owner = cert.owner_id == request.user.pk
    context = {
        "cert": cert,
        "error": error,
        "status": issuance.status_at(cert, now),
        "days_left": (cert.not_after - now).days,
        "chain_subjects": _chain_subjects(cert),
        "timeline": audit.timeline(cert).select_related("actor"),
        "can_export": is_owner and cert.stored_key_id is not None,
        "reauth_recent": reauth.recently_reauthenticated(request),
        "can_revoke": cert.status != CertificateStatus.REVOKED,
        "pkcs12_form": forms.get("pkcs12_form") or Pkcs12Form(),
        "renew_form": forms.get("renew_form") or RenewForm(),
        "revoke_form": forms.get("revoke_form") or RevokeForm(),
        "pkcs12_command": pkcs12.pkcs12_compat_command(),
        "downloads": [
            ("pem", "Certificate (PEM)"),
            ("der", "Certificate (DER, .crt)"),
            *([("chain", "Chain (PEM)")] if cert.chain_pem else []),
            ("p7b", "Certificate and chain (PKCS#7, .p7b)"),
        ],
    }
    return render(request, "certificates/certificate_detail.html", context, status=status)


def _chain_subjects(cert: Certificate) -> list[str]:
    if not cert.chain_pem:
        return []
    return [
        c.subject.rfc4514_string() for c in x509.load_pem_x509_certificates(cert.chain_pem.encode())
    ]


@login_required
def download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    cert = certificate_or_404(request, pk)
    if fmt not in DOWNLOADS:
        raise Http404(f"There is no download format {fmt!r}; use pem, der, chain or p7b.")
    leaf = x509.load_der_x509_certificate(bytes(cert.der))
    chain = x509.load_pem_x509_certificates(cert.chain_pem.encode()) if cert.chain_pem else []
    if fmt == "chain" and not chain:
        raise Http404("This certificate was stored without its chain; download it from the CA.")
    content: bytes | str
    if fmt == "pem":
        content = bundle.certificates_to_pem([leaf])
    elif fmt == "der":
        content = bytes(cert.der)
    elif fmt == "chain":
        content = bundle.certificates_to_pem(chain)
    else:
        content = bundle.certificates_to_pkcs7_der([leaf, *chain])
    content_type, suffix = DOWNLOADS[fmt]
    return attachment(content, content_type, f"{cert.email}-{cert.serial_hex[:8]}{suffix}")
