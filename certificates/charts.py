"""Stacked bar charts as geometry for an inline SVG: the server draws, the browser only shows.

No JavaScript and no inline styles (the CSP allows neither): templates turn these numbers into
``<rect>`` and ``<text>`` elements and colour them with CSS classes (``series-N``). Pure
Python, no Django.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 720
HEIGHT = 260
LEFT = 44  # room for the y axis labels
RIGHT = 8
TOP = 10
BOTTOM = 26  # room for the x axis labels
MAX_LABELS = 13  # x labels beyond this many would overlap: every n-th is shown
GAP = 0.2  # the share of a column left empty between bars


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    title: str  # the tooltip: "Jan 2027, example.com: 12"


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Label:
    x: float
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: float
    baseline: float
    bars: list[Bar]
    ticks: list[Tick]
    labels: list[Label]
    legend: list[tuple[int, str]]  # (series index, name)
    empty: bool


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50 … that is at least ``value`` (at least 1)."""
    if value <= 1:
        return 1
    power: int = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def stacked_bars(
    columns: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Chart:
    """One bar per column, each series stacked in order from the bottom up."""
    totals = [sum(values[i] for _, values in series) for i in range(len(columns))]
    top = nice_ceiling(max(totals, default=0))
    plot_height = height - TOP - BOTTOM
    baseline = float(height - BOTTOM)
    column_width = (width - LEFT - RIGHT) / max(len(columns), 1)
    bar_width = column_width * (1 - GAP)
    bars = []
    for i, column in enumerate(columns):
        x = LEFT + i * column_width + (column_width - bar_width) / 2
        y = baseline
        for index, (name, values) in enumerate(series):
            if not values[i]:
                continue
            size = values[i] / top * plot_height
            y -= size
            bars.append(
                Bar(
                    round(x, 2),
                    round(y, 2),
                    round(bar_width, 2),
                    round(size, 2),
                    index,
                    f"{column}, {name}: {values[i]}",
                )
            )
    ticks = [
        Tick(round(baseline - plot_height * share, 2), f"{round(top * share):,}")
        for share in (0, 0.25, 0.5, 0.75, 1)
        if share == 0 or top * share == round(top * share)
    ]
    every = math.ceil(len(columns) / MAX_LABELS) or 1
    labels = [
        Label(round(LEFT + (i + 0.5) * column_width, 2), column)
        for i, column in enumerate(columns)
        if i % every == 0
    ]
    return Chart(
        width=width,
        height=height,
        left=LEFT,
        right=float(width - RIGHT),
        baseline=baseline,
        bars=bars,
        ticks=ticks,
        labels=labels,
        legend=[(index, name) for index, (name, _) in enumerate(series)],
        empty=not any(totals),
    )
