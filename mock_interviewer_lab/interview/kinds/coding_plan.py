"""The coding interview's phases: its :class:`~..phases.PhasePlan`.

The states are the seed spec's; the transitions are its state diagram plus a
few a real interview needs (marked ``origin="added"`` in :data:`TRANSITIONS`,
each with its reason):

* UNDERSTANDING -> CODING: the candidate jumps straight into code without
  describing an approach. The record must show what happened (the coach may
  still ask for the approach; the report sees APPROACH was skipped).
* OPTIMIZATION -> TESTING: a faster version was submitted and must pass the
  tests again.
* UNDERSTANDING, APPROACH, CODING, TESTING, DEBUGGING -> COMPLEXITY, only when
  under five minutes remain: the clock ends the work so the big-O discussion
  still happens (``coach.force_big_o_at_end``).
* OPTIMIZATION -> COMPLEXITY is the spec's "time_left < 5min", and is also
  allowed earlier, when the candidate says they are done or states a
  complexity: a passing solution with twenty minutes left should not wait.
* any phase but DONE and ABORT -> ABORT (the emergency exit; the engine's).

Deliberately not added: going back (CODING -> APPROACH, APPROACH ->
UNDERSTANDING). Talking about a new idea while coding is still coding, and a
question during the approach is still the approach; flipping phases on every
remark would make the timings meaningless.

The time rules: COMPLEXITY from the work phases needs fewer than the
machine's ``wrap_up_at_s`` seconds left (the spec's five minutes by
default), FOLLOWUP needs more than :data:`FOLLOWUP_MIN_S`. Besides the
engine's triggers, a coding interview has two of its own, for test runs:
:func:`on_test_run` and :func:`on_tests`.

Test-driven mode (``coach.enforce_test_first``) has its own six sub-phases
(:class:`TddPhase`), each mapped to a main phase for time budgets.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from enum import StrEnum

from mock_interviewer_lab.interview.intent import Intent
from mock_interviewer_lab.interview.phases import (
    AgendaStep,
    Phase,
    PhaseMachine,
    PhasePlan,
    TimeGuard,
    Transition,
)

#: More seconds than this left: REFLECTION may lead to FOLLOWUP.
FOLLOWUP_MIN_S = 2 * 60.0

#: After INTRO and before COMPLEXITY: the phases the clock can cut short.
WORK_PHASES: frozenset[Phase] = frozenset(
    {
        Phase.UNDERSTANDING,
        Phase.APPROACH,
        Phase.CODING,
        Phase.TESTING,
        Phase.DEBUGGING,
        Phase.OPTIMIZATION,
    }
)

_UNDER_COMPLEXITY_TIME = TimeGuard(under=True)
_OVER_FOLLOWUP_TIME = TimeGuard(under=False, seconds=FOLLOWUP_MIN_S)


def _moves() -> tuple[Transition, ...]:
    P = Phase
    spec = [
        Transition(P.INTRO, P.UNDERSTANDING, "automatically, once the problem is shown", "spec"),
        Transition(P.UNDERSTANDING, P.APPROACH, "the candidate proposes a method", "spec"),
        Transition(P.APPROACH, P.CODING, "the candidate starts coding", "spec"),
        Transition(P.CODING, P.TESTING, "the tests are run", "spec"),
        Transition(P.TESTING, P.DEBUGGING, "some tests failed", "spec"),
        Transition(P.TESTING, P.OPTIMIZATION, "all tests passed", "spec"),
        Transition(P.DEBUGGING, P.TESTING, "the tests are run again", "spec"),
        Transition(
            P.OPTIMIZATION,
            P.COMPLEXITY,
            "under five minutes left, or the candidate is done or states a complexity",
            "spec",
        ),
        Transition(P.COMPLEXITY, P.REFLECTION, "the complexity was discussed", "spec"),
        Transition(
            P.REFLECTION,
            P.FOLLOWUP,
            "more than two minutes left",
            "spec",
            _OVER_FOLLOWUP_TIME,
        ),
        Transition(P.REFLECTION, P.DONE, "reflection finished", "spec"),
        Transition(P.FOLLOWUP, P.DONE, "follow-up finished", "spec"),
    ]
    added = [
        Transition(P.UNDERSTANDING, P.CODING, "the candidate jumps straight into code", "added"),
        Transition(P.OPTIMIZATION, P.TESTING, "a faster version is tested", "added"),
    ]
    added += [
        Transition(
            src,
            P.COMPLEXITY,
            "under five minutes left: time for the big-O",
            "added",
            _UNDER_COMPLEXITY_TIME,
        )
        for src in (P.UNDERSTANDING, P.APPROACH, P.CODING, P.TESTING, P.DEBUGGING)
    ]
    return tuple(spec + added)


def _intent_step(phase: Phase, intent: Intent, time_left_s: float) -> Phase | None:
    """What an intent means in each phase (None: it does not move the interview)."""
    In, P = Intent, Phase
    if phase == P.INTRO and intent in (
        In.CLARIFYING_QUESTION,
        In.APPROACH,
        In.READY_TO_CODE,
        In.RUN_TESTS,
    ):
        return P.UNDERSTANDING  # the candidate engaged: the discussion has begun
    if phase == P.UNDERSTANDING:
        if intent == In.APPROACH:
            return P.APPROACH
        if intent in (In.READY_TO_CODE, In.RUN_TESTS):
            return P.CODING
    if phase == P.APPROACH and intent in (In.READY_TO_CODE, In.RUN_TESTS):
        return P.CODING
    if phase == P.CODING and intent in (In.RUN_TESTS, In.DONE):
        return P.TESTING  # "I'm done" with the code: time to run it
    if phase == P.DEBUGGING and intent == In.RUN_TESTS:
        return P.TESTING
    if phase == P.OPTIMIZATION:
        if intent == In.RUN_TESTS:
            return P.TESTING
        if intent in (In.DONE, In.COMPLEXITY_CLAIM):
            return P.COMPLEXITY
    if phase == P.COMPLEXITY and intent == In.DONE:
        return P.REFLECTION
    if phase == P.REFLECTION and intent == In.DONE and time_left_s > FOLLOWUP_MIN_S:
        return P.FOLLOWUP
    # Words never end the interview: time does, or the candidate's End.
    return None


def _time_step(phase: Phase, time_left_s: float, wrap_up_at_s: float) -> Phase | None:
    """COMPLEXITY when under ``wrap_up_at_s`` remains during the work
    (after INTRO, before COMPLEXITY); DONE when time is up during REFLECTION
    or FOLLOWUP."""
    if phase in WORK_PHASES and time_left_s < wrap_up_at_s:
        return Phase.COMPLEXITY
    if phase in (Phase.REFLECTION, Phase.FOLLOWUP) and time_left_s <= 0:
        return Phase.DONE
    return None


#: What an interviewer does with the time after a solution, in order: in
#: REFLECTION the edge cases and tests they would add, then the trade-off;
#: in FOLLOWUP a follow-up problem when the kind has one due (a harder
#: variant the pack names, with ten minutes left), else three variation
#: questions; then an open floor.
_AGENDA: Mapping[Phase, AgendaStep] = {
    Phase.REFLECTION: AgendaStep(("edge_cases", "tradeoff"), then=Phase.FOLLOWUP,
                                 then_reason="the candidate reflected"),
    Phase.FOLLOWUP: AgendaStep(("variation",) * 3, followup_first=True),
}

CODING_PLAN = PhasePlan(
    name="coding",
    moves=_moves(),
    first=Phase.UNDERSTANDING,
    intent_step=_intent_step,
    time_step=_time_step,
    # COMPLEXITY and OPTIMIZATION close through REFLECTION; earlier phases
    # can only stop short, which the machine calls ABORT.
    endings=((Phase.DONE,), (Phase.REFLECTION, Phase.DONE),
             (Phase.COMPLEXITY, Phase.REFLECTION, Phase.DONE)),
    agenda=_AGENDA,
    # Stuck: thinking or debugging without progress; while coding, only once
    # the candidate has stopped typing and talking for five minutes as well.
    stuck=frozenset({Phase.UNDERSTANDING, Phase.APPROACH, Phase.DEBUGGING}),
    stuck_when_idle=frozenset({Phase.CODING}),
    idle_stuck_s=300.0,
    approach=frozenset({Phase.APPROACH, Phase.CODING}),
    # The big-O gets its budget: with less left, the work stops.
    wrap_up_at=lambda timing: float(timing.complexity_duration_s),
    # "What's the complexity?" belongs to the time after the work.
    agenda_replies=frozenset({"complexity"}),
)

#: Phases in which a stated complexity is the answer to "what's the complexity?".
COMPLEXITY_TALK: frozenset[Phase] = frozenset({
    Phase.OPTIMIZATION, Phase.COMPLEXITY, Phase.REFLECTION, Phase.FOLLOWUP, Phase.TESTING,
    Phase.DEBUGGING})

#: Every legal move of a coding interview. A pair not listed here is refused.
TRANSITIONS: tuple[Transition, ...] = CODING_PLAN.transitions


def on_test_run(machine: PhaseMachine) -> Phase | None:
    """The candidate's code is being run: get to TESTING (one step at a time)."""
    target = {
        Phase.INTRO: Phase.UNDERSTANDING,
        Phase.UNDERSTANDING: Phase.CODING,
        Phase.APPROACH: Phase.CODING,
        Phase.CODING: Phase.TESTING,
        Phase.DEBUGGING: Phase.TESTING,
        Phase.OPTIMIZATION: Phase.TESTING,
    }.get(machine.phase)
    # TESTING is never guarded, and the steps before it are not either.
    return target


