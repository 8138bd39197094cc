"""The guided "New certificate" flow: the form, a review of what will be made, then the request.

The review is a page of its own, rendered by the server, so it works without JavaScript; only a
key made in the browser needs it, and that key is made at the last step, on the review page.
What was typed travels in the pages themselves (hidden fields on the review), never in the
session: a reload shows the same step again and two tabs never mix their requests up. The
session only remembers which reviews already made a request, so sending one twice (a double
click, the back button) makes one request.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from certificates.forms import KEY_TYPE_CHOICES
from certificates.models import CertificateAuthority, CertificateRequest
from certificates.models.keys import KeySource
from certificates.models.requests import RequestState
from certificates.pki import csr as pki_csr
from certificates.pki import emails, pkcs12, subject
from certificates.pki.errors import PkiError
from certificates.request_forms import (
    KEY_SOURCE_LABELS,
    KEY_SOURCES,
    PLACEHOLDER_HELP,
    PROFILES,
    SUMMARY_LABELS,
    RequestForm,
)
from certificates.services import access, authorities, domains, drafts
from certificates.services import requests as request_service
from certificates.services.actor import signed_in_user
from certificates.services.errors import Invalid, ServiceError
from certificates.views.browser_keys import browser_key_context
from certificates.views.requests import profile_of
from certificates.views.shell import web_actor

REVIEW, CREATE, CHANGE = "review", "create", "change"
MADE_BY_REVIEW = "new_request_reviews"  # session: review token -> the request it made
REMEMBERED_REVIEWS = 20


@login_required
def new_request(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    is_admin = access.is_admin(user)
    own = domains.own_address(user)
    if not is_admin and (reason := _nothing_to_request(own)):
        status = 409 if request.method == "POST" else 200
        return render(
            request, "certificates/request_unavailable.html", {"reason": reason}, status=status
        )
    if request.method != "POST":
        authority = authorities.for_address(own)
        start = {"email": own, **drafts.suggested_subject(user, authority).as_dict()}
        form = RequestForm(initial=start, is_admin=is_admin, authority=authority)
        return _render_form(request, form, authority)
    step = request.POST.get("step", REVIEW)
    authority = authorities.for_address(request.POST.get("email", ""))
    if step == CHANGE:
        form = RequestForm(initial=request.POST.dict(), is_admin=is_admin, authority=authority)
        return _render_form(request, form, authority)
    form = RequestForm(
        request.POST,
        request.FILES,
        is_admin=is_admin,
        authority=authority,
        reviewing=step != CREATE,
    )
    if not form.is_valid():
        return _render_form(request, form, authority, status=400)
    if step == CREATE:
        return _create(request, form, authority)
    return _review(request, form, authority)


def _nothing_to_request(own: str) -> str:
    """Why this account cannot request a certificate for itself, or ""."""
    if not own:
        return _(
            "Your account has no email address, and a certificate is always for your own "
            "address. Ask a certificate admin to add your address to your account; then come "
            "back here."
        )
    if domains.managed_domain(own) is None:
        return _(
            "Your account's address, %(address)s, is in a mail domain this portal does not "
            "manage. Ask a certificate admin to add the domain; then come back here."
        ) % {"address": own}
    return ""


def _inputs(form: RequestForm) -> dict[str, Any]:
    """The form's values as drafts.check and requests.create take them."""
    data = form.cleaned_data
    source = data["key_source"]
    return {
        "email": data["email"],
        # An uploaded CSR carries its own subject; the fields make the others'.
        "subject_fields": form.subject() if source != KeySource.UPLOAD else {},
        "key_source": source,
        "key_type": data["key_type"] if source == KeySource.SERVER else None,
        "csr_pem": form.payload() if source != KeySource.SERVER else None,
    }


def _review(
    request: HttpRequest, form: RequestForm, authority: CertificateAuthority | None
) -> HttpResponse:
    try:
        owner = access.owner_for(signed_in_user(request), form.cleaned_data.get("owner") or None)
        draft = drafts.check(web_actor(request), owner=owner, **_inputs(form))
    except ServiceError as exc:
        return _refused(request, form, authority, exc)
    context = {
        "draft": draft,
        "form": form,
        "carried": form.carried(draft.csr_pem),
        "review_token": secrets.token_urlsafe(16),
        "authority": authority,
        "key_source_label": KEY_SOURCE_LABELS[draft.key_source],
        "key_type_label": dict(KEY_TYPE_CHOICES).get(draft.key_type or "", draft.key_type),
        "kind": PROFILES[draft.profile],
        "awaits_approval": draft.rules.state == RequestState.AWAITING_APPROVAL,
        "for_someone_else": owner.pk != request.user.pk,
        **browser_key_context(),
    }
    return render(request, "certificates/request_review.html", context)


