"""Keys made in the browser: the JSON the page scripts read to build a PKCS#12 themselves, the
owner's encrypted key copy, and the "Keys made in a browser" page with "Back up all my keys".

These answer the session (pages), not API tokens; the key itself never comes this way.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from certificates.forms import KEY_TYPE_CHOICES, PROFILE_CHOICES
from certificates.pki import keys, pkcs12
from certificates.responses import attachment
from certificates.services import browser_keys
from certificates.services.actor import signed_in_user
from certificates.services.errors import ServiceError
from certificates.views.shell import certificate_or_404, request_or_404, web_actor


def browser_key_context() -> dict[str, Any]:
    """What the _browser_keygen.html and _browser_pkcs12.html partials need."""
    return {
        "keygen_key_types": KEY_TYPE_CHOICES,
        "keygen_default": keys.DEFAULT_KEY_TYPE,
        "profile_choices": PROFILE_CHOICES,
        # The pages check a passphrase or bundle password chosen in the browser against the
        # inputs' minlength, written from here: one minimum for every secret that guards a file
        # someone could copy and attack offline.
        "secret_min_length": pkcs12.MIN_PASSWORD_LENGTH,
    }


def _with_copy_url(material: dict[str, Any]) -> dict[str, Any]:
    request_id = material.pop("key_copy_request")
    url = reverse("request-key-copy", args=[request_id]) if request_id else None
    return {**material, "key_copy_url": url}


def _json_refusal(exc: ServiceError) -> JsonResponse:
    return JsonResponse({"detail": exc.detail}, status=exc.status)


@login_required
def certificate_material(request: HttpRequest, pk: int) -> JsonResponse:
    cert = certificate_or_404(request, pk)
    try:
        return JsonResponse(_with_copy_url(browser_keys.material(web_actor(request), cert)))
    except ServiceError as exc:
        return _json_refusal(exc)


@login_required
def all_material(request: HttpRequest) -> JsonResponse:
    found = browser_keys.all_material(web_actor(request))
    return JsonResponse({"certificates": [_with_copy_url(m) for m in found]})


@login_required
def key_copy(request: HttpRequest, pk: int) -> HttpResponse:
    req = request_or_404(request, pk)
    try:
        pem = browser_keys.download_copy(web_actor(request), req)
    except ServiceError as exc:
        return _json_refusal(exc)
    return attachment(pem, "application/pkcs8", f"request-{req.pk}.key")


@login_required
def browser_keys_page(request: HttpRequest) -> HttpResponse:
    context = {
        "certificates": browser_keys.browser_certificates(signed_in_user(request).pk),
        **browser_key_context(),
    }
    return render(request, "certificates/browser_keys.html", context)
