"""The shells show the problem as the session shows it: the session's kind of
interview decides what a panel may see (``InterviewSession.public_view``),
one path for the kernel and the terminal (the REST API's is in
test_server.py), and no hidden case is ever in it."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any, cast

import pytest
from rich.console import Console

from mock_interviewer_lab.cli.terminal import TerminalInterview, solution_file
from mock_interviewer_lab.coach.scripted import ScriptedCoach
from mock_interviewer_lab.harness.runner import SyncHarness
from mock_interviewer_lab.interview.clock import FakeClock
from mock_interviewer_lab.interview.session import InterviewSession
from mock_interviewer_lab.kernel.backend import EmbeddedBackend
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.settings import Settings
from mock_interviewer_lab.store import MEMORY, SessionStore

#: Inputs of two_sum's hidden cases.
TWO_SUM_HIDDEN = ("999999999", "1999999997")
MARK = "Two Sum, as the session shows it"


@pytest.fixture
def registry() -> ProblemRegistry:
    return ProblemRegistry.discover(installed=False)


@pytest.fixture
def marked_view(monkeypatch: pytest.MonkeyPatch) -> None:
    """The session's view with a title of its own: a shell that shows the
    problem's own view instead shows the problem's title."""
    original = InterviewSession.public_view

    def marked(self: InterviewSession) -> dict[str, Any]:
        return {**original(self), "title": MARK}

    monkeypatch.setattr(InterviewSession, "public_view", marked)


def test_the_hidden_inputs_are_where_the_checks_below_look(registry: ProblemRegistry) -> None:
    hidden = json.dumps([c.args for c in registry.get("two_sum").tests.cases if c.hidden])
    assert all(secret in hidden for secret in TWO_SUM_HIDDEN)


@pytest.mark.usefixtures("marked_view")
def test_the_kernel_shows_the_session_view_on_start_and_resume(
        registry: ProblemRegistry) -> None:
    # Nothing is run here: no sandbox is needed.
    backend = EmbeddedBackend(Settings(), registry=registry, store=SessionStore(MEMORY),
                              harness=cast(SyncHarness, object()), clock=FakeClock(),
                              tick_interval_s=3600)
    try:
        started = backend.start("two_sum")
        backend.session = None  # as after a kernel restart
        resumed = backend.resume(started["session"]["id"])
    finally:
        backend.close()
    for answer in (started, resumed):
        assert answer["problem"]["title"] == MARK
        assert answer["problem"]["hidden_case_count"] == 6
        text = json.dumps(answer)
        assert not any(secret in text for secret in TWO_SUM_HIDDEN)


@pytest.mark.usefixtures("marked_view")
def test_the_terminal_shows_the_session_view(registry: ProblemRegistry, tmp_path: Path) -> None:
    problem = registry.get("two_sum")
    session = InterviewSession.start(SessionStore(MEMORY), problem, Settings(), harness=None,
                                     clock=FakeClock(), registry=registry, coach=ScriptedCoach())
    out = io.StringIO()

    def no_more_lines() -> str:
        raise EOFError

    terminal = TerminalInterview(session, solution_file(tmp_path / "solution.py", problem),
                                 console=Console(file=out, width=200), poll_s=0.05,
                                 read_line=no_more_lines)
    terminal.run()
    assert session.ended
    shown = out.getvalue()
    assert MARK in shown and "(core:two_sum, easy)" in shown
    assert not any(secret in shown for secret in TWO_SUM_HIDDEN)
