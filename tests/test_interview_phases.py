"""The phase machine: every legal move, refusals, the time rules, triggers, TDD order."""

from __future__ import annotations

import itertools

import pytest

from mock_interviewer_lab.interview.intent import Intent
from mock_interviewer_lab.interview.kinds.coding_plan import (
    CODING_PLAN,
    FOLLOWUP_MIN_S,
    TDD_MAIN_PHASE,
    TDD_ORDER,
    TRANSITIONS,
    TddPhase,
    next_tdd_phase,
    on_test_run,
    on_tests,
    tdd_prompt,
)
from mock_interviewer_lab.interview.phases import (
    WRAP_UP_AT_S,
    Phase,
    PhaseMachine,
    Verdict,
    check_transition,
)

P = Phase


def coding_machine(start: Phase = Phase.INIT, *, at: float = 0.0) -> PhaseMachine:
    """The engine's machine under the coding interview's plan."""
    return PhaseMachine(start, plan=CODING_PLAN, at=at)


def coding_transition(src: Phase, dst: Phase, *, time_left_s: float) -> Verdict:
    return check_transition(src, dst, time_left_s=time_left_s, plan=CODING_PLAN)

#: A behavioural interview's phases (interview/kinds/behavioral_plan.py):
#: never entered under the coding plan, so every move to or from them is
#: refused by a coding interview's machine.
BEHAVIORAL_PHASES = (P.QUESTION, P.FOLLOW_UP, P.FEEDBACK, P.SUMMARY)

PLENTY = 30 * 60.0  # seconds left: no time rule applies
SHORT = 4 * 60.0  # under five minutes left
VERY_SHORT = 90.0  # under two minutes left

# Written out by hand (not derived from TRANSITIONS) so a change to the
# table is a deliberate one. The value is a time left at which it is legal.
LEGAL: dict[tuple[Phase, Phase], float] = {
    # the spec's diagram
    (P.INIT, P.CALIBRATION): PLENTY,
    (P.INIT, P.INTRO): PLENTY,
    (P.CALIBRATION, P.INTRO): PLENTY,
    (P.INTRO, P.UNDERSTANDING): PLENTY,
    (P.UNDERSTANDING, P.APPROACH): PLENTY,
    (P.APPROACH, P.CODING): PLENTY,
    (P.CODING, P.TESTING): PLENTY,
    (P.TESTING, P.DEBUGGING): PLENTY,
    (P.TESTING, P.OPTIMIZATION): PLENTY,
    (P.DEBUGGING, P.TESTING): PLENTY,
    (P.OPTIMIZATION, P.COMPLEXITY): PLENTY,
    (P.COMPLEXITY, P.REFLECTION): PLENTY,
    (P.REFLECTION, P.FOLLOWUP): PLENTY,
    (P.REFLECTION, P.DONE): PLENTY,
    (P.FOLLOWUP, P.DONE): PLENTY,
    # added for real interviews
    (P.UNDERSTANDING, P.CODING): PLENTY,
    (P.OPTIMIZATION, P.TESTING): PLENTY,
    (P.UNDERSTANDING, P.COMPLEXITY): SHORT,
    (P.APPROACH, P.COMPLEXITY): SHORT,
    (P.CODING, P.COMPLEXITY): SHORT,
    (P.TESTING, P.COMPLEXITY): SHORT,
    (P.DEBUGGING, P.COMPLEXITY): SHORT,
    # the emergency exit, from every phase of a coding interview but the end
    **{(src, P.ABORT): PLENTY for src in P
       if src not in (P.DONE, P.ABORT) and src not in BEHAVIORAL_PHASES},
}

ILLEGAL = [pair for pair in itertools.product(P, P) if pair not in LEGAL]


def test_phases_are_exactly_the_specs_states() -> None:
    assert [p.name for p in P] == [
        "INIT",
        "CALIBRATION",
        "INTRO",
        "UNDERSTANDING",
        "APPROACH",
        "CODING",
        "TESTING",
        "DEBUGGING",
        "OPTIMIZATION",
        "COMPLEXITY",
        "REFLECTION",
        "FOLLOWUP",
        # the behavioural interview's, after the spec's coding states
        "QUESTION",
        "FOLLOW_UP",
        "FEEDBACK",
        "SUMMARY",
        "DONE",
        "ABORT",
    ]
    assert all(p.value == p.name.lower() for p in P)


