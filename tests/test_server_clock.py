"""The server keeps each interview's time on its own (issue 13): the ticker
steps every session with a frontend, so a quiet candidate still gets the
time warnings, a silence nudge and the end with its report at time-up,
pushed over the session socket as they come.

Never wall time: the service's clock is a FakeClock and the tests drive
the ticker's rounds (``InterviewService.tick_round``) themselves.
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pytest
from pytest_jupyter.jupyter_server import *  # noqa: F403
from tornado.httpclient import HTTPResponse

from mock_interviewer_lab.events import Event
from mock_interviewer_lab.interview.clock import FakeClock
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.server import MockInterviewerApp
from mock_interviewer_lab.server.services import InterviewService

from .test_culling import clock, service  # noqa: F401  (fixtures)
from .test_server import Run, extension, jp_server_config, run, settings_file  # noqa: F401

#: How long a test waits for a message that must come (only a failing test waits).
PATIENCE_S = 60.0
#: The ticker's period in these tests, in seconds of the fake clock.
STEP_S = 5.0


# ------------------------------------------------------ the service alone


def _events(svc: InterviewService, sid: str, type_: str) -> list[Event]:
    return [r for r in svc.session(sid).records()
            if isinstance(r, Event) and r.type == type_]


def test_only_sessions_with_a_frontend_are_ticked(service: InterviewService,  # noqa: F811
                                                  clock: FakeClock,  # noqa: F811
                                                  add_problem: Problem) -> None:
    watched = service.start(add_problem, minutes=30, mode="normal", coach={})
    alone = service.start(add_problem, minutes=30, mode="normal", coach={})
    service.frontend_opened(watched)
    clock.advance(STEP_S)
    done = asyncio.run(service.tick_round())
    assert done.ticked == [watched.info.id] and done.skipped == []
    assert len(_events(service, watched.info.id, "tick")) == 1
    assert _events(service, alone.info.id, "tick") == []
    # The last frontend went away: the clock stands, nothing to tick.
    service.frontend_closed(watched)
    clock.advance(STEP_S)
    assert asyncio.run(service.tick_round()).ticked == []
    assert len(_events(service, watched.info.id, "tick")) == 1


@pytest.mark.parametrize("busy_with", ["a request", "the sweep"])
def test_a_busy_session_is_skipped_this_round(service: InterviewService,  # noqa: F811
                                              clock: FakeClock,  # noqa: F811
                                              add_problem: Problem, busy_with: str) -> None:
    session = service.start(add_problem, minutes=30, mode="normal", coach={})
    service.frontend_opened(session)
    sid = session.info.id
    clock.advance(STEP_S)
    before = len(session.records())

    async def a_request_holds_the_event_lock() -> Any:
        async with service.event_lock(sid):
            return await service.tick_round()

    if busy_with == "a request":
        done = asyncio.run(a_request_holds_the_event_lock())
    else:  # another thread is inside the session (the sweep, say)
        inside, leave = threading.Event(), threading.Event()

        def hold() -> None:
            with session._lock:
                inside.set()
                leave.wait(PATIENCE_S)

        holder = threading.Thread(target=hold)
        holder.start()
        assert inside.wait(PATIENCE_S)
        try:
            done = asyncio.run(service.tick_round())
        finally:
            leave.set()
            holder.join()
    assert done.skipped == [sid] and done.ticked == []
    assert len(session.records()) == before  # nothing posted, nothing waited for
    assert not service.event_lock(sid).locked()
    done = asyncio.run(service.tick_round())  # free again: the next round ticks it
    assert done.ticked == [sid]


def test_a_failing_session_does_not_stop_the_round(service: InterviewService,  # noqa: F811
                                                   clock: FakeClock,  # noqa: F811
                                                   add_problem: Problem,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    broken = service.start(add_problem, minutes=30, mode="normal", coach={})
    fine = service.start(add_problem, minutes=30, mode="normal", coach={})
    for session in (broken, fine):
        service.frontend_opened(session)

    def fail() -> Any:
        raise OSError("disk full")

    monkeypatch.setattr(broken, "tick", fail)
    clock.advance(STEP_S)
    done = asyncio.run(service.tick_round())
    assert done.ticked == [fine.info.id]
    assert not service.event_lock(broken.info.id).locked()


# ------------------------------------------------- through the WebSocket


def test_a_quiet_candidate_hears_the_clock_over_the_session_socket(
        jp_fetch: Any, jp_ws_fetch: Any, extension: MockInterviewerApp,  # noqa: F811
        run: Run[Any]) -> None:  # noqa: F811
    """Twelve minutes and not a word from the candidate: every due thing
    comes once, when it is due, and reaches the socket as the ticker makes it."""
    svc: InterviewService = extension.service
    fake = FakeClock(1000.0)
    svc.clock = fake
    threshold = svc.settings.coach.intervention.silence_before_nudge_ms / 1000

    async def scenario() -> tuple[list[tuple[float, dict[str, Any]]], dict[str, Any], str]:
        created: HTTPResponse = await jp_fetch(
            "mock-interviewer", "api", "sessions", method="POST",
            body=json.dumps({"problem": "add", "minutes": 12}))
        sid = json.loads(created.body)["session"]["id"]
        socket = await jp_ws_fetch("mock-interviewer", "api", "sessions", sid, "ws")
        snapshot = json.loads(await socket.read_message())
        assert snapshot["type"] == "snapshot"
        pushed: list[tuple[float, dict[str, Any]]] = []  # (elapsed, action) as pushed
        elapsed = 0.0
        while elapsed < 13 * 60:
            fake.advance(STEP_S)
            elapsed += STEP_S
            done = await svc.tick_round()
            if elapsed <= 12 * 60:
                assert done.ticked == [sid], elapsed
            # What the round made is pushed, in order, nothing else.
            for made in done.actions.get(sid, []):
                message = json.loads(await asyncio.wait_for(socket.read_message(), PATIENCE_S))
                assert message == {"type": "action",
                                   "action": json.loads(json.dumps(made.to_dict()))}
                pushed.append((elapsed, message["action"]))
        report: HTTPResponse = await jp_fetch("mock-interviewer", "api", "sessions", sid,
                                              "report", params={"format": "json"})
        socket.close()
        return pushed, json.loads(report.body), sid

    pushed, report, sid = run(scenario())
    types = [action["type"] for _, action in pushed]
    # The time warnings, each once, when their minute came.
    warnings = [(t, a["data"]["minutes_left"]) for t, a in pushed if a["type"] == "time_warning"]
    assert warnings == [(2 * 60, 10), (7 * 60, 5), (10 * 60, 2)]
    # The first silence nudge at the first tick past the threshold, once.
    nudges = [t for t, a in pushed if a["type"] == "coach_says" and a["data"]["kind"] == "nudge"]
    first = STEP_S * (int(threshold // STEP_S) + 1)
    assert nudges and nudges[0] == first
    assert first + STEP_S not in nudges  # the orchestrator waits longer before the next
    assert len(nudges) < 12 * 60 / STEP_S / 4  # backed off, not one a tick
    # The end at time-up with its report, once, and nothing after it.
    assert types.count("report_ready") == 1 and types[-1] == "report_ready"
    ended_at, ready = pushed[-1]
    assert ended_at == 12 * 60
    assert ready["data"]["feedback"] and ready["data"]["session_id"] == sid
    assert report["session_id"] == sid
    assert svc.store.get(sid).status in ("ended", "aborted")
    wrap_up = [a for _, a in pushed if a["type"] == "coach_says" and a["data"]["kind"] == "wrap_up"]
    assert len(wrap_up) == 1


def test_the_ticker_runs_with_the_extension_and_stops_with_it(
        extension: MockInterviewerApp, jp_serverapp: Any,  # noqa: F811
        run: Run[Any]) -> None:  # noqa: F811
    svc: InterviewService = extension.service
    assert svc.tick_interval_s == extension.tick_interval_s > 0
    assert not svc.ticker_running  # pytest-jupyter does not run the start hook

    async def start() -> bool:
        await extension._start_jupyter_server_extension(jp_serverapp)
        return svc.ticker_running

    assert run(start())
    run(extension.stop_extension())
    assert not svc.ticker_running
    run(extension.stop_extension())  # again: nothing left to stop, nothing raised


def test_no_ticker_when_the_interval_is_zero(service: InterviewService) -> None:  # noqa: F811
    service.tick_interval_s = 0

    async def start() -> bool:
        return service.start_ticker()

    assert not asyncio.run(start())
    assert not service.ticker_running
