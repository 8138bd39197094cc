"""Private keys never reach the database or the logs in plain form, and a key's ciphertext is
bound to its row.

The flow below generates keys, exports them, renews and revokes through the API, and sends a
browser-made key's CSR with its encrypted copy, with a real worker sending mail, every logger
at DEBUG writing to a file and every SQL statement logged; then the whole database (pg_dump on
PostgreSQL, the file and its WAL on SQLite), the log file, the captured records and the mail
are searched for each key's PKCS#8 DER as raw bytes, base64, a PEM line and hex.
"""

from __future__ import annotations

import base64
import logging
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from django.db import connection

from certificates.models import StoredKey
from certificates.pki import keys
from certificates.pki.keywrap import KeyDecryptionFailed
from certificates.services import keystore
from tests.factories import (
    create_browser_key_request,
    issue_via_api,
    post_json,
    upload_certificate,
)

pytestmark = pytest.mark.django_db(transaction=True)


def database_bytes() -> bytes:
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        command = [
            "pg_dump",
            "--no-owner",
            "-h",
            settings["HOST"] or "127.0.0.1",
            "-p",
            str(settings["PORT"] or 5432),
            "-U",
            settings["USER"] or "postgres",
            settings["NAME"],
        ]
        return subprocess.run(command, capture_output=True, check=True, timeout=120).stdout
    assert connection.vendor == "sqlite"
    name = Path(settings["NAME"])
    assert name.exists(), "the SQLite test database must be a file to be searched"
    return b"".join(p.read_bytes() for p in name.parent.glob(name.name + "*"))


def forms_of(key: keys.PrivateKey) -> dict[str, bytes]:
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    b64 = base64.b64encode(der)
    return {
        "raw": der,
        "base64": b64,
        "pem line": b64[:64],
        "hex": der.hex().encode(),
        "HEX": der.hex().upper().encode(),
    }


@contextmanager
def everything_logged_to(path: Path) -> Iterator[None]:
    """Every logger at DEBUG, each record written to ``path`` too: the root's handler sees
    what propagates, and loggers that keep their records to themselves get it as well."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    saved = {logger: (logger.level, logger.disabled) for logger in loggers}
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False  # a logging setup earlier in the run may have turned it off
        if logger is logging.getLogger() or not logger.propagate:
            logger.addHandler(handler)
    try:
        yield
    finally:
        for logger, (level, disabled) in saved.items():
            logger.setLevel(level)
            logger.disabled = disabled
            logger.removeHandler(handler)
        handler.close()


def test_keys_are_nowhere_in_plain_form_after_the_whole_flow(
    celery_worker,
    smtp_sink,
    owner,
    owner_api,
    trust_anchor,
    sign_csr,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    """Server keys generated, exported as PKCS#12 in both profiles, renewed and revoked; a
    browser key sent as a CSR with its encrypted copy, which the owner downloads again."""
    generated: list[keys.PrivateKey] = []
    real_generate = keys.generate_private_key

    def recording_generate(key_type: str) -> keys.PrivateKey:
        generated.append(real_generate(key_type))
        return generated[-1]

    monkeypatch.setattr(keys, "generate_private_key", recording_generate)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    log_file = tmp_path / "debug.log"
    connection.force_debug_cursor = True  # log every SQL statement with its parameters
    try:
        with everything_logged_to(log_file):
            for key_type in ("rsa-2048", "ec-p256"):
                _, cert = issue_via_api(owner_api, sign_csr, owner.email, key_type=key_type)
                for profile in ("legacy", "modern"):
                    response = post_json(
                        owner_api,
                        f"/api/v1/certificates/{cert['id']}/pkcs12",
                        {"password": "bundle-password", "profile": profile},
                    )
                    assert response.status_code == 200
                renewed = post_json(owner_api, f"/api/v1/certificates/{cert['id']}/renew")
                assert renewed.status_code == 201
                revoked = post_json(
                    owner_api, f"/api/v1/certificates/{cert['id']}/revoke", {"reason": "lost"}
                )
                assert revoked.status_code == 200
            browser_key, browser_request = create_browser_key_request(owner_api, owner.email)
            upload_certificate(owner_api, sign_csr, browser_request)
            copy = owner_api.get(f"/api/v1/requests/{browser_request['id']}/encrypted-key")
            assert copy.status_code == 200 and b"ENCRYPTED PRIVATE KEY" in copy.content
            smtp_sink.wait_for(4)
    finally:
        connection.force_debug_cursor = False

    assert len(generated) == 4  # two requests, two renewals
    assert StoredKey.objects.count() == 4
    dump = database_bytes()
    logged = log_file.read_bytes()
    assert b"DEBUG django.db.backends" in logged and b" mail.log " in logged, (
        "every logger, the mail peer's thread too, must write to the file for this test to "
        "mean anything"
    )
    logs = logged + caplog.text.encode() + b"".join(m.as_bytes() for m in smtp_sink.messages)
    assert b"INSERT" in logs or b"UPDATE" in logs, (
        "SQL logging must be on for this test to mean anything"
    )
    assert b"PRIVATE KEY-----" not in logged.replace(b"ENCRYPTED PRIVATE KEY-----", b"")
    for key in [*generated, browser_key]:
        for form, needle in forms_of(key).items():
            assert needle not in dump, f"a private key ({form}) is in the database"
            assert needle not in logs, f"a private key ({form}) is in the logs or mail"


def test_a_ciphertext_copied_onto_another_row_does_not_decrypt(owner) -> None:  # type: ignore[no-untyped-def]
    first = keystore.store(owner, keys.generate_private_key("ec-p256"))
    second = keystore.store(owner, keys.generate_private_key("ec-p256"))
    assert (
        keystore.load(first).public_key()
        == keys.load_private_key_der(keys.private_key_to_der(keystore.load(first))).public_key()
    )
    StoredKey.objects.filter(pk=second.pk).update(ciphertext=first.ciphertext)
    with pytest.raises(KeyDecryptionFailed):
        keystore.load(StoredKey.objects.get(pk=second.pk))
