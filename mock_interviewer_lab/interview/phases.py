"""The interview's phases and the legal moves between them.

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
* any phase but DONE and ABORT -> ABORT (the emergency exit).

Deliberately not added: going back (CODING -> APPROACH, APPROACH ->
UNDERSTANDING). Talking about a new idea while coding is still coding, and a
question during the approach is still the approach; flipping phases on every
remark would make the timings meaningless.

INIT -> CALIBRATION ("if first_time") depends on whether the voice was
calibrated, which this module does not know: both INIT exits are legal and
the caller picks. The time rules use ``time_left_s``: COMPLEXITY from the
work phases needs fewer than ``complexity_at_s`` seconds left (the
``coach.timing.complexity_duration_s`` budget in an interview; the spec's
five minutes, :data:`COMPLEXITY_AT_S`, by default), FOLLOWUP needs more than
:data:`FOLLOWUP_MIN_S`.

The triggers (``PhaseMachine.on_intent``, ``on_tests``, ``on_test_run``,
``on_time``) name the *next step* or None, and only ever a step that
:meth:`PhaseMachine.can` allows. A trigger may need more than one step (code
run during UNDERSTANDING: CODING, then TESTING), so the caller goes there and
asks again until it gets None.

Test-driven mode (``coach.enforce_test_first``) has its own six sub-phases
(:class:`TddPhase`), each mapped to a main phase for time budgets.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from mock_interviewer_lab.formatting import mmss
from mock_interviewer_lab.interview.intent import Intent


class Phase(StrEnum):
    INIT = "init"  # loading the problem
    CALIBRATION = "calibration"  # optional voice setup
    INTRO = "intro"  # problem presentation
    UNDERSTANDING = "understanding"  # clarifying questions
    APPROACH = "approach"  # high-level solution discussion
    CODING = "coding"  # implementation
    TESTING = "testing"  # running tests
    DEBUGGING = "debugging"  # fixing failures
    OPTIMIZATION = "optimization"  # improving the solution
    COMPLEXITY = "complexity"  # big-O analysis
    REFLECTION = "reflection"  # trade-offs discussion
    FOLLOWUP = "followup"  # additional questions
    DONE = "done"  # session complete
    ABORT = "abort"  # emergency exit


#: Fewer seconds than this left: the work phases give way to COMPLEXITY
#: (the default; an interview passes its complexity budget instead).
COMPLEXITY_AT_S = 5 * 60.0
#: More seconds than this left: REFLECTION may lead to FOLLOWUP.
FOLLOWUP_MIN_S = 2 * 60.0

TERMINAL_PHASES: frozenset[Phase] = frozenset({Phase.DONE, Phase.ABORT})
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

TimeGuard = Literal["under_complexity_time", "over_followup_time"]


@dataclass(frozen=True)
class Transition:
    src: Phase
    dst: Phase
    #: What makes it happen, in words.
    when: str
    origin: Literal["spec", "added"]
    guard: TimeGuard | None = None


def _edges() -> tuple[Transition, ...]:
    P = Phase
    spec = [
        Transition(P.INIT, P.CALIBRATION, "first time: the voice is not calibrated", "spec"),
        Transition(P.INIT, P.INTRO, "calibrated, or text only", "spec"),
        Transition(P.CALIBRATION, P.INTRO, "calibration finished", "spec"),
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
            "over_followup_time",
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
            "under_complexity_time",
        )
        for src in (P.UNDERSTANDING, P.APPROACH, P.CODING, P.TESTING, P.DEBUGGING)
    ]
    added += [
        Transition(src, P.ABORT, "emergency exit", "added")
        for src in P
        if src not in TERMINAL_PHASES
    ]
    return tuple(spec + added)


#: Every legal move. A pair not listed here is refused.
TRANSITIONS: tuple[Transition, ...] = _edges()
_BY_PAIR: Mapping[tuple[Phase, Phase], Transition] = {(t.src, t.dst): t for t in TRANSITIONS}


@dataclass(frozen=True)
class Verdict:
    """Whether a move is allowed, and why (or why not), in words."""

    allowed: bool
    src: Phase
    dst: Phase
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


@dataclass(frozen=True)
class PhaseChange:
    src: Phase
    dst: Phase
    #: The clock reading when it happened.
    at: float
    #: The caller's reason ("candidate: 'let me code'", "tests: 2 failed").
    reason: str
    time_left_s: float


def _guard_refusal(guard: TimeGuard, time_left_s: float, complexity_at_s: float) -> str | None:
    if guard == "under_complexity_time" and not time_left_s < complexity_at_s:
        return f"only when under {mmss(complexity_at_s)} is left ({mmss(time_left_s)} left)"
    if guard == "over_followup_time" and not time_left_s > FOLLOWUP_MIN_S:
        return f"needs more than {mmss(FOLLOWUP_MIN_S)} left ({mmss(time_left_s)} left)"
    return None


def check_transition(src: Phase, dst: Phase, *, time_left_s: float,
                     complexity_at_s: float = COMPLEXITY_AT_S) -> Verdict:
    """Whether the interview may go from ``src`` to ``dst`` with ``time_left_s`` left
    (the work phases give way to COMPLEXITY under ``complexity_at_s``)."""

    def refuse(why: str) -> Verdict:
        return Verdict(False, src, dst, f"cannot go from {src.name} to {dst.name}: {why}")

    if src in TERMINAL_PHASES:
        return refuse(f"the interview has ended ({src.name})")
    if src == dst:
        return refuse(f"already in {src.name}")
    edge = _BY_PAIR.get((src, dst))
    if edge is None:
        names = [t.dst.name for t in TRANSITIONS if t.src == src]
        onward = " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
        return refuse(f"from {src.name} the interview can only go to {onward}")
    if edge.guard is not None:
        refusal = _guard_refusal(edge.guard, time_left_s, complexity_at_s)
        if refusal is not None:
            return refuse(refusal)
    return Verdict(True, src, dst, edge.when)


class PhaseMachine:
    """The current phase and how the interview got there.

    ``start`` and ``at`` exist for tests and for rebuilding a machine from
    stored events; a new interview starts in INIT.
    """

    def __init__(self, start: Phase = Phase.INIT, *, at: float = 0.0,
                 complexity_at_s: float = COMPLEXITY_AT_S) -> None:
        self._phase = start
        #: Fewer seconds than this left: the work phases give way to COMPLEXITY.
        self.complexity_at_s = complexity_at_s
        self._entered_at = at
        self._history: list[PhaseChange] = []

    @property
    def phase(self) -> Phase:
        return self._phase

    @property
    def entered_at(self) -> float:
        """The clock reading when the current phase began."""
        return self._entered_at

    @property
    def history(self) -> tuple[PhaseChange, ...]:
        return tuple(self._history)

    @property
    def finished(self) -> bool:
        return self._phase in TERMINAL_PHASES

    def visited(self, phase: Phase) -> bool:
        return phase == self._phase or any(c.src == phase for c in self._history)

    def can(self, to: Phase, *, time_left_s: float) -> Verdict:
        return check_transition(self._phase, to, time_left_s=time_left_s,
                                complexity_at_s=self.complexity_at_s)

    def legal_targets(self, *, time_left_s: float) -> tuple[Phase, ...]:
        return tuple(p for p in Phase if self.can(p, time_left_s=time_left_s))

    def go(self, to: Phase, *, at: float, reason: str, time_left_s: float) -> Verdict:
        """Move to ``to`` if allowed; a refusal leaves the machine as it was."""
        verdict = self.can(to, time_left_s=time_left_s)
        if not verdict:
            return verdict
        if at < self._entered_at:
            raise ValueError(
                f"phase change at {at} is earlier than the current phase began ({self._entered_at})"
            )
        self._history.append(PhaseChange(self._phase, to, at, reason, time_left_s))
        self._phase = to
        self._entered_at = at
        return verdict

    # ----------------------------------------------------------------------
    # Triggers: the next step, or None. Never a step that can() refuses.

    def on_intent(self, intent: Intent, time_left_s: float) -> Phase | None:
        """Where what the candidate said leads from here."""
        target = _intent_step(self._phase, intent, time_left_s)
        return self._legal_or_none(target, time_left_s)

    def on_test_run(self) -> Phase | None:
        """The candidate's code is being run: get to TESTING (one step at a time)."""
        target = {
            Phase.INTRO: Phase.UNDERSTANDING,
            Phase.UNDERSTANDING: Phase.CODING,
            Phase.APPROACH: Phase.CODING,
            Phase.CODING: Phase.TESTING,
            Phase.DEBUGGING: Phase.TESTING,
            Phase.OPTIMIZATION: Phase.TESTING,
        }.get(self._phase)
        # TESTING is never guarded, and the steps before it are not either.
        return target

    def on_tests(self, passed: int, failed: int, time_left_s: float) -> Phase | None:
        """Test results: failures -> DEBUGGING, all pass -> OPTIMIZATION.

        With under five minutes left, a passing solution goes straight to
        COMPLEXITY (there is no time to optimise). Results that arrive
        outside TESTING first lead there (see :meth:`on_test_run`). A run
        with no tests at all says nothing: None.
        """
        if passed < 0 or failed < 0:
            raise ValueError(f"test counts cannot be negative (passed={passed}, failed={failed})")
        if self._phase != Phase.TESTING:
            return self.on_test_run()
        if passed + failed == 0:
            return None
        if failed > 0:
            return Phase.DEBUGGING
        if time_left_s < self.complexity_at_s:
            return Phase.COMPLEXITY
        return Phase.OPTIMIZATION

    def on_time(self, time_left_s: float) -> Phase | None:
        """The clock's say: COMPLEXITY when under five minutes remain during the
        work (after INTRO, before COMPLEXITY); DONE when time is up during
        REFLECTION or FOLLOWUP."""
        if self._phase in WORK_PHASES and time_left_s < self.complexity_at_s:
            return Phase.COMPLEXITY
        if self._phase in (Phase.REFLECTION, Phase.FOLLOWUP) and time_left_s <= 0:
            return Phase.DONE
        return None

    def _legal_or_none(self, target: Phase | None, time_left_s: float) -> Phase | None:
        if target is None or not self.can(target, time_left_s=time_left_s):
            return None
        return target


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
