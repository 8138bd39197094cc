"""Real revocation peers on loopback, started and stopped by fixtures: an `openssl ca`
directory for the test CA's issuing key (its index is what `openssl ca -revoke` edits and
`-gencrl` reads), an `openssl ocsp` responder serving that index, and a plain HTTP server
for the CRL and the issuer certificate."""

from __future__ import annotations

import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.factories import to_pem
from tests.peers import free_port
from tests.testca import SmimeTestCA

_CONFIG = """\
[ca]
default_ca = test
[test]
dir = .
database = ./index.txt
new_certs_dir = ./issued
certificate = ./issuing.pem
private_key = ./issuing.key
serial = ./serial
crlnumber = ./crlnumber
default_md = sha256
default_crl_days = 1
policy = anything
[anything]
emailAddress = optional
"""


def _pem_key(key: CertificateIssuerPrivateKeyTypes) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


class OpensslCa:
    """The test CA's issuing CA as `openssl ca` keeps it: certificates are registered in
    index.txt, revoked with `openssl ca -revoke`, and CRLs come from `openssl ca -gencrl`."""

    def __init__(self, folder: Path, ca: SmimeTestCA) -> None:
        self.folder = folder
        self.ca = ca
        (folder / "issued").mkdir()
        (folder / "issuing.pem").write_bytes(_pem(ca.issuing))
        (folder / "issuing.key").write_bytes(_pem_key(ca.issuing_key))
        (folder / "index.txt").write_text("")
        (folder / "index.txt.attr").write_text("unique_subject = no\n")
        (folder / "serial").write_text("01\n")
        (folder / "crlnumber").write_text("01\n")
        (folder / "openssl.cnf").write_text(_CONFIG)

    def openssl(self, *args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["openssl", *args], cwd=self.folder, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, f"openssl {' '.join(args)}: {result.stderr}"
        return result

    def _file(self, cert: x509.Certificate) -> str:
        path = self.folder / f"{cert.serial_number:x}.pem"
        path.write_bytes(_pem(cert))
        return path.name

    def register(self, cert: x509.Certificate) -> None:
        self.openssl("ca", "-config", "openssl.cnf", "-batch", "-valid", self._file(cert))

    def revoke(self, cert: x509.Certificate, reason: str = "keyCompromise") -> None:
        self.openssl(
            "ca", "-config", "openssl.cnf", "-batch", "-revoke", self._file(cert),
            "-crl_reason", reason,
        )  # fmt: skip

    def crl_der(self, hours: int = 24) -> bytes:
        self.openssl(
            "ca", "-config", "openssl.cnf", "-batch", "-gencrl", "-crlhours", str(hours),
            "-out", "crl.pem",
        )  # fmt: skip
        self.openssl("crl", "-in", "crl.pem", "-outform", "DER", "-out", "crl.der")
        return (self.folder / "crl.der").read_bytes()


class OcspResponder:
    """`openssl ocsp -index ... -port ...`, signing with the issuing CA unless told otherwise."""

    def __init__(self, ca: OpensslCa, extra: Sequence[str] = ()) -> None:
        self.ca = ca
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.signer = ("issuing.pem", "issuing.key")
        self.extra = list(extra)
        self.process: subprocess.Popen[bytes] | None = None

    def sign_with(self, cert: x509.Certificate, key: CertificateIssuerPrivateKeyTypes) -> None:
        (self.ca.folder / "responder.pem").write_bytes(_pem(cert))
        (self.ca.folder / "responder.key").write_bytes(_pem_key(key))
        self.signer = ("responder.pem", "responder.key")

    def start(self) -> None:
        cert, key = self.signer
        log = self.ca.folder / f"ocsp-{self.port}.log"
        log.write_bytes(b"")
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                ["openssl", "ocsp", "-index", "index.txt", "-CA", "issuing.pem", "-rsigner",
                 cert, "-rkey", key, "-port", str(self.port), "-ignore_err", *self.extra],
                cwd=self.ca.folder,
                stdout=output,
                stderr=output,
            )  # fmt: skip
        # Not a probe connection: the responder hangs on a client that sends nothing.
        deadline = time.monotonic() + 10
        while b"waiting for OCSP client connections" not in log.read_bytes():
            assert self.process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "openssl ocsp did not start"
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


