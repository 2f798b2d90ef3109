"""SVG charts and the evaluation scores, as pure functions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from indicators import charts
from indicators.scores import circular01
from indicators.selectors import Totals, ranking


def test_bar_chart_is_labelled_and_escapes_text():
    svg = charts.bar_chart(
        ["01/2026", "<b>"], [("Tiếp nhận", [3, 7], charts.BLUE)], title="Số hồ sơ & tháng"
    )
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "<title>Số hồ sơ &amp; tháng</title>" in svg
    assert "<b>" not in svg and "&lt;b&gt;" in svg


def test_line_chart_leaves_gaps_and_draws_the_target():
    svg = charts.line_chart(
        ["1", "2", "3"],
        [("Đúng hạn", [None, 98, 99.5], charts.GREEN)],
        title="Tỷ lệ",
        target=Decimal(99),
        target_label="Chỉ tiêu 99%",
    )
    assert svg.count("<circle") == 2
    assert 'class="target"' in svg and "Chỉ tiêu 99%" in svg


@pytest.mark.parametrize(
    "early,on_time,late,band",
    # (time points + 2 online) / 2 × 9: early 18, on time 13.5, late 9, mixed (1.5+2)/2×9.
    [(10, 0, 0, "Xuất sắc"), (0, 10, 0, "Tốt"), (0, 0, 10, "Khá"), (6, 3, 1, "Xuất sắc")],
)
def test_circular_01_bands_on_the_18_point_scale(early, on_time, late, band):
    # All received online: the online indicator scores 2.
    t = Totals(
        received=10,
        received_online=10,
        settled_early=early,
        settled_on_time=on_time,
        settled_late=late,
    )
    result = circular01(t, None)
    assert str(result.band) == band
    assert Decimal(0) <= result.score <= Decimal(18)


def test_circular_01_late_and_offline_is_weak():
    t = Totals(received=10, received_desk=10, settled_late=10)
    assert (circular01(t, None).score, str(circular01(t, None).band)) == (Decimal(0), "Yếu")


def test_circular_01_without_any_data_has_no_score():
    assert circular01(Totals(), None).score is None


def test_ranking_keeps_small_agencies_out():
    big = Totals(settled_early=90, settled_late=10, label="Lớn")
    small = Totals(settled_early=2, label="Nhỏ")
    ranked, too_small = ranking([small, big], min_settled=30)
    assert [r.label for r in ranked] == ["Lớn"] and [r.label for r in too_small] == ["Nhỏ"]
