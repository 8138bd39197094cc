"""Error pages Django builds outside the views: the CSRF refusal in the portal's layout."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form whose security token no longer matches this browser's session: typically sent
    from a tab left open while the session ended or changed in another one (logging out and in
    again issues a new token). Nothing was changed; the person goes back and sends it again.

    ``reason`` is Django's technical wording; it is logged by Django and not shown.

    A login form is the exception: sent from a second tab after logging in from another one,
    its token is stale but what it asked for is done, so the person goes where it was headed
    (its ``next`` page, or home) rather than to a refusal."""
    if request.user.is_authenticated and request.path == reverse("login"):
        return redirect(_next_page(request))
    referer = request.META.get("HTTP_REFERER", "")
    if _on_this_site(request, referer):
        back = (referer, "Back to the page you came from")
    else:
        back = (reverse("home"), "Back to my certificates")
    return render(request, "403_csrf.html", {"back": back}, status=403)


def _next_page(request: HttpRequest) -> str:
    """The login form's ``next`` when it is a page of this site, else the page after login."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    return wanted if _on_this_site(request, wanted) else resolve_url(settings.LOGIN_REDIRECT_URL)


def _on_this_site(request: HttpRequest, url: str) -> bool:
    """Whether ``url`` is a non-empty address on the host this request came to (over HTTPS
    when it came that way); Django's check answers False for an empty one."""
    return url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
