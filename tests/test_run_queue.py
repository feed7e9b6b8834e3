"""The sandbox's own run queue: submissions wait there, not in the threads
every other request needs; a full queue answers 503 with Retry-After; test
runs go before growth measurements; growth is measured once per (problem,
code); ``harness.measure_growth = false`` turns it off.

The sandbox is replaced by a fake whose runs wait on a gate the test opens,
so what is checked is an order of events, never a duration.
"""

from __future__ import annotations

import asyncio
import http.server
import json
import os
import threading
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import pytest
from pytest_jupyter.jupyter_server import *  # noqa: F403
from tornado.httpclient import HTTPResponse
from traitlets.config import Config

from mock_interviewer_lab.coach.scripted import ScriptedCoach
from mock_interviewer_lab.events import Event
from mock_interviewer_lab.harness.outcome import CaseOutcome, ComplexityReport, RunResult
from mock_interviewer_lab.interview.clock import FakeClock
from mock_interviewer_lab.interview.session import InterviewSession
from mock_interviewer_lab.kernel.backend import ServerBackend, ServerBusy
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.server import services
from mock_interviewer_lab.server.run_queue import RunQueue
from mock_interviewer_lab.settings import HarnessSettings, Settings
from mock_interviewer_lab.store import SessionStore

from .conftest import write_server_settings

_T = TypeVar("_T")
Run = Callable[[Coroutine[Any, Any, _T]], _T]

RIGHT_ADD = "def add(a, b):\n    return b + a\n"
#: How long a test waits for something that must happen (never a measure).
PATIENCE_S = 60.0


# ------------------------------------------------------------ the fake


def fake_result(problem: Problem, code: str, complexity: bool) -> RunResult:
    """All cases pass for code with ``return``, none otherwise."""
    ok = "return" in code
    total = problem.total_case_count
    cases = [CaseOutcome(index=i, name=f"case {i + 1}", hidden=False, kind="io",
                         status="passed" if ok else "failed") for i in range(total)]
    report = None
    if complexity and problem.tests.performance is not None:
        report = ComplexityReport(expected=problem.tests.performance.expected,
                                  estimated=problem.tests.performance.expected,
                                  samples=[(1000, 0.001), (2000, 0.002), (4000, 0.004)],
                                  note="measured by the fake")
    return RunResult(problem=problem.id, passed=total if ok else 0,
                     failed=0 if ok else total, total=total, cases=cases, complexity=report)


class GatedHarness:
    """Stands in for SyncHarness (one per sandbox kernel): every run waits
    until the one gate opens, and the runs are recorded in the order they
    reached the sandbox."""

    gate = threading.Event()
    calls: ClassVar[list[tuple[str, bool]]] = []

    def __init__(self, *_args: Any, **_kwargs: Any) -> None:
        self.closed = False

    def start(self) -> GatedHarness:
        return self

    def run(self, problem: Problem, code: str, *, complexity: bool = True) -> RunResult:
        GatedHarness.calls.append((code, complexity))
        if not GatedHarness.gate.wait(PATIENCE_S):
            raise RuntimeError("the test never opened the gate")
        return fake_result(problem, code, complexity)

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def gated(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[GatedHarness]]:
    GatedHarness.gate = threading.Event()
    GatedHarness.calls = []
    monkeypatch.setattr(services, "SyncHarness", GatedHarness)
    yield GatedHarness
    GatedHarness.gate.set()


# ------------------------------------------------------- server fixtures


@pytest.fixture
def queue_size() -> int | None:
    """harness.run_queue_size for the server; None: the default."""
    return None


@pytest.fixture
def settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                  queue_size: int | None) -> Path:
    more = "" if queue_size is None else f"[harness]\nrun_queue_size = {queue_size}\n"
    return write_server_settings(tmp_path, monkeypatch, more=more)


@pytest.fixture  # type: ignore[no-redef]
def jp_server_config(settings_file: Path) -> Config:
    return Config({"ServerApp": {"jpserver_extensions": {"mock_interviewer_lab.server": True}}})


@pytest.fixture
def run(jp_asyncio_loop: asyncio.AbstractEventLoop) -> Run[Any]:
    return jp_asyncio_loop.run_until_complete


