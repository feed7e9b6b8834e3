"""The session report: figures, a timeline, and statements that cite records.

:func:`build_report` turns a session's records into a :class:`SessionReport`.
Every strength, improvement and recommendation is a :class:`Statement`
produced by a rule below from what the records show, and carries
``evidence``: the seqs of the records it rests on. A statement about
something that did *not* happen ("You did not state the complexity") cites
the records that close the window in which it should have happened (the
complexity check, the move into COMPLEXITY, or the end of the session).
:func:`build_report` refuses a statement without evidence or citing a record
that is not in the session.

The report never contains what the candidate must not see: a
``leak_blocked`` record is cited by its type only (never its ``original``),
and a run is reduced to passed/total (no hidden case, no case data at all).

The report is written out by :func:`~mock_interviewer_lab.reporting.render.render_report`
(JSON, and the modules markdown, html with the SVG charts of charts, and
notebook); what it says in words whatever the format is in wording. All text
from the session is escaped for the format it goes into.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from mock_interviewer_lab.events import Event, Record
from mock_interviewer_lab.formatting import mmss, plural
from mock_interviewer_lab.interview.difficulty import DifficultyCalibrator
from mock_interviewer_lab.interview.phases import Phase
from mock_interviewer_lab.interview.rules.hints import LEVELS as HINT_LEVELS
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.model import normalise_complexity
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.reporting.coach_usage import describe_usage
from mock_interviewer_lab.reporting.delivery import DeliveryMetrics
from mock_interviewer_lab.reporting.metrics import SessionMetrics, compute_metrics
from mock_interviewer_lab.reporting.records import (
    RunOutcome,
    SaidRecord,
    candidate_utterances,
    first_problem_rows,
    is_action,
    is_event,
    numbered,
    runs_of,
)
from mock_interviewer_lab.reporting.transcript import TranscriptLine, transcript_lines
from mock_interviewer_lab.store import SessionStore

# Heuristic thresholds of the rules below (the report says the figure, so a
# reader can judge it too).
#: A silence at least this long (seconds) is worth a remark.
LONG_SILENCE_S = 30.0
#: This many runs or more before all tests pass is worth a remark.
MANY_RUNS = 4
#: Quote at most this many of the candidate's questions, each cut to this length.
QUOTED_QUESTIONS = 3
QUOTE_CHARS = 80


# --------------------------------------------------------------------------
# The report model


@dataclass(frozen=True)
class Statement:
    """One remark about the session and the records it rests on."""

    text: str
    evidence: list[int]
    #: What it is about: "clarifying", "approach", "tests", "hints", ...
    topic: str


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    evidence: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class TimelineSpan:
    phase: str
    start: float
    end: float
    seq: int


@dataclass(frozen=True)
class RunPoint:
    seq: int
    t: float
    passed: int
    total: int
    all_passed: bool
    #: The code did not load or the run stopped with an error.
    error: bool


@dataclass(frozen=True)
class HintPoint:
    seq: int
    t: float
    level: int
    reason: str


@dataclass(frozen=True)
class Timeline:
    start: float
    end: float
    phases: list[TimelineSpan]
    runs: list[RunPoint]
    hints: list[HintPoint]


@dataclass(frozen=True)
class CitedRecord:
    """A record some statement or figure cites, described for the reader."""

    seq: int
    t: float
    kind: str
    type: str
    description: str


@dataclass(frozen=True)
class SessionReport:
    session_id: str
    problem_id: str
    problem_title: str
    expected_time: str | None
    figures: list[Figure]
    timeline: Timeline
    strengths: list[Statement]
    improvements: list[Statement]
    recommendations: list[Statement]
    transcript: list[TranscriptLine]
    cited: list[CitedRecord]
    metrics: dict[str, Any]
    #: How the candidate spoke (reporting/delivery.py); also in ``metrics["delivery"]``.
    delivery: DeliveryMetrics | None = None
    #: End-of-session feedback (coach/feedback.py, as a dict): a model's, each
    #: point citing records, or the engine's own, labelled. None when the
    #: session has not ended or ended before feedback existed.
    feedback: dict[str, Any] | None = None
    #: Who took the session and on which pack version (the store's ``user``,
    #: ``pack``, ``pack_version``); None for a report not read from a store.
    taken_by: dict[str, str] | None = None

    def statements(self) -> list[Statement]:
        return [*self.strengths, *self.improvements, *self.recommendations]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --------------------------------------------------------------------------
# Formatting helpers


def format_duration(seconds: float) -> str:
    """45 -> '45 s'; 245 -> '4 min 5 s'; 240 -> '4 min'."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes, rest = divmod(whole, 60)
    return f"{minutes} min" + (f" {rest} s" if rest else "")


