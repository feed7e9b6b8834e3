"""The vocabulary of an interview: events in, actions out.

Everything that happens in a session is one of these records, appended to
the session store in order (``seq``) before it takes effect. The
orchestrator turns each event into a list of actions; the shell (the
server, the embedded backend, the CLI) carries the actions out and feeds
their results back as new events (``run_tests`` → ``tests_finished``).

``t`` is seconds since the session started, on the session's clock.

Events (``data`` keys):
  session_started   problem, qualified_id, minutes, mode, coach (helpfulness,
                    personality), settings (a snapshot)
  candidate_said    text
  code_submitted    code
  tests_finished    run (a RunResult as JSON: passed, failed, total, cases,
                    complexity, error), code_seq (the code_submitted it answers),
                    growth ("pending" when a growth_measured follows)
  growth_measured   code_seq, complexity (the growth measurement of code that
                    passed every test, or null when none could be made): the
                    results are shown first, the coach's reply waits for this
  hint_requested    —
  typing            — (the candidate is editing: resets the silence clock)
  silence           seconds (how long nothing was said or typed)
  tick              — (time passes; warnings and time rules fire)
  end_requested     reason ("candidate", "time", "abort")

Actions (``data`` keys):
  coach_says        text, kind (question, reflect, nudge, hint, redirect,
                    warning, intro, wrap_up, complexity, subproblem, praise),
                    coach ("scripted" or the model), fallback (bool);
                    from a model also usage (tokens_in, tokens_out, cost_usd,
                    latency_ms, ... see coach/llm.py) and streamed (how many
                    of its sentences coach_partial already delivered)
  coach_partial     text, coach, index: one sentence of a reply being streamed,
                    already through the leak filter. Pushed to listeners as it
                    comes and NEVER stored: the coach_says that follows holds
                    the whole reply.
  coach_fallback    reason (timeout, error, malformed, refusal, unavailable),
                    detail, model, coach ("scripted"), message (plain words for
                    the panel): the model did not answer and the scripted coach
                    did; the coach_says that follows is the scripted reply
  show_hint         level, of (3), text, reason ("requested", "stuck", or
                    "coach": a model's get_hint tool)
  phase_changed     from, to, reason
  time_warning      minutes_left
  run_tests         code_seq, problem (qualified id of the problem the code answers)
  show_results      passed, failed, total, cases (visible only), complexity, problem
  leak_blocked      reasons, original_kind, original (the blocked text, kept
                    in the store for the instructor; never shown to the candidate),
                    streaming (true when a model's streamed sentence was stopped)
  fishing_redirected  kind (the fishing detector's kind)
  coach_adjusted    assessment, reason, helpfulness, hint_threshold_multiplier
                    (the calibrator changed how the coach helps, mid-session)
  complexity_checked  claimed_time, claimed_space, expected_time,
                    measured_time (or null), correct (bool: the claimed time
                    matches the expected class, or the measured one)
  better_solution   reached (bool), current (the class the candidate's solution
                    has, measured or stated), expected: the optimisation loop's
                    outcome. ``reached: false`` when the time ran short first.
  problem_added     problem, qualified_id, title, function, signature, statement,
                    examples, constraints: a follow-up problem (a harder variant)
                    in the same session; from here on run_tests and show_results
                    carry ``problem`` (its qualified id)
  report_ready      report (the session report as JSON)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

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
]

#: Why an interview ended: the candidate's End, the clock, or the emergency exit.
EndReason = Literal["candidate", "time", "abort"]

EVENT_TYPES: frozenset[str] = frozenset(get_args(EventType))
ACTION_TYPES: frozenset[str] = frozenset(get_args(ActionType))


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
