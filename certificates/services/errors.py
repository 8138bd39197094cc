"""Errors a caller can act on. Each carries the HTTP status the shells translate it to."""

from __future__ import annotations

from certificates.pki.errors import PkiError


class ServiceError(Exception):
    status = 400

    def __init__(self, detail: str, errors: list[dict[str, object]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class Invalid(ServiceError):
    """The input was understood and refused (a CSR with SHA-1, a certificate for another key).
    ``in_csr``: every problem is the uploaded CSR's, even one about its address (a form shows
    them next to the CSR, not next to the address typed)."""

    status = 422
    in_csr = False


class Forbidden(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    """The object is in a state where this action does not exist (a request's state table, for
    example: models.requests.TRANSITIONS)."""

    status = 409


def invalid(exc: PkiError, *, in_csr: bool = False) -> Invalid:
    """The refusal of input the pki layer judged, with each of its problems as a field error."""
    errors: list[dict[str, object]] = [
        {"loc": p.field.split("."), "field": p.field, "msg": p.message, "type": "value_error"}
        for p in exc.problems
    ]
    refusal = Invalid(exc.message, errors=errors)
    refusal.in_csr = in_csr
    return refusal


def field_error(field: str, detail: str, kind: str = "value_error") -> Invalid:
    """A refusal of one named input field."""
    return Invalid(detail, errors=[{"loc": [field], "field": field, "msg": detail, "type": kind}])


class TooMany(ServiceError):
    """Asked too often in a short time; the detail says when to try again."""

    status = 429
