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


def test_every_operation_documents_the_refusals_its_shape_brings(client: Client) -> None:
    """A client reading the document knows every answer: the refusals follow from the shape
    (portal.api_refusals), each with the one error body, and each endpoint adds its own."""
    document = client.get("/api/v1/openapi.json").json()
    error = {"$ref": "#/components/schemas/ErrorOut"}
    assert document["components"]["schemas"]["ErrorOut"]["required"] == ["detail"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert "401" in codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if "requestBody" in operation:
                assert {"400", "413", "422"} <= codes, (method, path)
            for code in codes - {"200", "201", "204"}:
                schema = operation["responses"][code]["content"]["application/json"]["schema"]
                assert schema == error, (method, path, code)
    admin_only = document["paths"]["/api/v1/dashboard"]["get"]["responses"]
    assert "403" in admin_only
    assert "429" in document["paths"]["/api/v1/discovery"]["get"]["responses"]


def test_every_api_schema_has_its_own_name() -> None:
    """The document names each schema by its class; two classes of one name would share one
    description, and one endpoint's answers would contradict it."""
    from ninja import Schema

    import portal.api  # noqa: F401  (every router, so every schema class, is loaded)

    def subclasses(cls: type) -> list[type]:
        return [c for s in cls.__subclasses__() for c in (s, *subclasses(s))]

    ours = {  # a set: a class with two schema parents is found twice
        c for c in subclasses(Schema) if c.__module__.startswith(("certificates.", "discovery."))
    }
    names = [c.__name__ for c in ours]
    duplicated = {f"{c.__module__}.{c.__name__}" for c in ours if names.count(c.__name__) > 1}
    assert not duplicated
