"""What a person does with a certificate: download the PKCS#12 bundle, renew, declare revoked,
make it the current one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from certificates.forms import Pkcs12Form, RenewForm, RevokeForm
from certificates.models import Certificate
from certificates.models.keys import KeySource
from certificates.pki import pkcs12
from certificates.responses import attachment
from certificates.services import export, issuance, setup_test, supersession
from certificates.services import requests as request_service
from certificates.services.errors import ServiceError
from certificates.views import reauth
from certificates.views.certificates import render_detail, tell_superseded
from certificates.views.confirm import confirmation_page, confirmed
from certificates.views.shell import certificate_or_404, certificate_page, post_only, web_actor


@sensitive_post_parameters("password", "confirm", "account_password")
@login_required
@post_only(certificate_page)
def pkcs12_download(request: HttpRequest, pk: int) -> HttpResponse:
    cert = certificate_or_404(request, pk)
    form = Pkcs12Form(request.POST)
    refused = _pkcs12_form_refused(request, cert, form)
    if refused is not None:
        return refused
    profile = form.cleaned_data["profile"]
    try:
        data = export.export_pkcs12(
            web_actor(request), cert, form.cleaned_data["password"], profile
        )
    except ServiceError as exc:
        return render_detail(request, cert, error=exc.detail, status=exc.status, pkcs12_form=form)
    return attachment(data, "application/x-pkcs12", export.pkcs12_filename(cert, profile))


def _pkcs12_form_refused(
    request: HttpRequest, cert: Certificate, form: Pkcs12Form
) -> HttpResponse | None:
    """The page with every problem of the bundle form at once, each beside its field (a short
    bundle password with an empty or wrong account password), or None when there is none and
    the person proved it is them. A typed account password is checked as before, whatever
    the bundle password (a wrong guess counts towards the login limits either way)."""
    shape_ok = form.is_valid()
    data = form.cleaned_data
    bundle_problem = pkcs12.password_problem(data.get("password") or "")
    if bundle_problem:
        form.add_error("password", bundle_problem)
    typed = data.get("account_password") or ""
    refusal = None
    if not typed:
        refusal = reauth.missing_password(request)
    elif shape_ok:
        refusal = reauth.confirm(request, typed)
        if refusal is not None and not request.user.is_authenticated:
            messages.error(request, refusal)  # logged out after too many wrong passwords
            return redirect("login")
    if refusal is not None:
        form.add_error("account_password", refusal)
    if form.is_valid():
        return None
    sentences = [str(e) for errors in form.errors.values() for e in errors]
    message = sentences[0] if len(sentences) == 1 else _("Check the bundle form below.")
    # 400 a form that does not hold together, 403 a wrong account password or, alone, an
    # empty one, 422 a refused bundle password.
    if not shape_ok:
        status = 400
    elif (refusal is not None and typed) or not bundle_problem:
        status = 403
    else:
        status = 422
    return render_detail(request, cert, error=message, status=status, pkcs12_form=form)


@login_required
@post_only(certificate_page)
def renew(request: HttpRequest, pk: int) -> HttpResponse:
    cert = certificate_or_404(request, pk)
    form = RenewForm(request.POST, request.FILES, offer_reuse=cert.stored_key_id is not None)
    if not form.is_valid():
        return render_detail(
            request, cert, error=_("Check the renewal form below."), status=400, renew_form=form
        )
    mode = form.cleaned_data["mode"]
    try:
        if mode in (KeySource.UPLOAD, KeySource.BROWSER):
            created = request_service.renew(
                web_actor(request),
                cert,
                key_source=mode,
                csr_pem=form.payload(),
                encrypted_key=form.cleaned_data["encrypted_key"] or None,
            )
        else:
            created = request_service.renew(
                web_actor(request),
                cert,
                key_source=KeySource.SERVER,
                key_type=(form.cleaned_data["key_type"] or None) if mode == "new" else None,
                reuse_key=mode == "reuse",
            )
    except ServiceError as exc:
        return render_detail(request, cert, error=exc.detail, status=exc.status, renew_form=form)
    messages.success(
        request,
        _("Renewal request #%(id)s is ready: send its CSR to your CA.") % {"id": created.pk},
    )
    return redirect("request-detail", pk=created.pk)


@login_required
@post_only(certificate_page)
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    cert = certificate_or_404(request, pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        return render_detail(
            request,
            cert,
            error=_("Choose a reason for the revocation."),
            status=400,
            revoke_form=form,
        )
    # Without a reason there is nothing to confirm: the service refuses it with its sentence.
    if not confirmed(request) and form.reason_text():
        return confirmation_page(
            request,
            title=_("Declare certificate #%(pk)s for %(email)s revoked?")
            % {"pk": cert.pk, "email": cert.email},
            consequence=_(
                "Reason: %(reason)s. The portal stops offering the certificate and withdraws "
                "its publication; this cannot be undone. Its key stays downloadable, to read "
                "old encrypted mail. Revoke it at the CA as well."
            )
            % {"reason": form.reason_text()},
            confirm_label=_("Declare certificate #%(pk)s revoked") % {"pk": cert.pk},
            back=reverse("certificate-detail", args=[cert.pk]),
            back_label=_("Keep it"),
            carry={k: form.cleaned_data[k] for k in ("reason", "details")},
        )
    try:
        issuance.declare_revoked(web_actor(request), cert, form.reason_text())
    except ServiceError as exc:
        return render_detail(request, cert, error=exc.detail, status=exc.status, revoke_form=form)
    messages.success(
        request,
        _(
            "The certificate is recorded as revoked. Tell the CA as well, through its own "
            "revocation process."
        ),
    )
    return redirect("certificate-detail", pk=cert.pk)


@login_required
@post_only(certificate_page)
def send_test_mail(request: HttpRequest, pk: int) -> HttpResponse:
    cert = certificate_or_404(request, pk)
    try:
        setup_test.request(web_actor(request), cert, timezone.now())
    except ServiceError as exc:
        return render_detail(request, cert, error=exc.detail, status=exc.status)
    refusal = setup_test.refusal(cert)
    if refusal is None:
        told = _(
            "A test message is on its way to %(email)s, signed by the portal and encrypted to "
            "this certificate. If your mail client opens it, your setup works."
        )
    else:
        told = _("A signed test message is on its way to %(email)s.") + " " + refusal
    messages.success(request, told % {"email": cert.email})
    return redirect(reverse("certificate-detail", args=[cert.pk]) + "#setup-test")


@login_required
@post_only(certificate_page)
def make_current(request: HttpRequest, pk: int) -> HttpResponse:
    cert = certificate_or_404(request, pk)
    try:
        replaced = supersession.make_current(web_actor(request), cert)
    except ServiceError as exc:
        return render_detail(request, cert, error=exc.detail, status=exc.status)
    messages.success(
        request,
        _("Certificate #%(id)s is now current for %(email)s.")
        % {"id": cert.pk, "email": cert.email},
    )
    tell_superseded(request, replaced)
    return redirect("certificate-detail", pk=cert.pk)
