"""The report's two charts, each one standalone SVG document: the session
timeline (phase bands, test runs, hints) and delivery per phase (words and
fillers per minute). All text from the session is escaped."""

from __future__ import annotations

import html
from collections.abc import Sequence

from mock_interviewer_lab.formatting import mmss
from mock_interviewer_lab.interview.phases import Phase
from mock_interviewer_lab.reporting.delivery import OVERALL
from mock_interviewer_lab.reporting.report import SessionReport, Timeline
from mock_interviewer_lab.reporting.wording import delivery_rows

# --------------------------------------------------------------------------
# The timeline chart


PHASE_COLOURS: dict[str, str] = {
    Phase.INIT.value: "#e0e0e0",
    Phase.CALIBRATION.value: "#e0e0e0",
    Phase.INTRO.value: "#cfd8dc",
    Phase.UNDERSTANDING.value: "#b3e5fc",
    Phase.APPROACH.value: "#c5cae9",
    Phase.CODING.value: "#d1c4e9",
    Phase.TESTING.value: "#dcedc8",
    Phase.DEBUGGING.value: "#ffe0b2",
    Phase.OPTIMIZATION.value: "#c8e6c9",
    Phase.COMPLEXITY.value: "#f8bbd0",
    Phase.REFLECTION.value: "#e1bee7",
    Phase.FOLLOWUP.value: "#d7ccc8",
    Phase.DONE.value: "#eeeeee",
    Phase.ABORT.value: "#ffcdd2",
}
PASS_COLOUR = "#2e7d32"
FAIL_COLOUR = "#c62828"
HINT_COLOUR = "#f9a825"
#: Text drawn on a phase band or a hint marker: those colours are the same
#: in every theme, so is this one. All other text is ``currentColor``: the
#: colour of the page or notebook around the chart, light or dark.
ON_BAND_COLOUR = "#212121"

_SVG_WIDTH = 900
_LEFT = 80
_RIGHT = 20
_PHASE_Y, _PHASE_H = 20, 40
_RUN_Y = 85
_HINT_Y = 115
_AXIS_Y = 140
_SVG_HEIGHT = 210
_TICK_STEPS_S = (15, 30, 60, 120, 300, 600, 900, 1800, 3600)


def esc(text: object) -> str:
    """Text safe inside HTML and SVG, attribute values included."""
    return html.escape(str(text), quote=True)


def _tick_step(duration: float) -> int:
    return next((step for step in _TICK_STEPS_S if duration / step <= 10), _TICK_STEPS_S[-1])


def _legend(tl: Timeline) -> list[str]:
    """Markers, then the colour of each phase on the chart (narrow bands carry no label)."""
    y = _SVG_HEIGHT - 36
    parts = [
        f'<circle cx="{_LEFT + 5}" cy="{y - 4}" r="5" fill="{PASS_COLOUR}"/>'
        f'<text x="{_LEFT + 14}" y="{y}">all tests passed</text>'
        f'<circle cx="{_LEFT + 135}" cy="{y - 4}" r="5" fill="{FAIL_COLOUR}"/>'
        f'<text x="{_LEFT + 144}" y="{y}">some failed</text>'
        f'<polygon points="{_LEFT + 245},{y - 10} {_LEFT + 251},{y - 4} {_LEFT + 245},{y + 2} '
        f'{_LEFT + 239},{y - 4}" fill="{HINT_COLOUR}"/>'
        f'<text x="{_LEFT + 258}" y="{y}">hint (level)</text>'
    ]
    shown = list(dict.fromkeys(p.phase for p in tl.phases if p.end > p.start))
    x, y = _LEFT, _SVG_HEIGHT - 12
    for phase in shown:
        parts.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" '
            f'fill="{PHASE_COLOURS.get(phase, "#e0e0e0")}"/>'
            f'<text x="{x + 14}" y="{y}">{esc(phase)}</text>'
        )
        x += 24 + 7 * len(phase)
    return parts


