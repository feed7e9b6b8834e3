"""The jupyter-server extension over real HTTP and WebSockets (pytest-jupyter).

Every test runs under pytest-jupyter's non-root base_url (``/a%40b/``) unless
it says otherwise. The fixtures of pytest-jupyter are imported here rather
than registered as a plugin, so that its autouse fixtures stay in this file.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from pytest_jupyter.jupyter_server import *  # noqa: F403
from tornado.httpclient import HTTPResponse
from traitlets.config import Config

from mock_interviewer_lab.coach.scripted import ScriptedCoach
from mock_interviewer_lab.interview.clock import FakeClock
from mock_interviewer_lab.interview.session import InterviewSession
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.protocol import TOKEN_ENV, TOKEN_HEADER, URL_ENV
from mock_interviewer_lab.server import MockInterviewerApp, _jupyter_server_extension_points
from mock_interviewer_lab.server.app import kernel_api_url
from mock_interviewer_lab.server.handlers import NotFoundHandler
from mock_interviewer_lab.server.openapi import openapi_document
from mock_interviewer_lab.server.routes import default_handlers
from mock_interviewer_lab.settings import load_settings
from mock_interviewer_lab.store import SessionStore

from .conftest import PROBE_PACK, write_server_settings

_T = TypeVar("_T")
Run = Callable[[Coroutine[Any, Any, _T]], _T]

WRONG = "def add(a, b):\n    return a - b\n"
RIGHT = "def add(a, b):\n    return b + a\n"
#: Inputs of the probe pack's hidden cases: they must never reach a client.
HIDDEN_ARGS = ("918273645", "777000111")
BUILTIN_TWO_SUM_HIDDEN = ("999999999", "1999999997")


# --------------------------------------------------------------- fixtures


@pytest.fixture
def settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return write_server_settings(tmp_path, monkeypatch, more=(
        "[harness]\ntimeout_ms = 2000\nrun_timeout_ms = 15000\ncpu_seconds = 6\nmemory_mb = 256\n"))


@pytest.fixture  # type: ignore[no-redef]
def jp_server_config(settings_file: Path) -> Config:
    """pytest-jupyter's fixture of that name, with this extension enabled."""
    return Config({"ServerApp": {"jpserver_extensions": {"mock_interviewer_lab.server": True}}})


@pytest.fixture
def run(jp_asyncio_loop: asyncio.AbstractEventLoop) -> Run[Any]:
    """Run a coroutine on the server's loop (the server answers meanwhile)."""
    return jp_asyncio_loop.run_until_complete


@pytest.fixture
def extension(jp_serverapp: Any) -> MockInterviewerApp:
    app = jp_serverapp.extension_manager.extension_points["mock_interviewer_lab"].app
    assert isinstance(app, MockInterviewerApp)
    return app


@pytest.fixture
def api(jp_fetch: Any, run: Run[Any]) -> Iterator[Callable[..., HTTPResponse]]:
    """``api("GET", "problems")``: a request as the Jupyter user; errors are
    returned, not raised."""

    def call(method: str, *parts: str, body: Any = None, **kwargs: Any) -> HTTPResponse:
        if body is not None:
            kwargs["body"] = body if isinstance(body, str) else json.dumps(body)
        response: HTTPResponse = run(jp_fetch("mock-interviewer", "api", *parts,
                                              method=method, raise_error=False, **kwargs))
        return response

    yield call


def as_json(response: HTTPResponse) -> Any:
    return json.loads(response.body)


def start_session(api: Callable[..., HTTPResponse], **body: Any) -> dict[str, Any]:
    response = api("POST", "sessions", body={"problem": "add", "minutes": 30, **body})
    assert response.code == 201, response.body
    created: dict[str, Any] = as_json(response)
    return created


def assert_no_leak(texts: list[str]) -> None:
    problem = ProblemRegistry.from_dirs([PROBE_PACK]).get("add")
    everything = "\n".join(texts)
    assert problem.solution.strip() not in everything
    assert "return a + b" not in everything
    for secret in HIDDEN_ARGS:
        assert secret not in everything


# --------------------------------------------------------------- problems


def test_extension_point_names_this_module() -> None:
    assert _jupyter_server_extension_points() == [
        {"module": "mock_interviewer_lab.server", "app": MockInterviewerApp}]
    config = json.loads((Path(__file__).parent.parent / "jupyter-config" / "server-config"
                         / "mock_interviewer_lab.json").read_text())
    assert config == {"ServerApp": {"jpserver_extensions": {"mock_interviewer_lab.server": True}}}


