"""The CSV exports of the admin tables: exactly the rows the same filters show, streamed.

Rows are read as plain tuples through ``.iterator()`` (a server-side cursor on PostgreSQL), so
an export of a hundred thousand certificates holds one chunk in memory at a time, and the
number of queries does not depend on the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from certificates.services import audit, certificate_lists
from certificates.services.access import require_admin
from certificates.spreadsheet import csv_lines

CHUNK = 2000

# (CSV header, column) in the order the file has them.
CERTIFICATE_COLUMNS = [
    ("id", "id"),
    ("owner", "owner__username"),
    ("email", "email"),
    ("status", "status"),
    ("key_usage", "key_usage"),
    ("key_source", "key_source"),
    ("key_type", "key_type"),
    ("not_before", "not_before"),
    ("not_after", "not_after"),
    ("serial_hex", "serial_hex"),
    ("sha256_fingerprint", "sha256_fingerprint"),
    ("issuer", "issuer"),
    ("subject", "subject"),
    ("chain_verdict", "chain_verdict"),
    ("revocation_status", "revocation_status"),
    ("revoked_at", "revoked_at"),
    ("revocation_reason", "revocation_reason"),
    ("request_id", "request_id"),
    ("created_at", "created_at"),
]
AUDIT_COLUMNS = [
    ("id", "id"),
    ("at", "created_at"),
    ("actor", "actor_label"),
    ("action", "action"),
    ("object_type", "object_type"),
    ("object_id", "object_id"),
    ("object_repr", "object_repr"),
    ("ip", "ip"),
    ("details", "details"),
]


def _stream(rows: QuerySet[Any], columns: list[tuple[str, str]]) -> Iterator[str]:
    values = rows.values_list(*(column for _, column in columns)).iterator(chunk_size=CHUNK)
    return csv_lines([header for header, _ in columns], values)


def certificates_csv(viewer: AbstractBaseUser, **filters: Any) -> Iterator[str]:
    """Admins: the certificates ``certificate_lists.search`` finds for ``filters``, as CSV."""
    require_admin(viewer)
    return _stream(certificate_lists.search(viewer, **filters), CERTIFICATE_COLUMNS)


def audit_csv(viewer: AbstractBaseUser, **filters: Any) -> Iterator[str]:
    """Admins: the audit events ``audit.search`` finds for ``filters``, as CSV."""
    return _stream(audit.search(viewer, **filters), AUDIT_COLUMNS)