def _create(
    request: HttpRequest, form: RequestForm, authority: CertificateAuthority | None
) -> HttpResponse:
    token = form.cleaned_data["review_token"]
    made = request.session.get(MADE_BY_REVIEW, {}).get(token) if token else None
    if made is not None and CertificateRequest.objects.filter(pk=made).exists():
        messages.info(request, _("This review already made request #%(id)s.") % {"id": made})
        return redirect("request-detail", pk=made)
    data = form.cleaned_data
    try:
        owner = access.owner_for(signed_in_user(request), data.get("owner") or None)
        created = request_service.create(
            web_actor(request),
            owner=owner,
            encrypted_key=data["encrypted_key"] or None,
            **_inputs(form),
        )
    except ServiceError as exc:
        return _refused(request, form, authority, exc)
    if token:
        made_by = {**request.session.get(MADE_BY_REVIEW, {}), token: created.pk}
        request.session[MADE_BY_REVIEW] = dict(list(made_by.items())[-REMEMBERED_REVIEWS:])
    if emails.local_parts_differ_in_case(data["email"], created.email):
        messages.warning(
            request,
            _(
                "You typed %(typed)s; the request uses the address as the account spells it, "
                "%(used)s (mail systems treat the two alike)."
            )
            % {"typed": data["email"].strip(), "used": created.email},
        )
    if created.state == RequestState.AWAITING_APPROVAL:
        messages.success(
            request,
            _(
                "Request #%(id)s is made. It waits for a certificate admin's approval; you "
                "will get a mail when it can go to the CA."
            )
            % {"id": created.pk},
        )
    else:
        messages.success(
            request, _("Request #%(id)s is ready: send its CSR to your CA.") % {"id": created.pk}
        )
    return redirect("request-detail", pk=created.pk)


def _refused(
    request: HttpRequest,
    form: RequestForm,
    authority: CertificateAuthority | None,
    exc: ServiceError,
) -> HttpResponse:
    """The form again with every problem next to its field, and all of them in the summary."""
    placed = _place_problems(form, exc)
    if not placed:
        form.add_error(None, exc.detail)
    return _render_form(request, form, authority, status=exc.status)


def _place_problems(form: RequestForm, exc: ServiceError) -> bool:
    """Put each of the refusal's problems next to the field it is about: an uploaded CSR's
    problems (its key, signature, subject and address) next to the CSR, typed fields' next to
    them, the rest above the form. False if there were none."""
    source = form.cleaned_data.get("key_source")
    csr_field = "csr_file" if form.cleaned_data.get("csr_file") else "csr_pem"
    about_upload = source == KeySource.UPLOAD and isinstance(exc, Invalid) and exc.in_csr
    placed = False
    for error in exc.errors:
        name = str(error.get("field", ""))
        target: str | None = name.removeprefix("subject.")
        if about_upload or (source == KeySource.UPLOAD and name != "email"):
            target = csr_field
        form.add_error(target if target in form.fields else None, str(error["msg"]))
        placed = True
    if not placed and source == KeySource.UPLOAD and isinstance(exc, Invalid):
        form.add_error(csr_field, exc.detail)  # about the CSR as a whole (SHA-1, no CSR…)
        placed = True
    return placed


def _problems(form: RequestForm) -> list[tuple[str, str, str]]:
    """(anchor, label, sentence) of every problem on the form, in the form's order."""
    found = []
    for name, errors in form.errors.items():
        if name == NON_FIELD_ERRORS:
            found += [("", "", str(error)) for error in errors]
            continue
        field = form[name]
        anchor = field.id_for_label or f"{field.auto_id}_0"
        label = SUMMARY_LABELS.get(name, field.label)
        found += [(anchor, str(label), str(error)) for error in errors]
    return found


def _render_form(
    request: HttpRequest,
    form: RequestForm,
    authority: CertificateAuthority | None,
    *,
    status: int = 200,
) -> HttpResponse:
    key_choices = {choice.data["value"]: choice for choice in form["key_source"]}
    context = {
        "form": form,
        "problems": _problems(form) if form.is_bound else [],
        "authority": authority,
        "needed": _needed_labels(authority),
        "kind": PROFILES[authority.validation_profile] if authority else None,
        "profiles": [(profile.value, *words) for profile, words in PROFILES.items()],
        "typed_profile": _typed_profile(form),
        "key_sources": [(key_choices[v], sentence) for v, _label, sentence in KEY_SOURCES],
        "placeholder_help": PLACEHOLDER_HELP,
        "pkcs12_command": pkcs12.pkcs12_compat_command(),
        **_openssl_help(request, authority),
    }
    return render(request, "certificates/request_new.html", context, status=status)


def _openssl_help(request: HttpRequest, authority: CertificateAuthority | None) -> dict[str, Any]:
    """The openssl command that makes this person's CSR without asking anything, and the
    fields the CA product needs that the account cannot fill in."""
    own = domains.own_address(signed_in_user(request))
    fields = drafts.suggested_subject(signed_in_user(request), authority)
    try:
        command = pki_csr.openssl_request_command(fields, own)
    except PkiError:
        command = ""
    needed = subject.PROFILE_FIELDS[authority.validation_profile].needed if authority else ()
    missing = [subject.field_label(name) for name in needed if not getattr(fields, name)]
    return {"openssl_command": command, "command_lacks": missing}


def _needed_labels(authority: CertificateAuthority | None) -> list[str]:
    if authority is None:
        return []
    needed = subject.PROFILE_FIELDS[authority.validation_profile].needed
    return [subject.field_label(name) for name in needed]


def _typed_profile(form: RequestForm) -> str:
    if not form.is_bound or not hasattr(form, "cleaned_data"):
        return ""
    return profile_of(form.subject())
