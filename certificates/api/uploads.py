"""Certificate uploads, which arrive either as JSON ``{"pem": ...}`` or as a multipart ``file``.

One route takes both, so ninja's single-body declaration does not fit: this module reads the
body by its content type and reports problems in the API's error shape.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pydantic
from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError, ValidationError

from certificates.api.schemas import CertificateUploadIn
from certificates.services.errors import Invalid

_HOW = (
    'Send the certificate as JSON {"pem": "-----BEGIN CERTIFICATE-----..."} or as a '
    "multipart/form-data upload with the file in a field named 'file' (PEM, DER or PKCS#7)."
)

# The OpenAPI description of the two bodies the route accepts.
OPENAPI_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": CertificateUploadIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "owner": {"type": "string", "description": "Import only (admins)"},
                    },
                }
            },
        },
    }
}


@dataclass(frozen=True)
class CertificateUpload:
    data: bytes
    owner: str | None


def read_certificate_upload(request: HttpRequest) -> CertificateUpload:
    if request.content_type == "multipart/form-data":
        return _from_multipart(request)
    if request.content_type == "application/json":
        return _from_json(request)
    raise HttpError(415, f"Unsupported content type {request.content_type or '(none)'!r}. {_HOW}")


def _from_multipart(request: HttpRequest) -> CertificateUpload:
    upload = request.FILES.get("file")
    if upload is None:
        raise Invalid(
            f"The form has no field named 'file'. {_HOW}",
            errors=[
                {
                    "loc": ["form", "file"],
                    "field": "file",
                    "msg": "Field required",
                    "type": "missing",
                }
            ],
        )
    if upload.size is not None and upload.size > settings.MAX_REQUEST_BYTES:
        raise HttpError(
            413,
            f"The file is larger than {settings.MAX_REQUEST_BYTES // 1024} KiB; "
            "a certificate file is a few KB.",
        )
    owner = request.POST.get("owner") or None
    return CertificateUpload(data=upload.read(), owner=owner)


def _from_json(request: HttpRequest) -> CertificateUpload:
    try:
        payload = json.loads(request.body or b"null")
    except RecursionError:
        # json gives up past the interpreter's recursion limit (about 1,000 levels).
        raise HttpError(400, f"The JSON body is nested too deeply to read. {_HOW}") from None
    except ValueError:
        raise HttpError(400, f"The body is not valid JSON. {_HOW}") from None
    try:
        body = CertificateUploadIn.model_validate(payload)
    except pydantic.ValidationError as exc:
        raise ValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from None
    return CertificateUpload(data=body.pem.encode(), owner=body.owner)
