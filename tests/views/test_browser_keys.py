"""The page routes for keys made in a browser: the certificate material a page bundles, the
owner's key copy, the keys page, and the new-request form's browser option."""

from __future__ import annotations

import re
from typing import Any

from cryptography import x509
from django.test import Client

from certificates.forms import NEEDS_JAVASCRIPT
from certificates.models import CertificateRequest, EncryptedKeyCopy
from certificates.pki import pkcs12
from tests.api.test_browser_keys import browser_key, create
from tests.factories import OWNER_EMAIL, SignCsr, upload_certificate


def issue_browser_certificate(owner_api: Client, sign_csr: SignCsr, copy: bool) -> dict[str, Any]:
    csr, encrypted = browser_key()
    created = create(owner_api, csr_pem=csr, **({"encrypted_key": encrypted} if copy else {}))
    return upload_certificate(owner_api, sign_csr, created.json())


def test_material_gives_the_owner_certificate_chain_and_copy_url(
    owner_api: Client, owner_web: Client, sign_csr: SignCsr, trust_anchor: Any
) -> None:
    cert = issue_browser_certificate(owner_api, sign_csr, copy=True)
    material = owner_web.get(f"/certificates/{cert['id']}/browser-key.json").json()
    leaf = x509.load_pem_x509_certificate(material["certificate_pem"].encode())
    assert leaf.serial_number == int(cert["serial_hex"], 16)
    assert len(x509.load_pem_x509_certificates(material["chain_pem"].encode())) == 2
    assert material["friendly_name"].startswith(f"{OWNER_EMAIL} S/MIME ")
    assert material["spki_sha256"] == CertificateRequest.objects.get().spki_sha256
    request_id = CertificateRequest.objects.get().pk
    assert material["key_copy_url"] == f"/requests/{request_id}/encrypted-key"
    assert owner_web.get(material["key_copy_url"]).content.decode() == (
        EncryptedKeyCopy.objects.get().pem
    )
    listed = owner_web.get("/keys/certificates.json").json()["certificates"]
    assert [m["id"] for m in listed] == [cert["id"]]


def test_material_is_the_owners_alone(
    owner_api: Client,
    colleague_web: Client,
    admin_web: Client,
    sign_csr: SignCsr,
    trust_anchor: Any,
) -> None:
    cert = issue_browser_certificate(owner_api, sign_csr, copy=True)
    url = f"/certificates/{cert['id']}/browser-key.json"
    assert colleague_web.get(url).status_code == 404
    assert admin_web.get(url).status_code == 403
    request_id = CertificateRequest.objects.get().pk
    assert colleague_web.get(f"/requests/{request_id}/encrypted-key").status_code == 404
    assert admin_web.get(f"/requests/{request_id}/encrypted-key").status_code == 403
    assert colleague_web.get("/keys/certificates.json").json() == {"certificates": []}


def test_keys_page_lists_browser_key_certificates(
    owner_api: Client, owner_web: Client, sign_csr: SignCsr, trust_anchor: Any
) -> None:
    cert = issue_browser_certificate(owner_api, sign_csr, copy=False)
    page = owner_web.get("/keys/").content.decode()
    assert f"#{cert['id']}" in page
    assert "Back up all my keys" in page


def test_browser_option_without_javascript_says_it_needs_it(owner_web: Client) -> None:
    response = owner_web.post(
        "/requests/new/", {"email": OWNER_EMAIL, "key_source": "browser", "key_type": "rsa-3072"}
    )
    assert response.status_code == 400
    assert NEEDS_JAVASCRIPT in response.content.decode()
    assert not CertificateRequest.objects.exists()


