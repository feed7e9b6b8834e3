"""The behavioural interview's REST handlers (seed 002's operations, docs/api.md).

Under ``behavioral/``: start, respond, a question's feedback, the next
question, skip, end and the history. Same auth, JSON errors and body checks
as every handler (base.py). Each request is one engine event (the
candidate's reply is ``candidate_said``; next, skip and end their own
events) posted under the session's event lock; the answer is read from the
actions it led to and from the session's records (reporting/behavioral.py).

The spec's errors are JSON, never a 500: an unknown session or question is
404; a sixth question, a finished session or a response_number that is not
the next reply is 400, with the spec's words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from mock_interviewer_lab.behavioral_shell import BehavioralOptions, SetupError
from mock_interviewer_lab.competencies import Competency, Level, Stage, readiness_for
from mock_interviewer_lab.events import Action
from mock_interviewer_lab.interview.rules.star import question_feedback, score_answer
from mock_interviewer_lab.interview.session import InterviewSession
from mock_interviewer_lab.problems.registry import NoQuestion
from mock_interviewer_lab.reporting.behavioral import (
    BEHAVIORAL_KIND,
    AskedQuestion,
    BehavioralSession,
    read_behavioral,
)
from mock_interviewer_lab.server import models
from mock_interviewer_lab.server.base import ApiError, BaseApiHandler, user_or_kernel, validated

#: The spec's messages (its "Error Handling").
SESSION_NOT_FOUND = "Mock interview session not found"
QUESTION_NOT_FOUND = "Question not found"
MAX_QUESTIONS = "Maximum questions reached. End session to see results."
COMPLETED = "Session already completed. Start a new session."


def _question(q: AskedQuestion) -> models.BehavioralQuestion:
    return models.BehavioralQuestion(
        question_id=q.question_id, question_text=q.text, competency_tested=q.competency,
        question_number=q.number, total_questions=q.total, difficulty=q.difficulty,
        fell_back=q.fell_back)


def _of_type(actions: list[Action], kind: str) -> list[dict[str, Any]]:
    return [dict(a.data) for a in actions if a.type == kind]


def _refusal(actions: list[Action]) -> str | None:
    refused = _of_type(actions, "request_refused")
    return str(refused[0].get("reason") or refused[0].get("message") or "refused") \
        if refused else None


class _BehavioralHandler(BaseApiHandler):
    """What the behavioural handlers share: the session (only a behavioural
    one), its story so far, and an event posted under its lock."""

    async def behavioral_session(self, session_id: str) -> InterviewSession:
        try:
            session = await self.live_session(session_id)
        except ApiError as exc:
            if exc.status_code == 404:
                raise ApiError(404, f"{SESSION_NOT_FOUND}: {session_id}") from None
            raise
        if session.info.kind != BEHAVIORAL_KIND:
            raise ApiError(404, f"{SESSION_NOT_FOUND}: {session_id} is a {session.info.kind} "
                           "interview")
        return session

    async def story(self, session: InterviewSession) -> BehavioralSession:
        return await self.in_thread(lambda: read_behavioral(session.records()))

    async def post_event(self, session: InterviewSession,
                         check: Callable[[BehavioralSession], None],
                         call: Callable[[], list[Action]]) -> tuple[list[Action],
                                                                    BehavioralSession]:
        """``call`` (one engine event) once ``check`` passed on the session's
        story, under its event lock; a refusal of the kind's is a 400."""
        async with self.service.event_lock(session.info.id):
            before = await self.story(session)
            if session.ended or before.ended:
                raise ApiError(400, COMPLETED)
            check(before)
            actions = await self.in_thread(call)
            after = await self.story(session)
        refused = _refusal(actions)
        if refused is not None:
            raise ApiError(400, refused)
        return actions, after

    def answer(self, answer: type[Any], session: InterviewSession, actions: list[Action],
               **fields: Any) -> None:
        self.write_model(answer(actions=[a.to_dict() for a in actions], state=session.state(),
                                **fields))

    def body_or_empty(self) -> dict[str, Any]:
        """A JSON object body; none at all is an empty one (next, skip, end)."""
        if not (self.request.body or b"").strip():
            return {}
        return self.json_body()