def on_tests(machine: PhaseMachine, passed: int, failed: int,
             time_left_s: float) -> Phase | None:
    """Test results: failures -> DEBUGGING, all pass -> OPTIMIZATION.

    With under five minutes left, a passing solution goes straight to
    COMPLEXITY (there is no time to optimise). Results that arrive outside
    TESTING first lead there (see :func:`on_test_run`). A run with no tests
    at all says nothing: None.
    """
    if passed < 0 or failed < 0:
        raise ValueError(f"test counts cannot be negative (passed={passed}, failed={failed})")
    if machine.phase != Phase.TESTING:
        return on_test_run(machine)
    if passed + failed == 0:
        return None
    if failed > 0:
        return Phase.DEBUGGING
    if time_left_s < machine.wrap_up_at_s:
        return Phase.COMPLEXITY
    return Phase.OPTIMIZATION


# --------------------------------------------------------------------------
# Test-driven coaching mode


class TddPhase(StrEnum):
    UNDERSTAND_PROBLEM = "understand_problem"
    WRITE_TEST_CASES = "write_test_cases"
    IMPLEMENT_NAIVE = "implement_naive"
    VERIFY_CORRECTNESS = "verify_correctness"
    OPTIMIZE_SOLUTION = "optimize_solution"
    VERIFY_OPTIMIZATION = "verify_optimization"


