"""RFC 2136 updates with TSIG against a real Knot DNS: publishing puts the records into the zone,
a renewal swaps them in one update, withdrawing removes them; a wrong key is reported and
audited, never hidden."""

from __future__ import annotations

import base64
from typing import Any

import dns.message
import dns.query
import dns.rcode
import pytest
from django.contrib.auth.models import User
from django.test import Client

from certificates.models import AuditEvent, Certificate, Domain
from discovery import records
from discovery.models import DomainPublishing
from discovery.services import domains
from tests.conftest import actor
from tests.discovery.dnspeers import TSIG_NAME, TSIG_SECRET, DnsPeers
from tests.discovery.test_api import _renew
from tests.factories import SignCsr, post_json

pytestmark = pytest.mark.django_db(transaction=True)

TXT_OWNER = "Alice.Example._smime.example.com."


def ask(peers: DnsPeers, name: str, rdtype: str) -> list[str]:
    """What the authoritative server holds right now (empty when the name or type is absent)."""
    query = dns.message.make_query(name, rdtype)
    response = dns.query.tcp(query, "127.0.0.1", port=peers.knot.port, timeout=5)
    if response.rcode() == dns.rcode.NXDOMAIN or not response.answer:
        return []
    return sorted(rdata.to_text(chunksize=0) for rdata in response.answer[0])


@pytest.fixture
def pushing(domain: Domain, admin: User, dns_peers: DnsPeers) -> DnsPeers:
    domain.dnssec_signed = True
    domain.save()
    dns_peers.start("")  # an empty zone: only SOA, NS and the server's address
    configure(domain, admin, dns_peers, TSIG_SECRET)
    return dns_peers


def configure(domain: Domain, admin: User, peers: DnsPeers, secret: str) -> None:
    domains.update(
        actor(admin),
        domain,
        domains.Changes(
            update_server=peers.authoritative, tsig_key_name=TSIG_NAME, tsig_secret=secret
        ),
    )


def smimea_owner(local: str) -> str:
    return records.smimea_owner(local, "example.com").to_text()


def test_publish_renew_and_withdraw_update_the_zone(
    pushing: DnsPeers, owner_api: Client, issued_cert: dict[str, Any], sign_csr: SignCsr
) -> None:
    body = post_json(owner_api, f"/api/v1/certificates/{issued_cert['id']}/publish").json()
    assert body["push"]["ok"] is True, body["push"]
    assert body["push"]["detail"] == f"{pushing.authoritative} accepted the update."
    url = "https://example.com/.well-known/smime/Alice_Example.crt"
    assert ask(pushing, TXT_OWNER, "TXT") == [f'"{url}"']
    old_der = bytes(Certificate.objects.get(pk=issued_cert["id"]).der)
    for local in ("Alice.Example", "alice.example"):  # capitals: the lower-case owner too
        values = ask(pushing, smimea_owner(local), "SMIMEA")
        assert values[0] == "3 0 0 " + old_der.hex()
        assert values[1].startswith("3 1 1 ")

    new = _renew(owner_api, sign_csr, issued_cert["id"])
    new_der = bytes(Certificate.objects.get(pk=new["id"]).der)
    assert ask(pushing, smimea_owner("Alice.Example"), "SMIMEA")[0] == "3 0 0 " + new_der.hex()
    assert ask(pushing, TXT_OWNER, "TXT") == [f'"{url}"']

    assert owner_api.delete(f"/api/v1/certificates/{new['id']}/publish").status_code == 204
    assert ask(pushing, TXT_OWNER, "TXT") == []
    assert ask(pushing, smimea_owner("Alice.Example"), "SMIMEA") == []
    assert ask(pushing, smimea_owner("alice.example"), "SMIMEA") == []
    actions = AuditEvent.objects.filter(action__startswith="dns.").values_list("action", flat=True)
    assert list(actions) == ["dns.updated"] * 3


def test_domain_choosing_one_smimea_form_gets_only_that_one(
    pushing: DnsPeers, owner_api: Client, issued_cert: dict[str, Any], admin: User, domain: Domain
) -> None:
    settings = DomainPublishing.objects.get(domain=domain)
    settings.smimea_forms = "key-hash"
    settings.lowercase_owner = False
    settings.save()
    post_json(owner_api, f"/api/v1/certificates/{issued_cert['id']}/publish")
    (value,) = ask(pushing, smimea_owner("Alice.Example"), "SMIMEA")
    assert value.startswith("3 1 1 ")
    assert ask(pushing, smimea_owner("alice.example"), "SMIMEA") == []


def test_a_wrong_tsig_secret_is_shown_and_audited(
    pushing: DnsPeers,
    owner_api: Client,
    issued_cert: dict[str, Any],
    admin: User,
    domain: Domain,
) -> None:
    configure(domain, admin, pushing, base64.b64encode(b"not the key the server has").decode())
    body = post_json(owner_api, f"/api/v1/certificates/{issued_cert['id']}/publish").json()
    assert body["push"]["ok"] is False
    assert "refused the TSIG key" in body["push"]["detail"]
    assert ask(pushing, TXT_OWNER, "TXT") == []
    event = AuditEvent.objects.get(action="dns.update_failed")
    assert event.details["server"] == pushing.authoritative
    assert TSIG_SECRET not in str(event.details)
    assert DomainPublishing.objects.get(domain=domain).last_push_ok is False


def test_push_all_from_the_domain_page_after_the_key_was_fixed(
    pushing: DnsPeers,
    admin_web: Client,
    admin: User,
    domain: Domain,
    owner_api: Client,
    issued_cert: dict[str, Any],
) -> None:
    configure(domain, admin, pushing, base64.b64encode(b"a wrong key").decode())
    post_json(owner_api, f"/api/v1/certificates/{issued_cert['id']}/publish")
    assert ask(pushing, TXT_OWNER, "TXT") == []
    configure(domain, admin, pushing, TSIG_SECRET)
    response = admin_web.post("/domains/example.com/push", follow=True)
    assert response.status_code == 200
    assert f"DNS update: {pushing.authoritative} accepted the update." in response.content.decode()
    assert ask(pushing, TXT_OWNER, "TXT") != []


def test_the_tsig_secret_is_stored_encrypted(pushing: DnsPeers, domain: Domain) -> None:
    stored = bytes(DomainPublishing.objects.get(domain=domain).tsig_secret)
    assert base64.b64decode(TSIG_SECRET) not in stored and TSIG_SECRET.encode() not in stored
    assert domains.tsig_key(DomainPublishing.objects.get(domain=domain)).secret == (
        base64.b64decode(TSIG_SECRET)
    )
