"""The report of a behavioural interview, in the four formats of
:data:`~mock_interviewer_lab.protocol.REPORT_FORMATS`.

Per question: its score and level, the rubric's parts, the candidate's own
sentences labelled Situation / Task / Action / Result / Reflection, the
follow-ups with the replies, what landed and what didn't, the coaching and
the revised answer (its ``[placeholders]`` kept as they are); then the
session's feedback and readiness, and (HTML, notebook) the history's trend
chart. None of the coding report's sections (tests, phases, complexity).
All text from the session is escaped for the format it goes into.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from mock_interviewer_lab.competencies import LEVEL_DEFINITIONS
from mock_interviewer_lab.events import Record
from mock_interviewer_lab.reporting.behavioral import (
    BEHAVIORAL_KIND,
    AskedQuestion,
    BehavioralSession,
    read_behavioral,
)
from mock_interviewer_lab.reporting.charts import esc, trend_svg
from mock_interviewer_lab.reporting.markdown import _md
from mock_interviewer_lab.reporting.notebook import chart_cell, notebook_string, report_notebook
from mock_interviewer_lab.reporting.transcript import TranscriptLine, transcript_lines
from mock_interviewer_lab.reporting.wording import speaker_label
from mock_interviewer_lab.store import SessionInfo, SessionStore

_STAR_LABELS = {"situation": "Situation", "task": "Task", "action": "Action",
                "result": "Result", "reflection": "Reflection"}
_DIMENSION_LABELS = {"star": "STAR completeness", "ownership": "Ownership",
                     "specificity": "Specificity", "impact": "Quantified impact",
                     "scope": "Scope for the level", "relevance": "Relevance",
                     "reflection": "Reflection"}


def competency_name(competency: str) -> str:
    return competency.replace("_", " ")


@dataclass(frozen=True)
class TrendPoint:
    """One past session on the history chart."""

    label: str      # its date
    score: float    # its overall score
    session_id: str = ""


@dataclass
class BehavioralReport:
    """What the report of one behavioural session says."""

    session_id: str
    session: BehavioralSession
    transcript: list[TranscriptLine]
    #: The behavioural sessions of the store, oldest first (the trend chart).
    trend: list[TrendPoint] = field(default_factory=list)

    @property
    def title(self) -> str:
        stage = competency_name(self.session.stage or "behavioural")
        return f"Behavioural interview report: {stage}"

    def as_dict(self) -> dict[str, Any]:
        return {"kind": "behavioral", "session_id": self.session_id,
                **self.session.as_dict(),
                "transcript": [line.as_dict() for line in self.transcript],
                "trend": [{"label": p.label, "score": p.score, "session_id": p.session_id}
                          for p in self.trend]}


def behavioral_report(records: Iterable[Record], session_id: str,
                      trend: Sequence[TrendPoint] = ()) -> BehavioralReport:
    listed = list(records)
    return BehavioralReport(session_id=session_id, session=read_behavioral(listed),
                            transcript=transcript_lines(listed, spoken_only=True),
                            trend=list(trend))


# ---------------------------------------------------------------- wording


def _score_text(value: float | int | None) -> str:
    if value is None:
        return "not scored"
    return f"{value:g}/10" if isinstance(value, float) else f"{value}/10"


def summary_rows(report: BehavioralReport) -> list[tuple[str, str]]:
    s = report.session
    setup = s.setup
    level = setup.get("level")
    rows = [("Stage", competency_name(s.stage) or "?"),
            ("Difficulty", str(setup.get("difficulty") or "?")),
            ("Target level", f"{level} ({LEVEL_DEFINITIONS.get(level, '')})" if level
             in LEVEL_DEFINITIONS else str(level or "?")),
            ("Questions completed", f"{len(s.completed)} of {s.total}"),
            ("Overall score", _score_text(s.overall_score)),
            ("Readiness", s.readiness or "not given (the session did not end)")]
    if setup.get("adversarial"):
        rows.append(("Mode", "adversarial"))
    return rows


def _rubric(q: AskedQuestion) -> list[dict[str, Any]]:
    return [r for r in (q.latest_score or {}).get("rubric") or [] if isinstance(r, dict)]


def _evidence(q: AskedQuestion) -> list[dict[str, Any]]:
    return [e for e in (q.latest_score or {}).get("evidence") or [] if isinstance(e, dict)]


def _replies(q: AskedQuestion) -> list[tuple[str, str]]:
    """(what was asked, the reply) in order: the question, then each follow-up."""
    asked = [q.text, *(str(f.get("text", "")) for f in q.follow_ups)]
    return [(asked[i] if i < len(asked) else "", a.text) for i, a in enumerate(q.answers)]


def _feedback_lists(q: AskedQuestion) -> list[tuple[str, list[str]]]:
    fb = q.feedback or {}
    return [("What landed", [str(x) for x in fb.get("what_landed") or []]),
            ("What didn't land", [str(x) for x in fb.get("what_didnt_land") or []])]


def _session_lists(s: BehavioralSession) -> list[tuple[str, list[str], bool]]:
    fb = s.session_feedback or {}
    return [("Key strengths", [str(x) for x in fb.get("key_strengths") or []], False),
            ("Areas to improve", [str(x) for x in fb.get("areas_to_improve") or []], False),
            ("Coaching priorities (most important first)",
             [str(x) for x in fb.get("coaching_priorities") or []], True)]


# --------------------------------------------------------------- markdown


def _md_block(text: str) -> list[str]:
    """Multi-line text (a revised answer, coaching) as Markdown lines, each escaped."""
    return [_md(line) if line.strip() else "" for line in text.splitlines()]


def _md_question(q: AskedQuestion) -> str:
    lines = [f"## Question {q.number} of {q.total}: {_md(competency_name(q.competency))}", "",
             f"> {_md(q.text)}", "",
             f"**Score:** {_score_text(q.score)} · **Level:** {_md(q.level or '?')} · "
             f"difficulty {_md(q.difficulty)}"]
    rubric = _rubric(q)
    if rubric:
        lines += ["", "| Dimension | Points | Why |", "|---|---|---|"]
        lines += [f"| {_md(_DIMENSION_LABELS.get(str(r.get('dimension')), r.get('dimension')))} "
                  f"| {r.get('points')}/{r.get('out_of')} | {_md(r.get('why', ''))} |"
                  for r in rubric]
    evidence = _evidence(q)
    if evidence:
        lines += ["", "**Your words, by STAR part**", ""]
        lines += [f"- **{_STAR_LABELS.get(str(e.get('part')), e.get('part'))}:** "
                  f"“{_md(e.get('sentence', ''))}”" for e in evidence]
    replies = _replies(q)
    lines += ["", "**Answers**", ""]
    lines += [f"{i}. _{_md(asked)}_ — {_md(reply)}" for i, (asked, reply) in
              enumerate(replies, 1)] or ["_Not answered._"]
    if q.feedback is not None:
        for title, items in _feedback_lists(q):
            lines += ["", f"**{title}**", ""]
            lines += [f"- {_md(item)}" for item in items] or ["_None._"]
        lines += ["", "**Coaching**", "", *_md_block(str(q.feedback.get("coaching") or ""))]
        lines += ["", "**Revised answer**", "",
                  *_md_block(str(q.feedback.get("revised_answer") or ""))]
    return "\n".join(lines)


def markdown_sections(report: BehavioralReport) -> list[str]:
    s = report.session
    head = [f"# {_md(report.title)}", "", f"Session `{report.session_id}`", "", "## Summary", "",
            "| | |", "|---|---|", *(f"| {_md(k)} | {_md(v)} |" for k, v in summary_rows(report))]
    sections = ["\n".join(head)]
    sections += [_md_question(q) for q in s.questions] or ["## Questions\n\n_None was asked._"]
    fb = s.session_feedback
    body = ["## Session feedback", ""]
    if fb is None:
        body.append("_The session has not ended: no session feedback yet._")
    else:
        body.append(f"**Readiness:** {_md(s.readiness or '?')} · overall "
                    f"{_score_text(s.overall_score)}")
        if fb.get("overall_assessment"):
            body += ["", _md(fb["overall_assessment"])]
        for title, items, ranked in _session_lists(s):
            body += ["", f"**{title}**", ""]
            body += [f"{i}. {_md(x)}" if ranked else f"- {_md(x)}"
                     for i, x in enumerate(items, 1)] or ["_None._"]
        body += ["", "**Next steps**", "", *_md_block(str(fb.get("next_steps") or ""))]
    sections.append("\n".join(body))
    if len(report.trend) > 1:
        first, latest = report.trend[0], report.trend[-1]
        sections.append("\n".join(["## Progress", "",
                                   f"First session {first.score:g}, latest {latest.score:g} "
                                   f"({latest.score - first.score:+.1f}) over "
                                   f"{len(report.trend)} sessions."]))
    transcript = ["## Transcript", ""]
    transcript += [f"- **{speaker_label(line)}:** {_md(line.text)}"
                   for line in report.transcript] or ["_Nothing was said._"]
    sections.append("\n".join(transcript))
    return sections


def render_markdown(report: BehavioralReport) -> str:
    return "\n\n".join(markdown_sections(report)) + "\n"


# ------------------------------------------------------------------- html


def _html_text(text: str) -> str:
    return f'<p class="pre">{esc(text)}</p>'


def _html_list(items: Sequence[str], ordered: bool = False) -> str:
    if not items:
        return '<p class="muted">None.</p>'
    tag = "ol" if ordered else "ul"
    return f"<{tag}>" + "".join(f"<li>{esc(x)}</li>" for x in items) + f"</{tag}>"


def _html_question(q: AskedQuestion) -> str:
    parts = [f'<section class="question" id="q{q.number}"><h2>Question {q.number} of {q.total}: '
             f"{esc(competency_name(q.competency))}</h2><blockquote>{esc(q.text)}</blockquote>",
             f'<p><b>Score:</b> {esc(_score_text(q.score))} · <b>Level:</b> '
             f"{esc(q.level or '?')} · difficulty {esc(q.difficulty)}</p>"]
    rubric = _rubric(q)
    if rubric:
        rows = "".join(
            f'<tr data-dimension="{esc(r.get("dimension", ""))}"><th>'
            f"{esc(_DIMENSION_LABELS.get(str(r.get('dimension')), r.get('dimension')))}</th>"
            f"<td>{esc(r.get('points'))}/{esc(r.get('out_of'))}</td><td>{esc(r.get('why', ''))}"
            "</td></tr>" for r in rubric)
        parts.append(f'<table class="rubric"><tr><th>Dimension</th><th>Points</th><th>Why</th>'
                     f"</tr>{rows}</table>")
    evidence = _evidence(q)
    if evidence:
        items = "".join(f'<li data-part="{esc(e.get("part", ""))}"><b>'
                        f"{esc(_STAR_LABELS.get(str(e.get('part')), e.get('part')))}:</b> "
                        f"“{esc(e.get('sentence', ''))}”</li>" for e in evidence)
        parts.append(f'<h3>Your words, by STAR part</h3><ul class="evidence">{items}</ul>')
    replies = "".join(f"<li><i>{esc(asked)}</i> — {esc(reply)}</li>"
                      for asked, reply in _replies(q))
    parts.append("<h3>Answers</h3>" + (f"<ol>{replies}</ol>" if replies
                                        else '<p class="muted">Not answered.</p>'))
    if q.feedback is not None:
        for title, listed in _feedback_lists(q):
            parts.append(f"<h3>{esc(title)}</h3>{_html_list(listed)}")
        parts.append("<h3>Coaching</h3>" + _html_text(str(q.feedback.get("coaching") or "")))
        parts.append('<h3>Revised answer</h3><div class="revised">'
                     + _html_text(str(q.feedback.get("revised_answer") or "")) + "</div>")
    return "".join(parts) + "</section>"


def _html_session_feedback(s: BehavioralSession) -> str:
    fb = s.session_feedback
    if fb is None:
        return ('<section class="session-feedback"><h2>Session feedback</h2><p class="muted">'
                "The session has not ended: no session feedback yet.</p></section>")
    parts = ['<section class="session-feedback"><h2>Session feedback</h2>',
             f'<p><b>Readiness:</b> <span class="readiness">{esc(s.readiness or "?")}</span> · '
             f"overall {esc(_score_text(s.overall_score))}</p>"]
    if fb.get("overall_assessment"):
        parts.append(f"<p>{esc(fb['overall_assessment'])}</p>")
    for title, items, ranked in _session_lists(s):
        parts.append(f"<h3>{esc(title)}</h3>{_html_list(items, ranked)}")
    parts.append("<h3>Next steps</h3>" + _html_text(str(fb.get("next_steps") or "")))
    return "".join(parts) + "</section>"


_EXTRA_CSS = """
.mil-report .pre { white-space: pre-wrap; }
.mil-report blockquote { margin: 0.5em 0; padding-left: 0.8em;
  border-left: 3px solid var(--mil-border); }
