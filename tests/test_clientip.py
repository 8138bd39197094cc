"""The audit's client address trusts exactly TRUSTED_PROXIES reverse proxies."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from portal.clientip import client_ip
from tests.factories import post_json


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.2"),  # no proxy trusted: the header is the client's own words
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # a spoofed hop left of the real one
        (2, "198.51.100.1, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.2"),  # fewer hops than proxies: fall back to the peer
        (1, "<script>", "10.0.0.2"),  # not an address: never stored as one
        (1, "2001:db8::7", "2001:db8::7"),
    ],
)
def test_client_ip_counts_trusted_proxies_from_the_right(
    settings,
    proxies: int,
    forwarded: str,
    expected: str,  # type: ignore[no-untyped-def]
) -> None:
    settings.TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == expected


def test_audit_events_record_the_forwarded_client(settings, owner_api, owner) -> None:  # type: ignore[no-untyped-def]
    from certificates.models import AuditEvent

    settings.TRUSTED_PROXIES = 1
    response = post_json(
        owner_api,
        "/api/v1/requests",
        {"email": owner.email, "key_source": "server", "key_type": "ec-p256", "subject": {}},
        HTTP_X_FORWARDED_FOR="203.0.113.50",
        REMOTE_ADDR="10.0.0.2",
    )
    assert response.status_code == 201
    event = AuditEvent.objects.get(action="request.created")
    assert (event.ip, event.actor_label, event.details["via"]) == ("203.0.113.50", "alice", "api")
