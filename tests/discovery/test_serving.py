"""GET/HEAD /.well-known/smime/NAME.crt|.pem: the published bytes with validators and CORS, and
404 for everything else. Downloads go through a real HTTP server (live_server) and openssl."""

from __future__ import annotations

import http.client
import importlib
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.test import Client

from certificates.models import Certificate, Domain
from discovery import serving
from discovery.models import Publication
from tests.discovery.conftest import publish_via_api

PATH = "/.well-known/smime/Alice_Example.crt"


def der_of(published: dict[str, Any]) -> bytes:
    return bytes(Certificate.objects.get(pk=published["certificate_id"]).der)


def get(client: Client, path: str = PATH, host: str = "example.com", **headers: str) -> Any:
    return Client().get(path, HTTP_HOST=host, **headers)


def test_crt_is_the_certificate_der_with_validators_and_cors(published: dict[str, Any]) -> None:
    response = get(Client())
    assert response.status_code == 200
    assert response.content == der_of(published)
    assert response["Content-Type"] == "application/pkix-cert"
    assert response["Content-Length"] == str(len(response.content))
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=3600"  # the domain's DNS TTL
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["ETag"].startswith('"') and response["ETag"].endswith('-crt"')


def test_pem_and_lower_case_names_serve_the_same_certificate(published: dict[str, Any]) -> None:
    pem = get(Client(), "/.well-known/smime/alice_example.pem")
    assert pem.status_code == 200 and pem["Content-Type"] == "application/x-pem-file"
    cert = x509.load_pem_x509_certificate(pem.content)
    assert cert.public_bytes(serialization.Encoding.DER) == der_of(published)
    assert get(Client(), "/.well-known/smime/ALICE_EXAMPLE.crt").content == der_of(published)


def test_etag_round_trip_gives_304_without_a_body(published: dict[str, Any]) -> None:
    tag = get(Client())["ETag"]
    again = get(Client(), HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == tag
    assert get(Client(), HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_head_has_the_headers_and_no_body(published: dict[str, Any]) -> None:
    response = Client().head(PATH, HTTP_HOST="example.com")
    assert response.status_code == 200 and response.content == b""
    assert response["Content-Length"] == str(len(der_of(published)))


def test_other_methods_are_405(published: dict[str, Any]) -> None:
    response = Client().post(PATH, HTTP_HOST="example.com")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"


def test_withdrawn_certificate_is_404_at_once(
    owner_api: Client, published: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    assert get(Client()).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        owner_api.delete(f"/api/v1/certificates/{published['certificate_id']}/publish")
    response = get(Client())
    assert response.status_code == 404
    assert response.content == b"No certificate is published under this name.\n"


def test_only_managed_hosts_serve_and_the_base_url_host_does_too(
    published: dict[str, Any], domain: Domain
) -> None:
    assert get(Client(), host="evil.test").status_code == 404
    assert get(Client(), host="EXAMPLE.com:8443").status_code == 200
    domain.base_url = "https://keys.example.net"
    domain.save()
    assert get(Client(), host="keys.example.net").status_code == 200


def test_the_path_skips_sessions_auth_and_csp_and_costs_one_query_then_none(
    published: dict[str, Any], django_assert_num_queries: Any
) -> None:
    der = der_of(published)
    serving.hosts.reload()
    with django_assert_num_queries(1):
        response = get(Client())
    assert response.status_code == 200
    assert "Set-Cookie" not in response and "Content-Security-Policy" not in response
    assert "Vary" not in response  # no session or CSRF cookie was looked at
    with django_assert_num_queries(0):  # asked again within seconds: from memory
        assert get(Client()).content == der


def test_other_processes_follow_a_withdrawal_within_the_memo_time(
    published: dict[str, Any], monkeypatch: Any
) -> None:
    """A withdrawal in another process (here: the row deleted behind this process's back)
    stops being served once the memo runs out."""
    monkeypatch.setattr(serving, "MEMO_SECONDS", 0.3)
    assert get(Client()).status_code == 200
    Publication.objects.all().delete()
    assert get(Client()).status_code == 200
    time.sleep(0.4)
    assert get(Client()).status_code == 404


@pytest.fixture
def live_published(
    transactional_db: None, live_server: Any, owner_api: Client, issued_cert: dict[str, Any]
) -> tuple[str, bytes]:
    publish_via_api(owner_api, issued_cert["id"])
    return live_server.url, bytes(Certificate.objects.get(pk=issued_cert["id"]).der)


def raw_get(base: str, path: str, host: str = "example.com") -> http.client.HTTPResponse:
    """A request sent exactly as written: no client-side normalisation of dots or escapes."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.putrequest("GET", path, skip_host=True)
    connection.putheader("Host", host)
    connection.endheaders()
    return connection.getresponse()


def test_downloaded_file_is_read_by_openssl_as_is(
    live_published: tuple[str, bytes], tmp_path: Path
) -> None:
    base, der = live_published
    response = raw_get(base, PATH)
    assert response.status == 200
    body = response.read()
    assert body == der
    (tmp_path / "Alice_Example.crt").write_bytes(body)
    shown = subprocess.run(
        ["openssl", "x509", "-in", "Alice_Example.crt", "-noout", "-ext", "subjectAltName"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert "email:Alice.Example@example.com" in shown.stdout


@pytest.mark.parametrize(
    "path",
    [
        "/.well-known/smime/../../etc/passwd",
        "/.well-known/smime/..%2F..%2Fetc%2Fpasswd.crt",
        "/.well-known/smime/%2e%2e/%2e%2e/settings.py.crt",
        "/.well-known/smime/%252e%252e%252fAlice_Example.crt",
        "/.well-known/smime/%C0%AE%C0%AE%C0%AFAlice_Example.crt",
        "/.well-known/smime/Alice_Example.crt%00.pem",
        "/.well-known/smime/Alice_Example.crt/",
        "/.well-known/smime/Alice_Example.crt;.pem",
        "/.well-known/smime/Alice_Example%2Ecrt%2F",
        "/.well-known/smime/%00Alice_Example.crt",
        "/.well-known/smime/Alice_Example",
        "/.well-known/smime/",
        "/.well-known/smime//Alice_Example.crt",
        "/.well-known/smime/Alice_Example.crt?../../x",
    ],
)
def test_traversal_and_odd_encodings_are_404(live_published: tuple[str, bytes], path: str) -> None:
    base, der = live_published
    response = raw_get(base, path)
    body = response.read()
    if path.endswith("?../../x"):  # a query string does not change which file is named
        assert response.status == 200 and body == der
        return
    assert response.status == 404, (path, body[:200])
    assert der not in body


def test_names_keyed_by_the_old_unicode_lower_casing_are_keyed_again(
    published: dict[str, Any],
) -> None:
    """Migration 0002: a stem folded with str.lower() ("ärger_example") is keyed by the
    portal's ASCII-only rule, so the file is served under the name senders compute."""
    from django.apps import apps

    rekey = importlib.import_module("discovery.migrations.0002_lookup").rekey
    Certificate.objects.filter(pk=published["certificate_id"]).update(
        email="Ärger.Example@example.com"
    )
    Publication.objects.update(lookup_name="ärger_example")
    rekey(apps, None)
    assert Publication.objects.get().lookup_name == "Ärger_example"
    serving.forget()
    assert get(Client(), "/.well-known/smime/Ärger_Example.crt").content == der_of(published)
    assert get(Client(), "/.well-known/smime/ärger_example.crt").status_code == 404
