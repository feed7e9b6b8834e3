"""What the three shells share to start a behavioural interview: its
options and the one call that starts the session.

``%interview behavioral`` (kernel/magics.py), ``mock-interviewer start
behavioral`` (cli/sessions.py) and ``POST behavioral/sessions``
(server/behavioral.py) all start one here, so the options mean the same
everywhere; the interview kind (interview/kinds/behavioral.py) checks them
(:class:`SetupError`) and reads a résumé or job description file
(:func:`read_context_file`: text or Markdown, UTF-8, size-limited).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from mock_interviewer_lab.interview.kinds.behavioral import (
    SetupError,
    behavioral_setup,
    read_context_file,
)
from mock_interviewer_lab.store import LOCAL_USER

if TYPE_CHECKING:
    from mock_interviewer_lab.interview.clock import Clock
    from mock_interviewer_lab.interview.coaching import Coach
    from mock_interviewer_lab.interview.rules.star import BehavioralScorer
    from mock_interviewer_lab.interview.session import InterviewSession
    from mock_interviewer_lab.problems.registry import ProblemRegistry
    from mock_interviewer_lab.settings import Settings
    from mock_interviewer_lab.store import SessionStore

#: The kind of interview these sessions store (sessions.kind).
BEHAVIORAL = "behavioral"
#: A behavioural interview's length: five questions with their follow-ups.
DEFAULT_MINUTES = 45.0

__all__ = ["BehavioralOptions", "SetupError", "behavioral_scorer", "read_context_file",
           "start_behavioral_session"]


@dataclass(frozen=True)
class BehavioralOptions:
    """A behavioural interview's set-up as the shells take it (issue 14):
    the stage, difficulty, target level (None: from the job description,
    else L4), the candidate's résumé and the job description as text,
    adversarial mode and the question bank to ask from (None: every bank)."""

    stage: str = "hiring_manager"
    difficulty: str = "medium"
    level: str | None = None
    resume_text: str | None = None
    job_text: str | None = None
    adversarial: bool = False
    bank: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def behavioral_scorer(settings: Settings, coach: Coach) -> BehavioralScorer:
    """The scorer of a behavioural session whose coach is ``coach``: the
    model's (``coach.behavioral_llm.session_scorer``: it says why when the
    model cannot be used) when the coach is a model's, else the offline one."""
    from mock_interviewer_lab.coach.behavioral_llm import session_scorer
    from mock_interviewer_lab.coach.scripted import ScriptedCoach
    from mock_interviewer_lab.interview.rules.star import OfflineScorer

    if coach.name == ScriptedCoach.name:
        return OfflineScorer()
    return session_scorer(settings)


def start_behavioral_session(store: SessionStore, settings: Settings, options: BehavioralOptions,
                             *, registry: ProblemRegistry, clock: Clock, coach: Coach,
                             minutes: float = DEFAULT_MINUTES,
                             meta: dict[str, Any] | None = None,
                             scorer: BehavioralScorer | None = None,
                             user: str = LOCAL_USER) -> InterviewSession:
    """A new behavioural interview of ``user`` with ``options``; :class:`SetupError`
    says what is wrong with them (an unknown bank among them). ``scorer``
    None: :func:`behavioral_scorer` for ``coach``."""
    from mock_interviewer_lab.interview.session import InterviewSession
    from mock_interviewer_lab.problems.questions import interview_problem

    setup = behavioral_setup(**options.as_dict(), registry=registry)
    return InterviewSession.start(
        store, interview_problem(setup["stage"]), settings, harness=None, clock=clock,
        coach=coach, minutes=minutes, registry=registry, meta=meta, kind_name=BEHAVIORAL,
        kind_options=setup, user=user,
        scorer=scorer if scorer is not None else behavioral_scorer(settings, coach))
