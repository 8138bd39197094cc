from datetime import datetime

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, re_path, reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import last_modified
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog

from certificates.views.logins import PortalLogoutView
from certificates.views.shell import post_only
from portal.api import api, not_found


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


# The page scripts' strings change only with a deploy, which restarts the process: browsers
# keep the catalog for an hour and then revalidate it against the start time.
_STARTED = timezone.now().replace(microsecond=0)


def _catalog_changed(request: HttpRequest) -> datetime:
    return _STARTED


javascript_catalog = cache_control(public=True, max_age=3600)(
    last_modified(_catalog_changed)(JavaScriptCatalog.as_view())
)


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Public: every page loads it, the login page included, and it holds only UI strings.
    path("jsi18n/", javascript_catalog, name="javascript-catalog"),
    # The admin's own password change would check the old password without the login limits.
    path(
        "admin/password_change/",
        RedirectView.as_view(pattern_name="password_change"),
        name="admin-password-change",
    ),
    path("admin/", admin.site.urls),
    # Logging out is a POST; a GET on its address (a bookmark) leads home instead of a 405.
    path(
        "accounts/logout/",
        post_only(lambda request: reverse("home"))(PortalLogoutView.as_view()),
        name="logout",
    ),
    path("accounts/", include("certificates.account_urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/", not_found),  # JSON 404, never an HTML page under /api/
    path("", include("discovery.urls")),
    path("", include("certificates.urls")),
]
