"""Small server-rendered SVG charts: a line chart (one series per line) and a Pareto chart."""
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
    pl, pr, pt, pb = 40, 22, 10, 28   # the right: half the last day's label (centred on its point)
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


def pareto_chart(rows: list[tuple[str, float, float]], *, width=640, height=240, unit="", label="") -> Markup:
    """A Pareto chart: bars (label, value, cumulative %) in the order given (largest first), the running
    share of the total as a line on a 0-100 % scale at the right."""
    if not rows:
        return Markup("")
    top = max(v for _, v, _c in rows) * 1.15 or 1
    pl, pr, pt, pb = 44, 40, 12, 40
    w, h = width - pl - pr, height - pt - pb
    slot = w / len(rows)
    parts = [f'<svg class="trend pareto" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">']
    for frac in (0, .5, 1):
        yy = pt + h - frac * h
        parts.append(f'<line class="grid" x1="{pl}" x2="{width - pr}" y1="{yy:.1f}" y2="{yy:.1f}"/>'
                     f'<text class="axis" x="{pl - 4}" y="{yy + 4:.1f}">{top * frac:.0f}{escape(unit)}</text>'
                     f'<text class="axis pct" x="{width - pr + 4}" y="{yy + 4:.1f}">{frac * 100:.0f}%</text>')
    points = []
    for i, (name, value, cumulative) in enumerate(rows):
        x = pl + i * slot
        bh = value / top * h
        short = name if len(name) <= 14 else name[:13] + "…"
        parts.append(f'<rect class="bar" x="{x + slot * .15:.1f}" y="{pt + h - bh:.1f}" width="{slot * .7:.1f}" '
                     f'height="{bh:.1f}"><title>{escape(name)}: {value:.0f}{escape(unit)} '
                     f'({cumulative:.0f}%)</title></rect>'
                     f'<text class="axis x" x="{x + slot / 2:.1f}" y="{height - 22}">{escape(short)}</text>'
                     f'<text class="axis x" x="{x + slot / 2:.1f}" y="{height - 8}">{value:.0f}</text>')
        points.append((x + slot / 2, pt + h - cumulative / 100 * h))
    parts.append('<polyline class="cumulative" fill="none" points="'
                 + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
    parts.extend(f'<circle class="cumulative" cx="{x:.1f}" cy="{y:.1f}" r="4"/>' for x, y in points)
    parts.append("</svg>")
    return Markup("".join(parts))
