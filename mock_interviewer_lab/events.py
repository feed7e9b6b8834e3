"""The vocabulary of an interview: events in, actions out.

Everything that happens in a session is one of these records, appended to
the session store in order (``seq``) before it takes effect. The
orchestrator turns each event into a list of actions; the shell (the
server, the embedded backend, the CLI) carries the actions out and feeds
their results back as new events (``run_tests`` → ``tests_finished``).

``t`` is seconds since the session started, on the session's clock.

Events (what happens: the candidate, the clock, the harness's answers):
session_started, candidate_said, code_submitted, tests_finished,
growth_measured, hint_requested, typing, silence, tick, end_requested;
a behavioural interview's next_requested and skip_requested.

Actions (what the engine does: the coach's words, the panel's updates, the
tests to run): coach_says, coach_partial (streamed, never stored),
coach_fallback, show_hint, phase_changed, time_warning, run_tests,
show_results, leak_blocked, fishing_redirected, coach_adjusted,
complexity_checked, better_solution, problem_added, report_ready; a
behavioural interview's question_asked, follow_up_asked, answer_scored,
question_feedback, session_feedback, difficulty_changed, request_refused and scorer_fallback.

Each record's ``data`` has the shape of its type's TypedDict in
:mod:`mock_interviewer_lab.payloads` (the fields and what they mean are
described there); :data:`EVENT_PAYLOADS` and :data:`ACTION_PAYLOADS` map the
type names to them and :func:`validate_payload` checks a payload.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal, get_args

from pydantic import TypeAdapter, ValidationError

from mock_interviewer_lab import payloads as p
from mock_interviewer_lab.payloads import EndReason

EventType = Literal[
    "session_started",
    "candidate_said",
    "code_submitted",
    "tests_finished",
    "growth_measured",
    "hint_requested",
    "typing",
    "silence",
    "tick",
    "end_requested",
    "next_requested",
    "skip_requested",
]

ActionType = Literal[
    "coach_says",
    "coach_partial",
    "coach_fallback",
    "show_hint",
    "phase_changed",
    "time_warning",
    "run_tests",
    "show_results",
    "leak_blocked",
    "fishing_redirected",
    "complexity_checked",
    "coach_adjusted",
    "better_solution",
    "problem_added",
    "report_ready",
    "question_asked",
    "follow_up_asked",
    "answer_scored",
    "question_feedback",
    "session_feedback",
    "difficulty_changed",
    "request_refused",
    "scorer_fallback",
]

__all__ = ["ACTION_PAYLOADS", "ACTION_TYPES", "EVENT_PAYLOADS", "EVENT_TYPES", "Action",
           "ActionType", "EndReason", "Event", "EventType", "PayloadError", "Record",
           "record_from_dict", "validate_payload"]

EVENT_TYPES: frozenset[str] = frozenset(get_args(EventType))
ACTION_TYPES: frozenset[str] = frozenset(get_args(ActionType))

#: The shape of each event's ``data`` (mock_interviewer_lab/payloads.py).
EVENT_PAYLOADS: dict[EventType, type] = {
    "session_started": p.SessionStarted,
    "candidate_said": p.CandidateSaid,
    "code_submitted": p.CodeSubmitted,
    "tests_finished": p.TestsFinished,
    "growth_measured": p.GrowthMeasured,
    "hint_requested": p.HintRequested,
    "typing": p.Typing,
    "silence": p.Silence,
    "tick": p.Tick,
    "end_requested": p.EndRequested,
    "next_requested": p.NextRequested,
    "skip_requested": p.SkipRequested,
}

#: The shape of each action's ``data`` (mock_interviewer_lab/payloads.py).
ACTION_PAYLOADS: dict[ActionType, type] = {
    "coach_says": p.CoachSays,
    "coach_partial": p.CoachPartial,
    "coach_fallback": p.CoachFallback,
    "show_hint": p.ShowHint,
    "phase_changed": p.PhaseChanged,
    "time_warning": p.TimeWarning,
    "run_tests": p.RunTests,
    "show_results": p.ShowResults,
    "leak_blocked": p.LeakBlocked,
    "fishing_redirected": p.FishingRedirected,
    "complexity_checked": p.ComplexityChecked,
    "coach_adjusted": p.CoachAdjusted,
    "better_solution": p.BetterSolution,
    "problem_added": p.ProblemAdded,
    "report_ready": p.ReportReady,
    "question_asked": p.QuestionAsked,
    "follow_up_asked": p.FollowUpAsked,
    "answer_scored": p.AnswerScored,
    "question_feedback": p.QuestionFeedbackJson,
    "session_feedback": p.SessionFeedbackJson,
    "difficulty_changed": p.DifficultyChanged,
    "request_refused": p.RequestRefused,
    "scorer_fallback": p.ScorerFallback,
}


class PayloadError(ValueError):
    """A record's ``data`` does not have its type's shape."""


@cache
def _adapter(kind: Literal["event", "action"], type_: str) -> TypeAdapter[Any]:
    shapes = EVENT_PAYLOADS if kind == "event" else ACTION_PAYLOADS
    shape = next((v for k, v in shapes.items() if k == type_), None)
    if shape is None:
        raise PayloadError(f"unknown {kind} type {type_!r}")
    return TypeAdapter(shape)


def validate_payload(kind: Literal["event", "action"], type_: str, data: Any) -> None:
    """Check ``data`` against the TypedDict of the ``kind`` named ``type_``
    (strictly: no other key, no coercion); :class:`PayloadError` names the
    type and each field that is wrong."""
    try:
        _adapter(kind, type_).validate_python(data)
    except ValidationError as exc:
        wrong = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'data'}: {e['msg']}" for e in exc.errors())
        raise PayloadError(f"{kind} {type_}: {wrong}") from None


@dataclass(frozen=True)
class Event:
    type: EventType
    t: float
    data: dict[str, Any] = field(default_factory=dict)
    #: Position in the session's log; None until the store has appended it.
    seq: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "event", "type": self.type, "t": self.t, "data": self.data, "seq": self.seq}


@dataclass(frozen=True)
class Action:
    type: ActionType
    t: float
    data: dict[str, Any] = field(default_factory=dict)
    seq: int | None = None
    #: The seq of the event that caused it.
    cause: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "action", "type": self.type, "t": self.t, "data": self.data,
                "seq": self.seq, "cause": self.cause}


Record = Event | Action


def record_from_dict(d: dict[str, Any]) -> Record:
    if d["kind"] == "event":
        if d["type"] not in EVENT_TYPES:
            raise ValueError(f"unknown event type {d['type']!r}")
        return Event(type=d["type"], t=float(d["t"]), data=dict(d.get("data") or {}), seq=d.get("seq"))
    if d["kind"] == "action":
        if d["type"] not in ACTION_TYPES:
            raise ValueError(f"unknown action type {d['type']!r}")
        return Action(type=d["type"], t=float(d["t"]), data=dict(d.get("data") or {}),
                      seq=d.get("seq"), cause=d.get("cause"))
    raise ValueError(f"unknown record kind {d['kind']!r}")
