"""Managed mail domains and the address rules that hang on them."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from certificates.models import Domain
from certificates.models.domains import normalise_name
from certificates.pki import emails
from certificates.pki.errors import PkiError
from certificates.services import audit
from certificates.services.access import require_admin
from certificates.services.actor import Actor
from certificates.services.errors import Conflict, Invalid
from certificates.services.text import single_line


def check_address_for(owner: AbstractBaseUser, address: str) -> str:
    """The address must be well-formed, in a managed domain and the owner's own. Answers it as
    the account spells its local part, with the domain normalised (``ERIN.SMITH@Example.com``
    typed by the account erin.smith@example.com is ``erin.smith@example.com``), so one mailbox
    never looks like two in CSRs, lists and file names."""
    try:
        _, domain = emails.split_address(address)
        domain = emails.normalise_domain(domain)
    except PkiError as exc:
        raise Invalid(exc.message) from exc
    if not Domain.objects.filter(name=domain).exists():
        raise Invalid(
            f"{domain} is not a mail domain this portal manages; ask a certificate admin to add "
            "it, or request a certificate for your address in a managed domain."
        )
    own = own_address(owner)
    if not own or not emails.addresses_match(own, address):
        raise Invalid(
            f"{address.strip()} is not the address of account {owner.get_username()!r}"
            + (f" ({own})" if own else " (it has no address)")
            + "; a certificate can only be requested for the owner's own address."
        )
    return own


def own_address(user: AbstractBaseUser) -> str:
    """The account's address as requests carry it (domain normalised), or "" if it has none
    that is an address."""
    try:
        return emails.normalise_address(getattr(user, "email", "") or "")
    except PkiError:
        return ""


MAX_NAME = 253  # RFC 1035, in text form without the final dot
MAX_LABEL = 63


def domain_name(name: str) -> str:
    """``name`` normalised (normalise_name) and checked, or Invalid saying what is wrong."""
    try:
        name = normalise_name(single_line("name", "The domain name", name))
    except PkiError as exc:
        raise Invalid(exc.message) from exc
    if not name or "." not in name or any(c.isspace() for c in name):
        raise Invalid(f"{name[:80]!r} is not a domain name such as example.com.")
    if len(name) > MAX_NAME:
        raise Invalid(f"A domain name has at most {MAX_NAME} characters; this one has {len(name)}.")
    long_label = next((label for label in name.split(".") if len(label) > MAX_LABEL), None)
    if long_label is not None:
        raise Invalid(
            f"Each part of a domain name between dots has at most {MAX_LABEL} characters; "
            f"'{long_label[:20]}…' has {len(long_label)}."
        )
    if "" in name.split("."):
        raise Invalid(f"{name!r} has an empty part between dots; write it like example.com.")
    return name


def add_domain(actor: Actor, name: str, **fields: object) -> Domain:
    require_admin(actor.user)
    name = domain_name(name)
    if Domain.objects.filter(name=name).exists():
        raise Conflict(f"{name} is already a managed domain.")
    with transaction.atomic():
        domain = Domain.objects.create(name=name, **fields)
        audit.record(actor, "domain.added", domain)
    return domain
