"""Publishing a certificate for discovery, withdrawing it, and following renewals.

The database row is the truth; after each commit the same change reaches the served files'
memo, the static export folder and (where configured) the zone's primary by RFC 2136.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.models import Certificate, Domain
from certificates.models.domains import normalise_name
from certificates.pki import emails
from certificates.pki.certinfo import KeyUsage
from certificates.pki.errors import PkiError
from certificates.services import audit
from certificates.services.access import require_acts_for
from certificates.services.actor import Actor
from certificates.services.errors import Conflict, Invalid, ServiceError
from certificates.services.status import USABLE, derive
from discovery import records
from discovery.models import DnsState, Publication
from discovery.services import domains, propagation
from discovery.services.published import local_part, url

# The first live check waits a little: someone has to put the records into the zone.
FIRST_CHECK = timedelta(hours=1)


def publication_of(cert: Certificate) -> Publication | None:
    return Publication.objects.filter(certificate=cert).select_related("domain").first()


def publishable_domain(cert: Certificate, now: datetime) -> Domain:
    """The managed domain the certificate would be published in; ServiceError saying why not."""
    status = derive(cert, now)  # by the dates now, even before the sweep stores it
    if status not in USABLE:
        raise Conflict(
            _("Certificate #%(id)s is %(status)s; only a live certificate is published.")
            % {"id": cert.pk, "status": status}
        )
    if cert.key_usage == KeyUsage.SIGNING:
        raise Invalid(
            _(
                "Certificate #%(id)s is for signing only; senders look certificates up "
                "to encrypt to you, so publish a certificate that allows encryption."
            )
            % {"id": cert.pk}
        )
    try:
        local, domain_part = emails.split_address(cert.email)
        records.check_local_part(local)
    except (PkiError, records.RecordError) as exc:
        raise Invalid(exc.message) from exc
    domain = Domain.objects.filter(name=normalise_name(domain_part)).first()
    if domain is None:
        raise Invalid(
            _("%(domain_part)s is not a managed mail domain, so nothing is published there.")
            % {"domain_part": domain_part}
        )
    return domain


def _sharing(domain: Domain) -> list[int]:
    """Domains served under one of this domain's hosts, whose file names must not collide."""
    hosts = domains.serving_hosts(domain)
    return [d.pk for d in Domain.objects.all() if domains.serving_hosts(d) & hosts]


def _clash(domain: Domain, lookup: str, cert: Certificate) -> Publication | None:
    clash = (
        Publication.objects.select_for_update()
        .filter(domain_id__in=_sharing(domain), lookup_name=lookup)
        .select_related("certificate")
        .first()
    )
    if clash is None:
        return None
    other = clash.certificate
    if (
        clash.domain_id == domain.pk
        and other.owner_id == cert.owner_id
        and emails.addresses_match(other.email, cert.email)
    ):
        return clash  # the same address: this certificate takes the other's place
    raise Conflict(
        _(
            "%(file_stem)s.crt is already published for %(email)s (certificate #%(id)s); "
            "two addresses that map to one file name cannot both be published. "
            "Withdraw that one first, or leave this one unpublished."
        )
        % {"file_stem": records.file_stem(local_part(cert)), "email": other.email, "id": other.pk}
    )


def publish(
    actor: Actor, cert: Certificate, *, follow_renewals: bool = True, now: datetime | None = None
) -> Publication:
    """Publish ``cert`` (idempotent); see ``publish_replacing``."""
    return publish_replacing(actor, cert, follow_renewals=follow_renewals, now=now)[0]


