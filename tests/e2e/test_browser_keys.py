"""Keys born in the browser, end to end in Debian's chromium: the page makes the key and CSR,
the test CA signs the CSR, the page builds the PKCS#12 in both profiles, and OpenSSL 3, NSS
(pk12util) and gpgsm (legacy, RSA) read what it built; the key backup opens with openssl.
Every request the page made is recorded, and none carries the private key in any encoding;
the database holds none either.
"""

from __future__ import annotations

import base64
import re
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.apps import apps
from django.core import serializers

from certificates.models import Certificate, CertificateRequest, EncryptedKeyCopy, StoredKey
from tests.e2e import tools
from tests.e2e.conftest import PageLog, log_in
from tests.e2e.test_interop import ALGORITHMS
from tests.factories import OWNER_EMAIL

pytestmark = pytest.mark.e2e

KEY_PASSPHRASE = "key passphrase for the test"
BUNDLE_PASSWORD = "bundle pässword 42"
CRYPTO = "/static/js/dist/browser-keys.js"


@pytest.fixture
def root_pem(tmp_path: Path, test_ca: Any) -> Path:
    path = tmp_path / "root.pem"
    path.write_bytes(test_ca.root.public_bytes(serialization.Encoding.PEM))
    return path


def generate_in_page(
    scope: Any, key_type: str, *, keep_copy: bool = False, passphrase: str = KEY_PASSPHRASE
) -> None:
    """Make a key with the keygen controls inside ``scope`` (a page or a part of one)."""
    scope.locator("[data-keygen-type]").select_option(key_type)
    scope.get_by_label("Key passphrase", exact=True).fill(passphrase)
    scope.get_by_label("Key passphrase again").fill(passphrase)
    if keep_copy:
        scope.get_by_label("Also keep the encrypted key on the portal").check()
    scope.get_by_role("button", name="Generate the key").click()


def download(page: Any, button: str, folder: Path) -> Path:
    with page.expect_download() as info:
        page.get_by_role("button", name=button).click()
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    return path


def fill_bundle_form(
    page: Any, profile: str, key_file: Path | None = None, passphrase: str = KEY_PASSPHRASE
) -> None:
    bundle = page.locator("form[data-bundle]")
    bundle.locator(f"input[data-bundle-profile][value={profile}]").check()
    bundle.get_by_label("Key passphrase").fill(passphrase)
    if key_file is not None:
        bundle.get_by_label("Key backup file").set_input_files(str(key_file))
    bundle.get_by_label("Bundle password", exact=True).fill(BUNDLE_PASSWORD)
    bundle.get_by_label("Bundle password again").fill(BUNDLE_PASSWORD)


def build_bundle(page: Any, profile: str, folder: Path, key_file: Path | None = None) -> Path:
    fill_bundle_form(page, profile, key_file)
    return download(page, "Build PKCS#12 in this browser", folder)


def private_key_from_page(page: Any, spki_sha256: str) -> bytes:
    """The PKCS#8 DER of the key the page keeps, opened in the page itself (over the DevTools
    protocol, not HTTP), so the test knows what must never appear in a request."""
    encoded = page.evaluate(
        """async ([url, spki, passphrase]) => {
          const lib = await import(url);
          const record = await lib.findKey(spki);
          const der = new Uint8Array(await lib.decryptKey(record.encryptedKey, passphrase));
          return btoa(String.fromCharCode(...der));
        }""",
        [CRYPTO, spki_sha256, KEY_PASSPHRASE],
    )
    return base64.b64decode(encoded)


def encodings(der: bytes) -> dict[str, bytes]:
    pem = serialization.load_der_private_key(der, None).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    found = {
        "DER": der,
        "base64": base64.b64encode(der),
        "base64url": base64.urlsafe_b64encode(der).rstrip(b"="),
        "hex": der.hex().encode(),
        "HEX": der.hex().upper().encode(),
    }
    # Every full PEM line; the last is short and could match by chance, so it is left out.
    for number, line in enumerate(pem.splitlines()[1:-2]):
        found[f"PEM line {number + 1}"] = line
    return found


def assert_no_request_carries(log: PageLog, der: bytes) -> None:
    assert log.requests, "no request was recorded"
    for method, url, body in log.requests:
        readable = [url.encode(), body, urllib.parse.unquote_to_bytes(body.replace(b"+", b" "))]
        for name, needle in encodings(der).items():
            for text in readable:
                assert needle not in text, f"{method} {url} carries the private key ({name})"