def test_the_transition_table_is_the_documented_one() -> None:
    assert {(t.src, t.dst) for t in TRANSITIONS} == set(LEGAL)
    assert len(TRANSITIONS) == len(LEGAL)  # no duplicates
    spec = {(t.src, t.dst) for t in TRANSITIONS if t.origin == "spec"}
    assert (P.UNDERSTANDING, P.CODING) not in spec
    assert (P.APPROACH, P.CODING) in spec
    assert all(t.when for t in TRANSITIONS)


@pytest.mark.parametrize(("src", "dst"), list(LEGAL))
def test_every_legal_transition_is_allowed_and_recorded(src: Phase, dst: Phase) -> None:
    machine = coding_machine(src, at=100.0)
    time_left = LEGAL[(src, dst)]
    assert machine.can(dst, time_left_s=time_left)
    verdict = machine.go(dst, at=130.0, reason="test", time_left_s=time_left)
    assert verdict.allowed and bool(verdict)
    assert (verdict.src, verdict.dst) == (src, dst)
    assert machine.phase == dst
    assert machine.entered_at == 130.0
    (change,) = machine.history
    assert (change.src, change.dst, change.at, change.reason) == (src, dst, 130.0, "test")
    assert change.time_left_s == time_left


@pytest.mark.parametrize(("src", "dst"), ILLEGAL)
def test_every_other_pair_is_refused_without_changing_state(src: Phase, dst: Phase) -> None:
    machine = coding_machine(src, at=5.0)
    for time_left in (PLENTY, SHORT, VERY_SHORT, 0.0):
        verdict = machine.go(dst, at=10.0, reason="test", time_left_s=time_left)
        assert not verdict
        assert verdict.reason.startswith(f"cannot go from {src.name} to {dst.name}: ")
    assert machine.phase == src
    assert machine.entered_at == 5.0
    assert machine.history == ()


@pytest.mark.parametrize(
    ("src", "dst", "time_left", "explanation"),
    [
        (
            P.INTRO,
            P.TESTING,
            PLENTY,
            "from INTRO the interview can only go to UNDERSTANDING or ABORT",
        ),
        (
            P.INIT,
            P.CODING,
            PLENTY,
            "from INIT the interview can only go to CALIBRATION, INTRO or ABORT",
        ),
        (P.CODING, P.CODING, PLENTY, "already in CODING"),
        (P.DONE, P.ABORT, PLENTY, "the interview has ended (DONE)"),
        (P.ABORT, P.INTRO, PLENTY, "the interview has ended (ABORT)"),
        (P.CODING, P.COMPLEXITY, 12 * 60.0, "only when under 5:00 is left (12:00 left)"),
        (P.REFLECTION, P.FOLLOWUP, 90.0, "needs more than 2:00 left (1:30 left)"),
        (
            P.COMPLEXITY,
            P.CODING,
            PLENTY,
            "from COMPLEXITY the interview can only go to REFLECTION or ABORT",
        ),
    ],
)
def test_refusals_say_why(src: Phase, dst: Phase, time_left: float, explanation: str) -> None:
    verdict = coding_transition(src, dst, time_left_s=time_left)
    assert not verdict
    assert verdict.reason == f"cannot go from {src.name} to {dst.name}: {explanation}"


# ---------------------------------------------------------------- time rules


@pytest.mark.parametrize("src", [P.UNDERSTANDING, P.APPROACH, P.CODING, P.TESTING, P.DEBUGGING])
def test_work_phases_reach_complexity_only_under_five_minutes(src: Phase) -> None:
    assert not coding_transition(src, P.COMPLEXITY, time_left_s=WRAP_UP_AT_S)
    assert not coding_transition(src, P.COMPLEXITY, time_left_s=20 * 60)
    assert coding_transition(src, P.COMPLEXITY, time_left_s=WRAP_UP_AT_S - 0.5)
    assert coding_transition(src, P.COMPLEXITY, time_left_s=0)


def test_optimization_reaches_complexity_at_any_time() -> None:
    for time_left in (0.0, SHORT, PLENTY):
        assert coding_transition(P.OPTIMIZATION, P.COMPLEXITY, time_left_s=time_left)


def test_intro_never_jumps_to_complexity() -> None:
    assert not coding_transition(P.INTRO, P.COMPLEXITY, time_left_s=0)


