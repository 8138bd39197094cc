"""Certificate authorities on the pages: admins keep the list; the request form asks for the
fields of the domain's CA profile, and the request page says where and how to send the CSR."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from django.test import Client

from certificates.models import AuditEvent, CertificateAuthority, CertificateRequest, Domain
from tests.factories import OWNER_EMAIL, make_csr, post_json
from tests.views.conftest import new_request_form, text


@pytest.fixture
def sectigo(domain: Domain) -> CertificateAuthority:
    authority = CertificateAuthority.objects.create(
        name="Sectigo",
        product="Personal Pro",
        profile="individual",
        submit_url="https://order.example/smime",
        instructions="Paste the CSR into the order form.",
    )
    domain.certificate_authority = authority
    domain.save()
    return authority


def test_admins_add_change_and_remove_cas_on_the_pages(admin_web: Client, domain: Domain) -> None:
    form = {"name": "HARICA", "profile": "mailbox", "submit_url": "order.example/harica"}
    added = admin_web.post("/authorities/", {**form, "domains": ["example.com"]}, follow=True)
    assert "HARICA is recorded." in text(added)
    authority = CertificateAuthority.objects.get()
    assert authority.submit_url == "https://order.example/harica"
    assert list(authority.domains.values_list("name", flat=True)) == ["example.com"]
    assert "Mailbox-validated (the address only)" in text(admin_web.get("/authorities/"))

    edit = admin_web.get(f"/authorities/{authority.pk}/")
    assert edit.status_code == 200
    assert 'value="example.com" id="id_domains_0" checked' in edit.content.decode()
    changed = admin_web.post(
        f"/authorities/{authority.pk}/",
        {**form, "profile": "sponsor", "caa_issuemail": "harica.gr"},
        follow=True,
    )
    assert "HARICA is saved." in text(changed)
    authority.refresh_from_db()
    assert authority.profile == "sponsor" and not authority.domains.exists()
    assert '0 issuemail "harica.gr"' in text(admin_web.get(f"/authorities/{authority.pk}/"))

    duplicate = admin_web.post("/authorities/", {"name": "harica", "profile": "mailbox"})
    assert duplicate.status_code == 409
    assert "already a certificate authority named" in text(duplicate)

    # A GET on the form's address (a session that ran out) leads to the CA's page: no 405.
    asked = admin_web.get(f"/authorities/{authority.pk}/delete", follow=True)
    assert asked.redirect_chain == [(f"/authorities/{authority.pk}/", 302)]
    assert "Nothing was changed" in text(asked) and CertificateAuthority.objects.exists()
    removed = admin_web.post(f"/authorities/{authority.pk}/delete", follow=True)
    assert "HARICA is removed" in text(removed)
    assert not CertificateAuthority.objects.exists()
    assert AuditEvent.objects.filter(action__startswith="authority.").count() == 3


def test_the_form_asks_exactly_what_the_profile_needs(
    owner_web: Client, sectigo: CertificateAuthority
) -> None:
    response = owner_web.get("/requests/new/")
    form = response.context["form"]
    asked = [field.name for field in form.subject_fields()]
    assert asked == [
        "common_name",
        "given_name",
        "surname",
        "country",
        "state_or_province",
        "locality",
    ]
    page = text(response)
    assert "get their certificates from Sectigo (Personal Pro)" in page
    assert "The certificate shows your name and address" in page
    assert "the individual-validated profile" in page
    assert "It needs your given name and surname" in page
    assert "Organization" not in page

    sectigo.profile = "mailbox"
    sectigo.save()
    mailbox = owner_web.get("/requests/new/")
    assert mailbox.context["form"].subject_fields() == []
    assert "there is nothing to fill in" in text(mailbox)


def test_a_subject_that_does_not_fit_the_profile_is_refused(
    owner_web: Client, owner_api: Client, sectigo: CertificateAuthority
) -> None:
    missing = owner_web.post("/requests/new/", new_request_form(given_name="", surname=""))
    assert missing.status_code == 422
    assert "individual-validated: fill in given name and surname" in text(missing)
    body = {
        "email": OWNER_EMAIL,
        "key_source": "server",
        "key_type": "ec-p256",
        "subject": {"given_name": "Alice", "surname": "Example", "organization": "Example BV"},
    }
    extra = post_json(owner_api, "/api/v1/requests", body)
    assert extra.status_code == 422
    assert "does not carry organization; leave it empty" in extra.json()["detail"]
    del body["subject"]["organization"]  # type: ignore[attr-defined]
    assert post_json(owner_api, "/api/v1/requests", body).status_code == 201
    assert not CertificateRequest.objects.filter(subject__organization="Example BV").exists()


def test_a_csr_that_does_not_fit_gets_a_warning_not_a_refusal(
    owner_api: Client, sectigo: CertificateAuthority
) -> None:
    body = {"email": OWNER_EMAIL, "key_source": "upload", "csr_pem": make_csr()}
    created = post_json(owner_api, "/api/v1/requests", body)
    assert created.status_code == 201
    assert any("fill in given name and surname" in w for w in created.json()["warnings"])


def test_a_browser_made_csr_must_fit_the_profile_like_a_server_made_one(
    owner_api: Client, sectigo: CertificateAuthority
) -> None:
    """The page builds it from the form's fields, which are the profile's: a CSR that does
    not fit did not come from that form."""
    body = {"email": OWNER_EMAIL, "key_source": "browser", "csr_pem": make_csr()}
    refused = post_json(owner_api, "/api/v1/requests", body)
    assert refused.status_code == 422
    assert "individual-validated: fill in given name and surname" in refused.json()["detail"]
    named = [
        x509.NameAttribute(NameOID.GIVEN_NAME, "Alice"),
        x509.NameAttribute(NameOID.SURNAME, "Example"),
    ]
    body["csr_pem"] = make_csr(extra=named)
    made = post_json(owner_api, "/api/v1/requests", body)
    assert made.status_code == 201 and made.json()["warnings"] == []
    assert CertificateRequest.objects.count() == 1


def test_a_mailbox_profile_makes_the_address_the_common_name(
    owner_api: Client, sectigo: CertificateAuthority
) -> None:
    sectigo.profile = "mailbox"
    sectigo.save()
    body = {"email": OWNER_EMAIL, "key_source": "server", "key_type": "ec-p256"}
    created = post_json(owner_api, "/api/v1/requests", body).json()
    csr = x509.load_pem_x509_csr(created["csr_pem"].encode())
    assert csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == OWNER_EMAIL
    assert not csr.subject.get_attributes_for_oid(NameOID.GIVEN_NAME)


def test_the_request_page_says_where_and_how_to_send_the_csr(
    owner_web: Client, sectigo: CertificateAuthority
) -> None:
    CertificateAuthority.objects.create(name="HARICA")
    made = owner_web.post("/requests/new/", new_request_form())
    assert made.status_code == 302, text(made)
    request = CertificateRequest.objects.get()
    response = owner_web.get(f"/requests/{request.pk}/")
    page = text(response)
    assert "send the CSR below to Sectigo" in page
    assert "Send the CSR to Sectigo Order Personal Pro, Individual-validated" in page
    assert "Paste the CSR into the order form." in page
    assert '<a href="https://order.example/smime"' in response.content.decode()
    choice = response.context["submit_form"]["ca_choice"]
    assert choice.value() == "Sectigo"
    assert [c[0] for c in choice.field.choices] == ["HARICA", "Sectigo", ""]

    sent = owner_web.post(
        f"/requests/{request.pk}/submit", {"ca_choice": "Sectigo", "order_ref": "7"}
    )
    assert sent.status_code == 302
    request.refresh_from_db()
    assert (request.ca_name, request.state) == ("Sectigo", "submitted")
    assert request.submitted_at is not None


def test_a_ca_not_in_the_list_is_typed(owner_web: Client, sectigo: CertificateAuthority) -> None:
    made = owner_web.post("/requests/new/", new_request_form())
    request = CertificateRequest.objects.get()
    assert made.status_code == 302
    owner_web.post(f"/requests/{request.pk}/submit", {"ca_choice": "", "ca_name": "Local CA"})
    request.refresh_from_db()
    assert request.ca_name == "Local CA"


def test_employees_cannot_open_the_ca_pages(
    owner_web: Client, sectigo: CertificateAuthority
) -> None:
    assert owner_web.get("/authorities/").status_code == 403
    assert owner_web.post("/authorities/", {"name": "Mine"}).status_code == 403
    assert owner_web.get(f"/authorities/{sectigo.pk}/").status_code == 403
    assert owner_web.post(f"/authorities/{sectigo.pk}/delete").status_code == 403
    assert CertificateAuthority.objects.count() == 1


def test_a_renewal_keeps_only_the_fields_the_profile_carries(
    owner_web: Client, issued: object, sectigo: CertificateAuthority
) -> None:
    sectigo.profile = "mailbox"  # the organisation switched to a mailbox-validated product
    sectigo.save()
    response = owner_web.post(f"/certificates/{issued.pk}/renew", {"mode": "new"})  # type: ignore[attr-defined]
    assert response.status_code == 302, text(response)
    renewal = CertificateRequest.objects.get(renewal_of=issued)
    assert renewal.subject == {}
    # a renewal with a key made in the browser gets the same subject to build its CSR from
    material = owner_web.get(f"/certificates/{issued.pk}/browser-key.json").json()  # type: ignore[attr-defined]
    assert not any(material["renewal_subject"].values())
    csr = x509.load_pem_x509_csr(renewal.csr_pem.encode())
    assert csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == OWNER_EMAIL
