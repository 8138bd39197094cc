"""The guided new-request flow without a browser: the form prefilled from the account, the
review that makes nothing, the request made from what the review carries, every problem next
to its field, the suggested openssl command, and the ways a person arrives without a form."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from certificates.forms import NEEDS_JAVASCRIPT
from certificates.models import AuditEvent, CertificateAuthority, CertificateRequest, StoredKey
from certificates.pki.csr import openssl_request_command
from certificates.pki.subject import SubjectFields
from tests.factories import OWNER_EMAIL, OWNER_SUBJECT, logged_in, make_csr
from tests.views.conftest import new_request_form, text

FOUR_PLACEHOLDERS = [
    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "N/A"),
    x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "N/A"),
    x509.NameAttribute(NameOID.LOCALITY_NAME, "N/A"),
    x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "N/A"),
]
OPENSSL_EXAMPLES = [
    x509.NameAttribute(NameOID.COUNTRY_NAME, "AU"),
    x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Some-State"),
    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Internet Widgits Pty Ltd"),
]


def hidden_fields(response: Any) -> dict[str, str]:
    """What the review page's form sends back, as a browser reads its hidden inputs."""
    found = re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)"', response.content.decode()
    )
    return {name: html.unescape(value) for name, value in found}


def review(client: Client, **fields: Any) -> Any:
    response = client.post("/requests/new/", {**new_request_form(**fields), "step": "review"})
    assert response.status_code == 200, text(response)
    assert "Review your request" in text(response)
    return response


def press(client: Client, reviewed: Any, button: str) -> Any:
    """Send the review's form with one of its buttons ("create" or "change")."""
    data = {k: v for k, v in hidden_fields(reviewed).items() if k != "csrfmiddlewaretoken"}
    return client.post("/requests/new/", {**data, "step": button})


def field_errors(response: Any, field_id: str) -> list[str]:
    """The error sentences shown inside the field whose input has this id."""
    page = response.content.decode()
    start = page.index(f'id="{field_id}"')
    div, fieldset = (page.rfind(f'<{tag} class="field', 0, start) for tag in ("div", "fieldset"))
    block_start = max(div, fieldset)
    block_end = page.index("</fieldset>" if fieldset > div else "</div>", start)
    errors = re.findall(r'<p class="field-error">(.*?)</p>', page[block_start:block_end])
    return [html.unescape(error) for error in errors]


def summary(response: Any) -> list[str]:
    page = response.content.decode()
    block = page[page.index('id="problems"') :]
    block = block[: block.index("</div>")]
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", "", li)).split()) for li in
            re.findall(r"<li>(.*?)</li>", block)]  # fmt: skip


@pytest.fixture
def named_owner(owner: User) -> User:
    owner.first_name, owner.last_name = "Alice", "O'Brien"
    owner.save()
    return owner


def test_the_form_starts_from_the_account_name_and_address(
    named_owner: User, owner_web: Client
) -> None:
    form = owner_web.get("/requests/new/").context["form"]
    assert form["email"].value() == OWNER_EMAIL
    assert form["given_name"].value() == "Alice" and form["surname"].value() == "O'Brien"
    assert form["common_name"].value() == "Alice O'Brien"


def test_each_way_to_make_the_key_says_what_it_means(owner_web: Client) -> None:
    page = text(owner_web.get("/requests/new/"))
    assert "Simplest: the portal makes the key, keeps it encrypted" in page
    assert "The key never leaves your computer" in page
    assert "the portal only sees the certificate signing request (CSR)" in page
    assert "Review the request" in page and "Create the request" not in page


def test_the_subject_is_explained_in_plain_words_with_the_terms_aside(owner_web: Client) -> None:
    response = owner_web.get("/requests/new/")
    page = text(response)
    assert (
        "Only your address Leave every field empty. The CA checks only that you receive mail"
        in (page)
    )
    assert "Your name and address Fill in your given name and surname." in page
    assert '<small class="term">(individual-validated)</small>' in response.content.decode()
    assert "BR 7.1.4.2" not in page and "S/MIME Baseline Requirements 7.1.4.2" in page


def test_a_review_shows_what_will_be_made_and_makes_nothing(owner_web: Client) -> None:
    reviewed = review(owner_web, organization="Example BV")
    page = text(reviewed)
    assert "Address Alice.Example@example.com" in page
    assert "Let the portal generate my key: ECDSA P-256" in page
    assert "The certificate shows Your name, your organisation and address." in page
    assert "Organization Example BV" in page
    assert "Create request" in page and "Change" in page
    assert not CertificateRequest.objects.exists() and not StoredKey.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_form_sent_without_a_step_is_reviewed_not_made(owner_web: Client) -> None:
    data = new_request_form()
    del data["step"]
    response = owner_web.post("/requests/new/", data)
    assert response.status_code == 200 and "Review your request" in text(response)
    assert not CertificateRequest.objects.exists()


