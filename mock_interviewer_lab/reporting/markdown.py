"""The report in Markdown: :func:`render_markdown`, and the sections the
notebook makes cells of. Text from the session is made safe for Markdown
(HTML characters as entities, Markdown punctuation escaped)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from mock_interviewer_lab.formatting import mmss
from mock_interviewer_lab.reporting.delivery import NO_SPOKEN_ANSWERS, OVERALL
from mock_interviewer_lab.reporting.report import SessionReport, format_duration, taken_by_line
from mock_interviewer_lab.reporting.wording import (
    delivery_cells,
    delivery_notes,
    delivery_rows,
    feedback_parts,
    speaker_label,
    statement_sections,
)

_BAR_CELLS = 10
_BAR_EIGHTHS = " ▏▎▍▌▋▊▉"


def _unicode_bar(value: float | None, top: float) -> str:
    """A bar of ``_BAR_CELLS`` cells in eighths: value / top of the full width."""
    if value is None or top <= 0:
        return ""
    eighths = round(max(0.0, min(1.0, value / top)) * _BAR_CELLS * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + (_BAR_EIGHTHS[part] if part else "")


def _markdown_delivery(report: SessionReport) -> str:
    lines = ["## Delivery", ""]
    delivery = report.delivery
    if delivery is None:
        return "\n".join([*lines, "_Not measured._"])
    if not delivery.spoken:
        lines.append(f"_{_md(NO_SPOKEN_ANSWERS.capitalize())}: words per minute, silences and "
                     "talk ratio are measured on speech only._")
    else:
        rows = delivery_rows(delivery)
        top_wpm = max((f.words_per_minute or 0.0 for f in rows), default=0.0)
        top_fillers = max((f.fillers_per_minute or 0.0 for f in rows), default=0.0)
        lines += [
            "| Phase | Words/min | Fillers/min | Talk ratio | Longest silence | Spoken |",
            "|---|---|---|---|---|---|",
        ]
        for f in rows:
            wpm, fillers, talk, silence, spoken = delivery_cells(f)
            name = f"**{f.phase}**" if f.phase == OVERALL else _md(f.phase)
            wpm_bar = _unicode_bar(f.words_per_minute, top_wpm)
            filler_bar = _unicode_bar(f.fillers_per_minute, top_fillers)
            lines.append(
                f"| {name} | {f'{wpm_bar} {wpm}'.strip()} | {f'{filler_bar} {fillers}'.strip()} "
                f"| {talk} | {silence} | {spoken} |"
            )
    notes = delivery_notes(report, delivery)
    for note in notes:  # one paragraph each
        lines += ["", _md(note)]
    return "\n".join(lines)


# Inside a line (never at its start) only these change meaning; "#", "-" and
# "+" only matter at the start of a line, "(" only after "]".
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def _md(text: object) -> str:
    """Text safe inside Markdown: HTML characters as entities, Markdown punctuation escaped."""
    escaped = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = _MD_SPECIAL.sub(r"\\\1", escaped)
    return re.sub(r"\s+", " ", escaped).strip()


def _md_evidence(evidence: Sequence[int]) -> str:
    label = "record" if len(evidence) == 1 else "records"
    return f"_({label} {', '.join(f'#{seq}' for seq in evidence)})_"


def markdown_sections(report: SessionReport) -> list[str]:
    """The report in Markdown, one section per string (the notebook makes each a cell)."""
    head = [
        f"# Interview report: {_md(report.problem_title)}",
        "",
        f"Problem `{report.problem_id}` · session `{report.session_id}`"
        + (f" · expected time {_md(report.expected_time)}" if report.expected_time else "")
        + (f" {_md(taken_by_line(report))}" if report.taken_by else ""),
        "",
        "## Summary",
        "",
        "| | |",
        "|---|---|",
        *(f"| {_md(f.label)} | {_md(f.value)} |" for f in report.figures),
    ]
    sections = ["\n".join(head)]
    for title, statements, empty in statement_sections(report):
        body = [f"## {title}", ""]
        body += [f"- {_md(st.text)} {_md_evidence(st.evidence)}" for st in statements] or [
            f"_{empty}_"
        ]
        sections.append("\n".join(body))
    sections.append(_markdown_feedback(report))
    sections.append("\n".join(["## Timeline", "", *_timeline_lines(report)]))
    sections.append(_markdown_delivery(report))
    transcript = ["## Transcript", ""]
    transcript += [
        f"- **{mmss(line.t - report.timeline.start)} {speaker_label(line)}:** {_md(line.text)}"
        for line in report.transcript
    ] or ["_Nothing was said._"]
    sections.append("\n".join(transcript))
    cited = ["## Records cited", ""]
    cited += [
        f"- #{c.seq} at {mmss(c.t - report.timeline.start)}, {c.type}: {_md(c.description)}"
        for c in report.cited
    ] or ["_None._"]
    sections.append("\n".join(cited))
    return sections


def _markdown_feedback(report: SessionReport) -> str:
    title, label, parts, note = feedback_parts(report)
    lines = [f"## {title}", "", f"_{_md(label)}_"]
    for section, items in parts:
        lines += ["", f"**{section}**", ""]
        lines += [f"- {_md(i.get('text', ''))} {_md_evidence(i.get('evidence') or [])}"
                  for i in items] or ["_None._"]
    if note:
        lines += ["", f"_{_md(note)}_"]
    return "\n".join(lines)


def _timeline_lines(report: SessionReport) -> list[str]:
    tl = report.timeline
    items: list[tuple[float, int, str]] = []
    for p in tl.phases:
        if p.end > p.start:  # a phase passed through at once is not worth a line
            text = f"{p.phase.upper()} for {format_duration(p.end - p.start)}"
            items.append((p.start, p.seq, text))
    for number, run in enumerate(tl.runs, start=1):
        outcome = "error" if run.error else f"{run.passed}/{run.total} passed"
        items.append((run.t, run.seq, f"test run {number}: {outcome}"))
    for hint in tl.hints:
        items.append((hint.t, hint.seq, f"hint level {hint.level} ({hint.reason})"))
    items.sort()
    return [f"- {mmss(t - tl.start)} {_md(text)} (#{seq})" for t, seq, text in items]


def render_markdown(report: SessionReport) -> str:
    return "\n\n".join(markdown_sections(report)) + "\n"
