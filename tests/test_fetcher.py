"""The safe fetcher against real loopback servers: what it fetches, and everything it refuses."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from certificates import fetcher
from certificates.fetcher import FetchError, fetch
from tests.peers import free_port
from tests.revocation_peers import FileServer


@pytest.fixture
def files() -> Iterator[FileServer]:
    server = FileServer()
    server.files["/hello"] = b"hello"
    try:
        yield server
    finally:
        server.stop()


def test_fetches_from_loopback_when_private_networks_are_allowed(files: FileServer) -> None:
    result = fetch(files.url("/hello"), max_bytes=100, allow_private=True)
    assert (result.status, result.body, result.peer) == (200, b"hello", "127.0.0.1")


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://127.0.0.1/crl", "127.0.0.1 (loopback address)"),
        ("http://10.0.0.1/crl", "10.0.0.1 (private network)"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 (link-local address)"),
        ("http://0.0.0.0/", "0.0.0.0 (unspecified address)"),
        ("http://[::1]/", "::1 (loopback address)"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:7f00:1 (loopback address)"),
        ("http://[64:ff9b::a9fe:a9fe]/", "(link-local address)"),
        ("http://224.0.0.1/", "224.0.0.1 (multicast address)"),
        ("http://100.64.0.1/", "100.64.0.1 (not a public address)"),
        ("http://localhost/", "(loopback address)"),  # judged on the address, not the name
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(url: str, words: str) -> None:
    with pytest.raises(FetchError, match="private networks are off") as refusal:
        fetch(url, max_bytes=100, timeout=2)
    assert words in refusal.value.reason
    assert not refusal.value.transient


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://x/", "x"])
def test_only_http_and_https_are_fetched(url: str) -> None:
    with pytest.raises(FetchError, match="only http and https URLs are fetched"):
        fetch(url, max_bytes=100, allow_private=True)


def test_a_name_is_resolved_once_and_the_judged_address_is_the_one_connected_to(
    files: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: a first answer that passes, a second pointing at loopback."""
    answers = [[(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("198.51.100.7", 80))]]
    later = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", files.server_address[1]))]
    asked: list[str] = []

    real_getaddrinfo = socket.getaddrinfo

    def resolve(host: str, *args: Any, **kwargs: Any) -> Any:
        if host != "rebind.test":  # an address literal (the connection itself) resolves as is
            return real_getaddrinfo(host, *args, **kwargs)
        asked.append(host)
        return answers.pop() if answers else later

    monkeypatch.setattr(fetcher, "refused_address", lambda address: None)  # 198.51.100.7 "public"
    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    port = files.server_address[1]
    with pytest.raises(FetchError, match=r"198\.51\.100\.7"):
        fetch(f"http://rebind.test:{port}/hello", max_bytes=100, timeout=1)
    assert asked == ["rebind.test"]
    assert files.hits["/hello"] == 0


def test_announced_size_over_the_cap_is_refused_before_reading(files: FileServer) -> None:
    files.files["/big"] = b"x" * 5000
    with pytest.raises(
        FetchError, match="announces 5,000 bytes; the limit for this fetch is 4,096"
    ):
        fetch(files.url("/big"), max_bytes=4096, allow_private=True)


def test_a_body_without_length_is_cut_at_the_cap(files: FileServer) -> None:
    files.files["/stream"] = b"x" * 300_000
    files.unsized.add("/stream")
    with pytest.raises(FetchError, match="sent more; the limit for this fetch is 100,000 bytes"):
        fetch(files.url("/stream"), max_bytes=100_000, allow_private=True)


def test_a_server_that_never_answers_times_out() -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # the kernel completes the connection; nobody ever answers
    started = time.monotonic()
    try:
        with pytest.raises(FetchError, match="did not answer in time") as refusal:
            fetch(f"http://127.0.0.1:{silent.getsockname()[1]}/", max_bytes=10, timeout=0.5,
                  allow_private=True)  # fmt: skip
    finally:
        silent.close()
    assert refusal.value.transient
    assert time.monotonic() - started < 3


def test_a_closed_port_is_a_transient_fault() -> None:
    with pytest.raises(FetchError, match="Could not connect") as refusal:
        fetch(f"http://127.0.0.1:{free_port()}/", max_bytes=10, allow_private=True)
    assert refusal.value.transient


