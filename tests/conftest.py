"""Shared fixtures: three people (owner, colleague, admin) with their API clients and browser
sessions, a managed domain, a test CA and its sign_csr, a real SMTP sink and a real Celery
worker. Plain helpers (CSRs, JSON calls, a certificate issued through the API) are in
tests/factories.py.

Real services: when REDIS_URL / DATABASE_URL are set (CI sets both), they must answer, or the
session stops with an error instead of skipping.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from django.contrib.auth.models import Group, User
from django.test import Client, override_settings

from certificates.models import Domain, TrustAnchor
from certificates.services import tokens
from certificates.services.access import ADMIN_GROUP
from certificates.services.actor import Actor
from tests.factories import OWNER_EMAIL, SignCsr, logged_in, to_pem
from tests.testca import SmimeTestCA

pytest_plugins = ["tests.peers", "tests.revocation_peers", "tests.access_routes"]


def pytest_sessionstart(session: pytest.Session) -> None:
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        import redis

        try:
            redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
        except redis.RedisError as exc:
            pytest.exit(f"REDIS_URL={redis_url} does not answer: {exc}", returncode=3)


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing() -> Iterator[None]:
    """Test accounts need no real password hashing; PBKDF2's deliberate cost (a third of a
    second per hash) would only slow every test that makes or logs in a person."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def domain(db: None) -> Domain:
    return Domain.objects.get_or_create(name="example.com")[0]


def _user(username: str, email: str) -> User:
    return User.objects.create_user(username, email, password=f"{username}-pass-1234")


@pytest.fixture
def owner(domain: Domain) -> User:
    return _user("alice", OWNER_EMAIL)


@pytest.fixture
def colleague(domain: Domain) -> User:
    return _user("bob", "bob@example.com")


@pytest.fixture
def admin(domain: Domain) -> User:
    user = _user("carol", "carol@example.com")
    user.groups.add(Group.objects.get_or_create(name=ADMIN_GROUP)[0])
    return user


def actor(user: User | None) -> Actor:
    return Actor(user=user, via="test", ip="127.0.0.1")


@pytest.fixture(scope="session")
def test_ca() -> SmimeTestCA:
    return SmimeTestCA(now=datetime.now(UTC))


@pytest.fixture
def trust_anchor(db: None, test_ca: SmimeTestCA) -> TrustAnchor:
    from certificates.services import anchors

    superuser = User.objects.create_superuser("root-admin", "root@example.com", "x-pass-1234")
    root_pem = test_ca.root.public_bytes(serialization.Encoding.PEM)
    return anchors.add(actor(superuser), "Test S/MIME Root", root_pem)


@pytest.fixture
def sign_csr(test_ca: SmimeTestCA) -> SignCsr:
    """sign_csr(csr_pem, email=None, *, chain=True, **issue_options) -> PEM text: a leaf for the
    CSR's key, signed by the test CA, followed by the chain unless chain=False. The email
    defaults to the CSR's subject address; options go to SmimeTestCA.issue (now: the present)."""

    def sign(
        csr_pem: str | bytes, email: str | None = None, *, chain: bool = True, **options: Any
    ) -> str:
        data = csr_pem.encode() if isinstance(csr_pem, str) else csr_pem
        csr = x509.load_pem_x509_csr(data)
        if email is None:
            email = str(csr.subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS)[0].value)
        options.setdefault("now", datetime.now(UTC))
        leaf = test_ca.issue(csr, email, **options)
        return to_pem(leaf, *(test_ca.chain if chain else []))

    return sign


class ApiClient(Client):
    """A Django test client that sends a bearer token on every call."""

    def __init__(self, token: str) -> None:
        super().__init__(HTTP_AUTHORIZATION=f"Bearer {token}")
        self.token = token


def api_client(user: User, scopes: list[str] | None = None) -> ApiClient:
    _, plain = tokens.create(actor(user), user, "tests", scopes=scopes or [])
    return ApiClient(plain)


@pytest.fixture
def owner_api(owner: User) -> ApiClient:
    return api_client(owner, ["keys:export"])


@pytest.fixture
def colleague_api(colleague: User) -> ApiClient:
    return api_client(colleague, ["keys:export"])


@pytest.fixture
def admin_api(admin: User) -> ApiClient:
    return api_client(admin)


@pytest.fixture
def owner_web(owner: User) -> Client:
    return logged_in(owner)


@pytest.fixture
def colleague_web(colleague: User) -> Client:
    return logged_in(colleague)


@pytest.fixture
def admin_web(admin: User) -> Client:
    return logged_in(admin)
