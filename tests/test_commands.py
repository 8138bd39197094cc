"""Management commands run the same service code as the API."""

from __future__ import annotations

import base64
import io
import os

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from certificates.models import ApiToken, AuditEvent, StoredKey
from certificates.pki import keys, keywrap
from certificates.services import keystore, tokens


def test_create_api_token_prints_only_the_token(owner) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command(
        "create_api_token", "alice", "--scope", "keys:export", "--expires", "7", stdout=out
    )
    printed = out.getvalue().strip()
    assert "\n" not in printed and printed.startswith(tokens.TOKEN_PREFIX)
    token = tokens.authenticate(printed)
    assert token is not None and token.user == owner
    assert token.scopes == ["keys:export"]
    assert (token.expires_at - token.created_at).days in (6, 7)
    assert AuditEvent.objects.filter(action="token.created", actor_label="system").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["nobody"], "no active user named 'nobody'"),
        (["alice", "--scope", "admin:all"], "Unknown scope 'admin:all'"),
        (["alice", "--expires", "0"], "expires after 1 to"),
    ],
)
def test_create_api_token_refusals(owner, arguments: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match=message):
        call_command("create_api_token", *arguments, stdout=io.StringIO())
    assert not ApiToken.objects.exists()


def test_rewrap_keys_moves_every_key_to_the_first_key(owner, settings) -> None:  # type: ignore[no-untyped-def]
    old = settings.KEY_ENCRYPTION_KEY
    private = [keys.generate_private_key("ec-p256") for _ in range(3)]
    stored = [keystore.store(owner, k) for k in private]
    new = base64.b64encode(os.urandom(32)).decode()
    settings.KEY_ENCRYPTION_KEY = f"{new},{old}"

    out = io.StringIO()
    call_command("rewrap_keys", stdout=out)
    assert out.getvalue().strip() == "Re-encrypted 3 of 3 stored keys."

    settings.KEY_ENCRYPTION_KEY = new  # the old key can now be dropped
    for row, key in zip(stored, private, strict=True):
        row.refresh_from_db()
        assert not keywrap.needs_rewrap(bytes(row.ciphertext), keystore.configured_keys())
        assert keys.spki_sha256(keystore.load(row).public_key()) == keys.spki_sha256(
            key.public_key()
        )

    out = io.StringIO()
    call_command("rewrap_keys", stdout=out)
    assert out.getvalue().strip() == "Re-encrypted 0 of 3 stored keys."
    assert AuditEvent.objects.filter(action="keys.rewrapped").count() == 2
    assert StoredKey.objects.count() == 3


def test_ensure_admin_creates_the_first_admin_once(db) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command("ensure_admin", stdout=out)
    assert "Created admin account: username admin, password " in out.getvalue()
    out = io.StringIO()
    call_command("ensure_admin", stdout=out)
    assert "exists already" in out.getvalue()


def test_ensure_admin_adds_its_domain_through_the_service(db) -> None:  # type: ignore[no-untyped-def]
    call_command("ensure_admin", "--email", "boss@Corp.Example", stdout=io.StringIO())
    event = AuditEvent.objects.get(action="domain.added")
    assert (event.object_repr, event.actor_label, event.details) == (
        "corp.example",
        "admin",
        {"via": "command"},
    )


def test_ensure_admin_refuses_an_address_outside_a_real_domain(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="'localhost' is not a domain name"):
        call_command("ensure_admin", "--email", "root@localhost", stdout=io.StringIO())
    assert not User.objects.exists()
