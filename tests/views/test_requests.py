"""The new-request form and the request page: CSR, downloads, refusals, transitions."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from certificates.models import AuditEvent, CertificateRequest, StoredKey
from certificates.pki.pkcs12 import pkcs12_compat_command
from tests.factories import OWNER_EMAIL, logged_in, make_csr, openssl_csr
from tests.views.conftest import new_request_form, text


def test_form_offers_both_key_sources_and_explains_rsa(owner_web: Client) -> None:
    response = owner_web.get("/requests/new/")
    page = text(response)
    assert "Let the portal generate my key" in page
    assert "Upload a CSR I made with openssl" in page
    assert "every mail client can both sign and encrypt with RSA" in page
    assert "some clients" in page and "cannot decrypt" in page
    assert "never type N/A, '-' or the like" in page and "leave it empty" in page
    assert "mailbox-validated" in page and "sponsor-validated" in page.lower()
    html = response.content.decode()
    assert f'value="{OWNER_EMAIL}"' in html
    assert '<option value="rsa-3072" selected>' in html
    assert "On behalf of" not in page
    # People who make their own key see how to bundle it later, without openssl's -legacy.
    assert pkcs12_compat_command() in page
    assert "-keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1" in page


def test_server_key_request_shows_its_csr(owner_web: Client, owner: User) -> None:
    response = owner_web.post("/requests/new/", new_request_form())
    assert response.status_code == 302
    req = CertificateRequest.objects.get(owner=owner)
    assert response["Location"] == f"/requests/{req.pk}/"
    page = owner_web.get(response["Location"])
    assert page.status_code == 200
    body = text(page)
    assert "CSR ready" in body
    assert "Alice Example" in body
    assert "sponsor" not in body and "individual-validated" in body
    assert req.csr_pem.strip().splitlines()[1] in page.content.decode()
    assert "Download .csr" in body
    assert "Request created" in body and "alice" in body
    csr = x509.load_pem_x509_csr(req.csr_pem.encode())
    assert csr.is_signature_valid
    assert StoredKey.objects.filter(owner=owner).count() == 1


def test_default_key_type_is_rsa_3072(owner_web: Client, owner: User) -> None:
    form = new_request_form()
    del form["key_type"]
    form["key_type"] = "rsa-3072"
    assert owner_web.post("/requests/new/", form).status_code == 302
    csr = x509.load_pem_x509_csr(CertificateRequest.objects.get().csr_pem.encode())
    assert csr.public_key().key_size == 3072  # type: ignore[union-attr]


def test_csr_download(owner_web: Client, server_request: CertificateRequest) -> None:
    response = owner_web.get(f"/requests/{server_request.pk}/csr")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pkcs10"
    assert response["Content-Disposition"] == (
        f'attachment; filename="request-{server_request.pk}.csr"'
    )
    assert response.content.decode() == server_request.csr_pem


@pytest.mark.parametrize("how", ["paste", "pem-file", "der-file"])
def test_uploaded_csr_is_accepted(owner_web: Client, owner: User, how: str) -> None:
    pem = make_csr()
    form = {"step": "create", "key_source": "upload", "email": OWNER_EMAIL, "key_type": "rsa-3072"}
    if how == "paste":
        form["csr_pem"] = pem
    else:
        data = pem.encode()
        if how == "der-file":
            data = x509.load_pem_x509_csr(data).public_bytes(serialization.Encoding.DER)
        form["csr_file"] = SimpleUploadedFile("certificate.csr", data)  # type: ignore[assignment]
    response = owner_web.post("/requests/new/", form)
    assert response.status_code == 302, text(response)
    req = CertificateRequest.objects.get(owner=owner)
    assert req.key_source == "upload" and req.key_type == "ec-p256"
    assert req.stored_key is None
    page = text(owner_web.get(response["Location"]))
    assert "-keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1" in page
    assert "-inform DER" in page


REFUSALS = [
    (
        {"key_source": "upload", "csr_pem": "SHA1"},
        "uses SHA-1, which CAs no longer accept",
    ),
    ({"organization": "N/A"}, "Organization 'N/A' is a placeholder"),
    ({"organizational_unit": "n/a"}, "is a placeholder"),
    ({"email": "bob@example.com"}, "is not the address of account 'alice'"),
    ({"email": "alice@elsewhere.org"}, "is not a mail domain this portal manages"),
    ({"email": "alice@☃.example"}, "is not a valid internationalised domain name"),
    (
        {"key_source": "upload", "csr_pem": "OTHER"},
        "This CSR is for bob@example.com, but this request is for",
    ),
    ({"key_source": "upload", "csr_pem": ""}, "Paste or upload the CSR"),
    ({"key_source": "upload", "csr_pem": "hello"}, "not a CSR in PEM or DER format"),
    ({"country": "Netherlands"}, "must be a two-letter ISO 3166 code"),
]


@pytest.mark.parametrize(("fields", "sentence"), REFUSALS)
def test_refusals_show_the_sentence_and_keep_what_was_typed(
    owner_web: Client, owner: User, fields: dict[str, str], sentence: str
) -> None:
    if fields.get("csr_pem") == "SHA1":
        fields = {**fields, "csr_pem": openssl_csr("-sha1")}
    elif fields.get("csr_pem") == "OTHER":
        fields = {**fields, "csr_pem": make_csr("bob@example.com")}
    form = new_request_form(locality="Utrecht", **fields)
    response = owner_web.post("/requests/new/", form)
    assert response.status_code == 422
    page = text(response)
    assert sentence in page
    assert 'value="Utrecht"' in response.content.decode()
    assert CertificateRequest.objects.count() == 0
    assert StoredKey.objects.count() == 0
    assert not AuditEvent.objects.filter(action="request.created").exists()


def test_admin_requests_on_behalf_of_an_employee(admin_web: Client, owner: User) -> None:
    page = text(admin_web.get("/requests/new/"))
    assert "On behalf of (username)" in page
    response = admin_web.post("/requests/new/", new_request_form(owner="alice"))
    assert response.status_code == 302
    req = CertificateRequest.objects.get()
    assert req.owner == owner and req.created_by.username == "carol"


def test_employee_cannot_request_on_behalf(owner_web: Client, colleague: User) -> None:
    response = owner_web.post(
        "/requests/new/", new_request_form(owner="bob", email="bob@example.com")
    )
    assert response.status_code == 422  # the owner field does not exist for employees
    assert CertificateRequest.objects.count() == 0


def test_admin_on_behalf_of_unknown_user(admin_web: Client, owner: User) -> None:
    response = admin_web.post("/requests/new/", new_request_form(owner="nobody"))
    assert response.status_code == 404
    assert "There is no active user named 'nobody'" in text(response)


def test_submit_then_cancel(owner_web: Client, server_request: CertificateRequest) -> None:
    url = f"/requests/{server_request.pk}"
    response = owner_web.post(f"{url}/submit", {"ca_name": "Sectigo", "order_ref": "ORD-42"})
    assert response.status_code == 302
    page = text(owner_web.get(f"{url}/"))
    assert "Submitted to CA" in page and "ORD-42" in page
    assert "Mark as submitted" not in page
    assert "Sent to the CA" in page
    assert owner_web.post(f"{url}/cancel").status_code == 302
    server_request.refresh_from_db()
    assert server_request.state == "cancelled"
    page = text(owner_web.get(f"{url}/"))
    assert "Upload the signed certificate" not in page and "Request cancelled" in page


def test_submit_needs_a_ca_name(owner_web: Client, server_request: CertificateRequest) -> None:
    response = owner_web.post(f"/requests/{server_request.pk}/submit", {"ca_name": " "})
    assert response.status_code == 422
    assert "Name the CA the CSR was sent to" in text(response)


@pytest.mark.parametrize(
    ("first", "then", "data"),
    [
        ("cancel", "cancel", {}),
        ("cancel", "submit", {"ca_name": "Sectigo"}),
        ("cancel", "certificate", {"pem": "x"}),
    ],
)
def test_transitions_not_in_the_table_answer_409(
    owner_web: Client,
    server_request: CertificateRequest,
    first: str,
    then: str,
    data: dict[str, str],
) -> None:
    url = f"/requests/{server_request.pk}"
    assert owner_web.post(f"{url}/{first}").status_code == 302
    response = owner_web.post(f"{url}/{then}", data)
    assert response.status_code == 409
    assert f"Request #{server_request.pk} is 'cancelled', so it cannot become" in text(response)


def test_submitted_twice_answers_409(owner_web: Client, server_request: CertificateRequest) -> None:
    url = f"/requests/{server_request.pk}/submit"
    assert owner_web.post(url, {"ca_name": "Sectigo"}).status_code == 302
    response = owner_web.post(url, {"ca_name": "Sectigo"})
    assert response.status_code == 409
    assert "is 'submitted', so it cannot become 'submitted' (only from 'csr_ready')." in text(
        response
    )


def test_only_admins_reject(
    owner_web: Client, admin_web: Client, server_request: CertificateRequest
) -> None:
    url = f"/requests/{server_request.pk}"
    assert "Reject (admin)" not in text(owner_web.get(f"{url}/"))
    response = owner_web.post(f"{url}/reject", {"reason": "no"})
    assert response.status_code == 403
    assert "Only certificate admins can do this." in text(response)
    assert "Reject (admin)" in text(admin_web.get(f"{url}/"))
    response = admin_web.post(f"{url}/reject", {"reason": ""})
    assert response.status_code == 422
    assert "Give the reason for the rejection" in text(response)
    assert admin_web.post(f"{url}/reject", {"reason": "Wrong department"}).status_code == 302
    page = text(owner_web.get(f"{url}/"))
    assert "Rejected by a certificate admin: Wrong department" in page


def test_the_form_prefills_the_account_address_and_warns_when_its_capitals_were_retyped(
    owner: User,
) -> None:
    erin = User.objects.create_user("erin", "erin.smith@Example.COM", password="erin-pass-1234")
    web = logged_in(erin)
    assert 'value="erin.smith@example.com"' in web.get("/requests/new/").content.decode()
    form = new_request_form(email="ERIN.SMITH@Example.com")
    page = web.post("/requests/new/", form, follow=True)
    assert page.status_code == 200
    assert (
        "You typed ERIN.SMITH@Example.com; the request uses the address as the account spells "
        "it, erin.smith@example.com (mail systems treat the two alike)."
    ) in text(page)
    request = CertificateRequest.objects.get(owner=erin)
    assert request.email == "erin.smith@example.com"
    csr = x509.load_pem_x509_csr(request.csr_pem.encode())
    san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.RFC822Name) == ["erin.smith@example.com"]
    # Typing the account's own spelling says nothing more.
    quiet = web.post(
        "/requests/new/", new_request_form(email="erin.smith@EXAMPLE.com"), follow=True
    )
    assert "You typed" not in text(quiet)
