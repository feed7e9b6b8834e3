"""Session metrics: figures computed from a session's records, and nothing else.

:func:`compute_metrics` reads the records of one session (the
:mod:`~mock_interviewer_lab.events` vocabulary, in ``seq`` order)
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
                               None if the complexity was never checked, or
                               not judged (the problem expects none)
complexity_claimed_time        ``claimed_time`` of the last ``complexity_checked``,
                               else the last time class the candidate said
utterances                     ``candidate_said`` events with at least one word
words_spoken                   their words (interview/words.py, the tokeniser
                               delivery.py uses too), thinking sounds ("um",
                               "hmm", the ``coach.behavioral.thinking_sounds``)
                               not counted
thinking_sound_utterances      ``candidate_said`` made of thinking sounds only
words_per_minute               words_spoken / total_duration in minutes (said or
                               typed, over the whole interview: how much the
                               candidate talked); the speaking rate is
                               ``delivery.overall.words_per_minute``: spoken
                               words, fillers included, over speaking time
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
from typing import Any, cast

from mock_interviewer_lab import payloads
from mock_interviewer_lab.events import Event, Record
from mock_interviewer_lab.interview.intent import Intent, Utterance
from mock_interviewer_lab.interview.phases import Phase
from mock_interviewer_lab.interview.rules.clarify import topics_asked
from mock_interviewer_lab.reporting.coach_usage import CoachUsage, coach_usage_of
from mock_interviewer_lab.reporting.delivery import DeliveryMetrics, compute_delivery
from mock_interviewer_lab.reporting.records import (
    ACTIVITY_EVENTS,
    PhaseSpan,
    RunOutcome,
    SaidRecord,
    candidate_utterances,
    first_problem_rows,
    is_action,
    is_event,
    jsonable,
    numbered,
    phase_spans_of,
    runs_of,
)
from mock_interviewer_lab.settings import BehavioralSettings

#: Two silence spans closer than this (seconds) are one silence.
SILENCE_JOIN_TOLERANCE_S = 1.0


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
        return jsonable(data)  # type: ignore[no-any-return]


# --------------------------------------------------------------------------
# Reading records (the shared helpers are in records.py)


def clarifying_questions(utterance: Utterance) -> int:
    """How many clarifying questions an utterance asks: its question sentences
    about a clarification topic ("Can the numbers be negative? Is it sorted?"
    is two, also inside a restatement of the problem), else one when it reads
    as a clarifying question as a whole."""
    if not utterance.is_question:
        return 0
    sentences = [s for s in re.split(r"(?<=[?.!])\s+", utterance.text) if s.strip()]
    about_topics = sum(1 for s in sentences if s.rstrip().endswith("?") and topics_asked(s))
    if about_topics:
        return about_topics
    return 1 if utterance.intent == Intent.CLARIFYING_QUESTION else 0


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
        if seq in spoke_at or (isinstance(r, Event) and r.type in ACTIVITY_EVENTS):
            active_since_last = True
            continue
        if not is_event(r, "silence"):
            continue
        seconds = max(0.0, float(cast(payloads.Silence, r.data).get("seconds", 0.0)))
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


#: Figure name -> the seqs of the records it was computed from; each step
#: below adds the figures it computes, in the order SessionMetrics lists them.
_Evidence = dict[str, tuple[int, ...]]

#: A moment of the session: (t, seq) of the record it is read from.
_Moment = tuple[float, int]


def compute_metrics(
    records: Iterable[Record], *, behavioral: BehavioralSettings | None = None
) -> SessionMetrics:
    """The figures of a session, from its records alone (see the module docstring)."""
    rows = numbered(records)
    evidence: _Evidence = {}
    start_t, total_duration = _duration(rows, evidence)
    spans = phase_spans_of(rows)
    time_per_phase = _time_per_phase(rows, spans, evidence)
    said = candidate_utterances(rows, behavioral)
    into = _moves_into(rows)
    moments = _moments(rows, into, said, evidence)
    # The runs, hints and complexity checks are the first problem's.
    first_rows = first_problem_rows(rows)
    tests = _test_figures(first_rows, evidence)
    hints = _hint_figures(rows, first_rows, evidence)
    complexity_correct, claimed = _complexity_figures(first_rows, said, evidence)
    speech = _speech_figures(said, moments.coding, evidence)
    silences, longest = _silence_figures(rows, said, evidence)
    coach = _coach_figures(rows, evidence)
    completed, end_reason = _ending(rows, into[Phase.DONE], evidence)
    started = next((cast(payloads.SessionStarted, r.data) for _, r in rows
                    if is_event(r, "session_started")), None)
    last_run, changes = tests.last, tests.case_changes

    return SessionMetrics(
        problem=_str_or_none(started.get("problem")) if started is not None else None,
        qualified_id=_str_or_none(started.get("qualified_id")) if started is not None else None,
        total_duration=total_duration,
        phase_spans=tuple(spans),
        time_per_phase=time_per_phase,
        time_to_first_approach=_since(moments.first_approach, start_t),
        time_to_coding=_since(moments.coding, start_t),
        approach_before_coding=moments.approach_before_coding,
        time_to_working_code=tests.working.t - start_t if tests.working else None,
        hints_given=len(hints.levels),
        hint_levels=hints.levels,
        hints_requested=hints.requested,
        test_runs=len(tests.runs),
        test_pass_rate=_pass_rate(last_run),
        final_passed=last_run.passed if last_run else None,
        final_total=last_run.total if last_run else None,
        first_run_failed=changes.first_run_failed,
        bugs_introduced=changes.introduced,
        bugs_fixed=changes.fixed,
        bugs_encountered=(changes.first_run_failed or 0) + changes.introduced,
        complexity_correct=complexity_correct,
        complexity_claimed_time=claimed,
        utterances=speech.utterances,
        words_spoken=speech.words,
        thinking_sound_utterances=speech.thinking_sound_utterances,
        words_per_minute=speech.words / (total_duration / 60.0) if total_duration > 0 else 0.0,
        silence_periods=tuple(p.seconds for p in silences),
        longest_silence=longest.seconds if longest else None,
        clarifications_asked=speech.clarifications_asked,
        clarifications_before_coding=speech.clarifications_before_coding,
        coach_questions=coach.questions,
        leaks_blocked=coach.leaks_blocked,
        fishing_attempts=coach.fishing_attempts,
        completed=completed,
        end_reason=end_reason,
        evidence=evidence,
        delivery=compute_delivery(record for _, record in rows),
        coach_model=coach_usage_of(rows),
    )


def _seqs_of(rows: Sequence[tuple[int, Record]], kind: str, *, action: bool) -> tuple[int, ...]:
    """The seqs of the actions (or events) of one type."""
    test = is_action if action else is_event
    return tuple(seq for seq, r in rows if test(r, kind))


def _duration(rows: Sequence[tuple[int, Record]], evidence: _Evidence) -> tuple[float, float]:
    """The first record's ``t``, and the time from it to the last record."""
    start_t = rows[0][1].t if rows else 0.0
    end_t = max((r.t for _, r in rows), default=start_t)
    if rows:
        evidence["total_duration"] = (rows[0][0], rows[-1][0])
    return start_t, max(0.0, end_t - start_t)


