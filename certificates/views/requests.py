"""Certificate requests: the new-request form, the request page and its transitions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from certificates.forms import (
    SUBJECT_HELP,
    CertificateUploadForm,
    RejectForm,
    RequestForm,
    SubmitForm,
)
from certificates.models import CertificateAuthority, CertificateRequest
from certificates.models.keys import KeySource
from certificates.models.requests import TRANSITIONS, RequestState
from certificates.pki import emails, pkcs12, subject
from certificates.pki.errors import PkiError
from certificates.responses import attachment
from certificates.services import access, audit, authorities, domains, issuance
from certificates.services import requests as request_service
from certificates.services.actor import signed_in_user
from certificates.services.errors import ServiceError
from certificates.views.browser_keys import browser_key_context
from certificates.views.certificates import show_added
from certificates.views.shell import post_only, request_or_404, request_page, web_actor


@login_required
def new_request(request: HttpRequest) -> HttpResponse:
    is_admin = access.is_admin(request.user)
    if request.method != "POST":
        email = domains.own_address(signed_in_user(request))
        authority = authorities.for_address(email)
        form = RequestForm(initial={"email": email}, is_admin=is_admin, authority=authority)
        return _render_new(request, form, authority)
    authority = authorities.for_address(request.POST.get("email", ""))
    form = RequestForm(request.POST, request.FILES, is_admin=is_admin, authority=authority)
    if not form.is_valid():
        return _render_new(request, form, authority, status=400)
    data = form.cleaned_data
    server = data["key_source"] == KeySource.SERVER
    try:
        owner = access.owner_for(signed_in_user(request), data.get("owner") or None)
        created = request_service.create(
            web_actor(request),
            encrypted_key=data["encrypted_key"] or None,
            owner=owner,
            email=data["email"],
            # An uploaded CSR carries its own subject; the fields apply to portal keys only.
            subject_fields=form.subject() if server else {},
            key_source=data["key_source"],
            key_type=data["key_type"] if server else None,
            csr_pem=None if server else form.payload(),
        )
    except ServiceError as exc:
        return _render_new(request, form, authority, error=exc.detail, status=exc.status)
    if emails.local_parts_differ_in_case(data["email"], created.email):
        messages.warning(
            request,
            f"You typed {data['email'].strip()}; the request uses the address as the account "
            f"spells it, {created.email} (mail systems treat the two alike).",
        )
    if created.state == RequestState.AWAITING_APPROVAL:
        messages.success(
            request,
            f"Request #{created.pk} is made. It waits for a certificate admin's approval; you "
            "will get a mail when it can go to the CA.",
        )
    else:
        messages.success(request, f"Request #{created.pk} is ready: send its CSR to your CA.")
    return redirect("request-detail", pk=created.pk)


def _render_new(
    request: HttpRequest,
    form: RequestForm,
    authority: CertificateAuthority | None,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "error": error,
        "authority": authority,
        "needed": _needed_labels(authority),
        "profile": _typed_profile(form),
        "subject_help": SUBJECT_HELP,
        "pkcs12_command": pkcs12.pkcs12_compat_command(),
        **browser_key_context(),
    }
    return render(request, "certificates/request_new.html", context, status=status)


def _needed_labels(authority: CertificateAuthority | None) -> list[str]:
    if authority is None:
        return []
    needed = subject.PROFILE_FIELDS[authority.validation_profile].needed
    return [subject.field_label(name) for name in needed]


def _typed_profile(form: RequestForm) -> str:
    if not form.is_bound or not hasattr(form, "cleaned_data"):
        return ""
    return _profile_of(form.subject())


def _profile_of(fields: Mapping[str, str | None]) -> str:
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
    ca_names = authorities.names()
    authority = authorities.for_address(req.email)
    context = {
        "req": req,
        "error": error,
        "authority": authority,
        "profile": _profile_of(req.subject),
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
            request, req, error="Check the form below.", status=400, **{form_name: form}
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
        "Marked as submitted to the CA.",
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
        "The request is approved; its owner gets a mail and can send it to the CA.",
    )


@login_required
@post_only(request_page)
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        "",
        None,
        lambda req: request_service.cancel(web_actor(request), req),
        "The request is cancelled.",
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
        "The request is rejected.",
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
        "The certificate matches the request and is stored.",
        lambda cert: show_added(request, cert),
    )