class BehavioralSessionsHandler(_BehavioralHandler):
    @user_or_kernel
    async def post(self) -> None:
        body = validated(models.NewBehavioralSession, self.json_body())
        options = BehavioralOptions(stage=body.stage, difficulty=body.difficulty,
                                    level=body.level, resume_text=body.resume_text or None,
                                    job_text=body.job_text or None, adversarial=body.adversarial,
                                    bank=body.bank)
        llm = body.llm.chosen() if body.llm else {}
        user = self.session_user()
        try:
            session = await self.in_thread(lambda: self.service.start_behavioral(
                options, llm=llm, user=user))
        except (NoQuestion, SetupError) as exc:
            raise ApiError(400, str(exc), field="bank" if body.bank else "stage") from None
        records = await self.in_thread(session.records)
        story = read_behavioral(records)
        info = await self.in_thread(lambda: self.service.store.get(session.info.id))
        first = story.questions[0] if story.questions else None
        self.write_model(models.NewBehavioralSessionAnswer(
            session_id=info.id, session=info.to_dict(), interview_stage=body.stage,
            difficulty_level=body.difficulty,
            target_level=story.setup.get("level") or body.level,
            first_question=_question(first) if first is not None else None,
            actions=[r.to_dict() for r in records if isinstance(r, Action)],
            state=session.state()), status=201)


class BehavioralResponsesHandler(_BehavioralHandler):
    @user_or_kernel
    async def post(self, session_id: str) -> None:
        body = validated(models.BehavioralReply, self.json_body())
        session = await self.behavioral_session(session_id)

        def check(story: BehavioralSession) -> None:
            current = story.current
            if current is None:
                raise ApiError(400, "no question has been asked yet")
            if current.complete:
                raise ApiError(400, f"question {current.number} is over: ask for the next "
                               "question (POST next) or end the session")
            expected = current.next_response_number
            if body.response_number is not None and body.response_number != expected:
                raise ApiError(400, f"response_number must be {expected} (the next reply to "
                               f"question {current.number}), not {body.response_number}",
                               field="response_number")

        actions, story = await self.post_event(session, check, lambda: session.say(body.text))
        replied = next((q for q in reversed(story.questions) if q.answers), None)
        if replied is None:  # the engine took no reply: nothing to say about it
            raise ApiError(400, "the answer was not taken as a reply to a question")
        answer = replied.answers[-1]
        scored = answer.scored or {}
        follow_ups = _of_type(actions, "follow_up_asked")
        feedback = _of_type(actions, "question_feedback")
        self.answer(
            models.ReplyAnswer, session, actions, response_recorded=True,
            question_number=replied.number, response_number=answer.response_number,
            follow_up_question=str(follow_ups[-1].get("text")) if follow_ups else None,
            follow_up_number=follow_ups[-1].get("number") if follow_ups else None,
            should_continue=bool(follow_ups) and not feedback,
            brief_feedback=str(scored.get("brief_feedback") or ""),
            score=scored.get("score"), level_demonstrated=scored.get("level"),
            analysis=scored or None, question_feedback=feedback[-1] if feedback else None)


class QuestionFeedbackHandler(_BehavioralHandler):
    @user_or_kernel
    async def get(self, session_id: str, question_number: str) -> None:
        session = await self.behavioral_session(session_id)
        story = await self.story(session)
        number = int(question_number) if question_number.isascii() \
            and question_number.isdigit() else None
        question = story.question(number) if number is not None else None
        if question is None:
            raise ApiError(404, f"{QUESTION_NOT_FOUND}: question {question_number} of "
                           f"session {session.info.id}")
        if not question.answers:
            raise ApiError(400, f"question {question.number} has not been answered yet: "
                           "there is nothing to give feedback on")
        feedback = question.feedback
        provisional = feedback is None
        if feedback is None:
            feedback = await self.in_thread(lambda: provisional_feedback(story, question))
        self.write_model(models.QuestionFeedbackAnswer(
            question_number=question.number, question_text=question.text,
            competency=question.competency, all_responses=[a.text for a in question.answers],
            score=feedback.get("score", question.score),
            level_demonstrated=feedback.get("level", question.level),
            what_landed=list(feedback.get("what_landed") or []),
            what_didnt_land=list(feedback.get("what_didnt_land") or []),
            coaching=str(feedback.get("coaching") or ""),
            revised_answer=str(feedback.get("revised_answer") or ""), provisional=provisional,
            **{key: value for key, value in feedback.items()
               if key in ("rubric", "evidence", "overall_assessment")}))


