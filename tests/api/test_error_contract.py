"""The API's promises about errors, authentication and its own description (README, *API*):
every 4xx is JSON with a detail a person can act on, never an HTML page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from certificates.models import ApiToken
from tests.conftest import ApiClient
from tests.factories import post_json

BEARER_HINT = "Send a valid API token as 'Authorization: Bearer TOKEN'."


def assert_json_error(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status, response.content  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/json"  # type: ignore[index]
    body = response.json()  # type: ignore[attr-defined]
    assert isinstance(body["detail"], str) and body["detail"].endswith((".", ")"))
    return body


@pytest.mark.django_db
def test_no_token_is_401_with_instructions() -> None:
    response = Client().get("/api/v1/requests")
    body = assert_json_error(response, 401)
    assert body["detail"].startswith("No API token was sent. " + BEARER_HINT)
    assert "create_api_token USERNAME" in body["detail"]
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_logged_in_browser_session_is_not_an_api_token(owner_web: Client) -> None:
    assert_json_error(owner_web.get("/api/v1/requests"), 401)


@pytest.mark.parametrize("state", ["unknown", "expired", "revoked", "not-bearer"])
def test_unusable_token_is_401(owner_api: ApiClient, state: str) -> None:
    token = ApiToken.objects.get(user__username="alice")
    client = owner_api
    if state == "unknown":
        client = ApiClient("smp_" + "x" * 43)
    elif state == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(1))
    elif state == "revoked":
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    else:
        client = Client(HTTP_AUTHORIZATION=f"Token {owner_api.token}")
    body = assert_json_error(client.get("/api/v1/requests"), 401)
    expected = {"not-bearer": "The Authorization header does not hold a bearer token."}.get(
        state, "The API token is unknown, expired or revoked."
    )
    assert body["detail"].startswith(expected)


def test_inactive_user_token_is_401(owner: User, owner_api: ApiClient) -> None:
    User.objects.filter(pk=owner.pk).update(is_active=False)
    assert_json_error(owner_api.get("/api/v1/certificates"), 401)


def test_unknown_paths_and_the_root_are_json_404(owner_api: ApiClient) -> None:
    for path in (
        "/api/v1/nothing",
        "/api/v1/requests/",
        "/api/v2/requests",
        "/api/v1/",
        "/api/v1/requests/abc",
        "/api/",
    ):
        body = assert_json_error(owner_api.get(path), 404)
        assert "/api/v1/docs" in body["detail"]


def test_wrong_method_is_json_405(owner_api: ApiClient) -> None:
    response = owner_api.delete("/api/v1/requests")
    body = assert_json_error(response, 405)
    assert body["detail"] == "DELETE is not allowed on /api/v1/requests; use GET or POST."
    assert response["Allow"] == "GET, POST"


def test_schema_errors_are_422_with_field_errors(owner_api: ApiClient) -> None:
    response = post_json(
        owner_api, "/api/v1/requests", {"key_source": "laptop", "subject": {"commonName": "Alice"}}
    )
    body = assert_json_error(response, 422)
    fields = {e["field"]: e for e in body["errors"]}  # type: ignore[union-attr]
    assert set(fields) == {"email", "subject.commonName", "key_source"}
    assert fields["email"]["msg"] == "Field required"
    assert fields["email"]["loc"] == ["body", "email"]
    assert body["detail"].startswith("3 problems: ")
    assert "Field 'email': Field required." in body["detail"]
    assert "Field 'subject.commonName': Extra inputs are not permitted." in body["detail"]
    assert "Field 'key_source': Input should be 'server', 'browser' or 'upload'." in body["detail"]


def test_body_that_is_not_json(owner_api: ApiClient) -> None:
    broken = owner_api.post("/api/v1/requests", "{not json", content_type="application/json")
    body = assert_json_error(broken, 400)
    assert body["detail"] == (
        "The body is not valid JSON; send a JSON object with 'Content-Type: application/json'."
    )
    missing = owner_api.post("/api/v1/tokens", "", content_type="application/json")
    assert assert_json_error(missing, 422)["detail"] == (
        "The JSON body is missing or not an object (Field required); send a JSON object."
    )
    a_list = post_json(owner_api, "/api/v1/tokens", ["name"])
    assert assert_json_error(a_list, 422)["detail"].startswith(
        "The JSON body is missing or not an object (Input should be a valid dictionary"
    )


def test_oversized_json_body_is_413_json(owner_api: ApiClient) -> None:
    response = post_json(owner_api, "/api/v1/certificates", {"pem": "A" * (2 * 1024 * 1024)})
    body = assert_json_error(response, 413)
    assert "larger than 1024 KiB" in body["detail"]


def test_openapi_lists_the_foundation_paths(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"] == {
        "title": "S/MIME portal API",
        "version": "1",
        "description": schema["info"]["description"],
    }
    expected = {
        "/api/v1/requests",
        "/api/v1/requests/{request_id}",
        "/api/v1/requests/{request_id}/csr",
        "/api/v1/requests/{request_id}/encrypted-key",
        "/api/v1/requests/{request_id}/submit",
        "/api/v1/requests/{request_id}/cancel",
        "/api/v1/requests/{request_id}/reject",
        "/api/v1/requests/{request_id}/certificate",
        "/api/v1/certificates",
        "/api/v1/certificates/{certificate_id}",
        "/api/v1/certificates/{certificate_id}/download",
        "/api/v1/certificates/{certificate_id}/pkcs12",
        "/api/v1/certificates/{certificate_id}/renew",
        "/api/v1/certificates/{certificate_id}/revoke",
        "/api/v1/certificates/{certificate_id}/make-current",
        "/api/v1/certificates/{certificate_id}/check-revocation",
        "/api/v1/trust-anchors",
        "/api/v1/trust-anchors/{anchor_id}",
        "/api/v1/domains",
        "/api/v1/domains/{name}",
        "/api/v1/tokens",
        "/api/v1/tokens/{token_id}",
        "/api/v1/audit",
        "/api/v1/certificates/{certificate_id}/publish",
        "/api/v1/certificates/{certificate_id}/publication",
        "/api/v1/domains/{name}/zone",
        "/api/v1/domains/{name}/verify",
        "/api/v1/discovery",
        "/api/v1/audit/export.csv",
        "/api/v1/certificates/export.csv",
        "/api/v1/dashboard",
        "/api/v1/certificate-authorities",
        "/api/v1/certificate-authorities/{authority_id}",
        "/api/v1/requests/{request_id}/approve",
    }
    assert set(schema["paths"]) == expected
    upload = schema["paths"]["/api/v1/requests/{request_id}/certificate"]["post"]
    assert set(upload["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert schema["components"]["securitySchemes"] == {
        "BearerAuth": {"type": "http", "scheme": "bearer"}
    }


def test_docs_render_from_local_files_only(client: Client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert re.findall(r"""(?:src|href)=["'](?:https?:)?//""", html) == []
    assert "http://" not in html and "https://" not in html


