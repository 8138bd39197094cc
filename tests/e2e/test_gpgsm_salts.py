"""gpgsm (2.2.40, Debian 12's) imports every legacy bundle the portal makes, on the server and
in the page, although its PKCS#12 key derivation misreads some salts; and it does fail on a
bundle whose salts the checker refuses, so the checker describes the real gpgsm."""

from __future__ import annotations

import base64
import itertools
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from certificates.pki import pkcs12
from certificates.pki.pkcs12_gpgsm import gpgsm_derives_right_keys, triple_des_parameters
from tests.e2e import tools
from tests.e2e.test_browser_keys import BUNDLE_PASSWORD, CRYPTO
from tests.pkcs12_kdf import salts
from tests.testca import SmimeTestCA

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PASSWORD = "correct horse battery staple"
READ = "secret keys read: 1"  # gpgsm decrypted the key bag (imported, or unchanged if seen)


@pytest.fixture
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(65537, 2048)  # gpgsm 2.2.40 crashes on EC keys in PKCS#12


@pytest.fixture
def entry(key: rsa.RSAPrivateKey, test_ca: SmimeTestCA) -> dict[str, Any]:
    leaf = test_ca.issue(key.public_key(), "alice@example.com", now=test_ca.now)
    return {"key": key, "cert": leaf, "chain": test_ca.chain, "friendly_name": "Alice"}


def write(folder: Path, bundles: list[bytes]) -> list[Path]:
    paths = [folder / f"bundle-{number}.p12" for number in range(len(bundles))]
    for path, data in zip(paths, bundles, strict=True):
        path.write_bytes(data)
    return paths


def test_gpgsm_imports_every_one_of_30_legacy_bundles_the_server_builds(
    entry: dict[str, Any], tmp_path: Path
) -> None:
    # Before salts were chosen, about one in 30 to 60 of these failed.
    bundles = [pkcs12.build_pkcs12(**entry, password=PASSWORD, profile="legacy") for _ in range(30)]
    reports = tools.gpgsm_import_each(write(tmp_path, bundles), PASSWORD)
    failed = [number for number, report in enumerate(reports) if READ not in report]
    assert not failed, f"gpgsm could not read bundles {failed}: {reports[failed[0]]}"


def test_gpgsm_fails_on_a_bundle_whose_salts_the_checker_refuses(
    entry: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pkcs12, "gpgsm_derives_right_keys", lambda data, password: True)
    builds = (
        pkcs12.build_pkcs12(**entry, password=PASSWORD, profile="legacy") for _ in range(5000)
    )
    misread = next(data for data in builds if not gpgsm_derives_right_keys(data, PASSWORD))
    (bundle,) = write(tmp_path, [misread])
    report = tools.gpgsm_import(bundle, PASSWORD).stderr
    assert "decryption failed; trying charset" in report and READ not in report, report
    assert "Shrouded Keybag" in tools.openssl_pkcs12_info(bundle, PASSWORD)  # OpenSSL reads it


def test_gpgsm_refuses_bundle_passwords_over_31_characters(
    entry: dict[str, Any], tmp_path: Path
) -> None:
    # What the README tells gpgsm's users; minip12.c's string_to_key refuses longer ones.
    for password, read in (("p" * 31, True), ("p" * 32, False)):
        data = pkcs12.build_pkcs12(**entry, password=password, profile="legacy")
        (bundle,) = write(tmp_path, [data])
        report = tools.gpgsm_import(bundle, password).stderr
        assert (READ in report) == read and ("password too long" in report) != read, report


BUILD_IN_PAGE = """async ([url, pkcs8, certificate, chain, password, count, misread]) => {
  const lib = await import(url);
  const bytes = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  // The first 8-byte random draws, the builder's first 3DES salts, are salts gpgsm misreads.
  const offered = misread.map(bytes);
  const random = crypto.getRandomValues.bind(crypto);
  crypto.getRandomValues = (array) =>
    array.length === 8 && offered.length ? (array.set(offered.shift()), array) : random(array);
  const entry = {
    pkcs8: bytes(pkcs8).buffer,
    certificate: bytes(certificate).buffer,
    chain: chain.map((der) => bytes(der).buffer),
    friendlyName: "Alice",
    label: "the test certificate",
  };
  entry.spkiSha256 = await lib.publicKeyHash(entry.pkcs8);
  const bundles = [];
  for (let i = 0; i < count; i++) {
    const der = new Uint8Array(await lib.buildPkcs12([entry], password, "legacy"));
    bundles.push(btoa(String.fromCharCode(...der)));
  }
  return bundles;
}"""


def test_the_page_picks_salts_gpgsm_reads(
    live_server: Any, page: Any, entry: dict[str, Any], tmp_path: Path
) -> None:
    misread = list(itertools.islice(salts(BUNDLE_PASSWORD, 2048, gpgsm_reads=False), 2))
    der = serialization.Encoding.DER
    page.goto(f"{live_server.url}/accounts/login/")
    encoded = page.evaluate(
        BUILD_IN_PAGE,
        [
            CRYPTO,
            base64.b64encode(
                entry["key"].private_bytes(
                    der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
            ).decode(),
            base64.b64encode(entry["cert"].public_bytes(der)).decode(),
            [base64.b64encode(c.public_bytes(der)).decode() for c in entry["chain"]],
            BUNDLE_PASSWORD,
            12,
            [base64.b64encode(salt).decode() for salt in misread],
        ],
    )
    bundles = [base64.b64decode(text) for text in encoded]
    used = {found.salt for data in bundles for found in triple_des_parameters(data)}
    assert len(used) == 2 * len(bundles) and not used & set(misread)
    assert all(gpgsm_derives_right_keys(data, BUNDLE_PASSWORD) for data in bundles)
    reports = tools.gpgsm_import_each(write(tmp_path, bundles), BUNDLE_PASSWORD)
    assert all(READ in report for report in reports), reports
