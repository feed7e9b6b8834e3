"""The one loop that drives an interview nobody is sitting at, on a simulated
clock.

Three shells play a session headless: the scripted simulation
(``interview/simulate.py``: steps at given times), the replay of a stored
session with another coach (``interview/replay.py``: the candidate's events
at the times they were recorded) and the eval (``evaluation/runner.py``: a
simulated candidate who acts at every tick). They differ in what happens at
a given moment and at each tick; how the clock moves between the two is
written here once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from mock_interviewer_lab.interview.clock import FakeClock


class Driven(Protocol):
    """What the loop needs of a session."""

    @property
    def ended(self) -> bool: ...

    def tick(self) -> object: ...


@dataclass(frozen=True)
class Moment:
    """Something that happens at a given reading of the clock."""

    at: float
    act: Callable[[], object]


class ClockDriver:
    """Moves a :class:`FakeClock` for one session.

    ``tick_s`` is how often the clock ticks on its way to the next moment
    (None: it jumps, as a replay does, whose ticks are recorded events);
    ``on_tick`` is what a tick does once the clock has moved (the session's
    own ``tick()`` unless given) and returns False to stop the driving.
    """

    def __init__(self, session: Driven, clock: FakeClock, *, tick_s: float | None,
                 on_tick: Callable[[], bool] | None = None) -> None:
        self.session = session
        self.clock = clock
        self.tick_s = tick_s
        self.on_tick = on_tick or self._session_tick
        self.stopped = False

    def _session_tick(self) -> bool:
        self.session.tick()
        return True

    @property
    def going(self) -> bool:
        return not self.stopped and not self.session.ended

    def run(self, moments: Iterable[Moment] = (), *, until: float | None = None) -> None:
        """Each moment in time order: the clock runs to it, then it acts (the
        session may have ended on the way: the moment is still played, and
        the next is not). After the last one the clock runs to ``until``;
        None: on, tick by tick, until the session ends."""
        for moment in moments:
            if not self.going:
                break
            self.run_to(moment.at)
            moment.act()
        self.run_to(until)

    def run_to(self, target: float | None) -> None:
        """Ticks while the next tick falls before ``target`` (None: while the
        session goes on), then sets the clock to ``target``."""
        tick_s = self.tick_s
        if tick_s is not None:
            while self.going and (target is None or self.clock.now() + tick_s < target):
                self.clock.advance(tick_s)
                if not self.on_tick():
                    self.stopped = True
        if target is not None and self.going and self.clock.now() < target:
            self.clock.set(target)
