"""The interview's only source of time.

Everything in the engine asks a :class:`Clock` passed in to it; nothing reads
the real time by itself. Production uses :class:`SystemClock`; tests and
replays use :class:`FakeClock`, so a 45-minute interview can be simulated in
a fraction of a second and no test depends on how fast the machine is.
"""

from __future__ import annotations

import math
import time
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """A monotonic clock in seconds. Only differences between readings mean anything."""

    def now(self) -> float: ...


class SystemClock:
    """The real monotonic clock (never jumps with NTP or daylight saving)."""

    def now(self) -> float:
        return time.monotonic()


class FakeClock:
    """A clock that moves only when told to.

    It stays monotonic like the real one: moving it backwards is refused,
    because the timers downstream assume time never runs back.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = self._checked(start)

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        """Move forward by ``seconds``; returns the new reading."""
        if self._checked(seconds) < 0:
            raise ValueError(f"a clock cannot go backwards (advance by {seconds})")
        self._now += seconds
        return self._now

    def set(self, t: float) -> float:
        """Jump to the reading ``t`` (not earlier than now); returns it."""
        if self._checked(t) < self._now:
            raise ValueError(f"a clock cannot go backwards (from {self._now} to {t})")
        self._now = t
        return self._now

    @staticmethod
    def _checked(value: float) -> float:
        if not math.isfinite(value):
            raise ValueError(f"clock readings must be finite numbers, not {value}")
        return float(value)
