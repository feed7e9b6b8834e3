"""The behavioural scorer an interview takes: the protocol, what it returns,
and the offline scorer behind it.

The behavioural interview (engine layer) cannot import the coach (services):
the shell builds a scorer (``coach.behavioral_llm.build_scorer``: this
module's :class:`OfflineScorer`, or the model's) and passes it in. Both
return the offline scorer's own values (:class:`AnswerScore`,
:class:`QuestionFeedback`, :class:`SessionFeedback`) wrapped with where they
came from: ``by`` (``scripted`` or the model's name), and when a model was
asked but its answer was not (wholly) used, ``fallback`` with the reason
(timeout, error, malformed, refusal, unavailable, ungrounded) and
``fallback_detail``; ``dropped`` lists the model's claims the grounding
checks threw away (a quote the candidate never said), ``usage`` the model's
tokens, cost and time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from mock_interviewer_lab.competencies import Competency, Difficulty, Level, Stage
from mock_interviewer_lab.interview.rules.star.feedback import (
    question_feedback,
    session_feedback,
)
from mock_interviewer_lab.interview.rules.star.model import (
    AnswerScore,
    QuestionFeedback,
    SessionFeedback,
    _Json,
)
from mock_interviewer_lab.interview.rules.star.probes import follow_ups
from mock_interviewer_lab.interview.rules.star.score import score_answer

#: Why a model's answer gave way (wholly or in part) to the offline scorer's.
FALLBACK_REASONS = ("timeout", "error", "malformed", "refusal", "unavailable", "ungrounded")
SCRIPTED = "scripted"


@dataclass(frozen=True, kw_only=True)
class Source(_Json):
    """Where a result came from (see the module docstring)."""

    by: str = SCRIPTED
    fallback: str | None = None
    fallback_detail: str = ""
    dropped: tuple[str, ...] = ()
    usage: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class ScoredAnswer(Source):
    """One answer scored, and the follow-ups that probe its gaps."""

    score: AnswerScore
    follow_ups: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ReviewedQuestion(Source):
    """A question's feedback once its replies are in."""

    feedback: QuestionFeedback


@dataclass(frozen=True, kw_only=True)
class ReviewedSession(Source):
    """A session's feedback."""

    feedback: SessionFeedback


@dataclass(frozen=True, kw_only=True)
class AskedQuestion(Source):
    """A question written for this candidate by a model. ``text`` None: the
    bank's question is asked (the model failed or cannot be used, and
    ``fallback`` says why); the offline scorer leaves every question to the
    bank (its ``ask`` returns None)."""

    text: str | None
    competency: Competency
    difficulty: Difficulty


@dataclass(frozen=True)
class Answered:
    """A question of the session, the candidate's replies and their score."""

    question: str
    competency: Competency
    answers: tuple[str, ...]
    score: AnswerScore


@runtime_checkable
class BehavioralScorer(Protocol):
    """What the behavioural interview asks of a scorer. ``resume`` and ``job``
    are the candidate's background and the target role's text ("" when not
    given)."""

    name: str

    def ask(self, *, stage: Stage, competency: Competency, difficulty: Difficulty,
            asked: Sequence[str], resume: str = "", job: str = "") -> AskedQuestion | None:
        """A question on ``competency`` not among ``asked``; None: take the bank's."""
        ...

    def score(self, answer: str, *, question: str, competency: Competency, target_level: Level,
              stage: Stage, earlier: Sequence[str] = (), resume: str = "") -> ScoredAnswer:
        """``answer`` (read with ``earlier``, the previous replies to the question)."""
        ...

    def question_feedback(self, *, question: str, competency: Competency, target_level: Level,
                          answers: Sequence[str], scored: ScoredAnswer,
                          resume: str = "") -> ReviewedQuestion:
        """Feedback on a question from all its replies and their latest score."""
        ...

    def session_feedback(self, answered: Sequence[Answered], *, stage: Stage, resume: str = "",
                         job: str = "") -> ReviewedSession:
        """Feedback on the session from its questions, in the order asked."""
        ...


class OfflineScorer:
    """The scripted scorer (:mod:`mock_interviewer_lab.interview.rules.star`)
    behind the protocol: no model, no network, under 50 ms an answer."""

    name = SCRIPTED

    def ask(self, *, stage: Stage, competency: Competency, difficulty: Difficulty,
            asked: Sequence[str], resume: str = "", job: str = "") -> AskedQuestion | None:
        return None

    def score(self, answer: str, *, question: str, competency: Competency, target_level: Level,
              stage: Stage, earlier: Sequence[str] = (), resume: str = "") -> ScoredAnswer:
        scored = score_answer(answer, question=question, competency=competency,
                              target_level=target_level, stage=stage, earlier=earlier)
        return ScoredAnswer(score=scored, follow_ups=follow_ups(scored))

    def question_feedback(self, *, question: str, competency: Competency, target_level: Level,
                          answers: Sequence[str], scored: ScoredAnswer,
                          resume: str = "") -> ReviewedQuestion:
        return ReviewedQuestion(feedback=question_feedback(question, competency, target_level,
                                                           answers, scored.score))

    def session_feedback(self, answered: Sequence[Answered], *, stage: Stage, resume: str = "",
                         job: str = "") -> ReviewedSession:
        return ReviewedSession(feedback=session_feedback(
            [(a.competency, a.score) for a in answered]))


__all__ = ["FALLBACK_REASONS", "SCRIPTED", "Answered", "AskedQuestion", "BehavioralScorer",
           "OfflineScorer", "ReviewedQuestion", "ReviewedSession", "ScoredAnswer", "Source"]
