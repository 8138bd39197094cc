"""The sender-side lookup: given anyone's address, find the certificate to encrypt to the way
the portal publishes one (discovery.records), and say at each step what was found.

1. **TXT** at ``LOCAL._smime.DOMAIN.`` (the local part's dots become labels): the URL of the
   certificate;
2. **the certificate**, fetched from that URL or, when there is no usable TXT record, from
   ``https://DOMAIN/.well-known/smime/NAME.crt`` (the name as written, then with ASCII letters
   in lower case); read and judged by discovery.recipient;
3. **SMIMEA** at ``HEX._smimecert.DOMAIN.`` (RFC 8162; the lower-case owner when the exact one
   has none), compared with the certificate, with whether a validating resolver vouched for
   the answer (the AD bit).

This is the blog recipe's ``dig`` / download / verify done by the portal. Every step ends
found, missing, mismatch or error with a sentence; nothing in an answer (a TXT that is no URL,
a 10 MB body, a redirect to file:, a private address, a key instead of a certificate) raises.
DNS and HTTP come in as seams (discovery.dnsclient, the safe fetcher under the portal's
policy), and the whole lookup has a time budget. Nothing here imports Django.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from urllib.parse import urlsplit

import dns.name
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from dns.rdtypes.ANY.SMIMEA import SMIMEA
from dns.rdtypes.ANY.TXT import TXT

from certificates import fetcher
from certificates.fetcher import FetchError, FetchResult
from certificates.pki.emails import ascii_lower, normalise_domain, split_address
from certificates.pki.errors import PkiError
from certificates.pki.text import visible
from certificates.pki.translation import _
from discovery import recipient, records
from discovery.dnsclient import Answer

DNS_SECONDS = 3.0
FETCH_SECONDS = 5.0
# The whole lookup: a visitor's request holds a web worker no longer than this.
TOTAL_SECONDS = 12.0
SHOWN = 120  # characters of a value found in DNS quoted back
_GONE = (404, 410)


class Status(StrEnum):
    FOUND = "found"
    MISSING = "missing"
    MISMATCH = "mismatch"
    ERROR = "error"


class StepName(StrEnum):
    TXT = "txt"
    CERTIFICATE = "certificate"
    SMIMEA = "smimea"


@dataclass(frozen=True)
class Step:
    name: StepName
    status: Status
    asked: str  # the DNS name or the URL asked last ("" when nothing could be asked)
    detail: str
    # DNS answers holding records: whether a validating resolver vouched for them (AD bit).
    authenticated: bool | None = None
    found: tuple[str, ...] = ()  # the values DNS held, shortened
    warnings: tuple[str, ...] = ()
    # The fetcher's own sentence where ``detail`` words it for anyone (an operating-system
    # error, the setting's name): for admins, not for the public page.
    technical: str = ""


class Resolve(Protocol):
    def __call__(self, name: dns.name.Name, rdtype: str, timeout: float) -> Answer: ...


class Fetch(Protocol):
    def __call__(self, url: str, *, max_bytes: int, timeout: float, accept: str) -> FetchResult: ...


@dataclass(frozen=True)
class Seams:
    resolve: Resolve
    fetch: Fetch


@dataclass(frozen=True)
class Result:
    email: str
    steps: tuple[Step, ...]
    certificate: x509.Certificate | None  # what was read, usable or not (the steps say)
    usable: bool  # an S/MIME certificate for the address, valid now
    vouched: bool  # and an SMIMEA record in a DNSSEC-authenticated answer matches it

    def step(self, name: StepName) -> Step:
        return next(step for step in self.steps if step.name == name)

    @property
    def summary(self) -> str:
        if not self.usable:
            why = self.step(StepName.CERTIFICATE).detail
            return _("No usable certificate for %(email)s was found. %(why)s") % {
                "email": self.email,
                "why": why,
            }
        if self.vouched:
            return _(
                "A certificate for %(email)s was found, and an SMIMEA record in a "
                "DNSSEC-signed zone vouches for it."
            ) % {"email": self.email}
        return _(
            "A certificate for %(email)s was found. No DNSSEC-authenticated SMIMEA record "
            "vouches for it, so it is as trustworthy as the server it came from and the CA "
            "that signed it (your mail client checks the CA)."
        ) % {"email": self.email}


def address_parts(email: str) -> tuple[str, str]:
    """(local part as written, domain as DNS holds it), or PkiError for input that is no
    address: the caller's 4xx, before anything is asked."""
    local, domain = split_address(email)
    domain = normalise_domain(domain)
    try:
        records.domain_name(domain)
    except records.RecordError as exc:
        raise PkiError(exc.message) from exc
    return local, domain


def direct_base(domain: str) -> str:
    """Where a domain's .well-known folder is when no TXT record says otherwise."""
    return records.base_url(domain, "")


