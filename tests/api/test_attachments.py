"""API files are attachments built like the pages' (certificates.responses): safe name, no cache."""

from __future__ import annotations

from typing import Any

from django.test import Client


def test_csr_and_certificate_downloads_are_uncached_attachments(
    owner_api: Client, issued: dict[str, Any]
) -> None:
    csr = owner_api.get(f"/api/v1/requests/{issued['request_id']}/csr")
    cert = owner_api.get(f"/api/v1/certificates/{issued['id']}/download", {"format": "der"})
    for response in (csr, cert):
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        assert response["Content-Disposition"].startswith('attachment; filename="')
    assert (
        csr["Content-Disposition"] == f'attachment; filename="request-{issued["request_id"]}.csr"'
    )
    assert "@" not in cert["Content-Disposition"]
