"""'Test my setup': one button mails the certificate's address a message the portal signs with
its own S/MIME identity and encrypts to the certificate. The mail is taken from a real SMTP
server, decrypted with the owner's key by OpenSSL and its signature verified against the
portal's certificate."""

from __future__ import annotations

import email
import email.policy
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.contrib.auth.models import User
from django.test import Client

from certificates.models import AuditEvent, Certificate, Notification
from certificates.pki import smime_identity
from certificates.services.setup_test import PER_HOUR
from tests.factories import OWNER_EMAIL, SignCsr, issue_via_api, post_json
from tests.peers import SmtpSink, wait_until
from tests.views.conftest import SENDER, text

BUNDLE_PASSWORD = "bundle password for the test"


def openssl(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["openssl", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result


def plain_text(path: Path) -> str:
    """The text part of the multipart/alternative the signature covers."""
    content = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert content.get_content_type() == "multipart/alternative"
    body = content.get_body(("plain",))
    assert body is not None
    return str(body.get_content())  # type: ignore[attr-defined]


def owner_key_pem(owner_api: Client, cert_id: int) -> bytes:
    """The owner's private key, out of a PKCS#12 export (the way it reaches a mail client)."""
    response = post_json(
        owner_api,
        f"/api/v1/certificates/{cert_id}/pkcs12",
        {"password": BUNDLE_PASSWORD, "profile": "modern"},
    )
    assert response.status_code == 200, response.content
    key = pkcs12.load_pkcs12(response.content, BUNDLE_PASSWORD.encode()).key
    assert key is not None
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@pytest.mark.django_db(transaction=True)
def test_the_test_message_opens_with_the_owners_key_and_is_signed_by_the_portal(
    celery_worker: None,
    smtp_sink: SmtpSink,
    identity_file: Path,
    owner_api: Client,
    owner_web: Client,
    sign_csr: SignCsr,
    trust_anchor: Any,
    tmp_path: Path,
) -> None:
    _, cert = issue_via_api(owner_api, sign_csr, OWNER_EMAIL, key_type="rsa-2048")
    response = owner_web.post(f"/certificates/{cert['id']}/test-mail")
    assert response.status_code == 302
    assert response["Location"] == f"/certificates/{cert['id']}/#setup-test"
    page = text(owner_web.get(response["Location"]))
    assert f"A test message is on its way to {OWNER_EMAIL}" in page
    assert "encrypted to this certificate" in page

    (message,) = smtp_sink.wait_for(1)
    assert message["X-Envelope-To"] == OWNER_EMAIL
    assert message["From"] == f"S/MIME portal <{SENDER}>"
    assert message["Subject"] == "Test message: your S/MIME certificate works"
    assert message.get_content_type() == "application/pkcs7-mime"
    raw = smtp_sink.raw[0]
    assert b"You are reading" not in raw  # encrypted

    (tmp_path / "mail.eml").write_bytes(raw)
    (tmp_path / "key.pem").write_bytes(owner_key_pem(owner_api, cert["id"]))
    leaf = Certificate.objects.get(pk=cert["id"])
    (tmp_path / "leaf.der").write_bytes(bytes(leaf.der))
    openssl("x509", "-inform", "DER", "-in", "leaf.der", "-out", "leaf.pem", cwd=tmp_path)
    openssl(
        "smime", "-decrypt", "-in", "mail.eml", "-recip", "leaf.pem", "-inkey", "key.pem",
        "-out", "decrypted.eml", cwd=tmp_path,
    )  # fmt: skip
    portal_cert = x509.load_pem_x509_certificates(identity_file.read_bytes())[0]
    (tmp_path / "portal.pem").write_bytes(portal_cert.public_bytes(serialization.Encoding.PEM))
    verified = openssl(
        "smime", "-verify", "-in", "decrypted.eml", "-CAfile", "portal.pem",
        "-purpose", "smimesign", "-out", "content.eml", cwd=tmp_path,
    )  # fmt: skip
    assert "Verification successful" in verified.stderr
    assert "You are reading the portal's test message" in plain_text(tmp_path / "content.eml")
    assert identity_file.stat().st_mode & 0o777 == 0o600
    event = AuditEvent.objects.get(action="certificate.test_mail_sent")
    assert event.details["encrypted"] is True and event.details["to"] == OWNER_EMAIL
    notice = Notification.objects.get(kind="setup_test")
    wait_until(lambda: Notification.objects.get(pk=notice.pk).sent_at is not None)


@pytest.mark.django_db(transaction=True)
def test_an_ec_certificate_gets_a_signed_message_and_the_page_says_why(
    celery_worker: None,
    smtp_sink: SmtpSink,
    identity_file: Path,
    owner_web: Client,
    issued: Certificate,
    tmp_path: Path,
) -> None:
    page = text(owner_web.get(f"/certificates/{issued.pk}/"))
    assert "can encrypt its test message to RSA certificates only" in page
    response = owner_web.post(f"/certificates/{issued.pk}/test-mail", follow=True)
    assert "A signed test message is on its way" in text(response)
    (message,) = smtp_sink.wait_for(1)
    assert message.get_content_type() == "multipart/signed"
    (tmp_path / "mail.eml").write_bytes(smtp_sink.raw[0])
    identity = smime_identity.load(identity_file.read_bytes(), identity_file.read_bytes())
    assert smime_identity.addresses(identity) == [SENDER]
    (tmp_path / "portal.pem").write_bytes(
        identity.certificate.public_bytes(serialization.Encoding.PEM)
    )
    verified = openssl(
        "smime", "-verify", "-in", "mail.eml", "-CAfile", "portal.pem", "-out", "content.eml",
        cwd=tmp_path,
    )  # fmt: skip
    assert "Verification successful" in verified.stderr
    assert "signed by the portal but not encrypted" in plain_text(tmp_path / "content.eml")


def test_the_page_explains_what_to_expect(
    owner_web: Client, issued: Certificate, identity_file: Path
) -> None:
    page = text(owner_web.get(f"/certificates/{issued.pk}/"))
    assert "Test my setup" in page and "Send me a test message" in page
    assert f"a test message from {SENDER}" in page
    assert "What to expect" in page and "If it does not open" in page
    assert "smime.p7m" in page
    assert not identity_file.exists()  # the page reads no identity: only the sender does


def test_only_the_owner_sends_it(
    colleague_web: Client, admin_web: Client, issued: Certificate, identity_file: Path
) -> None:
    assert colleague_web.post(f"/certificates/{issued.pk}/test-mail").status_code == 404
    response = admin_web.post(f"/certificates/{issued.pk}/test-mail")
    assert response.status_code == 403
    assert "Only the certificate's owner can send the test message" in text(response)
    assert not Notification.objects.filter(kind="setup_test").exists()


def test_a_revoked_certificate_is_not_tested(
    owner_web: Client, issued: Certificate, identity_file: Path
) -> None:
    owner_web.post(
        f"/certificates/{issued.pk}/revoke", {"reason": "Lost device", "confirmed": "yes"}
    )
    response = owner_web.post(f"/certificates/{issued.pk}/test-mail")
    assert response.status_code == 409
    assert "Only a certificate in use can be tested; this one is revoked." in text(response)


def test_without_an_identity_the_page_says_who_sets_one_up(
    owner_web: Client, issued: Certificate, settings: Any
) -> None:
    settings.PORTAL_SMIME_KEY = settings.PORTAL_SMIME_CERT = None
    settings.PORTAL_SMIME_GENERATED = None
    page = text(owner_web.get(f"/certificates/{issued.pk}/"))
    assert "Test messages are not set up on this portal" in page
    assert "Send me a test message" not in page
    response = owner_web.post(f"/certificates/{issued.pk}/test-mail")
    assert response.status_code == 409
    assert "PORTAL_SMIME_KEY and PORTAL_SMIME_CERT" in text(response)


def test_at_most_a_few_an_hour(
    owner_web: Client, issued: Certificate, identity_file: Path, owner: User
) -> None:
    for _ in range(PER_HOUR):
        assert owner_web.post(f"/certificates/{issued.pk}/test-mail").status_code == 302
    response = owner_web.post(f"/certificates/{issued.pk}/test-mail")
    assert response.status_code == 429
    assert "test messages were sent for this certificate in the last hour" in text(response)
    assert Notification.objects.filter(kind="setup_test").count() == PER_HOUR