def test_problems_are_listed_and_shown_without_hidden_cases_or_reference(
        api: Callable[..., HTTPResponse]) -> None:
    listed = api("GET", "problems")
    assert listed.code == 200
    problems = {p["qualified_id"]: p for p in as_json(listed)["problems"]}
    assert problems["probe:add"] == {
        "id": "add", "qualified_id": "probe:add", "title": "Add two numbers",
        "difficulty": "easy", "pack": "probe", "visible_cases": 2, "hidden_cases": 2}
    assert "core:two_sum" in problems

    shown = api("GET", "problems", "probe:add")
    view = as_json(shown)
    assert view["qualified_id"] == "probe:add"
    assert [c["args"] for c in view["visible_cases"]] == [[1, 2], [2, 2]]
    assert view["hidden_case_count"] == 2
    two_sum = api("GET", "problems", "two_sum")
    assert as_json(two_sum)["hidden_case_count"] == 6

    assert_no_leak([listed.body.decode(), shown.body.decode()])
    reference = ProblemRegistry.discover(load_settings()).get("two_sum").solution
    assert "seen.get(target - x)" in reference
    for text in (two_sum.body.decode(), listed.body.decode()):
        assert "seen.get(target - x)" not in text
        assert not any(secret in text for secret in BUILTIN_TWO_SUM_HIDDEN)
        assert "never_say" not in text


def test_an_unknown_problem_is_404_with_suggestions(api: Callable[..., HTTPResponse]) -> None:
    response = api("GET", "problems", "two_sun")
    assert response.code == 404
    error = as_json(response)
    assert "unknown problem 'two_sun'" in error["error"]
    assert "two_sum" in error["suggestions"]
    started = api("POST", "sessions", body={"problem": "ad"})
    assert started.code == 404
    assert as_json(started)["suggestions"] == ["add"]


# --------------------------------------------------------------- sessions


def test_a_new_session_shows_its_problem_as_the_session_does(
        api: Callable[..., HTTPResponse], monkeypatch: pytest.MonkeyPatch) -> None:
    """The session's kind of interview decides what a panel sees of the
    problem (InterviewSession.public_view), not the problem's own view."""
    original = InterviewSession.public_view

    def marked(self: InterviewSession) -> dict[str, Any]:
        return {**original(self), "title": "Add, as the session shows it"}

    monkeypatch.setattr(InterviewSession, "public_view", marked)
    created = start_session(api)
    assert created["problem"]["title"] == "Add, as the session shows it"
    assert created["problem"]["hidden_case_count"] == 2
    assert_no_leak([json.dumps(created)])


