"""The zone snippet in real DNS software: named-checkzone accepts it; Knot DNS serves it signed;
the portal's live check through a validating resolver (Unbound) reports ok with the AD bit,
then mismatch after a record changes, then missing after it is removed."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from certificates.models import AuditEvent, Domain
from discovery.models import DomainPublishing, Publication
from tests.discovery.dnspeers import DnsPeers, require_tools, zone_file
from tests.factories import post_json

VERIFY = "/api/v1/domains/example.com/verify"


@pytest.fixture
def signed_domain(domain: Domain) -> Domain:
    domain.dnssec_signed = True
    domain.save()
    return domain


def snippet(admin_api: Client) -> str:
    response = admin_api.get("/api/v1/domains/example.com/zone")
    assert response.status_code == 200
    return response.content.decode()


def checks_by_kind(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    (publication,) = body["publications"]
    return {c["type"] if c["type"] == "TXT" else c["value"][:5]: c for c in publication["checks"]}


def test_named_checkzone_loads_the_snippet(
    admin_api: Client, signed_domain: Domain, published: dict[str, Any], tmp_path: Path
) -> None:
    require_tools()
    text = snippet(admin_api)
    assert "SMIMEA 3 0 0" in text and "SMIMEA 3 1 1" in text
    path = tmp_path / "example.com.zone"
    path.write_text(zone_file("example.com", text))
    result = subprocess.run(
        ["named-checkzone", "-i", "full", "example.com", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("OK")


def test_live_check_reports_ok_mismatch_and_missing_with_dnssec(
    admin_api: Client,
    signed_domain: Domain,
    published: dict[str, Any],
    dns_peers: DnsPeers,
    settings: Any,
) -> None:
    DomainPublishing.objects.create(domain=signed_domain, lowercase_owner=False)
    text = snippet(admin_api)
    dns_peers.start(text)
    settings.DNS_RESOLVERS = [dns_peers.resolver]

    body = post_json(admin_api, VERIFY).json()
    checks = checks_by_kind(body)
    assert set(checks) == {"TXT", "3 0 0", "3 1 1"}
    assert body["publications"][0]["dns_state"] == "ok"
    for check in body["publications"][0]["checks"]:
        assert check["status"] == "ok", check
        assert check["authenticated"] is True, check  # Unbound validated Knot's signatures
    assert Publication.objects.get().dns_state == "ok"

    txt_line = next(line for line in text.splitlines() if " TXT " in line)
    dns_peers.reload(text.replace(txt_line, txt_line.replace("Alice_Example", "someone_else")))
    checks = checks_by_kind(post_json(admin_api, VERIFY).json())
    assert checks["TXT"]["status"] == "mismatch"
    assert "someone_else.crt" in checks["TXT"]["detail"]
    assert checks["3 0 0"]["status"] == "ok"

    key_hash_lines = [line for line in text.splitlines() if "SMIMEA 3 1 1" in line]
    without = "".join(line + "\n" for line in text.splitlines() if line not in key_hash_lines)
    dns_peers.reload(without)
    checks = checks_by_kind(post_json(admin_api, VERIFY).json())
    assert checks["TXT"]["status"] == "ok"
    assert checks["3 0 0"]["status"] == "ok"
    assert checks["3 1 1"]["status"] == "mismatch"  # the RRset is there, this one is not

    no_smimea = "".join(line + "\n" for line in text.splitlines() if "SMIMEA" not in line)
    dns_peers.reload(no_smimea)
    checks = checks_by_kind(post_json(admin_api, VERIFY).json())
    assert checks["3 0 0"]["status"] == "missing"
    assert checks["3 0 0"]["authenticated"] is None
    assert Publication.objects.get().dns_state == "problem"
    assert AuditEvent.objects.filter(action="domain.dns_verified").count() == 4


def test_answers_straight_from_the_authoritative_server_are_not_authenticated(
    admin_api: Client,
    signed_domain: Domain,
    published: dict[str, Any],
    dns_peers: DnsPeers,
    settings: Any,
) -> None:
    dns_peers.start(snippet(admin_api))
    settings.DNS_RESOLVERS = [dns_peers.authoritative]
    body = post_json(admin_api, VERIFY).json()
    statuses = {(c["status"], c["authenticated"]) for c in body["publications"][0]["checks"]}
    assert statuses == {("ok", False)}


def test_the_lower_case_smimea_owner_is_checked_where_the_domain_folds_case(
    admin_api: Client,
    signed_domain: Domain,
    owner_api: Client,
    issued_cert: dict[str, Any],
    dns_peers: DnsPeers,
    settings: Any,
) -> None:
    DomainPublishing.objects.create(domain=signed_domain, lowercase_owner=True)
    post_json(owner_api, f"/api/v1/certificates/{issued_cert['id']}/publish")
    text = snippet(admin_api)
    dns_peers.start(text)
    settings.DNS_RESOLVERS = [dns_peers.resolver]
    (publication,) = post_json(admin_api, VERIFY).json()["publications"]
    owners = {c["name"] for c in publication["checks"] if c["type"] == "SMIMEA"}
    assert len(owners) == 2
    assert all(c["status"] == "ok" for c in publication["checks"])


def test_a_resolver_that_does_not_answer_is_an_error_not_missing(
    admin_api: Client, published: dict[str, Any], settings: Any
) -> None:
    from tests.peers import free_port

    settings.DNS_RESOLVERS = [f"127.0.0.1:{free_port()}"]
    (publication,) = post_json(admin_api, VERIFY).json()["publications"]
    (check,) = publication["checks"]
    assert check["status"] == "error"
    assert check["detail"] == "no resolver answered within 5 seconds"


def test_only_admins_verify_a_domain(owner_api: Client, published: dict[str, Any]) -> None:
    response = post_json(owner_api, VERIFY)
    assert response.status_code == 403
    assert response.json()["detail"] == "Only certificate admins can do this."
