"""services.status: the stored status and next check time follow a certificate's dates and
events, time moves them on through advance(), and every way a certificate stops being usable
is announced with certificate_invalidated. Time is moved with time-machine."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from certificates.models import AuditEvent, Certificate
from certificates.services import status
from certificates.signals import certificate_invalidated
from tests.factories import OWNER_EMAIL, SignCsr, create_server_request, post_json


@pytest.fixture
def announced() -> Iterator[list[tuple[int, str]]]:
    """(certificate id, status) for every certificate_invalidated sent."""
    sent: list[tuple[int, str]] = []

    def receive(sender: object, certificate: Certificate, status: str, **kwargs: Any) -> None:
        sent.append((certificate.pk, status))

    certificate_invalidated.connect(receive)
    yield sent
    certificate_invalidated.disconnect(receive)


def upload(client: Client, sign_csr: SignCsr, **options: Any) -> Certificate:
    request = create_server_request(client, OWNER_EMAIL)
    response = post_json(
        client,
        f"/api/v1/requests/{request['id']}/certificate",
        {"pem": sign_csr(request["csr_pem"], OWNER_EMAIL, **options)},
    )
    assert response.status_code == 201, response.content
    return Certificate.objects.get(pk=response.json()["id"])


def test_an_issued_certificate_stores_its_status_and_next_check(
    owner_api: Client, trust_anchor: object, sign_csr: SignCsr
) -> None:
    cert = upload(owner_api, sign_csr)
    assert cert.status == "active"
    assert cert.next_check_at == cert.not_after - timedelta(days=settings.EXPIRING_DAYS)
    short = upload(owner_api, sign_csr, days=10, key_usage="signing")
    assert (short.status, short.next_check_at) == ("expiring", short.not_after)


def test_advance_moves_due_certificates_from_active_to_expiring_to_expired(
    owner_api: Client,
    admin_api: Client,
    trust_anchor: object,
    sign_csr: SignCsr,
    announced: list[tuple[int, str]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    cert = upload(owner_api, sign_csr)
    with time_machine.travel(cert.next_check_at - timedelta(minutes=1), tick=False):
        assert status.advance(timezone.now()) == status.Advanced()  # not due yet
    with time_machine.travel(cert.next_check_at + timedelta(minutes=1), tick=False):
        assert status.advance(timezone.now()) == status.Advanced(expiring=1)
        assert status.advance(timezone.now()) == status.Advanced()  # done once
    cert.refresh_from_db()
    assert (cert.status, cert.next_check_at) == ("expiring", cert.not_after)
    # The API's filter and the admin's list filter read the same stored status.
    listed = admin_api.get("/api/v1/certificates", {"status": "expiring"}).json()
    assert [c["id"] for c in listed["items"]] == [cert.pk]
    assert announced == []

    with time_machine.travel(cert.not_after + timedelta(hours=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert status.advance(timezone.now()) == status.Advanced(expired=1)
    cert.refresh_from_db()
    assert (cert.status, cert.next_check_at) == ("expired", None)
    assert announced == [(cert.pk, "expired")]
    event = AuditEvent.objects.get(action="certificate.expired")
    assert (event.object_id, event.actor_label) == (str(cert.pk), "system")


def test_advance_catches_up_in_batches_after_missed_sweeps(
    owner_api: Client,
    trust_anchor: object,
    sign_csr: SignCsr,
    announced: list[tuple[int, str]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    # Signing-only and encryption-only certificates do not supersede each other, and the long
    # signing certificate comes first: a later, shorter one never supersedes it (nor it them,
    # whether or not the uploads fall within one second).
    certs = [
        upload(owner_api, sign_csr, key_usage=usage, days=days)
        for usage, days in (("signing", 400), ("signing", 40), ("encryption", 50))
    ]
    latest = max(c.not_after for c in certs[1:])
    with time_machine.travel(latest + timedelta(days=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert status.advance(timezone.now(), batch_size=1) == status.Advanced(expired=2)
    assert [c.status for c in Certificate.objects.order_by("pk")] == [
        "active",
        "expired",
        "expired",
    ]
    assert sorted(announced) == sorted((c.pk, "expired") for c in certs[1:])


def test_a_shorter_expiring_window_reschedules_instead_of_moving(
    owner_api: Client, trust_anchor: object, sign_csr: SignCsr, settings: Any
) -> None:
    cert = upload(owner_api, sign_csr)
    settings.EXPIRING_DAYS = 7
    with time_machine.travel(cert.next_check_at + timedelta(hours=1), tick=False):
        assert status.advance(timezone.now()) == status.Advanced(rescheduled=1)
    cert.refresh_from_db()
    assert (cert.status, cert.next_check_at) == ("active", cert.not_after - timedelta(days=7))


def test_revoked_and_superseded_are_announced_once_and_leave_the_sweep(
    owner_api: Client,
    trust_anchor: object,
    sign_csr: SignCsr,
    announced: list[tuple[int, str]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    old = upload(owner_api, sign_csr)
    with django_capture_on_commit_callbacks(execute=True):
        new = upload(owner_api, sign_csr, now=timezone.now() + timedelta(minutes=5))
    old.refresh_from_db()
    assert (old.status, old.next_check_at, old.superseded_by_id) == ("superseded", None, new.pk)
    with django_capture_on_commit_callbacks(execute=True):
        revoked = post_json(
            owner_api, f"/api/v1/certificates/{new.pk}/revoke", {"reason": "lost device"}
        )
    assert revoked.json()["status"] == "revoked"
    new.refresh_from_db()
    assert new.next_check_at is None
    assert announced == [(old.pk, "superseded"), (new.pk, "revoked")]
    with time_machine.travel(new.not_after + timedelta(days=1), tick=False):
        assert status.advance(timezone.now()) == status.Advanced()
