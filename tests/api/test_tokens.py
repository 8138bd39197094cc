"""/api/v1/tokens: the caller's own tokens, shown once, never as hashes."""

from __future__ import annotations

from django.test import Client

from certificates.models import ApiToken
from tests.conftest import ApiClient
from tests.factories import post_json

URL = "/api/v1/tokens"


def test_create_shows_the_token_once_and_it_works(owner_api: Client) -> None:
    response = post_json(
        owner_api, URL, {"name": "renewal script", "scopes": ["keys:export"], "expires_days": 30}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["token"].startswith("smp_")
    assert body["prefix"] == body["token"][: len(body["prefix"])]
    assert (body["name"], body["scopes"], body["revoked_at"]) == (
        "renewal script",
        ["keys:export"],
        None,
    )
    assert body["expires_at"] is not None
    stored = ApiToken.objects.get(pk=body["id"])
    assert body["token"] not in str(stored.__dict__)  # only its hash is kept

    listed = ApiClient(body["token"]).get(URL)
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert listed.json()["count"] == 2 == len(items)
    assert {t["name"] for t in items} == {"renewal script", "tests"}
    assert "token" not in items[0] and "token_hash" not in items[0]
    assert stored.token_hash not in listed.content.decode()
    assert items[0]["last_used_at"] is not None  # the call just made


def test_delete_revokes_and_the_token_stops_working(owner_api: Client) -> None:
    created = post_json(owner_api, URL, {"name": "ci"}).json()
    response = owner_api.delete(f"{URL}/{created['id']}")
    assert response.status_code == 204
    assert response.content == b""
    assert ApiClient(created["token"]).get(URL).status_code == 401
    again = owner_api.delete(f"{URL}/{created['id']}")
    assert again.status_code == 409
    assert again.json()["detail"] == "Token 'ci' is already revoked."


def test_tokens_of_others_are_invisible(owner_api: Client, colleague_api: Client) -> None:
    created = post_json(owner_api, URL, {"name": "mine"}).json()
    assert [t["name"] for t in colleague_api.get(URL).json()["items"]] == ["tests"]
    response = colleague_api.delete(f"{URL}/{created['id']}")
    assert response.status_code == 404
    assert response.json() == {"detail": f"You have no API token #{created['id']}."}
    assert ApiToken.objects.get(pk=created["id"]).revoked_at is None


def test_bad_token_requests_are_refused(owner_api: Client) -> None:
    scope = post_json(owner_api, URL, {"name": "x", "scopes": ["admin"]})
    assert scope.status_code == 422
    assert scope.json()["detail"] == "Unknown scope 'admin'; the scopes are: keys:export."
    days = post_json(owner_api, URL, {"name": "x", "expires_days": 5000})
    assert days.status_code == 422
    assert days.json()["detail"] == "A token expires after 1 to 730 days."
    name = post_json(owner_api, URL, {"scopes": []})
    assert name.status_code == 422
    assert name.json()["detail"] == "Field 'name': Field required."
    assert ApiToken.objects.count() == 1
