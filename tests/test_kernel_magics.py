"""The kernel side: %interview and %%solution in an IPython shell with the
embedded backend, the panel on crafted actions, and the server client
against a small fake of docs/api.md."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar, cast

import pytest
import tornado.web
import tornado.websocket
from IPython.core.interactiveshell import InteractiveShell

from mock_interviewer_lab.kernel import load
from mock_interviewer_lab.kernel.backend import (
    BackendError,
    EmbeddedBackend,
    NoSession,
    ServerBackend,
    ServerUnavailable,
    choose_backend,
)
from mock_interviewer_lab.kernel.magics import InterviewMagics
from mock_interviewer_lab.kernel.panel import Panel, simple_markdown
from mock_interviewer_lab.problems.registry import UnknownProblem
from mock_interviewer_lab.protocol import TOKEN_HEADER

WRONG = "def two_sum(nums, target):\n    return [0, 1]\n"
RIGHT = ("def two_sum(nums, target):\n    seen = {}\n    for i, x in enumerate(nums):\n"
         "        if target - x in seen:\n            return [seen[target - x], i]\n"
         "        seen[x] = i\n")


# ------------------------------------------------------------ the shell


def solution(ip: InteractiveShell, code: str) -> None:
    """Run a %%solution cell (IPython's own method is untyped)."""
    run_cell_magic: Any = ip.run_cell_magic
    run_cell_magic("solution", "", code)


@pytest.fixture(scope="module")
def settings_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kernel")
    path = folder / "settings.toml"
    path.write_text(f'[app]\nsession_db = "sqlite:///{folder}/sessions.db"\n')
    return path


@pytest.fixture(scope="module")
def magics(settings_file: Path) -> Iterator[InterviewMagics]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MOCK_INTERVIEWER_SETTINGS", str(settings_file))
        mp.delenv("MOCK_INTERVIEWER_URL", raising=False)
        shell = InteractiveShell.instance()
        loaded = load(shell)
        loaded.show_panels = False  # no display and no countdown thread in tests
        yield loaded
        if loaded._backend is not None:
            loaded._backend.close()


@pytest.fixture
def ip(magics: InterviewMagics) -> Iterator[InteractiveShell]:
    shell = magics.shell
    assert isinstance(shell, InteractiveShell)
    yield shell
    if magics._backend is not None and magics._backend.active:
        magics._backend.event("end", reason="candidate")


def test_interview_starts_an_embedded_session_and_sets_the_solution_stub(
        ip: InteractiveShell, magics: InterviewMagics, settings_file: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    ip.rl_next_input = None
    ip.run_line_magic("interview", "two_sum --minutes 30")
    backend = magics.backend
    assert isinstance(backend, EmbeddedBackend)
    assert backend.active
    assert str(settings_file.parent) in backend.store.path
    assert ip.rl_next_input is not None
    assert ip.rl_next_input.startswith("%%solution\ndef two_sum(nums: list[int], target: int)")
    assert magics.panel is not None
    assert "Two Sum" in magics.panel.title.value
    assert magics.panel.phase == "intro"
    assert any(speaker == "coach" for _, speaker, _ in magics.panel.transcript)
    time_left = magics.backend.state()["time_left_s"]
    assert 25 * 60 < time_left <= 30 * 60
    assert "write your solution" in capsys.readouterr().out


def test_wrong_then_right_solution_updates_the_results(
        ip: InteractiveShell, magics: InterviewMagics, capsys: pytest.CaptureFixture[str]) -> None:
    ip.run_line_magic("interview", "two_sum")
    assert magics.panel is not None
    assert "No tests run yet" in magics.panel.results.value
    solution(ip, WRONG)
    first = magics.panel.results.value
    assert "2 of 9 tests passed" in first
    assert "0 of 6 hidden tests passed" in first
    assert "wrong answer" in first
    assert ip.user_ns["two_sum"]([2, 7], 9) == [0, 1]  # the cell also ran in the kernel
    solution(ip, RIGHT)
    second = magics.panel.results.value
    assert "9 of 9 tests passed" in second
    assert "6 of 6 hidden tests passed" in second
    out = capsys.readouterr().out
    assert "tests: 2 of 9 passed" in out and "tests: 9 of 9 passed" in out


def test_hint_and_say_update_the_panel(ip: InteractiveShell, magics: InterviewMagics) -> None:
    ip.run_line_magic("interview", "two_sum")
    panel = magics.panel
    assert panel is not None
    assert panel.hint_label.value == "hint 0 of 3"
    ip.run_line_magic("interview", "hint")
    assert panel.hint_label.value == "hint 1 of 3"
    before = len(panel.transcript)
    ip.run_line_magic("interview", 'say "Can the numbers be <script>alert(1)</script>?"')
    assert len(panel.transcript) >= before + 2  # the candidate's line and the coach's answer
    assert ("candidate", "Can the numbers be <script>alert(1)</script>?") in [
        (speaker, text) for _, speaker, text in panel.transcript]
    assert "<script>" not in panel.transcript_html.value
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in panel.transcript_html.value


def test_end_shows_the_report(ip: InteractiveShell, magics: InterviewMagics,
                              capsys: pytest.CaptureFixture[str]) -> None:
    ip.run_line_magic("interview", "two_sum")
    panel = magics.panel
    assert panel is not None
    ip.run_line_magic("interview", "end")
    assert not magics.backend.active
    assert panel.ended
    # The panel keeps a summary; the whole report is %interview report's.
    assert "<h4>Report</h4>" in panel.report.value and "Test runs" in panel.report.value
    assert "Records cited" not in panel.report.value
    assert "<style>" not in panel.report.value
    capsys.readouterr()
    ip.run_line_magic("interview", "report md")
    assert "Two Sum" in capsys.readouterr().out
    ip.run_line_magic("interview", "status")
    assert "ended" in capsys.readouterr().out


def test_status_list_and_resume(ip: InteractiveShell, magics: InterviewMagics,
                                capsys: pytest.CaptureFixture[str]) -> None:
    ip.run_line_magic("interview", "two_sum")
    ip.run_line_magic("interview", 'say "hello there"')
    backend = magics.backend
    assert isinstance(backend, EmbeddedBackend) and backend.session is not None
    session_id = backend.session.info.id
    capsys.readouterr()
    ip.run_line_magic("interview", "status")
    assert "phase " in capsys.readouterr().out
    ip.run_line_magic("interview", "list")
    assert session_id in capsys.readouterr().out
    # As after a kernel restart: no session in memory, the open one in the store.
    backend.session = None
    ip.run_line_magic("interview", f"resume {session_id}")
    assert "resumed " + session_id in capsys.readouterr().out
    assert magics.panel is not None
    assert ("candidate", "hello there") in [(s, t) for _, s, t in magics.panel.transcript]


def test_the_user_errors_are_one_line(ip: InteractiveShell, magics: InterviewMagics,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    if magics._backend is not None and magics._backend.active:
        magics._backend.event("end")
    capsys.readouterr()
    solution(ip, "x_from_solution = 1\n")
    err = capsys.readouterr().err
    assert err.startswith("interview: no interview is running") and err.count("\n") == 1
    assert "x_from_solution" not in ip.user_ns
    ip.run_line_magic("interview", "twosum")
    err = capsys.readouterr().err
    assert "unknown problem 'twosum'" in err and "two_sum" in err and err.count("\n") == 1
    assert "Traceback" not in err
    ip.run_line_magic("interview", "two_sum")
    ip.run_line_magic("interview", "three_sum")
    err = capsys.readouterr().err
    assert "already running" in err and "before starting three_sum" in err
    assert err.count("\n") == 1
    ip.run_line_magic("interview", "two_sum --mode fast")
    assert "invalid choice" in capsys.readouterr().err


def test_say_takes_the_rest_of_the_line_as_typed(ip: InteractiveShell, magics: InterviewMagics,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Through IPython's own input transformation (run_cell, as a notebook
    cell runs): a trailing "?" is no help request, an apostrophe no quote."""
    ip.run_line_magic("interview", "two_sum")
    panel = magics.panel
    assert panel is not None
    capsys.readouterr()
    for cell in ("%interview say can the string be empty?", "%interview say it's fine",
                 '%interview say "can it be negative?"', "  %interview say what's n??"):
        assert ip.run_cell(cell).success
    said = [text for _, speaker, text in panel.transcript if speaker == "candidate"]
    assert said[-4:] == ["can the string be empty?", "it's fine", "can it be negative?",
                         "what's n??"]
    out = capsys.readouterr()
    assert "not found" not in out.out + out.err and "quotation" not in out.out + out.err
    # The transformation itself: the magic's call, the line as typed.
    assert ip.transform_cell("%interview say can it be empty?") == \
        "get_ipython().run_line_magic('interview', 'say can it be empty?')\n"
    # "%interview?" alone still asks IPython for the magic's help, and a
    # %%solution cell is left to its magic.
    assert "pinfo" in ip.transform_cell("%interview?")
    cell = "%%solution\n%interview say x?\n"
    assert ip.transform_cell(cell) == ip.input_transformer_manager.transform_cell(cell)
    assert "run_line_magic('interview'" not in ip.transform_cell(cell)


def test_help_lists_the_sub_commands_and_options(ip: InteractiveShell,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from mock_interviewer_lab.kernel.magics import SUBCOMMANDS

    for asked in ("help", "--help", "-h"):
        capsys.readouterr()
        ip.run_line_magic("interview", asked)
        out, err = capsys.readouterr()
        assert err == "" and "unknown problem" not in out
        commands = " ".join(line.split("  ")[0] for line in out.splitlines())
        assert all(command in commands for command in SUBCOMMANDS)
        assert "%interview report [html|md|json|ipynb]" in out
        assert "--minutes MINUTES" in out and "--mode {normal,tdd} (default normal)" in out
        assert "--stage {" in out and "--adversarial" in out


def test_difficulty_alone_picks_a_problem_of_that_difficulty(
        ip: InteractiveShell, magics: InterviewMagics) -> None:
    ip.run_line_magic("interview", "--difficulty hard")
    assert magics.panel is not None
    assert magics.panel.problem["difficulty"] == "hard"


def test_interview_alone_lists_the_problems(ip: InteractiveShell,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    ip.run_line_magic("interview", "")
    out = capsys.readouterr().out
    assert "two_sum" in out and "Trapping Rain Water" in out


# -------------------------------------------------------------- the panel


PROBLEM = {"id": "p", "title": "A <b>title</b>", "difficulty": "easy",
           "statement": "Return **the sum** of `a` and <img src=x onerror=alert(1)>.\n\n- one\n- two",
           "examples": [{"input": "a = 1", "output": "2", "explanation": "<i>"}],
           "constraints": ["1 <= a"], "signature": "def f(a): ..."}


def action(type_: str, data: dict[str, Any], seq: int, t: float = 0.0) -> dict[str, Any]:
    return {"kind": "action", "type": type_, "t": t, "data": data, "seq": seq, "cause": None}


def test_panel_escapes_everything_it_shows() -> None:
    panel = Panel(PROBLEM)
    assert "<b>title</b>" not in panel.title.value and "&lt;b&gt;title" in panel.title.value
    assert "<img" not in panel.statement.value and "&lt;img" in panel.statement.value
    # The markdown package (a test extra) or simple_markdown: either markup.
    statement = panel.statement.value.replace("\n", "")
    assert ("<b>the sum</b>" in statement or "<strong>the sum</strong>" in statement)
    assert "<code>a</code>" in statement
    assert "<ul><li>one</li><li>two</li></ul>" in statement
    panel.add_line("candidate", "<script>alert('x')</script>", 5)
    panel.apply(action("coach_says", {"text": "Try <b>this</b> & that", "kind": "question"}, 1, 65))
    html = panel.transcript_html.value
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;this&lt;/b&gt; &amp; that" in html and "01:05" in html


def test_panel_applies_each_kind_of_action_once() -> None:
    panel = Panel(PROBLEM, on_export=lambda: None)
    panel.apply(action("phase_changed", {"from": "intro", "to": "coding"}, 1))
    assert panel.phase == "coding"
    assert "font-weight:bold" in panel.phase_labels["coding"].value
    assert "font-weight:bold" not in panel.phase_labels["intro"].value
    hint = action("show_hint", {"level": 2, "of": 3, "text": "<think>", "label": "hint 2 of 3"}, 2)
    panel.apply(hint)
    assert panel.hint_label.value == "hint 2 of 3" and "&lt;think&gt;" in panel.hint_text.value
    say = action("coach_says", {"text": "again", "kind": "nudge"}, 3)
    panel.apply(say)
    panel.apply(say)  # delivered twice (POST answer and WebSocket): shown once
    assert [text for _, _, text in panel.transcript] == ["again"]
    panel.apply(action("time_warning", {"minutes_left": 5}, 4))
    assert "warned at 5 min" in panel.countdown_text()
    cases = [
        {"name": "<ex>", "hidden": False, "status": "failed", "args": [[1], 2], "kwargs": {},
         "expected": [0], "got": "<x>", "got_repr": "'<x>'", "message": "wrong answer"},
        {"name": "hidden case 2", "hidden": True, "status": "passed"},
        {"name": "hidden case 3", "hidden": True, "status": "failed"},
    ]
    panel.apply(action("show_results", {"passed": 1, "failed": 2, "total": 3, "cases": cases}, 5))
    results = panel.results.value
    assert "&lt;ex&gt;" in results and "&#x27;&lt;x&gt;&#x27;" in results
    assert "1 of 2 hidden tests passed" in results and "hidden case" not in results
    panel.apply(action("coach_says", {"text": "What is the <time> complexity?",
                                      "kind": "complexity"}, 6))
    assert "&lt;time&gt; complexity" in panel.complexity.value
    panel.apply(action("complexity_checked", {"claimed_time": "O(n)", "claimed_space": "O(1)",
                                              "correct": True}, 7))
    assert "You said O(n) time" in panel.complexity.value
    panel.apply(action("report_ready", {"strengths": [{"text": "<asked> first"}]}, 8))
    assert panel.ended and "&lt;asked&gt; first" in panel.report.value
    assert panel.export_button.layout.display == ""


def test_panel_state_and_countdown_from_the_last_known_time() -> None:
    now = [100.0]
    panel = Panel(PROBLEM, clock=lambda: now[0])
    panel.set_state({"phase": "testing", "ended": False, "time_left_s": 600.0,
                     "phase_budget_left_s": 120.0, "hint": {"level": 1, "of": 3,
                                                           "label": "hint 1 of 3"},
                     "last_results": {"passed": 1, "total": 1, "cases": []}, "mode": "normal"})
    assert panel.countdown_text() == "10:00 left · this phase 02:00"
    now[0] += 61
    assert panel.countdown_text() == "08:59 left · this phase 00:59"
    assert panel.hint_label.value == "hint 1 of 3"
    assert "1 of 1 tests passed" in panel.results.value


def test_panel_buttons_call_back() -> None:
    said: list[str] = []
    hints: list[bool] = []
    panel = Panel(PROBLEM, on_say=said.append, on_hint=lambda: hints.append(True))
    panel.message_box.value = "  my idea  "
    panel.send_button.click()
    panel.hint_button.click()
    assert said == ["my idea"] and hints == [True] and panel.message_box.value == ""


def test_simple_markdown_keeps_code_blocks_escaped() -> None:
    out = simple_markdown("# Title\n\n```\nif a < b:\n    pass\n```\n1. first\n2. second")
    assert "<h4>Title</h4>" in out
    assert "<pre><code>if a &lt; b:\n    pass</code></pre>" in out
    assert "<ol><li>first</li><li>second</li></ol>" in out


# --------------------------------------------------------- the server client


TOKEN = "s3cret"
STATE = {"phase": "intro", "ended": False, "elapsed_s": 0.0, "time_left_s": 2700.0,
         "phase_budget_left_s": 120.0, "hint": {"level": 0, "of": 3, "label": "hint 0 of 3"},
         "last_results": None, "mode": "normal"}
INFO = {"id": "20260101-0000-abcd", "problem": "core:two_sum", "created_at": "2026-01-01T00:00:00",
        "status": "open", "meta": {}, "last_t": 0.0, "record_count": 3}
PUBLIC = {"id": "two_sum", "qualified_id": "core:two_sum", "title": "Two Sum",
          "difficulty": "easy", "statement": "s", "signature": "def two_sum(nums, target): ..."}


class FakeApi(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str, Any]]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, code: int, body: Any, kind: str = "application/json") -> None:
        raw = (json.dumps(body) if kind == "application/json" else str(body)).encode()
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _route(self, method: str) -> None:
        path = self.path.removeprefix("/mock-interviewer/api/")
        length = int(self.headers.get("Content-Length") or 0)
        body: Any = json.loads(self.rfile.read(length)) if length else {}
        FakeApi.seen.append((method, path, body))
        if self.headers.get(TOKEN_HEADER) != TOKEN:
            self._send(403, {"error": "forbidden"})
        elif (method, path) == ("GET", "problems"):
            self._send(200, {"problems": [{"id": "two_sum", "qualified_id": "core:two_sum",
                                           "title": "Two Sum", "difficulty": "easy",
                                           "pack": "core", "visible_cases": 3,
                                           "hidden_cases": 6}]})
        elif (method, path) == ("POST", "sessions"):
            if body["problem"] != "two_sum":
                self._send(404, {"error": f"unknown problem {body['problem']!r}",
                                 "suggestions": ["two_sum"]})
                return
            say = {"kind": "action", "type": "coach_says", "t": 0.0, "seq": 2, "cause": 0,
                   "data": {"text": "Welcome", "kind": "intro"}}
            self._send(201, {"session": INFO, "problem": PUBLIC, "state": STATE,
                             "actions": [say]})
        elif method == "POST" and path.endswith("/events"):
            show = {"kind": "action", "type": "show_hint", "t": 1.0, "seq": 4, "cause": 3,
                    "data": {"level": 1, "of": 3, "text": "think", "label": "hint 1 of 3"}}
            self._send(200, {"actions": [show], "state": STATE})
        elif (method, path) == ("GET", "sessions"):
            self._send(200, {"sessions": [INFO]})
        elif (method, path) == ("GET", f"sessions/{INFO['id']}"):
            self._send(200, {"session": INFO, "state": STATE})
        elif (method, path) == ("GET", "problems/core%3Atwo_sum"):
            self._send(200, PUBLIC)
        elif method == "GET" and "/report?format=md" in path:
            self._send(200, "# Report", kind="text/markdown")
        else:
            self._send(404, {"error": "no such route"})

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")


@pytest.fixture
def fake_api() -> Iterator[str]:
    FakeApi.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/mock-interviewer/api/"
    server.shutdown()
    server.server_close()
    thread.join()


def test_server_backend_speaks_the_api_with_the_token(fake_api: str) -> None:
    backend = ServerBackend(fake_api, TOKEN)
    assert backend.ping()
    assert backend.problems()[0]["id"] == "two_sum"
    snapshot = backend.start("two_sum", minutes=30, mode="tdd", coach={"helpfulness": "gentle"})
    assert snapshot["problem"]["signature"].startswith("def two_sum")
    assert backend.active and backend.session_id == INFO["id"]
    assert ("POST", "sessions", {"problem": "two_sum", "minutes": 30, "mode": "tdd",
                                 "coach": {"helpfulness": "gentle"}}) in FakeApi.seen
    actions = backend.event("hint")
    assert actions[0]["data"]["label"] == "hint 1 of 3"
    assert ("POST", f"sessions/{INFO['id']}/events", {"type": "hint"}) in FakeApi.seen
    assert backend.state()["phase"] == "intro"
    assert backend.report("md") == "# Report"
    assert backend.sessions()[0]["id"] == INFO["id"]
    resumed = backend.resume()
    assert resumed["problem"]["title"] == "Two Sum" and resumed["state"] == STATE
    with pytest.raises(BackendError, match="unknown report format"):
        backend.report("pdf")


def test_server_backend_errors(fake_api: str) -> None:
    with pytest.raises(BackendError, match="refused the kernel's token"):
        ServerBackend(fake_api, "wrong").problems()
    backend = ServerBackend(fake_api, TOKEN)
    with pytest.raises(NoSession):
        backend.event("hint")
    with pytest.raises(UnknownProblem) as caught:
        backend.start("twosum")
    assert caught.value.suggestions == ["two_sum"]
    gone = ServerBackend("http://127.0.0.1:9/api/", TOKEN, timeout_s=2)
    with pytest.raises(ServerUnavailable, match="resumes when it is back"):
        gone.problems()


def test_choose_backend_uses_a_server_that_answers_else_embedded(
        fake_api: str, monkeypatch: pytest.MonkeyPatch, settings_file: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    said: list[str] = []
    monkeypatch.setenv("MOCK_INTERVIEWER_SETTINGS", str(settings_file))
    monkeypatch.setenv("MOCK_INTERVIEWER_URL", fake_api)
    monkeypatch.setenv("MOCK_INTERVIEWER_TOKEN", TOKEN)
    with caplog.at_level(logging.DEBUG, logger="mock_interviewer_lab.kernel.backend"):
        chosen = choose_backend(announce=said.append)
    assert isinstance(chosen, ServerBackend) and chosen.token == TOKEN
    # The server is the expected case: nothing said, its address in the debug log only.
    assert said == [] and fake_api in caplog.text
    monkeypatch.setenv("MOCK_INTERVIEWER_URL", "http://127.0.0.1:9/mock-interviewer/api/")
    fallback = choose_backend(announce=said.append, timeout_s=1)
    assert isinstance(fallback, EmbeddedBackend)
    fallback.close()
    monkeypatch.delenv("MOCK_INTERVIEWER_URL")
    assert isinstance(choose_backend(announce=said.append), EmbeddedBackend)
    assert len(said) == 2
    assert "does not answer" in said[0] and "inside this kernel" in said[1]


def test_magics_with_a_server_that_went_away(
        fake_api: str, capsys: pytest.CaptureFixture[str]) -> None:
    backend = ServerBackend(fake_api, TOKEN)
    shell = InteractiveShell.instance()
    magics = InterviewMagics(shell, backend_factory=lambda: backend)
    magics.show_panels = False
    interview = cast(Any, magics).interview
    interview("two_sum")
    assert magics.panel is not None and magics.panel.transcript[0][2] == "Welcome"
    backend.url = "http://127.0.0.1:9/gone/"
    capsys.readouterr()
    interview("hint")
    err = capsys.readouterr().err
    assert "not answering" in err and "resumes when it is back" in err
    assert err.count("\n") == 1
    backend.close()


class FakeSocket(tornado.websocket.WebSocketHandler):
    connections: ClassVar[list[str | None]] = []

    def open(self, session_id: str) -> None:
        FakeSocket.connections.append(self.request.headers.get(TOKEN_HEADER))
        self.write_message(json.dumps({"type": "snapshot", "state": STATE, "transcript": []}))
        count = len(FakeSocket.connections)
        self.write_message(json.dumps({"type": "action", "action": {
            "kind": "action", "type": "coach_says", "t": 1.0, "seq": 10 + count, "cause": None,
            "data": {"text": f"pushed {count}", "kind": "nudge"}}}))
        if count == 1:
            self.close()  # the server goes away once: the client must come back


def test_websocket_subscription_delivers_and_reconnects() -> None:
    FakeSocket.connections = []
    ready = threading.Event()
    loop = asyncio.new_event_loop()
    port: list[int] = []

    def serve() -> None:
        asyncio.set_event_loop(loop)
        app = tornado.web.Application([(r"/api/sessions/([^/]+)/ws", FakeSocket)])
        server = app.listen(0, address="127.0.0.1")
        port.append(next(iter(server._sockets.values())).getsockname()[1])
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(5)
    received: list[dict[str, Any]] = []
    second = threading.Event()

    def collect(item: dict[str, Any]) -> None:
        received.append(item)
        if item.get("data", {}).get("text") == "pushed 2":
            second.set()

    backend = ServerBackend(f"http://127.0.0.1:{port[0]}/api/", TOKEN, max_backoff_s=0.5)
    backend.session_id = "s1"
    backend.subscribe(collect)
    try:
        assert second.wait(10), received
    finally:
        backend.close()
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
    assert FakeSocket.connections[:2] == [TOKEN, TOKEN]
    texts = [r["data"]["text"] for r in received if r.get("type") == "coach_says"]
    assert texts[:2] == ["pushed 1", "pushed 2"]
    assert received[0]["type"] == "snapshot"
    panel = Panel(PROBLEM)
    for item in received:
        panel.apply(item)
    assert panel.phase == "intro" and len(panel.transcript) >= 2


def test_panel_countdown_ticks_on_its_own_thread() -> None:
    now = [0.0]
    panel = Panel(PROBLEM, clock=lambda: now[0])
    panel.set_state({"phase": "coding", "ended": False, "time_left_s": 300.0,
                     "phase_budget_left_s": None, "hint": {}, "last_results": None})
    assert "05:00 left" in panel.countdown.value
    now[0] = 30.0
    changed = threading.Event()
    panel.countdown.observe(lambda change: changed.set(), names="value")
    panel.start_ticking(interval_s=0.01)
    try:
        assert changed.wait(5)
    finally:
        panel.close()
    assert "04:30 left" in panel.countdown.value


def test_coach_option_reaches_the_session(ip: InteractiveShell, magics: InterviewMagics) -> None:
    ip.run_line_magic("interview", "two_sum --coach insistent --mode tdd")
    backend = magics.backend
    assert isinstance(backend, EmbeddedBackend) and backend.session is not None
    assert backend.session.info.meta["coach"]["helpfulness"] == "insistent"
    assert backend.state()["mode"] == "tdd"


def test_model_and_api_base_options_reach_the_session_and_local_only_refuses(
        ip: InteractiveShell, magics: InterviewMagics) -> None:
    ip.run_line_magic("interview", "two_sum --model openai/gpt-4o-mini "
                                   "--api-base 'https://api.example.com/v1'")
    backend = magics.backend
    assert isinstance(backend, EmbeddedBackend) and backend.session is not None
    assert backend.session.info.meta["llm"] == {"model": "openai/gpt-4o-mini",
                                                "api_base": "https://api.example.com/v1"}
    assert backend.session.settings.llm.model == "openai/gpt-4o-mini"
    # privacy.local_only (on by default) refuses the remote model: the
    # scripted coach speaks, and says why.
    notices = [r.data for r in backend.session.records() if r.type == "coach_fallback"]
    assert len(notices) == 1 and notices[0]["reason"] == "unavailable"
    assert "privacy.local_only" in notices[0]["detail"]


def test_server_backend_sends_the_llm_choices(fake_api: str) -> None:
    backend = ServerBackend(fake_api, TOKEN)
    backend.start("two_sum", llm={"model": "ollama/llama3.1", "api_base": "http://127.0.0.1:1/v1"})
    # no minutes named: the server's default_minutes (or the class's) decides
    assert ("POST", "sessions", {"problem": "two_sum", "mode": "normal",
                                 "llm": {"model": "ollama/llama3.1",
                                         "api_base": "http://127.0.0.1:1/v1"}}) in FakeApi.seen


def test_a_follow_up_problem_gets_the_panel_and_a_new_stub_cell(
        ip: InteractiveShell, magics: InterviewMagics) -> None:
    """An optimal solution early, the edge cases and the trade-off answered:
    the harder variant comes as a second problem, in the panel and in a new
    %%solution cell, and its code is tested against its own tests."""
    ip.run_line_magic("interview", "two_sum")
    panel = magics.panel
    assert panel is not None
    ip.run_line_magic("interview", 'say "It runs in O(n) time and O(n) space with a hash map."')
    solution(ip, RIGHT)
    ip.rl_next_input = None
    ip.run_line_magic("interview", 'say "I would add tests for negative numbers and [3, 3]."')
    ip.run_line_magic("interview", 'say "I trade O(n) memory for a single pass over the list."')
    assert "Follow-up: 3Sum" in panel.title.value
    assert "every distinct triplet" in panel.statement.value
    assert ip.rl_next_input is not None and ip.rl_next_input.startswith(
        "%%solution\ndef three_sum(")
    ip.rl_next_input = None
    ip.run_line_magic("interview", "stub")
    assert ip.rl_next_input is not None and ip.rl_next_input.startswith("%%solution\ndef three_sum")
    solution(ip, "def three_sum(nums):\n    return []\n")
    assert "of 16 tests passed" in panel.results.value
