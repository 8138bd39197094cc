"""The certificate page: fields, downloads, PKCS#12 export with re-authentication, renew, revoke."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
from django.test import Client

from certificates.models import AuditEvent, Certificate, CertificateRequest
from certificates.services import status
from certificates.views import reauth
from tests.factories import OWNER_EMAIL, make_csr
from tests.views.conftest import text

ACCOUNT_PASSWORD = "alice-pass-1234"


def test_page_shows_the_certificate(owner_web: Client, issued: Certificate) -> None:
    page = text(owner_web.get(f"/certificates/{issued.pk}/"))
    for value in (
        OWNER_EMAIL,
        issued.serial_hex,
        issued.sha256_fingerprint,
        issued.spki_sha256,
        "Signing and encryption",
        "Trusted, to trust anchor “Test S/MIME Root”",
        "CN=Test S/MIME Issuing CA",
        "http://crl.test.invalid/issuing.crl",
        "Download PKCS#12",
        "Renew",
        "Declare revoked",
        "telling the CA remains the CA's process",
        "Certificate added",
    ):
        assert value in page, value
    assert "Untrusted root" not in page


@pytest.mark.parametrize(
    ("fmt", "content_type", "suffix"),
    [
        ("pem", "application/x-pem-file", ".pem"),
        ("der", "application/pkix-cert", ".crt"),
        ("chain", "application/x-pem-file", "-chain.pem"),
        ("p7b", "application/pkcs7-mime", ".p7b"),
    ],
)
def test_downloads(
    owner_web: Client, issued: Certificate, fmt: str, content_type: str, suffix: str
) -> None:
    response = owner_web.get(f"/certificates/{issued.pk}/download/{fmt}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    name = f"Alice.Example_example.com-{issued.serial_hex[:8]}{suffix}"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    leaf_der = bytes(issued.der)
    if fmt == "pem":
        assert (
            x509.load_pem_x509_certificate(response.content).public_bytes(
                serialization.Encoding.DER
            )
            == leaf_der
        )
    elif fmt == "der":
        assert response.content == leaf_der
    elif fmt == "chain":
        subjects = [
            c.subject.rfc4514_string() for c in x509.load_pem_x509_certificates(response.content)
        ]
        assert subjects[0].startswith("CN=Test S/MIME Issuing CA")
    else:
        certs = pkcs7.load_der_pkcs7_certificates(response.content)
        assert leaf_der in [c.public_bytes(serialization.Encoding.DER) for c in certs]


def test_unknown_download_format_is_404(owner_web: Client, issued: Certificate) -> None:
    assert owner_web.get(f"/certificates/{issued.pk}/download/zip").status_code == 404


def export(client: Client, cert: Certificate, **fields: str):  # type: ignore[no-untyped-def]
    form = {
        "password": "bundle-password-1",
        "confirm": "bundle-password-1",
        "profile": "modern",
        "account_password": ACCOUNT_PASSWORD,
        **fields,
    }
    return client.post(f"/certificates/{cert.pk}/pkcs12", form)


@pytest.mark.parametrize("profile", ["legacy", "modern"])
def test_pkcs12_download_in_both_profiles(
    owner_web: Client, issued: Certificate, profile: str
) -> None:
    response = export(owner_web, issued, profile=profile)
    assert response.status_code == 200, text(response)
    assert response["Content-Type"] == "application/x-pkcs12"
    assert response["Content-Disposition"] == (
        f'attachment; filename="Alice.Example_example.com-{issued.serial_hex[:8]}-{profile}.p12"'
    )
    bundle = pkcs12.load_pkcs12(response.content, b"bundle-password-1")
    assert bundle.key is not None and bundle.cert is not None
    assert bundle.cert.certificate.public_bytes(serialization.Encoding.DER) == bytes(issued.der)
    assert bundle.key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) == bundle.cert.certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert len(bundle.additional_certs) == 2
    event = AuditEvent.objects.get(action="key.exported")
    assert event.details["profile"] == profile and event.details["via"] == "web"


def test_wrong_account_password_is_403_and_not_audited(
    owner_web: Client, issued: Certificate
) -> None:
    response = export(owner_web, issued, account_password="wrong")
    assert response.status_code == 403
    assert "That is not your account password, so no bundle was made." in text(response)
    assert not AuditEvent.objects.filter(action="key.exported").exists()


def test_missing_account_password_is_403(owner_web: Client, issued: Certificate) -> None:
    response = export(owner_web, issued, account_password="")
    assert response.status_code == 403
    assert "exporting a private key needs it again" in text(response)
    assert not AuditEvent.objects.filter(action="key.exported").exists()


def test_recent_reauthentication_unlocks_a_second_export(
    owner_web: Client, issued: Certificate
) -> None:
    assert export(owner_web, issued).status_code == 200
    assert "you may leave it empty" in text(owner_web.get(f"/certificates/{issued.pk}/"))
    assert export(owner_web, issued, account_password="").status_code == 200
    session = owner_web.session
    session[reauth.SESSION_KEY] -= 10_000
    session.save()
    assert export(owner_web, issued, account_password="").status_code == 403
    assert AuditEvent.objects.filter(action="key.exported").count() == 2


def test_repeated_wrong_passwords_end_the_session(
    owner_web: Client, issued: Certificate, settings: Any
) -> None:
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        assert export(owner_web, issued, account_password="wrong").status_code == 403
    response = export(owner_web, issued, account_password="wrong")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert "from your address; you were logged out. Log in again after" in text(
        owner_web.get("/accounts/login/")
    )
    assert owner_web.get("/").status_code == 302


def test_empty_bundle_password_is_refused(owner_web: Client, issued: Certificate) -> None:
    response = export(owner_web, issued, password="", confirm="")
    assert response.status_code == 422
    assert "an empty password is refused" in text(response)
    assert not AuditEvent.objects.filter(action="key.exported").exists()


def test_short_bundle_password_is_refused_with_the_reason(
    owner_web: Client, issued: Certificate
) -> None:
    response = export(owner_web, issued, password="x", confirm="x")
    assert response.status_code == 422
    assert response["Content-Type"].startswith("text/html")
    assert "The bundle password needs at least 12 characters (this one has 1)" in text(response)
    assert "guess at it offline" in text(response)
    assert not AuditEvent.objects.filter(action="key.exported").exists()
    form = owner_web.get(f"/certificates/{issued.pk}/").content.decode()
    assert 'minlength="12"' in form and "At least 12 characters" in form


def test_bundle_passwords_must_match(owner_web: Client, issued: Certificate) -> None:
    response = export(owner_web, issued, confirm="other")
    assert response.status_code == 400
    assert "The two bundle passwords differ" in text(response)


def test_admin_cannot_export_an_employees_key(admin_web: Client, issued: Certificate) -> None:
    page = text(admin_web.get(f"/certificates/{issued.pk}/"))
    assert "only its owner, alice, can download it" in page
    response = export(admin_web, issued, account_password="carol-pass-1234")
    assert response.status_code == 403
    assert "Only the certificate's owner can export its private key." in text(response)


@pytest.mark.parametrize("mode", ["new", "reuse", "upload"])
def test_renew(owner_web: Client, issued: Certificate, mode: str) -> None:
    form = {"mode": mode, "key_type": "", "csr_pem": make_csr() if mode == "upload" else ""}
    response = owner_web.post(f"/certificates/{issued.pk}/renew", form)
    assert response.status_code == 302, text(response)
    renewal = CertificateRequest.objects.exclude(pk=issued.request_id).get()
    assert response["Location"] == f"/requests/{renewal.pk}/"
    assert renewal.renewal_of == issued and renewal.state == "csr_ready"
    assert (renewal.stored_key_id == issued.stored_key_id) == (mode == "reuse")
    assert renewal.key_source == ("upload" if mode == "upload" else "server")
    assert f"certificate #{issued.pk}" in text(owner_web.get(response["Location"]))


def test_renew_refusal_shows_the_sentence(owner_web: Client, issued: Certificate) -> None:
    response = owner_web.post(
        f"/certificates/{issued.pk}/renew",
        {"mode": "upload", "csr_pem": make_csr("bob@example.com")},
    )
    assert response.status_code == 422
    assert "This CSR is for bob@example.com" in text(response)
    assert CertificateRequest.objects.count() == 1


def test_declaring_revoked_asks_first_and_changes_nothing_until_confirmed(
    owner_web: Client, issued: Certificate
) -> None:
    form = {"reason": "Lost device", "details": "phone left on a train"}
    response = owner_web.post(f"/certificates/{issued.pk}/revoke", form)
    assert response.status_code == 200
    page = text(response)
    assert f"Declare certificate #{issued.pk} for {OWNER_EMAIL} revoked?" in page
    assert "Reason: Lost device: phone left on a train." in page and "cannot be undone" in page
    html = response.content.decode()
    assert 'name="confirmed" value="yes"' in html
    assert 'name="details" value="phone left on a train"' in html
    assert f'href="/certificates/{issued.pk}/"' in html  # "Keep it" goes back
    issued.refresh_from_db()
    assert issued.status == "active"
    assert not AuditEvent.objects.filter(action="certificate.revoked").exists()


def test_declare_revoked(owner_web: Client, issued: Certificate) -> None:
    response = owner_web.post(
        f"/certificates/{issued.pk}/revoke",
        {"reason": "Lost device", "details": "phone left on a train", "confirmed": "yes"},
    )
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.status == "revoked"
    assert issued.revocation_reason == "Lost device: phone left on a train"
    page = text(owner_web.get(f"/certificates/{issued.pk}/"))
    assert "Revoked" in page and "phone left on a train" in page
    assert "Declare revoked" not in page
    response = owner_web.post(
        f"/certificates/{issued.pk}/revoke", {"reason": "Lost device", "confirmed": "yes"}
    )
    assert response.status_code == 409
    assert "is already revoked" in text(response)


def test_other_reason_needs_words(owner_web: Client, issued: Certificate) -> None:
    response = owner_web.post(f"/certificates/{issued.pk}/revoke", {"reason": "other"})
    assert response.status_code == 422
    assert "Say why the certificate is revoked" in text(response)
    issued.refresh_from_db()
    assert issued.status == "active"


def test_home_lists_requests_and_certificates(
    owner_web: Client, issued: Certificate, colleague_web: Client
) -> None:
    page = text(owner_web.get("/"))
    assert OWNER_EMAIL in page and f"Request #{issued.request_id}" in page
    assert "Request a certificate" in page
    assert "Everyone" not in page
    assert OWNER_EMAIL not in text(colleague_web.get("/"))


def test_home_warns_about_expiring_certificates(
    owner_web: Client, issued: Certificate, admin_web: Client
) -> None:
    assert "Your certificate for" not in text(owner_web.get("/"))
    status.advance(issued.not_after - timedelta(days=10))  # the sweep, ten days before the end
    page = text(owner_web.get("/"))
    assert f"Your certificate for {OWNER_EMAIL} expires on" in page
    assert "Expiring soon" in page
    assert "open the dashboard" in text(admin_web.get("/"))
    status_filter = text(admin_web.get("/certificates/?status=expiring"))
    assert OWNER_EMAIL in status_filter and "1 certificate " in status_filter


@pytest.mark.parametrize(
    ("renewal_action", "still_warned"),
    [(None, False), ("cancel", True), ("reject", True)],
)
def test_only_an_open_or_issued_renewal_silences_the_expiry_warning(
    owner_web: Client,
    admin_web: Client,
    issued: Certificate,
    renewal_action: str | None,
    still_warned: bool,
) -> None:
    status.advance(issued.not_after - timedelta(days=10))
    response = owner_web.post(f"/certificates/{issued.pk}/renew", {"mode": "new"})
    renewal = CertificateRequest.objects.get(pk=int(response["Location"].split("/")[-2]))
    if renewal_action == "cancel":
        owner_web.post(f"/requests/{renewal.pk}/cancel")
    elif renewal_action == "reject":
        admin_web.post(f"/requests/{renewal.pk}/reject", {"reason": "wrong CA product"})
    renewal.refresh_from_db()
    assert (
        renewal.state
        == {None: "csr_ready", "cancel": "cancelled", "reject": "rejected"}[renewal_action]
    )
    warned = f"Your certificate for {OWNER_EMAIL} expires on" in text(owner_web.get("/"))
    assert warned is still_warned


def test_every_bundle_form_problem_is_reported_at_once(
    owner_web: Client, issued: Certificate
) -> None:
    response = export(owner_web, issued, password="short", confirm="short", account_password="")
    assert response.status_code == 422
    page = text(response)
    assert "The bundle password needs at least 12 characters (this one has 5)" in page
    assert "Type your account password: exporting a private key needs it again." in page
    assert "Check the bundle form below." in page
    assert not AuditEvent.objects.filter(action="key.exported").exists()
