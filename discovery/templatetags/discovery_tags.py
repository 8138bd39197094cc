"""The publishing card on the certificate page and the publish action on My certificates
(certificates' templates include discovery/certificate_publication.html and
my_certificate_action.html, which use these tags, so certificates never imports discovery)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from certificates.models import Certificate
from certificates.pki.certinfo import KeyUsage
from certificates.services.errors import ServiceError
from certificates.services.status import USABLE
from discovery import records
from discovery.models import Publication
from discovery.services import domains, publishing
from discovery.services.published import listed_records, local_part, url

register = template.Library()


@register.inclusion_tag("discovery/_publication_card.html", takes_context=True)
def publication_card(context: template.Context, cert: Certificate) -> dict[str, Any]:
    card: dict[str, Any] = {
        "cert": cert,
        "csrf_token": context.get("csrf_token"),
        # The certificate page's next step is "share": Publish is its one primary action.
        "primary": context.get("next_step") == "share",
    }
    publication, refusal = _publication_or_refusal(cert)
    if publication is None:
        if refusal is not None:
            card["refusal"] = refusal
        return card
    domain = publication.domain
    local = local_part(cert)
    card.update(
        publication=publication,
        url=url(cert, domain),
        pem_url=url(cert, domain, ".pem"),
        records=listed_records(cert, domain),
        smimea_label=records.smimea_hash_label(local) if domain.dnssec_signed else "",
        smimea_command=records.smimea_owner_command(local),
        can_push=domains.settings_of(domain).can_push,
    )
    return card


@register.inclusion_tag("discovery/_publish_action.html", takes_context=True)
def publish_action(context: template.Context, cert: Certificate) -> dict[str, Any]:
    """A row of My certificates: "Published" (to the card), or a Publish button for a live
    certificate that can encrypt (publishing refuses the rest, saying why, on the card)."""
    return {
        "cert": cert,
        "csrf_token": context.get("csrf_token"),
        "published": publishing.publication_of(cert) is not None,
        "publishable": cert.status in USABLE and cert.key_usage != KeyUsage.SIGNING,
    }


def _publication_or_refusal(cert: Certificate) -> tuple[Publication | None, str | None]:
    """The certificate's publication; if it has none, why it cannot be published (None when
    it can)."""
    publication = publishing.publication_of(cert)
    if publication is not None:
        return publication, None
    try:
        publishing.publishable_domain(cert, timezone.now())
    except ServiceError as exc:
        return None, exc.detail
    return None, None


def _sharing(cert: Certificate) -> dict[str, Any]:
    """Where others can find the certificate: its published URL, or whether it can be
    published, or why not."""
    publication, refusal = _publication_or_refusal(cert)
    if publication is not None:
        return {"published_url": url(cert, publication.domain)}
    if refusal is not None:
        return {"refusal": refusal}
    return {"publishable": True}


@register.inclusion_tag("discovery/_next_step.html")
def sharing_next_step(cert: Certificate) -> dict[str, Any]:
    """The certificate page's next step once the certificate is installed: publish it."""
    return {"cert": cert, **_sharing(cert)}


@register.inclusion_tag("discovery/_sharing.html")
def sharing_hint(cert: Certificate) -> dict[str, Any]:
    """The install guides' "share your certificate" part for one certificate."""
    return {"cert": cert, **_sharing(cert)}
