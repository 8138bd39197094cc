"""The sender-side lookup (discovery.lookup) for the public page and the API: the resolvers in
DNS_RESOLVERS, the safe fetcher under FETCH_ALLOW_PRIVATE_NETWORKS, and a limit per client
address, because every lookup makes DNS queries and HTTP requests on behalf of whoever asks,
logged in or not.

The limit is a counter in the cache per address and minute (LOOKUPS_PER_MINUTE): one count
for every process with Redis, a count per process in the embedded mode (its cache is local),
which still bounds what one address can make the portal send. Input that is no address is
refused before anything is counted or asked.
"""

from __future__ import annotations

import time

import dns.name
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.pki.errors import PkiError
from certificates.services import outbound
from certificates.services.actor import Actor
from certificates.services.errors import ServiceError, field_error
from discovery import dnsclient, lookup
from discovery.services.verification import resolvers

WINDOW_SECONDS = 60


class TooManyLookups(ServiceError):
    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            _(
                "Too many lookups from your address; at most %(limit)s a minute are made. "
                "Try again in %(seconds)s seconds."
            )
            % {"limit": settings.LOOKUPS_PER_MINUTE, "seconds": retry_after}
        )
        self.retry_after = retry_after


def count(ip: str | None) -> None:
    """Count one lookup for this client address, or raise TooManyLookups past the limit."""
    now = time.time()
    key = f"discovery:lookups:{ip or 'unknown'}:{int(now // WINDOW_SECONDS)}"
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        made = cache.incr(key)
    except ValueError:  # the key was evicted in between: this is its first count again
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
        made = 1
    if made > settings.LOOKUPS_PER_MINUTE:
        raise TooManyLookups(WINDOW_SECONDS - int(now % WINDOW_SECONDS))


def seams() -> lookup.Seams:
    servers = resolvers()

    def resolve(name: dns.name.Name, rdtype: str, timeout: float) -> dnsclient.Answer:
        return dnsclient.lookup(name, rdtype, servers, timeout)

    return lookup.Seams(resolve=resolve, fetch=outbound.fetch)


def look_up(actor: Actor, email: str) -> lookup.Result:
    """The lookup for ``email`` on behalf of ``actor`` (anyone: the data is public)."""
    try:
        lookup.address_parts(email)
    except PkiError as exc:
        raise field_error("email", exc.message) from exc
    count(actor.ip)
    return lookup.look_up(email, seams(), timezone.now())
