"""The panel of a behavioural interview: the coding panel's frame (the
conversation, the countdown, the microphone, the status line, the saved
report) around a behavioural interview's own screens (seed 002's UI).

It shows where the candidate is ("Question 3 of 5", "Follow-up 2 of 3"),
what is asked, a multi-line answer box (Enter is a new line there; the
Submit button sends), the brief feedback after each answer, each question's
feedback card (score, level, the rubric's parts, the candidate's sentences
labelled by STAR part, what landed and what didn't, coaching, the revised
answer with its ``[placeholders]`` marked), the session's summary and the
history's trend chart. Nothing of a coding interview (statement, stepper,
hints, tests, complexity) is shown.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets  # type: ignore[import-untyped]

from mock_interviewer_lab.kernel.panel import PANEL_CSS, Panel, esc
from mock_interviewer_lab.reporting.charts import trend_svg

_STAR_LABELS = {"situation": "Situation", "task": "Task", "action": "Action",
                "result": "Result", "reflection": "Reflection"}
_PLACEHOLDER = re.compile(r"(\[[^\[\]\n]{1,120}\])")

BEHAVIORAL_CSS = """
.mil-panel .mil-card { border: 1px solid var(--mil-border); border-radius: 4px;
  padding: 6px 10px; margin: 6px 0; }
.mil-panel .mil-pre { white-space: pre-wrap; overflow-wrap: anywhere; }
.mil-panel mark.mil-placeholder { background: var(--mil-highlight); color: inherit; }
.mil-panel .mil-progress { font-weight: bold; }
"""


def _marked(text: str) -> str:
    """Escaped text with each ``[placeholder]`` marked (visible, not hidden)."""
    return _PLACEHOLDER.sub(r'<mark class="mil-placeholder">\1</mark>', esc(text))


def _items(values: Any) -> str:
    items = [str(v) for v in values or []]
    if not items:
        return '<p class="mil-muted">None.</p>'
    return "<ul>" + "".join(f"<li>{esc(v)}</li>" for v in items) + "</ul>"


def star_time(seconds: Any) -> str:
    """'; situation 6 s, action 12 s, result 119 s' (a spoken answer's time
    per STAR part, as said), or ''."""
    if not isinstance(seconds, dict) or not seconds:
        return ""
    return "; " + ", ".join(f"{esc(part)} {esc(round(s))} s" for part, s in seconds.items())


def rubric_html(scored: dict[str, Any] | None) -> str:
    rows = "".join(
        f"<tr><th>{esc(r.get('dimension', ''))}</th><td>{esc(r.get('points'))}/"
        f"{esc(r.get('out_of'))}</td><td>{esc(r.get('why', ''))}</td></tr>"
        for r in (scored or {}).get("rubric") or [] if isinstance(r, dict))
    return f"<table><tr><th>part</th><th>points</th><th>why</th></tr>{rows}</table>" \
        if rows else ""


def evidence_html(scored: dict[str, Any] | None) -> str:
    items = "".join(
        f"<li><b>{esc(_STAR_LABELS.get(str(e.get('part')), e.get('part')))}:</b> "
        f"“{esc(e.get('sentence', ''))}”</li>"
        for e in (scored or {}).get("evidence") or [] if isinstance(e, dict))
    return f"<p><b>Your words, by STAR part</b></p><ul>{items}</ul>" if items else ""


def feedback_card_html(feedback: dict[str, Any], scored: dict[str, Any] | None) -> str:
    """A question's feedback card: score, level, rubric, STAR evidence, what
    landed and what didn't, coaching and the revised answer."""
    number = feedback.get("question_number", "?")
    return "".join([
        f'<div class="mil-card" data-question="{esc(number)}">',
        f"<h4>Question {esc(number)}: {esc(str(feedback.get('competency', '')).replace('_', ' '))}"
        f" — {esc(feedback.get('score', '?'))}/10, level {esc(feedback.get('level', '?'))}</h4>",
        f"<p>{esc(feedback.get('overall_assessment', ''))}</p>"
        if feedback.get("overall_assessment") else "",
        rubric_html(scored), evidence_html(scored),
        "<p><b>What landed</b></p>", _items(feedback.get("what_landed")),
        "<p><b>What didn't land</b></p>", _items(feedback.get("what_didnt_land")),
        f'<p><b>Coaching</b></p><p class="mil-pre">{esc(feedback.get("coaching", ""))}</p>',
        '<p><b>Revised answer</b> <span class="mil-muted">(your words in STAR order; fill in '
        "the [marked] places from what really happened)</span></p>",
        f'<p class="mil-pre mil-revised">{_marked(str(feedback.get("revised_answer", "")))}</p>',
        "</div>"])


