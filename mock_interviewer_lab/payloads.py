"""The ``data`` of every event and action, one TypedDict each.

The session log (:mod:`mock_interviewer_lab.events`) stores each record's
``data`` as JSON: every payload here is JSON-shaped (str, int, float, bool,
None, lists and objects). :data:`~mock_interviewer_lab.events.EVENT_PAYLOADS`
and :data:`~mock_interviewer_lab.events.ACTION_PAYLOADS` map each type name
to its TypedDict, and :func:`~mock_interviewer_lab.events.validate_payload`
checks a payload against it. A key that is not always there is
``NotRequired``; no other key is allowed.

Where another module owns the shape of a nested value (the settings, a
model's usage figures, the report), it is ``dict[str, Any]`` here and the
comment names the owner.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict  # pydantic's on Python 3.11

from mock_interviewer_lab.settings import Helpfulness, Mode, Personality

#: Why an interview ended: the candidate's End, the clock, or the emergency exit.
EndReason = Literal["candidate", "time", "abort"]

#: Every payload: no key beyond its own, and no coercion (a "3" is not a 3).
_STRICT = ConfigDict(extra="forbid", strict=True)


# ---------------------------------------------------------------- nested


@with_config(_STRICT)
class CoachChoice(TypedDict):
    """The coach a session started with (its meta holds the same)."""

    helpfulness: Helpfulness
    personality: Personality


@with_config(_STRICT)
class SpeechSpan(TypedDict):
    """When a spoken answer started and ended, in seconds of the session
    (the voice channel's final; None where the recogniser gave none)."""

    start: float | None
    end: float | None


@with_config(_STRICT)
class CaseJson(TypedDict):
    """One test case of a run (harness/outcome.py's CaseOutcome as JSON).
    A hidden case has only index, name, hidden, kind and status filled in."""

    index: int
    name: str
    hidden: bool
    kind: Literal["io", "generated", "assert"]
    status: Literal["passed", "failed", "error", "timeout", "memory"]
    args: list[Any] | None
    kwargs: dict[str, Any] | None
    expected: Any
    got: Any
    got_repr: str | None
    message: str | None
    traceback: str | None
    line: int | None
    stdout: str | None
    stdout_dropped_bytes: int
    time_ms: float | None


@with_config(_STRICT)
class ComplexityJson(TypedDict):
    """A growth measurement (harness/outcome.py's ComplexityReport as JSON)."""

    expected: str | None
    estimated: str | None  # the class the measurement found, e.g. "O(n)"
    exponent: float | None
    reliable: bool
    samples: list[list[float]]  # (input size, seconds) pairs
    worse_than_expected: bool  # reliably and clearly worse than expected
    note: str


@with_config(_STRICT)
class RunJson(TypedDict):
    """One harness run (harness/outcome.py's RunResult.public_json())."""

    problem: str
    passed: int
    failed: int
    total: int
    cases: list[CaseJson]
    complexity: ComplexityJson | None  # None until the growth is measured
    error: str | None  # the code did not load, or the run stopped
    seconds: float
    isolation: dict[str, Any]  # how the sandbox ran (harness/runner.py)


@with_config(_STRICT)
class ExampleJson(TypedDict):
    """One example of a problem statement (problems/model.py's Example)."""

    input: str
    output: str
    explanation: str


# ---------------------------------------------------------------- events


@with_config(_STRICT)
class SessionStarted(TypedDict):
    problem: str  # the problem's id in its pack
    qualified_id: str  # pack:id
    minutes: float  # the interview's length
    mode: Mode
    coach: CoachChoice
    settings: dict[str, Any]  # a snapshot of the session's Settings (settings.py), as JSON
    kind: NotRequired[str]  # the kind of interview (interview/kinds/: "coding"); absent: coding


@with_config(_STRICT)
class CandidateSaid(TypedDict):
    text: str
    source: NotRequired[Literal["voice"]]  # spoken (the voice channel); typed when absent
    speech: NotRequired[SpeechSpan]  # with source "voice": when it was said


@with_config(_STRICT)
class CodeSubmitted(TypedDict):
    code: str


@with_config(_STRICT)
class TestsFinished(TypedDict):
    run: RunJson  # without the growth measurement when growth is "pending"
    code_seq: int | None  # the code_submitted it answers
    # "pending" when a growth_measured follows: the results are shown first,
    # the coach's reply waits for the measurement.
    growth: NotRequired[Literal["pending"]]


@with_config(_STRICT)
class GrowthMeasured(TypedDict):
    code_seq: int | None  # the code_submitted measured
    # How code that passed every test grows; None when no measurement could be made.
    complexity: ComplexityJson | None


@with_config(_STRICT)
class HintRequested(TypedDict):
    """No data."""


@with_config(_STRICT)
class Typing(TypedDict):
    """No data: the candidate is editing (resets the silence clock)."""


@with_config(_STRICT)
class Silence(TypedDict):
    seconds: float  # how long nothing was said or typed


@with_config(_STRICT)
class Tick(TypedDict):
    """No data: time passes; warnings and time rules fire."""


@with_config(_STRICT)
class EndRequested(TypedDict):
    reason: EndReason


# ---------------------------------------------------------------- actions


@with_config(_STRICT)
class CoachSays(TypedDict):
    text: str
    # question, reflect, nudge, hint, redirect, warning, intro, wrap_up,
    # complexity, subproblem, praise, clarification, pitfall, ... (the coach's word)
    kind: str
    coach: str  # "scripted" or the model
    fallback: bool  # a model did not answer; this is the scripted coach's reply
    # From a model: tokens_in, tokens_out, cost_usd, latency_ms, ... (coach/llm.py's TurnFigures)
    usage: NotRequired[dict[str, Any]]
    # From a model: how many of its sentences coach_partial already delivered.
    streamed: NotRequired[int]


@with_config(_STRICT)
class CoachPartial(TypedDict):
    """One sentence of a reply being streamed, already through the leak
    filter. Pushed to listeners as it comes and NEVER stored: the
    coach_says that follows holds the whole reply."""

    text: str
    coach: str  # the model


@with_config(_STRICT)
class CoachFallback(TypedDict):
    """The model did not answer and the scripted coach did; the coach_says
    that follows is the scripted reply."""

    reason: Literal["timeout", "error", "malformed", "refusal", "unavailable"]
    detail: str
    model: str
    coach: str  # who replied instead: "scripted"
    message: str  # plain words for the panel


@with_config(_STRICT)
class ShowHint(TypedDict):
    level: int
    of: int  # how many levels there are (hints.LEVELS)
    text: str
    # "requested", "stuck", or "coach" (a model's get_hint tool)
    reason: Literal["requested", "stuck", "coach"]
    label: str  # "hint 2 of 3"


# "from" is a keyword: this one and BetterSolution are written the functional way.
PhaseChanged = TypedDict("PhaseChanged", {
    "from": str,  # a Phase value (interview/phases.py)
    "to": str,
    "reason": str,  # in words: "all tests pass", "ended (time)", ...
})
PhaseChanged.__pydantic_config__ = _STRICT  # type: ignore[attr-defined]


@with_config(_STRICT)
class TimeWarning(TypedDict):
    minutes_left: int


@with_config(_STRICT)
class RunTests(TypedDict):
    code_seq: int | None  # the code_submitted to run
    problem: str  # qualified id of the problem the code answers


@with_config(_STRICT)
class ShowResults(TypedDict):
    passed: int
    failed: int
    total: int
    cases: list[CaseJson]  # hidden cases carry only index, name, hidden, kind and status
    complexity: ComplexityJson | None
    error: str | None
    code_seq: int | None
    problem: str  # qualified id of the problem the code answers


@with_config(_STRICT)
class LeakBlocked(TypedDict):
    reasons: list[str]
    original_kind: str  # the kind of the coach line that was blocked
    # The blocked text, kept in the store for the instructor; never shown to the candidate.
    original: str
    # True when a model's streamed sentence was stopped (absent otherwise).
    streaming: NotRequired[bool]


@with_config(_STRICT)
class FishingRedirected(TypedDict):
    kind: str | None  # the fishing detector's kind


@with_config(_STRICT)
class CoachAdjusted(TypedDict):
    """The calibrator changed how the coach helps, mid-session."""

    assessment: Literal["too_easy", "too_hard", "struggling", "comfortable", "appropriate"]
    reason: str
    helpfulness: str
    hint_threshold_multiplier: float


@with_config(_STRICT)
class ComplexityChecked(TypedDict):
    claimed_time: str
    claimed_space: str | None
    expected_time: str | None
    measured_time: str | None
    # The claimed time matches the expected class, or the measured one.
    correct: bool


# The optimisation loop's outcome; reached false when the time ran short first.
BetterSolution = TypedDict("BetterSolution", {
    "reached": bool,
    "current": str | None,  # the class the candidate's solution has, measured or stated
    "expected": str | None,
    "from": str | None,  # the class the loop started from
})
BetterSolution.__pydantic_config__ = _STRICT  # type: ignore[attr-defined]


@with_config(_STRICT)
class ProblemAdded(TypedDict):
    """A follow-up problem (a harder variant) in the same session; from here
    on run_tests and show_results carry its qualified id in ``problem``.
    The fields are the problem's public view (problems/loader.py)."""

    problem: str  # its id in its pack
    qualified_id: str
    title: str
    function: str
    signature: str  # the stub the candidate starts from
    statement: str
    difficulty: Literal["easy", "medium", "hard"]
    examples: list[ExampleJson]
    constraints: list[str]


@with_config(_STRICT)
class ReportReady(TypedDict):
    """The session report itself (reporting/report.py's SessionReport as a
    dict), with the end-of-session feedback."""

    session_id: str
    problem_id: str
    problem_title: str
    expected_time: str | None
    figures: list[dict[str, Any]]
    timeline: dict[str, Any]
    strengths: list[dict[str, Any]]
    improvements: list[dict[str, Any]]
    recommendations: list[dict[str, Any]]
    transcript: list[dict[str, Any]]
    cited: list[dict[str, Any]]
    metrics: dict[str, Any]
    delivery: dict[str, Any] | None
    feedback: dict[str, Any] | None  # coach/feedback.py's Feedback as a dict