#: The order the spec's TestDrivenCoach enforces.
TDD_ORDER: tuple[TddPhase, ...] = tuple(TddPhase)

#: The main phase each TDD step belongs to, for its time budget. Test cases
#: are talked through before any code (the spec's prompt asks for them in
#: words), so they share the discussion budget of APPROACH; both checks are
#: test runs.
TDD_MAIN_PHASE: Mapping[TddPhase, Phase] = {
    TddPhase.UNDERSTAND_PROBLEM: Phase.UNDERSTANDING,
    TddPhase.WRITE_TEST_CASES: Phase.APPROACH,
    TddPhase.IMPLEMENT_NAIVE: Phase.CODING,
    TddPhase.VERIFY_CORRECTNESS: Phase.TESTING,
    TddPhase.OPTIMIZE_SOLUTION: Phase.OPTIMIZATION,
    TddPhase.VERIFY_OPTIMIZATION: Phase.TESTING,
}

_TDD_PROMPTS: Mapping[TddPhase, str] = {
    TddPhase.UNDERSTAND_PROBLEM: """
        Before any coding, let's ensure you understand the problem.
        Can you explain it back to me in your own words?
        What are the inputs and outputs?
    """,
    TddPhase.WRITE_TEST_CASES: """
        Great! Now before implementing, let's think about test cases.
        Can you give me:
        1. A simple typical case
        2. An edge case (empty input, single element, etc.)
        3. A case that might break a naive solution
    """,
    TddPhase.IMPLEMENT_NAIVE: """
        Good test cases! Now implement the simplest solution that would pass
        these tests. Don't worry about efficiency yet - just correctness.
    """,
    TddPhase.VERIFY_CORRECTNESS: """
        Let's trace through your solution with the test cases.
        Does it handle all of them correctly?
    """,
    TddPhase.OPTIMIZE_SOLUTION: """
        Now that we have a working solution, can you analyze its complexity?
        Is there a more efficient approach?
    """,
    TddPhase.VERIFY_OPTIMIZATION: """
        Let's verify your optimized solution still passes all test cases.
        What's the new time and space complexity?
    """,
}


def tdd_prompt(phase: TddPhase) -> str:
    """The coach's words for a TDD step (the seed spec's, without its indentation)."""
    return inspect.cleandoc(_TDD_PROMPTS[phase])


def next_tdd_phase(phase: TddPhase) -> TddPhase | None:
    """The step after ``phase``; None after the last."""
    index = TDD_ORDER.index(phase)
    return TDD_ORDER[index + 1] if index + 1 < len(TDD_ORDER) else None
