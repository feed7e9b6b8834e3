"""A behavioural session read from its records: the questions asked, the
candidate's answers, each answer's score, the follow-ups, each question's
feedback and the session's.

The shells (the server's behavioural API, the panel's resume, ``sessions
show``, the reports) read a behavioural interview through
:func:`read_behavioral`, never the records themselves: what the interview
kind emitted (``question_asked``, ``follow_up_asked``, ``answer_scored``,
``question_feedback``, ``session_feedback``; see payloads.py) is read here
once. Data is kept as the records hold it (plain JSON), in the order it
happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mock_interviewer_lab.competencies import QUESTIONS_PER_SESSION
from mock_interviewer_lab.events import Action, Event, Record
from mock_interviewer_lab.reporting.records import numbered

#: The kind of interview these sessions store (``sessions.kind``).
BEHAVIORAL_KIND = "behavioral"


@dataclass
class Answer:
    """One reply of the candidate's to a question (1) or a follow-up (2-4)."""

    response_number: int
    text: str
    seq: int
    t: float
    #: The ``answer_scored`` data of this reply, once scored.
    scored: dict[str, Any] | None = None


@dataclass
class AskedQuestion:
    """A question of the session and everything that followed it."""

    number: int
    text: str
    competency: str
    difficulty: str
    question_id: str
    seq: int
    t: float
    total: int = QUESTIONS_PER_SESSION
    fell_back: Any = None
    #: ``follow_up_asked`` data, in order.
    follow_ups: list[dict[str, Any]] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    #: ``question_feedback`` data, once the question is over.
    feedback: dict[str, Any] | None = None

    @property
    def latest_score(self) -> dict[str, Any] | None:
        """The last ``answer_scored`` of the question (its replies so far)."""
        scored = [a.scored for a in self.answers if a.scored is not None]
        return scored[-1] if scored else None

    @property
    def score(self) -> int | None:
        if self.feedback is not None and isinstance(self.feedback.get("score"), int | float):
            return int(self.feedback["score"])
        latest = self.latest_score
        return int(latest["score"]) if latest and isinstance(latest.get("score"),
                                                              int | float) else None

    @property
    def level(self) -> str | None:
        source = self.feedback if self.feedback is not None else self.latest_score
        level = (source or {}).get("level")
        return str(level) if level else None

    @property
    def next_response_number(self) -> int:
        """The response number the next reply to this question has."""
        return len(self.answers) + 1

    @property
    def complete(self) -> bool:
        return self.feedback is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number, "total": self.total, "question_id": self.question_id,
            "text": self.text, "competency": self.competency, "difficulty": self.difficulty,
            "fell_back": self.fell_back, "score": self.score, "level": self.level,
            "follow_ups": list(self.follow_ups),
            "answers": [{"response_number": a.response_number, "text": a.text, "seq": a.seq,
                         "scored": a.scored} for a in self.answers],
            "feedback": self.feedback,
        }