"""


def render_html(report: BehavioralReport) -> str:
    from mock_interviewer_lab.reporting.html import _PAGE_CSS, REPORT_CSS

    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>"
                   for k, v in summary_rows(report))
    transcript = "".join(
        f'<tr class="{esc(line.speaker)}"><td class="speaker">{esc(speaker_label(line))}</td>'
        f'<td class="text">{esc(line.text)}</td></tr>' for line in report.transcript)
    chart = trend_svg([(p.label, p.score) for p in report.trend]) if len(report.trend) > 1 else None
    return "".join([
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<title>{esc(report.title)}</title>",
        f"<style>{_PAGE_CSS}{REPORT_CSS}{_EXTRA_CSS}</style></head><body>"
        '<div class="mil-report">',
        f"<h1>{esc(report.title)}</h1>",
        f'<p class="muted">Session {esc(report.session_id)}</p>',
        f"<section><h2>Summary</h2><table>{rows}</table></section>",
        *(_html_question(q) for q in report.session.questions),
        _html_session_feedback(report.session),
        f'<section class="trend"><h2>Progress</h2>{chart}</section>' if chart else "",
        '<section class="transcript"><h2>Transcript</h2>',
        f"<table>{transcript}</table>" if transcript else '<p class="muted">Nothing was said.</p>',
        "</section></div></body></html>\n",
    ])


# ------------------------------------------------------------ the notebook


def render_notebook(report: BehavioralReport) -> dict[str, Any]:
    """Markdown cells, and the trend chart as an ``image/svg+xml`` output."""
    chart = chart_cell("# Overall score across your behavioural sessions",
                       trend_svg([(p.label, p.score) for p in report.trend]),
                       f"<trend of {len(report.trend)} sessions>") \
        if len(report.trend) > 1 else None
    return report_notebook(markdown_sections(report), chart, report.as_dict())


def notebook_text(report: BehavioralReport) -> str:
    return notebook_string(render_notebook(report))


def render_json(report: BehavioralReport) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False)


# ---------------------------------------------------------------- history


@dataclass(frozen=True)
class PastSession:
    """A stored behavioural session, read back."""

    info: SessionInfo
    session: BehavioralSession

    @property
    def date(self) -> str:
        return self.info.created_at[:10]

    def competencies(self) -> dict[str, float]:
        """Each competency the session tested, with its question's score."""
        return {q.competency: float(q.score) for q in self.session.questions
                if q.score is not None}

    def completed_at(self) -> str | None:
        if not self.session.ended or self.info.last_t is None:
            return None
        started = datetime.fromisoformat(self.info.created_at)
        return (started + timedelta(seconds=self.info.last_t)).isoformat()

    def as_dict(self) -> dict[str, Any]:
        """The API's BehavioralHistorySession."""
        s = self.session
        return {"session_id": self.info.id, "interview_stage": s.stage,
                "started_at": self.info.created_at, "completed_at": self.completed_at(),
                "overall_score": s.overall_score, "readiness": s.readiness,
                "questions_completed": len(s.completed), "competencies": self.competencies()}


