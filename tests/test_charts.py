"""The stacked bar chart's geometry: bars stack within the plot, scaled to a round maximum."""

from __future__ import annotations

from certificates.charts import HEIGHT, stacked_bars


def test_bars_stack_bottom_up_and_the_tallest_column_reaches_a_round_top() -> None:
    chart = stacked_bars(["Jan", "Feb"], [("a.example", [3, 0]), ("b.example", [4, 2])])
    assert not chart.empty
    assert [(b.series, b.title) for b in chart.bars] == [
        (0, "Jan, a.example: 3"),
        (1, "Jan, b.example: 4"),
        (1, "Feb, b.example: 2"),
    ]
    jan_a, jan_b, feb_b = chart.bars
    assert jan_a.y + jan_a.height == chart.baseline  # the first series sits on the axis
    assert abs(jan_b.y + jan_b.height - jan_a.y) < 0.02  # the next one on top of it
    assert abs(jan_b.height / jan_a.height - 4 / 3) < 0.01
    assert [t.label for t in chart.ticks][-1] == "10"  # 7 rounds up to 10
    plot_top = chart.ticks[-1].y
    assert abs(jan_b.y - (chart.baseline - (chart.baseline - plot_top) * 7 / 10)) < 0.02
    assert chart.legend == [(0, "a.example"), (1, "b.example")]


def test_many_columns_label_every_nth_so_labels_do_not_overlap() -> None:
    columns = [f"W{i}" for i in range(52)]
    chart = stacked_bars(columns, [("x", [1] * 52)])
    assert len(chart.bars) == 52
    assert [label.text for label in chart.labels][:3] == ["W0", "W4", "W8"]
    assert len(chart.labels) <= 13
    assert all(0 <= b.x and b.x + b.width <= chart.right for b in chart.bars)


def test_nothing_to_draw_is_an_empty_chart() -> None:
    chart = stacked_bars(["Jan"], [])
    assert chart.empty and chart.bars == []
    assert chart.baseline < HEIGHT
