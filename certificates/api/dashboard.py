"""/api/v1/dashboard: the admin dashboard's figures as one JSON document."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from certificates.api.refusals import refused
from certificates.models import Certificate
from certificates.services import dashboard
from certificates.services.actor import signed_in_user
from certificates.services.dashboard import Figures, GroupBy, Step

router = Router(tags=["admin"])


class DashboardParams(Schema):
    step: Step = Field(Step.MONTH, description="Timeline buckets: month (12) or week (52)")
    by: GroupBy = Field(GroupBy.DOMAIN, description="Timeline series: by domain or by issuer")


class SeriesOut(Schema):
    name: str
    counts: list[int] = Field(description="One count per bucket, in the order of starts")
    total: int


class TimelineOut(Schema):
    step: Step
    by: GroupBy
    starts: list[date] = Field(description="First day of each bucket (UTC)")
    series: list[SeriesOut] = Field(description="The largest first; the rest summed as Other")
    totals: list[int]


class WaitingOut(Schema):
    id: int = Field(description="The request's id")
    owner: str
    email: str
    ca_name: str
    order_ref: str
    since: datetime | None
    days: int | None = Field(description="Whole days waited so far")


class CertificateBriefOut(Schema):
    id: int
    owner: str
    email: str
    status: str
    serial_hex: str
    issuer: str
    not_after: datetime
    revoked_at: datetime | None
    revocation_reason: str
    revocation_status: str
    revocation_checked_at: datetime | None

    @staticmethod
    def resolve_owner(cert: Certificate) -> str:
        return cert.owner.get_username()


class UnknownRevocationOut(Schema):
    count: int
    items: list[CertificateBriefOut] = Field(description="The first few, ending first")


class DomainPublicationOut(Schema):
    domain: str
    live: int = Field(description="Active and expiring certificates for addresses in it")
    published: int | None = Field(description="null: publishing is not installed")
    unpublished: int | None


class DashboardOut(Schema):
    generated_at: datetime = Field(alias="now")
    certificates: dict[str, int] = Field(description="By status, every status listed")
    requests: dict[str, int] = Field(description="By state, every state listed")
    timeline: TimelineOut = Field(description="Live certificates by when they expire")
    waiting_on_ca: list[WaitingOut] = Field(description="Submitted, the longest waiting first")
    awaiting_approval: list[WaitingOut]
    recently_revoked: list[CertificateBriefOut]
    unknown_revocation: UnknownRevocationOut
    publication: list[DomainPublicationOut]

    @staticmethod
    def resolve_unknown_revocation(figures: Figures) -> dict[str, object]:
        return {"count": figures.unknown_revocation_count, "items": figures.unknown_revocation}


@router.get(
    "/dashboard",
    response={200: DashboardOut, **refused(403)},
    summary="Admins: the dashboard's figures",
)
def get_dashboard(request: HttpRequest, params: Query[DashboardParams]) -> Figures:
    return dashboard.figures(signed_in_user(request), step=params.step, by=params.by)
