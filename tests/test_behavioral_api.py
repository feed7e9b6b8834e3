"""The behavioural interview's REST API (seed 002's operations under
behavioral/) over real HTTP (pytest-jupyter): the auth, every operation, and
the spec's errors as JSON 400/404, never a 500."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_jupyter.jupyter_server import *  # noqa: F403
from tornado.httpclient import HTTPResponse
from traitlets.config import Config

from mock_interviewer_lab.protocol import TOKEN_ENV, TOKEN_HEADER
from mock_interviewer_lab.server.models import BehavioralHistory, ReplyAnswer

from .conftest import write_server_settings

STRONG = ("At Acme, our billing migration had slipped two months and finance was blocked. "
          "I owned getting it back on track. I split the work into three phases, I set up a "
          "weekly review with the finance and platform leads, and I decided to cut the "
          "reporting feature. As a result we shipped in six weeks and cut invoice errors by "
          "40 percent. I learned to agree on scope with stakeholders before the first line of "
          "code.")
SHORT = "We did it as a team."


@pytest.fixture
def settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return write_server_settings(tmp_path, monkeypatch)


@pytest.fixture  # type: ignore[no-redef]
def jp_server_config(settings_file: Path) -> Config:
    return Config({"ServerApp": {"jpserver_extensions": {"mock_interviewer_lab.server": True}}})


@pytest.fixture
def api(jp_fetch: Any, jp_asyncio_loop: asyncio.AbstractEventLoop
        ) -> Iterator[Callable[..., HTTPResponse]]:
    def call(method: str, *parts: str, body: Any = None, **kwargs: Any) -> HTTPResponse:
        if body is not None:
            kwargs["body"] = body if isinstance(body, str) else json.dumps(body)
        elif method == "POST":
            kwargs["body"] = ""
        response: HTTPResponse = jp_asyncio_loop.run_until_complete(
            jp_fetch("mock-interviewer", "api", *parts, method=method, raise_error=False,
                     allow_nonstandard_methods=True, **kwargs))
        return response

    yield call


def as_json(response: HTTPResponse) -> Any:
    return json.loads(response.body)


def error(response: HTTPResponse, code: int) -> str:
    assert response.code == code, response.body
    body = as_json(response)
    assert set(body) >= {"error"}
    return str(body["error"])


def start(api: Callable[..., HTTPResponse], **body: Any) -> dict[str, Any]:
    response = api("POST", "behavioral", "sessions", body={"stage": "hiring_manager", **body})
    assert response.code == 201, response.body
    created: dict[str, Any] = as_json(response)
    return created


def reply(api: Callable[..., HTTPResponse], sid: str, text: str,
          number: int | None = None) -> HTTPResponse:
    body: dict[str, Any] = {"text": text}
    if number is not None:
        body["response_number"] = number
    return api("POST", "behavioral", "sessions", sid, "responses", body=body)


def test_a_behavioural_interview_over_http(api: Callable[..., HTTPResponse]) -> None:
    created = start(api, difficulty="easy", job_text="Senior engineer: lead cross-functional "
                    "projects.")
    sid = created["session_id"]
    assert created["session"]["kind"] == "behavioral"
    assert (created["interview_stage"], created["difficulty_level"]) == ("hiring_manager", "easy")
    assert created["target_level"] == "L5A"  # from the job text, by the spec's phrases
    first = created["first_question"]
    assert first["question_number"] == 1 and first["total_questions"] == 5
    assert first["competency_tested"] == "leadership" and first["question_text"]
    assert [a["type"] for a in created["actions"]].count("question_asked") == 1

    # A short answer: scored, a follow-up probes its gaps.
    answered = reply(api, sid, SHORT, 1)
    assert answered.code == 200, answered.body
    body = ReplyAnswer.model_validate(as_json(answered))
    assert body.response_recorded and (body.question_number, body.response_number) == (1, 1)
    assert body.follow_up_question and body.should_continue
    assert body.score is not None and 1 <= body.score <= 10
    assert body.brief_feedback and body.analysis is not None
    assert set(body.analysis["star"]) == {"situation", "task", "action", "result", "reflection"}
    assert sum(p["points"] for p in body.analysis["rubric"]) >= body.score - 1

    # Not the next reply: 400 naming the field, nothing recorded.
    wrong = reply(api, sid, STRONG, 3)
    assert "response_number must be 2" in error(wrong, 400)
    assert as_json(wrong)["field"] == "response_number"

    # Feedback before the question is over: the offline scorer's, provisional.
    early = api("GET", "behavioral", "sessions", sid, "questions", "1", "feedback")
    assert early.code == 200, early.body
    assert as_json(early)["provisional"] is True
    assert as_json(early)["all_responses"] == [SHORT]

    # Skip the follow-up; then the next question.
    skipped = api("POST", "behavioral", "sessions", sid, "skip")
    assert skipped.code == 200, skipped.body
    moved = api("POST", "behavioral", "sessions", sid, "next", body={})
    assert moved.code == 200, moved.body
    second = as_json(moved)
    assert second["question_number"] == 2 and second["competency_tested"] == "problem_solving"
    assert second["session_progress"]["questions_completed"] == 1
    feedback = as_json(api("GET", "behavioral", "sessions", sid, "questions", "1", "feedback"))
    assert feedback["provisional"] is False and feedback["revised_answer"]
    assert feedback["what_landed"] and feedback["what_didnt_land"] and feedback["coaching"]

    assert reply(api, sid, STRONG).code == 200
    for _ in range(3):
        assert api("POST", "behavioral", "sessions", sid, "next").code == 200
    # The fifth question is the last: a sixth is the spec's 400.
    sixth = api("POST", "behavioral", "sessions", sid, "next")
    assert error(sixth, 400) == "Maximum questions reached. End session to see results."

    ended = api("POST", "behavioral", "sessions", sid, "end", body={"reason": "candidate"})
    assert ended.code == 200, ended.body
    summary = as_json(ended)
    assert summary["readiness"] in ("Ready", "Almost Ready", "Needs Practice")
    assert summary["session_feedback"]["coaching_priorities"]
    assert [q["question_number"] for q in summary["question_summaries"]] == [1, 2, 3, 4, 5]

    # A finished session: the spec's 400 for every request that would change it.
    for path, payload in ((("responses",), {"text": "more"}), (("next",), {}), (("skip",), {}),
                          (("end",), {})):
        refused = api("POST", "behavioral", "sessions", sid, *path, body=payload)
        assert error(refused, 400) == "Session already completed. Start a new session."

    history = BehavioralHistory.model_validate(as_json(api("GET", "behavioral", "history")))
    assert [s.session_id for s in history.sessions] == [sid]
    assert history.sessions[0].readiness == summary["readiness"]
    assert history.improvement_trend is None  # one session: no trend yet
    assert "leadership" in history.competencies

    # The report of a behavioural session, in every format.
    report = api("GET", "sessions", sid, "report", params={"format": "json"})
    assert as_json(report)["kind"] == "behavioral"
    page = api("GET", "sessions", sid, "report", params={"format": "html"}).body.decode()
    assert "Revised answer" in page and "Session feedback" in page


def test_a_second_session_gives_the_trend(api: Callable[..., HTTPResponse]) -> None:
    for text in (SHORT, STRONG):
        sid = start(api, stage="recruiter_screen")["session_id"]
        assert reply(api, sid, text).code == 200
        assert api("POST", "behavioral", "sessions", sid, "end").code == 200
    history = as_json(api("GET", "behavioral", "history"))
    trend = history["improvement_trend"]
    assert trend is not None and len(history["sessions"]) == 2
    assert trend["improvement"] == f"{trend['latest_session_score'] - trend['first_session_score']:+.1f}"
    assert history["competencies"]["communication"]["sessions"] == 2


def test_a_reloaded_room_has_the_scorer_fallback_of_each_step(
        api: Callable[..., HTTPResponse], jp_ws_fetch: Any,
        jp_asyncio_loop: asyncio.AbstractEventLoop) -> None:
    """A model the settings refuse (privacy.local_only, a remote model): the
    offline scorer stands in, and a room opened afterwards (a reload) gets
    each step's scorer_fallback in the socket's snapshot, before the result
    it stands for, to show it as the room did."""
    sid = start(api, llm={"model": "openai/gpt-4o"})["session_id"]
    answered = as_json(reply(api, sid, SHORT, 1))
    live = [a for a in answered["actions"] if a["type"] in ("scorer_fallback", "answer_scored")]
    assert [a["type"] for a in live] == ["scorer_fallback", "answer_scored"]
    ws = jp_asyncio_loop.run_until_complete(
        jp_ws_fetch("mock-interviewer", "api", "sessions", sid, "ws"))
    message = jp_asyncio_loop.run_until_complete(asyncio.wait_for(ws.read_message(), 20))
    ws.close()
    assert message is not None, "the socket closed"
    snapshot = json.loads(message)
    kept = [(a["type"], a["data"].get("step")) for a in snapshot["actions"]
            if a["type"] in ("scorer_fallback", "question_asked", "answer_scored")]
    assert kept == [("scorer_fallback", "question"), ("question_asked", None),
                    ("scorer_fallback", "score"), ("answer_scored", None)]
    fell = next(a for a in snapshot["actions"] if a["type"] == "scorer_fallback"
                and a["data"]["step"] == "score")
    assert fell == live[0]  # as the room saw it live
    assert fell["data"]["reason"] == "unavailable" and fell["data"]["question_number"] == 1
    scored = next(a for a in snapshot["actions"] if a["type"] == "answer_scored")
    assert scored["data"]["by"] == "scripted"


def test_the_spec_errors_are_json(api: Callable[..., HTTPResponse]) -> None:
    assert "Mock interview session not found" in error(
        reply(api, "nosuchsession", "hello"), 404)
    assert "Mock interview session not found" in error(
        api("POST", "behavioral", "sessions", "nosuchsession", "next"), 404)
    sid = start(api)["session_id"]
    for number in ("9", "0", "x"):
        missing = api("GET", "behavioral", "sessions", sid, "questions", number, "feedback")
        assert error(missing, 404).startswith("Question not found")
    unanswered = api("GET", "behavioral", "sessions", sid, "questions", "1", "feedback")
    assert "has not been answered yet" in error(unanswered, 400)
    # response_number out of the spec's 1-4, an empty answer, a bad stage, unknown bank.
    assert error(reply(api, sid, "hi", 5), 400).startswith("response_number must be a whole "
                                                           "number from 1 to 4")
    assert error(reply(api, sid, "  "), 400) == "text must not be empty"
    bad = api("POST", "behavioral", "sessions", body={"stage": "onsite"})
    assert "stage must be one of recruiter_screen, hiring_manager" in error(bad, 400)
    assert "no question bank named 'nope'" in error(
        api("POST", "behavioral", "sessions", body={"bank": "nope"}), 400)
    assert "bytes" in error(api("POST", "behavioral", "sessions",
                                body={"job_text": "x" * 40_000}), 413)
    # No follow-up pending: the engine refuses the skip, said as a 400.
    assert reply(api, sid, STRONG).code == 200
    while as_json(api("POST", "behavioral", "sessions", sid, "skip")).get("follow_up_question"):
        pass
    assert "no follow-up to skip" in error(api("POST", "behavioral", "sessions", sid, "skip"), 400)
    # A coding session is not a behavioural one.
    coding = as_json(api("POST", "sessions", body={"problem": "add"}))["session"]["id"]
    assert "is a coding interview" in error(
        api("POST", "behavioral", "sessions", coding, "next"), 404)


def test_the_behavioural_routes_need_credentials(
        api: Callable[..., HTTPResponse], http_server_client: Any, jp_base_url: str,
        jp_asyncio_loop: asyncio.AbstractEventLoop) -> None:
    sid = start(api)["session_id"]

    def fetch(method: str, path: str, headers: dict[str, str], body: Any = None) -> HTTPResponse:
        response: HTTPResponse = jp_asyncio_loop.run_until_complete(http_server_client.fetch(
            f"{jp_base_url}mock-interviewer/api/{path}", method=method, headers=headers,
            body=None if body is None else json.dumps(body), raise_error=False))
        return response

    routes = (("POST", "behavioral/sessions", {}), ("POST", f"behavioral/sessions/{sid}/responses",
                                                   {"text": "hi"}),
              ("GET", f"behavioral/sessions/{sid}/questions/1/feedback", None),
              ("POST", f"behavioral/sessions/{sid}/next", {}),
              ("POST", f"behavioral/sessions/{sid}/skip", {}),
              ("POST", f"behavioral/sessions/{sid}/end", {}),
              ("GET", "behavioral/history", None))
    for method, path, body in routes:
        refused = fetch(method, path, {}, body)
        assert refused.code == 403, path
        if method == "GET":  # a POST is refused by Jupyter's XSRF check first
            assert "not authenticated" in as_json(refused)["error"]
        assert fetch(method, path, {TOKEN_HEADER: "nope"}, body).code == 403
    kernel = {TOKEN_HEADER: os.environ[TOKEN_ENV]}
    assert fetch("GET", "behavioral/history", kernel).code == 200
    assert fetch("POST", "behavioral/sessions", kernel, {"stage": "recruiter_screen"}).code == 201
