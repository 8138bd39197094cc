"""Certificate requests: the request page and its transitions (the new-request flow is in
new_request.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.forms import (
    CertificateUploadForm,
    RejectForm,
    SubmitForm,
)
from certificates.models import CertificateRequest
from certificates.models.keys import KeySource
from certificates.models.requests import TRANSITIONS, RequestState
from certificates.pki import pkcs12, subject
from certificates.pki.errors import PkiError
from certificates.pki.subject import ValidationProfile
from certificates.request_forms import PROFILES
from certificates.responses import attachment
from certificates.services import access, audit, authorities, issuance
from certificates.services import requests as request_service
from certificates.services.errors import ServiceError
from certificates.views.certificates import show_added
from certificates.views.shell import post_only, request_or_404, request_page, web_actor


def profile_of(fields: Mapping[str, str | None]) -> str:
    """The CA/B Forum validation profile these subject fields make, or "" if they are invalid."""
    try:
        return subject.validation_profile(subject.SubjectFields.from_dict(fields))
    except PkiError:
        return ""


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, request_or_404(request, pk))


def render_detail(
    request: HttpRequest,
    req: CertificateRequest,
    *,
    error: str = "",
    status: int = 200,
    **forms: Any,
) -> HttpResponse:
    def allowed(target: str) -> bool:
        return req.state in TRANSITIONS[target]

    is_admin = access.is_admin(request.user)
    profile = profile_of(req.subject)
    ca_names = authorities.names()
    authority = authorities.for_address(req.email)
    context = {
        "req": req,
        "error": error,
        "authority": authority,
        "profile": profile,
        "kind": PROFILES[ValidationProfile(profile)] if profile else None,
        "timeline": audit.timeline(req).select_related("actor"),
        "certificate": getattr(req, "certificate", None) if req.state == "issued" else None,
        "can_submit": allowed(RequestState.SUBMITTED),
        "can_cancel": allowed(RequestState.CANCELLED),
        "can_reject": allowed(RequestState.REJECTED) and is_admin,
        "can_approve": allowed(RequestState.CSR_READY) and is_admin,
        "can_upload": allowed(RequestState.ISSUED),
        "submit_form": forms.get("submit_form")
        or SubmitForm(
            initial={"ca_choice": authority.name if authority else ""}, ca_names=ca_names
        ),
        "reject_form": forms.get("reject_form") or RejectForm(),
        "upload_form": forms.get("upload_form") or CertificateUploadForm(),
        "own_key": req.key_source == KeySource.UPLOAD,
        "pkcs12_command": pkcs12.pkcs12_compat_command(),
    }
    return render(request, "certificates/request_detail.html", context, status=status)


@login_required
def request_csr(request: HttpRequest, pk: int) -> HttpResponse:
    req = request_or_404(request, pk)
    return attachment(req.csr_pem, "application/pkcs10", f"request-{req.pk}.csr")


def _transition(
    request: HttpRequest,
    pk: int,
    form_name: str,
    form: Any,
    act: Callable[[CertificateRequest], Any],
    done: str,
    next_page: Callable[[Any], HttpResponse] | None = None,
) -> HttpResponse:
    """Run one transition; a refusal re-renders the request page with its sentence. Success
    leads back to the request page, or to next_page(what `act` answered)."""
    req = request_or_404(request, pk)
    if form is not None and not form.is_valid():
        return render_detail(
            request, req, error=_("Check the form below."), status=400, **{form_name: form}
        )
    try:
        result = act(req)
    except ServiceError as exc:
        req.refresh_from_db()
        return render_detail(
            request,
            req,
            error=exc.detail,
            status=exc.status,
            **({form_name: form} if form is not None else {}),
        )
    messages.success(request, done)
    if next_page is not None:
        return next_page(result)
    return redirect("request-detail", pk=req.pk)


@login_required
@post_only(request_page)
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    form = SubmitForm(request.POST, ca_names=authorities.names())
    return _transition(
        request,
        pk,
        "submit_form",
        form,
        lambda req: request_service.submit(
            web_actor(request), req, form.chosen_ca(), form.cleaned_data["order_ref"]
        ),
        _("Marked as submitted to the CA."),
    )


@login_required
@post_only(request_page)
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        "",
        None,
        lambda req: request_service.approve(web_actor(request), req),
        _("The request is approved; its owner gets a mail and can send it to the CA."),
    )


@login_required
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancelling is final, so the request page's link leads to a page that asks first (a GET,
    which also catches a form sent from an expired session); its button sends the POST."""
    if request.method in ("GET", "HEAD"):
        req = request_or_404(request, pk)
        if req.state not in TRANSITIONS[RequestState.CANCELLED]:
            messages.info(request, _("Request #%(id)s cannot be cancelled now.") % {"id": req.pk})
            return redirect("request-detail", pk=req.pk)
        return render(request, "certificates/request_cancel.html", {"req": req})
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    return _transition(
        request,
        pk,
        "",
        None,
        lambda req: request_service.cancel(web_actor(request), req),
        _("The request is cancelled."),
    )


@login_required
@post_only(request_page)
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    form = RejectForm(request.POST)
    return _transition(
        request,
        pk,
        "reject_form",
        form,
        lambda req: request_service.reject(web_actor(request), req, form.cleaned_data["reason"]),
        _("The request is rejected."),
    )


@login_required
@post_only(request_page)
def upload_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    form = CertificateUploadForm(request.POST, request.FILES)
    return _transition(
        request,
        pk,
        "upload_form",
        form,
        lambda req: issuance.attach_to_request(web_actor(request), req, form.payload()),
        _("The certificate matches the request and is stored."),
        lambda cert: show_added(request, cert),
    )


@login_required
@post_only(request_page)
def hide(request: HttpRequest, pk: int) -> HttpResponse:
    """Hide a finished or forgotten request from the owner's list (``hidden=no``: show it
    there again)."""
    req = request_or_404(request, pk)
    hidden = request.POST.get("hidden") != "no"
    try:
        request_service.set_hidden(web_actor(request), req, hidden, timezone.now())
    except ServiceError as exc:
        return render_detail(request, req, error=exc.detail, status=exc.status)
    if hidden:
        messages.success(
            request,
            _("Request #%(id)s is hidden from your list; “Show hidden requests” finds it.")
            % {"id": req.pk},
        )
    else:
        messages.success(request, _("Request #%(id)s is back in your list.") % {"id": req.pk})
    return redirect(reverse("home") + "#requests")
