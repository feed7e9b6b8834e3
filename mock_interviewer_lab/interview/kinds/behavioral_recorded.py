"""A behavioural session's stored results, played back as a scorer.

A session scored by a model is resumed or replayed without asking the model
again: what the records say (``question_asked``, ``answer_scored``,
``question_feedback``, ``session_feedback``) is the truth, as the stored
actions are for the coding coach on replay. :class:`RecordedScorer` answers
each call the interview makes from the record of that call (the question by
its number, a reply by its question and reply number, a question's feedback
by its question); anything the records do not hold (the interview goes on
after a resume) goes to ``then``, the session's live scorer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from mock_interviewer_lab.competencies import Competency, Difficulty, Level, Stage
from mock_interviewer_lab.events import Action, Record
from mock_interviewer_lab.interview.rules.star import (
    Answered,
    AnswerScore,
    AskedQuestion,
    BehavioralScorer,
    Evidence,
    GapNote,
    QuestionFeedback,
    ReviewedQuestion,
    ReviewedSession,
    RubricPart,
    ScoredAnswer,
    SessionFeedback,
    StarLabels,
    score_answer,
)
from mock_interviewer_lab.interview.rules.star.scorer import SCRIPTED


def _key(text: str) -> str:
    return " ".join(text.split())


class RecordedScorer:
    """The stored results of a session (see the module docstring)."""

    def __init__(self, records: Iterable[Record], then: BehavioralScorer) -> None:
        self.then = then
        self.name = then.name
        self._asked: dict[int, dict[str, Any]] = {}
        self._numbers: dict[str, int] = {}
        self._scored: dict[tuple[int, int], dict[str, Any]] = {}
        self._feedback: dict[int, dict[str, Any]] = {}
        self._session: dict[str, Any] | None = None
        for r in records:
            if not isinstance(r, Action):
                continue
            d = r.data
            if r.type == "question_asked":
                self._asked[int(d["number"])] = dict(d)
                self._numbers[_key(str(d["text"]))] = int(d["number"])
            elif r.type == "answer_scored":
                self._scored[(int(d["question_number"]), int(d["response_number"]))] = dict(d)
            elif r.type == "question_feedback":
                self._feedback[int(d["question_number"])] = dict(d)
            elif r.type == "session_feedback":
                self._session = dict(d)

    def ask(self, *, stage: Stage, competency: Competency, difficulty: Difficulty,
            asked: Sequence[str], resume: str = "", job: str = "") -> AskedQuestion | None:
        stored = self._asked.get(len(asked) + 1)
        if stored is None:
            return self.then.ask(stage=stage, competency=competency, difficulty=difficulty,
                                 asked=asked, resume=resume, job=job)
        by = str(stored.get("by", SCRIPTED))
        if by == SCRIPTED:
            return None  # the bank's, drawn again with the stored seed
        return AskedQuestion(text=str(stored["text"]), competency=competency,
                             difficulty=difficulty, by=by)

    def score(self, answer: str, *, question: str, competency: Competency, target_level: Level,
              stage: Stage, earlier: Sequence[str] = (), resume: str = "") -> ScoredAnswer:
        number = self._numbers.get(_key(question))
        stored = self._scored.get((number, len(earlier) + 1)) if number is not None else None
        if stored is None:
            return self.then.score(answer, question=question, competency=competency,
                                   target_level=target_level, stage=stage, earlier=earlier,
                                   resume=resume)
        # The features are the answer's own (they are not stored); the rest is the record's.
        own = score_answer(answer, question=question, competency=competency,
                           target_level=target_level, stage=stage, earlier=earlier)
        return ScoredAnswer(score=answer_score(stored, own), follow_ups=(),
                            by=str(stored.get("by", SCRIPTED)))

    def question_feedback(self, *, question: str, competency: Competency, target_level: Level,
                          answers: Sequence[str], scored: ScoredAnswer,
                          resume: str = "") -> ReviewedQuestion:
        number = self._numbers.get(_key(question))
        stored = self._feedback.get(number) if number is not None else None
        if stored is None:
            return self.then.question_feedback(question=question, competency=competency,
                                               target_level=target_level, answers=answers,
                                               scored=scored, resume=resume)
        return ReviewedQuestion(feedback=QuestionFeedback(
            overall_assessment=str(stored["overall_assessment"]),
            what_landed=tuple(stored["what_landed"]),
            what_didnt_land=tuple(stored["what_didnt_land"]),
            coaching=str(stored["coaching"]), revised_answer=str(stored["revised_answer"])),
            by=str(stored.get("by", SCRIPTED)))

    def session_feedback(self, answered: Sequence[Answered], *, stage: Stage, resume: str = "",
                         job: str = "") -> ReviewedSession:
        stored = self._session
        if stored is None or int(stored["questions_completed"]) != len(answered):
            return self.then.session_feedback(answered, stage=stage, resume=resume, job=job)
        return ReviewedSession(feedback=SessionFeedback(
            overall_score=float(stored["overall_score"]), readiness=stored["readiness"],
            overall_assessment=str(stored["overall_assessment"]),
            key_strengths=tuple(stored["key_strengths"]),
            areas_to_improve=tuple(stored["areas_to_improve"]),
            coaching_priorities=tuple(stored["coaching_priorities"]),
            next_steps=str(stored["next_steps"])), by=str(stored.get("by", SCRIPTED)))


def answer_score(stored: Mapping[str, Any], own: AnswerScore) -> AnswerScore:
    """An ``answer_scored`` record's score (with ``own``'s features and caps)."""
    star = cast(Mapping[str, bool], stored["star"])
    return AnswerScore(
        score=int(stored["score"]), level=stored["level"],
        rubric=tuple(RubricPart(r["dimension"], r["points"], r["out_of"], r["why"])
                     for r in stored["rubric"]),
        star=StarLabels(**{k: bool(v) for k, v in star.items()}),
        evidence=tuple(Evidence(e["part"], e["sentence"]) for e in stored["evidence"]),
        gaps=tuple(GapNote(i, t) for i, t in zip(stored["gap_ids"], stored["gaps"],
                                                  strict=True)),
        strengths=tuple(stored["strengths"]), brief_feedback=str(stored["brief_feedback"]),
        features=own.features, total=int(stored["score"]), caps=own.caps, cap=own.cap)


__all__ = ["RecordedScorer", "answer_score"]