def test_followup_only_with_more_than_two_minutes_left() -> None:
    assert not coding_transition(P.REFLECTION, P.FOLLOWUP, time_left_s=FOLLOWUP_MIN_S)
    assert not coding_transition(P.REFLECTION, P.FOLLOWUP, time_left_s=0)
    assert coding_transition(P.REFLECTION, P.FOLLOWUP, time_left_s=FOLLOWUP_MIN_S + 1)
    for time_left in (0.0, FOLLOWUP_MIN_S, PLENTY):
        assert coding_transition(P.REFLECTION, P.DONE, time_left_s=time_left)


@pytest.mark.parametrize(
    "phase", [P.UNDERSTANDING, P.APPROACH, P.CODING, P.TESTING, P.DEBUGGING, P.OPTIMIZATION]
)
def test_on_time_sends_work_phases_to_complexity_under_five_minutes(phase: Phase) -> None:
    machine = coding_machine(phase)
    assert machine.on_time(WRAP_UP_AT_S) is None
    assert machine.on_time(WRAP_UP_AT_S - 1) == P.COMPLEXITY
    assert machine.on_time(0) == P.COMPLEXITY


@pytest.mark.parametrize("phase", [P.INIT, P.CALIBRATION, P.INTRO, P.COMPLEXITY, P.DONE, P.ABORT])
def test_on_time_leaves_other_phases_alone(phase: Phase) -> None:
    machine = coding_machine(phase)
    for time_left in (PLENTY, SHORT, 0.0):
        assert machine.on_time(time_left) is None


@pytest.mark.parametrize("phase", [P.REFLECTION, P.FOLLOWUP])
def test_on_time_ends_the_wrap_up_when_time_is_up(phase: Phase) -> None:
    machine = coding_machine(phase)
    assert machine.on_time(SHORT) is None
    assert machine.on_time(1) is None
    assert machine.on_time(0) == P.DONE


# ------------------------------------------------------------------ triggers

I = Intent  # noqa: E741

INTENT_STEPS: list[tuple[Phase, Intent, float, Phase | None]] = [
    (P.INTRO, I.CLARIFYING_QUESTION, PLENTY, P.UNDERSTANDING),
    (P.INTRO, I.APPROACH, PLENTY, P.UNDERSTANDING),
    (P.INTRO, I.READY_TO_CODE, PLENTY, P.UNDERSTANDING),
    (P.INTRO, I.OTHER, PLENTY, None),
    (P.INTRO, I.DONE, PLENTY, None),
    (P.UNDERSTANDING, I.CLARIFYING_QUESTION, PLENTY, None),
    (P.UNDERSTANDING, I.APPROACH, PLENTY, P.APPROACH),
    (P.UNDERSTANDING, I.READY_TO_CODE, PLENTY, P.CODING),
    (P.APPROACH, I.APPROACH, PLENTY, None),
    (P.APPROACH, I.CLARIFYING_QUESTION, PLENTY, None),
    (P.APPROACH, I.READY_TO_CODE, PLENTY, P.CODING),
    (P.CODING, I.RUN_TESTS, PLENTY, P.TESTING),
    (P.CODING, I.DONE, PLENTY, P.TESTING),
    (P.CODING, I.APPROACH, PLENTY, None),
    (P.TESTING, I.RUN_TESTS, PLENTY, None),
    (P.DEBUGGING, I.RUN_TESTS, PLENTY, P.TESTING),
    (P.DEBUGGING, I.DONE, PLENTY, None),
    (P.OPTIMIZATION, I.RUN_TESTS, PLENTY, P.TESTING),
    (P.OPTIMIZATION, I.COMPLEXITY_CLAIM, PLENTY, P.COMPLEXITY),
    (P.OPTIMIZATION, I.DONE, PLENTY, P.COMPLEXITY),
    (P.COMPLEXITY, I.COMPLEXITY_CLAIM, PLENTY, None),
    (P.COMPLEXITY, I.DONE, PLENTY, P.REFLECTION),
    (P.REFLECTION, I.DONE, FOLLOWUP_MIN_S + 1, P.FOLLOWUP),
    # Words never end the interview: the clock does, or the candidate's End.
    (P.REFLECTION, I.DONE, FOLLOWUP_MIN_S, None),
    (P.REFLECTION, I.DONE, 0.0, None),
    (P.FOLLOWUP, I.DONE, PLENTY, None),
    (P.DONE, I.DONE, PLENTY, None),
    (P.INIT, I.READY_TO_CODE, PLENTY, None),
]


