"""Requests per second for GET /.well-known/smime/NAME.crt, measured with wrk on loopback:

1. the portal under its production server (gunicorn, 2 sync workers, as bin/serve runs it),
2. a bare Django view returning the same bytes, no middleware, same server and workers,
3. nginx serving the file exported by `manage.py export_wellknown`,
plus /healthz through the portal's full middleware stack, and the same Django targets under
granian (2 WSGI workers) for the choice of production server. Prints every figure and the
ratios; exits non-zero when a target answers with errors.

Run it with bench/wellknown (which installs what it needs). It uses a throwaway SQLite
database in a temporary folder (the embedded mode; the path reads the database only when a name
is not in its in-process memo) and touches no other database or Redis.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
PATH = "/.well-known/smime/first_last.crt"
sys.path.insert(0, str(ROOT))
from tests.peers import free_port  # noqa: E402


@dataclass
class Result:
    name: str
    rps: float
    errors: int
    latency: str


def host_for(path: str) -> str:
    """The mail domain for its .well-known files; the portal's own host for its pages."""
    return "example.com" if path.startswith("/.well-known/") else "127.0.0.1"


def wrk(port: int, path: str, args: argparse.Namespace) -> tuple[float, int, str]:
    url = f"http://127.0.0.1:{port}{path}"
    base = ["wrk", "-t2", f"-c{args.connections}", "-H", f"Host: {host_for(path)}", "--latency"]
    if args.close:
        base += ["-H", "Connection: close"]
    subprocess.run([*base, "-d2s", url], capture_output=True, check=True)  # warm up
    out = subprocess.run(
        [*base, f"-d{args.seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(non_2xx.group(1)) if non_2xx else 0
    p99 = re.search(r"^\s+99%\s+(\S+)$", out, re.M)
    return rps, errors, p99.group(1) if p99 else "?"


class Server:
    def __init__(self, command: list[str], env: dict[str, str], port: int, log: Path) -> None:
        self.port = port
        self.log = log.open("w")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait(self, path: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"server exited, see {self.log.name}"
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{self.port}{path}", headers={"Host": host_for(path)}
                )
                with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.log.flush()
        tail = Path(self.log.name).read_text()[-2000:]
        raise AssertionError(f"no answer on port {self.port}:\n{tail}")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)
        self.log.close()


def django_server(kind: str, wsgi: str, env: dict[str, str], port: int, log: Path) -> Server:
    if kind == "gunicorn":
        command = [str(VENV / "gunicorn"), wsgi, "--bind", f"127.0.0.1:{port}"]
        command += ["--workers", "2"]
    else:
        command = [str(VENV / "granian"), "--interface", "wsgi", "--workers", "2"]
        command += ["--host", "127.0.0.1", "--port", str(port), wsgi]
    return Server(command, env, port, log)


def nginx(root: Path, folder: Path, port: int) -> Server:
    config = folder / "nginx.conf"
    config.write_text(
        f"""worker_processes 2;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    types {{ application/pkix-cert crt; application/x-pem-file pem; }}
    server {{
        listen 127.0.0.1:{port};
        location /.well-known/smime/ {{
            root {root}/example.com;
            add_header Access-Control-Allow-Origin *;
            add_header Cache-Control "public, max-age=3600";
        }}
    }}
}}
"""
    )
    return Server(
        ["nginx", "-e", str(folder / "nginx-error.log"), "-c", str(config), "-g", "daemon off;"],
        dict(os.environ),
        port,
        folder / "nginx.log",
    )


def measure(server: Server, name: str, path: str, args: argparse.Namespace) -> Result:
    server.wait(path)
    rps, errors, p99 = wrk(server.port, path, args)
    print(f"  {name:44} {rps:10,.0f} req/s  errors {errors:<5} p99 {p99}", flush=True)
    return Result(name, rps, errors, p99)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--servers", default="gunicorn,granian")
    parser.add_argument(
        "--close",
        action="store_true",
        help="a new connection per request, as from a reverse proxy without upstream keep-alive",
    )
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-wellknown-"))
    folder.chmod(0o755)  # nginx workers (user nobody) read the export inside
    try:
        return run(folder, args)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(folder: Path, args: argparse.Namespace) -> int:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("DATABASE_", "REDIS_", "CELERY_", "SECRET_", "KEY_ENCRYPTION", "DJANGO_SETTINGS")
        )
    }
    env |= {"PORTAL_VAR_DIR": str(folder / "var"), "DJANGO_SETTINGS_MODULE": "portal.settings"}
    env |= {"PYTHONPATH": str(ROOT), "BENCH_BODY": str(folder / "body.crt")}
    python = str(VENV / "python")
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "-m", "bench.seed", env["BENCH_BODY"]], cwd=ROOT, env=env, check=True)
    export = folder / "export"
    subprocess.run(
        [python, "manage.py", "export_wellknown", str(export)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    mode = "a new connection per request" if args.close else "keep-alive"
    print(f"wrk -t2 -c{args.connections} -d{args.seconds}s on loopback, {mode}")

    results: dict[str, Result] = {}
    bare_env = env | {"DJANGO_SETTINGS_MODULE": "bench.bare_settings"}
    for kind in args.servers.split(","):
        print(f"{kind}:")
        for key, wsgi, run_env, path in (
            ("portal", "portal.wsgi:application", env, PATH),
            ("bare", "portal.wsgi:application", bare_env, PATH),
            ("healthz", "portal.wsgi:application", env, "/healthz"),
        ):
            server = django_server(kind, wsgi, run_env, free_port(), folder / f"{kind}-{key}.log")
            label = {
                "portal": f"portal {PATH}",
                "bare": "bare Django view (no middleware)",
                "healthz": "portal /healthz (full middleware)",
            }[key]
            try:
                results[f"{kind}-{key}"] = measure(server, label, path, args)
            finally:
                server.stop()
    print("nginx:")
    server = nginx(export, folder, free_port())
    try:
        results["nginx"] = measure(server, f"nginx, exported {PATH}", PATH, args)
    finally:
        server.stop()

    print("ratios:")
    for kind in args.servers.split(","):
        portal, bare = results[f"{kind}-portal"], results[f"{kind}-bare"]
        print(
            f"  {kind}: portal / bare Django = {portal.rps / bare.rps:.2f} (target >= 0.9); "
            f"portal / nginx = {portal.rps / results['nginx'].rps:.3f}"
        )
    if "gunicorn-portal" in results and "granian-portal" in results:
        gain = results["granian-portal"].rps / results["gunicorn-portal"].rps
        print(f"  granian / gunicorn for the portal path = {gain:.2f}")
    failed = [r.name for r in results.values() if r.errors]
    if failed:
        print(f"errors under load: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
