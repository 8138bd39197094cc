"""The certificate authorities the organisation orders from, and which mail domain uses which.

Admins keep the list; a request's address leads to its domain's CA, which says the profile
(so the subject fields to ask for) and where and how to send the CSR.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from certificates.models import CertificateAuthority, Domain
from certificates.models.authorities import Profile
from certificates.services import audit
from certificates.services.access import require_admin
from certificates.services.actor import Actor
from certificates.services.domains import domain_name, managed_domain
from certificates.services.errors import Conflict, Invalid, NotFound
from certificates.services.text import single_line

NAME = 200
INSTRUCTIONS = 1000
# What add and change accept besides the served domains.
FIELDS = ("name", "product", "profile", "submit_url", "instructions", "caa_issuemail")
# The free-text fields, each one line of plain text (services.text).
_LABELS = {
    "name": gettext_noop("The CA's name"),
    "product": gettext_noop("The product"),
    "submit_url": gettext_noop("The submission URL"),
    "instructions": gettext_noop("The instructions"),
    "caa_issuemail": gettext_noop("The CAA issuemail domain"),
}


def listed(viewer: User) -> QuerySet[CertificateAuthority]:
    require_admin(viewer)
    return CertificateAuthority.objects.prefetch_related("domains")


def get(viewer: User, pk: int) -> CertificateAuthority:
    try:
        return listed(viewer).get(pk=pk)
    except CertificateAuthority.DoesNotExist:
        raise NotFound(_("There is no certificate authority #%(pk)s.") % {"pk": pk}) from None


def names() -> list[str]:
    """Every listed CA's name, for the 'sent to which CA' choice."""
    return list(CertificateAuthority.objects.values_list("name", flat=True))


def for_address(address: str) -> CertificateAuthority | None:
    """The CA that serves the address's mail domain, if an admin named one."""
    domain = managed_domain(address)
    return domain.certificate_authority if domain is not None else None


def _checked(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields stripped and checked, or Invalid saying which is wrong."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise Invalid(_("Unknown field(s) %(names)s.") % {"names": ", ".join(sorted(unknown))})
    clean = {k: single_line(k, _(_LABELS[k]), v) if k in _LABELS else v for k, v in fields.items()}
    if "name" in clean and not clean["name"]:
        raise Invalid(_("Give the CA a name, for example Sectigo."))
    for field, limit in (("name", NAME), ("product", NAME), ("instructions", INSTRUCTIONS)):
        if len(clean.get(field) or "") > limit:
            raise Invalid(
                _("The %(field)s has at most %(limit)s characters.")
                % {"field": field, "limit": limit}
            )
    if "profile" in clean and clean["profile"] not in Profile.values:
        raise Invalid(_("profile must be one of %(names)s.") % {"names": ", ".join(Profile.values)})
    url = clean.get("submit_url") or ""
    if url and not (url.startswith(("https://", "http://")) and " " not in url):
        raise Invalid(_("The submission URL must start with https:// (or http://)."))
    if clean.get("caa_issuemail"):
        clean["caa_issuemail"] = domain_name(clean["caa_issuemail"])
    return clean


def _served(authority: CertificateAuthority, names: Iterable[str]) -> list[Domain]:
    """The managed domains ``names`` lists, none of them served by another CA yet."""
    wanted = {domain_name(n) for n in names if n.strip()}
    found = {d.name: d for d in Domain.objects.filter(name__in=wanted)}
    missing = sorted(wanted - set(found))
    if missing:
        if len(missing) == 1:
            message = _("%(names)s is not a managed domain; add the domain first.")
        else:
            message = _("%(names)s are not a managed domain; add the domain first.")
        raise Invalid(message % {"names": ", ".join(missing)})
    taken = [d for d in found.values() if d.certificate_authority_id not in (None, authority.pk)]
    if taken:
        domain = taken[0]
        raise Conflict(
            _(
                "%(name)s is served by %(authority)s; a domain orders from "
                "one CA, so take it off that one first."
            )
            % {"name": domain.name, "authority": domain.certificate_authority}
        )
    return sorted(found.values(), key=lambda d: d.name)


def _serve(authority: CertificateAuthority, served: list[Domain]) -> None:
    authority.domains.exclude(pk__in=[d.pk for d in served]).update(certificate_authority=None)
    Domain.objects.filter(pk__in=[d.pk for d in served]).update(certificate_authority=authority)


def _unique(name: str, pk: int | None = None) -> None:
    others = CertificateAuthority.objects.filter(name__iexact=name)
    if pk is not None:
        others = others.exclude(pk=pk)
    if others.exists():
        raise Conflict(
            _("There is already a certificate authority named %(name)r.") % {"name": name}
        )


def add(actor: Actor, *, domains: Iterable[str] = (), **fields: Any) -> CertificateAuthority:
    require_admin(actor.user)
    clean = _checked(fields)
    if "name" not in clean:
        raise Invalid(_("Give the CA a name, for example Sectigo."))
    with transaction.atomic():
        _unique(clean["name"])
        authority = CertificateAuthority(**clean)
        served = _served(authority, domains)
        authority.save()
        _serve(authority, served)
        audit.record(actor, "authority.added", authority, domains=[d.name for d in served])
    return authority


def change(
    actor: Actor,
    authority: CertificateAuthority,
    *,
    domains: Iterable[str] | None = None,
    **fields: Any,
) -> CertificateAuthority:
    """Change the given fields; ``domains``, when given, replaces the served domains."""
    require_admin(actor.user)
    clean = _checked(fields)
    with transaction.atomic():
        if "name" in clean:
            _unique(clean["name"], authority.pk)
        for field, value in clean.items():
            setattr(authority, field, value)
        authority.save()
        details: dict[str, Any] = {"fields": sorted(clean)}
        if domains is not None:
            served = _served(authority, domains)
            _serve(authority, served)
            details["domains"] = [d.name for d in served]
        audit.record(actor, "authority.changed", authority, **details)
    return authority


def remove(actor: Actor, authority: CertificateAuthority) -> None:
    """Forget a CA; its domains then name none, and requests keep the CA name they recorded."""
    require_admin(actor.user)
    with transaction.atomic():
        audit.record(actor, "authority.removed", authority)
        authority.delete()
