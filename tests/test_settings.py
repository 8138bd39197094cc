"""Settings come from the environment, strictly; a production-like start needs its secrets."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal import envconf

ROOT = Path(__file__).resolve().parent.parent
PROD_ENV = {
    "DEBUG": "false",
    "DATABASE_URL": "postgres://portal:pw@127.0.0.1:5432/portal",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SECRET_KEY": base64.b64encode(os.urandom(48)).decode(),
    "KEY_ENCRYPTION_KEY": base64.b64encode(os.urandom(32)).decode(),
    "PORTAL_BASE_URL": "https://smime.example.com",
    "ALLOWED_HOSTS": "smime.example.com",
    "TRUSTED_PROXIES": "1",
    "EMAIL_URL": "smtp://mail.example.com:587?tls=true",
}


def manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            (
                "DATABASE_",
                "REDIS_",
                "SECRET_",
                "KEY_",
                "EMAIL_",
                "PORTAL_",
                "CELERY_",
                "DEBUG",
                "ALLOWED_",
            )
        )
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**clean, "PORTAL_VAR_DIR": str(tmp_path / "var"), **env},
    )


@pytest.mark.slow  # starts manage.py in a new process
def test_check_deploy_is_clean_with_production_variables(tmp_path: Path) -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PROD_ENV, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.slow  # starts manage.py in a new process
@pytest.mark.parametrize("missing", ["SECRET_KEY", "KEY_ENCRYPTION_KEY"])
def test_production_mode_refuses_to_start_without_secrets(tmp_path: Path, missing: str) -> None:
    env = {k: v for k, v in PROD_ENV.items() if k != missing}
    result = manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert f"{missing} is not set" in result.stderr
    assert not (tmp_path / "var" / missing.lower()).exists(), "only the embedded mode mints secrets"


@pytest.mark.slow  # starts manage.py in a new process
def test_embedded_mode_generates_secrets_once_with_private_permissions(tmp_path: Path) -> None:
    for _ in range(2):
        assert manage("check", env={}, tmp_path=tmp_path).returncode == 0
    secret = tmp_path / "var" / "secret_key"
    kek = tmp_path / "var" / "key_encryption_key"
    assert secret.stat().st_mode & 0o777 == 0o600
    assert kek.stat().st_mode & 0o777 == 0o600
    assert len(base64.b64decode(kek.read_text().strip())) == 32
    first = (secret.read_text(), kek.read_text())
    manage("check", env={}, tmp_path=tmp_path)
    assert (secret.read_text(), kek.read_text()) == first


@pytest.mark.slow  # starts manage.py in a new process
def test_login_and_session_limits_come_from_the_environment(tmp_path: Path) -> None:
    env = {
        "LOGIN_FAILURE_LIMIT": "3",
        "LOGIN_FAILURE_LIMIT_PER_ADDRESS": "50",
        "LOGIN_FAILURE_LIMIT_PER_ACCOUNT": "40",
        "LOGIN_LOCKOUT_MINUTES": "60",
        "SESSION_IDLE_MINUTES": "10",
        "SESSION_MAX_HOURS": "8",
        "PASSWORD_RESET_ENABLED": "true",
    }
    names = [*env, "SESSION_COOKIE_AGE"]
    code = f"from django.conf import settings; print(*(getattr(settings, n) for n in {names}))"
    result = manage("shell", "-c", code, env=env, tmp_path=tmp_path)
    assert result.stdout.splitlines()[-1].split() == [
        "3",
        "50",
        "40",
        "60",
        "10",
        "8",
        "True",
        "600",
    ]
    result = manage("check", env={"LOGIN_FAILURE_LIMIT": "0"}, tmp_path=tmp_path)
    assert "LOGIN_FAILURE_LIMIT must be at least 1, not 0." in result.stderr


@pytest.mark.slow  # starts manage.py in a new process
def test_a_malformed_key_encryption_key_is_reported(tmp_path: Path) -> None:
    result = manage(
        "check", env={**PROD_ENV, "KEY_ENCRYPTION_KEY": "bm90IDMyIGJ5dGVz"}, tmp_path=tmp_path
    )
    assert result.returncode != 0
    assert "KEY_ENCRYPTION_KEY: Key-encryption key number 1 is 12 bytes" in result.stderr


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("false", False), ("TRUE", True)])
def test_booleans_are_true_or_false(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv("SOME_FLAG", raw)
    assert envconf.boolean("SOME_FLAG", not expected) is expected


@pytest.mark.parametrize("raw", ["False ", "0", "yes", "no", "1"])
def test_other_boolean_spellings_stop_the_process(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("SOME_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG must be 'true' or 'false'"):
        envconf.boolean("SOME_FLAG", False)


def test_secrets_can_come_from_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("from-a-file\n")
    monkeypatch.setenv("SOME_SECRET", "from-env")
    monkeypatch.setenv("SOME_SECRET_FILE", str(tmp_path / "secret"))
    assert envconf.string("SOME_SECRET") == "from-a-file"
    monkeypatch.setenv("SOME_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="SOME_SECRET_FILE"):
        envconf.string("SOME_SECRET")


def test_email_url_wins_and_is_parsed() -> None:
    parsed = envconf.email_settings("smtp://user%40x:p%3Ass@mail.example.com:587?tls=true")
    assert parsed["EMAIL_HOST"] == "mail.example.com"
    assert parsed["EMAIL_PORT"] == 587
    assert parsed["EMAIL_HOST_USER"] == "user@x"
    assert parsed["EMAIL_HOST_PASSWORD"] == "p:ss"
    assert parsed["EMAIL_USE_TLS"] is True
    assert envconf.email_settings("smtps://mail.example.com")["EMAIL_PORT"] == 465
    with pytest.raises(ImproperlyConfigured, match="not one of smtp"):
        envconf.email_settings("http://mail.example.com")


def test_integers_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXPIRING_DAYS_TEST", "thirty")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        envconf.integer("EXPIRING_DAYS_TEST", 30)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("30,14,7,1", (30, 14, 7, 1)), (" 1, 60 ,7", (60, 7, 1)), ("none", ()), ("NONE", ())],
)
def test_expiry_notice_days_are_listed_largest_first(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: tuple[int, ...]
) -> None:
    monkeypatch.setenv("NOTICE_DAYS_TEST", raw)
    assert envconf.days("NOTICE_DAYS_TEST", (30,)) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("30;14", "whole numbers of days"),
        ("30,,7", "whole numbers of days"),
        ("0,7", "whole numbers of days"),
        ("-1", "whole numbers of days"),
        ("7,7", "names a day more than once"),
    ],
)
def test_other_expiry_notice_days_stop_the_process(
    monkeypatch: pytest.MonkeyPatch, raw: str, message: str
) -> None:
    monkeypatch.setenv("NOTICE_DAYS_TEST", raw)
    with pytest.raises(ImproperlyConfigured, match=message):
        envconf.days("NOTICE_DAYS_TEST", (30,))


@pytest.mark.slow  # starts manage.py in a new process
def test_without_a_mail_server_mail_goes_to_files_in_var_mail(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings; from django.core.mail import send_mail; "
        "send_mail('Hello', 'Body', None, ['a@example.com']); "
        "print(settings.EXPIRY_NOTICE_DAYS)"
    )
    result = manage("shell", "-c", code, env={"EXPIRY_NOTICE_DAYS": "10,2"}, tmp_path=tmp_path)
    assert result.stdout.splitlines()[-1] == "(10, 2)", result.stderr
    (written,) = (tmp_path / "var" / "mail").iterdir()
    assert "Subject: Hello" in written.read_text()


def test_settings_that_go_together_are_given_together(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAIR_A", raising=False)
    monkeypatch.delenv("PAIR_B", raising=False)
    envconf.together("PAIR_A", "PAIR_B")  # neither: fine
    monkeypatch.setenv("PAIR_A", "x")
    with pytest.raises(ImproperlyConfigured, match="PAIR_A is set but PAIR_B is not"):
        envconf.together("PAIR_A", "PAIR_B")
    monkeypatch.setenv("PAIR_B_FILE", "/dev/null")  # empty file: still not given
    with pytest.raises(ImproperlyConfigured, match="PAIR_B is not"):
        envconf.together("PAIR_A", "PAIR_B")


@pytest.mark.slow  # starts manage.py in a new process
def test_a_configured_smime_identity_is_checked_at_start(tmp_path: Path) -> None:
    from certificates.pki import smime_identity

    now = datetime.now(UTC)
    ours = smime_identity.generate("noreply@smime.example.com", now)
    other = smime_identity.generate("someone@elsewhere.example", now)
    files = {}
    for name, data in {"ours": ours, "other": other}.items():
        files[name] = tmp_path / f"{name}.pem"
        files[name].write_bytes(data)
    identity = {
        "DEFAULT_FROM_EMAIL": "S/MIME portal <noreply@smime.example.com>",
        "PORTAL_SMIME_KEY_FILE": str(files["ours"]),
        "PORTAL_SMIME_CERT_FILE": str(files["ours"]),
    }
    assert (
        manage("check", "--fail-level", "WARNING", env=identity, tmp_path=tmp_path).returncode == 0
    )
    mismatched = {**identity, "PORTAL_SMIME_CERT_FILE": str(files["other"])}
    result = manage("check", env=mismatched, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "PORTAL_SMIME_KEY / PORTAL_SMIME_CERT: The portal's S/MIME certificate does not " in (
        result.stderr
    )
    strange = {**identity, "DEFAULT_FROM_EMAIL": "portal@other.example"}
    result = manage("check", "--fail-level", "WARNING", env=strange, tmp_path=tmp_path)
    assert result.returncode != 0 and "portal.W002" in result.stderr
    alone = {"PORTAL_SMIME_KEY_FILE": str(files["ours"])}
    result = manage("check", env=alone, tmp_path=tmp_path)
    assert "PORTAL_SMIME_KEY is set but PORTAL_SMIME_CERT is not" in result.stderr
