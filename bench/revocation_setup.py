"""What both revocation benchmarks need: Django on a throwaway database (PostgreSQL when
DATABASE_URL names it), the test CA as `openssl ca` keeps it, and certificate rows in bulk.

Run the benchmarks from the repository root, e.g. `.venv/bin/python bench/revocation_sweep.py`.
"""

from __future__ import annotations

import base64
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("PORTAL_VAR_DIR", tempfile.mkdtemp(prefix="bench-var-"))
# The database is created for this run and dropped after it: throwaway secrets will do.
os.environ.setdefault("SECRET_KEY", base64.b64encode(os.urandom(24)).decode())
os.environ.setdefault("KEY_ENCRYPTION_KEY", base64.b64encode(os.urandom(32)).decode())

import django  # noqa: E402

django.setup()

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from certificates.models import Certificate  # noqa: E402
from certificates.pki import bundle, certinfo  # noqa: E402
from tests.revocation_peers import OpensslCa  # noqa: E402
from tests.testca import SmimeTestCA  # noqa: E402

NOW = datetime.now(UTC)


@contextmanager
def throwaway_database() -> Iterator[str]:
    """A fresh, migrated database for this run (named bench_...), dropped at the end."""
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("postgresql"):  # not the tests' test_... database
        database.setdefault("TEST", {})["NAME"] = "bench_revocation"
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = True  # the peers listen on loopback
    names = setup_databases(verbosity=0, interactive=False)
    try:
        yield database["ENGINE"].rsplit(".", 1)[-1]
    finally:
        teardown_databases(names, verbosity=0)


def openssl_ca(ca: SmimeTestCA) -> OpensslCa:
    return OpensslCa(Path(tempfile.mkdtemp(prefix="bench-ca-")), ca)


def leaves(ca: SmimeTestCA, count: int, **urls: str | None) -> list[x509.Certificate]:
    """``count`` leaves for one key (signing dominates; the key does not matter here)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return [
        ca.issue(key.public_key(), f"user{n}@example.com", now=NOW, **urls)  # type: ignore[arg-type]
        for n in range(count)
    ]


def write_index(folder: Path, valid: list[x509.Certificate], revoked_serials: list[int]) -> None:
    """index.txt as `openssl ca` writes it (status, expiry, revocation, serial, file, subject);
    written directly, since `openssl ca -valid` once per entry would take minutes."""
    expiry = (NOW + timedelta(days=365)).strftime("%y%m%d%H%M%SZ")
    revoked_at = (NOW - timedelta(days=1)).strftime("%y%m%d%H%M%SZ")
    lines = [f"V\t{expiry}\t\t{_hex(c.serial_number)}\tunknown\t/CN=leaf\n" for c in valid]
    lines += [
        f"R\t{expiry}\t{revoked_at},keyCompromise\t{_hex(serial)}\tunknown\t/CN=leaf\n"
        for serial in revoked_serials
    ]
    (folder / "index.txt").write_text("".join(lines))


def _hex(serial: int) -> str:
    digits = format(serial, "X")
    return digits.zfill(len(digits) + len(digits) % 2)  # openssl wants whole octets


def store(ca: SmimeTestCA, certs: list[x509.Certificate]) -> None:
    """Certificate rows for ``certs``, as an import would store them, in bulk."""
    owner = User.objects.create_user("bench", "bench@example.com")
    chain = bundle.certificates_to_pem(ca.chain)
    rows = []
    for cert in certs:
        info = certinfo.describe_certificate(cert)
        rows.append(
            Certificate(
                owner=owner, key_source="imported", email=info.emails[0],
                der=cert.public_bytes(serialization.Encoding.DER), chain_pem=chain,
                serial_hex=info.serial_hex, issuer=info.issuer, subject=info.subject,
                emails=info.emails, key_usage=info.key_usage, key_type="ec-p256",
                not_before=info.not_before, not_after=info.not_after,
                sha256_fingerprint=cert.fingerprint(hashes.SHA256()).hex(),
                spki_sha256=info.spki_sha256, ocsp_urls=info.ocsp_urls, crl_urls=info.crl_urls,
                ca_issuers_urls=info.ca_issuers_urls, chain_verdict="trusted",
            )
        )  # fmt: skip
    Certificate.objects.bulk_create(rows, batch_size=1000)
