"""Adversarial uploads against a real server: how long the slowest answer takes, and whether
other people can still write meanwhile.

    .venv/bin/python bench/adversarial_uploads.py

Starts the portal under gunicorn (2 sync workers, as bin/serve does) on a free loopback port,
on the embedded defaults (SQLite in a temporary folder: the case where one upload parsed inside
a write transaction locked everyone out). Sends every input of hostile_inputs.py, at the size
limit of each door, through every upload door: the API (a request's CSR, a certificate for a
request, an import, a trust anchor), the pages (new request with a CSR file, the certificate
upload on a request page, the import page) and the Django admin's trust anchor form. Prints the
slowest answer per input against the 22.99 s the issue measured (target: under 0.5 s), then
creates API tokens while uploads keep both workers busy. Exits 1 if an answer was a 5xx, an
input was over the target, or a token creation failed.
"""

from __future__ import annotations

import functools
import http.cookiejar
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import hostile_inputs
from hostile_inputs import DEEP_JSON, INPUTS, HostileInput, as_text

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
# Before uploads were bounded: the 256 KB BEGIN-line file on POST /api/v1/certificates
BASELINE_SECONDS = 22.99
TARGET_SECONDS = 0.5
CERTIFICATE_BUDGET = 256 * 1024  # certificates.pki.bundle.MAX_UPLOAD_BYTES
CSR_BUDGET = 64 * 1024  # certificates.pki.csr.MAX_CSR_BYTES
PASSWORD = "bench-pass-1234"  # noqa: S105 (a throwaway account in a temporary database)

SETUP = f"""
import json
from django.contrib.auth.models import User
from certificates.models import Domain
from certificates.services import requests, tokens
from certificates.services.actor import Actor
Domain.objects.get_or_create(name="example.com")
alice = User.objects.create_user("alice", "alice@example.com", "{PASSWORD}")
root = User.objects.create_superuser("root", "root@example.com", "{PASSWORD}")
request = requests.create(Actor(alice, "bench", None), owner=alice, email="alice@example.com",
                          subject_fields={{}}, key_source="server", key_type="ec-p256")
print(json.dumps({{
    "alice": tokens.create(Actor(alice, "bench", None), alice, "bench")[1],
    "root": tokens.create(Actor(root, "bench", None), root, "bench")[1],
    "request": request.pk,
}}))
"""


@dataclass(frozen=True)
class Answer:
    status: int
    seconds: float


