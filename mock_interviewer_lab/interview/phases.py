"""The interview's phases and the machine that moves between them.

The engine owns what every interview has: the start (INIT, the optional
CALIBRATION, then INTRO, where the problem is presented), the end (DONE, and
ABORT, the emergency exit from any phase but the two ends) and the
machine's mechanics (a move is allowed or refused with a reason in words,
the history, the time guards). A kind of interview supplies the rest as a
:class:`PhasePlan`: the phases after INTRO and the moves between them, where
what the candidate says leads (``on_intent``), what the clock ends
(``on_time``), how the interview closes from where it is when it ends, and
the agenda of the time after the work. The coding interview's plan is
:data:`mock_interviewer_lab.interview.kinds.coding_plan.CODING_PLAN`.

INIT -> CALIBRATION ("if first_time") depends on whether the voice was
calibrated, which this module does not know: both INIT exits are legal and
the caller picks. A move may be guarded by the time left (:class:`TimeGuard`):
under or over so many seconds, or under the machine's ``wrap_up_at_s``
(in an interview, the budget the plan's ``wrap_up_at`` reads from the timing
settings; :data:`WRAP_UP_AT_S` by default), when the work gives way to the
wrap-up.

The triggers (``PhaseMachine.on_intent``, ``on_time``, and a kind's own)
name the *next step* or None, and only ever a step that
:meth:`PhaseMachine.can` allows. A trigger may need more than one step, so
the caller goes there and asks again until it gets None.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from mock_interviewer_lab.formatting import mmss
from mock_interviewer_lab.interview.intent import Intent
from mock_interviewer_lab.settings import TimingSettings


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
    # A behavioural interview's (interview/kinds/behavioral_plan.py):
    QUESTION = "question"  # a question asked, its answer awaited
    FOLLOW_UP = "follow_up"  # the follow-ups probing the answer's gaps
    FEEDBACK = "feedback"  # the question's feedback
    SUMMARY = "summary"  # the session's feedback
    DONE = "done"  # session complete
    ABORT = "abort"  # emergency exit


#: Fewer seconds than this left: the work gives way to the wrap-up (the
#: default of the machine's ``wrap_up_at_s``; an interview passes its
#: plan's ``wrap_up_at`` instead).
WRAP_UP_AT_S = 5 * 60.0

TERMINAL_PHASES: frozenset[Phase] = frozenset({Phase.DONE, Phase.ABORT})


@dataclass(frozen=True)
class TimeGuard:
    """A move allowed only with less (``under``) or more time left than
    ``seconds``; None: the machine's ``wrap_up_at_s``."""

    under: bool
    seconds: float | None = None


@dataclass(frozen=True)
class Transition:
    src: Phase
    dst: Phase
    #: What makes it happen, in words.
    when: str
    origin: Literal["spec", "added"]
    guard: TimeGuard | None = None


#: The engine's moves into INTRO (every interview starts so).
START_MOVES: tuple[Transition, ...] = (
    Transition(Phase.INIT, Phase.CALIBRATION, "first time: the voice is not calibrated", "spec"),
    Transition(Phase.INIT, Phase.INTRO, "calibrated, or text only", "spec"),
    Transition(Phase.CALIBRATION, Phase.INTRO, "calibration finished", "spec"),
)


@dataclass(frozen=True)
class AgendaStep:
    """What the coach covers in one phase of the time after the work."""

    #: Asked in order, each as often as it is listed.
    goals: tuple[str, ...]
    #: Where to go once they are covered (None: stay, the floor is open),
    #: and the reason the move gives.
    then: Phase | None = None
    then_reason: str = ""
    #: The kind's follow-up problem, when due, comes before the goals.
    followup_first: bool = False

    def next_goal(self, covered: Sequence[str]) -> str | None:
        """The first goal not yet covered as often as listed (None: all are)."""
        listed: dict[str, int] = {}
        for goal in self.goals:
            listed[goal] = listed.get(goal, 0) + 1
            if covered.count(goal) < listed[goal]:
                return goal
        return None


#: (phase, intent, time_left_s) -> the next step or None.
IntentStep = Callable[[Phase, Intent, float], "Phase | None"]
#: (phase, time_left_s, wrap_up_at_s) -> the next step or None.
TimeStep = Callable[[Phase, float, float], "Phase | None"]