def test_create_request_makes_what_the_review_showed(owner_web: Client, owner: User) -> None:
    reviewed = review(owner_web, organization="Example BV", key_type="rsa-2048")
    made = press(owner_web, reviewed, "create")
    assert made.status_code == 302
    request = CertificateRequest.objects.get(owner=owner)
    assert made["Location"] == f"/requests/{request.pk}/"
    assert request.subject == {**OWNER_SUBJECT, "organization": "Example BV"}
    assert request.key_type == "rsa-2048" and request.key_source == "server"


def test_change_returns_to_the_form_with_what_was_typed(owner_web: Client) -> None:
    reviewed = review(owner_web, locality="Utrecht")
    back = press(owner_web, reviewed, "change")
    assert back.status_code == 200
    assert "Review the request" in text(back) and "Not done" not in text(back)
    assert back.context["form"]["locality"].value() == "Utrecht"
    assert not CertificateRequest.objects.exists()


def test_an_uploaded_file_is_reviewed_and_travels_as_its_pem_text(
    owner_web: Client, owner: User
) -> None:
    pem = make_csr()
    der = x509.load_pem_x509_csr(pem.encode()).public_bytes(serialization.Encoding.DER)
    data = {**new_request_form(key_source="upload"), "step": "review"}
    data["csr_file"] = SimpleUploadedFile("certificate.csr", der)  # type: ignore[assignment]
    reviewed = owner_web.post("/requests/new/", data)
    assert reviewed.status_code == 200, text(reviewed)
    assert "ec-p256, read from your CSR; the key stays with you" in text(reviewed)
    assert hidden_fields(reviewed)["csr_pem"] == pem
    assert press(owner_web, reviewed, "create").status_code == 302
    assert CertificateRequest.objects.get(owner=owner).csr_pem == pem


def test_a_browser_key_needs_the_page_script_before_the_review(owner_web: Client) -> None:
    refused = owner_web.post(
        "/requests/new/", {**new_request_form(key_source="browser"), "step": "review"}
    )
    assert refused.status_code == 400
    assert NEEDS_JAVASCRIPT in field_errors(refused, "id_key_source_0")
    reviewed = review(owner_web, key_source="browser", scripts="on")
    page = reviewed.content.decode()
    assert "Key passphrase again" in page and "Download key backup" in page
    assert "Generate the key in this browser: made below: generate it and save its backup" in text(
        reviewed
    )
    carried = hidden_fields(reviewed)
    assert carried["browser_csr_pem"] == "" and carried["given_name"] == "Alice"


def test_sending_one_review_twice_makes_one_request(owner_web: Client) -> None:
    reviewed = review(owner_web)
    first = press(owner_web, reviewed, "create")
    again = press(owner_web, reviewed, "create")
    assert first["Location"] == again["Location"]
    assert CertificateRequest.objects.count() == 1
    assert "This review already made request #" in text(owner_web.get(again["Location"]))


def test_two_tabs_review_and_make_their_own_requests(owner_web: Client) -> None:
    first_tab = review(owner_web, locality="Utrecht")
    second_tab = review(owner_web, locality="Delft")
    assert press(owner_web, second_tab, "create").status_code == 302
    assert press(owner_web, first_tab, "create").status_code == 302
    places = sorted(r.subject["locality"] for r in CertificateRequest.objects.all())
    assert places == ["Delft", "Utrecht"]


def test_a_form_sent_after_the_session_ended_leads_through_login_back_to_the_form(
    owner: User,
) -> None:
    web = logged_in(owner)
    web.logout()
    sent = web.post("/requests/new/", new_request_form())
    assert sent.status_code == 302
    assert sent["Location"] == "/accounts/login/?next=/requests/new/"
    assert not CertificateRequest.objects.exists()
    web.force_login(owner)
    assert "Review the request" in text(web.get("/requests/new/"))


def test_every_problem_of_an_uploaded_csr_is_next_to_the_csr_and_in_the_summary(
    owner_web: Client,
) -> None:
    csr = make_csr(extra=FOUR_PLACEHOLDERS)
    response = owner_web.post(
        "/requests/new/", {**new_request_form(key_source="upload", csr_pem=csr), "step": "review"}
    )
    assert response.status_code == 422
    beside = field_errors(response, "id_csr_pem")
    assert len(beside) == 4
    for label in ("Organization", "Organizational unit", "Locality", "State or province"):
        assert any(e.startswith(f"{label} 'N/A' is a placeholder") for e in beside), label
    listed = summary(response)
    assert len(listed) == 4 and all(item.startswith("Paste the CSR: ") for item in listed)
    assert "Not done: 4 problems to mend." in text(response)


