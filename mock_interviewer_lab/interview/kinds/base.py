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
* its own part of the state (:meth:`InterviewKind.new_work`, held as
  ``InterviewState.work``), which the engine keeps but never reads;
* the points of the conversation where a kind may answer or take note:
  the start, what the candidate says (before the agenda and the phase
  machine, after them, and when nothing else answered), the clock moving
  the phase, and the end asked for (a last question first: a coding
  interview's big-O talk);
* questions it asks at fixed points: the improvement loop (asking for a
  better solution), what the coach (``CoachContext.work``) and the
  calibrator see of the work, whether a follow-up problem is due and
  starting it, a problem by id, and a problem's public view.

The kind's phase plan (:class:`~..phases.PhasePlan`) says the rest: its
phases and moves, where the candidate counts as stuck, what marks a first
approach, its agenda.

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
from mock_interviewer_lab.interview.intent import Utterance
from mock_interviewer_lab.interview.phases import Phase, PhaseMachine, PhasePlan
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
        """Ask the coach; its reply passes the safeguards. ``kw`` that are
        not :class:`~..coaching.CoachContext` fields go to the kind's
        :meth:`InterviewKind.coach_view`."""
        ...

    def speak(self, text: str, kind: str, by: str = "scripted") -> None:
        """Say a line of the kind's own (a question it chose, its feedback)
        through the safeguards every coach line passes, as a ``coach_says``
        of ``kind`` whose ``coach`` is ``by`` (who wrote it: the scripted
        interviewer, or a model)."""
        ...

    def finish(self, reason: str) -> None:
        """End the interview now: the plan's way to close, the coach's
        wrap-up, the report (``reason`` goes to the wrap-up's context)."""
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

    #: The kind's name, stored with the session (``kinds.KINDS`` makes it again).
    name: str
    #: The events of the candidate's work this kind takes.
    events: frozenset[EventType]
    #: The actions with a side effect the session carries out through the kind.
    side_effects: frozenset[ActionType]
    #: The kind's phases after INTRO, its moves and its agenda (the engine's
    #: machine runs them; see interview/phases.py).
    plan: PhasePlan

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

    # The kind's part of the state, and the engine's questions about it.

    def new_work(self) -> Any:
        """The kind's own part of a new interview's state
        (:attr:`InterviewState.work`; rebuilt from the events on resume):
        the engine keeps it and never reads it."""
        ...

    def started(self, engine: Engine) -> None:
        """The session started (the coach's welcome comes next)."""
        ...

    def introduced(self, engine: Engine) -> None:
        """The coach has welcomed the candidate (a behavioural interview
        asks its first question here)."""
        ...

    def quiet(self, engine: Engine, seconds: float) -> bool:
        """The candidate has been quiet for ``seconds`` (a ``silence``
        event): True when the kind took the pause (a behavioural interview:
        the end of a spoken answer, scored now) and no nudge is due for it."""
        ...

    def after_end(self, engine: Engine, event: Event) -> None:
        """An event after the interview ended: the engine changes nothing;
        the kind may say why in an action (a behavioural interview's
        ``request_refused``)."""
        ...

    def heard(self, engine: Engine, utterance: Utterance) -> None:
        """The candidate said something (not fishing; INTRO has moved on):
        note what the kind keeps of it (a coding interview: a stated
        complexity and the code it is about)."""
        ...

    def answer_first(self, engine: Engine, utterance: Utterance) -> bool:
        """Before the agenda and the phase machine: True when the kind has
        answered (a coding interview asking for a better solution holds
        "done" and a stated complexity: not yet)."""
        ...

    def answer(self, engine: Engine, utterance: Utterance) -> bool:
        """After the phase machine followed what was said: True when the
        kind has answered (a coding interview: a stated complexity where
        its cost is talked about). With ``state.end_pending`` the engine
        then ends the interview."""
        ...

    def went_on(self, engine: Engine, utterance: Utterance) -> None:
        """Nothing else answered: the coach replies next (a coding
        interview: an approach in the improvement loop is a new idea; the
        test-driven steps move on)."""
        ...

    def clock_moved(self, engine: Engine, before: Phase) -> None:
        """The clock moved the interview on from ``before`` (a coding
        interview: the improvement loop ends, the big-O is asked)."""
        ...

    def last_question(self, engine: Engine, reason: str) -> bool:
        """The end was asked for (``reason``: "candidate", "time"…; not an
        abort). True: the kind asked one last question first and set
        ``state.end_pending``; the end comes with the answer (a coding
        interview: the big-O, under ``coach.force_big_o_at_end``)."""
        ...

    def stop_improving(self, engine: Engine) -> None:
        """The time for a better solution is over (the clock moved on, or
        the interview ends): record that it was not reached, if it was asked."""
        ...

    def stuck_while_improving(self, engine: Engine, idle_long: bool) -> bool:
        """Being quiet now means stuck on the better solution (``idle_long``:
        idle for the plan's ``idle_stuck_s``)."""
        ...

    def hint_serves(self, state: InterviewState) -> bool:
        """An automatic hint still helps: no solution yet, or a better one
        asked for."""
        ...

    def working_on_followup(self, engine: Engine) -> bool:
        """The follow-up problem is under way and not yet solved: talk and
        hints are about it, not the time after a solution."""
        ...

    def coach_view(self, engine: Engine, given: dict[str, Any]) -> Any:
        """What the coach sees of the work: ``CoachContext.work`` (a coding
        interview: a ``CodingView`` of the code, its findings, the run the
        reply is about and the one before, the big-O talk, the optimisation
        loop, the test-driven step); ``given`` holds what the caller of
        :meth:`Engine.say` passed besides the context's own fields."""
        ...

    def progress(self, state: InterviewState) -> dict[str, Any]:
        """The kind's figures for the difficulty calibrator's
        ``PerformanceMetrics``: ``time_to_working_code``,
        ``bugs_encountered``, ``test_iterations``, ``complexity_correct``."""
        ...

    def last_results(self, state: InterviewState) -> dict[str, Any] | None:
        """What the panel's state shows of the latest results (None: none)."""
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


class WithoutCode:
    """The answers of a kind whose candidate hands in no code (a behavioural
    interview): no work whose cost is discussed (no big-O talk), no loop
    asking for a better solution, no follow-up problem, nothing for the
    calibrator or the panel's results. A kind inherits these and supplies
    the rest of :class:`InterviewKind` (its name, events, plan, work, coach
    view…), overriding any it has a use for."""

    def started(self, engine: Engine) -> None:
        return None

    def introduced(self, engine: Engine) -> None:
        return None

    def quiet(self, engine: Engine, seconds: float) -> bool:
        return False

    def after_end(self, engine: Engine, event: Event) -> None:
        return None

    def heard(self, engine: Engine, utterance: Utterance) -> None:
        return None

    def answer_first(self, engine: Engine, utterance: Utterance) -> bool:
        return False

    def answer(self, engine: Engine, utterance: Utterance) -> bool:
        return False

    def went_on(self, engine: Engine, utterance: Utterance) -> None:
        return None

    def clock_moved(self, engine: Engine, before: Phase) -> None:
        return None

    def last_question(self, engine: Engine, reason: str) -> bool:
        return False

    def stop_improving(self, engine: Engine) -> None:
        return None

    def stuck_while_improving(self, engine: Engine, idle_long: bool) -> bool:
        return False

    def hint_serves(self, state: InterviewState) -> bool:
        return True

    def working_on_followup(self, engine: Engine) -> bool:
        return False

    def progress(self, state: InterviewState) -> dict[str, Any]:
        return {"time_to_working_code": None, "bugs_encountered": 0, "test_iterations": 0,
                "complexity_correct": None}

    def last_results(self, state: InterviewState) -> dict[str, Any] | None:
        return None

    def followup_due(self, engine: Engine) -> bool:
        return False

    def start_followup(self, engine: Engine) -> Problem:
        raise LookupError("an interview without code has no follow-up problem")
