"""Server-rendered SVG: output per hour as bars against the target line."""
from __future__ import annotations

from markupsafe import Markup, escape

from shopfloor.board.queries import HourBar


def hourly_chart(hours: list[HourBar], width: int = 860, height: int = 260, label: str = "") -> Markup:
    if not hours:
        return Markup("")
    pad_l, pad_b, pad_t = 8, 34, 26
    top = max([h.output for h in hours] + [h.target for h in hours] + [1]) * 1.15
    slot = (width - pad_l) / len(hours)
    bar_w = slot * 0.62
    plot_h = height - pad_b - pad_t

    def y(v: float) -> float:
        return pad_t + plot_h - v / top * plot_h

    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">']
    target = hours[0].target
    for i, h in enumerate(hours):
        x = pad_l + i * slot + (slot - bar_w) / 2
        cls = "bar ok" if h.output >= h.target and h.target else "bar low" if h.output else "bar none"
        if h.current:
            cls += " now"
        bh = max(0.0, y(0) - y(h.output))
        parts.append(f'<rect class="{cls}" x="{x:.1f}" y="{y(h.output):.1f}" width="{bar_w:.1f}" height="{bh:.1f}" rx="4"/>')
        if h.output:
            parts.append(f'<text class="val" x="{x + bar_w / 2:.1f}" y="{y(h.output) - 6:.1f}">{h.output}</text>')
        parts.append(f'<text class="hr" x="{x + bar_w / 2:.1f}" y="{height - 8}">{h.hour:02d}</text>')
    if target:
        parts.append(f'<line class="target" x1="{pad_l}" x2="{width}" y1="{y(target):.1f}" y2="{y(target):.1f}"/>')
        parts.append(f'<text class="tgt" x="{width - 4}" y="{y(target) - 6:.1f}">{target:.0f}/h</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