@pytest.mark.parametrize(("phase", "intent", "time_left", "expected"), INTENT_STEPS)
def test_on_intent(phase: Phase, intent: Intent, time_left: float, expected: Phase | None) -> None:
    assert coding_machine(phase).on_intent(intent, time_left) == expected


@pytest.mark.parametrize(
    ("phase", "passed", "failed", "time_left", "expected"),
    [
        (P.TESTING, 3, 2, PLENTY, P.DEBUGGING),
        (P.TESTING, 0, 1, PLENTY, P.DEBUGGING),
        (P.TESTING, 5, 0, PLENTY, P.OPTIMIZATION),
        (P.TESTING, 5, 0, SHORT, P.COMPLEXITY),  # no time left to optimise
        (P.TESTING, 5, 1, SHORT, P.DEBUGGING),
        (P.TESTING, 0, 0, PLENTY, None),  # nothing ran: nothing learnt
        (P.CODING, 5, 0, PLENTY, P.TESTING),  # results first lead to TESTING
        (P.DEBUGGING, 0, 3, PLENTY, P.TESTING),
        (P.OPTIMIZATION, 5, 0, PLENTY, P.TESTING),
        (P.UNDERSTANDING, 1, 0, PLENTY, P.CODING),
        (P.COMPLEXITY, 5, 0, PLENTY, None),
        (P.DONE, 5, 0, PLENTY, None),
    ],
)
def test_on_tests(
    phase: Phase, passed: int, failed: int, time_left: float, expected: Phase | None
) -> None:
    assert on_tests(coding_machine(phase), passed, failed, time_left) == expected


def test_on_tests_refuses_negative_counts() -> None:
    with pytest.raises(ValueError, match="negative"):
        on_tests(coding_machine(P.TESTING), -1, 0, PLENTY)


@pytest.mark.parametrize("phase", list(P))
@pytest.mark.parametrize("time_left", [PLENTY, 200.0, 121.0, 60.0, 0.0])
def test_triggers_only_name_legal_steps(phase: Phase, time_left: float) -> None:
    machine = coding_machine(phase)
    proposals = [machine.on_intent(i, time_left) for i in Intent]
    proposals += [on_tests(machine, p, f, time_left) for p, f in ((1, 0), (0, 1), (0, 0))]
    proposals += [on_test_run(machine), machine.on_time(time_left)]
    for target in proposals:
        if target is not None:
            verdict = machine.can(target, time_left_s=time_left)
            assert verdict, verdict.reason


def _follow(machine: PhaseMachine, step: str, time_left: float) -> list[Phase]:
    """Apply a trigger until it has nothing more to say; the phases passed through."""
    path: list[Phase] = []
    for _ in range(10):
        if step == "code run":
            target = on_test_run(machine)
        else:
            target = machine.on_intent(Intent(step), time_left)
        if target is None:
            return path
        assert machine.go(target, at=0.0, reason=step, time_left_s=time_left)
        path.append(target)
    raise AssertionError(f"trigger {step!r} did not settle: {path}")


def test_a_trigger_may_take_several_steps_and_then_settles() -> None:
    machine = coding_machine(P.INTRO)
    assert _follow(machine, "code run", PLENTY) == [P.UNDERSTANDING, P.CODING, P.TESTING]
    machine = coding_machine(P.INTRO)
    assert _follow(machine, "ready_to_code", PLENTY) == [P.UNDERSTANDING, P.CODING]
    assert _follow(machine, "run_tests", PLENTY) == [P.TESTING]


def test_a_whole_interview_through_the_triggers() -> None:
    machine = coding_machine()
    t = 0.0

    def go(target: Phase | None, reason: str, left: float) -> None:
        nonlocal t
        t += 60
        assert target is not None, reason
        verdict = machine.go(target, at=t, reason=reason, time_left_s=left)
        assert verdict, verdict.reason

    go(P.INTRO, "calibrated", 45 * 60)
    go(P.UNDERSTANDING, "problem shown", 44 * 60)
    go(machine.on_intent(I.APPROACH, 42 * 60), "I'll use a hash map", 42 * 60)
    go(machine.on_intent(I.READY_TO_CODE, 40 * 60), "let me code", 40 * 60)
    go(machine.on_intent(I.RUN_TESTS, 20 * 60), "run the tests", 20 * 60)
    go(on_tests(machine, 3, 1, 19 * 60), "1 failed", 19 * 60)
    go(on_test_run(machine), "fixed", 15 * 60)
    go(on_tests(machine, 4, 0, 14 * 60), "all pass", 14 * 60)
    assert machine.on_time(6 * 60) is None
    go(machine.on_time(4 * 60), "time", 4 * 60)
    go(machine.on_intent(I.DONE, 3 * 60), "done with big-O", 3 * 60)
    go(machine.on_intent(I.DONE, 2.5 * 60), "reflected", 2.5 * 60)
    assert machine.on_intent(I.DONE, 60) is None  # "I'm done" is not the end
    go(machine.on_time(0), "time is up", 0)
    assert machine.phase == P.DONE and machine.finished
    assert [c.dst for c in machine.history] == [
        P.INTRO,
        P.UNDERSTANDING,
        P.APPROACH,
        P.CODING,
        P.TESTING,
        P.DEBUGGING,
        P.TESTING,
        P.OPTIMIZATION,
        P.COMPLEXITY,
        P.REFLECTION,
        P.FOLLOWUP,
        P.DONE,
    ]
    assert machine.visited(P.DEBUGGING)
    assert not machine.visited(P.CALIBRATION)
    assert machine.legal_targets(time_left_s=PLENTY) == ()


