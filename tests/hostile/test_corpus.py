"""Files nobody here wrote, sent through every upload door the portal has (issue 11).

Every certificate, CSR, CRL, OCSP, PKCS#7 and PKCS#12 file of ``cryptography-vectors``
(NIST PKITS included), random bytes and truncated prefixes of real files go through: a new
request's CSR and a renewal's CSR (API and page), the certificate for a request and a
certificate import (API and page), a trust anchor (admin API and Django admin), and the parser
a discovery lookup runs on what a URL answered. No door takes a PKCS#12 file (the portal only
makes them), so the package's PKCS#12 files go in as certificates and CSRs and must be refused.

Promise: no server error (no 5xx, no uncaught exception), no try past the time limit, nothing
half-stored (a refusal leaves every table as it was; an acceptance adds exactly its rows). The
counts per door are printed in pytest's summary.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.factories import OWNER_EMAIL, SignCsr, make_csr, post_json
from tests.hostile.corpus import VECTORS, Hostile, all_inputs, spread, vector_files
from tests.hostile.doors import (
    TALLIES,
    Door,
    Tally,
    discovery_read,
    http_doors,
    service_doors,
    try_door,
)
from tests.testca import SmimeTestCA, other_root

pytestmark = [
    pytest.mark.slow,
    # cryptography warns about the oddities these files are made of (NULL parameters, negative
    # serials, BER in PKCS#7): expected here, and each would only repeat in the summary.
    pytest.mark.filterwarnings("ignore::UserWarning"),
]
API_PKITS_EVERY = 8
PAGE_PKITS_EVERY = 16
RENEWAL_PAGE_PKITS_EVERY = 32


@pytest.fixture
def doors(
    owner_api: Client,
    owner_web: Client,
    admin_api: Client,
    superuser_web: Client,
    open_request: dict[str, Any],
    issued: dict[str, Any],
) -> list[Door]:
    return http_doors(
        owner_api, owner_web, admin_api, superuser_web, open_request["id"], issued["id"]
    )


@pytest.fixture
def quiet_refusals() -> Iterator[None]:
    """Django logs every 4xx as a warning; thousands of them only slow the run down (a 5xx
    is still logged, and counted from its status)."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def test_every_hostile_file_through_every_door_gets_an_answer_and_stores_nothing_half(
    doors: list[Door],
    owner: User,
    admin: User,
    open_request: dict[str, Any],
    issued: dict[str, Any],
    quiet_refusals: None,
) -> None:
    inputs = all_inputs()
    # Every input reaches the services and the discovery parser; the HTTP doors, several times
    # costlier, get every file outside PKITS and a spread of the rest (see corpus.spread), and
    # a renewal, whose CSR check is the new request's, a sparser one.
    api, pages = spread(inputs, API_PKITS_EVERY), spread(inputs, PAGE_PKITS_EVERY, 3)
    renewal_page = spread(inputs, RENEWAL_PAGE_PKITS_EVERY, 6)
    services = service_doors(owner, admin, open_request["id"], issued["id"])
    by_door: list[tuple[Door, list[Hostile]]] = [
        (door, api if "renewal" in door.name else inputs) for door in services
    ]
    for door in doors:
        if door.name.startswith("API"):
            by_door.append((door, api))
        else:
            by_door.append((door, renewal_page if "renewal" in door.name else pages))
    started = time.perf_counter()
    tallies = []
    for door, items in by_door:
        tally = Tally(door.name)
        for item in items:
            try_door(door, item, tally)
        tallies.append(tally)
    lookup = Tally("discovery: reading a fetched answer")
    for item in inputs:
        discovery_read(item, lookup)
    tallies.append(lookup)
    seconds = time.perf_counter() - started
    _report(inputs, tallies, seconds)
    errors = [error for tally in tallies for error in tally.errors]
    assert errors == [], "\n".join(sorted({e.split(" <- ", 1)[1] for e in errors}))
    for tally in tallies:
        assert tally.accepted + tally.refused == tally.tried


