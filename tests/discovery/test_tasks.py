"""The daily DNS sweep runs in a real Celery worker against a real DNS server and mails the owner
once when records that were right go wrong."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from certificates.models import Domain, Notification
from discovery.models import Publication
from discovery.tasks import verify_due_publications
from tests.discovery.dnspeers import DnsPeers
from tests.peers import SmtpSink, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def sweep_now() -> None:
    """Make the check due and have the worker run beat's sweep."""
    before = Publication.objects.get().dns_checked_at
    Publication.objects.update(next_dns_check_at=timezone.now())
    verify_due_publications.delay()
    wait_until(lambda: Publication.objects.get().dns_checked_at != before)


def test_sweep_mails_the_owner_once_when_a_record_goes_missing(
    celery_worker: None,
    smtp_sink: SmtpSink,
    admin_api: Client,
    owner: Any,
    domain: Domain,
    published: dict[str, Any],
    dns_peers: DnsPeers,
    settings: Any,
) -> None:
    snippet = admin_api.get("/api/v1/domains/example.com/zone").content.decode()
    dns_peers.start(snippet)
    settings.DNS_RESOLVERS = [dns_peers.authoritative]

    sweep_now()
    assert Publication.objects.get().dns_state == "ok"
    assert smtp_sink.messages == []

    dns_peers.reload("")  # someone emptied the zone
    sweep_now()
    (message,) = smtp_sink.wait_for(1)
    assert message["To"] == owner.email
    assert message["Subject"] == (
        "DNS records of your published S/MIME certificate are missing or wrong"
    )
    text = message.get_payload()[0].get_payload(decode=True).decode()
    assert "TXT Alice.Example._smime.example.com.: missing." in text
    assert f"/certificates/{published['certificate_id']}/#publication" in text
    assert Publication.objects.get().dns_state == "problem"

    sweep_now()  # still wrong the next day: no second mail owed, none sent
    assert Notification.objects.filter(kind="dns_records_wrong").count() == 1
    assert len(smtp_sink.messages) == 1
    assert Publication.objects.get().next_dns_check_at > timezone.now()