def provisional_feedback(story: BehavioralSession, question: AskedQuestion) -> dict[str, Any]:
    """Feedback on a question whose follow-ups are not over: the offline
    scorer's on the replies so far (the spec's "generate it now")."""
    replies = [a.text for a in question.answers]
    competency = cast(Competency, question.competency)
    level = cast(Level, story.setup.get("level") or "L4")
    scored = score_answer(replies[-1], question=question.text, competency=competency,
                          target_level=level, stage=cast(Stage, story.stage or "hiring_manager"),
                          earlier=replies[:-1])
    feedback = question_feedback(question.text, competency, level, replies, scored)
    return {**feedback.to_json(), "score": scored.score, "level": scored.level,
            "rubric": [part.to_json() for part in scored.rubric],
            "evidence": [e.to_json() for e in scored.evidence]}


class NextQuestionHandler(_BehavioralHandler):
    @user_or_kernel
    async def post(self, session_id: str) -> None:
        body = validated(models.NextQuestionRequest, self.body_or_empty())
        session = await self.behavioral_session(session_id)

        def check(story: BehavioralSession) -> None:
            current = story.current
            if current is not None and body.current_question_number is not None \
                    and body.current_question_number != current.number:
                raise ApiError(400, f"current_question_number is {current.number}, not "
                               f"{body.current_question_number}",
                               field="current_question_number")
            if current is not None and current.number >= story.total:
                raise ApiError(400, MAX_QUESTIONS)

        actions, story = await self.post_event(
            session, check, lambda: session.post("next_requested", {}))
        asked = _of_type(actions, "question_asked")
        current = story.current
        if not asked or current is None:
            raise ApiError(400, MAX_QUESTIONS)
        self.answer(models.NextQuestionAnswer, session, actions,
                    **_question(current).model_dump(),
                    session_progress=models.SessionProgress(
                        questions_completed=len(story.completed),
                        average_score=story.average_score))


class SkipHandler(_BehavioralHandler):
    @user_or_kernel
    async def post(self, session_id: str) -> None:
        validated(models.SkipRequest, self.body_or_empty())
        session = await self.behavioral_session(session_id)

        def check(story: BehavioralSession) -> None:
            current = story.current
            if current is not None and current.complete and current.number >= story.total:
                raise ApiError(400, MAX_QUESTIONS)

        actions, story = await self.post_event(
            session, check, lambda: session.post("skip_requested", {}))
        follow_ups = _of_type(actions, "follow_up_asked")
        asked = _of_type(actions, "question_asked")
        current = story.current
        self.answer(models.SkipAnswer, session, actions,
                    question_number=current.number if current is not None else None,
                    follow_up_question=str(follow_ups[-1].get("text")) if follow_ups else None,
                    next_question=_question(current) if asked and current is not None
                    else None)


class EndBehavioralHandler(_BehavioralHandler):
    @user_or_kernel
    async def post(self, session_id: str) -> None:
        body = validated(models.EndBehavioralRequest, self.body_or_empty())
        session = await self.behavioral_session(session_id)
        actions, story = await self.post_event(session, lambda _story: None,
                                               lambda: session.end(body.reason))
        feedback = story.session_feedback or {}
        overall = story.overall_score or 0.0
        self.answer(
            models.EndBehavioralAnswer, session, actions, session_id=session.info.id,
            overall_score=overall, readiness=feedback.get("readiness") or readiness_for(overall),
            questions_completed=len(story.completed),
            session_feedback=models.BehavioralFeedback(
                overall_assessment=str(feedback.get("overall_assessment") or ""),
                key_strengths=list(feedback.get("key_strengths") or []),
                areas_to_improve=list(feedback.get("areas_to_improve") or []),
                coaching_priorities=list(feedback.get("coaching_priorities") or []),
                readiness_score=feedback.get("readiness") or readiness_for(overall),
                next_steps=str(feedback.get("next_steps") or "")),
            question_summaries=[models.QuestionSummary(
                question_number=q.number, question_text=q.text, competency=q.competency,
                score=q.score, brief_feedback=str((q.latest_score or {}).get("brief_feedback")
                                                  or "")) for q in story.questions])


class BehavioralHistoryHandler(_BehavioralHandler):
    @user_or_kernel
    async def get(self) -> None:
        history = await self.in_thread(self.service.behavioral_history)
        self.write_model(models.BehavioralHistory.model_validate(history))