def timeline_svg(report: SessionReport) -> str:
    """The timeline as one standalone SVG document: phase bands, runs and hints over time."""
    tl = report.timeline
    span = max(tl.end - tl.start, 1.0)
    plot_w = _SVG_WIDTH - _LEFT - _RIGHT

    def x(t: float) -> float:
        return round(_LEFT + (t - tl.start) / span * plot_w, 1)

    parts = [
        # As wide as its container (viewBox: the drawing scales with it).
        f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" '
        f'viewBox="0 0 {_SVG_WIDTH} {_SVG_HEIGHT}" role="img" '
        f'aria-label="{esc("Session timeline: " + report.problem_title)}" '
        'font-family="sans-serif" font-size="11" fill="currentColor">',
        f"<title>{esc('Session timeline: ' + report.problem_title)}</title>",
        f'<text x="4" y="{_PHASE_Y + 24}">phases</text>',
        f'<text x="4" y="{_RUN_Y + 4}">test runs</text>',
        f'<text x="4" y="{_HINT_Y + 4}">hints</text>',
    ]
    for p in tl.phases:
        left, right = x(p.start), x(p.end)
        if right - left <= 0:
            continue
        colour = PHASE_COLOURS.get(p.phase, "#e0e0e0")
        label = f"{p.phase} {mmss(p.start - tl.start)}–{mmss(p.end - tl.start)}"
        parts.append(
            f'<rect class="phase" data-phase="{esc(p.phase)}" x="{left}" y="{_PHASE_Y}" '
            f'width="{round(right - left, 1)}" height="{_PHASE_H}" fill="{colour}" '
            f'stroke="#ffffff"><title>{esc(label)}</title></rect>'
        )
        if right - left >= 7 * len(p.phase):
            parts.append(
                f'<text x="{round((left + right) / 2, 1)}" y="{_PHASE_Y + 24}" '
                f'text-anchor="middle" fill="{ON_BAND_COLOUR}">{esc(p.phase)}</text>'
            )
    parts.append(
        f'<line x1="{_LEFT}" y1="{_RUN_Y}" x2="{_LEFT + plot_w}" y2="{_RUN_Y}" stroke="#bdbdbd"/>'
    )
    for number, run in enumerate(tl.runs, start=1):
        colour = PASS_COLOUR if run.all_passed else FAIL_COLOUR
        outcome = "error" if run.error else f"{run.passed}/{run.total} passed"
        tip = f"run {number} at {mmss(run.t - tl.start)}: {outcome}"
        parts.append(
            f'<circle class="run" data-seq="{run.seq}" cx="{x(run.t)}" cy="{_RUN_Y}" r="6" '
            f'fill="{colour}"><title>{esc(tip)}</title></circle>'
        )
    parts.append(
        f'<line x1="{_LEFT}" y1="{_HINT_Y}" x2="{_LEFT + plot_w}" y2="{_HINT_Y}" '
        'stroke="#bdbdbd"/>'
    )
    for hint in tl.hints:
        cx = x(hint.t)
        points = f"{cx},{_HINT_Y - 8} {cx + 7},{_HINT_Y} {cx},{_HINT_Y + 8} {cx - 7},{_HINT_Y}"
        tip = f"hint level {hint.level} at {mmss(hint.t - tl.start)} ({hint.reason})"
        parts.append(
            f'<polygon class="hint" data-seq="{hint.seq}" points="{points}" '
            f'fill="{HINT_COLOUR}"><title>{esc(tip)}</title></polygon>'
            f'<text x="{cx}" y="{_HINT_Y + 4}" text-anchor="middle" font-size="9" '
            f'fill="{ON_BAND_COLOUR}">'
            f"{hint.level}</text>"
        )
    parts.append(
        f'<line x1="{_LEFT}" y1="{_AXIS_Y}" x2="{_LEFT + plot_w}" y2="{_AXIS_Y}" stroke="currentColor"/>'
    )
    step = _tick_step(span)
    for offset in range(0, int(span) + 1, step):
        tx = x(tl.start + offset)
        parts.append(
            f'<line x1="{tx}" y1="{_AXIS_Y}" x2="{tx}" y2="{_AXIS_Y + 5}" stroke="currentColor"/>'
            f'<text x="{tx}" y="{_AXIS_Y + 17}" text-anchor="middle">{mmss(offset)}</text>'
        )
    parts.extend(_legend(tl))
    parts.append("</svg>")
    return "\n".join(parts)


# --------------------------------------------------------------------------
# Delivery per phase (figures from reporting/delivery.py)


WPM_COLOUR = "#5c6bc0"
FILLER_COLOUR = "#ef6c00"
_D_LABEL_W = 130
_D_PANEL_W = 340
_D_GAP = 40
_D_ROW_H = 22
_D_TOP = 34