def _report(inputs: list[Hostile], tallies: list[Tally], seconds: float) -> None:
    files = sum(1 for item in inputs if item.kind not in ("random", "truncated"))
    total = Tally("all doors")
    for tally in tallies:
        total.tried += tally.tried
        total.accepted += tally.accepted
        total.refused += tally.refused
        total.errors += tally.errors
        total.seconds += tally.seconds
        if tally.slowest > total.slowest:
            total.slowest, total.slowest_input = tally.slowest, tally.slowest_input
    TALLIES[:] = [
        f"{len(inputs)} inputs: {files} distinct vector files, {len(inputs) - files} random "
        f"or truncated; {len(tallies)} doors; {seconds:.1f} s",
        *(tally.line() for tally in tallies),
        total.line(),
        f"slowest try: {total.slowest_input}",
    ]
    print("\n".join(TALLIES))


def test_the_corpus_holds_what_the_issue_names() -> None:
    """The package is the one the issue means: PKITS, the custom and request files, the
    PKCS#12 files (so a package change that drops them fails here, not silently)."""
    names = {item.name for item in vector_files()}
    kinds = {item.kind for item in vector_files()}
    assert kinds == {"x509", "csr", "ocsp", "pkcs7", "pkcs12", "pkits"}
    for expected in (
        "x509/requests/bad-version.pem",
        "x509/requests/two_basic_constraints.pem",
        "x509/san_edipartyname.der",
        "x509/custom/unsupported_subject_name.pem",
        "pkcs7/enveloped.pem",
        "pkcs12/cert-key-aes256cbc.p12",
    ):
        assert expected in names
    assert sum(1 for n in names if n.startswith("x509/PKITS_data/certs/")) > 300


def test_the_doors_accept_a_good_file_and_store_exactly_its_rows(
    doors: list[Door],
    owner: User,
    admin: User,
    issued: dict[str, Any],
    open_request: dict[str, Any],
    sign_csr: SignCsr,
    test_ca: SmimeTestCA,
) -> None:
    """The bookkeeping above can tell an acceptance: a file each door should take is taken,
    with exactly the rows the corpus test expects of an accepted file."""
    certificate = sign_csr(open_request["csr_pem"]).encode()
    good = {
        "CSR": make_csr(OWNER_EMAIL).encode(),
        "certificate": certificate,
        "trust anchor": other_root(timezone.now()).root.public_bytes(serialization.Encoding.PEM),
    }
    every_door = service_doors(owner, admin, open_request["id"], issued["id"]) + doors
    for door in every_door:
        kind = "CSR" if "CSR" in door.name else "trust anchor" if "anchor" in door.name else None
        data = good[kind or "certificate"]
        tally = Tally(door.name)
        try_door(door, Hostile("good", data, "control"), tally)
        assert (tally.accepted, tally.refused, tally.errors) == (1, 0, []), tally.errors


@pytest.mark.parametrize(
    "vector",
    [
        "x509/requests/bad-version.pem",
        "x509/requests/two_basic_constraints.pem",
        "x509/custom/invalid_version.pem",
        "x509/custom/two_basic_constraints.pem",
        "x509/custom/unsupported_subject_name.pem",
        "x509/san_edipartyname.der",
        "x509/san_x400address.der",
        "pkcs7/enveloped.pem",
    ],
)
def test_the_first_runs_server_errors_are_refusals_with_a_sentence(
    vector: str, owner_api: Client
) -> None:
    """The files the first corpus run on the foundation answered with a 500 (issue 11), on
    the door each belongs to: a CSR for a new request, anything else as an import."""
    data = (VECTORS / vector).read_bytes()
    if "/requests/" in vector:
        body = {"email": OWNER_EMAIL, "key_source": "upload", "csr_pem": data.decode()}
        response = post_json(owner_api, "/api/v1/requests", body)
    else:
        response = owner_api.post("/api/v1/certificates", {"file": _upload(data)})
    assert response.status_code == 422, (vector, response.content)
    assert response.json()["detail"].endswith(".")  # a sentence, not a traceback


def _upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("upload.bin", data, content_type="application/octet-stream")
