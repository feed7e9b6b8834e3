"""The REST handlers of the server API (docs/api.md).

Thin on purpose: each one checks the request against its model
(models.py), calls the InterviewService in a worker thread (a test run
takes seconds) and writes the answer through its model. The auth, the
JSON errors and the body checks are in base.py; the WebSockets in
sockets.py; the URL of each handler in routes.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import assert_never

from jupyter_server.utils import url_path_join

from mock_interviewer_lab.class_policy import ClassRefusal
from mock_interviewer_lab.events import Action
from mock_interviewer_lab.interview.session import InterviewSession
from mock_interviewer_lab.problems.registry import UnknownProblem
from mock_interviewer_lab.server import models
from mock_interviewer_lab.server.base import (
    ApiError,
    BaseApiHandler,
    BusyError,
    user_or_kernel,
    validated,
    validated_event,
)
from mock_interviewer_lab.server.openapi import API_PREFIX, openapi_document
from mock_interviewer_lab.server.run_queue import QueueFull, RunQueueClosed
from mock_interviewer_lab.store import AmbiguousSession, StoreError, UnknownSession

# ------------------------------------------------------------- problems


class ProblemsHandler(BaseApiHandler):
    @user_or_kernel
    async def get(self) -> None:
        self.write_model(models.ProblemList(problems=[
            models.ProblemSummary.model_validate(p.summary())
            for p in self.service.problems()]))  # those the class's settings allow


class ProblemHandler(BaseApiHandler):
    @user_or_kernel
    async def get(self, ref: str) -> None:
        try:
            problem = self.service.problem(ref)
        except UnknownProblem as exc:
            raise ApiError(404, str(exc), suggestions=exc.suggestions) from None
        self.write_model(models.PublicProblem.model_validate(problem.public_view()))


# ------------------------------------------------------------- sessions


class SessionsHandler(BaseApiHandler):
    @user_or_kernel
    async def get(self) -> None:
        query = self.query(models.SessionsQuery)
        infos = await self.in_thread(
            lambda: self.service.store.sessions(limit=query.limit, status=query.status))
        self.write_model(models.SessionList(sessions=[i.to_dict() for i in infos]))

    @user_or_kernel
    async def post(self) -> None:
        body = validated(models.NewSession, self.json_body())
        # An interview's length: the request's, else this server's default
        # (None); the class's settings may fix or shorten it.
        minutes = body.minutes if "minutes" in body.model_fields_set else None
        coach = body.coach.model_dump(exclude_none=True) if body.coach else {}
        llm = body.llm.chosen() if body.llm else {}
        try:
            problem = self.service.problem(body.problem)
        except UnknownProblem as exc:
            raise ApiError(404, str(exc), suggestions=exc.suggestions, field="problem") from None
        notices: list[str] = []
        user = self.session_user()
        try:
            session = await self.in_thread(
                lambda: self.service.start(problem, minutes=minutes, mode=body.mode,
                                           coach=coach, llm=llm, user=user, notices=notices))
        except ClassRefusal as exc:
            raise ApiError(403, str(exc), field="problem") from None
        records = await self.in_thread(session.records)
        info = await self.in_thread(lambda: self.service.store.get(session.info.id))
        self.write_model(models.NewSessionAnswer(
            session=info.to_dict(), problem=session.public_view(), state=session.state(),
            actions=[r.to_dict() for r in records if isinstance(r, Action)],
            notices=notices), status=201)


class SessionHandler(BaseApiHandler):
    @user_or_kernel
    async def get(self, session_id: str) -> None:
        session = await self.live_session(session_id)
        info = await self.in_thread(lambda: self.service.store.get(session.info.id))
        self.write_model(models.SessionAnswer(session=info.to_dict(), state=session.state()))


def _engine_call(session: InterviewSession,
                 event: models.AnyEvent) -> Callable[[], list[Action]]:
    """The engine call for one event body (checked, run later)."""
    match event:
        case models.SaidEvent(text=text):
            return lambda: session.say(text)
        case models.CodeEvent(code=code):
            return lambda: session.submit(code)
        case models.SilenceEvent(seconds=seconds):
            return lambda: session.post("silence", {"seconds": seconds})
        case models.EndEvent(reason=reason):
            return lambda: session.end(reason)
        case models.HintEvent():
            return session.hint
        case models.TickEvent():
            return session.tick
        case models.TypingEvent():
            return lambda: session.post("typing")
        case _:
            assert_never(event)


class EventsHandler(BaseApiHandler):
    @user_or_kernel
    async def post(self, session_id: str) -> None:
        body = self.json_body()
        session = await self.live_session(session_id)
        event = validated_event(body)
        call = _engine_call(session, event)
        async with self.service.event_lock(session.info.id):
            if session.ended:
                raise ApiError(409, f"session {session.info.id} has ended; start a new one")
            if isinstance(event, models.CodeEvent):
                actions = await self._run_submission(call)
            else:
                actions = await self.in_thread(call)
        if session.ended:  # a released problem's report goes to the class service
            await self.in_thread(lambda: self.service.report_to_class(session))
        self.write_model(models.EventAnswer(actions=[a.to_dict() for a in actions],
                                            state=session.state()))

    async def _run_submission(self, call: Callable[[], list[Action]]) -> list[Action]:
        """A submission waits for the sandbox on the run queue's own threads:
        the threads every other request needs stay free."""
        runs = self.service.runs
        try:
            return await runs.submit(call)
        except QueueFull as exc:
            raise BusyError(str(exc), exc.retry_after_s, queue_size=exc.size) from None
        except RunQueueClosed as exc:
            raise BusyError(str(exc), 30) from None
        except (UnknownSession, AmbiguousSession) as exc:
            raise ApiError(404, str(exc)) from None
        except StoreError as exc:
            raise ApiError(500, str(exc)) from None


class ReportHandler(BaseApiHandler):
    @user_or_kernel
    async def get(self, session_id: str) -> None:
        fmt = self.query(models.ReportQuery).format
        rendered = await self.in_thread(lambda: self.service.rendered_report(session_id, fmt))
        # APIHandler.finish sets the content type itself: tell it which.
        self.finish(rendered.body, set_content_type=rendered.content_type)


class ExportHandler(BaseApiHandler):
    @user_or_kernel
    async def get(self, session_id: str) -> None:
        exported = await self.in_thread(lambda: self.service.store.export(session_id))
        self.write_json(exported)


class NotFoundHandler(BaseApiHandler):
    """Any other URL under the API: a JSON 404 (after the auth, so that the
    API's shape is no one else's business) instead of Jupyter's HTML page."""

    @user_or_kernel
    async def get(self, path: str) -> None:
        raise ApiError(404, f"no such API route: {path!r}; see openapi.json")

    post = put = patch = delete = get


class OpenApiHandler(BaseApiHandler):
    @user_or_kernel
    async def get(self) -> None:
        self.write_json(openapi_document(url_path_join(self.base_url, API_PREFIX)))
