"""The client's address, trusting exactly ``TRUSTED_PROXIES`` reverse proxies."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        # Each trusted proxy appends the address it saw; the one the first trusted proxy
        # appended (counting from the right) is the client. Anything left of it is client-made.
        forwarded: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies and _is_address(hops[-proxies]):
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
