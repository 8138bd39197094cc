"""The README's first command, run for real twice in a fresh var/ on the embedded defaults:
web, worker and beat start; the second run keeps the secrets, the data and the admin, and a
key generated in the first run still exports as PKCS#12 in the second. Both runs keep var/
owner-only, the second also after the folder was opened up between the runs."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings

from tests.peers import free_port
from tests.testca import SmimeTestCA

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


class Portal:
    def __init__(self, var: Path, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DATABASE_", "REDIS_", "CELERY_", "SECRET_", "KEY_ENCRYPTION"))
        } | {"PORTAL_VAR_DIR": str(var), "PORT": str(port)}
        self.log = var.parent / f"serve-{port}.log"

    def start(self) -> None:
        self.output = self.log.open("a")
        self.process = subprocess.Popen(
            [str(ROOT / "bin" / "serve")],
            cwd=ROOT,
            env=self.env,
            stdout=self.output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.text()
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise AssertionError("bin/serve did not answer in time:\n" + self.text())

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)
        self.output.close()

    def text(self) -> str:
        return self.log.read_text()

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [str(ROOT / ".venv/bin/python"), "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def api(self, method: str, path: str, token: str, body: dict[str, object]) -> bytes:
        request = urllib.request.Request(
            self.base + "/api/v1" + path,
            method=method,
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.read()


def wait_for_text(portal: Portal, needle: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while needle not in portal.text():
        assert time.monotonic() < deadline, f"{needle!r} never appeared:\n{portal.text()}"
        time.sleep(0.5)


def wait_for_mail(var: Path, subject: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not any(subject in p.read_text() for p in (var / "mail").glob("*.log")):
        assert time.monotonic() < deadline, f"no mail {subject!r} in {var / 'mail'}"
        time.sleep(0.5)


def readable_by_others(var: Path) -> dict[str, str]:
    """What in var/ is not owner-only (folders 0700, files 0600), except the public static
    files; files that vanish while we look (consumed queue messages) are skipped."""
    found = {}
    for path in [var, *var.rglob("*")]:
        if "static" in path.relative_to(var).parts:
            continue
        try:
            mode = stat.S_IMODE(path.lstat().st_mode)
        except FileNotFoundError:
            continue
        if mode != (0o700 if stat.S_ISDIR(path.lstat().st_mode) else 0o600):
            found[str(path.relative_to(var))] = oct(mode)
    return found


def assert_var_is_private(var: Path) -> None:
    names = {p.name for p in var.iterdir()}
    assert {"portal.sqlite3", "celery", "secret_key"} <= names, names
    assert readable_by_others(var) == {}


def open_up(var: Path) -> None:
    """What an older version left behind: a world-readable folder, database and queue."""
    for path in [var, *var.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def test_serve_twice_keeps_secrets_data_admin_and_keys(tmp_path: Path) -> None:
    var = tmp_path / "var"
    portal = Portal(var, free_port())
    portal.start()
    try:
        wait_for_text(portal, "beat: Starting")
        assert_var_is_private(var)
        assert re.search(r"Created admin account: username admin, password \S+", portal.text())
        assert f"S/MIME portal: {portal.base}/" in portal.text()
        assert f"mail is written to files in {var}/mail/" in portal.text()
        # Beat keeps its schedule in the database (SQLite here), beside web and worker.
        tasks = "from django_celery_beat.models import PeriodicTask as T; print(T.objects.count())"
        deadline = time.monotonic() + 30
        while portal.manage("shell", "--no-imports", "-c", tasks) != str(
            len(settings.CELERY_BEAT_SCHEDULE)
        ):
            assert time.monotonic() < deadline, "beat did not store its schedule"
        token = portal.manage("create_api_token", "admin", "--scope", "keys:export")
        created = json.loads(
            portal.api(
                "POST",
                "/requests",
                token,
                {
                    "email": "admin@example.com",
                    "key_source": "server",
                    "subject": {},
                },
            )
        )
        ca = SmimeTestCA(datetime.now(UTC))
        leaf = ca.issue(
            x509.load_pem_x509_csr(created["csr_pem"].encode()),
            "admin@example.com",
            now=datetime.now(UTC),
        )
        pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in [leaf, *ca.chain])
        cert = json.loads(
            portal.api(
                "POST", f"/requests/{created['id']}/certificate", token, {"pem": pem.decode()}
            )
        )
        assert cert["chain_verdict"] == "untrusted-root"
    finally:
        portal.stop()
    secrets_before = sorted((p.name, p.read_bytes()) for p in var.iterdir() if "key" in p.name)
    assert [name for name, _ in secrets_before] == ["key_encryption_key", "secret_key"]

    open_up(var)
    assert readable_by_others(var)
    portal.start()
    try:
        assert_var_is_private(var)
        assert "Admin account exists already" in portal.text()
        assert portal.text().count("Created admin account") == 1
        bundle = portal.api(
            "POST",
            f"/certificates/{cert['id']}/pkcs12",
            token,
            {"password": "second-run-bundle", "profile": "legacy"},
        )
        loaded = pkcs12.load_pkcs12(bundle, b"second-run-bundle")
        assert loaded.cert is not None and loaded.key is not None
        assert loaded.cert.certificate == leaf
        assert loaded.key.public_key() == leaf.public_key()
        # The worker (file-system broker) picked up the export notice and "sent" it: with no
        # mail server set, into a file in var/mail/, owner-only like the rest of var/.
        wait_for_mail(var, "Your S/MIME private key was exported")
        assert readable_by_others(var) == {}
    finally:
        portal.stop()
    assert (
        sorted((p.name, p.read_bytes()) for p in var.iterdir() if "key" in p.name) == secrets_before
    )
