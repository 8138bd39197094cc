"""A published certificate is never taken offline without a word: a new certificate that
supersedes it (a fresh request for the same address, not only Renew) takes its place in the
issuing transaction, the upload page says what happened, and publishing a certificate that
replaces a longer-lived published one asks first and names it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.test import Client

from certificates.models import AuditEvent, Certificate, CertificateRequest
from certificates.services import issuance, supersession
from certificates.services.actor import Actor
from discovery.models import Publication
from discovery.services import publishing
from tests.discovery.conftest import publish_via_api
from tests.factories import OWNER_EMAIL, SignCsr, create_server_request, issue_via_api
from tests.views.conftest import text


def _upload_on_the_page(web: Client, api: Client, sign_csr: SignCsr, **options: Any) -> Any:
    """A fresh request (not Renew) for the owner's address, its certificate uploaded on the
    request page: the page shown after the redirect."""
    created = create_server_request(api, OWNER_EMAIL)
    pem = sign_csr(created["csr_pem"], OWNER_EMAIL, **options)
    return web.post(f"/requests/{created['id']}/certificate", {"pem": pem}, follow=True)


def test_a_new_request_for_the_published_address_takes_its_place_without_a_gap(
    owner_web: Client,
    owner_api: Client,
    sign_csr: SignCsr,
    published: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    old = published["certificate_id"]
    row = Publication.objects.get()
    later = datetime.now(UTC) + timedelta(hours=1)  # issued later, so it supersedes the old one
    with django_capture_on_commit_callbacks(execute=True):
        page = _upload_on_the_page(owner_web, owner_api, sign_csr, now=later)
    new = Publication.objects.get()
    assert new.pk == row.pk  # the same row, pointed at the new certificate: never absent
    assert new.certificate_id != old
    assert f"It supersedes certificate #{old} " in text(page)
    assert f"Certificate #{new.certificate_id} is now published in place of #{old}" in text(page)
    withdrawn = AuditEvent.objects.filter(action="publication.withdrawn")
    assert [(e.object_id, e.details["reason"]) for e in withdrawn] == [
        (str(old), f"replaced by #{new.certificate_id}")
    ]


def test_an_owner_who_opted_out_is_told_the_old_one_was_withdrawn(
    owner_web: Client,
    owner_api: Client,
    sign_csr: SignCsr,
    issued_cert: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    old = issued_cert["id"]
    publish_via_api(owner_api, old, follow_renewals=False)
    later = datetime.now(UTC) + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        page = _upload_on_the_page(owner_web, owner_api, sign_csr, now=later)
    assert not Publication.objects.exists()
    new = AuditEvent.objects.filter(action="request.issued").latest("id").details["certificate"]
    assert (
        f"Certificate #{old} was withdrawn from discovery because it is superseded; "
        f"publish certificate #{new} below so senders find you again."
    ) in text(page)
    assert "now published in place" not in text(page)
    # Once committed the old publication is gone; the audit trail still tells the story.
    added = Certificate.objects.get(pk=new)
    assert publishing.notes_on_adding(added, [Certificate.objects.get(pk=old)]) == [
        f"Certificate #{old} was withdrawn from discovery because it is superseded; "
        f"publish certificate #{new} below so senders find you again."
    ]


def test_an_upload_beside_an_unpublished_certificate_says_nothing_about_publishing(
    owner_web: Client, owner_api: Client, sign_csr: SignCsr, issued_cert: dict[str, Any]
) -> None:
    later = datetime.now(UTC) + timedelta(hours=1)
    page = text(_upload_on_the_page(owner_web, owner_api, sign_csr, now=later))
    assert f"It supersedes certificate #{issued_cert['id']} " in page
    assert "published in place" not in page and "withdrawn from discovery" not in page


def test_publishing_a_shorter_lived_certificate_asks_before_replacing_the_published_one(
    owner_web: Client, owner_api: Client, sign_csr: SignCsr, published: dict[str, Any]
) -> None:
    longer = published["certificate_id"]
    later = datetime.now(UTC) + timedelta(hours=1)
    shorter = issue_via_api(owner_api, sign_csr, OWNER_EMAIL, now=later, days=30)[1]["id"]
    url = f"/certificates/{shorter}/publish"
    asked = owner_web.post(url, {"follow_renewals": "on"})
    assert asked.status_code == 200
    page = text(asked)
    assert f"Replace the published certificate #{longer}?" in page
    assert f"Publish #{shorter} in place of #{longer}" in page
    assert Publication.objects.get().certificate_id == longer  # nothing changed yet
    html = asked.content.decode()
    assert 'name="confirmed" value="yes"' in html and 'name="follow_renewals" value="on"' in html

    done = owner_web.post(url, {"follow_renewals": "on", "confirmed": "yes"}, follow=True)
    assert Publication.objects.get().certificate_id == shorter
    assert Publication.objects.get().follow_renewals is True
    assert f"It replaces certificate #{longer} (valid until " in text(done)


def test_publishing_a_longer_lived_certificate_replaces_at_once_and_names_the_old_one(
    owner_web: Client, owner_api: Client, sign_csr: SignCsr, published: dict[str, Any]
) -> None:
    shorter = published["certificate_id"]
    # Issued earlier but valid longer: it does not supersede, so both stay live.
    earlier = datetime.now(UTC) - timedelta(days=1)
    longer = issue_via_api(owner_api, sign_csr, OWNER_EMAIL, now=earlier, days=700)[1]["id"]
    done = owner_web.post(f"/certificates/{longer}/publish", {}, follow=True)
    assert Publication.objects.get().certificate_id == longer
    assert f"It replaces certificate #{shorter} (valid until " in text(done)


def test_the_api_names_the_certificate_a_publish_replaced(
    owner_api: Client, sign_csr: SignCsr, published: dict[str, Any]
) -> None:
    assert published["replaced_certificate_id"] is None
    later = datetime.now(UTC) + timedelta(hours=1)
    shorter = issue_via_api(owner_api, sign_csr, OWNER_EMAIL, now=later, days=30)[1]["id"]
    answer = publish_via_api(owner_api, shorter)
    assert answer["certificate_id"] == shorter
    assert answer["replaced_certificate_id"] == published["certificate_id"]
    again = publish_via_api(owner_api, shorter)  # already published: nothing replaced now
    assert again["replaced_certificate_id"] is None


def test_the_service_points_the_publication_at_the_new_certificate_before_commit(
    owner: Any,
    owner_api: Client,
    sign_csr: SignCsr,
    published: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The swap is part of the issuing transaction itself, not an after-commit step: with the
    after-commit work held back, the one publication row already shows the new certificate."""
    old = published["certificate_id"]
    created = create_server_request(owner_api, OWNER_EMAIL)
    later = datetime.now(UTC) + timedelta(hours=1)
    pem = sign_csr(created["csr_pem"], OWNER_EMAIL, now=later)
    request = CertificateRequest.objects.get(pk=created["id"])
    with django_capture_on_commit_callbacks(execute=False) as pending:
        new = issuance.attach_to_request(Actor(user=owner, via="web"), request, pem.encode())
        assert Publication.objects.get().certificate_id == new.pk
    assert pending  # the withdrawal of the old one and the propagation wait for commit
    superseded = list(supersession.superseded_by_adding(new))
    assert [c.pk for c in superseded] == [old]
    assert publishing.notes_on_adding(new, superseded) == [
        f"Certificate #{new.pk} is now published in place of #{old}: senders who look up "
        f"{new.email} find the new one."
    ]
