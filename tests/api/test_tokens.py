"""/api/v1/tokens: the caller's own tokens, shown once, never as hashes."""

from __future__ import annotations

import io
from datetime import timedelta

from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from certificates.models import ApiToken
from certificates.services import tokens
from tests.conftest import ApiClient, api_client
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
    assert days.json()["detail"] == (
        "Field 'expires_days': Input should be less than or equal to 730."
    )
    never = post_json(owner_api, URL, {"name": "x", "expires_days": None})
    assert never.status_code == 422
    assert never.json()["detail"] == "Field 'expires_days': Input should be a valid integer."
    name = post_json(owner_api, URL, {"scopes": []})
    assert name.status_code == 422
    assert name.json()["detail"] == "Field 'name': Field required."
    assert ApiToken.objects.count() == 1


def test_a_token_cannot_create_a_token_with_a_scope_it_lacks(owner: User) -> None:
    reader = api_client(owner)  # no scopes
    response = post_json(
        reader, URL, {"name": "escalated", "scopes": ["keys:export"], "expires_days": 30}
    )
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert detail.startswith(
        "The API token you are using lacks the 'keys:export' scope, so it cannot create a token "
        "with it. Leave 'keys:export' out, or create the token on the API tokens page"
    )
    assert not ApiToken.objects.filter(name="escalated").exists()
    # Without the scope it may still make tokens for its scripts.
    assert post_json(reader, URL, {"name": "reader", "expires_days": 30}).status_code == 201


def test_a_token_cannot_create_a_token_that_outlives_it(owner: User) -> None:
    caller = api_client(owner, ["keys:export"])
    parent = tokens.authenticate(caller.token)
    assert parent is not None
    parent.expires_at = timezone.now() + timedelta(days=10, hours=1)
    parent.save(update_fields=["expires_at"])

    later = post_json(caller, URL, {"name": "longer", "expires_days": 11})
    assert later.status_code == 403
    assert "A token cannot outlive the API token that creates it" in later.json()["detail"]
    assert "Ask for expires_days of at most 10" in later.json()["detail"]
    assert not ApiToken.objects.filter(name="longer").exists()
    # Left out, the expiry is the default (90 days) cut to the caller's own.
    default = post_json(caller, URL, {"name": "default"})
    assert default.status_code == 201, default.content
    assert ApiToken.objects.get(name="default").expires_at == parent.expires_at

    within = post_json(
        caller, URL, {"name": "shorter", "scopes": ["keys:export"], "expires_days": 10}
    )
    assert within.status_code == 201, within.content
    assert within.json()["scopes"] == ["keys:export"]
    created = ApiToken.objects.get(name="shorter")
    assert created.expires_at is not None and created.expires_at <= parent.expires_at


def test_a_keys_export_token_can_create_a_keys_export_token(owner_api: ApiClient) -> None:
    response = post_json(
        owner_api, URL, {"name": "export script", "scopes": ["keys:export"], "expires_days": 30}
    )
    assert response.status_code == 201, response.content
    child = ApiClient(response.json()["token"])
    assert (
        post_json(
            child, URL, {"name": "grandchild", "scopes": ["keys:export"], "expires_days": 7}
        ).status_code
        == 201
    )


def test_the_management_command_still_grants_keys_export(owner: User) -> None:
    out = io.StringIO()
    call_command("create_api_token", "alice", "--scope", "keys:export", stdout=out)
    token = tokens.authenticate(out.getvalue().strip())
    assert token is not None and token.scopes == ["keys:export"]
    assert token.expires_at is not None
