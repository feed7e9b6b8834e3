"""The offline behavioural scorer: STAR answers scored without a model.

Pure functions of the candidate's words (issue 14, "Two scorers: Offline"):

- :func:`score_answer` — one answer (with its earlier replies to the same
  question) to an :class:`AnswerScore`: a 1-10 score whose rubric parts add
  up to it, the level demonstrated, STAR labels with the candidate's own
  sentences as evidence, specific gaps and strengths, a one-line coaching
  note and the measured features.
- :func:`question_feedback` and :func:`revised_answer` — what landed, what
  didn't, coaching and a better version of the answer in STAR order built
  only from the candidate's own sentences, with marked placeholders.
- :func:`session_feedback` — the mean, readiness by the spec's bands, ranked
  coaching priorities and next steps.
- :func:`ungrounded` — the numbers, names and organisations of a rewrite the
  candidate never said (the guard for any rewrite, a model's too).
- :func:`follow_ups` — generic probes keyed by gap id.
- :class:`BehavioralScorer` — what the interview asks of a scorer;
  :class:`OfflineScorer` is this one behind it (the model's is
  ``coach.behavioral_llm.LlmScorer``), :func:`said_verbatim` and
  :func:`misquotes` check a model's quotes against the candidate's words.

The vocabulary (levels, competencies, gaps, dimensions, readiness) is
:mod:`mock_interviewer_lab.competencies`'.
"""

from __future__ import annotations

from mock_interviewer_lab.interview.rules.star.feedback import (
    question_feedback,
    revised_answer,
    session_feedback,
)
from mock_interviewer_lab.interview.rules.star.grounding import misquotes, said_verbatim, ungrounded
from mock_interviewer_lab.interview.rules.star.model import (
    STAR_PARTS,
    AnswerFeatures,
    AnswerScore,
    Evidence,
    GapNote,
    QuestionFeedback,
    RubricPart,
    SessionFeedback,
    StarLabels,
    StarPart,
)
from mock_interviewer_lab.interview.rules.star.probes import PROBES, follow_ups
from mock_interviewer_lab.interview.rules.star.score import score_answer
from mock_interviewer_lab.interview.rules.star.scorer import (
    Answered,
    AskedQuestion,
    BehavioralScorer,
    OfflineScorer,
    ReviewedQuestion,
    ReviewedSession,
    ScoredAnswer,
)

__all__ = [
    "PROBES",
    "STAR_PARTS",
    "AnswerFeatures",
    "AnswerScore",
    "Answered",
    "AskedQuestion",
    "BehavioralScorer",
    "Evidence",
    "GapNote",
    "OfflineScorer",
    "QuestionFeedback",
    "ReviewedQuestion",
    "ReviewedSession",
    "RubricPart",
    "ScoredAnswer",
    "SessionFeedback",
    "StarLabels",
    "StarPart",
    "follow_ups",
    "misquotes",
    "question_feedback",
    "revised_answer",
    "said_verbatim",
    "score_answer",
    "session_feedback",
    "ungrounded",
]
