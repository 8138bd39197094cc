"""The portal's chain check against C2SP x509-limbo's path-building cases.

    .venv/bin/python bench/limbo.py /path/to/limbo.json [--timeout SECONDS] [--verbose]

limbo.json is the test suite of https://github.com/C2SP/x509-limbo (its top-level file, or one
compiled from its generator: `limbo compile`). Only the cases that apply to an end-entity chain
without host names are run: `pathlen::*`, `pathological::*`, `cve::*`, `rfc5280::` validity, AKI,
SKI and serial, and the RFC822 name-constraint CLIENT cases.

Every case is judged three ways, each in a fresh process under a time limit:

- **portal**: `verify_chain` as deployed. limbo's leaves are TLS certificates, so the S/MIME
  profile (EKU emailProtection, an email SAN) refuses nearly all of them; an agreement there
  says little about path building.
- **path**: `verify_chain` with that end-entity profile replaced by the web PKI one without its
  EKU check: the same CA policy, path building, validity and fallbacks. This is the comparison
  that tells whether the chain check builds and refuses paths as limbo expects.
- **pyca**: cryptography's own verifier (server verifier with the case's host name, client
  verifier for CLIENT cases), as limbo's own pyca harness runs it, to explain disagreements.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import multiprocessing as mp
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from certificates.pki.chain import Verdict, verify_chain

_FAMILIES = ("pathlen::", "pathological::", "cve::") + tuple(
    f"rfc5280::{part}::" for part in ("validity", "aki", "ski", "serial")
)

# Why a disagreement is justified, for the cases where the portal (path mode) deliberately
# differs from limbo. Anything not listed here is reported as unexplained.
_JUSTIFIED = {
    "max-chain-depth": (
        "depth limit: limbo configures a maximum depth; the portal takes no such setting and "
        "keeps its fixed limit of 4 intermediates"
    ),
    "pathlen::self-issued-certs-pathlen": (
        "self-issued intermediates count toward pathLen (cryptography, Go and webpki do; "
        "RFC 5280 says they should not)"
    ),
    "pathlen::max-chain-depth-1-self-issued": (
        "self-issued intermediates count toward the depth (cryptography, Go and webpki do; "
        "RFC 5280 says they should not)"
    ),
    "rfc5280::aki::cross-signed-root-missing-aki": (
        "a trust anchor without AKI is taken as configured (RFC 5280 6.1; S/MIME BR 7.1.2.1 "
        "makes AKI optional in roots; limbo's cve-2024-0567 anchor has the same shape)"
    ),
    "rfc5280::ski::root-missing-ski": (
        "a trust anchor without SKI is taken as configured (RFC 5280 6.1; older enterprise "
        "roots lack one, and an admin who added the root meant it)"
    ),
    "pathlen::validation-ignores-pathlen-in-leaf": (
        "a CA certificate as the leaf is refused (S/MIME BR and CABF: a subscriber "
        "certificate is not a CA)"
    ),
}


@dataclass
class Outcome:
    """One case's verdicts: (accepted, message, seconds) per judge, or why a judge gave
    none."""

    id: str
    expected: bool
    features: list[str]
    judges: dict[str, tuple[bool, str, float]] = field(default_factory=dict)
    hangs: dict[str, str] = field(default_factory=dict)


def applies(case: dict[str, Any]) -> bool:
    if case["id"].startswith(_FAMILIES):
        return True
    is_email_nc = case["id"].startswith("rfc5280::nc::") and "email" in case["id"]
    return is_email_nc and case["validation_kind"] == "CLIENT"


def _pem(text: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(text.encode())


def _moment(case: dict[str, Any]) -> datetime:
    when = case["validation_time"]
    return datetime.fromisoformat(when) if when else datetime.now(UTC)


def path_leaf_policy() -> ExtensionPolicy:
    """The web PKI end-entity profile without its EKU check: limbo's leaves carry serverAuth
    or clientAuth, which says nothing about the path above them."""
    return ExtensionPolicy.webpki_defaults_ee().may_be_present(
        x509.ExtendedKeyUsage, Criticality.AGNOSTIC, None
    )


def _portal(case: dict[str, Any], *, as_deployed: bool) -> tuple[bool, str]:
    leaf = _pem(case["peer_certificate"])
    intermediates = [_pem(c) for c in case["untrusted_intermediates"]]
    anchors = [_pem(c) for c in case["trusted_certs"]]
    policy = None if as_deployed else path_leaf_policy()
    result = verify_chain(leaf, intermediates, anchors, _moment(case), leaf_policy=policy)
    return result.verdict == Verdict.TRUSTED, f"{result.verdict}: {result.reason}"


def _peer(name: dict[str, str]) -> x509.GeneralName:
    if name["kind"] == "IP":
        return x509.IPAddress(ipaddress.ip_address(name["value"]))
    return x509.DNSName(name["value"])


def _pyca(case: dict[str, Any]) -> tuple[bool, str]:
    builder = PolicyBuilder().store(Store([_pem(c) for c in case["trusted_certs"]]))
    builder = builder.time(_moment(case))
    if case["max_chain_depth"] is not None:
        builder = builder.max_chain_depth(case["max_chain_depth"])
    leaf = _pem(case["peer_certificate"])
    intermediates = [_pem(c) for c in case["untrusted_intermediates"]]
    try:
        if case["validation_kind"] == "CLIENT":
            builder.build_client_verifier().verify(leaf, intermediates)
        else:
            builder.build_server_verifier(_peer(case["expected_peer_name"])).verify(
                leaf, intermediates
            )
    except (VerificationError, ValueError) as exc:
        return False, str(exc)
    return True, "chain built"


def _timed(judge: Callable[[], tuple[bool, str]]) -> tuple[bool, str, float]:
    start = time.perf_counter()
    try:
        accepted, message = judge()
    except ValueError as exc:  # a certificate cryptography will not parse is refused
        accepted, message = False, f"unparseable: {exc}"
    return accepted, message, time.perf_counter() - start


_JUDGES: dict[str, Callable[[dict[str, Any]], tuple[bool, str]]] = {
    "portal": lambda case: _portal(case, as_deployed=True),
    "path": lambda case: _portal(case, as_deployed=False),
    "pyca": _pyca,
}


def _worker(judge: str, case: dict[str, Any], conn: Connection) -> None:
    conn.send(_timed(lambda: _JUDGES[judge](case)))
    conn.close()


def _bounded(judge: str, case: dict[str, Any], timeout: float) -> tuple[bool, str, float] | str:
    """One judge in a fresh process, killed after ``timeout`` seconds: cryptography's path
    building is native code that no signal interrupts. A string says why there is no
    verdict."""
    receive, send = mp.Pipe(duplex=False)
    process = mp.Process(target=_worker, args=(judge, case, send), daemon=True)
    process.start()
    send.close()
    try:
        if receive.poll(timeout):
            verdict: tuple[bool, str, float] = receive.recv()
            return verdict
        return f"did not finish within {timeout:g} s"
    except EOFError:
        return "the worker died without an answer"
    finally:
        if process.is_alive():
            process.terminate()
        process.join()


def run_case(case: dict[str, Any], timeout: float) -> Outcome:
    outcome = Outcome(case["id"], case["expected_result"] == "SUCCESS", case["features"])
    for judge in _JUDGES:
        verdict = _bounded(judge, case, timeout)
        if isinstance(verdict, str):
            outcome.hangs[judge] = verdict
        else:
            outcome.judges[judge] = verdict
    return outcome


def _reason(outcome: Outcome, judge: str) -> str:
    """Why ``judge`` disagrees with limbo on ``outcome``."""
    accepted, message, _ = outcome.judges[judge]
    path = outcome.judges.get("path")
    if judge == "portal" and not accepted and path and path[0]:
        return "stricter by S/MIME policy: the leaf lacks EKU emailProtection or an email SAN"
    for key, why in _JUSTIFIED.items():
        if key == outcome.id or key in outcome.features:
            return f"justified, {why}"
    if accepted:
        return "BUG: accepts a chain limbo refuses"
    return f"refuses a chain limbo accepts: {message.split(': ', 1)[-1][:110]}"


def _judge_report(outcomes: list[Outcome], judge: str, verbose: bool) -> int:
    """Print one judge's agreement; the number of its bugs (hangs and unjustified accepts)."""
    hung = [o for o in outcomes if judge in o.hangs]
    done = [o for o in outcomes if judge in o.judges]
    agree = [o for o in done if o.judges[judge][0] == o.expected]
    groups: dict[str, list[str]] = defaultdict(list)
    for o in done:
        if o.judges[judge][0] != o.expected:
            groups[_reason(o, judge) if judge != "pyca" else "differs from limbo"].append(o.id)
    for o in hung:
        groups[f"HANG: {o.hangs[judge]}"].append(o.id)
    print(f"\n[{judge}] agree {len(agree)}, disagree {len(done) - len(agree)}, hang {len(hung)}")
    for why, ids in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        print(f"  {len(ids):3} {why}")
        for case_id in ids if verbose or len(ids) <= 6 else [*ids[:5], "..."]:
            print(f"        {case_id}")
    if judge == "pyca":  # cryptography's own verdicts explain; they are not the portal's
        return 0
    return sum(len(ids) for why, ids in groups.items() if why.startswith(("BUG", "HANG")))


def report(outcomes: list[Outcome], verbose: bool) -> int:
    print(f"limbo cases run: {len(outcomes)}")
    bugs = sum(_judge_report(outcomes, judge, verbose) for judge in _JUDGES)
    print("\nslowest cases (seconds: portal / path / pyca; - is a hang):")

    def seconds(o: Outcome, judge: str) -> float:
        return o.judges[judge][2] if judge in o.judges else float("inf")

    by_time = sorted(outcomes, key=lambda o: -max(seconds(o, j) for j in ("portal", "path")))
    for o in by_time[:5]:
        times = " / ".join(
            f"{o.judges[j][2]:.3f}" if j in o.judges else "-" for j in ("portal", "path", "pyca")
        )
        print(f"  {times}  {o.id}")
    return 1 if bugs else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("limbo_json", type=Path)
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per case")
    parser.add_argument("--verbose", action="store_true", help="list every disagreeing case")
    args = parser.parse_args()
    cases = [c for c in json.loads(args.limbo_json.read_text())["testcases"] if applies(c)]
    outcomes = [run_case(case, args.timeout) for case in cases]
    return report(outcomes, args.verbose)


if __name__ == "__main__":
    sys.exit(main())
