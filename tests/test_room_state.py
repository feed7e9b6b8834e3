"""What the docked room needs from the server to look the same after a
reload or in a second view (issue 13): the session socket's snapshot carries
the hints given and the follow-up problem (the state alone does not), and a
candidate typing in the notebook (the room's throttled ``typing`` event)
keeps the ticker's silence nudges away. And the kernel's switch that shows
the ipywidgets panel alone (bench/ui's comparison).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from pytest_jupyter.jupyter_server import *  # noqa: F403
from tornado.httpclient import HTTPResponse

from mock_interviewer_lab.events import Action, Event
from mock_interviewer_lab.interview.clock import FakeClock
from mock_interviewer_lab.kernel.room import ROOM_ENV, room_bundle
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.protocol import ROOM_MIME, WIDGET_VIEW_MIME
from mock_interviewer_lab.server.services import InterviewService
from mock_interviewer_lab.server.sockets import SNAPSHOT_ACTIONS, replayed_actions

from .test_culling import clock, service  # noqa: F401  (fixtures)
from .test_server import (  # noqa: F401  (fixtures)
    Run,
    api,
    as_json,
    jp_server_config,
    run,
    settings_file,
    start_session,
)

#: The ticker's period in these tests, in seconds of the fake clock.
STEP_S = 5.0


def test_replayed_actions_are_the_hints_and_the_follow_up_in_order() -> None:
    records: list[Event | Action] = [
        Event("session_started", 0.0, {}, seq=0),
        Action("coach_says", 0.1, {"text": "Hello"}, seq=1),
        Action("show_hint", 60.0, {"level": 1, "of": 3, "text": "first"}, seq=3, cause=2),
        Action("show_results", 90.0, {"passed": 1, "total": 1}, seq=5, cause=4),
        Action("problem_added", 120.0, {"problem": "harder", "title": "Harder"}, seq=6),
        Action("show_hint", 150.0, {"level": 1, "of": 3, "text": "again"}, seq=8, cause=7),
        Event("hint_requested", 150.0, {}, seq=7),
    ]
    replayed = replayed_actions(records)
    assert [(a["seq"], a["type"]) for a in replayed] == [
        (3, "show_hint"), (6, "problem_added"), (8, "show_hint")]
    # As the socket pushes an action, so the room applies both alike.
    assert replayed[0] == records[2].to_dict()
    assert {"show_hint", "problem_added"} <= SNAPSHOT_ACTIONS


def test_replayed_actions_hold_a_behavioural_interview_s_questions_and_feedback() -> None:
    """A room opened after the first question (or reloaded) rebuilds the
    question, follow-up, scores and cards from the snapshot's actions."""
    records: list[Event | Action] = [
        Event("session_started", 0.0, {}, seq=0),
        Action("question_asked", 0.1, {"number": 1, "text": "Tell me"}, seq=1),
        Action("coach_says", 0.1, {"text": "Question 1 of 5: Tell me"}, seq=2),
        Event("candidate_said", 30.0, {"text": "I did"}, seq=3),
        Action("answer_scored", 30.1, {"question_number": 1, "score": 5}, seq=4, cause=3),
        Action("follow_up_asked", 30.2, {"question_number": 1, "number": 1}, seq=5, cause=3),
        Action("question_feedback", 60.0, {"question_number": 1}, seq=6),
        Action("difficulty_changed", 60.1, {"from": "medium", "to": "easy"}, seq=7),
        Action("session_feedback", 90.0, {"overall_score": 5.0}, seq=8),
    ]
    assert [a["type"] for a in replayed_actions(records)] == [
        "question_asked", "answer_scored", "follow_up_asked", "question_feedback",
        "difficulty_changed", "session_feedback"]


def test_a_new_socket_snapshot_carries_the_hints_given(
        api: Callable[..., HTTPResponse], jp_ws_fetch: Any,  # noqa: F811
        run: Run[Any]) -> None:  # noqa: F811
    sid = start_session(api)["session"]["id"]
    answer = as_json(api("POST", "sessions", sid, "events", body={"type": "hint"}))
    (hint,) = [a for a in answer["actions"] if a["type"] == "show_hint"]
    # A reload: a socket opened after the hint.
    ws = run(jp_ws_fetch("mock-interviewer", "api", "sessions", sid, "ws"))
    message = run(asyncio.wait_for(ws.read_message(), 20))
    assert message is not None, "the socket closed"
    snapshot = json.loads(message)
    ws.close()
    assert snapshot["type"] == "snapshot"
    assert snapshot["actions"] == [hint]
    assert hint["seq"] <= snapshot["last_seq"]
    assert snapshot["state"]["hint"]["level"] == hint["data"]["level"]


def _events(svc: InterviewService, sid: str, type_: str) -> list[Event]:
    return [r for r in svc.session(sid).records()
            if isinstance(r, Event) and r.type == type_]


def test_typing_keeps_the_tickers_silence_nudge_away(
        service: InterviewService, clock: FakeClock,  # noqa: F811
        add_problem: Problem) -> None:
    typing = service.start(add_problem, minutes=30, mode="normal", coach={})
    quiet = service.start(add_problem, minutes=30, mode="normal", coach={})
    for session in (typing, quiet):
        service.frontend_opened(session)
    threshold = service.settings.coach.intervention.silence_before_nudge_ms / 1000
    gone = 0.0
    # Three thresholds' worth of ticks; the typing one types every 10 s, as
    # the room posts it.
    while gone < 3 * threshold:
        clock.advance(STEP_S)
        gone += STEP_S
        if gone % 10 == 0:
            typing.post("typing")
        asyncio.run(service.tick_round())
    assert _events(service, quiet.info.id, "silence"), "the quiet one is nudged"
    assert _events(service, typing.info.id, "silence") == []
    assert len(_events(service, typing.info.id, "typing")) == int(gone // 10)


class _Widget:
    """A stand-in for the panel's widget: its own MIME bundle."""

    def _repr_mimebundle_(self) -> dict[str, Any]:
        return {WIDGET_VIEW_MIME: {"model_id": "m1"}, "text/plain": "Panel(...)"}


def test_the_room_switch_shows_the_panel_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    room = {"session_id": "s1", "title": "Two Sum", "problem": "core:two_sum", "minutes": 30}
    monkeypatch.delenv(ROOM_ENV, raising=False)
    assert ROOM_MIME in room_bundle(room, _Widget())
    monkeypatch.setenv(ROOM_ENV, "panel")
    assert room_bundle(room, _Widget()) == _Widget()._repr_mimebundle_()
    monkeypatch.setenv(ROOM_ENV, "room")
    assert room_bundle(room, _Widget())[ROOM_MIME]["session_id"] == "s1"
