"""The sender-side lookup against hostile and odd answers from real peers: Knot DNS serves TXT
records for example.net that point at a loopback HTTP server handing out expired
certificates, other people's certificates, keys, 10 MB bodies and redirects to file:. Every
step ends with a status and a reason, never a 500; and the API keeps its error contract."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs7
from django.test import Client

from discovery import lookup
from tests.discovery.dnspeers import DnsPeers, require_tools, zone_file
from tests.factories import make_csr, to_pem
from tests.revocation_peers import FileServer
from tests.testca import SmimeTestCA

ZONE = "example.net"


@dataclass
class Peers:
    dns: DnsPeers
    files: FileServer
    leaves: dict[str, x509.Certificate]


def leaf(ca: SmimeTestCA, email: str, **options: Any) -> x509.Certificate:
    options.setdefault("now", ca.now)
    return ca.issue(ec.generate_private_key(ec.SECP256R1()).public_key(), email, **options)


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peers]:
    """One zone and one file server for the whole module (they hold no database rows)."""
    require_tools()
    ca = SmimeTestCA(now=datetime.now(UTC))
    leaves = {
        "p7b": leaf(ca, f"p7b@{ZONE}"),
        "pem": leaf(ca, f"pem@{ZONE}"),
        "expired": leaf(ca, f"expired@{ZONE}", now=ca.now - timedelta(days=400), days=30),
        "other": leaf(ca, "someone@example.org"),
        "noeku": leaf(ca, f"noeku@{ZONE}", eku=None),
        "signing": leaf(ca, f"signing@{ZONE}", key_usage="signing"),
    }
    key = ec.generate_private_key(ec.SECP256R1())
    files = FileServer()
    files.files = {
        "/p7b.p7b": pkcs7.serialize_certificates(
            [*ca.chain, leaves["p7b"]], serialization.Encoding.DER
        ),
        "/pem.pem": to_pem(ca.root, leaves["pem"], ca.issuing).encode(),
        "/expired.crt": der(leaves["expired"]),
        "/other.crt": der(leaves["other"]),
        "/noeku.crt": der(leaves["noeku"]),
        "/signing.crt": der(leaves["signing"]),
        "/key.pem": key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        "/csr.pem": make_csr(f"csr@{ZONE}").encode(),
        "/html": b"<!doctype html><p>Welcome to our homepage</p>",
        "/big": b"0" * (10 * 1024 * 1024),
    }
    files.unsized = {"/big"}
    files.redirects = {"/redirect": "file:///etc/passwd"}
    txt = {name: files.url(path) for name, path in [
        ("p7b", "/p7b.p7b"), ("pem", "/pem.pem"), ("expired", "/expired.crt"),
        ("other", "/other.crt"), ("noeku", "/noeku.crt"), ("signing", "/signing.crt"),
        ("key", "/key.pem"), ("csr", "/csr.pem"), ("html", "/html"), ("big", "/big"),
        ("redirect", "/redirect"), ("gone", "/gone.crt"),
    ]}  # fmt: skip
    txt |= {
        "spf": "v=spf1 -all",
        "file": "file:///etc/passwd",
        "broken": "http://[::1",
        "private": "http://10.255.255.1/x.crt",
    }
    lines = [f'{name}._smime 60 IN TXT "{value}"' for name, value in txt.items()]
    lines.append('binary._smime 60 IN TXT "\\255\\000\\010"')
    dns = DnsPeers(tmp_path_factory.mktemp("dns"), ZONE)
    dns.knot.start(zone_file(ZONE, "\n".join(lines) + "\n"))
    try:
        yield Peers(dns, files, leaves)
    finally:
        dns.stop()
        files.stop()


@pytest.fixture
def peers(answers: Peers, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Peers:
    """Answers straight from the authoritative server; loopback fetches allowed; the direct
    .well-known fallback pointed at the file server (it has nothing there: 404)."""
    settings.DNS_RESOLVERS = [answers.dns.authoritative]
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = True
    settings.LOOKUPS_PER_MINUTE = 1000
    monkeypatch.setattr(lookup, "direct_base", lambda domain: answers.files.url(""))
    answers.files.hits.clear()
    return answers


def look_up(client: Client, local: str) -> dict[str, Any]:
    response = client.get("/api/v1/discovery", {"email": f"{local}@{ZONE}"})
    assert response.status_code == 200, response.content
    return response.json()


def step(body: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in body["steps"] if s["step"] == name)


@pytest.mark.parametrize("local", ["p7b", "pem"])
def test_the_leaf_is_picked_from_a_pkcs7_bundle_or_pem_chain(
    peers: Peers, owner_api: Client, local: str
) -> None:
    body = look_up(owner_api, local)
    assert step(body, "txt")["status"] == "found"
    assert step(body, "txt")["authenticated"] is False  # no validating resolver asked
    assert step(body, "certificate")["status"] == "found"
    found = x509.load_pem_x509_certificate(body["certificate"]["pem"].encode())
    assert found == peers.leaves[local]
    assert step(body, "smimea")["status"] == "missing"
    assert body["usable"] is True and body["dnssec"] is False
    assert "came over plain http" in step(body, "certificate")["warnings"][0]


@pytest.mark.parametrize(
    ("local", "status", "words"),
    [
        ("expired", "error", "It expired on "),
        ("other", "mismatch", f"It is for someone@example.org, not other@{ZONE}."),
        ("noeku", "error", "lacks emailProtection"),
        ("key", "error", "holds a private key; nothing of it is shown or kept."),
        ("csr", "error", "is PEM text with CERTIFICATE REQUEST, not a certificate."),
        ("html", "error", "is neither DER, PEM nor PKCS#7, not a certificate."),
        ("big", "error", "sent more; the limit for this fetch is 65,536 bytes."),
        ("redirect", "error", "file:///etc/passwd uses 'file:'; only http and https"),
        ("gone", "missing", "/gone.crt has no certificate (HTTP 404)."),
    ],
)
def test_what_the_url_answers_is_judged_and_nothing_else_is_shown(
    peers: Peers, owner_api: Client, local: str, status: str, words: str
) -> None:
    body = look_up(owner_api, local)
    assert step(body, "txt")["status"] == "found"
    certificate = step(body, "certificate")
    assert certificate["status"] == status
    assert words in certificate["detail"]
    assert body["usable"] is False
    if local in ("expired", "other", "noeku"):  # a certificate: its details, not its download
        assert body["certificate"]["sha256_fingerprint"]
        assert body["certificate"]["pem"] is None
    else:
        assert body["certificate"] is None


def test_a_signing_only_certificate_is_found_with_a_warning(
    peers: Peers, owner_api: Client
) -> None:
    body = look_up(owner_api, "signing")
    assert step(body, "certificate")["status"] == "found"
    assert (
        "It allows signing only: mail clients will not encrypt to it."
        in (step(body, "certificate")["warnings"])
    )


@pytest.mark.parametrize(
    ("local", "value"),
    [
        ("spf", "v=spf1 -all"),
        ("file", "file:///etc/passwd"),
        ("broken", "http://[::1"),
        ("binary", "\ufffd\\u0000\\n"),  # shown escaped: what is there, visibly
    ],
)
def test_a_txt_record_that_is_no_url_is_an_error_and_the_direct_url_is_tried(
    peers: Peers, owner_api: Client, local: str, value: str
) -> None:
    body = look_up(owner_api, local)
    txt = step(body, "txt")
    assert txt["status"] == "error"
    assert txt["detail"] == (
        f"The TXT record at {local}._smime.{ZONE}. holds no http or https URL; trying the "
        "domain's .well-known URL directly."
    )
    assert txt["found"] == [value]
    assert step(body, "certificate")["status"] == "missing"
    assert peers.files.hits == {f"/.well-known/smime/{local}.crt": 1}


def test_private_addresses_are_refused_when_the_setting_is_off(
    peers: Peers, owner_api: Client, settings: Any
) -> None:
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = False
    for local in ("private", "p7b"):
        body = look_up(owner_api, local)
        certificate = step(body, "certificate")
        assert certificate["status"] == "error"
        # In words for anyone: neither the address nor the setting's name (admins see those
        # on the page: test_lookup_page_errors.py).
        assert (
            "leads to an address in a private network, which the portal does not fetch"
            in (certificate["detail"])
        )
        assert "FETCH_ALLOW_PRIVATE_NETWORKS" not in certificate["detail"]
    assert not peers.files.hits  # refused before connecting


def test_the_page_reports_hostile_answers_without_a_500(peers: Peers) -> None:
    for local in ("big", "key", "binary", "redirect"):
        response = Client().get("/lookup/", {"email": f"{local}@{ZONE}"})
        assert response.status_code == 200
        assert "No usable certificate" in response.content.decode()


# The API's error contract, and the limit per client address.


def test_the_lookup_api_needs_a_token(db: None) -> None:
    response = Client().get("/api/v1/discovery", {"email": f"p7b@{ZONE}"})
    assert response.status_code == 401
    assert response.json()["detail"].startswith("No API token was sent.")


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({}, "Query parameter 'email': Field required."),
        ({"email": "not-an-address"}, "'not-an-address' is not a single email address"),
        ({"email": "a@b@c"}, "is not a single email address"),
        ({"email": "jane@exa mple.org"}, "contains spaces"),
        ({"email": "jane@snow☃.example"}, "not a valid internationalised domain name"),
        ({"email": "jane\u202e@example.org"}, "control or format character"),
        ({"email": "x" * 300 + "@example.org"}, "at most 254 characters"),
    ],
)
def test_input_that_is_no_address_is_a_422_with_the_field(
    owner_api: Client, query: dict[str, str], words: str, settings: Any
) -> None:
    settings.DNS_RESOLVERS = ["127.0.0.1:9"]  # never asked
    response = owner_api.get("/api/v1/discovery", query)
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert words in body["detail"]
    assert body["errors"][0]["field"] == "email"


def test_the_page_is_public_and_says_what_is_wrong_with_an_address(db: None) -> None:
    empty = Client().get("/lookup/")
    assert empty.status_code == 200
    assert 'name="email"' in empty.content.decode()
    wrong = Client().get("/lookup/", {"email": "jane@@example.org"})
    assert wrong.status_code == 400
    assert "is not a single email address" in wrong.content.decode()
    assert Client().get("/lookup/certificate", {"email": "jane@example.org"}).url == "/lookup/"


def test_lookups_past_the_limit_per_address_are_429_until_the_next_minute(
    peers: Peers, owner_api: Client, settings: Any
) -> None:
    settings.LOOKUPS_PER_MINUTE = 2
    assert owner_api.get("/api/v1/discovery", {"email": "nobody"}).status_code == 422  # uncounted
    for _ in range(2):
        look_up(owner_api, "gone")
    refused = owner_api.get("/api/v1/discovery", {"email": f"gone@{ZONE}"})
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith(
        "Too many lookups from your address; at most 2 a minute are made."
    )
    assert 0 < int(refused["Retry-After"]) <= 60
    page = Client().get("/lookup/", {"email": f"gone@{ZONE}"})  # the page shares the count
    assert page.status_code == 429
    assert "Too many lookups from your address" in page.content.decode()
    other_client = owner_api.get(
        "/api/v1/discovery", {"email": f"gone@{ZONE}"}, REMOTE_ADDR="192.0.2.7"
    )
    assert other_client.status_code == 200
    assert peers.files.hits["/gone.crt"] == 3