def direct_urls(local: str, domain: str) -> list[str]:
    base = direct_base(domain)
    urls = [records.well_known_url(base, local)]
    folded = records.well_known_url(base, ascii_lower(local))
    return urls + ([folded] if folded != urls[0] else [])


class _Budget:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def left(self, step_limit: float) -> float:
        return max(0.0, min(step_limit, self.deadline - time.monotonic()))

    @property
    def spent(self) -> str:
        return f"the lookup used up its {self.seconds:g} seconds"


def look_up(email: str, seams: Seams, now: datetime, seconds: float = TOTAL_SECONDS) -> Result:
    """The three steps for ``email``; PkiError only for input that is no address."""
    local, domain = address_parts(email)
    budget = _Budget(seconds)
    txt, url = _txt(local, domain, seams, budget)
    urls = [url] if url else direct_urls(local, domain)
    fetched, cert, usable = _certificate(urls, email.strip(), seams, budget, now)
    smimea = _smimea(local, domain, cert, seams, budget)
    vouched = usable and smimea.status == Status.FOUND and smimea.authenticated is True
    steps = (txt, fetched, smimea)
    return Result(email.strip(), steps, cert, usable, vouched)


def _ask(seams: Seams, budget: _Budget, name: dns.name.Name, rdtype: str) -> Answer:
    timeout = budget.left(DNS_SECONDS)
    if not timeout:
        return Answer(problem=budget.spent)
    return seams.resolve(name, rdtype, timeout)


def _shorten(text: str) -> str:
    """A value from an answer as it may be shown: control characters escaped, cut short."""
    text = visible(text)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def _txt_text(rdata: object) -> str:
    """A TXT record's strings joined (long URLs are split into 255-octet strings)."""
    if not isinstance(rdata, TXT):
        return ""
    return b"".join(rdata.strings).decode("utf-8", "replace")


def _is_http_url(text: str) -> bool:
    if any(ch.isspace() or not ch.isprintable() for ch in text):
        return False
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(host)


def _txt(local: str, domain: str, seams: Seams, budget: _Budget) -> tuple[Step, str]:
    """The TXT step and the URL it gave ("" for none)."""
    then = _("; trying the domain's .well-known URL directly.")
    try:
        owner = records.txt_owner(local, domain)
    except records.RecordError as exc:
        return Step(StepName.TXT, Status.ERROR, "", exc.message.rstrip(".") + then), ""
    asked = owner.to_text()
    answer = _ask(seams, budget, owner, "TXT")
    if answer.problem:
        detail = _("No answer: %(problem)s") % {"problem": answer.problem} + then
        return Step(StepName.TXT, Status.ERROR, asked, detail), ""
    if not answer.rdatas:
        detail = _("No TXT record at %(name)s") % {"name": asked} + then
        return Step(StepName.TXT, Status.MISSING, asked, detail), ""
    values = [_txt_text(rdata) for rdata in answer.rdatas]
    found = tuple(_shorten(value) for value in values)
    urls = sorted(value for value in values if _is_http_url(value))
    if not urls:
        detail = _("The TXT record at %(name)s holds no http or https URL") % {"name": asked} + then
        return Step(StepName.TXT, Status.ERROR, asked, detail, answer.authenticated, found), ""
    detail = _("It points to %(url)s.") % {"url": urls[0]}
    if len(values) > 1:
        detail += " " + _(
            "(%(count)s TXT records are there; the first URL in sort order is used.)"
        ) % {"count": len(values)}
    return Step(StepName.TXT, Status.FOUND, asked, detail, answer.authenticated, found), urls[0]


def _certificate(
    urls: list[str], email: str, seams: Seams, budget: _Budget, now: datetime
) -> tuple[Step, x509.Certificate | None, bool]:
    """The certificate step, the certificate read (None when none) and whether it is usable."""

    def step(status: Status, asked: str, detail: str, *warnings: str) -> Step:
        return Step(StepName.CERTIFICATE, status, asked, detail, warnings=warnings)

    for index, url in enumerate(urls):
        timeout = budget.left(FETCH_SECONDS)
        if not timeout:
            detail = _("Not fetched: %(reason)s.") % {"reason": budget.spent}
            return step(Status.ERROR, url, detail), None, False
        size = recipient.MAX_CERTIFICATE_BYTES
        try:
            result = seams.fetch(url, max_bytes=size, timeout=timeout, accept=recipient.ACCEPT)
        except FetchError as exc:
            if exc.status not in _GONE:
                return _fetch_failed(exc, url), None, False
            if index + 1 < len(urls):
                continue
            if len(urls) > 1:
                detail = _("Neither %(urls)s has certificate (HTTP %(status)s).") % {
                    "urls": " nor ".join(urls),
                    "status": exc.status,
                }
            else:
                detail = _("%(url)s has no certificate (HTTP %(status)s).") % {
                    "url": url,
                    "status": exc.status,
                }
            return step(Status.MISSING, url, detail), None, False
        where = result.url
        if result.url != url:
            where += " " + _("(redirected from %(url)s)") % {"url": url}
        try:
            cert = recipient.pick(recipient.read(result.body), email)
            judgement = recipient.judge(cert, email, now)
        except (ValueError, UnsupportedAlgorithm) as exc:  # PkiError is a ValueError
            if isinstance(exc, PkiError):
                reason = exc.message
            else:
                reason = _("It cannot be read (%(reason)s).") % {"reason": exc}
            return step(Status.ERROR, result.url, f"{where}: {reason}"), None, False
        warnings = list(judgement.warnings)
        if urlsplit(result.url).scheme == "http":
            warnings.append(
                _(
                    "It came over plain http, so anyone on the way could have swapped it; only "
                    "the CA's signature and a DNSSEC-authenticated SMIMEA record vouch for it."
                )
            )
        status = Status.FOUND if judgement.usable else Status.ERROR
        if judgement.mismatch:
            status = Status.MISMATCH
        detail = f"{where}: {judgement.detail}"
        return step(status, result.url, detail, *warnings), cert, judgement.usable
    raise AssertionError("there is always one URL to try")


