"""What a publication puts out: its URL, its records (all, and those the domain's zone takes),
and a domain's zone snippet. Reads only; publishing.py changes things."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db.models import Count, QuerySet
from django.utils import timezone

from certificates.models import Certificate, Domain
from certificates.pki import emails
from certificates.services.status import USABLE
from discovery import records
from discovery.models import Publication, SmimeaForms
from discovery.services import domains

ZONE_KINDS = {
    SmimeaForms.BOTH: {records.Kind.SMIMEA_FULL, records.Kind.SMIMEA_KEY_HASH},
    SmimeaForms.FULL: {records.Kind.SMIMEA_FULL},
    SmimeaForms.KEY_HASH: {records.Kind.SMIMEA_KEY_HASH},
}


def local_part(cert: Certificate) -> str:
    return emails.split_address(cert.email)[0]


def url(cert: Certificate, domain: Domain, suffix: str = ".crt") -> str:
    return records.well_known_url(domains.base_url(domain), local_part(cert), suffix)


def all_records(cert: Certificate, domain: Domain) -> list[records.Record]:
    """TXT, and for DNSSEC-signed domains both SMIMEA forms (the publication lists both)."""
    address = records.Address(
        local=local_part(cert),
        domain=domain.name,
        base_url=domains.base_url(domain),
        ttl=domain.dns_ttl,
        certificate_der=bytes(cert.der),
    )
    return records.address_records(
        address,
        smimea=domain.dnssec_signed,
        lowercase_owner=domains.settings_of(domain).lowercase_owner,
    )


def in_zone(record: records.Record, domain: Domain) -> bool:
    """Whether the domain's settings put this record into its zone."""
    if record.kind not in (records.Kind.SMIMEA_FULL, records.Kind.SMIMEA_KEY_HASH):
        return True
    return record.kind in ZONE_KINDS[SmimeaForms(domains.settings_of(domain).smimea_forms)]


def listed_records(cert: Certificate, domain: Domain) -> list[dict[str, str | int | bool]]:
    """Every record as the card and the API list it: its fields, and whether the zone takes it."""
    return [{**r.as_dict(), "in_zone": in_zone(r, domain)} for r in all_records(cert, domain)]


def zone_records(cert: Certificate, domain: Domain) -> list[records.Record]:
    return [r for r in all_records(cert, domain) if in_zone(r, domain)]


def live_publications(domain: Domain) -> QuerySet[Publication]:
    return Publication.objects.filter(domain=domain).select_related("certificate", "domain")


def published_per_domain(domain_names: Sequence[str]) -> dict[str, int]:
    """How many live certificates are published in each of these mail domains: the admin
    dashboard's figure (registered with certificates.extensions in apps.py), one query."""
    rows = (
        Publication.objects.filter(domain__name__in=domain_names, certificate__status__in=USABLE)
        .values_list("domain__name")
        .annotate(published=Count("pk"))
    )
    return dict(rows)


def zone_text(domain: Domain, now: datetime | None = None) -> str:
    """Every published record of the domain and the suggested CAA records, as zone-file lines."""
    now = now or timezone.now()
    found = domains.caa_records(domain)
    for publication in live_publications(domain):
        found += zone_records(publication.certificate, domain)
    comment = (
        f"S/MIME discovery records for {domain.name}, made by the S/MIME portal at "
        f"{now:%Y-%m-%d %H:%M} UTC.\nPaste into the zone or load it with $INCLUDE; the zone's "
        "other records stay as they are."
    )
    return records.zone_snippet(found, comment)
