"""End-of-session feedback: strengths, improvements and next steps.

With a model (the session's coach is an :class:`~.llm.LlmCoach`), the model
is given the session's records, numbered and described the way the report
describes them (never a blocked message, never a hidden test), the report's
figures and the final code, and asked for JSON whose every point cites the
records it rests on. A point is kept only if it cites records that exist,
gives no score, grade or rating, and passes the leak filter; the rest are
listed in ``rejected`` with the reason. A model that fails, or whose points
are all rejected, gives way to the engine's own report.

Without a model, the feedback is the engine's own report (the rule-based
statements of :mod:`mock_interviewer_lab.reporting.report`), labelled as
such (:mod:`mock_interviewer_lab.reporting.feedback`). Nothing here makes up
a score.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from mock_interviewer_lab.coach.errors import ModelFailure
from mock_interviewer_lab.events import Event, Record
from mock_interviewer_lab.interview.coaching import Coach
from mock_interviewer_lab.interview.rules.leaks import LeakFilter
from mock_interviewer_lab.reporting.feedback import (
    ENGINE_LABEL,
    Feedback,
    FeedbackItem,
    engine_feedback,
)

if TYPE_CHECKING:
    from mock_interviewer_lab.problems.loader import Problem
    from mock_interviewer_lab.reporting.report import SessionReport

SECTIONS = ("strengths", "improvements", "next_steps")
MAX_ITEMS = 5
MAX_ITEM_CHARS = 400
FEEDBACK_MAX_TOKENS = 900
#: Records that say nothing about how the candidate did.
_SKIPPED = frozenset({"tick", "typing", "report_ready", "coach_partial", "run_tests"})
#: A score, grade or rating, which the records cannot support.
SCORE_RE = re.compile(
    r"\b(?:scored?|scores|scoring|rating|rated|grade[sd]?|grading|stars?|hire|no[- ]hire)\b"
    r"|\b\d+(?:\.\d+)?\s*(?:/|out of)\s*(?:5|10|100)\b(?!\s*(?:tests?|cases?|hints?))"
    r"|\b\d+(?:\.\d+)?\s*points?\b",
    re.IGNORECASE)

FEEDBACK_PROMPT = """You review a mock coding interview that has just ended. Write feedback for the candidate: strengths, improvements and next steps.

Rules:
- Every point must rest on the numbered records below and cite them by number in "evidence". A point you cannot back with records is not allowed.
- No score, grade, rating, points, percentage of readiness or hire decision: the records cannot support one.
- Never give the solution, the optimal data structure or algorithm, or code.
- Second person, one or two plain sentences per point, at most five points per section.

Answer with JSON only, exactly this shape:
{"strengths": [{"text": "...", "evidence": [12, 14]}], "improvements": [{"text": "...", "evidence": [20]}], "next_steps": [{"text": "...", "evidence": [31]}]}
"""


class FeedbackRejected(ValueError):
    """The model's answer could not be used (not JSON, or no grounded point)."""


# ---------------------------------------------------------------- model


def session_lines(records: Iterable[Record]) -> list[tuple[int, str]]:
    """(seq, what happened) for the records worth reviewing, in order."""
    from mock_interviewer_lab.reporting.records import numbered
    from mock_interviewer_lab.reporting.report import describe_record

    lines = []
    for seq, r in numbered(records):
        if r.type in _SKIPPED:
            continue
        lines.append((seq, f"{r.t / 60:5.1f} min  {describe_record(r)}"))
    return lines


def feedback_messages(records: list[Record], report: SessionReport) -> list[dict[str, Any]]:
    figures = "\n".join(f"- {f.label}: {f.value}" for f in report.figures)
    lines = "\n".join(f"#{seq} {text}" for seq, text in session_lines(records))
    code = next((r for r in reversed(records)
                 if isinstance(r, Event) and r.type == "code_submitted"), None)
    parts = [f"PROBLEM: {report.problem_title}", f"FIGURES:\n{figures}", f"RECORDS:\n{lines}"]
    if code is not None:
        parts.append(f"FINAL CODE (record #{code.seq}):\n{code.data.get('code', '')}")
    return [{"role": "system", "content": FEEDBACK_PROMPT},
            {"role": "user", "content": "\n\n".join(parts)}]


