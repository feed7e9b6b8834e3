"""A session's own [llm] model/api_base (the plugin settings, ``%interview
--model/--api-base``) over HTTP: the sessions POST takes an ``llm`` object,
the session gets that model as its coach, and the server's
``privacy.local_only`` still refuses a remote provider, visibly."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from pytest_jupyter.jupyter_server import *  # noqa: F403
from tornado.httpclient import HTTPResponse
from traitlets.config import Config

from mock_interviewer_lab.coach.scripted import ScriptedCoach
from mock_interviewer_lab.interview.clock import FakeClock
from mock_interviewer_lab.interview.session import InterviewSession, settings_with_llm
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.settings import load_settings, parse_settings
from mock_interviewer_lab.store import SessionStore

from .conftest import write_server_settings
from .fake_llm_server import FakeLlmServer, Text

_T = TypeVar("_T")
Run = Callable[[Coroutine[Any, Any, _T]], _T]
Api = Callable[..., HTTPResponse]


@pytest.fixture
def settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # No [llm] model and privacy.local_only at its default (true).
    return write_server_settings(tmp_path, monkeypatch, more="[llm]\ntimeout_s = 30\n")


@pytest.fixture  # type: ignore[no-redef]
def jp_server_config(settings_file: Path) -> Config:
    """pytest-jupyter's fixture of that name, with this extension enabled."""
    return Config({"ServerApp": {"jpserver_extensions": {"mock_interviewer_lab.server": True}}})


@pytest.fixture
def api(jp_fetch: Any, jp_asyncio_loop: asyncio.AbstractEventLoop) -> Iterator[Api]:
    run: Run[HTTPResponse] = jp_asyncio_loop.run_until_complete

    def call(method: str, *parts: str, body: Any = None) -> HTTPResponse:
        kwargs: dict[str, Any] = {}
        if body is not None:
            kwargs["body"] = json.dumps(body)
        return run(jp_fetch("mock-interviewer", "api", *parts, method=method,
                            raise_error=False, **kwargs))

    yield call


@pytest.fixture
def llm_server() -> Iterator[FakeLlmServer]:
    with FakeLlmServer(default=Text("Tell me how you would start.")) as server:
        yield server


def post_session(api: Api, llm: Any) -> HTTPResponse:
    return api("POST", "sessions", body={"problem": "add", "minutes": 30, "llm": llm})


def started_llm(api: Api, session_id: str) -> dict[str, Any]:
    """The [llm] section of the session_started settings snapshot."""
    records = json.loads(api("GET", "sessions", session_id, "export").body)
    started = next(r for r in records["records"] if r.get("type") == "session_started")
    llm: dict[str, Any] = started["data"]["settings"]["llm"]
    return llm


def test_the_plugins_model_becomes_the_sessions_coach(
        api: Api, llm_server: FakeLlmServer) -> None:
    response = post_session(api, {"model": "openai/test-model", "api_base": llm_server.url})
    assert response.code == 201, response.body
    created = json.loads(response.body)
    session_id = created["session"]["id"]
    assert created["session"]["meta"]["llm"] == {"model": "openai/test-model",
                                                  "api_base": llm_server.url}
    assert started_llm(api, session_id)["model"] == "openai/test-model"
    # The model says the introduction.
    says = [a for a in created["actions"] if a["type"] == "coach_says"]
    assert says and says[0]["data"]["coach"] == "openai/test-model"
    assert says[0]["data"]["text"] == "Tell me how you would start."
    assert not says[0]["data"]["fallback"]
    assert not [a for a in created["actions"] if a["type"] == "coach_fallback"]
    assert llm_server.requests and llm_server.requests[0]["model"] == "test-model"


def test_an_unreachable_local_model_falls_back_visibly(api: Api) -> None:
    created = json.loads(post_session(
        api, {"model": "openai/x", "api_base": "http://127.0.0.1:9/v1"}).body)
    session_id = created["session"]["id"]
    assert started_llm(api, session_id)["api_base"] == "http://127.0.0.1:9/v1"
    # The introduction was asked of the model, which did not answer.
    notices = [a for a in created["actions"] if a["type"] == "coach_fallback"]
    assert notices and notices[0]["data"]["model"] == "openai/x"
    assert notices[0]["data"]["reason"] != "unavailable"  # it was tried, not refused
    says = [a for a in created["actions"] if a["type"] == "coach_says"]
    assert says and says[0]["data"]["fallback"] and says[0]["data"]["coach"] == "scripted"


