"""Many certificate and request rows, fast: for the tests that count queries at 10 and 1,000
certificates and for the benchmark (bench/admin_views.py) at 100,000.

Nothing is signed per row: a few real leaves from the test CA lend their DER to every row, and
each row gets its own serial, fingerprint, owner, address, issuer, dates and status. Statuses
follow the dates (services.status's rules) so the figures add up as they would in use.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from functools import cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.contrib.auth.models import User
from django.utils import timezone

from certificates.models import Certificate, CertificateRequest, Domain
from certificates.models.certificates import CertificateStatus, email_domain_of
from certificates.models.requests import RequestState
from certificates.services import status as status_service
from tests.testca import SmimeTestCA

DOMAINS = ["example.com", "example.org", "sales.example.com", "example.net", "lab.example.com"]
ISSUERS = [
    "CN=Sectigo Public Email Protection CA R36,O=Sectigo Limited,C=GB",
    "CN=HARICA S/MIME RSA,O=Hellenic Academic and Research Institutions CA,C=GR",
    "CN=Test S/MIME Issuing CA,O=Test Trust Services,C=NL",
]
REVOCATION = ["good"] * 12 + ["unknown", ""] + ["", ""]
BATCH = 5000


@cache
def shared_der() -> bytes:
    """A real leaf's DER, lent to every seeded row (nothing here reads it back)."""
    now = datetime.now(UTC)
    ca = SmimeTestCA(now=now)
    leaf = ca.issue(ec.generate_private_key(ec.SECP256R1()).public_key(), "x@example.com", now=now)
    return leaf.public_bytes(serialization.Encoding.DER)


def certificate_row(
    owner: User, rng: random.Random, now: datetime, **fields: object
) -> Certificate:
    """An unsaved certificate row for ``owner`` with the given fields (defaults: a year left,
    the first issuer, a server key), its status and next check from its facts unless given."""
    values: dict[str, object] = {
        "owner": owner,
        "key_source": "server",
        "email": owner.email,
        "email_domain": email_domain_of(owner.email),  # bulk_create skips save()
        "der": shared_der(),
        "serial_hex": f"{rng.getrandbits(128):032x}",
        "issuer": ISSUERS[0],
        "subject": f"CN={owner.get_full_name() or owner.username},emailAddress={owner.email}",
        "emails": [owner.email],
        "key_usage": "both",
        "key_type": "ec-p256",
        "not_after": now + timedelta(days=365),
        "sha256_fingerprint": f"{rng.getrandbits(256):064x}",
        "spki_sha256": f"{rng.getrandbits(256):064x}",
        "chain_verdict": "trusted",
        **fields,
    }
    values.setdefault("not_before", values["not_after"] - timedelta(days=400))  # type: ignore[operator]
    cert = Certificate(**values)
    if "status" not in fields:
        cert.status = status_service.derive(cert, now)
    cert.next_check_at = status_service.next_check(cert.not_after, cert.status)
    return cert


def make_certificate(owner: User, *, now: datetime | None = None, **fields: object) -> Certificate:
    """One stored certificate (certificate_row's defaults)."""
    cert = certificate_row(owner, random.Random(), now or timezone.now(), **fields)  # noqa: S311
    cert.save()
    return cert


def request_row(owner: User, state: str, **fields: object) -> CertificateRequest:
    """An unsaved request in ``state`` (its CSR is a placeholder: nothing reads it)."""
    return CertificateRequest(
        owner=owner,
        created_by=owner,
        email=owner.email,
        key_source="upload",
        key_type="ec-p256",
        csr_pem="-",
        spki_sha256="0" * 64,
        state=state,
        **fields,
    )


def make_request(owner: User, state: str, **fields: object) -> CertificateRequest:
    request = request_row(owner, state, **fields)
    request.save()
    return request


def seed_domains() -> None:
    for name in DOMAINS:
        Domain.objects.get_or_create(name=name)


def seed_users(count: int, prefix: str = "user") -> list[User]:
    """``count`` accounts (no usable password), each with an address in one of DOMAINS."""
    users = [
        User(
            username=f"{prefix}{i}",
            email=f"{prefix}{i}@{DOMAINS[i % len(DOMAINS)]}",
            password="!",
            last_name=f"Person{i}",
        )
        for i in range(count)
    ]
    User.objects.bulk_create(users, batch_size=BATCH)
    return list(User.objects.filter(username__startswith=prefix).order_by("pk"))


def seed_certificates(
    count: int, owners: list[User], *, now: datetime | None = None, seed: int = 7
) -> None:
    """``count`` certificates spread over ``owners``: most live, some expired, revoked or
    superseded; ends from two months ago to two years ahead."""
    now = now or timezone.now()
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    rows = []
    for i in range(count):
        not_after = now + timedelta(days=rng.randint(-60, 800), hours=rng.randint(0, 23))
        fields: dict[str, object] = {
            "key_source": rng.choice(["server", "server", "upload", "browser", "imported"]),
            "issuer": ISSUERS[i % len(ISSUERS)],
            "key_usage": rng.choice(["both", "both", "signing", "encryption"]),
            "not_before": not_after - timedelta(days=365),
            "not_after": not_after,
            "revocation_status": rng.choice(REVOCATION),
        }
        roll = rng.random()
        if roll < 0.05:
            fields |= {
                "revoked_at": now - timedelta(days=rng.randint(0, 300)),
                "revocation_reason": "Key compromise",
                "revocation_status": "revoked",
                "revocation_method": "declared",
            }
        cert = certificate_row(owners[i % len(owners)], rng, now, **fields)
        if roll > 0.93 and cert.status in status_service.USABLE:
            cert.status = CertificateStatus.SUPERSEDED  # its successor is another seeded row
            cert.next_check_at = None
        rows.append(cert)
    Certificate.objects.bulk_create(rows, batch_size=BATCH)


def seed_requests(count: int, owners: list[User], *, now: datetime | None = None) -> None:
    """Open requests: waiting on the CA, awaiting approval or ready to send."""
    now = now or timezone.now()
    states = [RequestState.SUBMITTED, RequestState.AWAITING_APPROVAL, RequestState.CSR_READY]
    rows = []
    for i in range(count):
        state = states[i % len(states)]
        sent = state == RequestState.SUBMITTED
        rows.append(
            request_row(
                owners[i % len(owners)],
                state,
                ca_name="Sectigo" if sent else "",
                submitted_at=now - timedelta(days=i % 40) if sent else None,
            )
        )
    CertificateRequest.objects.bulk_create(rows, batch_size=BATCH)