def _time_per_phase(rows: Sequence[tuple[int, Record]], spans: Sequence[PhaseSpan],
                    evidence: _Evidence) -> dict[str, float]:
    """Seconds in each phase, visits to the same phase added up."""
    time_per_phase: dict[str, float] = {}
    for span in spans:
        time_per_phase[span.phase] = time_per_phase.get(span.phase, 0.0) + span.seconds
    evidence["time_per_phase"] = _seqs_of(rows, "phase_changed", action=True)
    return time_per_phase


def _moves_into(rows: Sequence[tuple[int, Record]]) -> dict[Phase, list[_Moment]]:
    """The moves into APPROACH, CODING and DONE, in order."""
    changes = [(seq, r) for seq, r in rows if is_action(r, "phase_changed")]
    return {
        phase: [(r.t, seq) for seq, r in changes if r.data.get("to") == phase.value]
        for phase in (Phase.APPROACH, Phase.CODING, Phase.DONE)
    }


@dataclass(frozen=True)
class _Moments:
    first_approach: _Moment | None
    coding: _Moment | None
    approach_before_coding: bool


def _moments(rows: Sequence[tuple[int, Record]], into: Mapping[Phase, list[_Moment]],
             said: Sequence[SaidRecord], evidence: _Evidence) -> _Moments:
    """When the candidate first described an approach, and first coded."""
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
    return _Moments(first_approach, coding, approach_before_coding)


@dataclass(frozen=True)
class _TestFigures:
    runs: list[RunOutcome]
    #: The first run with every case passed.
    working: RunOutcome | None
    last: RunOutcome | None
    case_changes: _RunFigures


def _test_figures(first_rows: Sequence[tuple[int, Record]],
                  evidence: _Evidence) -> _TestFigures:
    """The first problem's test runs: working code, last pass rate, bugs."""
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
    return _TestFigures(runs, working, last_run, case_changes)


@dataclass(frozen=True)
class _HintFigures:
    #: The level of each hint given for the first problem.
    levels: tuple[int, ...]
    requested: int


def _hint_figures(rows: Sequence[tuple[int, Record]], first_rows: Sequence[tuple[int, Record]],
                  evidence: _Evidence) -> _HintFigures:
    """The hints the first problem got, and every hint asked for."""
    hint_rows = [(seq, r) for seq, r in first_rows if is_action(r, "show_hint")]
    evidence["hints_given"] = tuple(seq for seq, _ in hint_rows)
    evidence["hints_requested"] = _seqs_of(rows, "hint_requested", action=False)
    return _HintFigures(levels=tuple(int(cast(payloads.ShowHint, r.data).get("level", 0))
                                     for _, r in hint_rows),
                        requested=len(evidence["hints_requested"]))


