"""Revocation checks against the real peers (openssl ocsp, openssl ca CRLs, an HTTP server),
run in this process: what each situation records on the certificate and in its history."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.contrib.auth.models import User
from django.utils import timezone

from certificates import notices
from certificates.models import AuditEvent, Certificate, CrlCache, Notification, RevocationCheck
from certificates.models.certificates import CertificateStatus
from certificates.pki.crl import MAX_CRL_BYTES
from certificates.services import issuance, revocation, revocation_sweep
from certificates.services.actor import Actor
from certificates.signals import certificate_invalidated
from tests.revocation_peers import OcspResponder, Peers, responder_certificate

pytestmark = pytest.mark.usefixtures("quick_passwords")
SYSTEM = Actor(user=None, via="command")
HOUR = timedelta(hours=1)
Tracked = Callable[..., Certificate]


def check(cert: Certificate) -> RevocationCheck:
    return revocation.check_now(SYSTEM, cert)


@pytest.fixture
def invalidated() -> Iterator[list[tuple[int, str]]]:
    seen: list[tuple[int, str]] = []

    def listen(sender: Any, certificate: Certificate, status: str, **_: Any) -> None:
        seen.append((certificate.pk, status))

    certificate_invalidated.connect(listen)
    yield seen
    certificate_invalidated.disconnect(listen)


def test_good_by_ocsp_is_recorded_with_the_next_check(tracked: Tracked) -> None:
    cert = tracked()
    result = check(cert)
    assert (result.status, result.method, result.via) == ("good", "ocsp", "command"), result.detail
    assert result.detail.startswith(f"OCSP {cert.ocsp_urls[0]}: Good according to the OCSP")
    cert.refresh_from_db()
    assert (cert.revocation_status, cert.revocation_method) == ("good", "ocsp")
    assert cert.revocation_checked_at == result.checked_at
    # openssl's answer has no nextUpdate: asked again after a day
    assert cert.revocation_due_at - result.checked_at > timedelta(hours=23)
    assert list(cert.revocation_checks.all()) == [result]


@pytest.mark.django_db(transaction=True)
def test_revoked_by_ocsp_revokes_the_certificate_and_owes_mail(
    tracked: Tracked,
    peers: Peers,
    owner: Any,
    admin: Any,
    invalidated: list[tuple[int, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    enqueued: list[int] = []  # the broker's side (tests/test_revocation_tasks.py sends them)
    monkeypatch.setattr(notices, "enqueue", enqueued.append)
    cert = tracked()
    peers.revoke(cert, "keyCompromise")
    result = check(cert)
    assert (result.status, result.method) == ("revoked", "ocsp")
    cert.refresh_from_db()
    assert cert.status == CertificateStatus.REVOKED
    assert cert.revocation_reason == "key compromise, according to the CA's OCSP responder"
    assert cert.revoked_at is not None and cert.revocation_method == "ocsp"
    assert cert.revocation_due_at is None
    assert invalidated == [(cert.pk, CertificateStatus.REVOKED)]
    event = AuditEvent.objects.get(action="certificate.revoked", object_id=str(cert.pk))
    assert event.details["method"] == "ocsp"
    owed = Notification.objects.filter(kind="revocation_found", event=event)
    # the owner, the certificate admin and the superuser who added the trust anchor
    assert sorted(n.recipient for n in owed) == sorted(
        [owner.email, admin.email, "root@example.com"]
    )
    assert sorted(enqueued) == sorted(n.pk for n in owed)  # on commit


def test_with_the_responder_stopped_the_crl_finds_the_revocation(
    tracked: Tracked, peers: Peers
) -> None:
    cert = tracked()
    peers.revoke(cert, "affiliationChanged")
    peers.publish_crl()
    peers.ocsp.stop()
    result = check(cert)
    assert (result.status, result.method) == ("revoked", "crl")
    assert result.detail.startswith("Revoked according to the CRL of ")
    assert f"at {peers.crl_url}: affiliation changed." in result.detail
    assert "OCSP: Could not connect to 127.0.0.1" in result.detail
    cert.refresh_from_db()
    assert cert.revocation_reason == "affiliation changed, according to the CA's CRL"


def test_with_both_gone_the_status_is_unknown_never_good(tracked: Tracked, peers: Peers) -> None:
    cert = tracked()
    check_before = timezone.now()
    peers.ocsp.stop()
    peers.files.stop()
    result = check(cert)
    assert (result.status, result.method) == ("unknown", "")
    assert "OCSP" in result.detail and "CRL" in result.detail
    cert.refresh_from_db()
    assert (cert.revocation_status, cert.status) == ("unknown", CertificateStatus.ACTIVE)
    assert (
        check_before + timedelta(minutes=59)
        < cert.revocation_due_at
        < check_before + timedelta(hours=2)
    )


def test_an_answer_signed_by_an_unrelated_key_is_not_trusted(
    tracked: Tracked, peers: Peers
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    peers.ocsp.sign_with(responder_certificate(peers.ca.ca, key, self_signed=True), key)
    peers.ocsp.restart()
    cert = tracked()
    result = check(cert)
    assert result.status == "unknown"
    assert "was not issued by the certificate's issuer" in result.detail
    assert "not trusted" in result.detail


def test_a_delegated_responder_is_trusted(tracked: Tracked, peers: Peers) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    peers.ocsp.sign_with(responder_certificate(peers.ca.ca, key), key)
    peers.ocsp.restart()
    assert check(tracked()).status == "good"


def test_a_crl_with_a_bad_signature_is_not_trusted(tracked: Tracked, peers: Peers) -> None:
    cert = tracked()
    peers.ocsp.stop()
    crl = bytearray(peers.ca.crl_der())
    crl[-3] ^= 0x01  # inside the signature value
    peers.files.files["/issuing.crl"] = bytes(crl)
    result = check(cert)
    assert result.status == "unknown"
    assert "does not carry a valid signature of 'CN=Test S/MIME Issuing CA" in result.detail
    assert "not trusted" in CrlCache.objects.get(url=peers.crl_url).error


@pytest.mark.parametrize(
    ("body", "unsized", "words"),
    [
        (b"\x30" * (MAX_CRL_BYTES + 1), False, "announces 20,971,521 bytes; the limit"),
        (b"\x30" * (MAX_CRL_BYTES + 1), True, "sent more; the limit for this fetch is 20,971,520"),
        (b"-----BEGIN X509 CRL-----\nMIIB\n-----END X509 CRL-----\n", False, "is PEM text"),
        (b"<html>moved</html>", False, "is not a DER-encoded CRL"),
    ],
)
def test_an_oversized_or_non_der_crl_is_refused_with_a_recorded_reason(
    tracked: Tracked, peers: Peers, body: bytes, unsized: bool, words: str
) -> None:
    cert = tracked()
    peers.ocsp.stop()
    peers.files.files["/issuing.crl"] = body
    if unsized:
        peers.files.unsized.add("/issuing.crl")
    result = check(cert)
    assert result.status == "unknown"
    assert words in result.detail
    cache = CrlCache.objects.get(url=peers.crl_url)
    assert words in cache.error and cache.der is None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/",
        "http://10.0.0.1/",
        "http://169.254.169.254/",
        "file:///etc/passwd",
    ],
)
def test_urls_to_private_networks_are_not_fetched_when_that_is_off(
    tracked: Tracked, peers: Peers, settings: Any, url: str
) -> None:
    url = url.format(port=peers.files.server_address[1])
    cert = tracked(ocsp_url=url, crl_url=url + "crl")
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = False
    result = check(cert)
    assert result.status == "unknown"
    refusal = "only http and https" if url.startswith("file:") else "private networks are off"
    assert result.detail.count(refusal) == 2  # the OCSP and the CRL URL
    assert sum(peers.files.hits.values()) == 0


def test_an_ocsp_answer_is_kept_until_its_next_update(tracked: Tracked, peers: Peers) -> None:
    peers.ocsp.stop()
    peers.ocsp = OcspResponder(peers.ca, extra=["-nmin", "60"])
    peers.ocsp.start()
    cert = tracked(ocsp_url=peers.ocsp.url)
    first = check(cert)
    assert first.status == "good" and first.next_update is not None
    peers.ocsp.stop()
    second = check(cert)
    assert (second.status, second.method) == ("good", "ocsp")
    assert "answer kept until" in second.detail
    cert.refresh_from_db()
    assert cert.revocation_due_at >= first.next_update.replace(second=0, microsecond=0)


def test_a_declared_revocation_is_not_undone_by_a_good_answer(tracked: Tracked, owner: Any) -> None:
    cert = issuance.declare_revoked(Actor(user=owner, via="test"), tracked(), "lost laptop")
    assert check(cert).status == "good"
    cert.refresh_from_db()
    assert (cert.status, cert.revocation_status, cert.revocation_method) == (
        CertificateStatus.REVOKED,
        "revoked",
        "declared",
    )


def test_a_certificate_without_a_stored_issuer_is_unknown(tracked: Tracked) -> None:
    cert = tracked()
    Certificate.objects.filter(pk=cert.pk).update(chain_pem="")
    cert.refresh_from_db()
    result = check(cert)
    assert (result.status, result.detail) == (
        "unknown",
        "The portal holds no issuer certificate for it, so no answer could be verified.",
    )


def test_the_sweep_reads_each_crl_once_and_checks_only_what_is_due(
    tracked: Tracked, peers: Peers
) -> None:
    peers.ocsp.stop()
    peers.publish_crl()
    people = [User.objects.create_user(f"user{n}", f"user{n}@example.com") for n in range(6)]
    certs = [tracked(person, ocsp_url=None) for person in people[:5]]
    later = tracked(people[5], ocsp_url=None)
    Certificate.objects.filter(pk=later.pk).update(
        revocation_due_at=timezone.now() + timedelta(days=1)
    )
    summary = revocation_sweep.sweep()
    assert (summary.checked, summary.crl_downloads) == (5, 1)
    assert summary.statuses["good"] == 5 and summary.methods == {"crl": 5}
    assert peers.files.hits["/issuing.crl"] == 1
    assert RevocationCheck.objects.filter(certificate__in=certs, via="sweep").count() == 5
    assert not RevocationCheck.objects.filter(certificate=later).exists()
    # A second sweep finds nothing due; a later check of a due certificate reuses the stored CRL.
    assert revocation_sweep.sweep().checked == 0
    Certificate.objects.filter(pk=later.pk).update(revocation_due_at=None)
    assert revocation_sweep.sweep().crl_downloads == 0
    assert peers.files.hits["/issuing.crl"] == 1


def test_a_batch_delivered_twice_checks_nothing_twice(tracked: Tracked) -> None:
    cert = tracked()
    planned = timezone.now()
    (ids,) = revocation_sweep.plan(planned)
    assert revocation_sweep.check_batch(ids, checked_before=planned).checked == 1
    assert revocation_sweep.check_batch(ids, checked_before=planned).checked == 0
    assert cert.revocation_checks.count() == 1


def test_a_sweep_frees_the_stored_crls_that_are_no_longer_current(db: None) -> None:
    now = timezone.now()
    CrlCache.objects.create(url="http://a.example/old.crl", der=b"old", valid_until=now)
    CrlCache.objects.create(url="http://a.example/new.crl", der=b"new", valid_until=now + HOUR)
    assert revocation_sweep.start(now + timedelta(seconds=1)) == []
    stored = dict(CrlCache.objects.values_list("url", "der"))
    assert stored["http://a.example/old.crl"] is None
    assert bytes(stored["http://a.example/new.crl"]) == b"new"
