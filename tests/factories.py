"""Plain helpers the tests share (fixtures live in the conftest files): the owner's address,
CSRs made independently of the code under test, JSON calls, and a certificate issued through
the API the way a person gets one."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.contrib.auth.models import User
from django.test import Client

OWNER_EMAIL = "Alice.Example@example.com"
OWNER_SUBJECT = {"common_name": "Alice Example", "given_name": "Alice", "surname": "Example"}

# The root conftest's sign_csr fixture:
# sign_csr(csr_pem, email=None, *, chain=True, **issue_options) -> PEM text.
SignCsr = Callable[..., str]


def to_pem(*certs: x509.Certificate) -> str:
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in certs)


def make_csr(
    email: str = OWNER_EMAIL,
    *,
    key: Any = None,
    algorithm: hashes.HashAlgorithm | None = None,
    extra: list[x509.NameAttribute] | None = None,
) -> str:
    """A CSR made the way openssl would, with cryptography alone."""
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


def openssl_csr(
    *extra_args: str,
    email: str = OWNER_EMAIL,
    subject: str | None = None,
    folder: Path | None = None,
) -> str:
    """A CSR for a new RSA 2048 key from the real openssl CLI, which (unlike cryptography) still
    signs with SHA-1 or MD5 when given -sha1 or -md5.

    The subject is Alice's name and `email`, which is also the subjectAltName; `subject`, in
    openssl's -subj form, replaces both (and leaves subjectAltName out). With `folder`, the key
    and the CSR stay there as key.pem and csr.pem.
    """
    if folder is None:
        with tempfile.TemporaryDirectory() as temporary:
            return openssl_csr(*extra_args, email=email, subject=subject, folder=Path(temporary))
    if subject is None:
        names = ["-subj", f"/CN=Alice Example/emailAddress={email}"]
        names += ["-addext", f"subjectAltName=email:{email}"]
    else:
        names = ["-subj", subject]
    subprocess.run(
        ["openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes"]
        + ["-keyout", "key.pem", "-out", "csr.pem", *names, *extra_args],
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return (folder / "csr.pem").read_text()


def run_in_shell(command: str, folder: Path) -> Path:
    """Run a command line as a person pastes it into a Unix shell, with no terminal to answer
    questions on; answers the CSR it wrote (certificate.csr in ``folder``)."""
    result = subprocess.run(
        ["sh", "-c", command],
        cwd=folder,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return folder / "certificate.csr"


def post_json(client: Client, url: str, body: object | None = None, **extra: Any) -> Any:
    """POST `body` as JSON; `extra` goes to the test client (REMOTE_ADDR, HTTP_ headers)."""
    body = body if body is not None else {}
    return client.post(url, body, content_type="application/json", **extra)


def logged_in(user: User) -> Client:
    """A browser session for `user`."""
    client = Client()
    client.force_login(user)
    return client


def create_server_request(
    client: Client, email: str, *, key_type: str = "ec-p256", subject: dict[str, str] | None = None
) -> dict[str, Any]:
    """A request with a key the portal generates, made through the API: its JSON."""
    response = post_json(
        client,
        "/api/v1/requests",
        {"email": email, "key_source": "server", "key_type": key_type, "subject": subject or {}},
    )
    assert response.status_code == 201, response.content
    return response.json()


def create_browser_key_request(
    client: Client, email: str
) -> tuple[ec.EllipticCurvePrivateKey, dict[str, Any]]:
    """A request whose key was made outside the portal, as the browser makes it, sent as a CSR
    with the key's copy encrypted under a passphrase (PBES2 PKCS#8) for the portal to keep:
    the key and the request's JSON."""
    key = ec.generate_private_key(ec.SECP256R1())
    copy = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"key passphrase"),
    ).decode()
    body = {
        "email": email,
        "key_source": "browser",
        "csr_pem": make_csr(email, key=key),
        "encrypted_key": copy,
    }
    response = post_json(client, "/api/v1/requests", body)
    assert response.status_code == 201, response.content
    return key, response.json()


def upload_certificate(
    client: Client,
    sign_csr: SignCsr,
    request: dict[str, Any],
    email: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """The request's CSR signed by the test CA (for `email`, default the CSR's address; options
    such as days= go to SmimeTestCA.issue) and uploaded with its chain through the API: the
    certificate's JSON."""
    response = post_json(
        client,
        f"/api/v1/requests/{request['id']}/certificate",
        {"pem": sign_csr(request["csr_pem"], email, **options)},
    )
    assert response.status_code == 201, response.content
    return response.json()


def issue_via_api(
    client: Client,
    sign_csr: SignCsr,
    email: str,
    *,
    key_type: str = "ec-p256",
    subject: dict[str, str] | None = None,
    **options: Any,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Create a server-key request through the API, sign its CSR with the test CA and upload the
    certificate (options as for upload_certificate): the request's JSON (as created) and the
    certificate's JSON."""
    created = create_server_request(client, email, key_type=key_type, subject=subject)
    return created, upload_certificate(client, sign_csr, created, email, **options)
