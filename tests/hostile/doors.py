"""Every upload door of the portal, driven with the Django test client, and the bookkeeping of
what each try did: accepted, refused with a 4xx, or a server error (a 5xx, an uncaught
exception, a hang past the time limit, or rows left behind by a refusal).

A try runs inside a savepoint that is rolled back afterwards, so each file meets the same
portal: one accepted root does not make the next upload of it a duplicate.
"""

from __future__ import annotations

import functools
import signal
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.apps import apps
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client

from certificates.pki.errors import PkiError
from certificates.services.errors import ServiceError
from discovery import recipient
from tests.factories import OWNER_EMAIL
from tests.hostile.corpus import Hostile, _pem

TRY_SECONDS = 10.0  # one try longer than this is a hang
Send = Callable[[bytes], Any]  # file -> response
TALLIES: list[str] = []  # the lines conftest.py prints in pytest's summary


class TryTimedOut(Exception):
    pass


@dataclass(frozen=True)
class Answer:
    """A service door's outcome in the shape of a response: 201, or its refusal's status."""

    status_code: int


@dataclass
class Tally:
    door: str
    tried: int = 0
    accepted: int = 0
    refused: int = 0
    errors: list[str] = field(default_factory=list)
    slowest: float = 0.0
    slowest_input: str = ""
    baseline: dict[str, int] | None = None  # every table's row count before the first try
    seconds: float = 0.0  # all tries together

    def line(self) -> str:
        return (
            f"{self.door:<42} tried {self.tried:5}  accepted {self.accepted:4}  "
            f"refused {self.refused:5}  server errors {len(self.errors):3}  "
            f"slowest {self.slowest:5.2f} s  all {self.seconds:5.1f} s"
        )


@dataclass(frozen=True)
class Door:
    name: str
    send: Send
    accepted_status: int  # what a success answers (201 on the API, 302 on pages)
    refused_statuses: range = range(400, 500)
    # The tables an accepted file may add rows to, and how many; every other table must not
    # change.
    stored: dict[str, int] = field(default_factory=dict)


def _file(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("upload.bin", data, content_type="application/octet-stream")


def as_pem_text(data: bytes, label: str) -> str:
    """What a JSON door gets: PEM files as they are, anything else wrapped in PEM armour with
    the label the door expects (JSON carries text, not DER)."""
    if b"-----BEGIN" in data:
        return data.decode("latin-1")
    return _pem(label, data).decode("ascii")


@functools.cache
def _count_query() -> tuple[list[str], str]:
    tables = sorted({m._meta.db_table for m in apps.get_models(include_auto_created=True)})
    quote = connection.ops.quote_name
    # Table names from the app registry, quoted by the database backend.
    selects = ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)  # noqa: S608
    return tables, f"SELECT {selects}"


