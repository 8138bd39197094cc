"""The dashboard migration fills its new columns on rows that existed before it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)


def test_existing_certificates_get_their_domain_and_submitted_requests_their_time() -> None:
    executor = MigrationExecutor(connection)
    (mine,) = [key for key in executor.loader.disk_migrations if key[1].endswith("_dashboard")]
    before = executor.loader.get_migration(*mine).dependencies[0]
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate([before])
    old = executor.loader.project_state([before]).apps
    User = old.get_model("auth", "User")
    owner = User.objects.create(username="old", email="old@Example.COM")
    Certificate = old.get_model("certificates", "Certificate")
    moment = datetime(2026, 1, 2, tzinfo=UTC)
    Certificate.objects.create(
        owner=owner,
        key_source="imported",
        email="Old.Person@Example.COM",
        der=b"x",
        serial_hex="01",
        issuer="CN=CA",
        subject="CN=x",
        key_usage="both",
        key_type="ec-p256",
        not_before=moment,
        not_after=moment,
        sha256_fingerprint="0" * 64,
        spki_sha256="0" * 64,
        chain_verdict="trusted",
    )
    Request = old.get_model("certificates", "CertificateRequest")
    request = Request.objects.create(
        owner=owner,
        created_by=owner,
        email="x@example.com",
        key_source="upload",
        key_type="x",
        csr_pem="-",
        spki_sha256="0",
        state="submitted",
    )
    executor = MigrationExecutor(connection)
    executor.migrate(leaves)
    new = executor.loader.project_state(leaves).apps
    assert new.get_model("certificates", "Certificate").objects.get().email_domain == "example.com"
    submitted = new.get_model("certificates", "CertificateRequest").objects.get(pk=request.pk)
    assert submitted.submitted_at == submitted.updated_at
