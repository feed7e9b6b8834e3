"""Session metrics: figures computed from a session's records, and nothing else.

:func:`compute_metrics` reads the records of one session (the
:mod:`~mock_interviewer_lab.interview.events` vocabulary, in ``seq`` order)
and returns a :class:`SessionMetrics`. There is no clock, no store and no
guessing here: every figure is a count, a difference of ``t`` values or a
value copied from a record, and :attr:`SessionMetrics.evidence` names, for
each figure, the seqs of the records it was computed from.

How each figure is derived (``t`` is seconds since the session started):

=============================  ====================================================
figure                         from
=============================  ====================================================
total_duration                 ``t`` of the last record minus ``t`` of the first
phase_spans, time_per_phase    ``phase_changed`` actions: a phase runs from the
                               change into it to the next change; the phase before
                               the first change (its ``from``) starts with the
                               first record; the open phase runs to the last
                               record. Visits to the same phase add up.
time_to_first_approach         the earliest of: a ``phase_changed`` into APPROACH
                               or CODING, a ``candidate_said`` the intent
                               classifier reads as APPROACH
time_to_coding                 the first ``phase_changed`` into CODING, or the
                               first ``code_submitted`` if that came earlier
approach_before_coding         an APPROACH phase or an APPROACH utterance before
                               ``time_to_coding`` (True when the candidate never
                               coded but did describe an approach)
time_to_working_code           the first ``tests_finished`` whose run has no
                               error, at least one case, and every case passed
hints_given, hint_levels       ``show_hint`` actions and their ``level``
hints_requested                ``hint_requested`` events
test_runs                      ``tests_finished`` events (results, not requests)
test_pass_rate                 the last run's passed / total (0 when total is 0);
final_passed, final_total      None when the code was never run
first_run_failed               cases not passed in the first run that reported
                               case outcomes
bugs_introduced / bugs_fixed   per case ``index`` between consecutive runs with
                               case outcomes: passed -> not passed introduces,
                               not passed -> passed fixes. A run without case
                               outcomes (the code did not load) is left out, so
                               a syntax error is not counted as N new bugs.
bugs_encountered               first_run_failed + bugs_introduced: each time a
                               case was seen failing that had not failed before
complexity_correct             ``correct`` of the last ``complexity_checked``;
                               None if the complexity was never checked
complexity_claimed_time        ``claimed_time`` of the last ``complexity_checked``,
                               else the last time class the candidate said
utterances                     ``candidate_said`` events with at least one word
words_spoken                   their words, thinking sounds ("um", "hmm", the
                               ``coach.behavioral.thinking_sounds``) not counted
thinking_sound_utterances      ``candidate_said`` made of thinking sounds only
words_per_minute               words_spoken / total_duration in minutes (text and
                               voice alike); the speaking rate over speech time
                               is ``delivery.overall.words_per_minute``
silence_periods                ``silence`` events, merged: consecutive silence
                               events with no candidate activity between them
                               (speech with words, typing, code, a hint request)
                               whose spans [t - seconds, t] touch are one silence,
                               as long as the union of their spans
longest_silence                the longest of those; None if there was none
clarifications_asked           the clarifying questions in ``candidate_said``: each
                               question sentence about a clarification topic
                               (coach/clarify.py), or one for an utterance read
                               as CLARIFYING_QUESTION that names no topic; the
                               evidence is the utterances that hold them
clarifications_before_coding   ... of those, the ones before ``time_to_coding``

The runs, hints and complexity checks are the first problem's: a follow-up
problem (``problem_added``) has its own lines in the report.
coach_questions                ``coach_says`` with ``kind`` "question"
leaks_blocked                  ``leak_blocked`` actions
fishing_attempts               ``fishing_redirected`` actions
completed                      a ``phase_changed`` into DONE
end_reason                     ``reason`` of the last ``end_requested``
delivery                       :mod:`~mock_interviewer_lab.reporting.delivery`:
                               words and fillers per minute of speech, longest
                               silence while the candidate had the floor, talk
                               ratio, overall and per phase (spoken answers only)
coach_model                    :mod:`~mock_interviewer_lab.reporting.coach_usage`:
                               a model coach's tokens, cost (where litellm knows
                               the price), latency per turn, tools and fallbacks,
                               from ``coach_says`` usage and ``coach_fallback``;
                               None when no model coached
=============================  ====================================================

Not computed, because the records cannot support them: the seed spec's
``thinking_time`` (``speaking_time`` is ``delivery.overall.speaking_seconds``,
from the speech timing of spoken answers),
``interruptions`` (barge-in is not an event) and ``hints_rejected`` (nothing
records a candidate turning a hint down). ``coding_time`` is
``time_per_phase["coding"]``.

Records not yet stored (``seq`` None) are numbered by their position.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from mock_interviewer_lab.harness.outcome import RunResult
from mock_interviewer_lab.interview.events import Action, Event, Record
from mock_interviewer_lab.interview.intent import (
    Intent,
    IntentClassifier,
    Utterance,
    is_only_thinking_sounds,
)
from mock_interviewer_lab.interview.phases import Phase
from mock_interviewer_lab.reporting.coach_usage import CoachUsage, coach_usage_of
from mock_interviewer_lab.settings import BehavioralSettings

if TYPE_CHECKING:
    from mock_interviewer_lab.reporting.delivery import DeliveryMetrics

#: Two silence spans closer than this (seconds) are one silence.
SILENCE_JOIN_TOLERANCE_S = 1.0

#: Events that show the candidate doing something: they end a silence.
_ACTIVITY_EVENTS = frozenset({"typing", "code_submitted", "hint_requested"})


@dataclass(frozen=True)
class PhaseSpan:
    """One visit to a phase: from ``start`` to ``end`` seconds."""

    phase: str
    start: float
    end: float
    #: The record that opened it: a ``phase_changed``, or the first record.
    seq: int

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class RunOutcome:
    """One ``tests_finished``, reduced to what the metrics and the report use."""

    seq: int
    t: float
    passed: int
    total: int
    error: str | None
    #: Case index -> passed, for the cases the run reported (empty if none).
    case_passed: Mapping[int, bool]

    @property
    def all_passed(self) -> bool:
        return self.error is None and self.total > 0 and self.passed == self.total

    @property
    def not_passed(self) -> int:
        return self.total - self.passed


@dataclass(frozen=True)
class SessionMetrics:
    """The figures of one session; see the module docstring for how each is made."""

    problem: str | None
    qualified_id: str | None
    total_duration: float
    phase_spans: tuple[PhaseSpan, ...]
    time_per_phase: dict[str, float]
    time_to_first_approach: float | None
    time_to_coding: float | None
    approach_before_coding: bool
    time_to_working_code: float | None
    hints_given: int
    hint_levels: tuple[int, ...]
    hints_requested: int
    test_runs: int
    test_pass_rate: float | None
    final_passed: int | None
    final_total: int | None
    first_run_failed: int | None
    bugs_introduced: int
    bugs_fixed: int
    bugs_encountered: int
    complexity_correct: bool | None
    complexity_claimed_time: str | None
    utterances: int
    words_spoken: int
    thinking_sound_utterances: int
    words_per_minute: float
    silence_periods: tuple[float, ...]
    longest_silence: float | None
    clarifications_asked: int
    clarifications_before_coding: int
    coach_questions: int
    leaks_blocked: int
    fishing_attempts: int
    completed: bool
    end_reason: str | None
    #: Figure name -> the seqs of the records it was computed from.
    evidence: dict[str, tuple[int, ...]] = field(default_factory=dict)
    #: How the candidate spoke (delivery.py); None only when built by hand.
    delivery: DeliveryMetrics | None = None
    #: A model coach's tokens, cost and latency (coach_usage.py); None without one.
    coach_model: CoachUsage | None = None

    @property
    def max_hint_level(self) -> int:
        return max(self.hint_levels, default=0)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types only (tuples become lists)."""
        data = asdict(self)
        data["phase_spans"] = [asdict(s) for s in self.phase_spans]
        return _jsonable(data)  # type: ignore[no-any-return]


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