def _fetch_failed(exc: FetchError, url: str) -> Step:
    """The certificate step for a fetch that gave nothing, in words for anyone: what a visitor
    can act on, without the operating system's error or the portal's setting names; the
    fetcher's sentence kept aside for admins."""
    host = exc.host or urlsplit(url).hostname or url
    public = {
        fetcher.UNRESOLVED: _("Not fetched: the name %(host)s does not resolve."),
        fetcher.PRIVATE: _(
            "Not fetched: %(host)s leads to an address in a private network, which the "
            "portal does not fetch from."
        ),
        fetcher.UNREACHABLE: _("Not fetched: %(host)s could not be reached."),
        fetcher.TLS: _(
            "Not fetched: no secure (TLS) connection to %(host)s could be made; its server "
            "certificate may not be valid for that name."
        ),
    }.get(exc.kind)
    # visible(): a Location header may carry control characters
    technical = visible(exc.reason)
    if public is None:
        return Step(StepName.CERTIFICATE, Status.ERROR, url, technical)
    detail = public % {"host": host}
    return Step(StepName.CERTIFICATE, Status.ERROR, url, detail, technical=technical)


def _smimea(
    local: str, domain: str, cert: x509.Certificate | None, seams: Seams, budget: _Budget
) -> Step:
    try:
        owners = [records.smimea_owner(local, domain)]
    except records.RecordError as exc:  # 56 hex digits and _smimecert leave a long domain no room
        return Step(StepName.SMIMEA, Status.ERROR, "", exc.message)
    if ascii_lower(local) != local:  # RFC 7929 §5: the lower-case form is worth a try
        owners.append(records.smimea_owner(ascii_lower(local), domain))
    for owner in owners:
        answer = _ask(seams, budget, owner, "SMIMEA")
        if answer.problem or answer.rdatas:
            break
    asked = owner.to_text()
    if answer.problem:
        detail = _("No answer: %(problem)s.") % {"problem": answer.problem}
        return Step(StepName.SMIMEA, Status.ERROR, asked, detail)
    if not answer.rdatas:
        names = " or ".join(owner.to_text() for owner in owners)
        detail = _("No SMIMEA record at %(names)s; nothing in DNS vouches for the key.") % {
            "names": names
        }
        return Step(StepName.SMIMEA, Status.MISSING, asked, detail)
    signed = (
        _("the answer was DNSSEC-authenticated")
        if answer.authenticated
        else _("the answer was not DNSSEC-authenticated (no validating resolver vouched for it)")
    )
    pairs = [
        (rdata, recipient.smimea_matches(rdata, cert) if cert is not None else None)
        for rdata in answer.rdatas
        if isinstance(rdata, SMIMEA)
    ]
    matched = sorted({f"{rdata.usage} {rdata.selector} {rdata.mtype}" for rdata, ok in pairs if ok})
    if cert is None:
        status = Status.FOUND
        detail = _(
            "%(count)s SMIMEA record(s), but no certificate to compare them with; %(signed)s."
        ) % {"count": len(pairs), "signed": signed}
    elif matched:
        status = Status.FOUND
        detail = _("The certificate matches SMIMEA %(matched)s; %(signed)s.") % {
            "matched": " and ".join(matched),
            "signed": signed,
        }
    else:
        status = Status.MISMATCH
        detail = _(
            "The SMIMEA records name another certificate or key than the one found; %(signed)s."
        ) % {"signed": signed}
    found = tuple(_shorten(rdata.to_text(chunksize=0)) for rdata in answer.rdatas)
    return Step(StepName.SMIMEA, status, asked, detail, answer.authenticated, found)