def test_a_whole_interview_over_http(api: Callable[..., HTTPResponse]) -> None:
    texts: list[str] = []
    created = start_session(api, mode="normal", coach={"helpfulness": "gentle"})
    sid = created["session"]["id"]
    assert created["problem"]["qualified_id"] == "probe:add"
    assert created["state"]["ended"] is False
    assert created["state"]["hint"] == {"level": 0, "of": 3, "label": "hint 0 of 3"}
    assert any(a["type"] == "coach_says" for a in created["actions"])
    assert created["session"]["meta"]["coach"]["helpfulness"] == "gentle"

    said = as_json(api("POST", "sessions", sid, "events",
                       body={"type": "said", "text": "Can the inputs be negative?"}))
    assert any(a["type"] == "coach_says" for a in said["actions"])

    hinted = api("POST", "sessions", sid, "events", body={"type": "hint"})
    assert hinted.code == 200
    hint = as_json(hinted)
    assert hint["state"]["hint"]["label"] == "hint 1 of 3"
    assert [a["data"]["level"] for a in hint["actions"] if a["type"] == "show_hint"] == [1]

    for event in ({"type": "typing"}, {"type": "silence", "seconds": 3}, {"type": "tick"}):
        assert api("POST", "sessions", sid, "events", body=event).code == 200

    wrong = as_json(api("POST", "sessions", sid, "events", body={"type": "code", "code": WRONG}))
    results = [a["data"] for a in wrong["actions"] if a["type"] == "show_results"]
    assert [(r["passed"], r["total"]) for r in results] == [(0, 4)]
    assert wrong["state"]["last_results"]["passed"] == 0

    right_response = api("POST", "sessions", sid, "events", body={"type": "code", "code": RIGHT})
    right = as_json(right_response)
    results = [a["data"] for a in right["actions"] if a["type"] == "show_results"]
    assert [(r["passed"], r["total"]) for r in results] == [(4, 4)]
    texts += [right_response.body.decode()]

    shown = as_json(api("GET", "sessions", sid))
    assert shown["session"]["id"] == sid and shown["session"]["status"] == "open"
    assert shown["session"]["kind"] == "coding"
    assert shown["state"]["last_results"]["passed"] == 4
    listed = as_json(api("GET", "sessions"))["sessions"]
    assert [(s["id"], s["kind"]) for s in listed] == [(sid, "coding")]

    # The coach asks for the complexity before it lets the candidate go.
    asked = as_json(api("POST", "sessions", sid, "events", body={"type": "end"}))
    assert asked["state"]["phase"] == "complexity" and asked["state"]["ended"] is False
    # Answering it ends the interview, with the report.
    ended = as_json(api("POST", "sessions", sid, "events",
                        body={"type": "said", "text": "O(1) time and O(1) space"}))
    assert ended["state"]["ended"] is True
    assert any(a["type"] == "report_ready" for a in ended["actions"])
    for event in ({"type": "said", "text": "hello?"}, {"type": "end"}):
        again = api("POST", "sessions", sid, "events", body=event)
        assert again.code == 409
        assert "has ended" in as_json(again)["error"]
    assert as_json(api("GET", "sessions", sid))["session"]["status"] == "ended"

    report = api("GET", "sessions", sid, "report")
    assert report.headers["Content-Type"].startswith("application/json")
    assert as_json(report)["session_id"] == sid
    markdown = api("GET", "sessions", sid, "report", params={"format": "md"})
    assert markdown.headers["Content-Type"].startswith("text/markdown")
    assert "Add two numbers" in markdown.body.decode()
    html = api("GET", "sessions", sid, "report", params={"format": "html"})
    assert html.headers["Content-Type"].startswith("text/html")
    assert html.body.decode().lstrip().lower().startswith("<!doctype html")
    notebook = as_json(api("GET", "sessions", sid, "report", params={"format": "ipynb"}))
    assert notebook["nbformat"] == 4 and notebook["cells"]
    exported = as_json(api("GET", "sessions", sid, "export"))
    assert exported["format"] == "mock-interviewer-session"
    assert exported["session"]["id"] == sid
    assert [r["type"] for r in exported["records"]].count("code_submitted") == 2
    texts += [report.body.decode(), markdown.body.decode(), html.body.decode(),
              json.dumps(notebook)]
    assert_no_leak(texts)


def test_bad_requests_are_400_naming_the_field(api: Callable[..., HTTPResponse]) -> None:
    def error(response: HTTPResponse) -> dict[str, Any]:
        assert response.code == 400, response.body
        body: dict[str, Any] = as_json(response)
        return body

    assert "not JSON" in error(api("POST", "sessions", body="{nope"))["error"]
    assert error(api("POST", "sessions", body={}))["field"] == "problem"
    assert error(api("POST", "sessions", body={"problem": "add", "minutes": "ten"}))["field"] \
        == "minutes"
    assert error(api("POST", "sessions", body={"problem": "add", "mode": "fast"}))["field"] \
        == "mode"
    assert error(api("POST", "sessions", body={"problem": "add",
                                               "coach": {"helpfulness": "pushy"}}))["field"] \
        == "coach.helpfulness"
    assert error(api("POST", "sessions", body={"problem": "add", "colour": "red"}))["field"] \
        == "colour"
    sid = start_session(api)["session"]["id"]
    assert error(api("POST", "sessions", sid, "events", body={"type": "dance"}))["field"] \
        == "type"
    assert error(api("POST", "sessions", sid, "events", body={"type": "said"}))["field"] \
        == "text"
    assert error(api("POST", "sessions", sid, "events",
                     body={"type": "silence", "seconds": -1}))["field"] == "seconds"
    assert error(api("GET", "sessions", sid, "report", params={"format": "pdf"}))["field"] \
        == "format"
    for parts in (("sessions", "nope"), ("sessions", "nope", "report"),
                  ("sessions", "nope", "export")):
        missing = api("GET", *parts)
        assert missing.code == 404
        assert "no session 'nope'" in as_json(missing)["error"]
    assert api("POST", "sessions", "nope", "events", body={"type": "tick"}).code == 404