def test_error_statuses_raise_with_the_status(files: FileServer) -> None:
    with pytest.raises(FetchError, match="answered HTTP 404") as refusal:
        fetch(files.url("/missing"), max_bytes=100, allow_private=True)
    assert (refusal.value.status, refusal.value.transient) == (404, False)


def test_redirects_are_followed_a_few_times(files: FileServer) -> None:
    files.redirects = {"/a": "/b", "/b": files.url("/hello")}
    assert fetch(files.url("/a"), max_bytes=100, allow_private=True).body == b"hello"
    files.redirects = {"/a": "/b", "/b": "/a"}
    with pytest.raises(FetchError, match="More than 3 redirects"):
        fetch(files.url("/a"), max_bytes=100, allow_private=True)
    assert files.hits["/a"] + files.hits["/b"] == 2 + 4


def test_a_redirect_to_another_scheme_is_refused(files: FileServer) -> None:
    files.redirects = {"/crl": "file:///etc/passwd"}
    with pytest.raises(FetchError, match="file:///etc/passwd uses 'file:'"):
        fetch(files.url("/crl"), max_bytes=100, allow_private=True)


def test_broken_urls_and_redirect_targets_are_fetch_errors(files: FileServer) -> None:
    """URLs come from certificates and DNS: a broken one is a refusal with a reason."""
    with pytest.raises(FetchError, match=r"http://\[::1 is not a valid URL"):
        fetch("http://[::1", max_bytes=100, allow_private=True)
    files.redirects = {"/r": "http://["}
    with pytest.raises(FetchError, match=r"redirected to 'http://\[', which is no URL"):
        fetch(files.url("/r"), max_bytes=100, allow_private=True)


def test_non_ascii_and_spaces_in_a_path_are_sent_percent_encoded(files: FileServer) -> None:
    files.files["/j%C3%B6rg%20x.crt"] = b"jorg"
    assert fetch(files.url("/jörg x.crt"), max_bytes=100, allow_private=True).body == b"jorg"
    files.redirects = {"/r": "/jörg x.crt"}
    assert fetch(files.url("/r"), max_bytes=100, allow_private=True).body == b"jorg"


def test_a_post_is_not_redirected(files: FileServer) -> None:
    files.redirects = {"/ocsp": files.url("/hello")}
    with pytest.raises(FetchError, match="answered a POST with a redirect"):
        fetch(files.url("/ocsp"), method="POST", body=b"q", max_bytes=100, allow_private=True)


# https: the socket goes to the judged address, while SNI and the certificate check use the
# URL's host name.


def _tls_server_certificate(folder: Path, name: str) -> Path:
    """A CA (written to ca.pem) and a server certificate for ``name`` (server.pem)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Fetcher test CA")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(1)
        .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(2)
        .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    pem = server.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (folder / "server.pem").write_bytes(pem)
    return folder / "server.pem"


@pytest.fixture
def tls_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[FileServer, list[str]]]:
    """A file server behind TLS for the name 'localhost', trusted through SSL_CERT_FILE;
    the list collects the SNI names clients sent."""
    server_pem = _tls_server_certificate(tmp_path, "localhost")
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    names: list[str] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(server_pem)
    context.sni_callback = lambda sock, name, ctx: names.append(name or "")  # type: ignore[assignment,misc,return-value]
    server = FileServer()
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.files["/hello"] = b"hello over tls"
    try:
        yield server, names
    finally:
        server.stop()


def test_https_checks_the_certificate_against_the_url_host_and_sends_sni(
    tls_files: tuple[FileServer, list[str]],
) -> None:
    server, names = tls_files
    port = server.server_address[1]
    result = fetch(f"https://localhost:{port}/hello", max_bytes=100, allow_private=True)
    assert result.body == b"hello over tls"
    assert names == ["localhost"]
    with pytest.raises(FetchError, match="TLS with 127.0.0.1 failed"):
        # The certificate is for localhost, not for the address.
        fetch(f"https://127.0.0.1:{port}/hello", max_bytes=100, allow_private=True)


def test_concurrent_fetches_do_not_share_state(files: FileServer) -> None:
    files.files["/a"], files.files["/b"] = b"a" * 1000, b"b" * 1000
    results: dict[str, bytes] = {}

    def get(path: str) -> None:
        results[path] = fetch(files.url(path), max_bytes=2000, allow_private=True).body

    threads = [threading.Thread(target=get, args=(p,)) for p in ("/a", "/b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {"/a": b"a" * 1000, "/b": b"b" * 1000}
