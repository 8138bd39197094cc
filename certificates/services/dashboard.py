"""The admin dashboard's figures: what the organisation holds, what is waiting, what expires.

Every figure is one aggregate query (or one short list) whatever the number of certificates,
so the page costs the same at ten certificates as at a hundred thousand.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, F, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from certificates import extensions
from certificates.models import Certificate, CertificateRequest, Domain
from certificates.models.certificates import CertificateStatus
from certificates.models.requests import RequestState
from certificates.pki.revocation import RevocationStatus
from certificates.pki.subject import common_name_of
from certificates.services.access import require_admin
from certificates.services.status import USABLE

LIST_SIZE = 10
SERIES = 6  # the largest domains or issuers get a colour each; the rest are "Other"
OTHER = "Other"
MONTHS = 12
WEEKS = 52


class Step(StrEnum):
    MONTH = "month"
    WEEK = "week"


class GroupBy(StrEnum):
    DOMAIN = "domain"
    ISSUER = "issuer"


@dataclass(frozen=True)
class Series:
    name: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Timeline:
    """Live certificates by the week or month they expire in, one series per domain/issuer."""

    step: Step
    by: GroupBy
    starts: list[date]
    series: list[Series]

    @property
    def totals(self) -> list[int]:
        return [sum(s.counts[i] for s in self.series) for i in range(len(self.starts))]


@dataclass(frozen=True)
class DomainPublication:
    domain: str
    live: int
    published: int | None  # None: no app publishes (extensions.published_counts)

    @property
    def unpublished(self) -> int | None:
        return None if self.published is None else max(self.live - self.published, 0)


@dataclass(frozen=True)
class Waiting:
    """A request waiting on someone, and for how long."""

    id: int
    owner: str
    email: str
    ca_name: str
    order_ref: str
    since: datetime | None
    days: int | None

    @classmethod
    def of(cls, request: CertificateRequest, since: datetime | None, now: datetime) -> Waiting:
        return cls(
            id=request.pk,
            owner=request.owner.get_username(),
            email=request.email,
            ca_name=request.ca_name,
            order_ref=request.order_ref,
            since=since,
            days=(now - since).days if since is not None else None,
        )


@dataclass(frozen=True)
class Figures:
    now: datetime
    certificates: dict[str, int]  # every CertificateStatus, zero included
    requests: dict[str, int]  # every RequestState
    timeline: Timeline
    waiting_on_ca: list[Waiting]  # submitted to the CA, the longest-waiting first
    awaiting_approval: list[Waiting]  # the longest-waiting first
    recently_revoked: list[Certificate]
    unknown_revocation_count: int
    unknown_revocation: list[Certificate]  # live certificates whose last check said unknown
    publication: list[DomainPublication]


def figures(
    viewer: User,
    *,
    step: Step = Step.MONTH,
    by: GroupBy = GroupBy.DOMAIN,
    now: datetime | None = None,
) -> Figures:
    require_admin(viewer)
    now = now or timezone.now()
    live = Certificate.objects.filter(status__in=USABLE)
    unknown = live.filter(revocation_status=RevocationStatus.UNKNOWN)
    return Figures(
        now=now,
        certificates=_counts(Certificate.objects.all(), "status", CertificateStatus.values),
        requests=_counts(CertificateRequest.objects.all(), "state", RequestState.values),
        timeline=timeline(now, step, by),
        waiting_on_ca=_waiting(RequestState.SUBMITTED, "submitted_at", now),
        awaiting_approval=_waiting(RequestState.AWAITING_APPROVAL, "created_at", now),
        recently_revoked=list(
            _listed(Certificate.objects.filter(status=CertificateStatus.REVOKED)).order_by(
                "-revoked_at", "-id"
            )[:LIST_SIZE]
        ),
        unknown_revocation_count=unknown.count(),
        unknown_revocation=list(_listed(unknown).order_by("not_after", "id")[:LIST_SIZE]),
        publication=publication(live),
    )


def _counts(rows: QuerySet[Any], column: str, every: list[str]) -> dict[str, int]:
    found = dict(rows.order_by().values_list(column).annotate(n=Count("*")))
    return {value: found.get(value, 0) for value in every}


def _listed(rows: QuerySet[Certificate]) -> QuerySet[Certificate]:
    return rows.select_related("owner").defer("der", "chain_pem")


def _waiting(state: str, since: str, now: datetime) -> list[Waiting]:
    rows = CertificateRequest.objects.filter(state=state).select_related("owner")
    rows = rows.order_by(F(since).asc(nulls_first=True), "id")[:LIST_SIZE]
    return [Waiting.of(request, getattr(request, since), now) for request in rows]


def bucket_starts(now: datetime, step: Step) -> list[date]:
    """The first day of this month and the eleven after it, or the Monday of this week and
    the 51 after it."""
    today = now.astimezone(UTC).date()
    if step == Step.WEEK:
        monday = today - timedelta(days=today.weekday())
        return [monday + timedelta(weeks=i) for i in range(WEEKS)]
    starts = []
    year, month = today.year, today.month
    for _ in range(MONTHS):
        starts.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return starts


def _bucket_end(last: date, step: Step) -> date:
    if step == Step.WEEK:
        return last + timedelta(weeks=1)
    return date(last.year + 1, 1, 1) if last.month == 12 else date(last.year, last.month + 1, 1)


def timeline(now: datetime, step: Step, by: GroupBy) -> Timeline:
    starts = bucket_starts(now, step)
    end = datetime.combine(_bucket_end(starts[-1], step), datetime.min.time(), tzinfo=UTC)
    truncate = TruncWeek if step == Step.WEEK else TruncMonth
    key = F("email_domain") if by == GroupBy.DOMAIN else F("issuer")
    grouped = (
        Certificate.objects.filter(status__in=USABLE, not_after__gte=now, not_after__lt=end)
        .annotate(bucket=truncate("not_after", tzinfo=UTC), key=key)
        .order_by()
        .values_list("bucket", "key")
        .annotate(n=Count("*"))
    )
    index = {start: i for i, start in enumerate(starts)}
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(starts))
    for bucket, name, n in grouped:
        label = common_name_of(name) if by == GroupBy.ISSUER else name
        day = bucket.date() if isinstance(bucket, datetime) else bucket
        counts[label][index[day]] += n
    return Timeline(step=step, by=by, starts=starts, series=_top_series(counts))


def _top_series(counts: dict[str, list[int]]) -> list[Series]:
    """The SERIES largest, largest first, and the rest summed as OTHER."""
    ranked = sorted(counts.items(), key=lambda item: (-sum(item[1]), item[0]))
    series = [Series(name, values) for name, values in ranked[:SERIES]]
    rest = [values for _, values in ranked[SERIES:]]
    if rest:
        series.append(Series(OTHER, [sum(column) for column in zip(*rest, strict=True)]))
    return series


def publication(live: QuerySet[Certificate]) -> list[DomainPublication]:
    """Each managed domain's live certificates and how many of them are published."""
    names = list(Domain.objects.values_list("name", flat=True))
    per_domain = Counter(dict(live.order_by().values_list("email_domain").annotate(n=Count("*"))))
    published = extensions.published_counts(names)
    return [
        DomainPublication(
            domain=name,
            live=per_domain[name],
            published=None if published is None else published.get(name, 0),
        )
        for name in names
    ]