def published_in_place(cert: Certificate) -> Certificate | None:
    """The other certificate publishing ``cert`` would take the place of: the one published
    now for the same address (None when there is none, or ``cert`` itself is published)."""
    if publication_of(cert) is not None:
        return None
    try:
        _local, domain_part = emails.split_address(cert.email)
        lookup = records.lookup_key(local_part(cert))
    except (PkiError, records.RecordError):
        return None
    clash = (
        Publication.objects.filter(
            domain__name=normalise_name(domain_part),
            lookup_name=lookup,
            certificate__owner_id=cert.owner_id,
        )
        .select_related("certificate")
        .first()
    )
    if clash is None or not emails.addresses_match(clash.certificate.email, cert.email):
        return None
    return clash.certificate


def publish_replacing(
    actor: Actor, cert: Certificate, *, follow_renewals: bool = True, now: datetime | None = None
) -> tuple[Publication, Certificate | None]:
    """Publish ``cert`` (idempotent). Another certificate published for the same address is
    replaced in the same transaction: same file, same DNS names, new content. Returns the
    publication and the certificate it replaced, if any."""
    require_acts_for(actor.user, cert.owner)
    now = now or timezone.now()
    with transaction.atomic():
        cert = Certificate.objects.select_for_update().select_related("owner").get(pk=cert.pk)
        existing = publication_of(cert)
        if existing is not None:
            if existing.follow_renewals != follow_renewals:
                existing.follow_renewals = follow_renewals
                existing.save(update_fields=["follow_renewals"])
            return existing, None
        domain = publishable_domain(cert, now)
        lookup = records.lookup_key(local_part(cert))
        publication = _clash(domain, lookup, cert)
        replaced = publication.certificate if publication is not None else None
        if publication is None:
            publication = Publication(domain=domain, lookup_name=lookup)
        publication.follow_renewals = follow_renewals
        _point(publication, cert, now)
        try:
            with transaction.atomic():
                publication.save()
        except IntegrityError:
            raise Conflict(
                _(
                    "Another certificate was published for this file name a moment ago; "
                    "reload and try again."
                )
            ) from None
        if replaced is not None:
            audit.record(actor, "publication.withdrawn", replaced, reason=f"replaced by #{cert.pk}")
        audit.record(
            actor, "publication.published", cert, url=url(cert, domain), replaces=_pk(replaced)
        )
        _propagate(actor, cert, domain, [replaced, cert])
    return Publication.objects.select_related("domain").get(pk=publication.pk), replaced


def _pk(cert: Certificate | None) -> int | None:
    return cert.pk if cert is not None else None


def _point(publication: Publication, cert: Certificate, now: datetime) -> None:
    """Aim the publication at ``cert``; what was checked or pushed for another one is void."""
    publication.certificate = cert
    publication.dns_state = DnsState.UNKNOWN
    publication.dns_checks = []
    publication.dns_checked_at = None
    publication.next_dns_check_at = now + FIRST_CHECK
    publication.push_ok = None
    publication.push_detail = ""
    publication.pushed_at = None


def _propagate(
    actor: Actor, cert: Certificate, domain: Domain, involved: list[Certificate | None]
) -> None:
    """After commit: files served and exported, and the zone's records, follow the rows."""
    locals_ = sorted({local_part(c) for c in involved if c is not None})
    transaction.on_commit(lambda: propagation.propagate(actor, cert, domain, locals_), robust=True)


def withdraw(actor: Actor, cert: Certificate, reason: str) -> bool:
    """Stop publishing ``cert``; False when it was not published."""
    with transaction.atomic():
        publication = (
            Publication.objects.select_for_update()
            .filter(certificate_id=cert.pk)
            .select_related("domain")
            .first()
        )
        if publication is None:
            return False
        publication.delete()
        audit.record(actor, "publication.withdrawn", cert, reason=reason)
        _propagate(actor, cert, publication.domain, [cert])
    return True


def withdraw_by_request(actor: Actor, cert: Certificate) -> bool:
    require_acts_for(actor.user, cert.owner)
    return withdraw(actor, cert, "withdrawn on request")


