"""Helpers for the page tests: people logged in through the browser's session, requests made
through the HTML forms, and certificates signed by the test CA (independent of the code under
test)."""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Callable
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from certificates.models import Certificate, CertificateRequest, TrustAnchor
from tests.testca import SmimeTestCA

OWNER_EMAIL = "Alice.Example@example.com"
Signer = Callable[..., x509.Certificate]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Accounts here are test fixtures; PBKDF2's real cost would only slow every test down."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def colleague_web(colleague: User) -> Client:
    return logged_in(colleague)


@pytest.fixture
def admin_web(admin: User) -> Client:
    return logged_in(admin)


def text(response: Any) -> str:
    """The page as a person reads it: tags dropped, entities of quotes decoded, spaces folded."""
    html = response.content.decode()
    html = re.sub(r"<[^>]+>", " ", html)
    html = html.replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&")
    html = html.replace("&lt;", "<").replace("&gt;", ">")
    return " ".join(html.split())


def to_pem(*certs: x509.Certificate) -> str:
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in certs)


def make_csr(
    email: str = OWNER_EMAIL, *, key: Any = None, extra: list[x509.NameAttribute] | None = None
) -> str:
    """A CSR made as openssl would make it, with cryptography alone."""
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
        .sign(key, hashes.SHA256())
    )
    return csr.public_bytes(serialization.Encoding.PEM).decode()


def openssl_sha1_csr(email: str = OWNER_EMAIL) -> str:
    """A SHA-1 CSR from the real openssl CLI (cryptography no longer signs with SHA-1)."""
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
                "-sha1",
                "-subj",
                f"/CN=Alice Example/emailAddress={email}",
            ],
            cwd=folder,
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )
    return result.stdout


def new_request_form(**fields: str) -> dict[str, str]:
    form = {
        "key_source": "server",
        "key_type": "ec-p256",
        "email": OWNER_EMAIL,
        "common_name": "Alice Example",
        "given_name": "Alice",
        "surname": "Example",
    }
    form.update(fields)
    return form


@pytest.fixture
def server_request(owner_web: Client) -> CertificateRequest:
    """A request with a server-held EC key, made through the new-request page."""
    response = owner_web.post("/requests/new/", new_request_form())
    assert response.status_code == 302, response.content
    return CertificateRequest.objects.get(pk=int(response["Location"].split("/")[-2]))


@pytest.fixture
def sign(test_ca: SmimeTestCA) -> Signer:
    """sign(csr_pem, email=OWNER_EMAIL, **issue_kwargs) -> the leaf, signed by the test CA."""

    def _sign(csr_pem: str, email: str = OWNER_EMAIL, **kw: Any) -> x509.Certificate:
        kw.setdefault("now", timezone.now())
        return test_ca.issue(x509.load_pem_x509_csr(csr_pem.encode()), email, **kw)

    return _sign


@pytest.fixture
def issued(
    owner_web: Client,
    server_request: CertificateRequest,
    sign: Signer,
    test_ca: SmimeTestCA,
    trust_anchor: TrustAnchor,
) -> Certificate:
    """server_request's certificate, uploaded as pasted PEM on the request page."""
    pem = to_pem(sign(server_request.csr_pem), *test_ca.chain)
    response = owner_web.post(f"/requests/{server_request.pk}/certificate", {"pem": pem})
    assert response.status_code == 302, text(response)
    return Certificate.objects.get(request=server_request)