def test_new_request_page_sends_the_browser_csr_and_copy(owner_web: Client) -> None:
    csr, encrypted = browser_key()
    response = owner_web.post(
        "/requests/new/",
        {
            "step": "create",
            "email": OWNER_EMAIL,
            "key_source": "browser",
            "key_type": "rsa-3072",
            "browser_csr_pem": csr,
            "encrypted_key": encrypted,
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    request = CertificateRequest.objects.get()
    assert request.key_source == "browser" and request.key_copy.pem == encrypted


def test_certificate_page_offers_the_browser_bundle_and_browser_renewal(
    owner_api: Client, owner_web: Client, admin_web: Client, sign_csr: SignCsr, trust_anchor: Any
) -> None:
    cert = issue_browser_certificate(owner_api, sign_csr, copy=False)
    page = owner_web.get(f"/certificates/{cert['id']}/").content.decode()
    assert "Build PKCS#12 in this browser" in page
    checked = re.search(r'<input type="radio" name="mode" value="(\w+)"[^>]* checked', page)
    assert checked is not None and checked.group(1) == "browser"
    # The bundle is built where the key is: an admin's page does not offer it.
    assert (
        "Build PKCS#12 in this browser"
        not in admin_web.get(f"/certificates/{cert['id']}/").content.decode()
    )


def secret_inputs(page: str) -> dict[str, str | None]:
    """The password inputs of a page by their data- marker, with their minlength (or None)."""
    found: dict[str, str | None] = {}
    for tag in re.findall(r'<input type="password"[^>]*>', page):
        marker = re.search(r"data-([\w-]+)", tag)
        length = re.search(r'minlength="(\d+)"', tag)
        assert marker is not None, tag
        found[marker.group(1)] = length.group(1) if length else None
    return found


def test_secrets_chosen_in_the_browser_need_the_bundle_password_minimum(
    owner_api: Client, owner_web: Client, sign_csr: SignCsr, trust_anchor: Any
) -> None:
    """A key passphrase and a browser-built bundle's password guard files anyone could attack
    offline, as the portal's own bundle does: the same minimum, from pki.pkcs12. The passphrase
    that opens a key already made has none: it is whatever was chosen then."""
    cert = issue_browser_certificate(owner_api, sign_csr, copy=False)
    minimum = str(pkcs12.MIN_PASSWORD_LENGTH)
    page = owner_web.get(f"/certificates/{cert['id']}/").content.decode()
    assert secret_inputs(page) == {
        "key-passphrase": None,
        "bundle-password": minimum,
        "bundle-again": minimum,
        "keygen-passphrase": minimum,
        "keygen-again": minimum,
    }
    assert f"At least {minimum} characters, for example a few words" in page
    keys_page = owner_web.get("/keys/").content.decode()
    assert secret_inputs(keys_page) == {
        "key-passphrase": None,
        "bundle-password": minimum,
        "bundle-again": minimum,
    }


def checked_browser_profile(page: str) -> list[str]:
    return re.findall(r'name="browser_profile" value="(\w+)"[^>]* checked', page)


def test_a_guides_profile_link_chooses_the_format_of_the_browser_built_bundle(
    owner_api: Client, owner_web: Client, sign_csr: SignCsr, trust_anchor: Any
) -> None:
    cert = issue_browser_certificate(owner_api, sign_csr, copy=False)
    url = f"/certificates/{cert['id']}/"
    assert checked_browser_profile(owner_web.get(f"{url}?profile=modern").content.decode()) == [
        "modern"
    ]
    for asked in ("legacy", "", "no-such-profile"):
        page = owner_web.get(f"{url}?profile={asked}").content.decode()
        assert checked_browser_profile(page) == ["legacy"], asked
    assert checked_browser_profile(owner_web.get(url).content.decode()) == ["legacy"]


def renewal_modes(page: str) -> list[str]:
    return re.findall(r'<input type="radio" name="mode" value="(\w+)"', page)


def test_a_renewal_offers_to_keep_the_key_only_when_the_portal_holds_it(
    owner_api: Client, owner_web: Client, sign_csr: SignCsr, trust_anchor: Any, issued: Any
) -> None:
    held = owner_web.get(f"/certificates/{issued.pk}/").content.decode()
    assert renewal_modes(held) == ["new", "reuse", "browser", "upload"]
    cert = issue_browser_certificate(owner_api, sign_csr, copy=True)
    url = f"/certificates/{cert['id']}/"
    assert renewal_modes(owner_web.get(url).content.decode()) == ["new", "browser", "upload"]
    assert "Keep the key the portal holds" not in owner_web.get(url).content.decode()
    # A page from before, or a hand-made form, still asks for it: refused, saying why.
    before = CertificateRequest.objects.count()
    response = owner_web.post(f"{url}renew", {"mode": "reuse", "key_type": ""})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Only a key the portal holds can be reused; renew with a new key instead." in page
    assert renewal_modes(page) == ["new", "browser", "upload"]
    assert CertificateRequest.objects.count() == before
