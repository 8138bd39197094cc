"""Managed mail domains and the address rules that hang on them."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.models import Certificate, CertificateRequest, Domain
from certificates.models.domains import normalise_name
from certificates.models.requests import OPEN_STATES
from certificates.pki import emails
from certificates.pki.errors import PkiError
from certificates.services import audit
from certificates.services.access import require_admin
from certificates.services.actor import Actor
from certificates.services.errors import Conflict, Invalid, NotFound, field_error
from certificates.services.status import USABLE
from certificates.services.text import single_line


def check_address_for(owner: User, address: str) -> str:
    """The address must be well-formed, in a managed domain and the owner's own. Answers it as
    the account spells its local part, with the domain normalised (``ERIN.SMITH@Example.com``
    typed by the account erin.smith@example.com is ``erin.smith@example.com``), so one mailbox
    never looks like two in CSRs, lists and file names."""
    try:
        _local, domain = emails.split_address(address)
        domain = emails.normalise_domain(domain)
    except PkiError as exc:
        raise field_error("email", exc.message) from exc
    if not Domain.objects.filter(name=domain).exists():
        raise field_error(
            "email",
            _(
                "%(domain)s is not a mail domain this portal manages; ask a certificate "
                "admin to add it, or request a certificate for your address in a managed "
                "domain."
            )
            % {"domain": domain},
        )
    own = own_address(owner)
    if not own or not emails.addresses_match(own, address):
        raise field_error(
            "email",
            f"{address.strip()} is not the address of account {owner.get_username()!r}"
            + (f" ({own})" if own else " (it has no address)")
            + "; a certificate can only be requested for the owner's own address.",
        )
    return own


def own_address(user: User) -> str:
    """The account's address as requests carry it (domain normalised), or "" if it has none
    that is an address."""
    try:
        return emails.normalise_address(getattr(user, "email", "") or "")
    except PkiError:
        return ""


def managed_domain(address: str) -> Domain | None:
    """The managed domain of a well-formed address, with the CA that serves it."""
    try:
        _local, domain = emails.split_address(address)
        name = normalise_name(domain)
    except PkiError:
        return None
    return Domain.objects.select_related("certificate_authority").filter(name=name).first()


MAX_NAME = 253  # RFC 1035, in text form without the final dot
MAX_LABEL = 63


def domain_name(name: str) -> str:
    """``name`` normalised (normalise_name) and checked, or Invalid saying what is wrong."""
    try:
        name = normalise_name(single_line("name", _("The domain name"), name))
    except PkiError as exc:
        raise Invalid(exc.message) from exc
    if not name or "." not in name or any(c.isspace() for c in name):
        raise Invalid(_("%(name)r is not a domain name such as example.com.") % {"name": name[:80]})
    if len(name) > MAX_NAME:
        raise Invalid(
            _("A domain name has at most %(maximum)s characters; this one has %(count)s.")
            % {"maximum": MAX_NAME, "count": len(name)}
        )
    long_label = next((label for label in name.split(".") if len(label) > MAX_LABEL), None)
    if long_label is not None:
        raise Invalid(
            _(
                "Each part of a domain name between dots has at most %(maximum)s "
                "characters; '%(label)s…' has %(count)s."
            )
            % {"maximum": MAX_LABEL, "label": long_label[:20], "count": len(long_label)}
        )
    if "" in name.split("."):
        raise Invalid(
            _("%(name)r has an empty part between dots; write it like example.com.")
            % {"name": name}
        )
    return name


def add_domain(actor: Actor, name: str, **fields: object) -> Domain:
    require_admin(actor.user)
    name = domain_name(name)
    if Domain.objects.filter(name=name).exists():
        raise Conflict(_("%(name)s is already a managed domain.") % {"name": name})
    with transaction.atomic():
        domain = Domain.objects.create(name=name, **fields)
        audit.record(actor, "domain.added", domain)
    return domain


def find_domain(name: str) -> Domain:
    """A managed domain by name (for commands; people go through get_domain)."""
    try:
        domain = Domain.objects.filter(name=normalise_name(name)).first()
    except PkiError:  # a name IDNA refuses names no managed domain
        domain = None
    if domain is None:
        raise NotFound(_("%(name)r is not a managed mail domain.") % {"name": name[:100]})
    return domain


def get_domain(viewer: User, name: str) -> Domain:
    """A managed domain, for certificate admins only."""
    require_admin(viewer)
    return find_domain(name)


def change_domain(actor: Actor, domain: Domain, **fields: object) -> Domain:
    """Change a domain's publishing settings (its name stays)."""
    require_admin(actor.user)
    if "name" in fields:
        raise Invalid(
            _("A domain's name cannot change; add the new domain and remove the old one.")
        )
    for field, value in fields.items():
        setattr(domain, field, value)
    domain.save(update_fields=list(fields))
    audit.record(actor, "domain.changed", domain, fields=sorted(fields))
    return domain


def _ids(rows: list[int]) -> str:
    shown = ", ".join(f"#{pk}" for pk in rows[:5])
    return shown + (", …" if len(rows) > 5 else "")


def removal_refusal(domain: Domain, now: datetime | None = None) -> str | None:
    """Why ``domain`` cannot be removed yet, or None: live certificates or open requests for
    addresses in it still depend on it."""
    now = now or timezone.now()
    in_domain = {"email__iendswith": "@" + domain.name}
    certs = list(
        Certificate.objects.filter(**in_domain, status__in=USABLE, not_after__gt=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    requests = list(
        CertificateRequest.objects.filter(**in_domain, state__in=OPEN_STATES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not certs and not requests:
        return None
    uses, steps = [], []
    if certs:
        uses.append(f"{len(certs)} live certificate{'s' if len(certs) > 1 else ''} ({_ids(certs)})")
        steps.append("revoke the certificates or let them expire")
    if requests:
        uses.append(
            f"{len(requests)} open request{'s' if len(requests) > 1 else ''} ({_ids(requests)})"
        )
        steps.append("cancel or reject the requests")
    todo = " and ".join(steps)
    return (
        f"{domain.name} cannot be removed while {' and '.join(uses)} use addresses in it. "
        f"{todo[0].upper()}{todo[1:]} first."
    )


def remove_domain(actor: Actor, name: str) -> Domain:
    """Stop managing a domain that nothing live depends on (removal_refusal says what does)."""
    require_admin(actor.user)
    try:
        name = normalise_name(name)
    except PkiError:  # a name IDNA refuses names no managed domain
        raise NotFound(_("%(name)r is not a managed domain.") % {"name": name[:100]}) from None
    with transaction.atomic():
        domain = Domain.objects.select_for_update().filter(name=name).first()
        if domain is None:
            if not name:
                raise NotFound(_("That is not a managed domain."))
            raise NotFound(_("%(name)s is not a managed domain.") % {"name": name})
        refusal = removal_refusal(domain)
        if refusal is not None:
            raise Conflict(refusal)
        audit.record(actor, "domain.removed", domain)
        domain.delete()
    return domain