@dataclass
class BehavioralSession:
    """A behavioural session as its records tell it."""

    setup: dict[str, Any] = field(default_factory=dict)
    questions: list[AskedQuestion] = field(default_factory=list)
    session_feedback: dict[str, Any] | None = None
    ended: bool = False
    #: The kind's ``request_refused`` data (a request it would not do), in order.
    refusals: list[dict[str, Any]] = field(default_factory=list)
    #: The coach's lines, in order.
    coach_lines: list[str] = field(default_factory=list)

    @property
    def current(self) -> AskedQuestion | None:
        return self.questions[-1] if self.questions else None

    def question(self, number: int) -> AskedQuestion | None:
        return next((q for q in self.questions if q.number == number), None)

    @property
    def stage(self) -> str:
        return str(self.setup.get("stage") or "")

    @property
    def total(self) -> int:
        current = self.current
        return current.total if current is not None else int(
            self.setup.get("total") or QUESTIONS_PER_SESSION)

    @property
    def completed(self) -> list[AskedQuestion]:
        """The questions whose feedback was given."""
        return [q for q in self.questions if q.complete]

    @property
    def scored(self) -> list[AskedQuestion]:
        return [q for q in self.questions if q.score is not None]

    @property
    def average_score(self) -> float:
        """The mean of the questions' scores so far (0 with none: the spec's)."""
        scores = [q.score for q in self.scored if q.score is not None]
        return round(sum(scores) / len(scores), 2) if scores else 0.0

    @property
    def overall_score(self) -> float | None:
        if self.session_feedback is not None and isinstance(
                self.session_feedback.get("overall_score"), int | float):
            return float(self.session_feedback["overall_score"])
        return self.average_score if self.scored else None

    @property
    def readiness(self) -> str | None:
        value = (self.session_feedback or {}).get("readiness")
        return str(value) if value else None

    def summary(self) -> dict[str, Any]:
        """A line of a listing: stage, score, readiness, questions completed."""
        return {"stage": self.stage, "difficulty": self.setup.get("difficulty"),
                "level": self.setup.get("level"), "overall_score": self.overall_score,
                "readiness": self.readiness, "questions_completed": len(self.completed),
                "questions_asked": len(self.questions), "ended": self.ended}

    def as_dict(self) -> dict[str, Any]:
        return {"setup": dict(self.setup), "questions": [q.as_dict() for q in self.questions],
                "session_feedback": self.session_feedback, "ended": self.ended,
                **{key: value for key, value in self.summary().items()
                   if key not in ("ended",)}}


def _int(value: Any, default: int = 0) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else default


def read_behavioral(records: Iterable[Record]) -> BehavioralSession:
    """The behavioural session ``records`` tell (records of another kind give
    an empty one)."""
    session = BehavioralSession()
    said: dict[int, Answer] = {}
    question: AskedQuestion | None
    for seq, record in numbered(records):
        data = record.data
        if isinstance(record, Event):
            if record.type == "session_started":
                setup = data.get(BEHAVIORAL_KIND)
                session.setup = dict(setup) if isinstance(setup, dict) else {}
            elif record.type == "candidate_said" and session.current is not None \
                    and not session.ended:
                question = session.current
                answer = Answer(question.next_response_number, str(data.get("text", "")),
                                seq, record.t)
                question.answers.append(answer)
                said[seq] = answer
            continue
        if not isinstance(record, Action):
            continue
        if record.type == "question_asked":
            session.questions.append(AskedQuestion(
                number=_int(data.get("number"), len(session.questions) + 1),
                total=_int(data.get("total"), QUESTIONS_PER_SESSION),
                text=str(data.get("text", "")), competency=str(data.get("competency", "")),
                difficulty=str(data.get("difficulty", "")),
                question_id=str(data.get("question_id", "")), fell_back=data.get("fell_back"),
                seq=seq, t=record.t))
        elif record.type == "follow_up_asked":
            question = session.question(_int(data.get("question_number"))) or session.current
            if question is not None:
                question.follow_ups.append(dict(data))
        elif record.type == "answer_scored":
            _attach_score(session, said, record, dict(data))
        elif record.type == "question_feedback":
            question = session.question(_int(data.get("question_number"))) or session.current
            if question is not None:
                question.feedback = dict(data)
        elif record.type == "session_feedback":
            session.session_feedback = dict(data)
            session.ended = True
        elif record.type == "request_refused":
            session.refusals.append(dict(data))
        elif record.type == "coach_says":
            session.coach_lines.append(str(data.get("text", "")))
        elif record.type == "report_ready" or (
                record.type == "phase_changed" and data.get("to") in ("done", "abort")):
            session.ended = True
    return session


def _attach_score(session: BehavioralSession, said: dict[int, Answer], record: Action,
                  data: dict[str, Any]) -> None:
    answer = said.get(record.cause) if record.cause is not None else None
    if answer is None:
        question = session.question(_int(data.get("question_number"))) or session.current
        number = _int(data.get("response_number"))
        answer = next((a for a in question.answers if a.response_number == number), None) \
            if question is not None else None
    if answer is not None:
        answer.scored = data
        answer.response_number = _int(data.get("response_number"), answer.response_number)
