"""Lists: ``?limit=&offset=`` in, ``{"count": N, "items": [...]}`` out.

Filter schemas subclass ``PageParams`` so one ``Query[...]`` parameter carries both the
filters and the window; a bad value is a 422 naming the parameter (see portal.api).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet
from ninja import Field, Schema

from certificates.api.schemas import Clean

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
# Far past any real list, and small enough for every database's OFFSET (a 64-bit integer).
MAX_OFFSET = 10**9

T = TypeVar("T")
M = TypeVar("M", bound=Model)


class PageParams(Clean):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page (1-500)")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip (at most 10^9)")


class Page(Schema, Generic[T]):
    count: int
    items: list[T]


def paginate(
    rows: QuerySet[M] | Sequence[M],
    params: PageParams,
    prepare: Callable[[list[M]], None] | None = None,
) -> dict[str, Any]:
    """One page of ``rows`` for ``Page[SomeOut]``; ``prepare`` may load related data for the
    whole page at once (instead of one query per row)."""
    count = rows.count() if isinstance(rows, QuerySet) else len(rows)
    page = list(rows[params.offset : params.offset + params.limit])
    if prepare is not None:
        prepare(page)
    return {"count": count, "items": page}
