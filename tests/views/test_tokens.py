"""The API tokens page: create (shown once), list, revoke."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from certificates.models import ApiToken
from certificates.services import tokens
from tests.views.conftest import text


def test_create_shows_the_token_once_and_it_works(owner_web: Client, owner: User) -> None:
    response = owner_web.post(
        "/tokens/",
        {
            "name": "renewal script",
            "export_keys": "on",
            "expires_days": "30",
            "account_password": "alice-pass-1234",
        },
        follow=True,
    )
    assert response.redirect_chain == [("/tokens/", 302)]
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    page = text(response)
    token = ApiToken.objects.get(user=owner)
    plain = next(word for word in page.split() if word.startswith(tokens.TOKEN_PREFIX))
    assert "Token “renewal script” created" in page and "shown only this once" in page
    assert tokens.authenticate(plain) == token
    assert token.scopes == ["keys:export"]
    assert round((token.expires_at - token.created_at).total_seconds() / 86400) == 30  # type: ignore[operator]
    listing = text(owner_web.get("/tokens/"))
    assert "renewal script" in listing and token.prefix in listing
    assert plain not in listing


def test_reloading_after_creating_a_token_makes_no_second_one(
    owner_web: Client, owner: User
) -> None:
    created = owner_web.post("/tokens/", {"name": "reader", "expires_days": "30"})
    assert created.status_code == 302 and created["Location"] == "/tokens/"
    shown = owner_web.get("/tokens/")
    plain = next(word for word in text(shown).split() if word.startswith(tokens.TOKEN_PREFIX))
    reloaded = owner_web.get("/tokens/")  # what the browser's reload sends after the redirect
    assert reloaded.status_code == 200
    assert plain not in reloaded.content.decode()
    assert "shown only this once" not in text(reloaded)
    assert ApiToken.objects.filter(user=owner).count() == 1
    # The session carried it across the one redirect and no further (client.session reads the
    # stored session).
    assert plain not in str(dict(owner_web.session))


def test_default_expiry_and_no_scope(owner_web: Client, owner: User) -> None:
    assert owner_web.post("/tokens/", {"name": "reader", "expires_days": ""}).status_code == 302
    token = ApiToken.objects.get(user=owner)
    assert token.scopes == []
    assert round((token.expires_at - token.created_at).total_seconds() / 86400) == 90  # type: ignore[operator]


def test_refusals_show_the_sentence(owner_web: Client, owner: User) -> None:
    response = owner_web.post("/tokens/", {"name": "", "expires_days": "30"})
    assert response.status_code == 422
    assert "Name the token after what uses it" in text(response)
    response = owner_web.post("/tokens/", {"name": "x", "expires_days": "9999"})
    assert response.status_code == 422
    assert "A token expires after 1 to 730 days." in text(response)
    assert not ApiToken.objects.exists()


def test_revoking_a_token_asks_first(owner_web: Client, owner: User, colleague_web: Client) -> None:
    owner_web.post("/tokens/", {"name": "old script", "expires_days": "30"})
    token = ApiToken.objects.get()
    assert colleague_web.post(f"/tokens/{token.pk}/revoke").status_code == 404
    response = owner_web.post(f"/tokens/{token.pk}/revoke")
    assert response.status_code == 200
    page = text(response)
    assert "Revoke the token “old script”?" in page and "stop working at once" in page
    assert "Keep it" in page
    assert 'name="confirmed" value="yes"' in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoke(owner_web: Client, owner: User, colleague_web: Client) -> None:
    owner_web.post("/tokens/", {"name": "old script", "expires_days": "30"})
    token = ApiToken.objects.get()
    confirmed = {"confirmed": "yes"}
    assert colleague_web.post(f"/tokens/{token.pk}/revoke", confirmed).status_code == 404
    response = owner_web.post(f"/tokens/{token.pk}/revoke", confirmed)
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    page = text(owner_web.get("/tokens/"))
    assert "Revoked" in page and "is revoked; scripts using it stop working" in page
    response = owner_web.post(f"/tokens/{token.pk}/revoke", confirmed)
    assert response.status_code == 409
    assert "is already revoked" in text(response)


def test_colleague_does_not_see_my_tokens(
    owner_web: Client, colleague_web: Client, owner: User
) -> None:
    owner_web.post("/tokens/", {"name": "alice's script", "expires_days": "30"})
    assert "alice's script" not in text(colleague_web.get("/tokens/"))


def test_an_export_token_needs_the_account_password(owner_web: Client, owner: User) -> None:
    form = {"name": "export script", "export_keys": "on", "expires_days": "30"}
    missing = owner_web.post("/tokens/", form)
    assert missing.status_code == 403
    assert (
        "Type your account password: a token that can export private keys needs it again."
        in text(missing)
    )
    wrong = owner_web.post("/tokens/", {**form, "account_password": "not-it"})
    assert wrong.status_code == 403
    assert "That is not your account password, so no token was made. Type it again." in text(wrong)
    assert not ApiToken.objects.exists()

    right = owner_web.post("/tokens/", {**form, "account_password": "alice-pass-1234"})
    assert right.status_code == 302
    assert ApiToken.objects.get(user=owner).scopes == ["keys:export"]


def test_a_token_without_export_needs_no_password(owner_web: Client, owner: User) -> None:
    response = owner_web.post("/tokens/", {"name": "reader", "expires_days": "30"})
    assert response.status_code == 302
    assert ApiToken.objects.get(user=owner).scopes == []
