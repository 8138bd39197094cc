"""The /accounts/ pages: Django's own, with the password change limited like logins and the
password reset by mail answering 404 unless ``PASSWORD_RESET_ENABLED`` (Django's reset pages
send a mail per request, without limit; by default admins set passwords)."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import urls as django_account_urls
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path

from certificates.views.logins import LimitedPasswordChangeView

RESET_PAGES = {
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}


def _unless_reset_is_off(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def reset_page(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.PASSWORD_RESET_ENABLED:
            raise Http404(
                "Passwords are not reset by mail here. Ask a certificate admin to set a new one."
            )
        return view(request, *args, **kwargs)

    return reset_page


def _door(pattern: URLPattern) -> URLPattern:
    if pattern.name == "password_change":
        return path(str(pattern.pattern), LimitedPasswordChangeView.as_view(), name=pattern.name)
    if pattern.name in RESET_PAGES:
        view = _unless_reset_is_off(pattern.callback)
        return path(str(pattern.pattern), view, name=pattern.name)
    return pattern


urlpatterns = [
    _door(pattern) if isinstance(pattern, URLPattern) else pattern
    for pattern in django_account_urls.urlpatterns
]