# --------------------------------------------------------------------------
# Reading records


def numbered(records: Iterable[Record]) -> list[tuple[int, Record]]:
    """Each record with the number evidence uses for it: its seq (or its position)."""
    listed = list(records)
    stored = [(r.seq, r) for r in listed if r.seq is not None]
    if len(stored) == len(listed):
        return sorted(stored, key=lambda pair: pair[0])
    return list(enumerate(listed))


def is_event(record: Record, kind: str) -> bool:
    return isinstance(record, Event) and record.type == kind


def is_action(record: Record, kind: str) -> bool:
    return isinstance(record, Action) and record.type == kind


def run_outcome(seq: int, record: Record) -> RunOutcome:
    """A ``tests_finished`` event's run (a RunResult as JSON, or the object itself)."""
    raw = record.data.get("run")
    run = raw if isinstance(raw, RunResult) else RunResult.model_validate(raw or {})
    return RunOutcome(
        seq=seq,
        t=record.t,
        passed=run.passed,
        total=run.total,
        error=run.error,
        case_passed={c.index: c.status == "passed" for c in run.cases},
    )


def runs_of(records: Iterable[tuple[int, Record]]) -> list[RunOutcome]:
    """Every ``tests_finished``, in order."""
    return [run_outcome(seq, r) for seq, r in records if is_event(r, "tests_finished")]