class Session:
    """One HTTP client: a bearer token for the API, or a logged-in cookie session for pages."""

    def __init__(self, base: str, token: str = "") -> None:
        self.base, self.token = base, token
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def log_in(self, username: str) -> Session:
        self.send("GET", "/accounts/login/")
        self.form("/accounts/login/", {"username": username, "password": PASSWORD}, {})
        return self

    def csrf(self) -> str:
        return next(c.value for c in self.cookies if c.name == "csrftoken")  # type: ignore[misc]

    def send(self, method: str, path: str, body: bytes = b"", ctype: str = "") -> Answer:
        headers = {"Content-Type": ctype} if ctype else {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        url = self.base + path  # always http://127.0.0.1:PORT/...
        request = urllib.request.Request(url, body or None, headers, method=method)  # noqa: S310
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=120) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            error.read()
            status = error.code
        return Answer(status, time.perf_counter() - started)

    def json(self, path: str, body: object | bytes) -> Answer:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.send("POST", path, data, "application/json")

    def form(self, path: str, fields: dict[str, str], files: dict[str, bytes]) -> Answer:
        if not self.token:
            fields = {**fields, "csrfmiddlewaretoken": self.csrf()}
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
            for name, value in fields.items()
        ]
        for name, data in files.items():
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="upload.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
            )
            parts.append(head.encode() + data + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.send("POST", path, body, f"multipart/form-data; boundary={boundary}")


@dataclass(frozen=True)
class Door:
    name: str
    budget: int
    send: Callable[[bytes | None, HostileInput | None], Answer]  # (file, input) or JSON body


def doors(base: str, setup: dict[str, object]) -> list[Door]:
    alice, root = Session(base, str(setup["alice"])), Session(base, str(setup["root"]))
    page, admin = Session(base).log_in("alice"), Session(base).log_in("root")
    request = f"/requests/{setup['request']}"  # the same path under /api/v1 and on the pages
    text = functools.cache(as_text)

    def api_csr(_file: bytes | None, item: HostileInput | None) -> Answer:
        if item is None:
            return alice.json("/api/v1/requests", DEEP_JSON)
        csr = text(item, CSR_BUDGET).decode("latin-1")
        body = {"email": "alice@example.com", "key_source": "upload", "csr_pem": csr}
        return alice.json("/api/v1/requests", body)

    def api_anchor(_file: bytes | None, item: HostileInput | None) -> Answer:
        if item is None:
            return root.json("/api/v1/trust-anchors", DEEP_JSON)
        pem = text(item, CERTIFICATE_BUDGET).decode("latin-1")
        return root.json("/api/v1/trust-anchors", {"name": "Hostile", "pem": pem})

    def api_file(path: str) -> Callable[[bytes | None, HostileInput | None], Answer]:
        def send(file: bytes | None, item: HostileInput | None) -> Answer:
            if item is None:
                return alice.json(path, DEEP_JSON)
            return alice.form(path, {}, {"file": file or b""})

        return send

    def page_csr(file: bytes | None, _item: HostileInput | None) -> Answer:
        fields = {"key_source": "upload", "key_type": "ec-p256", "email": "alice@example.com"}
        return page.form("/requests/new/", fields, {"csr_file": file or b""})

    return [
        Door("API: request with a CSR", CSR_BUDGET, api_csr),
        Door(
            "API: certificate for a request",
            CERTIFICATE_BUDGET,
            api_file(f"/api/v1{request}/certificate"),
        ),
        Door("API: import", CERTIFICATE_BUDGET, api_file("/api/v1/certificates")),
        Door("API: trust anchor", CERTIFICATE_BUDGET, api_anchor),
        Door("page: new request with a CSR file", CSR_BUDGET, page_csr),
        Door(
            "page: certificate for a request",
            CERTIFICATE_BUDGET,
            lambda file, _item: page.form(f"{request}/certificate", {}, {"file": file or b""}),
        ),
        Door(
            "page: import",
            CERTIFICATE_BUDGET,
            lambda file, _item: page.form("/certificates/import/", {}, {"file": file or b""}),
        ),
        Door(
            "admin: trust anchor",
            CERTIFICATE_BUDGET,
            lambda file, _item: admin.form(
                "/admin/certificates/trustanchor/add/",
                {"name": "Hostile", "pem_text": "", "_save": "Save"},
                {"pem_file": file or b""},
            ),
        ),
    ]


def median(answers: Iterable[Answer]) -> Answer:
    """The middle run: one slow run on a shared machine says more about the neighbours."""
    ordered = sorted(answers, key=lambda a: a.seconds)
    return ordered[len(ordered) // 2]


def measure(
    all_doors: list[Door], repeats: int = 3
) -> list[tuple[str, int, list[tuple[str, Answer]]]]:
    """(input, size, [(door, median answer)]) per input; the JSON nesting body last."""
    made = functools.cache(lambda item, budget: item.make(budget))
    rows = []
    for item in INPUTS:
        answers = []
        for door in all_doors:
            file = made(item, door.budget)
            answers.append((door.name, median(door.send(file, item) for _ in range(repeats))))
        rows.append((item.name, len(made(item, CERTIFICATE_BUDGET)), answers))
    nested = []
    for door in all_doors:
        if door.name.startswith("API: "):
            nested.append((door.name, median(door.send(None, None) for _ in range(repeats))))
    rows.append(("JSON nested 200,000 levels deep", len(DEEP_JSON), nested))
    return rows


def concurrent_writes(base: str, setup: dict[str, object], seconds: float = 4.0) -> list[Answer]:
    """Token creations while two threads keep uploading the issue's file and deep ASN.1."""
    stop = threading.Event()
    files = [
        hostile_inputs.unmatched_begin_lines(CERTIFICATE_BUDGET - 8),
        hostile_inputs.deep_asn1_nesting(CERTIFICATE_BUDGET),
    ]

    def upload(file: bytes) -> None:
        uploader = Session(base, str(setup["alice"]))
        while not stop.is_set():
            uploader.form("/api/v1/certificates", {}, {"file": file})

    threads = [threading.Thread(target=upload, args=(f,)) for f in files]
    for thread in threads:
        thread.start()
    writer = Session(base, str(setup["root"]))
    answers = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answers.append(writer.json("/api/v1/tokens", {"name": f"bench {len(answers)}"}))
        time.sleep(0.1)
    stop.set()
    for thread in threads:
        thread.join()
    return answers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_portal(var: Path, port: int) -> tuple[subprocess.Popen[bytes], dict[str, object]]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("DATABASE_", "REDIS_", "CELERY_", "SECRET_", "KEY_ENCRYPTION", "DEBUG")
        )
    } | {"PORTAL_VAR_DIR": str(var), "PORTAL_BASE_URL": f"http://127.0.0.1:{port}"}

    def manage(*args: str) -> str:
        done = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if done.returncode:
            sys.exit(f"manage.py {args[0]} failed:\n{done.stderr}")
        return done.stdout

    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    setup = json.loads(manage("shell", "-c", SETUP).strip().splitlines()[-1])
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "portal.wsgi", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "2", "--timeout", "120"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(var / "gunicorn.log").open("w"),
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return server, setup
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not answer; see " + str(var / "gunicorn.log"))


