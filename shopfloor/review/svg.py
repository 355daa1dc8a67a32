"""A small server-rendered SVG line chart (one series per line)."""
from __future__ import annotations

from markupsafe import Markup, escape

COLOURS = ["#1d4ed8", "#dc2626", "#16a34a", "#9333ea", "#ea580c"]


def line_chart(series: dict[str, list[tuple[str, float | None]]], *, width=640, height=220, unit="%",
               label="") -> Markup:
    """Points whose value is undefined (None: e.g. efficiency before the shift has started) are not drawn."""
    series = {name: [(x, v) for x, v in pts if v is not None] for name, pts in series.items()}
    series = {name: pts for name, pts in series.items() if pts}
    labels = sorted({x for pts in series.values() for x, _ in pts})
    if not labels:
        return Markup("")
    top = max([v for pts in series.values() for _, v in pts] + [1]) * 1.15
    pl, pr, pt, pb = 40, 10, 10, 28
    w, h = width - pl - pr, height - pt - pb
    xs = {x: pl + (i * w / max(1, len(labels) - 1) if len(labels) > 1 else w / 2) for i, x in enumerate(labels)}

    def y(v):
        return pt + h - v / top * h

    parts = [f'<svg class="trend" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">']
    for frac in (0, .5, 1):
        v = top / 1.15 * frac
        parts.append(f'<line class="grid" x1="{pl}" x2="{width - pr}" y1="{y(v):.1f}" y2="{y(v):.1f}"/>'
                     f'<text class="axis" x="{pl - 4}" y="{y(v) + 4:.1f}">{v:.0f}{escape(unit)}</text>')
    for i, (name, pts) in enumerate(sorted(series.items())):
        colour = COLOURS[i % len(COLOURS)]
        path = " ".join(f"{xs[x]:.1f},{y(v):.1f}" for x, v in pts)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="3" points="{path}"/>')
        for x, v in pts:
            parts.append(f'<circle cx="{xs[x]:.1f}" cy="{y(v):.1f}" r="4" fill="{colour}"><title>{escape(name)} '
                         f'{escape(x)}: {v:.1f}{escape(unit)}</title></circle>')
        parts.append(f'<text class="legend" x="{pl + 8 + i * 120}" y="{pt + 14}" fill="{colour}">{escape(name)}</text>')
    for x in labels:
        parts.append(f'<text class="axis x" x="{xs[x]:.1f}" y="{height - 8}">{escape(x[5:])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