class _FileHandler(BaseHTTPRequestHandler):
    server: FileServer

    def do_GET(self) -> None:  # noqa: N802
        self.server.hits[self.path] += 1
        if self.path in self.server.redirects:
            self.send_response(302)
            self.send_header("Location", self.server.redirects[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = self.server.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        if self.path not in self.server.unsized:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET  # what a client posting to a file (a misdirected OCSP client) gets

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class FileServer(ThreadingHTTPServer):
    """Serves ``files`` (path -> bytes) and counts requests per path; paths in ``unsized``
    are sent without Content-Length (the body simply ends when the connection closes), paths
    in ``redirects`` answer 302 to their target."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", free_port()), _FileHandler)
        self.files: dict[str, bytes] = {}
        self.hits: Counter[str] = Counter()
        self.unsized: set[str] = set()
        self.redirects: dict[str, str] = {}
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that hang up early (a size cap, a timeout) are what tests provoke

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


@dataclass
class Peers:
    ca: OpensslCa
    ocsp: OcspResponder
    files: FileServer

    @property
    def crl_url(self) -> str:
        return self.files.url("/issuing.crl")

    @property
    def issuer_url(self) -> str:
        return self.files.url("/issuing.crt")

    def revoke(self, certificate: Any, reason: str = "keyCompromise") -> None:
        """`openssl ca -revoke` for a portal Certificate row; the responder restarts (see leaf)."""
        self.ca.revoke(x509.load_der_x509_certificate(bytes(certificate.der)), reason)
        if self.ocsp.process is not None:
            self.ocsp.restart()

    def publish_crl(self, hours: int = 24) -> None:
        self.files.files["/issuing.crl"] = self.ca.crl_der(hours)

    def leaf(self, email: str, **options: object) -> x509.Certificate:
        """A leaf for a new key naming these peers, registered in the CA's index (the
        responder restarts to read it: it notices changes only a second apart)."""
        options.setdefault("ocsp_url", self.ocsp.url)
        options.setdefault("crl_url", self.crl_url)
        options.setdefault("ca_issuers_url", self.issuer_url)
        key = ec.generate_private_key(ec.SECP256R1())
        cert = self.ca.ca.issue(key.public_key(), email, now=datetime.now(UTC), **options)  # type: ignore[arg-type]
        self.ca.register(cert)
        if self.ocsp.process is not None:
            self.ocsp.restart()
        return cert


def responder_certificate(
    ca: SmimeTestCA,
    key: CertificateIssuerPrivateKeyTypes,
    *,
    eku: bool = True,
    self_signed: bool = False,
    now: datetime | None = None,
) -> x509.Certificate:
    """A delegated OCSP responder certificate issued by the issuing CA (EKU OCSPSigning unless
    ``eku`` is false), or, ``self_signed``, one nobody vouches for; valid for a month
    around ``now``."""
    now = now or datetime.now(UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test OCSP Responder")])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject if self_signed else ca.issuing.subject)
        .public_key(key.public_key())  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
    )
    if eku:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), critical=False
        )
    return builder.sign(key if self_signed else ca.issuing_key, hashes.SHA256())


@pytest.fixture
def quick_passwords(settings: Any) -> None:
    """The accounts here are fixtures: PBKDF2's real cost would only slow the tests down."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def peers(tmp_path: Path, test_ca: SmimeTestCA, settings: object) -> Iterator[Peers]:
    """The test CA's OCSP responder (running) and file server (serving the issuer
    certificate; the CRL once a test publishes it), with private-network fetches allowed."""
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = True  # type: ignore[attr-defined]
    ca = OpensslCa(tmp_path, test_ca)
    files = FileServer()
    files.files["/issuing.crt"] = test_ca.issuing.public_bytes(serialization.Encoding.DER)
    responder = OcspResponder(ca)
    responder.start()
    peers = Peers(ca, responder, files)
    try:
        yield peers
    finally:
        responder.stop()
        peers.ocsp.stop()  # a test may have put another responder in its place
        files.stop()


@pytest.fixture
def tracked(peers: Peers, owner: Any, trust_anchor: Any, settings: Any) -> Callable[..., Any]:
    """tracked(user=alice, **issue_options) -> a Certificate row: a new leaf of the user's
    naming the peers (options go to SmimeTestCA.issue), imported into the portal with its
    chain."""
    from certificates.services import issuance
    from certificates.services.actor import Actor

    def make(user: Any = owner, **options: Any) -> Any:
        leaf = peers.leaf(user.email, **options)
        pem = to_pem(leaf, *peers.ca.ca.chain).encode()
        return issuance.import_certificate(Actor(user=user, via="test"), user, pem)

    return make
