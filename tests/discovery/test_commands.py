"""manage.py zonefile, export_wellknown and verify_dns, and PUBLISH_ROOT kept in sync."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from certificates.models import Certificate
from tests.discovery.dnspeers import DnsPeers
from tests.factories import post_json
from tests.peers import free_port

SMIME = Path("example.com/.well-known/smime")


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_zonefile_prints_the_snippet(published: dict[str, Any]) -> None:
    out = run("zonefile", "EXAMPLE.com")
    assert out.startswith("; S/MIME discovery records for example.com")
    assert 'Alice.Example._smime.example.com. 3600 IN TXT "https://example.com/' in out
    with pytest.raises(CommandError, match="'example.org' is not a managed mail domain."):
        run("zonefile", "example.org")


def test_export_writes_the_tree_and_removes_what_was_withdrawn(
    published: dict[str, Any], owner_api: Client, tmp_path: Path
) -> None:
    der = bytes(Certificate.objects.get(pk=published["certificate_id"]).der)
    out = run("export_wellknown", str(tmp_path))
    assert f"{tmp_path / SMIME}: 4 written, 0 removed" in out
    folder = tmp_path / SMIME
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "Alice_Example.crt",
        "Alice_Example.pem",
        "alice_example.crt",
        "alice_example.pem",
    ]
    assert (folder / "Alice_Example.crt").read_bytes() == der
    assert (folder / "alice_example.pem").read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    assert "0 written, 0 removed" in run("export_wellknown", str(tmp_path))

    owner_api.delete(f"/api/v1/certificates/{published['certificate_id']}/publish")
    assert "0 written, 4 removed" in run("export_wellknown", str(tmp_path))
    assert list(folder.iterdir()) == []


def test_publish_root_follows_every_publish_and_withdrawal(
    owner_api: Client,
    issued_cert: dict[str, Any],
    settings: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.PUBLISH_ROOT = str(tmp_path)
    cid = issued_cert["id"]
    with django_capture_on_commit_callbacks(execute=True):
        assert post_json(owner_api, f"/api/v1/certificates/{cid}/publish").status_code == 200
    crt = tmp_path / SMIME / "Alice_Example.crt"
    assert crt.read_bytes() == bytes(Certificate.objects.get(pk=cid).der)
    with django_capture_on_commit_callbacks(execute=True):
        owner_api.delete(f"/api/v1/certificates/{cid}/publish")
    assert not crt.exists()


def test_verify_dns_exits_non_zero_when_records_are_not_there(
    published: dict[str, Any], settings: Any
) -> None:
    settings.DNS_RESOLVERS = [f"127.0.0.1:{free_port()}"]
    out = StringIO()
    with pytest.raises(CommandError, match=r"1 record\(s\) missing, different or not answered"):
        call_command("verify_dns", stdout=out)
    assert "error    TXT    Alice.Example._smime.example.com." in out.getvalue()


def test_verify_dns_reports_ok_from_the_real_server(
    published: dict[str, Any], admin_api: Client, dns_peers: DnsPeers, settings: Any
) -> None:
    dns_peers.start(admin_api.get("/api/v1/domains/example.com/zone").content.decode())
    settings.DNS_RESOLVERS = [dns_peers.authoritative]
    out = run("verify_dns", "example.com")
    assert out.splitlines()[0] == "Alice.Example@example.com:"
    assert (
        "ok       TXT    Alice.Example._smime.example.com.  Found, not DNSSEC-authenticated."
        in (out)
    )
