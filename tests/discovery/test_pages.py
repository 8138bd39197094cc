"""The publishing card on the certificate page, and the domain pages for certificate admins."""

from __future__ import annotations

import hashlib
from typing import Any

from django.test import Client

from certificates.models import AuditEvent, Certificate, CertificateAuthority, Domain
from discovery.models import DomainPublishing, Publication
from tests.views.conftest import text

PAGE = "/certificates/{}/"


def cert_of(issued_cert: dict[str, Any]) -> Certificate:
    return Certificate.objects.get(pk=issued_cert["id"])


def test_owner_publishes_from_the_certificate_page_and_sees_the_records(
    owner_web: Client, issued_cert: dict[str, Any], domain: Domain
) -> None:
    domain.dnssec_signed = True
    domain.save()
    cid = issued_cert["id"]
    page = text(owner_web.get(PAGE.format(cid)))
    assert "Publish for discovery" in page and "Publish its renewal in its place" in page
    response = owner_web.post(
        f"/certificates/{cid}/publish", {"follow_renewals": "on"}, follow=True
    )
    page = text(response)
    url = "https://example.com/.well-known/smime/Alice_Example.crt"
    assert f"Published: {url}" in page
    assert f'Alice.Example._smime.example.com. Copy name TXT 3600 "{url}" Copy value yes' in page
    label = hashlib.sha256(b"Alice.Example").hexdigest()[:56]
    assert f"{label}._smimecert.example.com. Copy name SMIMEA 3600 3 0 0 " in page
    assert "Why the SMIMEA name is a 56-digit hash" in page
    assert "printf %s Alice.Example | sha256sum | cut -c1-56" in page
    html = response.content.decode()
    assert html.count('class="copy small"') == 2 * 5  # name and value of TXT and 4 SMIMEA
    assert Publication.objects.get().follow_renewals is True


def test_withdraw_and_renewal_choice_from_the_page(
    owner_web: Client, published: dict[str, Any]
) -> None:
    cid = published["certificate_id"]
    response = owner_web.post(f"/certificates/{cid}/follow-renewals", {}, follow=True)
    assert "Its renewal will not be published automatically." in text(response)
    assert Publication.objects.get().follow_renewals is False
    response = owner_web.post(f"/certificates/{cid}/withdraw", follow=True)
    assert "Withdrawn." in text(response)
    assert not Publication.objects.exists()


def test_colleague_cannot_publish_or_withdraw(
    colleague_web: Client, issued_cert: dict[str, Any], published: dict[str, Any]
) -> None:
    cid = issued_cert["id"]
    for action in ("publish", "withdraw", "follow-renewals", "check-dns"):
        assert colleague_web.post(f"/certificates/{cid}/{action}").status_code == 404
    assert Publication.objects.exists()


def test_refusal_is_explained_on_the_page(owner_web: Client, issued_cert: dict[str, Any]) -> None:
    Certificate.objects.filter(pk=issued_cert["id"]).update(key_usage="signing")
    page = text(owner_web.get(PAGE.format(issued_cert["id"])))
    assert "This certificate cannot be published:" in page and "for signing only" in page


def test_domain_pages_are_for_admins(
    owner_web: Client, admin_web: Client, published: dict[str, Any]
) -> None:
    assert owner_web.get("/domains/").status_code == 403
    assert owner_web.get("/domains/example.com/").status_code == 403
    page = text(admin_web.get("/domains/"))
    assert "example.com https://example.com not signed 1" in page
    page = text(admin_web.get("/domains/example.com/"))
    assert "Alice.Example._smime.example.com. 3600 IN TXT" in page
    assert "Download zone snippet" in page
    assert admin_web.get("/domains/example.org/").status_code == 404


def test_zone_snippet_download(admin_web: Client, published: dict[str, Any]) -> None:
    response = admin_web.get("/domains/example.com/zone")
    assert response["Content-Disposition"] == 'attachment; filename="example.com-smime.zone"'
    assert b"Alice.Example._smime.example.com. 3600 IN TXT" in response.content


def test_admin_saves_settings_and_gets_the_caa_suggestion(
    admin_web: Client, domain: Domain
) -> None:
    form = {
        "smimea_forms": "full",
        "lowercase_owner": "on",
        "caa_issuers": "sectigo.com, ca.example.net",
        "update_server": "",
        "tsig_key_name": "",
        "tsig_algorithm": "hmac-sha256",
        "tsig_secret_text": "",
    }
    response = admin_web.post("/domains/example.com/", form, follow=True)
    page = text(response)
    assert "Publishing settings saved." in page
    assert 'example.com. Copy name CAA 3600 0 issuemail "sectigo.com" Copy value' in page
    assert 'example.com. 3600 IN CAA 0 issuemail "ca.example.net"' in page  # in the snippet
    settings = DomainPublishing.objects.get(domain=domain)
    assert settings.smimea_forms == "full"
    event = AuditEvent.objects.get(action="domain.publishing_changed")
    assert event.details["fields"] == ["caa_issuers", "smimea_forms"]


def test_the_caa_suggestion_names_the_ca_the_domain_orders_from(
    admin_web: Client, domain: Domain
) -> None:
    domain.certificate_authority = CertificateAuthority.objects.create(
        name="Sectigo", caa_issuemail="sectigo.com"
    )
    domain.save()
    page = text(admin_web.get("/domains/example.com/"))
    assert 'example.com. Copy name CAA 3600 0 issuemail "sectigo.com" Copy value' in page
    DomainPublishing.objects.create(domain=domain, caa_issuers="Sectigo.com, ca.example.net")
    zone = admin_web.get("/domains/example.com/zone").content.decode()
    assert zone.count("issuemail") == 2 and 'issuemail "ca.example.net"' in zone


def test_bad_settings_are_refused_with_the_reason_and_nothing_saved(
    admin_web: Client, domain: Domain
) -> None:
    form = {
        "smimea_forms": "both",
        "update_server": "dns.example.com",
        "tsig_key_name": "portal",
        "tsig_algorithm": "hmac-sha256",
        "tsig_secret_text": "c2VjcmV0",
    }
    response = admin_web.post("/domains/example.com/", form)
    assert response.status_code == 400
    assert "'dns.example.com' is not a DNS server address" in text(response)
    assert not DomainPublishing.objects.exists()


def test_django_admin_saves_settings_through_the_service_and_never_shows_the_secret(
    admin_web: Client, domain: Domain, settings: Any
) -> None:
    from django.contrib.auth.models import User

    User.objects.filter(username="carol").update(is_staff=True, is_superuser=True)
    form = {
        "domain": domain.pk,
        "smimea_forms": "both",
        "lowercase_owner": "on",
        "caa_issuers": "",
        "update_server": "192.0.2.53:5353",
        "tsig_key_name": "portal-update",
        "tsig_algorithm": "hmac-sha512",
        "tsig_secret_text": "c2VjcmV0LXNlY3JldA==",
    }
    response = admin_web.post("/admin/discovery/domainpublishing/add/", form)
    assert response.status_code == 302, text(response)
    stored = DomainPublishing.objects.get(domain=domain)
    assert stored.update_server == "192.0.2.53:5353" and stored.tsig_algorithm == "hmac-sha512"
    assert b"secret-secret" not in bytes(stored.tsig_secret)
    change = admin_web.get(f"/admin/discovery/domainpublishing/{domain.pk}/change/")
    assert "c2VjcmV0LXNlY3JldA" not in change.content.decode()
    event = AuditEvent.objects.get(action="domain.publishing_changed")
    assert event.details["via"] == "admin" and "tsig_secret" in event.details["fields"]