def test_typed_problems_are_each_next_to_their_own_field(owner_web: Client) -> None:
    response = owner_web.post(
        "/requests/new/",
        new_request_form(organization="N/A", organizational_unit="-", country="Netherlands"),
    )
    assert response.status_code == 422
    assert field_errors(response, "id_organization")[0].startswith("Organization 'N/A' is a")
    assert field_errors(response, "id_organizational_unit")[0].startswith(
        "Organizational unit '-' is a placeholder"
    )
    assert "must be a two-letter ISO 3166 code" in field_errors(response, "id_country")[0]
    assert field_errors(response, "id_locality") == []
    assert '<a href="#id_organization">Organization</a>' in response.content.decode()


def test_an_address_problem_is_next_to_the_address(owner_web: Client) -> None:
    response = owner_web.post("/requests/new/", new_request_form(email="bob@example.com"))
    assert response.status_code == 422
    assert "is not the address of account 'alice'" in field_errors(response, "id_email")[0]


def test_openssl_example_answers_are_warned_about_at_review_and_on_the_request(
    owner_web: Client, owner: User
) -> None:
    csr = make_csr(extra=OPENSSL_EXAMPLES)
    reviewed = review(owner_web, key_source="upload", csr_pem=csr)
    assert "openssl's example answers" in text(reviewed)
    assert "the request can still be made" in text(reviewed)
    assert press(owner_web, reviewed, "create").status_code == 302
    request = CertificateRequest.objects.get(owner=owner)
    assert any("Internet Widgits Pty Ltd" in warning for warning in request.warnings)


def test_the_upload_option_shows_the_command_for_this_person(
    named_owner: User, owner_web: Client
) -> None:
    page = html.unescape(owner_web.get("/requests/new/").content.decode())
    fields = SubjectFields(common_name="Alice O'Brien", given_name="Alice", surname="O'Brien")
    command = openssl_request_command(fields, OWNER_EMAIL)
    assert command in page
    assert "-subj '/CN=Alice O'\"'\"'Brien/GN=Alice/SN=O'\"'\"'Brien/emailAddress=" in command
    assert f"-addext subjectAltName=email:{OWNER_EMAIL}" in command


def test_the_command_says_what_the_ca_product_needs_that_the_account_lacks(
    owner_web: Client, domain: Any
) -> None:
    domain.certificate_authority = CertificateAuthority.objects.create(
        name="Sectigo", profile="individual"
    )
    domain.save()
    page = text(owner_web.get("/requests/new/"))
    assert "also needs your given name, surname, which your account does not hold" in page


@pytest.mark.parametrize(
    ("address", "sentence"),
    [
        ("", "Your account has no email address"),
        ("erin@elsewhere.org", "is in a mail domain this portal does not manage"),
    ],
)
def test_an_account_without_a_usable_address_is_told_to_ask_an_admin(
    domain: Any, address: str, sentence: str
) -> None:
    web = logged_in(User.objects.create_user("erin", address, password="erin-pass-1234"))
    asked, sent = web.get("/requests/new/"), web.post("/requests/new/", new_request_form())
    assert (asked.status_code, sent.status_code) == (200, 409)
    for response in (asked, sent):
        page = text(response)
        assert sentence in page and "Ask a certificate admin" in page
        assert "Review the request" not in page and "<form" not in page.split("Log out")[-1]
    assert not CertificateRequest.objects.exists()


def test_an_admin_without_an_address_still_requests_for_others(admin: User, owner: User) -> None:
    admin.email = ""
    admin.save()
    web = logged_in(admin)
    assert "On behalf of (username)" in text(web.get("/requests/new/"))
    assert web.post("/requests/new/", new_request_form(owner="alice")).status_code == 302


def test_an_uploaded_csr_for_someone_else_is_reported_beside_the_csr_file(
    owner_web: Client,
) -> None:
    """Each of the file's problems beside the file, named in the summary by what the field is
    (not by its "or choose…" label), and nothing suggesting a request for the other address."""
    pem = make_csr("bob@example.com", extra=[x509.NameAttribute(NameOID.LOCALITY_NAME, "N/A")])
    data = {**new_request_form(key_source="upload"), "step": "review"}
    data["csr_file"] = SimpleUploadedFile("bob.csr", pem.encode())  # type: ignore[assignment]
    response = owner_web.post("/requests/new/", data)
    assert response.status_code == 422
    beside = field_errors(response, "id_csr_file")
    assert len(beside) == 2
    assert any(e.startswith("Locality 'N/A' is a placeholder") for e in beside)
    assert any(e.startswith("This CSR is for bob@example.com, but this request is") for e in beside)
    assert field_errors(response, "id_email") == []
    listed = summary(response)
    assert len(listed) == 2 and all(item.startswith("CSR file: ") for item in listed), listed
    assert "request a certificate for bob@example.com" not in text(response)
