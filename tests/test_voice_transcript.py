"""A spoken line reaches the panel: the session socket pushes each stored
candidate_said as it comes (``{"type": "event"}``), the kernel's client
passes it on, and the panel shows the spoken ones (typed ones were shown
when they were sent)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
from pytest_jupyter.jupyter_server import *  # noqa: F403
from traitlets.config import Config

from mock_interviewer_lab.kernel.backend import ServerBackend
from mock_interviewer_lab.kernel.panel import Panel
from mock_interviewer_lab.server import MockInterviewerApp

_T = TypeVar("_T")
Run = Callable[[Coroutine[Any, Any, _T]], _T]

PROBLEM = {"id": "two_sum", "title": "Two Sum", "difficulty": "easy", "statement": "Add."}
SPOKEN = {"text": "i think the answer is to use a dictionary", "source": "voice",
          "speech": {"start": 1.0, "end": 3.5}}


@pytest.fixture  # type: ignore[no-redef]
def jp_server_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    settings = tmp_path / "settings.toml"
    settings.write_text(f"[app]\nsession_db = {json.dumps(str(tmp_path / 'sessions.db'))}\n")
    monkeypatch.setenv("MOCK_INTERVIEWER_SETTINGS", str(settings))
    return Config({"ServerApp": {"jpserver_extensions": {"mock_interviewer_lab.server": True}}})


def test_the_session_socket_pushes_a_spoken_line_before_the_coachs_answer(
        jp_serverapp: Any, jp_fetch: Any, jp_ws_fetch: Any,
        jp_asyncio_loop: asyncio.AbstractEventLoop) -> None:
    run: Run[Any] = jp_asyncio_loop.run_until_complete
    app = jp_serverapp.extension_manager.extension_points["mock_interviewer_lab"].app
    assert isinstance(app, MockInterviewerApp)
    created = run(jp_fetch("mock-interviewer", "api", "sessions", method="POST",
                           body=json.dumps({"problem": "two_sum", "minutes": 30})))
    sid = json.loads(created.body)["session"]["id"]
    ws = run(jp_ws_fetch("mock-interviewer", "api", "sessions", sid, "ws"))

    def receive() -> dict[str, Any]:
        message = run(asyncio.wait_for(ws.read_message(), 20))
        assert message is not None, "the socket closed"
        data: dict[str, Any] = json.loads(message)
        return data

    assert receive()["type"] == "snapshot"
    # As the voice socket does: posted on the session, off the loop.
    session = app.service.session(sid)
    actions = run(asyncio.to_thread(session.post, "candidate_said", dict(SPOKEN)))
    first = receive()
    assert first["type"] == "event"
    assert (first["event"]["type"], first["event"]["data"]) == ("candidate_said", SPOKEN)
    pushed = [receive() for _ in actions]
    assert [p["action"]["seq"] for p in pushed] == [a.seq for a in actions]
    assert all(a.seq is not None and a.seq > first["event"]["seq"] for a in actions)
    ws.close()


def test_the_kernel_client_hands_events_to_the_panel_which_shows_spoken_lines() -> None:
    backend = ServerBackend("http://127.0.0.1:9/mock-interviewer/api/", "t")
    panel = Panel(PROBLEM)
    backend._callbacks.append(panel.apply)
    spoken = {"kind": "event", "type": "candidate_said", "t": 65.0, "seq": 4, "data": SPOKEN}
    typed = {"kind": "event", "type": "candidate_said", "t": 70.0, "seq": 6,
             "data": {"text": "typed in the panel"}}
    backend._deliver(json.dumps({"type": "event", "event": spoken}))
    backend._deliver(json.dumps({"type": "event", "event": spoken}))  # once only
    backend._deliver(json.dumps({"type": "event", "event": typed}))
    assert panel.transcript == [(65.0, "candidate", SPOKEN["text"])]
    assert "01:05" in panel.transcript_html.value
    assert SPOKEN["text"] in panel.transcript_html.value


def test_a_server_snapshot_names_the_speakers_and_its_lines_are_not_shown_twice() -> None:
    panel = Panel(PROBLEM)
    welcome = {"t": 0.0, "seq": 1, "speaker": "coach", "text": "Welcome!"}
    results = {"t": 9.0, "seq": 5, "speaker": "tests", "text": "1/2 passed"}
    panel.apply({"type": "snapshot", "state": {"phase": "intro"},
                 "transcript": [welcome, results]})
    panel.apply({"kind": "action", "type": "coach_says", "t": 0.0, "seq": 1,
                 "data": {"text": "Welcome!"}})
    panel.apply({"kind": "action", "type": "show_results", "t": 9.0, "seq": 5,
                 "data": {"passed": 1, "total": 2, "cases": []}})
    assert panel.transcript == [(0.0, "coach", "Welcome!"), (9.0, "tests", "1/2 passed")]
    assert "1 of 2 tests passed" in panel.results.value
