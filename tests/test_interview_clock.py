"""The injectable clock: the fake one moves only when told, and never backwards."""

from __future__ import annotations

import math

import pytest

from mock_interviewer_lab.interview.clock import Clock, FakeClock, SystemClock


def test_fake_clock_starts_at_zero_and_moves_only_when_told() -> None:
    clock = FakeClock()
    assert clock.now() == 0.0
    assert clock.now() == 0.0
    assert clock.advance(90) == 90.0
    assert clock.advance(0.5) == 90.5
    assert clock.set(45 * 60) == 2700.0
    assert clock.now() == 2700.0


def test_fake_clock_can_start_elsewhere() -> None:
    assert FakeClock(1000.0).now() == 1000.0


@pytest.mark.parametrize("bad", [-1.0, -0.001])
def test_fake_clock_refuses_to_advance_backwards(bad: float) -> None:
    clock = FakeClock(10)
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(bad)
    assert clock.now() == 10


def test_fake_clock_refuses_to_be_set_into_the_past() -> None:
    clock = FakeClock(10)
    with pytest.raises(ValueError, match="backwards"):
        clock.set(9.99)
    assert clock.now() == 10
    assert clock.set(10) == 10  # standing still is fine


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_fake_clock_refuses_non_finite_readings(bad: float) -> None:
    clock = FakeClock()
    with pytest.raises(ValueError, match="finite"):
        clock.advance(bad)
    with pytest.raises(ValueError, match="finite"):
        clock.set(bad)
    with pytest.raises(ValueError, match="finite"):
        FakeClock(bad)


def test_both_clocks_satisfy_the_protocol() -> None:
    assert isinstance(FakeClock(), Clock)
    assert isinstance(SystemClock(), Clock)


def test_system_clock_never_runs_backwards() -> None:
    clock = SystemClock()
    readings = [clock.now() for _ in range(1000)]
    assert readings == sorted(readings)