def test_a_remote_api_base_is_refused_under_local_only(api: Api) -> None:
    created = json.loads(post_session(
        api, {"model": "openai/gpt-4o-mini", "api_base": "https://api.example.com/v1"}).body)
    records = json.loads(api("GET", "sessions", created["session"]["id"], "export").body)
    notices = [r for r in records["records"] if r.get("type") == "coach_fallback"]
    assert len(notices) == 1, "the refusal is told once, on the first reply"
    notice = notices[0]["data"]
    assert notice["reason"] == "unavailable" and notice["coach"] == "scripted"
    assert "privacy.local_only" in notice["detail"]
    assert "api.example.com" in notice["detail"]


def test_a_model_without_api_base_is_refused_under_local_only(api: Api) -> None:
    created = json.loads(post_session(api, {"model": "openai/gpt-4o-mini"}).body)
    records = json.loads(api("GET", "sessions", created["session"]["id"], "export").body)
    notice = next(r for r in records["records"] if r.get("type") == "coach_fallback")["data"]
    assert notice["reason"] == "unavailable" and "privacy.local_only" in notice["detail"]


def test_empty_llm_fields_keep_the_servers_scripted_coach(api: Api) -> None:
    created = json.loads(post_session(api, {"model": "", "api_base": " "}).body)
    assert "llm" not in created["session"]["meta"]
    records = json.loads(api("GET", "sessions", created["session"]["id"], "export").body)
    assert not [r for r in records["records"] if r.get("type") == "coach_fallback"]
    says = [r for r in records["records"] if r.get("type") == "coach_says"]
    assert says and all(r["data"]["coach"] == "scripted" for r in says)


def test_a_resumed_session_keeps_its_own_model(
        api: Api, jp_serverapp: Any, settings_file: Path) -> None:
    settings = load_settings(settings_file)
    chosen = {"model": "openai/gpt-4o-mini", "api_base": "http://127.0.0.1:9/v1"}
    with SessionStore.from_settings(settings) as store:  # an earlier server's session
        earlier = InterviewSession.start(
            store, ProblemRegistry.discover(settings).get("add"),
            settings_with_llm(settings, chosen), harness=None, clock=FakeClock(), minutes=20,
            meta={"source": "server", "llm": chosen}, coach=ScriptedCoach())
    assert api("GET", "sessions", earlier.info.id).code == 200  # resumed here
    service = jp_serverapp.extension_manager.extension_points[
        "mock_interviewer_lab"].app.service
    resumed = service.session(earlier.info.id)
    assert resumed.orchestrator.coach.name == "openai/gpt-4o-mini"
    assert resumed.settings.llm.api_base == "http://127.0.0.1:9/v1"
    assert service.settings.llm.model == ""  # the server's own settings are untouched


@pytest.mark.parametrize(("llm", "field"), [
    ("openai/x", "llm"),
    ({"model": 3}, "llm.model"),
    ({"api_base": ["http://127.0.0.1"]}, "llm.api_base"),
    ({"model": "x" * 201}, "llm.model"),
    ({"model": "openai/x\nsecond line"}, "llm.model"),
    ({"temperature": 2}, "llm.temperature"),
])
def test_a_bad_llm_object_is_400_naming_the_field(api: Api, llm: Any, field: str) -> None:
    response = post_session(api, llm)
    assert response.code == 400
    error = json.loads(response.body)
    assert error["field"] == field and field.split(".")[-1] in error["error"]
    assert error["error"].count("llm") >= 1
    assert "\n" not in error["error"]


def test_settings_with_llm_changes_only_model_and_api_base() -> None:
    settings = parse_settings({"llm": {"model": "ollama/a", "temperature": 0.5},
                               "privacy": {"local_only": True}}, "s.toml")
    chosen = settings_with_llm(settings, {"model": "openai/b", "api_base": "",
                                          "local_only": False})
    assert chosen.llm.model == "openai/b" and chosen.llm.api_base == ""
    assert chosen.llm.temperature == 0.5 and chosen.privacy.local_only
    assert settings.llm.model == "ollama/a"  # the server's own settings are untouched
    assert settings_with_llm(settings, None) is settings
