"""End to end through the API: key and CSR -> signed by the test CA -> PKCS#12 -> real clients.

Each bundle is read back by OpenSSL 3 without -legacy, imported into a fresh NSS database and
validated there for S/MIME signing (Thunderbird's stack), imported (legacy) or refused (modern)
by gpgsm 2.2, and its key signs a message that verifies to the test root.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from tests.e2e import tools
from tests.factories import OWNER_EMAIL, OWNER_SUBJECT, issue_via_api, post_json, upload_certificate

PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.e2e
ALGORITHMS = {
    "legacy": (
        "MAC: sha1",
        "PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC",
        "Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC",
    ),
    "modern": (
        "MAC: sha256",
        "PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC",
        "Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC",
    ),
}
# What an openssl-req user types at the prompts of the blog's command (no "N/A" placeholders).
OPENSSL_REQ_ANSWERS = (
    "NL\nUtrecht\nUtrecht\nExample Org\nIT\nAlice Example\n" + OWNER_EMAIL + "\n\n\n"
)


@pytest.fixture
def root_pem(tmp_path: Path, test_ca) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / "root.pem"
    path.write_bytes(test_ca.root.public_bytes(serialization.Encoding.PEM))
    return path


def issue_server_key_certificate(owner_api, sign_csr, key_type: str) -> dict:  # type: ignore[no-untyped-def]
    created, cert = issue_via_api(
        owner_api, sign_csr, OWNER_EMAIL, key_type=key_type, subject=OWNER_SUBJECT
    )
    csr = owner_api.get(f"/api/v1/requests/{created['id']}/csr")
    assert csr["Content-Type"].startswith("application/pkcs10")
    assert csr.content.decode() == created["csr_pem"]  # the CSR that was signed
    assert cert["chain_verdict"] == "trusted"
    return cert


@pytest.mark.parametrize("key_type", ["rsa-3072", "ec-p256"])
@pytest.mark.parametrize("profile", ["legacy", "modern"])
def test_server_key_bundle_works_in_openssl_nss_and_gpgsm(
    owner_api,
    trust_anchor,
    sign_csr,
    root_pem,
    tmp_path,
    key_type,
    profile,  # type: ignore[no-untyped-def]
) -> None:
    cert = issue_server_key_certificate(owner_api, sign_csr, key_type)
    response = post_json(
        owner_api,
        f"/api/v1/certificates/{cert['id']}/pkcs12",
        {"password": PASSWORD, "profile": profile},
    )
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/x-pkcs12"
    bundle = tmp_path / f"{profile}.p12"
    bundle.write_bytes(response.content)

    info = tools.openssl_pkcs12_info(bundle, PASSWORD)
    for line in ALGORITHMS[profile]:
        assert line in info
    assert info.count("Certificate bag") == 3  # leaf, issuing CA, root

    key, leaf, cas = tools.openssl_extract(bundle, PASSWORD, tmp_path)
    verified = tools.smime_sign_and_verify(key, leaf, cas, root_pem, tmp_path)
    assert "Verification successful" in verified

    nickname = f"{OWNER_EMAIL} S/MIME {cert['not_after'][:10]}"
    assert "certificate is valid" in tools.nss_import_and_validate(
        bundle, PASSWORD, root_pem, nickname
    )

    if key_type.startswith("ec-"):
        return  # gpgsm 2.2.40 (Debian 12) segfaults on any EC key in a PKCS#12, openssl's too
    imported = tools.gpgsm_import(bundle, PASSWORD)
    if profile == "legacy":
        assert "secret keys imported: 1" in imported.stderr, imported.stderr
        assert "imported: 3" in imported.stderr  # leaf, issuing CA, root
        assert OWNER_EMAIL.lower() in imported.stdout.lower()
    else:
        assert imported.returncode != 0
        assert "error parsing or decrypting the PKCS#12 file" in imported.stderr
        assert "secret keys imported" not in imported.stderr


def test_openssl_req_csr_flow_and_compat_bundle(
    owner_api,
    trust_anchor,
    sign_csr,
    root_pem,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    # The blog's exact command, answered at its prompts.
    tools.run(
        "openssl",
        "req",
        "-out",
        tmp_path / "certificate.csr",
        "-newkey",
        "rsa:4096",
        "-nodes",
        "-sha256",
        "-keyout",
        tmp_path / "certificate.key",
        stdin=OPENSSL_REQ_ANSWERS,
    )
    created = post_json(
        owner_api,
        "/api/v1/requests",
        {
            "email": OWNER_EMAIL.lower(),
            "key_source": "upload",
            "subject": {},
            "csr_pem": (tmp_path / "certificate.csr").read_text(),
        },
    )
    assert created.status_code == 201, created.json()
    assert created.json()["key_type"] == "rsa-4096"
    assert created.json()["subject"]["organization"] == "Example Org"

    uploaded = upload_certificate(owner_api, sign_csr, created.json(), OWNER_EMAIL)
    refused = post_json(
        owner_api,
        f"/api/v1/certificates/{uploaded['id']}/pkcs12",
        {"password": PASSWORD, "profile": "legacy"},
    )
    assert refused.status_code == 409
    assert "openssl pkcs12 -export" in refused.json()["detail"]

    # The command the portal shows builds a bundle that gpgsm and NSS import.
    (tmp_path / "certificate.crt").write_bytes(
        owner_api.get(f"/api/v1/certificates/{uploaded['id']}/download?format=pem").content
    )
    (tmp_path / "chain.pem").write_bytes(
        owner_api.get(f"/api/v1/certificates/{uploaded['id']}/download?format=chain").content
    )
    command = refused.json()["detail"][refused.json()["detail"].index("openssl pkcs12") :].split()
    tools.run(*command, "-passout", f"pass:{PASSWORD}", "-name", "own key", cwd=tmp_path)
    bundle = tmp_path / command[command.index("-out") + 1]
    assert "pbeWithSHA1And3-KeyTripleDES-CBC" in tools.openssl_pkcs12_info(bundle, PASSWORD)
    assert "secret keys imported: 1" in tools.gpgsm_import(bundle, PASSWORD).stderr
    assert "certificate is valid" in tools.nss_import_and_validate(
        bundle, PASSWORD, root_pem, "own key"
    )