def _complexity_figures(first_rows: Sequence[tuple[int, Record]], said: Sequence[SaidRecord],
                        evidence: _Evidence) -> tuple[bool | None, str | None]:
    """Whether the last complexity check was right, and the time class claimed."""
    checks = [(seq, r) for seq, r in first_rows if is_action(r, "complexity_checked")]
    complexity_correct: bool | None = None
    claimed: str | None = None
    if checks:
        check_seq, record = checks[-1]
        check = cast(payloads.ComplexityChecked, record.data)
        # None: the problem expects no complexity, so the claim was not judged.
        judged = check.get("correct")
        complexity_correct = None if judged is None else bool(judged)
        claimed = _str_or_none(check.get("claimed_time"))
        evidence["complexity_correct"] = (check_seq,)
    if claimed is None:
        claims = [s for s in said if s.utterance.complexity and s.utterance.complexity.time]
        if claims:
            claimed = claims[-1].utterance.complexity.time  # type: ignore[union-attr]
            evidence["complexity_claimed_time"] = (claims[-1].seq,)
    elif checks:
        evidence["complexity_claimed_time"] = (checks[-1][0],)
    return complexity_correct, claimed


@dataclass(frozen=True)
class _SpeechFigures:
    utterances: int
    words: int
    thinking_sound_utterances: int
    clarifications_asked: int
    clarifications_before_coding: int


def _speech_figures(said: Sequence[SaidRecord], coding: _Moment | None,
                    evidence: _Evidence) -> _SpeechFigures:
    """Words said or typed (thinking sounds left out), and clarifying questions."""
    spoken = [s for s in said if s.utterance.words > 0]
    evidence["words_spoken"] = tuple(s.seq for s in spoken)
    evidence["thinking_sound_utterances"] = tuple(s.seq for s in said if s.only_thinking_sounds)
    asked = {s.seq: clarifying_questions(s.utterance) for s in said}
    questions = [s for s in said if asked[s.seq]]
    evidence["clarifications_asked"] = tuple(s.seq for s in questions)
    early_questions = [s for s in questions if coding is None or (s.t, s.seq) < coding]
    evidence["clarifications_before_coding"] = tuple(s.seq for s in early_questions)
    return _SpeechFigures(
        utterances=len(spoken),
        words=sum(s.utterance.words for s in spoken),
        thinking_sound_utterances=len(evidence["thinking_sound_utterances"]),
        clarifications_asked=sum(asked[s.seq] for s in questions),
        clarifications_before_coding=sum(asked[s.seq] for s in early_questions),
    )


def _silence_figures(rows: Sequence[tuple[int, Record]], said: Sequence[SaidRecord],
                     evidence: _Evidence) -> tuple[list[SilencePeriod], SilencePeriod | None]:
    """The merged silences, and the longest of them."""
    silences = silence_periods_of(rows, said)
    evidence["silence_periods"] = tuple(seq for p in silences for seq in p.seqs)
    longest = max(silences, key=lambda p: p.seconds, default=None)
    if longest:
        evidence["longest_silence"] = longest.seqs
    return silences, longest


@dataclass(frozen=True)
class _CoachFigures:
    questions: int
    leaks_blocked: int
    fishing_attempts: int


def _coach_figures(rows: Sequence[tuple[int, Record]], evidence: _Evidence) -> _CoachFigures:
    """The coach's questions, the messages it withheld, the requests it turned away."""
    evidence["coach_questions"] = tuple(
        seq for seq, r in rows if is_action(r, "coach_says") and r.data.get("kind") == "question"
    )
    evidence["leaks_blocked"] = _seqs_of(rows, "leak_blocked", action=True)
    evidence["fishing_attempts"] = _seqs_of(rows, "fishing_redirected", action=True)
    return _CoachFigures(questions=len(evidence["coach_questions"]),
                         leaks_blocked=len(evidence["leaks_blocked"]),
                         fishing_attempts=len(evidence["fishing_attempts"]))


def _ending(rows: Sequence[tuple[int, Record]], into_done: Sequence[_Moment],
            evidence: _Evidence) -> tuple[bool, str | None]:
    """Whether the session reached DONE, and the reason of the last end request."""
    ends = [(seq, r) for seq, r in rows if is_event(r, "end_requested")]
    if ends:
        evidence["end_reason"] = (ends[-1][0],)
    if into_done:
        evidence["completed"] = (into_done[0][1],)
    reason = cast(payloads.EndRequested, ends[-1][1].data).get("reason") if ends else None
    return bool(into_done), _str_or_none(reason)


def _since(moment: tuple[float, int] | None, start_t: float) -> float | None:
    return moment[0] - start_t if moment else None


def _pass_rate(run: RunOutcome | None) -> float | None:
    if run is None:
        return None
    return run.passed / run.total if run.total > 0 else 0.0


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