def test_a_session_stored_by_an_earlier_server_is_resumed(
        api: Callable[..., HTTPResponse], settings_file: Path) -> None:
    settings = load_settings(settings_file)
    with SessionStore.from_settings(settings) as store:
        earlier = InterviewSession.start(store, ProblemRegistry.discover(settings).get("add"),
                                         settings, harness=None, clock=FakeClock(), minutes=20, coach=ScriptedCoach())
        earlier.say("I would add them.")
    sid = earlier.info.id
    shown = api("GET", "sessions", sid[:-1])  # a unique prefix is enough
    assert shown.code == 200
    assert as_json(shown)["session"]["id"] == sid
    said = as_json(api("POST", "sessions", sid, "events", body={"type": "said", "text": "ok"}))
    assert said["state"]["ended"] is False
    exported = as_json(api("GET", "sessions", sid, "export"))
    texts = [r["data"].get("text") for r in exported["records"] if r["type"] == "candidate_said"]
    assert texts == ["I would add them.", "ok"]


# -------------------------------------------------------------- websocket


def test_the_websocket_sends_a_snapshot_then_every_action(
        api: Callable[..., HTTPResponse], jp_ws_fetch: Any, run: Run[Any]) -> None:
    sid = start_session(api)["session"]["id"]
    ws = run(jp_ws_fetch("mock-interviewer", "api", "sessions", sid, "ws"))

    def receive() -> dict[str, Any]:
        message = run(asyncio.wait_for(ws.read_message(), 20))
        assert message is not None, "the socket closed"
        data: dict[str, Any] = json.loads(message)
        return data

    snapshot = receive()
    assert snapshot["type"] == "snapshot"
    assert snapshot["state"]["phase"] == as_json(api("GET", "sessions", sid))["state"]["phase"]
    assert [line["speaker"] for line in snapshot["transcript"]][:1] == ["coach"]
    answer = as_json(api("POST", "sessions", sid, "events", body={"type": "hint"}))
    expected = [(a["seq"], a["type"]) for a in answer["actions"]]
    pushed = [receive() for _ in expected]
    assert all(p["type"] == "action" for p in pushed)
    assert [(p["action"]["seq"], p["action"]["type"]) for p in pushed] == expected
    assert all(seq > snapshot["last_seq"] for seq, _ in expected)
    ws.close()


# ------------------------------------------------------------------- auth


def _fetch_as_kernel(run: Run[Any], client: Any, base_url: str, method: str, path: str,
                     headers: dict[str, str], body: Any = None) -> HTTPResponse:
    response: HTTPResponse = run(client.fetch(
        f"{base_url}mock-interviewer/api/{path}", method=method, headers=headers,
        body=None if body is None else json.dumps(body), raise_error=False))
    return response


def test_kernels_authenticate_with_the_server_secret(
        extension: MockInterviewerApp, http_server_client: Any, jp_base_url: str,
        jp_http_port: int, run: Run[Any]) -> None:
    assert os.environ[URL_ENV] == f"http://localhost:{jp_http_port}{jp_base_url}mock-interviewer/api/"
    secret = os.environ[TOKEN_ENV]
    assert secret == extension.secret and len(secret) >= 32

    def fetch(method: str, path: str, headers: dict[str, str], body: Any = None) -> HTTPResponse:
        return _fetch_as_kernel(run, http_server_client, jp_base_url, method, path, headers, body)

    kernel = {TOKEN_HEADER: secret}
    assert fetch("GET", "problems", kernel).code == 200
    # A POST without any XSRF cookie: kernels cannot have one.
    created = fetch("POST", "sessions", kernel, {"problem": "add"})
    assert created.code == 201, created.body
    sid = as_json(created)["session"]["id"]
    said = fetch("POST", f"sessions/{sid}/events", kernel, {"type": "said", "text": "hi"})
    assert said.code == 200

    wrong = {TOKEN_HEADER: secret[:-1] + ("A" if secret[-1] != "A" else "B")}
    for method, path, body in (("GET", "problems", None), ("POST", "sessions", {"problem": "add"})):
        assert fetch(method, path, wrong, body).code == 403
        assert fetch(method, path, {}, body).code == 403
    refused = fetch("GET", "problems", wrong)
    assert as_json(refused)["error"] == f"wrong {TOKEN_HEADER}"
    assert "not authenticated" in as_json(fetch("GET", "problems", {}))["error"]


