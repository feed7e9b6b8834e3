"""The report as one HTML page: :func:`render_html`. No scripts, no external
assets (the charts are inline SVG), all text from the session escaped."""

from __future__ import annotations

from collections.abc import Sequence

from mock_interviewer_lab.formatting import mmss
from mock_interviewer_lab.reporting.charts import delivery_svg, esc, timeline_svg
from mock_interviewer_lab.reporting.delivery import NO_SPOKEN_ANSWERS
from mock_interviewer_lab.reporting.palette import theme_css
from mock_interviewer_lab.reporting.report import SessionReport, Statement, taken_by_line
from mock_interviewer_lab.reporting.wording import (
    delivery_cells,
    delivery_notes,
    delivery_rows,
    feedback_parts,
    speaker_label,
    statement_sections,
)


def _html_delivery(report: SessionReport) -> str:
    delivery = report.delivery
    if delivery is None:
        return '<section class="delivery"><h2>Delivery</h2><p class="muted">Not measured.</p>' \
               "</section>"
    body: list[str] = []
    if not delivery.spoken:
        body.append(f'<p class="muted">{esc(NO_SPOKEN_ANSWERS.capitalize())}: words per '
                    "minute, silences and talk ratio are measured on speech only.</p>")
    else:
        head = "".join(f"<th>{h}</th>" for h in ("Phase", "Words/min", "Fillers/min",
                                                  "Talk ratio", "Longest silence", "Spoken"))
        rows = "".join(
            f'<tr data-phase="{esc(f.phase)}"><th>{esc(f.phase)}</th>'
            + "".join(f"<td>{esc(cell)}</td>" for cell in delivery_cells(f)) + "</tr>"
            for f in delivery_rows(delivery)
        )
        body += [delivery_svg(report) or "", f"<table><tr>{head}</tr>{rows}</table>"]
    body += [f"<p>{esc(note)}</p>" for note in delivery_notes(report, delivery)]
    return f'<section class="delivery"><h2>Delivery</h2>{"".join(body)}</section>'


def _html_feedback(report: SessionReport) -> str:
    title, label, parts, note = feedback_parts(report)
    body = [f'<section class="feedback"><h2>{esc(title)}</h2><p class="muted">{esc(label)}</p>']
    for section, items in parts:
        lis = "".join(f"<li>{esc(i.get('text', ''))} {_html_evidence(i.get('evidence') or [])}"
                      "</li>" for i in items)
        body.append(f"<h3>{esc(section)}</h3>"
                    + (f"<ul>{lis}</ul>" if lis else '<p class="muted">None.</p>'))
    if note:
        body.append(f'<p class="muted">{esc(note)}</p>')
    return "".join(body) + "</section>"


#: The page alone (an exported report): nothing here reaches a notebook.
_PAGE_CSS = """
body { font-family: system-ui, sans-serif; max-width: 960px; margin: 2em auto; padding: 0 1em;
       line-height: 1.45; }
"""

#: The report's own rules, every one under ``.mil-report``: the same in the
#: exported page and inline in a notebook, where they must beat JupyterLab's
#: output styles (right-aligned, centred tables) without touching anything
#: else. Colours are the palette's (reporting/palette.py), per theme.
REPORT_CSS = theme_css(".mil-report") + """
.mil-report { overflow-wrap: anywhere; }
.mil-report table { border-collapse: collapse; margin-left: 0; margin-right: 0;
  table-layout: auto; }
.mil-report table td, .mil-report table th { border-bottom: 1px solid var(--mil-border);
  padding: 4px 12px 4px 0; text-align: left; vertical-align: top; }
.mil-report svg { display: block; width: 100%; height: auto; max-width: 960px; }
.mil-report .evidence a { color: var(--mil-muted); font-size: 0.85em; margin-left: 0.3em; }
.mil-report a { color: var(--mil-link); }
.mil-report .transcript table { width: 100%; }
.mil-report .transcript td.time { color: var(--mil-muted); white-space: nowrap; width: 1%; }
.mil-report .transcript td.speaker { font-weight: 600; white-space: nowrap; width: 1%; }
.mil-report .transcript tr.coach td.speaker { color: var(--mil-link); }
.mil-report .transcript td.text { white-space: pre-wrap; overflow-wrap: anywhere; }
.mil-report .cited li { overflow-wrap: anywhere; }
.mil-report .cited :target, .mil-report li:target, .mil-report tr:target {
  background: var(--mil-highlight); }
.mil-report .muted { color: var(--mil-muted); }
"""


def _html_evidence(evidence: Sequence[int]) -> str:
    links = " ".join(f'<a href="#r{seq}">#{seq}</a>' for seq in evidence)
    return f'<span class="evidence">{links}</span>'


def _html_statements(title: str, statements: Sequence[Statement], empty: str) -> str:
    items = "".join(
        f'<li data-topic="{esc(st.topic)}">{esc(st.text)} {_html_evidence(st.evidence)}</li>'
        for st in statements
    )
    body = f"<ul>{items}</ul>" if statements else f'<p class="muted">{esc(empty)}</p>'
    return f"<section><h2>{esc(title)}</h2>{body}</section>"


def render_html(report: SessionReport) -> str:
    """One self-contained page: no scripts, no external assets, all text escaped."""
    start = report.timeline.start
    figures = "".join(
        f"<tr><th>{esc(f.label)}</th><td>{esc(f.value)}</td></tr>" for f in report.figures
    )
    transcript = "".join(
        f'<tr id="r{line.seq}" class="{esc(line.speaker)}"><td class="time">'
        f"{mmss(line.t - start)}</td>"
        f'<td class="speaker">{esc(speaker_label(line))}</td>'
        f'<td class="text">{esc(line.text)}</td></tr>'
        for line in report.transcript
    )
    transcript_seqs = {line.seq for line in report.transcript}
    cited = "".join(
        ("<li>" if c.seq in transcript_seqs else f'<li id="r{c.seq}">')
        +         f"#{c.seq} at {mmss(c.t - start)}, {esc(c.type)}: {esc(c.description)}</li>"
        for c in report.cited
    )
    expected = (
        f" · expected time {esc(report.expected_time)}" if report.expected_time else ""
    )
    return "".join([
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<title>{esc('Interview report: ' + report.problem_title)}</title>",
        f"<style>{_PAGE_CSS}{REPORT_CSS}</style></head><body><div class=\"mil-report\">",
        f"<h1>{esc('Interview report: ' + report.problem_title)}</h1>",
        f'<p class="muted">Problem {esc(report.problem_id)} · session '
        f"{esc(report.session_id)}{expected}{esc(taken_by_line(report))}</p>",
        f"<section><h2>Summary</h2><table>{figures}</table></section>",
        f"<section><h2>Timeline</h2>{timeline_svg(report)}</section>",
        _html_delivery(report),
        *(_html_statements(title, statements, empty)
          for title, statements, empty in statement_sections(report)),
        _html_feedback(report),
        '<section class="transcript"><h2>Transcript</h2>',
        f"<table>{transcript}</table>" if transcript else '<p class="muted">Nothing was said.</p>',
        "</section>",
        f'<section class="cited"><h2>Records cited</h2><ul>{cited}</ul></section>',
        "</div></body></html>\n",
    ])
