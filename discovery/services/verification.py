"""Live DNS checks of published records, through the resolvers in DNS_RESOLVERS (or the
system's): ok, missing, mismatch or error per record, and whether DNSSEC vouched for it.

The daily sweep works from each publication's ``next_dns_check_at``; a publication whose
records were fine and now are not tells its owner once (a conditional UPDATE claims the
change, so two workers never send the same mail).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from certificates import notices
from certificates.models import Domain
from certificates.services import audit
from certificates.services.access import require_acts_for
from certificates.services.actor import Actor
from discovery import dnscheck, dnsclient
from discovery.models import DnsState, Publication
from discovery.services.published import live_publications, zone_records

INTERVAL = timedelta(days=1)
SWEEP_LIMIT = 500


def resolvers() -> list[dnsclient.Server]:
    """DNS_RESOLVERS, checked at start-up by discovery.checks."""
    return [dnsclient.parse_server(text) for text in settings.DNS_RESOLVERS]


def check_publication(publication: Publication) -> list[dnscheck.Check]:
    """Ask the resolvers for each record the zone should hold (one query per name and type)."""
    servers = resolvers()
    answers: dict[tuple[str, str], dnsclient.Answer] = {}
    checks = []
    for record in zone_records(publication.certificate, publication.domain):
        key = (record.name_text, record.type)
        if key not in answers:
            answers[key] = dnsclient.lookup(record.name, record.type, servers)
        checks.append(dnscheck.judge(record, answers[key]))
    return checks


def state_of(checks: list[dnscheck.Check]) -> DnsState:
    ok = all(c.status == dnscheck.RecordStatus.OK for c in checks)
    return DnsState.OK if ok else DnsState.PROBLEM


def verify(publication: Publication, now: datetime | None = None) -> list[dnscheck.Check]:
    """Check, store the result and, when records that were fine went wrong, tell the owner."""
    now = now or timezone.now()
    checks = check_publication(publication)
    wrong = [c for c in checks if c.status != dnscheck.RecordStatus.OK]
    state = state_of(checks)
    with transaction.atomic():
        rows = Publication.objects.filter(pk=publication.pk)
        rows.update(
            dns_checks=[c.as_dict() for c in checks],
            dns_checked_at=now,
            next_dns_check_at=now + INTERVAL,
        )
        # Only the change from fine to wrong is news; a claim by conditional UPDATE tells once.
        went_wrong = rows.filter(dns_state=DnsState.OK).update(dns_state=state) if wrong else 0
        rows.update(dns_state=state)
        if went_wrong:
            _tell_owner(publication, wrong)
    return checks


def verify_own(actor: Actor, publication: Publication) -> list[dnscheck.Check]:
    """Check now, for the certificate's owner or an admin."""
    require_acts_for(actor.user, publication.certificate.owner)
    return verify(publication)


def _tell_owner(publication: Publication, wrong: list[dnscheck.Check]) -> None:
    cert = publication.certificate
    problems = [{k: c.as_dict()[k] for k in ("name", "type", "status", "detail")} for c in wrong]
    event = audit.record(Actor.system(), "publication.dns_problem", cert, problems=problems)
    notices.dns_records_wrong(event, cert)


def verify_domain(
    actor: Actor, domain: Domain, now: datetime | None = None
) -> list[tuple[Publication, list[dnscheck.Check]]]:
    now = now or timezone.now()
    done = [
        (p, verify(p, now)) for p in live_publications(domain).select_related("certificate__owner")
    ]
    wrong = sum(1 for _, checks in done for c in checks if c.status != dnscheck.RecordStatus.OK)
    audit.record(actor, "domain.dns_verified", domain, publications=len(done), wrong=wrong)
    return done


def verify_due(now: datetime | None = None) -> int:
    """The daily sweep: every publication whose check is due, each claimed by one worker."""
    now = now or timezone.now()
    due = Publication.objects.filter(next_dns_check_at__lte=now).values_list("pk", flat=True)
    done = 0
    for pk in list(due[:SWEEP_LIMIT]):
        claimed = Publication.objects.filter(pk=pk, next_dns_check_at__lte=now).update(
            next_dns_check_at=now + INTERVAL
        )
        publication = (
            Publication.objects.select_related("certificate__owner", "domain").filter(pk=pk).first()
        )
        if claimed and publication is not None:
            verify(publication, now)
            done += 1
    return done
