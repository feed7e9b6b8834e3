"""Reading a session's records: what the metrics, the delivery figures, the
transcript and the report all need from them, written once.

Records not yet stored (``seq`` None) are numbered by their position
(:func:`numbered`); every figure's evidence uses these numbers. Imports run
one way: ``metrics`` -> ``delivery`` -> ``records``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from mock_interviewer_lab import payloads
from mock_interviewer_lab.events import Action, Event, Record
from mock_interviewer_lab.harness.outcome import RunResult
from mock_interviewer_lab.interview.intent import (
    IntentClassifier,
    Utterance,
    is_only_thinking_sounds,
)
from mock_interviewer_lab.interview.phases import Phase
from mock_interviewer_lab.settings import BehavioralSettings

#: Events that show the candidate doing something at their moment: they end a
#: silence (speech ends one too, by its own rules in each module).
ACTIVITY_EVENTS = frozenset({"typing", "code_submitted", "hint_requested"})


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


def jsonable(value: Any) -> Any:
    """Plain JSON types: mappings with string keys, tuples as lists."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


# --------------------------------------------------------------------------
# Phases


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


def phase_spans_of(records: Sequence[tuple[int, Record]]) -> list[PhaseSpan]:
    """The phases visited, in order: a phase runs from the change into it to
    the next change; the phase before the first change (its ``from``) starts
    with the first record; the open phase runs to the last record."""
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
        change = cast(payloads.PhaseChanged, r.data)
        if current is None:
            current = str(change.get("from", Phase.INIT.value))
        spans.append(PhaseSpan(current, start_t, r.t, start_seq))
        current, start_t, start_seq = str(change.get("to")), r.t, seq
    if current is not None:
        spans.append(PhaseSpan(current, start_t, max(last_t, start_t), start_seq))
    return spans


# --------------------------------------------------------------------------
# Test runs


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


def run_outcome(seq: int, record: Record) -> RunOutcome:
    """A ``tests_finished`` event's run (a RunResult as JSON, or the object itself)."""
    raw = cast(payloads.TestsFinished, record.data).get("run")
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


# --------------------------------------------------------------------------
# What the candidate said


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
        text = str(cast(payloads.CandidateSaid, r.data).get("text", ""))
        said.append(
            SaidRecord(
                seq=seq,
                t=r.t,
                utterance=classifier.classify(text),
                only_thinking_sounds=is_only_thinking_sounds(text, behavioral.thinking_sounds),
            )
        )
    return said
