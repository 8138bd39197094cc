"""Schemathesis against /api/v1/openapi.json: every operation, with an admin's token (every
scope) and an employee's, positive and negative inputs. No answer may be a server error, and
each must be one the document promises: a declared status code, its content type and its body
schema.

It runs in-process through Django's WSGI application, inside the test's database transaction,
each generated call rolled back after it so every call meets the same objects. Path parameters
are drawn both freely and from real objects (the employee's browser-key request with its
encrypted copy, published certificate and token, the trust anchor, the CA, the managed domain),
so the endpoints' own work is reached, not only their 404s. Outbound traffic cannot leave: DNS
goes to a local responder that answers every question at once with NXDOMAIN, and host names
for HTTP fetches resolve to a loopback address, which the fetcher refuses by policy.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import dns.message
import dns.rcode
import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from certificates.models import ApiToken
from certificates.models.tokens import TokenScope
from certificates.services import tokens
from portal.wsgi import application
from tests.access_routes import Objects
from tests.conftest import actor

pytestmark = pytest.mark.slow

EXAMPLES_PER_OPERATION = 20  # per token and generation mode: 4 runs of each operation
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


class NxdomainResponder:
    """A DNS server on loopback that answers every query with NXDOMAIN, at once."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.address = f"127.0.0.1:{self.socket.getsockname()[1]}"
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)

    def serve(self) -> None:
        while self.running:
            try:
                data, peer = self.socket.recvfrom(4096)
            except TimeoutError:
                continue
            reply = dns.message.make_response(dns.message.from_wire(data))
            reply.set_rcode(dns.rcode.NXDOMAIN)
            self.socket.sendto(reply.to_wire(), peer)

    def __enter__(self) -> NxdomainResponder:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.running = False
        self.thread.join()
        self.socket.close()


@pytest.fixture
def offline(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def loopback(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr("certificates.fetcher.socket.getaddrinfo", loopback)
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = False
    with NxdomainResponder() as responder:
        settings.DNS_RESOLVERS = [responder.address]
        yield


@contextmanager
def connection_kept_open() -> Iterator[None]:
    """What Django's test client does around each request: a WSGI call would otherwise close
    the connection at its end, and with it the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@dataclass
class Tally:
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)


def fuzz_operation(
    operation: Any,
    mode: schemathesis.GenerationMode,
    token: str,
    real: dict[str, str],
    tally: Tally,
) -> None:
    params = {p.name for p in operation.path_parameters}
    strategy = operation.as_strategy(generation_mode=mode)
    if params:  # half the cases aim at real objects
        chosen = {k: v for k, v in real.items() if k in params}
        strategy = st.one_of(
            strategy, operation.as_strategy(generation_mode=mode, path_parameters=chosen)
        )

    @given(case=strategy)
    @hypothesis_settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        with transaction.atomic():
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            transaction.set_rollback(True)
        tally.requests += 1
        tally.statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS)

    # Collected, so one run reports every operation that fails (schemathesis raises a group of
    # distinct failures, a BaseExceptionGroup).
    try:
        run()
    except (Exception, BaseExceptionGroup) as exc:
        tally.failures[f"{mode.value} {operation.label}"] = str(exc)[:2000]


def test_every_operation_answers_as_documented(
    offline: None,
    owned: Objects,
    owner: Any,
    admin: Any,
    trust_anchor: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    all_scopes = [s.value for s in TokenScope]
    _, admin_token = tokens.create(actor(admin), admin, "fuzz", scopes=all_scopes)
    _, employee_token = tokens.create(actor(owner), owner, "fuzz", scopes=all_scopes)
    real = {  # the owner's objects (tests/access_routes.py), which both tokens may reach
        "request_id": str(owned.request),
        "certificate_id": str(owned.certificate),
        "token_id": str(owned.token),
        "anchor_id": str(trust_anchor.pk),
        "authority_id": str(owned.authority),
        "name": "example.com",
    }
    tally = Tally()
    started = time.monotonic()
    modes = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
    with connection_kept_open():
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 40  # the whole API, not a part that happened to load
        for operation in operations:
            for token in (admin_token, employee_token):
                for mode in modes:
                    fuzz_operation(operation, mode, token, real, tally)
    seconds = time.monotonic() - started
    with capsys.disabled():
        print(
            f"\nAPI fuzzing: {len(operations)} operations, {tally.requests} requests in "
            f"{seconds:.0f} s, statuses {dict(sorted(tally.statuses.items()))}, "
            f"{len(tally.failures)} failing operation runs"
        )
    assert ApiToken.objects.get(pk=owned.token).revoked_at is None  # each call was rolled back
    assert not tally.failures, "\n\n".join(f"{k}:\n{v}" for k, v in tally.failures.items())
    assert not tally.statuses.keys() & range(500, 600)
