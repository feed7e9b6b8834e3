"""Phase budgets and the interview timer, on a fake clock."""

from __future__ import annotations

import pytest

from mock_interviewer_lab.interview.clock import FakeClock
from mock_interviewer_lab.interview.phases import Phase
from mock_interviewer_lab.interview.timers import (
    BUDGET_GROUP_OF,
    BudgetGroup,
    InterviewTimer,
    PhaseBudget,
    PhaseOverrun,
    TimeWarning,
)
from mock_interviewer_lab.settings import Settings, TimingSettings, parse_settings

P = Phase
MIN = 60.0


def test_default_budgets_are_the_specs() -> None:
    budget = PhaseBudget.from_settings(Settings().coach.timing)
    assert (budget.intro_s, budget.coding_s, budget.testing_s, budget.complexity_s) == (
        120.0,
        1500.0,
        300.0,
        180.0,
    )
    assert budget.total_s == 35 * MIN


def test_budgets_come_from_custom_settings() -> None:
    settings = parse_settings(
        {
            "coach": {
                "timing": {
                    "intro_duration_s": 60,
                    "coding_duration_s": 600,
                    "testing_duration_s": 240,
                    "complexity_duration_s": 90,
                }
            }
        }
    )
    budget = PhaseBudget.from_settings(settings.coach.timing)
    assert budget.for_phase(P.INTRO) == 60
    assert budget.for_phase(P.UNDERSTANDING) == 60
    assert budget.for_phase(P.APPROACH) == 60
    assert budget.for_phase(P.CODING) == 600
    assert budget.for_phase(P.TESTING) == 240
    assert budget.for_phase(P.DEBUGGING) == 240
    assert budget.for_phase(P.OPTIMIZATION) == 240
    assert budget.for_phase(P.COMPLEXITY) == 90
    for phase in (P.INIT, P.CALIBRATION, P.REFLECTION, P.FOLLOWUP, P.DONE, P.ABORT):
        assert budget.for_phase(phase) is None
    assert budget.for_group(BudgetGroup.TESTING) == 240


def test_every_budget_group_has_phases() -> None:
    assert set(BUDGET_GROUP_OF.values()) == set(BudgetGroup)


def test_elapsed_and_time_left() -> None:
    clock = FakeClock(500.0)  # the interview starts at the clock's reading
    timer = InterviewTimer(clock, 45)
    assert timer.total_s == 45 * MIN
    assert (timer.elapsed_s, timer.time_left_s, timer.overtime_s) == (0, 45 * MIN, 0)
    clock.advance(10 * MIN)
    assert (timer.elapsed_s, timer.time_left_s) == (10 * MIN, 35 * MIN)
    clock.advance(40 * MIN)
    assert (timer.time_left_s, timer.overtime_s) == (0, 5 * MIN)


def test_started_at_rebuilds_a_timer() -> None:
    clock = FakeClock(1000.0)
    timer = InterviewTimer(clock, 45, started_at=400.0)
    assert timer.elapsed_s == 600.0


