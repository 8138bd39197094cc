"""The JSON API v1: routers from certificates.api, and the error contract.

Every 4xx under /api/ is JSON ``{"detail": "a sentence a person can act on"}``, plus
``"errors": [{"loc", "field", "msg", "type"}]`` for field errors. The handlers below map each
kind of failure to that shape; the URL wrapper covers what ninja answers outside its
handlers (405, the API root), and ``not_found`` the paths no route matches.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import URLPattern, URLResolver, path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema

from certificates.api import admin, authorities, certificates, dashboard, requests, tokens
from certificates.api.auth import BearerAuth
from certificates.services.errors import ServiceError
from discovery import api as discovery_api
from portal.api_refusals import document_refusals
from portal.middleware import too_large_response

logger = logging.getLogger(__name__)

DOCS_HINT = "the endpoints are listed at /api/v1/docs and /api/v1/openapi.json"
BEARER_HINT = (
    "Send a valid API token as 'Authorization: Bearer TOKEN'. Create one on the API tokens page "
    "or with `python manage.py create_api_token USERNAME`."
)
SOURCES = {
    "body": "Field",
    "query": "Query parameter",
    "path": "Path parameter",
    "form": "Form field",
    "file": "File field",
    "header": "Header",
}


class PortalAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_refusals(schema)
        return schema

    @property
    def urls(self) -> tuple[list[URLPattern | URLResolver], str, str]:
        patterns, app_name, namespace = super().urls
        return (
            [_with_json_errors(p) if isinstance(p, URLPattern) else p for p in patterns],
            app_name,
            namespace,
        )


def _with_json_errors(pattern: URLPattern) -> URLPattern:
    """Ninja answers a wrong method with a plain-text 405 and the API root with Django's 404
    page; give both the API's shape."""
    view = pattern.callback

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            response: HttpResponseBase = view(request, *args, **kwargs)
        except Http404:
            return not_found(request)
        if response.status_code == 405 and response.get("Content-Type", "").startswith("text/"):
            allowed = sorted(m.strip() for m in response.get("Allow", "").split(",") if m.strip())
            json_response = error(
                405,
                f"{request.method} is not allowed on {request.path}; use {' or '.join(allowed)}.",
            )
            json_response["Allow"] = ", ".join(allowed)
            return json_response
        return response

    return path(str(pattern.pattern), csrf_exempt(wrapped), pattern.default_args, pattern.name)


api = PortalAPI(
    title="S/MIME portal API",
    version="1",
    description="Certificate requests, certificates and PKCS#12 bundles. Authenticate with "
    "'Authorization: Bearer TOKEN'. Errors are JSON {\"detail\": ...}.",
    docs_url="/docs",
    # Swagger UI styles its panels with inline styles; the rest of the site allows none.
    docs_decorator=csp_update({"style-src": [UNSAFE_INLINE]}),
    openapi_url="/openapi.json",
    urls_namespace="api",
    auth=BearerAuth(),
)
api.add_router("/requests", requests.router)
api.add_router("/certificates", certificates.router)
api.add_router("/tokens", tokens.router)
api.add_router("/", admin.router)
api.add_router("/", discovery_api.router)
api.add_router("/", dashboard.router)
api.add_router("/certificate-authorities", authorities.router)


def error(status: int, detail: str, errors: list[dict[str, Any]] | None = None) -> JsonResponse:
    body: dict[str, Any] = {"detail": detail}
    if errors:
        body["errors"] = errors
    return JsonResponse(body, status=status)


@csrf_exempt
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """The catch-all for /api/ paths no route matches (portal.urls)."""
    return error(404, f"There is no API endpoint at {request.path}; {DOCS_HINT}.")


def _handles(exc_class: type[Exception]) -> Callable[[Callable[..., HttpResponse]], Any]:
    return api.exception_handler(exc_class)


@_handles(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return error(exc.status, exc.detail, list(exc.errors))


def _field_error(item: dict[str, Any]) -> dict[str, Any]:
    loc = [str(part) for part in item.get("loc", ())]
    source, rest = (loc[0], loc[1:]) if loc else ("body", [])
    if source == "body" and rest[:1] == ["body"]:
        rest = rest[1:]  # endpoints name their JSON body parameter "body"
    field = ".".join(rest)
    label = SOURCES.get(source, source)
    msg = str(item.get("msg", "is invalid"))
    if field:
        sentence = f"{label} '{field}': {msg}."
    elif source == "body":
        sentence = f"The JSON body is missing or not an object ({msg}); send a JSON object."
    else:
        sentence = f"{label}: {msg}."
    return {
        "loc": [source, *rest],
        "field": field,
        "msg": msg,
        "type": item.get("type", ""),
        "detail": sentence,
    }


@_handles(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [_field_error(item) for item in exc.errors]
    sentences = [e.pop("detail") for e in errors]
    detail = (
        sentences[0]
        if len(sentences) == 1
        else (f"{len(sentences)} problems: " + " ".join(sentences))
    )
    return error(422, detail, errors)


@_handles(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    header = request.headers.get("Authorization", "")
    if not header:
        detail = f"No API token was sent. {BEARER_HINT}"
    elif not header.lower().startswith("bearer "):
        detail = f"The Authorization header does not hold a bearer token. {BEARER_HINT}"
    else:
        detail = f"The API token is unknown, expired or revoked. {BEARER_HINT}"
    response = error(401, detail)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@_handles(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    detail = str(exc)
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        detail = (
            "The body is not valid JSON; send a JSON object with 'Content-Type: application/json'."
        )
    return error(exc.status_code, detail)


@_handles(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(404, f"Not found: {request.path}; {DOCS_HINT}.")


@_handles(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error(403, str(exc) or "You are not allowed to do this.")


@_handles(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return too_large_response(request)


@_handles(SuspiciousOperation)
def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return error(400, f"The request was refused: {exc}. Send one JSON object or one file.")


@_handles(MultiPartParserError)
def _bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return error(
        400,
        f"The multipart body could not be read ({exc}); send the file as "
        "multipart/form-data in a field named 'file'.",
    )


@_handles(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Still reported the usual way (logs, error trackers, the test client re-raises it).
    logger.exception("API error on %s %s", request.method, request.path)
    got_request_exception.send(sender=None, request=request)
    return error(
        500,
        "The server failed to handle this request; the error was logged. "
        "Try again later or tell the portal's administrators.",
    )