def first_problem_rows(rows: Sequence[tuple[int, Record]]) -> list[tuple[int, Record]]:
    """The records before a follow-up problem was added (all of them when none was)."""
    out = []
    for seq, r in rows:
        if is_action(r, "problem_added"):
            break
        out.append((seq, r))
    return out


def clarifying_questions(utterance: Utterance) -> int:
    """How many clarifying questions an utterance asks: its question sentences
    about a clarification topic ("Can the numbers be negative? Is it sorted?"
    is two, also inside a restatement of the problem), else one when it reads
    as a clarifying question as a whole."""
    from mock_interviewer_lab.interview.rules.clarify import topics_asked

    if not utterance.is_question:
        return 0
    sentences = [s for s in re.split(r"(?<=[?.!])\s+", utterance.text) if s.strip()]
    about_topics = sum(1 for s in sentences if s.rstrip().endswith("?") and topics_asked(s))
    if about_topics:
        return about_topics
    return 1 if utterance.intent == Intent.CLARIFYING_QUESTION else 0


def phase_spans_of(records: Sequence[tuple[int, Record]]) -> list[PhaseSpan]:
    """The phases visited, in order (see the module docstring)."""
    if not records:
        return []
    first_seq, first = records[0]
    last_t = records[-1][1].t
    spans: list[PhaseSpan] = []
    current: str | None = None
    start_t, start_seq = first.t, first_seq
    for seq, r in records:
        if not is_action(r, "phase_changed"):
            continue
        if current is None:
            current = str(r.data.get("from", Phase.INIT.value))
        spans.append(PhaseSpan(current, start_t, r.t, start_seq))
        current, start_t, start_seq = str(r.data.get("to")), r.t, seq
    if current is not None:
        spans.append(PhaseSpan(current, start_t, max(last_t, start_t), start_seq))
    return spans


@dataclass(frozen=True)
class SaidRecord:
    """A ``candidate_said`` event with the intent classifier's reading of it."""

    seq: int
    t: float
    utterance: Utterance
    only_thinking_sounds: bool


