"""Who sees what: employees their own objects, certificate admins everything.

Certificate admins are superusers and members of the "Certificate admins" group. Staff status
is not enough: it only opens the Django admin, where Django's model permissions apply.

Another employee's object is reported as not found (404), never as forbidden, so ids leak
nothing about who holds what.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from certificates.models import Certificate, CertificateRequest
from certificates.services.errors import Forbidden, NotFound

ADMIN_GROUP = "Certificate admins"


def is_admin(user: User | AnonymousUser | None) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=ADMIN_GROUP).exists()


def require_admin(user: User | AnonymousUser | None) -> None:
    if not is_admin(user):
        raise Forbidden(_("Only certificate admins can do this."))


def visible_requests(user: User) -> QuerySet[CertificateRequest]:
    queryset = CertificateRequest.objects.select_related("owner")
    return queryset if is_admin(user) else queryset.filter(owner=user)


def visible_certificates(user: User) -> QuerySet[Certificate]:
    queryset = Certificate.objects.select_related("owner")
    return queryset if is_admin(user) else queryset.filter(owner=user)


def get_request(user: User, pk: int) -> CertificateRequest:
    try:
        return visible_requests(user).get(pk=pk)
    except (CertificateRequest.DoesNotExist, ValueError):
        raise NotFound(
            _("There is no certificate request #%(pk)s that you can see.") % {"pk": pk}
        ) from None


def get_certificate(user: User, pk: int) -> Certificate:
    try:
        return visible_certificates(user).get(pk=pk)
    except (Certificate.DoesNotExist, ValueError):
        raise NotFound(
            _("There is no certificate #%(pk)s that you can see.") % {"pk": pk}
        ) from None


ON_BEHALF_REFUSED = gettext_noop("Only certificate admins can act on behalf of another user.")


def require_acts_for(user: User | None, owner: User) -> None:
    """People act for themselves; certificate admins also on behalf of others."""
    if owner != user and not is_admin(user):
        raise Forbidden(_(ON_BEHALF_REFUSED))


def owner_for(user: User, username: str | None) -> User:
    """The owner a caller names: themselves, or (admins only) another active user. The admin
    check comes before the lookup, so employees learn nothing about which accounts exist."""
    if username is None or username == user.get_username():
        return user
    if not is_admin(user):
        raise Forbidden(_(ON_BEHALF_REFUSED))
    return find_user(username)


def find_user(username: str) -> User:
    try:
        return User.objects.get(**{User.USERNAME_FIELD: username}, is_active=True)
    except User.DoesNotExist:
        raise NotFound(
            _("There is no active user named %(username)r.") % {"username": username}
        ) from None
