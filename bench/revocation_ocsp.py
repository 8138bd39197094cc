"""Benchmark: 1,000 certificates checked by OCSP against a local `openssl ocsp` responder,
by the portal's sweep (requests built and answers verified in Python, results stored) and by
a shell loop calling the `openssl ocsp` client once per certificate. Prints both times and
the ratio (target: the portal at least 5x faster).

    DATABASE_URL=postgres://... .venv/bin/python bench/revocation_ocsp.py [CERTS]
"""

from __future__ import annotations

import subprocess
import sys
import time

from revocation_setup import NOW, leaves, openssl_ca, store, throwaway_database, write_index

from certificates.services import revocation_sweep
from tests.factories import to_pem
from tests.revocation_peers import OcspResponder
from tests.testca import SmimeTestCA


def shell_loop(folder: str, url: str) -> float:
    """Seconds for `openssl ocsp` once per certificate, as an admin's script would do it."""
    script = (
        "for cert in leaves/*.pem; do "
        f'openssl ocsp -issuer issuing.pem -cert "$cert" -url {url} -CAfile chain.pem '
        "| grep -q ': good' || exit 1; done"
    )
    started = time.monotonic()
    subprocess.run(["bash", "-c", script], cwd=folder, check=True, stderr=subprocess.DEVNULL)
    return time.monotonic() - started


def main(count: int) -> None:
    ca = SmimeTestCA(NOW)
    folder = openssl_ca(ca)
    responder = OcspResponder(folder)
    certs = leaves(ca, count, ocsp_url=responder.url, crl_url="http://crl.invalid/none.crl")
    write_index(folder.folder, certs, [])
    (folder.folder / "leaves").mkdir()
    for n, cert in enumerate(certs):
        (folder.folder / "leaves" / f"{n:05}.pem").write_text(to_pem(cert))
    (folder.folder / "chain.pem").write_text(to_pem(*ca.chain))
    responder.start()
    try:
        with throwaway_database() as engine:
            store(ca, certs)
            started = time.monotonic()
            summary = revocation_sweep.sweep()
            ours = time.monotonic() - started
        loop = shell_loop(str(folder.folder), responder.url)
    finally:
        responder.stop()
    print(summary)
    if summary.methods["ocsp"] != count:
        sys.exit("not every certificate was answered by OCSP")
    print(f"portal sweep ({engine}): {ours:.2f} s for {count:,} certificates by OCSP")
    print(f"shell loop of openssl ocsp: {loop:.2f} s")
    print(f"ratio: {loop / ours:.1f}x (target >= 5x)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000)
