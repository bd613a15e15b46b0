"""Charts drawn on the server as SVG: no script, no network, readable without colour.

Each bar carries its value as text; the target is a dashed line with its own label; a bar below
the target is also hatched and marked "▼", so the chart says the same in greyscale or to a
screen reader (the ``<title>``/``aria-label`` and the table beside it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape  # nosec B406 -- escapes text we write into SVG; parses nothing

from django.utils.translation import gettext as _

from charterdesk.reports.definitions import percent


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    rate: float | None
    counted: int


def trend_svg(bars: Sequence[Bar], target: float | None, title: str) -> str:
    width, height, left, bottom, top = 640, 220, 44, 36, 16
    plot_h = height - bottom - top
    n = max(1, len(bars))
    step = (width - left - 8) / n
    bar_w = max(8.0, step * 0.6)

    def y(rate: float) -> float:
        return top + plot_h * (1 - rate)

    below = _("below the target")
    nothing = _("nothing counted")
    target_word = _("target")
    desc = "; ".join(
        f"{b.label}: {percent(b.rate) if b.rate is not None else nothing}"
        + (f" ({below})" if target is not None and b.rate is not None and b.rate < target else "")
        for b in bars
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}: {escape(desc)}" class="chart">',
        f"<title>{escape(title)}</title>",
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#1b1f24" stroke-width="2.5"/></pattern></defs>',
    ]
    for tick in (0.0, 0.5, 1.0):
        parts.append(
            f'<line x1="{left}" x2="{width - 4}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            'stroke="#d0d5db" stroke-width="1"/>'
            f'<text x="{left - 4}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#1b1f24">{escape(percent(tick).replace(",0", ""))}</text>'
        )
    for i, b in enumerate(bars):
        x = left + i * step + (step - bar_w) / 2
        cx = x + bar_w / 2
        parts.append(
            f'<text x="{cx:.1f}" y="{height - bottom + 16}" text-anchor="middle" font-size="11" '
            f'fill="#1b1f24">{escape(b.label)}</text>'
        )
        if b.rate is None:
            parts.append(
                f'<text x="{cx:.1f}" y="{y(0) - 4:.1f}" text-anchor="middle" font-size="11" '
                'fill="#555e69">—</text>'
            )
            continue
        is_below = target is not None and b.rate < target
        fill = "url(#hatch)" if is_below else "#1e5b2c"
        parts.append(
            f'<rect x="{x:.1f}" y="{y(b.rate):.1f}" width="{bar_w:.1f}" '
            f'height="{max(0.5, plot_h * b.rate):.1f}" fill="{fill}" stroke="#1b1f24" stroke-width="1"/>'
            f'<text x="{cx:.1f}" y="{y(b.rate) - 4:.1f}" text-anchor="middle" font-size="11" '
            f'fill="#1b1f24">{"▼ " if is_below else ""}{escape(percent(b.rate))}</text>'
        )
    if target is not None:
        parts.append(
            f'<line x1="{left}" x2="{width - 4}" y1="{y(target):.1f}" y2="{y(target):.1f}" '
            'stroke="#7a1d2e" stroke-width="2" stroke-dasharray="6 4"/>'
            f'<text x="{width - 6}" y="{y(target) - 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#7a1d2e">{escape(target_word)} {escape(percent(target))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
