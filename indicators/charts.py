"""Server-rendered inline SVG charts: no JavaScript, no CDN.

Every chart has a <title> and an aria-label and is shown next to a table of the same
numbers (the accessible view). Colours are a colour-blind-safe set with enough contrast
on white; labels are escaped.
"""

from __future__ import annotations

import math
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BLUE, GREEN, AMBER, RED, GREY, PURPLE = (
    "#1d4f91",
    "#1e7b34",
    "#b35900",
    "#b00020",
    "#6b7683",
    "#6a3d9a",
)
W, H = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 34, 56


def _nice_max(value: float) -> float:
    """The top of the axis: four equal steps of 1, 2, 2.5 or 5 × a power of ten."""
    if value <= 0:
        return 4
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    steps = (1, 2, 2.5, 5, 10) if magnitude >= 10 else (1, 2, 5, 10)
    step = next(s * magnitude for s in steps if s * magnitude >= raw)
    return step * 4


def _fmt(v: float, percent: bool) -> str:
    if percent:
        return f"{v:.0f}%"
    return f"{int(v):,}".replace(",", ".")


def _frame(title: str, ymax: float, percent: bool, labels: list[str]) -> list[str]:
    plot_h = H - TOP - BOTTOM
    parts = [
        f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title>",
        f'<text x="{LEFT}" y="18" class="chart-title">{escape(title)}</text>',
    ]
    for i in range(5):
        v = ymax * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" class="axis" text-anchor="end">'
            f"{_fmt(v, percent)}</text>"
        )
    n = max(len(labels), 1)
    step = (W - LEFT - RIGHT) / n
    every = max(1, n // 12)
    for i, label in enumerate(labels):
        if i % every:
            continue
        x = LEFT + step * (i + 0.5)
        parts.append(
            f'<text x="{x:.1f}" y="{H - BOTTOM + 18}" class="axis" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    return parts


def _legend(series) -> list[str]:
    parts, x = [], LEFT
    for name, _values, colour in series:
        parts.append(
            f'<rect x="{x}" y="{H - 18}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16}" y="{H - 8}" class="legend">{escape(name)}</text>'
        )
        x += 24 + 8 * len(str(name))
    return parts


def _target(parts, target, ymax, label):
    if target is None:
        return
    plot_h = H - TOP - BOTTOM
    y = TOP + plot_h - plot_h * float(target) / ymax
    parts.append(
        f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="target"/>'
        f'<text x="{W - RIGHT}" y="{y - 4:.1f}" class="target-label" text-anchor="end">'
        f"{escape(label)}</text>"
    )


def bar_chart(labels: list[str], series: list[tuple[str, list, str]], *, title: str) -> SafeString:
    """Grouped bars: one group per label, one bar per series (name, values, colour)."""
    values = [float(v or 0) for _n, vals, _c in series for v in vals]
    ymax = _nice_max(max(values, default=0))
    parts = _frame(title, ymax, False, labels)
    plot_h = H - TOP - BOTTOM
    n = max(len(labels), 1)
    step = (W - LEFT - RIGHT) / n
    bar_w = step * 0.8 / max(len(series), 1)
    for s, (name, vals, colour) in enumerate(series):
        for i, v in enumerate(vals):
            h = plot_h * float(v or 0) / ymax
            x = LEFT + step * i + step * 0.1 + bar_w * s
            parts.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="{colour}"><title>{escape(name)} {escape(labels[i])}: '
                f"{_fmt(float(v or 0), False)}</title></rect>"
            )
    parts += _legend(series)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label above is escaped


def line_chart(
    labels: list[str],
    series: list[tuple[str, list, str]],
    *,
    title: str,
    target: Decimal | None = None,
    target_label: str = "",
    ymax: float = 100,
    percent: bool = True,
) -> SafeString:
    """Percentages (or points) over time; None values leave a gap; an optional target line."""
    parts = _frame(title, ymax, percent, labels)
    plot_h = H - TOP - BOTTOM
    n = max(len(labels), 1)
    step = (W - LEFT - RIGHT) / n
    _target(parts, target, ymax, target_label)
    for name, vals, colour in series:
        points = []
        for i, v in enumerate(vals):
            if v is None:
                continue
            x = LEFT + step * (i + 0.5)
            y = TOP + plot_h - plot_h * min(float(v), ymax) / ymax
            points.append((x, y, v, labels[i]))
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _v, _l in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
            )
        for x, y, v, label in points:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}">'
                f"<title>{escape(name)} {escape(label)}: {float(v):.2f}{'%' if percent else ''}"
                "</title></circle>"
            )
    parts += _legend(series)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label above is escaped
