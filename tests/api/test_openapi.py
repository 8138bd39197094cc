"""The OpenAPI document is strict JSON that Swagger UI (served locally at /api/v1/docs) can read."""

from __future__ import annotations

import json

from django.test import Client


def strict(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [key for key, _ in pairs]
    duplicated = {key for key in keys if keys.count(key) > 1}
    assert not duplicated, f"duplicated keys {duplicated}: Swagger UI refuses the document"
    return dict(pairs)


def test_openapi_document_has_no_duplicated_keys(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    document = json.loads(response.content, object_pairs_hook=strict)
    assert document["openapi"].startswith("3.")
    download = document["paths"]["/api/v1/certificates/{certificate_id}/download"]["get"]
    assert set(download["responses"]["200"]["content"]) == {
        "application/x-pem-file",
        "application/pkix-cert",
        "application/pkcs7-mime",
    }


def test_docs_page_allows_swaggers_inline_styles_but_no_inline_scripts(client: Client) -> None:
    policy = client.get("/api/v1/docs")["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self';" in policy + ";"
    assert "unsafe-inline" not in client.get("/accounts/login/")["Content-Security-Policy"]