def _times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def _quote(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > QUOTE_CHARS:
        text = text[: QUOTE_CHARS - 1].rstrip() + "…"
    return f"“{text}”"


def _first_line(text: str, limit: int = 160) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


# --------------------------------------------------------------------------
# What the rules look at


@dataclass(frozen=True)
class _Session:
    rows: list[tuple[int, Record]]
    metrics: SessionMetrics
    said: list[SaidRecord]
    runs: list[RunOutcome]
    expected_time: str | None

    @property
    def start_t(self) -> float:
        return self.rows[0][1].t if self.rows else 0.0

    def at(self, t: float) -> str:
        return mmss(t - self.start_t)

    def record(self, seq: int) -> Record:
        return next(r for s, r in self.rows if s == seq)

    def said_by_seq(self, seq: int) -> SaidRecord | None:
        return next((s for s in self.said if s.seq == seq), None)

    def closing_seq(self) -> int:
        """The record that ends the session: the last end_requested, else the last record."""
        ends = [seq for seq, r in self.rows if is_event(r, "end_requested")]
        return ends[-1] if ends else self.rows[-1][0]

    def first_into(self, phase: Phase) -> int | None:
        return next(
            (seq for seq, r in self.rows
             if is_action(r, "phase_changed") and r.data.get("to") == phase.value),
            None,
        )


@dataclass
class _Findings:
    strengths: list[Statement] = field(default_factory=list)
    improvements: list[Statement] = field(default_factory=list)
    recommendations: list[Statement] = field(default_factory=list)


_Rule = Callable[[_Session, _Findings], None]

_ENDED = frozenset({Phase.DONE.value, Phase.ABORT.value})


def _ev(*seqs: int | None) -> list[int]:
    """Evidence: the seqs given, without None or repeats, in order."""
    return sorted({s for s in seqs if s is not None})


# --------------------------------------------------------------------------
# The rules: each adds statements only when the records support them.


def _rule_clarifying(s: _Session, out: _Findings) -> None:
    m = s.metrics
    coding_seq = m.evidence.get("time_to_coding", (None,))[0]
    asked = list(m.evidence.get("clarifications_before_coding", ()))
    if asked:
        quotes = [
            _quote(str(s.record(seq).data.get("text", ""))) for seq in asked[:QUOTED_QUESTIONS]
        ]
        more = f" and {len(asked) - QUOTED_QUESTIONS} more" if len(asked) > QUOTED_QUESTIONS else ""
        when = " before coding" if coding_seq is not None else ""
        out.strengths.append(Statement(
            f"You asked {plural(m.clarifications_before_coding, 'clarifying question')}{when}: "
            f"{', '.join(quotes)}{more}.",
            _ev(*asked), "clarifying",
        ))
    elif coding_seq is not None:
        coding_t = s.record(coding_seq).t
        out.improvements.append(Statement(
            f"You started coding at {s.at(coding_t)} without asking a clarifying question.",
            _ev(coding_seq), "clarifying",
        ))
        out.recommendations.append(Statement(
            "Before coding, ask about the input: how large it can be, whether it can be empty "
            "or hold repeated values, and what to return when there is no answer.",
            _ev(coding_seq), "clarifying",
        ))


def _rule_approach(s: _Session, out: _Findings) -> None:
    m = s.metrics
    coding_seq = m.evidence.get("time_to_coding", (None,))[0]
    if coding_seq is None:
        return
    if m.approach_before_coding:
        approach_seq = m.evidence["approach_before_coding"][0]
        said = s.said_by_seq(approach_seq)
        quoted = f" ({_quote(said.utterance.text)})" if said else ""
        out.strengths.append(Statement(
            f"You described your approach at {s.at(s.record(approach_seq).t)}{quoted}, "
            f"before writing code at {s.at(s.record(coding_seq).t)}.",
            _ev(approach_seq, coding_seq), "approach",
        ))
    else:
        out.improvements.append(Statement(
            f"You went into code at {s.at(s.record(coding_seq).t)} without first describing "
            "an approach.",
            _ev(coding_seq), "approach",
        ))
        out.recommendations.append(Statement(
            "Say your plan in a sentence or two, and what it costs, before you type: the "
            "interviewer can then steer you before the code is written.",
            _ev(coding_seq), "approach",
        ))


def _rule_tests(s: _Session, out: _Findings) -> None:
    runs = s.runs
    if not runs:
        if s.metrics.evidence.get("time_to_coding"):
            out.improvements.append(Statement(
                "Your code was never run against the tests.",
                _ev(s.closing_seq()), "tests",
            ))
        return
    first = runs[0]
    working = next((r for r in runs if r.all_passed), None)
    if working is first:
        out.strengths.append(Statement(
            f"Your first run passed all {first.total} tests ({s.at(first.t)}).",
            _ev(first.seq), "tests",
        ))
    elif working is not None:
        failed = (
            f"stopped with an error ({_first_line(first.error)})"
            if first.error and not first.case_passed
            else f"failed {first.not_passed} of {first.total} tests"
        )
        out.strengths.append(Statement(
            f"Your first run {failed}; you had all {working.total} passing "
            f"{format_duration(working.t - first.t)} later, on run {runs.index(working) + 1}.",
            _ev(first.seq, working.seq), "tests",
        ))
    else:
        last = runs[-1]
        what = (
            f"stopped with an error ({_first_line(last.error)})"
            if last.error
            else f"still failed {last.not_passed} of {last.total} tests"
        )
        out.improvements.append(Statement(f"Your last run {what}.", _ev(last.seq), "tests"))
        out.recommendations.append(Statement(
            "When a test fails, trace that visible case by hand through your code before "
            "changing it, and say out loud where the values first differ from what you expect.",
            _ev(last.seq), "tests",
        ))
    until_working = runs[: runs.index(working) + 1] if working else runs
    if len(until_working) >= MANY_RUNS:
        verb = "get every test passing" if working else "a run that passes"
        out.improvements.append(Statement(
            f"You ran the tests {len(until_working)} times"
            + (f" to {verb}." if working else f" without {verb}."),
            _ev(*(r.seq for r in until_working)), "tests",
        ))
        out.recommendations.append(Statement(
            "Walk through one example by hand before each run: running the tests is slower "
            "feedback than your own trace.",
            _ev(*(r.seq for r in until_working)), "tests",
        ))
    broke_in = list(s.metrics.evidence.get("bugs_introduced", ()))
    if broke_in:
        out.improvements.append(Statement(
            f"A change broke {plural(s.metrics.bugs_introduced, 'test')} that had passed "
            f"before (run{'s' if len(broke_in) > 1 else ''} "
            f"{', '.join(str(_run_number(runs, seq)) for seq in broke_in)}).",
            _ev(*broke_in), "tests",
        ))
        out.recommendations.append(Statement(
            "Change one thing at a time and re-run: then you know which change broke a "
            "passing test.",
            _ev(*broke_in), "tests",
        ))


def _run_number(runs: Sequence[RunOutcome], seq: int) -> int:
    return next(i for i, r in enumerate(runs, start=1) if r.seq == seq)


def _rule_hints(s: _Session, out: _Findings) -> None:
    m = s.metrics
    hint_seqs = list(m.evidence.get("hints_given", ()))
    working_seq = m.evidence.get("time_to_working_code", (None,))[0]
    if working_seq is not None:
        before = [seq for seq in hint_seqs if seq < working_seq]
        if not before:
            out.strengths.append(Statement(
                "You reached working code without a hint.", _ev(working_seq), "hints",
            ))
    if m.max_hint_level >= HINT_LEVELS:
        last_level = [
            seq for seq in hint_seqs if int(s.record(seq).data.get("level", 0)) >= HINT_LEVELS
        ]
        out.improvements.append(Statement(
            f"You needed every hint level, up to level {m.max_hint_level} "
            f"at {s.at(s.record(last_level[0]).t)}.",
            _ev(*hint_seqs), "hints",
        ))
        out.recommendations.append(Statement(
            "Come back to this problem in a few days and solve it without hints.",
            _ev(*hint_seqs), "hints",
        ))


def _rule_complexity(s: _Session, out: _Findings) -> None:
    m = s.metrics
    check_seq = m.evidence.get("complexity_correct", (None,))[0]
    claim_seq = m.evidence.get("complexity_claimed_time", (None,))[0]
    claimed = m.complexity_claimed_time
    expected = s.expected_time
    if check_seq is not None:
        expected = s.record(check_seq).data.get("expected_time") or expected
    if claimed is None:
        into_complexity = s.first_into(Phase.COMPLEXITY)
        if check_seq is None and into_complexity is None and "time_to_coding" not in m.evidence:
            return  # no solution and no complexity talk: nothing to state a complexity of
        window = next(
            seq for seq in (check_seq, into_complexity, s.closing_seq())
            if seq is not None
        )
        out.improvements.append(Statement(
            "You did not state the time complexity of your solution.", _ev(window), "complexity",
        ))
        out.recommendations.append(Statement(
            "Finish every solution by stating its time and space complexity out loud, "
            "with a reason for each.",
            _ev(window), "complexity",
        ))
        return
    correct = m.complexity_correct
    if correct is None and expected is not None:
        # Never checked by the coach: compare the claim with the problem's class.
        correct = normalise_complexity(claimed) == normalise_complexity(str(expected))
    if correct is None:
        return
    evidence = _ev(check_seq, claim_seq)
    if correct:
        out.strengths.append(Statement(
            f"You gave the time complexity correctly: {claimed}.", evidence, "complexity",
        ))
    else:
        against = f"; the expected class is {expected}" if expected else ""
        out.improvements.append(Statement(
            f"You said the time complexity is {claimed}{against}.", evidence, "complexity",
        ))
        out.recommendations.append(Statement(
            "Work out the complexity from the code: count the nested loops and the cost of "
            "each operation inside them (a list lookup is O(n), a dict lookup O(1)).",
            evidence, "complexity",
        ))


def _rule_optimisation(s: _Session, out: _Findings) -> None:
    """The optimisation loop's outcome (``better_solution``)."""
    for seq, r in s.rows:
        if not is_action(r, "better_solution"):
            continue
        start, expected = r.data.get("from"), r.data.get("expected")
        if r.data.get("reached"):
            out.strengths.append(Statement(
                f"When asked for better than your first working solution ({start}), you found "
                f"one that runs in {r.data.get('current') or expected} ({s.at(r.t)}).",
                _ev(seq), "complexity"))
        else:
            out.improvements.append(Statement(
                f"The better solution was not reached: yours stayed at {start}, and the "
                f"problem can be solved in {expected}.", _ev(seq), "complexity"))
            out.recommendations.append(Statement(
                "When your first solution works but is slow, ask what work it repeats and what "
                "you could remember to avoid it; practise the faster pattern for this problem.",
                _ev(seq), "complexity"))


def _rule_followup(s: _Session, out: _Findings) -> None:
    """The follow-up problem (``problem_added``): how far the candidate got."""
    added = next(((seq, r) for seq, r in s.rows if is_action(r, "problem_added")), None)
    if added is None:
        return
    seq, r = added
    title = r.data.get("title") or r.data.get("problem")
    runs = runs_of([(q, x) for q, x in s.rows if q > seq])
    if not runs:
        out.improvements.append(Statement(
            f"Follow-up problem {title} (from {s.at(r.t)}): no code of yours was run against "
            "its tests.", _ev(seq), "followup"))
        return
    best = max(runs, key=lambda run: (run.all_passed, run.passed))
    if best.all_passed:
        out.strengths.append(Statement(
            f"Follow-up problem {title}: all {best.total} tests passed on run "
            f"{runs.index(best) + 1} ({s.at(best.t)}).", _ev(seq, best.seq), "followup"))
    else:
        out.improvements.append(Statement(
            f"Follow-up problem {title}: your best run passed {best.passed} of {best.total} "
            "tests.", _ev(seq, best.seq), "followup"))


def _rule_silence(s: _Session, out: _Findings) -> None:
    m = s.metrics
    if m.longest_silence is None or m.longest_silence < LONG_SILENCE_S:
        return
    seqs = list(m.evidence["longest_silence"])
    ended = s.record(seqs[-1]).t
    out.improvements.append(Statement(
        f"Your longest silence lasted {format_duration(m.longest_silence)} "
        f"(until {s.at(ended)}).",
        _ev(*seqs), "communication",
    ))
    out.recommendations.append(Statement(
        "When you are stuck, think aloud: say what you are trying and what is in the way. "
        "An interviewer can only help with what they hear.",
        _ev(*seqs), "communication",
    ))


def _rule_fishing(s: _Session, out: _Findings) -> None:
    seqs = list(s.metrics.evidence.get("fishing_attempts", ()))
    if not seqs:
        return
    out.improvements.append(Statement(
        f"You asked for the answer {_times(len(seqs))}; the coach redirected you.",
        _ev(*seqs), "communication",
    ))
    out.recommendations.append(Statement(
        "Ask for a hint rather than the answer: a hint keeps the solution yours, and "
        "interviewers notice the difference.",
        _ev(*seqs), "communication",
    ))


def _rule_time(s: _Session, out: _Findings) -> None:
    m = s.metrics
    end_seq = m.evidence.get("end_reason", (None,))[0]
    if m.completed or end_seq is None or m.end_reason != "time":
        return
    open_phases = [p.phase for p in m.phase_spans if p.phase not in _ENDED]
    phase = open_phases[-1] if open_phases else None
    where = f" during {phase.upper()}" if phase else ""
    out.improvements.append(Statement(
        f"Time ran out{where}.", _ev(end_seq), "time",
    ))


_RULES: tuple[_Rule, ...] = (
    _rule_clarifying,
    _rule_approach,
    _rule_tests,
    _rule_hints,
    _rule_complexity,
    _rule_optimisation,
    _rule_followup,
    _rule_silence,
    _rule_fishing,
    _rule_time,
)


# --------------------------------------------------------------------------
# Figures, timeline, transcript, cited records


def _figures(m: SessionMetrics) -> list[Figure]:
    def ev(*names: str) -> list[int]:
        return _ev(*(seq for name in names for seq in m.evidence.get(name, ())))

    def maybe(seconds: float | None) -> str:
        return "—" if seconds is None else format_duration(seconds)

    if m.test_pass_rate is None:
        pass_rate = "not run"
    else:
        pass_rate = f"{m.final_passed}/{m.final_total} ({m.test_pass_rate:.0%})"
    if m.complexity_correct is None:
        complexity = "not checked" + (f" (you said {m.complexity_claimed_time})"
                                      if m.complexity_claimed_time else "")
    else:
        verdict = "correct" if m.complexity_correct else "incorrect"
        complexity = f"{verdict} (you said {m.complexity_claimed_time or 'nothing'})"
    levels = (
        f" ({'level' if len(m.hint_levels) == 1 else 'levels'} "
        f"{', '.join(map(str, m.hint_levels))})"
        if m.hint_levels else ""
    )
    silences = (
        "none" if m.longest_silence is None
        else f"{format_duration(m.longest_silence)} "
        f"(of {plural(len(m.silence_periods), 'silence')})"
    )
    return [
        Figure("Duration", format_duration(m.total_duration), ev("total_duration")),
        Figure("Time to first approach", maybe(m.time_to_first_approach),
               ev("time_to_first_approach")),
        Figure("Time to working code", maybe(m.time_to_working_code), ev("time_to_working_code")),
        Figure("Test runs", str(m.test_runs), ev("test_runs")),
        Figure("Final pass rate", pass_rate, ev("test_pass_rate")),
        Figure("Bugs introduced / fixed", f"{m.bugs_introduced} / {m.bugs_fixed}",
               ev("bugs_introduced", "bugs_fixed")),
        Figure("Hints given", f"{m.hints_given}{levels}", ev("hints_given")),
        Figure("Hints asked for", str(m.hints_requested), ev("hints_requested")),
        Figure("Complexity", complexity, ev("complexity_correct", "complexity_claimed_time")),
        Figure("Clarifying questions",
               f"{m.clarifications_asked} ({m.clarifications_before_coding} before coding)",
               ev("clarifications_asked")),
        # Said or typed, thinking sounds left out, over the whole interview; the
        # Delivery section's words per minute are spoken words over speaking time.
        Figure("Words said or typed", f"{m.words_spoken} ({m.words_per_minute:.0f} per minute "
               "of interview)", ev("words_spoken")),
        Figure("Longest silence the coach noticed", silences, ev("longest_silence")),
        Figure("Coach questions", str(m.coach_questions), ev("coach_questions")),
        Figure("Requests for the answer", str(m.fishing_attempts), ev("fishing_attempts")),
        Figure("Coach messages withheld (leak filter)", str(m.leaks_blocked), ev("leaks_blocked")),
    ] + ([Figure("Coach model", describe_usage(m.coach_model), list(m.coach_model.evidence))]
         if m.coach_model is not None else [])


def _timeline(s: _Session) -> Timeline:
    hints = [
        HintPoint(seq, r.t, int(r.data.get("level", 0)), str(r.data.get("reason", "")))
        for seq, r in s.rows if is_action(r, "show_hint")
    ]
    runs = [
        RunPoint(r.seq, r.t, r.passed, r.total, r.all_passed, r.error is not None) for r in s.runs
    ]
    phases = [TimelineSpan(p.phase, p.start, p.end, p.seq) for p in s.metrics.phase_spans]
    end = max((r.t for _, r in s.rows), default=s.start_t)
    return Timeline(start=s.start_t, end=end, phases=phases, runs=runs, hints=hints)


def _describe_growth(d: dict[str, Any]) -> str:
    cx = d.get("complexity")
    estimated = cx.get("estimated") if isinstance(cx, dict) and cx.get("reliable") else None
    return f"Growth measured: about {estimated}" if estimated else "Growth measured"


def describe_record(record: Record) -> str:
    """One line a candidate may read. Never a blocked message's text, never test data."""
    d = record.data
    describe: dict[str, Callable[[], str]] = {
        "session_started": lambda: f"Session started: {d.get('problem', '')}",
        "candidate_said": lambda: f"You said {_quote(str(d.get('text', '')))}",
        "code_submitted": lambda: (
            f"Code submitted ({plural(len(str(d.get('code', '')).splitlines()), 'line')})"
        ),
        "tests_finished": lambda: _describe_run(d),
        "growth_measured": lambda: _describe_growth(d),
        "hint_requested": lambda: "You asked for a hint",
        "typing": lambda: "You were typing",
        "silence": lambda: f"Silence of {format_duration(float(d.get('seconds', 0)))}",
        "tick": lambda: "Clock tick",
        "end_requested": lambda: f"End requested ({d.get('reason', '')})",
        "coach_says": lambda: f"Coach ({d.get('kind', '')}): {_quote(str(d.get('text', '')))}",
        "show_hint": lambda: (
            f"Hint level {d.get('level')} of {d.get('of', HINT_LEVELS)} "
            f"({d.get('reason', '')})"
        ),
        "phase_changed": lambda: (
            f"Phase {str(d.get('from', '')).upper()} → {str(d.get('to', '')).upper()}"
        ),
        "time_warning": lambda: f"Time warning: {plural(d.get('minutes_left') or 0, 'minute')} left",
        "run_tests": lambda: "Tests started",
        "show_results": lambda: f"Results shown: {d.get('passed')}/{d.get('total')} passed",
        "leak_blocked": lambda: "A coach message was withheld by the leak filter",
        "fishing_redirected": lambda: "A request for the answer was redirected",
        "complexity_checked": lambda: (
            f"Complexity check: you said {d.get('claimed_time') or 'nothing'}, expected "
            f"{d.get('expected_time') or 'unknown'}: "
            + ("not judged" if d.get("correct") is None
               else "correct" if d.get("correct") else "not correct")
        ),
        "better_solution": lambda: (
            f"Better solution reached: {d.get('current')}" if d.get("reached")
            else f"Better solution not reached (stayed at {d.get('current')}; "
                 f"{d.get('expected')} possible)"),
        "problem_added": lambda: f"Follow-up problem: {d.get('title') or d.get('problem')}",
        "report_ready": lambda: "Report ready",
    }
    maker = describe.get(record.type)
    return maker() if maker else record.type


def _describe_run(data: dict[str, Any]) -> str:
    run = data.get("run") or {}
    if not isinstance(run, dict):
        run = run.model_dump(mode="json")
    text = f"Test run: {run.get('passed', 0)}/{run.get('total', 0)} passed"
    if run.get("error"):
        text += f" (error: {_first_line(str(run['error']))})"
    return text


def _cited(rows: Sequence[tuple[int, Record]], seqs: Iterable[int]) -> list[CitedRecord]:
    wanted = set(seqs)
    return [
        CitedRecord(seq, r.t, "event" if isinstance(r, Event) else "action", r.type,
                    describe_record(r))
        for seq, r in rows if seq in wanted
    ]


def _check_evidence(statements: Iterable[Statement], known: set[int]) -> None:
    for st in statements:
        if not st.evidence:
            raise ValueError(f"statement without evidence: {st.text!r}")
        unknown = [seq for seq in st.evidence if seq not in known]
        if unknown:
            raise ValueError(f"statement cites records not in the session {unknown}: {st.text!r}")


def build_report(
    records: Iterable[Record],
    *,
    problem_title: str,
    problem_id: str,
    expected_time: str | None,
    session_id: str,
    metrics: SessionMetrics | None = None,
    next_problem: tuple[str, str] | None = None,
) -> SessionReport:
    """The report of a session, from its records (and its metrics, if already computed).

    ``next_problem`` is the calibrator's advice, (title of the problem, why):
    it becomes a recommendation resting on the figures the assessment used.
    """
    listed = list(records)
    rows = numbered(listed)
    metrics = metrics or compute_metrics(listed)
    known = {seq for seq, _ in rows}
    stray = sorted({seq for seqs in metrics.evidence.values() for seq in seqs} - known)
    if stray:
        raise ValueError(f"the metrics cite records not in the session: {stray}")
    said = candidate_utterances(rows)
    session = _Session(rows, metrics, said, runs_of(first_problem_rows(rows)), expected_time)
    findings = _Findings()
    if rows:
        for rule in _RULES:
            rule(session, findings)
        if next_problem is not None:
            basis = [seq for key in ("time_to_first_approach", "time_to_working_code",
                                     "hints_requested", "test_runs", "total_duration")
                     for seq in metrics.evidence.get(key, ())]
            title, why = next_problem
            findings.recommendations.append(Statement(
                f"Next, try {title}: {why}", sorted(set(basis)) or [rows[-1][0]], "next_problem"))
    statements = [*findings.strengths, *findings.improvements, *findings.recommendations]
    _check_evidence(statements, known)
    figures = _figures(metrics)
    cited = {seq for st in statements for seq in st.evidence}
    cited |= {seq for fig in figures for seq in fig.evidence}
    feedback = stored_feedback(listed)
    for section in ("strengths", "improvements", "next_steps"):
        for item in (feedback or {}).get(section) or []:
            cited |= {seq for seq in item.get("evidence") or [] if seq in known}
    return SessionReport(
        session_id=session_id,
        problem_id=problem_id,
        problem_title=problem_title,
        expected_time=expected_time,
        figures=figures,
        timeline=_timeline(session),
        strengths=findings.strengths,
        improvements=findings.improvements,
        recommendations=findings.recommendations,
        # What was said; runs and hints are on the timeline (the coach also says hints).
        transcript=transcript_lines((r for _, r in rows), spoken_only=True),
        cited=_cited(rows, cited),
        metrics=metrics.as_dict(),
        delivery=metrics.delivery,
        feedback=feedback,
    )


def stored_feedback(records: Sequence[Record]) -> dict[str, Any] | None:
    """The feedback kept in the session's report_ready (coach/feedback.py)."""
    for r in reversed(records):
        if is_action(r, "report_ready") and isinstance(r.data.get("feedback"), dict):
            return dict(r.data["feedback"])
    return None


def session_report(records: Iterable[Record], problem: Problem, session_id: str,
                   registry: ProblemRegistry | None = None) -> SessionReport:
    """The report of a session of ``problem``, with the calibrator's next
    problem when a registry to choose from is given."""
    listed = list(records)
    metrics = compute_metrics(listed)
    next_problem = None
    if registry is not None:
        calibrator = DifficultyCalibrator()
        advice = calibrator.suggest_next_problem(calibrator.assess(metrics), problem, registry)
        if advice.problem_id is not None:
            title = registry.get(advice.qualified_id or advice.problem_id).spec.title
            next_problem = (title, advice.reason)
    spec = problem.spec
    return build_report(listed, problem_title=spec.title, problem_id=problem.id,
                        expected_time=spec.complexity.time if spec.complexity else None,
                        session_id=session_id, metrics=metrics, next_problem=next_problem)


def stored_report(store: SessionStore, session_id: str,
                  registry: ProblemRegistry) -> SessionReport:
    """The report of a stored session (an id or a unique prefix of one; the
    store's errors when there is none). A session whose problem pack is no
    longer installed gets the report without advice."""
    info = store.get(session_id)
    records = store.records(info.id)
    taken_by = {"user": info.user, "pack": info.pack, "pack_version": info.pack_version}
    try:
        problem = registry.get(info.problem)
    except LookupError:
        return replace(build_report(records, problem_title=info.problem, problem_id=info.problem,
                                    expected_time=None, session_id=info.id), taken_by=taken_by)
    return replace(session_report(records, problem, info.id, registry), taken_by=taken_by)


def taken_by_line(report: SessionReport) -> str:
    """" · user alice · pack core 1.0.0" for a report read from a store ("" if not)."""
    who = report.taken_by or {}
    pack = f"{who.get('pack') or ''} {who.get('pack_version') or ''}".strip()
    return "".join(f" · {label} {value}" for label, value in
                   (("user", who.get("user") or ""), ("pack", pack)) if value)