def test_go_refuses_a_time_before_the_current_phase_began() -> None:
    machine = coding_machine(P.CODING, at=100.0)
    with pytest.raises(ValueError, match="earlier"):
        machine.go(P.TESTING, at=99.0, reason="x", time_left_s=PLENTY)
    assert machine.phase == P.CODING


def test_legal_targets_follow_the_time_rules() -> None:
    assert coding_machine(P.CODING).legal_targets(time_left_s=PLENTY) == (P.TESTING, P.ABORT)
    assert coding_machine(P.CODING).legal_targets(time_left_s=SHORT) == (
        P.TESTING,
        P.COMPLEXITY,
        P.ABORT,
    )
    assert coding_machine(P.REFLECTION).legal_targets(time_left_s=VERY_SHORT) == (P.DONE, P.ABORT)


# ----------------------------------------------------------------- TDD mode


def test_tdd_phases_in_the_specs_order() -> None:
    assert [p.value for p in TDD_ORDER] == [
        "understand_problem",
        "write_test_cases",
        "implement_naive",
        "verify_correctness",
        "optimize_solution",
        "verify_optimization",
    ]
    steps = [TddPhase.UNDERSTAND_PROBLEM]
    while (nxt := next_tdd_phase(steps[-1])) is not None:
        steps.append(nxt)
    assert tuple(steps) == TDD_ORDER


@pytest.mark.parametrize(
    ("phase", "first_line", "last_line"),
    [
        (
            TddPhase.UNDERSTAND_PROBLEM,
            "Before any coding, let's ensure you understand the problem.",
            "What are the inputs and outputs?",
        ),
        (
            TddPhase.WRITE_TEST_CASES,
            "Great! Now before implementing, let's think about test cases.",
            "3. A case that might break a naive solution",
        ),
        (
            TddPhase.IMPLEMENT_NAIVE,
            "Good test cases! Now implement the simplest solution that would pass",
            "these tests. Don't worry about efficiency yet - just correctness.",
        ),
        (
            TddPhase.VERIFY_CORRECTNESS,
            "Let's trace through your solution with the test cases.",
            "Does it handle all of them correctly?",
        ),
        (
            TddPhase.OPTIMIZE_SOLUTION,
            "Now that we have a working solution, can you analyze its complexity?",
            "Is there a more efficient approach?",
        ),
        (
            TddPhase.VERIFY_OPTIMIZATION,
            "Let's verify your optimized solution still passes all test cases.",
            "What's the new time and space complexity?",
        ),
    ],
)
def test_tdd_prompts_are_the_specs(phase: TddPhase, first_line: str, last_line: str) -> None:
    lines = tdd_prompt(phase).splitlines()
    assert lines[0] == first_line
    assert lines[-1] == last_line
    assert all(line == line.strip() for line in lines)  # no leftover indentation


def test_each_tdd_phase_maps_to_a_main_phase_in_order() -> None:
    assert set(TDD_MAIN_PHASE) == set(TddPhase)
    assert TDD_MAIN_PHASE[TddPhase.IMPLEMENT_NAIVE] == P.CODING
    assert TDD_MAIN_PHASE[TddPhase.VERIFY_CORRECTNESS] == P.TESTING
    ranks = [list(P).index(TDD_MAIN_PHASE[p]) for p in TDD_ORDER[:5]]
    assert ranks == sorted(ranks)  # never back in time, until the re-verification
