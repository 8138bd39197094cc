"""Management commands run the same service code as the API."""

from __future__ import annotations

import base64
import io
import os

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import models

from certificates.models import ApiToken, AuditEvent, Domain, StoredKey
from certificates.pki import keys, keywrap
from certificates.services import keystore, tokens
from discovery.models import DomainPublishing
from discovery.services import domains as zone_settings
from tests.conftest import actor


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


def test_rewrap_keys_moves_every_key_and_secret_to_the_first_key(  # type: ignore[no-untyped-def]
    owner, admin, domain, settings
) -> None:
    old = settings.KEY_ENCRYPTION_KEY
    private = [keys.generate_private_key("ec-p256") for _ in range(3)]
    stored = [keystore.store(owner, k) for k in private]
    tsig = os.urandom(32)
    publishing = zone_settings.update(
        actor(admin),
        domain,
        zone_settings.Changes(
            update_server="192.0.2.53",
            tsig_key_name="portal.",
            tsig_secret=base64.b64encode(tsig).decode(),
        ),
    )
    DomainPublishing.objects.create(domain=Domain.objects.create(name="no-tsig.example"))
    new = base64.b64encode(os.urandom(32)).decode()
    settings.KEY_ENCRYPTION_KEY = f"{new},{old}"

    out = io.StringIO()
    call_command("rewrap_keys", stdout=out)
    assert out.getvalue().strip() == "Re-encrypted 4 of 4 stored keys and secrets."

    publishing.refresh_from_db()
    for row in stored:
        row.refresh_from_db()
    settings.KEY_ENCRYPTION_KEY = old  # the old key alone opens nothing any more
    for row in stored:
        with pytest.raises(keywrap.KeyUnavailable):
            keystore.load(row)
    with pytest.raises(keywrap.KeyUnavailable):
        zone_settings.tsig_key(publishing)

    settings.KEY_ENCRYPTION_KEY = new  # and can be dropped: the new one opens everything
    for row, key in zip(stored, private, strict=True):
        assert not keywrap.needs_rewrap(bytes(row.ciphertext), keystore.configured_keys())
        assert keys.spki_sha256(keystore.load(row).public_key()) == keys.spki_sha256(
            key.public_key()
        )
    assert zone_settings.tsig_key(publishing).secret == tsig

    out = io.StringIO()
    call_command("rewrap_keys", stdout=out)
    assert out.getvalue().strip() == "Re-encrypted 0 of 4 stored keys and secrets."
    assert AuditEvent.objects.filter(action="keys.rewrapped").count() == 2
    assert StoredKey.objects.count() == 3


# Every binary column, and whether it holds a secret under KEY_ENCRYPTION_KEY (so rewrap_keys
# rotates it) or public data. A new one fails the test below until it is placed here.
BINARY_COLUMNS = {
    ("certificates.StoredKey", "ciphertext"): "wrapped",
    ("discovery.DomainPublishing", "tsig_secret"): "wrapped",
    ("certificates.Certificate", "der"): "public",
    ("certificates.TrustAnchor", "der"): "public",
    ("certificates.CrlCache", "der"): "public",
}


def test_every_binary_column_is_known_and_secrets_are_rotated() -> None:
    found = {
        (model._meta.label, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.BinaryField)
    }
    assert found == set(BINARY_COLUMNS), "classify binary columns in tests/test_commands.py"
    wrapped = {(model._meta.label, name) for model, name in keystore.wrapped_fields()}
    assert wrapped == {column for column, kind in BINARY_COLUMNS.items() if kind == "wrapped"}


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
