"""Helpers for the API tests: requests made through the API, certificates signed by the test CA."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from django.test import Client
from django.utils import timezone

from certificates.models import TrustAnchor
from tests.testca import SmimeTestCA

OWNER_EMAIL = "Alice.Example@example.com"
Signer = Callable[..., str]


def post_json(client: Client, url: str, body: object | None = None) -> Any:
    return client.post(url, body if body is not None else {}, content_type="application/json")


def to_pem(*certs: x509.Certificate) -> str:
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in certs)


def make_csr(
    email: str = OWNER_EMAIL,
    *,
    key: Any = None,
    algorithm: hashes.HashAlgorithm | None = None,
    extra: list[x509.NameAttribute] | None = None,
) -> str:
    """A CSR made the way openssl would, independent of the code under test."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Alice Example"),
            *(extra or []),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, email),
        ]
    )
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(name)
        .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False)
        .sign(key, algorithm or hashes.SHA256())
    )
    return csr.public_bytes(serialization.Encoding.PEM).decode()


def openssl_csr(*args: str, email: str = OWNER_EMAIL) -> str:
    """A CSR from the real openssl CLI (which, unlike cryptography, still signs with SHA-1)."""
    with tempfile.TemporaryDirectory() as folder:
        result = subprocess.run(
            [
                "openssl",
                "req",
                "-new",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "key.pem",
                "-subj",
                f"/CN=Alice Example/emailAddress={email}",
                "-addext",
                f"subjectAltName=email:{email}",
                *args,
            ],
            cwd=folder,
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )
    return result.stdout


def rsa_key(bits: int) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


@pytest.fixture
def sign(test_ca: SmimeTestCA) -> Signer:
    """sign(csr_pem, email=OWNER_EMAIL, chain=True, **issue_kwargs) -> PEM of leaf (+ chain)."""

    def _sign(csr_pem: str, email: str = OWNER_EMAIL, *, chain: bool = True, **kw: Any) -> str:
        csr = x509.load_pem_x509_csr(csr_pem.encode())
        kw.setdefault("now", timezone.now())
        leaf = test_ca.issue(csr, email, **kw)
        return to_pem(leaf, *(test_ca.chain if chain else []))

    return _sign


@pytest.fixture
def server_request(owner_api: Client) -> dict[str, Any]:
    response = post_json(
        owner_api,
        "/api/v1/requests",
        {
            "email": OWNER_EMAIL,
            "subject": {
                "common_name": "Alice Example",
                "given_name": "Alice",
                "surname": "Example",
            },
            "key_source": "server",
            "key_type": "ec-p256",
        },
    )
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def issued(
    owner_api: Client, server_request: dict[str, Any], sign: Signer, trust_anchor: TrustAnchor
) -> dict[str, Any]:
    """A certificate issued for server_request and uploaded through the API."""
    response = post_json(
        owner_api,
        f"/api/v1/requests/{server_request['id']}/certificate",
        {"pem": sign(server_request["csr_pem"])},
    )
    assert response.status_code == 201, response.content
    return response.json()
