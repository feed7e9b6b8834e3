"""The behavioural interview's phases: its :class:`~..phases.PhasePlan`.

Seed 002's flow, one question at a time::

    INTRO -> QUESTION -> FOLLOW_UP -> FEEDBACK -> QUESTION -> ... -> SUMMARY -> DONE
                     \\______________/^

* QUESTION: a question is asked and its answer awaited (the answer is
  scored; with gaps the follow-ups start, else its feedback comes at once).
* FOLLOW_UP: up to three follow-ups probing the gaps the answer left.
* FEEDBACK: the question's feedback; the next question follows in the same
  turn (the phase lasts no time), after the last one the summary.
* SUMMARY: the session's feedback, then DONE. The candidate may end at any
  time: every phase after INTRO leads to SUMMARY.

The kind moves the machine itself (what the candidate says is an answer,
whatever its intent), so the plan's triggers name no step: the clock's end
is the engine's (time up: the plan's ending, SUMMARY then DONE). No phase
counts as stuck (no automatic hints: the candidate may ask for one), there
is no agenda and no wrap-up budget; the engine's time warnings still come.
The first answer marks the calibrator's first approach.
"""

from __future__ import annotations

from mock_interviewer_lab.interview.intent import Intent
from mock_interviewer_lab.interview.phases import Phase, PhasePlan, Transition

P = Phase

MOVES: tuple[Transition, ...] = (
    Transition(P.INTRO, P.QUESTION, "the first question is asked", "spec"),
    Transition(P.QUESTION, P.FOLLOW_UP, "the answer has gaps to probe", "spec"),
    Transition(P.QUESTION, P.FEEDBACK, "the answer needs no follow-up, or next", "spec"),
    Transition(P.FOLLOW_UP, P.FEEDBACK, "the follow-ups are over, or next", "spec"),
    Transition(P.FEEDBACK, P.QUESTION, "the next question is asked", "spec"),
    Transition(P.FEEDBACK, P.SUMMARY, "the last question's feedback is given", "spec"),
    Transition(P.QUESTION, P.SUMMARY, "the candidate ends the interview", "spec"),
    Transition(P.FOLLOW_UP, P.SUMMARY, "the candidate ends the interview", "spec"),
    Transition(P.INTRO, P.SUMMARY, "the interview ends before any question", "added"),
    Transition(P.SUMMARY, P.DONE, "the session's feedback is given", "spec"),
)


def _intent_step(phase: Phase, intent: Intent, time_left_s: float) -> Phase | None:
    """What the candidate says is an answer: the kind moves the interview."""
    return None


def _time_step(phase: Phase, time_left_s: float, wrap_up_at_s: float) -> Phase | None:
    """The clock only ends the interview (the engine's: the plan's ending)."""
    return None


BEHAVIORAL_PLAN = PhasePlan(
    name="behavioral",
    moves=MOVES,
    first=P.QUESTION,
    intent_step=_intent_step,
    time_step=_time_step,
    endings=((P.SUMMARY, P.DONE), (P.DONE,)),
    # The first answer (its follow-ups or its feedback start) is the
    # calibrator's first approach: a candidate who answers is not "stuck".
    approach=frozenset({P.FOLLOW_UP, P.FEEDBACK}),
)