def assert_database_holds_no_private_key(der: bytes) -> None:
    assert StoredKey.objects.count() == 0
    assert not CertificateRequest.objects.exclude(stored_key=None).exists()
    dump = "".join(
        serializers.serialize("json", model.objects.all()) for model in apps.get_models()
    ).encode()
    for name, needle in encodings(der).items():
        assert needle not in dump, f"the database holds the private key ({name})"


def request_in_page(
    page: Any, base_url: str, key_type: str, folder: Path, *, keep_copy: bool = False
) -> Path:
    """Fill in New certificate with a browser key and review it; the key is made on the review
    page. Returns the downloaded key backup."""
    page.goto(f"{base_url}/requests/new/")
    page.get_by_role("radio", name="Generate the key in this browser").check()
    page.get_by_label("Common name").fill("Alice Example")
    page.get_by_label("Given name").fill("Alice")
    page.get_by_label("Surname").fill("Example")
    page.get_by_role("button", name="Review the request").click()
    page.get_by_role("heading", name="Review your request").wait_for()
    generate_in_page(page, key_type, keep_copy=keep_copy)
    return download(page, "Download key backup", folder)


def send_and_issue(page: Any, sign_csr: Any, button: str = "Create request") -> Certificate:
    """Send the form, let the test CA sign the CSR, upload the certificate on the request page."""
    page.get_by_role("button", name=button).click()
    page.wait_for_url(re.compile(r"/requests/\d+/$"))
    request = CertificateRequest.objects.order_by("-pk").first()
    assert request is not None
    page.get_by_label("or paste the certificate (PEM)").fill(sign_csr(request.csr_pem))
    page.get_by_role("button", name="Upload the signed certificate").click()
    page.wait_for_url(re.compile(r"/certificates/\d+/$"))
    return Certificate.objects.get(request=request)


def key_matches_certificate(bundle: Path, workdir: Path) -> None:
    key, leaf, _cas = tools.openssl_extract(bundle, BUNDLE_PASSWORD, workdir)
    private = serialization.load_pem_private_key(key.read_bytes(), None)
    cert = x509.load_pem_x509_certificate(leaf.read_bytes())
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    assert private.public_key().public_bytes(*spki) == cert.public_key().public_bytes(*spki)


@pytest.mark.parametrize(("key_type", "keep_copy"), [("rsa-2048", True), ("ec-p256", False)])
def test_key_made_in_the_browser_never_leaves_it_and_bundles_for_real_clients(
    live_server: Any,
    page: Any,
    page_log: PageLog,
    owner: Any,
    trust_anchor: Any,
    sign_csr: Any,
    root_pem: Path,
    tmp_path: Path,
    key_type: str,
    keep_copy: bool,
) -> None:
    log_in(page, live_server.url, "alice")
    backup = request_in_page(page, live_server.url, key_type, tmp_path, keep_copy=keep_copy)
    assert backup.read_text().startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    opened = tools.run(
        "openssl", "pkey", "-in", backup, "-passin", f"pass:{KEY_PASSPHRASE}", "-noout", "-text"
    )
    assert ("modulus:" in opened.stdout) == key_type.startswith("rsa")
    wrong = tools.run("openssl", "pkey", "-in", backup, "-passin", "pass:wrong", check=False)
    assert wrong.returncode != 0

    cert = send_and_issue(page, sign_csr)
    request = cert.request
    assert request.key_source == "browser" and request.key_type == key_type
    assert request.stored_key is None and request.subject["common_name"] == "Alice Example"
    assert EncryptedKeyCopy.objects.filter(request=request).exists() == keep_copy
    assert cert.key_source == "browser" and cert.email == OWNER_EMAIL

    for profile in ("legacy", "modern"):
        bundle = build_bundle(page, profile, tmp_path)
        info = tools.openssl_pkcs12_info(bundle, BUNDLE_PASSWORD)
        for line in ALGORITHMS[profile]:
            assert line in info, f"{profile}: {line!r} not in {info}"
        workdir = tmp_path / profile
        workdir.mkdir()
        key_matches_certificate(bundle, workdir)
        verdict = tools.nss_import_and_validate(
            bundle, BUNDLE_PASSWORD, root_pem, f"{OWNER_EMAIL} S/MIME {cert.not_after:%Y-%m-%d}"
        )
        assert "certificate is valid" in verdict, verdict
        if profile == "legacy" and key_type.startswith("rsa"):
            imported = tools.gpgsm_import(bundle, BUNDLE_PASSWORD)
            assert "secret keys imported: 1" in imported.stderr, imported.stderr

    der = private_key_from_page(page, cert.spki_sha256)
    assert_no_request_carries(page_log, der)
    assert_database_holds_no_private_key(der)
    assert not [e for e in page_log.console_errors if "Content Security Policy" in e]
