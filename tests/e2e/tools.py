"""The real mail-client stacks a PKCS#12 must satisfy, driven through their CLIs:
OpenSSL 3, NSS (Thunderbird's store: pk12util/certutil) and GnuPG's gpgsm."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def run(
    *command: str | Path, stdin: str | None = None, check: bool = True, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(c) for c in command], input=stdin, capture_output=True, text=True, timeout=120, cwd=cwd
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{command[0]} failed ({result.returncode}): {result.stderr}{result.stdout}"
        )
    return result


def openssl_pkcs12_info(bundle: Path, password: str) -> str:
    """Algorithm lines of a bundle, read by OpenSSL 3 without -legacy."""
    return run(
        "openssl", "pkcs12", "-info", "-noout", "-in", bundle, "-passin", f"pass:{password}"
    ).stderr


def openssl_extract(bundle: Path, password: str, workdir: Path) -> tuple[Path, Path, Path]:
    """Key, leaf and CA certificates out of a bundle, as OpenSSL 3 reads them (no -legacy)."""
    key, leaf, cas = workdir / "key.pem", workdir / "leaf.pem", workdir / "cas.pem"
    common = ["-in", bundle, "-passin", f"pass:{password}"]
    run("openssl", "pkcs12", *common, "-nocerts", "-nodes", "-out", key)
    run("openssl", "pkcs12", *common, "-clcerts", "-nokeys", "-out", leaf)
    run("openssl", "pkcs12", *common, "-cacerts", "-nokeys", "-out", cas)
    return key, leaf, cas


def nss_import_and_validate(bundle: Path, password: str, root_pem: Path, nickname: str) -> str:
    """Import into a fresh NSS database as Thunderbird would and validate for S/MIME signing."""
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sql:{tmp}"
        run("certutil", "-N", "-d", db, "--empty-password")
        run("pk12util", "-i", bundle, "-d", db, "-W", password)
        run("certutil", "-A", "-d", db, "-n", "test-root", "-t", "C,C,C", "-i", root_pem)
        return run("certutil", "-V", "-u", "S", "-n", nickname, "-d", db, check=False).stdout


@contextmanager
def _gpgsm_home() -> Iterator[dict[str, str]]:
    """The environment of a fresh gpgsm home, removed afterwards with its gpg-agent. The path
    stays short: gpg-agent's socket path must fit in a sockaddr_un (108 bytes)."""
    home = Path(tempfile.mkdtemp(prefix="g", dir="/tmp"))
    home.chmod(0o700)
    (home / "gpg-agent.conf").write_text("allow-loopback-pinentry\n")
    # No network lookups of issuers (AIA); gpgsm still exits 2 when it meets the leaf before
    # its issuer in the bundle, so callers judge the import by its counters, not the exit code.
    (home / "gpgsm.conf").write_text("disable-dirmngr\n")
    env = {"GNUPGHOME": str(home), "PATH": "/usr/bin:/bin"}
    try:
        yield env
    finally:
        subprocess.run(["gpgconf", "--kill", "all"], env=env, capture_output=True, timeout=30)
        subprocess.run(["rm", "-rf", str(home)], timeout=30)


def _gpgsm_import(
    env: dict[str, str], bundle: Path, password: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            "gpgsm",
            "--batch",
            "--pinentry-mode",
            "loopback",
            "--passphrase-fd",
            "0",
            "--import",
            str(bundle),
        ],
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def gpgsm_import(bundle: Path, password: str) -> subprocess.CompletedProcess[str]:
    """Import with gpgsm into a fresh home; stdout has the secret keys gpgsm then lists."""
    with _gpgsm_home() as env:
        result = _gpgsm_import(env, bundle, password)
        listing = subprocess.run(
            ["gpgsm", "--list-secret-keys"], capture_output=True, text=True, timeout=60, env=env
        )
        return subprocess.CompletedProcess(
            result.args, result.returncode, result.stdout + listing.stdout, result.stderr
        )


def gpgsm_import_each(bundles: list[Path], password: str) -> list[str]:
    """gpgsm's report (stderr) on importing each bundle in turn into one fresh home: one
    gpg-agent start for all of them. A key seen before counts as "unchanged", not "imported",
    but gpgsm has decrypted it either way ("secret keys read: 1")."""
    with _gpgsm_home() as env:
        return [_gpgsm_import(env, bundle, password).stderr for bundle in bundles]


def smime_sign_and_verify(key: Path, leaf: Path, cas: Path, root_pem: Path, workdir: Path) -> str:
    """Sign a message with the extracted key and verify it to the test root."""
    message, signed = workdir / "message.txt", workdir / "signed.eml"
    message.write_text("Hello from the S/MIME portal tests.\n")
    run(
        "openssl",
        "smime",
        "-sign",
        "-in",
        message,
        "-signer",
        leaf,
        "-inkey",
        key,
        "-certfile",
        cas,
        "-out",
        signed,
    )
    return run(
        "openssl",
        "smime",
        "-verify",
        "-in",
        signed,
        "-CAfile",
        root_pem,
        "-purpose",
        "smimesign",
        "-out",
        workdir / "verified.txt",
    ).stderr
