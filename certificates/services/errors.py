"""Errors a caller can act on. Each carries the HTTP status the shells translate it to."""

from __future__ import annotations


class ServiceError(Exception):
    status = 400

    def __init__(self, detail: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class Invalid(ServiceError):
    """The input was understood and refused (a CSR with SHA-1, a certificate for another key)."""

    status = 422


class Forbidden(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    """The object is in a state where this action does not exist (DESIGN.md's state table)."""

    status = 409