def row_counts() -> dict[str, int]:
    """The row count of every table of the portal, in one query."""
    tables, query = _count_query()
    with connection.cursor() as cursor:
        cursor.execute(query)
        row = cursor.fetchone()
    return dict(zip(tables, row, strict=True))


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {t: after[t] - before[t] for t in before if after[t] != before[t]}


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """TryTimedOut when the block runs longer (checked whenever Python code runs)."""

    def expire(_signum: int, _frame: object) -> None:
        raise TryTimedOut(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def try_door(door: Door, item: Hostile, tally: Tally) -> None:
    tally.tried += 1
    problem = ""
    started = time.perf_counter()
    with transaction.atomic():
        # Every try is rolled back, so the counts before one are the counts before the first.
        if tally.baseline is None:
            tally.baseline = row_counts()
        before = tally.baseline
        try:
            with time_limit(TRY_SECONDS):
                response = door.send(item.data)
        except Exception as exc:
            problem = "".join(traceback.format_exception_only(exc)).strip()
            response = None
        elapsed = time.perf_counter() - started
        delta = changed(before, row_counts()) if response is not None else {}
        transaction.set_rollback(True)
    tally.seconds += time.perf_counter() - started  # with the bookkeeping
    if elapsed > tally.slowest:
        tally.slowest, tally.slowest_input = elapsed, item.name
    if response is not None:
        problem = _judge(door, response.status_code, delta, tally)
    if problem:
        tally.errors.append(f"{door.name} <- {item.name}: {problem}")


def _judge(door: Door, status: int, delta: dict[str, int], tally: Tally) -> str:
    if status == door.accepted_status:
        if delta != door.stored:
            return f"accepted ({status}) but stored {delta}, expected {door.stored}"
        tally.accepted += 1
        return ""
    if status in door.refused_statuses:
        if delta:
            return f"refused ({status}) but half-stored {delta}"
        tally.refused += 1
        return ""
    return f"answered {status}"


def http_doors(
    owner_api: Client,
    owner_web: Client,
    admin_api: Client,
    superuser_web: Client,
    request_id: int,
    certificate_id: int,
) -> list[Door]:
    """The upload doors as a person (the owner) or an admin meets them."""
    email = OWNER_EMAIL

    def api_json(client: Client, url: str, body: dict[str, Any]) -> Any:
        return client.post(url, body, content_type="application/json")

    def api_request_csr(data: bytes) -> Any:
        csr = as_pem_text(data, "CERTIFICATE REQUEST")
        body = {"email": email, "key_source": "upload", "csr_pem": csr}
        return api_json(owner_api, "/api/v1/requests", body)

    def api_renew_csr(data: bytes) -> Any:
        body = {"key_source": "upload", "csr_pem": as_pem_text(data, "CERTIFICATE REQUEST")}
        return api_json(owner_api, f"/api/v1/certificates/{certificate_id}/renew", body)

    def api_trust_anchor(data: bytes) -> Any:
        body = {"name": "", "pem": as_pem_text(data, "CERTIFICATE")}
        return api_json(admin_api, "/api/v1/trust-anchors", body)

    def page_request_csr(data: bytes) -> Any:
        form = {"step": "create", "key_source": "upload", "key_type": "ec-p256", "email": email}
        return owner_web.post("/requests/new/", {**form, "csr_file": _file(data)})

    def page_renew_csr(data: bytes) -> Any:
        form = {"mode": "upload", "csr_file": _file(data)}
        return owner_web.post(f"/certificates/{certificate_id}/renew", form)

    def admin_trust_anchor(data: bytes) -> Any:
        form = {"name": "", "pem_text": "", "pem_file": _file(data)}
        return superuser_web.post("/admin/certificates/trustanchor/add/", form)

    def multipart(client: Client, url: str) -> Send:
        return lambda data: client.post(url, {"file": _file(data)})

    request_rows = {"certificates_certificaterequest": 1, "certificates_auditevent": 1}
    certificate_rows = {"certificates_certificate": 1, "certificates_auditevent": 1}
    # A request's certificate is audited twice: added, and the request issued.
    issued_rows = {"certificates_certificate": 1, "certificates_auditevent": 2}
    anchor_rows = {"certificates_trustanchor": 1, "certificates_auditevent": 1}
    request = f"/requests/{request_id}/certificate"
    return [
        Door("API: new request with a CSR", api_request_csr, 201, stored=request_rows),
        Door("page: new request with a CSR file", page_request_csr, 302, stored=request_rows),
        Door("API: renewal with a CSR", api_renew_csr, 201, stored=request_rows),
        Door("page: renewal with a CSR file", page_renew_csr, 302, stored=request_rows),
        Door(
            "API: certificate for a request",
            multipart(owner_api, "/api/v1" + request),
            201,
            stored=issued_rows,
        ),
        Door(
            "page: certificate for a request",
            multipart(owner_web, request),
            302,
            stored=issued_rows,
        ),
        Door(
            "API: certificate import",
            multipart(owner_api, "/api/v1/certificates"),
            201,
            stored=certificate_rows,
        ),
        Door(
            "page: certificate import",
            multipart(owner_web, "/certificates/import/"),
            302,
            stored=certificate_rows,
        ),
        Door("API: trust anchor (admin)", api_trust_anchor, 201, stored=anchor_rows),
        Door(
            "admin: trust anchor",
            admin_trust_anchor,
            302,
            stored={**anchor_rows, "django_admin_log": 1},  # the admin's own history too
        ),
    ]


def service_doors(owner: User, admin: User, request_id: int, certificate_id: int) -> list[Door]:
    """The services behind the doors, called directly: every input reaches the checks the
    HTTP doors share at a fraction of their cost (a ServiceError is the 4xx it becomes)."""
    from certificates.models import Certificate, CertificateRequest
    from certificates.services import anchors, issuance
    from certificates.services import requests as request_service
    from certificates.services.actor import Actor

    as_owner, as_admin = Actor(owner, "test", None), Actor(admin, "test", None)

    def answered(call: Callable[[], object]) -> Answer:
        try:
            call()
        except ServiceError as exc:
            return Answer(exc.status)
        return Answer(201)

    def create(data: bytes) -> Answer:
        return answered(
            lambda: request_service.create(
                as_owner,
                owner=owner,
                email=OWNER_EMAIL,
                subject_fields={},
                key_source="upload",
                csr_pem=data,
            )
        )

    def renew(data: bytes) -> Answer:
        cert = Certificate.objects.get(pk=certificate_id)
        return answered(
            lambda: request_service.renew(as_owner, cert, key_source="upload", csr_pem=data)
        )

    def attach(data: bytes) -> Answer:
        req = CertificateRequest.objects.get(pk=request_id)
        return answered(lambda: issuance.attach_to_request(as_owner, req, data))

    request_rows = {"certificates_certificaterequest": 1, "certificates_auditevent": 1}
    certificate_rows = {"certificates_certificate": 1, "certificates_auditevent": 1}
    issued_rows = {"certificates_certificate": 1, "certificates_auditevent": 2}
    return [
        Door("service: new request's CSR", create, 201, stored=request_rows),
        Door("service: renewal's CSR", renew, 201, stored=request_rows),
        Door("service: certificate for a request", attach, 201, stored=issued_rows),
        Door(
            "service: certificate import",
            lambda data: answered(lambda: issuance.import_certificate(as_owner, owner, data)),
            201,
            stored=certificate_rows,
        ),
        Door(
            "service: trust anchor",
            lambda data: answered(lambda: anchors.add(as_admin, "", data)),
            201,
            stored={"certificates_trustanchor": 1, "certificates_auditevent": 1},
        ),
    ]


def discovery_read(item: Hostile, tally: Tally, now: datetime | None = None) -> None:
    """What a discovery lookup does with a fetched answer: read it, pick the certificate for
    the address, judge it and describe it. Only PkiError may come out (the lookup reports it)."""
    tally.tried += 1
    now = now or datetime.now(UTC)
    started = time.perf_counter()
    body = item.data[: recipient.MAX_CERTIFICATE_BYTES]  # the fetcher stops reading there
    try:
        with time_limit(TRY_SECONDS):
            cert = recipient.pick(recipient.read(body), OWNER_EMAIL)
            recipient.judge(cert, OWNER_EMAIL, now)
            recipient.details(cert)
        tally.accepted += 1
    except PkiError:
        tally.refused += 1
    except Exception as exc:
        problem = "".join(traceback.format_exception_only(exc)).strip()
        tally.errors.append(f"discovery read <- {item.name}: {problem}")
    elapsed = time.perf_counter() - started
    tally.seconds += elapsed
    if elapsed > tally.slowest:
        tally.slowest, tally.slowest_input = elapsed, item.name
