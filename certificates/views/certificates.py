"""Certificates: import, the certificate page and its downloads."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates import extensions, guides
from certificates.forms import ImportForm, Pkcs12Form, RenewForm, RevokeForm
from certificates.models import Certificate
from certificates.models.certificates import CertificateStatus
from certificates.models.keys import KeySource
from certificates.pki import pkcs12
from certificates.pki.bundle import is_self_issued
from certificates.pki.subject import display_name
from certificates.responses import attachment
from certificates.services import access, audit, downloads, issuance, supersession
from certificates.services.actor import signed_in_user
from certificates.services.errors import ServiceError
from certificates.services.next_step import NextStep, next_step
from certificates.services.status import USABLE
from certificates.views import reauth
from certificates.views.browser_keys import browser_key_context
from certificates.views.guides import test_mail_context
from certificates.views.shell import certificate_or_404, web_actor


@login_required
def import_certificate(request: HttpRequest) -> HttpResponse:
    is_admin = access.is_admin(request.user)
    if request.method != "POST":
        return _render_import(request, ImportForm(is_admin=is_admin))
    form = ImportForm(request.POST, request.FILES, is_admin=is_admin)
    if not form.is_valid():
        # The summary above the form, as every upload form has it; the reason is beside its field.
        return _render_import(request, form, error=_("Check the form below."), status=400)
    try:
        owner = access.owner_for(signed_in_user(request), form.cleaned_data.get("owner") or None)
        cert = issuance.import_certificate(web_actor(request), owner, form.payload())
    except ServiceError as exc:
        return _render_import(request, form, error=exc.detail, status=exc.status)
    messages.success(request, _("The certificate is imported and tracked."))
    return show_added(request, cert)


def show_added(request: HttpRequest, cert: Certificate) -> HttpResponse:
    """The new certificate's page, saying what adding it did to the owner's others."""
    superseded = list(supersession.superseded_by_adding(cert))
    tell_superseded(request, superseded)
    for note in extensions.notes_on_adding(cert, superseded):
        messages.info(request, note)
    if cert.superseded_by_id is not None:
        messages.warning(
            request,
            _(
                "Certificate #%(id)s for this address was issued later and is "
                "valid longer, so this one is stored as superseded. Use 'Make current' below to "
                "prefer this one."
            )
            % {"id": cert.superseded_by_id},
        )
        return redirect("certificate-detail", pk=cert.pk)
    for other in supersession.would_replace(cert, timezone.now()):
        messages.info(
            request,
            _(
                "Certificate %(certificate)s stays current too: a certificate supersedes "
                "another only when it was issued later and is valid longer. Use 'Make current' "
                "below to replace it with this one."
            )
            % {"certificate": _described(other)},
        )
    return redirect("certificate-detail", pk=cert.pk)


def tell_superseded(request: HttpRequest, certs: Iterable[Certificate]) -> None:
    for old in certs:
        messages.info(
            request,
            _("It supersedes certificate %(certificate)s.") % {"certificate": _described(old)},
        )


def _described(cert: Certificate) -> str:
    usage = cert.get_key_usage_display().lower()
    return _("#%(id)s (%(usage)s, valid until %(until)s)") % {
        "id": cert.pk,
        "usage": usage,
        "until": f"{cert.not_after:%Y-%m-%d}",
    }


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
    chain = downloads.chain_of(cert)
    step = next_step(cert, request.user)
    context = {
        "cert": cert,
        "error": error,
        "next_step": step,
        "bundle_primary": step == NextStep.INSTALL,
        "is_live": cert.status in USABLE,
        "days_left": (cert.not_after - now).days,
        "can_make_current": supersession.can_make_current(cert, now),
        "others_live": supersession.would_replace(cert, now),
        "fallbacks": supersession.fallbacks(cert, now),
        "chain_subjects": [display_name(c.subject) for c in chain],
        # A chain that stops below a root (its root was not uploaded) is not called a root.
        "chain_ends_at_root": bool(chain) and is_self_issued(chain[-1]),
        # The untrusted-root reason is the verdict's note at the top, not a warning again.
        "other_warnings": [w for w in cert.warnings if w != cert.chain_reason],
        "timeline": audit.timeline(cert).select_related("actor"),
        "can_export": is_owner and cert.stored_key_id is not None,
        "reauth_recent": reauth.recently_reauthenticated(request),
        "can_revoke": cert.status != CertificateStatus.REVOKED,
        "pkcs12_form": forms.get("pkcs12_form") or Pkcs12Form(initial=_profile_asked(request)),
        "guides": guides.GUIDES,
        **test_mail_context(cert, request.user),
        # A key made in a browser is renewed the same way by default.
        "renew_form": forms.get("renew_form")
        or RenewForm(
            initial={"mode": "browser"} if cert.key_source == KeySource.BROWSER else None,
            offer_reuse=cert.stored_key_id is not None,
        ),
        "revoke_form": forms.get("revoke_form") or RevokeForm(),
        "pkcs12_command": pkcs12.pkcs12_compat_command(),
        "downloads": [
            ("pem", _("Certificate (PEM)")),
            ("der", _("Certificate (DER, .crt)")),
            *([("chain", _("Chain (PEM)"))] if cert.chain_pem else []),
            ("p7b", _("Certificate and chain (PKCS#7, .p7b)")),
        ],
        **browser_key_context(),
    }
    return render(request, "certificates/certificate_detail.html", context, status=status)


def _profile_asked(request: HttpRequest) -> dict[str, str]:
    """An install guide links here with the profile its mail client needs (?profile=)."""
    profile = request.GET.get("profile", "")
    return {"profile": profile} if profile in {p.value for p in pkcs12.Profile} else {}


@login_required
def download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    cert = certificate_or_404(request, pk)
    try:
        file = downloads.certificate_file(cert, fmt)
    except ServiceError as exc:
        raise Http404(exc.detail) from exc
    return attachment(file.content, file.content_type, file.filename)
