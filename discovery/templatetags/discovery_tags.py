"""The publishing card on the certificate page (certificates' template includes
discovery/certificate_publication.html, which uses this tag, so certificates never imports
discovery)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from certificates.models import Certificate
from certificates.services.errors import ServiceError
from discovery import records
from discovery.services import domains, publishing
from discovery.services.published import all_records, in_zone, local_part, url

register = template.Library()


@register.inclusion_tag("discovery/_publication_card.html", takes_context=True)
def publication_card(context: template.Context, cert: Certificate) -> dict[str, Any]:
    card: dict[str, Any] = {"cert": cert, "csrf_token": context.get("csrf_token")}
    publication = publishing.publication_of(cert)
    if publication is None:
        try:
            publishing.publishable_domain(cert, timezone.now())
        except ServiceError as exc:
            card["refusal"] = exc.detail
        return card
    domain = publication.domain
    found = all_records(cert, domain)
    local = local_part(cert)
    card.update(
        publication=publication,
        url=url(cert, domain),
        pem_url=url(cert, domain, ".pem"),
        records=[{**r.as_dict(), "in_zone": in_zone(r, domain)} for r in found],
        smimea_label=records.smimea_hash_label(local) if domain.dnssec_signed else "",
        smimea_command=records.smimea_owner_command(local),
        can_push=domains.settings_of(domain).can_push,
    )
    return card