def _api(jp_fetch: Any, method: str, *parts: str, body: Any = None) -> Coroutine[Any, Any, Any]:
    kwargs: dict[str, Any] = {"method": method, "raise_error": False,
                              "request_timeout": PATIENCE_S}
    if body is not None:
        kwargs["body"] = json.dumps(body)
    result: Coroutine[Any, Any, Any] = jp_fetch("mock-interviewer", "api", *parts, **kwargs)
    return result


async def _new_sessions(jp_fetch: Any, count: int, problem: str = "add") -> list[str]:
    ids = []
    for _ in range(count):
        answer: HTTPResponse = await _api(jp_fetch, "POST", "sessions",
                                          body={"problem": problem, "minutes": 30})
        assert answer.code == 201, answer.body
        ids.append(json.loads(answer.body)["session"]["id"])
    return ids


async def _wait_until(predicate: Callable[[], bool]) -> None:
    for _ in range(int(PATIENCE_S / 0.02)):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the server never got there")


# ----------------------------------------------------------------- tests


def test_other_requests_answer_while_submissions_wait_for_the_sandbox(
        jp_fetch: Any, jp_serverapp: Any, http_server_client: Any, run: Run[Any],
        gated: type[GatedHarness]) -> None:
    """More waiting submissions than the default executor has threads: a
    session list and a hint are still answered while every run waits."""
    # asyncio's default executor: min(32, cores + 4) threads.
    submitted = min(32, (os.cpu_count() or 1) + 4) + 2
    http_server_client.max_clients = submitted + 8

    async def scenario() -> tuple[bool, list[int]]:
        ids = await _new_sessions(jp_fetch, submitted)
        submissions = [asyncio.ensure_future(_api(jp_fetch, "POST", "sessions", sid, "events",
                                                  body={"type": "code", "code": RIGHT_ADD}))
                       for sid in ids]
        await _wait_until(lambda: len(gated.calls) >= 1)
        # Every submission reaches the server before the other requests go.
        await asyncio.sleep(0.5)

        async def others() -> list[HTTPResponse]:
            listed = await _api(jp_fetch, "GET", "sessions")
            other = await _new_sessions(jp_fetch, 1)
            hinted = await _api(jp_fetch, "POST", "sessions", other[0], "events",
                                body={"type": "hint"})
            return [listed, hinted]

        others_task = asyncio.ensure_future(others())
        done, _ = await asyncio.wait({others_task}, timeout=PATIENCE_S / 3)
        answered_while_runs_waited = others_task in done and not gated.gate.is_set()
        gated.gate.set()
        answers = await others_task
        assert all(a.code == 200 for a in answers), [a.body for a in answers]
        results = await asyncio.gather(*submissions)
        return answered_while_runs_waited, [r.code for r in results]

    answered_while_runs_waited, codes = run(scenario())
    assert answered_while_runs_waited, "GET sessions waited for the sandbox"
    assert codes == [200] * submitted


@pytest.mark.parametrize("queue_size", [2])
def test_a_full_queue_answers_503_with_retry_after(
        jp_fetch: Any, jp_serverapp: Any, run: Run[Any], gated: type[GatedHarness]) -> None:
    async def scenario() -> tuple[HTTPResponse, list[HTTPResponse]]:
        ids = await _new_sessions(jp_fetch, 3)
        admitted = [asyncio.ensure_future(_api(jp_fetch, "POST", "sessions", sid, "events",
                                               body={"type": "code", "code": RIGHT_ADD}))
                    for sid in ids[:2]]
        service = jp_serverapp.web_app.settings["mock_interviewer_service"]
        await _wait_until(lambda: service.runs.in_flight == 2)
        refused = await _api(jp_fetch, "POST", "sessions", ids[2], "events",
                             body={"type": "code", "code": RIGHT_ADD})
        gated.gate.set()
        return refused, list(await asyncio.gather(*admitted))

    refused, admitted = run(scenario())
    assert refused.code == 503
    assert int(refused.headers["Retry-After"]) >= 1
    body = json.loads(refused.body)
    assert "busy" in body["error"] and body["retry_after_s"] >= 1 and body["queue_size"] == 2
    assert [a.code for a in admitted] == [200, 200]


# ------------------------------------------------------- queue and cache