def delivery_svg(report: SessionReport) -> str | None:
    """Words per minute and fillers per minute, one bar each per phase, as one SVG
    document; None when there is nothing spoken to chart."""
    delivery = report.delivery
    if delivery is None or not delivery.spoken:
        return None
    rows = delivery_rows(delivery)
    width = _D_LABEL_W + 2 * _D_PANEL_W + _D_GAP + 20
    height = _D_TOP + _D_ROW_H * len(rows) + 10
    title = "Delivery per phase: words per minute and fillers per minute"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{esc(title)}" '
        'font-family="sans-serif" font-size="11" fill="currentColor">',
        f"<title>{esc(title)}</title>",
    ]
    panels = (
        ("wpm", "words per minute", WPM_COLOUR, [f.words_per_minute for f in rows], ".0f"),
        ("fillers", "fillers per minute", FILLER_COLOUR,
         [f.fillers_per_minute for f in rows], ".1f"),
    )
    bar_w = _D_PANEL_W - 50  # room for the value after the longest bar
    for number, (kind, heading, colour, values, fmt) in enumerate(panels):
        left = _D_LABEL_W + number * (_D_PANEL_W + _D_GAP)
        top = max((v or 0.0 for v in values), default=0.0) or 1.0
        parts.append(f'<text x="{left}" y="16" font-weight="bold">{esc(heading)}</text>')
        for i, (f, value) in enumerate(zip(rows, values, strict=True)):
            y = _D_TOP + i * _D_ROW_H
            if value is None:
                parts.append(f'<text x="{left}" y="{y + 12}" font-style="italic">'
                             "no spoken answers</text>")
                continue
            w = round(value / top * bar_w, 1)
            tip = f"{f.phase}: {value:{fmt}} {heading}"
            parts.append(
                f'<rect class="{kind}" data-phase="{esc(f.phase)}" x="{left}" y="{y}" '
                f'width="{w}" height="{_D_ROW_H - 6}" fill="{colour}">'
                f"<title>{esc(tip)}</title></rect>"
                f'<text x="{round(left + w + 4, 1)}" y="{y + 12}">{value:{fmt}}</text>'
            )
    for i, f in enumerate(rows):
        weight = ' font-weight="bold"' if f.phase == OVERALL else ""
        parts.append(f'<text x="4" y="{_D_TOP + i * _D_ROW_H + 12}"{weight}>'
                     f"{esc(f.phase)}</text>")
    parts.append("</svg>")
    return "\n".join(parts)


# --------------------------------------------------------------------------
# A behavioural interview's history: overall score per session


TREND_COLOUR = "#1565c0"
#: The readiness bands (competencies.readiness_for): Ready from 8, Almost Ready from 6.
BAND_COLOURS = (("Ready", 8.0, 10.0, "#c8e6c9"), ("Almost Ready", 6.0, 8.0, "#fff9c4"),
                ("Needs Practice", 0.0, 6.0, "#ffcdd2"))
_T_WIDTH, _T_HEIGHT = 900, 240
_T_LEFT, _T_RIGHT, _T_TOP, _T_BOTTOM = 60, 120, 20, 40


def trend_svg(points: Sequence[tuple[str, float]],
              title: str = "Overall score per behavioural session") -> str:
    """The scores of successive sessions (oldest first) as one SVG document:
    a line over the readiness bands, each point labelled with its score and
    its session's date."""
    plot_w = _T_WIDTH - _T_LEFT - _T_RIGHT
    plot_h = _T_HEIGHT - _T_TOP - _T_BOTTOM

    def y(score: float) -> float:
        return round(_T_TOP + (1 - max(0.0, min(10.0, score)) / 10) * plot_h, 1)

    def x(index: int) -> float:
        if len(points) < 2:
            return float(_T_LEFT + plot_w / 2)
        return round(_T_LEFT + index / (len(points) - 1) * plot_w, 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" '
        f'viewBox="0 0 {_T_WIDTH} {_T_HEIGHT}" role="img" aria-label="{esc(title)}" '
        'font-family="sans-serif" font-size="11" fill="currentColor">',
        f"<title>{esc(title)}</title>",
    ]
    for name, low, high, colour in BAND_COLOURS:
        parts.append(f'<rect class="band" x="{_T_LEFT}" y="{y(high)}" width="{plot_w}" '
                     f'height="{round(y(low) - y(high), 1)}" fill="{colour}"/>'
                     f'<text x="{_T_LEFT + plot_w + 6}" y="{round((y(low) + y(high)) / 2 + 4, 1)}"'
                     f">{esc(name)}</text>")
    for tick in (0, 2, 4, 6, 8, 10):
        parts.append(f'<text x="{_T_LEFT - 8}" y="{y(tick) + 4}" text-anchor="end">{tick}'
                     "</text>")
    coords = [(x(i), y(score)) for i, (_, score) in enumerate(points)]
    if len(coords) > 1:
        parts.append('<polyline fill="none" stroke="' + TREND_COLOUR + '" stroke-width="2" '
                     'points="' + " ".join(f"{cx},{cy}" for cx, cy in coords) + '"/>')
    for (label, score), (cx, cy) in zip(points, coords, strict=True):
        parts.append(
            f'<circle class="session" cx="{cx}" cy="{cy}" r="5" fill="{TREND_COLOUR}">'
            f"<title>{esc(f'{label}: {score:g}/10')}</title></circle>"
            f'<text x="{cx}" y="{cy - 9}" text-anchor="middle" fill="{ON_BAND_COLOUR}">'
            f"{score:g}</text>"
            f'<text x="{cx}" y="{_T_HEIGHT - _T_BOTTOM + 16}" text-anchor="middle">'
            f"{esc(label)}</text>")
    parts.append("</svg>")
    return "\n".join(parts)
