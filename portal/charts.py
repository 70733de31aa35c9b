"""Charts drawn on the server as SVG: no script, no inline style, nothing to load.

Why SVG from the server rather than a charting library: the portal's CSP allows no
inline script or style, and the figures are small (a dozen bars or twelve months),
so a few rectangles and labels drawn here are readable at a glance, print sharply,
work with JavaScript off, scale to a phone through ``viewBox``, and add no
dependency to vendor and keep up to date. Colours come from classes in
portal.css (``chart-s0``…), never from ``style`` attributes; every chart sits
beside a table with the same numbers, for screen readers and for copying.

This module knows nothing of Flask: it takes numbers and labels, returns Markup.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 520  # narrower than the box it fills, so the text scales up and stays readable


def _fmt(value: float) -> str:
    """1234 → ``1.234`` (Vietnamese thousands); decimals kept to one place."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 5 × 10ⁿ)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _legend(names: Sequence[str], y: int) -> list[str]:
    parts, x = [], 0
    if len(names) < 2:
        return parts
    for n, name in enumerate(names):
        parts.append(f'<rect class="chart-s{n % 6}" x="{x}" y="{y - 11}" width="12" height="12"/>'
                     f'<text x="{x + 18}" y="{y}">{escape(name)}</text>')
        x += 30 + 9 * len(name)
    return parts


def _open(key: str, title: str, height: int, description: str) -> str:
    return (f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
            f'aria-labelledby="chart-{escape(key)}-t chart-{escape(key)}-d" focusable="false" '
            f'xmlns="http://www.w3.org/2000/svg">'
            f'<title id="chart-{escape(key)}-t">{escape(title)}</title>'
            f'<desc id="chart-{escape(key)}-d">{escape(description)}</desc>')


def bar_chart(key: str, title: str, categories: Sequence[str], series: Sequence[tuple[str, Sequence[float]]],
              description: str = "") -> Markup:
    """Horizontal bars: each category's label on its own line, then one bar per series with its value.

    Labels above the bars (not beside them) leave the whole width to the bar,
    so long file titles stay readable on a phone.
    """
    names = [name for name, _values in series]
    top = _nice_max(max((v for _n, values in series for v in values), default=0))
    legend_height = 24 if len(series) > 1 else 0
    bar, gap, label = 16, 4, 20
    group = label + len(series) * (bar + gap) + 10
    height = legend_height + max(1, len(categories)) * group + 4
    plot = WIDTH - 70  # room for the value after the longest bar
    parts = [_open(key, title, height, description)]
    parts += _legend(names, 14)
    y = legend_height
    for c, category in enumerate(categories):
        parts.append(f'<text class="chart-label" x="0" y="{y + 15}">{escape(_shorten(category, 80))}</text>')
        y += label
        for n, (_name, values) in enumerate(series):
            value = values[c]
            length = 0 if not value else max(2, round(plot * value / top))
            parts.append(f'<rect class="chart-s{n % 6}" x="0" y="{y}" width="{length}" height="{bar}"/>'
                         f'<text class="chart-value" x="{length + 6}" y="{y + bar - 3}">{_fmt(value)}</text>')
            y += bar + gap
        y += 10
    parts.append("</svg>")
    return Markup("".join(parts))


def column_chart(key: str, title: str, categories: Sequence[str], series: Sequence[tuple[str, Sequence[float]]],
                 description: str = "") -> Markup:
    """Vertical columns along a time axis (months), grouped by series, with a scale and gridlines.

    Each series gets its own scale when their sizes differ tenfold (pages and
    readers), drawn as small multiples one above the other, so neither is flattened.
    """
    maxima = [max(values, default=0) for _name, values in series]
    separate = len(series) > 1 and min(maxima) > 0 and max(maxima) / min(maxima) >= 10
    panels = [[s] for s in series] if separate else [list(series)]
    panel_height, left, bottom = 170, 44, 24
    legend_height = 24 if len(series) > 1 else 0
    height = legend_height + len(panels) * (panel_height + bottom + 10)
    parts = [_open(key, title, height, description)]
    parts += _legend([name for name, _values in series], 14)
    slot = (WIDTH - left) / max(1, len(categories))
    step = max(1, math.ceil(len(categories) / 7))  # at most 7 labels along the bottom: readable on a phone
    offset = legend_height
    colour = {name: n for n, (name, _values) in enumerate(series)}
    for panel in panels:
        top = _nice_max(max((v for _name, values in panel for v in values), default=0))
        base = offset + panel_height
        for tick in range(5):  # gridlines and the scale at 0, ¼, ½, ¾, 1
            value = top * tick / 4
            y = base - panel_height * tick / 4 + 0.5
            parts.append(f'<line class="chart-grid" x1="{left}" x2="{WIDTH}" y1="{y:.1f}" y2="{y:.1f}"/>'
                         f'<text class="chart-axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_fmt(value)}</text>')
        if len(panels) > 1:
            parts.append(f'<text class="chart-label" x="{left + 4}" y="{offset + 12}">{escape(panel[0][0])}</text>')
        width = max(2.0, (slot - 8) / len(panel))
        for c, category in enumerate(categories):
            x0 = left + c * slot + 4
            for n, (name, values) in enumerate(panel):
                value = values[c]
                h = panel_height * value / top if top else 0
                x = x0 + n * width
                parts.append(f'<rect class="chart-s{colour[name] % 6}" x="{x:.1f}" y="{base - h:.1f}" '
                             f'width="{width - 1:.1f}" height="{h:.1f}"><title>{escape(category)}: {escape(name)} '
                             f'{_fmt(value)}</title></rect>')
            if c % step == 0:
                parts.append(f'<text class="chart-axis" x="{x0 + (slot - 8) / 2:.1f}" y="{base + 16}" '
                             f'text-anchor="middle">{escape(category)}</text>')
        offset = base + bottom + 10
    parts.append("</svg>")
    return Markup("".join(parts))