@pytest.mark.parametrize("bad", [0, -5])
def test_an_interview_needs_a_length(bad: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        InterviewTimer(FakeClock(), bad)


def test_phase_time_and_budget_left() -> None:
    clock = FakeClock()
    timer = InterviewTimer(clock, 45, Settings().coach.timing)
    assert timer.phase == P.INIT and timer.budget_s is None and timer.budget_left_s is None
    clock.advance(5)
    timer.enter(P.INTRO)
    clock.advance(30)
    assert timer.phase_elapsed_s == 30
    assert timer.budget_left_s == 90
    timer.enter(P.UNDERSTANDING)  # shares the intro budget
    clock.advance(60)
    assert timer.phase_elapsed_s == 60
    assert timer.spent_s(BudgetGroup.INTRO) == 90
    assert timer.budget_s == 120
    assert timer.budget_left_s == 30
    clock.advance(100)
    assert timer.budget_left_s == 0  # never below zero
    snap = timer.snapshot()
    assert snap.phase == P.UNDERSTANDING
    assert (snap.elapsed_s, snap.phase_elapsed_s, snap.budget_left_s) == (195, 160, 0)
    assert snap.time_left_s == 45 * MIN - 195


def test_the_phase_left_never_exceeds_the_time_left() -> None:
    clock = FakeClock()
    timer = InterviewTimer(clock, 3, Settings().coach.timing)  # a 3-minute interview
    timer.enter(P.CODING)  # a 25-minute budget
    assert timer.budget_left_s == timer.time_left_s == 3 * MIN
    clock.advance(100)
    assert timer.budget_left_s == timer.time_left_s == 80
    assert timer.snapshot().budget_left_s == 80
    clock.advance(500)
    assert timer.budget_left_s == timer.time_left_s == 0


def test_warnings_come_once_each_when_crossed() -> None:
    clock = FakeClock()
    timer = InterviewTimer(clock, 45)
    assert timer.due_warnings() == []
    clock.set(35 * MIN - 1)
    assert timer.due_warnings() == []
    clock.set(35 * MIN)  # exactly ten minutes left
    assert timer.due_warnings() == [TimeWarning(10, 35 * MIN)]
    assert timer.due_warnings() == []
    clock.advance(30)
    assert timer.due_warnings() == []
    clock.set(40 * MIN + 1)
    (five,) = timer.due_warnings()
    assert five == TimeWarning(5, 40 * MIN)
    assert five.message == "5 minutes left"
    clock.set(43 * MIN + 30)
    assert timer.due_warnings() == [TimeWarning(2, 43 * MIN)]
    clock.set(60 * MIN)
    assert timer.due_warnings() == []


def test_a_jump_over_several_marks_gives_each_once_in_order() -> None:
    clock = FakeClock()
    timer = InterviewTimer(clock, 45)
    clock.advance(44 * MIN)  # the laptop slept
    warnings = timer.due_warnings()
    assert [w.minutes_left for w in warnings if isinstance(w, TimeWarning)] == [10, 5, 2]
    assert timer.due_warnings() == []
    clock.advance(10 * MIN)
    assert timer.due_warnings() == []


def test_marks_are_taken_from_settings_sorted_and_once() -> None:
    timing = TimingSettings(warning_at_remaining_min=[1, 3, 3, 30, 45, 60])
    clock = FakeClock()
    timer = InterviewTimer(clock, 45, timing)
    clock.advance(45 * MIN)
    # 45 and 60 can never be crossed in a 45-minute interview: no warning at the start
    assert [w.minutes_left for w in timer.due_warnings() if isinstance(w, TimeWarning)] == [
        30,
        3,
        1,
    ]
    assert TimeWarning(1, 0).message == "1 minute left"


def test_a_phase_overrun_is_noticed_once() -> None:
    clock = FakeClock()
    timer = InterviewTimer(clock, 45)
    timer.enter(P.INTRO)
    clock.advance(119)
    assert timer.due_warnings() == []
    clock.advance(2)
    assert timer.due_warnings() == [PhaseOverrun(P.INTRO, BudgetGroup.INTRO, 120, 120)]
    clock.advance(60)
    assert timer.due_warnings() == []
    timer.enter(P.UNDERSTANDING)  # same budget, already over: no second notice
    clock.advance(60)
    assert timer.due_warnings() == []
    timer.enter(P.CODING)
    clock.advance(25 * MIN + 1)
    (overrun,) = timer.due_warnings()
    assert isinstance(overrun, PhaseOverrun)
    assert (overrun.phase, overrun.group, overrun.budget_s) == (P.CODING, BudgetGroup.CODING, 1500)
    assert "CODING" in overrun.message


def test_shared_budget_adds_up_across_visits() -> None:
    clock = FakeClock()
    timer = InterviewTimer(clock, 60)
    timer.enter(P.TESTING)
    clock.advance(100)
    timer.enter(P.DEBUGGING)
    clock.advance(100)
    timer.enter(P.TESTING)
    clock.advance(50)
    assert timer.due_warnings() == []
    assert timer.spent_s(BudgetGroup.TESTING) == 250
    assert timer.budget_left_s == 50
    timer.enter(P.DEBUGGING)
    clock.advance(60)
    notices = timer.due_warnings()
    assert notices == [PhaseOverrun(P.DEBUGGING, BudgetGroup.TESTING, 300, 300)]
    for phase in (P.TESTING, P.DEBUGGING, P.TESTING, P.OPTIMIZATION):
        timer.enter(phase)
        clock.advance(120)
        assert [n for n in timer.due_warnings() if isinstance(n, PhaseOverrun)] == []


def test_an_overrun_in_a_phase_already_left_is_still_noticed() -> None:
    clock = FakeClock()
    timer = InterviewTimer(clock, 45)
    timer.enter(P.COMPLEXITY)
    clock.advance(200)  # over the 180 s budget, nobody asked
    timer.enter(P.REFLECTION)
    clock.advance(10)
    assert timer.due_warnings() == [PhaseOverrun(P.COMPLEXITY, BudgetGroup.COMPLEXITY, 180, 180)]
    assert timer.due_warnings() == []


def test_notices_come_in_the_order_they_happened() -> None:
    clock = FakeClock()
    timing = TimingSettings(coding_duration_s=38 * 60)
    timer = InterviewTimer(clock, 45, timing)
    timer.enter(P.CODING)
    clock.advance(44 * MIN)
    notices = timer.due_warnings()
    # 10 min left at 35:00, coding budget out at 38:00, 5 left at 40:00, 2 left at 43:00
    assert [type(n).__name__ for n in notices] == [
        "TimeWarning",
        "PhaseOverrun",
        "TimeWarning",
        "TimeWarning",
    ]
    assert [n.at_elapsed_s for n in notices] == [35 * MIN, 38 * MIN, 40 * MIN, 43 * MIN]


def test_a_45_minute_interview_simulated_minute_by_minute() -> None:
    clock = FakeClock()
    timer = InterviewTimer(clock, 45)
    plan = [
        (P.INTRO, 1),
        (P.UNDERSTANDING, 1),
        (P.APPROACH, 2),
        (P.CODING, 26),
        (P.TESTING, 1),
        (P.DEBUGGING, 3),
        (P.TESTING, 1),
        (P.OPTIMIZATION, 3),
        (P.COMPLEXITY, 3),
        (P.REFLECTION, 2),
        (P.FOLLOWUP, 2),
    ]
    notices = []
    for phase, minutes in plan:
        timer.enter(phase)
        for _ in range(minutes * 6):
            clock.advance(10)
            notices += timer.due_warnings()
    timer.enter(P.DONE)
    notices += timer.due_warnings()
    warnings = [n.minutes_left for n in notices if isinstance(n, TimeWarning)]
    overruns = [(n.phase, n.group) for n in notices if isinstance(n, PhaseOverrun)]
    assert warnings == [10, 5, 2]
    assert overruns == [
        (P.APPROACH, BudgetGroup.INTRO),  # 4 minutes of discussion against 2
        (P.CODING, BudgetGroup.CODING),  # 26 against 25
        (P.OPTIMIZATION, BudgetGroup.TESTING),  # 8 of test/debug/optimise against 5
    ]
    assert timer.elapsed_s == 45 * MIN
    assert timer.time_left_s == 0