def session_summary_html(feedback: dict[str, Any]) -> str:
    priorities = "".join(f"<li>{esc(p)}</li>" for p in feedback.get("coaching_priorities") or [])
    completed = feedback.get("questions_completed")
    return "".join([
        '<div class="mil-card mil-summary"><h4>Session summary</h4><table>',
        f"<tr><th>Overall score</th><td>{esc(feedback.get('overall_score', '?'))}/10</td></tr>",
        f"<tr><th>Questions completed</th><td>{esc(completed)}</td></tr>"
        if completed is not None else "",
        f"<tr><th>Readiness</th><td><b>{esc(feedback.get('readiness', '?'))}</b></td></tr>"
        "</table>",
        f"<p>{esc(feedback.get('overall_assessment', ''))}</p>"
        if feedback.get("overall_assessment") else "",
        "<p><b>Key strengths</b></p>", _items(feedback.get("key_strengths")),
        "<p><b>Areas to improve</b></p>", _items(feedback.get("areas_to_improve")),
        "<p><b>Coaching priorities</b> (most important first)</p>",
        f"<ol>{priorities}</ol>" if priorities else '<p class="mil-muted">None.</p>',
        f'<p><b>Next steps</b></p><p class="mil-pre">{esc(feedback.get("next_steps", ""))}</p>',
        "</div>"])


def history_html(history: dict[str, Any]) -> str:
    """The trend across behavioural sessions (``GET behavioral/history``'s
    shape): a chart, first → latest, and per competency."""
    sessions = list(reversed([s for s in history.get("sessions") or []
                              if isinstance(s.get("overall_score"), int | float)]))
    if not sessions:
        return ""
    parts = ["<h4>Your progress</h4>"]
    if len(sessions) > 1:
        parts.append(trend_svg([(str(s.get("started_at", ""))[:10], float(s["overall_score"]))
                                for s in sessions]))
    trend = history.get("improvement_trend")
    if trend:
        parts.append(f"<p>First session {esc(trend.get('first_session_score'))}, latest "
                     f"{esc(trend.get('latest_session_score'))} "
                     f"({esc(trend.get('improvement'))}).</p>")
    rows = "".join(f"<tr><th>{esc(name.replace('_', ' '))}</th><td>{esc(t.get('first'))} → "
                   f"{esc(t.get('latest'))}</td><td>{esc(t.get('sessions'))}</td></tr>"
                   for name, t in sorted((history.get("competencies") or {}).items()))
    if rows:
        parts.append("<table><tr><th>competency</th><th>first → latest</th><th>sessions</th>"
                     f"</tr>{rows}</table>")
    return "".join(parts)


