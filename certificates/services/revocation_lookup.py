"""Asking the CA about certificates: OCSP first (from AIA), the CRL second (from CRLDP).

A ``Session`` is what one sweep (or one check) learns as it goes: each CRL is loaded once
however many certificates point at it, and an OCSP responder that did not answer is not asked
again for the rest of the session (one that times out would otherwise cost its timeout for
every certificate). OCSP requests run a few at a time; they only wait on the network.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache

from cryptography import x509

from certificates.pki import ocsp
from certificates.pki.crl import CrlIndex
from certificates.pki.errors import PkiError
from certificates.pki.revocation import Finding, RevocationStatus
from certificates.services import crl_cache, outbound

OCSP_TIMEOUT = 10.0
OCSP_PARALLEL = 8
# The certificate fields a check reads (a sweep reads them as plain values).
TARGET_FIELDS = ("pk", "serial_hex", "chain_pem", "ocsp_urls", "crl_urls")


@dataclass(frozen=True)
class Target:
    """What a check needs from a certificate row; the leaf's DER is not even parsed."""

    pk: int
    serial: int
    issuer: x509.Certificate | None
    ocsp_urls: list[str]
    crl_urls: list[str]


@lru_cache(maxsize=256)
def issuer_of(chain_pem: str) -> x509.Certificate | None:
    """The issuer (first) certificate of a stored chain, parsed once per process: a sweep
    reads thousands of certificates sharing a handful of chains."""
    chain = x509.load_pem_x509_certificates(chain_pem.encode()) if chain_pem else []
    return chain[0] if chain else None


def target(pk: int, serial_hex: str, chain_pem: str, ocsp: list[str], crl: list[str]) -> Target:
    """The Target of a row's TARGET_FIELDS."""
    return Target(pk, int(serial_hex, 16), issuer_of(chain_pem), list(ocsp), list(crl))


@dataclass
class Session:
    """What one sweep, or one check, has learnt so far (see the module's docstring)."""

    now: datetime
    crl_downloads: int = 0
    # url -> (the issuer it was checked against, the CRL or why there is none)
    _crls: dict[str, tuple[x509.Certificate, CrlIndex | Finding]] = field(default_factory=dict)
    _ocsp_down: dict[str, Finding] = field(default_factory=dict)

    def crl_lookup(self, url: str, issuer: x509.Certificate, serial: int) -> Finding:
        loaded = self._crls.get(url)
        if loaded is None or loaded[0] is not issuer:  # issuer_of hands out one object per chain
            loaded = self._crls[url] = (issuer, self._load_crl(url, issuer))
        crl = loaded[1]
        return crl if isinstance(crl, Finding) else crl.lookup(serial)

    def _load_crl(self, url: str, issuer: x509.Certificate) -> CrlIndex | Finding:
        try:
            index, downloaded = crl_cache.load(url, issuer, self.now)
        except crl_cache.CrlUnavailable as exc:
            return Finding(RevocationStatus.UNKNOWN, f"CRL: {exc.reason}", transient=exc.transient)
        self.crl_downloads += downloaded
        return index

    def by_ocsp(self, target: Target) -> Finding | list[Finding]:
        """The first definitive answer of the target's responders, or what each said instead."""
        assert target.issuer is not None
        failures = []
        for url in target.ocsp_urls:
            finding = self._ask(url, target.serial, target.issuer)
            if finding.status != RevocationStatus.UNKNOWN:
                return finding
            failures.append(finding)
        return failures

    def _ask(self, url: str, serial: int, issuer: x509.Certificate) -> Finding:
        if url in self._ocsp_down:
            return self._ocsp_down[url]
        finding = _ask_ocsp(url, serial, issuer, self.now)
        if finding.transient:
            self._ocsp_down[url] = replace(
                finding, detail=f"{finding.detail} (not asked again in this sweep)"
            )
        return finding


def find_all(targets: Sequence[Target], session: Session) -> list[Finding]:
    """One finding per target: OCSP first, then the CRL; an unknown finding says what every
    attempt ran into."""
    asking = [t for t in targets if t.issuer is not None and t.ocsp_urls]
    answers: dict[int, Finding | list[Finding]] = {}
    if asking:
        with ThreadPoolExecutor(OCSP_PARALLEL) as pool:
            answers = dict(
                zip([t.pk for t in asking], pool.map(session.by_ocsp, asking), strict=True)
            )
    return [_conclude(t, answers.get(t.pk, []), session) for t in targets]


def _conclude(target: Target, by_ocsp: Finding | list[Finding], session: Session) -> Finding:
    """OCSP's definitive finding, or the CRL's, or unknown with every reason."""
    if isinstance(by_ocsp, Finding):
        return by_ocsp
    if target.issuer is None:
        return Finding(
            RevocationStatus.UNKNOWN,
            "The portal holds no issuer certificate for it, so no answer could be verified.",
        )
    if not target.ocsp_urls and not target.crl_urls:
        return Finding(RevocationStatus.UNKNOWN, "It names no OCSP responder and no CRL.")
    failures = list(by_ocsp)
    for url in target.crl_urls:
        finding = session.crl_lookup(url, target.issuer, target.serial)
        if finding.status != RevocationStatus.UNKNOWN:
            if failures:
                return replace(finding, detail=" ".join([finding.detail, *_details(failures)]))
            return finding
        failures.append(finding)
    return Finding(
        RevocationStatus.UNKNOWN,
        " ".join(_details(failures)),
        transient=any(f.transient for f in failures),
    )


def _details(findings: list[Finding]) -> list[str]:
    return [f.detail for f in findings]


def _ask_ocsp(url: str, serial: int, issuer: x509.Certificate, now: datetime) -> Finding:
    nonce = os.urandom(ocsp.NONCE_BYTES)
    try:
        answer = outbound.fetch(
            url,
            method="POST",
            body=ocsp.build_request(serial, issuer, nonce),
            content_type=ocsp.CONTENT_TYPE,
            accept="application/ocsp-response",
            max_bytes=ocsp.MAX_RESPONSE_BYTES,
            timeout=OCSP_TIMEOUT,
        )
        finding = ocsp.verify_response(
            answer.body, serial=serial, issuer=issuer, nonce=nonce, now=now
        )
    except outbound.FetchError as exc:
        return Finding(RevocationStatus.UNKNOWN, f"OCSP: {exc.reason}", transient=exc.transient)
    except PkiError as exc:
        return Finding(RevocationStatus.UNKNOWN, f"OCSP {url}: {exc.message}")
    return replace(finding, detail=f"OCSP {url}: {finding.detail}")