def candidate_utterances(
    records: Iterable[tuple[int, Record]], behavioral: BehavioralSettings | None = None
) -> list[SaidRecord]:
    behavioral = behavioral or BehavioralSettings()
    classifier = IntentClassifier(behavioral)
    said: list[SaidRecord] = []
    for seq, r in records:
        if not is_event(r, "candidate_said"):
            continue
        text = str(r.data.get("text", ""))
        said.append(
            SaidRecord(
                seq=seq,
                t=r.t,
                utterance=classifier.classify(text),
                only_thinking_sounds=is_only_thinking_sounds(text, behavioral.thinking_sounds),
            )
        )
    return said


@dataclass(frozen=True)
class SilencePeriod:
    start: float
    end: float
    #: The ``silence`` events it was made from.
    seqs: tuple[int, ...]

    @property
    def seconds(self) -> float:
        return self.end - self.start


def silence_periods_of(
    records: Iterable[tuple[int, Record]], said: Sequence[SaidRecord]
) -> list[SilencePeriod]:
    """``silence`` events merged into periods (see the module docstring)."""
    spoke_at = {s.seq for s in said if s.utterance.words > 0}
    periods: list[SilencePeriod] = []
    active_since_last = True
    for seq, r in records:
        if seq in spoke_at or (isinstance(r, Event) and r.type in _ACTIVITY_EVENTS):
            active_since_last = True
            continue
        if not is_event(r, "silence"):
            continue
        seconds = max(0.0, float(r.data.get("seconds", 0.0)))
        start, end = r.t - seconds, r.t
        previous = periods[-1] if periods else None
        if (
            previous is not None
            and not active_since_last
            and start <= previous.end + SILENCE_JOIN_TOLERANCE_S
        ):
            periods[-1] = SilencePeriod(
                min(previous.start, start), max(previous.end, end), (*previous.seqs, seq)
            )
        else:
            periods.append(SilencePeriod(start, end, (seq,)))
        active_since_last = False
    return periods


# --------------------------------------------------------------------------
# The figures


def _first_at(candidates: Iterable[tuple[float, int]]) -> tuple[float, int] | None:
    """The earliest (t, seq) pair, or None."""
    return min(candidates, default=None)


@dataclass
class _RunFigures:
    first_run_failed: int | None = None
    introduced: int = 0
    fixed: int = 0
    introduced_in: list[int] = field(default_factory=list)
    fixed_in: list[int] = field(default_factory=list)
    first_seq: int | None = None


def _case_changes(runs: Sequence[RunOutcome]) -> _RunFigures:
    """Bugs introduced and fixed, per case index, between consecutive runs."""
    figures = _RunFigures()
    previous: Mapping[int, bool] | None = None
    for run in runs:
        if not run.case_passed:
            continue  # the code did not load: no case outcomes to compare
        if previous is None:
            figures.first_run_failed = sum(not ok for ok in run.case_passed.values())
            figures.first_seq = run.seq
        else:
            common = run.case_passed.keys() & previous.keys()
            broke = sum(previous[i] and not run.case_passed[i] for i in common)
            mended = sum(not previous[i] and run.case_passed[i] for i in common)
            figures.introduced += broke
            figures.fixed += mended
            if broke:
                figures.introduced_in.append(run.seq)
            if mended:
                figures.fixed_in.append(run.seq)
        previous = run.case_passed
    return figures


