"""The sender-side lookup against real peers: the portal's own /.well-known/smime/ served over
HTTP on loopback (a live server), the zone the portal exports served and signed by Knot DNS,
and Unbound validating it (the AD bit). Fetches to loopback are allowed here, as in a demo."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client

from certificates.models import Certificate, Domain
from discovery import lookup, records
from tests.discovery.conftest import publish_via_api
from tests.discovery.dnspeers import DnsPeers
from tests.factories import OWNER_EMAIL, SignCsr, issue_via_api
from tests.testca import SmimeTestCA

pytestmark = pytest.mark.django_db(transaction=True)

FILE = "/.well-known/smime/Alice_Example.crt"


def statuses(body: dict[str, Any]) -> dict[str, tuple[str, bool | None]]:
    return {step["step"]: (step["status"], step["authenticated"]) for step in body["steps"]}


@pytest.fixture
def portal(
    live_server: Any, domain: Domain, owner_api: Client, sign_csr: SignCsr, trust_anchor: Any,
    settings: Any,
) -> str:  # fmt: skip
    """Alice's certificate published on a DNSSEC-signed example.com whose .well-known is the
    live server (by address: "localhost" may resolve to ::1 first): its base URL."""
    base = live_server.url.replace("localhost", "127.0.0.1")
    domain.base_url, domain.dnssec_signed = base, True
    domain.save()
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = True
    cert = issue_via_api(owner_api, sign_csr, OWNER_EMAIL)[1]
    publish_via_api(owner_api, cert["id"])
    return base


def zone(admin_api: Client) -> str:
    response = admin_api.get("/api/v1/domains/example.com/zone")
    assert response.status_code == 200
    return response.content.decode()


def look_up(client: Client, email: str = OWNER_EMAIL) -> dict[str, Any]:
    response = client.get("/api/v1/discovery", {"email": email})
    assert response.status_code == 200, response.content
    return response.json()


def test_found_through_txt_with_matching_smimea_vouched_for_by_dnssec(
    portal: str, admin_api: Client, owner_api: Client, dns_peers: DnsPeers, settings: Any
) -> None:
    dns_peers.start(zone(admin_api))
    settings.DNS_RESOLVERS = [dns_peers.resolver]

    body = look_up(owner_api)
    assert statuses(body) == {
        "txt": ("found", True),
        "certificate": ("found", None),
        "smimea": ("found", True),
    }
    assert body["usable"] is True and body["dnssec"] is True
    assert body["steps"][0]["asked"] == "Alice.Example._smime.example.com."
    assert body["steps"][1]["asked"] == portal + FILE
    assert "matches SMIMEA 3 0 0 and 3 1 1" in body["steps"][2]["detail"]
    der = bytes(Certificate.objects.get().der)
    found = x509.load_pem_x509_certificate(body["certificate"]["pem"].encode())
    assert found.public_bytes(serialization.Encoding.DER) == der
    assert body["certificate"]["emails"] == [OWNER_EMAIL]
    assert body["certificate"]["sha256_fingerprint"] == Certificate.objects.get().sha256_fingerprint

    # Typed in lower case: DNS names fold ASCII case; the lower-case SMIMEA owner is published.
    lower = look_up(owner_api, OWNER_EMAIL.lower())
    assert statuses(lower) == statuses(body)
    assert lower["steps"][2]["asked"].startswith(records.smimea_hash_label("alice.example"))


def test_the_public_page_shows_the_steps_and_offers_the_certificate(
    portal: str, admin_api: Client, dns_peers: DnsPeers, settings: Any
) -> None:
    dns_peers.start(zone(admin_api))
    settings.DNS_RESOLVERS = [dns_peers.resolver]
    anonymous = Client()
    page = anonymous.get("/lookup/", {"email": OWNER_EMAIL})
    html = page.content.decode()
    assert page.status_code == 200
    assert "an SMIMEA record in a DNSSEC-signed zone vouches for it" in html
    assert html.count('class="badge check-found"') == 3
    assert Certificate.objects.get().sha256_fingerprint in html
    download = anonymous.get("/lookup/certificate", {"email": OWNER_EMAIL, "format": "der"})
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pkix-cert"
    assert download["Content-Disposition"] == 'attachment; filename="Alice_Example.crt"'
    assert download.content == bytes(Certificate.objects.get().der)
    pem = anonymous.get("/lookup/certificate", {"email": OWNER_EMAIL, "format": "pem"})
    assert x509.load_pem_x509_certificate(pem.content).public_bytes(
        serialization.Encoding.DER
    ) == bytes(Certificate.objects.get().der)


def test_without_a_txt_record_the_well_known_url_is_tried_directly(
    portal: str,
    admin_api: Client,
    owner_api: Client,
    dns_peers: DnsPeers,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """https on port 443 for example.com cannot run here: the direct base URL points at the
    live server instead; which URL is tried by default is checked in test_lookup.py."""
    without_txt = "".join(
        line + "\n" for line in zone(admin_api).splitlines() if " TXT " not in line
    )
    dns_peers.start(without_txt)
    settings.DNS_RESOLVERS = [dns_peers.resolver]
    monkeypatch.setattr(lookup, "direct_base", lambda domain: portal)

    body = look_up(owner_api)
    assert statuses(body) == {
        "txt": ("missing", None),
        "certificate": ("found", None),
        "smimea": ("found", True),
    }
    assert body["steps"][0]["detail"] == (
        "No TXT record at Alice.Example._smime.example.com.; trying the domain's .well-known "
        "URL directly."
    )
    assert body["steps"][1]["asked"] == portal + FILE
    assert body["usable"] and body["dnssec"]


def test_smimea_records_for_another_certificate_are_a_mismatch(
    portal: str, admin_api: Client, owner_api: Client, dns_peers: DnsPeers, settings: Any
) -> None:
    ca = SmimeTestCA(now=datetime.now(UTC))
    other = ca.issue(ec.generate_private_key(ec.SECP256R1()).public_key(), OWNER_EMAIL, now=ca.now)
    other_der = other.public_bytes(serialization.Encoding.DER)
    text = zone(admin_api)
    ours = bytes(Certificate.objects.get().der)
    text = text.replace(ours.hex(), other_der.hex())
    text = text.replace(
        records.smimea_key_hash(records.spki_der(ours)).to_text(chunksize=0),
        records.smimea_key_hash(records.spki_der(other_der)).to_text(chunksize=0),
    )
    assert ours.hex() not in text
    dns_peers.start(text)
    settings.DNS_RESOLVERS = [dns_peers.resolver]

    body = look_up(owner_api)
    assert statuses(body)["smimea"] == ("mismatch", True)
    assert "name another certificate or key" in body["steps"][2]["detail"]
    assert body["usable"] is True and body["dnssec"] is False
    assert "No DNSSEC-authenticated SMIMEA record vouches for it" in body["summary"]


def test_a_certificate_for_another_address_is_a_mismatch(
    portal: str,
    admin_api: Client,
    owner_api: Client,
    sign_csr: SignCsr,
    dns_peers: DnsPeers,
    settings: Any,
) -> None:
    """jane.doe's TXT points at Alice's file: what comes back is not for jane.doe."""
    text = zone(admin_api)
    txt = next(line for line in text.splitlines() if " TXT " in line)
    dns_peers.start(text + txt.replace("Alice.Example._smime", "jane.doe._smime") + "\n")
    settings.DNS_RESOLVERS = [dns_peers.resolver]

    body = look_up(owner_api, "jane.doe@example.com")
    assert statuses(body)["certificate"] == ("mismatch", None)
    assert body["steps"][1]["detail"] == (
        f"{portal}{FILE}: It is for {OWNER_EMAIL}, not jane.doe@example.com."
    )
    assert body["usable"] is False and body["certificate"]["pem"] is None
    assert statuses(body)["smimea"][0] == "missing"
    page = Client().get("/lookup/certificate", {"email": "jane.doe@example.com", "format": "der"})
    assert page.status_code == 404  # no download of what is not for the address
    assert "Not offered for download" in page.content.decode()
