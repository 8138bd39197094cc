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
from certificates.models.certificates import CertificateStatus
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


def make_certificate(owner: User, *, now: datetime | None = None, **fields: object) -> Certificate:
    """One stored certificate row for ``owner`` with the given fields (defaults: a year left,
    the first issuer, a server key), its status and next check from its dates unless given."""
    now = now or timezone.now()
    rng = random.Random()  # noqa: S311 - test data, not secrets
    values: dict[str, object] = {
        "owner": owner,
        "key_source": "server",
        "email": owner.email,
        "der": shared_der(),
        "serial_hex": f"{rng.getrandbits(128):032x}",
        "issuer": ISSUERS[0],
        "subject": f"CN={owner.get_full_name() or owner.username},emailAddress={owner.email}",
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
    cert.save()
    return cert


def make_request(owner: User, state: str, **fields: object) -> CertificateRequest:
    """One request row in ``state`` (its CSR is a placeholder: nothing reads it)."""
    return CertificateRequest.objects.create(
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
    der = shared_der()
    rows = []
    for i in range(count):
        owner = owners[i % len(owners)]
        not_after = now + timedelta(days=rng.randint(-60, 800), hours=rng.randint(0, 23))
        cert = Certificate(
            owner=owner,
            key_source=rng.choice(["server", "server", "upload", "browser", "imported"]),
            email=owner.email,
            email_domain=owner.email.rpartition("@")[2].lower(),
            der=der,
            serial_hex=f"{rng.getrandbits(128):032x}",
            issuer=ISSUERS[i % len(ISSUERS)],
            subject=f"CN=Person {i},emailAddress={owner.email}",
            emails=[owner.email],
            key_usage=rng.choice(["both", "both", "signing", "encryption"]),
            key_type="ec-p256",
            not_before=not_after - timedelta(days=365),
            not_after=not_after,
            sha256_fingerprint=f"{rng.getrandbits(256):064x}",
            spki_sha256=f"{rng.getrandbits(256):064x}",
            chain_verdict="trusted",
            revocation_status=rng.choice(REVOCATION),
        )
        roll = rng.random()
        if roll < 0.05:
            cert.revoked_at = now - timedelta(days=rng.randint(0, 300))
            cert.revocation_reason = "Key compromise"
            cert.revocation_status = "revoked"
            cert.revocation_method = "declared"
        cert.status = status_service.derive(cert, now)
        if roll > 0.93 and cert.status in status_service.USABLE:
            cert.status = CertificateStatus.SUPERSEDED  # its successor is another seeded row
        cert.next_check_at = status_service.next_check(cert.not_after, cert.status)
        rows.append(cert)
        if len(rows) == BATCH:
            Certificate.objects.bulk_create(rows)
            rows = []
    Certificate.objects.bulk_create(rows)


def seed_requests(count: int, owners: list[User], *, now: datetime | None = None) -> None:
    """Open requests: waiting on the CA, awaiting approval or ready to send."""
    now = now or timezone.now()
    states = [RequestState.SUBMITTED, RequestState.AWAITING_APPROVAL, RequestState.CSR_READY]
    rows = []
    for i in range(count):
        owner = owners[i % len(owners)]
        state = states[i % len(states)]
        rows.append(
            CertificateRequest(
                owner=owner,
                created_by=owner,
                email=owner.email,
                key_source="upload",
                key_type="ec-p256",
                csr_pem="-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----\n",
                spki_sha256=f"{i:064x}",
                state=state,
                ca_name="Sectigo" if state == RequestState.SUBMITTED else "",
                submitted_at=now - timedelta(days=i % 40)
                if state == RequestState.SUBMITTED
                else None,
            )
        )
    CertificateRequest.objects.bulk_create(rows, batch_size=BATCH)
