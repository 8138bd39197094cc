"""Keys born in the browser, measured in headless Debian chromium.

For each key type: bare WebCrypto generateKey beside our key generation + CSR (the median of
several runs, interleaved so both see the same machine), against the target:
ours within 1.2 x bare + 30 ms. Then the key backup's encryption and opening (PBKDF2, 600000
rounds) and the PKCS#12 build in both profiles, against the target: modern under 500 ms.

    .venv/bin/python bench/browser_keys.py [--runs 7]

The pages are the committed bundle (static/js/dist/browser-keys.js), served on 127.0.0.1 (a
secure context) by a small HTTP server in this process; the certificate for the PKCS#12 build
is signed here by a throwaway CA.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import http.server
import statistics
import threading
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from playwright.sync_api import sync_playwright

STATIC = Path(__file__).resolve().parent.parent / "static"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
KEY_TYPES = ("rsa-2048", "rsa-3072", "rsa-4096", "ec-p256", "ec-p384")
PASSPHRASE = "bench passphrase"  # noqa: S105 - a throwaway key's, in a benchmark

ROUND = """async ([keyType]) => {
  const lib = await import("/js/dist/browser-keys.js");
  let t = performance.now();
  await crypto.subtle.generateKey(lib.KEY_TYPES[keyType], true, ["sign", "verify"]);
  const bare = performance.now() - t;
  t = performance.now();
  const keys = await lib.generateKeyPair(keyType);
  const csr = await lib.buildCsr(keys, "bench@example.com", {common_name: "Bench Mark"});
  const ours = performance.now() - t;
  return { bare, ours, csr };
}"""

KEY_FILE = """async ([keyType, passphrase]) => {
  const lib = await import("/js/dist/browser-keys.js");
  const keys = await lib.generateKeyPair(keyType);
  let t = performance.now();
  const encrypted = await lib.encryptKey(keys.privateKey, passphrase);
  const encrypt = performance.now() - t;
  t = performance.now();
  await lib.decryptKey(encrypted, passphrase);
  return { encrypt, open: performance.now() - t };
}"""

BUNDLE = """async ([keyType, passphrase, runs]) => {
  const lib = await import("/js/dist/browser-keys.js");
  const keys = await lib.generateKeyPair(keyType);
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
  const spki = await lib.publicKeySha256(keys.publicKey);
  const csr = await lib.buildCsr(keys, "bench@example.com", {});
  const certPem = await window.signCsr(csr);
  const [certificate, ...chain] = lib.pemBlocks(certPem, "CERTIFICATE");
  const entry = {
    pkcs8, certificate, chain, spkiSha256: spki, friendlyName: "bench", label: "bench",
  };
  const times = { modern: [], legacy: [] };
  for (let i = 0; i < runs; i++) {
    for (const profile of ["modern", "legacy"]) {
      const t = performance.now();
      await lib.buildPkcs12([entry], "bundle password", profile);
      times[profile].push(performance.now() - t);
    }
  }
  return times;
}"""


class CA:
    """A throwaway CA that signs the benchmark's CSRs (for the PKCS#12 build)."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bench CA")])
        now = dt.datetime.now(dt.UTC)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )

    def sign(self, csr_pem: str) -> str:
        csr = x509.load_pem_x509_csr(csr_pem.encode())
        now = dt.datetime.now(dt.UTC)
        leaf = (
            x509.CertificateBuilder()
            .subject_name(csr.subject)
            .issuer_name(self.cert.subject)
            .public_key(csr.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=1))
            .sign(self.key, hashes.SHA256())
        )
        return "".join(
            c.public_bytes(serialization.Encoding.PEM).decode() for c in (leaf, self.cert)
        )


def serve_static() -> http.server.ThreadingHTTPServer:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(STATIC))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per figure (default 7)")
    runs = parser.parse_args().runs
    server = serve_static()
    ca = CA()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.expose_function("signCsr", ca.sign)
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/css/portal.css")
        version = browser.version
        print(f"Chromium {version}, {runs} runs per figure (medians, ms)\n")
        print(f"{'key type':<10} {'bare':>8} {'ours':>8} {'target':>8} {'ours/target':>12}")
        for key_type in KEY_TYPES:
            page.evaluate(ROUND, [key_type])  # warm-up: loads the bundle, JIT
            rounds = [page.evaluate(ROUND, [key_type]) for _ in range(runs)]
            bare = median([r["bare"] for r in rounds])
            ours = median([r["ours"] for r in rounds])
            target = 1.2 * bare + 30
            verdict = "ok" if ours <= target else "OVER"
            print(
                f"{key_type:<10} {bare:8.1f} {ours:8.1f} {target:8.1f} "
                f"{ours / target:11.2f}  {verdict}"
            )
        files = [page.evaluate(KEY_FILE, ["ec-p256", PASSPHRASE]) for _ in range(runs)]
        encrypt, open_ = (median([f[part] for f in files]) for part in ("encrypt", "open"))
        print(
            f"\nkey backup (PBKDF2-SHA256 600000 rounds, AES-256-CBC): encrypt {encrypt:.1f}, "
            f"open {open_:.1f}"
        )
        for key_type in ("rsa-2048", "ec-p256"):
            times = page.evaluate(BUNDLE, [key_type, PASSPHRASE, runs])
            modern, legacy = median(times["modern"]), median(times["legacy"])
            verdict = "ok" if modern < 500 else "OVER"
            print(
                f"PKCS#12 build, {key_type}: modern {modern:.1f} (target < 500, "
                f"{modern / 500:.2f} of it, {verdict}), legacy {legacy:.1f}"
            )
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