def _json_object(text: str) -> dict[str, Any]:
    stripped = re.sub(r"^```(?:json)?\s*|\s*```$", "", text.strip())
    start, end = stripped.find("{"), stripped.rfind("}")
    if start < 0 or end <= start:
        raise FeedbackRejected("the model's feedback is not JSON")
    try:
        data = json.loads(stripped[start:end + 1])
    except json.JSONDecodeError as exc:
        raise FeedbackRejected(f"the model's feedback is not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise FeedbackRejected("the model's feedback is not a JSON object")
    return data


def grounded_items(data: dict[str, Any], *, known: set[int], leaks: LeakFilter | None,
                   candidate_words: tuple[str, ...]) -> tuple[dict[str, list[FeedbackItem]],
                                                          list[dict[str, Any]]]:
    """The points that cite real records and make no score or leak; and the rest."""
    kept: dict[str, list[FeedbackItem]] = {name: [] for name in SECTIONS}
    rejected: list[dict[str, Any]] = []
    for name in SECTIONS:
        raw = data.get(name) or []
        if not isinstance(raw, list):
            rejected.append({"text": str(raw)[:MAX_ITEM_CHARS], "why": f"{name} is not a list"})
            continue
        for item in raw:
            text = str(item.get("text", "") if isinstance(item, dict) else item).strip()
            cited = item.get("evidence") if isinstance(item, dict) else None
            evidence = sorted({int(s) for s in cited if isinstance(s, int)
                               and not isinstance(s, bool)}) if isinstance(cited, list) else []
            why = ""
            if not text:
                why = "empty"
            elif not evidence:
                why = "cites no record"
            elif set(evidence) - known:
                why = f"cites records that do not exist: {sorted(set(evidence) - known)}"
            elif SCORE_RE.search(text):
                why = "gives a score, grade or rating"
            elif len(kept[name]) >= MAX_ITEMS:
                why = "more than five points"
            elif leaks is not None and leaks.check(text, candidate_words=candidate_words).leak:
                why = "gives away the solution"
            if why:
                rejected.append({"text": text[:MAX_ITEM_CHARS], "why": why})
            else:
                kept[name].append(FeedbackItem(text[:MAX_ITEM_CHARS], evidence))
    return kept, rejected


def model_feedback(coach: Any, records: list[Record], problem: Problem | None,
                   report: SessionReport) -> Feedback:
    """Ask the model; raises FeedbackRejected or the coach's ModelFailure."""
    from mock_interviewer_lab.reporting.records import numbered

    text, figures = coach.complete_text(feedback_messages(records, report),
                                        max_tokens=FEEDBACK_MAX_TOKENS)
    data = _json_object(text)
    known = {seq for seq, _ in numbered(records)}
    words = tuple(str(r.data.get("text") or r.data.get("code") or "") for r in records
                  if isinstance(r, Event) and r.type in ("candidate_said", "code_submitted"))
    kept, rejected = grounded_items(data, known=known,
                                    leaks=LeakFilter(problem) if problem is not None else None,
                                    candidate_words=words)
    if not any(kept.values()):
        raise FeedbackRejected("none of the model's points cited the session's records "
                               f"({len(rejected)} rejected)")
    return Feedback(source="model", label=f"Feedback from the model {coach.name}, every point "
                    "citing the records it rests on.", model=str(coach.name),
                    strengths=kept["strengths"], improvements=kept["improvements"],
                    next_steps=kept["next_steps"], rejected=rejected,
                    usage=figures.as_dict())


def session_feedback(coach: Coach | None, records: list[Record], problem: Problem | None,
                     report: SessionReport) -> Feedback:
    """The model's feedback when the coach has a model and it answers; the
    engine's own report otherwise, with the reason."""
    if coach is None or not callable(getattr(coach, "complete_text", None)):
        return engine_feedback(report)

    try:
        return model_feedback(coach, records, problem, report)
    except ModelFailure as exc:
        return engine_feedback(report, note=f"The model gave no feedback ({exc.reason}: "
                                            f"{exc.detail}); this is the engine's own report.")
    except FeedbackRejected as exc:
        return engine_feedback(report, note=f"The model's feedback was not used ({exc}); "
                                            "this is the engine's own report.")


__all__ = ["ENGINE_LABEL", "SCORE_RE", "Feedback", "FeedbackItem", "FeedbackRejected",
           "engine_feedback", "model_feedback", "session_feedback"]
