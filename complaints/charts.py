"""Charts drawn on the server as SVG: no JavaScript, no CDN, readable in Thai, printable.

The module knows nothing about complaints. A chart is a list of ``Bar`` values whose labels the
caller has already translated; the result is an inline ``<svg>`` (``Markup``) that browsers show,
print and follow links in, and that WeasyPrint draws into a PDF.

The SVG uses presentation attributes and CSS classes only: the Content Security Policy forbids
``style=`` attributes and ``<style>`` elements. Every chart carries a ``<title>`` and each bar its
own ``<title>`` (label and value), for screen readers and for hovering; pages should still show the
numbers in a table beside the chart.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup, escape

FONT_FAMILY = "Sarabun, 'Noto Sans Thai', Tahoma, sans-serif"
BAR_COLOUR = "#1f6fa8"
HIGHLIGHT_COLOUR = "#15456b"
TRACK_COLOUR = "#e7edf3"
INK = "#1d2733"
MUTED = "#5b6775"

_ids = itertools.count(1)


@dataclass(frozen=True)
class Bar:
    """One bar: ``label`` and ``value``; ``text`` replaces the printed value (e.g. ``"< 5"``),
    ``href`` makes the bar a link, ``highlight`` draws it darker (the selected year, say)."""

    label: str
    value: float
    href: str | None = None
    text: str | None = None
    highlight: bool = False


def _shown(bar: Bar) -> str:
    if bar.text is not None:
        return bar.text
    if float(bar.value).is_integer():
        return f"{int(bar.value):,}"
    return f"{bar.value:,.1f}"


@lru_cache(maxsize=1)
def _advances() -> dict[int, float] | None:
    """Advance widths (in em) of the Sarabun font, when fontTools and fontpkg-sarabun are installed."""
    try:
        import fontpkg_sarabun
        from fontTools.ttLib import TTFont

        font = TTFont(Path(fontpkg_sarabun.ROOT) / "files" / "Sarabun-Regular.ttf", lazy=True)
        metrics, units = font["hmtx"], font["head"].unitsPerEm
        return {code: metrics[glyph][0] / units for code, glyph in font.getBestCmap().items()}
    except Exception:  # noqa: BLE001 (an estimate does instead)
        return None


def _estimate(char: str) -> float:
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0.0  # Thai vowel and tone marks above and below the line
    if char == " ":
        return 0.28
    if char in "ilj.,:;'|!()[]/":
        return 0.3
    if char.isascii() and char.isupper():
        return 0.65
    return 0.6


@lru_cache(maxsize=8192)
def text_width(text: str, font_size: float) -> float:
    """The drawn width of ``text`` in Sarabun: from the font's own metrics when they can be read,
    otherwise an estimate; a little generous, since browsers may fall back to a wider font."""
    advances = _advances() or {}
    return 1.04 * font_size * sum(advances.get(ord(char), _estimate(char)) for char in text)


@lru_cache(maxsize=8192)
def _fit(text: str, font_size: float, room: float) -> str:
    """``text`` shortened with an ellipsis so that it fits in ``room`` pixels (never cutting off a
    mark from its base letter)."""
    if text_width(text, font_size) <= room:
        return text
    room -= text_width("…", font_size)
    advances = _advances() or {}
    used, end = 0.0, 0
    for index, char in enumerate(text):
        used += 1.04 * font_size * advances.get(ord(char), _estimate(char))
        if used > room:
            break
        end = index + 1
    while end < len(text) and unicodedata.category(text[end]) in ("Mn", "Me"):
        end -= 1  # the next character is a mark of the last letter kept: drop that letter too
    return text[:max(end, 0)].rstrip() + "…"


def _f(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _open_svg(width: float, height: float, title: str, css_class: str) -> tuple[list[str], str]:
    title_id = f"chart-title-{next(_ids)}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {escape(css_class)}" role="img" '
        f'aria-labelledby="{title_id}" width="{_f(width)}" height="{_f(height)}" '
        f'viewBox="0 0 {_f(width)} {_f(height)}" font-family="{FONT_FAMILY}">',
        f'<title id="{title_id}">{escape(title)}</title>',
    ]
    return parts, title_id


def _wrap_link(bar: Bar, inner: str) -> str:
    if not bar.href:
        return f"<g>{inner}</g>"
    return f'<a href="{escape(bar.href)}">{inner}</a>'


def bar_chart(bars: Sequence[Bar], *, title: str, width: float = 560, font_size: float = 13,
              bar_height: float = 18, gap: float = 8, max_label_share: float = 0.45,
              max_value: float | None = None, css_class: str = "") -> Markup:
    """Horizontal bars, one per row: the label on the left, the bar, the value at its end.

    Bars are drawn in the given order; ``max_value`` fixes the scale (so that several small charts
    can share one), otherwise the largest value fills the width.
    """
    bars = list(bars)
    row = bar_height + gap
    height = max(row * len(bars) + gap, row + gap)
    label_room = min(max((text_width(b.label, font_size) for b in bars), default=0) + 8, width * max_label_share)
    value_room = max((text_width(_shown(b), font_size) for b in bars), default=0) + 10
    track = max(width - label_room - value_room, 20)
    top = max((b.value for b in bars), default=0) if max_value is None else max_value
    parts, _ = _open_svg(width, height, title, f"bar-chart {css_class}".strip())
    if not bars:
        parts.append(f'<text x="{_f(width / 2)}" y="{_f(row / 2 + font_size / 3)}" text-anchor="middle" '
                     f'font-size="{_f(font_size)}" fill="{MUTED}">—</text>')
    for index, bar in enumerate(bars):
        y = gap / 2 + index * row
        length = 0.0 if top <= 0 else track * max(bar.value, 0) / top
        if bar.value > 0:
            length = max(length, 2.0)
        baseline = y + bar_height / 2 + font_size / 3
        colour = HIGHLIGHT_COLOUR if bar.highlight else BAR_COLOUR
        label = _fit(bar.label, font_size, label_room - 8)
        inner = (
            f"<title>{escape(bar.label)}: {escape(_shown(bar))}</title>"
            f'<text x="{_f(label_room - 8)}" y="{_f(baseline)}" text-anchor="end" font-size="{_f(font_size)}" '
            f'fill="{INK}" class="chart-label">{escape(label)}</text>'
            f'<rect x="{_f(label_room)}" y="{_f(y)}" width="{_f(track)}" height="{_f(bar_height)}" rx="3" '
            f'fill="{TRACK_COLOUR}" class="chart-track"/>'
            f'<rect x="{_f(label_room)}" y="{_f(y)}" width="{_f(length)}" height="{_f(bar_height)}" rx="3" '
            f'fill="{colour}" class="chart-bar{" highlight" if bar.highlight else ""}"/>'
            f'<text x="{_f(label_room + length + 6)}" y="{_f(baseline)}" font-size="{_f(font_size)}" '
            f'fill="{INK}" class="chart-value">{escape(_shown(bar))}</text>'
        )
        parts.append(_wrap_link(bar, inner))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text and attribute value above is escaped)


def column_chart(bars: Sequence[Bar], *, title: str, width: float = 420, height: float = 200,
                 font_size: float = 13, css_class: str = "") -> Markup:
    """Vertical columns side by side (a trend across years, say): value above, label below."""
    bars = list(bars)
    label_band = font_size * 2.2
    value_band = font_size * 1.8
    plot = max(height - label_band - value_band, 20)
    slot = width / max(len(bars), 1)
    column = min(slot * 0.6, 64)
    top = max((b.value for b in bars), default=0)
    parts, _ = _open_svg(width, height, title, f"column-chart {css_class}".strip())
    floor = value_band + plot
    parts.append(f'<line x1="0" y1="{_f(floor)}" x2="{_f(width)}" y2="{_f(floor)}" stroke="{MUTED}" '
                 f'stroke-width="1" class="chart-axis"/>')
    for index, bar in enumerate(bars):
        centre = slot * index + slot / 2
        size = 0.0 if top <= 0 else plot * max(bar.value, 0) / top
        if bar.value > 0:
            size = max(size, 2.0)
        colour = HIGHLIGHT_COLOUR if bar.highlight else BAR_COLOUR
        label = _fit(bar.label, font_size, slot - 4)
        inner = (
            f"<title>{escape(bar.label)}: {escape(_shown(bar))}</title>"
            f'<rect x="{_f(centre - column / 2)}" y="{_f(floor - size)}" width="{_f(column)}" '
            f'height="{_f(size)}" rx="3" fill="{colour}" class="chart-bar{" highlight" if bar.highlight else ""}"/>'
            f'<text x="{_f(centre)}" y="{_f(floor - size - font_size * 0.5)}" text-anchor="middle" '
            f'font-size="{_f(font_size)}" fill="{INK}" class="chart-value">{escape(_shown(bar))}</text>'
            f'<text x="{_f(centre)}" y="{_f(floor + font_size * 1.5)}" text-anchor="middle" '
            f'font-size="{_f(font_size)}" fill="{INK}" class="chart-label">{escape(label)}</text>'
        )
        parts.append(_wrap_link(bar, inner))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text and attribute value above is escaped)

