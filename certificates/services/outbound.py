"""The safe fetcher under the portal's policy: fetches to private networks only when
FETCH_ALLOW_PRIVATE_NETWORKS says so. Every outbound request of the apps goes through here."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from certificates.fetcher import FetchError, FetchResult
from certificates.fetcher import fetch as _fetch

__all__ = ["FetchError", "FetchResult", "fetch"]


def fetch(url: str, **options: Any) -> FetchResult:
    """certificates.fetcher.fetch with allow_private from the settings."""
    return _fetch(url, allow_private=settings.FETCH_ALLOW_PRIVATE_NETWORKS, **options)
