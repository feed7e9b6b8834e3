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

from mock_interviewer_lab.competencies import Competency, Difficulty, Level, Readiness, Stage
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


@with_config(_STRICT)
class BehavioralSetup(TypedDict):
    """How a behavioural interview was set up (``session_started``'s
    ``behavioral``; interview/kinds/behavioral.py's ``behavioral_setup``
    makes it from the shells' options)."""

    stage: Stage
    difficulty: Difficulty  # where the questions start (adaptive difficulty moves it)
    level: Level  # the target level
    # Where the level came from: the option, the job text's phrases, or the default L4.
    level_source: Literal["option", "job", "default"]
    resume_text: str | None  # the candidate's resume, as text (limits.MAX_CONTEXT_BYTES)
    job_text: str | None  # the job description, as text
    adversarial: bool
    bank: str | None  # only this question bank's questions (None: every bank)
    seed: int  # the question draw's seed: resume and replay draw the same questions


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
    # A behavioural interview's set-up (kind "behavioral"): resume and replay
    # make the kind again from it.
    behavioral: NotRequired[BehavioralSetup]


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


@with_config(_STRICT)
class NextRequested(TypedDict):
    """No data: a behavioural interview's "next question" (the current
    question's remaining follow-ups are dropped, its feedback comes, then the
    next question). On the last question it is refused (``request_refused``)."""


@with_config(_STRICT)
class SkipRequested(TypedDict):
    """No data: a behavioural interview's "skip this follow-up". With no
    follow-up pending it is refused (``request_refused``)."""


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

    #: rejected: twice a reply that broke the reply rules (coach/reply_gate.py).
    reason: Literal["timeout", "error", "malformed", "refusal", "unavailable", "rejected"]
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
    # None: the problem expects no complexity, so the claim is not judged.
    correct: bool | None


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
    # user, pack, pack_version of a report read from the store (None in the
    # engine's own report_ready; absent in one stored before schema 3)
    taken_by: NotRequired[dict[str, str] | None]


# ------------------------------------------------ the behavioural interview
#
# Actions of a behavioural interview (interview/kinds/behavioral.py). Every
# line the interviewer says is also a coach_says (kinds "question",
# "follow_up", "feedback", "difficulty", "interrupt", "wrap_up", ...), so the
# transcript, the voice and the reports read them as any other line.
#
# Errors: an event the interview cannot take (a sixth question, anything
# after the end, a skip with no follow-up pending) changes nothing and gives
# one ``request_refused`` (and, before the end, a coach_says of kind "error"
# with the same words, for the transcript and the voice). The shells answer
# a request that led to a request_refused with HTTP 400 and its ``reason``.


@with_config(_STRICT)
class QuestionAsked(TypedDict):
    number: int  # 1..total
    total: int  # competencies.QUESTIONS_PER_SESSION
    competency: Competency
    difficulty: Difficulty  # the question's own (it may differ from the one asked for: fell_back)
    text: str
    question_id: str  # bank:id (problems/questions.py)
    fell_back: str | None  # why another difficulty was taken; None when it was not
    by: NotRequired[str]  # who wrote the text: "scripted" (the bank's) or the model's name


@with_config(_STRICT)
class FollowUpAsked(TypedDict):
    question_number: int
    number: int  # 1..of
    of: int  # competencies.MAX_FOLLOW_UPS
    text: str
    # What it probes: a gap id (competencies.Gap), or in adversarial mode
    # "why" (why that decision) or "claim" (a number or superlative challenged).
    gap: str


@with_config(_STRICT)
class StarJson(TypedDict):
    situation: bool
    task: bool
    action: bool
    result: bool
    reflection: bool


@with_config(_STRICT)
class EvidenceJson(TypedDict):
    """A sentence of the candidate's, verbatim, labelled with a STAR part."""

    part: Literal["situation", "task", "action", "result", "reflection"]
    sentence: str


@with_config(_STRICT)
class RubricJson(TypedDict):
    """One dimension of the rubric (competencies.Dimension): the parts' points add up to the score."""

    dimension: str
    points: int
    out_of: int
    why: str


