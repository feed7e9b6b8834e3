"""What the orchestrator knows of an interview, rebuilt from the events on
resume. The engine keeps it; an interview kind (``interview/kinds/``) reads
and writes the part that is its own (the code, the runs, the optimisation
loop, the follow-up problem for a coding interview)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mock_interviewer_lab.interview.phases import TddPhase
from mock_interviewer_lab.interview.rules.analyzer import Finding


@dataclass
class InterviewState:
    """What the orchestrator knows; rebuilt from the events on resume."""

    started: bool = False
    ended: bool = False
    transcript: list[tuple[float, str, str]] = field(default_factory=list)
    candidate_words: list[str] = field(default_factory=list)
    code: str | None = None
    code_seq: int | None = None
    findings: tuple[Finding, ...] = ()
    runs: list[dict[str, Any]] = field(default_factory=list)
    #: (code_seq, the run before it) of a passing run whose growth is being
    #: measured: the coach's reply to it waits for ``growth_measured``.
    growth_pending: tuple[Any, dict[str, Any] | None] | None = None
    last_activity_t: float = 0.0
    stuck_since: float = 0.0
    last_nudge_t: float = -1e9
    best_passed: int = 0
    complexity_asked: bool = False
    complexity_checked: bool = False
    end_pending: bool = False
    turn: int = 0
    tdd_step: TddPhase | None = None
    coach_texts: list[str] = field(default_factory=list)
    first_approach_t: float | None = None
    working_code_t: float | None = None
    hints_requested: int = 0
    calibrated_t: float = 0.0
    assessment: str = "appropriate"
    #: When the coach last said something other than a time warning, and how
    #: many silence nudges since the candidate last did anything
    #: (``quiet_since`` is the ``last_activity_t`` they were counted from):
    #: the nudges back off.
    last_prompt_t: float = -1e9
    quiet_nudges: int = 0
    quiet_since: float = 0.0
    #: When the coach last said something that helps where the candidate is
    #: (a question, a nudge, a hint; not a line of _AGENDA_KINDS).
    last_help_t: float = 0.0
    #: A silence nudge decided by the silence event, said after the time rules
    #: unless they already spoke (a hint, a sub-problem) for the same event.
    nudge_pending: float | None = None
    #: The complexity the candidate stated last (time, space), and whether it
    #: still waits to be checked against passing code ("listen before asking":
    #: a claim made while describing the approach answers the question later).
    claim: tuple[str, str | None] | None = None
    claim_fresh: bool = False
    #: The code the claim was about: the latest submission when it was said
    #: (None: said before any code, about the code to come).
    claim_code_seq: int | None = None
    #: The optimisation loop: "" (not needed), "wanted" (the solution passes
    #: but is worse than the problem's expected class: the coach asks for
    #: better), "reached", or "not_reached" (time ran short first).
    better: str = ""
    #: The class of the solution the loop started from, and how often the
    #: coach asked for better.
    better_from: str | None = None
    pushes: int = 0
    #: A new idea was said since the coach asked for better.
    better_idea: bool = False
    #: What the coach has covered with the time after a solution (_REFLECTION_GOALS,
    #: "second_problem", "variation", "open").
    goals: list[str] = field(default_factory=list)
    #: The follow-up problem's qualified id once it is started, and whether
    #: it is solved (all of its tests pass).
    second_problem: str | None = None
    second_solved: bool = False
