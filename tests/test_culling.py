"""Nothing lives forever on an idle server: sandbox kernels stop after
``harness.idle_stop_s`` and start again on demand; an interview's clock
stops when its last frontend disconnects and when its time is up; ended
and idle sessions leave memory (the table is bounded) and come back from
the store on demand."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import psutil
import pytest
from pytest_jupyter.jupyter_server import *  # noqa: F403
from tornado.httpclient import HTTPResponse
from traitlets.config import Config

from mock_interviewer_lab.events import Action, Event
from mock_interviewer_lab.harness.outcome import RunResult
from mock_interviewer_lab.interview.clock import FakeClock
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.server.services import InterviewService, LazyHarness
from mock_interviewer_lab.settings import HarnessSettings, Settings
from mock_interviewer_lab.store import SessionStore

from .conftest import FAST_LIMITS, PROBE_PACK, write_server_settings
from .test_run_queue import fake_result

_T = TypeVar("_T")
Run = Callable[[Coroutine[Any, Any, _T]], _T]
PATIENCE_S = 60.0
RIGHT = "def add(a, b):\n    return b + a\n"


# ------------------------------------------------------- sandbox kernels


class CountingHarness:
    """Stands in for SyncHarness: counts starts and closes."""

    def __init__(self) -> None:
        self.closed = False
        self.runs = 0

    def start(self) -> CountingHarness:
        return self

    def run(self, problem: Problem, code: str, *, complexity: bool = True) -> RunResult:
        self.runs += 1
        return fake_result(problem, code, complexity)

    def close(self) -> None:
        self.closed = True


@pytest.fixture(scope="module")
def add_problem() -> Problem:
    return ProblemRegistry.from_dirs([PROBE_PACK]).get("add")


def test_an_idle_sandbox_stops_and_starts_again_on_demand(add_problem: Problem) -> None:
    clock = FakeClock()
    made: list[CountingHarness] = []

    def factory() -> Any:
        made.append(CountingHarness())
        return made[-1]

    lazy = LazyHarness(HarnessSettings(idle_stop_s=0), idle_stop_s=600, clock=clock.now,
                       factory=factory)
    try:
        assert lazy.kernels_running == 0  # nothing before the first run
        lazy.run(add_problem, RIGHT)
        assert lazy.kernels_running == 1 and len(made) == 1
        clock.advance(599)
        assert not lazy.stop_if_idle()
        lazy.run(add_problem, RIGHT)  # a run restarts the wait
        clock.advance(599)
        assert not lazy.stop_if_idle() and not made[0].closed
        clock.advance(2)
        assert lazy.stop_if_idle()
        assert made[0].closed and lazy.kernels_running == 0
        result = lazy.run(add_problem, RIGHT)  # started again on demand
        assert result.passed == result.total and len(made) == 2
        assert lazy.starts == 2 and lazy.idle_stops == 1
    finally:
        lazy.close()
    assert made[1].closed


def test_a_run_under_way_is_never_stopped(add_problem: Problem) -> None:
    clock = FakeClock()
    gate = threading.Event()
    inside = threading.Event()

    class Slow(CountingHarness):
        def run(self, problem: Problem, code: str, *, complexity: bool = True) -> RunResult:
            inside.set()
            assert gate.wait(PATIENCE_S)
            return super().run(problem, code, complexity=complexity)

    lazy = LazyHarness(HarnessSettings(), idle_stop_s=10, clock=clock.now, factory=Slow)
    runner = threading.Thread(target=lambda: lazy.run(add_problem, RIGHT), daemon=True)
    runner.start()
    try:
        assert inside.wait(PATIENCE_S)
        clock.advance(3600)
        assert not lazy.stop_if_idle()
        assert lazy.kernels_running == 1
    finally:
        gate.set()
        runner.join(PATIENCE_S)
        lazy.close()


def test_a_second_kernel_starts_only_while_two_runs_are_under_way(
        add_problem: Problem) -> None:
    clock = FakeClock()
    gate = threading.Event()
    inside = threading.Event()
    made: list[CountingHarness] = []

    class Held(CountingHarness):
        def run(self, problem: Problem, code: str, *, complexity: bool = True) -> RunResult:
            if code == "held":
                inside.set()
                assert gate.wait(PATIENCE_S)
            return super().run(problem, code, complexity=complexity)

    def factory() -> Any:
        made.append(Held())
        return made[-1]

    lazy = LazyHarness(HarnessSettings(), workers=2, idle_stop_s=600, clock=clock.now,
                       factory=factory)
    try:
        for _ in range(3):  # one candidate, one run at a time: one kernel
            lazy.run(add_problem, RIGHT)
        assert len(made) == 1 and lazy.kernels_running == 1
        held = threading.Thread(target=lambda: lazy.run(add_problem, "held"), daemon=True)
        held.start()
        assert inside.wait(PATIENCE_S)
        lazy.run(add_problem, RIGHT)  # meanwhile: the second kernel
        assert len(made) == 2 and lazy.kernels_running == 2
        gate.set()
        held.join(PATIENCE_S)
        clock.advance(601)
        assert lazy.stop_if_idle()
        assert lazy.kernels_running == 0 and all(h.closed for h in made)
    finally:
        gate.set()
        lazy.close()


def test_the_real_sandbox_kernel_stops_after_the_idle_time(add_problem: Problem) -> None:
    """The timer, with the real harness: its kernel process ends."""
    lazy = LazyHarness(FAST_LIMITS, idle_stop_s=0.5)
    try:
        assert lazy.run(add_problem, RIGHT).passed == add_problem.total_case_count
        harness = lazy.started
        assert harness is not None
        kernel = harness.harness._kernels[0]
        assert kernel.km is not None
        process = psutil.Process(kernel.km.provisioner.pid)  # type: ignore[attr-defined]
        assert process.is_running()
        stopped = threading.Event()

        def ended() -> bool:  # the kernel's process is gone (or waits only to be reaped)
            try:
                return not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
            except psutil.NoSuchProcess:
                return True

        for _ in range(int(PATIENCE_S / 0.1)):
            if lazy.started is None and ended():
                stopped.set()
                break
            stopped.wait(0.1)
        assert stopped.is_set(), "the idle sandbox was never stopped"
        assert lazy.run(add_problem, RIGHT).passed == add_problem.total_case_count
        assert lazy.starts == 2
    finally:
        lazy.close()


# -------------------------------------------------------------- sessions


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1000.0)


@pytest.fixture
def service(tmp_path: Path, clock: FakeClock) -> Iterator[InterviewService]:
    settings = Settings()
    settings.problems.extra_dirs = [str(PROBE_PACK)]
    made = CountingHarness()
    harness = LazyHarness(settings.harness, factory=lambda: made)  # type: ignore[arg-type,return-value]
    service = InterviewService(
        settings=settings, registry=ProblemRegistry.from_dirs([PROBE_PACK]),
        store=SessionStore(f"sqlite:///{tmp_path / 'sessions.db'}"), harness=harness,
        default_minutes=30, clock=clock, max_live_sessions=3, idle_evict_s=1800,
        ended_linger_s=60, sweep_interval_s=0)
    yield service
    service.close()


def _start(service: InterviewService, add_problem: Problem, minutes: float = 30) -> str:
    session = service.start(add_problem, minutes=minutes, mode="normal", coach={})
    return session.info.id


def test_the_clock_stops_while_no_frontend_is_connected(service: InterviewService,
                                                        clock: FakeClock,
                                                        add_problem: Problem) -> None:
    sid = _start(service, add_problem)
    session = service.session(sid)
    service.frontend_opened(session)
    clock.advance(60)
    service.frontend_closed(session)
    assert service.frontends(sid) == 0
    clock.advance(3600)  # the tab was closed for an hour
    assert session.state()["elapsed_s"] == 60
    service.frontend_opened(session)
    clock.advance(30)
    assert session.state()["elapsed_s"] == 90
    # Two frontends: the clock runs while either is there.
    service.frontend_opened(session)
    service.frontend_closed(session)
    clock.advance(10)
    assert session.state()["elapsed_s"] == 100


@pytest.mark.parametrize("connected", [False, True])
def test_time_up_ends_the_session_and_stops_its_clock(service: InterviewService,
                                                      clock: FakeClock, add_problem: Problem,
                                                      connected: bool) -> None:
    sid = _start(service, add_problem, minutes=5)
    session = service.session(sid)
    if connected:
        service.frontend_opened(session)
    session.say("I will add the two numbers with a plus")
    session.submit(RIGHT)
    clock.advance(4 * 60)
    service.sweep()
    assert not session.ended  # a minute left
    clock.advance(61)
    service.sweep()  # nobody posted anything: the sweep notices the time
    assert session.ended
    ticks = [r for r in session.records() if isinstance(r, Event) and r.type == "tick"]
    assert len(ticks) == 1
    assert any(isinstance(r, Action) and r.type == "report_ready" for r in session.records())
    assert service.store.get(sid).status == "ended"
    stopped_at = session.state()["elapsed_s"]
    assert stopped_at == 5 * 60 + 1
    clock.advance(600)
    assert session.state()["elapsed_s"] == stopped_at  # an ended interview's clock stands
    service.sweep()
    assert len([r for r in session.records() if isinstance(r, Event) and r.type == "tick"]) == 1


def test_a_session_without_activity_ends_when_its_time_is_up(service: InterviewService,
                                                             clock: FakeClock,
                                                             add_problem: Problem) -> None:
    sid = _start(service, add_problem, minutes=5)
    clock.advance(5 * 60 + 1)
    service.sweep()
    assert service.session(sid).ended
    assert service.store.get(sid).status in ("ended", "aborted")


def test_ended_sessions_leave_memory_and_come_back_from_the_store(
        service: InterviewService, clock: FakeClock, add_problem: Problem) -> None:
    sid = _start(service, add_problem)
    session = service.session(sid)
    session.end("candidate")
    session.end("candidate")  # the complexity question first, then the end
    assert session.ended
    service.sweep()
    assert sid in service.live_session_ids  # it lingers a minute
    clock.advance(61)
    service.sweep()
    assert sid not in service.live_session_ids
    again = service.session(sid)  # read back from the store
    assert again is not session and again.ended
    assert service.report(sid).session_id == sid


def test_idle_open_sessions_leave_memory_and_resume_where_they_stopped(
        service: InterviewService, clock: FakeClock, add_problem: Problem) -> None:
    sid = _start(service, add_problem, minutes=120)
    session = service.session(sid)
    session.say("I would use a loop")
    said_at = session.state()["elapsed_s"]
    clock.advance(1801)
    service.sweep()
    assert sid not in service.live_session_ids
    again = service.session(sid)
    assert not again.ended
    assert again.state()["elapsed_s"] == said_at  # the absence is not the candidate's time


def test_the_live_table_is_bounded_and_keeps_connected_sessions(
        service: InterviewService, clock: FakeClock, add_problem: Problem) -> None:
    first = _start(service, add_problem)
    service.frontend_opened(service.session(first))
    ids = [first]
    for _ in range(5):
        clock.advance(20)
        ids.append(_start(service, add_problem))
    live = service.live_session_ids
    assert len(live) == 3
    assert first in live  # a frontend holds it
    assert ids[-1] in live and ids[-2] in live
    # A dropped session is read back on demand.
    assert service.session(ids[1]).info.id == ids[1]


def test_a_session_with_a_listener_is_never_dropped(service: InterviewService,
                                                    clock: FakeClock,
                                                    add_problem: Problem) -> None:
    sid = _start(service, add_problem)
    session = service.session(sid)
    session.listeners.append(lambda action: None)  # a voice socket, say
    session.end("candidate")
    session.end("candidate")
    clock.advance(7200)
    service.sweep()
    assert sid in service.live_session_ids


def test_the_sweep_runs_on_its_own(tmp_path: Path, clock: FakeClock,
                                   add_problem: Problem) -> None:
    made = CountingHarness()
    service = InterviewService(
        settings=Settings(), registry=ProblemRegistry.from_dirs([PROBE_PACK]),
        store=SessionStore(f"sqlite:///{tmp_path / 'sessions.db'}"),
        harness=LazyHarness(HarnessSettings(), factory=lambda: made),  # type: ignore[arg-type,return-value]
        default_minutes=30, clock=clock, sweep_interval_s=0.02)
    try:
        sid = _start(service, add_problem, minutes=5)
        clock.advance(5 * 60 + 1)  # time is up: the sweep ends it, then drops it
        gone = threading.Event()
        for _ in range(int(PATIENCE_S / 0.02)):
            if service.store.get(sid).status != "open":
                clock.advance(61)
            if sid not in service.live_session_ids:
                gone.set()
                break
            gone.wait(0.02)
        assert gone.is_set()
    finally:
        service.close()


# ------------------------------------------------- through the WebSocket


@pytest.fixture
def settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return write_server_settings(tmp_path, monkeypatch)


@pytest.fixture  # type: ignore[no-redef]
def jp_server_config(settings_file: Path) -> Config:
    return Config({"ServerApp": {"jpserver_extensions": {"mock_interviewer_lab.server": True}}})


@pytest.fixture
def run(jp_asyncio_loop: asyncio.AbstractEventLoop) -> Run[Any]:
    return jp_asyncio_loop.run_until_complete


def test_closing_the_session_socket_stops_the_clock(jp_fetch: Any, jp_ws_fetch: Any,
                                                   jp_serverapp: Any, run: Run[Any]) -> None:
    service: InterviewService = jp_serverapp.web_app.settings["mock_interviewer_service"]
    fake = FakeClock(50.0)
    service.clock = fake

    async def scenario() -> tuple[float, float]:
        created: HTTPResponse = await jp_fetch(
            "mock-interviewer", "api", "sessions", method="POST",
            body=json.dumps({"problem": "add", "minutes": 30}))
        sid = json.loads(created.body)["session"]["id"]
        socket = await jp_ws_fetch("mock-interviewer", "api", "sessions", sid, "ws")
        await socket.read_message()  # the snapshot
        assert service.frontends(sid) == 1
        fake.advance(40)
        socket.close()
        for _ in range(int(PATIENCE_S / 0.02)):
            if service.frontends(sid) == 0:
                break
            await asyncio.sleep(0.02)
        fake.advance(1000)
        answer: HTTPResponse = await jp_fetch("mock-interviewer", "api", "sessions", sid)
        paused = json.loads(answer.body)["state"]["elapsed_s"]
        socket = await jp_ws_fetch("mock-interviewer", "api", "sessions", sid, "ws")
        await socket.read_message()
        fake.advance(5)
        answer = await jp_fetch("mock-interviewer", "api", "sessions", sid)
        socket.close()
        return paused, json.loads(answer.body)["state"]["elapsed_s"]

    paused, resumed = run(scenario())
    assert paused == 40
    assert resumed == 45