def compute_metrics(
    records: Iterable[Record], *, behavioral: BehavioralSettings | None = None
) -> SessionMetrics:
    """The figures of a session, from its records alone (see the module docstring)."""
    rows = numbered(records)
    evidence: dict[str, tuple[int, ...]] = {}

    def seqs_of(kind: str, *, action: bool) -> list[int]:
        test = is_action if action else is_event
        return [seq for seq, r in rows if test(r, kind)]

    start_t = rows[0][1].t if rows else 0.0
    end_t = max((r.t for _, r in rows), default=start_t)
    total_duration = max(0.0, end_t - start_t)
    if rows:
        evidence["total_duration"] = (rows[0][0], rows[-1][0])

    spans = phase_spans_of(rows)
    time_per_phase: dict[str, float] = {}
    for span in spans:
        time_per_phase[span.phase] = time_per_phase.get(span.phase, 0.0) + span.seconds
    changes = [(seq, r) for seq, r in rows if is_action(r, "phase_changed")]
    evidence["time_per_phase"] = tuple(seq for seq, _ in changes)

    said = candidate_utterances(rows, behavioral)

    # Approach and coding moments.
    into = {
        phase: [(r.t, seq) for seq, r in changes if r.data.get("to") == phase.value]
        for phase in (Phase.APPROACH, Phase.CODING, Phase.DONE)
    }
    approach_said = [(s.t, s.seq) for s in said if s.utterance.intent == Intent.APPROACH]
    first_approach = _first_at([*into[Phase.APPROACH], *into[Phase.CODING], *approach_said])
    if first_approach:
        evidence["time_to_first_approach"] = (first_approach[1],)
    code_at = [(r.t, seq) for seq, r in rows if is_event(r, "code_submitted")]
    coding = _first_at([*into[Phase.CODING], *code_at[:1]])
    if coding:
        evidence["time_to_coding"] = (coding[1],)
    described = _first_at([*into[Phase.APPROACH], *approach_said])
    approach_before_coding = described is not None and (coding is None or described < coding)
    if described is not None and approach_before_coding:
        evidence["approach_before_coding"] = (described[1],)

    # Test runs.
    first_rows = first_problem_rows(rows)
    runs = runs_of(first_rows)
    evidence["test_runs"] = tuple(run.seq for run in runs)
    working = next((run for run in runs if run.all_passed), None)
    if working:
        evidence["time_to_working_code"] = (working.seq,)
    last_run = runs[-1] if runs else None
    if last_run:
        evidence["test_pass_rate"] = (last_run.seq,)
    case_changes = _case_changes(runs)
    evidence["bugs_introduced"] = tuple(case_changes.introduced_in)
    evidence["bugs_fixed"] = tuple(case_changes.fixed_in)
    if case_changes.first_seq is not None:
        evidence["first_run_failed"] = (case_changes.first_seq,)
    evidence["bugs_encountered"] = tuple(
        sorted({*evidence.get("first_run_failed", ()), *case_changes.introduced_in})
    )

    # Hints.
    hint_rows = [(seq, r) for seq, r in first_rows if is_action(r, "show_hint")]
    evidence["hints_given"] = tuple(seq for seq, _ in hint_rows)
    evidence["hints_requested"] = tuple(seqs_of("hint_requested", action=False))

    # Complexity.
    checks = [(seq, r) for seq, r in first_rows if is_action(r, "complexity_checked")]
    complexity_correct: bool | None = None
    claimed: str | None = None
    if checks:
        check_seq, check = checks[-1]
        complexity_correct = bool(check.data.get("correct"))
        claimed = _str_or_none(check.data.get("claimed_time"))
        evidence["complexity_correct"] = (check_seq,)
    if claimed is None:
        claims = [s for s in said if s.utterance.complexity and s.utterance.complexity.time]
        if claims:
            claimed = claims[-1].utterance.complexity.time  # type: ignore[union-attr]
            evidence["complexity_claimed_time"] = (claims[-1].seq,)
    elif checks:
        evidence["complexity_claimed_time"] = (checks[-1][0],)

    # Speech.
    spoken = [s for s in said if s.utterance.words > 0]
    words = sum(s.utterance.words for s in spoken)
    evidence["words_spoken"] = tuple(s.seq for s in spoken)
    evidence["thinking_sound_utterances"] = tuple(s.seq for s in said if s.only_thinking_sounds)
    asked = {s.seq: clarifying_questions(s.utterance) for s in said}
    questions = [s for s in said if asked[s.seq]]
    evidence["clarifications_asked"] = tuple(s.seq for s in questions)
    early_questions = [s for s in questions if coding is None or (s.t, s.seq) < coding]
    evidence["clarifications_before_coding"] = tuple(s.seq for s in early_questions)

    silences = silence_periods_of(rows, said)
    evidence["silence_periods"] = tuple(seq for p in silences for seq in p.seqs)
    longest = max(silences, key=lambda p: p.seconds, default=None)
    if longest:
        evidence["longest_silence"] = longest.seqs

    coach_questions = [
        seq for seq, r in rows if is_action(r, "coach_says") and r.data.get("kind") == "question"
    ]
    evidence["coach_questions"] = tuple(coach_questions)
    evidence["leaks_blocked"] = tuple(seqs_of("leak_blocked", action=True))
    evidence["fishing_attempts"] = tuple(seqs_of("fishing_redirected", action=True))

    ends = [(seq, r) for seq, r in rows if is_event(r, "end_requested")]
    if ends:
        evidence["end_reason"] = (ends[-1][0],)
    if into[Phase.DONE]:
        evidence["completed"] = (into[Phase.DONE][0][1],)
    started = next((r for _, r in rows if is_event(r, "session_started")), None)

    return SessionMetrics(
        problem=_str_or_none(started.data.get("problem")) if started else None,
        qualified_id=_str_or_none(started.data.get("qualified_id")) if started else None,
        total_duration=total_duration,
        phase_spans=tuple(spans),
        time_per_phase=time_per_phase,
        time_to_first_approach=_since(first_approach, start_t),
        time_to_coding=_since(coding, start_t),
        approach_before_coding=approach_before_coding,
        time_to_working_code=working.t - start_t if working else None,
        hints_given=len(hint_rows),
        hint_levels=tuple(int(r.data.get("level", 0)) for _, r in hint_rows),
        hints_requested=len(evidence["hints_requested"]),
        test_runs=len(runs),
        test_pass_rate=_pass_rate(last_run),
        final_passed=last_run.passed if last_run else None,
        final_total=last_run.total if last_run else None,
        first_run_failed=case_changes.first_run_failed,
        bugs_introduced=case_changes.introduced,
        bugs_fixed=case_changes.fixed,
        bugs_encountered=(case_changes.first_run_failed or 0) + case_changes.introduced,
        complexity_correct=complexity_correct,
        complexity_claimed_time=claimed,
        utterances=len(spoken),
        words_spoken=words,
        thinking_sound_utterances=len(evidence["thinking_sound_utterances"]),
        words_per_minute=words / (total_duration / 60.0) if total_duration > 0 else 0.0,
        silence_periods=tuple(p.seconds for p in silences),
        longest_silence=longest.seconds if longest else None,
        clarifications_asked=sum(asked[s.seq] for s in questions),
        clarifications_before_coding=sum(asked[s.seq] for s in early_questions),
        coach_questions=len(coach_questions),
        leaks_blocked=len(evidence["leaks_blocked"]),
        fishing_attempts=len(evidence["fishing_attempts"]),
        completed=bool(into[Phase.DONE]),
        end_reason=_str_or_none(ends[-1][1].data.get("reason")) if ends else None,
        evidence=evidence,
        delivery=_delivery_of(rows),
        coach_model=coach_usage_of(rows),
    )


def _delivery_of(rows: Sequence[tuple[int, Record]]) -> DeliveryMetrics:
    # Imported here: delivery.py reads records with this module's helpers.
    from mock_interviewer_lab.reporting.delivery import compute_delivery

    return compute_delivery(record for _, record in rows)


def _since(moment: tuple[float, int] | None, start_t: float) -> float | None:
    return moment[0] - start_t if moment else None


def _pass_rate(run: RunOutcome | None) -> float | None:
    if run is None:
        return None
    return run.passed / run.total if run.total > 0 else 0.0


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
