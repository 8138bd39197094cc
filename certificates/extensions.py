"""Where other apps plug into certificates' figures and pages without certificates importing
them (discovery reads certificates, never the reverse). An app registers in its
``AppConfig.ready()``; with nothing registered the pages say the figure is not available.

- ``count_published_with(counter)``: ``counter(domain_names)`` answers, for each of those mail
  domains, how many of its live (active or expiring) certificates are published. The admin
  dashboard shows published against unpublished per domain from it.
- ``CERTIFICATE_ACTION_TEMPLATES``: templates included in the next-action cell of each row of
  the "My certificates" table, with ``cert`` in their context (discovery's publish button).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

PublishedCounter = Callable[[Sequence[str]], Mapping[str, int]]

_published_counters: list[PublishedCounter] = []
CERTIFICATE_ACTION_TEMPLATES: list[str] = []


def count_published_with(counter: PublishedCounter) -> None:
    """Make ``counter`` the source of published figures (one source: a second call replaces)."""
    _published_counters[:] = [counter]


def published_counts(domains: Sequence[str]) -> Mapping[str, int] | None:
    """Published live certificates per domain, or None when no app publishes."""
    if not _published_counters:
        return None
    return _published_counters[0](domains)