def test_kernels_reach_a_server_bound_to_every_address_on_localhost() -> None:
    assert kernel_api_url("http://box-7f3a:8888/lab/", "0.0.0.0") \
        == "http://localhost:8888/lab/mock-interviewer/api/"
    assert kernel_api_url("https://10.0.0.5:9999/", "10.0.0.5") \
        == "https://10.0.0.5:9999/mock-interviewer/api/"


def test_a_wrong_kernel_token_is_refused_even_beside_a_good_jupyter_token(
        api: Callable[..., HTTPResponse]) -> None:
    assert api("GET", "problems", headers={TOKEN_HEADER: "nope"}).code == 403


def test_a_websocket_needs_credentials(
        api: Callable[..., HTTPResponse], jp_ws_fetch: Any, run: Run[Any]) -> None:
    from tornado.httpclient import HTTPClientError

    sid = start_session(api)["session"]["id"]
    with pytest.raises(HTTPClientError) as refused:
        run(jp_ws_fetch("mock-interviewer", "api", "sessions", sid, "ws",
                        headers={"Authorization": "", TOKEN_HEADER: "nope"}))
    assert refused.value.code == 403
    ws = run(jp_ws_fetch("mock-interviewer", "api", "sessions", sid, "ws",
                         headers={"Authorization": "", TOKEN_HEADER: os.environ[TOKEN_ENV]}))
    assert json.loads(run(ws.read_message()))["type"] == "snapshot"
    ws.close()


@pytest.mark.parametrize("jp_base_url", ["/deep/jupyter/"])
def test_another_base_url(api: Callable[..., HTTPResponse], jp_http_port: int,
                          jp_base_url: str) -> None:
    assert jp_base_url == "/deep/jupyter/"
    assert os.environ[URL_ENV] == f"http://localhost:{jp_http_port}/deep/jupyter/mock-interviewer/api/"
    assert api("GET", "problems").code == 200
    document = as_json(api("GET", "openapi.json"))
    assert document["servers"] == [{"url": "/deep/jupyter/mock-interviewer/api/"}]


# ---------------------------------------------------------------- openapi


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/")
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_the_openapi_document_covers_every_route(api: Callable[..., HTTPResponse]) -> None:
    served = api("GET", "openapi.json")
    assert served.code == 200
    document = as_json(served)
    assert document == openapi_document("/a%40b/mock-interviewer/api/")
    from openapi_spec_validator import validate

    validate(document)  # raises on anything OpenAPI 3.0 does not allow
    # And what the validator leaves to us: operations with responses, every
    # $ref resolving, path parameters declared.
    assert document["openapi"].startswith("3.0.")
    assert {"title", "version"} <= set(document["info"])
    for path, item in document["paths"].items():
        assert path.startswith("/")
        for method, operation in item.items():
            assert method in {"get", "post", "put", "delete", "patch"}
            assert operation["responses"], f"{method} {path}"
            for code in operation["responses"]:
                assert code.isdigit()
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            named = {part[1:-1] for part in path.split("/") if part.startswith("{")}
            assert declared == named, f"{method} {path}"
    for ref in _refs(document):
        assert isinstance(_resolve(document, ref), dict), ref
    routes = set()
    for pattern, handler in default_handlers():
        if handler is NotFoundHandler:  # the JSON 404 for any other URL
            continue
        relative = pattern.split("/mock-interviewer/api", 1)[1]
        for group in ("session_id", "ref", "question_number"):
            relative = relative.replace(f"(?P<{group}>[^/]+)", "{" + group + "}")
        routes.add(relative)
    assert routes == set(document["paths"])


# -------------------------------------------------------------- lifetime


def test_stop_extension_shuts_the_sandbox_kernel_down(
        api: Callable[..., HTTPResponse], extension: MockInterviewerApp, run: Run[Any]) -> None:
    assert extension.service.harness.started is None  # nothing started before a test run
    sid = start_session(api)["session"]["id"]
    assert api("POST", "sessions", sid, "events", body={"type": "code", "code": RIGHT}).code == 200
    sync_harness = extension.service.harness.started
    assert sync_harness is not None
    kernels = list(sync_harness.harness._kernels)
    assert len(kernels) == 1
    pid = kernels[0].km.provisioner.pid
    os.kill(pid, 0)  # alive

    run(extension.stop_extension())
    assert extension.service.harness.started is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert TOKEN_ENV not in os.environ
    assert URL_ENV not in os.environ
