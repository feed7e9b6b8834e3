"""Bad input of every kind, from a browser, a kernel, a WebSocket or the
command line: a clear 400 (or 413/503) JSON error naming the field, one line
in the log, one line on stderr with exit code 2 — never a 500, a traceback,
a dropped socket, a secret in the log or a filesystem path in an answer.

The server tests run a real jupyter-server with the extension
(pytest-jupyter), as tests/test_server.py does.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_jupyter.jupyter_server import *  # noqa: F403
from tornado.httpclient import HTTPClientError, HTTPResponse
from traitlets.config import Config

from mock_interviewer_lab.limits import MAX_CODE_BYTES, MAX_SAID_BYTES
from mock_interviewer_lab.protocol import TOKEN_ENV, TOKEN_HEADER
from mock_interviewer_lab.server import MockInterviewerApp

from .conftest import PROBE_PACK, write_server_settings

_T = TypeVar("_T")
Run = Callable[[Awaitable[_T]], _T]

NESTED = "[" * 100_000 + "]" * 100_000
NESTED_OBJECT = '{"type": ' + NESTED + "}"


# --------------------------------------------------------------- fixtures


@pytest.fixture
def settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return write_server_settings(tmp_path, monkeypatch, more=(
        "[harness]\ntimeout_ms = 2000\nrun_timeout_ms = 15000\ncpu_seconds = 6\n"
        "memory_mb = 256\n"))


@pytest.fixture  # type: ignore[no-redef]
def jp_server_config(settings_file: Path) -> Config:
    return Config({"ServerApp": {"jpserver_extensions": {"mock_interviewer_lab.server": True}}})


@pytest.fixture
def run(jp_asyncio_loop: asyncio.AbstractEventLoop) -> Run[Any]:
    return jp_asyncio_loop.run_until_complete


@pytest.fixture
def api(jp_fetch: Any, run: Run[Any]) -> Callable[..., HTTPResponse]:
    """``api("GET", "problems")`` as the Jupyter user; errors are returned."""

    def call(method: str, *parts: str, body: Any = None, **kwargs: Any) -> HTTPResponse:
        if body is not None:
            kwargs["body"] = body if isinstance(body, (str, bytes)) else json.dumps(body)
        response: HTTPResponse = run(jp_fetch("mock-interviewer", "api", *parts,
                                              method=method, raise_error=False, **kwargs))
        return response

    return call


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def text(self) -> str:
        formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
        return "\n".join(formatter.format(r) for r in self.records)


@pytest.fixture
def server_log(jp_serverapp: Any) -> Iterator[_Lines]:
    """Everything the server and tornado log (tracebacks formatted in)."""
    lines = _Lines()
    app = jp_serverapp.extension_manager.extension_points["mock_interviewer_lab"].app
    loggers = {logging.getLogger(), logging.getLogger("tornado"), jp_serverapp.log, app.log}
    for logger in loggers:
        logger.addHandler(lines)
    yield lines
    for logger in loggers:
        logger.removeHandler(lines)


def as_json(response: HTTPResponse) -> Any:
    assert response.headers.get("Content-Type", "").startswith("application/json"), \
        (response.code, response.headers.get("Content-Type"), response.body[:200])
    return json.loads(response.body)


def new_session(api: Callable[..., HTTPResponse]) -> str:
    response = api("POST", "sessions", body={"problem": "add", "minutes": 30})
    assert response.code == 201, response.body
    sid: str = as_json(response)["session"]["id"]
    return sid


def refused(response: HTTPResponse, code: int = 400) -> dict[str, Any]:
    assert response.code == code, (response.code, response.body[:300])
    body: dict[str, Any] = as_json(response)
    assert body["error"]
    return body


# ---------------------------------------------------- the fuzzed findings


def test_deeply_nested_json_is_a_400(api: Callable[..., HTTPResponse]) -> None:
    sid = new_session(api)
    assert "nested" in refused(api("POST", "sessions", body=NESTED_OBJECT))["error"]
    assert "nested" in refused(api("POST", "sessions", sid, "events", body=NESTED_OBJECT))["error"]
    # Not as deep as Python's recursion limit, but deeper than any real body.
    deep = '{"type": "said", "text": "hi", "x": ' + "[" * 200 + "]" * 200 + "}"
    assert refused(api("POST", "sessions", sid, "events", body=deep))["error"]


def test_a_type_that_is_not_a_string_is_a_400_naming_it(
        api: Callable[..., HTTPResponse]) -> None:
    sid = new_session(api)
    for body in ({"type": []}, {"type": {}}, {"type": 3}, {}, {"type": None}):
        assert refused(api("POST", "sessions", sid, "events", body=body))["field"] == "type"


@pytest.mark.parametrize(("body", "field"), [
    ({"type": "said", "text": "I would \ud800 sort"}, "text"),
    ({"type": "code", "code": "def add(a, b):\n    return '\udfff'\n"}, "code"),
])
def test_a_lone_surrogate_is_a_400_naming_the_field(
        api: Callable[..., HTTPResponse], body: dict[str, Any], field: str) -> None:
    sid = new_session(api)
    error = refused(api("POST", "sessions", sid, "events", body=body))
    assert error["field"] == field and "surrogate" in error["error"]
    # Anywhere in a body, too.
    assert refused(api("POST", "sessions", body={"problem": "add\udc00"}))["field"] == "problem"
    assert refused(api("POST", "sessions", body={"problem": "add",
                                                 "llm": {"model": "\ud83d"}}))["field"] \
        == "llm.model"


@pytest.mark.parametrize("limit", ["99999999999999999999", "²", "-1", "1e3", "3x", "٣", "10001"])
def test_a_bad_limit_is_a_400(api: Callable[..., HTTPResponse], limit: str) -> None:
    assert refused(api("GET", "sessions", params={"limit": limit}))["field"] == "limit"


def test_a_good_limit_still_works(api: Callable[..., HTTPResponse]) -> None:
    new_session(api)
    new_session(api)
    assert len(as_json(api("GET", "sessions", params={"limit": "1"}))["sessions"]) == 1
    assert len(as_json(api("GET", "sessions", params={"limit": "1000"}))["sessions"]) == 2


# ------------------------------------------------------------- size caps


def test_said_and_code_over_the_limit_are_413_naming_the_limit(
        api: Callable[..., HTTPResponse]) -> None:
    sid = new_session(api)
    said = refused(api("POST", "sessions", sid, "events",
                       body={"type": "said", "text": "a" * (MAX_SAID_BYTES + 1)}), 413)
    assert said["field"] == "text" and f"{MAX_SAID_BYTES // 1024} KB" in said["error"]
    code = refused(api("POST", "sessions", sid, "events",
                       body={"type": "code", "code": "#" * (MAX_CODE_BYTES + 1)}), 413)
    assert code["field"] == "code" and f"{MAX_CODE_BYTES // 1024} KB" in code["error"]
    # Multi-byte text counts in UTF-8 bytes, as the limit says.
    wide = refused(api("POST", "sessions", sid, "events",
                       body={"type": "said", "text": "é" * (MAX_SAID_BYTES // 2 + 1)}), 413)
    assert wide["field"] == "text"
    # Right at the limit is fine; nothing above was stored.
    assert api("POST", "sessions", sid, "events",
               body={"type": "said", "text": "a" * MAX_SAID_BYTES}).code == 200
    exported = as_json(api("GET", "sessions", sid, "export"))
    said_lengths = [len(r["data"]["text"]) for r in exported["records"]
                    if r["type"] == "candidate_said"]
    assert said_lengths == [MAX_SAID_BYTES]


def test_a_10_mb_body_is_refused_before_it_is_parsed(api: Callable[..., HTTPResponse]) -> None:
    sid = new_session(api)
    body = json.dumps({"type": "said", "text": "word " * 2_000_000})
    assert refused(api("POST", "sessions", sid, "events", body=body), 413)["error"]


# ---------------------------------------------------------------- fuzzing

_JSON_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20),
    st.sampled_from(["\ud800", "\udfff x", "²", "٣", "99999999999999999999", ""]))
_JSON = st.recursive(_JSON_LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8)
_EVENT_TYPES = st.one_of(st.sampled_from(["said", "hint", "typing", "silence", "tick", "end",
                                           "dance", ""]), _JSON)
_EVENT_FIELDS = st.sampled_from(["type", "text", "seconds", "reason", "extra"])


@st.composite
def _event_bodies(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(_JSON)  # not even an object
    body = {"type": draw(_EVENT_TYPES)}
    for key in draw(st.lists(_EVENT_FIELDS, max_size=3)):
        body[key] = draw(_JSON)
    if draw(st.booleans()):
        # code events run the sandbox when they are valid: fuzz only invalid code
        body = {"type": "code", "code": draw(st.one_of(
            st.none(), st.integers(), st.lists(st.text(max_size=3), max_size=2),
            st.sampled_from(["\ud800", "x\udc00y"])))}
    return body


@st.composite
def _session_bodies(draw: st.DrawFn) -> Any:
    body = draw(st.dictionaries(
        st.sampled_from(["problem", "minutes", "mode", "coach", "llm", "other"]), _JSON,
        max_size=4))
    if draw(st.booleans()):
        body["problem"] = draw(st.sampled_from(["add", "probe:add", "nope", "\ud800"]))
    return body


_QUERY_VALUES = st.one_of(st.text(max_size=25),
                          st.sampled_from(["99999999999999999999", "²", "-0", "1e9", "3 "]))


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(events=st.lists(_event_bodies(), min_size=1, max_size=3), session_body=_session_bodies(),
       limit=_QUERY_VALUES, status=_QUERY_VALUES, report_format=_QUERY_VALUES)
def test_fuzzed_requests_never_answer_5xx(
        api: Callable[..., HTTPResponse], events: list[Any], session_body: Any, limit: str,
        status: str, report_format: str) -> None:
    """Bounded (60 examples, each several requests): every answer is JSON
    and below 500, whatever the body or query holds."""
    answers = [api("POST", "sessions", body=session_body),
               api("GET", "sessions", params={"limit": limit, "status": status})]
    sid = new_session(api)
    for event in events:
        answers.append(api("POST", "sessions", sid, "events", body=json.dumps(event)))
    answers.append(api("GET", "sessions", sid, "report", params={"format": report_format}))
    for answer in answers:
        assert answer.code < 500, (answer.code, answer.body[:300])
        if answer.code >= 400:
            assert "error" in as_json(answer)


# ---------------------------------------------------------- the voice socket


def test_the_voice_socket_answers_bad_messages_and_stays_open(
        api: Callable[..., HTTPResponse], jp_ws_fetch: Any, run: Run[Any]) -> None:
    sid = new_session(api)
    ws = run(jp_ws_fetch("mock-interviewer", "api", "sessions", sid, "voice"))

    def answer_to(message: str) -> dict[str, Any]:
        ws.write_message(message)
        text = run(asyncio.wait_for(ws.read_message(), 20))
        assert text is not None, f"the socket closed after {message[:40]!r}"
        data: dict[str, Any] = json.loads(text)
        return data

    for message in (NESTED, NESTED_OBJECT, '{"type": []}', "{}", '{"type": "\\ud800"}',
                    json.dumps({"type": "x" * 100_000})):
        reply = answer_to(message)
        assert reply["type"] == "error" and reply["code"] == "bad_frame", reply
    # Still open: a good message still gets its answer.
    reply = answer_to(json.dumps({"type": "calibrate", "seconds": 99}))
    assert reply["code"] == "bad_frame" and "calibrate.seconds" in reply["message"]
    ws.close()


# ------------------------------------------------------------ what is logged


def test_the_jupyter_token_never_reaches_the_log(
        api: Callable[..., HTTPResponse], server_log: _Lines, jp_serverapp: Any) -> None:
    token = jp_serverapp.identity_provider.token
    assert token
    sid = new_session(api)
    for parts in (("sessions", "nope"), ("sessions", "nope", "report"),
                  ("sessions", sid, "report"), ("nothing", "here"), ("problems", "nope")):
        api("GET", *parts, params={"token": token, "format": "pdf"})
    api("POST", "sessions", sid, "events", params={"token": token}, body={"type": []})
    assert "nope" in server_log.text  # the failed requests were logged …
    assert token not in server_log.text  # … without the token


def test_a_websocket_with_a_bad_kernel_token_logs_one_line(
        api: Callable[..., HTTPResponse], jp_ws_fetch: Any, run: Run[Any],
        server_log: _Lines) -> None:
    sid = new_session(api)
    for route in ("ws", "voice"):
        with pytest.raises(HTTPClientError) as refusal:
            run(jp_ws_fetch("mock-interviewer", "api", "sessions", sid, route,
                            headers={"Authorization": "", TOKEN_HEADER: "nope"}))
        assert refusal.value.code == 403
    assert "Traceback" not in server_log.text
    assert server_log.text.count(f"wrong {TOKEN_HEADER}") == 2


# ------------------------------------------------------- paths in answers


def test_answers_never_reveal_the_store_path(
        api: Callable[..., HTTPResponse], settings_file: Path) -> None:
    folder = str(settings_file.parent)
    answers = [api("GET", "sessions", "nope"), api("GET", "sessions", "nope", "export"),
               api("GET", "sessions", "nope", "report"),
               api("POST", "sessions", "nope", "events", body={"type": "tick"})]
    for answer in answers:
        assert answer.code == 404
        assert "no session 'nope'" in as_json(answer)["error"]
        assert folder not in answer.body.decode()


def test_a_store_error_answers_503_without_the_path(
        api: Callable[..., HTTPResponse], jp_serverapp: Any, settings_file: Path,
        server_log: _Lines) -> None:
    sid = new_session(api)
    app = jp_serverapp.extension_manager.extension_points["mock_interviewer_lab"].app
    app.service.store.close()  # every later store call fails: "the session store is closed"
    for answer in (api("GET", "sessions"), api("GET", "sessions", sid, "export")):
        body = refused(answer, 503)
        assert "session store" in body["error"]
        assert str(settings_file.parent) not in answer.body.decode()
    assert str(settings_file.parent) in server_log.text  # the details are in the log


# -------------------------------------------- a store that cannot be opened


@pytest.fixture
def broken_store(settings_file: Path) -> Path:
    """The server's settings name a file that is not a database. Ask for it
    before the server (jp_fetch, jp_serverapp) so the server opens it."""
    db = settings_file.parent / "broken" / "sessions.db"
    db.parent.mkdir()
    db.write_bytes(b"this is not an SQLite database, only text" + b"." * 200)
    settings_file.write_text(f"[app]\nsession_db = {json.dumps(str(db))}\n[problems]\n"
                             f"extra_dirs = [{json.dumps(str(PROBE_PACK))}]\n",
                             encoding="utf-8")
    return db


def test_a_corrupt_store_answers_json_503_on_every_route(
        broken_store: Path, jp_fetch: Any, run: Run[Any], jp_serverapp: Any) -> None:
    # broken_store comes before the server (jp_fetch starts it): it opens the broken file.
    app = jp_serverapp.extension_manager.extension_points["mock_interviewer_lab"].app
    assert isinstance(app, MockInterviewerApp)
    for method, parts, body in (("GET", ("problems",), None), ("GET", ("sessions",), None),
                                ("POST", ("sessions",), json.dumps({"problem": "add"})),
                                ("GET", ("sessions", "x", "report"), None)):
        answer = run(jp_fetch("mock-interviewer", "api", *parts, method=method, body=body,
                              raise_error=False))
        error = refused(answer, 503)
        assert "app.session_db" in error["error"], error
        assert str(broken_store.parent) not in answer.body.decode()
    # The contract needs no store; an unknown route is a JSON 404 as ever.
    assert run(jp_fetch("mock-interviewer", "api", "openapi.json")).code == 200
    assert refused(run(jp_fetch("mock-interviewer", "api", "no", "such", "route",
                                raise_error=False)), 404)
    # Still behind the auth: no credentials, no diagnosis.
    anonymous = run(jp_fetch("mock-interviewer", "api", "sessions", raise_error=False,
                             headers={"Authorization": ""}))
    assert anonymous.code == 403


def test_a_websocket_on_a_corrupt_store_is_refused_with_503(
        broken_store: Path, jp_ws_fetch: Any, run: Run[Any]) -> None:
    with pytest.raises(HTTPClientError) as refusal:
        run(jp_ws_fetch("mock-interviewer", "api", "sessions", "x", "ws"))
    assert refusal.value.code == 503
    assert TOKEN_ENV in os.environ  # kernels still find the server (and get the 503)


def test_a_corrupt_store_is_named_in_the_log(
        capsys: pytest.CaptureFixture[str], broken_store: Path, jp_serverapp: Any) -> None:
    # capsys first: the server's log handler writes to the stderr it captures.
    app = jp_serverapp.extension_manager.extension_points["mock_interviewer_lab"].app
    assert "not a database" in app.unavailable and str(broken_store) not in app.unavailable
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("[E ")]
    assert any(str(broken_store) in line and "not a database" in line for line in errors)
    with pytest.raises(sqlite3.DatabaseError):  # the file was left as it was
        sqlite3.connect(broken_store).execute("SELECT 1 FROM sqlite_master").fetchall()


# ----------------------------------------------------------- the command line


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("mock-interviewer")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=300,
                          env=env)


def test_a_final_over_the_said_limit_is_cut_at_a_word() -> None:
    from mock_interviewer_lab.server.sockets import within_said_limit

    assert within_said_limit("short line") == ("short line", False)
    long_line = "word " * 3000
    kept, cut = within_said_limit(long_line)
    assert cut and len(kept.encode()) <= MAX_SAID_BYTES and kept.endswith("word")
    wide, cut = within_said_limit("é" * MAX_SAID_BYTES)
    assert cut and len(wide.encode()) <= MAX_SAID_BYTES


def test_openapi_documents_the_limits() -> None:
    from mock_interviewer_lab.server.openapi import openapi_document

    document = openapi_document()
    schemas = document["components"]["schemas"]
    assert schemas["SaidEvent"]["properties"]["text"]["maxLength"] <= MAX_SAID_BYTES
    assert schemas["CodeEvent"]["properties"]["code"]["maxLength"] <= MAX_CODE_BYTES
    assert schemas["SessionEvent"]["discriminator"]["mapping"]["said"].endswith("/SaidEvent")
    assert schemas["SessionEvent"]["discriminator"]["mapping"]["code"].endswith("/CodeEvent")
    post = document["paths"]["/sessions/{session_id}/events"]["post"]["responses"]
    assert {"413", "503"} <= set(post)
    (limit,) = [p for p in document["paths"]["/sessions"]["get"]["parameters"]
                if p["name"] == "limit"]
    assert limit["schema"]["maximum"] == 10_000


# --------------------------------------------------------- statements


HOSTILE_STATEMENTS = (
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click]( javascript:alert(1))",
    "![pic](javascript:alert(1))",
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">raw</a>',
    '<a href="data:text/html,<script>alert(1)</script>">data</a>',
    "<iframe src='https://example.org'></iframe>",
    '<p style="position:fixed" onclick="alert(1)">styled</p>',
    '[t](http://a "x\\" onmouseover=\\"alert(1)")',
    "<svg><script>alert(1)</script></svg>",
)


def _no_active_content(html_text: str) -> None:
    """No tag that runs anything: no script, frame, svg or style; no event
    handler or style attribute; no URL but http(s), mailto or relative."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in ("script", "iframe", "svg", "style", "object", "embed", "form"):
                found.append(f"<{tag}>")
            for name, value in attrs:
                if name.startswith("on") or name == "style":
                    found.append(f"{tag}[{name}]")
                if name in ("href", "src") and value is not None:
                    scheme = value.strip().split(":", 1)[0].lower() if ":" in value else ""
                    if scheme not in ("", "http", "https", "mailto"):
                        found.append(f"{tag}[{name}={value}]")

    Tags().feed(html_text)
    assert not found, (found, html_text)


