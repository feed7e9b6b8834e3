"""Interview time: elapsed, left, per-phase budgets and the warnings they raise.

The budgets are ``settings.coach.timing``'s four durations. The spec's
phases are finer than its budgets, so phases share them:

=============  =======================================  ==========================
budget         phases                                   why
=============  =======================================  ==========================
intro (2 min)  INTRO, UNDERSTANDING, APPROACH           "problem discussion"
coding (25)    CODING                                   implementation
testing (5)    TESTING, DEBUGGING, OPTIMIZATION         "test/debug", and improving
                                                        a passing solution
complexity (3) COMPLEXITY                               big-O
=============  =======================================  ==========================

INIT, CALIBRATION, REFLECTION and FOLLOWUP have no budget of their own (they
live in whatever time is left). Time spent in a shared budget adds up across
its phases and across visits (TESTING -> DEBUGGING -> TESTING all spend the
testing budget), so an overrun is noticed once per budget, naming the phase
it happened in, however often the candidate goes back and forth.

All times come from the injected :class:`~mock_interviewer_lab.interview.clock.Clock`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from mock_interviewer_lab.formatting import plural
from mock_interviewer_lab.interview.clock import Clock
from mock_interviewer_lab.interview.phases import Phase
from mock_interviewer_lab.settings import TimingSettings


class BudgetGroup(StrEnum):
    INTRO = "intro"
    CODING = "coding"
    TESTING = "testing"
    COMPLEXITY = "complexity"


BUDGET_GROUP_OF: Mapping[Phase, BudgetGroup] = {
    Phase.INTRO: BudgetGroup.INTRO,
    Phase.UNDERSTANDING: BudgetGroup.INTRO,
    Phase.APPROACH: BudgetGroup.INTRO,
    Phase.CODING: BudgetGroup.CODING,
    Phase.TESTING: BudgetGroup.TESTING,
    Phase.DEBUGGING: BudgetGroup.TESTING,
    Phase.OPTIMIZATION: BudgetGroup.TESTING,
    Phase.COMPLEXITY: BudgetGroup.COMPLEXITY,
}


@dataclass(frozen=True)
class PhaseBudget:
    """Seconds per budget group (see the module docstring for the groups)."""

    intro_s: float
    coding_s: float
    testing_s: float
    complexity_s: float

    @classmethod
    def from_settings(cls, timing: TimingSettings) -> PhaseBudget:
        return cls(
            intro_s=float(timing.intro_duration_s),
            coding_s=float(timing.coding_duration_s),
            testing_s=float(timing.testing_duration_s),
            complexity_s=float(timing.complexity_duration_s),
        )

    def for_group(self, group: BudgetGroup) -> float:
        return {
            BudgetGroup.INTRO: self.intro_s,
            BudgetGroup.CODING: self.coding_s,
            BudgetGroup.TESTING: self.testing_s,
            BudgetGroup.COMPLEXITY: self.complexity_s,
        }[group]

    def for_phase(self, phase: Phase) -> float | None:
        """The budget ``phase`` spends from (shared with its group), or None."""
        group = BUDGET_GROUP_OF.get(phase)
        return None if group is None else self.for_group(group)

    @property
    def total_s(self) -> float:
        return self.intro_s + self.coding_s + self.testing_s + self.complexity_s


@dataclass(frozen=True)
class TimeWarning:
    """``minutes_left`` minutes remain (one of ``warning_at_remaining_min``)."""

    minutes_left: int
    #: Seconds into the interview when the mark was crossed.
    at_elapsed_s: float

    @property
    def message(self) -> str:
        return f"{plural(self.minutes_left, 'minute')} left"


@dataclass(frozen=True)
class PhaseOverrun:
    """The budget of ``group`` ran out while in ``phase``."""

    phase: Phase
    group: BudgetGroup
    budget_s: float
    #: Seconds into the interview when the budget ran out.
    at_elapsed_s: float

    @property
    def message(self) -> str:
        return f"{self.phase.name} is over its {self.group.value} budget of {self.budget_s:g} s"


TimerNotice = TimeWarning | PhaseOverrun


@dataclass(frozen=True)
class TimerSnapshot:
    """Everything a panel shows about time, read at one instant."""

    elapsed_s: float
    time_left_s: float
    overtime_s: float
    phase: Phase
    phase_elapsed_s: float
    budget_s: float | None
    budget_left_s: float | None


class InterviewTimer:
    """Elapsed and remaining time of one interview, and its phase budgets.

    The interview starts at the clock's reading when the timer is made
    (``started_at`` overrides it, to rebuild a timer from stored events).
    Tell the timer each phase change with :meth:`enter`; ask
    :meth:`due_warnings` as often as you like: each warning comes once.
    """

    def __init__(
        self,
        clock: Clock,
        total_minutes: float,
        timing: TimingSettings | None = None,
        *,
        started_at: float | None = None,
        phase: Phase = Phase.INIT,
    ) -> None:
        if not total_minutes > 0:
            raise ValueError(f"an interview needs a positive length, not {total_minutes} min")
        timing = timing or TimingSettings()
        self._clock = clock
        self._start = clock.now() if started_at is None else started_at
        self._total_s = total_minutes * 60.0
        self.budget = PhaseBudget.from_settings(timing)
        # A mark at or beyond the interview's length is never crossed: warning
        # "10 minutes left" at the start of a 10-minute interview says nothing.
        self._marks_min: tuple[int, ...] = tuple(
            sorted(
                {m for m in timing.warning_at_remaining_min if 0 <= m * 60 < self._total_s},
                reverse=True,
            )
        )
        self._warned: set[int] = set()
        self._phase = phase
        self._phase_start = self._start
        self._spent_before: dict[BudgetGroup, float] = {}  # by finished visits
        self._overrun_noticed: set[BudgetGroup] = set()
        self._pending: list[TimerNotice] = []

    # ------------------------------------------------------------------ time

    @property
    def total_s(self) -> float:
        return self._total_s

    @property
    def elapsed_s(self) -> float:
        return max(0.0, self._clock.now() - self._start)

    @property
    def time_left_s(self) -> float:
        """Seconds left, never below 0 (see :attr:`overtime_s`)."""
        return max(0.0, self._total_s - self.elapsed_s)

    @property
    def overtime_s(self) -> float:
        return max(0.0, self.elapsed_s - self._total_s)

    # ---------------------------------------------------------------- phases

    @property
    def phase(self) -> Phase:
        return self._phase

    @property
    def phase_elapsed_s(self) -> float:
        """Seconds in the current phase (this visit)."""
        return max(0.0, self._clock.now() - self._phase_start)

    def spent_s(self, group: BudgetGroup) -> float:
        """Seconds spent so far from ``group``'s budget, the current visit included."""
        spent = self._spent_before.get(group, 0.0)
        if BUDGET_GROUP_OF.get(self._phase) == group:
            spent += self.phase_elapsed_s
        return spent

    @property
    def budget_s(self) -> float | None:
        """The current phase's budget (shared with its group), or None."""
        return self.budget.for_phase(self._phase)

    @property
    def budget_left_s(self) -> float | None:
        """What is left of the current phase's budget (never below 0, never
        more than the interview's time left), or None."""
        group = BUDGET_GROUP_OF.get(self._phase)
        if group is None:
            return None
        return min(self.time_left_s,
                   max(0.0, self.budget.for_group(group) - self.spent_s(group)))

    def enter(self, phase: Phase) -> None:
        """The interview moved to ``phase`` now."""
        self._queue_overrun()  # one that happened in the phase being left
        group = BUDGET_GROUP_OF.get(self._phase)
        if group is not None:
            self._spent_before[group] = self.spent_s(group)
        self._phase = phase
        self._phase_start = self._clock.now()

    def snapshot(self) -> TimerSnapshot:
        return TimerSnapshot(
            elapsed_s=self.elapsed_s,
            time_left_s=self.time_left_s,
            overtime_s=self.overtime_s,
            phase=self._phase,
            phase_elapsed_s=self.phase_elapsed_s,
            budget_s=self.budget_s,
            budget_left_s=self.budget_left_s,
        )

    # ----------------------------------------------------------- notices

    def due_warnings(self) -> list[TimerNotice]:
        """Notices not given yet, in the order they happened.

        Each ``warning_at_remaining_min`` mark comes once, when crossed; a
        jump over several marks gives each, in order. Each budget's overrun
        comes once.
        """
        remaining = self._total_s - self.elapsed_s
        for minutes in self._marks_min:
            if minutes not in self._warned and remaining <= minutes * 60:
                self._warned.add(minutes)
                self._pending.append(TimeWarning(minutes, self._total_s - minutes * 60))
        self._queue_overrun()
        due = sorted(self._pending, key=lambda n: n.at_elapsed_s)
        self._pending.clear()
        return due

    def _queue_overrun(self) -> None:
        group = BUDGET_GROUP_OF.get(self._phase)
        if group is None or group in self._overrun_noticed:
            return
        budget = self.budget.for_group(group)
        if self.spent_s(group) > budget:
            self._overrun_noticed.add(group)
            # It ran out during this visit (an earlier one would have been noticed).
            ran_out_at = self._phase_start + budget - self._spent_before.get(group, 0.0)
            self._pending.append(PhaseOverrun(self._phase, group, budget, ran_out_at - self._start))