def follow_renewal(certificate: Certificate, renews: Certificate | None) -> None:
    """Inside the issuing transaction: a renewal of a published certificate takes its place
    (unless the owner opted out), so senders never find nothing in between.

    A renewal is the certificate of a request made with Renew, and equally any new certificate
    that supersedes the published one (a fresh request for the same address and use): the old
    one is withdrawn on commit either way, and only this keeps the address published."""
    candidates = {c.pk for c in Certificate.objects.filter(superseded_by=certificate)}
    if renews is not None:
        candidates.add(renews.pk)
    publication = (
        Publication.objects.select_for_update()
        .filter(certificate_id__in=candidates, follow_renewals=True)
        .select_related("domain", "certificate")
        .first()
    )
    if publication is None:
        return
    old = publication.certificate
    actor = Actor.system()
    now = timezone.now()
    try:
        domain = publishable_domain(certificate, now)
        if not emails.addresses_match(certificate.email, old.email):
            raise Conflict(
                _("it is for %(email)s, not %(renewed)s")
                % {"email": certificate.email, "renewed": old.email}
            )
    except ServiceError as exc:
        audit.record(
            actor, "publication.kept", old, reason=f"renewal #{certificate.pk}: {exc.detail}"
        )
        return
    _point(publication, certificate, now)
    publication.save()
    audit.record(actor, "publication.withdrawn", old, reason=f"replaced by #{certificate.pk}")
    audit.record(
        actor,
        "publication.published",
        certificate,
        url=url(certificate, domain),
        replaces=old.pk,
    )
    _propagate(actor, certificate, domain, [old, certificate])


def notes_on_adding(certificate: Certificate, superseded: Sequence[Certificate]) -> list[str]:
    """What adding ``certificate`` did to publishing, for the page that shows it: published in
    place of an older one, or an older one withdrawn from discovery (the owner opted out)."""
    notes = []
    replaced = _replaced_on_adding(certificate)
    if replaced is not None:
        notes.append(
            _(
                "Certificate #%(id)s is now published in place of #%(old)s: senders who look "
                "up %(email)s find the new one."
            )
            % {"id": certificate.pk, "old": replaced, "email": certificate.email}
        )
    for old in superseded:
        if old.pk == replaced:
            continue
        # Withdrawn when the upload committed; or, should a caller still hold the transaction
        # open, about to be (it is superseded, so its withdrawal is queued on commit).
        if publication_of(old) is None and not _withdrawn_as_superseded(old, certificate):
            continue
        notes.append(
            _(
                "Certificate #%(old)s was withdrawn from discovery because it is superseded; "
                "publish certificate #%(id)s below so senders find you again."
            )
            % {"old": old.pk, "id": certificate.pk}
        )
    return notes


def _replaced_on_adding(certificate: Certificate) -> int | None:
    event = (
        audit.timeline(certificate).filter(action="publication.published").order_by("-id").first()
    )
    if event is None or not isinstance(event.details.get("replaces"), int):
        return None
    replaces: int = event.details["replaces"]
    return replaces


def _withdrawn_as_superseded(cert: Certificate, by: Certificate) -> bool:
    """Whether ``cert`` lost its publication when ``by`` was added (not at some earlier time)."""
    return (
        audit.timeline(cert)
        .filter(
            action="publication.withdrawn",
            details__reason="certificate superseded",
            created_at__gte=by.created_at,
        )
        .exists()
    )


def withdraw_invalidated(certificate: Certificate, status: str) -> None:
    """A revoked, expired or superseded certificate is no longer offered to senders."""
    withdraw(Actor.system(), certificate, f"certificate {status}")


def set_follow_renewals(actor: Actor, cert: Certificate, follow: bool) -> Publication:
    require_acts_for(actor.user, cert.owner)
    publication = publication_of(cert)
    if publication is None:
        raise Conflict(_("Certificate #%(id)s is not published.") % {"id": cert.pk})
    publication.follow_renewals = follow
    publication.save(update_fields=["follow_renewals"])
    audit.record(actor, "publication.follow_renewals", cert, follow=follow)
    return publication