class BehavioralPanel(Panel):
    """A behavioural interview's panel (the module's docstring)."""

    def __init__(self, problem: dict[str, Any], *,
                 on_say: Callable[[str], None] | None = None,
                 on_next: Callable[[], None] | None = None,
                 on_skip: Callable[[], None] | None = None,
                 on_end: Callable[[], None] | None = None,
                 on_export: Callable[[], None] | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 browser_clock: bool = False) -> None:
        self._on_next = on_next
        self._on_skip = on_skip
        self._on_end = on_end
        #: question number -> its last answer_scored (the card's rubric and evidence).
        self.scores: dict[int, dict[str, Any]] = {}
        self.cards: list[str] = []
        self.question_number = 0
        self.total = 5
        super().__init__(problem, on_say=on_say, on_export=on_export, clock=clock,
                         browser_clock=browser_clock)

    # ------------------------------------------------------------- widgets

    def _build(self) -> None:
        p = self.problem
        self.title = widgets.HTML(f"<h3>{esc(p.get('title', 'Behavioural interview'))}</h3>")
        self.progress = widgets.HTML('<p class="mil-progress">Starting…</p>')
        self.question = widgets.HTML()
        self.answer_box = widgets.Textarea(
            placeholder="Your answer: the situation, your task, what you did, the result "
            "(Enter is a new line; Submit sends it)",
            layout=widgets.Layout(width="100%", height="9em"))
        self.submit_button = widgets.Button(description="Submit", button_style="primary",
                                            tooltip="send your answer")
        self.skip_button = widgets.Button(description="Skip follow-up",
                                          tooltip="skip this follow-up question")
        self.next_button = widgets.Button(description="Next question",
                                          tooltip="move on to the next question")
        self.end_button = widgets.Button(description="End session",
                                         tooltip="end the interview and see the summary")
        self.brief = widgets.HTML()
        self.card = widgets.HTML()
        self.summary = widgets.HTML()
        self.history = widgets.HTML()
        # What the coding panel's code reaches for, kept out of sight.
        self.phase_labels: dict[str, Any] = {}
        self.stepper = widgets.HBox()
        self.statement = widgets.HTML()
        self.hint_label = widgets.Label()
        self.hint_text = widgets.HTML()
        self.results = widgets.HTML()
        self.complexity = widgets.HTML()
        self.message_box = self.answer_box
        self.send_button = self.submit_button
        self._build_shared()
        self.submit_button.on_click(lambda _button: self._send_clicked())
        self.skip_button.on_click(lambda _button: self._call(self._on_skip))
        self.next_button.on_click(lambda _button: self._call(self._on_next))
        self.end_button.on_click(lambda _button: self._call(self._on_end))
        self.style = widgets.HTML(f"<style>{PANEL_CSS}{BEHAVIORAL_CSS}</style>",
                                  layout=widgets.Layout(display="none"))
        self.buttons = widgets.HBox([self.submit_button, self.skip_button, self.next_button,
                                     self.end_button])
        self.widget = widgets.VBox([
            self.style, self.title, self.countdown, self.progress, self.question,
            self.answer_box, self.buttons, self.voice_box, self.brief, self.status, self.card,
            self.summary, self.history, self.report, self.export_button,
            widgets.Accordion(children=[self.transcript_html], titles=("Conversation",)),
        ])
        self.widget.add_class("mil-panel")
        self._render_countdown()

    @staticmethod
    def _call(callback: Callable[[], None] | None) -> None:
        if callback is not None:
            callback()

    # ------------------------------------------------------------- updates

    def _on_question_asked(self, data: dict[str, Any], _t: float | None) -> None:
        self.question_number = int(data.get("number") or self.question_number + 1)
        self.total = int(data.get("total") or self.total)
        competency = str(data.get("competency", "")).replace("_", " ")
        self.progress.value = (f'<p class="mil-progress">Question {self.question_number} of '
                               f"{self.total} · {esc(competency)} · "
                               f"{esc(data.get('difficulty', ''))}</p>")
        fell_back = f'<p class="mil-muted">{esc(data["fell_back"])}</p>' \
            if data.get("fell_back") else ""
        self.question.value = f"<p><b>{esc(data.get('text', ''))}</b></p>{fell_back}"
        self.brief.value = ""
        self.skip_button.layout.display = "none"

    def _on_follow_up_asked(self, data: dict[str, Any], _t: float | None) -> None:
        self.progress.value = (f'<p class="mil-progress">Question {esc(data.get("question_number"))}'
                               f" of {self.total} · Follow-up {esc(data.get('number'))} of "
                               f"{esc(data.get('of'))}</p>")
        self.question.value = f"<p><b>{esc(data.get('text', ''))}</b></p>"
        self.skip_button.layout.display = ""

    def _on_answer_scored(self, data: dict[str, Any], _t: float | None) -> None:
        self.scores[int(data.get("question_number") or 0)] = data
        delivery = data.get("delivery") or {}
        spoken = ""
        if delivery:
            wpm = delivery.get("words_per_minute")
            spoken = (f'<p class="mil-muted">Delivery: {esc(round(wpm) if wpm else "?")} words '
                      f"a minute, {esc(delivery.get('fillers', 0))} fillers, "
                      f"{esc(delivery.get('pauses', 0))} pauses, "
                      f"{esc(round(delivery.get('answer_seconds') or 0))} s"
                      f"{' (over the two-minute guide)' if delivery.get('over_guide') else ''}"
                      f"{star_time(delivery.get('star_seconds'))}</p>")
        self.brief.value = (f"<p><b>{esc(data.get('score', '?'))}/10 · "
                            f"{esc(data.get('level', '?'))}</b> — "
                            f"{esc(data.get('brief_feedback', ''))}</p>{spoken}")

    def _on_question_feedback(self, data: dict[str, Any], _t: float | None) -> None:
        number = int(data.get("question_number") or 0)
        self.cards.insert(0, feedback_card_html(data, self.scores.get(number)))
        self.card.value = "".join(self.cards)
        self.skip_button.layout.display = "none"
        self.question.value += ('<p class="mil-muted">This question is over: Next question when '
                                "you are ready, or End session.</p>")

    def _on_session_feedback(self, data: dict[str, Any], _t: float | None) -> None:
        self.summary.value = session_summary_html(data)
        for button in (self.submit_button, self.skip_button, self.next_button, self.end_button):
            button.disabled = True

    def _on_request_refused(self, data: dict[str, Any], _t: float | None) -> None:
        self.show_error(str(data.get("reason", "")))

    def _on_scorer_fallback(self, data: dict[str, Any], _t: float | None) -> None:
        self.show_note(str(data.get("message", "")))

    def _on_difficulty_changed(self, data: dict[str, Any], _t: float | None) -> None:
        self.show_note(f"Difficulty {data.get('from')} → {data.get('to')}: "
                       f"{data.get('reason', '')}")

    def _on_report_ready(self, _data: dict[str, Any], _t: float | None) -> None:
        self.ended = True
        self._stop.set()
        self._voice_off()
        for button in (self.submit_button, self.skip_button, self.next_button, self.end_button):
            button.disabled = True
        if self._on_export is not None:
            self.export_button.layout.display = ""

    def show_history(self, history: dict[str, Any]) -> None:
        """The trend across the candidate's behavioural sessions."""
        self.history.value = history_html(history)

    def _render_stepper(self) -> None:
        return None
