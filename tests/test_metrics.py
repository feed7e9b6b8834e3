"""Session metrics, figure by figure, on hand-made record lists.

:class:`SessionBuilder` writes sessions the way the orchestrator records them
(events.py's vocabulary, seqs in order, actions caused by events); the report
and calibrator tests use it too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from mock_interviewer_lab.events import Action, ActionType, Event, EventType, Record
from mock_interviewer_lab.harness.outcome import CaseOutcome, CaseStatus, RunResult
from mock_interviewer_lab.reporting.metrics import (
    SILENCE_JOIN_TOLERANCE_S,
    SessionMetrics,
    compute_metrics,
)
from mock_interviewer_lab.settings import BehavioralSettings

VISIBLE = 3


class SessionBuilder:
    """Appends records as a session would: each method returns the seq it is about."""

    def __init__(self, problem: str = "two_sum", *, minutes: int = 45) -> None:
        self.records: list[Record] = []
        self.phase = "init"
        self._code_seq: int | None = None
        self.started = self.event(
            "session_started", 0.0,
            problem=problem, qualified_id=f"core:{problem}", minutes=minutes, mode="normal",
            coach={"helpfulness": "balanced", "personality": "supportive"}, settings={},
        )
        self.go("intro", 0.0, cause=self.started)
        self.go("understanding", 0.0, cause=self.started)

    @property
    def next_seq(self) -> int:
        return len(self.records)

    def event(self, type_: EventType, t: float, **data: Any) -> int:
        seq = self.next_seq
        self.records.append(Event(type=type_, t=t, data=data, seq=seq))
        return seq

    def action(self, type_: ActionType, t: float, cause: int | None, **data: Any) -> int:
        seq = self.next_seq
        self.records.append(Action(type=type_, t=t, data=data, seq=seq, cause=cause))
        return seq

    def go(self, to: str, t: float, *, cause: int | None = None, reason: str = "test") -> int:
        seq = self.action("phase_changed", t, cause, **{"from": self.phase, "to": to,
                                                        "reason": reason})
        self.phase = to
        return seq

    def say(self, t: float, text: str, *, to: str | None = None) -> int:
        """The candidate speaks; ``to`` moves the phase as the orchestrator would."""
        seq = self.event("candidate_said", t, text=text)
        if to:
            self.go(to, t, cause=seq)
        return seq

    def coach(self, t: float, text: str, kind: str = "question", cause: int | None = None) -> int:
        return self.action("coach_says", t, cause, text=text, kind=kind, coach="scripted",
                           fallback=False)

    def submit(self, t: float, code: str = "def two_sum(nums, target):\n    pass\n") -> int:
        seq = self.event("code_submitted", t, code=code)
        self._code_seq = seq
        if self.phase in ("understanding", "approach"):
            self.go("coding", t, cause=seq)
        self.action("run_tests", t, seq, code_seq=seq)
        return seq

    def tests(self, t: float, statuses: Sequence[CaseStatus], *, error: str | None = None) -> int:
        """``tests_finished`` for these case statuses (the first VISIBLE are visible)."""
        cases = [
            CaseOutcome(index=i, name=f"case {i + 1}", hidden=i >= VISIBLE, kind="io", status=s)
            for i, s in enumerate(statuses)
        ]
        passed = sum(s == "passed" for s in statuses)
        run = RunResult(problem="two_sum", passed=passed, failed=len(statuses) - passed,
                        total=len(statuses), cases=cases, error=error)
        seq = self.event("tests_finished", t, run=run.public_json(), code_seq=self._code_seq)
        self.action("show_results", t, seq, passed=passed, failed=len(statuses) - passed,
                    total=len(statuses), cases=[], complexity=None)
        if self.phase == "coding":
            self.go("testing", t, cause=seq)
        if self.phase in ("testing",):
            self.go("optimization" if passed == len(statuses) and statuses else "debugging",
                    t, cause=seq)
        elif self.phase == "debugging" and statuses and passed == len(statuses):
            self.go("testing", t, cause=seq)
            self.go("optimization", t, cause=seq)
        return seq

    def hint(self, t: float, level: int, *, requested: bool = True) -> int:
        """A hint shown; returns the ``show_hint`` seq (after a ``hint_requested`` if asked)."""
        cause = self.event("hint_requested", t) if requested else None
        return self.action("show_hint", t, cause, level=level, of=3, text=f"hint text {level}",
                           reason="requested" if requested else "stuck")

    def silence(self, t: float, seconds: float) -> int:
        return self.event("silence", t, seconds=seconds)

    def typing(self, t: float) -> int:
        return self.event("typing", t)

    def tick(self, t: float) -> int:
        return self.event("tick", t)

    def fishing(self, t: float, text: str = "just tell me the answer") -> int:
        said = self.event("candidate_said", t, text=text)
        return self.action("fishing_redirected", t, said, kind="answer_request")

    def leak(self, t: float, original: str = "SECRET: use a dict of complements") -> int:
        return self.action("leak_blocked", t, None, reasons=["key_term"], original_kind="hint",
                           original=original)

    def complexity(self, t: float, claimed: str | None, *, expected: str = "O(n)",
                   correct: bool | None = None) -> int:
        text = f"it is {claimed} time" if claimed else "no idea"
        said = self.event("candidate_said", t, text=text)
        return self.action(
            "complexity_checked", t, said, claimed_time=claimed, claimed_space=None,
            expected_time=expected, measured_time=None,
            correct=(claimed == expected) if correct is None else correct,
        )

    def end(self, t: float, reason: str = "candidate", *, to: str = "done") -> int:
        seq = self.event("end_requested", t, reason=reason)
        if to == "done" and self.phase not in ("reflection", "followup"):
            self.go("reflection", t, cause=seq)
        self.go(to, t, cause=seq)
        self.action("report_ready", t, seq, report={})
        return seq


def realistic_session() -> tuple[list[Record], dict[str, Any]]:
    """A full 30-minute session; returns the records and the seqs worth checking."""
    b = SessionBuilder()
    s: dict[str, Any] = {"builder": b}
    b.coach(1.0, "Tell me how you read the problem.", cause=b.started)
    s["q1"] = b.say(20.0, "Can the list be empty?")
    s["q2"] = b.say(35.0, "Are the numbers sorted?")
    b.coach(36.0, "No, they are not sorted.", kind="reflect")
    b.say(50.0, "um... hmm")
    s["approach"] = b.say(95.0, "I'll use a dictionary to remember what I have seen",
                          to="approach")
    s["silence"] = b.silence(150.0, 20.0)
    b.say(160.0, "let me code it", to="coding")
    b.typing(200.0)
    b.submit(400.0)
    s["run1"] = b.tests(401.0, ["passed", "failed", "passed", "failed", "passed", "passed",
                                "passed"])
    s["hint1"] = b.hint(450.0, 1)
    b.submit(600.0)
    s["run2"] = b.tests(601.0, ["passed", "passed", "failed", "passed", "passed", "passed",
                                "passed"])
    b.submit(640.0)
    s["run3"] = b.tests(641.0, ["passed"] * 7)
    b.go("complexity", 700.0)
    s["check"] = b.complexity(720.0, "O(n)")
    s["end"] = b.end(1800.0)
    return b.records, s


def by_seq(records: Sequence[Record]) -> dict[int, Record]:
    return {r.seq: r for r in records if r.seq is not None}


# ------------------------------------------------------------------ timing


def test_total_duration_runs_from_first_to_last_record() -> None:
    records, _ = realistic_session()
    m = compute_metrics(records)
    assert m.total_duration == 1800.0
    assert m.evidence["total_duration"] == (0, records[-1].seq)


def test_time_per_phase_adds_visits_and_runs_the_open_phase_to_the_end() -> None:
    b = SessionBuilder()
    b.say(60.0, "I'll use a hash map", to="approach")
    b.go("coding", 100.0)
    b.submit(200.0)
    b.tests(210.0, ["failed", "passed"])  # coding -> testing -> debugging at 210
    b.submit(300.0)
    b.tests(330.0, ["passed", "passed"])  # debugging -> testing -> optimization at 330
    b.tick(400.0)
    m = compute_metrics(b.records)
    assert m.time_per_phase["understanding"] == 60.0
    assert m.time_per_phase["approach"] == 40.0
    assert m.time_per_phase["coding"] == 110.0
    assert m.time_per_phase["debugging"] == 120.0
    assert m.time_per_phase["testing"] == 0.0
    assert m.time_per_phase["optimization"] == 70.0  # open: to the last record
    assert sum(m.time_per_phase.values()) == m.total_duration
    assert [s.phase for s in m.phase_spans][:3] == ["init", "intro", "understanding"]


def test_time_to_first_approach_from_an_approach_utterance_or_a_phase_move() -> None:
    said = SessionBuilder()
    said.say(10.0, "can the numbers repeat?")
    seq = said.say(42.0, "I think we can sort it first")  # approach intent, no phase move
    m = compute_metrics(said.records)
    assert m.time_to_first_approach == 42.0
    assert m.evidence["time_to_first_approach"] == (seq,)

    coded = SessionBuilder()
    code_seq = coded.submit(75.0)  # straight into code: UNDERSTANDING -> CODING
    m = compute_metrics(coded.records)
    assert m.time_to_first_approach == 75.0
    assert m.time_to_coding == 75.0
    assert m.approach_before_coding is False
    # The submission comes before the phase move it causes (same t, lower seq).
    assert m.evidence["time_to_coding"] == (code_seq,)
    assert by_seq(coded.records)[m.evidence["time_to_first_approach"][0]].type == "phase_changed"


def test_no_approach_no_time() -> None:
    b = SessionBuilder()
    b.say(10.0, "what does the function return?")
    b.tick(200.0)
    m = compute_metrics(b.records)
    assert m.time_to_first_approach is None
    assert m.time_to_coding is None
    assert m.approach_before_coding is False


def test_time_to_working_code_is_the_first_all_passing_run() -> None:
    records, s = realistic_session()
    m = compute_metrics(records)
    assert m.time_to_working_code == 641.0
    assert m.evidence["time_to_working_code"] == (s["run3"],)


def test_a_run_with_an_error_is_not_working_code() -> None:
    b = SessionBuilder()
    b.submit(10.0)
    b.tests(11.0, ["passed", "passed"], error="SyntaxError: invalid syntax")
    m = compute_metrics(b.records)
    assert m.time_to_working_code is None
    assert m.test_pass_rate == 1.0  # passed / total, as recorded


# ------------------------------------------------------------------ tests and bugs


def test_runs_pass_rate_and_bugs_per_case_index() -> None:
    records, s = realistic_session()
    m = compute_metrics(records)
    assert m.test_runs == 3
    assert m.test_pass_rate == 1.0
    assert (m.final_passed, m.final_total) == (7, 7)
    # run1 fails cases 1 and 3; run2 fixes both and breaks case 2; run3 fixes case 2.
    assert m.first_run_failed == 2
    assert m.bugs_introduced == 1
    assert m.bugs_fixed == 3
    assert m.bugs_encountered == 3
    assert m.evidence["bugs_introduced"] == (s["run2"],)
    assert m.evidence["bugs_fixed"] == (s["run2"], s["run3"])
    assert m.evidence["bugs_encountered"] == (s["run1"], s["run2"])


def test_a_run_whose_code_did_not_load_is_left_out_of_the_bug_count() -> None:
    b = SessionBuilder()
    b.submit(10.0)
    b.tests(11.0, ["passed", "failed", "passed"])
    b.submit(20.0)
    broken = b.tests(21.0, [], error="SyntaxError: invalid syntax")
    b.submit(30.0)
    b.tests(31.0, ["passed", "passed", "passed"])
    m = compute_metrics(b.records)
    assert m.test_runs == 3
    assert (m.bugs_introduced, m.bugs_fixed) == (0, 1)
    assert broken not in m.evidence["bugs_fixed"]


def test_no_runs() -> None:
    m = compute_metrics(SessionBuilder().records)
    assert m.test_runs == 0
    assert m.test_pass_rate is None
    assert m.first_run_failed is None
    assert (m.bugs_introduced, m.bugs_fixed, m.bugs_encountered) == (0, 0, 0)


def test_final_pass_rate_is_the_last_run() -> None:
    b = SessionBuilder()
    b.submit(10.0)
    b.tests(11.0, ["passed"] * 4)
    b.submit(20.0)
    last = b.tests(21.0, ["passed", "failed", "failed", "failed"])
    m = compute_metrics(b.records)
    assert m.test_pass_rate == 0.25
    assert m.evidence["test_pass_rate"] == (last,)
    assert m.bugs_introduced == 3


# ------------------------------------------------------------------ hints, complexity


def test_hints_given_levels_and_requests() -> None:
    b = SessionBuilder()
    h1 = b.hint(100.0, 1)
    h2 = b.hint(200.0, 2, requested=False)
    h3 = b.hint(300.0, 3)
    m = compute_metrics(b.records)
    assert m.hints_given == 3
    assert m.hint_levels == (1, 2, 3)
    assert m.max_hint_level == 3
    assert m.hints_requested == 2
    assert m.evidence["hints_given"] == (h1, h2, h3)
    types = {by_seq(b.records)[seq].type for seq in m.evidence["hints_requested"]}
    assert types == {"hint_requested"}


@pytest.mark.parametrize(("claimed", "correct"), [("O(n)", True), ("O(n^2)", False)])
def test_complexity_correct_from_the_last_check(claimed: str, correct: bool) -> None:
    b = SessionBuilder()
    b.complexity(100.0, "O(n^2)" if correct else "O(n)", correct=not correct)
    last = b.complexity(200.0, claimed)
    m = compute_metrics(b.records)
    assert m.complexity_correct is correct
    assert m.complexity_claimed_time == claimed
    assert m.evidence["complexity_correct"] == (last,)


def test_complexity_never_checked_is_none_but_a_stated_claim_is_kept() -> None:
    b = SessionBuilder()
    m = compute_metrics(b.records)
    assert m.complexity_correct is None
    assert m.complexity_claimed_time is None
    seq = b.say(50.0, "this runs in O(n log n) time")
    m = compute_metrics(b.records)
    assert m.complexity_correct is None
    assert m.complexity_claimed_time == "O(n log n)"
    assert m.evidence["complexity_claimed_time"] == (seq,)


# ------------------------------------------------------------------ speech


def test_words_do_not_count_thinking_sounds() -> None:
    b = SessionBuilder()
    b.say(10.0, "um, can the list be empty?")  # 5 words
    only = b.say(20.0, "hmm... uhh")
    b.say(30.0, "err I'll use a set")  # 4 words
    b.tick(120.0)
    m = compute_metrics(b.records)
    assert m.words_spoken == 9
    assert m.utterances == 2
    assert m.thinking_sound_utterances == 1
    assert m.evidence["thinking_sound_utterances"] == (only,)
    assert only not in m.evidence["words_spoken"]
    assert m.words_per_minute == pytest.approx(9 / 2)


def test_thinking_sounds_follow_the_behavioral_settings() -> None:
    b = SessionBuilder()
    b.say(10.0, "welp so can it be empty")
    b.tick(60.0)
    default = compute_metrics(b.records)
    custom = compute_metrics(b.records, behavioral=BehavioralSettings(thinking_sounds=["welp"]))
    assert default.words_spoken == 6
    assert custom.words_spoken == 5


def test_words_per_minute_of_an_empty_session_is_zero() -> None:
    b = SessionBuilder()
    m = compute_metrics(b.records)
    assert m.total_duration == 0.0
    assert m.words_per_minute == 0.0


def test_clarifying_questions_and_those_before_coding() -> None:
    b = SessionBuilder()
    q1 = b.say(10.0, "Can the list be empty?")
    b.say(20.0, "how much time is left?")  # about the session: not a clarification
    q2 = b.say(30.0, "are the values integers")
    b.say(40.0, "I'll use a dictionary", to="approach")
    b.go("coding", 60.0)
    q3 = b.say(90.0, "should I return the indices in order?")
    m = compute_metrics(b.records)
    assert m.clarifications_asked == 3
    assert m.evidence["clarifications_asked"] == (q1, q2, q3)
    assert m.clarifications_before_coding == 2
    assert m.evidence["clarifications_before_coding"] == (q1, q2)


def test_coach_questions_leaks_and_fishing() -> None:
    b = SessionBuilder()
    asked = b.coach(5.0, "What are the inputs?")
    b.coach(6.0, "Good.", kind="praise")
    leak = b.leak(7.0)
    fish = b.fishing(8.0)
    m = compute_metrics(b.records)
    assert (m.coach_questions, m.leaks_blocked, m.fishing_attempts) == (1, 1, 1)
    assert m.evidence["coach_questions"] == (asked,)
    assert m.evidence["leaks_blocked"] == (leak,)
    assert m.evidence["fishing_attempts"] == (fish,)


# ------------------------------------------------------------------ silence


def test_repeated_silence_events_of_one_silence_are_merged() -> None:
    b = SessionBuilder()
    first = b.silence(18.0, 8.0)  # silent since 10
    b.coach(18.0, "Take your time.", kind="nudge")
    second = b.silence(40.0, 30.0)  # the same silence, measured again
    b.say(41.0, "ok I think I see it")
    third = b.silence(60.0, 9.0)  # a new one, after speaking
    m = compute_metrics(b.records)
    assert m.silence_periods == (30.0, 9.0)
    assert m.longest_silence == 30.0
    assert m.evidence["longest_silence"] == (first, second)
    assert m.evidence["silence_periods"] == (first, second, third)


def test_a_silence_restarted_after_a_nudge_is_one_period() -> None:
    b = SessionBuilder()
    b.silence(20.0, 10.0)  # 10 -> 20
    b.silence(20.0 + SILENCE_JOIN_TOLERANCE_S + 8.0, 8.0)  # clock restarted at the nudge
    m = compute_metrics(b.records)
    assert m.silence_periods == (19.0,)


def test_typing_or_thinking_sounds_between_silences() -> None:
    b = SessionBuilder()
    b.silence(20.0, 10.0)
    b.typing(21.0)
    b.silence(40.0, 19.0)
    typed = compute_metrics(b.records)
    assert typed.silence_periods == (10.0, 19.0)

    b = SessionBuilder()
    b.silence(20.0, 10.0)
    b.say(21.0, "hmmm")  # a thinking sound does not end a silence
    b.silence(40.0, 30.0)
    hummed = compute_metrics(b.records)
    assert hummed.silence_periods == (30.0,)


def test_no_silence() -> None:
    m = compute_metrics(SessionBuilder().records)
    assert m.silence_periods == ()
    assert m.longest_silence is None


# ------------------------------------------------------------------ the whole


def test_realistic_session_figures_and_json() -> None:
    records, s = realistic_session()
    m = compute_metrics(records)
    assert m.problem == "two_sum"
    assert m.qualified_id == "core:two_sum"
    assert m.time_to_first_approach == 95.0
    assert m.approach_before_coding is True
    assert m.evidence["approach_before_coding"][0] in (s["approach"], s["approach"] + 1)
    assert m.clarifications_before_coding == 2
    assert m.completed is True
    assert m.end_reason == "candidate"
    assert m.complexity_correct is True
    data = json.loads(json.dumps(m.as_dict()))
    assert data["time_per_phase"]["coding"] == m.time_per_phase["coding"]
    assert data["phase_spans"][0]["phase"] == "init"
    assert data["evidence"]["test_runs"] == [s["run1"], s["run2"], s["run3"]]


#: The record type each figure's evidence must point at.
EVIDENCE_TYPES: dict[str, set[str]] = {
    "test_runs": {"tests_finished"},
    "time_to_working_code": {"tests_finished"},
    "test_pass_rate": {"tests_finished"},
    "bugs_introduced": {"tests_finished"},
    "bugs_fixed": {"tests_finished"},
    "first_run_failed": {"tests_finished"},
    "hints_given": {"show_hint"},
    "hints_requested": {"hint_requested"},
    "complexity_correct": {"complexity_checked"},
    "words_spoken": {"candidate_said"},
    "clarifications_asked": {"candidate_said"},
    "clarifications_before_coding": {"candidate_said"},
    "silence_periods": {"silence"},
    "longest_silence": {"silence"},
    "coach_questions": {"coach_says"},
    "time_per_phase": {"phase_changed"},
    "time_to_first_approach": {"phase_changed", "candidate_said"},
    "time_to_coding": {"phase_changed", "code_submitted"},
    "end_reason": {"end_requested"},
    "completed": {"phase_changed"},
}


def test_every_figure_cites_records_of_the_right_type() -> None:
    records, _ = realistic_session()
    m: SessionMetrics = compute_metrics(records)
    index = by_seq(records)
    for figure, seqs in m.evidence.items():
        for seq in seqs:
            assert seq in index, (figure, seq)
            if figure in EVIDENCE_TYPES:
                assert index[seq].type in EVIDENCE_TYPES[figure], (figure, index[seq])


def test_records_given_out_of_order_are_read_in_seq_order() -> None:
    records, _ = realistic_session()
    shuffled = list(reversed(records))
    assert compute_metrics(shuffled) == compute_metrics(records)


def test_records_without_seq_are_numbered_by_position() -> None:
    b = SessionBuilder()
    b.say(10.0, "Can the list be empty?")
    unstored = [Event(type=r.type, t=r.t, data=r.data) if isinstance(r, Event)
                else Action(type=r.type, t=r.t, data=r.data) for r in b.records]
    m = compute_metrics(unstored)
    assert m.evidence["clarifications_asked"] == (len(unstored) - 1,)