def past_sessions(store: SessionStore) -> list[PastSession]:
    """Every behavioural session of the store, oldest first (simulated and
    replayed ones left out, as ``sessions stats`` leaves them out)."""
    infos = [info for info in store.sessions() if info.kind == BEHAVIORAL_KIND
             and not info.meta.get("simulated") and not info.meta.get("replay_of")]
    return [PastSession(info, read_behavioral(store.records(info.id)))
            for info in reversed(infos)]


def trend(sessions: Sequence[PastSession]) -> dict[str, Any]:
    """First → latest, overall and per competency, over ``sessions``
    (oldest first) that have a score."""
    scored = [p for p in sessions if p.session.overall_score is not None]
    overall = None
    if len(scored) > 1:
        first = float(scored[0].session.overall_score or 0.0)
        latest = float(scored[-1].session.overall_score or 0.0)
        overall = {"first_session_score": first, "latest_session_score": latest,
                   "improvement": f"{latest - first:+.1f}"}
    per: dict[str, dict[str, Any]] = {}
    for past in scored:
        for competency, score in past.competencies().items():
            entry = per.setdefault(competency, {"first": score, "latest": score, "sessions": 0})
            entry["latest"] = score
            entry["sessions"] += 1
    return {"improvement_trend": overall, "competencies": per}


def history_json(store: SessionStore) -> dict[str, Any]:
    """``GET behavioral/history``: the sessions newest first, and the trend."""
    sessions = past_sessions(store)
    return {"sessions": [p.as_dict() for p in reversed(sessions)], **trend(sessions)}


def trend_points(sessions: Sequence[PastSession]) -> list[TrendPoint]:
    return [TrendPoint(p.date, float(p.session.overall_score), p.info.id)
            for p in sessions if p.session.overall_score is not None]


def stored_behavioral_report(store: SessionStore, session_id: str) -> BehavioralReport:
    """The report of a stored behavioural session, with the trend of the
    sessions up to it."""
    info = store.get(session_id)
    sessions = past_sessions(store)
    upto = next((i for i, p in enumerate(sessions) if p.info.id == info.id), len(sessions) - 1)
    return behavioral_report(store.records(info.id), info.id, trend_points(sessions[:upto + 1]))
