"""The public sender-side lookup page and the download of the certificate it found.

No login: the records and certificates looked up are public, and a sender outside the
organisation may use the page too. Each lookup counts against its client address's limit
(discovery.services.lookup). The download runs the lookup again and answers only a usable
certificate, parsed and written out by the portal: the page fetches nothing else for anyone.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import serialization
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from certificates.responses import attachment
from certificates.services import access
from certificates.services.actor import Actor
from certificates.services.errors import ServiceError
from discovery import lookup, recipient, records
from discovery.forms import LookupForm
from discovery.services import lookup as lookups

FORMATS = {
    "der": (serialization.Encoding.DER, "application/pkix-cert", ".crt"),
    "pem": (serialization.Encoding.PEM, "application/x-pem-file", ".pem"),
}


def _look_up(request: HttpRequest) -> tuple[dict[str, Any], int, lookup.Result | None]:
    """The page's context and status for the address asked for (none asked: the empty form)."""
    form = LookupForm(request.GET if "email" in request.GET else None)
    # Admins see the fetcher's own words (an errno, a setting's name) beside the public ones.
    context: dict[str, Any] = {"form": form, "show_technical": access.is_admin(request.user)}
    if not form.is_bound:
        return context, 200, None
    if not form.is_valid():
        return context, 400, None
    try:
        result = lookups.look_up(Actor.from_request(request), form.cleaned_data["email"])
    except lookups.TooManyLookups as exc:
        context["error"] = exc.detail
        return context, exc.status, None
    except ServiceError as exc:
        form.add_error("email", exc.detail)
        return context, 400, None
    context["result"] = result
    if result.certificate is not None:
        context["certificate"] = recipient.details(result.certificate)
    return context, 200, result


def lookup_page(request: HttpRequest) -> HttpResponse:
    context, status, _ = _look_up(request)
    return render(request, "discovery/lookup.html", context, status=status)


def lookup_download(request: HttpRequest) -> HttpResponse:
    """The usable certificate found for ``email`` as ``format`` (pem or der); otherwise the
    page saying why there is none."""
    chosen = FORMATS.get(request.GET.get("format", ""))
    if chosen is None or "email" not in request.GET:
        return redirect("lookup")
    context, status, result = _look_up(request)
    if result is None or result.certificate is None or not result.usable:
        status = 404 if result is not None else status
        return render(request, "discovery/lookup.html", context, status=status)
    encoding, content_type, suffix = chosen
    local = lookup.address_parts(result.email)[0]
    name = records.file_stem(local) + suffix
    return attachment(result.certificate.public_bytes(encoding), content_type, name)
