"""``GET/HEAD /.well-known/smime/NAME.crt|.pem``: the public path senders fetch certificates from.

It answers from the first middleware, so none of the per-request work the pages need (sessions,
users, CSRF, messages, CSP, URL resolving) is done for it: a cache hit (a shared cache, i.e.
Redis) or one indexed query. The Host header only selects among managed domains; it is never
echoed or used to build a URL, so it needs no ALLOWED_HOSTS check here.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from certificates.models import Domain
from discovery import wellknown
from discovery.models import Publication
from discovery.services.domains import serving_hosts

CACHE_SECONDS = 300  # bounded, so a rare race with a withdrawal cannot outlive a few minutes
HOSTS_SECONDS = 30  # how long a process trusts its map of hosts to domains
ALLOW = "GET, HEAD"


class Entry(NamedTuple):
    der: bytes
    fingerprint: str
    ttl: int
    domain_id: int
    not_after: float  # POSIX seconds


def _shared_cache() -> BaseCache | None:
    """The cache, if every process sees the same one; a process-local cache could keep serving
    a certificate another process withdrew, so then the database answers every request."""
    cache = caches["default"]
    return None if isinstance(cache, LocMemCache | DummyCache) else cache


def _key(host: str, lookup: str) -> str:
    return "discovery:wk:" + hashlib.sha256(f"{host}/{lookup}".encode()).hexdigest()[:40]


class _Hosts:
    """Host header → managed domain ids, per process. Domains change rarely; a change made in
    this process applies at once, one made elsewhere within HOSTS_SECONDS."""

    def __init__(self) -> None:
        self.map: dict[str, tuple[int, ...]] = {}
        self.loaded = 0.0

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
        self.loaded = 0.0


hosts = _Hosts()
post_save.connect(hosts.forget, sender=Domain, dispatch_uid="discovery-hosts-save")
post_delete.connect(hosts.forget, sender=Domain, dispatch_uid="discovery-hosts-delete")


def find(host: str, lookup: str, now: datetime) -> Entry | None:
    domain_ids = hosts.get(host)
    if not domain_ids:
        return None
    cache = _shared_cache()
    if cache is not None:
        cached = cache.get(_key(host, lookup))
        entry = Entry(*cached) if cached is not None else None
        if entry and entry.domain_id in domain_ids and entry.not_after > now.timestamp():
            return entry
    row = (
        Publication.objects.filter(
            domain_id__in=domain_ids, lookup_name=lookup, certificate__not_after__gt=now
        )
        .values_list(
            "certificate__der",
            "certificate__sha256_fingerprint",
            "domain__dns_ttl",
            "domain_id",
            "certificate__not_after",
        )
        .order_by()[:1]
    )
    if not row:
        return None
    der, fingerprint, ttl, domain_id, not_after = row[0]
    entry = Entry(bytes(der), fingerprint, ttl, domain_id, not_after.timestamp())
    if cache is not None:
        timeout = min(CACHE_SECONDS, int(entry.not_after - now.timestamp()))
        cache.set(_key(host, lookup), tuple(entry), timeout)
    return entry


def forget(host_names: set[str], lookups: list[str]) -> None:
    """Drop cached files after a publication changed (called after commit)."""
    cache = _shared_cache()
    if cache is not None:
        cache.delete_many([_key(h, name) for h in host_names for name in lookups])


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
