"""The one clock loop of the headless shells (interview/headless.py): ticks on
the way to each moment, a jump where there are no ticks, a tick that stops
the driving, and the end of the session."""

from __future__ import annotations

from mock_interviewer_lab.interview.clock import FakeClock
from mock_interviewer_lab.interview.headless import ClockDriver, Moment


class FakeSession:
    def __init__(self, clock: FakeClock, *, ends_at: float | None = None) -> None:
        self.clock = clock
        self.ends_at = ends_at
        self.ticks: list[float] = []
        self.ended = False

    def tick(self) -> None:
        self.ticks.append(self.clock.now())
        if self.ends_at is not None and self.clock.now() >= self.ends_at:
            self.ended = True


def test_ticks_before_each_moment_then_runs_on_to_the_end() -> None:
    clock = FakeClock()
    session = FakeSession(clock)
    acted: list[tuple[str, float]] = []
    ClockDriver(session, clock, tick_s=30).run(
        [Moment(65, lambda: acted.append(("a", clock.now()))),
         Moment(90, lambda: acted.append(("b", clock.now())))],
        until=150)
    # A tick only when the next one falls before the moment; the clock then
    # jumps to the moment itself.
    assert acted == [("a", 65), ("b", 90)]
    assert session.ticks == [30, 60, 120]
    assert clock.now() == 150


def test_without_ticks_the_clock_jumps_and_never_goes_back() -> None:
    clock = FakeClock()
    session = FakeSession(clock)
    seen: list[float] = []
    ClockDriver(session, clock, tick_s=None).run(
        [Moment(t, lambda: seen.append(clock.now())) for t in (5, 3, 40)])
    assert seen == [5, 5, 40]
    assert session.ticks == []


def test_runs_until_the_session_ends_or_a_tick_says_stop() -> None:
    clock = FakeClock()
    session = FakeSession(clock, ends_at=100)
    ClockDriver(session, clock, tick_s=30).run()
    assert session.ticks == [30, 60, 90, 120]
    assert clock.now() == 120

    clock = FakeClock()
    session = FakeSession(clock)
    calls: list[float] = []

    def tick() -> bool:
        calls.append(clock.now())
        return clock.now() < 50

    driver = ClockDriver(session, clock, tick_s=20, on_tick=tick)
    driver.run(until=500)
    assert calls == [20, 40, 60]
    assert driver.stopped and clock.now() == 60  # no jump to 500 once stopped


def test_a_moment_after_the_end_is_not_played() -> None:
    clock = FakeClock()
    session = FakeSession(clock, ends_at=30)
    acted: list[float] = []
    ClockDriver(session, clock, tick_s=30).run(
        [Moment(45, lambda: acted.append(clock.now())),
         Moment(50, lambda: acted.append(clock.now()))])
    # The session ended on the way to the first moment, which still acts (as
    # a script step did); the next does not.
    assert acted == [30]