@pytest.mark.parametrize("statement", HOSTILE_STATEMENTS)
def test_statements_are_sanitised_with_the_markdown_package(statement: str) -> None:
    import markdown  # the test extra installs it: the path the issue found open

    from mock_interviewer_lab.kernel.panel import Panel, markdown_to_html

    assert markdown.markdown("[x](javascript:alert(1))").count("javascript:") == 1
    _no_active_content(markdown_to_html(statement))
    panel = Panel({"title": "t", "statement": statement, "examples": [], "constraints": []})
    _no_active_content(panel.statement.value)


@pytest.mark.parametrize("statement", HOSTILE_STATEMENTS)
def test_statements_are_sanitised_without_the_markdown_package(
        statement: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from mock_interviewer_lab.kernel.panel import markdown_to_html

    monkeypatch.setitem(sys.modules, "markdown", None)  # import markdown now fails
    _no_active_content(markdown_to_html(statement))


def test_safe_markdown_still_renders() -> None:
    from mock_interviewer_lab.kernel.panel import markdown_to_html

    out = markdown_to_html("Return **two** indices, see [docs](https://example.org/x).\n\n"
                           "```\nif a < b:\n    pass\n```\n\n- one\n- two")
    assert "<strong>two</strong>" in out and 'href="https://example.org/x"' in out
    assert "<li>one</li>" in out and "if a &lt; b:" in out


# ------------------------------------------------------------ the magics


class _RecordingBackend:
    """Just enough of a Backend for the say and solution magics."""

    active = True

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def subscribe(self, callback: Any) -> None:
        pass

    def event(self, type_: str, **data: Any) -> list[dict[str, Any]]:
        self.events.append((type_, data))
        return []

    def state(self) -> dict[str, Any]:
        return {}


def test_the_magics_refuse_text_over_the_limits_before_sending(
        capsys: pytest.CaptureFixture[str]) -> None:
    from IPython.core.interactiveshell import InteractiveShell

    from mock_interviewer_lab.kernel.magics import InterviewMagics

    backend = _RecordingBackend()
    magics = InterviewMagics(InteractiveShell.instance(), backend_factory=lambda: backend)
    assert magics.backend.active  # an interview is running
    magics.interview("say " + "a" * (MAX_SAID_BYTES + 1))
    magics.interview('say "I would \ud800 sort"')
    magics.solution("", "x = 1\n" + "#" * MAX_CODE_BYTES)
    assert backend.events == []
    errors = capsys.readouterr().err
    assert f"{MAX_SAID_BYTES // 1024} KB" in errors and f"{MAX_CODE_BYTES // 1024} KB" in errors
    assert "surrogate" in errors and "Traceback" not in errors
    magics.interview("say fine")
    magics.solution("", "x = 2\n")
    assert [kind for kind, _ in backend.events] == ["said", "code"]


# ------------------------------------------------------ the command line


def test_a_huge_limit_is_one_line_and_exit_2(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    out = cli("sessions", "list", "--limit", "99999999999999999999", "--db", str(db))
    assert out.returncode == 2 and "--limit" in out.stderr and "Traceback" not in out.stderr


def test_read_only_commands_create_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent" / "dir" / "x.db"
    for args in (("sessions", "export", "x"), ("sessions", "list"), ("sessions", "show", "x"),
                 ("sessions", "stats")):
        out = cli(*args, "--db", f"sqlite:///{missing}")
        assert out.returncode == 2, (args, out.stderr)
        assert "no session database there" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "nonexistent").exists()


def test_read_only_commands_read_an_existing_store(tmp_path: Path) -> None:
    from mock_interviewer_lab.store import SessionStore

    db = tmp_path / "s.db"
    with SessionStore(db) as store:
        sid = store.create_session("probe:add").id
    listed = cli("sessions", "list", "--json", "--db", str(db))
    assert listed.returncode == 0 and json.loads(listed.stdout)[0]["id"] == sid


def test_a_corrupt_store_is_one_line_for_the_cli(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    db.write_bytes(b"not a database" * 40)
    out = cli("sessions", "list", "--db", str(db))
    assert out.returncode == 2 and "not a database" in out.stderr
    assert "Traceback" not in out.stderr


def test_a_read_only_store_refuses_writes(tmp_path: Path) -> None:
    from mock_interviewer_lab.store import SessionStore, StoreError

    db = tmp_path / "s.db"
    SessionStore(db).close()
    with SessionStore(db, read_only=True) as store, pytest.raises(StoreError) as refused:
        store.create_session("probe:add")
    assert "readonly" in str(refused.value)
    with pytest.raises(StoreError):
        SessionStore(tmp_path / "none" / "x.db", read_only=True)
    assert not (tmp_path / "none").exists()


def test_a_non_utf8_settings_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    settings_file = tmp_path / "settings.toml"
    settings_file.write_bytes(b'[app]\nworkspace_dir = "caf\xe9"\n')
    for args in (("--settings", str(settings_file), "problems", "list"),
                 ("sessions", "list", "--settings", str(settings_file))):
        out = cli(*args)
        assert out.returncode == 2, out.stderr
        assert "not UTF-8" in out.stderr and str(settings_file.name) in out.stderr
        assert "Traceback" not in out.stderr


def test_a_non_utf8_pack_file_is_named_not_a_traceback(tmp_path: Path) -> None:
    import shutil

    pack = tmp_path / "probe"
    shutil.copytree(PROBE_PACK, pack)
    (pack / "add" / "problem.yaml").write_bytes(b"id: add\ntitle: Caf\xe9\n")
    (pack / "add" / "solution.py").write_bytes(b"def add(a, b):\n    return a + b  # \xff\n")
    out = cli("problems", "validate", str(pack))
    assert out.returncode == 1 and "Traceback" not in out.stdout + out.stderr
    assert "problem.yaml: not UTF-8" in out.stdout and "solution.py: not UTF-8" in out.stdout
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(f"[problems]\nextra_dirs = [{json.dumps(str(pack))}]\n")
    listed = cli("problems", "list", "--settings", str(settings_file))
    assert listed.returncode == 0 and "Traceback" not in listed.stderr
    assert "problem.yaml: not UTF-8" in listed.stderr


def test_settings_work_before_or_after_the_sub_command(tmp_path: Path) -> None:
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text('[coach]\nhelpfulness = "pushy"\n')
    env = {k: v for k, v in os.environ.items() if k != "MOCK_INTERVIEWER_SETTINGS"}
    for args in (("--settings", str(settings_file), "problems", "list"),
                 ("problems", "--settings", str(settings_file), "list"),
                 ("problems", "list", "--settings", str(settings_file)),
                 ("sessions", "stats", "--settings", str(settings_file)),
                 ("safeguards", "check", "--problem", "two_sum", "--settings",
                  str(settings_file))):
        out = cli(*args, env=env)
        assert out.returncode == 2, (args, out.stdout, out.stderr)
        assert "coach.helpfulness = 'pushy'" in out.stderr, args
    shown = cli("config", "show", "--json", "--settings", str(tmp_path / "none.toml"), env=env)
    assert shown.returncode == 2 and "none.toml" in shown.stderr
    good = tmp_path / "good.toml"
    good.write_text('[coach]\nhelpfulness = "gentle"\n')
    # The last one given wins, as with any option given twice.
    shown = cli("--settings", str(settings_file), "config", "show", "--json", "--settings",
                str(good), env=env)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["settings"]["coach"]["helpfulness"] == "gentle"
    path = cli("config", "path", "--json", "--settings", str(good), env=env)
    assert json.loads(path.stdout)["in_force"] == str(good)


def test_every_command_takes_settings() -> None:
    import click

    from mock_interviewer_lab.cli import main

    def walk(command: click.Command, name: str) -> Iterator[tuple[str, click.Command]]:
        yield name, command
        if isinstance(command, click.Group):
            for sub_name, sub in command.commands.items():
                yield from walk(sub, f"{name} {sub_name}")

    for name, command in walk(main, "mock-interviewer"):
        options = [p for p in command.params if "--settings" in getattr(p, "opts", ())]
        assert len(options) == 1, name


def test_a_kernel_does_not_retry_a_503_that_gives_no_retry_after() -> None:
    """The store-or-settings 503 is not a busy queue: the magic says it at
    once instead of resending a submission for two minutes."""
    import io
    import urllib.error
    from email.message import Message

    from mock_interviewer_lab.kernel.backend import BackendError, ServerBackend, ServerBusy

    def http_error(headers: dict[str, str]) -> urllib.error.HTTPError:
        message = Message()
        for key, value in headers.items():
            message[key] = value
        body = io.BytesIO(b'{"error": "the session store cannot be used"}')
        return urllib.error.HTTPError("http://127.0.0.1/x", 503, "unavailable", message, body)

    backend = ServerBackend("http://127.0.0.1:9/mock-interviewer/api/", "secret")
    unavailable = backend._http_error(http_error({}))
    assert isinstance(unavailable, BackendError) and not isinstance(unavailable, ServerBusy)
    assert "session store" in str(unavailable)
    busy = backend._http_error(http_error({"Retry-After": "3"}))
    assert isinstance(busy, ServerBusy) and busy.retry_after_s == 3
