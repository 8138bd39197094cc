"""RFC 2136 updates of a domain's zone, for domains with an update server and TSIG key.

Each update replaces exactly the record sets an address owns (TXT, SMIMEA as written and in
lower case) with what is published now, or deletes them: publish, withdraw and a renewal's
swap are each one atomic update on the server. Results are stored, shown and audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import dns.name
from django.db import models
from django.utils import timezone

from certificates.models import Domain
from certificates.pki.errors import PkiError
from certificates.services import audit
from certificates.services.actor import Actor
from discovery import dnsclient, records
from discovery.models import DomainPublishing, Publication
from discovery.services import domains
from discovery.services.published import live_publications, local_part, zone_records

# Addresses per update message: a 3 0 0 record of a large certificate is ~2 KB, and one DNS
# message over TCP holds at most 64 KB.
BATCH = 20


def push_addresses(
    actor: Actor, subject: models.Model, domain: Domain, locals_: Iterable[str]
) -> dnsclient.UpdateResult | None:
    """Bring the zone's records of these local parts in line with what is published now.
    None when the domain has no update server configured."""
    settings = domains.settings_of(domain)
    if not settings.can_push:
        return None
    wanted = {records.lookup_key(local) for local in locals_}
    publications = [p for p in live_publications(domain) if p.lookup_name in wanted]
    return _push(actor, subject, domain, settings, set(locals_), publications)


def push_domain(actor: Actor, domain: Domain) -> dnsclient.UpdateResult | None:
    """Every published address of the domain, in batches; the first failure is the result."""
    settings = domains.settings_of(domain)
    if not settings.can_push:
        return None
    publications = list(live_publications(domain))
    result = dnsclient.UpdateResult(True, "Nothing is published for this domain.")
    for start in range(0, len(publications), BATCH):
        batch = publications[start : start + BATCH]
        result = _push(actor, domain, domain, settings, set(), batch)
        if not result.ok:
            break
    return result


def _owned(domain: Domain, locals_: Iterable[str]) -> list[tuple[dns.name.Name, str]]:
    owned: list[tuple[dns.name.Name, str]] = []
    for local in sorted(locals_):
        owned += [item for item in records.owned_names(local, domain.name) if item not in owned]
    return owned


def _push(
    actor: Actor,
    subject: models.Model,
    domain: Domain,
    settings: DomainPublishing,
    locals_: set[str],
    publications: Sequence[Publication],
) -> dnsclient.UpdateResult:
    locals_ |= {local_part(p.certificate) for p in publications}
    wanted = records.rrsets(r for p in publications for r in zone_records(p.certificate, domain))
    try:
        server = dnsclient.parse_server(settings.update_server)
        message = dnsclient.update_message(
            records.domain_name(domain.name),
            domains.tsig_key(settings),
            wanted,
            _owned(domain, locals_),
        )
    except (PkiError, dnsclient.DnsError) as exc:
        result = dnsclient.UpdateResult(False, f"The update was not sent: {exc.message}")
    else:
        result = dnsclient.send_update(server, message)
    now = timezone.now()
    DomainPublishing.objects.filter(pk=settings.pk).update(
        last_push_at=now, last_push_ok=result.ok, last_push_detail=result.detail
    )
    Publication.objects.filter(pk__in=[p.pk for p in publications]).update(
        pushed_at=now, push_ok=result.ok, push_detail=result.detail
    )
    action = "dns.updated" if result.ok else "dns.update_failed"
    audit.record(actor, action, subject, server=settings.update_server, detail=result.detail)
    return result
