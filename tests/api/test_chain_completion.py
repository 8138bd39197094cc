"""A leaf uploaded without its issuer: the issuer is fetched from the caIssuers URL (DER or
PKCS#7) from a real HTTP server, or the upload is refused naming the issuer and the URL."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from certificates.models import Certificate
from tests.factories import OWNER_EMAIL, SignCsr, post_json
from tests.revocation_peers import Peers

pytestmark = pytest.mark.usefixtures("quick_passwords", "trust_anchor")
ISSUER = "CN=Test S/MIME Issuing CA,O=Test Trust Services,C=NL"


def _lone_leaf(sign_csr: SignCsr, request: dict[str, Any], url: str) -> str:
    return sign_csr(request["csr_pem"], OWNER_EMAIL, chain=False, ca_issuers_url=url)


def _upload(client: Client, request: dict[str, Any], pem: str) -> Any:
    return post_json(client, f"/api/v1/requests/{request['id']}/certificate", {"pem": pem})


def test_the_issuer_named_by_ca_issuers_is_fetched_and_the_chain_validates(
    owner_api: Client, server_request: dict[str, Any], sign_csr: SignCsr, peers: Peers
) -> None:
    response = _upload(
        owner_api, server_request, _lone_leaf(sign_csr, server_request, peers.issuer_url)
    )
    assert response.status_code == 201, response.content
    assert response.json()["chain_verdict"] == "trusted"
    assert peers.files.hits["/issuing.crt"] == 1
    cert = Certificate.objects.get(pk=response.json()["id"])
    chain = x509.load_pem_x509_certificates(cert.chain_pem.encode())
    assert chain == [peers.ca.ca.issuing, peers.ca.ca.root]


def test_a_der_leaf_with_a_pkcs7_issuer_file_validates(
    owner_api: Client, server_request: dict[str, Any], sign_csr: SignCsr, peers: Peers
) -> None:
    peers.files.files["/issuing.p7c"] = pkcs7.serialize_certificates(
        [peers.ca.ca.issuing], serialization.Encoding.DER
    )
    pem = _lone_leaf(sign_csr, server_request, peers.files.url("/issuing.p7c"))
    der = x509.load_pem_x509_certificate(pem.encode()).public_bytes(serialization.Encoding.DER)
    response = owner_api.post(
        f"/api/v1/requests/{server_request['id']}/certificate",
        {"file": SimpleUploadedFile("cert.cer", der)},
    )
    assert response.status_code == 201, response.content
    assert response.json()["chain_verdict"] == "trusted"


def test_when_the_issuer_cannot_be_fetched_the_upload_is_refused_naming_issuer_and_url(
    owner_api: Client, server_request: dict[str, Any], sign_csr: SignCsr, peers: Peers
) -> None:
    url = peers.files.url("/gone.crt")
    response = _upload(owner_api, server_request, _lone_leaf(sign_csr, server_request, url))
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith("The certificate chain does not validate: the issuer")
    assert f"'{ISSUER}'" in detail
    assert f"fetching it from {url} failed ({url} answered HTTP 404.)" in detail
    assert not Certificate.objects.exists()


def test_an_issuer_url_to_a_private_network_is_not_fetched_when_that_is_off(
    owner_api: Client,
    server_request: dict[str, Any],
    sign_csr: SignCsr,
    peers: Peers,
    settings: Any,
) -> None:
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = False
    response = _upload(
        owner_api, server_request, _lone_leaf(sign_csr, server_request, peers.issuer_url)
    )
    assert response.status_code == 422
    assert "private networks are off" in response.json()["detail"]
    assert peers.files.hits["/issuing.crt"] == 0


def test_a_file_holding_another_certificate_is_refused(
    owner_api: Client, server_request: dict[str, Any], sign_csr: SignCsr, peers: Peers
) -> None:
    peers.files.files["/issuing.crt"] = peers.ca.ca.root.public_bytes(serialization.Encoding.DER)
    response = _upload(
        owner_api, server_request, _lone_leaf(sign_csr, server_request, peers.issuer_url)
    )
    assert response.status_code == 422
    assert "holds no certificate that signed it" in response.json()["detail"]
