"""The certificate page's "Check now": a revocation check while the person waits."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from certificates.services import revocation
from certificates.views.shell import certificate_or_404, certificate_page, post_only, web_actor


@login_required
@post_only(certificate_page)
def check_now(request: HttpRequest, pk: int) -> HttpResponse:
    cert = certificate_or_404(request, pk)
    check = revocation.check_now(web_actor(request), cert)
    report = messages.success if check.status == "good" else messages.warning
    report(
        request,
        _("Revocation status: %(status)s. %(detail)s")
        % {"status": check.status, "detail": check.detail},
    )
    return redirect("certificate-detail", pk=cert.pk)
