"""The admin dashboard: counts, the expiry timeline, who waits for what, revocation, publishing."""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_stubs_ext import StrOrPromise

from certificates import charts
from certificates.manage_forms import TimelineForm
from certificates.models.certificates import CertificateStatus
from certificates.models.requests import RequestState
from certificates.services import dashboard
from certificates.services.actor import signed_in_user
from certificates.services.dashboard import Step, Timeline
from certificates.views.shell import admin_required


@admin_required
def dashboard_page(request: HttpRequest) -> HttpResponse:
    form = TimelineForm(request.GET)
    step, by = form.choice()
    figures = dashboard.figures(signed_in_user(request), step=step, by=by)
    columns = column_labels(figures.timeline)
    chart = charts.stacked_bars(columns, [(s.name, s.counts) for s in figures.timeline.series])
    counts = [s.counts for s in figures.timeline.series]
    context = {
        "form": form,
        "figures": figures,
        "chart": chart,
        "statuses": _labelled(CertificateStatus.choices, figures.certificates),
        "states": _labelled(RequestState.choices, figures.requests),
        "rows": [
            (label, [values[i] for values in counts], total)
            for i, (label, total) in enumerate(zip(columns, figures.timeline.totals, strict=True))
        ],
    }
    return render(request, "certificates/dashboard.html", context)


def _labelled(
    choices: Sequence[tuple[str, StrOrPromise]], counts: dict[str, int]
) -> list[tuple[str, StrOrPromise, int]]:
    return [(value, label, counts[value]) for value, label in choices]


def column_labels(timeline: Timeline) -> list[str]:
    pattern = "%d %b" if timeline.step == Step.WEEK else "%b %Y"
    return [start.strftime(pattern) for start in timeline.starts]
