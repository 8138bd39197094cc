"""The CSV exports of the admin tables: exactly the rows the same filters show, streamed.

Rows are read as plain tuples through ``.iterator()`` (a server-side cursor on PostgreSQL), so
an export of a hundred thousand certificates holds one chunk in memory at a time, and the
number of queries does not depend on the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth.models import User
from django.db.models import CharField, Func, QuerySet

from certificates.services import audit, certificate_lists
from certificates.services.access import require_admin
from certificates.spreadsheet import csv_lines, in_chunks

CHUNK = 2000


class IsoTime(Func):
    """A timestamp as ISO 8601 UTC text (2027-01-31T12:00:00Z), written by the database:
    turning 400,000 timestamps into Python datetimes only to print them again would be half
    of a 100,000-row export's time."""

    output_field = CharField()
    template = "CAST(%(expressions)s AS TEXT)"

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # %% twice: once for this template, once for the backend's placeholder handling.
        template = "strftime('%%%%Y-%%%%m-%%%%dT%%%%H:%%%%M:%%%%SZ', %(expressions)s)"
        return self.as_sql(compiler, connection, template=template, **extra)


# (CSV header, column or expression) in the order the file has them.
Column = tuple[str, str | Func]
CERTIFICATE_COLUMNS: list[Column] = [
    ("id", "id"),
    ("owner", "owner__username"),
    ("email", "email"),
    ("status", "status"),
    ("key_usage", "key_usage"),
    ("key_source", "key_source"),
    ("key_type", "key_type"),
    ("not_before", IsoTime("not_before")),
    ("not_after", IsoTime("not_after")),
    ("serial_hex", "serial_hex"),
    ("sha256_fingerprint", "sha256_fingerprint"),
    ("issuer", "issuer"),
    ("subject", "subject"),
    ("chain_verdict", "chain_verdict"),
    ("revocation_status", "revocation_status"),
    ("revoked_at", IsoTime("revoked_at")),
    ("revocation_reason", "revocation_reason"),
    ("request_id", "request_id"),
    ("created_at", IsoTime("created_at")),
]
AUDIT_COLUMNS: list[Column] = [
    ("id", "id"),
    ("at", IsoTime("created_at")),
    ("actor", "actor_label"),
    ("action", "action"),
    ("object_type", "object_type"),
    ("object_id", "object_id"),
    ("object_repr", "object_repr"),
    ("ip", "ip"),
    ("details", "details"),
]


def _stream(rows: QuerySet[Any], columns: list[Column]) -> Iterator[str]:
    values = rows.values_list(*(column for _, column in columns)).iterator(chunk_size=CHUNK)
    return in_chunks(csv_lines([header for header, _ in columns], values))


def certificates_csv(viewer: User, **filters: Any) -> Iterator[str]:
    """Admins: the certificates ``certificate_lists.search`` finds for ``filters``, as CSV."""
    require_admin(viewer)
    return _stream(certificate_lists.search(viewer, **filters), CERTIFICATE_COLUMNS)


def audit_csv(viewer: User, **filters: Any) -> Iterator[str]:
    """Admins: the audit events ``audit.search`` finds for ``filters``, as CSV."""
    return _stream(audit.search(viewer, **filters), AUDIT_COLUMNS)