def report(rows: list[tuple[str, int, list[tuple[str, Answer]]]], writes: list[Answer]) -> bool:
    print(
        f"\n{'input':42} {'size':>8} {'slowest':>9}  {'vs 23 s':>8}  door, and every door's answer"
    )
    good = True
    for name, size, answers in rows:
        door, slowest = max(answers, key=lambda pair: pair[1].seconds)
        statuses = sorted({a.status for _, a in answers})
        over = slowest.seconds >= TARGET_SECONDS
        good = good and not over and all(s < 500 for s in statuses)
        ratio = f"{BASELINE_SECONDS / slowest.seconds:,.0f}x"
        flag = "  OVER TARGET" if over else ""
        print(
            f"{name:42} {size // 1024:>5} KB {slowest.seconds:>7.3f} s  {ratio:>8}  {door}; "
            f"answers {', '.join(map(str, statuses))}{flag}"
        )
    created = sum(a.status == 201 for a in writes)
    slowest_write = max(a.seconds for a in writes)
    print(
        f"\nWhile uploads kept both workers busy: {created}/{len(writes)} token creations "
        f"answered 201 (slowest {slowest_write:.3f} s)."
    )
    return good and created == len(writes)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-uploads-") as folder:
        port = free_port()
        server, setup = start_portal(Path(folder), port)
        base = f"http://127.0.0.1:{port}"
        try:
            print(
                f"Portal on {base}: gunicorn, 2 sync workers, SQLite (embedded mode); baseline "
                f"{BASELINE_SECONDS} s (before uploads were bounded), "
                f"target < {TARGET_SECONDS} s per answer; the median of 3 runs per input and door."
            )
            rows = measure(doors(base, setup))
            writes = concurrent_writes(base, setup)
        finally:
            server.terminate()
            server.wait(timeout=30)
    sys.exit(0 if report(rows, writes) else 1)


if __name__ == "__main__":
    main()
