"""The error contract in the OpenAPI document: each operation lists the refusals that follow
from its shape, so a client (and the fuzz test, tests/api/test_fuzz.py) knows every answer it
can get. Refusals particular to an endpoint are declared on it (certificates.api.refusals)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from certificates.api.refusals import ErrorOut

COMPONENTS = "#/components/schemas/"


def shaped_refusals(operation: dict[str, Any]) -> set[int]:
    codes = set()
    if operation.get("security"):
        codes.add(401)  # no token, or one unknown, expired or revoked
    parameters = operation.get("parameters", [])
    if any(p["in"] == "path" for p in parameters):
        codes.add(404)  # no such object for this caller, or a path that names none
    if parameters or "requestBody" in operation:
        codes.add(422)  # a parameter or field refused
    if "requestBody" in operation:
        codes |= {400, 413}  # a body that is not JSON or multipart, or too large
    return codes


def document_refusals(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    error = ErrorOut.model_json_schema(ref_template=COMPONENTS + "{model}")
    components.update(error.pop("$defs", {}))
    components.setdefault(ErrorOut.__name__, error)
    body = {"application/json": {"schema": {"$ref": COMPONENTS + ErrorOut.__name__}}}
    for item in schema["paths"].values():
        for operation in item.values():
            for code in sorted(shaped_refusals(operation)):
                operation["responses"].setdefault(
                    code, {"description": HTTPStatus(code).phrase, "content": body}
                )