class RecordingHarness:
    """Runs at once, or waits on ``hold`` for its first run; records the runs."""

    def __init__(self, hold_first: bool = False) -> None:
        self.calls: list[tuple[str, bool]] = []
        self.hold = threading.Event()
        self.first_started = threading.Event()
        self._hold_first = hold_first

    def run(self, problem: Problem, code: str, *, complexity: bool = True) -> RunResult:
        self.calls.append((code, complexity))
        if self._hold_first and len(self.calls) == 1:
            self.first_started.set()
            assert self.hold.wait(PATIENCE_S)
        return fake_result(problem, code, complexity)


@pytest.fixture(scope="module")
def two_sum() -> Problem:
    problem = ProblemRegistry.discover(installed=False).get("two_sum")
    assert problem.tests.performance is not None
    return problem


def _in_thread(call: Callable[[], Any]) -> threading.Thread:
    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    return thread


def test_test_runs_go_before_growth_measurements(two_sum: Problem) -> None:
    harness = RecordingHarness(hold_first=True)
    queue = RunQueue(harness, kernels=1)
    try:
        busy = _in_thread(lambda: queue.run(two_sum, "busy = 1  # return", complexity=False))
        assert harness.first_started.wait(PATIENCE_S)
        growth = _in_thread(lambda: queue.run(two_sum, "growth  # return", complexity=True))
        _wait_for(lambda: queue.depth == 1)
        tests = _in_thread(lambda: queue.run(two_sum, "tests  # return", complexity=False))
        _wait_for(lambda: queue.depth == 2)
        harness.hold.set()
        for thread in (busy, growth, tests):
            thread.join(PATIENCE_S)
    finally:
        queue.close()
    assert [code for code, _ in harness.calls] == [
        "busy = 1  # return", "tests  # return", "growth  # return"]


def test_with_two_kernels_one_is_kept_for_test_runs(two_sum: Problem) -> None:
    harness = RecordingHarness(hold_first=True)
    queue = RunQueue(harness, kernels=2)
    try:
        first = _in_thread(lambda: queue.run(two_sum, "growth 1  # return"))
        assert harness.first_started.wait(PATIENCE_S)
        second = _in_thread(lambda: queue.run(two_sum, "growth 2  # return"))
        _wait_for(lambda: queue.depth == 1)
        tests = _in_thread(lambda: queue.run(two_sum, "tests  # return", complexity=False))
        tests.join(PATIENCE_S)  # done on the other kernel while growth 1 still runs
        assert not tests.is_alive()
        assert [code for code, _ in harness.calls] == ["growth 1  # return", "tests  # return"]
        assert queue.depth == 1  # growth 2 waits for the growth kernel
        harness.hold.set()
        for thread in (first, second):
            thread.join(PATIENCE_S)
    finally:
        queue.close()
    assert [code for code, _ in harness.calls][-1] == "growth 2  # return"


def _wait_for(predicate: Callable[[], bool]) -> None:
    event = threading.Event()
    for _ in range(int(PATIENCE_S / 0.01)):
        if predicate():
            return
        event.wait(0.01)
    raise AssertionError("never happened")


def test_growth_is_measured_once_per_problem_and_code(two_sum: Problem) -> None:
    harness = RecordingHarness()
    queue = RunQueue(harness)
    try:
        first = queue.run(two_sum, "def two_sum(nums, target):\n    return []\n")
        again = queue.run(two_sum, "def two_sum(nums, target):\n    return []\n")
        other = queue.run(two_sum, "def two_sum(nums, target):\n    return [0]\n")
        tests_only = queue.run(two_sum, "def two_sum(nums, target):\n    return []\n",
                               complexity=False)
    finally:
        queue.close()
    assert [c for c in harness.calls if c[1]] == [
        ("def two_sum(nums, target):\n    return []\n", True),
        ("def two_sum(nums, target):\n    return [0]\n", True)]
    assert first.complexity is not None and again.complexity == first.complexity
    assert other.complexity is not None and tests_only.complexity is None


def _session(tmp_path: Path, problem: Problem, harness: Any, settings: Settings
             ) -> InterviewSession:
    store = SessionStore(f"sqlite:///{tmp_path / 'sessions.db'}")
    return InterviewSession.start(store, problem, settings, harness=harness, clock=FakeClock(),
                                  minutes=30, coach=ScriptedCoach())


