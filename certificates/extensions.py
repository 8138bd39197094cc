"""Where other apps plug into certificates' figures and pages without certificates importing
them (discovery reads certificates, never the reverse). An app registers in its
``AppConfig.ready()``; with nothing registered the pages say the figure is not available.

- ``count_published_with(counter)``: ``counter(domain_names)`` answers, for each of those mail
  domains, how many of its live (active or expiring) certificates are published. The admin
  dashboard shows published against unpublished per domain from it.
- ``CERTIFICATE_ACTION_TEMPLATES``: templates included in the next-action cell of each row of
  the "My certificates" table, with ``cert`` in their context (discovery's publish button).
- ``notes_on_adding_with(noter)``: ``noter(cert, superseded)`` answers, right after ``cert``
  was added and superseded those certificates, sentences for the page saying what that did
  elsewhere (discovery: "#2 is now published in place of #1", or #1 withdrawn).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from certificates.models import Certificate

PublishedCounter = Callable[[Sequence[str]], Mapping[str, int]]
AddedNoter = Callable[["Certificate", Sequence["Certificate"]], list[str]]

_published_counters: list[PublishedCounter] = []
_added_noters: list[AddedNoter] = []
CERTIFICATE_ACTION_TEMPLATES: list[str] = []


def count_published_with(counter: PublishedCounter) -> None:
    """Make ``counter`` the source of published figures (one source: a second call replaces)."""
    _published_counters[:] = [counter]


def published_counts(domains: Sequence[str]) -> Mapping[str, int] | None:
    """Published live certificates per domain, or None when no app publishes."""
    if not _published_counters:
        return None
    return _published_counters[0](domains)


def notes_on_adding_with(noter: AddedNoter) -> None:
    """Make ``noter`` a source of notes on adding a certificate (one per app: registered once)."""
    if noter not in _added_noters:
        _added_noters.append(noter)


def notes_on_adding(cert: Certificate, superseded: Sequence[Certificate]) -> list[str]:
    return [note for noter in _added_noters for note in noter(cert, superseded)]
