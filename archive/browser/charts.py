"""Charts as server-rendered SVG (no script, no library): bars per crawl run, stacked by kind,
and horizontal bars of counts. Every label is escaped; the markup is safe to inline."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

PALETTE = ("#2b6cb0", "#38a169", "#d69e2e", "#c53030", "#805ad5", "#319795", "#dd6b20", "#718096")
COLOURS = {
    "pages": "#2b6cb0",
    "new": "#2b6cb0",
    "updated": "#38a169",
    "unchanged": "#a0aec0",
    "alias": "#319795",
    "discovered": "#805ad5",
    "redirected": "#718096",
    "robots": "#975a16",
    "retried": "#d69e2e",
    "dropped": "#dd6b20",
    "refused": "#b83280",
    "failed": "#c53030",
}
"""One colour per kind of count in every chart (a kind not named here takes the palette's)."""


def _colour(key: str, index: int) -> str:
    return COLOURS.get(key, PALETTE[index % len(PALETTE)])


def stacked_bars(columns: list[tuple[str, dict[str, int]]], keys: list[str], title: str, height: int = 160) -> Markup:
    """One bar per column (e.g. a crawl run), its parts stacked in ``keys`` order, with a legend."""
    if not columns or not keys:
        return Markup(f'<p class="empty">{escape(title)}: nothing to chart yet</p>')
    width, bar = max(320, 28 * len(columns) + 60), 20
    top = max(sum(values.get(k, 0) for k in keys) for _, values in columns) or 1
    view = f"0 0 {width} {height + 40 + 16 * len(keys)}"
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="{view}" width="{width}"'
        f' xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<text x="0" y="12" class="chart-title">{escape(title)} (max {top})</text>',
    ]
    for i, (label, values) in enumerate(columns):
        x, y = 40 + i * 28, height + 20
        for j, key in enumerate(keys):
            value = values.get(key, 0)
            if not value:
                continue
            h = value / top * (height - 10)
            y -= h
            parts.append(
                f'<rect x="{x}" y="{y:.1f}" width="{bar}" height="{h:.1f}" fill="{_colour(key, j)}">'
                f"<title>{escape(label)} — {escape(key)}: {value}</title></rect>"
            )
        parts.append(f'<text x="{x + bar / 2}" y="{height + 34}" text-anchor="middle">{escape(label)}</text>')
    for j, key in enumerate(keys):
        y = height + 52 + 16 * j
        parts.append(f'<rect x="40" y="{y - 10}" width="10" height="10" fill="{_colour(key, j)}"/>')
        parts.append(f'<text x="56" y="{y}">{escape(key)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def horizontal_bars(counts: list[tuple[str, int]], title: str) -> Markup:
    """One labelled bar per (label, count), largest first as given."""
    if not counts:
        return Markup(f'<p class="empty">{escape(title)}: none</p>')
    top = max(c for _, c in counts) or 1
    row, width = 18, 640
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {20 + row * len(counts)}"'
        f' width="{width}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<text x="0" y="12" class="chart-title">{escape(title)}</text>',
    ]
    for i, (label, count) in enumerate(counts):
        y = 20 + i * row
        w = count / top * 300
        parts.append(f'<text x="0" y="{y + 12}">{escape(label[:48])}</text>')
        fill = COLOURS["failed"]
        parts.append(f'<rect x="300" y="{y + 2}" width="{w:.1f}" height="{row - 5}" fill="{fill}"/>')
        parts.append(f'<text x="{305 + w:.1f}" y="{y + 12}">{count}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
