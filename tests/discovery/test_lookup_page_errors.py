"""What the public lookup page says when the certificate could not be fetched: words a
visitor can act on, never the operating system's error or the portal's setting names; admins
see the fetcher's own sentence beside them. The API says what the page says."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.test import Client

from certificates.services import outbound
from discovery import lookup
from discovery.dnsclient import Answer
from discovery.services import lookup as lookups

ERRNO = "[Errno -2] Name or service not known"


@pytest.fixture
def no_dns_records(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """No TXT or SMIMEA record anywhere, so the direct .well-known URL is fetched through the
    portal's real fetcher, with private networks off."""
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = False
    seams = lookup.Seams(resolve=lambda name, rdtype, timeout: Answer(), fetch=outbound.fetch)
    monkeypatch.setattr(lookups, "seams", lambda: seams)


@pytest.fixture
def unresolvable(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)


@pytest.fixture
def private(monkeypatch: pytest.MonkeyPatch) -> None:
    def loopback(host: str, port: int, **kwargs: object) -> Any:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))]

    monkeypatch.setattr(socket, "getaddrinfo", loopback)


def certificate_detail(page: str) -> str:
    return page[page.index('id="steps"') :]


@pytest.mark.usefixtures("db", "no_dns_records", "unresolvable")
def test_a_name_that_does_not_resolve_is_said_in_words(admin_web: Client) -> None:
    page = Client().get("/lookup/", {"email": "jane@nowhere.example"}).content.decode()
    assert "Not fetched: the name nowhere.example does not resolve." in page
    assert "Errno" not in page and "Name or service not known" not in page
    admin_page = admin_web.get("/lookup/", {"email": "jane@nowhere.example"}).content.decode()
    assert "Not fetched: the name nowhere.example does not resolve." in admin_page
    assert ERRNO in certificate_detail(admin_page)


@pytest.mark.usefixtures("db", "no_dns_records", "private")
def test_a_private_address_is_said_without_the_setting_name(
    admin_web: Client, owner_api: Client
) -> None:
    words = (
        "Not fetched: intra.example leads to an address in a private network, which the "
        "portal does not fetch from."
    )
    page = Client().get("/lookup/", {"email": "jane@intra.example"}).content.decode()
    assert words in page
    assert "FETCH_ALLOW_PRIVATE_NETWORKS" not in page and "10.1.2.3" not in page
    admin_page = admin_web.get("/lookup/", {"email": "jane@intra.example"}).content.decode()
    assert "FETCH_ALLOW_PRIVATE_NETWORKS" in certificate_detail(admin_page)
    body = owner_api.get("/api/v1/discovery", {"email": "jane@intra.example"}).json()
    certificate = next(step for step in body["steps"] if step["step"] == "certificate")
    assert certificate["detail"] == words
    assert "FETCH_ALLOW_PRIVATE_NETWORKS" not in str(body)
