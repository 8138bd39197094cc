"""Benchmark: a revocation sweep of 10,000 certificates from one issuer against a CRL with
100,000 entries, served by a local HTTP server. Prints the wall time (target: under 5 s on
PostgreSQL) and how often the CRL was downloaded (target: once).

    DATABASE_URL=postgres://... .venv/bin/python bench/revocation_sweep.py [CERTS] [ENTRIES]
"""

from __future__ import annotations

import random
import sys
import time

from revocation_setup import NOW, leaves, openssl_ca, store, throwaway_database, write_index

from certificates.services import revocation_sweep
from tests.revocation_peers import FileServer
from tests.testca import SmimeTestCA

REVOKED_AMONG_OURS = 10  # of ours on the CRL: they are revoked and mailed one by one


def main(certs: int, entries: int) -> None:
    ca = SmimeTestCA(NOW)
    server = FileServer()
    url = server.url("/issuing.crl")
    with throwaway_database() as engine:
        started = time.monotonic()
        ours = leaves(ca, certs, ocsp_url=None, crl_url=url)
        others = [random.getrandbits(95) | 1 << 95 for _ in range(entries - REVOKED_AMONG_OURS)]
        folder = openssl_ca(ca)
        revoked = [c.serial_number for c in ours[:REVOKED_AMONG_OURS]] + others
        write_index(folder.folder, ours[REVOKED_AMONG_OURS:], revoked)
        server.files["/issuing.crl"] = folder.crl_der(hours=24)
        store(ca, ours)
        size = len(server.files["/issuing.crl"]) / 1e6
        print(
            f"setup ({engine}): {certs:,} certificates, CRL of {entries:,} entries ({size:.1f} MB)"
            f" from openssl ca -gencrl, {time.monotonic() - started:.1f} s"
        )

        started = time.monotonic()
        summary = revocation_sweep.sweep()
        elapsed = time.monotonic() - started
    server.stop()
    print(summary)
    print(f"sweep wall time: {elapsed:.2f} s (target < 5 s)")
    print(f"CRL downloads: {server.hits['/issuing.crl']} (target 1)")
    ok = summary.checked == certs and summary.statuses["revoked"] == REVOKED_AMONG_OURS
    if not ok:
        sys.exit("the sweep did not check every certificate as expected")


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:3]]
    main(*(arguments + [10_000, 100_000][len(arguments) :]))
