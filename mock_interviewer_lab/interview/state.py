"""What the orchestrator knows of an interview, rebuilt from the events on
resume. The engine keeps it; an interview kind (``interview/kinds/``) keeps
its own part in :attr:`InterviewState.work` (for a coding interview,
``kinds.coding.CodingWork``: the code, the runs, the big-O talk, the
optimisation loop, the test-driven step, the follow-up problem). The engine
never reads that part: it asks the kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class InterviewState:
    """What the orchestrator knows; rebuilt from the events on resume."""

    started: bool = False
    ended: bool = False
    transcript: list[tuple[float, str, str]] = field(default_factory=list)
    candidate_words: list[str] = field(default_factory=list)
    #: The kind's own part (``InterviewKind.new_work``), read and written by
    #: the kind only.
    work: Any = None
    last_activity_t: float = 0.0
    stuck_since: float = 0.0
    last_nudge_t: float = -1e9
    #: The end was asked for and waits for the answer to the kind's last
    #: question (``InterviewKind.last_question``).
    end_pending: bool = False
    turn: int = 0
    coach_texts: list[str] = field(default_factory=list)
    first_approach_t: float | None = None
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
    #: What the coach has covered with the time after a solution (the plan's agenda,
    #: "second_problem", "variation", "open").
    goals: list[str] = field(default_factory=list)