@with_config(_STRICT)
class AnswerDelivery(TypedDict):
    """How a spoken answer was delivered (its voice finals' speech spans)."""

    words_per_minute: float | None  # words over the speaking time; None without speaking time
    fillers: int  # reporting/delivery.py's count_fillers
    pauses: int  # breaks of PAUSE_S or more between the answer's spoken pieces
    longest_pause_s: float | None
    speaking_seconds: float
    answer_seconds: float  # from the first word to the last
    guide_seconds: float  # the two-minute guide
    over_guide: bool
    # Seconds spent in each STAR part ("situation" ... "reflection", and
    # "other" for sentences with no label), the parts said in the order said;
    # estimated: each voice final's span shared among its words
    star_seconds: NotRequired[dict[str, float]]


@with_config(_STRICT)
class AnswerScored(TypedDict):
    question_number: int
    response_number: int  # 1 = the answer, 2-4 = the replies to follow-ups
    score: int  # 1-10, all the question's replies read together
    level: Level  # the level the answer demonstrates
    star: StarJson
    evidence: list[EvidenceJson]
    rubric: list[RubricJson]
    gaps: list[str]  # each gap said specifically
    gap_ids: list[str]  # the same gaps' ids (competencies.Gap)
    strengths: list[str]
    brief_feedback: str
    delivery: NotRequired[AnswerDelivery]  # for an answer that came by voice
    by: NotRequired[str]  # the scorer that scored it: "scripted" or the model's name


@with_config(_STRICT)
class QuestionFeedbackJson(TypedDict):
    """A question's feedback once its follow-ups are over (or skipped)."""

    question_number: int
    question: str
    competency: Competency
    score: int
    level: Level
    overall_assessment: str
    what_landed: list[str]
    what_didnt_land: list[str]
    coaching: str
    # Better, in STAR order, from the candidate's own words with [placeholders]
    revised_answer: str
    responses: list[str]  # the candidate's replies to this question, in order
    by: NotRequired[str]  # "scripted" or the model's name


@with_config(_STRICT)
class QuestionSummary(TypedDict):
    question_number: int
    question: str
    competency: Competency
    score: int
    brief_feedback: str


@with_config(_STRICT)
class SessionFeedbackJson(TypedDict):
    """The session's feedback, before its end (report_ready)."""

    overall_score: float  # the mean of the questions' scores (0.0 when none was answered)
    readiness: Readiness  # competencies.readiness_for
    overall_assessment: str
    key_strengths: list[str]
    areas_to_improve: list[str]
    coaching_priorities: list[str]  # most important first
    next_steps: str
    questions_completed: int
    questions: list[QuestionSummary]
    by: NotRequired[str]  # "scripted" or the model's name


@with_config(_STRICT)
class ScorerFallback(TypedDict):
    """The behavioural interview's model scorer was asked and (wholly or in
    part) not used: the scripted scorer's result stands for that step."""

    step: Literal["question", "score", "question_feedback", "session_feedback"]
    question_number: int | None  # None for the session's feedback
    reason: Literal["timeout", "error", "malformed", "refusal", "unavailable", "ungrounded"]
    detail: str
    model: str
    message: str  # plain words for the panel


DifficultyChanged = TypedDict("DifficultyChanged", {
    "from": Difficulty,
    "to": Difficulty,
    "reason": str,  # in words: "8/10 and 9/10 on the last two questions"
})
DifficultyChanged.__pydantic_config__ = _STRICT  # type: ignore[attr-defined]


@with_config(_STRICT)
class RequestRefused(TypedDict):
    """An event the interview could not take; nothing changed."""

    event: str  # the refused event's type
    # max_questions: next on the last question; completed: anything after the
    # end; no_follow_up: skip with no follow-up pending.
    code: Literal["max_questions", "completed", "no_follow_up"]
    reason: str  # the message, e.g. "Maximum questions reached. End session to see results."
