"""The seam between the engine and a kind of interview.

The engine (``interview/orchestrator.py`` and the session shell,
``interview/session.py``) owns what every interview has: the conversation
(``candidate_said``, hints, silence, typing, ticks, the end), the clock and its
warnings, the phase machine, the hint ladder, the safeguards every coach line
passes, the coach, the store and the report. A **kind** owns what is specific
to one kind of interview — for a coding interview (:mod:`.coding`): analysing
the submitted code, asking for a test run and what ``run_tests`` carries,
running the tests and measuring growth in the shell, how the results feed the
phase machine and the optimisation loop (a passing solution slower than the
problem's expected class), the follow-up problem and its stub, and what a
panel may see of a problem.

The engine never asks which kind it runs. It hands a kind:

* the events in :attr:`InterviewKind.events` (the candidate's work: the
  engine takes every other event; an event that neither takes changes
  nothing, such as code in an interview without code);
* the actions in :attr:`InterviewKind.side_effects`, which the session
  carries out through :meth:`InterviewKind.carry_out` (and, on resume,
  :meth:`InterviewKind.resume` for the ones whose results never came back);
* a few questions it asks at fixed points: the class the problem expects and
  what a solution costs (the big-O talk), whether a follow-up problem is due
  and starting it, a problem by id, and a problem's public view.

A kind acts through :class:`Engine` (the orchestrator) and :class:`Shell`
(the session): the narrow part of each it may use. A kind is made for one
session (it may hold that session's problems); the orchestrator's default is
a :class:`~.coding.CodingInterview` of its problem.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from mock_interviewer_lab.events import Action, ActionType, Event, EventType, Record
from mock_interviewer_lab.harness.outcome import RunResult
from mock_interviewer_lab.interview.coaching import Trigger
from mock_interviewer_lab.interview.phases import Phase, PhaseMachine
from mock_interviewer_lab.interview.state import InterviewState
from mock_interviewer_lab.interview.timers import InterviewTimer
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.settings import Settings

#: A trigger of the phase machine: the next step, or None.
Step = Callable[[], Phase | None]


class Engine(Protocol):
    """What a kind may use of the orchestrator."""

    @property
    def state(self) -> InterviewState: ...
    @property
    def settings(self) -> Settings: ...
    @property
    def mode(self) -> str: ...
    @property
    def timer(self) -> InterviewTimer: ...
    @property
    def machine(self) -> PhaseMachine: ...
    @property
    def phase(self) -> Phase: ...
    @property
    def active(self) -> Problem:
        """The problem the candidate works on now."""
        ...

    def emit(self, type_: ActionType, data: dict[str, Any]) -> None:
        """An action, caused by the event being handled."""
        ...

    def go(self, to: Phase, reason: str, *, quiet: bool = False) -> bool:
        """Move the phase machine (False when the move is not allowed)."""
        ...

    def step_until_none(self, step: Step, reason: str) -> None:
        """Follow a trigger of the phase machine until it names no step."""
        ...

    def say(self, trigger: Trigger, **kw: Any) -> None:
        """Ask the coach; its reply passes the safeguards."""
        ...

    def complexity_data(self, claimed_time: str, claimed_space: str | None) -> dict[str, Any]:
        """A stated complexity against the expected class and the measured one."""
        ...

    def record_complexity(self, data: dict[str, Any]) -> None:
        """The complexity was discussed (``complexity_checked``)."""
        ...


class CodeRunner(Protocol):
    """What the session needs of the harness (an interview without code has none)."""

    def run(self, problem: Problem, code: str, *, complexity: bool = True) -> RunResult: ...


class Shell(Protocol):
    """What a kind may use of the session."""

    @property
    def orchestrator(self) -> Engine: ...
    @property
    def settings(self) -> Settings: ...
    @property
    def harness(self) -> CodeRunner | None: ...

    def records(self) -> list[Record]: ...

    def post(self, type_: EventType, data: dict[str, Any] | None = None) -> list[Action]:
        """One event in (a result coming back); every action it led to out."""
        ...


class InterviewKind(Protocol):
    """What the engine asks of a kind of interview (see the module's docstring)."""

    #: The events of the candidate's work this kind takes.
    events: frozenset[EventType]
    #: The actions with a side effect the session carries out through the kind.
    side_effects: frozenset[ActionType]

    def handle(self, engine: Engine, event: Event) -> None:
        """Take one of :attr:`events`."""
        ...

    def carry_out(self, shell: Shell, action: Action) -> list[Action]:
        """Carry out one of :attr:`side_effects` (stored already); the actions
        its results led to."""
        ...

    def resume(self, shell: Shell, events: list[Event], pending: list[Action]) -> None:
        """After a replay: carry out again what ``pending`` (the stored
        :attr:`side_effects`) asked for and never got back."""
        ...

    def expected_time(self, problem: Problem) -> str | None:
        """The time class ``problem`` expects of a solution (None: none)."""
        ...

    def cost_of(self, state: InterviewState, run: dict[str, Any]) -> str | None:
        """What the passing solution of ``run`` costs (None: not known)."""
        ...

    def followup_due(self, engine: Engine) -> bool:
        """A follow-up problem is due now (the time after a solution)."""
        ...

    def start_followup(self, engine: Engine) -> Problem:
        """Start the follow-up problem (only when :meth:`followup_due`); the
        engine then puts its hints and safeguards in place."""
        ...

    def problem_for(self, qualified_id: str | None) -> Problem:
        """The session's problem with this id (the first when none is)."""
        ...

    def public_view(self, problem: Problem) -> dict[str, Any]:
        """What a panel may show of ``problem``."""
        ...