@dataclass(frozen=True, eq=False)
class PhasePlan:
    """A kind of interview's phases: everything between INTRO and the end."""

    name: str
    #: The kind's moves, from INTRO on, in the order a refusal lists them;
    #: the engine adds :data:`START_MOVES` before and ABORT after.
    moves: tuple[Transition, ...]
    #: Where INTRO leads once the candidate engages.
    first: Phase
    intent_step: IntentStep
    time_step: TimeStep
    #: How the interview closes from where it is when it ends: the first
    #: path whose first move is allowed (none: ABORT).
    endings: tuple[tuple[Phase, ...], ...]
    #: The time after the work: what the coach covers in each of its phases.
    agenda: Mapping[Phase, AgendaStep] = field(default_factory=dict)
    #: Phases in which no progress for a while means "stuck" (automatic
    #: hints; the calibrator's simpler sub-problem).
    stuck: frozenset[Phase] = frozenset()
    #: Phases in which the candidate counts as stuck only once they have also
    #: been idle (no words, no typing) for :attr:`idle_stuck_s`.
    stuck_when_idle: frozenset[Phase] = frozenset()
    idle_stuck_s: float = 300.0
    #: The seconds left at which the work gives way to the wrap-up, from the
    #: interview's timing settings (None: :data:`WRAP_UP_AT_S`).
    wrap_up_at: Callable[[TimingSettings], float] | None = None
    #: Entering one of these for the first time marks the candidate's first
    #: approach (the calibrator's ``time_to_first_approach``).
    approach: frozenset[Phase] = frozenset()
    #: Kinds of coach line that set the plan's agenda rather than help where
    #: the candidate is (besides the engine's own: warning, wrap-up, intro).
    agenda_replies: frozenset[str] = frozenset()
    #: Every legal move (START_MOVES, the kind's, ABORT from each phase).
    transitions: tuple[Transition, ...] = field(init=False)
    _by_pair: Mapping[tuple[Phase, Phase], Transition] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        moves = START_MOVES + self.moves
        used = {t.src for t in moves} | {t.dst for t in moves}
        aborts = tuple(Transition(src, Phase.ABORT, "emergency exit", "added")
                       for src in Phase if src in used and src not in TERMINAL_PHASES)
        object.__setattr__(self, "transitions", moves + aborts)
        object.__setattr__(self, "_by_pair", {(t.src, t.dst): t for t in self.transitions})

    def move(self, src: Phase, dst: Phase) -> Transition | None:
        return self._by_pair.get((src, dst))


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


def _guard_refusal(guard: TimeGuard, time_left_s: float, wrap_up_at_s: float) -> str | None:
    limit = guard.seconds if guard.seconds is not None else wrap_up_at_s
    if guard.under and not time_left_s < limit:
        return f"only when under {mmss(limit)} is left ({mmss(time_left_s)} left)"
    if not guard.under and not time_left_s > limit:
        return f"needs more than {mmss(limit)} left ({mmss(time_left_s)} left)"
    return None


def check_transition(src: Phase, dst: Phase, *, time_left_s: float, plan: PhasePlan,
                     wrap_up_at_s: float = WRAP_UP_AT_S) -> Verdict:
    """Whether the interview may go from ``src`` to ``dst`` under ``plan``
    with ``time_left_s`` left (guards under ``wrap_up_at_s``: see
    :class:`TimeGuard`)."""

    def refuse(why: str) -> Verdict:
        return Verdict(False, src, dst, f"cannot go from {src.name} to {dst.name}: {why}")

    if src in TERMINAL_PHASES:
        return refuse(f"the interview has ended ({src.name})")
    if src == dst:
        return refuse(f"already in {src.name}")
    edge = plan.move(src, dst)
    if edge is None:
        names = [t.dst.name for t in plan.transitions if t.src == src]
        onward = " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
        return refuse(f"from {src.name} the interview can only go to {onward}")
    if edge.guard is not None:
        refusal = _guard_refusal(edge.guard, time_left_s, wrap_up_at_s)
        if refusal is not None:
            return refuse(refusal)
    return Verdict(True, src, dst, edge.when)


class PhaseMachine:
    """The current phase and how the interview got there, under a kind's plan.

    ``start`` and ``at`` exist for tests and for rebuilding a machine from
    stored events; a new interview starts in INIT.
    """

    def __init__(self, start: Phase = Phase.INIT, *, plan: PhasePlan, at: float = 0.0,
                 wrap_up_at_s: float = WRAP_UP_AT_S) -> None:
        self._phase = start
        self.plan = plan
        #: Fewer seconds than this left: the work gives way to the wrap-up.
        self.wrap_up_at_s = wrap_up_at_s
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
        return check_transition(self._phase, to, time_left_s=time_left_s, plan=self.plan,
                                wrap_up_at_s=self.wrap_up_at_s)

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
        """Where what the candidate said leads from here (the plan's say)."""
        target = self.plan.intent_step(self._phase, intent, time_left_s)
        return self.legal_or_none(target, time_left_s)

    def on_time(self, time_left_s: float) -> Phase | None:
        """The clock's say under the plan (the wrap-up, or the end)."""
        return self.plan.time_step(self._phase, time_left_s, self.wrap_up_at_s)

    def legal_or_none(self, target: Phase | None, time_left_s: float) -> Phase | None:
        if target is None or not self.can(target, time_left_s=time_left_s):
            return None
        return target