def test_resubmitting_the_same_code_measures_growth_once(tmp_path: Path,
                                                         two_sum: Problem) -> None:
    harness = RecordingHarness()
    queue = RunQueue(harness)
    session = _session(tmp_path, two_sum, queue, Settings())
    code = "def two_sum(nums, target):\n    return []\n"
    try:
        session.submit(code)
        session.submit(code)
    finally:
        queue.close()
    events = [r for r in session.records() if isinstance(r, Event)]
    assert [e.type for e in events].count("growth_measured") == 2
    assert [c for c in harness.calls if c[1]] == [(code, True)]
    assert [c for c in harness.calls if not c[1]] == [(code, False), (code, False)]


def test_measure_growth_off_skips_the_measurement(tmp_path: Path, two_sum: Problem) -> None:
    harness = RecordingHarness()
    settings = Settings(harness=HarnessSettings(measure_growth=False))
    queue = RunQueue(harness, measure_growth=False)
    session = _session(tmp_path, two_sum, queue, settings)
    try:
        actions = session.submit("def two_sum(nums, target):\n    return []\n")
    finally:
        queue.close()
    events = [r for r in session.records() if isinstance(r, Event)]
    finished = next(e for e in events if e.type == "tests_finished")
    assert "growth" not in finished.data
    assert "growth_measured" not in [e.type for e in events]
    assert all(not complexity for _, complexity in harness.calls)
    # The coach still answers the results.
    assert any(a.type == "coach_says" for a in actions)
    # A caller asking for growth (the LLM coach's tool) gets the tests only.
    queue2 = RunQueue(RecordingHarness(), measure_growth=False)
    try:
        assert queue2.run(two_sum, "x = 1  # return").complexity is None
    finally:
        queue2.close()


def test_the_setting_reaches_the_server_session(tmp_path: Path, two_sum: Problem) -> None:
    """harness.measure_growth = false in settings.toml: the session asks for no measurement."""
    harness = RecordingHarness()
    settings = Settings(harness=HarnessSettings(measure_growth=False))
    session = _session(tmp_path, two_sum, harness, settings)
    session.submit("def two_sum(nums, target):\n    return []\n")
    assert harness.calls == [("def two_sum(nums, target):\n    return []\n", False)]


# ------------------------------------------------------- the kernel side


class _BusyThenReady(http.server.BaseHTTPRequestHandler):
    """Answers 503 (Retry-After: 0) to the first ``busy`` POSTs, then 200."""

    busy = 2
    posts: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        _BusyThenReady.posts.append(json.loads(self.rfile.read(length))["type"])
        if len(_BusyThenReady.posts) <= _BusyThenReady.busy:
            body = json.dumps({"error": "the sandbox is busy", "retry_after_s": 0}).encode()
            self.send_response(503)
            self.send_header("Retry-After", "0")
        else:
            body = json.dumps({"actions": [{"type": "show_results", "data": {}}],
                               "state": {"ended": False}}).encode()
            self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def busy_api() -> Iterator[str]:
    _BusyThenReady.posts = []
    _BusyThenReady.busy = 2
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _BusyThenReady)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/"
    server.shutdown()
    server.server_close()


def test_a_submission_is_sent_again_when_the_server_says(busy_api: str) -> None:
    backend = ServerBackend(busy_api, "token")
    backend.session_id = "s1"
    actions = backend.event("code", code=RIGHT_ADD)
    assert [a["type"] for a in actions] == ["show_results"]
    assert _BusyThenReady.posts == ["code", "code", "code"]


def test_other_events_and_a_long_wait_report_the_busy_server(busy_api: str) -> None:
    _BusyThenReady.busy = 100
    backend = ServerBackend(busy_api, "token", busy_wait_s=0.15)
    backend.session_id = "s1"
    with pytest.raises(ServerBusy, match="busy"):
        backend.event("said", text="hello")
    with pytest.raises(ServerBusy):
        backend.event("code", code=RIGHT_ADD)  # 0.1 s, 0.05 s, then the wait is used up
    assert _BusyThenReady.posts == ["said", "code", "code", "code"]
