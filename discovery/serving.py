"""``GET/HEAD /.well-known/smime/NAME.crt|.pem``: the public path senders fetch certificates from.

It answers from the first middleware, so none of the per-request work the pages need (sessions,
users, CSRF, messages, CSP, URL resolving) is done for it, and from a small in-process memo, so
a name asked for again within MEMO_SECONDS costs no query at all; otherwise one indexed query.
The memo is cleared at once in the process that publishes or withdraws; other processes follow
within MEMO_SECONDS, far below the hour that Cache-Control lets every HTTP cache on the way keep
the file anyway (a shared cache such as Redis would cost a network round trip per request,
as much as the indexed query it saves). The Host header only selects among managed domains; it
is never echoed or used to build a URL, so it needs no ALLOWED_HOSTS check here. Being first,
it also answers plain HTTP without the HTTPS redirect: the files are public and signed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from certificates.models import Domain
from discovery import wellknown
from discovery.models import Publication
from discovery.services.domains import serving_hosts

MEMO_SECONDS = 5.0
MEMO_ENTRIES = 4096  # bounded: names come from the request, so from anyone
HOSTS_SECONDS = 30.0  # how long a process trusts its map of hosts to domains
ALLOW = "GET, HEAD"


class Entry(NamedTuple):
    der: bytes
    fingerprint: str
    ttl: int
    not_after: float  # POSIX seconds


class _Hosts:
    """Host header → managed domain ids, per process. Domains change rarely; a change made in
    this process applies at once, one made elsewhere within HOSTS_SECONDS."""

    def __init__(self) -> None:
        self.map: dict[str, tuple[int, ...]] = {}
        self.loaded = -HOSTS_SECONDS

    def get(self, host: str) -> tuple[int, ...]:
        if time.monotonic() - self.loaded > HOSTS_SECONDS:
            self.reload()
        return self.map.get(host, ())

    def reload(self) -> None:
        found: dict[str, list[int]] = {}
        for domain in Domain.objects.all():
            for host in serving_hosts(domain):
                found.setdefault(host, []).append(domain.pk)
        self.map = {host: tuple(ids) for host, ids in found.items()}
        self.loaded = time.monotonic()

    def forget(self, **kwargs: object) -> None:
        self.loaded = -HOSTS_SECONDS
        forget()


hosts = _Hosts()
post_save.connect(hosts.forget, sender=Domain, dispatch_uid="discovery-hosts-save")
post_delete.connect(hosts.forget, sender=Domain, dispatch_uid="discovery-hosts-delete")
# (host, lookup) → (valid until, on the monotonic clock; the file or None)
_memo: dict[tuple[str, str], tuple[float, Entry | None]] = {}


def forget() -> None:
    """Drop remembered answers (this process) after a publication or a domain changed."""
    _memo.clear()


def find(host: str, lookup: str, now: datetime) -> Entry | None:
    clock = time.monotonic()
    remembered = _memo.get((host, lookup))
    if remembered is not None and remembered[0] > clock:
        entry = remembered[1]
        return entry if entry is None or entry.not_after > now.timestamp() else None
    domain_ids = hosts.get(host)
    entry = _query(domain_ids, lookup, now) if domain_ids else None
    if len(_memo) >= MEMO_ENTRIES:
        _memo.clear()
    _memo[(host, lookup)] = (clock + MEMO_SECONDS, entry)
    return entry


def _query(domain_ids: tuple[int, ...], lookup: str, now: datetime) -> Entry | None:
    row = (
        Publication.objects.filter(
            domain_id__in=domain_ids, lookup_name=lookup, certificate__not_after__gt=now
        )
        .values_list(
            "certificate__der",
            "certificate__sha256_fingerprint",
            "domain__dns_ttl",
            "certificate__not_after",
        )
        .order_by()[:1]
    )
    if not row:
        return None
    der, fingerprint, ttl, not_after = row[0]
    return Entry(bytes(der), fingerprint, ttl, not_after.timestamp())


def _plain(status: int, text: str) -> HttpResponse:
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    response["Content-Length"] = str(len(response.content))
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def serve(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        response = _plain(405, "Only GET and HEAD are served here.\n")
        response["Allow"] = ALLOW
        return response
    wanted = wellknown.parse_path(request.path_info)
    host = wellknown.host_of(request.META.get("HTTP_HOST", ""))
    entry = find(host, wanted.lookup, timezone.now()) if wanted and host else None
    if wanted is None or entry is None:
        return _plain(404, "No certificate is published under this name.\n")
    tag = wellknown.etag(entry.fingerprint, wanted.ext)
    if wellknown.etag_matches(request.META.get("HTTP_IF_NONE_MATCH", ""), tag):
        response = HttpResponse(status=304)
    else:
        content = wellknown.body(entry.der, wanted.ext)
        response = HttpResponse(b"" if request.method == "HEAD" else content)
        response["Content-Type"] = wellknown.CONTENT_TYPES[wanted.ext]
        response["Content-Length"] = str(len(content))
    response["ETag"] = tag
    response["Cache-Control"] = f"public, max-age={entry.ttl}"
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class WellKnownMiddleware:
    """First in MIDDLEWARE: answers /.well-known/smime/ itself, passes everything else on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(wellknown.PREFIX):
            return serve(request)
        return self.get_response(request)
