"""The server's figures on jupyter-server's own /metrics (Prometheus text):
run queue depth, run latency, sandbox kernels and restarts, active sessions."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
from prometheus_client.parser import text_string_to_metric_families
from pytest_jupyter.jupyter_server import *  # noqa: F403
from tornado.httpclient import HTTPResponse
from traitlets.config import Config

from mock_interviewer_lab.harness.outcome import RunResult
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.server import services

from .conftest import write_server_settings
from .test_run_queue import fake_result

_T = TypeVar("_T")
Run = Callable[[Coroutine[Any, Any, _T]], _T]
RIGHT = "def add(a, b):\n    return b + a\n"
PATIENCE_S = 60.0


@pytest.fixture
def settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return write_server_settings(tmp_path, monkeypatch, more=(
        "[harness]\ntimeout_ms = 2000\nrun_timeout_ms = 15000\ncpu_seconds = 6\n"
        "memory_mb = 256\n"))


@pytest.fixture  # type: ignore[no-redef]
def jp_server_config(settings_file: Path) -> Config:
    # One sandbox kernel: the queue's figures below count on it.
    return Config({"ServerApp": {"jpserver_extensions": {"mock_interviewer_lab.server": True}},
                   "MockInterviewerApp": {"harness_workers": 1}})


@pytest.fixture
def run(jp_asyncio_loop: asyncio.AbstractEventLoop) -> Run[Any]:
    return jp_asyncio_loop.run_until_complete


async def scrape(jp_fetch: Any) -> dict[str, float]:
    """/metrics as {sample name{labels}: value}, ours only."""
    answer: HTTPResponse = await jp_fetch("metrics", method="GET")
    assert answer.code == 200
    values: dict[str, float] = {}
    for family in text_string_to_metric_families(answer.body.decode()):
        for sample in family.samples:
            if not sample.name.startswith("mock_interviewer_"):
                continue
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            values[sample.name + (f"{{{labels}}}" if labels else "")] = sample.value
    return values


async def api(jp_fetch: Any, method: str, *parts: str, body: Any = None) -> HTTPResponse:
    kwargs: dict[str, Any] = {"method": method, "raise_error": False,
                              "request_timeout": PATIENCE_S}
    if body is not None:
        kwargs["body"] = json.dumps(body)
    answer: HTTPResponse = await jp_fetch("mock-interviewer", "api", *parts, **kwargs)
    return answer


async def new_session(jp_fetch: Any) -> str:
    answer = await api(jp_fetch, "POST", "sessions", body={"problem": "add", "minutes": 30})
    assert answer.code == 201, answer.body
    session_id: str = json.loads(answer.body)["session"]["id"]
    return session_id


def test_metrics_show_runs_sandbox_and_sessions(jp_fetch: Any, jp_serverapp: Any,
                                                run: Run[Any]) -> None:
    """A real sandbox run: its latency, the kernel it started, the session."""

    async def scenario() -> tuple[dict[str, float], dict[str, float]]:
        before = await scrape(jp_fetch)
        session_id = await new_session(jp_fetch)
        answer = await api(jp_fetch, "POST", "sessions", session_id, "events",
                           body={"type": "code", "code": RIGHT})
        assert answer.code == 200, answer.body
        return before, await scrape(jp_fetch)

    before, after = run(scenario())
    tests_count = 'mock_interviewer_run_seconds_count{kind="tests"}'
    assert after[tests_count] == before.get(tests_count, 0.0) + 1
    assert after['mock_interviewer_run_seconds_bucket{kind="tests",le="+Inf"}'] >= 1
    assert after["mock_interviewer_sandbox_starts_total"] == \
        before.get("mock_interviewer_sandbox_starts_total", 0.0) + 1
    assert after["mock_interviewer_sandbox_kernels_running"] >= 1
    assert after["mock_interviewer_active_sessions"] >= 1
    assert after["mock_interviewer_run_queue_depth"] == 0
    assert "mock_interviewer_sandbox_restarts_total" in after


class BlockingHarness:
    """Runs wait for ``gate``; the first result says the sandbox failed."""

    gate = threading.Event()
    started = threading.Semaphore(0)
    failed_once = False

    def __init__(self, *_args: Any, **_kwargs: Any) -> None:
        pass

    def start(self) -> BlockingHarness:
        return self

    def run(self, problem: Problem, code: str, *, complexity: bool = True) -> RunResult:
        BlockingHarness.started.release()
        assert BlockingHarness.gate.wait(PATIENCE_S)
        result = fake_result(problem, code, complexity)
        if not BlockingHarness.failed_once:
            BlockingHarness.failed_once = True
            result._sandbox_failed = True  # what the harness reports before restarting a kernel
            result.error = "the sandbox kernel died during the run; a new one has been started"
        return result

    def close(self) -> None:
        BlockingHarness.gate.set()


def test_metrics_show_the_queue_depth_and_restarts(jp_fetch: Any, jp_serverapp: Any,
                                                    run: Run[Any],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "SyncHarness", BlockingHarness)
    BlockingHarness.gate = threading.Event()
    BlockingHarness.started = threading.Semaphore(0)
    BlockingHarness.failed_once = False
    service = jp_serverapp.web_app.settings["mock_interviewer_service"]

    async def scenario() -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
        before = await scrape(jp_fetch)
        ids = [await new_session(jp_fetch) for _ in range(3)]
        posts = [asyncio.ensure_future(api(jp_fetch, "POST", "sessions", sid, "events",
                                           body={"type": "code", "code": RIGHT}))
                 for sid in ids]
        for _ in range(int(PATIENCE_S / 0.02)):
            if service.runs.depth == 2:
                break
            await asyncio.sleep(0.02)
        waiting = await scrape(jp_fetch)
        BlockingHarness.gate.set()
        answers = await asyncio.gather(*posts)
        assert [a.code for a in answers] == [200, 200, 200]
        return before, waiting, await scrape(jp_fetch)

    try:
        before, waiting, after = run(scenario())
    finally:
        BlockingHarness.gate.set()
    assert waiting["mock_interviewer_run_queue_depth"] == 2
    assert waiting["mock_interviewer_runs_in_progress"] == 1
    assert waiting["mock_interviewer_submissions_in_flight"] == 3
    assert after["mock_interviewer_run_queue_depth"] == 0
    assert after["mock_interviewer_sandbox_restarts_total"] == \
        before.get("mock_interviewer_sandbox_restarts_total", 0.0) + 1
    assert after["mock_interviewer_active_sessions"] >= 3