def test_server_error_is_json_and_still_reported(
    owner_api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr("certificates.services.access.get_request", broken)
    owner_api.raise_request_exception = False
    response = owner_api.get("/api/v1/requests/1")
    assert response.status_code == 500
    assert response.json() == {
        "detail": "The server failed to handle this request; the error was logged. "
        "Try again later or tell the portal's administrators."
    }
    owner_api.raise_request_exception = True
    with pytest.raises(RuntimeError, match="database on fire"):
        owner_api.get("/api/v1/requests/1")


DEEP_JSON = "[" * 200_000 + "]" * 200_000  # the probe: RecursionError, a 500


def test_json_nested_200000_levels_deep_is_400_on_every_json_endpoint(
    owner_api: ApiClient, server_request: dict[str, object]
) -> None:
    for url in (
        "/api/v1/certificates",
        f"/api/v1/requests/{server_request['id']}/certificate",
        "/api/v1/requests",
        "/api/v1/tokens",
    ):
        response = owner_api.post(url, DEEP_JSON, content_type="application/json")
        body = assert_json_error(response, 400)
        assert "JSON" in body["detail"], url


LISTS = [
    "/api/v1/requests",
    "/api/v1/certificates",
    "/api/v1/tokens",
    "/api/v1/trust-anchors",
    "/api/v1/domains",
    "/api/v1/audit",
]


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("parameter", ["offset", "limit"])
def test_huge_offset_and_limit_are_422_on_every_list(
    admin_api: ApiClient, url: str, parameter: str
) -> None:
    response = admin_api.get(url, {parameter: "99999999999999999999999"})
    body = assert_json_error(response, 422)
    assert body["detail"].startswith(f"Query parameter '{parameter}': ")
    assert body["errors"][0]["field"] == parameter
    assert admin_api.get(url, {"offset": "1000000000"}).json()["items"] == []
